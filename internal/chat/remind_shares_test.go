package chat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// TestReminderInSharesSurvivesACrash: a reminder to a large association
// is queued a share per transaction; a crash after some shares (a commit
// that fails, then a new engine over the store, as a restart) goes on
// after the last recipient queued: every member who is coming gets the
// reminder exactly once, and the broadcast counts them all.
func TestReminderInSharesSurvivesACrash(t *testing.T) {
	defer func(n int) { remindShare = n }(remindShare)
	remindShare = 4
	m := newMemory(t, nil)
	var members []int64
	for id := int64(100); id < 130; id++ {
		members = append(members, id)
	}
	_, eventID := m.seedMeeting(1, members...)
	var start time.Time
	var version int
	if err := m.db.Update(func(tx *boltdb.Tx) error {
		e, err := tx.Event(eventID)
		if err != nil {
			return err
		}
		e.State, e.ChangedAt = mmo.EventPublished, m.clock.Now()
		if err := tx.PutEvent(e); err != nil {
			return err
		}
		start, version = e.Start, e.Version
		for i, id := range members {
			ans := mmo.AnswerYes
			if i%5 == 4 {
				ans = mmo.AnswerNo // not reminded
			}
			if err := tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: id, Version: e.Version, Answer: ans, At: m.clock.Now()}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The day's jobs run first, so that the scan below only reminds.
	m.clock.t = start.Add(-24*time.Hour - time.Minute)
	m.due()
	for _, id := range members {
		m.person(id, "").chat().read = len(m.person(id, "").chat().log)
	}
	m.clock.Add(2 * time.Minute)

	commits := 0
	m.db.SetWriteFault(func() error {
		if commits++; commits == 3 {
			return errors.New("the machine went down")
		}
		return nil
	})
	if _, _, _, err := m.engine.Due(); err == nil {
		t.Fatal("the scan did not see its third share fail")
	}
	m.db.SetWriteFault(nil)
	m.deliver()
	reminded := func() (n int) {
		for _, id := range members {
			for _, msg := range m.person(id, "").chat().log {
				if strings.Contains(msg.Text, "Проектная деятельность") {
					n++
				}
			}
		}
		return n
	}
	before := reminded()
	if before == 0 || before >= 24 {
		t.Fatalf("before the crash %d of 24 members were reminded; want some, not all", before)
	}

	m.start(nil) // the restart
	m.due()
	for i, id := range members {
		n := 0
		for _, msg := range m.person(id, "").chat().log {
			if strings.Contains(msg.Text, "Проектная деятельность") {
				n++
			}
		}
		want := 1
		if i%5 == 4 {
			want = 0
		}
		if n != want {
			t.Errorf("member %d got the reminder %d times, want %d", id, n, want)
		}
		m.person(id, "").chat().read = len(m.person(id, "").chat().log)
	}
	m.db.View(func(tx *boltdb.Tx) error {
		if _, ok := tx.ReminderProgress(eventID, version, 24*time.Hour); ok {
			t.Error("the progress of the finished reminder is still stored")
		}
		if !tx.ReminderSent(eventID, version, 24*time.Hour) {
			t.Error("the reminder is not marked sent")
		}
		return nil
	})
	// A later scan finds nothing more to send.
	m.clock.Add(time.Minute)
	m.due()
	for _, id := range members {
		m.person(id, "").quiet()
	}
}
