package boltdb

import (
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// SentRecord is a message the bot keeps a handle on, under a key of the
// conversation's choosing ("card:12": the leader's card of event 12), so
// that it can be changed in place later: which messenger and chat it is
// in, and its id there. The conversation records a key when it queues a
// message with one (Message is empty then, Outbox the pending item) or
// when a person opens a view by a button (Message is the pressed one);
// the transport fills in Message once the send succeeded, and reads it
// when it delivers an edit by the key.
type SentRecord struct {
	Messenger string `json:"messenger"`
	Chat      int64  `json:"chat"`
	// Message is the messenger's id of the message; "" while its send is
	// pending.
	Message string `json:"message,omitempty"`
	// Outbox is the outbox item that sends it, 0 once sent (or when the
	// message was not sent by a keyed item).
	Outbox uint64 `json:"outbox,omitempty"`
	// User is the person whose chat it is, as whom its view is drawn.
	User int64     `json:"user,omitempty"`
	At   time.Time `json:"at"`
}

// PutSent records a message under key, replacing what the key named.
func (tx *Tx) PutSent(key string, s *SentRecord) error {
	if key == "" {
		return errors.New("put sent message: empty key")
	}
	if s.At.IsZero() {
		s.At = tx.now
	}
	if err := unindexSent(tx, key); err != nil {
		return err
	}
	if err := tx.tx.Bucket(bucketSentByTime).Put(sentTimeKey(s.At, key), nil); err != nil {
		return err
	}
	return putJSON(tx.tx.Bucket(bucketSent), []byte(key), s)
}

// Sent returns the message recorded under key, or mmo.ErrNotFound.
func (tx *Tx) Sent(key string) (*SentRecord, error) {
	var s SentRecord
	if err := tx.getJSON(tx.tx.Bucket(bucketSent), []byte(key), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// DeleteSent forgets the message recorded under key.
func (tx *Tx) DeleteSent(key string) error {
	if err := unindexSent(tx, key); err != nil {
		return err
	}
	return tx.tx.Bucket(bucketSent).Delete([]byte(key))
}

// Sent returns the message recorded under key, for a transport about to
// deliver an edit by the key; mmo.ErrNotFound if none.
func (db *DB) Sent(key string) (*SentRecord, error) {
	var s *SentRecord
	err := db.bolt.View(func(btx *bolt.Tx) error {
		var err error
		s, err = db.newTx(btx).Sent(key)
		return err
	})
	return s, err
}

// SentRemoved forgets the message recorded under key once a transport
// took it back, if the key still names that message.
func (db *DB) SentRemoved(key, message string) error {
	return db.batch(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketSent)
		var s SentRecord
		if err := db.newTx(btx).getJSON(b, []byte(key), &s); err != nil {
			if errors.Is(err, mmo.ErrNotFound) {
				return nil
			}
			return err
		}
		if s.Message != message {
			return nil
		}
		if err := btx.Bucket(bucketSentByTime).Delete(sentTimeKey(s.At, key)); err != nil {
			return err
		}
		return b.Delete([]byte(key))
	})
}

// SentDelivered records the id a message got once outbox item id sent
// it. A key that names another item by now (a newer message took it) is
// left alone.
func (db *DB) SentDelivered(key string, id uint64, message string) error {
	return db.batch(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketSent)
		var s SentRecord
		if err := db.newTx(btx).getJSON(b, []byte(key), &s); err != nil {
			if errors.Is(err, mmo.ErrNotFound) {
				return nil
			}
			return err
		}
		if s.Outbox != id {
			return nil
		}
		s.Message, s.Outbox = message, 0
		data, err := Marshal(&s)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), data)
	})
}
