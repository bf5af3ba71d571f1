package app

import "testing"

// The home screen of each role and the check-in routes a member takes
// with a phone in hand (the link on the screen, the location), through
// both messengers.

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
		hasAll(t, "the coordinator's home", home, "📊 Сводка", "🏛 Объединения", "📄 Ждут решения")
		c.press(t, home, "Ждут решения")
		expect(t, c, "Документы на решение", "ничего не ждёт")
		c.press(t, home, "📊 Сводка")
		expect(t, c, "Обзор объединений", "Объединений: 1")
	})
}

// TestJourneyCheckinByLink: a member opens the check-in link the leader
// shows on the screen, in their own messenger, and is checked in once.
func TestJourneyCheckinByLink(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		scheduleNow(t, tm, "Наставничество")
		l := tm.leader
		l.send("/meetings")
		l.press(t, expect(t, l, "Ближайшие мероприятия", "Наставничество"), "Наставничество")
		l.press(t, expect(t, l, "Наставничество"), "Отметка присутствующих")
		view := expect(t, l, "Отметка:", "Отметились: 0 из 3")
		at := link(t, view.text)

		u := tm.members[0]
		u.open(t, at)
		expect(t, u, "Вы отмечены")
		expect(t, u, "Вы отмечены") // the «I am here» message, its button gone
		if m := expect(t, l, "Отметились: 1 из 3", "ссылка"); m.id != view.id {
			t.Error("the check-in view was not changed in place")
		}
		u.open(t, at)
		expect(t, u, "Вы уже отметились")
		// The link is of the association's members only.
		stranger := h.person(on, 399, "Чужак")
		enrol(t, stranger, "Чужаков Иван Иванович", "Школа № 9", "учитель")
		stranger.open(t, at)
		expect(t, stranger, "Отмечаться могут только участники")
	})
}

// TestJourneyCheckinByLocation: the leader asks for locations at the
// venue and sends its place with the messenger's location button; a
// member too far is asked to try again, and checked in from close by.
func TestJourneyCheckinByLocation(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, u := tm.leader, tm.members[0]
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Выездной семинар", when: "24.11 15:00", date: "24 ноября 2026"})
		expect(t, l, "Объявлено")
		expect(t, u, "Новое мероприятие")
		l.send("/meetings")
		l.press(t, expect(t, l, "Выездной семинар"), "Выездной семинар")
		l.press(t, expect(t, l, "Выездной семинар"), "Отметка присутствующих")
		view := expect(t, l, "Отметка откроется 24.11.2026 14:45")

		l.press(t, view, "Требовать геопозицию")
		ask := expect(t, l, "Отправьте геопозицию места проведения")
		l.shareLocation(t, ask, "📍 Отправить место проведения", 56.9972, 40.9714)
		expect(t, l, "Место проведения сохранено")
		expect(t, l, "Радиус отметки: 200 м")
		expect(t, l, "Нужна геопозиция: в пределах 200 м")
		l.press(t, view, "Открыть отметку")
		expect(t, l, "Отметка открыта вручную")

		here := expect(t, u, "Открыта отметка")
		u.press(t, here, "Я на месте")
		ask = expect(t, u, "отправьте геопозицию")
		u.shareLocation(t, ask, "📍 Я здесь", 57.0126, 40.9830) // the railway station, 1.8 km away
		expect(t, u, "Вы в 1", "в пределах 200 м", "попробуйте снова")
		u.shareLocation(t, ask, "📍 Я здесь", 56.9980, 40.9720) // 100 m away
		expect(t, u, "Геопозиция получена")
		expect(t, u, "Вы отмечены")
		if m := expect(t, u, "Вы отмечены"); m.id != here.id || len(m.buttons) != 0 {
			t.Errorf("the «I am here» message kept its button: %+v", m)
		}
		expect(t, l, "Отметились: 1 из 2", "геопозиция")
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
		"overview":       {{"📊 Сводка", "Обзор объединений"}},
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
