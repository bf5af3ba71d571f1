package app

import (
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// signMinutes writes and signs the minutes of the held заседание on
// topic: the leader chairs, the given secretary and guest, two agenda
// items without votes, the first with spoke under ВЫСТУПИЛИ (none when
// empty). It returns the signed minutes' view.
func signMinutes(t *testing.T, leader *telegramtest.User, topic, secretary, guest string, spoke ...string) telegramtest.Message {
	t.Helper()
	leader.Send("/meetings")
	press(t, leader, next(t, leader, topic), topic)
	press(t, leader, next(t, leader, "Заседание № "), "Протокол")
	press(t, leader, next(t, leader, "Протокол ещё не составлен"), "Составить протокол")
	next(t, leader, "Составим протокол")
	press(t, leader, next(t, leader, "Кто председательствовал"), "Председатель — Лидерова О. И.")
	next(t, leader, "Председатель: Лидерова О. И.")
	next(t, leader, "секретарь")
	leader.Send(secretary)
	guests := next(t, leader, "Приглашённые")
	if guest == "" {
		press(t, leader, guests, "Пропустить")
		next(t, leader, "Пропущено")
	} else {
		leader.Send(guest)
	}
	for i := 1; i <= 2; i++ {
		next(t, leader, "СЛУШАЛИ")
		leader.Send("Лидерову О. И. — о плане работы")
		next(t, leader, "ВЫСТУПИЛИ")
		if i == 1 && len(spoke) > 0 {
			leader.Send(spoke[0])
		} else {
			leader.Send("-")
		}
		next(t, leader, "РЕШИЛИ")
		leader.Send("Принять к сведению.")
		press(t, leader, next(t, leader, "Голосование по вопросу"), "Без голосования")
		next(t, leader, "без голосования")
	}
	next(t, leader, "Черновик протокола сохранён")
	leader.Next(t) // the draft
	press(t, leader, next(t, leader, "Черновик, редакция 1"), "Подписать")
	return next(t, leader, "Подписан (редакция 1")
}

// eventSheet downloads the registration sheet of the event on topic.
func eventSheet(t *testing.T, leader *telegramtest.User, topic string) string {
	t.Helper()
	leader.Send("/meetings")
	press(t, leader, next(t, leader, topic), topic)
	press(t, leader, next(t, leader, topic), "Отметка присутствующих")
	press(t, leader, next(t, leader, "Отметка:"), "Лист регистрации")
	return xlsxText(t, leader.Next(t))
}

// TestSheetsFollowSignedProtocol: the registration sheet and the year's
// attendance say what the signed protocol says — a member unmarked on the
// day is absent, the invited guest is listed, a member who joined later
// is not there — and, for an event without signed minutes, list the
// members of that day, those who joined later apart.
func TestSheetsFollowSignedProtocol(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	draft := scheduleEvent(t, leader, "Заседание", "Итоги первой четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, us[0], "Новое мероприятие")
	next(t, us[1], "Новое мероприятие")
	press(t, us[0], next(t, us[0], "Открыта отметка"), "Я на месте")
	next(t, us[0], "Вы отмечены")
	next(t, leader, "отметились 1 из") // the card, live
	draft = scheduleEvent(t, leader, "Семинар", "Функциональная грамотность", "23.11 15:00", "23 ноября 2026 (понедельник), 15:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	h.clock.Add(6 * time.Hour)
	h.quiet()
	leader.Drain()
	for _, u := range us {
		u.Drain()
	}
	signMinutes(t, leader, "Итоги первой четверти", "Антонова Анна Антоновна", "Петрова Анна Сергеевна, методист")

	// A teacher joins a week later.
	h.clock.Add(7 * 24 * time.Hour)
	h.quiet()
	leader.Drain()
	payload, _ := inviteLink(t, leader)
	late := h.teacher(330, "Васильева Вера Викторовна")
	late.Send("/start " + payload)
	next(t, late, "Добро пожаловать")
	next(t, leader, "вступил(а)")

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

	press(t, leader, openCard(t, leader, "ММО учителей математики"), "Посещаемость за год")
	year := xlsxText(t, leader.Next(t))
	for _, want := range []string{"Борисов Борис Борисович|н||0|0.0%", "Васильева Вера Викторовна|—|—|0\n",
		"Лидерова Ольга Ивановна|+|+|2|100.0%", "не состоял(а) в ММО"} {
		if !strings.Contains(year, want) {
			t.Errorf("the year's attendance lacks %q:\n%s", want, year)
		}
	}
}

// TestConsideredChosenWhenSent: the line «Рассмотрен на заседании ММО,
// протокол № … от …» prints the protocol the leader chose when sending
// the plan — not a guess from the agenda — and nothing when the leader
// says the report was not discussed.
func TestConsideredChosenWhenSent(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	draft := scheduleEvent(t, leader, "Заседание", "Итоги первой четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	h.clock.Add(3 * time.Hour)
	h.quiet()
	leader.Drain()
	us[0].Drain()
	signMinutes(t, leader, "Итоги первой четверти", "Антонова Анна Антоновна", "")

	leader.Send("/plan")
	plan := addPlanItem(t, leader, next(t, leader, "План работы"), "Декабрь", "Итоги полугодия", "Заседание")
	press(t, leader, plan, "Отправить на согласование")
	press(t, leader, next(t, leader, "нужно не меньше 3"), "Да, отправить")
	ask := next(t, leader, "Рассматривался ли план на заседании ММО?")
	if _, ok := ask.Button("Не рассматривался"); !ok {
		t.Errorf("no «Не рассматривался» under %q", ask.Text)
	}
	press(t, leader, ask, "Протокол № 1 от 23.11.2026")
	press(t, leader, next(t, leader, "На согласовании"), "DOCX")
	inOrder(t, docText(t, leader.Next(t)), "Рассмотрен на заседании ММО, протокол № 1 от 23.11.2026", "Руководитель ММО")

	leader.Send("/report")
	press(t, leader, next(t, leader, "Отчёт «ММО учителей математики»"), "Отправить координатору")
	press(t, leader, next(t, leader, "Не заполнены разделы"), "Да, отправить")
	press(t, leader, next(t, leader, "Рассматривался ли отчёт на заседании ММО?"), "Не рассматривался")
	rep := next(t, leader, "Сдан координатору")
	press(t, leader, rep, "DOCX")
	if text := docText(t, leader.Next(t)); strings.Contains(text, "Рассмотрен") {
		t.Errorf("a report not discussed says it was:\n%s", text)
	}
}

// TestRecordPracticeAndRegisters: the справка names the master class a
// teacher ran from the minutes' line that names her, and the open lesson
// from her entry in the register; her own register entries come in a
// section of their own.
func TestRecordPracticeAndRegisters(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	draft := scheduleEvent(t, leader, "Заседание", "Итоги первой четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	for _, u := range us {
		next(t, u, "Новое мероприятие")
		press(t, u, next(t, u, "Открыта отметка"), "Я на месте")
		next(t, u, "Вы отмечены")
	}
	record(t, us[1], "Открытый урок, мастер-класс", "Дроби в 5 классе", "открытый урок для коллег", "level:муниципальный")
	record(t, us[1], "Публикация", "сборник «Методический вестник»", "Смысловое чтение на уроках геометрии")
	h.clock.Add(3 * time.Hour)
	h.quiet()
	leader.Drain()
	for _, u := range us {
		u.Drain()
	}
	signMinutes(t, leader, "Итоги первой четверти", "Лидерова Ольга Ивановна", "", "Антонова А. А.: провела мастер-класс «Смысловое чтение»")

	us[0].Send("/history")
	press(t, us[0], next(t, us[0], "Ваше участие"), "за всё время")
	inOrder(t, docText(t, us[0].Next(t)), "Итоги первой четверти | выступление, проведение мастер-класса | 1,5", "Справка выдана")
	us[1].Send("/history")
	press(t, us[1], next(t, us[1], "Ваше участие"), "за всё время")
	inOrder(t, docText(t, us[1].Next(t)), "Итоги первой четверти | проведение открытого урока | 1,5",
		"Всего: 1 мероприятие.", "Результаты профессиональной деятельности (по реестрам объединений):",
		"1.\tОткрытый урок, мастер-класс: «Дроби в 5 классе» — открытый урок для коллег (муниципальный уровень)",
		"2.\tПубликация: «Смысловое чтение на уроках геометрии» — сборник «Методический вестник»", "Справка выдана", "М. П.")
}

// TestRecordFollowsSignedProtocol: the secretary, present by the signed
// protocol though she never checked in, has the заседание on her справка.
func TestRecordFollowsSignedProtocol(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	draft := scheduleEvent(t, leader, "Заседание", "Итоги первой четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	h.clock.Add(3 * time.Hour)
	h.quiet()
	leader.Drain()
	us[0].Drain()
	signMinutes(t, leader, "Итоги первой четверти", "Антонова Анна Антоновна", "")
	us[0].Send("/history")
	press(t, us[0], next(t, us[0], "Ваше участие"), "за всё время")
	inOrder(t, docText(t, us[0].Next(t)), "Итоги первой четверти | секретарь | 1,5", "Всего: 1 мероприятие.")
	// The report counts the заседание as the protocol does: the chair
	// and the secretary.
	leader.Send("/report")
	press(t, leader, next(t, leader, "Отчёт «ММО учителей математики»"), "DOCX")
	inOrder(t, docText(t, leader.Next(t)), "1 | 23.11.2026 | Итоги первой четверти | 2")
}

// TestOverviewFileName: the coordinator's overview comes as a file whose
// name a Russian user reads, not «overview-2026-11-23.xlsx».
func TestOverviewFileName(t *testing.T) {
	h := newHarness(t)
	meetingSetup(t, h, "Антонова Анна Антоновна")
	coord := coordinatorChat(h)
	coord.Drain()
	coord.Send("/overview")
	press(t, coord, next(t, coord, "Обзор объединений"), "XLSX")
	if f := next(t, coord); f.Document == nil || f.Document.Name != "Обзор объединений 23.11.2026.xlsx" {
		t.Errorf("the overview's file is not named for a Russian reader: %q", f.Text)
	}
}
