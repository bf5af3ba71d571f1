package app

import (
	"strings"
	"testing"
	"time"
)

// signMinutes writes and signs the minutes of the held заседание on
// topic: the leader chairs, the given secretary and guest, two agenda
// items without votes, the first with spoke under ВЫСТУПИЛИ (none when
// empty). It returns the signed minutes' view.
func signMinutes(t *testing.T, leader person, topic, secretary, guest string, spoke ...string) msg {
	t.Helper()
	leader.send("/meetings")
	leader.press(t, expect(t, leader, topic), topic)
	leader.press(t, expect(t, leader, "Заседание № "), "Протокол")
	leader.press(t, expect(t, leader, "Протокол ещё не составлен"), "Составить протокол")
	expect(t, leader, "Составим протокол")
	leader.press(t, expect(t, leader, "Кто председательствовал"), "Председатель — Лидерова О. И.")
	expect(t, leader, "Председатель: Лидерова О. И.")
	expect(t, leader, "секретарь")
	leader.send(secretary)
	guests := expect(t, leader, "Приглашённые")
	if guest == "" {
		leader.press(t, guests, "Пропустить")
		expect(t, leader, "Пропущено")
	} else {
		leader.send(guest)
	}
	for i := 1; i <= 2; i++ {
		expect(t, leader, "СЛУШАЛИ")
		leader.send("Лидерову О. И. — о плане работы")
		expect(t, leader, "ВЫСТУПИЛИ")
		if i == 1 && len(spoke) > 0 {
			leader.send(spoke[0])
		} else {
			leader.send("-")
		}
		expect(t, leader, "РЕШИЛИ")
		leader.send("Принять к сведению.")
		leader.press(t, expect(t, leader, "Голосование по вопросу"), "Без голосования")
		expect(t, leader, "без голосования")
	}
	expect(t, leader, "Черновик протокола сохранён")
	leader.next(t) // the draft
	leader.press(t, expect(t, leader, "Черновик, редакция 1"), "Подписать")
	return expect(t, leader, "Подписан (редакция 1")
}

// meetingToday publishes a заседание on topic today, 23.11.2026 12:10,
// with two agenda items, and has each of present check in once the
// check-in opens; what the others are sent stays unread.
func meetingToday(t *testing.T, tm team, topic string, present ...person) {
	t.Helper()
	publishEvent(t, tm.leader, eventForm{format: "Заседание", topic: topic, when: "23.11 12:10",
		date: "23 ноября 2026 (понедельник), 12:10", agenda: "1. Итоги олимпиады\n2. Разное"})
	expect(t, tm.leader, "Объявлено")
	for _, u := range present {
		expect(t, u, "Новое мероприятие")
		u.press(t, expect(t, u, "Открыта отметка"), "Я на месте")
		expect(t, u, "Вы отмечены")
	}
}

// eventSheet downloads the registration sheet of the event on topic.
func eventSheet(t *testing.T, leader person, topic string) string {
	t.Helper()
	leader.send("/meetings")
	leader.press(t, expect(t, leader, topic), topic)
	leader.press(t, expect(t, leader, topic), "Отметка присутствующих")
	leader.press(t, expect(t, leader, "Отметка:"), "Лист регистрации")
	return sheetText(t, leader.next(t))
}

// TestSheetsFollowSignedProtocol: the registration sheet and the year's
// attendance say what the signed protocol says — a member unmarked on the
// day is absent, the invited guest is listed, a member who joined later
// is not there — and, for an event without signed minutes, list the
// members of that day, those who joined later apart.
func TestSheetsFollowSignedProtocol(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeamNamed(t, h, on, "Антонова Анна Антоновна", "Борисов Борис Борисович")
		leader, us := tm.leader, tm.members
		publishEvent(t, leader, eventForm{format: "Заседание", topic: "Итоги первой четверти", when: "23.11 12:10",
			date: "23 ноября 2026 (понедельник), 12:10", agenda: "1. Итоги олимпиады\n2. Разное"})
		expect(t, leader, "Объявлено")
		expect(t, us[0], "Новое мероприятие")
		expect(t, us[1], "Новое мероприятие")
		us[0].press(t, expect(t, us[0], "Открыта отметка"), "Я на месте")
		expect(t, us[0], "Вы отмечены")
		expect(t, leader, "отметились 1 из") // the card, live
		publishEvent(t, leader, eventForm{format: "Семинар", topic: "Функциональная грамотность", when: "23.11 15:00",
			date: "23 ноября 2026 (понедельник), 15:00", agenda: "1. Итоги олимпиады\n2. Разное"})
		expect(t, leader, "Объявлено")
		h.clock.Add(6 * time.Hour)
		h.quiet()
		leader.drain()
		for _, u := range us {
			u.drain()
		}
		signMinutes(t, leader, "Итоги первой четверти", "Антонова Анна Антоновна", "Петрова Анна Сергеевна, методист")

		// A teacher joins a week later.
		h.clock.Add(7 * 24 * time.Hour)
		h.quiet()
		leader.drain()
		at, _, _ := invitationOf(t, leader)
		late := teacherOn(t, h, on, 330, "Васильева Вера Викторовна")
		late.open(t, at)
		expect(t, late, "Добро пожаловать")
		expect(t, leader, "вступил(а)")

		sheet := eventSheet(t, leader, "Итоги первой четверти")
		for _, want := range []string{"Антонова Анна Антоновна|Школа № 10|учитель|присутствовал(а)",
			"Борисов Борис Борисович|Школа № 11|учитель|отсутствовал(а)", "Лидерова Ольга Ивановна|Школа № 1|учитель|присутствовал(а)",
			"Петрова Анна Сергеевна||методист|приглашён(а)", "Присутствовали: 2 чел. из 3", "Приглашённые: 1 чел."} {
			if !strings.Contains(sheet, want) {
				t.Errorf("the signed meeting's sheet lacks %q:\n%s", want, sheet)
			}
		}
		if strings.Contains(sheet, "Васильева") || strings.Contains(sheet, "нет отметки") {
			t.Errorf("the signed meeting's sheet lists a later member or an unmarked one:\n%s", sheet)
		}
		sheet = eventSheet(t, leader, "Функциональная грамотность")
		for _, want := range []string{"Борисов Борис Борисович|Школа № 11|учитель|нет отметки", "Присутствовали: 1 чел. из 3"} {
			if !strings.Contains(sheet, want) {
				t.Errorf("the seminar's sheet lacks %q:\n%s", want, sheet)
			}
		}
		if strings.Contains(sheet, "Васильева") {
			t.Errorf("the seminar's sheet lists a member who joined later:\n%s", sheet)
		}

		leader.press(t, cardOf(t, leader, "ММО учителей математики"), "Посещаемость за год")
		year := sheetText(t, leader.next(t))
		for _, want := range []string{"Борисов Борис Борисович|н||0|0.0%", "Васильева Вера Викторовна|—|—|0\n",
			"Лидерова Ольга Ивановна|+|+|2|100.0%", "не состоял(а) в ММО"} {
			if !strings.Contains(year, want) {
				t.Errorf("the year's attendance lacks %q:\n%s", want, year)
			}
		}
	})
}

// TestConsideredChosenWhenSent: the line «Рассмотрен на заседании ММО,
// протокол № … от …» prints the protocol the leader chose when sending
// the plan — not a guess from the agenda — and nothing when the leader
// says the report was not discussed.
func TestConsideredChosenWhenSent(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeamNamed(t, h, on, "Антонова Анна Антоновна")
		leader := tm.leader
		meetingToday(t, tm, "Итоги первой четверти")
		h.clock.Add(3 * time.Hour)
		quietTeam(h, tm)
		signMinutes(t, leader, "Итоги первой четверти", "Антонова Анна Антоновна", "")

		leader.send("/plan")
		plan := addItem(t, leader, expect(t, leader, "План работы"), "Декабрь", "Итоги полугодия", "Заседание")
		leader.press(t, plan, "Отправить на согласование")
		leader.press(t, expect(t, leader, "нужно не меньше 3"), "Да, отправить")
		ask := expect(t, leader, "Рассматривался ли план на заседании ММО?")
		if !ask.has("Не рассматривался") {
			t.Errorf("no «Не рассматривался» under %q", ask.text)
		}
		leader.press(t, ask, "Протокол № 1 от 23.11.2026")
		leader.press(t, expect(t, leader, "На согласовании"), "DOCX")
		inOrder(t, docxText(t, leader.next(t)), "Рассмотрен на заседании ММО, протокол № 1 от 23.11.2026", "Руководитель ММО")

		leader.send("/report")
		leader.press(t, expect(t, leader, "Отчёт «ММО учителей математики»"), "Отправить координатору")
		leader.press(t, expect(t, leader, "Не заполнены разделы"), "Да, отправить")
		leader.press(t, expect(t, leader, "Рассматривался ли отчёт на заседании ММО?"), "Не рассматривался")
		rep := expect(t, leader, "Сдан координатору")
		leader.press(t, rep, "DOCX")
		if text := docxText(t, leader.next(t)); strings.Contains(text, "Рассмотрен") {
			t.Errorf("a report not discussed says it was:\n%s", text)
		}
	})
}

// TestRecordPracticeAndRegisters: the справка names the master class a
// teacher ran from the minutes' line that names her, and the open lesson
// from her entry in the register; her own register entries come in a
// section of their own.
func TestRecordPracticeAndRegisters(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeamNamed(t, h, on, "Антонова Анна Антоновна", "Борисов Борис Борисович")
		leader, us := tm.leader, tm.members
		meetingToday(t, tm, "Итоги первой четверти", us...)
		recordAs(t, us[1], "Открытый урок, мастер-класс", "Дроби в 5 классе", "открытый урок для коллег", "level:муниципальный")
		recordAs(t, us[1], "Публикация", "сборник «Методический вестник»", "Смысловое чтение на уроках геометрии")
		h.clock.Add(3 * time.Hour)
		h.quiet()
		leader.drain()
		for _, u := range us {
			u.drain()
		}
		signMinutes(t, leader, "Итоги первой четверти", "Лидерова Ольга Ивановна", "", "Антонова А. А.: провела мастер-класс «Смысловое чтение»")

		us[0].send("/history")
		us[0].press(t, expect(t, us[0], "Ваше участие"), "за всё время")
		inOrder(t, docxText(t, us[0].next(t)), "Итоги первой четверти | выступление, проведение мастер-класса | 1,5", "Справка выдана")
		us[1].send("/history")
		us[1].press(t, expect(t, us[1], "Ваше участие"), "за всё время")
		inOrder(t, docxText(t, us[1].next(t)), "Итоги первой четверти | проведение открытого урока | 1,5",
			"Всего: 1 мероприятие.", "Результаты профессиональной деятельности (по реестрам объединений):",
			"1.\tОткрытый урок, мастер-класс: «Дроби в 5 классе» — открытый урок для коллег (муниципальный уровень)",
			"2.\tПубликация: «Смысловое чтение на уроках геометрии» — сборник «Методический вестник»", "Справка выдана", "М. П.")
	})
}

// TestRecordFollowsSignedProtocol: the secretary, present by the signed
// protocol though she never checked in, has the заседание on her справка.
func TestRecordFollowsSignedProtocol(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeamNamed(t, h, on, "Антонова Анна Антоновна")
		leader, us := tm.leader, tm.members
		meetingToday(t, tm, "Итоги первой четверти")
		h.clock.Add(3 * time.Hour)
		quietTeam(h, tm)
		signMinutes(t, leader, "Итоги первой четверти", "Антонова Анна Антоновна", "")
		us[0].send("/history")
		us[0].press(t, expect(t, us[0], "Ваше участие"), "за всё время")
		inOrder(t, docxText(t, us[0].next(t)), "Итоги первой четверти | секретарь | 1,5", "Всего: 1 мероприятие.")
		// The report counts the заседание as the protocol does: the chair
		// and the secretary.
		leader.send("/report")
		leader.press(t, expect(t, leader, "Отчёт «ММО учителей математики»"), "DOCX")
		inOrder(t, docxText(t, leader.next(t)), "1 | 23.11.2026 | Итоги первой четверти | 2")
	})
}

// TestOverviewFileName: the coordinator's overview comes as a file whose
// name a Russian user reads, not «overview-2026-11-23.xlsx».
func TestOverviewFileName(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeamNamed(t, h, on, "Антонова Анна Антоновна")
		h.quiet()
		coord := tm.admin
		coord.drain()
		coord.send("/overview")
		coord.press(t, expect(t, coord, "Обзор объединений"), "XLSX")
		if f := expect(t, coord); f.name != "Обзор объединений 23.11.2026.xlsx" {
			t.Errorf("the overview's file is not named for a Russian reader: %q %q", f.name, f.text)
		}
	})
}
