package boltdb

import (
	"bytes"
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// TestBlobs: a blob reads back as written, whatever its size against the
// chunk, each chunk written in a transaction of its own; one cut short is
// not read; the purge removes the blobs begun before its cut, finished or
// not, and writes nothing when there are none.
func TestBlobs(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	db, err := Open(filepath.Join(t.TempDir(), "mmo.db"), Options{Timeout: time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []uint64
	for _, n := range []int{1, blobChunk - 1, blobChunk, blobChunk + 1, 3*blobChunk + 7} {
		data := make([]byte, n)
		rand.Read(data)
		db.WriteStats()
		id, err := db.PutBlob(data)
		if err != nil {
			t.Fatal(err)
		}
		writes, _ := db.WriteStats()
		if want := int64(1 + (n+blobChunk-1)/blobChunk); writes != want {
			t.Errorf("a blob of %d bytes in %d write transactions, want %d (the header, then a chunk each)", n, writes, want)
		}
		got, err := db.Blob(id)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("blob of %d bytes read back as %d bytes, %v", n, len(got), err)
		}
		ids = append(ids, id)
	}
	if _, err := db.PutBlob(nil); err == nil {
		t.Error("an empty blob stored")
	}
	// A blob cut short after its first chunk: the fault hits the second.
	data := make([]byte, 2*blobChunk)
	writes := 0
	db.SetWriteFault(func() error {
		if writes++; writes == 3 {
			return errors.New("disk full")
		}
		return nil
	})
	if _, err := db.PutBlob(data); err == nil {
		t.Fatal("a blob stored through a failing write")
	}
	db.SetWriteFault(nil)
	cut := ids[len(ids)-1] + 1
	if _, err := db.Blob(cut); !errors.Is(err, mmo.ErrNotFound) {
		t.Errorf("the blob cut short reads: %v", err)
	}
	if _, err := db.Blob(999); !errors.Is(err, mmo.ErrNotFound) {
		t.Errorf("a blob never stored reads: %v", err)
	}

	now = now.Add(time.Hour)
	late, err := db.PutBlob([]byte("later"))
	if err != nil {
		t.Fatal(err)
	}
	db.WriteStats()
	n, err := db.PurgeBlobs(now)
	if err != nil || n != len(ids)+1 {
		t.Errorf("purged %d blobs, %v; want %d (the finished and the cut short)", n, err, len(ids)+1)
	}
	for _, id := range append(ids, cut) {
		if _, err := db.Blob(id); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("blob %d after the purge: %v", id, err)
		}
	}
	if got, err := db.Blob(late); err != nil || string(got) != "later" {
		t.Errorf("the later blob after the purge: %q, %v", got, err)
	}
	db.WriteStats()
	if n, err := db.PurgeBlobs(now); n != 0 || err != nil {
		t.Errorf("a second purge removed %d, %v", n, err)
	}
	if writes, _ := db.WriteStats(); writes != 0 {
		t.Errorf("a purge with nothing to remove wrote %d transactions", writes)
	}
}
