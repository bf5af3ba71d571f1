package boltdb

import (
	"encoding/binary"
	"time"
)

// ReminderProgress is how far a reminder to a large association got: it
// is queued in several short transactions, a share of the recipients
// each, and each share records here, in its own transaction, the last
// recipient it queued. A scan cut short by a restart goes on after that
// recipient, so nobody is skipped and nobody is reminded twice.
type ReminderProgress struct {
	Broadcast uint64 // the broadcast the shares count into
	After     int64  // the last recipient queued (recipients go by id)
	Queued    int    // recipients queued (or counted as blocked) so far
}

// progressKey is the reminder's mark key (see reminderKey) with a suffix:
// it sorts under the event, so the retention purge removes it with the
// event's reminder marks, and never equals a mark.
func progressKey(eid uint64, version int, before time.Duration) []byte {
	return append(reminderKey(eid, version, before), 'p')
}

// ReminderProgress returns how far a reminder got; ok is false when none
// of it was queued yet (or all of it was, see MarkReminderSent).
func (tx *Tx) ReminderProgress(eid uint64, version int, before time.Duration) (p ReminderProgress, ok bool) {
	v := tx.tx.Bucket(bucketReminders).Get(progressKey(eid, version, before))
	if len(v) != 24 {
		return p, false
	}
	return ReminderProgress{Broadcast: binary.BigEndian.Uint64(v), After: int64(binary.BigEndian.Uint64(v[8:])),
		Queued: int(binary.BigEndian.Uint64(v[16:]))}, true
}

// PutReminderProgress records how far a reminder got, in the transaction
// that queued that share.
func (tx *Tx) PutReminderProgress(eid uint64, version int, before time.Duration, p ReminderProgress) error {
	v := make([]byte, 24)
	binary.BigEndian.PutUint64(v, p.Broadcast)
	binary.BigEndian.PutUint64(v[8:], uint64(p.After))
	binary.BigEndian.PutUint64(v[16:], uint64(p.Queued))
	return tx.tx.Bucket(bucketReminders).Put(progressKey(eid, version, before), v)
}

// DeleteReminderProgress forgets a reminder's progress once its last
// share is queued and the reminder marked sent.
func (tx *Tx) DeleteReminderProgress(eid uint64, version int, before time.Duration) error {
	return tx.tx.Bucket(bucketReminders).Delete(progressKey(eid, version, before))
}

// shareKey is the key of the progress of a piece of work on every member
// of an event's association other than a reminder (the check-in's
// announcement, the edits once answers or check-in close), named by
// kind. It starts with the event's id, so the retention purge removes it
// with the event's reminder marks, and its length (8 + 1 + kind) never
// equals a mark's (20) or a reminder's progress (21) for the kinds used.
func shareKey(eid uint64, kind string) []byte {
	return append(append(itob(eid), 's'), kind...)
}

// EventShareProgress returns how far a piece of work over an event's
// members, done a share per transaction, got; ok is false when none of
// it was done yet (or all of it was). The fields mean what they mean in
// a reminder's progress.
func (tx *Tx) EventShareProgress(eid uint64, kind string) (p ReminderProgress, ok bool) {
	v := tx.tx.Bucket(bucketReminders).Get(shareKey(eid, kind))
	if len(v) != 24 {
		return p, false
	}
	return ReminderProgress{Broadcast: binary.BigEndian.Uint64(v), After: int64(binary.BigEndian.Uint64(v[8:])),
		Queued: int(binary.BigEndian.Uint64(v[16:]))}, true
}

// PutEventShareProgress records how far the work got, in the transaction
// of the share.
func (tx *Tx) PutEventShareProgress(eid uint64, kind string, p ReminderProgress) error {
	v := make([]byte, 24)
	binary.BigEndian.PutUint64(v, p.Broadcast)
	binary.BigEndian.PutUint64(v[8:], uint64(p.After))
	binary.BigEndian.PutUint64(v[16:], uint64(p.Queued))
	return tx.tx.Bucket(bucketReminders).Put(shareKey(eid, kind), v)
}

// DeleteEventShareProgress forgets the work's progress with its last
// share.
func (tx *Tx) DeleteEventShareProgress(eid uint64, kind string) error {
	return tx.tx.Bucket(bucketReminders).Delete(shareKey(eid, kind))
}
