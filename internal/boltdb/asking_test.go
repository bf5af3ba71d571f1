package boltdb

import (
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestMigrateAsking(t *testing.T) {
	db := MustOpenDB(t)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketAsking) == nil {
			t.Errorf("no bucket %s", bucketAsking)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A chat has one question up at a time: a newer one replaces it, and
// dropping an older one leaves the newer in place; chats and messengers
// are apart.
func TestAsking(t *testing.T) {
	db := MustOpenDB(t)
	get := func(messenger string, chat int64) string {
		t.Helper()
		mid, err := db.Asking(messenger, chat)
		if err != nil {
			t.Fatal(err)
		}
		return mid
	}
	if got := get("max", 7); got != "" {
		t.Errorf("a question up in a new store: %q", got)
	}
	for _, put := range []struct {
		messenger string
		chat      int64
		mid       string
	}{{"max", 7, "mid.1"}, {"max", 7, "mid.2"}, {"max", 8, "mid.3"}, {"other", 7, "mid.4"}} {
		if err := db.PutAsking(put.messenger, put.chat, put.mid); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutAsking("max", 7, ""); err == nil {
		t.Error("a question with no message recorded")
	}
	if err := db.DropAsking("max", 7, "mid.1"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		messenger string
		chat      int64
		want      string
	}{{"max", 7, "mid.2"}, {"max", 8, "mid.3"}, {"other", 7, "mid.4"}} {
		if got := get(c.messenger, c.chat); got != c.want {
			t.Errorf("%s chat %d: %q, want %q", c.messenger, c.chat, got, c.want)
		}
	}
	if err := db.DropAsking("max", 7, "mid.2"); err != nil {
		t.Fatal(err)
	}
	if got := get("max", 7); got != "" {
		t.Errorf("a dropped question is still up: %q", got)
	}
}
