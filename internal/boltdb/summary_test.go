package boltdb

import (
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// TestMigrateSummaries: the upgrade counts the members of every
// association of the fixture by state and writes every event's state,
// format and creator into its association index entry, so the overview's counts read
// no record; a membership's later changes move the counts.
func TestMigrateSummaries(t *testing.T) {
	path, _ := openFixture(t)
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var aid uint64
	err = db.View(func(tx *Tx) error {
		if err := tx.CheckIndexes(); err != nil {
			t.Errorf("after the upgrade: %v", err)
		}
		as, err := tx.Associations()
		if err != nil || len(as) == 0 {
			t.Fatalf("the fixture's associations: %d, %v", len(as), err)
		}
		aid = as[0].ID
		for _, a := range as {
			ms, _ := tx.Members(a.ID)
			var active, pending int
			for _, m := range ms {
				if m.State == mmo.MemberActive {
					active++
				} else {
					pending++
				}
			}
			if n, p, _ := tx.CountMembers(a.ID); n != active || p != pending || n == 0 {
				t.Errorf("association %d: counted %d active, %d pending; the records %d, %d", a.ID, n, p, active, pending)
			}
			events, _ := tx.AssociationEvents(a.ID, time.Time{}, time.Time{})
			before := tx.Decoded()
			briefs, _ := tx.AssociationEventBriefs(a.ID, time.Time{}, time.Time{})
			if n := tx.Decoded() - before; n != 0 {
				t.Errorf("association %d: the briefs of its events decoded %d records", a.ID, n)
			}
			if len(briefs) != len(events) {
				t.Fatalf("association %d: %d briefs of %d events", a.ID, len(briefs), len(events))
			}
			for i, e := range events {
				b := briefs[i]
				if b.ID != e.ID || b.State != e.State || b.Format != e.Format || b.Start.Unix() != e.Start.Unix() || b.CreatedBy != e.CreatedBy {
					t.Errorf("brief %+v of event %d (%s, %s, %v, by %d)", b, e.ID, e.State, e.Format, e.Start, e.CreatedBy)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A request to join, its approval, a departure: each moves a count.
	step := func(fn func(tx *Tx) error, active, pending int) {
		t.Helper()
		var was [2]int
		db.View(func(tx *Tx) error { was[0], was[1], _ = tx.CountMembers(aid); return nil })
		if err := db.Update(fn); err != nil {
			t.Fatal(err)
		}
		db.View(func(tx *Tx) error {
			if n, p, _ := tx.CountMembers(aid); n != was[0]+active || p != was[1]+pending {
				t.Errorf("counts %d, %d; want %d, %d", n, p, was[0]+active, was[1]+pending)
			}
			if err := tx.CheckIndexes(); err != nil {
				t.Error(err)
			}
			return nil
		})
	}
	step(func(tx *Tx) error {
		return tx.PutMembership(&mmo.Membership{AssociationID: aid, UserID: 9999, State: mmo.MemberPending})
	}, 0, 1)
	step(func(tx *Tx) error {
		return tx.PutMembership(&mmo.Membership{AssociationID: aid, UserID: 9999, State: mmo.MemberActive})
	}, 1, -1)
	step(func(tx *Tx) error {
		return tx.PutMembership(&mmo.Membership{AssociationID: aid, UserID: 9999, State: mmo.MemberActive})
	}, 0, 0)
	step(func(tx *Tx) error { return tx.DeleteMembership(aid, 9999) }, -1, 0)
}

// TestEventIndexValue: an entry's value reads back as written; one written
// before it held the creator and the length ("state/format",
// "state/format/creator") or garbled is not read, so the record is.
func TestEventIndexValue(t *testing.T) {
	e := &mmo.Event{State: mmo.EventPublished, Format: mmo.FormatMeeting, CreatedBy: 42, Duration: 90 * time.Minute}
	var got mmo.Event
	if ok := parseEventIndexValue(eventIndexValue(e), &got); !ok || got.State != e.State || got.Format != e.Format ||
		got.CreatedBy != 42 || got.Duration != e.Duration {
		t.Errorf("read back %+v, %v", got, ok)
	}
	for _, v := range []string{"", "published", "published/meeting", "published/meeting/42", "published/meeting/x/5400", "published/meeting/42/x"} {
		if parseEventIndexValue([]byte(v), &mmo.Event{}) {
			t.Errorf("%q read as a value", v)
		}
	}
}
