package boltdb

import (
	"bytes"
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Two more indexes keep the scheduled jobs off whole buckets: the
// coordinators (told of escalations, sent the digest and the retention
// warning) among tens of thousands of users, and the registry of sent
// messages by the time each was recorded, so that retention removes a
// school year's handles with the year.
var (
	// bucketCoordinators: user id (8) → empty, for every coordinator.
	bucketCoordinators = []byte("coordinators")
	// bucketSentByTime: recorded at (8) + key → empty.
	bucketSentByTime = []byte("sent_by_time")
)

// indexCoordinator keeps u's entry among the coordinators in step with
// the record.
func (tx *Tx) indexCoordinator(u *mmo.User) error {
	b := tx.tx.Bucket(bucketCoordinators)
	if u.Coordinator {
		return b.Put(itob(uint64(u.ID)), nil)
	}
	return b.Delete(itob(uint64(u.ID)))
}

// sentTimeKey is a record's entry in sent_by_time.
func sentTimeKey(at time.Time, key string) []byte { return append(unixKey(at), key...) }

// unindexSent removes the time entry of the record under key, if any.
func unindexSent(tx *Tx, key string) error {
	var old SentRecord
	if err := tx.getJSON(tx.tx.Bucket(bucketSent), []byte(key), &old); err != nil {
		if errors.Is(err, mmo.ErrNotFound) {
			return nil
		}
		return err
	}
	return tx.tx.Bucket(bucketSentByTime).Delete(sentTimeKey(old.At, key))
}

// AnyEventBetween reports whether an event starts in [from, to), from the
// start-time index alone.
func (tx *Tx) AnyEventBetween(from, to time.Time) bool {
	k, _ := tx.tx.Bucket(bucketEventsByStart).Cursor().Seek(unixKey(from))
	return k != nil && bytes.Compare(k[:8], unixKey(to)) < 0
}

// AnyConsultationCreated reports whether a request was created in
// [from, to), from the time index alone.
func (tx *Tx) AnyConsultationCreated(from, to time.Time) bool {
	k, _ := tx.tx.Bucket(bucketConsultsByTime).Cursor().Seek(unixKey(from))
	return k != nil && bytes.Compare(k[:8], unixKey(to)) < 0
}

func purgeSent(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	end := unixKey(cut.Before)
	idx := tx.tx.Bucket(bucketSentByTime)
	records := tx.tx.Bucket(bucketSent)
	c := idx.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.First() {
		if budget.out() {
			return true, nil
		}
		k = append([]byte(nil), k...)
		if err := records.Delete(k[8:]); err != nil {
			return false, err
		}
		if err := idx.Delete(k); err != nil {
			return false, err
		}
		budget.n--
		st.Records++
		st.Sent++
	}
	return false, nil
}

func migrateCoordinatorsAndSent(tx *bolt.Tx) error {
	coords, err := tx.CreateBucketIfNotExists(bucketCoordinators)
	if err != nil {
		return err
	}
	if err := forEachJSON(tx, bucketUsers, func(u *mmo.User) error {
		if u.Coordinator {
			return coords.Put(itob(uint64(u.ID)), nil)
		}
		return nil
	}); err != nil {
		return err
	}
	idx, err := tx.CreateBucketIfNotExists(bucketSentByTime)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketSent).ForEach(func(k, v []byte) error {
		var s SentRecord
		if err := Unmarshal(v, &s); err != nil {
			return err
		}
		return idx.Put(sentTimeKey(s.At, string(k)), nil)
	})
}

// checkMoreIndexes verifies the coordinators and sent_by_time indexes.
func (tx *Tx) checkMoreIndexes(e *errIndex) error {
	coords := map[string]string{}
	if err := tx.Users(func(u *mmo.User) bool {
		if u.Coordinator {
			coords[string(itob(uint64(u.ID)))] = ""
		}
		return true
	}); err != nil {
		return err
	}
	tx.checkIndex(e, bucketCoordinators, coords)
	sent := map[string]string{}
	if err := tx.tx.Bucket(bucketSent).ForEach(func(k, v []byte) error {
		var s SentRecord
		if err := tx.decode(v, &s); err != nil {
			return err
		}
		sent[string(sentTimeKey(s.At, string(k)))] = ""
		return nil
	}); err != nil {
		return err
	}
	tx.checkIndex(e, bucketSentByTime, sent)
	return nil
}

// EventStates returns a look-up of the state of the event id starting at
// start from the start-time index alone ("" when the index has no such
// entry): a user's index names both, so a count of events held needs no
// decode. It keeps one cursor of the index, whose path from the root
// each look-up reuses, instead of opening the bucket and a cursor for
// each (a teacher's five years of marks are hundreds of look-ups per
// /history).
func (tx *Tx) EventStates() func(start time.Time, id uint64) mmo.EventState {
	c := tx.tx.Bucket(bucketEventsByStart).Cursor()
	return func(start time.Time, id uint64) mmo.EventState {
		key := timeIDKey(start, id)
		if k, v := c.Seek(key); bytes.Equal(k, key) {
			return mmo.EventState(v)
		}
		return ""
	}
}
