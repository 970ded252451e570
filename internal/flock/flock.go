// Package flock takes exclusive advisory locks on files, so that two
// processes (or two servers in one process) never work on the same folder
// at once. The lock goes with the process: a crash releases it.
package flock

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
)

// ErrHeld means another holder has the lock.
var ErrHeld = errors.New("lock held by another process")

// Lock is a held lock; Release gives it back.
type Lock struct {
	once sync.Once
	f    *os.File
}

// TryLock takes the lock on path (created if missing) without waiting; it
// returns ErrHeld when someone else has it. Locks are per open file, so a
// second TryLock in the same process is refused too.
func TryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrHeld
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Release gives the lock back; calling it again does nothing.
func (l *Lock) Release() error {
	var err error
	l.once.Do(func() { err = l.f.Close() })
	return err
}
