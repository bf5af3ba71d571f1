package boltdb

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	berrors "go.etcd.io/bbolt/errors"

	"github.com/mmobot/mmobot/internal/mmo"
)

// TestCommitRefusedByTheFileIsUnwritable fills a file that may not grow:
// the commit fails inside bbolt, as on a full disk, and the caller can
// tell that from an error of its own function.
func TestCommitRefusedByTheFileIsUnwritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mmo.db")
	db, err := Open(path, Options{Timeout: time.Second, maxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	big := bytes.Repeat([]byte("x"), 2<<20)
	err = db.Update(func(tx *Tx) error { return tx.PutMeta("big", big) })
	if !errors.Is(err, ErrUnwritable) || !errors.Is(err, berrors.ErrMaxSizeReached) {
		t.Fatalf("a commit past the size limit: %v, want ErrUnwritable from bbolt's refusal", err)
	}
	var got []byte
	db.View(func(tx *Tx) error { got = tx.Meta("big"); return nil })
	if got != nil {
		t.Error("the refused transaction left its value")
	}
	// The store goes on: a small write still fits.
	if err := db.Update(func(tx *Tx) error { return tx.PutMeta("small", []byte("ok")) }); err != nil {
		t.Fatalf("a small write after the refused one: %v", err)
	}
	// An error of the function itself is not a write failure.
	mine := errors.New("handler bug")
	if err := db.Update(func(tx *Tx) error { return mine }); !errors.Is(err, mine) || errors.Is(err, ErrUnwritable) {
		t.Errorf("the function's own error came back as %v", err)
	}
}

// TestWriteFault checks the test hook: every kind of write fails while it
// is set, nothing is kept, and writes succeed again once it is cleared.
func TestWriteFault(t *testing.T) {
	db := MustOpenDB(t)
	var asked atomic.Int32
	db.SetWriteFault(func() error {
		asked.Add(1)
		return fmt.Errorf("write mmo.db: %w", syscall.ENOSPC)
	})
	put := func(id int64) error { return db.Update(func(tx *Tx) error { return tx.PutUser(&mmo.User{ID: id}) }) }
	if err := put(1); !errors.Is(err, ErrUnwritable) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Update under the fault: %v", err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			errs[i] = db.Batch(func(tx *Tx) error { return tx.PutUser(&mmo.User{ID: int64(100 + i)}) })
		})
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, ErrUnwritable) {
			t.Errorf("Batch %d under the fault: %v", i, err)
		}
	}
	if err := db.SetOffset(7); !errors.Is(err, ErrUnwritable) {
		t.Errorf("SetOffset under the fault: %v", err)
	}
	if _, err := db.Backup(&bytes.Buffer{}); err != nil {
		t.Errorf("a backup reads only, and must work: %v", err)
	}
	if asked.Load() == 0 {
		t.Fatal("the fault was never asked")
	}
	n := 0
	db.View(func(tx *Tx) error { return tx.Users(func(*mmo.User) bool { n++; return true }) })
	if off, _ := db.Offset(); n != 0 || off != 0 {
		t.Fatalf("failed writes left %d users and offset %d", n, off)
	}
	db.SetWriteFault(nil)
	if err := put(1); err != nil {
		t.Fatalf("Update after the fault cleared: %v", err)
	}
}
