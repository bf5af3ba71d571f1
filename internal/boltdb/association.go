package boltdb

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/mmobot/mmobot/internal/mmo"
)

// memberKey is association id then user id: the association → members
// index, walked by prefix.
func memberKey(aid uint64, uid int64) []byte {
	return append(itob(aid), itob(uint64(uid))...)
}

// userKey is user id then association id: the user → memberships index.
func userKey(uid int64, aid uint64) []byte {
	return append(itob(uint64(uid)), itob(aid)...)
}

// CreateAssociation stores a new association and sets its ID.
func (tx *Tx) CreateAssociation(a *mmo.Association) error {
	b := tx.tx.Bucket(bucketAssociations)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	a.ID = seq
	if a.CreatedAt.IsZero() {
		a.CreatedAt = tx.now
	}
	return putJSON(b, itob(seq), a)
}

// Association returns an association, or mmo.ErrNotFound.
func (tx *Tx) Association(id uint64) (*mmo.Association, error) {
	var a mmo.Association
	if err := tx.getJSON(tx.tx.Bucket(bucketAssociations), itob(id), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// PutAssociation saves an existing association. The leader is changed
// with SetLeader only, which keeps the users' LeaderOf lists in step.
func (tx *Tx) PutAssociation(a *mmo.Association) error {
	old, err := tx.Association(a.ID)
	if err != nil {
		return fmt.Errorf("put association %d: %w", a.ID, err)
	}
	if old.LeaderID != a.LeaderID {
		return fmt.Errorf("put association %d: the leader changes through SetLeader", a.ID)
	}
	return putJSON(tx.tx.Bucket(bucketAssociations), itob(a.ID), a)
}

// Associations returns every association, archived ones included, sorted
// by name.
func (tx *Tx) Associations() ([]*mmo.Association, error) {
	var out []*mmo.Association
	err := tx.tx.Bucket(bucketAssociations).ForEach(func(k, v []byte) error {
		var a mmo.Association
		if err := tx.decode(v, &a); err != nil {
			return fmt.Errorf("decode association %d: %w", btoi(k), err)
		}
		out = append(out, &a)
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// SetLeader makes uid (0 for none) the leader of the association, keeping
// the LeaderOf lists of the old and the new leader in step. A new leader
// must be a registered user.
func (tx *Tx) SetLeader(aid uint64, uid int64) error {
	a, err := tx.Association(aid)
	if err != nil {
		return err
	}
	if a.LeaderID == uid {
		return nil
	}
	if a.LeaderID != 0 {
		old, err := tx.User(a.LeaderID)
		switch {
		case err == nil:
			old.LeaderOf = slices.DeleteFunc(old.LeaderOf, func(id uint64) bool { return id == aid })
			if err := tx.PutUser(old); err != nil {
				return err
			}
		case !errors.Is(err, mmo.ErrNotFound):
			return err
		}
	}
	if uid != 0 {
		u, err := tx.User(uid)
		if err != nil {
			return fmt.Errorf("set leader: %w", err)
		}
		if !slices.Contains(u.LeaderOf, aid) {
			u.LeaderOf = append(u.LeaderOf, aid)
		}
		if err := tx.PutUser(u); err != nil {
			return err
		}
	}
	a.LeaderID = uid
	return putJSON(tx.tx.Bucket(bucketAssociations), itob(aid), a)
}

// Membership returns a user's membership of an association, or
// mmo.ErrNotFound.
func (tx *Tx) Membership(aid uint64, uid int64) (*mmo.Membership, error) {
	var m mmo.Membership
	if err := tx.getJSON(tx.tx.Bucket(bucketMembers), memberKey(aid, uid), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// PutMembership creates or updates a membership and its user index entry
// together.
func (tx *Tx) PutMembership(m *mmo.Membership) error {
	if m.AssociationID == 0 || m.UserID == 0 {
		return errors.New("put membership: missing ids")
	}
	if err := putJSON(tx.tx.Bucket(bucketMembers), memberKey(m.AssociationID, m.UserID), m); err != nil {
		return err
	}
	index := tx.tx.Bucket(bucketUserMembers)
	was := mmo.MembershipState(index.Get(userKey(m.UserID, m.AssociationID)))
	if err := tx.countMember(m.AssociationID, was, m.State); err != nil {
		return err
	}
	return index.Put(userKey(m.UserID, m.AssociationID), []byte(m.State))
}

// DeleteMembership removes a membership and its index entry.
func (tx *Tx) DeleteMembership(aid uint64, uid int64) error {
	if err := tx.tx.Bucket(bucketMembers).Delete(memberKey(aid, uid)); err != nil {
		return err
	}
	index := tx.tx.Bucket(bucketUserMembers)
	if err := tx.countMember(aid, mmo.MembershipState(index.Get(userKey(uid, aid))), ""); err != nil {
		return err
	}
	return index.Delete(userKey(uid, aid))
}

// Members returns the memberships of an association (pending ones too),
// in user id order.
func (tx *Tx) Members(aid uint64) ([]*mmo.Membership, error) {
	var out []*mmo.Membership
	prefix := itob(aid)
	c := tx.tx.Bucket(bucketMembers).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var m mmo.Membership
		if err := tx.decode(v, &m); err != nil {
			return nil, fmt.Errorf("decode membership: %w", err)
		}
		out = append(out, &m)
	}
	return out, nil
}

// UserMemberships returns a user's memberships, through the user index.
func (tx *Tx) UserMemberships(uid int64) ([]*mmo.Membership, error) {
	var out []*mmo.Membership
	prefix := itob(uint64(uid))
	c := tx.tx.Bucket(bucketUserMembers).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		m, err := tx.Membership(btoi(k[8:]), uid)
		if err != nil {
			return nil, fmt.Errorf("user %d index names association %d: %w", uid, btoi(k[8:]), err)
		}
		out = append(out, m)
	}
	return out, nil
}

// PutInvite stores an invitation by its token.
func (tx *Tx) PutInvite(inv *mmo.Invite) error {
	return putJSON(tx.tx.Bucket(bucketInvites), []byte(inv.Token), inv)
}

// Invite returns an invitation by its token, or mmo.ErrNotFound.
func (tx *Tx) Invite(token string) (*mmo.Invite, error) {
	var inv mmo.Invite
	if err := tx.getJSON(tx.tx.Bucket(bucketInvites), []byte(token), &inv); err != nil {
		return nil, err
	}
	return &inv, nil
}

// CheckIndexes verifies that every index agrees with the records, both
// ways: memberships and leader lists, the index of accounts, events by
// association and by start, users' attendance and answers, consultations
// by deadline clock and by time, documents, broadcasts by time. Tests run
// it after every flow; it reads the whole store.
func (tx *Tx) CheckIndexes() error {
	errs := []error{tx.checkTimeIndexes(), tx.checkSummaries()}
	members := tx.tx.Bucket(bucketMembers)
	index := tx.tx.Bucket(bucketUserMembers)
	members.ForEach(func(k, v []byte) error {
		var m mmo.Membership
		if err := tx.decode(v, &m); err != nil {
			errs = append(errs, fmt.Errorf("membership under key %x: %w", k, err))
			return nil
		}
		if got := index.Get(userKey(m.UserID, m.AssociationID)); got == nil || string(got) != string(m.State) {
			errs = append(errs, fmt.Errorf("membership %d/%d: index entry %q, state %q", m.AssociationID, m.UserID, got, m.State))
		}
		if m.AssociationID != btoi(k[:8]) || uint64(m.UserID) != btoi(k[8:]) {
			errs = append(errs, fmt.Errorf("membership under key %x names %d/%d", k, m.AssociationID, m.UserID))
		}
		return nil
	})
	index.ForEach(func(k, _ []byte) error {
		if members.Get(memberKey(btoi(k[8:]), int64(btoi(k[:8])))) == nil {
			errs = append(errs, fmt.Errorf("index entry user %d → association %d has no membership", btoi(k[:8]), btoi(k[8:])))
		}
		return nil
	})
	as, err := tx.Associations()
	if err != nil {
		return err
	}
	leads := map[int64][]uint64{}
	accounts := 0
	for _, a := range as {
		if a.LeaderID != 0 {
			leads[a.LeaderID] = append(leads[a.LeaderID], a.ID)
		}
	}
	if err := tx.Users(func(u *mmo.User) bool {
		want := leads[u.ID]
		got := slices.Clone(u.LeaderOf)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			errs = append(errs, fmt.Errorf("user %d: leader of %v, associations say %v", u.ID, got, want))
		}
		delete(leads, u.ID)
		for _, a := range u.Accounts {
			if got := tx.tx.Bucket(bucketAccounts).Get(accountKey(a.Messenger, a.ID)); int64(btoi(got)) != u.ID {
				errs = append(errs, fmt.Errorf("user %d: the index gives their %s account %d to user %d", u.ID, a.Messenger, a.ID, btoi(got)))
			}
		}
		accounts += len(u.Accounts)
		return true
	}); err != nil {
		return errors.Join(append(errs, err)...) // the leads left are not known to be missing
	}
	for uid := range leads {
		errs = append(errs, fmt.Errorf("an association is led by unknown user %d", uid))
	}
	if n := tx.tx.Bucket(bucketAccounts).Stats().KeyN; n != accounts {
		errs = append(errs, fmt.Errorf("%d accounts indexed, users have %d", n, accounts))
	}
	return errors.Join(errs...)
}
