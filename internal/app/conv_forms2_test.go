package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// The conversation's last gaps (issue 12): forms are left and skipped by
// buttons, an answered question loses its buttons, no screen is a dead
// end, the plan's card is never stale, one mark on the chosen answer.

// shownNow is every message of the bot in a person's chat as it is now
// (not as it was read): its text and its buttons' labels.
func shownNow(p person) []msg {
	var out []msg
	switch p := p.(type) {
	case *tgPerson:
		for _, m := range p.u.Messages() {
			if m.Deleted {
				continue
			}
			out = append(out, msg{id: fmt.Sprint(m.ID), text: m.Text + m.Caption, buttons: tgLabels(m), tg: m})
		}
	case *maxPerson:
		for _, m := range p.u.Messages() {
			if m.Deleted {
				continue
			}
			out = append(out, msg{id: m.ID, text: m.Text, buttons: mxLabels(m), mx: m})
		}
	}
	return out
}

// leftQuestions are the messages of a person's chat that still carry a
// form's buttons (to leave it, skip or clear a step).
func leftQuestions(p person) []string {
	var out []string
	for _, m := range shownNow(p) {
		if slices.ContainsFunc(m.buttons, func(l string) bool { return slices.Contains(formButtons, l) }) {
			out = append(out, fmt.Sprintf("#%s %q %v", m.id, m.text, m.buttons))
		}
	}
	return out
}

// askedByButtons checks a form's question: it can be left by «✖ Отмена»,
// and it does not tell people to type what a button does.
func askedByButtons(t *testing.T, m msg, buttons ...string) {
	t.Helper()
	for _, b := range append([]string{"✖ Отмена"}, buttons...) {
		if !m.has(b) {
			t.Errorf("the question %q lacks the button %q: %v", m.text, b, m.buttons)
		}
	}
	for _, typed := range []string{"/cancel", "«-»", "отправьте «-»"} {
		if strings.Contains(m.text, typed) {
			t.Errorf("the question %q tells to type %s", m.text, typed)
		}
	}
}

// TestFormQuestionsByButtonsAndDoneWithoutThem: every step of the new
// event's form (format, topic, time included) and of a question to the
// association can be left by «✖ Отмена», optional steps skipped by
// «Пропустить» with no word of «-»; once a step is answered, and once a
// form ends or is cancelled, no earlier question keeps its buttons — the
// registration's included.
func TestFormQuestionsByButtonsAndDoneWithoutThem(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, u := tm.leader, tm.members[0]

		l.send("/newevent")
		format := expect(t, l, "Выберите формат")
		askedByButtons(t, format)
		l.press(t, format, "Семинар")
		expect(t, l, "Формат: Семинар")
		askedByButtons(t, expect(t, l, "Тема мероприятия?"))
		l.send("Цифровые сервисы на уроке")
		askedByButtons(t, expect(t, l, "Когда?"))
		l.send("25.11 15:00")
		l.press(t, expect(t, l, "Правильно"), "Да, верно")
		expect(t, l, "25 ноября")
		l.press(t, expect(t, l, "Сколько продлится?"), "1 ч")
		expect(t, l, "Длительность")
		askedByButtons(t, expect(t, l, "Где пройдёт?"), "Только онлайн")
		l.send("Гимназия № 3, каб. 5")
		askedByButtons(t, expect(t, l, "Ссылка на онлайн"), "Пропустить")
		l.send("-") // typed, «-» still skips
		agenda := expect(t, l, "Повестка")
		askedByButtons(t, agenda, "Пропустить")
		l.press(t, agenda, "Пропустить")
		expect(t, l, "Пропущено.")
		expect(t, l, "Черновик сохранён")
		expect(t, l, "Черновик: участники его ещё не видят", "Гимназия № 3")
		h.settle()
		if left := leftQuestions(l); len(left) != 0 {
			t.Errorf("answered questions keep their buttons:\n%s", strings.Join(left, "\n"))
		}

		// Left by the button at the first step: the question says so and
		// keeps no button.
		l.send("/newevent")
		l.press(t, expect(t, l, "Выберите формат"), "✖ Отмена")
		expect(t, l, "Отменено")
		if d := h.dialogOf(l); d != nil {
			t.Errorf("the form is still open: %+v", d)
		}

		// «Задать вопрос»: its first step too; cancelled at the second,
		// no question keeps a button, the registration's neither.
		u.send("/ask")
		cats := expect(t, u, "Выберите тему")
		askedByButtons(t, cats)
		u.press(t, cats, "Аттестация")
		expect(t, u, "Тема: Аттестация")
		q := expect(t, u, "Опишите вопрос")
		askedByButtons(t, q)
		u.send("/help") // harmless in the middle of a form
		expect(t, u, "")
		u.press(t, q, "✖ Отмена")
		expect(t, u, "Отменено")
		h.settle()
		if left := leftQuestions(u); len(left) != 0 {
			t.Errorf("a finished or cancelled form keeps buttons:\n%s", strings.Join(left, "\n"))
		}
		if left := leftQuestions(l); len(left) != 0 {
			t.Errorf("a cancelled form keeps buttons:\n%s", strings.Join(left, "\n"))
		}
	})
}

// TestChosenAnswerHasOneMark: the chosen answer's button reads «✓ Приду»,
// not «✓ ✅ Приду».
func TestChosenAnswerHasOneMark(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, u := tm.leader, tm.members[0]
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Цифровые сервисы", when: "25.11 15:00", date: "25 ноября 2026"})
		expect(t, l, "Объявлено")
		ann := expect(t, u, "Новое мероприятие")
		u.press(t, ann, "Приду")
		marked := expect(t, u, "Ваш ответ")
		if !slices.Contains(marked.buttons, "✓ Приду") || slices.Contains(marked.buttons, "✓ ✅ Приду") {
			t.Errorf("the chosen answer's button: %v", marked.buttons)
		}
		u.press(t, marked, "Не смогу")
		marked = expect(t, u, "Ваш ответ")
		if !slices.Contains(marked.buttons, "✓ Не смогу") || !slices.Contains(marked.buttons, "✅ Приду") {
			t.Errorf("the answer changed: %v", marked.buttons)
		}
	})
}

// TestPlanCardRedrawn: adding an item redraws the leader's card of the
// plan in place (the confirmation leads back to it); the coordinator's
// agreement redraws it without the buttons a plan agreed no longer has.
func TestPlanCardRedrawn(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		c, l := tm.admin, tm.leader
		l.send("/plan")
		card := expect(t, l, "План работы")
		for _, it := range []struct{ month, topic string }{{"Декабрь", "Итоги полугодия"}, {"Март", "Наставничество"}, {"Май", "Итоги года"}} {
			l.press(t, card, "Мероприятие")
			l.press(t, expect(t, l, "В каком месяце?"), it.month)
			expect(t, l, "Месяц: "+it.month)
			expect(t, l, "Тема мероприятия?")
			l.send(it.topic)
			l.press(t, expect(t, l, "Форма проведения"), "Заседание")
			expect(t, l, "Формат: Заседание")
			l.press(t, expect(t, l, "Кто ответственный?"), "Руководитель")
			expect(t, l, "Ответственный: руководитель.")
			if done := expect(t, l, "добавлено в план"); !done.has("К плану") {
				t.Errorf("the confirmation leads nowhere: %v", done.buttons)
			}
			redrawn := expect(t, l, "План работы", it.topic)
			if redrawn.id != card.id {
				t.Fatalf("the card was not redrawn in place: #%s, not #%s", redrawn.id, card.id)
			}
			card = redrawn
		}
		l.press(t, card, "Отправить на согласование")
		m := expect(t, l)
		for i := 0; i < 4 && !strings.Contains(m.text, "На согласовании"); i++ {
			if m.has("Не рассматривался") {
				l.press(t, m, "Не рассматривался")
			}
			m = expect(t, l)
		}
		h.settle()
		c.unread()
		c.send("/overview")
		h.settle()
		var decide msg
		for _, x := range shownNow(c) {
			if x.has("Согласовать") {
				decide = x
			}
		}
		if decide.id == "" {
			t.Fatal("the coordinator has no plan to agree")
		}
		c.press(t, decide, "Согласовать")
		h.settle()
		h.clock.Add(time.Second)
		var now msg
		for _, x := range shownNow(l) {
			if x.id == card.id {
				now = x
			}
		}
		for _, dead := range []string{"Отправить на согласование", "Мероприятие", "Цель", "Задачи"} {
			if now.has(dead) {
				t.Errorf("the leader's card keeps %q after the agreement: %q %v", dead, now.text, now.buttons)
			}
		}
		if !strings.Contains(now.text, "Согласован координатором") {
			t.Errorf("the leader's card does not say the plan is agreed: %q", now.text)
		}
	})
}

// TestNoDeadEnds: «Отправлено ✅» (see TestConsultationLife), «Изменения
// сохранены», the member's lists and every list or menu a command opens
// (the catalogue, the requests, the news, the bank, the registers, the
// settings, the plan, the report, the surveys, the overview, the
// coordinators) end with a way on.
func TestNoDeadEnds(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, u := tm.leader, tm.members[0]
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Цифровые сервисы", when: "25.11 15:00", date: "25 ноября 2026"})
		card := expect(t, l, "Объявлено")
		expect(t, u, "Новое мероприятие")

		l.press(t, card, "Изменить")
		l.press(t, expect(t, l, "Что изменить?"), "Место")
		expect(t, l, "Новое место")
		l.send("Гимназия № 3, каб. 5")
		l.press(t, expect(t, l, "Что изменится"), "Уведомить, ответы сохранить")
		if m := expect(t, l, "Изменения сохранены"); !m.has("К мероприятию") || !m.has("Домой") {
			t.Errorf("«Изменения сохранены» leads nowhere: %v", m.buttons)
		}
		h.settle()
		for _, cmd := range []string{"/meetings", "/my", "/history"} {
			u.unread()
			u.send(cmd)
			if m := expect(t, u); !m.has("Домой") {
				t.Errorf("%s leads nowhere: %q %v", cmd, m.text, m.buttons)
			}
		}
		u.unread()
		u.send("/meetings")
		home := expect(t, u)
		u.press(t, home, "Домой")
		expect(t, u, "Главное")

		// Every list and menu a command opens ends with the way home:
		// the catalogue and the requests first of all, as each role
		// reads them.
		screens := []struct {
			who  person
			cmds []string
		}{
			{u, []string{"/associations", "/requests", "/news", "/bank", "/registers", "/settings", "/cancel"}},
			{l, []string{"/associations", "/requests", "/plan", "/report", "/survey"}},
			{tm.admin, []string{"/associations", "/requests", "/overview", "/coordinators"}},
		}
		for _, s := range screens {
			for _, cmd := range s.cmds {
				s.who.unread()
				s.who.send(cmd)
				if m := expect(t, s.who); !m.has("Домой") {
					t.Errorf("%s leads nowhere: %q %v", cmd, m.text, m.buttons)
				}
				s.who.send("/cancel") // the bank's search stays open for words
				h.settle()
				s.who.unread()
			}
		}
		u.send("/associations")
		u.press(t, expect(t, u, "Методические объединения"), "Домой")
		expect(t, u, "Главное")

		// Where a command used to be named for typing, it is a button.
		u.send("/requests")
		none := expect(t, u, "Обращений нет")
		if strings.Contains(none.text, "/ask") {
			t.Errorf("the empty requests list asks to type /ask: %q", none.text)
		}
		u.press(t, none, "Задать вопрос")
		expect(t, u, "Выберите тему")
		u.send("/cancel")
		if m := expect(t, u, "Отменено"); !m.has("Домой") {
			t.Errorf("«Отменено» after /cancel leads nowhere: %v", m.buttons)
		}
		// The form's own «✖ Отмена» button too.
		u.send("/ask")
		u.press(t, expect(t, u, "Выберите тему"), "Отмена")
		if m := expect(t, u, "Отменено"); !m.has("Домой") {
			t.Errorf("«Отменено» after «✖ Отмена» leads nowhere: %v", m.buttons)
		}
		l.unread()
		l.send("/meetings")
		list := expect(t, l, "Ближайшие мероприятия")
		if strings.Contains(list.text, "/newevent") {
			t.Errorf("the leader's meetings ask to type /newevent: %q", list.text)
		}
		l.press(t, list, "Новое мероприятие")
		expect(t, l, "Новое мероприятие", "Выберите")
	})
}

// expectTwo reads a person's next two messages, which come in either
// order: one with a, the other with b (a notice and a view redrawn by the
// same change).
func expectTwo(t *testing.T, p person, a, b string) (ma, mb msg) {
	t.Helper()
	x, y := p.next(t), p.next(t)
	if strings.Contains(y.text, a) && strings.Contains(x.text, b) {
		x, y = y, x
	}
	if !strings.Contains(x.text, a) || !strings.Contains(y.text, b) {
		t.Fatalf("%s: want messages with %q and %q, got %q and %q", p.on(), a, b, x.text, y.text)
	}
	return x, y
}

// TestSecretaryTypedWhenNotPresent: «Другой — ввести» asks for the
// secretary's name in place of the list of those present, and the name
// typed is taken as before.
func TestSecretaryTypedWhenNotPresent(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		leader, u := tm.leader, tm.members[0]
		publishEvent(t, leader, eventForm{format: "Заседание", topic: "Итоги первой четверти", when: "23.11 12:10",
			date: "23 ноября 2026", agenda: "1. Разное"})
		expect(t, leader, "Объявлено")
		expect(t, u, "Новое мероприятие")
		u.press(t, expect(t, u, "Открыта отметка"), "Я на месте")
		expect(t, u, "Вы отмечены")
		h.clock.Add(30 * time.Minute)
		h.quiet()
		leader.unread()

		leader.send("/meetings")
		leader.press(t, expect(t, leader, "Итоги первой четверти"), "Итоги первой четверти")
		leader.press(t, expect(t, leader, "Заседание № 1"), "Протокол")
		leader.press(t, expect(t, leader, "Протокол ещё не составлен"), "Составить протокол")
		expect(t, leader, "Составим протокол")
		leader.press(t, expect(t, leader, "Кто председательствовал"), "Председатель — Лидерова О. И.")
		expect(t, leader, "Председатель: Лидерова О. И.")
		sec := expect(t, leader, "Выберите из отмеченных")
		leader.press(t, sec, "Другой — ввести")
		typed := expect(t, leader, "Напишите фамилию, имя и отчество секретаря")
		if typed.id != sec.id || typed.has("Антонова") || !typed.has("✖ Отмена") {
			t.Errorf("«Другой — ввести» did not ask in place: %q %v", typed.text, typed.buttons)
		}
		leader.send("Гостева Галина Петровна")
		leader.press(t, expect(t, leader, "Приглашённые"), "Пропустить")
		expect(t, leader, "Пропущено")
		if d := h.dialogOf(leader); d == nil || d.Draft["secretary"] != "Гостева Галина Петровна" {
			t.Errorf("the typed secretary was not taken: %+v", d)
		}
	})
}
