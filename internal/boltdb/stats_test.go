package boltdb

import (
	"testing"
	"time"
)

func TestOutboxSummary(t *testing.T) {
	db := MustOpenDB(t)
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	items := []OutboxItem{
		{ChatID: 1, Priority: PriorityReply, CreatedAt: t0.Add(2 * time.Second)},
		{ChatID: 2, Priority: PriorityReply, CreatedAt: t0.Add(time.Second)},
		{ChatID: 3, Priority: PriorityBulk, Broadcast: 7, CreatedAt: t0},
		{ChatID: 4, Priority: PriorityBulk, Broadcast: 7, CreatedAt: t0.Add(time.Minute)},
		{ChatID: 5, Priority: PriorityBulk, Broadcast: 8, CreatedAt: t0.Add(time.Hour)},
		{ChatID: 6, Priority: PriorityMenu, CreatedAt: t0.Add(-time.Hour)},
	}
	err := db.Update(func(tx *Tx) error {
		for range 8 { // broadcasts 1 to 8, for the items' counts
			if err := tx.CreateBroadcast(&Broadcast{Total: 2}); err != nil {
				return err
			}
		}
		for i := range items {
			if err := tx.Enqueue(&items[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.OutboxSummary()
	if err != nil {
		t.Fatal(err)
	}
	want := OutboxSummary{Broadcasts: 2}
	want.Items[PriorityReply], want.Oldest[PriorityReply] = 2, t0.Add(time.Second)
	want.Items[PriorityBulk], want.Oldest[PriorityBulk] = 3, t0
	want.Items[PriorityMenu], want.Oldest[PriorityMenu] = 1, t0.Add(-time.Hour)
	if s != want {
		t.Errorf("summary\n got %+v\nwant %+v", s, want)
	}
	if err := db.OutboxDone(items[2].ID, Sent); err != nil {
		t.Fatal(err)
	}
	if s, _ = db.OutboxSummary(); s.Items[PriorityBulk] != 2 || !s.Oldest[PriorityBulk].Equal(t0.Add(time.Minute)) {
		t.Errorf("after one broadcast item was sent: %+v", s)
	}
	if n, err := db.FileSize(); err != nil || n <= 0 {
		t.Errorf("FileSize = %d, %v", n, err)
	}
}
