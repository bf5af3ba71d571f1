package boltdb

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// The news bucket (migration "create news"):
//
//	news   news id (8) → JSON mmo.News: announcements of leaders and coordinators
var bucketNews = []byte("news")

func migrateNews(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketNews)
	return err
}

// CreateNews stores a new announcement and sets its ID.
func (tx *Tx) CreateNews(n *mmo.News) error {
	b := tx.tx.Bucket(bucketNews)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	n.ID = seq
	return putJSON(b, itob(seq), n)
}

// News returns an announcement, or mmo.ErrNotFound.
func (tx *Tx) News(id uint64) (*mmo.News, error) {
	var n mmo.News
	if err := tx.getJSON(tx.tx.Bucket(bucketNews), itob(id), &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// PutNews saves an announcement.
func (tx *Tx) PutNews(n *mmo.News) error {
	return putJSON(tx.tx.Bucket(bucketNews), itob(n.ID), n)
}

// LatestNews calls fn for the announcements newest first, until fn
// returns false.
func (tx *Tx) LatestNews(fn func(*mmo.News) bool) error {
	c := tx.tx.Bucket(bucketNews).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var n mmo.News
		if err := tx.decode(v, &n); err != nil {
			return fmt.Errorf("decode news %d: %w", btoi(k), err)
		}
		if !fn(&n) {
			return nil
		}
	}
	return nil
}
