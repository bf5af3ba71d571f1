package boltdb

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// bucketMenuSums holds, per user, a digest of the command menu last
// queued for their chats: when a new build changes the menus, only those
// whose menu differs from what they were given are set again, rather than
// every user with a menu of their own (1,500 calls on a region).
var bucketMenuSums = []byte("menu_sums")

func migrateMenuSums(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketMenuSums)
	return err
}

// MenuSum returns the digest of the menu last queued for a user, nil if
// none was recorded.
func (tx *Tx) MenuSum(uid int64) []byte {
	return tx.tx.Bucket(bucketMenuSums).Get(itob(uint64(uid)))
}

// PutMenuSum records the digest of the menu queued for a user, in the
// transaction that queues it.
func (tx *Tx) PutMenuSum(uid int64, sum []byte) error {
	b := tx.tx.Bucket(bucketMenuSums)
	if bytes.Equal(b.Get(itob(uint64(uid))), sum) {
		return nil // no page written for an unchanged menu
	}
	return b.Put(itob(uint64(uid)), sum)
}

// ForgetMenus forgets every menu recorded, so that the next start sets
// them all again (a messenger that forgot them, as a test server does).
func (tx *Tx) ForgetMenus() error {
	if err := tx.tx.DeleteBucket(bucketMenuSums); err != nil {
		return err
	}
	_, err := tx.tx.CreateBucket(bucketMenuSums)
	return err
}
