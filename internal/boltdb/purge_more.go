package boltdb

import (
	"bytes"
	"fmt"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Surveys, news, materials and register entries are keyed by a sequence,
// so their keys go in the order they were created: retention removes
// them from the first key on, while the first is older than the cut, and
// reads nothing past the first record it keeps. A record kept (a survey
// still open past the cut) keeps the later ones too, until a later
// purge: nothing younger than the cut is ever removed.

// purgeOldest removes the records of bucket from the first on while old
// says the first is past the cut. with, when set, first removes what
// belongs to the record (a survey's answers), within the budget, and says
// whether it finished.
func purgeOldest(tx *Tx, bucket []byte, budget *purgeBudget, st *PurgeStats, count *int,
	old func(v []byte) (bool, error), with func(id []byte) (bool, error)) (bool, error) {
	b := tx.tx.Bucket(bucket)
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.First() {
		if budget.out() {
			return true, nil
		}
		gone, err := old(v)
		if err != nil {
			return false, fmt.Errorf("%s %x: %w", bucket, k, err)
		}
		if !gone {
			return false, nil
		}
		k = bytes.Clone(k)
		if with != nil {
			done, err := with(k)
			if err != nil || !done {
				return !done, err
			}
			if budget.out() {
				return true, nil
			}
		}
		if err := b.Delete(k); err != nil {
			return false, err
		}
		budget.n--
		st.Records++
		*count++
	}
	return false, nil
}

// deletePrefix removes the keys of bucket under prefix within the budget
// and says whether none is left.
func deletePrefix(tx *Tx, bucket, prefix []byte, budget *purgeBudget, st *PurgeStats) (bool, error) {
	b := tx.tx.Bucket(bucket)
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if budget.out() {
			return false, nil
		}
		if err := c.Delete(); err != nil {
			return false, err
		}
		budget.n--
		st.Records++
	}
	return true, nil
}

// before decodes a record and reports whether the time at says it is
// older than the cut.
func before[T any](tx *Tx, cut time.Time, at func(*T) time.Time) func(v []byte) (bool, error) {
	return func(v []byte) (bool, error) {
		var x T
		if err := tx.decode(v, &x); err != nil {
			return false, err
		}
		return at(&x).Before(cut), nil
	}
}

func purgeSurveys(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	// A survey goes once it was created and closed for answers before the
	// cut; its answers (named, anonymous) and who finished go first.
	old := before(tx, cut.Before, func(s *mmo.Survey) time.Time {
		if s.Deadline.After(s.CreatedAt) {
			return s.Deadline
		}
		return s.CreatedAt
	})
	with := func(id []byte) (bool, error) {
		for _, b := range [][]byte{bucketSurveyAnswers, bucketSurveyAnon, bucketSurveyDone} {
			if done, err := deletePrefix(tx, b, id, budget, st); err != nil || !done {
				return false, err
			}
		}
		return true, tx.tx.Bucket(bucketSurveysOpen).Delete(id)
	}
	return purgeOldest(tx, bucketSurveys, budget, st, &st.Surveys, old, with)
}

func purgeNews(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	return purgeOldest(tx, bucketNews, budget, st, &st.News, before(tx, cut.Before, func(n *mmo.News) time.Time { return n.CreatedAt }), nil)
}

func purgeMaterials(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	return purgeOldest(tx, bucketMaterials, budget, st, &st.Materials, before(tx, cut.Before, func(m *mmo.Material) time.Time { return m.CreatedAt }), nil)
}

func purgeRegisters(tx *Tx, cut PurgeCut, budget *purgeBudget, st *PurgeStats) (bool, error) {
	return purgeOldest(tx, bucketRegisters, budget, st, &st.Registers, before(tx, cut.Before, func(e *mmo.RegisterEntry) time.Time { return e.At }), nil)
}
