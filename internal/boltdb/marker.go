package boltdb

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// The update markers of messengers that page their updates by an opaque
// marker (MAX) rather than by update ids (Telegram's offset, above).

// markerKey is the meta key of a messenger's marker; the store's own meta
// keys and the adapters' ("x:") never start so.
func markerKey(messenger string) []byte { return []byte("marker:" + messenger) }

// Marker returns the marker to poll a messenger's updates from; ok is
// false before the first batch was handled.
func (db *DB) Marker(messenger string) (marker int64, ok bool, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(markerKey(messenger)); len(v) == 8 {
			marker, ok = int64(btoi(v)), true
		}
		return nil
	})
	return marker, ok, err
}

// SetMarker records the marker that follows a handled batch. The
// messenger never delivers an update before it again, so the handled
// marks of that messenger, which are all of that batch or earlier ones
// (one poll loop per messenger), are dropped in the same transaction: the
// set stays as small as one batch.
func (db *DB) SetMarker(messenger string, marker int64) error {
	return db.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put(markerKey(messenger), itob(uint64(marker))); err != nil {
			return err
		}
		prefix := []byte(messenger + ":")
		c := tx.Bucket(bucketUpdates).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
}
