package main

import (
	"fmt"
	"io"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// telegramLimit is Telegram's broadcast limit, messages per second.
const telegramLimit = 30

// broadcastResult is what a broadcast run measured.
type broadcastResult struct {
	members         int
	elapsed         time.Duration
	rate            float64
	tooMany         int
	lost, duplicate int
}

func (r broadcastResult) print(w io.Writer) {
	fmt.Fprintf(w, "broadcast of one announcement to %d members; the server answers 429 beyond %d msg/s overall or 1 msg/s per chat\n\n", r.members, telegramLimit)
	fmt.Fprintf(w, "  elapsed            %v\n", r.elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  messages/s         %.2f\n", r.rate)
	fmt.Fprintf(w, "  ratio to 30/s      %.3f\n", r.rate/telegramLimit)
	fmt.Fprintf(w, "  429s received     %d\n", r.tooMany)
	fmt.Fprintf(w, "  lost               %d\n", r.lost)
	fmt.Fprintf(w, "  duplicated         %d\n", r.duplicate)
}

// runBroadcast seeds an association with members and a draft event, and
// has its leader publish it through the chat, as in real use.
func runBroadcast(members int) (broadcastResult, error) {
	db, closeDB, err := tempDB()
	if err != nil {
		return broadcastResult{}, err
	}
	defer closeDB()
	const leaderID = 1
	now := time.Now()
	err = db.Update(func(tx *boltdb.Tx) error {
		a := &mmo.Association{Name: "ММО учителей математики", Subject: "математика", Policy: mmo.PolicyOpen}
		if err := tx.CreateAssociation(a); err != nil {
			return err
		}
		for id := int64(leaderID); id <= int64(members)+leaderID; id++ {
			if err := tx.PutUser(registeredUser(id, now)); err != nil {
				return err
			}
			if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: id, State: mmo.MemberActive, JoinedAt: now}); err != nil {
				return err
			}
		}
		if err := tx.SetLeader(a.ID, leaderID); err != nil {
			return err
		}
		return tx.CreateEvent(&mmo.Event{AssociationID: a.ID, Format: mmo.FormatMeeting, Topic: "Итоги полугодия",
			Start: now.Add(72 * time.Hour), Duration: 90 * time.Minute, Place: "МБОУ СОШ № 5", State: mmo.EventDraft, CreatedBy: leaderID})
	})
	if err != nil {
		return broadcastResult{}, err
	}
	srv := telegramtest.Start(telegramtest.Options{})
	defer srv.Close()
	srv.SetWaitTimeout(30 * time.Second)
	srv.EnforceLimits(telegramtest.Limits{Global: telegramLimit, PerChat: 1, GroupPerMinute: 20})
	users := make([]*telegramtest.User, members+leaderID+1)
	for id := leaderID; id <= members+leaderID; id++ {
		users[id] = srv.NewUser(int64(id), "U", "ru")
	}
	// The defaults of the config: Telegram's limits.
	stop, err := startBot(db, srv, 64, telegram.Limits{Global: telegramLimit, Private: 1, PrivateBurst: 3, GroupPerMinute: 20})
	if err != nil {
		return broadcastResult{}, err
	}
	defer stop()

	leader := users[leaderID]
	leader.Send("/meetings")
	list, ok := leader.NextWithin(10 * time.Second)
	if !ok || len(list.Buttons()) == 0 {
		return broadcastResult{}, fmt.Errorf("no list of events: %+v", list)
	}
	if _, err := leader.Press(&list, list.Buttons()[0].Text); err != nil {
		return broadcastResult{}, err
	}
	card, ok := leader.NextWithin(10 * time.Second)
	if !ok {
		return broadcastResult{}, fmt.Errorf("no event card")
	}
	srv.SettleWithin(10 * time.Second)
	before := srv.Stats()
	start := time.Now()
	if _, err := leader.Press(&card, "📣 Опубликовать"); err != nil {
		return broadcastResult{}, err
	}
	// Wait until every member has the announcement (or nothing moves).
	deadline := time.Now().Add(time.Duration(members)*time.Second/10 + 60*time.Second)
	for time.Now().Before(deadline) {
		got := 0
		for id := leaderID + 1; id <= members+leaderID; id++ {
			if len(users[id].Messages()) > 0 {
				got++
			}
		}
		if got == members {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	srv.SettleWithin(5 * time.Second)
	res := broadcastResult{members: members, tooMany: srv.Stats().TooMany - before.TooMany}
	for id := leaderID + 1; id <= members+leaderID; id++ {
		switch n := len(users[id].Messages()); {
		case n == 0:
			res.lost++
		case n > 1:
			res.duplicate++
		}
	}
	// The rate is measured between the first and the last message the
	// server accepted, which is what the limit is about.
	var first, final time.Time
	for _, r := range srv.Requests() {
		if r.Method != "sendMessage" || r.Status != 200 || r.At.Before(start) {
			continue
		}
		if first.IsZero() {
			first = r.At
		}
		final = r.At
	}
	res.elapsed = elapsed
	if span := final.Sub(first); span > 0 {
		res.rate = float64(members-1) / span.Seconds()
	}
	return res, nil
}
