package boltdb

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// Offset returns the getUpdates offset to poll from: one more than the
// highest update id whose whole batch was handled.
func (db *DB) Offset() (int, error) {
	var off int
	err := db.bolt.View(func(tx *bolt.Tx) error {
		off = int(btoi(tx.Bucket(bucketMeta).Get(keyOffset)))
		return nil
	})
	return off, err
}

// SetOffset records the next getUpdates offset. Telegram never redelivers
// an update below it, so the handled-update marks below it are dropped in
// the same transaction: the set stays as small as one batch.
func (db *DB) SetOffset(offset int) error {
	return db.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put(keyOffset, itob(uint64(offset))); err != nil {
			return err
		}
		// Telegram's marks are the 8-byte keys, which sort before those
		// of other messengers (prefixed by their name).
		c := tx.Bucket(bucketUpdates).Cursor()
		for k, _ := c.First(); k != nil && len(k) == 8 && btoi(k) < uint64(offset); k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
}

// Telegram is the messenger whose handled-update marks are the bare
// update ids, as every build before there were others wrote them.
const Telegram = "telegram"

// handledKey is the key of the mark of an update of a messenger.
func handledKey(messenger string, id uint64) []byte {
	if messenger == Telegram {
		return itob(id)
	}
	return append([]byte(messenger+":"), itob(id)...)
}

// Handled reports whether the update was already applied.
func (tx *Tx) Handled(messenger string, id uint64) bool {
	return tx.tx.Bucket(bucketUpdates).Get(handledKey(messenger, id)) != nil
}

// MarkHandled records that the update was applied. Call it in the same
// transaction as the update's effects, so both land or neither does.
func (tx *Tx) MarkHandled(messenger string, id uint64) error {
	return tx.tx.Bucket(bucketUpdates).Put(handledKey(messenger, id), itob(uint64(tx.now.Unix())))
}

// HandledAt returns when an update was applied, for tests and diagnostics.
func (db *DB) HandledAt(messenger string, id uint64) (time.Time, bool) {
	var at time.Time
	var ok bool
	db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketUpdates).Get(handledKey(messenger, id)); v != nil {
			at, ok = time.Unix(int64(btoi(v)), 0), true
		}
		return nil
	})
	return at, ok
}

// Meta returns a value of the meta bucket, for small settings the adapters
// keep (nil if absent).
func (tx *Tx) Meta(key string) []byte {
	v := tx.tx.Bucket(bucketMeta).Get([]byte("x:" + key))
	return append([]byte(nil), v...)
}

// PutMeta stores a small setting in the meta bucket. Adapter keys are
// prefixed so they can never clash with the store's own.
func (tx *Tx) PutMeta(key string, value []byte) error {
	return tx.tx.Bucket(bucketMeta).Put([]byte("x:"+key), value)
}
