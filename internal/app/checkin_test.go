package app

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/mmobot/mmobot/internal/render"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

var codeLineRE = regexp.MustCompile(`Код для участников: <b>(\d{4})</b>`)

// openCheckin opens the leader's check-in view of the first event in
// /meetings.
func openCheckin(t *testing.T, leader *telegramtest.User, topic string) (telegramtest.Message, string, string) {
	t.Helper()
	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Ближайшие мероприятия", topic), topic)
	card := next(t, leader, topic)
	press(t, leader, card, "Отметка присутствующих")
	view := next(t, leader, "Отметка:", "Код для участников")
	code := codeLineRE.FindStringSubmatch(view.Text)[1]
	link := regexp.MustCompile(`start=(c_[\w-]+)`).FindStringSubmatch(view.Text)[1]
	return view, code, link
}

// xlsxRows reads the first sheet of an XLSX document.
func xlsxRows(t *testing.T, doc *telegramtest.Document) [][]string {
	t.Helper()
	if doc == nil {
		t.Fatal("the message carries no document")
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCheckinEveryRoute(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна",
		"Григорьев Гордей Гордеевич", "Дмитриева Дарья Дмитриевна")
	// Now is 12:00 in Moscow: an event at 12:10 has its check-in open.
	draft := scheduleEvent(t, leader, "Семинар", "Наставничество", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	var here []telegramtest.Message
	for _, u := range us {
		next(t, u, "Новое мероприятие")
		here = append(here, next(t, u, "Открыта отметка", "Наставничество"))
	}
	view, code, link := openCheckin(t, leader, "Наставничество")
	if !strings.Contains(view.Text, "Отметка открыта до 12:40") || !strings.Contains(view.Text, "Отметились: 0 из 5") {
		t.Errorf("check-in view %q", view.Text)
	}

	// 1. The button in the chat.
	press(t, us[0], here[0], "Я на месте")
	next(t, us[0], "Вы отмечены: Семинар «ММО учителей математики», 12:00")
	next(t, leader, "Отметились: 1 из 5", "Антонова А. А. — 12:00, кнопка")
	// 2. The code read out.
	us[1].Send(code)
	next(t, us[1], "Вы отмечены")
	if m := next(t, us[1], "Вы отмечены"); m.ID != here[1].ID || len(m.Buttons()) != 0 {
		t.Errorf("the «I am here» button stays after checking in by code: %s", m)
	}
	next(t, leader, "Отметились: 2 из 5", "код")
	// 3. The link on the screen.
	us[2].Send("/start " + link)
	next(t, us[2], "Вы отмечены")
	next(t, us[2], "Вы отмечены") // the «I am here» message, without its button
	next(t, leader, "Отметились: 3 из 5", "ссылка")
	// Twice is harmless.
	us[1].Send(code)
	next(t, us[1], "Вы уже отметились в 12:00")
	// A wrong code.
	wrong := "1000"
	if code == wrong {
		wrong = "1001"
	}
	us[3].Send(wrong)
	next(t, us[3], "Код не подходит")

	// The code leaked: a new one, the old code and link stop working.
	press(t, leader, view, "Сменить код")
	view = next(t, leader, "Код для участников")
	newCode := codeLineRE.FindStringSubmatch(view.Text)[1]
	if newCode == code {
		t.Fatal("the code did not change")
	}
	us[3].Send(code)
	next(t, us[3], "Код не подходит")
	us[3].Send("/start " + link)
	next(t, us[3], "устарела")
	us[3].Send(newCode)
	next(t, us[3], "Вы отмечены")
	next(t, leader, "Отметились: 4 из 5")

	// Someone outside the association.
	stranger := h.teacher(390, "Чужаков Иван Иванович")
	stranger.Send(newCode)
	next(t, stranger, "нет мероприятий с открытой отметкой")
	newLink := regexp.MustCompile(`start=(c_[\w-]+)`).FindStringSubmatch(view.Text)[1]
	stranger.Send("/start " + newLink)
	next(t, stranger, "Отмечаться могут только участники")

	// Marks by hand: the one without a phone is excused, with a note.
	press(t, leader, view, "Отметить вручную")
	list := next(t, leader, "Отметить вручную")
	// One screen: a tap on the row cycles the mark, shown on the row.
	row := func(m telegramtest.Message, prefix string) string {
		t.Helper()
		for _, b := range m.Buttons() {
			if strings.Contains(b.Text, "Дмитриева") {
				if !strings.HasPrefix(b.Text, prefix) {
					t.Errorf("Дмитриева's row reads %q, want it to start with %q", b.Text, prefix)
				}
				return b.Text
			}
		}
		t.Fatalf("no row of Дмитриева: %v", m.Buttons())
		return ""
	}
	row(list, "— ")
	press(t, leader, list, "Дмитриева")
	next(t, leader, "Отметились: 5 из 5") // the live view counts her
	list = next(t, leader, "Отметить вручную")
	press(t, leader, list, row(list, "✅ "))
	next(t, leader, "Отметились: 4 из 5")
	list = next(t, leader, "Отметить вручную")
	row(list, "❌ ")
	press(t, leader, list, "✎ 5")
	next(t, leader, ": примечание к отметке")
	leader.Send("на курсах повышения квалификации")
	next(t, leader, "Примечание сохранено")
	next(t, leader, "Дмитриева Д. Д. — отсутствовал(а)")
	row(next(t, leader, "Отметить вручную"), "❌ ")

	// The registration sheet.
	press(t, leader, view, "Лист регистрации")
	doc := leader.Next(t)
	if doc.Document == nil {
		t.Fatalf("no sheet: %+v", doc)
	}
	rows := xlsxRows(t, doc.Document)
	all := ""
	for _, r := range rows {
		all += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"ЛИСТ РЕГИСТРАЦИИ", "Тема: Наставничество",
		"Антонова Анна Антоновна|Школа № 10|учитель|присутствовал(а)|23.11.2026 12:00|кнопка",
		"Борисов Борис Борисович|Школа № 11|учитель|присутствовал(а)|23.11.2026 12:00|код",
		"Васильева Вера Васильевна|Школа № 12|учитель|присутствовал(а)|23.11.2026 12:00|ссылка",
		"Дмитриева Дарья Дмитриевна|Школа № 14|учитель|отсутствовал(а)|23.11.2026 12:00|вручную|на курсах повышения квалификации",
		"Лидерова Ольга Ивановна|Школа № 1|учитель|присутствовал(а)|23.11.2026 12:10|ведёт мероприятие",
		"Подпись", "Присутствовали: 5 из 6", "Руководитель ММО ____________ /О. И. Лидерова/"} {
		if !strings.Contains(all, want) {
			t.Errorf("the sheet lacks %q:\n%s", want, all)
		}
	}
	// A member cannot open the leader's view.
	us[0].Send("/members")
	next(t, us[0], "недоступна")
}

func TestCheckinWindowAndLocation(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	draft := scheduleEvent(t, leader, "Семинар", "Выездной семинар", "24.11 15:00", "24 ноября 2026 (вторник), 15:00")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, us[0], "Новое мероприятие")
	view, code, link := openCheckin(t, leader, "Выездной семинар")
	if !strings.Contains(view.Text, "Отметка откроется 24.11.2026 14:45") {
		t.Errorf("view %q", view.Text)
	}
	us[0].Send(code)
	next(t, us[0], "нет мероприятий с открытой отметкой")
	us[0].Send("/start " + link)
	next(t, us[0], "Отметка ещё не открыта: она начнётся 24.11.2026 14:45")

	// The window of this event: open an hour before, close at its end.
	press(t, leader, view, "Когда открывать")
	win := next(t, leader, "Окно отметки", "Откроется сама: 24.11.2026 14:45", "Закроется сама: 24.11.2026 15:30")
	press(t, leader, win, "за 60 мин до начала")
	win = next(t, leader, "Откроется сама: 24.11.2026 14:00")
	press(t, leader, win, "до конца мероприятия")
	win = next(t, leader, "Закроется сама: 24.11.2026 16:30")
	press(t, leader, win, "К отметке")
	view = next(t, leader, "Отметка откроется 24.11.2026 14:00")

	// The leader asks for locations at the venue.
	press(t, leader, view, "Требовать геопозицию")
	next(t, leader, "Отправьте геопозицию места проведения")
	leader.SendLocation(56.9972, 40.9714)
	next(t, leader, "Место проведения сохранено")
	radius := next(t, leader, "Радиус отметки: 200 м")
	next(t, leader, "Нужна геопозиция: в пределах 200 м")
	press(t, leader, radius, "500 м")
	next(t, leader, "в пределах 500 м")

	// The leader opens check-in early: members get the button.
	press(t, leader, view, "Открыть отметку")
	next(t, leader, "Отметка открыта вручную")
	here := next(t, us[0], "Открыта отметка")
	press(t, us[0], here, "Я на месте")
	next(t, us[0], "отправьте геопозицию")
	us[0].SendLocation(57.0126, 40.9830) // the railway station, 1.8 km away
	next(t, us[0], "Вы в 18", "в пределах 500 м", "попробуйте снова")
	// The form waits for another try: typed text gets the hint, and a
	// location from closer by is taken.
	us[0].Send(code)
	next(t, us[0], "Нажмите кнопку «📍 Я здесь»")
	us[0].SendLocation(56.9980, 40.9720) // 100 m away
	next(t, us[0], "Геопозиция получена")
	next(t, us[0], "Вы отмечены")
	next(t, us[0], "Вы отмечены") // the «I am here» message, without its button
	next(t, leader, "Отметились: 1 из 1", "геопозиция")

	// Closed by hand.
	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Выездной семинар"), "Выездной семинар")
	press(t, leader, next(t, leader, "Выездной семинар"), "Отметка присутствующих")
	view = next(t, leader, "Отметка открыта вручную")
	press(t, leader, view, "Закрыть отметку")
	next(t, leader, "Отметка закрыта")
	us[0].Send("/start " + link)
	next(t, us[0], "Отметка на это мероприятие закрыта")
}

func TestMinutesAndHistory(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	draft := scheduleEvent(t, leader, "Заседание", "Итоги первой четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, us[0], "Новое мероприятие")
	next(t, us[1], "Новое мероприятие")
	next(t, us[1], "Открыта отметка")
	press(t, us[0], next(t, us[0], "Открыта отметка"), "Я на месте")
	next(t, us[0], "Вы отмечены")
	next(t, leader, "отметились 1 из 2") // the card, live
	h.clock.Add(30 * time.Minute)
	// Begun: the answer buttons go from the announcements.
	for _, u := range us {
		next(t, u, "ответы закрыты")
	}

	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Итоги первой четверти"), "Итоги первой четверти")
	card := next(t, leader, "Заседание № 1")
	press(t, leader, card, "Протокол")
	m := next(t, leader, "Протокол: Заседание № 1", "Протокол ещё не составлен")
	press(t, leader, m, "Составить протокол")
	next(t, leader, "Составим протокол")
	minutesHead(t, leader, "Антонова Анна Антоновна")
	next(t, leader, "Вопрос 1 из 2:</b> Итоги олимпиады", "СЛУШАЛИ")
	leader.Send("Лидерову О. И. — об итогах школьного этапа олимпиады")
	next(t, leader, "ВЫСТУПИЛИ")
	leader.Send("Антонова А. А.: предложила провести разбор заданий\nБорисов Б. Б.: поддержал")
	next(t, leader, "РЕШИЛИ")
	leader.Send("Провести разбор заданий на следующем заседании.")
	next(t, leader, "Голосование по вопросу 1")
	leader.Send("двенадцать")
	next(t, leader, "три числа")
	leader.Send("2 0 1")
	next(t, leader, "Голосов (3) больше, чем присутствовало (2)")
	leader.Send("1 0 1")
	next(t, leader, "Вопрос 2 из 2:</b> Разное")
	leader.Send("Лидерову О. И. — о плане на декабрь")
	next(t, leader, "ВЫСТУПИЛИ")
	leader.Send("-")
	next(t, leader, "РЕШИЛИ")
	leader.Send("Принять к сведению.")
	press(t, leader, next(t, leader, "Голосование по вопросу 2"), "Без голосования")
	next(t, leader, "без голосования")
	next(t, leader, "Черновик протокола сохранён")
	doc := leader.Next(t)
	if doc.Document == nil || !strings.HasSuffix(doc.Document.Name, ".docx") {
		t.Fatalf("no DOCX: %+v", doc)
	}
	text, err := render.DOCXText(doc.Document.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	inOrder(t, text, "ЧЕРНОВИК", "МБУ «Методический центр в системе образования»", "ПРОТОКОЛ № 1",
		"заседания муниципального методического объединения учителей математики", "23.11.2026\tг. Иваново",
		"Форма проведения: очно", "Председатель: Лидерова О. И.", "Секретарь: Антонова А. А.",
		"Присутствовали: 2 чел. из 3", "Антонова Анна Антоновна", "Лидерова Ольга Ивановна", "Отсутствовали: 1 чел.", "Борисов Борис Борисович",
		"Повестка дня", "Итоги олимпиады", "Разное",
		"СЛУШАЛИ", "Лидерову О. И. — об итогах школьного этапа олимпиады",
		"ВЫСТУПИЛИ", "Антонова А. А.: предложила провести разбор заданий", "Борисов Б. Б.: поддержал",
		"РЕШИЛИ", "Провести разбор заданий на следующем заседании.", "«за» — 1, «против» — 0, «воздержались» — 1",
		"СЛУШАЛИ", "о плане на декабрь", "РЕШИЛИ", "Принять к сведению.",
		"Председатель\t______________ /О. И. Лидерова/", "Секретарь\t______________ /А. А. Антонова/")

	view := next(t, leader, "Черновик, редакция 1")
	press(t, leader, view, "Подписать")
	view = next(t, leader, "Подписан (редакция 1")
	// A member leaves after the signing: the signed version still lists
	// him among the absent, out of the members of that day.
	joined := openCard(t, us[1], "ММО учителей математики")
	press(t, us[1], joined, "Выйти")
	press(t, us[1], next(t, us[1], "Выйти из объединения «ММО учителей математики»?"), "Да")
	next(t, us[1], "Вы вышли")
	h.quiet()
	leader.Drain()
	// A correction makes version 2; "+" keeps what version 1 said.
	press(t, leader, view, "Исправить")
	next(t, leader, "Составим протокол")
	press(t, leader, next(t, leader, "председательствовал", "Было: <i>Лидерова Ольга Ивановна</i>"), "Председатель — Лидерова О. И.")
	next(t, leader, "Председатель: Лидерова О. И.")
	next(t, leader, "Было: <i>Антонова Анна Антоновна</i>")
	leader.Send("+")
	press(t, leader, next(t, leader, "Приглашённые"), "Пропустить")
	next(t, leader, "Пропущено")
	next(t, leader, "Вопрос 1 из 2")
	leader.Send("+")
	next(t, leader, "ВЫСТУПИЛИ")
	leader.Send("+")
	next(t, leader, "РЕШИЛИ")
	leader.Send("Провести разбор заданий 15 декабря.")
	press(t, leader, next(t, leader, "Голосование"), "Единогласно (2)")
	next(t, leader, "Вопрос 1: единогласно")
	next(t, leader, "Вопрос 2 из 2")
	leader.Send("+")
	next(t, leader, "ВЫСТУПИЛИ")
	leader.Send("-")
	next(t, leader, "РЕШИЛИ")
	leader.Send("+")
	press(t, leader, next(t, leader, "Голосование"), "Без голосования")
	next(t, leader, "без голосования")
	next(t, leader, "Черновик протокола сохранён")
	doc2 := leader.Next(t)
	text2, _ := render.DOCXText(doc2.Document.Bytes)
	inOrder(t, text2, "Редакция 2", "Присутствовали: 2 чел. из 2", "Провести разбор заданий 15 декабря.",
		"Голосовали: «за» — 2, «против» — 0, «воздержались» — 0.", "Принять к сведению.")
	view = next(t, leader, "Черновик, редакция 2")
	press(t, leader, view, "Редакция 1")
	old := leader.Next(t)
	oldText, _ := render.DOCXText(old.Document.Bytes)
	if !strings.Contains(oldText, "Провести разбор заданий на следующем заседании.") || strings.Contains(oldText, "ЧЕРНОВИК") ||
		!strings.Contains(oldText, "Присутствовали: 2 чел. из 3") || !strings.Contains(oldText, "Отсутствовали: 1 чел.\n1.\tБорисов Борис Борисович") {
		t.Errorf("version 1 changed: %s", oldText)
	}

	// The member's participation record.
	us[0].Send("/history")
	hist := next(t, us[0], "Ваше участие", "2026/2027 учебный год — 1 мероприятие")
	press(t, us[0], hist, "за всё время")
	rec := us[0].Next(t)
	if rec.Document == nil {
		t.Fatalf("no record: %+v", rec)
	}
	recText, _ := render.DOCXText(rec.Document.Bytes)
	inOrder(t, recText, "МБУ «Методический центр в системе образования»\nг. Иваново", "СПРАВКА № 1 от 23.11.2026",
		"Настоящая справка подтверждает, что Антонова Анна Антоновна, учитель, Школа № 10, за весь период работы в объединениях принимала участие",
		"№ | Дата | Объединение | Форма | Тема | Участие | Часов",
		"1 | 23.11.2026 | ММО учителей математики | Заседание | Итоги первой четверти | секретарь, выступление | 1,5",
		"Всего: 1 мероприятие. Всего часов: 1,5.", "Директор МБУ МЦ\t____________ /________________/")
	if strings.Contains(recText, "Выдана:") {
		t.Error("«Выдана:» with a name in the nominative")
	}
	us[1].Send("/history")
	next(t, us[1], "Отметок о вашем участии пока нет")

	// The year's attendance sheet from the association's card.
	lc := openCard(t, leader, "ММО учителей математики")
	press(t, leader, lc, "Посещаемость за год")
	year := leader.Next(t)
	if year.Document == nil {
		t.Fatalf("no year sheet: %+v", year)
	}
	all := ""
	for _, r := range xlsxRows(t, year.Document) {
		all += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"2026/2027 учебный год", "23.11 Заседание", "Посещено", "Антонова Анна Антоновна|+|1|100.0%", "Лидерова Ольга Ивановна|+|1|100.0%"} {
		if !strings.Contains(all, want) {
			t.Errorf("the year sheet lacks %q:\n%s", want, all)
		}
	}
}

// inOrder checks that the fragments appear in text in this order.
func inOrder(t *testing.T, text string, fragments ...string) {
	t.Helper()
	rest := text
	for _, f := range fragments {
		i := strings.Index(rest, f)
		if i < 0 {
			t.Fatalf("%q missing (or out of order) in:\n%s", f, text)
		}
		rest = rest[i+len(f):]
	}
}
