package search

import (
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// damage overwrites 64 random bytes at random offsets of the index's files,
// as a failing disk or an interrupted copy would.
func damage(t *testing.T, dir string, seed int64) {
	t.Helper()
	target, err := os.Readlink(filepath.Join(dir, LinkName))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(seed))
	var files []string
	filepath.Walk(filepath.Join(dir, target), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && info.Size() > 64 {
			files = append(files, p)
		}
		return nil
	})
	for i := 0; i < 4; i++ {
		p := files[r.Intn(len(files))]
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := f.Stat()
		junk := make([]byte, 64)
		r.Read(junk)
		f.WriteAt(junk, r.Int63n(info.Size()-64))
		f.Close()
	}
}

// A damaged index never stops the site: opening it, searching it and
// applying events to it never panic; a search either answers or says the
// index is being rebuilt; the rebuild brings searches back.
func TestDamagedIndexNeverTakesTheSiteDown(t *testing.T) {
	for seed := int64(1); seed <= 12; seed++ {
		t.Run("seed "+strconv.FormatInt(seed, 10), func(t *testing.T) {
			f := newFixture(t)
			var last *content.Topic
			for i := 0; i < 40; i++ {
				last = f.topic("Karim", "Clé USB numéro "+strconv.Itoa(i), "Comment sauvegarder les photos "+strconv.Itoa(i)+" ?",
					func(n *content.NewTopic) { n.Tags = "sauvegarde" })
				f.reply("Lucie", last, "Sur une clé, et dans le nuage.")
			}
			f.open()
			f.ix.Close()
			damage(t, f.dir, seed)

			ctx := context.Background()
			ix := Open(ctx, f.dir, f.store.SearchSources(), f.store.Events(), quiet)
			defer ix.Close()
			for _, q := range []string{"clé usb", "sauvegarder", "photos -nuage", "sauve*"} {
				res, err := ix.Search(ctx, Request{Q: q, Tag: "sauvegarde"})
				if err != nil && err != ErrRebuilding {
					t.Fatalf("search %q on a damaged index: %v", q, err)
				}
				_ = res
				if _, err := ix.Similar(ctx, nil, content.DocDiscussion, "Clé USB", nil, "", 5); err != nil && err != ErrRebuilding {
					t.Fatalf("similar on a damaged index: %v", err)
				}
			}
			f.reply("Nadia", last, "Et une copie sur un disque.")
			if err := ix.apply(ctx); err != nil && err != ErrRebuilding {
				t.Logf("apply on a damaged index: %v", err) // an error is fine; a panic is not
			}

			// The running indexer rebuilds what was found damaged.
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { ix.Run(runCtx); close(done) }()
			deadline := time.Now().Add(60 * time.Second)
			var res *Results
			var err error
			for time.Now().Before(deadline) {
				res, err = ix.Search(ctx, Request{Q: "clé usb"})
				if err == nil && res.Total == 40 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			<-done
			if err != nil || res.Total != 40 {
				t.Fatalf("after the rebuild: %v, %+v", err, res)
			}
		})
	}
}
