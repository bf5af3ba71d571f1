package app

import (
	"archive/zip"
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// docText reads a DOCX message.
func docText(t *testing.T, m telegramtest.Message) string {
	t.Helper()
	if m.Document == nil {
		t.Fatalf("not a document: %q", m.Text)
	}
	text, err := render.DOCXText(m.Document.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// coordinatorChat is the admin's chat, registered by meetingSetup.
func coordinatorChat(h *harness) *telegramtest.User {
	a := h.srv.NewUser(adminID, "", "ru")
	h.quiet()
	a.Drain()
	return a
}

// addPlanItem adds an item through the plan form.
func addPlanItem(t *testing.T, leader *telegramtest.User, plan telegramtest.Message, month, topic, format string) telegramtest.Message {
	t.Helper()
	press(t, leader, plan, "Мероприятие")
	press(t, leader, next(t, leader, "В каком месяце?"), month)
	next(t, leader, "Месяц: "+month)
	next(t, leader, "Тема мероприятия?")
	leader.Send(topic)
	press(t, leader, next(t, leader, "Форма проведения"), format)
	next(t, leader, "Формат: "+format)
	next(t, leader, "Кто ответственный?")
	leader.Send("-")
	next(t, leader, "добавлено в план")
	return next(t, leader, "План работы")
}

// TestWorkPlan: the leader drafts the plan; a member of two associations
// proposes an item and is asked which plan it is for; the leader takes
// it in; the plan is submitted, returned with a comment, fixed and
// agreed, and its DOCX says so — in either messenger.
func TestWorkPlan(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		quietTeam(h, tm)
		leader, coord, u := tm.leader, tm.admin, tm.members[0]
		// November 2026: the plan for 2026/27.
		leader.send("/plan")
		plan := expect(t, leader, "План работы «ММО учителей математики» на 2026/2027 учебный год", "Черновик", "Срок: 15.09.2026 — просрочен на 69 дней",
			"Создание условий для непрерывного профессионального образования", "Задач: 8", "Мероприятий в плане пока нет")
		if plan.has("Отправить на согласование") {
			t.Errorf("an empty plan offers to be sent for agreement: %v", plan.buttons)
		}
		plan = addItem(t, leader, plan, "Декабрь", "Функциональная грамотность на уроках математики", "Семинар")
		if !plan.has("Отправить на согласование") {
			t.Errorf("a plan with an event cannot be sent: %v", plan.buttons)
		}

		// A member of two associations is asked which one the proposal is for.
		createAs(t, coord, "ММО учителей информатики", "информатика", false)
		u.press(t, cardOf(t, u, "ММО учителей информатики"), "Вступить")
		expect(t, u, "Добро пожаловать")
		expect(t, u, "Вы участник")
		forgetCurrent(t, h, u) // the card opened last is the current one

		// A member proposes; the leader takes it in.
		u.send("/propose")
		u.press(t, expect(t, u, "В план какого объединения"), "ММО учителей математики")
		expect(t, u, "Ваше предложение в план работы «ММО учителей математики»")
		u.send("Мастер-класс по подготовке к ОГЭ: разбор заданий второй части")
		expect(t, u, "Предложение передано")
		prop := expect(t, leader, "Предложение в план", "Антонова Анна Антоновна", "разбор заданий второй части")
		leader.press(t, prop, "Включить в план")
		expect(t, leader, "Включаем в план")
		leader.press(t, expect(t, leader, "В каком месяце?"), "Февраль")
		expect(t, leader, "Месяц: Февраль")
		leader.press(t, expect(t, leader, "Форма проведения"), "Мастер-класс")
		expect(t, leader, "Формат")
		expect(t, leader, "ответственный")
		leader.send("Антонова Анна Антоновна")
		expect(t, leader, "добавлено в план")
		plan = expect(t, leader, "1. Декабрь — Функциональная грамотность", "2. Февраль — Мастер-класс по подготовке к ОГЭ", "отв. Антонова Анна Антоновна")
		expect(t, u, "Ваше предложение включено в план")

		// Submitted, returned with a comment, fixed, approved.
		leader.press(t, plan, "Отправить на согласование")
		leader.press(t, expect(t, leader, "В плане заседаний: 0, а по положению их нужно не меньше 3"), "Да, отправить")
		if sent := expect(t, leader, "На согласовании у координатора", "Срок: 15.09.2026"); strings.Contains(sent.text, "просрочен") {
			t.Errorf("a plan sent is still called overdue:\n%s", sent.text)
		}
		notice := expect(t, coord, "План работы «ММО учителей математики» на 2026/2027 учебный год отправлен на согласование",
			"Заседаний: <b>0</b>, других мероприятий: <b>2</b>", "⚠ Заседаний 0 — меньше минимума (3)", "Декабрь: заседаний нет, 1 мероприятие\nФевраль: заседаний нет, 1 мероприятие", "Отправлен впервые")
		docxText(t, coord.next(t)) // the plan comes with its DOCX
		coord.press(t, notice, "Вернуть с комментарием")
		expect(t, coord, "Что нужно доработать")
		coord.send("Добавьте заседание в марте по итогам полугодия.")
		// The notice of the returned version says so and offers no decision.
		retiredIn(t, coord, notice, "возвращён на доработку", "Согласовать", "Вернуть с комментарием")
		expect(t, coord, "возвращён руководителю")
		// The notice, and the leader's card redrawn returned.
		back, _ := expectTwo(t, leader, "возвращён на доработку", "Возвращён на доработку: Добавьте заседание в марте")
		leader.press(t, back, "Открыть")
		plan = expect(t, leader, "Возвращён на доработку: Добавьте заседание в марте")
		plan = addItem(t, leader, plan, "Март", "Итоги полугодия", "Заседание")
		leader.press(t, plan, "Отправить на согласование")
		leader.press(t, expect(t, leader, "В плане заседаний: 1"), "Да, отправить")
		expect(t, leader, "На согласовании у координатора")
		notice = expect(t, coord, "отправлен на согласование", "Заседаний: <b>1</b>", "Март: 1 заседание, мероприятий нет", "С прошлой версии: добавлено 1, убрано 0, изменено 0")
		coord.next(t) // its DOCX
		coord.press(t, notice, "Согласовать")
		if m := retiredIn(t, coord, notice, "согласован", "Согласовать", "Вернуть с комментарием"); !strings.Contains(m.text, "Решение: Координаторова А. П.") {
			t.Errorf("the decided notice does not say who decided: %q", m.text)
		}
		expectTwo(t, leader, "учебный год согласован координатором", "✅ Согласован координатором")
		if a := coord.pressRefused(t, notice, "Согласовать"); a == "" {
			t.Error("approved twice without a word")
		}
		coord.press(t, notice, "Открыть план")
		coord.press(t, expect(t, coord, "Согласован координатором"), "DOCX")
		text := docxText(t, coord.next(t))
		inOrder(t, text, "Приложение 1", "СОГЛАСОВАНО\nДиректор МБУ МЦ\n____________ /", "Согласован в системе 23.11.2026, Координаторова А. П.",
			"План деятельности муниципального методического объединения\nучителей математики\n",
			"на 2026/2027 учебный год", "Руководитель", "Лидерова Ольга Ивановна", "Цель деятельности ММО", "Создание условий", "города Иваново.",
			"Задачи ММО", "мотивации педагогов", "Мероприятия",
			"№ | Содержание (тема) | Форма | Сроки | Место проведения | Категория участников | Ответственный | Планируемый результат",
			"1 | Функциональная грамотность на уроках математики | Семинар | Декабрь |  |  | Лидерова О. И. |",
			"2 | Мастер-класс по подготовке к ОГЭ", "Антонова Анна Антоновна", "3 | Итоги полугодия | Заседание | Март",
			"Рассмотрен на заседании ММО, протокол № ____ от ____________", "Руководитель ММО\t______________ /О. И. Лидерова/")
		if strings.Contains(text, "ММО учителей") {
			t.Error("the heading doubles «ММО»")
		}
		if strings.Contains(text, "ЧЕРНОВИК") {
			t.Error("an approved plan is marked draft")
		}
		log, _ := h.m.DB.AuditLog(0)
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, " "); !strings.Contains(got, "workplan.submit workplan.return workplan.submit workplan.approve") {
			t.Errorf("audit %s", got)
		}
	})
}

// TestAnnualReport: the report counts the year (a заседание with one
// check-in, a question); the leader fills in sections of a checklist and
// hands it in; returned, fixed and accepted, its DOCX says so — in
// either messenger.
func TestAnnualReport(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		leader, coord, us := tm.leader, tm.admin, tm.members
		quietTeam(h, tm)
		// A заседание now (12:10) with one check-in.
		publishEvent(t, leader, eventForm{format: "Заседание", topic: "Итоги первой четверти", when: "23.11 12:10", date: "23 ноября 2026"})
		expect(t, leader, "Объявлено")
		var here []msg
		for _, u := range us {
			expect(t, u, "Новое мероприятие")
			here = append(here, expect(t, u, "Открыта отметка"))
		}
		us[0].press(t, here[0], "Я на месте")
		expect(t, us[0], "Вы отмечены")
		h.quiet()
		leader.unread()
		askAs(t, us[1], "Аттестация", "Когда подавать заявление на аттестацию?")
		h.clock.Add(3 * time.Hour)
		h.quiet()
		leader.unread()

		leader.send("/report")
		rep := expect(t, leader, "Отчёт «ММО учителей математики» за 2026/2027 учебный год", "Срок сдачи: 20.06.2027",
			"заседаний — 1 (нужно не меньше 3)", "обращений за консультациями — 1")
		leader.press(t, rep, "2. Основные")
		expect(t, leader, "Раздел 2. Основные направления")
		leader.send("Работа над методической темой «Функциональная грамотность».\nВзаимопосещение уроков.")
		expect(t, leader, "Сохранено")
		rep = expect(t, leader, "✅ 2. Основные направления")
		// The sections are a checklist: whole short names, the filled marked.
		hasAll(t, "the report", rep, "1. Заседания", "✅ 2. Основные направления", "3. Обобщение опыта", "8. Проблемы", "9. Перспективы")
		for _, b := range rep.buttons {
			if strings.Contains(b, "…") {
				t.Errorf("a section button is cut: %q", b)
			}
		}
		leader.press(t, rep, "Отправить координатору")
		leader.press(t, expect(t, leader, "Не заполнены разделы: 3, 4, 6, 7, 8, 9"), "Да, отправить")
		expect(t, leader, "Сдан координатору")
		notice := expect(t, coord, "Отчёт «ММО учителей математики» за 2026/2027 учебный год сдан")
		coord.press(t, notice, "Вернуть с комментарием")
		expect(t, coord, "Что нужно доработать")
		coord.send("Заполните раздел о проблемах.")
		retiredIn(t, coord, notice, "возвращён на доработку", "Принять отчёт", "Вернуть с комментарием")
		expect(t, coord, "возвращён руководителю")
		back := expect(t, leader, "Отчёт «ММО учителей математики» за 2026/2027 возвращён", "Заполните раздел о проблемах")
		leader.press(t, back, "Открыть")
		rep = expect(t, leader, "Возвращён на доработку")
		leader.press(t, rep, "8. Проблемы")
		expect(t, leader, "Раздел 8")
		leader.send("Низкая посещаемость заседаний в конце четверти.")
		expect(t, leader, "Сохранено")
		rep = expect(t, leader, "✅ 8. Проблемы")
		leader.press(t, rep, "Отправить координатору")
		leader.press(t, expect(t, leader, "Не заполнены разделы"), "Да, отправить")
		expect(t, leader, "Сдан координатору")
		notice = expect(t, coord, "сдан")
		coord.press(t, notice, "Принять отчёт")
		expect(t, coord, "принят")
		expect(t, leader, "принят координатором")

		coord.press(t, notice, "DOCX")
		text := docxText(t, coord.next(t))
		inOrder(t, text, "Приложение 2", "Принят: Координаторова А. П., 23.11.2026", "Отчёт о деятельности муниципального методического объединения",
			"учителей математики\nза 2026/2027 учебный год",
			"1.", "Количество и тематика заседаний", "Проведено 1 заседание (по положению — не менее 3).",
			"1 | 23.11.2026 | Итоги первой четверти | 2",
			"2.", "Основные направления", "Функциональная грамотность", "Взаимопосещение уроков.",
			"Поступило 1 обращение за консультацией; дан ответ — 0, ожидают ответа — 1.", "От педагогов — 1", "Аттестация | 1",
			"3.", "Обобщение передового педагогического опыта", "—",
			"8.", "Проблемы", "Низкая посещаемость",
			"9.", "Перспективы, приоритетные направления работы ММО в новом учебном году",
			"Приложения:", "1. Протоколы заседаний:", "Протокол № 1 от 23.11.2026 (не составлен)", "2. Тезисы выступлений на заседаниях и т.д.")
		if strings.Contains(text, "ЧЕРНОВИК") || strings.Contains(text, "Проведена 1 консультация") {
			t.Error("an accepted report is a draft, or counts an unanswered request as a consultation given")
		}
	})
}

func TestDeadlineLadderAndDigest(t *testing.T) {
	h := newHarness(t)
	leader, _ := meetingSetup(t, h, "Антонова Анна Антоновна")
	coord := coordinatorChat(h)
	leader.Drain()
	// 21 May 2027, 10:00 in Moscow: 30 days before the report is due.
	h.clock.Add(time.Date(2027, 5, 21, 7, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
	next(t, leader, "⏰ Отчёт за 2026/2027 учебный год «ММО учителей математики»: срок 20.06.2027 — через 30 дней")
	// The digest lists only what is due within a week, and the small
	// association.
	d := nextSkipping(t, coord, "\x00", "Сводка на 21.05.2027")
	if strings.Contains(d.Text, "Отчёт") || !strings.Contains(d.Text, "Меньше минимума участников") {
		t.Errorf("digest of 21 May: %q", d.Text)
	}
	// 13 June: a week left.
	h.clock.Add(23 * 24 * time.Hour)
	next(t, leader, "через 7 дней")
	d = nextSkipping(t, coord, "\x00", "Сводка на 13.06.2027")
	if !strings.Contains(d.Text, "Отчёт за 2026/2027 учебный год, срок 20.06.2027 — через 7 дней") {
		t.Errorf("digest of 13 June: %q", d.Text)
	}
	h.quiet()
	coord.Drain()
	leader.Drain()

	// The bot is down from the 14th to the 21st: one reminder on return.
	h.stop()
	h.clock.Add(8 * 24 * time.Hour)
	h.start()
	next(t, leader, "Отчёт за 2026/2027", "просрочен на 1 день")
	nextSkipping(t, coord, "\x00", "Сводка на 21.06.2027")
	h.restart()
	h.quiet()
	if extra := append(leader.Drain(), coord.Drain()...); len(extra) != 0 {
		t.Errorf("sent twice on the same day: %v", extra)
	}
	// A week overdue.
	h.clock.Add(6 * 24 * time.Hour)
	next(t, leader, "просрочен на 7 дней")
}

func TestDigestMeetingsAndOverview(t *testing.T) {
	h := newHarness(t)
	leader, _ := meetingSetup(t, h, "Антонова Анна Антоновна")
	coord := coordinatorChat(h)
	draft := scheduleEvent(t, leader, "Заседание", "Первое заседание", "24.11 15:00", "24 ноября 2026 (вторник), 15:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	coord.Send("/overview")
	// A short summary of the year; every association is in the XLSX.
	ov := next(t, coord, "Обзор объединений", "2026/2027 учебный год", "Объединений: 1", "Заседаний проведено: 0, назначено: 1",
		"провели не меньше 3: 0 из 1", "Планы: согласовано 0", "черновиков 1")
	press(t, coord, ov, "Выгрузить XLSX")
	doc := coord.Next(t)
	all := ""
	for _, r := range xlsxRows(t, doc.Document) {
		all += strings.Join(r, "|") + "\n"
	}
	if !strings.Contains(all, "ММО учителей математики|Лидерова Ольга Ивановна|2|") {
		t.Errorf("overview XLSX:\n%s", all)
	}
	// 1 March 2027: one held, none scheduled — below the minimum of three.
	h.clock.Add(time.Date(2027, 3, 1, 7, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
	d := nextSkipping(t, coord, "\x00", "Сводка на 01.03.2027")
	if !strings.Contains(d.Text, "Не наберут заседаний") || !strings.Contains(d.Text, "проведено 1, назначено 0, нужно 3") {
		t.Errorf("digest of 1 March: %q", d.Text)
	}
}

func TestRetention(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	coord := coordinatorChat(h)
	draft := scheduleEvent(t, leader, "Семинар", "Старый семинар", "24.11 15:00", "24 ноября 2026 (вторник), 15:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, us[0], "Новое мероприятие")
	ask(t, us[0], "Другое", "Старый вопрос, который хранить три года?")
	// 2026/27 is kept three years after its end: until 1 September 2030.
	h.clock.Add(time.Date(2030, 8, 25, 7, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
	warn := nextSkipping(t, coord, "📋", "01.09.2030 истекает срок хранения документов 2026/2027 учебного года (3 года по положению)")
	if !strings.Contains(warn.Text, "план работы, отчёт, все редакции протоколов, листы регистрации, посещаемость за год и обращения за консультациями") {
		t.Errorf("the warning does not say what the archive holds: %q", warn.Text)
	}
	zipped := coord.Next(t)
	checkArchive(t, zipped, "Архив ММО 2026-2027 учебный год.zip",
		"ММО учителей математики/Листы регистрации/Лист регистрации 24.11.2026",
		"ММО учителей математики/Посещаемость ММО учителей математики 2026-2027 учебный год.xlsx",
		"ММО учителей математики/Обращения за консультациями ММО учителей математики.xlsx")
	if want := "Архив записей 2026/2027 учебного года: 1 объединение, по папке на каждое."; zipped.Caption != want {
		t.Errorf("the archive's caption: %q, want %q", zipped.Caption, want)
	}
	// The jump of years also sets off the unanswered question's
	// escalation, one step a scan: let it all arrive before the export,
	// or its alarm may come between the press and the archive.
	h.quiet()
	coord.Drain()
	press(t, coord, warn, "Прислать архив 2026/2027 ещё раз")
	checkArchive(t, coord.Next(t), "Архив ММО 2026-2027 учебный год.zip", "ММО учителей математики/")
	h.clock.Add(7 * 24 * time.Hour)
	h.scanned()
	h.m.DB.View(func(tx *boltdb.Tx) error {
		n := 0
		tx.Events(func(*mmo.Event) bool { n++; return true })
		tx.Consultations(func(*mmo.Consultation) bool { n++; return true })
		if n != 0 {
			t.Errorf("%d records of 2026/27 left after their retention", n)
		}
		return nil
	})
}

func TestDeletedMemberStillCounts(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	draft := scheduleEvent(t, leader, "Заседание", "Заседание с отметками", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	for _, u := range us {
		next(t, u, "Новое мероприятие")
		press(t, u, next(t, u, "Открыта отметка"), "Я на месте")
		next(t, u, "Вы отмечены")
	}
	us[0].Send("/settings")
	press(t, us[0], next(t, us[0], "Ваш профиль"), "Удалить мои данные")
	press(t, us[0], next(t, us[0], "Удалить ваши персональные данные?"), "Да, удалить")
	next(t, us[0], "данные удалены")
	h.clock.Add(time.Hour)
	h.quiet()
	leader.Drain()

	lc := openCard(t, leader, "ММО учителей математики")
	press(t, leader, lc, "Посещаемость за год")
	all := ""
	for _, r := range xlsxRows(t, leader.Next(t).Document) {
		all += strings.Join(r, "|") + "\n"
	}
	if strings.Contains(all, "Антонова") || !strings.Contains(all, "Присутствовало|3|3") {
		t.Errorf("year sheet after a deletion:\n%s", all)
	}
	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Заседание с отметками"), "Заседание с отметками")
	press(t, leader, next(t, leader, "Заседание № 1"), "Протокол")
	press(t, leader, next(t, leader, "Протокол ещё не составлен"), "Составить протокол")
	next(t, leader, "Составим протокол")
	minutesHeadOf(t, &tgPerson{u: leader}, "")
	for item := 1; item <= 2; item++ {
		next(t, leader, "СЛУШАЛИ")
		leader.Send("Лидерову О. И. — о вопросе")
		next(t, leader, "ВЫСТУПИЛИ")
		leader.Send("-")
		next(t, leader, "РЕШИЛИ")
		leader.Send("Принять к сведению.")
		press(t, leader, next(t, leader, "Голосование"), "Без голосования")
		next(t, leader, "без голосования")
	}
	next(t, leader, "Черновик протокола сохранён")
	text := docText(t, leader.Next(t))
	inOrder(t, text, "Присутствовали: 3 чел. из 3", "Борисов Борис Борисович", "Лидерова Ольга Ивановна", "участник (данные удалены)")
	if strings.Contains(text, "Антонова") {
		t.Error("the minutes name a member who deleted their data")
	}
}

// TestYearSheetCalendarYear: in a city whose school year is the calendar
// year, the attendance sheet covers January to December, so a January
// seminar is in the sheet drawn in February.
func TestYearSheetCalendarYear(t *testing.T) {
	h := newHarnessWith(t, func(c *config.Config) {
		c.Regulation.SchoolYearStart, c.Regulation.PlanDue, c.Regulation.ReportDue = "01-01", "01-15", "12-20"
	})
	leader, _ := meetingSetup(t, h, "Петров Пётр Петрович")
	draft := scheduleEvent(t, leader, "Семинар", "Январский семинар", "15.01.2027 12:00", "15 января 2027 (пятница), 12:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	h.clock.Add(time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
	h.srv.Settle(t)
	leader.Drain()

	lc := openCard(t, leader, "ММО учителей математики")
	press(t, leader, lc, "Посещаемость за год")
	all := ""
	for _, r := range xlsxRows(t, leader.Next(t).Document) {
		all += strings.Join(r, "|") + "\n"
	}
	if !strings.Contains(all, "2027 год") || strings.Contains(all, "2027/2028") || !strings.Contains(all, "15.01 Семинар") {
		t.Errorf("the 2027 sheet lacks the January seminar:\n%s", all)
	}
}

// checkArchive reads a ZIP document and checks that its name starts with
// name and that it holds a file starting with each of files.
func checkArchive(t *testing.T, m telegramtest.Message, name string, files ...string) {
	t.Helper()
	if m.Document == nil || !strings.HasPrefix(m.Document.Name, name) {
		t.Fatalf("not the archive %q: %+v", name, m)
	}
	zr, err := zip.NewReader(bytes.NewReader(m.Document.Bytes), int64(len(m.Document.Bytes)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	for _, want := range files {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, want) }) {
			t.Errorf("the archive lacks %q: %q", want, names)
		}
	}
}

// TestRetentionAfterDowntime: a bot down through the whole warning week
// does not remove a year unannounced: it warns first and removes a week
// later.
func TestRetentionAfterDowntime(t *testing.T) {
	h := newHarnessWith(t, func(c *config.Config) { c.Regulation.RetentionYears = 5 })
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	coord := coordinatorChat(h)
	draft := scheduleEvent(t, leader, "Семинар", "Старый семинар", "24.11 15:00", "24 ноября 2026 (вторник), 15:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, us[0], "Новое мероприятие")
	// 2026/27 is kept five years: until 1 September 2032. The bot wakes on
	// the 3rd, past the expiry, having missed the warning week.
	h.clock.Add(time.Date(2032, 9, 3, 7, 0, 0, 0, time.UTC).Sub(h.clock.Now()))
	nextSkipping(t, coord, "📋", "10.09.2032 истекает срок хранения документов 2026/2027 учебного года (5 лет по положению)")
	checkArchive(t, coord.Next(t), "Архив ММО 2026-2027 учебный год.zip", "ММО учителей математики/")
	count := func() int {
		n := 0
		h.m.DB.View(func(tx *boltdb.Tx) error {
			return tx.Events(func(*mmo.Event) bool { n++; return true })
		})
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("%d events right after the warning, want 1", n)
	}
	h.clock.Add(6 * 24 * time.Hour)
	h.scanned()
	if n := count(); n != 1 {
		t.Fatalf("%d events six days after the warning, want 1", n)
	}
	h.clock.Add(24 * time.Hour)
	h.scanned()
	if n := count(); n != 0 {
		t.Errorf("%d events a week after the warning, want 0", n)
	}
}
