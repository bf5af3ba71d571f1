package telegram

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// seedAssociation stores an association with a leader and n members and
// a draft event, as the bot would have them.
func seedAssociation(t testing.TB, path string, n int, start time.Time) (leaderID int64, eventID uint64) {
	t.Helper()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	leaderID = 1
	err = db.Update(func(tx *boltdb.Tx) error {
		a := &mmo.Association{Name: "ММО", Subject: "математика", Policy: mmo.PolicyOpen}
		if err := tx.CreateAssociation(a); err != nil {
			return err
		}
		for id := int64(1); id <= int64(n)+1; id++ {
			u := &mmo.User{ID: id, Accounts: tgAccount(id), Name: fmt.Sprintf("Участник Номер %d", id), School: "Школа", Position: "учитель", RegisteredAt: now, ConsentAt: now}
			if err := tx.PutUser(u); err != nil {
				return err
			}
			if err := tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: id, State: mmo.MemberActive, JoinedAt: now}); err != nil {
				return err
			}
		}
		if err := tx.SetLeader(a.ID, leaderID); err != nil {
			return err
		}
		e := &mmo.Event{AssociationID: a.ID, Format: mmo.FormatSeminar, Topic: "Тема", Start: start, Duration: time.Hour, Place: "Школа № 1", State: mmo.EventDraft, CreatedBy: leaderID}
		if err := tx.CreateEvent(e); err != nil {
			return err
		}
		eventID = e.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return leaderID, eventID
}

// publish presses the publish button of an event as its leader would.
func publish(t testing.TB, b *Bot, leader *telegramtest.User, eventID uint64) {
	data, err := b.codec.encode(leader.ID, "ep", strconv.FormatUint(eventID, 10)) // chat's verbEventPublish
	if err != nil {
		t.Fatal(err)
	}
	leader.PressData(1, data)
}

// TestBroadcastSurvivesACrash kills the sender in the middle of a
// broadcast to 500 members and restarts it: nobody is skipped, and no more
// are messaged twice than were in flight at the crash.
func TestBroadcastSurvivesACrash(t *testing.T) {
	const members = 500
	srv := telegramtest.NewServer(t)
	srv.SetWaitTimeout(60 * time.Second)
	path := filepath.Join(t.TempDir(), "mmo.db")
	leaderID, eventID := seedAssociation(t, path, members, time.Now().Add(72*time.Hour))
	users := make([]*telegramtest.User, members+2)
	for id := int64(1); id <= members+1; id++ {
		users[id] = srv.NewUser(id, "U", "ru")
	}
	opt := testOptions(srv)
	opt.Limits = Limits{Global: 1000, Private: 1000, PrivateBurst: 10, GroupPerMinute: 1000}
	first := startBot(t, srv, path, opt, nil)
	publish(t, first.bot, users[leaderID], eventID)

	// Let about a fifth go out, then die.
	deadline := time.Now().Add(30 * time.Second)
	for srv.Stats().ByMethod["sendMessage"] < members/5 {
		if time.Now().After(deadline) {
			t.Fatal("the broadcast did not start")
		}
		time.Sleep(2 * time.Millisecond)
	}
	first.bot.out.Dead.Store(true)
	window := first.bot.out.Parallel
	first.stop()
	sentBefore := srv.Stats().ByMethod["sendMessage"]
	if sentBefore >= members {
		t.Fatalf("everything was sent before the crash (%d); the test tests nothing", sentBefore)
	}

	second := startBot(t, srv, path, opt, nil)
	for time.Now().Before(deadline) {
		missing := 0
		for id := int64(2); id <= members+1; id++ {
			if len(users[id].Messages()) == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The server hears the last sends before the bot has recorded them:
	// wait for the outbox, not for the server's quiet.
	for n, _ := second.db.OutboxLen(); n > 0 && time.Now().Before(deadline); n, _ = second.db.OutboxLen() {
		time.Sleep(20 * time.Millisecond)
	}
	srv.Settle(t)
	lost, dup := 0, 0
	for id := int64(2); id <= members+1; id++ {
		switch n := len(users[id].Messages()); {
		case n == 0:
			lost++
		case n > 1:
			dup++
		}
	}
	t.Logf("sent before the crash: %d; after the restart every member has it; duplicates: %d (window %d)", sentBefore, dup, window)
	if lost != 0 {
		t.Errorf("%d members never got the announcement", lost)
	}
	if dup > window {
		t.Errorf("%d members got it twice, more than the %d that can be in flight", dup, window)
	}
	var bc *boltdb.Broadcast
	second.db.View(func(tx *boltdb.Tx) error {
		e, _ := tx.Event(eventID)
		bc, _ = tx.Broadcast(e.Announcement)
		return nil
	})
	if bc == nil || bc.Total != members || bc.Pending() != 0 || bc.Delivered < members-dup {
		t.Errorf("broadcast counts %+v", bc)
	}
}

// TestThreeHundredCheckInsInAMinute has 300 members type the code at once,
// and again: every one is recorded, and each member's answers come in the
// order of their messages.
func TestThreeHundredCheckInsInAMinute(t *testing.T) {
	const members = 300
	srv := telegramtest.NewServer(t)
	srv.SetWaitTimeout(60 * time.Second)
	path := filepath.Join(t.TempDir(), "mmo.db")
	_, eventID := seedAssociation(t, path, members, time.Now().Add(5*time.Minute))
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *boltdb.Tx) error {
		e, err := tx.Event(eventID)
		if err != nil {
			return err
		}
		e.State, e.Version, e.PublishedAt, e.ChangedAt = mmo.EventPublished, 1, time.Now(), time.Now()
		e.Checkin.Code, e.Checkin.Token, e.Checkin.Announced = "4321", "token", true
		return tx.PutEvent(e)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	users := make([]*telegramtest.User, members+2)
	for id := int64(2); id <= members+1; id++ {
		users[id] = srv.NewUser(id, "U", "ru")
	}
	tb := startBot(t, srv, path, testOptions(srv), nil)
	var wg sync.WaitGroup
	for id := int64(2); id <= members+1; id++ {
		wg.Add(1)
		go func(u *telegramtest.User) {
			defer wg.Done()
			u.Send("4321")
			u.Send("4321")
		}(users[id])
	}
	wg.Wait()
	for id := int64(2); id <= members+1; id++ {
		first := users[id].Next(t)
		second := users[id].Next(t)
		if !strings.Contains(first.Text, "Вы отмечены") || !strings.Contains(second.Text, "уже отметились") {
			t.Fatalf("user %d got %q then %q", id, first.Text, second.Text)
		}
	}
	present := 0
	tb.db.View(func(tx *boltdb.Tx) error {
		all, _ := tx.EventAttendance(eventID)
		for _, a := range all {
			if a.Mark == mmo.MarkPresent && a.How == mmo.HowCode {
				present++
			}
		}
		return nil
	})
	if present != members {
		t.Errorf("%d of %d check-ins recorded", present, members)
	}
}
