package boltdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// The indexes below keep each scheduled and per-user read proportional to
// its answer rather than to everything ever stored: the due scan asks for
// the events starting in a window and the requests whose clock ran out,
// /history for one user's marks of one year, retention for one year's
// records. Each is written in the transaction that writes its record, and
// CheckIndexes verifies both directions.
//
// Times in keys are unix seconds, 8 bytes big-endian, as in
// association_events; a zero time (a draft without a date) sorts last and
// so falls in no window.
var (
	// bucketEventsByStart: start (8) + event id (8) → the event's state,
	// so a scan skips drafts and cancelled events without decoding them.
	bucketEventsByStart = []byte("events_by_start")
	// bucketUserAttendance: user (8) + start (8) + event (8) → mark.
	bucketUserAttendance = []byte("user_attendance")
	// bucketUserAnswers: user (8) + start (8) + event (8) → the answer's
	// event version (4) + answer.
	bucketUserAnswers = []byte("user_answers")
	// bucketConsultsDue: clock (1) + level (1) + since (8) + request id
	// (8) → empty. See consultDueKey.
	bucketConsultsDue = []byte("consultations_due")
	// bucketConsultsByTime: created (8) + request id (8) → empty.
	bucketConsultsByTime = []byte("consultations_by_time")
	// bucketDocuments: kind (1) + school year (4) + association (8) →
	// status. A document's due date is the regulation's date for its kind
	// and year, so this is the documents in order of due date.
	bucketDocuments = []byte("documents")
	// bucketBroadcastsByTime: created (8) + broadcast id (8) → empty.
	bucketBroadcastsByTime = []byte("broadcasts_by_time")
)

// unixKey is a time as 8 big-endian bytes of unix seconds.
func unixKey(t time.Time) []byte { return itob(uint64(t.Unix())) }

func keyTime(b []byte) time.Time { return unixTime(int64(btoi(b))) }

func unixTime(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// timeIDKey is a time then an id: the key of the time indexes.
func timeIDKey(t time.Time, id uint64) []byte { return append(unixKey(t), itob(id)...) }

// userEventKey is user, start, event: the key of a user's attendance and
// answers, so one user's year is one range.
func userEventKey(uid int64, start time.Time, eid uint64) []byte {
	k := make([]byte, 24)
	binary.BigEndian.PutUint64(k, uint64(uid))
	binary.BigEndian.PutUint64(k[8:], uint64(start.Unix()))
	binary.BigEndian.PutUint64(k[16:], eid)
	return k
}

// userRange is the first and the past-the-end key of a user's entries with
// a start in [from, to); zero times leave that end open.
func userRange(uid int64, from, to time.Time) (seek, end []byte) {
	seek = itob(uint64(uid))
	if !from.IsZero() {
		seek = append(seek, unixKey(from)...)
	}
	if to.IsZero() {
		end = itob(uint64(uid) + 1)
	} else {
		end = append(itob(uint64(uid)), unixKey(to)...)
	}
	return seek, end
}

// indexEvent moves an event's entries from old to e: its start-time
// entry, and, when the start changed, its answers' and marks' entries in
// the users' indexes. old nil is a new event, e nil a removed one.
func (tx *Tx) indexEvent(old, e *mmo.Event) error {
	byStart := tx.tx.Bucket(bucketEventsByStart)
	if old != nil {
		if err := byStart.Delete(timeIDKey(old.Start, old.ID)); err != nil {
			return err
		}
	}
	if e != nil {
		if err := byStart.Put(timeIDKey(e.Start, e.ID), []byte(e.State)); err != nil {
			return err
		}
	}
	if old == nil || e == nil || old.Start.Unix() == e.Start.Unix() {
		return nil
	}
	for _, x := range []struct{ records, index []byte }{{bucketRSVPs, bucketUserAnswers}, {bucketAttendance, bucketUserAttendance}} {
		idx := tx.tx.Bucket(x.index)
		prefix := itob(e.ID)
		c := tx.tx.Bucket(x.records).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			uid := int64(btoi(k[8:16]))
			oldKey := userEventKey(uid, old.Start, e.ID)
			v := idx.Get(oldKey)
			if v == nil {
				continue
			}
			v = append([]byte(nil), v...)
			if err := idx.Delete(oldKey); err != nil {
				return err
			}
			if err := idx.Put(userEventKey(uid, e.Start, e.ID), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// EventsBetween returns the events with a start in [from, to), in order of
// start, of the given states (all states when none are given). It reads
// the start-time index and decodes only the events it returns: what can
// fall due in a window (reminders, check-in) costs what the window holds.
func (tx *Tx) EventsBetween(from, to time.Time, states ...mmo.EventState) ([]*mmo.Event, error) {
	var out []*mmo.Event
	c := tx.tx.Bucket(bucketEventsByStart).Cursor()
	end := unixKey(to)
	for k, v := c.Seek(unixKey(from)); k != nil && bytes.Compare(k[:8], end) < 0; k, v = c.Next() {
		if len(states) > 0 && !hasState(states, mmo.EventState(v)) {
			continue
		}
		e, err := tx.Event(btoi(k[8:]))
		if err != nil {
			return nil, fmt.Errorf("start index names event %d: %w", btoi(k[8:]), err)
		}
		out = append(out, e)
	}
	return out, nil
}

func hasState(states []mmo.EventState, s mmo.EventState) bool {
	for _, x := range states {
		if x == s {
			return true
		}
	}
	return false
}

// AttendanceRef is one of a user's attendance marks as the user's index
// holds it: enough to count and to pick events without decoding any.
type AttendanceRef struct {
	EventID uint64
	Start   time.Time
	Mark    mmo.Mark
}

// UserAttendance returns a user's attendance marks of events starting in
// [from, to) (zero times leave an end open), in order of start, from the
// user's index alone.
func (tx *Tx) UserAttendance(uid int64, from, to time.Time) ([]AttendanceRef, error) {
	var out []AttendanceRef
	seek, end := userRange(uid, from, to)
	c := tx.tx.Bucket(bucketUserAttendance).Cursor()
	for k, v := c.Seek(seek); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
		out = append(out, AttendanceRef{EventID: btoi(k[16:]), Start: keyTime(k[8:16]), Mark: mmo.Mark(v)})
	}
	return out, nil
}

// AttendedEvents returns the events a user was marked present at with a
// start in [from, to) (zero times leave an end open), in order of start;
// it decodes those events only.
func (tx *Tx) AttendedEvents(uid int64, from, to time.Time) ([]*mmo.Event, error) {
	refs, err := tx.UserAttendance(uid, from, to)
	if err != nil {
		return nil, err
	}
	var out []*mmo.Event
	for _, r := range refs {
		if r.Mark != mmo.MarkPresent {
			continue
		}
		e, err := tx.Event(r.EventID)
		if err != nil {
			return nil, fmt.Errorf("attendance index of user %d names event %d: %w", uid, r.EventID, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// AnswerRef is one of a user's answers as the user's index holds it. An
// answer to an earlier version of the event (before a change of time or
// place) is stale: compare Version with the event's.
type AnswerRef struct {
	EventID uint64
	Start   time.Time
	Version int
	Answer  mmo.Answer
}

// UserAnswers returns a user's answers to events starting in [from, to)
// (zero times leave an end open), in order of start, from the user's
// index alone.
func (tx *Tx) UserAnswers(uid int64, from, to time.Time) ([]AnswerRef, error) {
	var out []AnswerRef
	seek, end := userRange(uid, from, to)
	c := tx.tx.Bucket(bucketUserAnswers).Cursor()
	for k, v := c.Seek(seek); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
		if len(v) < 4 {
			return nil, fmt.Errorf("answer index entry %x: bad value", k)
		}
		out = append(out, AnswerRef{EventID: btoi(k[16:]), Start: keyTime(k[8:16]),
			Version: int(binary.BigEndian.Uint32(v)), Answer: mmo.Answer(v[4:])})
	}
	return out, nil
}

func answerValue(r *mmo.RSVP) []byte {
	v := make([]byte, 4+len(r.Answer))
	binary.BigEndian.PutUint32(v, uint32(r.Version))
	copy(v[4:], r.Answer)
	return v
}

// The clocks of consultations_due: a request waiting for an answer counts
// from WaitingSince, an answered one from its LastActivity.
const (
	clockWaiting  = 'w'
	clockAnswered = 'a'
)

// consultDueKey is where an open request stands in consultations_due, or
// nil when nothing can fall due on it (closed).
//
// The key holds the time the request's next deadline counts from, not
// the deadline: the deadline depends on the configuration (working days
// to answer, the quiet time before closing) and the time zone, which can
// change without the store knowing; the time it counts from cannot. A
// waiting request's escalation deadline is AddWorkingDays(since,
// days×(level+1)), which is never earlier than since + days×(level+1)
// calendar days less an hour, so "due by now at level L" lies inside the
// range since ≤ now − that much: the scan reads that range per level and
// applies the exact rule to what it finds. An answered request closes by
// itself at LastActivity + quiet time, read the same way. Waiting
// requests at level 3 are kept (the digest lists them) but no deadline
// scan reads that level.
func consultDueKey(c *mmo.Consultation) []byte {
	var clock byte
	var since time.Time
	switch {
	case c.Status == mmo.ConsultClosed:
		return nil
	case c.Status == mmo.ConsultAnswered:
		clock, since = clockAnswered, c.LastActivity
	case !c.WaitingSince.IsZero():
		clock, since = clockWaiting, c.WaitingSince
	default:
		return nil
	}
	k := make([]byte, 18)
	k[0], k[1] = clock, byte(min(max(c.Escalation, 0), 255))
	binary.BigEndian.PutUint64(k[2:], uint64(since.Unix()))
	binary.BigEndian.PutUint64(k[10:], c.ID)
	return k
}

// indexConsultation moves a request's entry in consultations_due from
// old to c (nil: none).
func (tx *Tx) indexConsultation(old, c *mmo.Consultation) error {
	b := tx.tx.Bucket(bucketConsultsDue)
	var oldKey, newKey []byte
	if old != nil {
		oldKey = consultDueKey(old)
	}
	if c != nil {
		newKey = consultDueKey(c)
	}
	if bytes.Equal(oldKey, newKey) {
		return nil
	}
	if oldKey != nil {
		if err := b.Delete(oldKey); err != nil {
			return err
		}
	}
	if newKey != nil {
		return b.Put(newKey, nil)
	}
	return nil
}

// consultsDue returns the requests of one clock and level whose clock
// started at or before since, oldest first.
func (tx *Tx) consultsDue(clock byte, level int, since time.Time) ([]*mmo.Consultation, error) {
	var out []*mmo.Consultation
	prefix := []byte{clock, byte(level)}
	end := append(append([]byte(nil), prefix...), itob(uint64(since.Unix())+1)...)
	c := tx.tx.Bucket(bucketConsultsDue).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
		r, err := tx.Consultation(btoi(k[10:]))
		if err != nil {
			return nil, fmt.Errorf("deadline index names request %d: %w", btoi(k[10:]), err)
		}
		out = append(out, r)
	}
	return out, nil
}

// WaitingConsultations returns the requests waiting for an answer at
// escalation level `level` (0 to 3) since `since` or earlier, longest
// waiting first. With since from ConsultWatchFrom the result holds every
// request whose next escalation is due by now, and few others.
func (tx *Tx) WaitingConsultations(level int, since time.Time) ([]*mmo.Consultation, error) {
	if level < 0 || level > 255 {
		return nil, fmt.Errorf("waiting consultations: level %d", level)
	}
	return tx.consultsDue(clockWaiting, level, since)
}

// QuietConsultations returns the answered requests whose last activity
// was at `since` or earlier, quietest first: those due to close by
// themselves when since is now less the quiet time.
func (tx *Tx) QuietConsultations(since time.Time) ([]*mmo.Consultation, error) {
	return tx.consultsDue(clockAnswered, 0, since)
}

// EscalatedConsultations returns the requests still waiting for an answer
// after at least one escalation, for the coordinators' digest.
func (tx *Tx) EscalatedConsultations() ([]*mmo.Consultation, error) {
	var out []*mmo.Consultation
	for level := 1; level <= 3; level++ {
		cs, err := tx.consultsDue(clockWaiting, level, time.Unix(1<<62, 0))
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// ConsultWatchFrom is the since to pass to WaitingConsultations for
// `level` so that every request whose escalation falls due by now, after
// `days` working days per level, is among those returned: a working day
// is at least a calendar day, and a calendar day at least 23 hours.
func ConsultWatchFrom(level, days int, now time.Time) time.Time {
	return now.Add(-time.Duration(days*(level+1)) * 23 * time.Hour)
}

// ConsultationsCreated returns the requests created in [from, to), oldest
// first.
func (tx *Tx) ConsultationsCreated(from, to time.Time) ([]*mmo.Consultation, error) {
	var out []*mmo.Consultation
	end := unixKey(to)
	c := tx.tx.Bucket(bucketConsultsByTime).Cursor()
	for k, _ := c.Seek(unixKey(from)); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.Next() {
		r, err := tx.Consultation(btoi(k[8:]))
		if err != nil {
			return nil, fmt.Errorf("time index names request %d: %w", btoi(k[8:]), err)
		}
		out = append(out, r)
	}
	return out, nil
}

// docKind is a document kind's byte in the documents index.
func docKind(kind string) (byte, error) {
	switch kind {
	case mmo.DocPlan:
		return 'p', nil
	case mmo.DocReport:
		return 'r', nil
	}
	return 0, fmt.Errorf("unknown document kind %q", kind)
}

func docKey(kind byte, year int, aid uint64) []byte {
	k := make([]byte, 13)
	k[0] = kind
	binary.BigEndian.PutUint32(k[1:], uint32(year))
	binary.BigEndian.PutUint64(k[5:], aid)
	return k
}

// DocumentStatuses returns the status of every association's plan or
// report (kind mmo.DocPlan or mmo.DocReport) of a school year, by
// association, from the documents index alone: an association missing
// from the map has not started the document.
func (tx *Tx) DocumentStatuses(kind string, year int) (map[uint64]mmo.DocStatus, error) {
	kb, err := docKind(kind)
	if err != nil {
		return nil, err
	}
	out := map[uint64]mmo.DocStatus{}
	prefix := docKey(kb, year, 0)[:5]
	c := tx.tx.Bucket(bucketDocuments).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		out[btoi(k[5:])] = mmo.DocStatus(v)
	}
	return out, nil
}

// BroadcastsCreated returns the broadcasts created in [from, to), oldest
// first.
func (tx *Tx) BroadcastsCreated(from, to time.Time) ([]*Broadcast, error) {
	var out []*Broadcast
	end := unixKey(to)
	c := tx.tx.Bucket(bucketBroadcastsByTime).Cursor()
	for k, _ := c.Seek(unixKey(from)); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.Next() {
		b, err := tx.Broadcast(btoi(k[8:]))
		if err != nil {
			return nil, fmt.Errorf("time index names broadcast %d: %w", btoi(k[8:]), err)
		}
		out = append(out, b)
	}
	return out, nil
}

// errIndex collects index mismatches for CheckIndexes.
type errIndex struct{ errs []error }

func (e *errIndex) add(format string, args ...any) {
	if len(e.errs) < 50 { // enough to see the pattern
		e.errs = append(e.errs, fmt.Errorf(format, args...))
	}
}

// checkIndex compares an index bucket with the entries the records say
// it must hold, both ways.
func (tx *Tx) checkIndex(e *errIndex, bucket []byte, want map[string]string) {
	b := tx.tx.Bucket(bucket)
	b.ForEach(func(k, v []byte) error {
		w, ok := want[string(k)]
		switch {
		case !ok:
			e.add("%s: entry %x names no record", bucket, k)
		case w != string(v):
			e.add("%s: entry %x holds %q, the record says %q", bucket, k, v, w)
		}
		delete(want, string(k))
		return nil
	})
	for k := range want {
		e.add("%s: no entry %x for its record", bucket, k)
	}
}

// checkTimeIndexes verifies the indexes of this file against the records.
func (tx *Tx) checkTimeIndexes() error {
	var e errIndex
	starts := map[uint64]time.Time{}
	byStart, byAssoc := map[string]string{}, map[string]string{}
	err := tx.Events(func(ev *mmo.Event) bool {
		starts[ev.ID] = ev.Start
		byStart[string(timeIDKey(ev.Start, ev.ID))] = string(ev.State)
		byAssoc[string(eventIndexKey(ev))] = string(eventIndexValue(ev))
		return true
	})
	if err != nil {
		return err
	}
	tx.checkIndex(&e, bucketEventsByStart, byStart)
	tx.checkIndex(&e, bucketAssocEvents, byAssoc)
	users := map[string]string{}
	if err := tx.tx.Bucket(bucketAttendance).ForEach(func(k, v []byte) error {
		var a mmo.Attendance
		if err := tx.decode(v, &a); err != nil {
			return err
		}
		if start, ok := starts[a.EventID]; ok {
			users[string(userEventKey(a.UserID, start, a.EventID))] = string(a.Mark)
		}
		return nil
	}); err != nil {
		return err
	}
	tx.checkIndex(&e, bucketUserAttendance, users)
	users = map[string]string{}
	if err := tx.tx.Bucket(bucketRSVPs).ForEach(func(k, v []byte) error {
		var r mmo.RSVP
		if err := tx.decode(v, &r); err != nil {
			return err
		}
		if start, ok := starts[r.EventID]; ok {
			users[string(userEventKey(r.UserID, start, r.EventID))] = string(answerValue(&r))
		}
		return nil
	}); err != nil {
		return err
	}
	tx.checkIndex(&e, bucketUserAnswers, users)
	due, byTime := map[string]string{}, map[string]string{}
	if err := tx.Consultations(func(c *mmo.Consultation) bool {
		if k := consultDueKey(c); k != nil {
			due[string(k)] = ""
		}
		byTime[string(timeIDKey(c.CreatedAt, c.ID))] = ""
		return true
	}); err != nil {
		return err
	}
	tx.checkIndex(&e, bucketConsultsDue, due)
	tx.checkIndex(&e, bucketConsultsByTime, byTime)
	docs := map[string]string{}
	for _, x := range []struct {
		bucket []byte
		kind   byte
	}{{bucketPlans, 'p'}, {bucketReports, 'r'}} {
		if err := tx.tx.Bucket(x.bucket).ForEach(func(k, v []byte) error {
			var d struct {
				AssociationID uint64        `json:"association_id"`
				Year          int           `json:"year"`
				Status        mmo.DocStatus `json:"status"`
			}
			if err := tx.decode(v, &d); err != nil {
				return err
			}
			docs[string(docKey(x.kind, d.Year, d.AssociationID))] = string(d.Status)
			return nil
		}); err != nil {
			return err
		}
	}
	tx.checkIndex(&e, bucketDocuments, docs)
	bcasts := map[string]string{}
	if err := tx.tx.Bucket(bucketBroadcasts).ForEach(func(k, v []byte) error {
		var b Broadcast
		if err := tx.decode(v, &b); err != nil {
			return err
		}
		bcasts[string(timeIDKey(b.CreatedAt, b.ID))] = ""
		return nil
	}); err != nil {
		return err
	}
	tx.checkIndex(&e, bucketBroadcastsByTime, bcasts)
	if err := tx.checkMoreIndexes(&e); err != nil {
		return err
	}
	return errors.Join(e.errs...)
}
