package boltdb

import (
	"errors"
	"fmt"
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

func TestAnswerRSVPStoresOnlyWhatIsTaken(t *testing.T) {
	db := MustOpenDB(t)
	loc := time.UTC
	o := ViewOptions{Regulation: mmo.Regulation{YearStart: mmo.MonthDay{Month: time.September, Day: 1}}, Location: loc, Sent: []string{"card:x"}}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, loc)
	var e mmo.Event
	err := db.Update(func(tx *Tx) error {
		a := &mmo.Association{Name: "ММО"}
		if err := tx.CreateAssociation(a); err != nil {
			return err
		}
		for _, u := range []*mmo.User{{ID: 1, Name: "Яковлева"}, {ID: 2, Name: "Андреева"}, {ID: 5, Name: "Лидер"}} {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: 1, State: mmo.MemberActive}); err != nil {
			return err
		}
		e = mmo.Event{AssociationID: a.ID, Format: mmo.FormatMeeting, State: mmo.EventPublished, Start: now.AddDate(0, 0, 9), Duration: time.Hour, Version: 2}
		if err := tx.CreateEvent(&e); err != nil {
			return err
		}
		return tx.PutSent("card:x", &SentRecord{Messenger: "telegram", Chat: 5, Message: "7", User: 5})
	})
	if err != nil {
		t.Fatal(err)
	}
	stored := func(uid int64) *mmo.RSVP {
		t.Helper()
		var got *mmo.RSVP
		db.View(func(tx *Tx) error {
			r, err := tx.RSVP(&e, uid)
			if err != nil && !errors.Is(err, mmo.ErrNotFound) {
				t.Fatal(err)
			}
			got = r
			return nil
		})
		return got
	}
	answer := func(id uint64, uid int64, version int) (*EventView, mmo.RSVPDecision) {
		t.Helper()
		var v *EventView
		var d mmo.RSVPDecision
		err := db.Update(func(tx *Tx) error {
			var err error
			v, d, err = tx.AnswerRSVP(id, uid, version, mmo.AnswerYes, now, o)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return v, d
	}

	// Refused: nothing is written, and the refusal is the decision's.
	for _, tt := range []struct {
		name    string
		id      uint64
		uid     int64
		version int
		code    mmo.Code
	}{
		{"not a member", e.ID, 2, 2, mmo.CodeNotMember},
		{"an earlier version", e.ID, 1, 1, mmo.CodeConflict},
		{"no such event", 999, 1, 2, mmo.CodeGone},
	} {
		v, d := answer(tt.id, tt.uid, tt.version)
		if d.RSVP != nil || mmo.ErrorCode(d.Refused) != tt.code {
			t.Errorf("%s: decision %+v, want refused with %v", tt.name, d, tt.code)
		}
		if tt.code == mmo.CodeGone && v != nil {
			t.Errorf("%s: view %+v, want none", tt.name, v)
		}
		if tt.code != mmo.CodeGone && (v == nil || len(v.Answers) != 0) {
			t.Errorf("%s: view %+v, want the event's with no answers", tt.name, v)
		}
		if r := stored(tt.uid); r != nil {
			t.Errorf("%s: stored %+v", tt.name, r)
		}
	}

	// Taken: stored, and the view returned shows it with the card's record.
	v, d := answer(e.ID, 1, 2)
	if d.RSVP == nil || d.Refused != nil {
		t.Fatalf("decision %+v, want the answer taken", d)
	}
	if r := stored(1); r == nil || r.Answer != mmo.AnswerYes || r.Version != 2 || !r.At.Equal(now) {
		t.Errorf("stored %+v, want yes to version 2 at now", r)
	}
	if a := v.Answers[1]; a == nil || a.Answer != mmo.AnswerYes {
		t.Errorf("view answers %v, want the new one", v.Answers)
	}
	if v.Sent["card:x"] == nil || v.Viewers[5] == nil {
		t.Errorf("view sent %v, viewers %v: the options were not read", v.Sent, v.Viewers)
	}
}

// TestAnswerRSVPOwnView: with ViewOptions.Own, an answer reads its
// member alone (the others are not in the view) and decides as the full
// view does: an active member's answer is taken, a pending member's and a
// stranger's refused.
func TestAnswerRSVPOwnView(t *testing.T) {
	db := MustOpenDB(t)
	loc := time.UTC
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, loc)
	var e mmo.Event
	err := db.Update(func(tx *Tx) error {
		a := &mmo.Association{Name: "ММО"}
		if err := tx.CreateAssociation(a); err != nil {
			return err
		}
		for id, state := range map[int64]mmo.MembershipState{1: mmo.MemberActive, 2: mmo.MemberActive, 3: mmo.MemberPending} {
			if err := tx.PutUser(&mmo.User{ID: id, Name: fmt.Sprint("Участник ", id)}); err != nil {
				return err
			}
			if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: id, State: state}); err != nil {
				return err
			}
		}
		if err := tx.PutUser(&mmo.User{ID: 9, Name: "Чужой"}); err != nil {
			return err
		}
		e = mmo.Event{AssociationID: a.ID, Format: mmo.FormatSeminar, State: mmo.EventPublished, Start: now.AddDate(0, 0, 9), Duration: time.Hour, Version: 2}
		if err := tx.CreateEvent(&e); err != nil {
			return err
		}
		return tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: 2, Answer: mmo.AnswerNo, Version: 2, At: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Membership as the full view tells it, for every kind of person:
	// active, pending, a stranger, and a member with no user record.
	if err := db.Update(func(tx *Tx) error {
		return tx.PutMembership(&mmo.Membership{AssociationID: e.AssociationID, UserID: 7, State: mmo.MemberActive})
	}); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		full, err := tx.EventView(e.ID, ViewOptions{Location: loc})
		if err != nil {
			t.Fatal(err)
		}
		for _, uid := range []int64{1, 2, 3, 7, 9} {
			own, err := tx.EventView(e.ID, ViewOptions{Location: loc, Own: uid})
			if err != nil {
				t.Fatal(err)
			}
			if own.IsMember(uid) != full.IsMember(uid) {
				t.Errorf("user %d: a member by their own view %v, by everyone's %v", uid, own.IsMember(uid), full.IsMember(uid))
			}
		}
		return nil
	})
	for _, tt := range []struct {
		uid  int64
		code mmo.Code // "" for taken
	}{{1, ""}, {3, mmo.CodeNotMember}, {9, mmo.CodeNotMember}, {7, mmo.CodeNotMember}} {
		var v *EventView
		var d mmo.RSVPDecision
		if err := db.Update(func(tx *Tx) error {
			var err error
			v, d, err = tx.AnswerRSVP(e.ID, tt.uid, 2, mmo.AnswerYes, now, ViewOptions{Location: loc, Own: tt.uid})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		taken := tt.code == ""
		if (d.RSVP != nil) != taken || (d.Refused == nil) != taken || !taken && mmo.ErrorCode(d.Refused) != tt.code {
			t.Errorf("user %d: decision %+v, want %q", tt.uid, d, tt.code)
		}
		if _, others := v.Answers[2]; others || len(v.Members) > 1 {
			t.Errorf("user %d: the view holds others: members %v, answers %v", tt.uid, v.Members, v.Answers)
		}
		if taken && (len(v.Members) != 1 || v.Members[0].User.ID != tt.uid || v.Answers[tt.uid] == nil) {
			t.Errorf("user %d: view members %v, answers %v; want them alone, with their answer", tt.uid, v.Members, v.Answers)
		}
	}
}
