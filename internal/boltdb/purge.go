package boltdb

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PurgeLimit is the most records one retention transaction removes. A
// write transaction holds every other writer (each user's update waits
// for it), so a school year of a region, hundreds of thousands of
// records, goes in many short transactions instead of one long one. The
// records of a year lie scattered over the indexes (a user's answers sit
// with that user's), so each removal dirties a page of its own and the
// commit, not the removal, is what costs: on the benchmarks' region, on 2
// loaded cores, steps of 500 took 110 ms at the median and 240 ms at
// p90, steps of 100 18–36 ms and 52–109 ms.
const PurgeLimit = 100

// PurgeCut says what a retention purge removes. Retention removes school
// years in order, so everything older than the end of the expiring year
// goes, whichever year it was left from: the audit log and the
// broadcasts' delivery counts, never purged before this existed, go with
// the year they were written in.
type PurgeCut struct {
	// Before removes the events that start before it (with their answers,
	// attendance, minutes and reminder marks), the consultations created
	// before it (with their conversations), the broadcasts created before
	// it, the audit entries written before it, the handles on sent
	// messages recorded before it, the surveys closed before it (with
	// their answers), the news, materials and register entries written
	// before it, and the marks of live views pressed before it.
	Before time.Time
	// LastYear removes the plans, reports and proposals of this school
	// year and earlier.
	LastYear int
}

// PurgeStats counts the records a purge removed.
type PurgeStats struct {
	Events        int // events, with their answers, marks, minutes and reminder marks
	Consultations int // requests, with their messages
	Documents     int // plans, reports, proposals
	Broadcasts    int
	Audit         int
	Sent          int // handles on sent messages (the registry), by when each was recorded
	Surveys       int // surveys closed before the cut, with their answers
	News          int
	Materials     int // entries of the materials bank
	Registers     int // register entries
	Records       int // all records removed, the above and what came with them
}

func (s *PurgeStats) add(o PurgeStats) {
	s.Events += o.Events
	s.Consultations += o.Consultations
	s.Documents += o.Documents
	s.Broadcasts += o.Broadcasts
	s.Audit += o.Audit
	s.Sent += o.Sent
	s.Surveys += o.Surveys
	s.News += o.News
	s.Materials += o.Materials
	s.Registers += o.Registers
	s.Records += o.Records
}

// Purge removes everything cut names, in transactions of at most limit
// records each (PurgeLimit when limit ≤ 0), until nothing is left or ctx
// ends. It is safe to stop and run again: each step removes what is still
// there, so a purge cut short by a restart finishes on the next run.
// Never call it inside a transaction.
func (db *DB) Purge(ctx context.Context, cut PurgeCut, limit int) (PurgeStats, error) {
	var total PurgeStats
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		st, more, err := db.PurgeStep(cut, limit)
		total.add(st)
		if err != nil || !more {
			return total, err
		}
	}
}

// PurgeStep removes up to limit records that cut names (PurgeLimit when
// limit ≤ 0) in one write transaction, and reports whether any remain.
// Each kind of record is found through its time index, so a step reads
// only what it removes.
func (db *DB) PurgeStep(cut PurgeCut, limit int) (st PurgeStats, more bool, err error) {
	return db.PurgeStepFor(cut, limit, 0)
}

// PurgeStepFor is PurgeStep that also stops removing once d went into
// the step (no limit when d ≤ 0): how long a removal takes depends on
// where the records lie and on the machine's load, and the step holds
// every other writer meanwhile. The commit comes on top, so d is best
// well under the longest write transaction wanted.
func (db *DB) PurgeStepFor(cut PurgeCut, limit int, d time.Duration) (st PurgeStats, more bool, err error) {
	if limit <= 0 {
		limit = PurgeLimit
	}
	err = db.update(func(btx *bolt.Tx) error {
		tx := db.newTx(btx)
		st, more = PurgeStats{}, false
		budget := &purgeBudget{n: limit, limit: limit}
		if d > 0 {
			budget.until = time.Now().Add(d)
		}
		for _, step := range []func(*Tx, PurgeCut, *purgeBudget, *PurgeStats) (bool, error){
			purgeEvents, purgeConsultations, purgeDocuments, purgeBroadcasts, purgeAudit, purgeSent,
			purgeSurveys, purgeNews, purgeMaterials, purgeRegisters, purgeLiveViews,
		} {
			left, err := step(tx, cut, budget, &st)
			if err != nil {
				return err
			}
			if left {
				more = true
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return PurgeStats{}, false, fmt.Errorf("purge: %w", err)
	}
	return st, more, nil
}

// purgeBudget is what a purge step may still remove: n records of
// limit, and nothing more once until passed (never, when zero) and at
// least one record went, so that every step gets on.
type purgeBudget struct {
	n, limit int
	until    time.Time
}

// out reports whether the budget is spent.
func (b *purgeBudget) out() bool {
	return b.n <= 0 || b.n < b.limit && !b.until.IsZero() && time.Now().After(b.until)
}

// chunk is how many records a removal that does not look at the clock
// may take (an event's answers and marks): all of n without a time
// limit, else a few, so that the clock is looked at often.
func (b *purgeBudget) chunk() int {
	if b.until.IsZero() {
		return b.n
	}
	return min(b.n, 16)
}

// Each purge step below removes what it can within the budget and reports
// whether anything of its kind is left.

func purgeEvents(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	end := unixKey(cut.Before)
	c := tx.tx.Bucket(bucketEventsByStart).Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.First() {
		if budget.out() {
			return true, nil
		}
		want, id := budget.chunk(), btoi(k[8:])
		n, err := tx.purgeEvent(id, want)
		if err != nil {
			return false, err
		}
		budget.n -= n
		st.Records += n
		if n >= want {
			// The chunk ran out, perhaps exactly on the event itself:
			// the loop looks at the budget, then at what is left.
			if tx.tx.Bucket(bucketEvents).Get(itob(id)) == nil {
				st.Events++
			}
			continue
		}
		st.Events++
	}
	return false, nil
}

func purgeConsultations(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	end := unixKey(cut.Before)
	msgs := tx.tx.Bucket(bucketConsultMessages)
	c := tx.tx.Bucket(bucketConsultsByTime).Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.First() {
		id := append([]byte(nil), k[8:16]...)
		mc := msgs.Cursor()
		for mk, _ := mc.Seek(id); mk != nil && bytes.HasPrefix(mk, id); mk, _ = mc.Seek(id) {
			if budget.out() {
				return true, nil
			}
			if err := msgs.Delete(mk); err != nil {
				return false, err
			}
			budget.n--
			st.Records++
		}
		if budget.out() {
			return true, nil
		}
		if err := tx.DeleteConsultation(btoi(id)); err != nil {
			return false, err
		}
		budget.n--
		st.Records++
		st.Consultations++
	}
	return false, nil
}

func purgeDocuments(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	// Plans and reports through the documents index, a range per kind.
	docs := tx.tx.Bucket(bucketDocuments)
	for _, x := range []struct {
		kind   byte
		bucket []byte
	}{{'p', bucketPlans}, {'r', bucketReports}} {
		records := tx.tx.Bucket(x.bucket)
		end := docKey(x.kind, cut.LastYear+1, 0)
		c := docs.Cursor()
		for k, _ := c.Seek([]byte{x.kind}); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Seek([]byte{x.kind}) {
			if budget.out() {
				return true, nil
			}
			k = append([]byte(nil), k...)
			year := int(binary.BigEndian.Uint32(k[1:5]))
			if err := records.Delete(yearKey(btoi(k[5:]), year)); err != nil {
				return false, err
			}
			if err := docs.Delete(k); err != nil {
				return false, err
			}
			budget.n--
			st.Records++
			st.Documents++
		}
	}
	// Proposals, keyed by association then year: a skip scan that reads
	// the first key of each association and jumps to the next one.
	props := tx.tx.Bucket(bucketProposals)
	c := props.Cursor()
	for k, _ := c.First(); k != nil; {
		aid := btoi(k[:8])
		if int(binary.BigEndian.Uint32(k[8:12])) > cut.LastYear {
			k, _ = c.Seek(itob(aid + 1))
			continue
		}
		if budget.out() {
			return true, nil
		}
		if err := props.Delete(append([]byte(nil), k...)); err != nil {
			return false, err
		}
		budget.n--
		st.Records++
		st.Documents++
		k, _ = c.Seek(itob(aid))
	}
	return false, nil
}

func purgeBroadcasts(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	end := unixKey(cut.Before)
	idx := tx.tx.Bucket(bucketBroadcastsByTime)
	records := tx.tx.Bucket(bucketBroadcasts)
	c := idx.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, _ = c.First() {
		if budget.out() {
			return true, nil
		}
		k = append([]byte(nil), k...)
		if err := records.Delete(k[8:16]); err != nil {
			return false, err
		}
		if err := idx.Delete(k); err != nil {
			return false, err
		}
		budget.n--
		st.Records++
		st.Broadcasts++
	}
	return false, nil
}

func purgeAudit(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	end := itob(uint64(cut.Before.UnixNano()))
	audit := tx.tx.Bucket(bucketAudit)
	byAssoc := tx.tx.Bucket(bucketAuditByAssoc)
	c := audit.Cursor()
	for k, v := c.First(); k != nil && bytes.Compare(k[:8], end) < 0; k, v = c.First() {
		if budget.out() {
			return true, nil
		}
		var e AuditEntry
		if err := tx.decode(v, &e); err != nil {
			return false, fmt.Errorf("decode audit entry %x: %w", k, err)
		}
		key := append([]byte(nil), k...)
		if e.Association != 0 {
			if err := byAssoc.Delete(append(itob(e.Association), key...)); err != nil {
				return false, err
			}
		}
		if err := audit.Delete(key); err != nil {
			return false, err
		}
		budget.n--
		st.Records++
		st.Audit++
	}
	return false, nil
}
