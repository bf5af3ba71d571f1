package boltdb

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestMigrateLiveViews(t *testing.T) {
	db := MustOpenDB(t)
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketLiveViews) == nil {
			t.Error("no bucket live_views")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// The live views survive the transaction that wrote them, the away marks
// are forgotten by id or by the purge, and the counts behind by broadcast.
func TestLiveViews(t *testing.T) {
	db := MustOpenDB(t)
	old := time.Date(2023, 5, 1, 9, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	err := db.Update(func(tx *Tx) error {
		for _, x := range []struct {
			id string
			at time.Time
		}{{"telegram:7:11", now}, {"max:8:mid.1", now}, {"telegram:7:3", old}} {
			if err := tx.SetViewAway(x.id, true, x.at); err != nil {
				return err
			}
		}
		if err := tx.SetViewAway("max:8:mid.1", false, now); err != nil {
			return err
		}
		if err := tx.SetCountBehind(5, now); err != nil {
			return err
		}
		return tx.SetCountBehind(6, old)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.PurgeStep(PurgeCut{Before: now.AddDate(-1, 0, 0)}, 100); err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *Tx) error {
		for id, want := range map[string]bool{"telegram:7:11": true, "max:8:mid.1": false, "telegram:7:3": false, "telegram:7:1": false} {
			if got := tx.ViewAway(id); got != want {
				t.Errorf("ViewAway(%s) = %v, want %v", id, got, want)
			}
		}
		if got := tx.CountsBehind(); len(got) != 2 || !got[5].Equal(now) || !got[6].Equal(old) {
			t.Errorf("CountsBehind = %v", got)
		}
		return tx.CountDrawn(5)
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		if got := tx.CountsBehind(); len(got) != 1 || !got[6].Equal(old) {
			t.Errorf("after drawing 5: %v", got)
		}
		return nil
	})
}
