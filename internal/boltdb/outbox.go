package boltdb

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// OutboxItem is one message waiting to be sent. Handlers enqueue items in
// the transaction that applies an update, so a reply is never lost and
// never produced twice; the sender removes an item once Telegram took it.
type OutboxItem struct {
	ID        uint64          `json:"-"`
	ChatID    int64           `json:"chat_id"`
	Payload   json.RawMessage `json:"payload"` // the adapter's own encoding of the request
	Attempts  int             `json:"attempts,omitempty"`
	NotBefore time.Time       `json:"not_before,omitempty"` // retry no earlier than this
	CreatedAt time.Time       `json:"created_at"`
}

// Enqueue adds an item to the outbox and sets its ID. Items are sent in ID
// order per chat.
func (tx *Tx) Enqueue(item *OutboxItem) error {
	b := tx.tx.Bucket(bucketOutbox)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	item.ID = seq
	if item.CreatedAt.IsZero() {
		item.CreatedAt = tx.now
	}
	return putJSON(b, itob(seq), item)
}

// Outbox returns up to limit items with an ID above after, in ID order.
func (db *DB) Outbox(after uint64, limit int) ([]OutboxItem, error) {
	var items []OutboxItem
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(itob(after + 1)); k != nil && len(items) < limit; k, v = c.Next() {
			var it OutboxItem
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("decode outbox item %d: %w", btoi(k), err)
			}
			it.ID = btoi(k)
			items = append(items, it)
		}
		return nil
	})
	return items, err
}

// OutboxLen returns the number of items waiting.
func (db *DB) OutboxLen() (int, error) {
	var n int
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketOutbox).Stats().KeyN
		return nil
	})
	return n, err
}

// OutboxDone removes a sent (or abandoned) item. Concurrent senders share
// transactions through Batch, which matters for a broadcast's thousand
// small writes.
func (db *DB) OutboxDone(id uint64) error {
	return db.bolt.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).Delete(itob(id))
	})
}

// OutboxRetry records a failed attempt and when to try again.
func (db *DB) OutboxRetry(id uint64, attempts int, notBefore time.Time) error {
	return db.bolt.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		var it OutboxItem
		if err := getJSON(b, itob(id), &it); err != nil {
			if err == mmo.ErrNotFound {
				return nil
			}
			return err
		}
		it.Attempts = attempts
		it.NotBefore = notBefore
		return putJSON(b, itob(id), &it)
	})
}
