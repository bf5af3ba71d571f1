package app

import (
	"bytes"
	"errors"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// addQuestion adds a question of a kind through the builder and returns
// the builder's next message.
func addQuestion(t *testing.T, leader person, step msg, kind, text string) msg {
	t.Helper()
	leader.press(t, step, kind)
	expect(t, leader, kind, "Напишите вопрос")
	leader.send(text)
	return expect(t, leader, "Добавьте вопрос")
}

// label returns the whole label of the message's button whose label
// contains part, "" if none.
func (m msg) label(part string) string {
	for _, b := range m.buttons {
		if strings.Contains(b, part) {
			return b
		}
	}
	return ""
}

// xlsxOf reads the first sheet of the XLSX a message carries.
func xlsxOf(t *testing.T, m msg) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(m.file))
	if err != nil {
		t.Fatalf("%q is no XLSX: %v", m.name, err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// surveyTeam is a team whose members are Anna, Boris and, as many as
// asked, Vera, all on messenger on.
func surveyTeam(t *testing.T, h *harness, on string, members int) team {
	t.Helper()
	ons := make([]string, members)
	for i := range ons {
		ons[i] = on
	}
	return newTeam(t, h, on, ons...)
}

func TestSurveyBuiltAnsweredRemindedAndRead(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := surveyTeam(t, h, on, 3)
		leader, us := tm.leader, tm.members
		anna, boris, vera := us[0], us[1], us[2]

		// A member cannot survey others.
		anna.send("/survey")
		expect(t, anna, "Эта команда вам недоступна")

		leader.send("/survey")
		leader.press(t, expect(t, leader, "Анкеты"), "Своя анкета")
		expect(t, leader, "Название анкеты?")
		leader.send("Методическая работа в 2026 году")
		step := expect(t, leader, "Анкета «Методическая работа в 2026 году»", "Вопросов пока нет", "Добавьте вопрос")
		// A choice with one option is refused and asked again.
		leader.press(t, step, "Один вариант")
		expect(t, leader, "Напишите вопрос первой строкой")
		leader.send("Ваш стаж?\nдо 3 лет")
		expect(t, leader, "хотя бы 2 варианта")
		leader.send("Ваш стаж?\nдо 3 лет\n3–10 лет\nболее 10 лет")
		step = expect(t, leader, "1. Ваш стаж?", "• 3–10 лет", "Добавьте вопрос")
		step = addQuestion(t, leader, step, "Несколько вариантов", "Что вызывает затруднения?\nФГОС\nИКТ\nРабота с родителями")
		step = addQuestion(t, leader, step, "Шкала 1–5", "Насколько полезны заседания?")
		step = addQuestion(t, leader, step, "Краткий ответ", "Ваши пожелания?")
		if !strings.Contains(step.text, "4. Ваши пожелания?") {
			t.Fatalf("outline %q", step.text)
		}
		leader.press(t, step, "Вопросы готовы")
		expect(t, leader, "4. Ваши пожелания?")
		leader.press(t, expect(t, leader, "анонимная или с именами"), "С именами")
		expect(t, leader, "не анонимная")
		aud := expect(t, leader, "Кому отправить")
		if aud.has("Все педагоги") {
			t.Error("a leader is offered all teachers")
		}
		if a := leader.pressRefused(t, aud, "Далее"); !strings.Contains(a, "хотя бы одно объединение") {
			t.Errorf("nothing ticked: %q", a)
		}
		leader.press(t, aud, "ММО учителей математики")
		aud = expect(t, leader, "Кому отправить")
		if !strings.HasPrefix(aud.label("ММО учителей математики"), "✅") {
			t.Fatalf("not ticked: %v", aud.buttons)
		}
		leader.press(t, aud, "Далее")
		expect(t, leader, "Получатели: «ММО учителей математики»")
		leader.press(t, expect(t, leader, "До какого дня"), "7 дней")
		expect(t, leader, "Ответы принимаются до 30.11.2026 23:59")
		confirm := expect(t, leader, "Отправить анкету", "3 получателя", "Вопросов: 4")
		leader.press(t, confirm, "Отправить")
		expect(t, leader, "отправлена: 3 получателя")

		invite := map[person]msg{}
		for _, u := range us {
			invite[u] = expect(t, u, "Анкета «Методическая работа в 2026 году»", "Лидерова Ольга Ивановна", "не анонимная", "30.11.2026")
		}

		// Anna answers everything, going back once.
		anna.press(t, invite[anna], "Ответить")
		q := expect(t, anna, "вопрос 1 из 4", "Ваш стаж?")
		anna.press(t, q, "3–10 лет")
		q = expect(t, anna, "вопрос 2 из 4")
		anna.press(t, q, "ФГОС")
		q = expect(t, anna, "вопрос 2 из 4")
		anna.press(t, q, "Работа с родителями")
		q = expect(t, anna, "вопрос 2 из 4")
		anna.press(t, q, "Далее")
		q = expect(t, anna, "вопрос 3 из 4")
		anna.press(t, q, "Назад")
		q = expect(t, anna, "вопрос 2 из 4")
		for _, opt := range []string{"ФГОС", "Работа с родителями"} {
			if !strings.HasPrefix(q.label(opt), "✅") {
				t.Errorf("going back lost the choice %q: %v", opt, q.buttons)
			}
		}
		anna.press(t, q, "Далее")
		anna.press(t, expect(t, anna, "вопрос 3 из 4"), "4")
		expect(t, anna, "вопрос 4 из 4", "Напишите ответ сообщением")
		anna.send("Больше практических семинаров")
		expect(t, anna, "Спасибо! Ваши ответы")
		// Pressing again changes nothing.
		if a := anna.press(t, invite[anna], "Ответить"); !strings.Contains(a, "уже ответили") {
			t.Errorf("a second go: %q", a)
		}

		// Boris stops half-way; a restart loses nothing.
		boris.press(t, invite[boris], "Ответить")
		boris.press(t, expect(t, boris, "вопрос 1 из 4"), "до 3 лет")
		boris.press(t, expect(t, boris, "вопрос 2 из 4"), "Пропустить")
		expect(t, boris, "вопрос 3 из 4")
		h.settle()
		h.restart()

		// A day before the deadline the two who have not finished are
		// reminded, once.
		h.clock.Add(6*24*time.Hour + 12*time.Hour) // 29.11 21:00 UTC, 30.11 00:00 in Moscow
		h.scanned()
		reminder := expectSkipping(t, boris, "Напоминание", "Методическая работа в 2026 году")
		expectSkipping(t, vera, "Напоминание")
		h.clock.Add(time.Hour)
		h.quiet()
		for _, m := range append(anna.unread(), append(boris.unread(), vera.unread()...)...) {
			if strings.Contains(m, "Напоминание") || strings.Contains(m, "Анкета") {
				t.Errorf("after the reminder: %q", m)
			}
		}

		// Boris goes on where he stopped.
		boris.press(t, reminder, "Ответить")
		q = expect(t, boris, "вопрос 3 из 4")
		boris.press(t, q, "5")
		boris.press(t, expect(t, boris, "вопрос 4 из 4"), "Пропустить")
		expect(t, boris, "Спасибо!")

		// Past the deadline Vera is refused, politely.
		h.clock.Add(24 * time.Hour)
		h.scanned()
		if a := vera.pressRefused(t, invite[vera], "Ответить"); !strings.Contains(a, "Срок ответа на анкету истёк 30.11.2026 23:59") {
			t.Errorf("past the deadline: %q", a)
		}

		// The leader reads the results, the chart and the table.
		leader.send("/survey")
		leader.press(t, expectSkipping(t, leader, "Анкеты"), "Мои анкеты")
		leader.press(t, expect(t, leader, "Ваши анкеты"), "Методическая работа")
		res := expect(t, leader, "Итоги анкеты", "Заполнили полностью: 2 из 3")
		for _, want := range []string{
			"• до 3 лет — 1 (50%)", "• 3–10 лет — 1 (50%)", "• более 10 лет — 0 (0%)",
			"Что вызывает затруднения?</b> (ответили: 1)", "• ФГОС — 1 (100%)", "• ИКТ — 0 (0%)",
			"Средняя оценка: 4,5", "Текстовых ответов: 1", "Приём ответов закрыт",
		} {
			if !strings.Contains(res.text, want) {
				t.Errorf("results lack %q:\n%s", want, res.text)
			}
		}
		leader.press(t, res, "Диаграмма")
		chart := leader.next(t)
		if !chart.photo {
			t.Fatalf("no chart: %q %q", chart.text, chart.name)
		}
		if _, err := png.Decode(bytes.NewReader(chart.file)); err != nil {
			t.Errorf("the chart is no PNG: %v", err)
		}
		leader.press(t, res, "XLSX")
		sheet := leader.next(t)
		if !strings.HasPrefix(sheet.name, "Анкета ") || !strings.HasSuffix(sheet.name, ".xlsx") {
			t.Errorf("the survey's file is not named for a Russian reader: %q", sheet.name)
		}
		rows := xlsxOf(t, sheet)
		var header, annaRow, borisRow []string
		for _, row := range rows {
			switch {
			case slices.Contains(row, "Педагог"):
				header = row
			case slices.Contains(row, "Антонова Анна Антоновна"):
				annaRow = row
			case slices.Contains(row, "Борисов Борис Борисович"):
				borisRow = row
			}
		}
		if len(header) != 8 || header[4] != "1. Ваш стаж?" || header[7] != "4. Ваши пожелания?" {
			t.Fatalf("header %q", header)
		}
		if len(annaRow) < 8 || annaRow[4] != "3–10 лет" || annaRow[5] != "ФГОС; Работа с родителями" || annaRow[6] != "4" || annaRow[7] != "Больше практических семинаров" || annaRow[3] != "да" {
			t.Errorf("Anna's row %q", annaRow)
		}
		if len(borisRow) < 7 || borisRow[4] != "до 3 лет" || borisRow[5] != "" || borisRow[6] != "5" {
			t.Errorf("Boris's row %q", borisRow)
		}
	})
}

// storeSurvey reads a survey and its responses from the running bot.
func storeSurvey(t *testing.T, h *harness, id uint64) (*mmo.Survey, []*mmo.SurveyResponse) {
	t.Helper()
	var s *mmo.Survey
	var rs []*mmo.SurveyResponse
	err := h.m.DB.View(func(tx *boltdb.Tx) error {
		var err error
		if s, err = tx.Survey(id); err != nil {
			return err
		}
		rs, err = tx.SurveyResponses(id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, rs
}

func TestSurveyAnonymousNeedsToAllTeachers(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := surveyTeam(t, h, on, 2)
		c, leader, us := tm.admin, tm.leader, tm.members
		c.drain()

		c.send("/survey")
		c.press(t, expect(t, c, "Анкеты"), "профессиональные затруднения")
		expect(t, c, "Шаблон выбран", "Реализация обновлённых ФГОС")
		c.press(t, expect(t, c, "анонимная или с именами"), "Анонимная")
		expect(t, c, "Анкета анонимная")
		c.press(t, expect(t, c, "Кому отправить"), "Все педагоги")
		c.press(t, expect(t, c, "Кому отправить"), "Далее")
		expect(t, c, "Получатели: Все педагоги")
		c.press(t, expect(t, c, "До какого дня"), "3 дня")
		expect(t, c, "Ответы принимаются до 26.11.2026 23:59")
		c.press(t, expect(t, c, "Отправить анкету", "Все педагоги — 3 получателя", "Анкета анонимная"), "Отправить")
		expect(t, c, "отправлена: 3 получателя")

		anna, boris := us[0], us[1]
		inv := expect(t, anna, "Изучение профессиональных затруднений", "Анкета анонимная")
		borisInv := expect(t, boris, "Изучение профессиональных затруднений")
		expect(t, leader, "Изучение профессиональных затруднений")

		anna.press(t, inv, "Ответить")
		q := expect(t, anna, "вопрос 1 из 4")
		anna.press(t, q, "Функциональная грамотность")
		anna.press(t, expect(t, anna, "вопрос 1 из 4"), "Работа с родителями")
		anna.press(t, expect(t, anna, "вопрос 1 из 4"), "Далее")
		anna.press(t, expect(t, anna, "вопрос 2 из 4"), "Наставничество")
		anna.press(t, expect(t, anna, "вопрос 3 из 4"), "3")
		expect(t, anna, "вопрос 4 из 4")
		anna.send("Смысловое чтение")
		expect(t, anna, "Спасибо!")
		h.settle()

		// The store keeps Anna's answers, and nothing that leads to her:
		// only that she finished.
		annaID, borisID := h.stored(anna).ID, h.stored(boris).ID
		_, rs := storeSurvey(t, h, 1)
		if len(rs) != 1 || rs[0].UserID != 0 || !rs[0].UpdatedAt.IsZero() || rs[0].Answers[3].Text != "Смысловое чтение" {
			t.Fatalf("stored responses %+v", rs)
		}
		h.m.DB.View(func(tx *boltdb.Tx) error {
			if _, err := tx.SurveyResponse(1, annaID); !errors.Is(err, mmo.ErrNotFound) {
				t.Errorf("answers kept with Anna: %v", err)
			}
			if !tx.SurveyFinished(1, annaID) || tx.SurveyFinished(1, borisID) {
				t.Error("who finished is not recorded")
			}
			return nil
		})

		// Boris leaves half-way; once the survey closes, his answers too are
		// moved apart from him.
		boris.press(t, borisInv, "Ответить")
		boris.press(t, expect(t, boris, "вопрос 1 из 4"), "Работа с родителями")
		boris.press(t, expect(t, boris, "вопрос 1 из 4"), "Далее")
		expect(t, boris, "вопрос 2 из 4")
		h.settle()
		if _, rs := storeSurvey(t, h, 1); len(rs) != 2 {
			t.Fatalf("half-filled answers not saved: %d", len(rs))
		}
		h.clock.Add(4 * 24 * time.Hour)
		h.scanned()
		s, rs := storeSurvey(t, h, 1)
		if !s.Closed || len(rs) != 2 || rs[0].UserID != 0 || rs[1].UserID != 0 {
			t.Fatalf("after the close: %+v %+v", s, rs)
		}

		// The leader drafting the plan sees what teachers find hard.
		leader.drain()
		leader.send("/plan")
		plan := expectSkipping(t, leader, "План работы")
		if !strings.Contains(plan.text, "чаще всего называют: Работа с родителями (2); Функциональная грамотность (1)") {
			t.Errorf("plan view lacks the difficulties:\n%s", plan.text)
		}
		// And the report's problems start from them.
		leader.send("/report")
		leader.press(t, expectSkipping(t, leader, "Отчёт «ММО учителей математики»"), "8. Проблемы")
		expect(t, leader, "Раздел 8", "Затруднения, которые педагоги чаще всего называют в анкетах: Работа с родителями (2); Функциональная грамотность (1).")
	})
}

func TestSurveyFeedbackGoesToThoseWhoCheckedIn(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := surveyTeam(t, h, on, 3)
		leader, us := tm.leader, tm.members
		publishEvent(t, leader, eventForm{format: "Семинар", topic: "Наставничество", when: "23.11 12:10",
			date: "23 ноября 2026 (понедельник), 12:10", agenda: "1. Итоги олимпиады\n2. Разное"})
		expect(t, leader, "Объявлено")
		var here []msg
		for _, u := range us {
			expect(t, u, "Новое мероприятие")
			here = append(here, expect(t, u, "Открыта отметка", "Наставничество"))
		}
		for _, i := range []int{0, 2} {
			us[i].press(t, here[i], "Я на месте")
			expect(t, us[i], "Вы отмечены")
		}
		h.settle()
		leader.drain()

		leader.send("/survey")
		leader.press(t, expect(t, leader, "Анкеты"), "отзыв о мероприятии")
		leader.press(t, expect(t, leader, "После какого мероприятия"), "Наставничество")
		expect(t, leader, "Отзыв: Наставничество", "Насколько полезным было мероприятие?")
		leader.press(t, expect(t, leader, "анонимная или с именами"), "Анонимная")
		expect(t, leader, "Анкета анонимная")
		leader.press(t, expect(t, leader, "Отправить отзыв", "23.11.2026 13:40", "3 дня"), "Отправить")
		expect(t, leader, "уйдёт участникам после окончания мероприятия, 23.11.2026 13:40")
		h.quiet()
		for _, u := range us {
			if extra := u.unread(); len(extra) != 0 {
				t.Fatalf("feedback before the end: %q", extra)
			}
		}

		h.clock.Add(2 * time.Hour) // the event ended at 13:40 Moscow time
		h.scanned()
		for _, i := range []int{0, 2} {
			expectSkipping(t, us[i], "Отзыв: Наставничество", "Ответить до 26.11.2026 23:59")
		}
		h.quiet()
		for _, m := range us[1].unread() {
			if strings.Contains(m, "Отзыв") {
				t.Fatalf("feedback to one who did not check in: %q", m)
			}
		}
		s, _ := storeSurvey(t, h, 1)
		if len(s.Recipients) != 2 || slices.Contains(s.Recipients, h.stored(us[1]).ID) {
			t.Errorf("recipients %v", s.Recipients)
		}
	})
}
