package boltdb

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Merging two people: one person on two messengers, registered on each
// before linking them, has two users with a history each. MergeUsers
// moves the history of one into the other, in the caller's transaction,
// so that a failure leaves both as they were:
//
//	user_aliases   merged user id (8) → the id of the user it went into (8)
//
// The merged user's record goes; its id stays an alias of the kept one,
// so that whatever still names it (the audit log, a consultation's
// messages, the sent-message registry) reads as the kept person.
var bucketUserAliases = []byte("user_aliases")

func migrateUserAliases(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketUserAliases)
	return err
}

// UserHistory counts what a user has that a merge moves.
type UserHistory struct {
	Memberships   int // active memberships
	Leads         int // associations they lead
	Answers       int // answers to events
	Attendance    int // attendance records
	Consultations int // requests asked or taken
	Registers     int // register entries
	Surveys       int // named survey answers
	Materials     int // materials shared
}

// Empty reports whether there is nothing to move.
func (h UserHistory) Empty() bool { return h == UserHistory{} }

// MergeResult is what MergeUsers did: what it moved, and the conflicts it
// resolved by keeping the latest of the two records: events both users
// answered, events both were marked at, surveys both answered.
type MergeResult struct {
	Moved                                UserHistory
	AnswerConflicts, AttendanceConflicts []uint64 // event ids
	SurveyConflicts                      []uint64 // survey ids
}

// aliasOf returns the user an id was merged into, 0 if none.
func (tx *Tx) aliasOf(id int64) int64 {
	b := tx.tx.Bucket(bucketUserAliases)
	if b == nil {
		return 0
	}
	return int64(btoi(b.Get(itob(uint64(id)))))
}

// userKeyed calls fn for each key of bucket whose second 8 bytes are the
// user's id (keys of a record id + user id), collected first so fn may
// write the bucket.
func (tx *Tx) userKeyed(bucket []byte, uid int64, fn func(k, v []byte) error) error {
	type kv struct{ k, v []byte }
	var found []kv
	id := itob(uint64(uid))
	err := tx.tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		if len(k) == 16 && bytes.Equal(k[8:], id) {
			found = append(found, kv{bytes.Clone(k), bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, x := range found {
		if err := fn(x.k, x.v); err != nil {
			return err
		}
	}
	return nil
}

// deletePrefix removes every key of bucket that starts with prefix.
func (tx *Tx) deletePrefix(bucket, prefix []byte) error {
	b := tx.tx.Bucket(bucket)
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// History counts what MergeUsers would move of a user.
func (tx *Tx) History(uid int64) (UserHistory, error) {
	var h UserHistory
	u, err := tx.User(uid)
	if err != nil {
		return h, err
	}
	h.Leads = len(u.LeaderOf)
	ms, err := tx.UserMemberships(uid)
	if err != nil {
		return h, err
	}
	for _, m := range ms {
		if m.State == mmo.MemberActive {
			h.Memberships++
		}
	}
	count := func(bucket []byte, n *int) error {
		return tx.userKeyed(bucket, uid, func(_, _ []byte) error { *n++; return nil })
	}
	for _, c := range []struct {
		bucket []byte
		n      *int
	}{{bucketRSVPs, &h.Answers}, {bucketAttendance, &h.Attendance}, {bucketSurveyAnswers, &h.Surveys}} {
		if err := count(c.bucket, c.n); err != nil {
			return h, err
		}
	}
	err = tx.Consultations(func(c *mmo.Consultation) bool {
		if c.AskerID == uid || c.AssigneeID == uid {
			h.Consultations++
		}
		return true
	})
	if err != nil {
		return h, err
	}
	es, err := tx.RegisterEntries()
	if err != nil {
		return h, err
	}
	for _, e := range es {
		if e.UserID == uid {
			h.Registers++
		}
	}
	err = tx.Materials(func(m *mmo.Material) bool {
		if m.AuthorID == uid {
			h.Materials++
		}
		return true
	})
	return h, err
}

// MergeUsers moves everything of user gone into user keep: memberships,
// the associations they lead and the coordinator's role, answers,
// attendance, consultations, register entries, named survey answers,
// materials, and the accounts; gone's record is removed and its id made
// an alias of keep. Where both have a record of the same thing, the
// latest stays. It runs in the caller's transaction: all or nothing.
func (tx *Tx) MergeUsers(keep, gone int64) (*MergeResult, error) {
	if keep == gone {
		return nil, errors.New("merge a user into itself")
	}
	k, err := tx.User(keep)
	if err != nil {
		return nil, fmt.Errorf("merge: user %d: %w", keep, err)
	}
	g, err := tx.User(gone)
	if err != nil {
		return nil, fmt.Errorf("merge: user %d: %w", gone, err)
	}
	if k.ID != keep || g.ID != gone {
		return nil, errors.New("merge: a user already merged")
	}
	res := &MergeResult{}
	steps := []func(*MergeResult, int64, int64) error{
		tx.mergeMemberships, tx.mergeLeads, tx.mergeAnswers, tx.mergeAttendance,
		tx.mergeConsultations, tx.mergeRegisters, tx.mergeSurveys, tx.mergeMaterials,
	}
	for _, step := range steps {
		if err := step(res, keep, gone); err != nil {
			return nil, fmt.Errorf("merge user %d into %d: %w", gone, keep, err)
		}
	}
	// Reloaded: moving the leads wrote both users.
	if k, err = tx.User(keep); err != nil {
		return nil, err
	}
	if g, err = tx.User(gone); err != nil {
		return nil, err
	}
	k.Coordinator = k.Coordinator || g.Coordinator
	if k.Current == 0 {
		k.Current = g.Current
	}
	accounts := tx.tx.Bucket(bucketAccounts)
	for _, a := range g.Accounts {
		if err := accounts.Put(accountKey(a.Messenger, a.ID), itob(uint64(keep))); err != nil {
			return nil, err
		}
		if !k.HasAccount(a.Messenger, a.ID) {
			k.Accounts = append(k.Accounts, a)
		}
	}
	if err := tx.tx.Bucket(bucketDialogs).Delete(itob(uint64(gone))); err != nil {
		return nil, err
	}
	if err := tx.tx.Bucket(bucketCoordinators).Delete(itob(uint64(gone))); err != nil {
		return nil, err
	}
	if err := tx.tx.Bucket(bucketUsers).Delete(itob(uint64(gone))); err != nil {
		return nil, err
	}
	aliases := tx.tx.Bucket(bucketUserAliases)
	// Ids merged into gone before now go to keep.
	var earlier [][]byte
	if err := aliases.ForEach(func(a, to []byte) error {
		if int64(btoi(to)) == gone {
			earlier = append(earlier, bytes.Clone(a))
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for _, a := range append(earlier, itob(uint64(gone))) {
		if err := aliases.Put(a, itob(uint64(keep))); err != nil {
			return nil, err
		}
	}
	if err := tx.PutUser(k); err != nil {
		return nil, err
	}
	return res, nil
}

func (tx *Tx) mergeMemberships(res *MergeResult, keep, gone int64) error {
	ms, err := tx.UserMemberships(gone)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := tx.DeleteMembership(m.AssociationID, gone); err != nil {
			return err
		}
		if m.State == mmo.MemberActive {
			res.Moved.Memberships++
		}
		old, err := tx.Membership(m.AssociationID, keep)
		switch {
		case errors.Is(err, mmo.ErrNotFound):
		case err != nil:
			return err
		case old.State == mmo.MemberActive || m.State != mmo.MemberActive:
			continue // the kept user's membership is as good
		}
		m.UserID = keep
		if err := tx.PutMembership(m); err != nil {
			return err
		}
	}
	// Consultants of associations.
	all, err := tx.Associations()
	if err != nil {
		return err
	}
	for _, a := range all {
		if !slices.Contains(a.Consultants, gone) {
			continue
		}
		a.Consultants = slices.DeleteFunc(a.Consultants, func(id int64) bool { return id == gone })
		if !slices.Contains(a.Consultants, keep) {
			a.Consultants = append(a.Consultants, keep)
		}
		if err := putJSON(tx.tx.Bucket(bucketAssociations), itob(a.ID), a); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) mergeLeads(res *MergeResult, keep, gone int64) error {
	g, err := tx.User(gone)
	if err != nil {
		return err
	}
	for _, aid := range slices.Clone(g.LeaderOf) {
		res.Moved.Leads++
		if err := tx.SetLeader(aid, keep); err != nil {
			return err
		}
	}
	return nil
}

// mergeEventRecords moves the records of bucket (event id + user id) of
// gone to keep, with their entries in the user index, keeping the latest
// where both have one.
func (tx *Tx) mergeEventRecords(bucket, index []byte, keep, gone int64, moved *int, conflicts *[]uint64,
	decode func(v []byte) (at int64, rec any, setUser func(), indexValue []byte, err error)) error {
	if err := tx.deletePrefix(index, itob(uint64(gone))); err != nil {
		return err
	}
	b := tx.tx.Bucket(bucket)
	return tx.userKeyed(bucket, gone, func(k, v []byte) error {
		*moved++
		if err := b.Delete(k); err != nil {
			return err
		}
		eid := btoi(k[:8])
		at, rec, setUser, iv, err := decode(v)
		if err != nil {
			return fmt.Errorf("decode %s %x: %w", bucket, k, err)
		}
		nk := append(itob(eid), itob(uint64(keep))...)
		if old := b.Get(nk); old != nil {
			*conflicts = append(*conflicts, eid)
			oldAt, _, _, _, err := decode(old)
			if err != nil {
				return fmt.Errorf("decode %s %x: %w", bucket, nk, err)
			}
			if oldAt >= at {
				return nil // the kept user's is the latest
			}
		}
		setUser()
		if e, err := tx.Event(eid); err == nil {
			if err := tx.tx.Bucket(index).Put(userEventKey(keep, e.Start, e.ID), iv); err != nil {
				return err
			}
		}
		return putJSON(b, nk, rec)
	})
}

func (tx *Tx) mergeAnswers(res *MergeResult, keep, gone int64) error {
	return tx.mergeEventRecords(bucketRSVPs, bucketUserAnswers, keep, gone, &res.Moved.Answers, &res.AnswerConflicts,
		func(v []byte) (int64, any, func(), []byte, error) {
			var r mmo.RSVP
			if err := tx.decode(v, &r); err != nil {
				return 0, nil, nil, nil, err
			}
			return r.At.UnixNano(), &r, func() { r.UserID = keep }, answerValue(&r), nil
		})
}

func (tx *Tx) mergeAttendance(res *MergeResult, keep, gone int64) error {
	return tx.mergeEventRecords(bucketAttendance, bucketUserAttendance, keep, gone, &res.Moved.Attendance, &res.AttendanceConflicts,
		func(v []byte) (int64, any, func(), []byte, error) {
			var a mmo.Attendance
			if err := tx.decode(v, &a); err != nil {
				return 0, nil, nil, nil, err
			}
			return a.At.UnixNano(), &a, func() { a.UserID = keep }, []byte(a.Mark), nil
		})
}

func (tx *Tx) mergeConsultations(res *MergeResult, keep, gone int64) error {
	var cs []*mmo.Consultation
	err := tx.Consultations(func(c *mmo.Consultation) bool {
		if c.AskerID == gone || c.AssigneeID == gone {
			cs = append(cs, c)
		}
		return true
	})
	if err != nil {
		return err
	}
	byAsker := tx.tx.Bucket(bucketConsultsByAsker)
	for _, c := range cs {
		res.Moved.Consultations++
		if c.AskerID == gone {
			if err := byAsker.Delete(append(itob(uint64(gone)), itob(c.ID)...)); err != nil {
				return err
			}
			if err := byAsker.Put(append(itob(uint64(keep)), itob(c.ID)...), nil); err != nil {
				return err
			}
			c.AskerID = keep
		}
		if c.AssigneeID == gone {
			c.AssigneeID = keep
		}
		if err := tx.PutConsultation(c); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) mergeRegisters(res *MergeResult, keep, gone int64) error {
	es, err := tx.RegisterEntries()
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.UserID != gone {
			continue
		}
		res.Moved.Registers++
		e.UserID = keep
		if err := putJSON(tx.tx.Bucket(bucketRegisters), itob(e.ID), e); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) mergeSurveys(res *MergeResult, keep, gone int64) error {
	answers := tx.tx.Bucket(bucketSurveyAnswers)
	err := tx.userKeyed(bucketSurveyAnswers, gone, func(k, v []byte) error {
		res.Moved.Surveys++
		if err := answers.Delete(k); err != nil {
			return err
		}
		var p mmo.SurveyResponse
		if err := tx.decode(v, &p); err != nil {
			return fmt.Errorf("decode survey response %x: %w", k, err)
		}
		sid := btoi(k[:8])
		if old, err := tx.SurveyResponse(sid, keep); err == nil {
			res.SurveyConflicts = append(res.SurveyConflicts, sid)
			if !old.UpdatedAt.Before(p.UpdatedAt) {
				return nil
			}
		}
		p.UserID = keep
		return putJSON(answers, surveyKey(sid, keep), &p)
	})
	if err != nil {
		return err
	}
	done := tx.tx.Bucket(bucketSurveyDone)
	return tx.userKeyed(bucketSurveyDone, gone, func(k, _ []byte) error {
		if err := done.Delete(k); err != nil {
			return err
		}
		return done.Put(surveyKey(btoi(k[:8]), keep), nil)
	})
}

func (tx *Tx) mergeMaterials(res *MergeResult, keep, gone int64) error {
	var ms []*mmo.Material
	err := tx.Materials(func(m *mmo.Material) bool {
		if m.AuthorID == gone || m.DecidedBy == gone {
			ms = append(ms, m)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.AuthorID == gone {
			res.Moved.Materials++
			m.AuthorID = keep
		}
		if m.DecidedBy == gone {
			m.DecidedBy = keep
		}
		if err := tx.PutMaterial(m); err != nil {
			return err
		}
	}
	return nil
}
