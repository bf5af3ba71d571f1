package app

import (
	"strings"
	"testing"
)

// The home screen of each role, through both messengers, and in MAX the
// way from it to every command its one menu lacks.

// hasAll fails the test unless m has a button for each label.
func hasAll(t *testing.T, who string, m msg, labels ...string) {
	t.Helper()
	for _, l := range labels {
		if !m.has(l) {
			t.Errorf("%s: no button %q among %v", who, l, m.buttons)
		}
	}
}

// TestJourneyHome: a member, a leader and the coordinator each get the
// home screen of their role, and its buttons open their sections.
func TestJourneyHome(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		quietTeam(h, tm)
		u, l, c := tm.members[0], tm.leader, tm.admin

		u.send("/start")
		home := expect(t, u, "С возвращением", "Главное", "ММО учителей математики")
		hasAll(t, "the member's home", home, "📅 Мои встречи", "❓ Задать вопрос", "👥 Мои объединения", "⚙️ Настройки")
		if home.has("Новое мероприятие") || home.has("Ждут решения") {
			t.Errorf("a member's home offers others' buttons: %v", home.buttons)
		}
		u.press(t, home, "Мои встречи")
		expect(t, u, "Ближайших мероприятий нет")
		u.send("Когда следующее заседание?")
		expect(t, u, "Не понял", "Главное")

		l.send("/help")
		home = expect(t, l, "Вы руководитель объединения", "Главное")
		hasAll(t, "the leader's home", home, "➕ Новое мероприятие", "🧑‍🏫 Участники", "📋 План", "📊 Отчёт", "📨 Обращения")
		if home.has("Ждут решения") {
			t.Errorf("a leader's home offers the coordinator's buttons: %v", home.buttons)
		}
		l.press(t, home, "📋 План")
		expect(t, l, "План работы «ММО учителей математики»")
		l.press(t, home, "🧑‍🏫 Участники")
		expect(t, l, "Антонова Анна Антоновна")

		c.send("/start")
		home = expect(t, c, "Главное")
		hasAll(t, "the coordinator's home", home, "📊 Обзор", "🏛 Объединения", "📄 Ждут решения")
		if home.has("Сводка") { // «Сводка» is the daily digest; the button opens the overview
			t.Errorf("the coordinator's home calls the overview by the digest's name: %v", home.buttons)
		}
		if strings.Contains(home.text, "сводка") {
			t.Errorf("the coordinator's home calls the overview «сводка»: %q", home.text)
		}
		c.press(t, home, "Ждут решения")
		if m := expect(t, c, "Документы на решение", "ничего не ждёт"); !m.has("Домой") {
			t.Errorf("«Ждут решения» with nothing waiting leads nowhere: %v", m.buttons)
		}
		c.press(t, home, "📊 Обзор")
		expect(t, c, "Обзор объединений", "Объединений: 1")
	})
}

// TestMaxHomeReachesEveryCommand: MAX has one command menu per bot, the
// members' one, so a leader's and a coordinator's commands missing from
// it are each reached from the home screen's buttons.
func TestMaxHomeReachesEveryCommand(t *testing.T) {
	h := newHarnessOn(t, false, true, nil)
	tm := newTeam(t, h, "max", "max")
	quietTeam(h, tm)
	waitUntil(t, "the MAX menu", func() bool { return len(h.mx.Commands()) > 0 })
	inMenu := map[string]bool{}
	for _, c := range h.mx.Commands() {
		inMenu[c.Name] = true
	}
	// step is a press on the home screen or on the message before, and
	// what the message it brings says.
	type step struct{ button, want string }
	paths := map[string][]step{
		"newevent": {{"➕ Новое мероприятие", "Выберите формат"}},
		"members":  {{"🧑‍🏫 Участники", "Антонова Анна Антоновна"}},
		"invite": {{"👥 Мои объединения", "ММО учителей математики"}, {"ММО учителей математики", "<b>ММО учителей математики</b>"},
			{"✉️ Приглашение", "Приглашение в"}},
		"plan":           {{"📋 План", "План работы"}},
		"report":         {{"📊 Отчёт", "Отчёт «ММО учителей математики»"}},
		"requests":       {{"📨 Обращения", "бращени"}},
		"survey":         {{"📝 Анкеты", "Анкеты"}},
		"announce":       {{"📣 Объявление", "Текст объявления?"}},
		"overview":       {{"📊 Обзор", "Обзор объединений"}},
		"newassociation": {{"🏛 Объединения", "Методические объединения"}, {"➕ Создать объединение", "Новое объединение"}},
		"coordinators":   {{"🛡 Координаторы", "Координаторы"}},
	}
	for _, who := range []struct {
		p    person
		cmds []string
	}{
		{tm.leader, []string{"newevent", "members", "invite", "plan", "report", "requests", "survey", "announce"}},
		{tm.admin, []string{"survey", "announce", "overview", "newassociation", "coordinators"}},
	} {
		for _, cmd := range who.cmds {
			if inMenu[cmd] {
				continue // typed from the menu
			}
			p := who.p
			p.send("/cancel")
			p.next(t)
			p.send("/help")
			m := expect(t, p, "Главное")
			for _, s := range paths[cmd] {
				if !m.has(s.button) {
					t.Fatalf("/%s: no button %q on %q: %v", cmd, s.button, m.text, m.buttons)
				}
				p.press(t, m, s.button)
				m = expect(t, p, s.want)
			}
		}
	}
}
