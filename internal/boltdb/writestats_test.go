package boltdb

import (
	"strings"
	"testing"
	"time"
)

// TestLongestWriteNamesItsCaller: the longest write transaction is
// reported with the code that ran it, outside the store, so a benchmark
// says which transaction to shorten.
func TestLongestWriteNamesItsCaller(t *testing.T) {
	db, _ := clockDB(t)
	db.WriteStats()
	quickWrite(t, db)
	slowWrite(t, db)
	quickWrite(t, db)
	n, longest := db.WriteStats()
	if n != 3 || longest < 20*time.Millisecond {
		t.Fatalf("%d writes, the longest %v; want 3, the longest at least 20 ms", n, longest)
	}
	if by := db.LongestWriteBy(); !strings.Contains(by, "slowWrite") {
		t.Errorf("the longest write is said to be by %q, want slowWrite", by)
	}
	// Its time went to its function, which the split says.
	db.writes.mu.Lock()
	split := db.writes.split
	db.writes.mu.Unlock()
	if split.Work < 20*time.Millisecond || split.Pages == 0 {
		t.Errorf("the longest write's split %v; want its 20 ms of work and its pages", split)
	}
}

func quickWrite(t *testing.T, db *DB) {
	if err := db.Update(func(tx *Tx) error { return tx.PutMeta("x", []byte("1")) }); err != nil {
		t.Fatal(err)
	}
}

func slowWrite(t *testing.T, db *DB) {
	if err := db.Batch(func(tx *Tx) error {
		time.Sleep(20 * time.Millisecond) // a transaction that holds the writer long
		return tx.PutMeta("y", []byte("2"))
	}); err != nil {
		t.Fatal(err)
	}
}
