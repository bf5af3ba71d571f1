package boltdb

import (
	"fmt"
	"time"
)

// Broadcast counts the delivery of one message to many: an announcement,
// a change, a reminder. Its items are ordinary outbox items carrying its
// id; each one's outcome is counted here when it is done.
type Broadcast struct {
	ID        uint64    `json:"id"`
	Kind      string    `json:"kind"`            // e.g. "announce", "change", "reminder"
	EventID   uint64    `json:"event,omitempty"` // what it is about
	Total     int       `json:"total"`           // recipients, blocked ones included
	Delivered int       `json:"delivered"`
	Blocked   int       `json:"blocked"` // skipped (blocked before) or refused with 403
	Failed    int       `json:"failed"`
	CreatedAt time.Time `json:"created_at"`
}

// Pending returns how many recipients are still waiting.
func (b *Broadcast) Pending() int { return b.Total - b.Delivered - b.Blocked - b.Failed }

// CreateBroadcast stores a new broadcast and sets its ID.
func (tx *Tx) CreateBroadcast(b *Broadcast) error {
	bk := tx.tx.Bucket(bucketBroadcasts)
	seq, err := bk.NextSequence()
	if err != nil {
		return err
	}
	b.ID = seq
	b.CreatedAt = tx.now
	if err := tx.tx.Bucket(bucketBroadcastsByTime).Put(timeIDKey(b.CreatedAt, seq), nil); err != nil {
		return err
	}
	return putJSON(bk, itob(seq), b)
}

// PutBroadcast saves a broadcast (its counts, once its items are queued).
func (tx *Tx) PutBroadcast(b *Broadcast) error {
	return putJSON(tx.tx.Bucket(bucketBroadcasts), itob(b.ID), b)
}

// Broadcast returns a broadcast, or mmo.ErrNotFound.
func (tx *Tx) Broadcast(id uint64) (*Broadcast, error) {
	var b Broadcast
	if err := tx.getJSON(tx.tx.Bucket(bucketBroadcasts), itob(id), &b); err != nil {
		return nil, err
	}
	return &b, nil
}

func countBroadcast(tx *Tx, id uint64, outcome Outcome) error {
	bk := tx.tx.Bucket(bucketBroadcasts)
	var b Broadcast
	if err := tx.getJSON(bk, itob(id), &b); err != nil {
		return fmt.Errorf("count broadcast %d: %w", id, err)
	}
	switch outcome {
	case Sent:
		b.Delivered++
	case Blocked:
		b.Blocked++
	default:
		b.Failed++
	}
	return putJSON(bk, itob(id), &b)
}
