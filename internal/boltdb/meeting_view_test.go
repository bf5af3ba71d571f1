package boltdb

import (
	"errors"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

func TestEventViewReadsWhatTheViewsShow(t *testing.T) {
	db := MustOpenDB(t)
	loc := time.UTC
	reg := mmo.Regulation{YearStart: mmo.MonthDay{Month: time.September, Day: 1}}
	start := time.Date(2026, 12, 10, 15, 0, 0, 0, loc)
	var first, second mmo.Event
	err := db.Update(func(tx *Tx) error {
		a := &mmo.Association{Name: "ММО"}
		if err := tx.CreateAssociation(a); err != nil {
			return err
		}
		for _, u := range []*mmo.User{{ID: 1, Name: "Яковлева"}, {ID: 2, Name: "Андреева"}, {ID: 3, Name: "Борисова"}, {ID: 5, Name: "Лидер"}} {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		for uid, st := range map[int64]mmo.MembershipState{1: mmo.MemberActive, 2: mmo.MemberActive, 3: mmo.MemberPending} {
			if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: uid, State: st}); err != nil {
				return err
			}
		}
		// A membership whose user is gone is not a member.
		if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: 9, State: mmo.MemberActive}); err != nil {
			return err
		}
		first = mmo.Event{AssociationID: a.ID, Format: mmo.FormatMeeting, State: mmo.EventPublished, Start: start.AddDate(0, 0, -30), Version: 1}
		second = mmo.Event{AssociationID: a.ID, Format: mmo.FormatMeeting, State: mmo.EventPublished, Start: start, Version: 2}
		for _, e := range []*mmo.Event{&first, &second} {
			if err := tx.CreateEvent(e); err != nil {
				return err
			}
		}
		bc := &Broadcast{Kind: "announce", EventID: second.ID, Total: 2}
		if err := tx.CreateBroadcast(bc); err != nil {
			return err
		}
		second.Announcement = bc.ID
		if err := tx.PutEvent(&second); err != nil {
			return err
		}
		for _, r := range []*mmo.RSVP{{EventID: second.ID, UserID: 1, Answer: mmo.AnswerYes, Version: 2}, {EventID: second.ID, UserID: 2, Answer: mmo.AnswerNo, Version: 1}} {
			if err := tx.PutRSVP(r); err != nil {
				return err
			}
		}
		if err := tx.PutAttendance(&mmo.Attendance{EventID: second.ID, UserID: 2, Mark: mmo.MarkPresent}); err != nil {
			return err
		}
		return tx.PutSent("card:x", &SentRecord{Messenger: "telegram", Chat: 5, Message: "7", User: 5})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		v, err := tx.EventView(second.ID, ViewOptions{Regulation: reg, Location: loc, Sent: []string{"card:x", "ann:none"}})
		if err != nil {
			t.Fatal(err)
		}
		if v.Number != 2 {
			t.Errorf("number %d, want 2 (the second заседание of the year)", v.Number)
		}
		var names []string
		for _, m := range v.Members {
			names = append(names, m.User.Name)
		}
		if got := len(names); got != 2 || names[0] != "Андреева" || names[1] != "Яковлева" {
			t.Errorf("members %v, want the two active ones by name", names)
		}
		if !v.IsMember(1) || v.IsMember(3) || v.IsMember(9) {
			t.Errorf("IsMember: 1 %v, 3 (pending) %v, 9 (gone) %v", v.IsMember(1), v.IsMember(3), v.IsMember(9))
		}
		if len(v.Answers) != 1 || v.Answers[1] == nil {
			t.Errorf("answers %v, want only the one to the current version", v.Answers)
		}
		if x := v.Attendance[2]; x == nil || x.Mark != mmo.MarkPresent {
			t.Errorf("attendance %v", v.Attendance)
		}
		if v.Delivery == nil || v.Delivery.Total != 2 {
			t.Errorf("delivery %+v", v.Delivery)
		}
		if rec := v.Sent["card:x"]; rec == nil || v.Viewers[5] == nil || v.Viewers[5].Name != "Лидер" {
			t.Errorf("sent %v, viewers %v", v.Sent, v.Viewers)
		}
		if _, ok := v.Sent["ann:none"]; ok {
			t.Error("a key with no record is in the view")
		}
		if _, err := tx.EventView(999, ViewOptions{Regulation: reg, Location: loc}); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("a missing event: %v, want not found", err)
		}
		return nil
	})
}
