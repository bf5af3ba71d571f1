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
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// saveDoc writes a document of a full-year test into
// $MMOBOT_DOCS_OUT/<dir>/, so that a person can open and read each one;
// without the variable it does nothing.
func saveDoc(t *testing.T, dir string, m telegramtest.Message) {
	t.Helper()
	docProps(t, m)
	if m.Document != nil && strings.HasSuffix(m.Document.Name, ".docx") {
		noEmoji(t, m.Document.Name, docText(t, m))
	} else if m.Document != nil {
		noEmoji(t, m.Document.Name, xlsxText(t, m))
	}
	out := os.Getenv("MMOBOT_DOCS_OUT")
	if out == "" || m.Document == nil {
		return
	}
	p := filepath.Join(out, dir)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, m.Document.Name), m.Document.Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
}

// docProps fails when a document's properties name the library that
// wrote it or «Microsoft Macintosh Word», or not the organisation and
// mmobot.
func docProps(t *testing.T, m telegramtest.Message) {
	t.Helper()
	if m.Document == nil {
		return
	}
	zr, err := zip.NewReader(bytes.NewReader(m.Document.Bytes), int64(len(m.Document.Bytes)))
	if err != nil {
		t.Fatalf("%s: %v", m.Document.Name, err)
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
			t.Errorf("%s: the properties name %q:\n%s", m.Document.Name, bad, props)
		}
	}
	for _, want := range []string{"<Application>mmobot</Application>", "<dc:creator>М", "<Company>М", "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-11-2"} {
		if !strings.Contains(props, want) {
			t.Errorf("%s: the properties lack %q:\n%s", m.Document.Name, want, props)
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

// xlsxText is every row of an XLSX document, cells apart by "|".
func xlsxText(t *testing.T, m telegramtest.Message) string {
	t.Helper()
	all := ""
	for _, r := range xlsxRows(t, m.Document) {
		all += strings.Join(r, "|") + "\n"
	}
	return all
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
func fullYear(t *testing.T, h *harness, w yearWords) {
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович", "Кузнецова Ирина Павловна", "Никитина Дарья Андреевна")
	coord := coordinatorChat(h)

	// The plan, agreed by the coordinator.
	leader.Send("/plan")
	plan := next(t, leader, "План работы")
	plan = addPlanItem(t, leader, plan, "Ноябрь", "Итоги первой четверти", "Заседание")
	plan = addPlanItem(t, leader, plan, "Декабрь", "Функциональная грамотность на уроках математики", "Семинар")
	plan = addPlanItem(t, leader, plan, "Март", "Итоги полугодия", "Заседание")
	press(t, leader, plan, "Отправить на согласование")
	if m := leader.Next(t); strings.Contains(m.Text, "В плане заседаний: 2, а по положению их нужно не меньше 3") {
		press(t, leader, m, "Да, отправить")
		next(t, leader, "На согласовании")
	}
	notice := next(t, coord, "отправлен на согласование")
	coord.Next(t) // the plan's DOCX comes with its summary
	press(t, coord, notice, "Согласовать")
	next(t, coord, "согласован")
	// The notice, and the leader's card redrawn agreed.
	nextTwo(t, leader, "учебный год согласован координатором", "✅ Согласован координатором")
	leader.Send("/plan")
	press(t, leader, next(t, leader, "План работы"), "DOCX")
	doc := leader.Next(t)
	saveDoc(t, w.dir, doc)
	if w.appendix == "" && strings.Contains(docText(t, doc), "Приложение") {
		t.Error("a plan under a regulation without appendices refers to one")
	}
	inOrder(t, docText(t, doc), w.appendix+w.approval, "План деятельности муниципального методического объединения",
		"учителей математики", w.planPeriod, "Цель деятельности ММО", "Задачи ММО", "Мероприятия",
		"1 | Итоги первой четверти | Заседание | Ноябрь", "Руководитель ММО")

	// The заседание: two members check in, the leader chairs.
	draft := scheduleEvent(t, leader, "Заседание", "Итоги первой четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	for i, u := range us {
		next(t, u, "Новое мероприятие")
		here := next(t, u, "Открыта отметка")
		if i < 2 {
			press(t, u, here, "Я на месте")
			next(t, u, "Вы отмечены")
		}
	}
	ask(t, us[2], "Аттестация", "Когда подавать заявление на аттестацию?")
	h.clock.Add(2 * time.Hour)
	h.quiet()
	// The start closed the answers and the check-in: the members'
	// announcements and check-in messages were edited.
	leader.Drain()
	for _, u := range us {
		u.Drain()
	}
	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Итоги первой четверти"), "Итоги первой четверти")
	press(t, leader, next(t, leader, "Заседание № 1"), "Протокол")
	press(t, leader, next(t, leader, "Протокол ещё не составлен"), "Составить протокол")
	next(t, leader, "Составим протокол")
	press(t, leader, next(t, leader, "Кто председательствовал"), "Председатель — Лидерова О. И.")
	next(t, leader, "Председатель: Лидерова О. И.")
	next(t, leader, "секретарь")
	leader.Send("Антонова Анна Антоновна")
	next(t, leader, "Приглашённые")
	leader.Send("Петрова Анна Сергеевна, методист")
	next(t, leader, "Вопрос 1 из 2:</b> Итоги олимпиады")
	leader.Send("Лидерову О. И. — об итогах школьного этапа олимпиады")
	next(t, leader, "ВЫСТУПИЛИ")
	leader.Send("Антонова А. А.: предложила провести разбор заданий\nБорисов Б. Б.: поддержал")
	next(t, leader, "РЕШИЛИ")
	leader.Send("Провести разбор заданий олимпиады на следующем заседании.")
	press(t, leader, next(t, leader, "Голосование по вопросу 1"), "Единогласно (3)")
	next(t, leader, "единогласно")
	next(t, leader, "Вопрос 2 из 2:</b> Разное")
	leader.Send("Лидерову О. И. — о плане работы на декабрь")
	press(t, leader, next(t, leader, "ВЫСТУПИЛИ"), "Пропустить")
	next(t, leader, "Пропущено")
	next(t, leader, "РЕШИЛИ")
	leader.Send("Принять к сведению.")
	press(t, leader, next(t, leader, "Голосование по вопросу 2"), "Без голосования")
	next(t, leader, "без голосования")
	next(t, leader, "Черновик протокола сохранён")
	leader.Next(t) // the draft
	press(t, leader, next(t, leader, "Черновик, редакция 1"), "Подписать")
	view := next(t, leader, "Подписан (редакция 1")
	press(t, leader, view, "Скачать DOCX")
	doc = leader.Next(t)
	saveDoc(t, w.dir, doc)
	inOrder(t, docText(t, doc), w.org, "ПРОТОКОЛ № 1", "заседания муниципального методического объединения учителей математики",
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
	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Итоги первой четверти"), "Итоги первой четверти")
	card := next(t, leader, "Заседание № 1")
	press(t, leader, card, "Отметка присутствующих")
	press(t, leader, next(t, leader, "Отметка:"), "Лист регистрации")
	doc = leader.Next(t)
	saveDoc(t, w.dir, doc)
	sheet := xlsxText(t, doc)
	for _, want := range []string{"Заседание № 1 муниципального методического объединения учителей математики\n", "Подпись", "Лидерова Ольга Ивановна|Школа № 1|учитель|присутствовал(а)", "Присутствовали: 3 чел. из 5", "/О. И. Лидерова/"} {
		if !strings.Contains(sheet, want) {
			t.Errorf("the registration sheet lacks %q:\n%s", want, sheet)
		}
	}
	lc := openCard(t, leader, "ММО учителей математики")
	if got := strings.Contains(lc.Text, "Ссылка для вопросов родителей"); got != w.parents {
		t.Errorf("parents' link on the new association's card: %v, want %v:\n%s", got, w.parents, lc.Text)
	}
	press(t, leader, lc, "Посещаемость за год")
	doc = leader.Next(t)
	saveDoc(t, w.dir, doc)
	if year := xlsxText(t, doc); !strings.Contains(year, "Посещаемость мероприятий муниципального методического объединения учителей математики\n") ||
		!strings.Contains(year, w.sheetPeriod) || !strings.Contains(year, "Посещено") ||
		!strings.Contains(year, "Лидерова Ольга Ивановна|+|1|100.0%") {
		t.Errorf("the year's attendance:\n%s", year)
	}
	// The year's consultations: a file name and a period a Russian
	// user reads, the calendar year in a calendar-year city.
	press(t, leader, lc, "Консультации за год")
	doc = leader.Next(t)
	saveDoc(t, w.dir, doc)
	if want := "Консультации ММО учителей математики " + strings.ReplaceAll(w.sheetPeriod, "/", "-") + ".xlsx"; doc.Document == nil || doc.Document.Name != want {
		t.Errorf("the consultations' file: %+v, want %q", doc.Document, want)
	} else if text := xlsxText(t, doc); !strings.Contains(text, "ММО учителей математики, "+w.sheetPeriod+"\n") {
		t.Errorf("the consultations' period:\n%s", text)
	}

	// A member's record for her аттестация.
	us[0].Send("/history")
	press(t, us[0], next(t, us[0], "Ваше участие"), "за всё время")
	doc = us[0].Next(t)
	saveDoc(t, w.dir, doc)
	inOrder(t, docText(t, doc), w.org, "СПРАВКА №", "Антонова Анна Антоновна, учитель, Школа № 10", "принимала участие",
		"Итоги первой четверти | секретарь, выступление | 1,5", "Всего: 1 мероприятие. Всего часов: 1,5.")

	// The report, sent and accepted.
	leader.Send("/report")
	rep := next(t, leader, "Отчёт «ММО учителей математики»")
	press(t, leader, rep, "2. Основные")
	next(t, leader, "Раздел 2")
	leader.Send("Работа над методической темой «Функциональная грамотность».")
	next(t, leader, "Сохранено")
	rep = next(t, leader, "✅ 2. Основные")
	press(t, leader, rep, "Отправить координатору")
	press(t, leader, next(t, leader, "Не заполнены разделы"), "Да, отправить")
	press(t, leader, next(t, leader, "Рассматривался ли отчёт на заседании ММО?"), "Протокол № 1 от 23.11.2026")
	next(t, leader, "Сдан координатору")
	notice = next(t, coord, "сдан")
	// Accepted the next day and downloaded the day after: each date in
	// the report is the day it happened.
	h.clock.Add(24 * time.Hour)
	h.quiet()
	leader.Drain()
	coord.Drain()
	press(t, coord, notice, "Принять отчёт")
	next(t, coord, "принят")
	next(t, leader, "принят координатором")
	h.clock.Add(24 * time.Hour)
	h.quiet()
	leader.Drain()
	coord.Drain()
	press(t, coord, notice, "DOCX")
	doc = coord.Next(t)
	saveDoc(t, w.dir, doc)
	inOrder(t, docText(t, doc), "Дата: 23.11.2026")
	inOrder(t, docText(t, doc), "Принят: Координаторова А. П., 24.11.2026", w.reportTitle,
		"учителей математики", w.reportPeriod, "1. Количество и тематика заседаний", "1 | 23.11.2026 | Итоги первой четверти | 3",
		"2. Основные направления и содержание методической деятельности в текущем году", "Функциональная грамотность",
		"Поступило 1 обращение за консультацией; дан ответ — 0, ожидают ответа — 1.", "Аттестация | 1",
		"9. "+w.perspectives,
		"Приложения:", "1. Протоколы заседаний:", "Протокол № 1 от 23.11.2026 (подписан)", "2. Тезисы выступлений",
		"Рассмотрен на заседании ММО, протокол № 1 от 23.11.2026", "Руководитель ММО")
	if len(w.planFulfilled) > 0 {
		inOrder(t, docText(t, doc), w.planFulfilled...)
	}
}

func TestFullYearIvanovo(t *testing.T) {
	h := newHarness(t)
	fullYear(t, h, yearWords{dir: "ivanovo", approval: "СОГЛАСОВАНО\nДиректор МБУ МЦ",
		reportTitle:  "Отчёт о деятельности муниципального методического объединения",
		perspectives: "Перспективы, приоритетные направления работы ММО в новом учебном году", appendix: "Приложение 1\n", org: "МБУ «Методический центр в системе образования»", city: "г. Иваново",
		planPeriod: "на 2026/2027 учебный год", reportPeriod: "за 2026/2027 учебный год", sheetPeriod: "2026/2027 учебный год",
		planFulfilled: []string{"Проведено 1 заседание (по положению — не менее 3).", "Выполнение плана работы: 1 из 3",
			"Итоги первой четверти | Заседание | выполнено (23.11.2026)", "Руководитель ММО\t______________ /О. И. Лидерова/"}})
}

func TestFullYearBiysk(t *testing.T) {
	h := newHarnessWith(t, func(c *config.Config) {
		c.Regulation.Preset = "biysk"
		c.Organisation = config.Organisation{Name: "МКУ «Управление образования Администрации города Бийска»", City: "г. Бийск",
			HeadTitle: "Начальник управления образования", HeadName: "Сидорова Мария Ивановна", Language: "ru"}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	})
	fullYear(t, h, yearWords{dir: "biysk", org: "МКУ «Управление образования Администрации города Бийска»", city: "г. Бийск",
		planPeriod: "на 2027 год", reportPeriod: "за 2026 год", sheetPeriod: "2026 год", parents: true,
		approval:      "УТВЕРЖДАЮ\nНачальник управления образования\n____________ /М. И. Сидорова/\n«___» ____________ 20___ г.",
		reportTitle:   "Анализ работы муниципального методического объединения",
		perspectives:  "Перспективы, приоритетные направления работы ММО в новом году\n",
		planFulfilled: []string{"Проведено 1 заседание.\n", "6. Публикации педагогических работников в печатных изданиях, на сайтах и т.д."}})
}
