package boltdb

import (
	"errors"

	bolt "go.etcd.io/bbolt"
)

// The copies of files across messengers (migration "create the copies of
// files in other messengers"):
//
//	file_copies   from messenger + 0 + its file id + 0 + to messenger → the file's id in that messenger
//
// A file a person sent through one messenger reaches a person on another
// by its bytes: fetched, then uploaded. The messenger that took the
// upload gives the file an id of its own; it is recorded here, so that
// the same file (an announcement's, going to every member) is fetched and
// uploaded once, then sent by that id.
var bucketFileCopies = []byte("file_copies")

func migrateFileCopies(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketFileCopies)
	return err
}

func fileCopyKey(from, fileID, to string) []byte {
	return []byte(from + "\x00" + fileID + "\x00" + to)
}

// FileCopy returns the id in messenger to of the file of messenger from
// with id fileID, "" if it was never uploaded there.
func (db *DB) FileCopy(from, fileID, to string) (string, error) {
	var id string
	err := db.bolt.View(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketFileCopies)
		if b == nil {
			return errors.New("no file copies bucket")
		}
		id = string(b.Get(fileCopyKey(from, fileID, to)))
		return nil
	})
	return id, err
}

// PutFileCopy records the id in messenger to of the file of messenger
// from with id fileID, once a transport has uploaded it there.
func (db *DB) PutFileCopy(from, fileID, to, id string) error {
	if from == "" || fileID == "" || to == "" || id == "" {
		return errors.New("put file copy: an empty name")
	}
	return db.batch(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketFileCopies).Put(fileCopyKey(from, fileID, to), []byte(id))
	})
}

// DeleteFileCopy forgets the copy of a file in messenger to, after a send
// by it failed: the copy may have expired there, and the next send goes
// up afresh.
func (db *DB) DeleteFileCopy(from, fileID, to string) error {
	return db.batch(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketFileCopies).Delete(fileCopyKey(from, fileID, to))
	})
}
