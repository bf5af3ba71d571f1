package app

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"
)

// The stale messages a review of the sandbox screens found after issue
// 12: views that did not follow what the scheduler or a press changed.

// TestLeaderCardFollowsCheckin: the leader's card, opened before the
// meeting, shows check-in once the scheduler opens it, and shows it
// closed once it closes, without «Обновить».
func TestLeaderCardFollowsCheckin(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		l := tm.leader
		// Now is 23.11 12:00 in Moscow; the meeting is 25.11 15:00 (12:00 UTC).
		publishEvent(t, l, eventForm{format: "Заседание", topic: "Итоги олимпиады", when: "25.11 15:00", date: "25 ноября 2026"})
		expect(t, l, "Объявлено")
		h.quiet()
		for _, u := range tm.members {
			u.drain()
		}
		l.send("/meetings")
		l.press(t, expect(t, l, "Ближайшие мероприятия", "Итоги олимпиады"), "Итоги олимпиады")
		card := expect(t, l, "Итоги олимпиады", "Объявлено")
		if strings.Contains(card.text, "Отметка") {
			t.Fatalf("the card shows check-in before it opened: %q", card.text)
		}
		h.quiet()
		l.drain()

		// 14:50: check-in opens by itself; the card shows it in place.
		start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		h.clock.Add(start.Add(-10 * time.Minute).Sub(h.clock.Now()))
		got := expectSkipping(t, l, "Отметка открыта, код", "отметились 0 из 2")
		if got.id != card.id {
			t.Errorf("the check-in line came in a new message, not on the card: %q", got.text)
		}
		h.quiet()
		l.drain()

		// 15:31: check-in closed by itself; the card says so.
		h.clock.Add(start.Add(31 * time.Minute).Sub(h.clock.Now()))
		got = expectSkipping(t, l, "Отметка закрыта: отметились 0 из 2")
		if got.id != card.id {
			t.Errorf("the closed check-in came in a new message, not on the card: %q", got.text)
		}
	})
}

// TestCheckinClosedAfterLongDowntime: the bot was down from check-in
// until two days after the meeting, past the lookback of the minutes;
// the members' «Открыта отметка» messages still lose «Я на месте», and
// the leader's check-in message its QR button.
func TestCheckinClosedAfterLongDowntime(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		l := tm.leader
		publishEvent(t, l, eventForm{format: "Заседание", topic: "Итоги олимпиады", when: "25.11 15:00", date: "25 ноября 2026"})
		expect(t, l, "Объявлено")
		quietTeam(h, tm)

		start, here := checkinOpens(t, h, tm)
		told := expectSkipping(t, l, "Отметка открыта:")
		quietTeam(h, tm)

		// The next scan is two days after the end (90 minutes later).
		h.clock.Add(start.Add(90*time.Minute + 48*time.Hour + 30*time.Minute).Sub(h.clock.Now()))
		for i, u := range tm.members {
			m := expectSkipping(t, u, "Отметка закрыта", "Итоги олимпиады")
			if m.id != here[i].id || m.has("Я на месте") {
				t.Errorf("%s: the check-in message after the downtime: #%s %q %v", on, m.id, m.text, m.buttons)
			}
		}
		if m := expectSkipping(t, l, "Отметка закрыта"); m.id != told.id || m.has("QR-код") {
			t.Errorf("the leader's check-in message after the downtime: #%s %q %v", m.id, m.text, m.buttons)
		}
		// The old button still answers.
		if a := tm.members[0].pressRefused(t, here[0], "Я на месте"); !strings.Contains(a, "закрыта") {
			t.Errorf("the old «Я на месте» answers %q", a)
		}
	})
}

// checkinOpens moves the clock to 14:50 of 25.11, when the check-in of
// the team's meeting «Итоги олимпиады» at 15:00 opens, and returns the
// meeting's start and each member's «Открыта отметка» message.
func checkinOpens(t *testing.T, h *harness, tm team) (start time.Time, here []msg) {
	t.Helper()
	start = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	h.clock.Add(start.Add(-10 * time.Minute).Sub(h.clock.Now()))
	for _, u := range tm.members {
		here = append(here, expectSkipping(t, u, "Открыта отметка", "Итоги олимпиады"))
	}
	return start, here
}

// TestDeadButtonsAfterWeekLongDowntime: the bot was down from check-in
// until six days after the meeting, past the span the due scan looks at
// day to day. Back, it still takes the dead buttons off: the members'
// announcements lose their answers and say the meeting is over, their
// «Открыта отметка» messages lose «Я на месте».
func TestDeadButtonsAfterWeekLongDowntime(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		l := tm.leader
		publishEvent(t, l, eventForm{format: "Заседание", topic: "Итоги олимпиады", when: "25.11 15:00", date: "25 ноября 2026"})
		expect(t, l, "Объявлено")
		var anns []msg
		for _, u := range tm.members {
			ann := expectSkipping(t, u, "Итоги олимпиады")
			if !ann.has("Приду") {
				t.Fatalf("%s: the announcement has no answer buttons: %q %v", on, ann.text, ann.buttons)
			}
			anns = append(anns, ann)
		}
		quietTeam(h, tm)

		start, here := checkinOpens(t, h, tm)
		quietTeam(h, tm)

		// The next scan is six days after the meeting.
		h.clock.Add(start.Add(6 * 24 * time.Hour).Sub(h.clock.Now()))
		h.quiet()
		for i, u := range tm.members {
			ann := expectSkipping(t, u, "Мероприятие уже прошло", "Итоги олимпиады")
			if ann.id != anns[i].id || ann.has("Приду") {
				t.Errorf("%s: the announcement after the downtime: #%s (was #%s) %q %v", on, ann.id, anns[i].id, ann.text, ann.buttons)
			}
			closed := expectSkipping(t, u, "Отметка закрыта", "Итоги олимпиады")
			if closed.id != here[i].id || closed.has("Я на месте") {
				t.Errorf("%s: the check-in message after the downtime: #%s (was #%s) %q %v", on, closed.id, here[i].id, closed.text, closed.buttons)
			}
		}
	})
}

// TestRetentionArchiveOnEachMessenger: the coordinator, on either
// messenger, gets the year's archive with the retention warning, its
// bytes read from the store when sent (a part is no transaction's
// payload), and again from the warning's button.
func TestRetentionArchiveOnEachMessenger(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l := tm.leader
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Старый семинар", when: "25.11 15:00", date: "25 ноября 2026"})
		expect(t, l, "Объявлено")
		quietTeam(h, tm)
		// 2026/27 is kept three years after its end: until 1 September 2030.
		h.clock.Add(time.Date(2030, 8, 25, 7, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
		warn := expectSkipping(t, tm.admin, "истекает срок хранения документов 2026/2027 учебного года")
		check := func(m msg) {
			t.Helper()
			if m.name != "Архив ММО 2026-2027 учебный год.zip" {
				t.Fatalf("%s: not the archive: %q %q", on, m.name, m.text)
			}
			zr, err := zip.NewReader(bytes.NewReader(m.file), int64(len(m.file)))
			if err != nil {
				t.Fatalf("%s: the archive: %v", on, err)
			}
			found := false
			for _, f := range zr.File {
				found = found || strings.HasPrefix(f.Name, "ММО учителей математики/Листы регистрации/Лист регистрации 25.11.2026")
			}
			if !found || !strings.Contains(m.text, "1 объединение") {
				t.Errorf("%s: the archive %q holds no registration sheet of the seminar, or its caption is wrong", on, m.text)
			}
		}
		check(expectSkipping(t, tm.admin, "Архив записей 2026/2027 учебного года"))
		quietTeam(h, tm)
		tm.admin.press(t, warn, "Прислать архив 2026/2027 ещё раз")
		check(expectSkipping(t, tm.admin, "Архив записей 2026/2027 учебного года"))
	})
}
