package app

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

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

// checkinOf opens the leader's check-in view of the event on topic from
// /meetings, in either messenger, and returns it with its code and link.
func checkinOf(t *testing.T, l person, topic string) (view msg, code, at string) {
	t.Helper()
	l.send("/meetings")
	l.press(t, expect(t, l, "Ближайшие мероприятия", topic), topic)
	l.press(t, expect(t, l, topic), "Отметка присутствующих")
	view = expect(t, l, "Отметка:", "Код для участников")
	return view, codeLineRE.FindStringSubmatch(view.text)[1], link(t, view.text)
}

// TestCheckinEveryRoute: members check in by the button, the code read
// out and the link on the screen, in their own messenger; a leaked code
// is changed; the leader marks by hand with a note; the registration
// sheet records how each came.
func TestCheckinEveryRoute(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on, on, on, on)
		l, us := tm.leader, tm.members
		// Now is 12:00 in Moscow: an event at 12:10 has its check-in open.
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Наставничество", when: "23.11 12:10", date: "23 ноября 2026"})
		expect(t, l, "Объявлено")
		var here []msg
		for _, u := range us {
			expect(t, u, "Новое мероприятие")
			here = append(here, expect(t, u, "Открыта отметка", "Наставничество"))
		}
		view, code, at := checkinOf(t, l, "Наставничество")
		if !strings.Contains(view.text, "Отметка открыта до 12:40") || !strings.Contains(view.text, "Отметились: 0 из 5") {
			t.Errorf("check-in view %q", view.text)
		}
		if !strings.Contains(at, map[string]string{"telegram": "t.me", "max": "max.ru"}[on]) {
			t.Errorf("the check-in link is not of %s: %q", on, at)
		}

		// 1. The button in the chat.
		us[0].press(t, here[0], "Я на месте")
		expect(t, us[0], "Вы отмечены: Семинар «ММО учителей математики», 12:00")
		if m := expect(t, l, "Отметились: 1 из 5", "Антонова А. А. — 12:00, кнопка"); m.id != view.id {
			t.Error("the check-in view was not changed in place")
		}
		// 2. The code read out.
		us[1].send(code)
		expect(t, us[1], "Вы отмечены")
		if m := expect(t, us[1], "Вы отмечены"); m.id != here[1].id || len(m.buttons) != 0 {
			t.Errorf("the «I am here» button stays after checking in by code: %q %v", m.text, m.buttons)
		}
		expect(t, l, "Отметились: 2 из 5", "код")
		// 3. The link on the screen.
		us[2].open(t, at)
		expect(t, us[2], "Вы отмечены")
		expect(t, us[2], "Вы отмечены") // the «I am here» message, without its button
		expect(t, l, "Отметились: 3 из 5", "ссылка")
		// Twice is harmless.
		us[1].send(code)
		expect(t, us[1], "Вы уже отметились в 12:00")
		us[2].open(t, at)
		expect(t, us[2], "Вы уже отметились")
		// A wrong code.
		wrong := "1000"
		if code == wrong {
			wrong = "1001"
		}
		us[3].send(wrong)
		expect(t, us[3], "Код не подходит")

		// The code leaked: a new one, the old code and link stop working.
		l.press(t, view, "Сменить код")
		view = expect(t, l, "Код для участников")
		newCode := codeLineRE.FindStringSubmatch(view.text)[1]
		if newCode == code {
			t.Fatal("the code did not change")
		}
		us[3].send(code)
		expect(t, us[3], "Код не подходит")
		us[3].open(t, at)
		expect(t, us[3], "устарела")
		us[3].send(newCode)
		expect(t, us[3], "Вы отмечены")
		expect(t, l, "Отметились: 4 из 5")

		// Someone outside the association.
		stranger := teacherOn(t, h, on, 390, "Чужаков Иван Иванович")
		stranger.send(newCode)
		expect(t, stranger, "нет мероприятий с открытой отметкой")
		stranger.open(t, link(t, view.text))
		expect(t, stranger, "Отмечаться могут только участники")

		// Marks by hand: the one without a phone is excused, with a note.
		l.press(t, view, "Отметить вручную")
		list := expect(t, l, "Отметить вручную", "Отметились: 4 из 5")
		// The list counts whom the card counts: the leader, who is there,
		// has no row.
		if list.has("Лидерова") || len(list.buttons) != 2*5+1 {
			t.Errorf("the marks list is not of the 5 members the card counts: %v", list.buttons)
		}
		// One screen: a tap on the row cycles the mark, shown on the row.
		row := func(m msg, prefix string) string {
			t.Helper()
			for _, b := range m.buttons {
				if strings.Contains(b, "Дмитриева") {
					if !strings.HasPrefix(b, prefix) {
						t.Errorf("Дмитриева's row reads %q, want it to start with %q", b, prefix)
					}
					return b
				}
			}
			t.Fatalf("no row of Дмитриева: %v", m.buttons)
			return ""
		}
		row(list, "— ")
		l.press(t, list, "Дмитриева")
		// The list is drawn again, counting her; the check-in view it was
		// opened over is not drawn over it while the leader marks there.
		list = expect(t, l, "Отметить вручную", "Отметились: 5 из 5")
		if list.id != view.id {
			t.Error("the marks list was not drawn in place of the check-in view")
		}
		l.press(t, list, row(list, "✅ "))
		list = expect(t, l, "Отметить вручную", "Отметились: 4 из 5")
		row(list, "❌ ")
		l.press(t, list, "✎ 5")
		expect(t, l, ": примечание к отметке")
		l.send("на курсах повышения квалификации")
		expect(t, l, "Примечание сохранено")
		row(expect(t, l, "Отметить вручную"), "❌ ")
		// Back to the check-in view: drawn afresh, with her mark and note.
		l.press(t, list, "К отметке")
		if m := expect(t, l, "Отметились: 4 из 5", "Дмитриева Д. Д. — отсутствовал(а) (на курсах повышения квалификации)"); m.id != view.id {
			t.Error("the check-in view was not drawn back in place")
		}

		// The registration sheet.
		l.press(t, view, "Лист регистрации")
		all := sheetText(t, l.next(t))
		for _, want := range []string{"ЛИСТ РЕГИСТРАЦИИ", "Тема: Наставничество",
			"Антонова Анна Антоновна|Школа № 10|учитель|присутствовал(а)|23.11.2026 12:00|кнопка",
			"Борисов Борис Борисович|Школа № 11|учитель|присутствовал(а)|23.11.2026 12:00|код",
			"Васильева Вера Васильевна|Школа № 12|учитель|присутствовал(а)|23.11.2026 12:00|ссылка",
			"Дмитриева Дарья Дмитриевна|Школа № 14|учитель|отсутствовал(а)|23.11.2026 12:00|вручную|на курсах повышения квалификации",
			"Лидерова Ольга Ивановна|Школа № 1|учитель|присутствовал(а)|23.11.2026 12:10|ведёт мероприятие",
			"Подпись", "Присутствовали: 5 чел. из 6", "Руководитель ММО ____________ /О. И. Лидерова/"} {
			if !strings.Contains(all, want) {
				t.Errorf("the sheet lacks %q:\n%s", want, all)
			}
		}
		// A member cannot open the leader's view.
		us[0].send("/members")
		expect(t, us[0], "недоступна")
	})
}

// sheetText reads the first sheet of the XLSX a message carries, a line
// a row, cells joined by «|».
func sheetText(t *testing.T, m msg) string {
	t.Helper()
	if !strings.HasSuffix(m.name, ".xlsx") {
		t.Fatalf("not an XLSX: %q %q", m.name, m.text)
	}
	f, err := excelize.OpenReader(bytes.NewReader(m.file))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, r := range rows {
		all += strings.Join(r, "|") + "\n"
	}
	return all
}

// TestCheckinWindowAndLocation: the window of an event's check-in is set
// by the leader; with locations asked for, the leader sends the venue
// with the messenger's location button, a member too far is asked to try
// again and is checked in from close by; closed, the link says so.
func TestCheckinWindowAndLocation(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, u := tm.leader, tm.members[0]
		publishEvent(t, l, eventForm{format: "Семинар", topic: "Выездной семинар", when: "24.11 15:00", date: "24 ноября 2026"})
		expect(t, l, "Объявлено")
		expect(t, u, "Новое мероприятие")
		view, code, at := checkinOf(t, l, "Выездной семинар")
		if !strings.Contains(view.text, "Отметка откроется 24.11.2026 14:45") {
			t.Errorf("view %q", view.text)
		}
		u.send(code)
		expect(t, u, "нет мероприятий с открытой отметкой")
		u.open(t, at)
		expect(t, u, "Отметка ещё не открыта: она начнётся 24.11.2026 14:45")

		// The window of this event: open an hour before, close at its end.
		l.press(t, view, "Когда открывать")
		win := expect(t, l, "Окно отметки", "Откроется сама: 24.11.2026 14:45", "Закроется сама: 24.11.2026 15:30")
		l.press(t, win, "за 60 мин до начала")
		win = expect(t, l, "Откроется сама: 24.11.2026 14:00")
		l.press(t, win, "до конца мероприятия")
		win = expect(t, l, "Закроется сама: 24.11.2026 16:30")
		l.press(t, win, "К отметке")
		view = expect(t, l, "Отметка откроется 24.11.2026 14:00")

		// The leader asks for locations at the venue.
		l.press(t, view, "Требовать геопозицию")
		ask := expect(t, l, "Отправьте геопозицию места проведения")
		pointsAtButton(t, l, ask, "кнопкой под этим сообщением")
		l.shareLocation(t, ask, "📍 Отправить место проведения", 56.9972, 40.9714)
		expect(t, l, "Место проведения сохранено")
		l.keyboardGone(t, ask)
		radius := expect(t, l, "Радиус отметки: 200 м")
		expect(t, l, "Нужна геопозиция: в пределах 200 м")
		l.press(t, radius, "500 м")
		expect(t, l, "в пределах 500 м")

		// The leader opens check-in early: members get the button.
		l.press(t, view, "Открыть отметку")
		expect(t, l, "Отметка открыта вручную")
		here := expect(t, u, "Открыта отметка")
		u.press(t, here, "Я на месте")
		ask = expect(t, u, "отправьте геопозицию")
		pointsAtButton(t, u, ask, "кнопкой под этим сообщением")
		u.shareLocation(t, ask, "📍 Я здесь", 57.0126, 40.9830) // the railway station, 1.8 km away
		expect(t, u, "Вы в 18", "в пределах 500 м", "попробуйте снова")
		// The form waits for another try: typed text gets the hint, and a
		// location from closer by is taken.
		u.send(code)
		pointsAtButton(t, u, expect(t, u, "Нажмите кнопку «📍 Я здесь»"), "под вопросом выше")
		u.shareLocation(t, ask, "📍 Я здесь", 56.9980, 40.9720) // 100 m away
		expect(t, u, "Геопозиция получена")
		u.keyboardGone(t, ask)
		expect(t, u, "Вы отмечены")
		if m := expect(t, u, "Вы отмечены"); m.id != here.id || len(m.buttons) != 0 {
			t.Errorf("the «I am here» message kept its button: %q %v", m.text, m.buttons)
		}
		expect(t, l, "Отметились: 1 из 1", "геопозиция")

		// Closed by hand.
		l.send("/meetings")
		l.press(t, expect(t, l, "Выездной семинар"), "Выездной семинар")
		l.press(t, expect(t, l, "Выездной семинар"), "Отметка присутствующих")
		view = expect(t, l, "Отметка открыта вручную")
		l.press(t, view, "Закрыть отметку")
		expect(t, l, "Отметка закрыта")
		u.open(t, at)
		expect(t, u, "Отметка на это мероприятие закрыта")
	})
}

// minutesHeadOf answers the head of the minutes form in either
// messenger: the leader as chair, the secretary (none when empty) and no
// guests.
func minutesHeadOf(t *testing.T, l person, secretary string) {
	t.Helper()
	l.press(t, expect(t, l, "Кто председательствовал"), "Председатель — Лидерова О. И.")
	expect(t, l, "Председатель: Лидерова О. И.")
	sec := expect(t, l, "секретарь")
	if secretary == "" {
		l.press(t, sec, "Пропустить")
		expect(t, l, "Пропущено")
	} else {
		l.send(secretary)
	}
	l.press(t, expect(t, l, "Приглашённые"), "Пропустить")
	expect(t, l, "Пропущено")
}

// TestMinutesAndHistory: the leader writes the minutes of a meeting,
// signs them and corrects them into a second version that keeps the
// first; a member's participation record and the year's attendance sheet
// follow, in either messenger.
func TestMinutesAndHistory(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		leader, us := tm.leader, tm.members
		publishEvent(t, leader, eventForm{format: "Заседание", topic: "Итоги первой четверти", when: "23.11 12:10",
			date: "23 ноября 2026", agenda: "1. Итоги олимпиады\n2. Разное"})
		expect(t, leader, "Объявлено")
		expect(t, us[0], "Новое мероприятие")
		expect(t, us[1], "Новое мероприятие")
		expect(t, us[1], "Открыта отметка")
		us[0].press(t, expect(t, us[0], "Открыта отметка"), "Я на месте")
		expect(t, us[0], "Вы отмечены")
		expect(t, leader, "отметились 1 из 2") // the card, live
		h.clock.Add(30 * time.Minute)
		// Begun: the answer buttons go from the announcements.
		for _, u := range us {
			expect(t, u, "ответы закрыты")
		}

		leader.send("/meetings")
		leader.press(t, expect(t, leader, "Итоги первой четверти"), "Итоги первой четверти")
		card := expect(t, leader, "Заседание № 1")
		leader.press(t, card, "Протокол")
		m := expect(t, leader, "Протокол: Заседание № 1", "Протокол ещё не составлен")
		leader.press(t, m, "Составить протокол")
		if m := expect(t, leader, "Составим протокол"); strings.Contains(m.text, "/cancel") {
			t.Errorf("the minutes start with a typed command: %q", m.text)
		}
		// The secretary is picked from those marked present (the absent
		// Борисов is not offered), or typed after «Другой — ввести».
		leader.press(t, expect(t, leader, "Кто председательствовал"), "Председатель — Лидерова О. И.")
		expect(t, leader, "Председатель: Лидерова О. И.")
		sec := expect(t, leader, "секретарь", "Выберите из отмеченных")
		if !sec.has("Антонова А. А.") || sec.has("Борисов") || !sec.has("Другой — ввести") || !sec.has("✖ Отмена") {
			t.Errorf("the secretary's choice: %v", sec.buttons)
		}
		leader.press(t, sec, "Антонова А. А.")
		expect(t, leader, "Секретарь: Антонова Анна Антоновна.")
		leader.press(t, expect(t, leader, "Приглашённые"), "Пропустить")
		expect(t, leader, "Пропущено")
		expect(t, leader, "Вопрос 1 из 2:</b> Итоги олимпиады", "СЛУШАЛИ")
		leader.send("Лидерову О. И. — об итогах школьного этапа олимпиады")
		expect(t, leader, "ВЫСТУПИЛИ")
		leader.send("Антонова А. А.: предложила провести разбор заданий\nБорисов Б. Б.: поддержал")
		expect(t, leader, "РЕШИЛИ")
		leader.send("Провести разбор заданий на следующем заседании.")
		expect(t, leader, "Голосование по вопросу 1")
		leader.send("двенадцать")
		expect(t, leader, "три числа")
		leader.send("2 0 1")
		expect(t, leader, "Голосов (3) больше, чем присутствовало (2)")
		leader.send("1 0 1")
		expect(t, leader, "Вопрос 2 из 2:</b> Разное")
		leader.send("Лидерову О. И. — о плане на декабрь")
		expect(t, leader, "ВЫСТУПИЛИ")
		leader.send("-")
		expect(t, leader, "РЕШИЛИ")
		leader.send("Принять к сведению.")
		leader.press(t, expect(t, leader, "Голосование по вопросу 2"), "Без голосования")
		expect(t, leader, "без голосования")
		expect(t, leader, "Черновик протокола сохранён")
		inOrder(t, docxText(t, leader.next(t)), "ЧЕРНОВИК", "МБУ «Методический центр в системе образования»", "ПРОТОКОЛ № 1",
			"заседания муниципального методического объединения учителей математики", "23.11.2026\tг. Иваново",
			"Форма проведения: очно", "Председатель: Лидерова О. И.", "Секретарь: Антонова А. А.",
			"Присутствовали: 2 чел. из 3", "Антонова Анна Антоновна", "Лидерова Ольга Ивановна", "Отсутствовали: 1 чел.", "Борисов Борис Борисович",
			"Повестка дня", "Итоги олимпиады", "Разное",
			"СЛУШАЛИ", "Лидерову О. И. — об итогах школьного этапа олимпиады",
			"ВЫСТУПИЛИ", "Антонова А. А.: предложила провести разбор заданий", "Борисов Б. Б.: поддержал",
			"РЕШИЛИ", "Провести разбор заданий на следующем заседании.", "«за» — 1, «против» — 0, «воздержались» — 1",
			"СЛУШАЛИ", "о плане на декабрь", "РЕШИЛИ", "Принять к сведению.",
			"Председатель\t______________ /О. И. Лидерова/", "Секретарь\t______________ /А. А. Антонова/")

		view := expect(t, leader, "Черновик, редакция 1")
		leader.press(t, view, "Подписать")
		view = expect(t, leader, "Подписан (редакция 1")
		// A member leaves after the signing: the signed version still lists
		// him among the absent, out of the members of that day.
		us[1].press(t, openCardOf(t, us[1]), "Выйти")
		us[1].press(t, expect(t, us[1], "Выйти из объединения «ММО учителей математики»?"), "Да")
		expect(t, us[1], "Вы вышли")
		h.quiet()
		leader.unread()
		// A correction makes version 2; "+" keeps what version 1 said.
		leader.press(t, view, "Исправить")
		expect(t, leader, "Составим протокол")
		leader.press(t, expect(t, leader, "председательствовал", "Было: <i>Лидерова Ольга Ивановна</i>"), "Председатель — Лидерова О. И.")
		expect(t, leader, "Председатель: Лидерова О. И.")
		expect(t, leader, "Было: <i>Антонова Анна Антоновна</i>")
		leader.send("+")
		leader.press(t, expect(t, leader, "Приглашённые"), "Пропустить")
		expect(t, leader, "Пропущено")
		expect(t, leader, "Вопрос 1 из 2")
		leader.send("+")
		expect(t, leader, "ВЫСТУПИЛИ")
		leader.send("+")
		expect(t, leader, "РЕШИЛИ")
		leader.send("Провести разбор заданий 15 декабря.")
		leader.press(t, expect(t, leader, "Голосование"), "Единогласно (2)")
		expect(t, leader, "Вопрос 1: единогласно")
		expect(t, leader, "Вопрос 2 из 2")
		leader.send("+")
		expect(t, leader, "ВЫСТУПИЛИ")
		leader.send("-")
		expect(t, leader, "РЕШИЛИ")
		leader.send("+")
		leader.press(t, expect(t, leader, "Голосование"), "Без голосования")
		expect(t, leader, "без голосования")
		expect(t, leader, "Черновик протокола сохранён")
		inOrder(t, docxText(t, leader.next(t)), "Редакция 2", "Присутствовали: 2 чел. из 2", "Провести разбор заданий 15 декабря.",
			"Голосовали: «за» — 2, «против» — 0, «воздержались» — 0.", "Принять к сведению.")
		view = expect(t, leader, "Черновик, редакция 2")
		leader.press(t, view, "Редакция 1")
		oldText := docxText(t, leader.next(t))
		if !strings.Contains(oldText, "Провести разбор заданий на следующем заседании.") || strings.Contains(oldText, "ЧЕРНОВИК") ||
			!strings.Contains(oldText, "Присутствовали: 2 чел. из 3") || !strings.Contains(oldText, "Отсутствовали: 1 чел.\n1.\tБорисов Борис Борисович") {
			t.Errorf("version 1 changed: %s", oldText)
		}

		// The member's participation record.
		us[0].send("/history")
		hist := expect(t, us[0], "Ваше участие", "2026/2027 учебный год — 1 мероприятие")
		us[0].press(t, hist, "за всё время")
		recText := docxText(t, us[0].next(t))
		inOrder(t, recText, "МБУ «Методический центр в системе образования»\nг. Иваново", "СПРАВКА № 1 от 23.11.2026",
			"Настоящая справка подтверждает, что Антонова Анна Антоновна, учитель, Школа № 10, за весь период работы в объединениях принимала участие",
			"№ | Дата | Объединение | Форма | Тема | Участие | Часов",
			"1 | 23.11.2026 | ММО учителей математики | Заседание | Итоги первой четверти | секретарь, выступление | 1,5",
			"Всего: 1 мероприятие. Всего часов: 1,5.", "Директор МБУ МЦ\t____________ /________________/")
		if strings.Contains(recText, "Выдана:") {
			t.Error("«Выдана:» with a name in the nominative")
		}
		us[1].send("/history")
		expect(t, us[1], "Отметок о вашем участии пока нет")

		// The year's attendance sheet from the association's card.
		leader.press(t, openCardOf(t, leader), "Посещаемость за год")
		all := sheetText(t, leader.next(t))
		for _, want := range []string{"2026/2027 учебный год", "23.11 Заседание", "Посещено", "Антонова Анна Антоновна|+|1|100.0%", "Лидерова Ольга Ивановна|+|1|100.0%"} {
			if !strings.Contains(all, want) {
				t.Errorf("the year sheet lacks %q:\n%s", want, all)
			}
		}
	})
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
