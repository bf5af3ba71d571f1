package telegram

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// TestPacerSpreadsABurstFromIdle: of a burst booked at once on an idle
// pacer, the first few go at once and the rest one interval apart, so
// the window's permits are not all taken in its first moment. Permits
// back from a message of the last window are not spread: at the full
// rate that would lose turns.
func TestPacerSpreadsABurstFromIdle(t *testing.T) {
	var trips roundTrips
	var p pacer
	p.init(30, &trips)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 29 {
		want := t0
		if i >= spreadBurst {
			want = t0.Add(time.Duration(i-spreadBurst+1) * p.interval)
		}
		if at := p.book(t0); !at.Equal(want) {
			t.Fatalf("turn %d at %v, want %v", i, at.Sub(t0), want.Sub(t0))
		}
	}
	// The latest turn given back gives back its place in the spreading
	// too: the last idle permit takes it.
	last := t0.Add(time.Duration(29-spreadBurst) * p.interval)
	p.cancel(last)
	if at := p.book(t0); !at.Equal(last) {
		t.Errorf("the turn after a cancel at %v, want %v", at.Sub(t0), last.Sub(t0))
	}
	if at := p.book(t0); !at.Equal(last) {
		t.Errorf("the permit given back at %v, want %v", at.Sub(t0), last.Sub(t0))
	}
	// Answered: each permit is free a window later. Taken as soon as
	// they are free, they are taken at once, all of them.
	for range 30 {
		p.done(t0.Add(10 * time.Millisecond))
	}
	back := t0.Add(10*time.Millisecond + p.window + paceMargin)
	for i := range 30 {
		if at := p.book(back); !at.Equal(back) {
			t.Fatalf("at the full rate, turn %d at %v, want now", i, at.Sub(back))
		}
	}
	// Idle for over a window: a burst is spread again.
	for range 30 {
		p.done(back)
	}
	idle := back.Add(3 * time.Second)
	for i := range spreadBurst + 1 {
		want := idle
		if i == spreadBurst {
			want = idle.Add(p.interval)
		}
		if at := p.book(idle); !at.Equal(want) {
			t.Errorf("after a pause, turn %d at %v, want %v", i, at.Sub(idle), want.Sub(idle))
		}
	}
}

// TestReplyOvertakesABroadcastFromIdle: a leader publishes an event to
// 60 members at Telegram's real rate, and a teacher asks for /help as the
// announcement starts going out. The reply goes first among what waits,
// and the announcement's first messages have not taken the window's 30
// permits: the teacher is answered after a few of them, not after the
// 30 that fit in the window, which would mean a second's wait.
func TestReplyOvertakesABroadcastFromIdle(t *testing.T) {
	const members = 60
	srv := telegramtest.NewServer(t)
	srv.EnforceLimits(telegramtest.Limits{Global: 30, PerChat: 1, PerChatBurst: 3, Edits: true})
	path := filepath.Join(t.TempDir(), "mmo.db")
	leaderID, eventID := seedAssociation(t, path, members, time.Now().Add(72*time.Hour))
	for id := int64(2); id <= members+1; id++ {
		srv.NewUser(id, "U", "ru")
	}
	leader := srv.NewUser(leaderID, "L", "ru")
	teacher := srv.NewUser(5000, "T", "ru")
	opt := testOptions(srv)
	opt.Limits = Limits{Global: 30, Private: 1, PrivateBurst: 3, GroupPerMinute: 20}
	tb := startBot(t, srv, path, opt, nil)
	publish(t, tb.bot, leader, eventID)

	deadline := time.Now().Add(30 * time.Second)
	for srv.Stats().ByMethod["sendMessage"] == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the announcement did not start")
		}
		time.Sleep(time.Millisecond)
	}
	teacher.Send("/help")
	if m := teacher.Next(t); !strings.Contains(m.Text, "/") {
		t.Fatalf("the teacher got %q, want the help", m.Text)
	}
	// The announcement's messages to members (chats 2..members+1) that
	// went before the reply, and when its first and 20th went.
	const kth = 20
	var before int
	var first, kthAt time.Time
	for kthAt.IsZero() {
		if time.Now().After(deadline) {
			t.Fatalf("the announcement's first %d messages did not go", kth)
		}
		time.Sleep(10 * time.Millisecond)
		before, first, kthAt = 0, time.Time{}, time.Time{}
		count, replied := 0, false
		for _, r := range srv.Requests() {
			if r.Method != "sendMessage" || r.Status != 200 {
				continue
			}
			chat, _ := strconv.ParseInt(r.Params.Get("chat_id"), 10, 64)
			switch {
			case chat == teacher.ID:
				replied = true
			case chat >= 2 && chat <= members+1:
				count++
				if !replied {
					before++
				}
				if count == 1 {
					first = r.At
				}
				if count == kth {
					kthAt = r.At
				}
			}
		}
	}
	t.Logf("%d messages of the announcement went before the reply; its %dth %v after its first", before, kth, kthAt.Sub(first))
	if before >= 30 {
		t.Errorf("the reply went after %d messages of the announcement: the burst took the window's permits", before)
	}
	// Spread, all but the first few go one interval apart (the leader's
	// own messages among them only push the members' later); a slower
	// machine only spreads them more.
	if gap, want := kthAt.Sub(first), time.Duration(kth-spreadBurst)*time.Second/30; gap < want {
		t.Errorf("the announcement's %dth message went %v after its first, want at least %v", kth, gap, want)
	}
	if n := srv.Stats().TooMany; n != 0 {
		t.Errorf("%d answers 429", n)
	}
}
