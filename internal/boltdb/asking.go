package boltdb

import (
	"bytes"
	"errors"

	bolt "go.etcd.io/bbolt"
)

// The questions whose request button is still up (migration "remember
// the messages that carry a location or phone button"):
//
//	asking   messenger + 0 + chat id (8) → the messenger's id of the message
//
// A messenger without a reply keyboard (MAX) puts the button that shares
// a location or a phone number on the question's own message, and takes
// it away by editing that message once the form moved on. Which message
// that is must outlive a restart between the question and the answer, or
// the button would stay up, still pressable, for good.
var bucketAsking = []byte("asking")

func migrateAsking(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketAsking)
	return err
}

func askingKey(messenger string, chat int64) []byte {
	return append([]byte(messenger+"\x00"), itob(uint64(chat))...)
}

// Asking returns the message of a chat whose request button is up, ""
// if none.
func (db *DB) Asking(messenger string, chat int64) (string, error) {
	var mid string
	err := db.bolt.View(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketAsking)
		if b == nil {
			return errors.New("no asking bucket")
		}
		mid = string(b.Get(askingKey(messenger, chat)))
		return nil
	})
	return mid, err
}

// PutAsking records the message that put a request button up in a chat,
// in place of the one recorded before (a chat has one question at a
// time).
func (db *DB) PutAsking(messenger string, chat int64, mid string) error {
	if messenger == "" || mid == "" {
		return errors.New("put asking: an empty name")
	}
	return db.batch(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketAsking).Put(askingKey(messenger, chat), []byte(mid))
	})
}

// DropAsking forgets the request button of message mid in a chat, once
// it was taken away; a newer question recorded meanwhile stays.
func (db *DB) DropAsking(messenger string, chat int64, mid string) error {
	return db.batch(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketAsking)
		k := askingKey(messenger, chat)
		if !bytes.Equal(b.Get(k), []byte(mid)) {
			return nil
		}
		return b.Delete(k)
	})
}
