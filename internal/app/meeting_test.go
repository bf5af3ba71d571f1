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

func TestScheduleWithNaturalDates(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Петров Пётр Петрович")
	// The clock is Monday 23.11.2026 09:00 UTC, 12:00 in Moscow.
	leader.Send("/newevent")
	press(t, leader, next(t, leader, "Выберите формат"), "Заседание")
	next(t, leader, "Формат: Заседание")
	next(t, leader, "Тема")
	leader.Send("Ф")
	next(t, leader, "Слишком коротко")
	leader.Send("2025")
	next(t, leader, "Текст должен содержать буквы")
	leader.Send("Функциональная грамотность")
	next(t, leader, "Когда?")
	for _, bad := range []struct{ in, hint string }{
		{"31.02 15:00", "Не удалось распознать дату"},
		{"когда-нибудь", "Не удалось распознать дату"},
		{"25.12", "Укажите и время"},
		{"23.11 10:00", "уже прошло"},
		{"25.12.2030 10:00", "не более чем на два года"},
	} {
		leader.Send(bad.in)
		next(t, leader, bad.hint)
	}
	leader.Send("25.12 15:30")
	confirm := next(t, leader, "25 декабря 2026 (пятница), 15:30")
	press(t, leader, confirm, "Нет, ввести заново")
	next(t, leader, "ещё раз")
	leader.Send("завтра в 15:00")
	press(t, leader, next(t, leader, "24 ноября 2026 (вторник), 15:00"), "Да, верно")
	next(t, leader, "24 ноября 2026")
	next(t, leader, "Сколько продлится?")
	leader.Send("полдня")
	next(t, leader, "Не удалось распознать длительность")
	leader.Send("2 часа")
	next(t, leader, "Где пройдёт?")
	leader.Send("-")
	next(t, leader, "Ссылка")
	leader.Send("-")
	next(t, leader, "Нужно указать место или ссылку")
	leader.Send("-")
	next(t, leader, "Ссылка")
	leader.Send("telemost.ru/123")
	next(t, leader, "Нужна ссылка целиком, с https:// в начале")
	leader.Send("https://telemost.yandex.ru/j/12345")
	next(t, leader, "Повестка")
	leader.Send("-")
	next(t, leader, "Черновик сохранён")
	draft := next(t, leader, "Заседание «ММО учителей математики»", "24 ноября 2026 (вторник), 15:00–17:00", "🔗 https://telemost.yandex.ru/j/12345")
	h.quiet()
	if extra := us[0].Drain(); len(extra) != 0 {
		t.Fatalf("a member saw a draft: %v", extra)
	}
	press(t, leader, draft, "Опубликовать")
	card := next(t, leader, "Заседание № 1 «ММО учителей математики»", "Объявлено", "Ответили 0 из 1")
	ann := next(t, us[0], "Новое мероприятие", "Заседание № 1", "Функциональная грамотность", "Придёте?")
	if len(ann.Buttons()) != 4 {
		t.Errorf("announcement buttons %v", ann.Buttons())
	}
	if !strings.Contains(card.Text, "доставлено 0 из 1. Ещё 1 в очереди") {
		t.Errorf("the card at publication: %q", card.Text)
	}
	h.srv.Settle(t) // the delivery is recorded just after the message arrives
	press(t, leader, card, "Обновить")
	next(t, leader, "доставлено 1 из 1")
}

func TestAnswersNudgeAndLiveCard(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна")
	draft := scheduleEvent(t, leader, "Семинар", "Проектная деятельность", "30.11 14:00", "30 ноября 2026 (понедельник), 14:00")
	press(t, leader, draft, "Опубликовать")
	card := next(t, leader, "Объявлено", "Ответили 0 из 3")
	var anns []telegramtest.Message
	for _, u := range us {
		anns = append(anns, next(t, u, "Новое мероприятие", "Семинар «ММО учителей математики»", "1. Итоги олимпиады"))
	}
	h.srv.Settle(t)
	press(t, leader, card, "Обновить")
	card = next(t, leader, "доставлено 3 из 3")

	a := press(t, us[0], anns[0], "Приду")
	if !strings.Contains(a.Text, "придёте") {
		t.Errorf("answer toast %q", a.Text)
	}
	marked := next(t, us[0], "Ваш ответ: ✅ придёте")
	if _, ok := marked.Button("✓ ✅ Приду"); !ok {
		t.Errorf("the chosen answer is not marked: %v", marked.Buttons())
	}
	live := next(t, leader, "Ответили 1 из 3: ✅ 1 · 🤔 0 · ❌ 0", "Антонова А. А.")
	if live.ID != card.ID {
		t.Error("the leader's card was not refreshed in place")
	}
	press(t, us[1], anns[1], "Возможно")
	next(t, us[1], "возможно")
	next(t, leader, "Ответили 2 из 3: ✅ 1 · 🤔 1 · ❌ 0")
	// Changing one's mind.
	press(t, us[0], marked, "Не смогу")
	next(t, us[0], "не сможете")
	live = next(t, leader, "Ответили 2 из 3: ✅ 0 · 🤔 1 · ❌ 1")

	// No nudge is offered while the announcement is fresh.
	if _, ok := live.Button("Напомнить"); ok {
		t.Errorf("a nudge offered seconds after publishing: %v", live.Buttons())
	}
	// A day later it is; it asks for a confirmation naming who gets it.
	h.clock.Add(24*time.Hour + time.Minute)
	press(t, leader, live, "Обновить")
	live = next(t, leader, "Ответили 2 из 3")
	press(t, leader, live, "Напомнить не ответившему (1)")
	confirm := next(t, leader, "Напомнить 1 участнику, который не ответил?", "Васильева В. В.")
	h.quiet()
	if extra := us[2].Drain(); len(extra) != 0 {
		t.Errorf("a nudge went before the confirmation: %v", extra)
	}
	press(t, leader, confirm, "Да, напомнить")
	after := next(t, leader, "Ответили 2 из 3")
	if _, ok := after.Button("Напомнить"); ok {
		t.Errorf("the nudge is offered again the same day: %v", after.Buttons())
	}
	nudge := next(t, us[2], "Ответьте, пожалуйста, придёте ли", "Проектная деятельность")
	if len(nudge.Text) > 300 {
		t.Errorf("the nudge repeats the card (%d bytes): %q", len(nudge.Text), nudge.Text)
	}
	// The confirmation pressed twice sends nothing more: once a day.
	if a := press(t, leader, confirm, "Да, напомнить"); !a.ShowAlert || !strings.Contains(a.Text, "Напоминать некому") {
		t.Errorf("a second nudge the same day: %+v", a)
	}
	h.quiet()
	for _, u := range us {
		if extra := u.Drain(); len(extra) != 0 {
			t.Errorf("user %d got a second nudge or one after answering: %v", u.ID, extra)
		}
	}
	press(t, us[2], nudge, "Приду")
	if m := next(t, us[2], "Проектная деятельность"); len(m.Text) > 300 {
		t.Errorf("the answered nudge grew into the card: %q", m.Text)
	}
	next(t, us[2], "Ваш ответ: ✅ придёте") // the announcement, marked in place
	next(t, leader, "Ответили 3 из 3")

	// The calendar file.
	press(t, us[2], anns[2], "В календарь")
	ics := us[2].Next(t)
	if ics.Document == nil || !strings.HasSuffix(ics.Document.Name, ".ics") {
		t.Fatalf("no .ics: %+v", ics)
	}
	body := string(ics.Document.Bytes)
	// 30.11 14:00 in Moscow is 11:00 UTC.
	for _, want := range []string{"BEGIN:VCALENDAR", "DTSTART:20261130T110000Z", "DTEND:20261130T123000Z", "Проектная деятельность", "МБОУ СОШ № 5\\, каб. 21"} {
		if !strings.Contains(body, want) {
			t.Errorf(".ics lacks %q:\n%s", want, body)
		}
	}

	// A stranger cannot answer.
	stranger := h.teacher(399, "Чужаков Иван Иванович")
	b, _ := anns[0].Button("Приду")
	id := stranger.PressData(anns[0].ID, b.Data)
	if a := stranger.Answer(t, id); !a.ShowAlert {
		t.Errorf("a stranger's forged answer: %+v", a)
	}
	stranger.Send("/newevent")
	next(t, stranger, "недоступна")
}

func TestChangeResetsAnswersAndCancelTellsEveryone(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	draft := scheduleEvent(t, leader, "Заседание", "Итоги полугодия", "28.12 15:00", "28 декабря 2026 (понедельник), 15:00")
	press(t, leader, draft, "Опубликовать")
	card := next(t, leader, "Объявлено")
	ann0 := next(t, us[0], "Новое мероприятие")
	ann1 := next(t, us[1], "Новое мероприятие")
	anns := []telegramtest.Message{ann0, ann1}
	press(t, us[0], ann0, "Приду")
	next(t, us[0], "придёте")
	next(t, leader, "✅ 1")

	// A new room: the leader sees what changes and chooses how loud.
	press(t, leader, card, "Изменить")
	press(t, leader, next(t, leader, "Что изменить?"), "Место")
	next(t, leader, "Новое место")
	leader.Send("Гимназия № 3, актовый зал")
	ask := next(t, leader, "Что изменится", "Место: <s>МБОУ СОШ № 5, каб. 21</s> → <b>Гимназия № 3, актовый зал</b>")
	if m := missingButtons(ask, "Уведомить участников и сбросить ответы", "Уведомить, ответы сохранить", "Исправить без уведомления", "✖ Отмена"); len(m) != 0 {
		t.Fatalf("the choice lacks %v: %v", m, ask.Buttons())
	}
	press(t, leader, ask, "Уведомить участников и сбросить ответы")
	next(t, leader, "уведомление получат 2 участника")
	next(t, leader, "Ответили 0 из 2", "Гимназия № 3")
	for i, u := range us {
		// The announcement itself changes, old and new shown, with live
		// buttons for the new version; one short notice points to it.
		m := next(t, u, "Изменено", "Место: <s>МБОУ СОШ № 5, каб. 21</s> → <b>Гимназия № 3, актовый зал</b>", "ответьте, пожалуйста, заново")
		if m.ID != anns[i].ID {
			t.Errorf("user %d: the announcement was not edited in place", u.ID)
		}
		anns[i] = m
		notice := next(t, u, "Изменения:", "Итоги полугодия", "Объявление выше обновлено")
		if strings.Contains(notice.Text, "Повестка") {
			t.Errorf("the notice repeats the card: %q", notice.Text)
		}
	}
	if a := press(t, us[0], ann0, "Возможно"); !a.ShowAlert || !strings.Contains(a.Text, "изменилось") {
		t.Errorf("an answer to the old version: %+v", a)
	}
	press(t, us[0], anns[0], "Приду")
	next(t, us[0], "Ваш ответ: ✅ придёте")
	next(t, leader, "✅ 1")

	// Moving the time, keeping the answers.
	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Ближайшие мероприятия", "Итоги полугодия"), "Итоги полугодия")
	card = next(t, leader, "Итоги полугодия", "Объявлено")
	press(t, leader, card, "Изменить")
	press(t, leader, next(t, leader, "Что изменить?"), "Дата и время")
	next(t, leader, "Когда?")
	leader.Send("29.12 16:00")
	press(t, leader, next(t, leader, "29 декабря 2026"), "Да, верно")
	next(t, leader, "29 декабря")
	ask = next(t, leader, "Что изменится", "Время: <s>28 декабря 2026 (понедельник), 15:00–16:30</s> → <b>29 декабря 2026 (вторник), 16:00–17:30</b>")
	press(t, leader, ask, "Уведомить, ответы сохранить")
	next(t, leader, "уведомление получат 2 участника")
	card = next(t, leader, "29 декабря 2026 (вторник), 16:00–17:30", "✅ 1")
	for i, u := range us {
		m := next(t, u, "Время: <s>28 декабря 2026 (понедельник), 15:00–16:30</s> → <b>29 декабря 2026 (вторник), 16:00–17:30</b>")
		if strings.Contains(m.Text, "заново") || m.ID != anns[i].ID {
			t.Errorf("user %d: the kept answers are asked again, or not in place: %q", u.ID, m.Text)
		}
		next(t, u, "Изменения:", "Объявление выше обновлено")
	}

	// A typo fixed quietly: the announcements change, no one is told.
	press(t, leader, card, "Изменить")
	press(t, leader, next(t, leader, "Что изменить?"), "Место")
	next(t, leader, "Новое место")
	leader.Send("Гимназия № 3, актовый зал, 2 этаж")
	press(t, leader, next(t, leader, "Что изменится"), "Исправить без уведомления")
	next(t, leader, "Исправлено")
	card = next(t, leader, "2 этаж", "✅ 1")
	for i, u := range us {
		if m := next(t, u, "2 этаж"); m.ID != anns[i].ID || strings.Contains(m.Text, "Изменено") {
			t.Errorf("user %d: the quiet fix: %s", u.ID, m)
		}
	}
	h.quiet()
	for _, u := range us {
		if extra := u.Drain(); len(extra) != 0 {
			t.Errorf("user %d was told of a quiet fix: %v", u.ID, extra)
		}
	}

	// Cancelling edits the announcement and tells everyone once.
	press(t, leader, card, "Отменить")
	press(t, leader, next(t, leader, "Отменить мероприятие «Итоги полугодия»?"), "Да, отменить")
	next(t, leader, "Отменено.")
	for i, u := range us {
		if m := next(t, u, "Мероприятие отменено", "Итоги полугодия"); m.ID != anns[i].ID || len(m.Buttons()) != 0 {
			t.Errorf("user %d: the cancelled announcement keeps buttons or is not in place: %s", u.ID, m)
		}
		next(t, u, "Отменено:", "Итоги полугодия")
	}
	us[0].Send("/meetings")
	next(t, us[0], "Ближайших мероприятий нет")
	leader.Send("/meetings")
	next(t, leader, "Прошедшие", "Итоги полугодия (ММО учителей математики) — отменено")
}

func TestReminders(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна")
	// Now is 23.11 12:00 Moscow; the event is 25.11 15:00 Moscow (12:00 UTC).
	draft := scheduleEvent(t, leader, "Семинар", "Цифровые инструменты", "25.11 15:00", "25 ноября 2026 (среда), 15:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	for i, ans := range []string{"Приду", "Возможно", "Не смогу"} {
		press(t, us[i], next(t, us[i], "Новое мероприятие"), ans)
		us[i].Next(t)
	}
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	h.quiet()
	leader.Drain()

	// 24 hours before: those who come or might are reminded, once.
	h.clock.Add(start.Add(-24*time.Hour).Sub(h.clock.Now()) + time.Minute)
	for i, u := range us[:2] {
		m := next(t, u, "⏰", "Цифровые инструменты", "25 ноября 2026 (среда), 15:00–16:30", "МБОУ СОШ № 5, каб. 21")
		if strings.Count(m.Text, "\n") > 1 || strings.Contains(m.Text, "Повестка") {
			t.Errorf("the reminder is more than two lines: %q", m.Text)
		}
		chosen := []string{"✓ ✅ Приду", "✓ 🤔 Возможно"}[i]
		if _, ok := m.Button(chosen); !ok {
			t.Errorf("the reminder lacks the answer marked %q: %v", chosen, m.Buttons())
		}
	}
	h.quiet()
	for _, u := range us {
		if extra := u.Drain(); len(extra) != 0 {
			t.Errorf("user %d: extra messages %v", u.ID, extra)
		}
	}

	// The bot is down when the 1-hour reminder falls due; it catches up.
	h.stop()
	h.clock.Add(start.Add(-time.Hour).Sub(h.clock.Now()) + 20*time.Minute)
	h.start()
	next(t, us[0], "⏰")
	next(t, us[1], "⏰")
	h.restart()
	h.quiet()
	for _, u := range us {
		if extra := u.Drain(); len(extra) != 0 {
			t.Errorf("user %d: a reminder sent twice: %v", u.ID, extra)
		}
	}
}

func TestNoReminderAfterTheStart(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	draft := scheduleEvent(t, leader, "Семинар", "Поздний семинар", "25.11 15:00", "25 ноября 2026 (среда), 15:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	press(t, us[0], next(t, us[0], "Новое мероприятие"), "Приду")
	us[0].Next(t)
	h.stop()
	h.clock.Add(54 * time.Hour) // past the start: both reminders missed
	h.start()
	// The announcement loses its answer buttons; no reminder comes.
	if m := next(t, us[0], "ответы закрыты", "Поздний семинар"); len(m.Buttons()) != 1 {
		t.Errorf("the started announcement: %s", m)
	}
	h.quiet()
	if extra := us[0].Drain(); len(extra) != 0 {
		t.Errorf("a reminder after the start: %v", extra)
	}
	// Answers are closed too.
	us[0].Send("/meetings")
	next(t, us[0], "Ближайших мероприятий нет")
}
