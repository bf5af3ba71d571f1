package app

import (
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// TestDeliveryCountLeavesOtherViewsAcrossRestart: the leader opens
// «Изменить» on her card while an announcement is still on its way; the
// bot restarts; the announcement then arrives, and its complete count is
// not drawn over the form, which the restarted bot knows from the store.
func TestDeliveryCountLeavesOtherViewsAcrossRestart(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := liveTeam(t, h, on)
		l, late := tm.leader, tm.members[1]
		// The second member's announcement is held until the bot stops.
		holdSend(h, late, 1)
		publishSeminar(t, l)
		card := expect(t, l, "Объявлено", "доставлено 0 из 2")
		expect(t, tm.members[0], "Новое мероприятие")
		waitUntil(t, "one announcement to be held", func() bool {
			n, err := h.m.DB.OutboxLen()
			return err == nil && n == 1
		})
		l.press(t, card, "Изменить")
		form := expect(t, l, "Что изменить?")
		if form.id != card.id {
			t.Fatalf("the form came as a new message %s, not on the card %s", form.id, card.id)
		}
		// At once, while the held send still hangs (the client gives up
		// on it after a few seconds): cut by the stop, it stays in the
		// outbox for the restarted bot, whose count must know the form.
		h.restart()
		expect(t, late, "Новое мероприятие")
		h.quiet()
		for _, m := range l.unread() {
			if !strings.Contains(m, "Что изменить?") {
				t.Errorf("after the restart the count was drawn over the form: %q", m)
			}
		}
		// The card, opened again, shows the complete count.
		l.press(t, form, "К мероприятию")
		expectSkipping(t, l, "доставлено 2 из 2")
	})
}

// TestDeliveryCountBehindAcrossRestart: a delivery counted while the
// clock stands is not drawn yet when the bot restarts; the restarted bot
// still draws it once the interval is over, though nothing more is
// delivered.
func TestDeliveryCountBehindAcrossRestart(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := liveTeam(t, h, on)
		l, late := tm.leader, tm.members[1]
		// Held before the restart and, for a few seconds, after it: what is
		// drawn meanwhile is the count left behind.
		holdSend(h, late, 2)
		publishSeminar(t, l)
		expect(t, l, "Объявлено", "доставлено 0 из 2")
		expect(t, tm.members[0], "Новое мероприятие")
		waitUntil(t, "one announcement to be held", func() bool {
			n, err := h.m.DB.OutboxLen()
			return err == nil && n == 1
		})
		h.restart()
		h.clock.Add(10 * time.Second)
		expect(t, l, "Объявлено", "доставлено 1 из 2")
	})
}

// liveTeam restarts the bot with the live delivery count on and brings
// in a team of a leader and two members, all on messenger on.
func liveTeam(t *testing.T, h *harness, on string) team {
	t.Helper()
	h.stop()
	h.liveCount = true
	h.start()
	tm := newTeam(t, h, on, on, on)
	quietTeam(h, tm)
	return tm
}

// holdSend holds the bot's next n attempts to send p a message, each until
// the bot stops (or the client gives up on it, after a few seconds).
func holdSend(h *harness, p person, n int) {
	if p.on() == "max" {
		// A dialog's chat id is its user's plus 500000000000 in the fake.
		h.mx.Inject(maxtest.Fault{Op: "POST /messages", ChatID: 500000000000 + p.account(), Kind: maxtest.Slow, Delay: time.Hour, Count: n})
		return
	}
	h.srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: p.account(), Kind: telegramtest.Hang, Count: n})
}

// publishSeminar has the leader create and publish a seminar on 30
// November.
func publishSeminar(t *testing.T, l person) {
	t.Helper()
	l.send("/newevent")
	l.press(t, expect(t, l, "Выберите формат"), "Семинар")
	expect(t, l, "Формат: Семинар")
	expect(t, l, "Тема мероприятия?")
	l.send("Проектная деятельность")
	expect(t, l, "Когда?")
	l.send("30.11 14:00")
	l.press(t, expect(t, l, "Правильно: <b>30 ноября 2026"), "Да, верно")
	expect(t, l, "30 ноября 2026")
	l.press(t, expect(t, l, "Сколько продлится?"), "1,5 ч")
	expect(t, l, "Длительность: 90 мин.")
	expect(t, l, "Где пройдёт?")
	l.send("МБОУ СОШ № 5, каб. 21")
	expect(t, l, "Ссылка на онлайн")
	l.send("-")
	expect(t, l, "Повестка")
	l.send("1. Итоги олимпиады")
	expect(t, l, "Черновик сохранён")
	l.press(t, expect(t, l, "Черновик: участники его ещё не видят"), "Опубликовать")
}
