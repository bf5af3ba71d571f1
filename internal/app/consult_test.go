package app

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

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

func TestConsultationLife(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна")
	asker, consultant, other := us[0], us[1], us[2]
	addConsultant(t, leader, consultant, "Борисов Борис Борисович")

	asker.Send("/ask")
	cats := next(t, asker, "Вопрос в «ММО учителей математики»", "Выберите тему")
	if len(cats.Buttons()) != 7 {
		t.Errorf("categories %v", cats.Buttons())
	}
	press(t, asker, cats, "Аттестация")
	next(t, asker, "Тема: Аттестация")
	next(t, asker, "Опишите вопрос")
	asker.Send("Как?")
	next(t, asker, "Слишком коротко")
	asker.SendLocation(57, 41)
	next(t, asker, "не поддерживаются")
	asker.SendDocument("портфолио.pdf", []byte("%PDF-1.4"), "Какие документы нужны для портфолио на первую категорию?")
	// One step less: straight to the form of the answer, where another
	// file is still taken.
	form := next(t, asker, "Как вам удобнее", "приложите документ")
	asker.SendPhoto([]byte("\x89PNG"), "")
	next(t, asker, "Приложено 2 файла")
	press(t, asker, form, "Телефонный звонок")
	next(t, asker, "Форма ответа: 📞 Телефонный звонок")
	next(t, asker, "поделитесь номером")
	next(t, asker, "Или продолжите без номера")
	asker.SendContact("+79001234567")
	next(t, asker, "Номер получен")
	created := next(t, asker, "Обращение № 1 принято")

	// The leader and the consultant hear of it; the other member does not.
	note := next(t, consultant, "Новое обращение", "Обращение № 1", "Антонова Анна Антоновна", "Аттестация", "первую категорию", "2 вложения", "+79001234567")
	leaderNote := next(t, leader, "Новое обращение", "Обращение № 1")
	h.quiet()
	if extra := other.Drain(); len(extra) != 0 {
		t.Fatalf("a member who is not a consultant saw the request: %v", extra)
	}

	press(t, consultant, note, "Взять в работу")
	card := next(t, consultant, "Статус: в работе", "консультант Борисов Б. Б.")
	next(t, asker, "Ваше обращение № 1 взято в работу, отвечает Борисов Б. Б.")
	// Taken: the leader's notice no longer offers to take it, and a second
	// take from the old message is refused.
	retired(t, leader, leaderNote, "Новое обращение", "Взять в работу")
	if a := press(t, leader, leaderNote, "Взять в работу"); !a.ShowAlert {
		t.Errorf("a second take: %+v", a)
	}

	press(t, consultant, card, "Показать 2 вложения")
	if f := consultant.Next(t); f.Document == nil || f.Document.Name != "портфолио.pdf" {
		t.Errorf("the document was not relayed: %+v", f)
	}
	if f := consultant.Next(t); f.Photo == nil {
		t.Errorf("the photo was not relayed: %+v", f)
	}

	// The answer is relayed to the asker, without the consultant's account.
	press(t, consultant, card, "Ответить")
	next(t, consultant, "Напишите ответ по обращению № 1")
	consultant.Send("Нужны: заявление, аналитическая справка и <b>портфолио</b> за 5 лет.")
	next(t, consultant, "Отправлено")
	answer := next(t, asker, "Ответ по обращению № 1", "&lt;b&gt;портфолио&lt;/b&gt;")
	first := answer
	if strings.Contains(answer.Text, "@") {
		t.Errorf("the answer shows an account: %q", answer.Text)
	}
	press(t, asker, answer, "Уточнить")
	next(t, asker, "Напишите уточнение")
	asker.Send("А справку кто подписывает?")
	next(t, asker, "Отправлено")
	follow := next(t, consultant, "Уточнение по обращению № 1", "А справку кто подписывает?")
	press(t, consultant, follow, "Ответить")
	next(t, consultant, "Напишите ответ")
	consultant.Send("Руководитель образовательной организации.")
	next(t, consultant, "Отправлено")
	answer = next(t, asker, "Руководитель образовательной организации")

	// The other member cannot open it even with data from another chat.
	b, _ := created.Button("Открыть")
	id := other.PressData(created.ID, b.Data)
	if a := other.Answer(t, id); !a.ShowAlert {
		t.Errorf("a stranger opened the request: %+v", a)
	}

	// «Вопрос решён» is the answer already: no second «Закрыть?».
	press(t, asker, answer, "Вопрос решён")
	next(t, asker, "Обращение № 1 закрыто")
	rate := next(t, asker, "Оцените")
	next(t, consultant, "Автор закрыл обращение № 1")
	// No message keeps a button the closed request cannot take.
	retired(t, consultant, note, "Обращение № 1 закрыто", "Взять в работу", "Ответить")
	retired(t, asker, first, "Обращение № 1 закрыто", "Уточнить", "Вопрос решён")
	retired(t, consultant, follow, "Обращение № 1 закрыто", "Ответить")
	retired(t, leader, leaderNote, "Обращение № 1 закрыто", "Взять в работу")
	press(t, asker, rate, "5⭐")
	next(t, asker, "Спасибо!", "⭐⭐⭐⭐⭐")
	next(t, consultant, "оценено: ⭐⭐⭐⭐⭐")
	if a := press(t, asker, rate, "1⭐"); !a.ShowAlert {
		t.Errorf("rated twice: %+v", a)
	}

	// The lists.
	asker.Send("/requests")
	next(t, asker, "Ваши обращения", "№ 1 · Аттестация · закрыто")
	leader.Send("/requests")
	next(t, leader, "Обращений нет")
}

func TestConsultationFromAParent(t *testing.T) {
	h := newHarness(t)
	leader, _ := meetingSetup(t, h)
	card := openCard(t, leader, "ММО учителей математики")
	press(t, leader, card, "Консультанты")
	view := next(t, leader, "Обращения принимаются только от участников")
	press(t, leader, view, "Принимать вопросы по публичной ссылке")
	view = next(t, leader, "по ссылке")
	payload := linkRE.FindStringSubmatch(view.Text)[1]

	parent := h.user(501, "Родитель")
	parent.Send("/start " + payload)
	consent := next(t, parent, "Консультации «ММО учителей математики»", "152-ФЗ")
	press(t, parent, consent, "Даю согласие")
	next(t, parent, "Согласие получено")
	next(t, parent, "Как к вам обращаться?")
	parent.Send("Родителева Римма")
	topics := next(t, parent, "Выберите тему")
	// A parent's topics, in a parent's words.
	if m := missingButtons(topics, "Учёба ребёнка и оценки", "Экзамены: ОГЭ, ЕГЭ, ВПР", "Олимпиады и конкурсы"); len(m) != 0 {
		t.Errorf("a parent's topics lack %v: %v", m, topics.Buttons())
	}
	if _, ok := topics.Button("Нормативные документы"); ok {
		t.Errorf("a parent is offered a teacher's topics: %v", topics.Buttons())
	}
	press(t, parent, topics, "Олимпиады и конкурсы")
	next(t, parent, "Тема")
	next(t, parent, "Опишите вопрос")
	parent.Send("Как помочь ребёнку подготовиться к олимпиаде по математике?")
	press(t, parent, next(t, parent, "Как вам удобнее"), "Встреча лично")
	next(t, parent, "Форма ответа")
	next(t, parent, "Обращение № 1 принято", "Обычно отвечают в течение 2 рабочих дней")
	note := next(t, leader, "Новое обращение", "Родителева Римма (не участник объединения)", "Встреча лично")

	press(t, leader, note, "Взять в работу")
	card = next(t, leader, "в работе")
	next(t, parent, "взято в работу")
	press(t, leader, card, "Ответить")
	next(t, leader, "Напишите ответ")
	leader.Send("Приходите в четверг в 15:00, кабинет 21.")
	next(t, leader, "Отправлено")
	next(t, parent, "кабинет 21")

	parent.Send("/requests")
	next(t, parent, "Ваши обращения", "№ 1")
	parent.Send("/associations")
	next(t, parent, "Сначала зарегистрируйтесь")

	// The link turned off: nobody new can use it.
	press(t, leader, view, "Отключить публичную ссылку")
	next(t, leader, "только от участников")
	stranger := h.user(502, "Чужой")
	stranger.Send("/start " + payload)
	next(t, stranger, "недействительна или отключена")

	// The parent withdraws consent.
	parent.Send("/settings")
	press(t, parent, next(t, parent, "Ваши данные", "Родителева Римма"), "Удалить мои данные")
	press(t, parent, next(t, parent, "Удалить ваши персональные данные?"), "Да, удалить")
	next(t, parent, "данные удалены")
	if _, err := h.storedUser(501); err == nil {
		t.Error("the parent's record is still there")
	}
}

func TestConsultationEscalationAndAutoClose(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	admin := h.srv.NewUser(adminID, "", "ru") // registered by meetingSetup
	admin.Drain()
	asker, consultant := us[0], us[1]
	addConsultant(t, leader, consultant, "Борисов Борис Борисович")
	// Monday 23.11 12:00 in Moscow.
	ask(t, asker, "Программное обеспечение", "Где взять лицензию на офисный пакет для школы?")
	note := next(t, consultant, "Новое обращение")
	leaderNote := next(t, leader, "Новое обращение")

	// Two working days later, Wednesday 12:00: the leader is reminded
	// (nobody took it).
	h.clock.Add(48*time.Hour + time.Minute)
	next(t, leader, "Обращение № 1", "ждёт ответа уже 2 рабочих дня")
	// Friday 12:00: the leader again, more firmly.
	h.clock.Add(48 * time.Hour)
	next(t, leader, "без ответа 4 рабочих дня")
	// The weekend does not count: Tuesday 01.12 12:00 is 6 working days.
	h.clock.Add(72 * time.Hour)
	h.quiet()
	for _, m := range admin.Drain() { // the daily digests list it; the alarm waits
		if strings.Contains(m.Text, "🚨") {
			t.Fatalf("the coordinator was alarmed before 6 working days: %q", m.Text)
		}
	}
	h.clock.Add(24 * time.Hour)
	alarm := nextSkipping(t, admin, "📋 <b>Сводка", "🚨 Обращение № 1")
	if !strings.Contains(alarm.Text, "без ответа 6 рабочих дней") {
		t.Errorf("alarm %q", alarm.Text)
	}
	h.quiet()
	for _, u := range []*telegramtest.User{leader, admin} {
		for _, m := range u.Drain() {
			if !strings.HasPrefix(m.Text, "📋") {
				t.Errorf("user %d: a reminder twice: %q", u.ID, m.Text)
			}
		}
	}

	// An answer; then a week of silence closes it.
	leader.Send("/requests")
	press(t, leader, next(t, leader, "Ждёт ответа: 1 обращение"), "№ 1")
	card := next(t, leader, "Обращение № 1")
	press(t, leader, card, "Взять в работу")
	card = next(t, leader, "в работе")
	next(t, asker, "взято в работу")
	retired(t, leader, leaderNote, "Новое обращение", "Взять в работу")
	retired(t, consultant, note, "Новое обращение", "Взять в работу")
	press(t, leader, card, "Ответить")
	next(t, leader, "Напишите ответ")
	leader.Send("Лицензии выдаёт управление образования, заявку подаёт директор.")
	next(t, leader, "Отправлено")
	answer := next(t, asker, "Лицензии выдаёт")
	h.clock.Add(7*24*time.Hour + time.Minute)
	next(t, asker, "Обращение № 1 закрыто: после ответа не было вопросов", "Оцените")
	// Closed by the clock: the answer no longer offers to write or close.
	retired(t, asker, answer, "Обращение № 1 закрыто", "Уточнить", "Вопрос решён")
}

func TestConsultationExport(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	ask(t, us[0], "Аттестация", "Сколько длится аттестация на высшую категорию?")
	ask(t, us[0], "Аттестация", "Нужно ли проходить курсы перед аттестацией?")
	ask(t, us[0], "Другое", "Как записаться на семинар в другом объединении?")
	h.quiet()
	leader.Drain()
	card := openCard(t, leader, "ММО учителей математики")
	press(t, leader, card, "Консультации за год")
	var doc telegramtest.Message
	for doc.Document == nil {
		doc = leader.Next(t)
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.Document.Bytes))
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
}
