package boltdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

func yearKey(aid uint64, year int) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint64(k, aid)
	binary.BigEndian.PutUint32(k[8:], uint32(year))
	return k
}

// Plan returns an association's work plan for a school year, or
// mmo.ErrNotFound.
func (tx *Tx) Plan(aid uint64, year int) (*mmo.Plan, error) {
	var p mmo.Plan
	if err := tx.getJSON(tx.tx.Bucket(bucketPlans), yearKey(aid, year), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// PutPlan saves a work plan, stamping UpdatedAt.
func (tx *Tx) PutPlan(p *mmo.Plan) error {
	p.UpdatedAt = tx.now
	if err := tx.tx.Bucket(bucketDocuments).Put(docKey('p', p.Year, p.AssociationID), []byte(p.Status)); err != nil {
		return err
	}
	return putJSON(tx.tx.Bucket(bucketPlans), yearKey(p.AssociationID, p.Year), p)
}

// Report returns an association's annual report for a school year, or
// mmo.ErrNotFound.
func (tx *Tx) Report(aid uint64, year int) (*mmo.Report, error) {
	var r mmo.Report
	if err := tx.getJSON(tx.tx.Bucket(bucketReports), yearKey(aid, year), &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// PutReport saves an annual report, stamping UpdatedAt.
func (tx *Tx) PutReport(r *mmo.Report) error {
	r.UpdatedAt = tx.now
	if err := tx.tx.Bucket(bucketDocuments).Put(docKey('r', r.Year, r.AssociationID), []byte(r.Status)); err != nil {
		return err
	}
	return putJSON(tx.tx.Bucket(bucketReports), yearKey(r.AssociationID, r.Year), r)
}

// DeleteYearDocs removes an association's plan, report and proposals of a
// school year (retention).
func (tx *Tx) DeleteYearDocs(aid uint64, year int) error {
	k := yearKey(aid, year)
	if err := tx.tx.Bucket(bucketPlans).Delete(k); err != nil {
		return err
	}
	if err := tx.tx.Bucket(bucketReports).Delete(k); err != nil {
		return err
	}
	for _, kind := range []byte{'p', 'r'} {
		if err := tx.tx.Bucket(bucketDocuments).Delete(docKey(kind, year, aid)); err != nil {
			return err
		}
	}
	b := tx.tx.Bucket(bucketProposals)
	c := b.Cursor()
	for key, _ := c.Seek(k); key != nil && bytes.HasPrefix(key, k); key, _ = c.Seek(k) {
		if err := b.Delete(key); err != nil {
			return err
		}
	}
	return nil
}

// AddProposal stores a member's proposal for a plan and sets its ID.
func (tx *Tx) AddProposal(p *mmo.Proposal) error {
	b := tx.tx.Bucket(bucketProposals)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	p.ID = seq
	return putJSON(b, append(yearKey(p.AssociationID, p.Year), itob(seq)...), p)
}

// PutProposal saves a proposal's state.
func (tx *Tx) PutProposal(p *mmo.Proposal) error {
	return putJSON(tx.tx.Bucket(bucketProposals), append(yearKey(p.AssociationID, p.Year), itob(p.ID)...), p)
}

// Proposals returns the proposals for an association's plan of a year.
func (tx *Tx) Proposals(aid uint64, year int) ([]*mmo.Proposal, error) {
	var out []*mmo.Proposal
	prefix := yearKey(aid, year)
	c := tx.tx.Bucket(bucketProposals).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var p mmo.Proposal
		if err := tx.decode(v, &p); err != nil {
			return nil, fmt.Errorf("decode proposal: %w", err)
		}
		out = append(out, &p)
	}
	return out, nil
}

// Marked reports whether something was done once already: a deadline
// reminder, a day's digest, a retention warning. Keys name the reason and
// the day, so nothing is done twice for the same day and reason.
func (tx *Tx) Marked(key string) bool {
	return tx.tx.Bucket(bucketMarks).Get([]byte(key)) != nil
}

// Mark records that something was done, in the transaction that queues it.
func (tx *Tx) Mark(key string) error {
	return tx.tx.Bucket(bucketMarks).Put([]byte(key), itob(uint64(tx.now.Unix())))
}

// NextRecordNumber returns the next number of an issued document (a
// participation record): one sequence for the whole bot, so two records
// never share a number.
func (tx *Tx) NextRecordNumber() (uint64, error) {
	return tx.tx.Bucket(bucketMarks).NextSequence()
}

// LastMarkedAt returns when the last mark (in key order) whose key begins
// with prefix was made, and whether there is one: with dates in the keys,
// the latest day's.
func (tx *Tx) LastMarkedAt(prefix string) (time.Time, bool) {
	c := tx.tx.Bucket(bucketMarks).Cursor()
	k, v := c.Seek(append([]byte(prefix), 0xff))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, []byte(prefix)) || len(v) != 8 {
		return time.Time{}, false
	}
	return time.Unix(int64(btoi(v)), 0), true
}

// MarkedAt returns when something was marked done (see Mark), and
// whether it was.
func (tx *Tx) MarkedAt(key string) (time.Time, bool) {
	v := tx.tx.Bucket(bucketMarks).Get([]byte(key))
	if len(v) != 8 {
		return time.Time{}, v != nil
	}
	return time.Unix(int64(btoi(v)), 0).UTC(), true
}
