package app

import (
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// chatSince returns the bot's messages in a chat after the one with id
// from (included), as they stand now.
func chatSince(h *harness, chat int64, from int) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range h.srv.Chat(chat) {
		if m.ID >= from {
			out = append(out, m)
		}
	}
	return out
}

// latestWith returns the newest message of the chat with a button whose
// label contains label.
func latestWith(t *testing.T, h *harness, chat int64, label string) telegramtest.Message {
	t.Helper()
	msgs := h.srv.Chat(chat)
	for i := len(msgs) - 1; i >= 0; i-- {
		if _, ok := msgs[i].Button(label); ok {
			return msgs[i]
		}
	}
	t.Fatalf("no message with the button %q", label)
	return telegramtest.Message{}
}

// TestOneMeetingInAMembersChat counts what a member receives for one
// meeting, from its announcement to after its end: an answer, a change of
// room, both reminders and check-in. The announcement is the one place
// the meeting lives; everything else is short.
//
// Measured with this same scenario on the code before issue 12: 5
// messages, 1049 characters (the change notice and both reminders
// repeated the whole card with the agenda; after the meeting the reminders
// and the change notice still offered «Приду»). Now: the same 5 messages
// (announcement, one short change notice, two two-line reminders, the
// check-in message), 754 characters, and no dead button.
func TestOneMeetingInAMembersChat(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	a := us[0]
	// Now is 23.11 12:00 in Moscow; the meeting is 25.11 15:00 (12:00 UTC).
	draft := scheduleEvent(t, leader, "Заседание", "Итоги олимпиады", "25.11 15:00", "25 ноября 2026 (среда), 15:00")
	press(t, leader, draft, "Опубликовать")
	card := next(t, leader, "Объявлено")
	ann := next(t, a, "Новое мероприятие", "Итоги олимпиады")
	next(t, us[1], "Новое мероприятие")
	press(t, a, ann, "Приду")
	next(t, a, "придёте")
	next(t, leader, "✅ 1")

	// The room changes; the answers are asked again.
	press(t, leader, card, "Изменить")
	press(t, leader, next(t, leader, "Что изменить?"), "Место")
	next(t, leader, "Новое место")
	leader.Send("Гимназия № 3, каб. 5")
	if m := leader.Next(t); strings.Contains(m.Text, "Что изменится") {
		press(t, leader, m, "Уведомить участников и сбросить ответы")
	}
	h.settle()
	press(t, a, latestWith(t, h, a.ID, "Приду"), "Приду")
	h.settle()

	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{start.Add(-24*time.Hour + time.Minute), start.Add(-time.Hour + time.Minute), start.Add(-10 * time.Minute)} {
		h.clock.Add(at.Sub(h.clock.Now()))
		h.scanned()
	}
	press(t, a, latestWith(t, h, a.ID, "Я на месте"), "Я на месте")
	h.settle()
	h.clock.Add(start.Add(3 * time.Hour).Sub(h.clock.Now()))
	h.quiet()

	msgs := chatSince(h, a.ID, ann.ID)
	total := 0
	for _, m := range msgs {
		total += len([]rune(m.Text))
		t.Logf("#%d (%d chars, %d edits) %q", m.ID, len([]rune(m.Text)), m.Edits, m.Text)
	}
	t.Logf("a member's chat for one meeting: %d messages, %d characters", len(msgs), total)
	if len(msgs) > 5 || total > 800 {
		t.Errorf("one meeting costs a member %d messages, %d characters; want at most 5 and 800", len(msgs), total)
	}
	// No message but the announcement repeats the agenda; no button is
	// left that can no longer do anything.
	for _, m := range msgs {
		if m.ID != ann.ID && strings.Contains(m.Text, "Повестка") {
			t.Errorf("#%d repeats the card: %q", m.ID, m.Text)
		}
		for _, dead := range []string{"Приду", "Возможно", "Не смогу", "Я на месте"} {
			if _, ok := m.Button(dead); ok {
				t.Errorf("#%d keeps the dead button %q after the meeting: %s", m.ID, dead, m)
			}
		}
	}
	if got := chatSince(h, a.ID, ann.ID)[0]; got.ID != ann.ID || !strings.Contains(got.Text, "Гимназия № 3, каб. 5") {
		t.Errorf("the announcement does not show the new room: %s", got)
	}
}

// TestLeaderIsToldAtTheRightMoment: check-in opening brings the leader
// the code and the QR button in one message; the leader's card shows
// check-in live, and a member's late answer does not draw the card over
// the leader's check-in view; the leader's message about check-in says
// when it closed and loses its QR button; after the meeting one prompt
// asks for the minutes, and the next day one reminder if they were not
// started.
func TestLeaderIsToldAtTheRightMoment(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	draft := scheduleEvent(t, leader, "Заседание", "Итоги олимпиады", "25.11 15:00", "25 ноября 2026 (среда), 15:00")
	press(t, leader, draft, "Опубликовать")
	card := next(t, leader, "Объявлено")
	anns := []telegramtest.Message{next(t, us[0], "Новое мероприятие"), next(t, us[1], "Новое мероприятие")}
	h.quiet()
	leader.Drain()

	// 14:50 in Moscow: check-in opens by itself.
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	h.clock.Add(start.Add(-10 * time.Minute).Sub(h.clock.Now()))
	told := nextSkipping(t, leader, "⏰", "Отметка открыта:")
	if !strings.Contains(told.Text, "Код для участников: <code>") {
		t.Errorf("the code is not in the leader's message: %q", told.Text)
	}
	if m := missingButtons(told, "QR-код", "Кто отметился"); len(m) != 0 {
		t.Fatalf("the leader's message lacks %v: %v", m, told.Buttons())
	}
	// The card's own redraw to «Отметка открыта» may come after the
	// message: let it land before pressing for the QR code.
	h.quiet()
	leader.Drain()
	press(t, leader, told, "QR-код")
	if qr := leader.Next(t); qr.Photo == nil {
		t.Fatalf("no QR code: %s", qr)
	}
	for _, u := range us {
		nextSkipping(t, u, "⏰", "Открыта отметка")
	}

	// The card shows check-in by itself; a check-in refreshes it.
	for _, m := range h.srv.Chat(leader.ID) {
		if m.ID == card.ID && !strings.Contains(m.Text, "Отметка открыта, код") {
			t.Fatalf("the card does not show check-in: %s", m)
		}
	}
	press(t, us[0], latestWith(t, h, us[0].ID, "Я на месте"), "Я на месте")
	next(t, us[0], "Вы отмечены")
	if m := next(t, leader, "отметились 1 из 2"); m.ID != card.ID {
		t.Errorf("the card was not refreshed in place: %s", m)
	}

	// The leader turns the card into the check-in view; a member's late
	// answer must not draw the card back over it.
	press(t, leader, card, "Отметка присутствующих")
	view := next(t, leader, "Отметились: 1 из 2")
	if view.ID != card.ID {
		t.Fatalf("the check-in view opened elsewhere: %s", view)
	}
	press(t, us[1], anns[1], "Приду")
	next(t, us[1], "придёте")
	h.quiet()
	now := h.srv.Chat(leader.ID)
	for _, m := range now {
		if m.ID == view.ID && !strings.Contains(m.Text, "Отметились: 1 из 2") {
			t.Errorf("a member's answer drew over the leader's check-in view: %q", m.Text)
		}
	}
	leader.Drain()

	// 16:30, the meeting is over: one prompt for the minutes.
	h.clock.Add(start.Add(90*time.Minute + time.Minute).Sub(h.clock.Now()))
	var prompt telegramtest.Message
	for prompt.ID == 0 {
		// Skipped: the check-in view and the leader's check-in message,
		// both redrawn as check-in closed.
		if m := leader.Next(t); strings.Contains(m.Text, "Заполните протокол") {
			prompt = m
		} else if !strings.Contains(m.Text, "Отметка") {
			t.Fatalf("want the prompt for the minutes, got %q", m.Text)
		}
	}
	if _, ok := prompt.Button("Заполнить протокол"); !ok {
		t.Errorf("the prompt has no button: %s", prompt)
	}
	h.quiet()
	// Check-in closed at 15:30: the leader's «Отметка открыта» says so,
	// and its QR button, which would show a code no longer taken, went.
	if now := messageNow(t, h, told); !strings.Contains(now.Text, "Отметка закрыта") || missingButtons(now, "QR-код") == nil {
		t.Errorf("the leader's check-in message outlived the check-in: %s %v", now, now.Buttons())
	} else if m := missingButtons(now, "Кто отметился"); len(m) != 0 {
		t.Errorf("the closed check-in lost the list of who came: %v", now.Buttons())
	}
	for _, m := range leader.Drain() {
		if strings.Contains(m.Text, "протокол") {
			t.Errorf("the minutes asked for twice: %s", m)
		}
	}
	// The next day, once more; then never again.
	h.clock.Add(24 * time.Hour)
	nextSkipping(t, leader, "📋", "Протокол заседания")
	h.quiet()
	h.clock.Add(24 * time.Hour)
	h.quiet()
	for _, m := range leader.Drain() {
		if strings.Contains(m.Text, "ротокол") {
			t.Errorf("the minutes asked for a third time: %s", m)
		}
	}
}

// startRegistration brings a newcomer to the question of their name.
func startRegistration(t *testing.T, u *telegramtest.User) {
	t.Helper()
	u.Send("/start")
	next(t, u, "Здравствуйте")
	press(t, u, next(t, u, "152-ФЗ"), "Даю согласие")
	next(t, u, "Согласие получено")
	next(t, u, "Шаг 1 из 3")
}

// TestRegistrationCatchesNameMistakes: the usual mistakes in a full name
// are caught and a fix offered; a name typed again is taken as meant.
func TestRegistrationCatchesNameMistakes(t *testing.T) {
	h := newHarness(t)

	// First name first, no patronymic: the fix, or the full name typed.
	u := h.user(501, "Дарья")
	startRegistration(t, u)
	u.Send("Дарья Никитина")
	ask := next(t, u, "сначала написано имя", "<b>Никитина Дарья</b>", "Отчество не указано")
	if m := missingButtons(ask, "✔ Никитина Дарья", "Оставить: Дарья Никитина"); len(m) != 0 {
		t.Fatalf("the fix lacks %v: %v", m, ask.Buttons())
	}
	u.Send("Никитина Дарья Андреевна")
	next(t, u, "Шаг 2 из 3")

	// The fix by a button.
	v := h.user(502, "Дарья")
	startRegistration(t, v)
	v.Send("Дарья Андреевна Никитина")
	press(t, v, next(t, v, "сначала написано имя"), "✔ Никитина Дарья Андреевна")
	next(t, v, "ФИО: <b>Никитина Дарья Андреевна</b>")
	next(t, v, "Шаг 2 из 3")
	v.Send("Школа № 7")
	next(t, v, "Шаг 3 из 3")
	v.Send("учитель")
	next(t, v, "вы зарегистрированы", "Никитина Дарья Андреевна")
	if got, _ := h.storedUser(502); got.Name != "Никитина Дарья Андреевна" {
		t.Errorf("stored name %q", got.Name)
	}

	// Latin letters, kept on purpose.
	w := h.user(503, "Daria")
	startRegistration(t, w)
	w.Send("Daria Nikitina")
	press(t, w, next(t, w, "латиницей"), "Оставить: Daria Nikitina")
	next(t, w, "ФИО: <b>Daria Nikitina</b>")
	next(t, w, "Шаг 2 из 3")
}

// TestRegistrationPicksTheSchoolFromTheCityList: with the city's list in
// the config, a number or a word finds the school; one not in the list is
// allowed and marked.
func TestRegistrationPicksTheSchoolFromTheCityList(t *testing.T) {
	h := newHarnessWith(t, func(c *config.Config) {
		c.Registration.Schools = []string{"МБОУ «СОШ № 5»", "МБОУ «СОШ № 11»", "МАОУ «Лицей № 11»", "МБОУ «Гимназия № 3»"}
	})
	u := h.user(601, "Мария")
	startRegistration(t, u)
	u.Send("Иванова Мария Петровна")
	next(t, u, "Шаг 2 из 3", "номер школы")
	u.Send("школа 11")
	pick := next(t, u, "Выберите вашу организацию")
	if m := missingButtons(pick, "МБОУ «СОШ № 11»", "МАОУ «Лицей № 11»", "Другая: школа 11", "✖ Отмена"); len(m) != 0 || len(pick.Buttons()) != 4 {
		t.Fatalf("the matches: %v", pick.Buttons())
	}
	u.Send("лицей 11")
	press(t, u, next(t, u, "Выберите вашу организацию"), "МАОУ «Лицей № 11»")
	next(t, u, "Организация: <b>МАОУ «Лицей № 11»</b>")
	next(t, u, "Шаг 3 из 3")
	u.Send("учитель химии")
	next(t, u, "вы зарегистрированы")
	if got, _ := h.storedUser(601); got.School != "МАОУ «Лицей № 11»" || got.SchoolOther {
		t.Errorf("stored school %q, other %v", got.School, got.SchoolOther)
	}

	// Not in the list: allowed, and marked.
	v := h.user(602, "Пётр")
	startRegistration(t, v)
	v.Send("Петров Пётр Петрович")
	next(t, v, "Шаг 2 из 3")
	v.Send("Вечерняя школа на Заречной")
	press(t, v, next(t, v, "такой нет"), "Другая: Вечерняя школа на Заречной")
	next(t, v, "Организация: <b>Вечерняя школа на Заречной</b>")
	next(t, v, "Шаг 3 из 3")
	v.Send("учитель")
	next(t, v, "вы зарегистрированы")
	if got, _ := h.storedUser(602); got.School != "Вечерняя школа на Заречной" || !got.SchoolOther {
		t.Errorf("stored school %q, other %v", got.School, got.SchoolOther)
	}
	// Typed exactly as listed: taken at once.
	w := h.user(603, "Анна")
	startRegistration(t, w)
	w.Send("Сидорова Анна Ивановна")
	next(t, w, "Шаг 2 из 3")
	w.Send("мбоу «гимназия № 3»")
	next(t, w, "Шаг 3 из 3")
}

// TestParentsLinkOnTheCard: the public link for parents is on the
// association's card, not two taps down under the consultants, and is
// called «ссылка для родителей» in both places.
func TestParentsLinkOnTheCard(t *testing.T) {
	h := newHarness(t)
	leader, _ := meetingSetup(t, h, "Антонова Анна Антоновна")
	card := openCard(t, leader, "ММО учителей математики")
	press(t, leader, card, "Включить ссылку для родителей")
	view := next(t, leader, "по ссылке")
	// One name for the link on the card and under the consultants.
	if _, ok := view.Button("Отключить ссылку для родителей"); !ok || strings.Contains(view.Text, "не-участник") {
		t.Errorf("the consultants' view names the parents' link otherwise: %q %v", view.Text, view.Buttons())
	}
	card = openCard(t, leader, "ММО учителей математики")
	if !strings.Contains(card.Text, "Ссылка для вопросов родителей: https://t.me/") {
		t.Errorf("the card lacks the parents' link: %q", card.Text)
	}
	if _, ok := card.Button("Включить ссылку"); ok {
		t.Errorf("the card offers a link that is on: %v", card.Buttons())
	}
}

// TestEnglishDatesAreUnambiguous: an English reader sees «23 Nov 2026»,
// not «23.11.2026», and «30 Nov 14:00» in the list of meetings.
func TestEnglishDatesAreUnambiguous(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	u := us[0]
	u.Send("/settings")
	press(t, u, next(t, u, "Ваш профиль"), "English")
	next(t, u, "Your profile")
	draft := scheduleEvent(t, leader, "Семинар", "Проектная деятельность", "30.11 14:00", "30 ноября 2026 (понедельник), 14:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, u, "Проектная деятельность")
	u.Send("/meetings")
	if m := next(t, u, "30 Nov 14:00"); strings.Contains(m.Text, "30.11") {
		t.Errorf("an English list shows a numeric date: %q", m.Text)
	}
	u.Send("/associations")
	press(t, u, next(t, u, "Methodological associations"), "ММО учителей математики")
	if card := next(t, u, "<b>ММО учителей математики</b>"); !strings.Contains(card.Text, "member since 23 Nov 2026") {
		t.Errorf("an English card: %q", card.Text)
	}
}

// TestPastDateIsAskedAbout: a day already past this year, typed without
// a year, is not moved to next year silently.
func TestPastDateIsAskedAbout(t *testing.T) {
	h := newHarness(t)
	leader, _ := meetingSetup(t, h, "Антонова Анна Антоновна")
	leader.Send("/newevent")
	press(t, leader, next(t, leader, "Выберите формат"), "Заседание")
	next(t, leader, "Формат: Заседание")
	next(t, leader, "Тема")
	leader.Send("Итоги года")
	next(t, leader, "Когда?")
	// Now is 23.11.2026: 20.11 is past this year.
	leader.Send("20.11 15:00")
	// Asked before it is taken: this year's date (past) or next year's.
	ask := next(t, leader, "в этом году уже прошла")
	if m := missingButtons(ask, "20 ноября 2027 (суббота), 15:00", "20 ноября 2026 (пятница), 15:00 — уже прошла"); len(m) != 0 {
		t.Fatalf("the question lacks %v: %v", m, ask.Buttons())
	}
	if d := h.dialog(leader.ID); d == nil || d.Step != "when_confirm" {
		t.Fatalf("the form moved on before the answer: %+v", d)
	}
	press(t, leader, ask, "уже прошла")
	next(t, leader, "уже прошла", "Укажите дату в будущем")
	leader.Send("20.11 15:00")
	press(t, leader, next(t, leader, "в этом году уже прошла"), "20 ноября 2027")
	next(t, leader, "20 ноября 2027")
	press(t, leader, next(t, leader, "Сколько продлится?"), "1 ч")
	next(t, leader, "Длительность")
	next(t, leader, "Где пройдёт?")
	leader.Send("/cancel")
	next(t, leader, "Отменено")
	leader.Send("/newevent")
	press(t, leader, next(t, leader, "Выберите формат"), "Заседание")
	next(t, leader, "Формат: Заседание")
	next(t, leader, "Тема")
	leader.Send("Итоги года")
	next(t, leader, "Когда?")
	leader.Send("25.11 15:00")
	if m := next(t, leader, "25 ноября 2026"); strings.Contains(m.Text, "уже прошла") {
		t.Errorf("a date ahead is warned about: %q", m.Text)
	}
}

// retired reads the user's next message, which must be m redrawn in
// place with want in it and none of the dead buttons.
func retired(t *testing.T, u *telegramtest.User, m telegramtest.Message, want string, dead ...string) telegramtest.Message {
	t.Helper()
	got := next(t, u, want)
	if got.ID != m.ID {
		t.Fatalf("message #%d came instead of #%d redrawn: %s", got.ID, m.ID, got)
	}
	for _, d := range dead {
		if _, ok := got.Button(d); ok {
			t.Errorf("#%d keeps the dead button %q: %s", got.ID, d, got)
		}
	}
	return got
}
