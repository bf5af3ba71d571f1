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

// TestCardElsewhere: a card's message shows something else when it is
// marked away or shows another card; the marks of which card go with the
// purge.
func TestCardElsewhere(t *testing.T) {
	db := MustOpenDB(t)
	old := time.Date(2023, 5, 1, 9, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	rec := func(msg string) *SentRecord { return &SentRecord{Messenger: "telegram", Chat: 7, Message: msg} }
	err := db.Update(func(tx *Tx) error {
		if err := tx.SetViewShows(ViewID("telegram", 7, "11"), "card:2", now); err != nil {
			return err
		}
		if err := tx.SetViewShows(ViewID("telegram", 7, "12"), "card:3", old); err != nil {
			return err
		}
		return tx.SetViewAway(ViewID("telegram", 7, "13"), true, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key, msg string
		want     bool
	}{
		{"card:2", "11", false}, // shows it
		{"card:1", "11", true},  // shows card 2
		{"card:1", "13", true},  // away
		{"card:1", "14", false}, // nothing known
	} {
		if got, err := db.CardElsewhere(c.key, rec(c.msg)); err != nil || got != c.want {
			t.Errorf("CardElsewhere(%s on %s) = %v, %v; want %v", c.key, c.msg, got, err, c.want)
		}
	}
	if _, _, err := db.PurgeStep(PurgeCut{Before: now.AddDate(-1, 0, 0)}, 100); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		if got := tx.ViewShows(ViewID("telegram", 7, "12")); got != "" {
			t.Errorf("an old mark of which card kept: %q", got)
		}
		if got := tx.ViewShows(ViewID("telegram", 7, "11")); got != "card:2" {
			t.Errorf("a recent mark of which card: %q, want card:2", got)
		}
		return nil
	})
}
