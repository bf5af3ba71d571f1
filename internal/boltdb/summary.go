package boltdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// What the coordinator's overview counts of every association is kept
// where it needs no record decoded: the count of each association's
// members by state, kept up to date by every membership write, and each
// event's state and format as the value of its entry in the association's
// event index. The overview of a region then reads the associations and
// these indexes, not 38,000 memberships and the year's 12,000 events.

// bucketMemberCounts maps an association id to its active members and its
// pending requests, 4 bytes each.
var bucketMemberCounts = []byte("member_counts")

// eventIndexValue is the value of an event's entry in the association's
// event index: its state, format, creator and length in seconds,
// "state/format/creator/seconds". The creator lets a leader's record of
// years count the events they ran, and the length (with the start in the
// key) tells whether an event is over, without decoding the event.
func eventIndexValue(e *mmo.Event) []byte {
	return []byte(string(e.State) + "/" + string(e.Format) + "/" + strconv.FormatInt(e.CreatedBy, 10) +
		"/" + strconv.FormatInt(int64(e.Duration/time.Second), 10))
}

// parseEventIndexValue reads an entry's value into brief (its state,
// format, creator and length); ok is false for an entry written before
// the index held all four (the record is then to be read).
func parseEventIndexValue(v []byte, brief *mmo.Event) (ok bool) {
	f := strings.Split(string(v), "/")
	if len(f) != 4 {
		return false
	}
	by, err1 := strconv.ParseInt(f[2], 10, 64)
	secs, err2 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	brief.State, brief.Format, brief.CreatedBy = mmo.EventState(f[0]), mmo.Format(f[1]), by
	brief.Duration = time.Duration(secs) * time.Second
	return true
}

// countMember moves a membership from state was to state now ("" for
// none) in its association's counts.
func (tx *Tx) countMember(aid uint64, was, now mmo.MembershipState) error {
	if was == now {
		return nil
	}
	b := tx.tx.Bucket(bucketMemberCounts)
	active, pending := decodeCounts(b.Get(itob(aid)))
	for _, x := range []struct {
		s mmo.MembershipState
		d int
	}{{was, -1}, {now, 1}} {
		switch x.s {
		case "":
		case mmo.MemberActive:
			active += x.d
		default:
			pending += x.d
		}
	}
	return b.Put(itob(aid), encodeCounts(active, pending))
}

func decodeCounts(v []byte) (active, pending int) {
	if len(v) != 8 {
		return 0, 0
	}
	return int(binary.BigEndian.Uint32(v)), int(binary.BigEndian.Uint32(v[4:]))
}

func encodeCounts(active, pending int) []byte {
	v := make([]byte, 8)
	binary.BigEndian.PutUint32(v, uint32(max(active, 0)))
	binary.BigEndian.PutUint32(v[4:], uint32(max(pending, 0)))
	return v
}

// CountMembers returns the active members and the pending requests of an
// association, from its counts: no membership is read.
func (tx *Tx) CountMembers(aid uint64) (members, pending int, err error) {
	members, pending = decodeCounts(tx.tx.Bucket(bucketMemberCounts).Get(itob(aid)))
	return members, pending, nil
}

// AssociationEventBriefs returns an association's events with a start in
// [from, to), in order of start (zero times leave that end open), from
// its event index alone: only the id, the association, the start (to the
// second), the length, the state, the format and the creator are set.
// They are enough for counting meetings (mmo.CountMeetings), the events a
// leader ran, and which events a list shows (mmo.ShelfOf) without
// decoding a single event.
func (tx *Tx) AssociationEventBriefs(aid uint64, from, to time.Time) ([]*mmo.Event, error) {
	prefix := itob(aid)
	var out []*mmo.Event
	seek := prefix
	if !from.IsZero() {
		seek = append(itob(aid), itob(uint64(from.Unix()))...)
	}
	c := tx.tx.Bucket(bucketAssocEvents).Cursor()
	for k, v := c.Seek(seek); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		start := int64(btoi(k[8:16]))
		if !to.IsZero() && start >= to.Unix() {
			break
		}
		brief := &mmo.Event{ID: btoi(k[16:]), AssociationID: aid, Start: time.Unix(start, 0).UTC()}
		if !parseEventIndexValue(v, brief) {
			// An entry written before the index held the values.
			e, err := tx.Event(brief.ID)
			if err != nil {
				return nil, fmt.Errorf("event index of association %d: %w", aid, err)
			}
			brief.State, brief.Format, brief.CreatedBy, brief.Duration = e.State, e.Format, e.CreatedBy, e.Duration
		}
		out = append(out, brief)
	}
	return out, nil
}

// migrateSummaries counts every association's members by state (from the
// users' membership index, whose values are the states) and writes each
// event's state and format into its association index entry.
func migrateSummaries(tx *bolt.Tx) error {
	counts, err := tx.CreateBucketIfNotExists(bucketMemberCounts)
	if err != nil {
		return err
	}
	type ap struct{ active, pending int }
	per := map[uint64]*ap{}
	if err := tx.Bucket(bucketUserMembers).ForEach(func(k, v []byte) error {
		aid := btoi(k[8:])
		if per[aid] == nil {
			per[aid] = &ap{}
		}
		if mmo.MembershipState(v) == mmo.MemberActive {
			per[aid].active++
		} else {
			per[aid].pending++
		}
		return nil
	}); err != nil {
		return err
	}
	for aid, n := range per {
		if err := counts.Put(itob(aid), encodeCounts(n.active, n.pending)); err != nil {
			return err
		}
	}
	return rewriteEventIndexValues(tx)
}

// migrateEventCreators writes each event's creator into its association
// index entry beside its state and format.
func migrateEventCreators(tx *bolt.Tx) error { return rewriteEventIndexValues(tx) }

// migrateEventLengths writes each event's length into its association
// index entry, after its creator.
func migrateEventLengths(tx *bolt.Tx) error { return rewriteEventIndexValues(tx) }

// rewriteEventIndexValues writes every event's association index value
// (eventIndexValue) from its record.
func rewriteEventIndexValues(tx *bolt.Tx) error {
	idx := tx.Bucket(bucketAssocEvents)
	return tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
		var e mmo.Event
		if err := Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode event %d: %w", btoi(k), err)
		}
		if idx.Get(eventIndexKey(&e)) == nil {
			return nil // checked by CheckIndexes, not mended here
		}
		return idx.Put(eventIndexKey(&e), eventIndexValue(&e))
	})
}

// checkSummaries verifies the member counts against the records (the
// event index values are checked with the index, see checkTimeIndexes).
func (tx *Tx) checkSummaries() error {
	want := map[uint64][2]int{}
	if err := tx.tx.Bucket(bucketMembers).ForEach(func(k, v []byte) error {
		var m mmo.Membership
		if err := Unmarshal(v, &m); err != nil {
			return err
		}
		n := want[m.AssociationID]
		if m.State == mmo.MemberActive {
			n[0]++
		} else {
			n[1]++
		}
		want[m.AssociationID] = n
		return nil
	}); err != nil {
		return err
	}
	var errs []error
	tx.tx.Bucket(bucketMemberCounts).ForEach(func(k, v []byte) error {
		if _, ok := want[btoi(k)]; !ok {
			if a, p := decodeCounts(v); a != 0 || p != 0 {
				errs = append(errs, fmt.Errorf("association %d: counts %d/%d, no memberships", btoi(k), a, p))
			}
		}
		return nil
	})
	for aid, n := range want {
		if a, p := decodeCounts(tx.tx.Bucket(bucketMemberCounts).Get(itob(aid))); a != n[0] || p != n[1] {
			errs = append(errs, fmt.Errorf("association %d: counts %d active, %d pending; the records %d, %d", aid, a, p, n[0], n[1]))
		}
	}
	return errors.Join(errs...)
}
