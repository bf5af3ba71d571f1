package app

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/config"
)

// saveDoc writes a document of a full-year test into
// $MMOBOT_DOCS_OUT/<dir>/, so that a person can open and read each one;
// without the variable it does nothing.
func saveDoc(t *testing.T, dir string, m msg) {
	t.Helper()
	docProps(t, m)
	if strings.HasSuffix(m.name, ".docx") {
		noEmoji(t, m.name, docxText(t, m))
	} else if m.file != nil {
		noEmoji(t, m.name, sheetText(t, m))
	}
	out := os.Getenv("MMOBOT_DOCS_OUT")
	if out == "" || m.file == nil {
		return
	}
	p := filepath.Join(out, dir)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, m.name), m.file, 0o644); err != nil {
		t.Fatal(err)
	}
}

// docProps fails when a document's properties name the library that
// wrote it or «Microsoft Macintosh Word», or not the organisation and
// mmobot.
func docProps(t *testing.T, m msg) {
	t.Helper()
	if m.file == nil {
		return
	}
	zr, err := zip.NewReader(bytes.NewReader(m.file), int64(len(m.file)))
	if err != nil {
		t.Fatalf("%s: %v", m.name, err)
	}
	props := ""
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "docProps/") {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			props += string(b)
		}
	}
	for _, bad := range []string{"xuri", "Excelize", "Macintosh", "Microsoft", "godocx", "2006-09-16"} {
		if strings.Contains(props, bad) {
			t.Errorf("%s: the properties name %q:\n%s", m.name, bad, props)
		}
	}
	for _, want := range []string{"<Application>mmobot</Application>", "<dc:creator>М", "<Company>М", "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-11-2"} {
		if !strings.Contains(props, want) {
			t.Errorf("%s: the properties lack %q:\n%s", m.name, want, props)
		}
	}
}

// noEmoji fails when a document's text has a pictograph: documents are
// official papers, not chat messages.
func noEmoji(t *testing.T, name, text string) {
	t.Helper()
	for _, r := range text {
		if r >= 0x2600 && r <= 0x27BF || r >= 0x1F000 && r <= 0x1FAFF || r == 0x2B50 || r == 0x2705 || r == 0x274C {
			t.Errorf("%s holds the pictograph %q:\n%s", name, r, text)
			return
		}
	}
}

// yearWords are what differs between the presets' documents.
type yearWords struct {
	dir, org, city, planPeriod, reportPeriod, sheetPeriod string
	appendix                                              string // «Приложение 1» above the plan, or nothing
	// planFulfilled is the report's line on the plan, when the plan of
	// the report's year is the one drawn up (a calendar-year city plans
	// the next year in November).
	planFulfilled []string
	// parents: the association takes parents' requests from the start.
	parents bool
	// approval heads the plan's approval block; reportTitle and
	// perspectives are the report's title and its 9th heading.
	approval, reportTitle, perspectives string
}

// fullYear walks one school year of an association through the bot — the
// plan agreed, a заседание with its signed minutes, a seminar, a request
// for a consultation, the report accepted — and reads every document
// back.
func fullYear(t *testing.T, h *harness, on string, w yearWords) {
	tm := newTeamNamed(t, h, on, "Антонова Анна Антоновна", "Борисов Борис Борисович", "Кузнецова Ирина Павловна", "Никитина Дарья Андреевна")
	quietTeam(h, tm)
	leader, us, coord := tm.leader, tm.members, tm.admin

	// The plan, agreed by the coordinator.
	leader.send("/plan")
	plan := expect(t, leader, "План работы")
	plan = addItem(t, leader, plan, "Ноябрь", "Итоги первой четверти", "Заседание")
	plan = addItem(t, leader, plan, "Декабрь", "Функциональная грамотность на уроках математики", "Семинар")
	plan = addItem(t, leader, plan, "Март", "Итоги полугодия", "Заседание")
	leader.press(t, plan, "Отправить на согласование")
	if m := leader.next(t); strings.Contains(m.text, "В плане заседаний: 2, а по положению их нужно не меньше 3") {
		leader.press(t, m, "Да, отправить")
		expect(t, leader, "На согласовании")
	}
	notice := expect(t, coord, "отправлен на согласование")
	coord.next(t) // the plan's DOCX comes with its summary
	coord.press(t, notice, "Согласовать")
	expect(t, coord, "согласован")
	// The notice, and the leader's card redrawn agreed.
	expectTwo(t, leader, "учебный год согласован координатором", "✅ Согласован координатором")
	leader.send("/plan")
	leader.press(t, expect(t, leader, "План работы"), "DOCX")
	doc := leader.next(t)
	saveDoc(t, filepath.Join(w.dir, on), doc)
	if w.appendix == "" && strings.Contains(docxText(t, doc), "Приложение") {
		t.Error("a plan under a regulation without appendices refers to one")
	}
	inOrder(t, docxText(t, doc), w.appendix+w.approval, "План деятельности муниципального методического объединения",
		"учителей математики", w.planPeriod, "Цель деятельности ММО", "Задачи ММО", "Мероприятия",
		"1 | Итоги первой четверти | Заседание | Ноябрь", "Руководитель ММО")

	// The заседание: two members check in, the leader chairs.
	publishEvent(t, leader, eventForm{format: "Заседание", topic: "Итоги первой четверти", when: "23.11 12:10",
		date: "23 ноября 2026 (понедельник), 12:10", agenda: "1. Итоги олимпиады\n2. Разное"})
	expect(t, leader, "Объявлено")
	for i, u := range us {
		expect(t, u, "Новое мероприятие")
		here := expect(t, u, "Открыта отметка")
		if i < 2 {
			u.press(t, here, "Я на месте")
			expect(t, u, "Вы отмечены")
		}
	}
	askAs(t, us[2], "Аттестация", "Когда подавать заявление на аттестацию?")
	h.clock.Add(2 * time.Hour)
	h.quiet()
	// The start closed the answers and the check-in: the members'
	// announcements and check-in messages were edited.
	leader.drain()
	for _, u := range us {
		u.drain()
	}
	leader.send("/meetings")
	leader.press(t, expect(t, leader, "Итоги первой четверти"), "Итоги первой четверти")
	leader.press(t, expect(t, leader, "Заседание № 1"), "Протокол")
	leader.press(t, expect(t, leader, "Протокол ещё не составлен"), "Составить протокол")
	expect(t, leader, "Составим протокол")
	leader.press(t, expect(t, leader, "Кто председательствовал"), "Председатель — Лидерова О. И.")
	expect(t, leader, "Председатель: Лидерова О. И.")
	expect(t, leader, "секретарь")
	leader.send("Антонова Анна Антоновна")
	expect(t, leader, "Приглашённые")
	leader.send("Петрова Анна Сергеевна, методист")
	expect(t, leader, "Вопрос 1 из 2:</b> Итоги олимпиады")
	leader.send("Лидерову О. И. — об итогах школьного этапа олимпиады")
	expect(t, leader, "ВЫСТУПИЛИ")
	leader.send("Антонова А. А.: предложила провести разбор заданий\nБорисов Б. Б.: поддержал")
	expect(t, leader, "РЕШИЛИ")
	leader.send("Провести разбор заданий олимпиады на следующем заседании.")
	leader.press(t, expect(t, leader, "Голосование по вопросу 1"), "Единогласно (3)")
	expect(t, leader, "единогласно")
	expect(t, leader, "Вопрос 2 из 2:</b> Разное")
	leader.send("Лидерову О. И. — о плане работы на декабрь")
	leader.press(t, expect(t, leader, "ВЫСТУПИЛИ"), "Пропустить")
	expect(t, leader, "Пропущено")
	expect(t, leader, "РЕШИЛИ")
	leader.send("Принять к сведению.")
	leader.press(t, expect(t, leader, "Голосование по вопросу 2"), "Без голосования")
	expect(t, leader, "без голосования")
	expect(t, leader, "Черновик протокола сохранён")
	leader.next(t) // the draft
	leader.press(t, expect(t, leader, "Черновик, редакция 1"), "Подписать")
	view := expect(t, leader, "Подписан (редакция 1")
	leader.press(t, view, "Скачать DOCX")
	doc = leader.next(t)
	saveDoc(t, filepath.Join(w.dir, on), doc)
	inOrder(t, docxText(t, doc), w.org, "ПРОТОКОЛ № 1", "заседания муниципального методического объединения учителей математики",
		"23.11.2026\t"+w.city, "Время: 12:10–13:40", "Место проведения: МБОУ СОШ № 5, каб. 21", "Форма проведения: очно",
		"Председатель: Лидерова О. И.", "Секретарь: Антонова А. А.",
		"Присутствовали: 3 чел. из 5", "Антонова Анна Антоновна", "Борисов Борис Борисович", "Лидерова Ольга Ивановна",
		"Отсутствовали: 2 чел.", "Кузнецова Ирина Павловна", "Никитина Дарья Андреевна",
		"Приглашённые: 1 чел.", "Петрова Анна Сергеевна, методист",
		"Тема: Итоги первой четверти", "Повестка дня:", "1.\tИтоги олимпиады", "2.\tРазное",
		"1. СЛУШАЛИ: Лидерову О. И. — об итогах школьного этапа олимпиады", "ВЫСТУПИЛИ: Антонова А. А.: предложила",
		"РЕШИЛИ: Провести разбор", "Голосовали: «за» — 3, «против» — 0, «воздержались» — 0.",
		"2. СЛУШАЛИ:", "РЕШИЛИ: Принять к сведению.",
		"Председатель\t______________ /О. И. Лидерова/", "Секретарь\t______________ /А. А. Антонова/")

	// The registration sheet and the year's attendance.
	leader.send("/meetings")
	leader.press(t, expect(t, leader, "Итоги первой четверти"), "Итоги первой четверти")
	card := expect(t, leader, "Заседание № 1")
	leader.press(t, card, "Отметка присутствующих")
	leader.press(t, expect(t, leader, "Отметка:"), "Лист регистрации")
	doc = leader.next(t)
	saveDoc(t, filepath.Join(w.dir, on), doc)
	sheet := sheetText(t, doc)
	for _, want := range []string{"Заседание № 1 муниципального методического объединения учителей математики\n", "Подпись", "Лидерова Ольга Ивановна|Школа № 1|учитель|присутствовал(а)", "Присутствовали: 3 чел. из 5", "/О. И. Лидерова/"} {
		if !strings.Contains(sheet, want) {
			t.Errorf("the registration sheet lacks %q:\n%s", want, sheet)
		}
	}
	lc := cardOf(t, leader, "ММО учителей математики")
	if got := strings.Contains(lc.text, "Ссылка для вопросов родителей"); got != w.parents {
		t.Errorf("parents' link on the new association's card: %v, want %v:\n%s", got, w.parents, lc.text)
	}
	leader.press(t, lc, "Посещаемость за год")
	doc = leader.next(t)
	saveDoc(t, filepath.Join(w.dir, on), doc)
	if year := sheetText(t, doc); !strings.Contains(year, "Посещаемость мероприятий муниципального методического объединения учителей математики\n") ||
		!strings.Contains(year, w.sheetPeriod) || !strings.Contains(year, "Посещено") ||
		!strings.Contains(year, "Лидерова Ольга Ивановна|+|1|100.0%") {
		t.Errorf("the year's attendance:\n%s", year)
	}
	// The year's consultations: a file name and a period a Russian
	// user reads, the calendar year in a calendar-year city.
	leader.press(t, lc, "Консультации за год")
	doc = leader.next(t)
	saveDoc(t, filepath.Join(w.dir, on), doc)
	if want := "Консультации ММО учителей математики " + strings.ReplaceAll(w.sheetPeriod, "/", "-") + ".xlsx"; doc.name != want {
		t.Errorf("the consultations' file: %q, want %q", doc.name, want)
	} else if text := sheetText(t, doc); !strings.Contains(text, "ММО учителей математики, "+w.sheetPeriod+"\n") {
		t.Errorf("the consultations' period:\n%s", text)
	}

	// A member's record for her аттестация.
	us[0].send("/history")
	us[0].press(t, expect(t, us[0], "Ваше участие"), "за всё время")
	doc = us[0].next(t)
	saveDoc(t, filepath.Join(w.dir, on), doc)
	inOrder(t, docxText(t, doc), w.org, "СПРАВКА №", "Антонова Анна Антоновна, учитель, Школа № 10", "принимала участие",
		"Итоги первой четверти | секретарь, выступление | 1,5", "Всего: 1 мероприятие. Всего часов: 1,5.")

	// The report, sent and accepted.
	leader.send("/report")
	rep := expect(t, leader, "Отчёт «ММО учителей математики»")
	leader.press(t, rep, "2. Основные")
	expect(t, leader, "Раздел 2")
	leader.send("Работа над методической темой «Функциональная грамотность».")
	expect(t, leader, "Сохранено")
	rep = expect(t, leader, "✅ 2. Основные")
	leader.press(t, rep, "Отправить координатору")
	leader.press(t, expect(t, leader, "Не заполнены разделы"), "Да, отправить")
	leader.press(t, expect(t, leader, "Рассматривался ли отчёт на заседании ММО?"), "Протокол № 1 от 23.11.2026")
	expect(t, leader, "Сдан координатору")
	notice = expect(t, coord, "сдан")
	// Accepted the next day and downloaded the day after: each date in
	// the report is the day it happened.
	h.clock.Add(24 * time.Hour)
	h.quiet()
	leader.drain()
	coord.drain()
	coord.press(t, notice, "Принять отчёт")
	expect(t, coord, "принят")
	expect(t, leader, "принят координатором")
	h.clock.Add(24 * time.Hour)
	h.quiet()
	leader.drain()
	coord.drain()
	coord.press(t, notice, "DOCX")
	doc = coord.next(t)
	saveDoc(t, filepath.Join(w.dir, on), doc)
	inOrder(t, docxText(t, doc), "Дата: 23.11.2026")
	inOrder(t, docxText(t, doc), "Принят: Координаторова А. П., 24.11.2026", w.reportTitle,
		"учителей математики", w.reportPeriod, "1. Количество и тематика заседаний", "1 | 23.11.2026 | Итоги первой четверти | 3",
		"2. Основные направления и содержание методической деятельности в текущем году", "Функциональная грамотность",
		"Поступило 1 обращение за консультацией; дан ответ — 0, ожидают ответа — 1.", "Аттестация | 1",
		"9. "+w.perspectives,
		"Приложения:", "1. Протоколы заседаний:", "Протокол № 1 от 23.11.2026 (подписан)", "2. Тезисы выступлений",
		"Рассмотрен на заседании ММО, протокол № 1 от 23.11.2026", "Руководитель ММО")
	if len(w.planFulfilled) > 0 {
		inOrder(t, docxText(t, doc), w.planFulfilled...)
	}
}

// TestFullYearIvanovo and TestFullYearBiysk walk the year once in each
// messenger: every document is read back as it came in that messenger.
func TestFullYearIvanovo(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		fullYear(t, h, on, yearWords{dir: "ivanovo", approval: "СОГЛАСОВАНО\nДиректор МБУ МЦ",
			reportTitle:  "Отчёт о деятельности муниципального методического объединения",
			perspectives: "Перспективы, приоритетные направления работы ММО в новом учебном году", appendix: "Приложение 1\n", org: "МБУ «Методический центр в системе образования»", city: "г. Иваново",
			planPeriod: "на 2026/2027 учебный год", reportPeriod: "за 2026/2027 учебный год", sheetPeriod: "2026/2027 учебный год",
			planFulfilled: []string{"Проведено 1 заседание (по положению — не менее 3).", "Выполнение плана работы: 1 из 3",
				"Итоги первой четверти | Заседание | выполнено (23.11.2026)", "Руководитель ММО\t______________ /О. И. Лидерова/"}})
	})
}

func TestFullYearBiysk(t *testing.T) {
	forEachMessengerWith(t, func(c *config.Config) {
		c.Regulation.Preset = "biysk"
		c.Organisation = config.Organisation{Name: "МКУ «Управление образования Администрации города Бийска»", City: "г. Бийск",
			HeadTitle: "Начальник управления образования", HeadName: "Сидорова Мария Ивановна", Language: "ru"}
		if err := c.Validate(); err != nil {
			t.Error(err) // t.Errorf, not Fatal: this runs in a sub-test's goroutine
		}
	}, func(t *testing.T, h *harness, on string) {
		fullYear(t, h, on, yearWords{dir: "biysk", org: "МКУ «Управление образования Администрации города Бийска»", city: "г. Бийск",
			planPeriod: "на 2027 год", reportPeriod: "за 2026 год", sheetPeriod: "2026 год", parents: true,
			approval:      "УТВЕРЖДАЮ\nНачальник управления образования\n____________ /М. И. Сидорова/\n«___» ____________ 20___ г.",
			reportTitle:   "Анализ работы муниципального методического объединения",
			perspectives:  "Перспективы, приоритетные направления работы ММО в новом году\n",
			planFulfilled: []string{"Проведено 1 заседание.\n", "6. Публикации педагогических работников в печатных изданиях, на сайтах и т.д."}})
	})
}
