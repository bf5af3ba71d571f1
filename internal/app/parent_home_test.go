package app

import (
	"strings"
	"testing"
)

// askAsParent brings a parent through the public link to a filed request
// and returns the link.
func askAsParent(t *testing.T, leader, parent person, name, agree, topic, form string) string {
	t.Helper()
	leader.press(t, openCardOf(t, leader), "Консультанты")
	view := expect(t, leader, "Обращения принимаются только от участников")
	leader.press(t, view, "Включить ссылку для родителей")
	public := link(t, expect(t, leader, "по ссылке").text)
	parent.open(t, public)
	parent.press(t, parent.next(t), agree)
	parent.next(t) // consent given
	parent.next(t) // how to address you
	parent.send(name)
	parent.press(t, parent.next(t), topic)
	parent.next(t) // topic
	parent.next(t) // describe
	parent.send("Как помочь ребёнку подготовиться к олимпиаде?")
	parent.press(t, parent.next(t), form)
	parent.next(t) // form of the answer
	parent.next(t) // filed
	expect(t, leader, "Новое обращение")
	return public
}

// TestParentHome: a parent who asked by the public link is a known user
// with a home of her own — reached by any text, /start and /help — not a
// newcomer told to register as a teacher; from it she opens her request
// and asks again.
func TestParentHome(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on)
		parent := h.person(on, 501, "Родитель")
		askAsParent(t, tm.leader, parent, "Родителева Римма", "Даю согласие", "Олимпиады и конкурсы", "Встреча лично")

		parent.send("Когда ответят?")
		home := expect(t, parent, "Не понял сообщение", "Родителева Римма", "ваши обращения", "Последнее — № 1")
		if strings.Contains(home.text, "зарегистрированы") {
			t.Errorf("a parent is told to register: %q", home.text)
		}
		hasAll(t, "a parent's home", home, "Обращение № 1", "📨 Все мои обращения", "❓ Задать ещё вопрос")

		parent.send("/start")
		home = expect(t, parent, "С возвращением", "ваши обращения")
		if strings.Contains(home.text, "152-ФЗ") {
			t.Errorf("/start opens the teacher's consent for a parent: %q", home.text)
		}
		parent.send("/help")
		home = expect(t, parent, "передаю ваши вопросы", "ваши обращения")

		parent.press(t, home, "Обращение № 1")
		expect(t, parent, "№ 1")
		parent.send("/help")
		parent.press(t, expect(t, parent, "ваши обращения"), "📨 Все мои обращения")
		expect(t, parent, "Ваши обращения", "№ 1")

		parent.send("/start")
		parent.press(t, expect(t, parent, "ваши обращения"), "❓ Задать ещё вопрос")
		expect(t, parent, "Выберите тему")

		// «🏠 Домой» under her requests (and after a /cancel with nothing
		// to cancel) is her own home, not a button «for teachers».
		parent.send("/cancel")
		expect(t, parent, "Отменено")
		for _, cmd := range []string{"/requests", "/cancel"} {
			parent.send(cmd)
			parent.press(t, expect(t, parent), "Домой")
			expect(t, parent, "ваши обращения", "Последнее — № 1")
		}
	})
}

// TestParentHomeInEnglish: the same home in English.
func TestParentHomeInEnglish(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on)
		parent := h.personIn(on, 501, "Parent", "en")
		askAsParent(t, tm.leader, parent, "Parentova Rimma", "I agree", "Olympiads and contests", "meeting in person")
		parent.send("When will they answer?")
		home := expect(t, parent, "Parentova Rimma", "your requests", "No. 1")
		hasAll(t, "a parent's home", home, "All my requests", "Ask another question")
	})
}

// TestParentCancelsAtHerName: the question of a parent's name, the first
// step of her form, has «✖ Отмена» as every form's step has; pressed,
// nothing is kept and a name typed after it starts nothing.
func TestParentCancelsAtHerName(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on)
		leader := tm.leader
		leader.press(t, openCardOf(t, leader), "Консультанты")
		leader.press(t, expect(t, leader, "Обращения принимаются только от участников"), "Включить ссылку для родителей")
		public := link(t, expect(t, leader, "по ссылке").text)
		parent := h.person(on, 502, "Родитель")
		parent.open(t, public)
		parent.press(t, parent.next(t), "Даю согласие")
		expect(t, parent, "Согласие получено")
		ask := expect(t, parent, "Как к вам обращаться?")
		parent.press(t, ask, "Отмена")
		expect(t, parent, "Отменено")
		parent.send("Родителева Римма")
		if m := parent.next(t); strings.Contains(m.text, "Выберите тему") {
			t.Errorf("the name was taken after the form was cancelled: %q", m.text)
		}
	})
}
