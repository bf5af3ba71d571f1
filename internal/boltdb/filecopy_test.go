package boltdb

import (
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestMigrateFileCopies(t *testing.T) {
	db := MustOpenDB(t)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketFileCopies) == nil {
			t.Errorf("no bucket %s", bucketFileCopies)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A copy is found by the file and the messenger it went to, and by
// nothing else.
func TestFileCopy(t *testing.T) {
	db := MustOpenDB(t)
	if err := db.PutFileCopy("telegram", "AgAD", "max", "tok1"); err != nil {
		t.Fatal(err)
	}
	if err := db.PutFileCopy("telegram", "", "max", "x"); err == nil {
		t.Error("a copy of no file recorded")
	}
	for _, c := range []struct{ from, id, to, want string }{
		{"telegram", "AgAD", "max", "tok1"},
		{"telegram", "AgAD", "telegram", ""},
		{"max", "AgAD", "max", ""},
		{"telegram", "AgA", "max", ""},
	} {
		got, err := db.FileCopy(c.from, c.id, c.to)
		if err != nil || got != c.want {
			t.Errorf("FileCopy(%s, %s, %s) = %q, %v; want %q", c.from, c.id, c.to, got, err, c.want)
		}
	}
	if err := db.DeleteFileCopy("telegram", "AgAD", "max"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FileCopy("telegram", "AgAD", "max"); err != nil || got != "" {
		t.Errorf("after DeleteFileCopy: %q, %v", got, err)
	}
}
