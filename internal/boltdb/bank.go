package boltdb

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// The materials bucket (migration "create the materials bank"):
//
//	materials   material id (8) → JSON mmo.Material: the bank of pedagogical information
var bucketMaterials = []byte("materials")

func migrateMaterials(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketMaterials)
	return err
}

// CreateMaterial stores a new material and sets its ID.
func (tx *Tx) CreateMaterial(m *mmo.Material) error {
	b := tx.tx.Bucket(bucketMaterials)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	m.ID = seq
	return putJSON(b, itob(seq), m)
}

// Material returns a material, or mmo.ErrNotFound.
func (tx *Tx) Material(id uint64) (*mmo.Material, error) {
	var m mmo.Material
	if err := tx.getJSON(tx.tx.Bucket(bucketMaterials), itob(id), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// PutMaterial saves a material.
func (tx *Tx) PutMaterial(m *mmo.Material) error {
	return putJSON(tx.tx.Bucket(bucketMaterials), itob(m.ID), m)
}

// Materials calls fn for every material, newest first, until fn returns
// false.
func (tx *Tx) Materials(fn func(*mmo.Material) bool) error {
	c := tx.tx.Bucket(bucketMaterials).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var m mmo.Material
		if err := tx.decode(v, &m); err != nil {
			return fmt.Errorf("decode material %d: %w", btoi(k), err)
		}
		if !fn(&m) {
			return nil
		}
	}
	return nil
}
