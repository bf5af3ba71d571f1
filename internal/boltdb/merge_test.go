package boltdb

import (
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

func TestMigrateUserAliases(t *testing.T) {
	db := MustOpenDB(t)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketUserAliases) == nil {
			t.Errorf("no bucket %s", bucketUserAliases)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// mergeFixture makes two people with a history each, and the same event
// answered and attended by both, the second one later.
func mergeFixture(t *testing.T, db *DB) (keep, gone int64, eid, sid uint64) {
	t.Helper()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	err := db.Update(func(tx *Tx) error {
		a := &mmo.User{Accounts: []mmo.Account{{Messenger: "telegram", ID: 10}}, Name: "Антонова Анна Антоновна"}
		b := &mmo.User{Accounts: []mmo.Account{{Messenger: "max", ID: 20}}, Name: "Борисов Борис Борисович", Coordinator: true}
		for _, u := range []*mmo.User{a, b} {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		keep, gone = a.ID, b.ID
		as := &mmo.Association{Name: "ММО учителей математики"}
		if err := tx.CreateAssociation(as); err != nil {
			return err
		}
		other := &mmo.Association{Name: "ММО учителей физики", Consultants: []int64{gone}}
		if err := tx.CreateAssociation(other); err != nil {
			return err
		}
		if err := tx.SetLeader(other.ID, gone); err != nil {
			return err
		}
		for _, m := range []*mmo.Membership{
			{AssociationID: as.ID, UserID: keep, State: mmo.MemberActive},
			{AssociationID: as.ID, UserID: gone, State: mmo.MemberActive},
			{AssociationID: other.ID, UserID: gone, State: mmo.MemberActive},
		} {
			if err := tx.PutMembership(m); err != nil {
				return err
			}
		}
		e := &mmo.Event{AssociationID: as.ID, Topic: "Итоги", Start: at, State: mmo.EventPublished}
		if err := tx.CreateEvent(e); err != nil {
			return err
		}
		eid = e.ID
		for _, r := range []*mmo.RSVP{
			{EventID: eid, UserID: keep, Answer: mmo.AnswerYes, Version: e.Version, At: at},
			{EventID: eid, UserID: gone, Answer: mmo.AnswerNo, Version: e.Version, At: at.Add(time.Minute)},
		} {
			if err := tx.PutRSVP(r); err != nil {
				return err
			}
		}
		for _, x := range []*mmo.Attendance{
			{EventID: eid, UserID: keep, Mark: mmo.MarkPresent, At: at.Add(2 * time.Minute)},
			{EventID: eid, UserID: gone, Mark: mmo.MarkPresent, At: at.Add(time.Minute)},
		} {
			if err := tx.PutAttendance(x); err != nil {
				return err
			}
		}
		if err := tx.CreateConsultation(&mmo.Consultation{AssociationID: as.ID, AskerID: gone, CreatedAt: at}); err != nil {
			return err
		}
		if err := tx.CreateRegisterEntry(&mmo.RegisterEntry{AssociationID: as.ID, UserID: gone, Kind: mmo.RegisterPublication}); err != nil {
			return err
		}
		s := &mmo.Survey{Title: "Анкета", Questions: []mmo.Question{{Kind: mmo.QuestionText, Text: "Как?"}}}
		if err := tx.CreateSurvey(s); err != nil {
			return err
		}
		sid = s.ID
		if err := tx.PutSurveyResponse(&mmo.SurveyResponse{SurveyID: sid, UserID: gone, Done: true, UpdatedAt: at}); err != nil {
			return err
		}
		return tx.CreateMaterial(&mmo.Material{AssociationID: as.ID, AuthorID: gone, Title: "Конспект", State: mmo.MaterialApproved})
	})
	if err != nil {
		t.Fatal(err)
	}
	return keep, gone, eid, sid
}

// TestMergeUsers: everything of the merged user is the kept one's after,
// the latest of two records of one thing stays, and the merged id reads
// as the kept user.
func TestMergeUsers(t *testing.T) {
	db := MustOpenDB(t)
	keep, gone, eid, sid := mergeFixture(t, db)
	var res *MergeResult
	err := db.Update(func(tx *Tx) error {
		h, err := tx.History(gone)
		if err != nil {
			return err
		}
		want := UserHistory{Memberships: 2, Leads: 1, Answers: 1, Attendance: 1, Consultations: 1, Registers: 1, Surveys: 1, Materials: 1}
		if h != want {
			t.Errorf("History = %+v, want %+v", h, want)
		}
		res, err = tx.MergeUsers(keep, gone)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.AnswerConflicts) != 1 || len(res.AttendanceConflicts) != 1 || len(res.SurveyConflicts) != 0 || res.Moved.Memberships != 2 {
		t.Errorf("result %+v", res)
	}
	err = db.View(func(tx *Tx) error {
		k, err := tx.User(keep)
		if err != nil {
			return err
		}
		if !k.Coordinator || len(k.Accounts) != 2 || len(k.LeaderOf) != 1 {
			t.Errorf("kept user %+v", k)
		}
		if u, err := tx.UserByAccount("max", 20); err != nil || u.ID != keep {
			t.Errorf("the MAX account: %+v %v", u, err)
		}
		if u, err := tx.User(gone); err != nil || u.ID != keep {
			t.Errorf("the merged id: %+v %v", u, err)
		}
		if ms, err := tx.UserMemberships(keep); err != nil || len(ms) != 2 {
			t.Errorf("memberships %v %v", ms, err)
		}
		if ms, _ := tx.UserMemberships(gone); len(ms) != 0 {
			t.Errorf("memberships left: %v", ms)
		}
		e, err := tx.Event(eid)
		if err != nil {
			return err
		}
		if r, err := tx.RSVP(e, keep); err != nil || r.Answer != mmo.AnswerNo {
			t.Errorf("answer %+v %v, want the later one", r, err)
		}
		if a, err := tx.Attendance(eid, keep); err != nil || !a.At.Equal(e.Start.Add(2*time.Minute)) {
			t.Errorf("attendance %+v %v, want the later one", a, err)
		}
		if n, _ := tx.RSVPs(e); len(n) != 1 {
			t.Errorf("answers %v", n)
		}
		if refs, err := tx.UserAnswers(keep, time.Time{}, time.Time{}); err != nil || len(refs) != 1 {
			t.Errorf("answers index %v %v", refs, err)
		}
		if refs, _ := tx.UserAnswers(gone, time.Time{}, time.Time{}); len(refs) != 0 {
			t.Errorf("answers index left: %v", refs)
		}
		if cs, err := tx.UserConsultations(keep); err != nil || len(cs) != 1 || cs[0].AskerID != keep {
			t.Errorf("consultations %v %v", cs, err)
		}
		if !tx.SurveyFinished(sid, keep) || tx.SurveyFinished(sid, gone) {
			t.Error("survey done not moved")
		}
		if p, err := tx.SurveyResponse(sid, keep); err != nil || p.UserID != keep {
			t.Errorf("survey response %+v %v", p, err)
		}
		es, _ := tx.RegisterEntries()
		if len(es) != 1 || es[0].UserID != keep {
			t.Errorf("register entries %v", es)
		}
		all, _ := tx.Associations()
		for _, a := range all {
			for _, c := range a.Consultants {
				if c == gone {
					t.Errorf("%s still names the merged consultant", a.Name)
				}
			}
		}
		return tx.Materials(func(m *mmo.Material) bool {
			if m.AuthorID != keep {
				t.Errorf("material by %d", m.AuthorID)
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(tx *Tx) error { return tx.CheckIndexes() }); err != nil {
		t.Errorf("the indexes are inconsistent after the merge: %v", err)
	}
}

// TestMergeUsersAllOrNothing: a merge whose commit fails (a full disk, a
// crash) leaves both users exactly as they were.
func TestMergeUsersAllOrNothing(t *testing.T) {
	db := MustOpenDB(t)
	keep, gone, _, _ := mergeFixture(t, db)
	var before UserHistory
	if err := db.View(func(tx *Tx) (err error) { before, err = tx.History(gone); return err }); err != nil {
		t.Fatal(err)
	}
	db.SetWriteFault(func() error { return errors.New("no space left on device") })
	err := db.Update(func(tx *Tx) error {
		_, err := tx.MergeUsers(keep, gone)
		return err
	})
	db.SetWriteFault(nil)
	if err == nil {
		t.Fatal("the merge committed through the fault")
	}
	err = db.View(func(tx *Tx) error {
		g, err := tx.User(gone)
		if err != nil || g.ID != gone {
			t.Fatalf("the merged user: %+v %v", g, err)
		}
		after, err := tx.History(gone)
		if err != nil || after != before {
			t.Errorf("half merged: %+v, was %+v (%v)", after, before, err)
		}
		if u, err := tx.UserByAccount("max", 20); err != nil || u.ID != gone {
			t.Errorf("the MAX account moved: %+v %v", u, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
