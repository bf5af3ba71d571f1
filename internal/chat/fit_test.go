package chat

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// TestLargeViewsFitOneMessage: in an association of 600, the question
// before a nudge to everyone silent, and, once everyone answered and
// checked in, the leader's card and the check-in view, name the first
// people and count the rest, within one message, so that they can still
// be edited; the counts stay whole.
func TestLargeViewsFitOneMessage(t *testing.T) {
	m := newMemory(t, nil)
	const n = 600
	members := memberIDs(n)
	_, eventID := m.seedMeeting(301, members...)
	leader := m.person(301, "Ольга")
	card := openDraftCard(leader)
	leader.press(card, "Опубликовать")
	card = leader.next(fmt.Sprintf("Ответили 0 из %d", n))
	// A nudge to the silent asks first, naming them.
	leader.press(card, "Напомнить")
	confirm := leader.next(fmt.Sprintf("Напомнить %d участникам", n))
	if l := textLen(confirm.Text); l > memTransport.MaxText || !strings.Contains(confirm.Text, "участников\n") {
		t.Errorf("the nudge's question is %d long (limit %d), or does not count the rest:\n%s", l, memTransport.MaxText, confirm.Text)
	}
	seed := func(put func(tx *boltdb.Tx, uid int64, at time.Time) error) {
		t.Helper()
		at := m.clock.Now()
		if err := m.db.Update(func(tx *boltdb.Tx) error {
			for _, uid := range members {
				if err := put(tx, uid, at); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	seed(func(tx *boltdb.Tx, uid int64, at time.Time) error {
		return tx.PutRSVP(&mmo.RSVP{EventID: eventID, UserID: uid, Answer: mmo.AnswerYes, Version: 1, At: at})
	})
	leader.press(card, "Обновить")
	card = leader.next(fmt.Sprintf("Ответили %d из %d: ✅ %d", n, n, n))
	if l := textLen(card.Text); l > memTransport.MaxText {
		t.Errorf("the card is %d long, over the limit of %d", l, memTransport.MaxText)
	}
	if !strings.Contains(card.Text, "Антонова А. А., ") || !strings.Contains(card.Text, "участников") {
		t.Errorf("the card does not name the first and count the rest:\n%s", card.Text)
	}

	m.clock.Add(7 * 24 * time.Hour)
	seed(func(tx *boltdb.Tx, uid int64, at time.Time) error {
		return tx.PutAttendance(&mmo.Attendance{EventID: eventID, UserID: uid, Mark: mmo.MarkPresent, How: mmo.HowCode, At: at})
	})
	leader.press(card, "Отметка присутствующих")
	view := leader.next(fmt.Sprintf("Отметились: %d из %d", n, n))
	if l := textLen(view.Text); l > memTransport.MaxText {
		t.Errorf("the check-in view is %d long, over the limit of %d", l, memTransport.MaxText)
	}
	if !strings.Contains(view.Text, "1. Антонова А. А. — 12:00, код") || !strings.Contains(view.Text, "участников") {
		t.Errorf("the check-in view does not list the first and count the rest:\n%s", view.Text)
	}
	t.Logf("card: %d, check-in view: %d of %d", textLen(card.Text), textLen(view.Text), memTransport.MaxText)
}

// TestFitNames: the most names that fit, all when they do.
func TestFitNames(t *testing.T) {
	names := strings.Split(strings.Repeat("Иванова И. И.,", 400), ",")
	draw := func(n int) string {
		shown, more := firstNames(names, n)
		return strings.Join(shown, ", ") + fmt.Sprintf(" +%d", more)
	}
	for _, tc := range []struct {
		max  int
		want string
	}{
		{100000, " +0"},
		{4096, " +201"}, // 200 names
		{1500, " +351"}, // 50: 100 need 1,500 and more
		{200, " +391"},  // 10
		{10, " +401"},   // none, over the limit still
	} {
		got := fitNames(tc.max, draw)
		if !strings.HasSuffix(got, tc.want) {
			t.Errorf("max %d: %q…, want it to end in %q", tc.max, got[max(0, len(got)-20):], tc.want)
		}
	}
}
