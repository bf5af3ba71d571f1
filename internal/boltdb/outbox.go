package boltdb

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OutboxItem is one message waiting to be sent. Handlers enqueue items in
// the transaction that applies an update, so a reply is never lost and
// never produced twice; the sender removes an item once Telegram took it.
//
// Items are stored as a fixed binary header followed by the payload, not
// as JSON: the sender reads the outbox often and needs only the header to
// decide what to send, so it must not parse every payload to get it.
type OutboxItem struct {
	ID uint64
	// Messenger is the transport that delivers the item ("telegram");
	// ChatID the chat there.
	Messenger string
	ChatID    int64
	Payload   json.RawMessage // the adapter's own encoding of the request
	Attempts  int
	NotBefore time.Time // retry no earlier than this
	CreatedAt time.Time
	// FailedAt is when the first failed attempt was made; zero while none
	// failed. It bounds how long an item is retried.
	FailedAt time.Time
	// Broadcast, when set, is the broadcast the item belongs to: its
	// outcome is counted there.
	Broadcast uint64
	// Key, when set, makes the item replace a pending item with the same
	// key: only the latest refresh of a live view needs to go out.
	Key string
	// Priority says what goes first when items of several chats wait; it
	// is kept with the item, so the order holds across a restart.
	Priority Priority
}

// Priority orders the outbox: a lower value goes first.
type Priority uint8

// Priorities, most urgent first.
const (
	// PriorityReply is an answer to what a user just did.
	PriorityReply Priority = iota
	// PriorityNotice is a message about what someone else did, or one a
	// scheduled job sends.
	PriorityNotice
	// PriorityBulk is one message of a broadcast.
	PriorityBulk
	// PriorityMenu is a command menu: not a chat message, set on a lane
	// of its own that never holds up a chat.
	PriorityMenu
)

// The header of an item, in its third format: a format byte (3), then
// the chat id, NotBefore and CreatedAt as unix nanoseconds, attempts, the
// broadcast id, the priority, FailedAt, the length of the key and the
// length of the messenger's name; the key and the name follow the header,
// then the payload. Format 2 lacked the messenger: its items are
// Telegram's. Format 1 lacked the priority and FailedAt too; its items
// are read as notices (or bulk, if counted in a broadcast).
const (
	outboxHeader   = 1 + 8 + 8 + 8 + 4 + 8 + 1 + 8 + 2 + 1
	outboxHeaderV2 = 1 + 8 + 8 + 8 + 4 + 8 + 1 + 8 + 2
	outboxHeaderV1 = 1 + 8 + 8 + 8 + 4 + 8 + 2
)

func encodeOutbox(it *OutboxItem) []byte {
	messenger := it.Messenger
	if messenger == Telegram {
		messenger = "" // the default, as items of format 2 have it
	}
	b := make([]byte, outboxHeader+len(it.Key)+len(messenger)+len(it.Payload))
	b[0] = 3
	binary.BigEndian.PutUint64(b[1:], uint64(it.ChatID))
	binary.BigEndian.PutUint64(b[9:], uint64(unixNano(it.NotBefore)))
	binary.BigEndian.PutUint64(b[17:], uint64(unixNano(it.CreatedAt)))
	binary.BigEndian.PutUint32(b[25:], uint32(it.Attempts))
	binary.BigEndian.PutUint64(b[29:], it.Broadcast)
	b[37] = byte(it.Priority)
	binary.BigEndian.PutUint64(b[38:], uint64(unixNano(it.FailedAt)))
	binary.BigEndian.PutUint16(b[46:], uint16(len(it.Key)))
	b[48] = byte(len(messenger))
	copy(b[outboxHeader:], it.Key)
	copy(b[outboxHeader+len(it.Key):], messenger)
	copy(b[outboxHeader+len(it.Key)+len(messenger):], it.Payload)
	return b
}

// decodeOutbox reads an item; the payload is copied only if withPayload,
// since bbolt's memory is valid only inside the transaction.
func decodeOutbox(id uint64, b []byte, withPayload bool) (OutboxItem, error) {
	if len(b) < 1 {
		return OutboxItem{}, fmt.Errorf("outbox item %d: empty", id)
	}
	size, keyAt := outboxHeader, 46
	switch b[0] {
	case 1:
		size, keyAt = outboxHeaderV1, 37
	case 2:
		size = outboxHeaderV2
	case 3:
	default:
		return OutboxItem{}, fmt.Errorf("outbox item %d: unknown format %d", id, b[0])
	}
	if len(b) < size {
		return OutboxItem{}, fmt.Errorf("outbox item %d: bad header (%d bytes)", id, len(b))
	}
	keyLen := int(binary.BigEndian.Uint16(b[keyAt:]))
	nameLen := 0
	if b[0] == 3 {
		nameLen = int(b[48])
	}
	if len(b) < size+keyLen+nameLen {
		return OutboxItem{}, fmt.Errorf("outbox item %d: key of %d bytes in %d", id, keyLen, len(b))
	}
	it := OutboxItem{
		ID:        id,
		Messenger: Telegram,
		ChatID:    int64(binary.BigEndian.Uint64(b[1:])),
		NotBefore: fromUnixNano(int64(binary.BigEndian.Uint64(b[9:]))),
		CreatedAt: fromUnixNano(int64(binary.BigEndian.Uint64(b[17:]))),
		Attempts:  int(binary.BigEndian.Uint32(b[25:])),
		Broadcast: binary.BigEndian.Uint64(b[29:]),
		Key:       string(b[size : size+keyLen]),
	}
	if b[0] >= 2 {
		it.Priority = Priority(b[37])
		it.FailedAt = fromUnixNano(int64(binary.BigEndian.Uint64(b[38:])))
	} else {
		it.Priority = PriorityNotice
		if it.Broadcast != 0 {
			it.Priority = PriorityBulk
		}
	}
	if nameLen > 0 {
		it.Messenger = string(b[size+keyLen : size+keyLen+nameLen])
	}
	if withPayload {
		it.Payload = append(json.RawMessage(nil), b[size+keyLen+nameLen:]...)
	}
	return it, nil
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Enqueue adds an item to the outbox and sets its ID. Items of one chat
// and one priority are sent in ID order.
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
	if item.Key != "" {
		keys := tx.tx.Bucket(bucketOutboxKeys)
		if old := keys.Get([]byte(item.Key)); old != nil {
			if err := b.Delete(old); err != nil {
				return err
			}
		}
		if err := keys.Put([]byte(item.Key), itob(seq)); err != nil {
			return err
		}
	}
	return b.Put(itob(seq), encodeOutbox(item))
}

// OutboxKeyWaiting reports whether an item waits under the replace key.
func (tx *Tx) OutboxKeyWaiting(key string) bool {
	return tx.tx.Bucket(bucketOutboxKeys).Get([]byte(key)) != nil
}

// DropOutboxKey removes the item waiting under the replace key, if one
// does: a message drawn otherwise makes it stale.
func (tx *Tx) DropOutboxKey(key string) error {
	keys := tx.tx.Bucket(bucketOutboxKeys)
	id := keys.Get([]byte(key))
	if id == nil {
		return nil
	}
	if err := tx.tx.Bucket(bucketOutbox).Delete(bytes.Clone(id)); err != nil {
		return err
	}
	return keys.Delete([]byte(key))
}

// Outbox returns up to limit items with an ID above after, in ID order,
// without their payloads (see OutboxPayload).
func (db *DB) Outbox(after uint64, limit int) ([]OutboxItem, error) {
	var items []OutboxItem
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(itob(after + 1)); k != nil && len(items) < limit; k, v = c.Next() {
			it, err := decodeOutbox(btoi(k), v, false)
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		return nil
	})
	return items, err
}

// OutboxPayload returns the payload of an item, or nil if it is gone.
func (db *DB) OutboxPayload(id uint64) (json.RawMessage, error) {
	var p json.RawMessage
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketOutbox).Get(itob(id))
		if v == nil {
			return nil
		}
		it, err := decodeOutbox(id, v, true)
		p = it.Payload
		return err
	})
	return p, err
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

// Outcome is how the delivery of an outbox item ended.
type Outcome int

// Outcomes.
const (
	Sent    Outcome = iota // Telegram accepted it
	Blocked                // the user blocked the bot
	Failed                 // refused for good, or given up after retries
)

// OutboxDone removes a finished item and counts its outcome in its
// broadcast, in one transaction. Concurrent senders share transactions
// through Batch, which matters for a broadcast's thousand small writes.
func (db *DB) OutboxDone(id uint64, outcome Outcome) error {
	return db.batch(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketOutbox)
		v := b.Get(itob(id))
		if v == nil {
			return nil // replaced by a newer item, or done already
		}
		it, err := decodeOutbox(id, v, false)
		if err != nil {
			return err
		}
		if err := b.Delete(itob(id)); err != nil {
			return err
		}
		if it.Key != "" {
			keys := btx.Bucket(bucketOutboxKeys)
			if cur := keys.Get([]byte(it.Key)); cur != nil && btoi(cur) == id {
				if err := keys.Delete([]byte(it.Key)); err != nil {
					return err
				}
			}
		}
		if it.Broadcast != 0 {
			return countBroadcast(db.newTx(btx), it.Broadcast, outcome)
		}
		return nil
	})
}

// OutboxRetry records a failed attempt, when the first one failed, and
// when to try again.
func (db *DB) OutboxRetry(id uint64, attempts int, notBefore, failedAt time.Time) error {
	return db.batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		v := b.Get(itob(id))
		if v == nil {
			return nil
		}
		it, err := decodeOutbox(id, v, true)
		if err != nil {
			return err
		}
		it.Attempts = attempts
		it.NotBefore = notBefore
		it.FailedAt = failedAt
		return b.Put(itob(id), encodeOutbox(&it))
	})
}
