package boltdb

import (
	"errors"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// checkIndexes fails the test if the membership indexes or leader lists
// disagree with the records.
func checkIndexes(t *testing.T, db *DB, after string) {
	t.Helper()
	if err := db.View(func(tx *Tx) error { return tx.CheckIndexes() }); err != nil {
		t.Fatalf("after %s: %v", after, err)
	}
}

func TestMembershipIndexesStayConsistent(t *testing.T) {
	db := MustOpenDB(t)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	var a1, a2 mmo.Association
	err := db.Update(func(tx *Tx) error {
		for id := int64(1); id <= 4; id++ {
			if err := tx.PutUser(&mmo.User{ID: id, Name: "Участник", RegisteredAt: now}); err != nil {
				return err
			}
		}
		a1 = mmo.Association{Name: "ММО математиков", Policy: mmo.PolicyOpen}
		a2 = mmo.Association{Name: "ММО физиков", Policy: mmo.PolicyApproval}
		if err := tx.CreateAssociation(&a1); err != nil {
			return err
		}
		return tx.CreateAssociation(&a2)
	})
	if err != nil {
		t.Fatal(err)
	}
	checkIndexes(t, db, "create")

	steps := []struct {
		name string
		fn   func(tx *Tx) error
	}{
		{"join", func(tx *Tx) error {
			return tx.PutMembership(&mmo.Membership{AssociationID: a1.ID, UserID: 1, State: mmo.MemberActive, JoinedAt: now})
		}},
		{"request", func(tx *Tx) error {
			return tx.PutMembership(&mmo.Membership{AssociationID: a2.ID, UserID: 1, State: mmo.MemberPending, RequestedAt: now})
		}},
		{"approve", func(tx *Tx) error {
			m, err := tx.Membership(a2.ID, 1)
			if err != nil {
				return err
			}
			m.State = mmo.MemberActive
			return tx.PutMembership(m)
		}},
		{"second member", func(tx *Tx) error {
			return tx.PutMembership(&mmo.Membership{AssociationID: a1.ID, UserID: 2, State: mmo.MemberActive})
		}},
		{"leave", func(tx *Tx) error { return tx.DeleteMembership(a1.ID, 1) }},
		{"appoint", func(tx *Tx) error { return tx.SetLeader(a1.ID, 3) }},
		{"replace", func(tx *Tx) error { return tx.SetLeader(a1.ID, 4) }},
		{"lead two", func(tx *Tx) error { return tx.SetLeader(a2.ID, 4) }},
		{"delete a leader", func(tx *Tx) error { return tx.DeleteUser(4) }},
		{"delete a member", func(tx *Tx) error { return tx.DeleteUser(2) }},
	}
	for _, s := range steps {
		if err := db.Update(s.fn); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		checkIndexes(t, db, s.name)
	}

	db.View(func(tx *Tx) error {
		ms, _ := tx.UserMemberships(1)
		if len(ms) != 1 || ms[0].AssociationID != a2.ID || ms[0].State != mmo.MemberActive {
			t.Errorf("user 1 memberships %+v", ms)
		}
		members, pending, _ := tx.CountMembers(a1.ID)
		if members != 0 || pending != 0 {
			t.Errorf("a1 counts %d/%d", members, pending)
		}
		a, _ := tx.Association(a1.ID)
		if a.LeaderID != 0 {
			t.Errorf("a deleted leader still leads: %d", a.LeaderID)
		}
		return nil
	})

	// A failed transaction leaves records and indexes as they were.
	boom := errors.New("boom")
	err = db.Update(func(tx *Tx) error {
		tx.PutMembership(&mmo.Membership{AssociationID: a1.ID, UserID: 3, State: mmo.MemberActive})
		tx.DeleteMembership(a2.ID, 1)
		tx.SetLeader(a2.ID, 3)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	checkIndexes(t, db, "a failed transaction")
	db.View(func(tx *Tx) error {
		if _, err := tx.Membership(a1.ID, 3); !errors.Is(err, mmo.ErrNotFound) {
			t.Error("a rolled-back membership exists")
		}
		if _, err := tx.Membership(a2.ID, 1); err != nil {
			t.Error("a rolled-back delete happened")
		}
		u, _ := tx.User(3)
		if len(u.LeaderOf) != 0 {
			t.Errorf("a rolled-back appointment left LeaderOf %v", u.LeaderOf)
		}
		return nil
	})
}

func TestPutAssociationRefusesLeaderChange(t *testing.T) {
	db := MustOpenDB(t)
	err := db.Update(func(tx *Tx) error {
		a := mmo.Association{Name: "ММО"}
		if err := tx.CreateAssociation(&a); err != nil {
			return err
		}
		a.LeaderID = 7
		return tx.PutAssociation(&a)
	})
	if err == nil {
		t.Fatal("PutAssociation changed the leader behind SetLeader's back")
	}
	err = db.Update(func(tx *Tx) error { return tx.SetLeader(1, 99) }) // unknown user
	if !errors.Is(err, mmo.ErrNotFound) {
		t.Errorf("leader who is not a user: %v", err)
	}
}

func TestCheckIndexesFindsDamage(t *testing.T) {
	db := MustOpenDB(t)
	db.Update(func(tx *Tx) error {
		tx.PutUser(&mmo.User{ID: 1})
		a := mmo.Association{Name: "ММО"}
		tx.CreateAssociation(&a)
		tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: 1, State: mmo.MemberActive})
		// Damage: the index entry goes, as a buggy writer would leave it.
		return tx.tx.Bucket(bucketUserMembers).Delete(userKey(1, a.ID))
	})
	if err := db.View(func(tx *Tx) error { return tx.CheckIndexes() }); err == nil {
		t.Fatal("CheckIndexes missed a missing index entry")
	}
}

func TestInvitesAndAssociationLog(t *testing.T) {
	db := MustOpenDB(t)
	now := time.Now()
	inv, err := mmo.NewInvite(mmo.InviteMember, 5, 1, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *Tx) error {
		tx.Audit(AuditEntry{Actor: 1, Action: "member.join", Subject: 2, Association: 5})
		tx.Audit(AuditEntry{Actor: 1, Action: "coordinator.grant", Subject: 2})
		tx.Audit(AuditEntry{Actor: 3, Action: "member.leave", Subject: 3, Association: 5})
		tx.Audit(AuditEntry{Actor: 3, Action: "member.join", Subject: 3, Association: 6})
		return tx.PutInvite(&inv)
	})
	db.View(func(tx *Tx) error {
		got, err := tx.Invite(inv.Token)
		if err != nil || got.AssociationID != 5 || got.Kind != mmo.InviteMember {
			t.Errorf("invite %+v, %v", got, err)
		}
		if _, err := tx.Invite("nope"); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("unknown token: %v", err)
		}
		log, _ := tx.AssociationLog(5)
		if len(log) != 2 || log[0].Action != "member.join" || log[1].Action != "member.leave" {
			t.Errorf("log of 5: %+v", log)
		}
		return nil
	})
}
