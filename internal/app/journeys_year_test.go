package app

import (
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/render"
)

// The coordinator's digest through both messengers, and the helpers of
// the year's journeys (the plan and the report are in year_test.go).

// expectSkipping returns the person's next message containing every
// want, passing over up to ten others (reminders, digests) on the way.
func expectSkipping(t *testing.T, p person, want ...string) msg {
	t.Helper()
	var seen []string
	for range 10 {
		m := p.next(t)
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(m.text, w)
		}
		if ok {
			return m
		}
		seen = append(seen, m.text)
	}
	t.Fatalf("%s: no message with %q among %q", p.on(), want, seen)
	return msg{}
}

// docxText reads the DOCX a message carries.
func docxText(t *testing.T, m msg) string {
	t.Helper()
	if !strings.HasSuffix(m.name, ".docx") {
		t.Fatalf("not a DOCX: %q %q", m.name, m.text)
	}
	text, err := render.DOCXText(m.file)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// quietTeam waits until the bot has nothing more to say and forgets what
// the team's people have not read yet.
func quietTeam(h *harness, tm team) {
	h.quiet()
	tm.admin.drain()
	tm.leader.drain()
	for _, u := range tm.members {
		u.drain()
	}
}

// addItem adds an item to the plan through its form, and returns the
// plan shown after it.
func addItem(t *testing.T, l person, plan msg, month, topic, format string) msg {
	t.Helper()
	l.press(t, plan, "Мероприятие")
	l.press(t, expect(t, l, "В каком месяце?"), month)
	expect(t, l, "Месяц: "+month)
	expect(t, l, "Тема мероприятия?")
	l.send(topic)
	l.press(t, expect(t, l, "Форма проведения"), format)
	expect(t, l, "Формат: "+format)
	expect(t, l, "Кто ответственный?")
	l.send("-")
	expect(t, l, "добавлено в план")
	return expect(t, l, "План работы")
}

// TestJourneyDigest: the coordinator's daily digest comes in their
// messenger; its buttons remind the leader (once a day), open the
// association and send the table.
func TestJourneyDigest(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		quietTeam(h, tm)
		l, c := tm.leader, tm.admin
		// 13 June 2027, 10:00 in Moscow: the report is due in a week.
		h.clock.Add(time.Date(2027, 6, 13, 7, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
		d := expectSkipping(t, c, "Сводка на 13.06.2027", "Отчёт за 2026/2027 учебный год, срок 20.06.2027 — через 7 дней")
		quietTeam(h, tm)
		for _, b := range []string{"🏛 ММО учителей математики", "🔔 Напомнить: отчёт · ММО учителей математики", "XLSX"} {
			if !d.has(b) {
				t.Fatalf("the digest lacks %q: %v", b, d.buttons)
			}
		}
		if a := c.press(t, d, "Напомнить: отчёт"); !strings.Contains(a, "напомнили") {
			t.Errorf("the reminder's answer: %q", a)
		}
		// The digest is redrawn in place without the button pressed, the
		// rest of it kept.
		if now := expect(t, c, "Сводка на 13.06.2027", "срок 20.06.2027 — через 7 дней"); now.id != d.id {
			t.Errorf("the digest was not redrawn in place: %q", now.text)
		} else if now.has("Напомнить") || !now.has("🏛 ММО учителей математики") || !now.has("XLSX") {
			t.Errorf("the digest after the reminder offers %v", now.buttons)
		}
		nudge := expect(t, l, "Координатор напоминает", "Отчёт за 2026/2027 учебный год", "20.06.2027")
		if !nudge.has("Открыть") {
			t.Errorf("the leader's reminder has no way to the report: %v", nudge.buttons)
		}
		// An old copy pressed again is answered, and nothing is sent.
		if a := c.pressRefused(t, d, "Напомнить: отчёт"); !strings.Contains(a, "уже напоминали") {
			t.Errorf("a second reminder the same day: %q", a)
		}
		l.press(t, nudge, "Открыть")
		expect(t, l, "Отчёт «ММО учителей математики» за 2026/2027 учебный год")
		c.press(t, d, "🏛 ММО учителей математики")
		if card := expect(t, c, "<b>ММО учителей математики</b>"); card.id == d.id {
			t.Error("the card took the digest's place")
		}
		c.send("/overview")
		if ov := expect(t, c, "Обзор объединений"); !ov.has("🏛 ММО учителей математики") || !ov.has("XLSX") {
			t.Errorf("the overview's lines are not buttons: %v", ov.buttons)
		}
		c.press(t, d, "XLSX")
		if x := c.next(t); !strings.HasSuffix(x.name, ".xlsx") || len(x.file) == 0 {
			t.Errorf("no table from the digest: %q %d bytes", x.name, len(x.file))
		}
		h.quiet()
		if n := l.drain(); n != 0 {
			t.Errorf("the leader was reminded twice (%d extra)", n)
		}

		// 22 June: the report is overdue; the digest still offers to
		// remind the leader, once that day.
		h.clock.Add(time.Date(2027, 6, 22, 7, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
		late := expectSkipping(t, c, "Сводка на 22.06.2027", "Отчёт за 2026/2027 учебный год, срок 20.06.2027")
		quietTeam(h, tm)
		if a := c.press(t, late, "Напомнить: отчёт"); !strings.Contains(a, "напомнили") {
			t.Errorf("the reminder of an overdue report: %q", a)
		}
		expect(t, l, "Координатор напоминает", "Отчёт за 2026/2027 учебный год")
	})
}
