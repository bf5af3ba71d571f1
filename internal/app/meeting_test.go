package app

import (
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// meetingSetup makes an association with a leader and members, all joined
// through the leader's link.
func meetingSetup(t *testing.T, h *harness, members ...string) (leader *telegramtest.User, us []*telegramtest.User) {
	t.Helper()
	c := h.admin()
	card := createAssociation(t, c, "ММО учителей математики", "математика", false)
	leader = h.teacher(301, "Лидерова Ольга Ивановна")
	appoint(t, c, card, leader, "Лидерова", "Лидерова Ольга Ивановна")
	payload, _ := inviteLink(t, leader)
	for i, name := range members {
		u := h.teacher(int64(310+i), name)
		u.Send("/start " + payload)
		next(t, u, "Добро пожаловать")
		next(t, leader, "вступил(а)")
		us = append(us, u)
	}
	return leader, us
}

// scheduleEvent creates a draft through the form and returns its card.
func scheduleEvent(t *testing.T, leader *telegramtest.User, format, topic, when, confirm string) telegramtest.Message {
	t.Helper()
	leader.Send("/newevent")
	press(t, leader, next(t, leader, "Новое мероприятие", "Выберите формат"), format)
	next(t, leader, "Формат: "+format)
	next(t, leader, "Тема мероприятия?")
	leader.Send(topic)
	next(t, leader, "Когда?")
	leader.Send(when)
	press(t, leader, next(t, leader, "Правильно: <b>"+confirm), "Да, верно")
	next(t, leader, confirm)
	press(t, leader, next(t, leader, "Сколько продлится?"), "1,5 ч")
	next(t, leader, "Длительность: 90 мин.")
	next(t, leader, "Где пройдёт?")
	leader.Send("МБОУ СОШ № 5, каб. 21")
	next(t, leader, "Ссылка на онлайн")
	leader.Send("-")
	next(t, leader, "Повестка")
	leader.Send("1. Итоги олимпиады\n2. Разное")
	next(t, leader, "Черновик сохранён")
	return next(t, leader, "Черновик: участники его ещё не видят", topic)
}

// The tests of meetings below run through both messengers (see
// forEachMessenger): a leader on one, members on the same.

// TestScheduleWithNaturalDates: the form of a new event reads dates as
// people type them, explains what it cannot take, and a member sees
// nothing before publication.
func TestScheduleWithNaturalDates(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, u := tm.leader, tm.members[0]
		// The clock is Monday 23.11.2026 09:00 UTC, 12:00 in Moscow.
		l.send("/newevent")
		l.press(t, expect(t, l, "Выберите формат"), "Заседание")
		expect(t, l, "Формат: Заседание")
		expect(t, l, "Тема")
		l.send("Ф")
		expect(t, l, "Слишком коротко")
		l.send("2025")
		expect(t, l, "Текст должен содержать буквы")
		l.send("Функциональная грамотность")
		expect(t, l, "Когда?")
		for _, bad := range []struct{ in, hint string }{
			{"31.02 15:00", "Не удалось распознать дату"},
			{"когда-нибудь", "Не удалось распознать дату"},
			{"25.12", "Укажите и время"},
			{"23.11 10:00", "уже прошло"},
			{"25.12.2030 10:00", "не более чем на два года"},
		} {
			l.send(bad.in)
			expect(t, l, bad.hint)
		}
		l.send("25.12 15:30")
		confirm := expect(t, l, "25 декабря 2026 (пятница), 15:30")
		l.press(t, confirm, "Нет, ввести заново")
		expect(t, l, "ещё раз")
		l.send("завтра в 15:00")
		l.press(t, expect(t, l, "24 ноября 2026 (вторник), 15:00"), "Да, верно")
		expect(t, l, "24 ноября 2026")
		expect(t, l, "Сколько продлится?")
		l.send("полдня")
		expect(t, l, "Не удалось распознать длительность")
		l.send("2 часа")
		expect(t, l, "Где пройдёт?")
		l.send("-")
		expect(t, l, "Ссылка")
		l.send("-")
		expect(t, l, "Нужно указать место или ссылку")
		l.send("-")
		expect(t, l, "Ссылка")
		l.send("telemost.ru/123")
		expect(t, l, "Нужна ссылка целиком, с https:// в начале")
		l.send("https://telemost.yandex.ru/j/12345")
		expect(t, l, "Повестка")
		l.send("-")
		expect(t, l, "Черновик сохранён")
		draft := expect(t, l, "Заседание «ММО учителей математики»", "24 ноября 2026 (вторник), 15:00–17:00", "🔗 https://telemost.yandex.ru/j/12345")
		h.quiet()
		if n := u.drain(); n != 0 {
			t.Fatalf("a member saw a draft (%d messages)", n)
		}
		l.press(t, draft, "Опубликовать")
		card := expect(t, l, "Заседание № 1 «ММО учителей математики»", "Объявлено", "Ответили 0 из 1")
		ann := expect(t, u, "Новое мероприятие", "Заседание № 1", "Функциональная грамотность", "Придёте?")
		if len(ann.buttons) != 4 {
			t.Errorf("announcement buttons %v", ann.buttons)
		}
		if !strings.Contains(card.text, "доставлено 0 из 1. Ещё 1 в очереди") {
			t.Errorf("the card at publication: %q", card.text)
		}
		h.settle() // the delivery is recorded just after the message arrives
		l.press(t, card, "Обновить")
		expect(t, l, "доставлено 1 из 1")
	})
}

// TestAnswersNudgeAndLiveCard: members answer and change their minds on
// the announcement, the leader's card counts them in place, a nudge to
// those who did not answer goes once a day, the calendar file is right,
// and a stranger's forged answer is refused.
func TestAnswersNudgeAndLiveCard(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on, on)
		l, us := tm.leader, tm.members
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Проектная деятельность", when: "30.11 14:00",
			date: "30 ноября 2026", agenda: "1. Итоги олимпиады\n2. Разное"})
		card := expect(t, l, "Объявлено", "Ответили 0 из 3")
		var anns []msg
		for _, u := range us {
			anns = append(anns, expect(t, u, "Новое мероприятие", "Семинар «ММО учителей математики»", "1. Итоги олимпиады"))
		}
		h.settle()
		l.press(t, card, "Обновить")
		card = expect(t, l, "доставлено 3 из 3")

		if a := us[0].press(t, anns[0], "Приду"); !strings.Contains(a, "придёте") {
			t.Errorf("answer notice %q", a)
		}
		marked := expect(t, us[0], "Ваш ответ: ✅ придёте")
		if !marked.has("✓ Приду") {
			t.Errorf("the chosen answer is not marked: %v", marked.buttons)
		}
		live := expect(t, l, "Ответили 1 из 3: ✅ 1 · 🤔 0 · ❌ 0", "Антонова А. А.")
		if live.id != card.id {
			t.Error("the leader's card was not refreshed in place")
		}
		us[1].press(t, anns[1], "Возможно")
		expect(t, us[1], "возможно")
		expect(t, l, "Ответили 2 из 3: ✅ 1 · 🤔 1 · ❌ 0")
		// Changing one's mind.
		us[0].press(t, marked, "Не смогу")
		expect(t, us[0], "не сможете")
		live = expect(t, l, "Ответили 2 из 3: ✅ 0 · 🤔 1 · ❌ 1")

		// No nudge is offered while the announcement is fresh.
		if live.has("Напомнить") {
			t.Errorf("a nudge offered seconds after publishing: %v", live.buttons)
		}
		// A day later it is; it asks for a confirmation naming who gets it.
		h.clock.Add(24*time.Hour + time.Minute)
		l.press(t, live, "Обновить")
		live = expect(t, l, "Ответили 2 из 3")
		l.press(t, live, "Напомнить не ответившему (1)")
		confirm := expect(t, l, "Напомнить 1 участнику, который не ответил?", "Васильева В. В.")
		h.quiet()
		if n := us[2].drain(); n != 0 {
			t.Errorf("a nudge went before the confirmation (%d messages)", n)
		}
		l.press(t, confirm, "Да, напомнить")
		if after := expect(t, l, "Ответили 2 из 3"); after.has("Напомнить") {
			t.Errorf("the nudge is offered again the same day: %v", after.buttons)
		}
		nudge := expect(t, us[2], "Ответьте, пожалуйста, придёте ли", "Проектная деятельность")
		if len(nudge.text) > 300 {
			t.Errorf("the nudge repeats the card (%d bytes): %q", len(nudge.text), nudge.text)
		}
		// The confirmation pressed twice sends nothing more: once a day.
		if a := l.pressRefused(t, confirm, "Да, напомнить"); !strings.Contains(a, "Напоминать некому") {
			t.Errorf("a second nudge the same day: %q", a)
		}
		h.quiet()
		for _, u := range us {
			if n := u.drain(); n != 0 {
				t.Errorf("member %d got a second nudge or one after answering (%d messages)", u.account(), n)
			}
		}
		us[2].press(t, nudge, "Приду")
		if m := expect(t, us[2], "Проектная деятельность"); len(m.text) > 300 {
			t.Errorf("the answered nudge grew into the card: %q", m.text)
		}
		expect(t, us[2], "Ваш ответ: ✅ придёте") // the announcement, marked in place
		expect(t, l, "Ответили 3 из 3")

		// The calendar file.
		us[2].press(t, anns[2], "В календарь")
		ics := us[2].next(t)
		if !strings.HasSuffix(ics.name, ".ics") {
			t.Fatalf("no .ics: %q %q", ics.name, ics.text)
		}
		// 30.11 14:00 in Moscow is 11:00 UTC.
		for _, want := range []string{"BEGIN:VCALENDAR", "DTSTART:20261130T110000Z", "DTEND:20261130T123000Z", "Проектная деятельность", "МБОУ СОШ № 5\\, каб. 21"} {
			if !strings.Contains(string(ics.file), want) {
				t.Errorf(".ics lacks %q:\n%s", want, ics.file)
			}
		}

		// A stranger cannot answer.
		stranger := h.person(on, 399, "Чужак")
		enrol(t, stranger, "Чужаков Иван Иванович", "Школа № 9", "учитель")
		if a := stranger.pressForged(t, anns[0], "Приду"); a == "" || strings.Contains(a, "придёте") {
			t.Errorf("a stranger's forged answer: %q", a)
		}
		stranger.send("/newevent")
		expect(t, stranger, "недоступна")
		h.quiet()
		if n := l.drain(); n != 0 {
			t.Errorf("the forged answer reached the leader's card (%d messages)", n)
		}
	})
}

// TestChangeResetsAnswersAndCancelTellsEveryone: a change of place asks
// the answers again, one of time keeps them, a typo is fixed quietly,
// and a cancellation is told once; each announcement changes in place.
func TestChangeResetsAnswersAndCancelTellsEveryone(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		l, us := tm.leader, tm.members
		publishEvent(t, l, eventForm{format: "Заседание", topic: "Итоги полугодия", when: "28.12 15:00", date: "28 декабря 2026"})
		card := expect(t, l, "Объявлено")
		anns := []msg{expect(t, us[0], "Новое мероприятие"), expect(t, us[1], "Новое мероприятие")}
		first := anns[0]
		us[0].press(t, anns[0], "Приду")
		expect(t, us[0], "придёте")
		expect(t, l, "✅ 1")

		// A new room: the leader sees what changes and chooses how loud.
		l.press(t, card, "Изменить")
		l.press(t, expect(t, l, "Что изменить?"), "Место")
		expect(t, l, "Новое место")
		l.send("Гимназия № 3, актовый зал")
		ask := expect(t, l, "Что изменится", "Место: <s>МБОУ СОШ № 5, каб. 21</s> → <b>Гимназия № 3, актовый зал</b>")
		hasAll(t, "the choice", ask, "Уведомить участников и сбросить ответы", "Уведомить, ответы сохранить", "Исправить без уведомления", "✖ Отмена")
		l.press(t, ask, "Уведомить участников и сбросить ответы")
		expect(t, l, "уведомление получат 2 участника")
		expect(t, l, "Ответили 0 из 2", "Гимназия № 3")
		notices := make([]msg, len(us))
		for i, u := range us {
			// The announcement itself changes, old and new shown, with live
			// buttons for the new version; one short notice points to it.
			m := expect(t, u, "Изменено", "Место: <s>МБОУ СОШ № 5, каб. 21</s> → <b>Гимназия № 3, актовый зал</b>", "ответьте, пожалуйста, заново")
			if m.id != anns[i].id {
				t.Errorf("member %d: the announcement was not edited in place", u.account())
			}
			anns[i] = m
			notice := expect(t, u, "Изменения:", "Итоги полугодия", "Объявление выше обновлено")
			if strings.Contains(notice.text, "Повестка") {
				t.Errorf("the notice repeats the card: %q", notice.text)
			}
			// The answers were reset: the notice asks for them again.
			hasAll(t, "the notice of a reset", notice, "Приду", "Возможно", "Не смогу")
			notices[i] = notice
		}
		if a := us[0].pressRefused(t, first, "Возможно"); !strings.Contains(a, "изменилось") {
			t.Errorf("an answer to the old version: %q", a)
		}
		us[0].press(t, anns[0], "Приду")
		expect(t, us[0], "Ваш ответ: ✅ придёте")
		expect(t, l, "✅ 1")

		// Moving the time, keeping the answers.
		l.send("/meetings")
		l.press(t, expect(t, l, "Ближайшие мероприятия", "Итоги полугодия"), "Итоги полугодия")
		card = expect(t, l, "Итоги полугодия", "Объявлено")
		l.press(t, card, "Изменить")
		l.press(t, expect(t, l, "Что изменить?"), "Дата и время")
		expect(t, l, "Когда?")
		l.send("29.12 16:00")
		l.press(t, expect(t, l, "29 декабря 2026"), "Да, верно")
		expect(t, l, "29 декабря")
		ask = expect(t, l, "Что изменится", "Время: <s>28 декабря 2026 (понедельник), 15:00–16:30</s> → <b>29 декабря 2026 (вторник), 16:00–17:30</b>")
		l.press(t, ask, "Уведомить, ответы сохранить")
		expect(t, l, "уведомление получат 2 участника")
		card = expect(t, l, "29 декабря 2026 (вторник), 16:00–17:30", "✅ 1")
		for i, u := range us {
			m := expect(t, u, "Время: <s>28 декабря 2026 (понедельник), 15:00–16:30</s> → <b>29 декабря 2026 (вторник), 16:00–17:30</b>")
			if strings.Contains(m.text, "заново") || m.id != anns[i].id {
				t.Errorf("member %d: the kept answers are asked again, or not in place: %q", u.account(), m.text)
			}
			// The earlier notice says the old room: it points to the
			// announcement instead, its answer buttons gone.
			if old := expect(t, u, "уведомление устарело"); old.id != notices[i].id || old.has("Приду") {
				t.Errorf("member %d: the earlier notice was not reduced in place: %q %v", u.account(), old.text, old.buttons)
			}
			notices[i] = expect(t, u, "Изменения:", "Объявление выше обновлено")
			if notices[i].has("Приду") {
				t.Errorf("a notice that kept the answers asks again: %v", notices[i].buttons)
			}
		}

		// A typo fixed quietly: the announcements change, no one is told.
		l.press(t, card, "Изменить")
		l.press(t, expect(t, l, "Что изменить?"), "Место")
		expect(t, l, "Новое место")
		l.send("Гимназия № 3, актовый зал, 2 этаж")
		l.press(t, expect(t, l, "Что изменится"), "Исправить без уведомления")
		expect(t, l, "Исправлено")
		card = expect(t, l, "2 этаж", "✅ 1")
		for i, u := range us {
			if m := expect(t, u, "2 этаж"); m.id != anns[i].id || strings.Contains(m.text, "Изменено") {
				t.Errorf("member %d: the quiet fix: %q", u.account(), m.text)
			}
			// The latest notice showed the room before the fix: no
			// message keeps stale facts.
			if old := expect(t, u, "уведомление устарело"); old.id != notices[i].id || strings.Contains(old.text, "актовый зал") {
				t.Errorf("member %d: the notice before a quiet fix still stands: %q", u.account(), old.text)
			}
		}
		h.quiet()
		for _, u := range us {
			if n := u.drain(); n != 0 {
				t.Errorf("member %d was told of a quiet fix (%d messages)", u.account(), n)
			}
		}

		// Cancelling edits the announcement and tells everyone once.
		l.press(t, card, "Отменить")
		l.press(t, expect(t, l, "Отменить мероприятие «Итоги полугодия»?"), "Да, отменить")
		expect(t, l, "Отменено.")
		for i, u := range us {
			if m := expect(t, u, "Мероприятие отменено", "Итоги полугодия"); m.id != anns[i].id || len(m.buttons) != 0 {
				t.Errorf("member %d: the cancelled announcement keeps buttons or is not in place: %q %v", u.account(), m.text, m.buttons)
			}
			expect(t, u, "Отменено:", "Итоги полугодия")
		}
		us[0].send("/meetings")
		expect(t, us[0], "Ближайших мероприятий нет")
		l.send("/meetings")
		expect(t, l, "Прошедшие", "Итоги полугодия (ММО учителей математики) — отменено")
	})
}

// TestReminders: the reminders of an event reach those who come or might
// in their messenger, once, two lines with their answer marked; one due
// while the bot was down is sent when it is back, and not again.
func TestReminders(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on, on)
		l, us := tm.leader, tm.members
		// Now is 23.11 12:00 Moscow; the event is 25.11 15:00 Moscow (12:00 UTC).
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Цифровые инструменты", when: "25.11 15:00", date: "25 ноября 2026"})
		expect(t, l, "Объявлено")
		for i, ans := range []string{"Приду", "Возможно", "Не смогу"} {
			us[i].press(t, expect(t, us[i], "Новое мероприятие"), ans)
			us[i].next(t)
		}
		start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		h.quiet()
		l.drain()

		// 24 hours before: those who come or might are reminded, once.
		h.clock.Add(start.Add(-24*time.Hour).Sub(h.clock.Now()) + time.Minute)
		for i, u := range us[:2] {
			m := expect(t, u, "⏰", "Цифровые инструменты", "25 ноября 2026 (среда), 15:00–16:30", "МБОУ СОШ № 5, каб. 21")
			if strings.Count(m.text, "\n") > 1 || strings.Contains(m.text, "Повестка") {
				t.Errorf("the reminder is more than two lines: %q", m.text)
			}
			if chosen := []string{"✓ Приду", "✓ Возможно"}[i]; !m.has(chosen) {
				t.Errorf("the reminder lacks the answer marked %q: %v", chosen, m.buttons)
			}
		}
		h.quiet()
		for _, u := range us {
			if n := u.drain(); n != 0 {
				t.Errorf("member %d: %d extra messages", u.account(), n)
			}
		}

		// The bot is down when the 1-hour reminder falls due; it catches up.
		h.stop()
		h.clock.Add(start.Add(-time.Hour).Sub(h.clock.Now()) + 20*time.Minute)
		h.start()
		expect(t, us[0], "⏰", "Цифровые инструменты")
		expect(t, us[1], "⏰", "Цифровые инструменты")
		h.restart()
		h.quiet()
		for _, u := range us {
			if n := u.drain(); n != 0 {
				t.Errorf("member %d: a reminder sent twice (%d extra)", u.account(), n)
			}
		}
	})
}

// TestNoReminderAfterTheStart: a bot down through both reminders and the
// start sends none late; the announcement loses its answer buttons.
func TestNoReminderAfterTheStart(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, u := tm.leader, tm.members[0]
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Поздний семинар", when: "25.11 15:00", date: "25 ноября 2026"})
		expect(t, l, "Объявлено")
		u.press(t, expect(t, u, "Новое мероприятие"), "Приду")
		u.next(t)
		h.stop()
		h.clock.Add(54 * time.Hour) // past the start: both reminders missed
		h.start()
		// The announcement loses its answer buttons and says the seminar
		// is over (it ended while the bot was down); no reminder comes.
		if m := expect(t, u, "Мероприятие уже прошло", "Поздний семинар"); len(m.buttons) != 1 {
			t.Errorf("the started announcement: %q %v", m.text, m.buttons)
		}
		h.quiet()
		if n := u.drain(); n != 0 {
			t.Errorf("a reminder after the start (%d messages)", n)
		}
		// Answers are closed too.
		u.send("/meetings")
		expect(t, u, "Ближайших мероприятий нет")
	})
}

// TestCancelRetiresReminders: a member holds a 24-hour reminder with the
// answer buttons when the leader cancels; the reminder is redrawn in
// place, says the event is cancelled and offers no answer any more.
func TestCancelRetiresReminders(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, u := tm.leader, tm.members[0]
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Цифровые инструменты", when: "25.11 15:00", date: "25 ноября 2026"})
		card := expect(t, l, "Объявлено")
		ann := expect(t, u, "Новое мероприятие")
		u.press(t, ann, "Приду")
		expect(t, u, "придёте")
		start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		h.quiet()
		l.drain()

		h.clock.Add(start.Add(-24*time.Hour).Sub(h.clock.Now()) + time.Minute)
		rem := expect(t, u, "⏰", "Цифровые инструменты")
		hasAll(t, "the reminder", rem, "✓ Приду", "🤔 Возможно", "❌ Не смогу")
		h.quiet()
		l.drain()

		l.press(t, card, "Отменить")
		l.press(t, expect(t, l, "Отменить мероприятие «Цифровые инструменты»?"), "Да, отменить")
		expect(t, l, "Отменено.")
		// Edits come in the order they were made: the announcement, then
		// the reminder, then the notice.
		if m := expect(t, u, "Мероприятие отменено"); m.id != ann.id || len(m.buttons) != 0 {
			t.Errorf("the cancelled announcement keeps buttons or is not in place: %q %v", m.text, m.buttons)
		}
		m := retiredIn(t, u, rem, "Мероприятие отменено", "✓ Приду", "🤔 Возможно", "❌ Не смогу")
		if !strings.Contains(m.text, "Цифровые инструменты") || len(m.buttons) != 0 {
			t.Errorf("the cancelled reminder: %q %v", m.text, m.buttons)
		}
		expect(t, u, "Отменено:", "Цифровые инструменты")
		if a := u.pressRefused(t, rem, "Возможно"); a == "" {
			t.Error("an answer to a cancelled event passed without a word")
		}
	})
}

// TestNoNudgeOnceCheckinOpens: once check-in opens, people are arriving
// and «will you come?» is too late: the leader's card no longer offers
// the nudge, and the button on an older card answers why.
func TestNoNudgeOnceCheckinOpens(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		l, us := tm.leader, tm.members
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Проектная деятельность", when: "25.11 15:00", date: "25 ноября 2026"})
		card := expect(t, l, "Объявлено")
		for _, u := range us {
			expect(t, u, "Новое мероприятие")
		}
		h.clock.Add(24*time.Hour + time.Minute)
		l.press(t, card, "Обновить")
		card = expect(t, l, "Ответили 0 из 2")
		if !card.has("Напомнить не ответившим (2)") {
			t.Fatalf("no nudge a day after publishing: %v", card.buttons)
		}
		// 25.11 14:50 in Moscow: check-in is open.
		h.clock.Add(time.Date(2026, 11, 25, 11, 50, 0, 0, time.UTC).Sub(h.clock.Now()))
		h.quiet()
		l.unread()
		for _, u := range us {
			u.unread()
		}
		l.send("/meetings")
		l.press(t, expect(t, l, "Ближайшие мероприятия"), "Проектная деятельность")
		now := expect(t, l, "Отметка открыта")
		if now.has("Напомнить") {
			t.Errorf("a nudge offered while check-in is open: %v", now.buttons)
		}
		if a := l.pressRefused(t, card, "Напомнить не ответившим"); !strings.Contains(a, "Уже идёт отметка") {
			t.Errorf("the older card's nudge answered %q", a)
		}
		h.quiet()
		for _, u := range us {
			if n := u.drain(); n != 0 {
				t.Errorf("member %d was nudged during check-in (%d messages)", u.account(), n)
			}
		}
	})
}

// TestNoReminderAfterCheckinOpened: the bot was down (the clock jumps)
// from before the day's reminder until check-in opened; the member who
// said she would come gets the check-in invitation, not a reminder
// asking again after it, a few minutes before the start.
func TestNoReminderAfterCheckinOpened(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, u := tm.leader, tm.members[0]
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Проектная деятельность", when: "25.11 15:00", date: "25 ноября 2026"})
		expect(t, l, "Объявлено")
		u.press(t, expect(t, u, "Новое мероприятие"), "Приду")
		expect(t, u, "придёте")
		h.quiet()
		u.unread()
		// 25.11 14:50 in Moscow: check-in is open.
		h.clock.Add(time.Date(2026, 11, 25, 11, 50, 0, 0, time.UTC).Sub(h.clock.Now()))
		h.quiet()
		got := u.unread()
		checkin := 0
		for _, text := range got {
			if strings.Contains(text, "Открыта отметка") {
				checkin++
			}
			if strings.Contains(text, "⏰") {
				t.Errorf("a reminder after check-in opened: %q", text)
			}
		}
		if checkin != 1 {
			t.Errorf("want one check-in invitation, got %q", got)
		}
	})
}
