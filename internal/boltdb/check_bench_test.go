package boltdb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// BenchmarkOpen measures what the check costs at start on a database of
// 100,000 users: Open after a clean stop (the cheap checks) and after an
// unclean one (the whole walk), against bbolt's own open with the same
// options, which reads the free list it wrote.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "mmo.db")
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	school := strings.Repeat("Школа ", 20)
	for i := range 100 {
		err := db.Update(func(tx *Tx) error {
			for j := range 1000 {
				id := int64(i*1000 + j + 1)
				if err := tx.PutUser(&mmo.User{ID: id, Name: fmt.Sprintf("Учитель Номер %d", id), School: school}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	fi, _ := os.Stat(path)
	b.Logf("database: %.1f MB", float64(fi.Size())/(1<<20))

	b.Run("bbolt.Open", func(b *testing.B) {
		for b.Loop() {
			d, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
			if err != nil {
				b.Fatal(err)
			}
			d.Close()
		}
	})
	b.Run("Open", func(b *testing.B) {
		for b.Loop() {
			d, err := Open(path, Options{Timeout: time.Second})
			if err != nil {
				b.Fatal(err)
			}
			d.Close()
		}
	})
	b.Run("Open after an unclean stop", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			raw, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				b.Fatal(err)
			}
			raw.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyOpen, itob(1)) })
			raw.Close()
			b.StartTimer()
			d, err := Open(path, Options{Timeout: time.Second})
			if err != nil {
				b.Fatal(err)
			}
			d.Close()
		}
	})
}
