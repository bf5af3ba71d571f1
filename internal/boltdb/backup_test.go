package boltdb

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// TestSnapshotHoldsNothing takes a snapshot, then commits and grows the
// file before reading it: the writer does not wait for the reader, the
// copy is the database as it was, and no file is left behind.
func TestSnapshotHoldsNothing(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(filepath.Join(dir, "mmo.db"), Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Update(func(tx *Tx) error { return tx.PutUser(&mmo.User{ID: 1, Name: "До копии"}) })
	snap, size, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	done := make(chan error, 1)
	go func() {
		done <- db.Update(func(tx *Tx) error {
			if err := tx.PutUser(&mmo.User{ID: 2, Name: "После копии"}); err != nil {
				return err
			}
			return tx.PutMeta("big", make([]byte, 8<<20)) // past the mapping: a remap
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a write waited for an unread snapshot")
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(f, snap)
	f.Close()
	if err != nil || n != size {
		t.Fatalf("read %d of %d bytes: %v", n, size, err)
	}
	c, err := Open(out, Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatalf("open the snapshot: %v", err)
	}
	defer c.Close()
	var ids []int64
	c.View(func(tx *Tx) error {
		return tx.Users(func(u *mmo.User) bool { ids = append(ids, u.ID); return true })
	})
	if len(ids) != 1 || ids[0] != 1 {
		t.Errorf("the snapshot holds users %v, want [1]", ids)
	}
	snap.Close()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "mmo.db" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
