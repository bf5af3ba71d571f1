package boltdb

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// PutAttendance records a member's attendance of an event, with its entry
// in the user's index.
func (tx *Tx) PutAttendance(a *mmo.Attendance) error {
	e, err := tx.Event(a.EventID)
	if err != nil {
		return fmt.Errorf("put attendance of event %d: %w", a.EventID, err)
	}
	if err := tx.tx.Bucket(bucketUserAttendance).Put(userEventKey(a.UserID, e.Start, e.ID), []byte(a.Mark)); err != nil {
		return err
	}
	return putJSON(tx.tx.Bucket(bucketAttendance), append(itob(a.EventID), itob(uint64(a.UserID))...), a)
}

// Attendance returns a member's attendance record, or mmo.ErrNotFound.
func (tx *Tx) Attendance(eventID uint64, uid int64) (*mmo.Attendance, error) {
	var a mmo.Attendance
	if err := tx.getJSON(tx.tx.Bucket(bucketAttendance), append(itob(eventID), itob(uint64(uid))...), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// EventAttendance returns the attendance records of an event, by user.
func (tx *Tx) EventAttendance(eventID uint64) (map[int64]*mmo.Attendance, error) {
	out := map[int64]*mmo.Attendance{}
	prefix := itob(eventID)
	c := tx.tx.Bucket(bucketAttendance).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var a mmo.Attendance
		if err := tx.decode(v, &a); err != nil {
			return nil, fmt.Errorf("decode attendance: %w", err)
		}
		out[a.UserID] = &a
	}
	return out, nil
}

// PutCheckinToken points a check-in link's token at its event.
func (tx *Tx) PutCheckinToken(token string, eventID uint64) error {
	return tx.tx.Bucket(bucketCheckinTokens).Put([]byte(token), itob(eventID))
}

// DeleteCheckinToken forgets a replaced check-in token.
func (tx *Tx) DeleteCheckinToken(token string) error {
	return tx.tx.Bucket(bucketCheckinTokens).Delete([]byte(token))
}

// CheckinTokenEvent returns the event of a check-in token, or
// mmo.ErrNotFound.
func (tx *Tx) CheckinTokenEvent(token string) (uint64, error) {
	v := tx.tx.Bucket(bucketCheckinTokens).Get([]byte(token))
	if v == nil {
		return 0, mmo.ErrNotFound
	}
	return btoi(v), nil
}

func minutesKey(eventID uint64, version int) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint64(k, eventID)
	binary.BigEndian.PutUint32(k[8:], uint32(version))
	return k
}

// PutMinutes saves a version of a meeting's minutes. A final version is
// never overwritten: a correction is a new version.
func (tx *Tx) PutMinutes(m *mmo.Minutes) error {
	b := tx.tx.Bucket(bucketMinutes)
	var old mmo.Minutes
	if err := tx.getJSON(b, minutesKey(m.EventID, m.Version), &old); err == nil && old.Status == mmo.MinutesFinal {
		return fmt.Errorf("minutes of event %d version %d are final", m.EventID, m.Version)
	}
	return putJSON(b, minutesKey(m.EventID, m.Version), m)
}

// MinutesVersions returns every version of a meeting's minutes, oldest
// first.
func (tx *Tx) MinutesVersions(eventID uint64) ([]*mmo.Minutes, error) {
	var out []*mmo.Minutes
	prefix := itob(eventID)
	c := tx.tx.Bucket(bucketMinutes).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var m mmo.Minutes
		if err := tx.decode(v, &m); err != nil {
			return nil, fmt.Errorf("decode minutes: %w", err)
		}
		out = append(out, &m)
	}
	return out, nil
}

// RedactMinutes removes the name of a user who deleted their data from
// every version of every minutes (mmo.Minutes.Redact); signed versions
// too, since what they print does not change.
func (tx *Tx) RedactMinutes(uid int64) error {
	b := tx.tx.Bucket(bucketMinutes)
	type kv struct {
		k []byte
		m *mmo.Minutes
	}
	var changed []kv
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var m mmo.Minutes
		if err := tx.decode(v, &m); err != nil {
			return fmt.Errorf("decode minutes: %w", err)
		}
		if m.Redact(uid) {
			changed = append(changed, kv{bytes.Clone(k), &m})
		}
	}
	for _, x := range changed {
		if err := putJSON(b, x.k, x.m); err != nil {
			return err
		}
	}
	return nil
}
