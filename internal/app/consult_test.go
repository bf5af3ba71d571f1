package app

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// addConsultant makes a member a consultant of the leader's association.
func addConsultant(t *testing.T, leader, consultant *telegramtest.User, name string) {
	t.Helper()
	card := openCard(t, leader, "ММО учителей математики")
	press(t, leader, card, "Консультанты")
	view := next(t, leader, "Консультанты «ММО учителей математики»", "Пока только руководитель")
	press(t, leader, view, "Добавить консультанта")
	press(t, leader, next(t, leader, "Выберите участника"), name)
	next(t, leader, "• "+name)
	next(t, consultant, "назначены консультантом")
}

// ask files a question through the form and returns the confirmation.
func ask(t *testing.T, u *telegramtest.User, category, question string) telegramtest.Message {
	t.Helper()
	u.Send("/ask")
	press(t, u, next(t, u, "Выберите тему"), category)
	next(t, u, "Тема: "+category)
	next(t, u, "Опишите вопрос")
	u.Send(question)
	press(t, u, next(t, u, "Как вам удобнее"), "Ответ в чате")
	next(t, u, "Форма ответа")
	return next(t, u, "Обращение №", "принято")
}

// addConsultantOf makes a member a consultant of the leader's
// association, in either messenger.
func addConsultantOf(t *testing.T, leader, consultant person, name string) {
	t.Helper()
	leader.press(t, openCardOf(t, leader), "Консультанты")
	view := expect(t, leader, "Консультанты «ММО учителей математики»", "Пока только руководитель")
	leader.press(t, view, "Добавить консультанта")
	leader.press(t, expect(t, leader, "Выберите участника"), name)
	expect(t, leader, "• "+name)
	expect(t, consultant, "назначены консультантом")
}

// askAs files a question through the form, in either messenger, and
// returns the confirmation.
func askAs(t *testing.T, u person, category, question string) msg {
	t.Helper()
	u.send("/ask")
	u.press(t, expect(t, u, "Выберите тему"), category)
	expect(t, u, "Тема: "+category)
	expect(t, u, "Опишите вопрос")
	u.send(question)
	u.press(t, expect(t, u, "Как вам удобнее"), "Ответ в чате")
	expect(t, u, "Форма ответа")
	return expect(t, u, "Обращение №", "принято")
}

// The tests of consultations below run through both messengers (see
// forEachMessenger).

// TestConsultationLife: a member asks with files and a phone number; the
// leader and the consultant hear of it, the consultant takes it, sees
// the files, answers through the relay without showing an account, is
// asked again, answers again; the asker closes and rates it. Nobody else
// reaches the request.
func TestConsultationLife(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on, on)
		leader, asker, consultant, other := tm.leader, tm.members[0], tm.members[1], tm.members[2]
		addConsultantOf(t, leader, consultant, "Борисов Борис Борисович")

		asker.send("/ask")
		cats := expect(t, asker, "Вопрос в «ММО учителей математики»", "Выберите тему")
		if len(cats.buttons) != 8 || !cats.has("✖ Отмена") {
			t.Errorf("categories %v", cats.buttons)
		}
		asker.press(t, cats, "Аттестация")
		expect(t, asker, "Тема: Аттестация")
		expect(t, asker, "Опишите вопрос")
		asker.send("Как?")
		expect(t, asker, "Слишком коротко")
		asker.sendLocation(57, 41)
		expect(t, asker, "не поддерживаются")
		asker.sendDocument("портфолио.pdf", []byte("%PDF-1.4"), "Какие документы нужны для портфолио на первую категорию?")
		// One step less: straight to the form of the answer, where another
		// file is still taken.
		form := expect(t, asker, "Как вам удобнее", "приложите документ")
		asker.sendPhoto([]byte("\x89PNG"), "")
		expect(t, asker, "Приложено 2 файла")
		asker.press(t, form, "Телефонный звонок")
		expect(t, asker, "Форма ответа: 📞 Телефонный звонок")
		phone := expect(t, asker, "поделитесь номером")
		pointsAtButton(t, asker, phone, "кнопкой под этим сообщением")
		expect(t, asker, "Или продолжите без номера")
		// Typed text instead of the number gets the hint.
		asker.send("позвоните мне")
		pointsAtButton(t, asker, expect(t, asker, "«📞 Поделиться номером»", "«Продолжить без номера»"), "под сообщениями выше")
		asker.shareContact(t, phone, "📞 Поделиться номером", "+79001234567")
		expect(t, asker, "Номер получен")
		asker.keyboardGone(t, phone)
		created := expect(t, asker, "Обращение № 1 принято")

		// The leader and the consultant hear of it; the other member does not.
		note := expect(t, consultant, "Новое обращение", "Обращение № 1", "Антонова Анна Антоновна", "Аттестация", "первую категорию", "2 вложения", "+79001234567")
		leaderNote := expect(t, leader, "Новое обращение", "Обращение № 1")
		h.quiet()
		if extra := other.unread(); len(extra) != 0 {
			t.Fatalf("a member who is not a consultant saw the request: %q", extra)
		}

		consultant.press(t, note, "Взять в работу")
		card := expect(t, consultant, "Статус: в работе", "консультант Борисов Б. Б.")
		expect(t, asker, "Ваше обращение № 1 взято в работу, отвечает Борисов Б. Б.")
		// Taken: the leader's notice no longer offers to take it, and a
		// second take from the old message is refused.
		retiredIn(t, leader, leaderNote, "Новое обращение", "Взять в работу")
		if a := leader.pressRefused(t, leaderNote, "Взять в работу"); a == "" {
			t.Error("a second take passed without a word")
		}

		consultant.press(t, card, "Показать 2 вложения")
		if f := consultant.next(t); f.name != "портфолио.pdf" || f.photo {
			t.Errorf("the document was not relayed: %q %q", f.name, f.text)
		}
		if f := consultant.next(t); !f.photo || len(f.file) == 0 {
			t.Errorf("the photo was not relayed: %q %q", f.name, f.text)
		}

		// The answer is relayed to the asker, without the consultant's account.
		consultant.press(t, card, "Ответить")
		// The form is left by a button, not a typed command.
		if m := expect(t, consultant, "Напишите ответ по обращению № 1"); !m.has("✖ Отмена") || strings.Contains(m.text, "/cancel") {
			t.Errorf("the reply's form: %q %v", m.text, m.buttons)
		}
		consultant.send("Нужны: заявление, аналитическая справка и <b>портфолио</b> за 5 лет.")
		// «Отправлено» is not a dead end.
		if m := expect(t, consultant, "Отправлено"); !m.has("К обращению № 1") || !m.has("Домой") {
			t.Errorf("«Отправлено» leads nowhere: %v", m.buttons)
		}
		answer := expect(t, asker, "Ответ по обращению № 1", "&lt;b&gt;портфолио&lt;/b&gt;")
		first := answer
		if strings.Contains(answer.text, "@") || strings.Contains(answer.text, "311") {
			t.Errorf("the answer shows an account: %q", answer.text)
		}
		asker.press(t, answer, "Уточнить")
		expect(t, asker, "Напишите уточнение")
		asker.send("А справку кто подписывает?")
		expect(t, asker, "Отправлено")
		follow := expect(t, consultant, "Уточнение по обращению № 1", "А справку кто подписывает?")
		consultant.press(t, follow, "Ответить")
		expect(t, consultant, "Напишите ответ")
		consultant.send("Руководитель образовательной организации.")
		expect(t, consultant, "Отправлено")
		answer = expect(t, asker, "Руководитель образовательной организации")

		// The other member cannot open it even with data from another chat.
		if a := other.pressForged(t, created, "Открыть"); a == "" {
			t.Error("a stranger's forged press was not refused")
		}
		if extra := other.unread(); len(extra) != 0 {
			t.Errorf("a stranger opened the request: %q", extra)
		}

		// «Вопрос решён» is the answer already: no second «Закрыть?».
		asker.press(t, answer, "Вопрос решён")
		// The pressed answer keeps what it said; only its buttons go.
		closedAnswer := retiredIn(t, asker, answer, "Руководитель образовательной организации", "Уточнить", "Вопрос решён")
		if !strings.Contains(closedAnswer.text, "Ответ по обращению № 1") || !strings.Contains(closedAnswer.text, "Обращение № 1 закрыто") {
			t.Errorf("the closed answer lost its text or does not say it is closed: %q", closedAnswer.text)
		}
		if !closedAnswer.has("Открыть") {
			t.Errorf("the closed answer lost «Открыть»: %v", closedAnswer.buttons)
		}
		rate := expect(t, asker, "Оцените")
		expect(t, consultant, "Автор закрыл обращение № 1")
		// No message keeps a button the closed request cannot take.
		retiredIn(t, consultant, note, "Обращение № 1 закрыто", "Взять в работу", "Ответить")
		first = retiredIn(t, asker, first, "Обращение № 1 закрыто", "Уточнить", "Вопрос решён")
		hasAll(t, "the first answer, closed", first, "Открыть")
		if !strings.Contains(first.text, "заявление, аналитическая справка") {
			t.Errorf("the first answer lost its text: %q", first.text)
		}
		retiredIn(t, consultant, follow, "Обращение № 1 закрыто", "Ответить")
		retiredIn(t, leader, leaderNote, "Обращение № 1 закрыто", "Взять в работу")
		asker.press(t, rate, "5⭐")
		expect(t, asker, "Спасибо!", "⭐⭐⭐⭐⭐")
		expect(t, consultant, "оценено: ⭐⭐⭐⭐⭐")
		if a := asker.pressRefused(t, rate, "1⭐"); a == "" {
			t.Error("rated twice without a word")
		}

		// The lists.
		asker.send("/requests")
		expect(t, asker, "Ваши обращения", "№ 1 · Аттестация · закрыто")
		leader.send("/requests")
		expect(t, leader, "Обращений нет")
	})
}

// TestPhoneButtonAfterARestart: the bot restarts while a person is
// asked for a phone number; the number shared after it is taken, and
// the button that asked goes away as it would have without the restart
// (in MAX, where it is on the question, from the question itself).
func TestPhoneButtonAfterARestart(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		asker := tm.members[0]
		asker.send("/ask")
		asker.press(t, expect(t, asker, "Выберите тему"), "Аттестация")
		expect(t, asker, "Тема: Аттестация")
		expect(t, asker, "Опишите вопрос")
		asker.send("Какие документы нужны для портфолио на первую категорию?")
		asker.press(t, expect(t, asker, "Как вам удобнее"), "Телефонный звонок")
		expect(t, asker, "Форма ответа: 📞 Телефонный звонок")
		phone := expect(t, asker, "поделитесь номером")
		expect(t, asker, "Или продолжите без номера")
		h.restart()
		asker.shareContact(t, phone, "📞 Поделиться номером", "+79001234567")
		expect(t, asker, "Номер получен")
		asker.keyboardGone(t, phone)
		expect(t, asker, "Обращение № 1 принято")
	})
}

// TestConsultationFromAParent: a parent opens the public link, consents,
// asks in a parent's words, is answered; the link turned off lets nobody
// new in, and the parent withdraws consent.
func TestConsultationFromAParent(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on)
		leader := tm.leader
		leader.press(t, openCardOf(t, leader), "Консультанты")
		view := expect(t, leader, "Обращения принимаются только от участников")
		leader.press(t, view, "Включить ссылку для родителей")
		view = expect(t, leader, "по ссылке")
		public := link(t, view.text)

		parent := h.person(on, 501, "Родитель")
		parent.open(t, public)
		consent := expect(t, parent, "Консультации «ММО учителей математики»", "152-ФЗ")
		parent.press(t, consent, "Даю согласие")
		expect(t, parent, "Согласие получено")
		expect(t, parent, "Как к вам обращаться?")
		parent.send("Родителева Римма")
		topics := expect(t, parent, "Выберите тему")
		// A parent's topics, in a parent's words.
		hasAll(t, "a parent's topics", topics, "Учёба ребёнка и оценки", "Экзамены: ОГЭ, ЕГЭ, ВПР", "Олимпиады и конкурсы")
		if topics.has("Нормативные документы") {
			t.Errorf("a parent is offered a teacher's topics: %v", topics.buttons)
		}
		parent.press(t, topics, "Олимпиады и конкурсы")
		expect(t, parent, "Тема")
		expect(t, parent, "Опишите вопрос")
		parent.send("Как помочь ребёнку подготовиться к олимпиаде по математике?")
		parent.press(t, expect(t, parent, "Как вам удобнее"), "Встреча лично")
		expect(t, parent, "Форма ответа")
		expect(t, parent, "Обращение № 1 принято", "Обычно отвечают в течение 2 рабочих дней")
		note := expect(t, leader, "Новое обращение", "Родителева Римма (не участник объединения)", "Встреча лично")

		leader.press(t, note, "Взять в работу")
		card := expect(t, leader, "в работе")
		expect(t, parent, "взято в работу")
		leader.press(t, card, "Ответить")
		expect(t, leader, "Напишите ответ")
		leader.send("Приходите в четверг в 15:00, кабинет 21.")
		expect(t, leader, "Отправлено")
		expect(t, parent, "кабинет 21")

		parent.send("/requests")
		expect(t, parent, "Ваши обращения", "№ 1")
		parent.send("/associations")
		if m := expect(t, parent, "для педагогов"); strings.Contains(m.text, "зарегистрир") {
			t.Errorf("a parent told to register as a teacher: %q", m.text)
		}

		// The link turned off: nobody new can use it.
		leader.press(t, view, "Отключить ссылку для родителей")
		expect(t, leader, "только от участников")
		stranger := h.person(on, 502, "Чужой")
		stranger.open(t, public)
		expect(t, stranger, "недействительна или отключена")

		// The parent withdraws consent.
		parent.send("/settings")
		parent.press(t, expect(t, parent, "Ваши данные", "Родителева Римма"), "Удалить мои данные")
		parent.press(t, expect(t, parent, "Удалить ваши персональные данные?"), "Да, удалить")
		expect(t, parent, "данные удалены")
		h.m.DB.View(func(tx *boltdb.Tx) error {
			if _, err := tx.UserByAccount(parent.on(), parent.account()); err == nil {
				t.Error("the parent's record is still there")
			}
			return nil
		})
	})
}

// TestConsultationEscalationAndAutoClose: a question nobody takes
// reminds the leader after two working days and four, and alarms the
// coordinator after six (weekends not counted), each once; answered and
// then silent for a week, it closes itself.
func TestConsultationEscalationAndAutoClose(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		leader, admin, asker, consultant := tm.leader, tm.admin, tm.members[0], tm.members[1]
		addConsultantOf(t, leader, consultant, "Борисов Борис Борисович")
		h.quiet()
		admin.unread()
		// Monday 23.11 12:00 in Moscow.
		askAs(t, asker, "Программное обеспечение", "Где взять лицензию на офисный пакет для школы?")
		note := expect(t, consultant, "Новое обращение")
		leaderNote := expect(t, leader, "Новое обращение")

		// Two working days later, Wednesday 12:00: the leader is reminded
		// (nobody took it).
		h.clock.Add(48*time.Hour + time.Minute)
		expect(t, leader, "Обращение № 1", "ждёт ответа уже 2 рабочих дня")
		// Friday 12:00: the leader again, more firmly.
		h.clock.Add(48 * time.Hour)
		expect(t, leader, "без ответа 4 рабочих дня")
		// The weekend does not count: Tuesday 01.12 12:00 is 6 working days.
		h.clock.Add(72 * time.Hour)
		h.quiet()
		for _, m := range admin.unread() { // the daily digests list it; the alarm waits
			if strings.Contains(m, "🚨") {
				t.Fatalf("the coordinator was alarmed before 6 working days: %q", m)
			}
		}
		h.clock.Add(24 * time.Hour)
		alarm := expectSkipping(t, admin, "🚨 Обращение № 1")
		if !strings.Contains(alarm.text, "без ответа 6 рабочих дней") {
			t.Errorf("alarm %q", alarm.text)
		}
		h.quiet()
		for _, u := range []person{leader, admin} {
			for _, m := range u.unread() {
				if !strings.HasPrefix(m, "📋") {
					t.Errorf("%d: a reminder twice: %q", u.account(), m)
				}
			}
		}

		// An answer; then a week of silence closes it.
		leader.send("/requests")
		leader.press(t, expect(t, leader, "Ждёт ответа: 1 обращение"), "№ 1")
		card := expect(t, leader, "Обращение № 1")
		leader.press(t, card, "Взять в работу")
		card = expect(t, leader, "в работе")
		expect(t, asker, "взято в работу")
		retiredIn(t, leader, leaderNote, "Новое обращение", "Взять в работу")
		retiredIn(t, consultant, note, "Новое обращение", "Взять в работу")
		leader.press(t, card, "Ответить")
		expect(t, leader, "Напишите ответ")
		leader.send("Лицензии выдаёт управление образования, заявку подаёт директор.")
		expect(t, leader, "Отправлено")
		answer := expect(t, asker, "Лицензии выдаёт")
		h.clock.Add(7*24*time.Hour + time.Minute)
		expect(t, asker, "Обращение № 1 закрыто: после ответа не было вопросов", "Оцените")
		// Closed by the clock: the answer no longer offers to write or close.
		retiredIn(t, asker, answer, "Обращение № 1 закрыто", "Уточнить", "Вопрос решён")
	})
}

// TestEscalationAfterADowntimeTellsTheLeaderOnce: nobody took the question
// and the bot was down from Monday to Friday, so the reminder of two
// working days and the warning of four are both due when it comes back;
// both are the leader's, who gets the warning alone, not two messages in
// the same minute.
func TestEscalationAfterADowntimeTellsTheLeaderOnce(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		leader, asker := tm.leader, tm.members[0]
		h.quiet()
		// Monday 23.11 12:00 in Moscow.
		askAs(t, asker, "Программное обеспечение", "Где взять лицензию на офисный пакет для школы?")
		expect(t, leader, "Новое обращение")
		h.quiet()
		leader.unread()

		h.clock.Add(96*time.Hour + time.Minute) // Friday 12:01, back after the downtime
		h.quiet()
		var about []string
		for _, m := range leader.unread() {
			if strings.Contains(m, "Обращение № 1") {
				about = append(about, m)
			}
		}
		if len(about) != 1 || !strings.Contains(about[0], "без ответа 4 рабочих дня") {
			t.Errorf("the leader got %d messages about the request, want the warning alone: %q", len(about), about)
		}
	})
}

// TestConsultationExport: the year's consultations as XLSX, a summary by
// topic and the list.
func TestConsultationExport(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		leader, u := tm.leader, tm.members[0]
		askAs(t, u, "Аттестация", "Сколько длится аттестация на высшую категорию?")
		askAs(t, u, "Аттестация", "Нужно ли проходить курсы перед аттестацией?")
		askAs(t, u, "Другое", "Как записаться на семинар в другом объединении?")
		h.quiet()
		leader.unread()
		leader.press(t, openCardOf(t, leader), "Консультации за год")
		var doc msg
		for len(doc.file) == 0 {
			doc = leader.next(t)
		}
		f, err := excelize.OpenReader(bytes.NewReader(doc.file))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		all := ""
		for _, r := range rows {
			all += strings.Join(r, "|") + "\n"
		}
		for _, want := range []string{"Аттестация|2|0|0|0|2", "Другое|1|0|0|0|1", "Всего: 3 обращения"} {
			if !strings.Contains(all, want) {
				t.Errorf("the summary lacks %q:\n%s", want, all)
			}
		}
		rows, _ = f.GetRows(f.GetSheetList()[1])
		if len(rows) < 5 {
			t.Errorf("the list has %d rows", len(rows))
		}
	})
}
