package app

import (
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// The leader's card counts the delivery of its announcement live: the
// transport reports each delivered item, and the card is edited in place,
// coalesced. Those edits come whenever the deliveries end, at no moment
// a test of something else could wait for, so the other tests run with
// the live count off (harness.liveCount) and read the card when they draw
// it; these read the card's state from the server.

// newLiveHarness starts the bot with the live delivery count on.
func newLiveHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.stop()
	h.liveCount = true
	h.start()
	return h
}

// cardShows waits until the message m shows want on the server and
// returns its state then.
func cardShows(t *testing.T, h *harness, m telegramtest.Message, want string) telegramtest.Message {
	t.Helper()
	var now telegramtest.Message
	waitUntil(t, "the card to show "+want, func() bool {
		now = messageNow(t, h, m)
		return strings.Contains(now.Text, want)
	})
	return now
}

// messageNow is the state of the message m on the server now.
func messageNow(t *testing.T, h *harness, m telegramtest.Message) telegramtest.Message {
	t.Helper()
	for _, x := range h.srv.Chat(m.ChatID) {
		if x.ID == m.ID {
			return x
		}
	}
	t.Fatalf("message %d is gone", m.ID)
	return telegramtest.Message{}
}

// TestDeliveryCountIsLive: an announcement to nine members; without a
// press of «Обновить» the leader's card follows the delivery: not at each
// member (the clock stands), once the coalescing interval is over (the
// scheduler draws what fell behind), and once more when all nine have it,
// «доставлено 9 из 9». Then nothing more is drawn however the clock moves.
func TestDeliveryCountIsLive(t *testing.T) {
	h := newLiveHarness(t)
	names := []string{"Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна",
		"Григорьев Глеб Григорьевич", "Дмитриева Дарья Дмитриевна", "Егоров Евгений Егорович",
		"Жукова Жанна Жуковна", "Зайцев Захар Зайцевич", "Ильина Инна Ильинична"}
	leader, us := meetingSetup(t, h, names...)
	draft := scheduleEvent(t, leader, "Заседание", "Итоги олимпиады", "25.11 15:00", "25 ноября 2026 (среда), 15:00")
	// Two announcements hang, so the delivery is seen half way.
	late := us[7:]
	for _, u := range late {
		h.srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Kind: telegramtest.Hang, Count: 1})
	}
	press(t, leader, draft, "Опубликовать")
	card := next(t, leader, "Объявлено", "доставлено 0 из 9")
	for _, u := range us[:7] {
		next(t, u, "Новое мероприятие")
	}
	waitUntil(t, "the two announcements to hang and the rest to be counted", func() bool {
		n, err := h.m.DB.OutboxLen()
		return h.srv.Hanging("sendMessage") == len(late) && err == nil && n == len(late)
	})
	h.waitScan(false) // the scheduler looked at the standing clock
	if now := messageNow(t, h, card); now.Edits != card.Edits {
		t.Errorf("the card was edited within the interval: %q", now.Text)
	}
	h.clock.Add(10 * time.Second)
	half := cardShows(t, h, card, "доставлено 7 из 9.")
	h.srv.Release("sendMessage")
	for _, u := range late {
		next(t, u, "Новое мероприятие")
	}
	got := cardShows(t, h, card, "доставлено 9 из 9.")
	if strings.Contains(got.Text, "в очереди") {
		t.Errorf("the complete count still says some are waiting: %q", got.Text)
	}
	h.quiet()
	got = messageNow(t, h, card)
	if extra := got.Edits - card.Edits; extra != 2 || half.Edits != card.Edits+1 {
		t.Errorf("%d edits of the card for the delivery count (%d half way), want 2: one late, one complete",
			extra, half.Edits-card.Edits)
	}

	// Nothing more: the clock moves past the interval and the scheduler
	// looks, and the card stays as it was.
	h.clock.Add(time.Minute)
	h.quiet()
	if now := messageNow(t, h, card); now.Edits != got.Edits || now.Text != got.Text {
		t.Errorf("the card changed after the delivery was complete: %d more edits, %q", now.Edits-got.Edits, now.Text)
	}
}

// TestDeliveryCountLeavesOtherViews: the leader opens «Изменить» on the
// card while the announcement is on its way; the count is not drawn over
// the form, and the card, opened again, shows it complete.
func TestDeliveryCountLeavesOtherViews(t *testing.T) {
	h := newLiveHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна")
	draft := scheduleEvent(t, leader, "Заседание", "Итоги олимпиады", "25.11 15:00", "25 ноября 2026 (среда), 15:00")
	// The last member's announcement hangs until the form is open.
	h.srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: us[2].ID, Kind: telegramtest.Hang, Count: 1})
	press(t, leader, draft, "Опубликовать")
	card := next(t, leader, "Объявлено")
	press(t, leader, card, "Изменить")
	form := next(t, leader, "Что изменить?")
	h.srv.Release("sendMessage")
	for _, u := range us {
		next(t, u, "Новое мероприятие")
	}
	h.quiet()
	if now := messageNow(t, h, form); !strings.Contains(now.Text, "Что изменить?") {
		t.Fatalf("the delivery count was drawn over the form: %q", now.Text)
	}
}

// TestDeliveryCountIsLiveAcrossMessengers: a leader on Telegram
// publishes to members on MAX; the MAX transport reports its deliveries,
// and the card on Telegram ends at «доставлено 3 из 3» without «Обновить».
func TestDeliveryCountIsLiveAcrossMessengers(t *testing.T) {
	h := newHarnessOn(t, true, true, nil)
	h.stop()
	h.liveCount = true
	h.start()
	tm := newTeam(t, h, "telegram", "max", "max", "max")
	l := tm.leader
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
	card := expect(t, l, "Объявлено", "доставлено 0 из 3")
	for _, u := range tm.members {
		expect(t, u, "Новое мероприятие")
	}
	cardShows(t, h, card.tg, "доставлено 3 из 3.")
}
