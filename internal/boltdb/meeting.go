package boltdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// eventIndexKey orders an association's events by start: association id,
// start (unix seconds), event id.
func eventIndexKey(e *mmo.Event) []byte {
	k := make([]byte, 24)
	binary.BigEndian.PutUint64(k, e.AssociationID)
	binary.BigEndian.PutUint64(k[8:], uint64(e.Start.Unix()))
	binary.BigEndian.PutUint64(k[16:], e.ID)
	return k
}

// CreateEvent stores a new event and sets its ID.
func (tx *Tx) CreateEvent(e *mmo.Event) error {
	b := tx.tx.Bucket(bucketEvents)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.ID = seq
	if e.CreatedAt.IsZero() {
		e.CreatedAt = tx.now
	}
	if err := putJSON(b, itob(seq), e); err != nil {
		return err
	}
	if err := tx.indexEvent(nil, e); err != nil {
		return err
	}
	return tx.tx.Bucket(bucketAssocEvents).Put(eventIndexKey(e), eventIndexValue(e))
}

// Event returns an event, or mmo.ErrNotFound.
func (tx *Tx) Event(id uint64) (*mmo.Event, error) {
	var e mmo.Event
	if err := tx.getJSON(tx.tx.Bucket(bucketEvents), itob(id), &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// PutEvent saves an event, moving its index entries if the start or the
// state changed (the association index holds the state and format too).
func (tx *Tx) PutEvent(e *mmo.Event) error {
	old, err := tx.Event(e.ID)
	if err != nil {
		return fmt.Errorf("put event %d: %w", e.ID, err)
	}
	idx := tx.tx.Bucket(bucketAssocEvents)
	if !bytes.Equal(eventIndexKey(old), eventIndexKey(e)) || !bytes.Equal(idx.Get(eventIndexKey(e)), eventIndexValue(e)) {
		if err := idx.Delete(eventIndexKey(old)); err != nil {
			return err
		}
		if err := idx.Put(eventIndexKey(e), eventIndexValue(e)); err != nil {
			return err
		}
	}
	if old.Start.Unix() != e.Start.Unix() || old.State != e.State {
		if err := tx.indexEvent(old, e); err != nil {
			return err
		}
	}
	return putJSON(tx.tx.Bucket(bucketEvents), itob(e.ID), e)
}

// AssociationEvents returns an association's events with a start in
// [from, to), in order of start. Zero times leave that end open.
func (tx *Tx) AssociationEvents(aid uint64, from, to time.Time) ([]*mmo.Event, error) {
	prefix := itob(aid)
	seek := prefix
	if !from.IsZero() {
		seek = append(itob(aid), itob(uint64(from.Unix()))...)
	}
	var out []*mmo.Event
	c := tx.tx.Bucket(bucketAssocEvents).Cursor()
	for k, _ := c.Seek(seek); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if !to.IsZero() && int64(btoi(k[8:16])) >= to.Unix() {
			break
		}
		e, err := tx.Event(btoi(k[16:]))
		if err != nil {
			return nil, fmt.Errorf("event index of association %d: %w", aid, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Events calls fn for every event until fn returns false.
func (tx *Tx) Events(fn func(*mmo.Event) bool) error {
	c := tx.tx.Bucket(bucketEvents).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var e mmo.Event
		if err := tx.decode(v, &e); err != nil {
			return fmt.Errorf("decode event %d: %w", btoi(k), err)
		}
		if !fn(&e) {
			return nil
		}
	}
	return nil
}

// PutRSVP records a member's answer, with its entry in the user's index.
func (tx *Tx) PutRSVP(r *mmo.RSVP) error {
	e, err := tx.Event(r.EventID)
	if err != nil {
		return fmt.Errorf("put answer to event %d: %w", r.EventID, err)
	}
	if err := tx.tx.Bucket(bucketUserAnswers).Put(userEventKey(r.UserID, e.Start, e.ID), answerValue(r)); err != nil {
		return err
	}
	return putJSON(tx.tx.Bucket(bucketRSVPs), append(itob(r.EventID), itob(uint64(r.UserID))...), r)
}

// RSVP returns a member's answer for the event's current version, or
// mmo.ErrNotFound.
func (tx *Tx) RSVP(e *mmo.Event, uid int64) (*mmo.RSVP, error) {
	var r mmo.RSVP
	if err := tx.getJSON(tx.tx.Bucket(bucketRSVPs), append(itob(e.ID), itob(uint64(uid))...), &r); err != nil {
		return nil, err
	}
	if r.Version != e.Version {
		return nil, mmo.ErrNotFound // an answer to an earlier time or place
	}
	return &r, nil
}

// RSVPs returns the answers for the event's current version, by user.
func (tx *Tx) RSVPs(e *mmo.Event) (map[int64]*mmo.RSVP, error) {
	out := map[int64]*mmo.RSVP{}
	prefix := itob(e.ID)
	c := tx.tx.Bucket(bucketRSVPs).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r mmo.RSVP
		if err := tx.decode(v, &r); err != nil {
			return nil, fmt.Errorf("decode answer: %w", err)
		}
		if r.Version == e.Version {
			out[r.UserID] = &r
		}
	}
	return out, nil
}

// reminderKey names one reminder: event, version, offset before the start.
func reminderKey(eid uint64, version int, before time.Duration) []byte {
	k := make([]byte, 20)
	binary.BigEndian.PutUint64(k, eid)
	binary.BigEndian.PutUint32(k[8:], uint32(version))
	binary.BigEndian.PutUint64(k[12:], uint64(before/time.Second))
	return k
}

// ReminderSent reports whether a reminder went out (was queued).
func (tx *Tx) ReminderSent(eid uint64, version int, before time.Duration) bool {
	return tx.tx.Bucket(bucketReminders).Get(reminderKey(eid, version, before)) != nil
}

// MarkReminderSent records a reminder as queued; call it in the
// transaction that queues it, so it is never queued twice.
func (tx *Tx) MarkReminderSent(eid uint64, version int, before time.Duration) error {
	return tx.tx.Bucket(bucketReminders).Put(reminderKey(eid, version, before), itob(uint64(tx.now.Unix())))
}

// DeleteEvent removes an event (a draft nobody saw) with its index entry.
func (tx *Tx) DeleteEvent(id uint64) error {
	e, err := tx.Event(id)
	if err != nil {
		return err
	}
	if err := tx.tx.Bucket(bucketAssocEvents).Delete(eventIndexKey(e)); err != nil {
		return err
	}
	if err := tx.indexEvent(e, nil); err != nil {
		return err
	}
	return tx.tx.Bucket(bucketEvents).Delete(itob(id))
}

// PurgeEvent removes an event with everything recorded about it: answers,
// attendance, minutes, reminder marks, its check-in token and its index
// entries (retention).
func (tx *Tx) PurgeEvent(id uint64) error {
	_, err := tx.purgeEvent(id, -1)
	return err
}

// purgeEvent removes up to budget records of an event (answers, marks,
// minutes, reminder marks, then the event itself; a negative budget is
// no limit) and returns how many it removed; the event is gone when that
// is fewer than budget. What it leaves is removed by the next call, so
// an event of an association of thousands is purged over several short
// transactions.
func (tx *Tx) purgeEvent(id uint64, budget int) (int, error) {
	e, err := tx.Event(id)
	if err != nil {
		return 0, err
	}
	n := 0
	full := func() bool { return budget >= 0 && n >= budget }
	prefix := itob(id)
	for _, x := range []struct{ records, users []byte }{{bucketRSVPs, bucketUserAnswers}, {bucketAttendance, bucketUserAttendance}, {bucketMinutes, nil}, {bucketReminders, nil}} {
		b := tx.tx.Bucket(x.records)
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
			if full() {
				return n, nil
			}
			if x.users != nil {
				if err := tx.tx.Bucket(x.users).Delete(userEventKey(int64(btoi(k[8:16])), e.Start, id)); err != nil {
					return n, err
				}
			}
			if err := b.Delete(k); err != nil {
				return n, err
			}
			n++
		}
	}
	if full() {
		return n, nil
	}
	if e.Checkin.Token != "" {
		if err := tx.DeleteCheckinToken(e.Checkin.Token); err != nil {
			return n, err
		}
	}
	return n + 1, tx.DeleteEvent(id)
}
