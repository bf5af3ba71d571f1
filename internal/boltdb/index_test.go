package boltdb

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

var t0 = time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC)

func mustUpdate(t *testing.T, db *DB, fn func(*Tx) error) {
	t.Helper()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func indexesAgree(t *testing.T, db *DB) {
	t.Helper()
	if err := db.View(func(tx *Tx) error { return tx.CheckIndexes() }); err != nil {
		t.Fatalf("indexes: %v", err)
	}
}

// reads runs fn in a read transaction and returns how many records it
// decoded, checking that the store-wide counter agrees.
func reads(t *testing.T, db *DB, fn func(*Tx) error) int {
	t.Helper()
	before := db.Decoded()
	var n int
	if err := db.View(func(tx *Tx) error {
		err := fn(tx)
		n = tx.Decoded()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if d := db.Decoded() - before; d != int64(n) {
		t.Errorf("the store counted %d decodes, the transaction %d", d, n)
	}
	return n
}

func TestEventsBetweenReadsOnlyItsWindow(t *testing.T) {
	db := MustOpenDB(t)
	// An event a day for a year, every fifth a draft.
	mustUpdate(t, db, func(tx *Tx) error {
		for d := range 365 {
			st := mmo.EventPublished
			if d%5 == 0 {
				st = mmo.EventDraft
			}
			if err := tx.CreateEvent(&mmo.Event{AssociationID: uint64(1 + d%7), Start: t0.AddDate(0, 0, d), State: st}); err != nil {
				return err
			}
		}
		return nil
	})
	from, to := t0.AddDate(0, 0, 10), t0.AddDate(0, 0, 20) // days 10..19
	var got []*mmo.Event
	n := reads(t, db, func(tx *Tx) (err error) {
		got, err = tx.EventsBetween(from, to)
		return err
	})
	if len(got) != 10 || n != 10 {
		t.Fatalf("10 days: %d events, %d decoded; want 10 and 10", len(got), n)
	}
	for i, e := range got {
		if !e.Start.Equal(t0.AddDate(0, 0, 10+i)) {
			t.Errorf("event %d starts %v", i, e.Start)
		}
	}
	n = reads(t, db, func(tx *Tx) (err error) {
		got, err = tx.EventsBetween(from, to, mmo.EventPublished)
		return err
	})
	if len(got) != 8 || n != 8 {
		t.Errorf("published only: %d events, %d decoded; want 8 and 8 (drafts are skipped by the index)", len(got), n)
	}
	// Moving an event and cancelling one move their entries.
	mustUpdate(t, db, func(tx *Tx) error {
		e := got[0]
		e.Start = t0.AddDate(0, 0, 100)
		if err := tx.PutEvent(e); err != nil {
			return err
		}
		e = got[1]
		e.State = mmo.EventCancelled
		return tx.PutEvent(e)
	})
	db.View(func(tx *Tx) error {
		got, _ = tx.EventsBetween(from, to, mmo.EventPublished)
		return nil
	})
	if len(got) != 6 {
		t.Errorf("after a move and a cancellation: %d published events in the window, want 6", len(got))
	}
	indexesAgree(t, db)
}

func TestUserAttendanceAndAnswers(t *testing.T) {
	db := MustOpenDB(t)
	const uid = 7
	var ids []uint64
	// Two school years of 8 events; the user answers all and attends
	// every other one; another user attends all.
	mustUpdate(t, db, func(tx *Tx) error {
		for i := range 16 {
			e := &mmo.Event{AssociationID: 1, Start: t0.AddDate(0, i*3/2, 0), State: mmo.EventPublished, Version: 1}
			if i >= 8 {
				e.Start = t0.AddDate(1, (i-8)*3/2, 0)
			}
			if err := tx.CreateEvent(e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
			if err := tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: uid, Answer: mmo.AnswerYes, Version: 1}); err != nil {
				return err
			}
			mark := mmo.MarkPresent
			if i%2 == 1 {
				mark = mmo.MarkAbsent
			}
			if err := tx.PutAttendance(&mmo.Attendance{EventID: e.ID, UserID: uid, Mark: mark}); err != nil {
				return err
			}
			if err := tx.PutAttendance(&mmo.Attendance{EventID: e.ID, UserID: uid + 1, Mark: mmo.MarkPresent}); err != nil {
				return err
			}
		}
		return nil
	})
	year2 := t0.AddDate(1, 0, 0)
	var events []*mmo.Event
	n := reads(t, db, func(tx *Tx) (err error) {
		events, err = tx.AttendedEvents(uid, year2, year2.AddDate(1, 0, 0))
		return err
	})
	if len(events) != 4 || n != 4 {
		t.Fatalf("second year: %d attended, %d decoded; want 4 and 4", len(events), n)
	}
	for _, e := range events {
		if i := slices.Index(ids, e.ID); i < 8 || i%2 == 1 {
			t.Errorf("event %d (index %d) is not one the user attended in the second year", e.ID, i)
		}
	}
	var refs []AttendanceRef
	var answers []AnswerRef
	n = reads(t, db, func(tx *Tx) (err error) {
		if refs, err = tx.UserAttendance(uid, time.Time{}, time.Time{}); err != nil {
			return err
		}
		answers, err = tx.UserAnswers(uid, year2, time.Time{})
		return err
	})
	if len(refs) != 16 || len(answers) != 8 || n != 0 {
		t.Errorf("all marks: %d, second year's answers: %d, decoded %d; want 16, 8, 0", len(refs), len(answers), n)
	}
	// Moving an event of the first year into the second moves the user's
	// entries with it.
	mustUpdate(t, db, func(tx *Tx) error {
		e, err := tx.Event(ids[0])
		if err != nil {
			return err
		}
		e.Start = year2 // with event 9: the lower id first
		return tx.PutEvent(e)
	})
	db.View(func(tx *Tx) error {
		events, _ = tx.AttendedEvents(uid, year2, year2.AddDate(1, 0, 0))
		answers, _ = tx.UserAnswers(uid, year2, time.Time{})
		return nil
	})
	if len(events) != 5 || events[0].ID != ids[0] || len(answers) != 9 {
		t.Errorf("after the move: %d attended (first %d), %d answers; want 5 (first %d), 9", len(events), events[0].ID, len(answers), ids[0])
	}
	indexesAgree(t, db)
	// Attendance and answers of an event that does not exist are refused.
	if err := db.Update(func(tx *Tx) error {
		return tx.PutAttendance(&mmo.Attendance{EventID: 999, UserID: uid, Mark: mmo.MarkPresent})
	}); err == nil {
		t.Error("attendance of a missing event was stored")
	}
}

func TestConsultationDeadlineIndex(t *testing.T) {
	db := MustOpenDB(t)
	loc := time.UTC
	now := time.Date(2026, 3, 18, 10, 0, 0, 0, loc) // a Wednesday
	const days = 2
	quiet := 7 * 24 * time.Hour
	rnd := rand.New(rand.NewPCG(1, 2))
	// Requests in every state, waiting or answered at random times over
	// the last 60 days.
	mustUpdate(t, db, func(tx *Tx) error {
		for range 600 {
			at := now.Add(-time.Duration(rnd.Int64N(int64(60 * 24 * time.Hour))))
			c := &mmo.Consultation{AssociationID: 1, AskerID: 5}
			c.Start(at)
			if err := tx.CreateConsultation(c); err != nil {
				return err
			}
			switch rnd.IntN(4) {
			case 0: // waiting, escalated some levels
				c.Escalation = rnd.IntN(4)
			case 1:
				c.Status, c.AssigneeID, c.Escalation = mmo.ConsultProgress, 3, rnd.IntN(3)
			case 2:
				c.Status, c.WaitingSince = mmo.ConsultAnswered, time.Time{}
				c.LastActivity = at.Add(time.Duration(rnd.Int64N(int64(now.Sub(at)))))
			case 3:
				c.Close(mmo.ClosedByAsker, at.Add(time.Hour))
			}
			if err := tx.PutConsultation(c); err != nil {
				return err
			}
		}
		return nil
	})
	indexesAgree(t, db)
	// What the rules say is due now, from every request.
	wantEsc, wantClose := map[uint64]bool{}, map[uint64]bool{}
	db.View(func(tx *Tx) error {
		return tx.Consultations(func(c *mmo.Consultation) bool {
			if _, ok := mmo.NextEscalation(c, 1, days, now, loc); ok {
				wantEsc[c.ID] = true
			}
			if mmo.AutoCloseDue(c, quiet, now) {
				wantClose[c.ID] = true
			}
			return true
		})
	})
	if len(wantEsc) == 0 || len(wantClose) == 0 {
		t.Fatalf("the fixture has %d escalations and %d closings due; want some of each", len(wantEsc), len(wantClose))
	}
	gotEsc, gotClose := map[uint64]bool{}, map[uint64]bool{}
	read := 0
	n := reads(t, db, func(tx *Tx) error {
		for level := 0; level < 3; level++ {
			cs, err := tx.WaitingConsultations(level, ConsultWatchFrom(level, days, now))
			if err != nil {
				return err
			}
			read += len(cs)
			for _, c := range cs {
				if _, ok := mmo.NextEscalation(c, 1, days, now, loc); ok {
					gotEsc[c.ID] = true
				}
			}
		}
		cs, err := tx.QuietConsultations(now.Add(-quiet))
		read += len(cs)
		for _, c := range cs {
			if !mmo.AutoCloseDue(c, quiet, now) {
				t.Errorf("request %d is not due to close but was returned", c.ID)
			}
			gotClose[c.ID] = true
		}
		return err
	})
	if fmt.Sprint(gotEsc) != fmt.Sprint(wantEsc) || fmt.Sprint(gotClose) != fmt.Sprint(wantClose) {
		t.Errorf("escalations due %v, want %v; closings due %v, want %v", gotEsc, wantEsc, gotClose, wantClose)
	}
	if n != read {
		t.Errorf("decoded %d, returned %d: the index read outside its ranges", n, read)
	}
	// The ranges hold little that is not due: a weekend's worth at most.
	if extra := read - len(wantEsc) - len(wantClose); extra > read/3 {
		t.Errorf("%d of %d requests read were not due", extra, read)
	}
	// The digest's list: every open request escalated at least once.
	var escalated []*mmo.Consultation
	db.View(func(tx *Tx) (err error) {
		escalated, err = tx.EscalatedConsultations()
		return err
	})
	want := 0
	db.View(func(tx *Tx) error {
		return tx.Consultations(func(c *mmo.Consultation) bool {
			if c.Open() && c.Escalation > 0 && !c.WaitingSince.IsZero() {
				want++
			}
			return true
		})
	})
	if len(escalated) != want {
		t.Errorf("escalated: %d, want %d", len(escalated), want)
	}
}

func TestDocumentStatuses(t *testing.T) {
	db := MustOpenDB(t)
	mustUpdate(t, db, func(tx *Tx) error {
		for aid := uint64(1); aid <= 20; aid++ {
			for year := 2023; year <= 2025; year++ {
				p := &mmo.Plan{AssociationID: aid, Year: year}
				p.Status = mmo.DocApproved
				if year == 2025 && aid%2 == 0 {
					p.Status = mmo.DocDraft
				}
				if err := tx.PutPlan(p); err != nil {
					return err
				}
				if year < 2025 && aid != 3 {
					r := &mmo.Report{AssociationID: aid, Year: year}
					r.Status = mmo.DocSubmitted
					if err := tx.PutReport(r); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	var plans, reports map[uint64]mmo.DocStatus
	n := reads(t, db, func(tx *Tx) (err error) {
		if plans, err = tx.DocumentStatuses(mmo.DocPlan, 2025); err != nil {
			return err
		}
		reports, err = tx.DocumentStatuses(mmo.DocReport, 2024)
		return err
	})
	if n != 0 {
		t.Errorf("decoded %d documents; the index holds the statuses", n)
	}
	if len(plans) != 20 || plans[2] != mmo.DocDraft || plans[3] != mmo.DocApproved {
		t.Errorf("plans of 2025: %v", plans)
	}
	if _, ok := reports[3]; ok || len(reports) != 19 || reports[1] != mmo.DocSubmitted {
		t.Errorf("reports of 2024: %v", reports)
	}
	mustUpdate(t, db, func(tx *Tx) error { return tx.DeleteYearDocs(2, 2025) })
	db.View(func(tx *Tx) (err error) {
		plans, err = tx.DocumentStatuses(mmo.DocPlan, 2025)
		return err
	})
	if _, ok := plans[2]; ok {
		t.Error("a removed plan is still in the index")
	}
	indexesAgree(t, db)
}

func TestCheckIndexesFindsStaleTimeIndexes(t *testing.T) {
	for _, bucket := range [][]byte{bucketEventsByStart, bucketUserAttendance, bucketUserAnswers, bucketConsultsDue,
		bucketConsultsByTime, bucketDocuments, bucketBroadcastsByTime, bucketCoordinators, bucketSentByTime} {
		t.Run(string(bucket), func(t *testing.T) {
			db := MustOpenDB(t)
			mustUpdate(t, db, func(tx *Tx) error {
				e := &mmo.Event{AssociationID: 1, Start: t0, State: mmo.EventPublished}
				if err := tx.CreateEvent(e); err != nil {
					return err
				}
				if err := tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: 2, Answer: mmo.AnswerYes}); err != nil {
					return err
				}
				if err := tx.PutAttendance(&mmo.Attendance{EventID: e.ID, UserID: 2, Mark: mmo.MarkPresent}); err != nil {
					return err
				}
				c := &mmo.Consultation{AssociationID: 1, AskerID: 2}
				c.Start(t0)
				if err := tx.CreateConsultation(c); err != nil {
					return err
				}
				if err := tx.PutPlan(&mmo.Plan{AssociationID: 1, Year: 2025}); err != nil {
					return err
				}
				if err := tx.PutUser(&mmo.User{ID: 2, Coordinator: true}); err != nil {
					return err
				}
				if err := tx.PutSent("card:1", &SentRecord{Messenger: Telegram, Chat: 2}); err != nil {
					return err
				}
				return tx.CreateBroadcast(&Broadcast{Kind: "announce", EventID: e.ID})
			})
			indexesAgree(t, db)
			// Drop the index's only entry: the check must see it.
			err := db.bolt.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(bucket)
				k, _ := b.Cursor().First()
				if k == nil {
					return fmt.Errorf("the index %s is empty", bucket)
				}
				return b.Delete(append([]byte(nil), k...))
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.View(func(tx *Tx) error { return tx.CheckIndexes() }); err == nil {
				t.Errorf("CheckIndexes missed a missing entry in %s", bucket)
			}
		})
	}
}

// TestIndexMigrations builds each index migration's input in the schema
// before it, written as that schema's build wrote it (records only), then
// opens the store, and checks that the index holds every record.
func TestIndexMigrations(t *testing.T) {
	put := func(tx *bolt.Tx, bucket []byte, key []byte, v any) {
		if err := putJSON(tx.Bucket(bucket), key, v); err != nil {
			t.Fatal(err)
		}
	}
	start := t0.Add(48 * time.Hour)
	// event writes an event as the schema before the migration did: with
	// its association index entry and, from the start-time index on, its
	// entry there.
	event := func(tx *bolt.Tx, e *mmo.Event) {
		put(tx, bucketEvents, itob(e.ID), e)
		if err := tx.Bucket(bucketAssocEvents).Put(eventIndexKey(e), nil); err != nil {
			t.Fatal(err)
		}
		if b := tx.Bucket(bucketEventsByStart); b != nil {
			if err := b.Put(timeIDKey(e.Start, e.ID), []byte(e.State)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		migration string
		write     func(tx *bolt.Tx)
		check     func(tx *Tx) error
	}{
		{"index events by start time", func(tx *bolt.Tx) {
			event(tx, &mmo.Event{ID: 1, AssociationID: 1, Start: start, State: mmo.EventPublished})
			event(tx, &mmo.Event{ID: 2, AssociationID: 1, Start: start.AddDate(1, 0, 0), State: mmo.EventDraft})
		}, func(tx *Tx) error {
			es, err := tx.EventsBetween(t0, t0.AddDate(0, 1, 0), mmo.EventPublished)
			if err == nil && (len(es) != 1 || es[0].ID != 1) {
				err = fmt.Errorf("events of the month: %v", es)
			}
			return err
		}},
		{"index users' attendance and answers", func(tx *bolt.Tx) {
			event(tx, &mmo.Event{ID: 1, AssociationID: 1, Start: start, State: mmo.EventPublished, Version: 2})
			put(tx, bucketAttendance, append(itob(1), itob(5)...), &mmo.Attendance{EventID: 1, UserID: 5, Mark: mmo.MarkPresent})
			put(tx, bucketRSVPs, append(itob(1), itob(5)...), &mmo.RSVP{EventID: 1, UserID: 5, Answer: mmo.AnswerMaybe, Version: 2})
		}, func(tx *Tx) error {
			att, _ := tx.UserAttendance(5, time.Time{}, time.Time{})
			ans, _ := tx.UserAnswers(5, time.Time{}, time.Time{})
			if len(att) != 1 || att[0] != (AttendanceRef{1, start, mmo.MarkPresent}) ||
				len(ans) != 1 || ans[0] != (AnswerRef{1, start, 2, mmo.AnswerMaybe}) {
				return fmt.Errorf("attendance %v, answers %v", att, ans)
			}
			return nil
		}},
		{"index consultations by deadline clock and by time", func(tx *bolt.Tx) {
			c := &mmo.Consultation{ID: 1, AssociationID: 1, AskerID: 5}
			c.Start(start)
			put(tx, bucketConsults, itob(1), c)
			closed := &mmo.Consultation{ID: 2, AssociationID: 1, AskerID: 5}
			closed.Start(start)
			closed.Close(mmo.ClosedByAsker, start)
			put(tx, bucketConsults, itob(2), closed)
		}, func(tx *Tx) error {
			w, _ := tx.WaitingConsultations(0, start)
			all, _ := tx.ConsultationsCreated(t0, start.Add(time.Second))
			if len(w) != 1 || w[0].ID != 1 || len(all) != 2 {
				return fmt.Errorf("waiting %v, created %v", w, all)
			}
			return nil
		}},
		{"index plans and reports by kind and school year", func(tx *bolt.Tx) {
			p := &mmo.Plan{AssociationID: 4, Year: 2025}
			p.Status = mmo.DocSubmitted
			put(tx, bucketPlans, yearKey(4, 2025), p)
			r := &mmo.Report{AssociationID: 4, Year: 2024}
			r.Status = mmo.DocApproved
			put(tx, bucketReports, yearKey(4, 2024), r)
		}, func(tx *Tx) error {
			p, _ := tx.DocumentStatuses(mmo.DocPlan, 2025)
			r, _ := tx.DocumentStatuses(mmo.DocReport, 2024)
			if p[4] != mmo.DocSubmitted || r[4] != mmo.DocApproved {
				return fmt.Errorf("plans %v, reports %v", p, r)
			}
			return nil
		}},
		{"index broadcasts by time", func(tx *bolt.Tx) {
			put(tx, bucketBroadcasts, itob(3), &Broadcast{ID: 3, Kind: "announce", CreatedAt: start})
		}, func(tx *Tx) error {
			bs, _ := tx.BroadcastsCreated(t0, start.Add(time.Second))
			if len(bs) != 1 || bs[0].ID != 3 {
				return fmt.Errorf("broadcasts %v", bs)
			}
			return nil
		}},
		{"index coordinators, and sent messages by time", func(tx *bolt.Tx) {
			put(tx, bucketUsers, itob(7), &mmo.User{ID: 7, Name: "К", Coordinator: true})
			put(tx, bucketUsers, itob(8), &mmo.User{ID: 8, Name: "Т"})
			put(tx, bucketSent, []byte("card:1"), &SentRecord{Messenger: Telegram, Chat: 7, Message: "5", At: start})
		}, func(tx *Tx) error {
			cs, err := tx.Coordinators()
			if err != nil || len(cs) != 1 || cs[0].ID != 7 {
				return fmt.Errorf("coordinators %v, %v", cs, err)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.migration, func(t *testing.T) {
			at := slices.IndexFunc(migrations, func(m migration) bool { return m.name == tt.migration })
			if at < 0 {
				t.Fatalf("no migration %q", tt.migration)
			}
			path := filepath.Join(t.TempDir(), "mmo.db")
			b := openRaw(t, path)
			if err := migrateTo(b, migrations[:at]); err != nil {
				t.Fatal(err)
			}
			if err := b.Update(func(tx *bolt.Tx) error { tt.write(tx); return nil }); err != nil {
				t.Fatal(err)
			}
			if err := migrateTo(b, migrations[:at+1]); err != nil {
				t.Fatal(err)
			}
			b.Close()
			db, err := Open(path, Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.View(tt.check); err != nil {
				t.Error(err)
			}
			indexesAgree(t, db)
		})
	}
}

// TestEventStates: the look-up reads each event's state from the
// start-time index, in any order, and nothing for an event not there
// (another start, another id).
func TestEventStates(t *testing.T) {
	db := MustOpenDB(t)
	var events []*mmo.Event
	mustUpdate(t, db, func(tx *Tx) error {
		for i, st := range []mmo.EventState{mmo.EventPublished, mmo.EventDraft, mmo.EventCancelled, mmo.EventPublished} {
			e := &mmo.Event{AssociationID: 1, Start: t0.AddDate(0, 0, i), State: st}
			if err := tx.CreateEvent(e); err != nil {
				return err
			}
			events = append(events, e)
		}
		return nil
	})
	db.View(func(tx *Tx) error {
		state := tx.EventStates()
		for _, i := range []int{3, 0, 2, 1, 3} {
			if got := state(events[i].Start, events[i].ID); got != events[i].State {
				t.Errorf("event %d: %q, want %q", events[i].ID, got, events[i].State)
			}
		}
		if got := state(events[0].Start.Add(time.Second), events[0].ID); got != "" {
			t.Errorf("another start: %q", got)
		}
		if got := state(events[1].Start, events[0].ID); got != "" {
			t.Errorf("another id: %q", got)
		}
		return nil
	})
}
