package boltdb

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// The registers bucket (migration "create the registers"):
//
//	registers   entry id (8) → JSON mmo.RegisterEntry: contests, open lessons, publications,
//	            generalised practice, mentoring pairs, award proposals
var bucketRegisters = []byte("registers")

func migrateRegisters(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketRegisters)
	return err
}

// CreateRegisterEntry stores a new entry and sets its ID.
func (tx *Tx) CreateRegisterEntry(e *mmo.RegisterEntry) error {
	b := tx.tx.Bucket(bucketRegisters)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.ID = seq
	return putJSON(b, itob(seq), e)
}

// RegisterEntry returns an entry, or mmo.ErrNotFound.
func (tx *Tx) RegisterEntry(id uint64) (*mmo.RegisterEntry, error) {
	var e mmo.RegisterEntry
	if err := tx.getJSON(tx.tx.Bucket(bucketRegisters), itob(id), &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// DeleteRegisterEntry removes an entry.
func (tx *Tx) DeleteRegisterEntry(id uint64) error {
	return tx.tx.Bucket(bucketRegisters).Delete(itob(id))
}

// RegisterEntries returns every entry, oldest first.
func (tx *Tx) RegisterEntries() ([]*mmo.RegisterEntry, error) {
	var out []*mmo.RegisterEntry
	c := tx.tx.Bucket(bucketRegisters).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var e mmo.RegisterEntry
		if err := tx.decode(v, &e); err != nil {
			return nil, fmt.Errorf("decode register entry %d: %w", btoi(k), err)
		}
		out = append(out, &e)
	}
	return out, nil
}
