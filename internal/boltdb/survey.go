package boltdb

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// The survey buckets (migration "create surveys"):
//
//	surveys          survey id (8) → JSON mmo.Survey
//	survey_answers   survey id (8) + user id (8) → JSON mmo.SurveyResponse: a named survey's
//	                 answers, and an anonymous one's while it is being filled
//	survey_anon      survey id (8) + 8 random bytes → JSON mmo.SurveyResponse without a user
//	                 or a time: an anonymous survey's answers, apart from who gave them
//	survey_done      survey id (8) + user id (8) → empty: who finished (for the reminder)
//	surveys_open     survey id (8) → empty: the surveys not closed, so that the due scan
//	                 reads those alone and not every survey ever made
var (
	bucketSurveys       = []byte("surveys")
	bucketSurveyAnswers = []byte("survey_answers")
	bucketSurveyAnon    = []byte("survey_anon")
	bucketSurveyDone    = []byte("survey_done")
	bucketSurveysOpen   = []byte("surveys_open")
)

func migrateSurveys(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketSurveys, bucketSurveyAnswers, bucketSurveyAnon, bucketSurveyDone, bucketSurveysOpen} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func surveyKey(sid uint64, uid int64) []byte { return append(itob(sid), itob(uint64(uid))...) }

// CreateSurvey stores a new survey and sets its ID.
func (tx *Tx) CreateSurvey(s *mmo.Survey) error {
	b := tx.tx.Bucket(bucketSurveys)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	s.ID = seq
	return tx.PutSurvey(s)
}

// Survey returns a survey, or mmo.ErrNotFound.
func (tx *Tx) Survey(id uint64) (*mmo.Survey, error) {
	var s mmo.Survey
	if err := tx.getJSON(tx.tx.Bucket(bucketSurveys), itob(id), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// PutSurvey saves a survey, and keeps it among the open ones until it is
// closed.
func (tx *Tx) PutSurvey(s *mmo.Survey) error {
	open := tx.tx.Bucket(bucketSurveysOpen)
	var err error
	if s.Closed {
		err = open.Delete(itob(s.ID))
	} else {
		err = open.Put(itob(s.ID), nil)
	}
	if err != nil {
		return err
	}
	return putJSON(tx.tx.Bucket(bucketSurveys), itob(s.ID), s)
}

// OpenSurveys calls fn for every survey not closed, oldest first, until
// fn returns false; closed surveys are not read.
func (tx *Tx) OpenSurveys(fn func(*mmo.Survey) bool) error {
	all := tx.tx.Bucket(bucketSurveys)
	c := tx.tx.Bucket(bucketSurveysOpen).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		var s mmo.Survey
		if err := tx.getJSON(all, k, &s); err != nil {
			return fmt.Errorf("load survey %d: %w", btoi(k), err)
		}
		if !fn(&s) {
			return nil
		}
	}
	return nil
}

// Surveys calls fn for every survey, oldest first, until fn returns false.
func (tx *Tx) Surveys(fn func(*mmo.Survey) bool) error {
	c := tx.tx.Bucket(bucketSurveys).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var s mmo.Survey
		if err := tx.decode(v, &s); err != nil {
			return fmt.Errorf("decode survey %d: %w", btoi(k), err)
		}
		if !fn(&s) {
			return nil
		}
	}
	return nil
}

// SurveyResponse returns a person's answers kept with their id (a named
// survey's, or an anonymous one's being filled), or mmo.ErrNotFound.
func (tx *Tx) SurveyResponse(sid uint64, uid int64) (*mmo.SurveyResponse, error) {
	var p mmo.SurveyResponse
	if err := tx.getJSON(tx.tx.Bucket(bucketSurveyAnswers), surveyKey(sid, uid), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// PutSurveyResponse saves a person's answers with their id, and marks
// them finished when they are.
func (tx *Tx) PutSurveyResponse(p *mmo.SurveyResponse) error {
	k := surveyKey(p.SurveyID, p.UserID)
	if err := putJSON(tx.tx.Bucket(bucketSurveyAnswers), k, p); err != nil {
		return err
	}
	if p.Done {
		return tx.tx.Bucket(bucketSurveyDone).Put(k, nil)
	}
	return nil
}

// FinishAnonymous files a finished anonymous response apart from its
// author: the answers go under a random key, without the person or a
// time, the copy kept with their id is removed, and only that they
// finished is recorded.
func (tx *Tx) FinishAnonymous(p *mmo.SurveyResponse) error {
	uid := p.UserID
	if err := tx.putAnonymous(p); err != nil {
		return err
	}
	k := surveyKey(p.SurveyID, uid)
	if err := tx.tx.Bucket(bucketSurveyAnswers).Delete(k); err != nil {
		return err
	}
	return tx.tx.Bucket(bucketSurveyDone).Put(k, nil)
}

func (tx *Tx) putAnonymous(p *mmo.SurveyResponse) error {
	q := *p
	q.UserID, q.UpdatedAt = 0, time.Time{} // no time either: it could tell who
	r := make([]byte, 8)
	if _, err := rand.Read(r); err != nil {
		return fmt.Errorf("anonymous key: %w", err)
	}
	return putJSON(tx.tx.Bucket(bucketSurveyAnon), append(itob(p.SurveyID), r...), &q)
}

// CloseAnonymous moves the unfinished answers of an anonymous survey
// apart from their authors, once its deadline passed: they still count,
// and nothing links them to anyone any more.
func (tx *Tx) CloseAnonymous(sid uint64) error {
	prefix := itob(sid)
	b := tx.tx.Bucket(bucketSurveyAnswers)
	var keys [][]byte
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var p mmo.SurveyResponse
		if err := tx.decode(v, &p); err != nil {
			return fmt.Errorf("decode survey response %x: %w", k, err)
		}
		if err := tx.putAnonymous(&p); err != nil {
			return err
		}
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// SurveyFinished reports whether a person finished a survey.
func (tx *Tx) SurveyFinished(sid uint64, uid int64) bool {
	return tx.tx.Bucket(bucketSurveyDone).Get(surveyKey(sid, uid)) != nil
}

// SurveyResponses returns every response to a survey: those kept with
// their person first, by person, then the anonymous ones.
func (tx *Tx) SurveyResponses(sid uint64) ([]*mmo.SurveyResponse, error) {
	var out []*mmo.SurveyResponse
	prefix := itob(sid)
	for _, name := range [][]byte{bucketSurveyAnswers, bucketSurveyAnon} {
		c := tx.tx.Bucket(name).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var p mmo.SurveyResponse
			if err := tx.decode(v, &p); err != nil {
				return nil, fmt.Errorf("decode survey response %x: %w", k, err)
			}
			out = append(out, &p)
		}
	}
	return out, nil
}
