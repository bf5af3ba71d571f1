package boltdb

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

func TestEventsIndexFollowsTheStart(t *testing.T) {
	db := MustOpenDB(t)
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var a, b, c mmo.Event
	err := db.Update(func(tx *Tx) error {
		a = mmo.Event{AssociationID: 1, Topic: "A", Start: base.Add(48 * time.Hour)}
		b = mmo.Event{AssociationID: 1, Topic: "B", Start: base}
		c = mmo.Event{AssociationID: 2, Topic: "C", Start: base}
		for _, e := range []*mmo.Event{&a, &b, &c} {
			if err := tx.CreateEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	topics := func(from, to time.Time) string {
		var s string
		db.View(func(tx *Tx) error {
			es, err := tx.AssociationEvents(1, from, to)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				s += e.Topic
			}
			return nil
		})
		return s
	}
	if got := topics(time.Time{}, time.Time{}); got != "BA" {
		t.Errorf("all events of 1: %q", got)
	}
	if got := topics(base.Add(time.Hour), time.Time{}); got != "A" {
		t.Errorf("from +1h: %q", got)
	}
	if got := topics(time.Time{}, base.Add(time.Hour)); got != "B" {
		t.Errorf("to +1h: %q", got)
	}
	// Moving B after A moves its index entry.
	db.Update(func(tx *Tx) error {
		e, _ := tx.Event(b.ID)
		e.Start = base.Add(72 * time.Hour)
		return tx.PutEvent(e)
	})
	if got := topics(time.Time{}, time.Time{}); got != "AB" {
		t.Errorf("after moving B: %q", got)
	}
}

func TestRSVPsBelongToAVersion(t *testing.T) {
	db := MustOpenDB(t)
	e := mmo.Event{AssociationID: 1, Start: time.Now(), Version: 1}
	db.Update(func(tx *Tx) error {
		tx.CreateEvent(&e)
		tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: 5, Answer: mmo.AnswerYes, Version: 1})
		return tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: 6, Answer: mmo.AnswerNo, Version: 1})
	})
	db.View(func(tx *Tx) error {
		all, _ := tx.RSVPs(&e)
		if len(all) != 2 || all[5].Answer != mmo.AnswerYes {
			t.Errorf("answers %v", all)
		}
		return nil
	})
	e.Version = 2 // the time changed: the old answers no longer count
	db.View(func(tx *Tx) error {
		all, _ := tx.RSVPs(&e)
		if _, err := tx.RSVP(&e, 5); len(all) != 0 || !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("answers of version 1 counted for version 2: %v", all)
		}
		return nil
	})
}

func TestRemindersAreMarkedOnce(t *testing.T) {
	db := MustOpenDB(t)
	db.Update(func(tx *Tx) error { return tx.MarkReminderSent(7, 1, 24*time.Hour) })
	db.View(func(tx *Tx) error {
		if !tx.ReminderSent(7, 1, 24*time.Hour) || tx.ReminderSent(7, 1, time.Hour) || tx.ReminderSent(7, 2, 24*time.Hour) {
			t.Error("reminder marks mixed up")
		}
		return nil
	})
}

func TestOutboxKeysAndBroadcasts(t *testing.T) {
	db := MustOpenDB(t)
	var bc Broadcast
	err := db.Update(func(tx *Tx) error {
		bc = Broadcast{Kind: "announce", Total: 3}
		if err := tx.CreateBroadcast(&bc); err != nil {
			return err
		}
		for chat := int64(1); chat <= 3; chat++ {
			if err := tx.Enqueue(&OutboxItem{ChatID: chat, Broadcast: bc.ID, Payload: []byte("{}")}); err != nil {
				return err
			}
		}
		// Three refreshes of one live view: only the last stays.
		for i := 0; i < 3; i++ {
			if err := tx.Enqueue(&OutboxItem{ChatID: 9, Key: "card:1", Payload: []byte{'0' + byte(i)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	items, _ := db.Outbox(0, 100)
	if len(items) != 4 {
		t.Fatalf("%d items, want 4", len(items))
	}
	last := items[3]
	if last.Key != "card:1" || last.ChatID != 9 {
		t.Fatalf("last item %+v", last)
	}
	if p, _ := db.OutboxPayload(last.ID); string(p) != "2" {
		t.Errorf("the kept refresh has payload %q, want the latest", p)
	}
	db.OutboxDone(items[0].ID, Sent)
	db.OutboxDone(items[1].ID, Blocked)
	db.OutboxRetry(items[2].ID, 1, time.Now().Add(time.Minute), time.Now())
	db.OutboxDone(last.ID, Sent)
	db.OutboxDone(items[0].ID, Sent) // twice: counted once
	db.View(func(tx *Tx) error {
		got, _ := tx.Broadcast(bc.ID)
		if got.Delivered != 1 || got.Blocked != 1 || got.Pending() != 1 {
			t.Errorf("broadcast %+v", got)
		}
		return nil
	})
	rest, _ := db.Outbox(0, 100)
	if len(rest) != 1 || rest[0].Broadcast != bc.ID || rest[0].Attempts != 1 {
		t.Errorf("rest %+v", rest)
	}
	// A new refresh after the last one was sent starts afresh.
	db.Update(func(tx *Tx) error { return tx.Enqueue(&OutboxItem{ChatID: 9, Key: "card:1", Payload: []byte("3")}) })
	if n, _ := db.OutboxLen(); n != 2 {
		t.Errorf("outbox has %d items", n)
	}
}

func TestAttendanceAndMinutes(t *testing.T) {
	db := MustOpenDB(t)
	err := db.Update(func(tx *Tx) error {
		// Attendance is of an event that exists (its start goes into the
		// user's index): events 1 to 4.
		for range 4 {
			if err := tx.CreateEvent(&mmo.Event{AssociationID: 1, State: mmo.EventPublished, Start: time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)}); err != nil {
				return err
			}
		}
		tx.PutAttendance(&mmo.Attendance{EventID: 3, UserID: 1, Mark: mmo.MarkPresent, How: mmo.HowCode})
		tx.PutAttendance(&mmo.Attendance{EventID: 3, UserID: 2, Mark: mmo.MarkExcused, How: mmo.HowManual, Note: "болеет"})
		tx.PutAttendance(&mmo.Attendance{EventID: 4, UserID: 1, Mark: mmo.MarkPresent})
		tx.PutCheckinToken("tok", 3)
		if err := tx.PutMinutes(&mmo.Minutes{EventID: 3, Version: 1, Status: mmo.MinutesFinal}); err != nil {
			return err
		}
		return tx.PutMinutes(&mmo.Minutes{EventID: 3, Version: 2, Status: mmo.MinutesDraft})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		all, _ := tx.EventAttendance(3)
		if len(all) != 2 || all[2].Note != "болеет" {
			t.Errorf("attendance %v", all)
		}
		if id, err := tx.CheckinTokenEvent("tok"); err != nil || id != 3 {
			t.Errorf("token → %d, %v", id, err)
		}
		vs, _ := tx.MinutesVersions(3)
		if len(vs) != 2 || vs[0].Status != mmo.MinutesFinal {
			t.Errorf("versions %v", vs)
		}
		return nil
	})
	// A final version cannot be overwritten.
	err = db.Update(func(tx *Tx) error {
		return tx.PutMinutes(&mmo.Minutes{EventID: 3, Version: 1, Status: mmo.MinutesDraft})
	})
	if err == nil {
		t.Error("final minutes were overwritten")
	}
}

func TestConsultations(t *testing.T) {
	db := MustOpenDB(t)
	err := db.Update(func(tx *Tx) error {
		for i, c := range []*mmo.Consultation{{AssociationID: 1, AskerID: 10}, {AssociationID: 2, AskerID: 10}, {AssociationID: 1, AskerID: 11}} {
			if err := tx.CreateConsultation(c); err != nil {
				return err
			}
			if c.ID != uint64(i+1) {
				t.Errorf("id %d, want %d", c.ID, i+1)
			}
		}
		for i := 0; i < 3; i++ {
			if err := tx.AddConsultMessage(&mmo.ConsultMessage{ConsultID: 1, Text: string(rune('a' + i))}); err != nil {
				return err
			}
		}
		return tx.AddConsultMessage(&mmo.ConsultMessage{ConsultID: 2, Text: "x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		a1, _ := tx.AssociationConsultations(1)
		u10, _ := tx.UserConsultations(10)
		if len(a1) != 2 || a1[0].ID != 1 || a1[1].ID != 3 || len(u10) != 2 {
			t.Errorf("by association %v, by asker %v", a1, u10)
		}
		ms, _ := tx.ConsultMessages(1)
		if len(ms) != 3 || ms[2].Seq != 3 || ms[2].Text != "c" {
			t.Errorf("messages %+v", ms)
		}
		return nil
	})
}

func TestYearDocuments(t *testing.T) {
	db := MustOpenDB(t)
	err := db.Update(func(tx *Tx) error {
		p := &mmo.Plan{AssociationID: 1, Year: 2026, DocState: mmo.DocState{Status: mmo.DocDraft}, Goal: "цель"}
		p.AddItem(mmo.PlanItem{Month: 10, Topic: "A"})
		p.AddItem(mmo.PlanItem{Month: 11, Topic: "B"})
		if err := tx.PutPlan(p); err != nil {
			return err
		}
		if err := tx.PutReport(&mmo.Report{AssociationID: 1, Year: 2026, Sections: map[string]string{"problems": "нет"}}); err != nil {
			return err
		}
		for _, text := range []string{"x", "y"} {
			if err := tx.AddProposal(&mmo.Proposal{AssociationID: 1, Year: 2026, Text: text}); err != nil {
				return err
			}
		}
		tx.AddProposal(&mmo.Proposal{AssociationID: 1, Year: 2027, Text: "later"})
		return tx.Mark("digest:2026-11-23")
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		p, err := tx.Plan(1, 2026)
		if err != nil || len(p.Items) != 2 || p.Items[1].ID != 2 || p.NextItem != 2 {
			t.Errorf("plan %+v, %v", p, err)
		}
		if _, err := tx.Plan(1, 2025); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("a plan of another year: %v", err)
		}
		ps, _ := tx.Proposals(1, 2026)
		if len(ps) != 2 {
			t.Errorf("proposals %d", len(ps))
		}
		if !tx.Marked("digest:2026-11-23") || tx.Marked("digest:2026-11-24") {
			t.Error("marks")
		}
		return nil
	})
	db.Update(func(tx *Tx) error { return tx.DeleteYearDocs(1, 2026) })
	db.View(func(tx *Tx) error {
		_, perr := tx.Plan(1, 2026)
		_, rerr := tx.Report(1, 2026)
		ps, _ := tx.Proposals(1, 2026)
		later, _ := tx.Proposals(1, 2027)
		if !errors.Is(perr, mmo.ErrNotFound) || !errors.Is(rerr, mmo.ErrNotFound) || len(ps) != 0 || len(later) != 1 {
			t.Errorf("after deletion: %v %v %d %d", perr, rerr, len(ps), len(later))
		}
		return nil
	})
}

// TestLastMarkedAt: the latest mark of a prefix is the one last in key
// order, marks of other prefixes beside it (before, after, and the last
// key of the bucket) are not taken for it.
func TestLastMarkedAt(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	db, err := Open(filepath.Join(t.TempDir(), "mmo.db"), Options{Timeout: time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	last := func(prefix string) (time.Time, bool) {
		var at time.Time
		var ok bool
		db.View(func(tx *Tx) error { at, ok = tx.LastMarkedAt(prefix); return nil })
		return at, ok
	}
	if _, ok := last("daily:"); ok {
		t.Error("a mark found in an empty bucket")
	}
	marks := []struct {
		key string
		at  time.Time
	}{
		{"daily:2026-11-20", now.Add(-48 * time.Hour)},
		{"daily:2026-11-21", now.Add(-24 * time.Hour)},
		{"cz:last", now.Add(time.Hour)},     // after "daily:" in key order
		{"daily", now.Add(2 * time.Hour)},   // the prefix without its colon
		{"a:first", now.Add(3 * time.Hour)}, // before
	}
	for _, m := range marks {
		now = m.at
		if err := db.Update(func(tx *Tx) error { return tx.Mark(m.key) }); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		prefix string
		want   time.Time
		ok     bool
	}{
		{"daily:", marks[1].at, true},
		{"daily:2026-11-20", marks[0].at, true},
		{"cz:", marks[2].at, true},
		{"zz:", time.Time{}, false},
		{"b:", time.Time{}, false},
	} {
		at, ok := last(c.prefix)
		if ok != c.ok || !at.Equal(c.want) {
			t.Errorf("LastMarkedAt(%q) = %v, %v; want %v, %v", c.prefix, at, ok, c.want, c.ok)
		}
	}
}
