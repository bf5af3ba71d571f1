package boltdb

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

func TestMigrateSurveys(t *testing.T) {
	db := MustOpenDB(t)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketSurveys, bucketSurveyAnswers, bucketSurveyAnon, bucketSurveyDone} {
			if tx.Bucket(name) == nil {
				t.Errorf("no bucket %s", name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// An anonymous response, once finished or once the survey closed, is
// kept where nothing names its author: not the key, not the value, not a
// time; only that they finished stays, for the reminder.
func TestSurveyAnonymity(t *testing.T) {
	db := MustOpenDB(t)
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s := &mmo.Survey{Anonymous: true, Title: "Анкета", Questions: []mmo.Question{{Kind: mmo.QuestionText, Text: "Как?"}, {Kind: mmo.QuestionScale, Text: "Сколько?"}}}
	const alice, bob = 4242, 4343
	err := db.Update(func(tx *Tx) error {
		if err := tx.CreateSurvey(s); err != nil {
			return err
		}
		p := mmo.NewResponse(s, alice)
		p.Answers[0] = mmo.SurveyAnswer{Given: true, Text: "Хорошо"}
		p.Pos, p.UpdatedAt = 1, at
		if err := tx.PutSurveyResponse(p); err != nil {
			return err
		}
		if got, err := tx.SurveyResponse(s.ID, alice); err != nil || got.Answers[0].Text != "Хорошо" {
			t.Errorf("half-filled: %+v %v", got, err)
		}
		p.Answers[1] = mmo.SurveyAnswer{Given: true, Value: 5}
		p.Pos, p.Done = 2, true
		if err := tx.FinishAnonymous(p); err != nil {
			return err
		}
		q := mmo.NewResponse(s, bob)
		q.Answers[0] = mmo.SurveyAnswer{Given: true, Text: "Так себе"}
		q.Pos, q.UpdatedAt = 1, at
		return tx.PutSurveyResponse(q)
	})
	if err != nil {
		t.Fatal(err)
	}
	view := func() (rs []*mmo.SurveyResponse, aliceDone, bobDone bool) {
		db.View(func(tx *Tx) error {
			rs, err = tx.SurveyResponses(s.ID)
			aliceDone, bobDone = tx.SurveyFinished(s.ID, alice), tx.SurveyFinished(s.ID, bob)
			return err
		})
		return
	}
	rs, aliceDone, bobDone := view()
	if len(rs) != 2 || !aliceDone || bobDone {
		t.Fatalf("responses %d, finished %v %v", len(rs), aliceDone, bobDone)
	}
	if err := db.Update(func(tx *Tx) error { return tx.CloseAnonymous(s.ID) }); err != nil {
		t.Fatal(err)
	}
	rs, _, bobDone = view()
	if len(rs) != 2 || bobDone {
		t.Fatalf("after closing: %d responses, bob finished %v", len(rs), bobDone)
	}
	// Nothing in the answer buckets names either person.
	db.bolt.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketSurveyAnswers, bucketSurveyAnon} {
			tx.Bucket(name).ForEach(func(k, v []byte) error {
				for _, uid := range []int64{alice, bob} {
					id := make([]byte, 8)
					binary.BigEndian.PutUint64(id, uint64(uid))
					if bytes.Contains(k, id) || bytes.Contains(v, []byte("4242")) || bytes.Contains(v, []byte("4343")) {
						t.Errorf("%s: %x → %s names a person", name, k, v)
					}
				}
				if bytes.Contains(v, []byte("2026")) {
					t.Errorf("%s: %s keeps a time", name, v)
				}
				return nil
			})
		}
		if n := tx.Bucket(bucketSurveyAnswers).Stats().KeyN; n != 0 {
			t.Errorf("%d answers kept with a person", n)
		}
		return nil
	})
}
