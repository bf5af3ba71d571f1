package boltdb

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// clockDB is a store whose clock the test sets.
func clockDB(t *testing.T) (*DB, *time.Time) {
	t.Helper()
	now := new(time.Time)
	*now = t0
	db, err := Open(t.TempDir()+"/mmo.db", Options{Timeout: time.Second, Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, now
}

// yearOfRecords writes a school year starting at from: events of two
// associations (one of them with more answers than a purge step
// removes), answers, marks, minutes, reminder marks, consultations with
// messages, a plan, a report, a proposal, broadcasts and audit entries.
func yearOfRecords(t *testing.T, db *DB, now *time.Time, from time.Time, year int) {
	t.Helper()
	*now = from.Add(24 * time.Hour)
	mustUpdate(t, db, func(tx *Tx) error {
		for i := range 6 {
			aid := uint64(1 + i%2)
			e := &mmo.Event{AssociationID: aid, Start: from.AddDate(0, i+1, 0), State: mmo.EventPublished, Version: 1,
				Checkin: mmo.Checkin{Token: "tok" + from.Format("2006") + string(rune('a'+i))}}
			if err := tx.CreateEvent(e); err != nil {
				return err
			}
			if err := tx.PutCheckinToken(e.Checkin.Token, e.ID); err != nil {
				return err
			}
			members := 5
			if aid == 2 {
				members = 30 // more than a step of 20
			}
			for u := int64(1); u <= int64(members); u++ {
				if err := tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: u, Answer: mmo.AnswerYes, Version: 1}); err != nil {
					return err
				}
				if err := tx.PutAttendance(&mmo.Attendance{EventID: e.ID, UserID: u, Mark: mmo.MarkPresent}); err != nil {
					return err
				}
			}
			if err := tx.PutMinutes(&mmo.Minutes{EventID: e.ID, Version: 1, Status: mmo.MinutesFinal}); err != nil {
				return err
			}
			if err := tx.MarkReminderSent(e.ID, 1, time.Hour); err != nil {
				return err
			}
			if err := tx.CreateBroadcast(&Broadcast{Kind: "announce", EventID: e.ID, Total: members}); err != nil {
				return err
			}
			if err := tx.Audit(AuditEntry{Actor: 1, Action: "member.join", Subject: 2, Association: aid}); err != nil {
				return err
			}
			if err := tx.PutSent("card:"+strconv.FormatUint(e.ID, 10), &SentRecord{Messenger: Telegram, Chat: 1, Message: "9"}); err != nil {
				return err
			}
		}
		for i := range 4 {
			c := &mmo.Consultation{AssociationID: 1, AskerID: 3}
			c.Start(from.AddDate(0, i+1, 0))
			if err := tx.CreateConsultation(c); err != nil {
				return err
			}
			for range 3 {
				if err := tx.AddConsultMessage(&mmo.ConsultMessage{ConsultID: c.ID, FromID: 3, Text: "?"}); err != nil {
					return err
				}
			}
		}
		// A survey with more answers than a step removes (some done, some
		// anonymous), a news item, a material, a register entry.
		sv := &mmo.Survey{Title: "Анкета", Sent: true, CreatedAt: from.AddDate(0, 1, 0), Deadline: from.AddDate(0, 1, 7)}
		if err := tx.CreateSurvey(sv); err != nil {
			return err
		}
		for u := int64(1); u <= 25; u++ {
			p := &mmo.SurveyResponse{SurveyID: sv.ID, UserID: u, Done: u%2 == 0}
			if u%5 == 0 {
				if err := tx.FinishAnonymous(p); err != nil {
					return err
				}
				continue
			}
			if err := tx.PutSurveyResponse(p); err != nil {
				return err
			}
		}
		if err := tx.CreateNews(&mmo.News{AuthorID: 1, Text: "Новость", CreatedAt: from.AddDate(0, 2, 0)}); err != nil {
			return err
		}
		if err := tx.CreateMaterial(&mmo.Material{AssociationID: 1, AuthorID: 1, Title: "Конспект", CreatedAt: from.AddDate(0, 2, 0)}); err != nil {
			return err
		}
		if err := tx.CreateRegisterEntry(&mmo.RegisterEntry{Kind: mmo.RegisterContest, AssociationID: 1, UserID: 3, At: from.AddDate(0, 3, 0)}); err != nil {
			return err
		}
		for aid := uint64(1); aid <= 2; aid++ {
			if err := tx.PutPlan(&mmo.Plan{AssociationID: aid, Year: year}); err != nil {
				return err
			}
			if err := tx.PutReport(&mmo.Report{AssociationID: aid, Year: year}); err != nil {
				return err
			}
			if err := tx.AddProposal(&mmo.Proposal{AssociationID: aid, Year: year, UserID: 3}); err != nil {
				return err
			}
		}
		return nil
	})
}

// counts are what a store holds of each kind, from the records.
type counts struct {
	events, answers, marks, consults, plans, broadcasts, audit, sent           int
	surveys, surveyAnswers, surveyAnon, surveyDone, news, materials, registers int
}

func countAll(t *testing.T, db *DB) counts {
	t.Helper()
	var c counts
	db.View(func(tx *Tx) error {
		c.events = tx.tx.Bucket(bucketEvents).Stats().KeyN
		c.answers = tx.tx.Bucket(bucketRSVPs).Stats().KeyN
		c.marks = tx.tx.Bucket(bucketAttendance).Stats().KeyN
		c.consults = tx.tx.Bucket(bucketConsults).Stats().KeyN
		c.plans = tx.tx.Bucket(bucketPlans).Stats().KeyN
		c.broadcasts = tx.tx.Bucket(bucketBroadcasts).Stats().KeyN
		c.audit = tx.tx.Bucket(bucketAudit).Stats().KeyN
		c.sent = tx.tx.Bucket(bucketSent).Stats().KeyN
		c.surveys = tx.tx.Bucket(bucketSurveys).Stats().KeyN
		c.surveyAnswers = tx.tx.Bucket(bucketSurveyAnswers).Stats().KeyN
		c.surveyAnon = tx.tx.Bucket(bucketSurveyAnon).Stats().KeyN
		c.surveyDone = tx.tx.Bucket(bucketSurveyDone).Stats().KeyN
		c.news = tx.tx.Bucket(bucketNews).Stats().KeyN
		c.materials = tx.tx.Bucket(bucketMaterials).Stats().KeyN
		c.registers = tx.tx.Bucket(bucketRegisters).Stats().KeyN
		return nil
	})
	return c
}

func TestPurgeInSmallSteps(t *testing.T) {
	db, now := clockDB(t)
	y1 := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)
	y2 := y1.AddDate(1, 0, 0)
	yearOfRecords(t, db, now, y1, 2024)
	yearOfRecords(t, db, now, y2, 2025)
	before := countAll(t, db)
	indexesAgree(t, db)

	cut := PurgeCut{Before: y2, LastYear: 2024}
	const limit = 20
	var total PurgeStats
	steps := 0
	for {
		st, more, err := db.PurgeStep(cut, limit)
		if err != nil {
			t.Fatal(err)
		}
		if st.Records > limit {
			t.Fatalf("step %d removed %d records, more than %d", steps, st.Records, limit)
		}
		total.add(st)
		steps++
		// Every step leaves the indexes in agreement: a purge cut short
		// by a restart leaves nothing half-removed.
		indexesAgree(t, db)
		if !more {
			break
		}
		if steps > 1000 {
			t.Fatal("the purge does not end")
		}
	}
	after := countAll(t, db)
	half := func(n int) int { return n / 2 }
	want := counts{half(before.events), half(before.answers), half(before.marks), half(before.consults), half(before.plans),
		half(before.broadcasts), half(before.audit), half(before.sent),
		half(before.surveys), half(before.surveyAnswers), half(before.surveyAnon), half(before.surveyDone),
		half(before.news), half(before.materials), half(before.registers)}
	if after != want {
		t.Errorf("after the purge: %+v, want the second year's %+v", after, want)
	}
	if total.Events != 6 || total.Consultations != 4 || total.Documents != 6 || total.Broadcasts != 6 || total.Audit != 6 || total.Sent != 6 ||
		total.Surveys != 1 || total.News != 1 || total.Materials != 1 || total.Registers != 1 {
		t.Errorf("removed %+v", total)
	}
	if min := (total.Records + limit - 1) / limit; steps < min {
		t.Errorf("%d steps for %d records", steps, total.Records)
	}
	// Nothing of the second year was touched; its indexes still answer.
	db.View(func(tx *Tx) error {
		es, _ := tx.EventsBetween(y2, y2.AddDate(1, 0, 0))
		att, _ := tx.UserAttendance(1, time.Time{}, time.Time{})
		old, _ := tx.UserAttendance(1, time.Time{}, y2)
		if len(es) != 6 || len(att) != 6 || len(old) != 0 {
			t.Errorf("second year: %d events, user 1's marks %d (%d before it)", len(es), len(att), len(old))
		}
		if _, err := tx.CheckinTokenEvent("tok2024a"); err == nil {
			t.Error("a purged event's check-in token is still there")
		}
		return nil
	})
	// Purging again finds nothing.
	st, more, err := db.PurgeStep(cut, limit)
	if err != nil || more || st.Records != 0 {
		t.Errorf("a second purge: %+v, more %v, %v", st, more, err)
	}
}

func TestPurgeRunsToTheEnd(t *testing.T) {
	db, now := clockDB(t)
	y1 := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)
	yearOfRecords(t, db, now, y1, 2024)
	st, err := db.Purge(context.Background(), PurgeCut{Before: y1.AddDate(1, 0, 0), LastYear: 2024}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c := countAll(t, db); c != (counts{}) || st.Events != 6 {
		t.Errorf("left %+v after removing %+v", c, st)
	}
	indexesAgree(t, db)
	// A cancelled context stops before the next step.
	yearOfRecords(t, db, now, y1, 2024)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Purge(ctx, PurgeCut{Before: y1.AddDate(1, 0, 0), LastYear: 2024}, 0); err == nil {
		t.Error("a cancelled purge went on")
	}
}

// TestPurgeStepStopsOnTime: a step bounded by time stops removing once
// its time is up, whatever its count allows, yet removes at least one
// record, so the purge always gets on; a step of an event's records looks
// at the clock every few records. The purge ends where a purge by count
// ends, every step leaving the indexes in agreement.
func TestPurgeStepStopsOnTime(t *testing.T) {
	db, now := clockDB(t)
	y1 := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)
	y2 := y1.AddDate(1, 0, 0)
	yearOfRecords(t, db, now, y1, 2024)
	yearOfRecords(t, db, now, y2, 2025)
	before := countAll(t, db)
	cut := PurgeCut{Before: y2, LastYear: 2024}
	steps, removed := 0, 0
	for {
		// A nanosecond is up before the second record.
		st, more, err := db.PurgeStepFor(cut, 1000, time.Nanosecond)
		if err != nil {
			t.Fatal(err)
		}
		// The last step may find nothing left: the one before ran out
		// of time just as its kind ran out of records.
		if st.Records < 1 && more || st.Records > 16 {
			t.Fatalf("step %d removed %d records (more %v); want 1 to 16 (one chunk of an event's records)", steps, st.Records, more)
		}
		removed += st.Records
		steps++
		indexesAgree(t, db)
		if !more {
			break
		}
		if steps > 1000 {
			t.Fatal("the purge does not end")
		}
	}
	after := countAll(t, db)
	if after.events != before.events/2 || after.answers != before.answers/2 || after.audit != before.audit/2 {
		t.Errorf("after the purge: %+v, want half of %+v", after, before)
	}
	if steps < removed/16 || steps < 10 {
		t.Errorf("%d steps for %d records: the clock did not stop them", steps, removed)
	}
	// Without a time limit the count binds.
	yearOfRecords(t, db, now, y1, 2024)
	st, _, err := db.PurgeStepFor(cut, 7, 0)
	if err != nil || st.Records != 7 {
		t.Errorf("a step of 7 without a time limit removed %d (%v)", st.Records, err)
	}
}
