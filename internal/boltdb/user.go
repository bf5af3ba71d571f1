package boltdb

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// User returns the user with the id, or mmo.ErrNotFound. The id of a
// user merged into another (see MergeUsers) returns the user it went
// into.
func (tx *Tx) User(id int64) (*mmo.User, error) {
	u, err := tx.userRecord(id)
	if errors.Is(err, mmo.ErrNotFound) {
		if to := tx.aliasOf(id); to != 0 && to != id {
			return tx.userRecord(to)
		}
	}
	return u, err
}

// userRecord returns the record stored under the id, not following an
// alias.
func (tx *Tx) userRecord(id int64) (*mmo.User, error) {
	var u mmo.User
	if err := tx.getJSON(tx.tx.Bucket(bucketUsers), itob(uint64(id)), &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// accountKey is the key of an account in the accounts bucket.
func accountKey(messenger string, id int64) []byte {
	return append([]byte(messenger+"\x00"), itob(uint64(id))...)
}

// UserByAccount returns the user of a messenger's account, or
// mmo.ErrNotFound.
func (tx *Tx) UserByAccount(messenger string, id int64) (*mmo.User, error) {
	v := tx.tx.Bucket(bucketAccounts).Get(accountKey(messenger, id))
	if v == nil {
		return nil, mmo.ErrNotFound
	}
	u, err := tx.User(int64(btoi(v)))
	if err != nil {
		return nil, fmt.Errorf("user %d of %s account %d: %w", btoi(v), messenger, id, err)
	}
	return u, nil
}

// PutUser creates or replaces a user, stamping UpdatedAt (and CreatedAt
// for a new one), and keeps the index of their accounts in step. A new
// user (ID 0) gets the next free id of the users' sequence; ids given by
// a seed or a test are skipped.
func (tx *Tx) PutUser(u *mmo.User) error {
	users := tx.tx.Bucket(bucketUsers)
	switch {
	case u.ID < 0:
		return fmt.Errorf("put user: invalid id %d", u.ID)
	case u.ID == 0:
		for {
			seq, err := users.NextSequence()
			if err != nil {
				return fmt.Errorf("put user: %w", err)
			}
			if users.Get(itob(seq)) == nil {
				u.ID = int64(seq)
				break
			}
		}
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = tx.now
	}
	u.UpdatedAt = tx.now
	accounts := tx.tx.Bucket(bucketAccounts)
	for _, a := range u.Accounts {
		k := accountKey(a.Messenger, a.ID)
		if v := accounts.Get(k); v != nil && int64(btoi(v)) != u.ID {
			return fmt.Errorf("put user %d: the %s account %d is user %d's", u.ID, a.Messenger, a.ID, btoi(v))
		}
		if err := accounts.Put(k, itob(uint64(u.ID))); err != nil {
			return err
		}
	}
	if err := tx.indexCoordinator(u); err != nil {
		return err
	}
	return putJSON(users, itob(uint64(u.ID)), u)
}

// Users calls fn for every user in id order until fn returns false.
func (tx *Tx) Users(fn func(*mmo.User) bool) error {
	c := tx.tx.Bucket(bucketUsers).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var u mmo.User
		if err := tx.decode(v, &u); err != nil {
			return fmt.Errorf("decode user %d: %w", btoi(k), err)
		}
		if !fn(&u) {
			return nil
		}
	}
	return nil
}

// FindUsers returns registered users whose name contains every word of
// the query (case-insensitive), sorted by name, at most limit of them.
func (tx *Tx) FindUsers(query string, limit int) ([]*mmo.User, error) {
	words := strings.Fields(strings.ToLower(query))
	var found []*mmo.User
	err := tx.Users(func(u *mmo.User) bool {
		if !u.Registered() {
			return true
		}
		name := strings.ToLower(u.Name)
		for _, w := range words {
			if !strings.Contains(name, w) {
				return true
			}
		}
		found = append(found, u)
		return true
	})
	sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
	if len(found) > limit {
		found = found[:limit]
	}
	return found, err
}

// Coordinators returns the users holding the coordinator role, by name.
func (tx *Tx) Coordinators() ([]*mmo.User, error) {
	var found []*mmo.User
	err := tx.tx.Bucket(bucketCoordinators).ForEach(func(k, _ []byte) error {
		u, err := tx.User(int64(btoi(k)))
		if err != nil {
			return fmt.Errorf("coordinator %d: %w", btoi(k), err)
		}
		found = append(found, u)
		return nil
	})
	sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
	return found, err
}

// SetBlocked records that a user blocked (or unblocked) the bot. An
// unknown user is ignored: there is nobody to mark.
func (tx *Tx) SetBlocked(id int64, blocked bool) error {
	u, err := tx.User(id)
	if err == mmo.ErrNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if u.Blocked == blocked {
		return nil
	}
	u.Blocked = blocked
	if blocked {
		u.BlockedAt = tx.now
	}
	return tx.PutUser(u)
}

// Dialog returns the user's open dialog, or mmo.ErrNotFound.
func (tx *Tx) Dialog(userID int64) (*mmo.Dialog, error) {
	var d mmo.Dialog
	if err := tx.getJSON(tx.tx.Bucket(bucketDialogs), itob(uint64(userID)), &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// PutDialog saves the user's dialog state.
func (tx *Tx) PutDialog(userID int64, d *mmo.Dialog) error {
	return putJSON(tx.tx.Bucket(bucketDialogs), itob(uint64(userID)), d)
}

// DeleteDialog ends the user's dialog, if any.
func (tx *Tx) DeleteDialog(userID int64) error {
	b := tx.tx.Bucket(bucketDialogs)
	if b.Get(itob(uint64(userID))) == nil {
		return nil // nothing to end: a read-only handling stays read-only
	}
	return b.Delete(itob(uint64(userID)))
}

// DeleteUser removes a user's record, open dialog and memberships, and
// leaves the associations they led without a leader: their personal data
// leaves the store. The audit log keeps only their id.
func (tx *Tx) DeleteUser(id int64) error {
	if err := tx.tx.Bucket(bucketDialogs).Delete(itob(uint64(id))); err != nil {
		return err
	}
	ms, err := tx.UserMemberships(id)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := tx.DeleteMembership(m.AssociationID, id); err != nil {
			return err
		}
	}
	if u, err := tx.userRecord(id); err == nil { // never the user an alias names
		for _, aid := range slices.Clone(u.LeaderOf) {
			if err := tx.SetLeader(aid, 0); err != nil {
				return err
			}
		}
		for _, a := range u.Accounts {
			if err := tx.tx.Bucket(bucketAccounts).Delete(accountKey(a.Messenger, a.ID)); err != nil {
				return err
			}
		}
	}
	if err := tx.tx.Bucket(bucketCoordinators).Delete(itob(uint64(id))); err != nil {
		return err
	}
	return tx.tx.Bucket(bucketUsers).Delete(itob(uint64(id)))
}
