package app

import (
	"bytes"
	"errors"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// nextWith returns the next message containing want, skipping others
// (daily notices of a clock moved by days).
func nextWith(t *testing.T, u *telegramtest.User, want ...string) telegramtest.Message {
	t.Helper()
	for {
		m := u.Next(t)
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(m.Text, w)
		}
		if ok {
			return m
		}
	}
}

// addQuestion adds a question of a kind through the builder and returns
// the builder's next message.
func addQuestion(t *testing.T, leader *telegramtest.User, step telegramtest.Message, kind, text string) telegramtest.Message {
	t.Helper()
	press(t, leader, step, kind)
	next(t, leader, kind, "Напишите вопрос")
	leader.Send(text)
	return next(t, leader, "Добавьте вопрос")
}

func TestSurveyBuiltAnsweredRemindedAndRead(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна")
	anna, boris, vera := us[0], us[1], us[2]

	// A member cannot survey others.
	anna.Send("/survey")
	next(t, anna, "Эта команда вам недоступна")

	leader.Send("/survey")
	press(t, leader, next(t, leader, "Анкеты"), "Своя анкета")
	next(t, leader, "Название анкеты?")
	leader.Send("Методическая работа в 2026 году")
	step := next(t, leader, "Анкета «Методическая работа в 2026 году»", "Вопросов пока нет", "Добавьте вопрос")
	// A choice with one option is refused and asked again.
	press(t, leader, step, "Один вариант")
	next(t, leader, "Напишите вопрос первой строкой")
	leader.Send("Ваш стаж?\nдо 3 лет")
	next(t, leader, "хотя бы 2 варианта")
	leader.Send("Ваш стаж?\nдо 3 лет\n3–10 лет\nболее 10 лет")
	step = next(t, leader, "1. Ваш стаж?", "• 3–10 лет", "Добавьте вопрос")
	step = addQuestion(t, leader, step, "Несколько вариантов", "Что вызывает затруднения?\nФГОС\nИКТ\nРабота с родителями")
	step = addQuestion(t, leader, step, "Шкала 1–5", "Насколько полезны заседания?")
	step = addQuestion(t, leader, step, "Краткий ответ", "Ваши пожелания?")
	if !strings.Contains(step.Text, "4. Ваши пожелания?") {
		t.Fatalf("outline %q", step.Text)
	}
	press(t, leader, step, "Вопросы готовы")
	next(t, leader, "4. Ваши пожелания?")
	press(t, leader, next(t, leader, "анонимная или с именами"), "С именами")
	next(t, leader, "не анонимная")
	aud := next(t, leader, "Кому отправить")
	if _, ok := aud.Button("Все педагоги"); ok {
		t.Error("a leader is offered all teachers")
	}
	if a := press(t, leader, aud, "Далее"); !a.ShowAlert || !strings.Contains(a.Text, "хотя бы одно объединение") {
		t.Errorf("nothing ticked: %+v", a)
	}
	press(t, leader, aud, "ММО учителей математики")
	aud = next(t, leader, "Кому отправить")
	if b, _ := aud.Button("ММО учителей математики"); !strings.HasPrefix(b.Text, "✅") {
		t.Fatalf("not ticked: %v", aud.Buttons())
	}
	press(t, leader, aud, "Далее")
	next(t, leader, "Получатели: «ММО учителей математики»")
	press(t, leader, next(t, leader, "До какого дня"), "7 дней")
	next(t, leader, "Ответы принимаются до 30.11.2026 23:59")
	confirm := next(t, leader, "Отправить анкету", "3 получателя", "Вопросов: 4")
	press(t, leader, confirm, "Отправить")
	next(t, leader, "отправлена: 3 получателя")

	invite := map[*telegramtest.User]telegramtest.Message{}
	for _, u := range us {
		invite[u] = next(t, u, "Анкета «Методическая работа в 2026 году»", "Лидерова Ольга Ивановна", "не анонимная", "30.11.2026")
	}

	// Anna answers everything, going back once.
	press(t, anna, invite[anna], "Ответить")
	q := next(t, anna, "вопрос 1 из 4", "Ваш стаж?")
	press(t, anna, q, "3–10 лет")
	q = next(t, anna, "вопрос 2 из 4")
	press(t, anna, q, "ФГОС")
	q = next(t, anna, "вопрос 2 из 4")
	press(t, anna, q, "Работа с родителями")
	q = next(t, anna, "вопрос 2 из 4")
	press(t, anna, q, "Далее")
	q = next(t, anna, "вопрос 3 из 4")
	press(t, anna, q, "Назад")
	q = next(t, anna, "вопрос 2 из 4")
	for _, opt := range []string{"ФГОС", "Работа с родителями"} {
		if b, _ := q.Button(opt); !strings.HasPrefix(b.Text, "✅") {
			t.Errorf("going back lost the choice %q: %v", opt, q.Buttons())
		}
	}
	press(t, anna, q, "Далее")
	press(t, anna, next(t, anna, "вопрос 3 из 4"), "4")
	next(t, anna, "вопрос 4 из 4", "Напишите ответ сообщением")
	anna.Send("Больше практических семинаров")
	next(t, anna, "Спасибо! Ваши ответы")
	// Pressing again changes nothing.
	if a := press(t, anna, invite[anna], "Ответить"); !strings.Contains(a.Text, "уже ответили") {
		t.Errorf("a second go: %q", a.Text)
	}

	// Boris stops half-way; a restart loses nothing.
	press(t, boris, invite[boris], "Ответить")
	press(t, boris, next(t, boris, "вопрос 1 из 4"), "до 3 лет")
	press(t, boris, next(t, boris, "вопрос 2 из 4"), "Пропустить")
	next(t, boris, "вопрос 3 из 4")
	h.settle()
	h.restart()

	// A day before the deadline the two who have not finished are
	// reminded, once.
	h.clock.Add(6*24*time.Hour + 12*time.Hour) // 29.11 21:00 UTC, 30.11 00:00 in Moscow
	h.scanned()
	reminder := nextWith(t, boris, "Напоминание", "Методическая работа в 2026 году")
	nextWith(t, vera, "Напоминание")
	h.clock.Add(time.Hour)
	h.quiet()
	for _, m := range append(anna.Drain(), append(boris.Drain(), vera.Drain()...)...) {
		if strings.Contains(m.Text, "Напоминание") || strings.Contains(m.Text, "Анкета") {
			t.Errorf("after the reminder: %q", m.Text)
		}
	}

	// Boris goes on where he stopped.
	press(t, boris, reminder, "Ответить")
	q = next(t, boris, "вопрос 3 из 4")
	press(t, boris, q, "5")
	press(t, boris, next(t, boris, "вопрос 4 из 4"), "Пропустить")
	next(t, boris, "Спасибо!")

	// Past the deadline Vera is refused, politely.
	h.clock.Add(24 * time.Hour)
	h.scanned()
	if a := press(t, vera, invite[vera], "Ответить"); !a.ShowAlert || !strings.Contains(a.Text, "Срок ответа на анкету истёк 30.11.2026 23:59") {
		t.Errorf("past the deadline: %+v", a)
	}

	// The leader reads the results, the chart and the table.
	leader.Send("/survey")
	press(t, leader, nextWith(t, leader, "Анкеты"), "Мои анкеты")
	press(t, leader, next(t, leader, "Ваши анкеты"), "Методическая работа")
	res := next(t, leader, "Итоги анкеты", "Заполнили полностью: 2 из 3")
	for _, want := range []string{
		"• до 3 лет — 1 (50%)", "• 3–10 лет — 1 (50%)", "• более 10 лет — 0 (0%)",
		"Что вызывает затруднения?</b> (ответили: 1)", "• ФГОС — 1 (100%)", "• ИКТ — 0 (0%)",
		"Средняя оценка: 4,5", "Текстовых ответов: 1", "Приём ответов закрыт",
	} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("results lack %q:\n%s", want, res.Text)
		}
	}
	press(t, leader, res, "Диаграмма")
	chart := next(t, leader)
	if chart.Photo == nil {
		t.Fatalf("no chart: %s", chart)
	}
	if _, err := png.Decode(bytes.NewReader(chart.Photo.Bytes)); err != nil {
		t.Errorf("the chart is no PNG: %v", err)
	}
	press(t, leader, res, "XLSX")
	sheet := next(t, leader)
	if sheet.Document == nil || !strings.HasPrefix(sheet.Document.Name, "Анкета ") || !strings.HasSuffix(sheet.Document.Name, ".xlsx") {
		t.Errorf("the survey's file is not named for a Russian reader: %q", sheet.Text)
	}
	rows := xlsxRows(t, sheet.Document)
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
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	c := h.user(adminID, "Админ") // registered by meetingSetup: the coordinator
	c.Drain()

	c.Send("/survey")
	press(t, c, next(t, c, "Анкеты"), "профессиональные затруднения")
	next(t, c, "Шаблон выбран", "Реализация обновлённых ФГОС")
	press(t, c, next(t, c, "анонимная или с именами"), "Анонимная")
	next(t, c, "Анкета анонимная")
	press(t, c, next(t, c, "Кому отправить"), "Все педагоги")
	press(t, c, next(t, c, "Кому отправить"), "Далее")
	next(t, c, "Получатели: Все педагоги")
	press(t, c, next(t, c, "До какого дня"), "3 дня")
	next(t, c, "Ответы принимаются до 26.11.2026 23:59")
	press(t, c, next(t, c, "Отправить анкету", "Все педагоги — 3 получателя", "Анкета анонимная"), "Отправить")
	next(t, c, "отправлена: 3 получателя")

	anna, boris := us[0], us[1]
	inv := next(t, anna, "Изучение профессиональных затруднений", "Анкета анонимная")
	borisInv := next(t, boris, "Изучение профессиональных затруднений")
	next(t, leader, "Изучение профессиональных затруднений")

	press(t, anna, inv, "Ответить")
	q := next(t, anna, "вопрос 1 из 4")
	press(t, anna, q, "Функциональная грамотность")
	press(t, anna, next(t, anna, "вопрос 1 из 4"), "Работа с родителями")
	press(t, anna, next(t, anna, "вопрос 1 из 4"), "Далее")
	press(t, anna, next(t, anna, "вопрос 2 из 4"), "Наставничество")
	press(t, anna, next(t, anna, "вопрос 3 из 4"), "3")
	next(t, anna, "вопрос 4 из 4")
	anna.Send("Смысловое чтение")
	next(t, anna, "Спасибо!")
	h.settle()

	// The store keeps Anna's answers, and nothing that leads to her:
	// only that she finished.
	annaID := h.uid(310)
	_, rs := storeSurvey(t, h, 1)
	if len(rs) != 1 || rs[0].UserID != 0 || !rs[0].UpdatedAt.IsZero() || rs[0].Answers[3].Text != "Смысловое чтение" {
		t.Fatalf("stored responses %+v", rs)
	}
	h.m.DB.View(func(tx *boltdb.Tx) error {
		if _, err := tx.SurveyResponse(1, annaID); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("answers kept with Anna: %v", err)
		}
		if !tx.SurveyFinished(1, annaID) || tx.SurveyFinished(1, h.uid(311)) {
			t.Error("who finished is not recorded")
		}
		return nil
	})

	// Boris leaves half-way; once the survey closes, his answers too are
	// moved apart from him.
	press(t, boris, borisInv, "Ответить")
	press(t, boris, next(t, boris, "вопрос 1 из 4"), "Работа с родителями")
	press(t, boris, next(t, boris, "вопрос 1 из 4"), "Далее")
	next(t, boris, "вопрос 2 из 4")
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
	leader.Drain()
	leader.Send("/plan")
	plan := nextWith(t, leader, "План работы")
	if !strings.Contains(plan.Text, "чаще всего называют: Работа с родителями (2); Функциональная грамотность (1)") {
		t.Errorf("plan view lacks the difficulties:\n%s", plan.Text)
	}
	// And the report's problems start from them.
	leader.Send("/report")
	press(t, leader, nextWith(t, leader, "Отчёт «ММО учителей математики»"), "8. Проблемы")
	next(t, leader, "Раздел 8", "Затруднения, которые педагоги чаще всего называют в анкетах: Работа с родителями (2); Функциональная грамотность (1).")
}

func TestSurveyFeedbackGoesToThoseWhoCheckedIn(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна")
	draft := scheduleEvent(t, leader, "Семинар", "Наставничество", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	var here []telegramtest.Message
	for _, u := range us {
		next(t, u, "Новое мероприятие")
		here = append(here, next(t, u, "Открыта отметка", "Наставничество"))
	}
	for _, i := range []int{0, 2} {
		press(t, us[i], here[i], "Я на месте")
		next(t, us[i], "Вы отмечены")
	}
	h.settle()
	leader.Drain()

	leader.Send("/survey")
	press(t, leader, next(t, leader, "Анкеты"), "отзыв о мероприятии")
	press(t, leader, next(t, leader, "После какого мероприятия"), "Наставничество")
	next(t, leader, "Отзыв: Наставничество", "Насколько полезным было мероприятие?")
	press(t, leader, next(t, leader, "анонимная или с именами"), "Анонимная")
	next(t, leader, "Анкета анонимная")
	press(t, leader, next(t, leader, "Отправить отзыв", "23.11.2026 13:40", "3 дня"), "Отправить")
	next(t, leader, "уйдёт участникам после окончания мероприятия, 23.11.2026 13:40")
	h.quiet()
	for _, u := range us {
		if extra := u.Drain(); len(extra) != 0 {
			t.Fatalf("feedback before the end: %v", extra)
		}
	}

	h.clock.Add(2 * time.Hour) // the event ended at 13:40 Moscow time
	h.scanned()
	for _, i := range []int{0, 2} {
		nextWith(t, us[i], "Отзыв: Наставничество", "Ответить до 26.11.2026 23:59")
	}
	h.quiet()
	for _, m := range us[1].Drain() {
		if strings.Contains(m.Text, "Отзыв") {
			t.Fatalf("feedback to one who did not check in: %q", m.Text)
		}
	}
	s, _ := storeSurvey(t, h, 1)
	if len(s.Recipients) != 2 || slices.Contains(s.Recipients, h.uid(311)) {
		t.Errorf("recipients %v", s.Recipients)
	}
}
