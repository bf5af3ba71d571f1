package boltdb

import (
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OutboxSummary is what the outbox holds, for the operator's figures.
type OutboxSummary struct {
	// Items and Oldest are indexed by Priority: how many items wait, and
	// when the oldest of them was queued (zero if none).
	Items  [PriorityMenu + 1]int
	Oldest [PriorityMenu + 1]time.Time
	// Broadcasts is how many broadcasts have items waiting.
	Broadcasts int
}

// OutboxSummary reads the headers of the items waiting (never their
// payloads). Its cost grows with the items waiting, not with what was
// ever sent: a drained outbox is an empty bucket.
func (db *DB) OutboxSummary() (OutboxSummary, error) {
	var s OutboxSummary
	broadcasts := map[uint64]bool{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			it, err := decodeOutbox(btoi(k), v, false)
			if err != nil {
				return err
			}
			p := min(it.Priority, PriorityMenu)
			s.Items[p]++
			if o := s.Oldest[p]; o.IsZero() || it.CreatedAt.Before(o) {
				s.Oldest[p] = it.CreatedAt
			}
			if it.Broadcast != 0 {
				broadcasts[it.Broadcast] = true
			}
			return nil
		})
	})
	s.Broadcasts = len(broadcasts)
	return s, err
}

// FileSize is the size of the database file on disk.
func (db *DB) FileSize() (int64, error) {
	fi, err := os.Stat(db.bolt.Path())
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// Path is the database file.
func (db *DB) Path() string { return db.bolt.Path() }
