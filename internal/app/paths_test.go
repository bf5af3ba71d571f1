package app

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// missingButtons returns the labels of want that m lacks.
func missingButtons(m telegramtest.Message, want ...string) []string {
	var missing []string
	for _, w := range want {
		if _, ok := m.Button(w); !ok {
			missing = append(missing, w)
		}
	}
	return missing
}

// TestMemberOpensEventFromMeetings: a member opens an event from /meetings,
// answers there, and goes back to the list, which then shows the answer.
func TestMemberOpensEventFromMeetings(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	u := us[0]
	draft := scheduleEvent(t, leader, "Семинар", "Проектная деятельность", "30.11 14:00", "30 ноября 2026 (понедельник), 14:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	ann := next(t, u, "Новое мероприятие")

	u.Send("/meetings")
	list := next(t, u, "Ближайшие мероприятия", "30.11 14:00 · Семинар: Проектная деятельность (ММО учителей математики)")
	if strings.Contains(list.Text, "придёте") || strings.Contains(list.Text, "/newevent") {
		t.Errorf("a member's list before answering: %q", list.Text)
	}
	press(t, u, list, "Проектная деятельность")
	view := next(t, u, "<b>Семинар «ММО учителей математики»</b>", "<b>Тема:</b> Проектная деятельность",
		"30 ноября 2026 (понедельник), 14:00–15:30", "МБОУ СОШ № 5, каб. 21", "Придёте?")
	if view.ID != list.ID {
		t.Error("the event did not open in place of the list")
	}
	if m := missingButtons(view, "✅ Приду", "🤔 Возможно", "❌ Не смогу", "📅 В календарь (.ics)", "⬅️ К мероприятиям"); len(m) != 0 {
		t.Errorf("the member's view lacks %v: %v", m, view.Buttons())
	}
	for _, b := range []string{"Изменить", "Отменить", "Отметка присутствующих", "Пункт плана"} {
		if _, ok := view.Button(b); ok {
			t.Errorf("a member sees the leader's button %q", b)
		}
	}
	press(t, u, view, "⬅️ К мероприятиям")
	back := next(t, u, "Ближайшие мероприятия", "Проектная деятельность")
	if back.ID != list.ID || strings.Contains(back.Text, "Придёте?") {
		t.Errorf("back to the list: %s", back)
	}

	// Answering from the opened event.
	press(t, u, back, "Проектная деятельность")
	view = next(t, u, "Придёте?")
	if a := press(t, u, view, "Приду"); a.ShowAlert || !strings.Contains(a.Text, "Записано: ✅ придёте") {
		t.Errorf("answer toast %+v", a)
	}
	next(t, u, "Ваш ответ: ✅ придёте")
	// The announcement, the one place the meeting lives, shows it too.
	if m := next(t, u, "Ваш ответ: ✅ придёте"); m.ID != ann.ID {
		t.Errorf("the announcement was not marked in place: %s", m)
	}
	next(t, leader, "Ответили 1 из 1: ✅ 1 · 🤔 0 · ❌ 0", "Антонова А. А.")

	u.Send("/meetings")
	list = next(t, u, "30.11 14:00 · Семинар: Проектная деятельность (ММО учителей математики) — ✅ придёте")
	press(t, u, list, "Проектная деятельность")
	view = next(t, u, "Ваш ответ: ✅ придёте. Изменить его можно до начала.")
	if strings.Contains(view.Text, "Придёте?") {
		t.Errorf("an answered event still asks: %q", view.Text)
	}
	if m := missingButtons(view, "✓ Приду", "⬅️ К мероприятиям"); len(m) != 0 {
		t.Errorf("the answered view lacks %v: %v", m, view.Buttons())
	}
	press(t, u, view, "⬅️ К мероприятиям")
	next(t, u, "Ближайшие мероприятия", "— ✅ придёте")
}

// TestAnswerAfterTheEventClosed: the old announcement's answer buttons and
// the member's view of an event once it is cancelled or has started.
func TestAnswerAfterTheEventClosed(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	u := us[0]
	// One event to cancel; one at 12:10, which starts in ten minutes (its
	// check-in opens at once).
	draft := scheduleEvent(t, leader, "Заседание", "Итоги полугодия", "28.12 15:00", "28 декабря 2026 (понедельник), 15:00")
	press(t, leader, draft, "Опубликовать")
	card := next(t, leader, "Объявлено")
	cancelledAnn := next(t, u, "Новое мероприятие", "Итоги полугодия", "Придёте?")
	draft = scheduleEvent(t, leader, "Семинар", "Открытый урок геометрии", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	startedAnn := next(t, u, "Новое мероприятие", "Открытый урок геометрии", "Придёте?")
	next(t, u, "Открыта отметка")
	u.Send("/meetings")
	list := next(t, u, "Ближайшие мероприятия", "Итоги полугодия", "Открытый урок геометрии")

	press(t, leader, card, "Отменить")
	press(t, leader, next(t, leader, "Отменить мероприятие «Итоги полугодия»?"), "Да, отменить")
	next(t, leader, "Отменено.")
	if m := next(t, u, "Мероприятие отменено", "Итоги полугодия"); m.ID != cancelledAnn.ID || len(m.Buttons()) != 0 {
		t.Errorf("the cancelled announcement, edited in place without buttons: %s", m)
	}
	next(t, u, "Отменено:", "Итоги полугодия")
	h.clock.Add(15 * time.Minute)
	if m := next(t, u, "ответы закрыты", "Открытый урок геометрии"); m.ID != startedAnn.ID {
		t.Errorf("the started announcement, edited in place: %s", m)
	} else if _, ok := m.Button("Приду"); ok {
		t.Errorf("the answer buttons stay after the start: %s", m)
	}

	for _, tc := range []struct {
		name, topic string
		ann         telegramtest.Message
		alert, lead string
	}{
		{"cancelled", "Итоги полугодия", cancelledAnn, "Мероприятие отменено.", "❌ <b>Мероприятие отменено</b>"},
		{"started", "Открытый урок геометрии", startedAnn, "Мероприятие уже началось: ответ изменить нельзя.", "ответы закрыты"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := press(t, u, tc.ann, "Возможно")
			if !a.ShowAlert || a.Text != tc.alert {
				t.Errorf("answering the old announcement: %+v, want the alert %q", a, tc.alert)
			}
			h.quiet()
			if extra := u.Drain(); len(extra) != 0 {
				t.Errorf("the refused answer changed messages: %v", extra)
			}
			// The list the member had open still leads to the event.
			press(t, u, list, tc.topic)
			view := next(t, u, tc.lead, tc.topic)
			if strings.Contains(view.Text, "Придёте?") {
				t.Errorf("a closed event asks for an answer: %q", view.Text)
			}
			for _, b := range []string{"Приду", "Возможно", "Не смогу"} {
				if _, ok := view.Button(b); ok {
					t.Errorf("a closed event offers %q: %v", b, view.Buttons())
				}
			}
			if m := missingButtons(view, "⬅️ К мероприятиям"); len(m) != 0 {
				t.Errorf("no way back: %v", view.Buttons())
			}
		})
	}
	uid := h.uid(u.ID)
	h.m.DB.View(func(tx *boltdb.Tx) error {
		return tx.Events(func(e *mmo.Event) bool {
			if _, err := tx.RSVP(e, uid); err == nil {
				t.Errorf("an answer to %q was stored", e.Topic)
			}
			return true
		})
	})
}

func TestDeleteDraftEvent(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	draft := scheduleEvent(t, leader, "Семинар", "Лишний семинар", "30.11 14:00", "30 ноября 2026 (понедельник), 14:00")

	// "No" goes back to the draft.
	press(t, leader, draft, "Удалить черновик")
	confirm := next(t, leader, "Удалить черновик «Лишний семинар»?")
	if confirm.ID != draft.ID || len(confirm.Buttons()) != 2 {
		t.Errorf("confirmation %s", confirm)
	}
	press(t, leader, confirm, "Нет")
	card := next(t, leader, "Черновик: участники его ещё не видят", "Лишний семинар")

	press(t, leader, card, "Удалить черновик")
	press(t, leader, next(t, leader, "Удалить черновик «Лишний семинар»?"), "Да, удалить")
	gone := next(t, leader, "Черновик «Лишний семинар» удалён.")
	if gone.ID != draft.ID || len(gone.Buttons()) != 0 {
		t.Errorf("after the deletion: %s", gone)
	}
	// The draft's old buttons find nothing.
	for _, b := range []string{"Опубликовать", "Удалить черновик"} {
		if a := press(t, leader, draft, b); !a.ShowAlert || a.Text != "Мероприятие удалено или больше не доступно." {
			t.Errorf("%q on the deleted draft: %+v", b, a)
		}
	}
	h.quiet()
	if extra := us[0].Drain(); len(extra) != 0 {
		t.Errorf("a member heard of a draft: %v", extra)
	}
	leader.Send("/meetings")
	list := next(t, leader, "Ближайших мероприятий нет")
	if strings.Contains(list.Text, "Лишний семинар") || strings.Contains(list.Text, "Черновики") || len(list.Buttons()) != 2 { // only «Новое мероприятие» and «Домой»
		t.Errorf("the leader's list after the deletion: %s", list)
	}
	us[0].Send("/meetings")
	if m := next(t, us[0], "Ближайших мероприятий нет"); len(m.Buttons()) != 1 {
		t.Errorf("the member's list: %s", m)
	}
	h.m.DB.View(func(tx *boltdb.Tx) error {
		n := 0
		tx.Events(func(*mmo.Event) bool { n++; return true })
		if n != 0 {
			t.Errorf("%d events stored after the deletion", n)
		}
		return nil
	})
}

// TestCheckinQRAndRepeatedHere: the QR code for the screen, "I am here"
// pressed twice, and pressed after the leader closed check-in.
func TestCheckinQRAndRepeatedHere(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	draft := scheduleEvent(t, leader, "Заседание", "Итоги четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	var here []telegramtest.Message
	for _, u := range us {
		next(t, u, "Новое мероприятие")
		here = append(here, next(t, u, "Открыта отметка", "Итоги четверти"))
	}
	view, code, link := openCheckin(t, leader, "Итоги четверти")

	press(t, leader, view, "QR-код на экран")
	qr := leader.Next(t)
	if qr.Photo == nil || !bytes.HasPrefix(qr.Photo.Bytes, []byte("\x89PNG")) {
		t.Fatalf("no QR picture: %s", qr)
	}
	for _, want := range []string{"Отметка: Заседание № 1 «ММО учителей математики»", "Код: " + code, "start=" + link} {
		if !strings.Contains(qr.Caption, want) {
			t.Errorf("QR caption %q lacks %q", qr.Caption, want)
		}
	}

	press(t, us[0], here[0], "Я на месте")
	done := next(t, us[0], "Вы отмечены: Заседание № 1 «ММО учителей математики», 12:00")
	if len(done.Buttons()) != 0 {
		t.Errorf("the button stayed: %s", done)
	}
	next(t, leader, "Отметились: 1 из 2")
	// A second press on the old copy of the message.
	if a := press(t, us[0], here[0], "Я на месте"); !a.ShowAlert || a.Text != "Вы уже отметились в 12:00 ✅" {
		t.Errorf("second press: %+v", a)
	}

	press(t, leader, view, "Закрыть отметку")
	next(t, leader, "Отметка закрыта")
	// The button goes from those who did not check in; the one who did
	// keeps "Вы отмечены".
	if m := next(t, us[1], "Отметка закрыта:"); len(m.Buttons()) != 0 || m.ID != here[1].ID {
		t.Errorf("the dead button stays: %s", m)
	}
	if a := press(t, us[1], here[1], "Я на месте"); !a.ShowAlert || a.Text != "Отметка на это мероприятие закрыта." {
		t.Errorf("press after closing: %+v", a)
	}
	h.quiet()
	for _, u := range []*telegramtest.User{us[0], us[1], leader} {
		if extra := u.Drain(); len(extra) != 0 {
			t.Errorf("user %d: refused presses changed messages: %v", u.ID, extra)
		}
	}
	uid := h.uid(us[0].ID)
	h.m.DB.View(func(tx *boltdb.Tx) error {
		var e *mmo.Event
		tx.Events(func(x *mmo.Event) bool { e = x; return false })
		att, err := tx.EventAttendance(e.ID)
		if err != nil {
			return err
		}
		if x := att[uid]; len(att) != 1 || x == nil || x.Mark != mmo.MarkPresent || x.How != mmo.HowButton {
			t.Errorf("attendance %v", att)
		}
		return nil
	})
}

// TestLeaderHelp: /help is a few lines above the home screen's buttons
// for the role, not a dump of commands; the buttons open their sections.
func TestLeaderHelp(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	leader.Send("/help")
	help := next(t, leader, "Вы руководитель объединения", "Главное", "ММО учителей математики")
	for _, b := range []string{"📅 Мои встречи", "👥 Мои объединения", "⚙️ Настройки", "➕ Новое мероприятие", "🧑‍🏫 Участники", "📋 План", "📊 Отчёт", "📨 Обращения"} {
		if _, ok := help.Button(b); !ok {
			t.Errorf("the leader's home lacks %q: %v", b, help.Buttons())
		}
	}
	if strings.Count(help.Text, "\n") > 4 || strings.Contains(help.Text, "/members") {
		t.Errorf("the leader's help is a command dump: %q", help.Text)
	}
	for _, not := range []string{"Обзор", "Ждут решения"} {
		if _, ok := help.Button(not); ok {
			t.Errorf("the leader's home offers %s", not)
		}
	}
	press(t, leader, help, "Новое мероприятие")
	next(t, leader, "Новое мероприятие", "Выберите формат")

	us[0].Send("/help")
	m := next(t, us[0], "Бот присылает объявления", "Главное")
	for _, b := range []string{"📅 Мои встречи", "❓ Задать вопрос", "👥 Мои объединения", "⚙️ Настройки"} {
		if _, ok := m.Button(b); !ok {
			t.Errorf("the member's home lacks %q: %v", b, m.Buttons())
		}
	}
	if _, ok := m.Button("Новое мероприятие"); ok {
		t.Errorf("a member's home offers leader's buttons: %v", m.Buttons())
	}
	press(t, us[0], m, "Мои встречи")
	next(t, us[0], "Ближайших мероприятий нет")
	// A forged home button for a leader's section is refused.
	if a := press(t, us[0], m, "Мои объединения"); a.ShowAlert {
		t.Errorf("my associations refused: %+v", a)
	}
	next(t, us[0], "ММО учителей математики")
	us[0].Send("Когда следующее заседание?")
	next(t, us[0], "Не понял", "Главное")
	us[0].Send("/start")
	back := next(t, us[0], "С возвращением", "Главное")
	if _, ok := back.Button("Мои встречи"); !ok || strings.Contains(back.Text, "/meetings") {
		t.Errorf("/start of a known user: %q %v", back.Text, back.Buttons())
	}
}

// TestParticipationRecordOfOneYear: /history sends the record of one
// school year with that year's events only.
func TestParticipationRecordOfOneYear(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	u := us[0]
	first := scheduleEvent(t, leader, "Заседание", "Итоги первой четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, first, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, u, "Новое мероприятие")
	press(t, u, next(t, u, "Открыта отметка"), "Я на месте")
	next(t, u, "Вы отмечены")
	next(t, leader, "отметились 1 из 1") // the card, live
	second := scheduleEvent(t, leader, "Семинар", "Наставничество в новом году", "20.09.2027 12:10", "20 сентября 2027 (понедельник), 12:10")
	press(t, leader, second, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, u, "Новое мероприятие", "Наставничество в новом году")

	// 20.09.2027, 12:00 in Moscow: the next school year, check-in open.
	h.clock.Add(time.Date(2027, 9, 20, 9, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
	press(t, u, nextSkipping(t, u, "⏰", "Открыта отметка"), "Я на месте")
	next(t, u, "Вы отмечены", "Семинар «ММО учителей математики»")
	h.clock.Add(30 * time.Minute) // the record counts events that have begun
	next(t, u, "ответы закрыты", "Наставничество в новом году")

	u.Send("/history")
	hist := next(t, u, "Ваше участие в мероприятиях", "2027/2028 учебный год — 1 мероприятие", "2026/2027 учебный год — 1 мероприятие")
	inOrder(t, hist.Text, "2027/2028", "2026/2027")
	if m := missingButtons(hist, "📄 Справка за 2027/2028", "📄 Справка за 2026/2027", "📄 Справка за всё время (2 мероприятия)"); len(m) != 0 {
		t.Fatalf("history buttons lack %v: %v", m, hist.Buttons())
	}
	for _, tc := range []struct {
		button, file, row, other string
	}{
		{"Справка за 2026/2027", "Справка об участии № 1 Антонова А. А.docx", "23.11.2026 | ММО учителей математики | Заседание | Итоги первой четверти", "Наставничество"},
		{"Справка за 2027/2028", "Справка об участии № 2 Антонова А. А.docx", "20.09.2027 | ММО учителей математики | Семинар | Наставничество в новом году", "Итоги первой четверти"},
	} {
		if a := press(t, u, hist, tc.button); a.ShowAlert {
			t.Errorf("%s: %+v", tc.button, a)
		}
		doc := u.Next(t)
		text := docText(t, doc)
		if doc.Document.Name != tc.file {
			t.Errorf("%s: file %q", tc.button, doc.Document.Name)
		}
		year := strings.TrimPrefix(tc.button, "Справка за ")
		inOrder(t, text, "СПРАВКА №", "Антонова Анна Антоновна, учитель, Школа № 10, в "+year+" учебном году принимала участие",
			tc.row, "Всего: 1 мероприятие.")
		if strings.Contains(text, tc.other) {
			t.Errorf("the record of %s lists another year's event %q:\n%s", year, tc.other, text)
		}
	}
}

func TestRegistrationRejectsBadSchoolAndPosition(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 111, "Мария")
		u.send("/start")
		expect(t, u, "Здравствуйте")
		u.press(t, expect(t, u, "152-ФЗ"), "Даю согласие")
		expect(t, u, "Согласие получено")
		expect(t, u, "Шаг 1 из 3")
		u.send("Иванова Мария Петровна")
		expect(t, u, "Шаг 2 из 3")
		for _, tc := range []struct{ in, want string }{
			{"12345", "Название организации должно содержать буквы и не начинаться с «/»"},
			{"№ 5 — 17", "Название организации должно содержать буквы"},
			{"Лицей № 1", "Шаг 3 из 3"},
			{"1-2-3", "Должность должна содержать буквы и не начинаться с «/»"},
			{"— 7 —", "Должность должна содержать буквы"},
			{"учитель физики", "вы зарегистрированы"},
		} {
			u.send(tc.in)
			expect(t, u, tc.want)
		}
		if got := h.stored(u); got.School != "Лицей № 1" || got.Position != "учитель физики" {
			t.Errorf("stored %q / %q", got.School, got.Position)
		}
	})
}

func TestInviteLinkDuringRegistration(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on)
		leader := tm.leader
		at, _, _ := invitationOf(t, leader)
		u := h.person(on, 120, "Нина")
		u.send("/start")
		expect(t, u, "Здравствуйте")
		u.press(t, expect(t, u, "152-ФЗ"), "Даю согласие")
		expect(t, u, "Согласие получено")
		expect(t, u, "Шаг 1 из 3")
		u.send("Новикова Нина Николаевна")
		expect(t, u, "Шаг 2 из 3")

		// The leader's link, opened before the registration is finished.
		u.open(t, at)
		expect(t, u, "Продолжим регистрацию с того места, где остановились")
		expect(t, u, "Шаг 2 из 3")
		h.quiet()
		if extra := leader.unread(); len(extra) != 0 {
			t.Errorf("the leader heard of an unregistered newcomer: %q", extra)
		}
		u.send("Гимназия № 3")
		expect(t, u, "Шаг 3 из 3")
		u.send("учитель математики")
		done := expect(t, u, "вы зарегистрированы", "Новикова Нина Николаевна")
		welcome := expect(t, u, "Добро пожаловать в «ММО учителей математики»")
		// Just joined: nothing tells her to join again, and the way on is
		// the home screen's buttons.
		for _, m := range []msg{done, welcome} {
			if strings.Contains(m.text, "/associations") || strings.Contains(m.text, "Вступить") {
				t.Errorf("a new member is told to join: %q", m.text)
			}
		}
		if !welcome.has("Мои встречи") {
			t.Errorf("the welcome lacks the home buttons: %v", welcome.buttons)
		}
		expect(t, leader, "вступил(а) Новикова Нина Николаевна (Гимназия № 3)")
		uid := h.stored(u).ID
		h.m.DB.View(func(tx *boltdb.Tx) error {
			m, err := tx.Membership(1, uid)
			if err != nil || m.State != mmo.MemberActive {
				t.Errorf("membership %+v, %v", m, err)
			}
			return nil
		})
	})
}

// TestAnswerKeepsTheWayBackToMeetings: an answer given in the event
// opened from /meetings keeps the button back to the list.
func TestAnswerKeepsTheWayBackToMeetings(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	u := us[0]
	draft := scheduleEvent(t, leader, "Семинар", "Проектная деятельность", "30.11 14:00", "30 ноября 2026 (понедельник), 14:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, u, "Новое мероприятие")
	u.Send("/meetings")
	press(t, u, next(t, u, "Ближайшие мероприятия"), "Проектная деятельность")
	view := next(t, u, "Придёте?")
	press(t, u, view, "Приду")
	answered := next(t, u, "Ваш ответ: ✅ придёте")
	next(t, u, "Ваш ответ: ✅ придёте") // the announcement, marked in place
	if _, ok := answered.Button("⬅️ К мероприятиям"); !ok {
		t.Fatalf("the way back is gone after answering: %s", answered)
	}
	press(t, u, answered, "⬅️ К мероприятиям")
	next(t, u, "Ближайшие мероприятия", "— ✅ придёте")
}

// TestSubmenuBackButtonsSayWhereTheyGo: the last button of a submenu
// returns to the card it was opened from, and its label must not promise
// another place.
func TestSubmenuBackButtonsSayWhereTheyGo(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	draft := scheduleEvent(t, leader, "Семинар", "Проектная деятельность", "30.11 14:00", "30 ноября 2026 (понедельник), 14:00")
	press(t, leader, draft, "Опубликовать")
	card := next(t, leader, "Объявлено")
	next(t, us[0], "Новое мероприятие")
	leader.Send("/plan")
	addPlanItem(t, leader, next(t, leader, "План работы"), "Декабрь", "Функциональная грамотность", "Семинар")
	ask(t, us[0], "Аттестация", "Когда подавать документы на первую категорию?")
	note := next(t, leader, "Новое обращение")

	for _, tc := range []struct {
		name   string
		from   telegramtest.Message
		open   []string // the buttons that lead to the submenu
		cardIs string   // the card the back button returns to
		label  string   // and what that button says
	}{
		{"event edit", card, []string{"Изменить"}, "📣 Объявлено.", "⬅️ К мероприятию"},
		{"plan link", card, []string{"Пункт плана"}, "📣 Объявлено.", "⬅️ К мероприятию"},
		{"give to consultant", note, []string{"Открыть обращение", "Передать консультанту"}, "Статус: новое", "⬅️ К обращению"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.from
			for _, b := range tc.open {
				press(t, leader, m, b)
				m = leader.Next(t)
			}
			buttons := m.Buttons()
			back := buttons[len(buttons)-1]
			press(t, leader, m, back.Text)
			got := leader.Next(t)
			if !strings.Contains(got.Text, tc.cardIs) {
				t.Fatalf("%q led to %q", back.Text, got.Text)
			}
			if back.Text != tc.label {
				t.Errorf("the button back to the card is labelled %q, want %q", back.Text, tc.label)
			}
		})
	}
}
