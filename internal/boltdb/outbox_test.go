package boltdb

import (
	"encoding/binary"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOutboxOrderAndRetry(t *testing.T) {
	db := MustOpenDB(t)
	err := db.Update(func(tx *Tx) error {
		for i := 0; i < 5; i++ {
			if err := tx.Enqueue(&OutboxItem{ChatID: int64(i % 2), Payload: []byte(`{"n":1}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	items, err := db.Outbox(0, 10)
	if err != nil || len(items) != 5 {
		t.Fatalf("outbox = %d items, %v", len(items), err)
	}
	if items[1].ChatID != 1 || items[1].Payload != nil || items[1].CreatedAt.IsZero() {
		t.Errorf("listed item %+v", items[1])
	}
	if p, err := db.OutboxPayload(items[1].ID); err != nil || string(p) != `{"n":1}` {
		t.Errorf("payload %q, %v", p, err)
	}
	for i := 1; i < len(items); i++ {
		if items[i].ID <= items[i-1].ID {
			t.Fatalf("items out of order: %d after %d", items[i].ID, items[i-1].ID)
		}
	}
	if err := db.OutboxDone(items[0].ID, Sent); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(time.Minute).UTC().Truncate(time.Second)
	failed := at.Add(-time.Minute)
	if err := db.OutboxRetry(items[1].ID, 3, at, failed); err != nil {
		t.Fatal(err)
	}
	if err := db.OutboxRetry(items[0].ID, 3, at, failed); err != nil { // already gone: ignored
		t.Fatal(err)
	}
	rest, _ := db.Outbox(0, 10)
	if len(rest) != 4 || rest[0].ID != items[1].ID || rest[0].Attempts != 3 || !rest[0].NotBefore.Equal(at) || !rest[0].FailedAt.Equal(failed) {
		t.Fatalf("after done+retry: %+v", rest)
	}
	after, _ := db.Outbox(items[2].ID, 10)
	if len(after) != 2 {
		t.Errorf("Outbox(after %d) = %d items, want 2", items[2].ID, len(after))
	}
	if n, _ := db.OutboxLen(); n != 4 {
		t.Errorf("OutboxLen = %d, want 4", n)
	}
}

// TestOutboxPriorityAndKeys keeps an item's priority and key through a
// retry, which rewrites the header, and a keyed item replaces the pending
// one with its key.
func TestOutboxPriorityAndKeys(t *testing.T) {
	db := MustOpenDB(t)
	err := db.Update(func(tx *Tx) error {
		for _, it := range []*OutboxItem{
			{ChatID: 1, Priority: PriorityBulk, Broadcast: 7, Payload: []byte(`"a"`)},
			{ChatID: 1, Priority: PriorityMenu, Key: "menu:1", Payload: []byte(`"old"`)},
			{ChatID: 1, Priority: PriorityReply, Payload: []byte(`"b"`)},
			{ChatID: 1, Priority: PriorityMenu, Key: "menu:1", Payload: []byte(`"new"`)},
		} {
			if err := tx.Enqueue(it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	items, _ := db.Outbox(0, 10)
	if len(items) != 3 {
		t.Fatalf("%d items, want 3 (the old menu replaced)", len(items))
	}
	want := []struct {
		prio Priority
		key  string
	}{{PriorityBulk, ""}, {PriorityReply, ""}, {PriorityMenu, "menu:1"}}
	for i, w := range want {
		if items[i].Priority != w.prio || items[i].Key != w.key {
			t.Errorf("item %d: priority %d key %q, want %d %q", i, items[i].Priority, items[i].Key, w.prio, w.key)
		}
	}
	if p, _ := db.OutboxPayload(items[2].ID); string(p) != `"new"` {
		t.Errorf("menu payload %s, want the newer one", p)
	}
	if err := db.OutboxRetry(items[2].ID, 1, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	items, _ = db.Outbox(0, 10)
	if items[2].Priority != PriorityMenu || items[2].Key != "menu:1" || items[2].Attempts != 1 {
		t.Errorf("after a retry: %+v", items[2])
	}
	if p, _ := db.OutboxPayload(items[2].ID); string(p) != `"new"` {
		t.Errorf("payload after a retry %s", p)
	}
}

// TestOutboxReadsTheFirstFormat reads items an older build left in the
// outbox: a broadcast's as bulk, others as notices.
func TestOutboxReadsTheFirstFormat(t *testing.T) {
	db := MustOpenDB(t)
	v1 := func(chat int64, broadcast uint64, key, payload string) []byte {
		b := make([]byte, outboxHeaderV1+len(key)+len(payload))
		b[0] = 1
		binary.BigEndian.PutUint64(b[1:], uint64(chat))
		binary.BigEndian.PutUint64(b[17:], uint64(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()))
		binary.BigEndian.PutUint32(b[25:], 2)
		binary.BigEndian.PutUint64(b[29:], broadcast)
		binary.BigEndian.PutUint16(b[37:], uint16(len(key)))
		copy(b[outboxHeaderV1:], key)
		copy(b[outboxHeaderV1+len(key):], payload)
		return b
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		if err := b.Put(itob(1), v1(5, 0, "k", `"x"`)); err != nil {
			return err
		}
		return b.Put(itob(2), v1(6, 9, "", `"y"`))
	})
	if err != nil {
		t.Fatal(err)
	}
	items, err := db.Outbox(0, 10)
	if err != nil || len(items) != 2 {
		t.Fatalf("Outbox = %v, %v", items, err)
	}
	if it := items[0]; it.ChatID != 5 || it.Key != "k" || it.Attempts != 2 || it.Priority != PriorityNotice || it.CreatedAt.Year() != 2026 {
		t.Errorf("first-format item %+v", it)
	}
	if it := items[1]; it.Broadcast != 9 || it.Priority != PriorityBulk {
		t.Errorf("first-format broadcast item %+v", it)
	}
	if p, _ := db.OutboxPayload(2); string(p) != `"y"` {
		t.Errorf("first-format payload %s", p)
	}
	// A retry writes it in the current format, payload and key kept.
	if err := db.OutboxRetry(1, 3, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	items, _ = db.Outbox(0, 1)
	if p, _ := db.OutboxPayload(1); string(p) != `"x"` || items[0].Key != "k" || items[0].Attempts != 3 {
		t.Errorf("rewritten first-format item %+v, payload %s", items[0], p)
	}
}

// TestOutboxMessenger: an item names its messenger; items of the second
// format, and those written for Telegram, are Telegram's.
func TestOutboxMessenger(t *testing.T) {
	db := MustOpenDB(t)
	v2 := func(chat int64, key, payload string) []byte {
		b := make([]byte, outboxHeaderV2+len(key)+len(payload))
		b[0] = 2
		binary.BigEndian.PutUint64(b[1:], uint64(chat))
		b[37] = byte(PriorityReply)
		binary.BigEndian.PutUint16(b[46:], uint16(len(key)))
		copy(b[outboxHeaderV2:], key)
		copy(b[outboxHeaderV2+len(key):], payload)
		return b
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketOutbox).Put(itob(1), v2(5, "k", `"old"`)) })
	if err != nil {
		t.Fatal(err)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketOutbox).SetSequence(1) })
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *Tx) error {
		if err := tx.Enqueue(&OutboxItem{Messenger: "max", ChatID: 6, Key: "mk", Payload: []byte(`"max"`)}); err != nil {
			return err
		}
		return tx.Enqueue(&OutboxItem{Messenger: Telegram, ChatID: 7, Payload: []byte(`"tg"`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	items, err := db.Outbox(0, 10)
	if err != nil || len(items) != 3 {
		t.Fatalf("Outbox = %v, %v", items, err)
	}
	for i, want := range []struct {
		messenger, key, payload string
		chat                    int64
	}{{Telegram, "k", `"old"`, 5}, {"max", "mk", `"max"`, 6}, {Telegram, "", `"tg"`, 7}} {
		it := items[i]
		p, _ := db.OutboxPayload(it.ID)
		if it.Messenger != want.messenger || it.Key != want.key || it.ChatID != want.chat || string(p) != want.payload {
			t.Errorf("item %d: %+v, payload %s; want %+v", i, it, p, want)
		}
	}
	// A retry keeps the messenger.
	if err := db.OutboxRetry(items[1].ID, 1, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if items, _ := db.Outbox(items[0].ID, 1); items[0].Messenger != "max" {
		t.Errorf("after a retry: %+v", items[0])
	}
}

// TestDropOutboxKey: the item waiting under a replace key is removed with
// its key; other items stay, and a key with nothing waiting is no write.
func TestDropOutboxKey(t *testing.T) {
	db := MustOpenDB(t)
	if err := db.Update(func(tx *Tx) error {
		for _, key := range []string{"edit:card:1", "edit:card:2", ""} {
			if err := tx.Enqueue(&OutboxItem{Messenger: "telegram", ChatID: 7, Payload: []byte(`{}`), Key: key}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *Tx) error {
		if !tx.OutboxKeyWaiting("edit:card:1") || tx.OutboxKeyWaiting("edit:card:3") {
			t.Error("OutboxKeyWaiting does not tell the keys waiting")
		}
		if err := tx.DropOutboxKey("edit:card:3"); err != nil {
			return err
		}
		return tx.DropOutboxKey("edit:card:1")
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.OutboxLen(); err != nil || n != 2 {
		t.Errorf("%d items left (%v), want 2", n, err)
	}
	db.View(func(tx *Tx) error {
		if tx.OutboxKeyWaiting("edit:card:1") || !tx.OutboxKeyWaiting("edit:card:2") {
			t.Error("the dropped key is still waiting, or the other is gone")
		}
		return nil
	})
}
