package flock

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestSecondHolderIsRefusedUntilRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	first, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrHeld) {
		t.Fatalf("second lock while held: %v, want ErrHeld", err)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	first.Release() // twice is harmless
	again, err := TryLock(path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again.Release()
}
