package main

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/mmo"
)

// answerRun is what an answer to an invitation costs the store's writer
// in the largest association: the answer's own write transaction
// (AnswerRSVP with the answerer's view, as the bot takes it), first from
// a cold page cache and then warm, against reading every member's view
// of the event, which is what drawing the leader's card reads (the bot
// does it beside the update, in a read transaction; it used to do it in
// the answer's transaction).
type answerRun struct {
	members           int
	ownCold, fullCold time.Duration
	ownWarm, fullWarm []time.Duration
}

// answerTries is how many answers (and full reads) are timed warm.
const answerTries = 5

// answerStep measures answerRun on a fresh copy of the store; the page
// cache is dropped before each cold measure where the process may (see
// dropCaches).
func answerStep(work string, fresh func() error, add func(what, figure, note string)) error {
	if err := fresh(); err != nil {
		return err
	}
	r, err := answerMeasure(work)
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	add(fmt.Sprintf("an answer to an invitation, association of %d: its write transaction, cold / warm", r.members),
		fmt.Sprintf("%v / %v–%v", ms(r.ownCold), ms(slices.Min(r.ownWarm)), ms(slices.Max(r.ownWarm))),
		fmt.Sprintf("(every member's view, which the leader's card reads beside it: %v / %v–%v)",
			ms(r.fullCold), ms(slices.Min(r.fullWarm)), ms(slices.Max(r.fullWarm))))
	return nil
}

func answerMeasure(path string) (answerRun, error) {
	var r answerRun
	loc, err := time.LoadLocation(config.Default().Timezone)
	if err != nil {
		loc = time.UTC
	}
	o := boltdb.ViewOptions{Regulation: config.Default().Regulation.Profile(), Location: loc}
	dropCaches()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: 5 * time.Second})
	if err != nil {
		return r, err
	}
	defer db.Close()
	now := time.Now()
	event, voters, err := largestEvent(db, now)
	if err != nil {
		return r, err
	}
	r.members = len(voters)
	// Each answer is another member's, as in a flurry after an
	// announcement.
	answer := func(i int) (time.Duration, error) {
		own := o
		own.Own = voters[i]
		var took time.Duration
		err := db.Batch(func(tx *boltdb.Tx) error {
			start := time.Now()
			_, d, err := tx.AnswerRSVP(event.ID, voters[i], event.Version, mmo.AnswerYes, now, own)
			took = time.Since(start)
			if err == nil && d.RSVP == nil {
				err = fmt.Errorf("the answer of %d was refused: %v", voters[i], d.Refused)
			}
			return err
		})
		return took, err
	}
	full := func() (time.Duration, error) {
		start := time.Now()
		err := db.View(func(tx *boltdb.Tx) error {
			_, err := tx.EventView(event.ID, o)
			return err
		})
		return time.Since(start), err
	}
	if r.ownCold, err = answer(0); err != nil {
		return r, err
	}
	for i := 1; i <= answerTries; i++ {
		d, err := answer(i)
		if err != nil {
			return r, err
		}
		r.ownWarm = append(r.ownWarm, d)
	}
	dropCaches()
	if r.fullCold, err = full(); err != nil {
		return r, err
	}
	for range answerTries {
		d, err := full()
		if err != nil {
			return r, err
		}
		r.fullWarm = append(r.fullWarm, d)
	}
	return r, nil
}

// largestEvent finds the association with the most active members and
// its next published event, and returns the event and the members.
func largestEvent(db *boltdb.DB, now time.Time) (*mmo.Event, []int64, error) {
	var event *mmo.Event
	var voters []int64
	err := db.View(func(tx *boltdb.Tx) error {
		as, err := tx.Associations()
		if err != nil {
			return err
		}
		var best *mmo.Association
		most := 0
		for _, a := range as {
			n, _, err := tx.CountMembers(a.ID)
			if err != nil {
				return err
			}
			if n > most {
				best, most = a, n
			}
		}
		if best == nil {
			return errors.New("no association with members")
		}
		briefs, err := tx.AssociationEventBriefs(best.ID, now, time.Time{})
		if err != nil {
			return err
		}
		for _, b := range briefs {
			if b.State == mmo.EventPublished {
				if event, err = tx.Event(b.ID); err != nil {
					return err
				}
				break
			}
		}
		if event == nil {
			return fmt.Errorf("association %d has no event ahead", best.ID)
		}
		ms, err := tx.Members(best.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.State == mmo.MemberActive && m.UserID != best.LeaderID {
				voters = append(voters, m.UserID)
			}
		}
		return nil
	})
	if err == nil && len(voters) <= answerTries {
		err = fmt.Errorf("the largest association has %d members to answer, want more than %d", len(voters), answerTries)
	}
	return event, voters, err
}
