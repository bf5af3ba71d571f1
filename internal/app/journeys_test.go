package app

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/render"
)

// The key journeys, each run through both fake messengers (see
// forEachMessenger), and the mixed cases: people of one association on
// different messengers.

// deepLinkRE finds a deep link of the bot in either messenger and its
// payload.
var deepLinkRE = regexp.MustCompile(`https://(?:t\.me/\w+\?start=|max\.ru/\w+/start/)([\w-]+)`)

// link returns the first deep link in a text.
func link(t *testing.T, text string) string {
	t.Helper()
	m := deepLinkRE.FindString(text)
	if m == "" {
		t.Fatalf("no deep link in %q", text)
	}
	return m
}

// team is an association with its coordinator, leader and members, each
// on the messenger asked.
type team struct {
	admin, leader person
	members       []person
}

// newTeam registers the administrator and the leader on leaderOn, creates
// the association, appoints the leader, and has each member, on the
// messenger given for them, register and join through the leader's link.
func newTeam(t *testing.T, h *harness, leaderOn string, memberOns ...string) team {
	t.Helper()
	c := h.person(leaderOn, adminID, "Админ")
	enrol(t, c, "Координаторова Анна Петровна", "Методический центр", "методист")
	c.send("/newassociation")
	expect(t, c, "Новое объединение")
	c.send("ММО учителей математики")
	expect(t, c, "Предмет или направление")
	c.send("математика")
	expect(t, c, "Коротко опишите")
	c.send("-")
	c.press(t, expect(t, c, "Как вступать"), "Свободно")
	expect(t, c, "создано")
	card := expect(t, c, "ММО учителей математики")

	leader := h.person(leaderOn, 301, "Ольга")
	enrol(t, leader, "Лидерова Ольга Ивановна", "Школа № 1", "учитель")
	c.press(t, card, "Руководитель")
	c.press(t, expect(t, c, "Руководитель «"), "Выбрать из зарегистрированных")
	expect(t, c, "часть фамилии")
	c.send("Лидерова")
	c.press(t, expect(t, c, "Кого назначить руководителем"), "Лидерова Ольга Ивановна")
	expect(t, c, "руководитель «")
	expect(t, leader, "назначены руководителем")

	leader.send("/invite")
	view := leader.next(t)
	if view.has("Создать ссылку") {
		leader.press(t, view, "Создать ссылку")
		view = expect(t, leader, "Приглашение в")
	}
	// Each member opens the link of their own messenger.
	invites := map[string]string{}
	for _, l := range deepLinkRE.FindAllString(view.text, -1) {
		if strings.Contains(l, "max.ru") {
			invites["max"] = l
		} else {
			invites["telegram"] = l
		}
	}
	tm := team{admin: c, leader: leader}
	names := []string{"Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна"}
	for i, on := range memberOns {
		name := names[i]
		u := h.person(on, int64(310+i), strings.Fields(name)[1])
		enrol(t, u, name, fmt.Sprintf("Школа № %d", 10+i), "учитель")
		u.open(t, invites[on])
		expect(t, u, "Добро пожаловать")
		expect(t, leader, "вступил(а)")
		tm.members = append(tm.members, u)
	}
	return tm
}

// TestJourneyRegistration: a person registers, consenting, in either
// messenger.
func TestJourneyRegistration(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		p := h.person(on, 101, "Мария")
		p.send("/start")
		expect(t, p, "Здравствуйте, Мария")
		consent := expect(t, p, "152-ФЗ", "Удалить мои данные")
		// The consent names the messenger the person is on.
		name := map[string]string{"telegram": "Telegram", "max": "MAX"}[on]
		if !strings.Contains(consent.text, "идентификатора в "+name+",") {
			t.Errorf("the consent on %s does not name it: %q", on, consent.text)
		}
		p.press(t, consent, "Даю согласие")
		edited := expect(t, p, "Согласие получено")
		if edited.id != consent.id || len(edited.buttons) != 0 {
			t.Errorf("the consent message was not edited in place without buttons: %+v", edited)
		}
		expect(t, p, "Шаг 1 из 3")
		p.send("Иванова Мария Петровна")
		expect(t, p, "Шаг 2 из 3")
		p.send("МБОУ «СОШ № 5»")
		expect(t, p, "Шаг 3 из 3")
		p.send("учитель математики")
		expect(t, p, "вы зарегистрированы", "Иванова Мария Петровна")
		u := h.stored(p)
		if !u.Registered() || u.ConsentAt.IsZero() {
			t.Errorf("registered %v, consent at %v", u.Registered(), u.ConsentAt)
		}
	})
}

// TestJourneyJoinByLink: the leader's invitation is a link (and a QR
// code) of the messenger the leader is on, and a teacher joins by it.
func TestJourneyJoinByLink(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		if len(tm.members) != 1 {
			t.Fatal("no member")
		}
		tm.leader.send("/invite")
		view := tm.leader.next(t)
		want := map[string]string{"telegram": "https://t.me/", "max": "https://max.ru/"}[on]
		if !strings.Contains(link(t, view.text), want) {
			t.Errorf("the invitation on %s links %q", on, link(t, view.text))
		}
		if !view.has("QR") {
			t.Fatalf("no QR button on the invitation: %v", view.buttons)
		}
		tm.leader.press(t, view, "QR")
		qr := tm.leader.next(t)
		if len(qr.file) == 0 {
			t.Fatalf("no QR picture: %+v", qr)
		}
	})
}

// TestJourneyAnnouncementRSVP: the leader publishes, members answer, the
// leader's card counts them in place.
func TestJourneyAnnouncementRSVP(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		announceAndAnswer(t, h, newTeam(t, h, on, on, on))
	})
}

// TestMixedAnnouncement: a leader on Telegram publishes; a member on MAX
// gets the announcement in MAX, one on Telegram in Telegram, and the
// leader's card counts both.
func TestMixedAnnouncement(t *testing.T) {
	h := newHarnessOn(t, true, true, nil)
	announceAndAnswer(t, h, newTeam(t, h, "telegram", "max", "telegram"))
}

func announceAndAnswer(t *testing.T, h *harness, tm team) {
	t.Helper()
	l := tm.leader
	l.send("/newevent")
	l.press(t, expect(t, l, "Выберите формат"), "Семинар")
	expect(t, l, "Формат: Семинар")
	expect(t, l, "Тема мероприятия?")
	l.send("Проектная деятельность")
	expect(t, l, "Когда?")
	l.send("30.11 14:00")
	l.press(t, expect(t, l, "Правильно: <b>30 ноября 2026"), "Да, верно")
	expect(t, l, "30 ноября 2026")
	l.press(t, expect(t, l, "Сколько продлится?"), "1,5 ч")
	expect(t, l, "Длительность: 90 мин.")
	expect(t, l, "Где пройдёт?")
	l.send("МБОУ СОШ № 5, каб. 21")
	expect(t, l, "Ссылка на онлайн")
	l.send("-")
	expect(t, l, "Повестка")
	l.send("1. Итоги олимпиады\n2. Разное")
	expect(t, l, "Черновик сохранён")
	draft := expect(t, l, "Черновик: участники его ещё не видят")
	l.press(t, draft, "Опубликовать")
	n := len(tm.members)
	card := expect(t, l, "Объявлено", fmt.Sprintf("Ответили 0 из %d", n))
	var anns []msg
	for _, u := range tm.members {
		anns = append(anns, expect(t, u, "Новое мероприятие", "Семинар «ММО учителей математики»", "Придёте?"))
	}
	h.settle()
	l.press(t, card, "Обновить")
	card = expect(t, l, fmt.Sprintf("доставлено %d из %d", n, n))

	if a := tm.members[0].press(t, anns[0], "Приду"); !strings.Contains(a, "придёте") {
		t.Errorf("answer notice %q", a)
	}
	marked := expect(t, tm.members[0], "Ваш ответ: ✅ придёте")
	if marked.id != anns[0].id || !marked.has("✓ ✅ Приду") {
		t.Errorf("the announcement was not marked in place: %+v", marked)
	}
	live := expect(t, l, fmt.Sprintf("Ответили 1 из %d: ✅ 1 · 🤔 0 · ❌ 0", n), "Антонова А. А.")
	if live.id != card.id {
		t.Error("the leader's card was not refreshed in place")
	}
	if n > 1 {
		tm.members[1].press(t, anns[1], "Не смогу")
		expect(t, tm.members[1], "не сможете")
		expect(t, l, fmt.Sprintf("Ответили 2 из %d: ✅ 1 · 🤔 0 · ❌ 1", n))
	}

	// The leader moves the event: every member hears of it in their own
	// messenger, and the answers start again on the card, in place.
	l.press(t, live, "Изменить")
	l.press(t, expect(t, l, "Что изменить?"), "Место")
	expect(t, l, "Новое место")
	l.send("Гимназия № 3, актовый зал")
	l.press(t, expect(t, l, "Что изменится", "<b>Гимназия № 3, актовый зал</b>"), "Уведомить участников и сбросить ответы")
	expect(t, l, fmt.Sprintf("уведомление получат %d участник", n))
	expect(t, l, fmt.Sprintf("Ответили 0 из %d", n), "Гимназия № 3")
	for i, u := range tm.members {
		// The announcement is edited in place, then one short notice.
		if m := expect(t, u, "Изменено", "<b>Гимназия № 3, актовый зал</b>"); m.id != anns[i].id {
			t.Errorf("member %d: the announcement was not edited in place", i)
		}
		expect(t, u, "Изменения:", "Объявление выше обновлено")
	}
}

// scheduleNow has the leader publish an event starting in ten minutes
// (12:10 in Moscow, whose check-in is open), and returns the check-in
// notice each member got.
func scheduleNow(t *testing.T, tm team, topic string) []msg {
	t.Helper()
	l := tm.leader
	l.send("/newevent")
	l.press(t, expect(t, l, "Выберите формат"), "Заседание")
	expect(t, l, "Формат: Заседание")
	expect(t, l, "Тема мероприятия?")
	l.send(topic)
	expect(t, l, "Когда?")
	l.send("23.11 12:10")
	l.press(t, expect(t, l, "Правильно: <b>23 ноября 2026"), "Да, верно")
	expect(t, l, "23 ноября 2026")
	l.press(t, expect(t, l, "Сколько продлится?"), "1,5 ч")
	expect(t, l, "Длительность")
	expect(t, l, "Где пройдёт?")
	l.send("МБОУ СОШ № 5, каб. 21")
	expect(t, l, "Ссылка на онлайн")
	l.send("-")
	expect(t, l, "Повестка")
	l.send("1. Итоги олимпиады\n2. Разное")
	expect(t, l, "Черновик сохранён")
	l.press(t, expect(t, l, "Черновик: участники его ещё не видят"), "Опубликовать")
	expect(t, l, "Объявлено")
	var here []msg
	for _, u := range tm.members {
		expect(t, u, "Новое мероприятие")
		here = append(here, expect(t, u, "Открыта отметка", topic))
	}
	return here
}

var checkinCodeRE = regexp.MustCompile(`Код для участников: <b>(\d{4})</b>`)

// TestJourneyCheckinByCode: members check in by the button and by the
// code the leader reads out; the leader's view counts them in place.
func TestJourneyCheckinByCode(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		here := scheduleNow(t, tm, "Наставничество")
		l := tm.leader
		l.send("/meetings")
		l.press(t, expect(t, l, "Ближайшие мероприятия", "Наставничество"), "Наставничество")
		card := expect(t, l, "Наставничество")
		l.press(t, card, "Отметка присутствующих")
		view := expect(t, l, "Отметка:", "Код для участников", "Отметились: 0 из 2")
		code := checkinCodeRE.FindStringSubmatch(view.text)[1]
		if !strings.Contains(link(t, view.text), map[string]string{"telegram": "t.me", "max": "max.ru"}[on]) {
			t.Errorf("the check-in link is not of %s: %q", on, view.text)
		}

		tm.members[0].press(t, here[0], "Я на месте")
		expect(t, tm.members[0], "Вы отмечены")
		if m := expect(t, l, "Отметились: 1 из 2", "кнопка"); m.id != view.id {
			t.Error("the check-in view was not changed in place")
		}
		tm.members[1].send(code)
		expect(t, tm.members[1], "Вы отмечены")
		expect(t, l, "Отметились: 2 из 2", "код")
		h.quiet()
		tm.members[1].drain() // «Я на месте» taken off the check-in message
		tm.members[1].send(code)
		expect(t, tm.members[1], "Вы уже отметились")
	})
}

// TestJourneyMinutes: the leader writes the minutes of a meeting and
// downloads them as a document.
func TestJourneyMinutes(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		here := scheduleNow(t, tm, "Итоги первой четверти")
		tm.members[0].press(t, here[0], "Я на месте")
		expect(t, tm.members[0], "Вы отмечены")
		h.clock.Add(30 * time.Minute)
		h.quiet()
		l := tm.leader
		l.drain() // the check-in opened, the card kept current
		l.send("/meetings")
		l.press(t, expect(t, l, "Итоги первой четверти"), "Итоги первой четверти")
		l.press(t, expect(t, l, "Заседание № 1"), "Протокол")
		l.press(t, expect(t, l, "Протокол ещё не составлен"), "Составить протокол")
		expect(t, l, "Составим протокол")
		l.press(t, expect(t, l, "Кто председательствовал"), "Председатель — Лидерова О. И.")
		expect(t, l, "Председатель: Лидерова О. И.")
		expect(t, l, "секретарь")
		l.send("Антонова Анна Антоновна")
		l.press(t, expect(t, l, "Приглашённые"), "Пропустить")
		expect(t, l, "Пропущено")
		expect(t, l, "Вопрос 1 из 2")
		l.send("Лидерову О. И. — об итогах олимпиады")
		expect(t, l, "ВЫСТУПИЛИ")
		l.send("-")
		expect(t, l, "РЕШИЛИ")
		l.send("Провести разбор заданий.")
		l.press(t, expect(t, l, "Голосование по вопросу 1"), "Без голосования")
		expect(t, l, "без голосования")
		expect(t, l, "Вопрос 2 из 2")
		l.send("Лидерову О. И. — о плане на декабрь")
		expect(t, l, "ВЫСТУПИЛИ")
		l.send("-")
		expect(t, l, "РЕШИЛИ")
		l.send("Принять к сведению.")
		l.press(t, expect(t, l, "Голосование по вопросу 2"), "Без голосования")
		expect(t, l, "без голосования")
		expect(t, l, "Черновик протокола сохранён")
		doc := l.next(t)
		if !strings.HasSuffix(doc.name, ".docx") {
			t.Fatalf("no DOCX: %+v", doc)
		}
		text, err := render.DOCXText(doc.file)
		if err != nil {
			t.Fatal(err)
		}
		inOrder(t, text, "ПРОТОКОЛ № 1", "Присутствовали", "Антонова Анна Антоновна", "Провести разбор заданий.")
	})
}

// TestJourneyConsultationRelay: a member asks, a consultant answers, and
// the relay carries both ways without showing either account.
func TestJourneyConsultationRelay(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		consultRelay(t, tm.leader, tm.members[0], tm.members[1])
	})
}

// TestMixedConsultation: a parent on MAX asks a consultant on Telegram
// by the public link, and the relay works both ways without revealing
// either account.
func TestMixedConsultation(t *testing.T) {
	h := newHarnessOn(t, true, true, nil)
	tm := newTeam(t, h, "telegram", "telegram")
	l := tm.leader
	card := openCardOf(t, l)
	l.press(t, card, "Консультанты")
	view := expect(t, l, "Обращения принимаются только от участников")
	l.press(t, view, "Принимать вопросы по публичной ссылке")
	view = expect(t, l, "по ссылке")
	inMax := regexp.MustCompile(`В MAX: (https://max\.ru/\S+)`).FindStringSubmatch(view.text)
	if inMax == nil {
		t.Fatalf("no MAX link beside the Telegram one: %q", view.text)
	}

	parent := h.person("max", 501, "Родитель")
	parent.open(t, inMax[1])
	consent := expect(t, parent, "Консультации «ММО учителей математики»", "152-ФЗ")
	parent.press(t, consent, "Даю согласие")
	expect(t, parent, "Согласие получено")
	expect(t, parent, "Как к вам обращаться?")
	parent.send("Родителева Римма")
	parent.press(t, expect(t, parent, "Выберите тему"), "Олимпиады и конкурсы")
	expect(t, parent, "Тема")
	expect(t, parent, "Опишите вопрос")
	parent.send("Как помочь ребёнку подготовиться к олимпиаде по математике?")
	how := expect(t, parent, "Как вам удобнее")
	// A file sent in MAX reaches the consultant in Telegram: its bytes
	// are taken from MAX and uploaded to Telegram.
	pdf := []byte("%PDF-1.4 олимпиада")
	parent.sendDocument("задания.pdf", pdf, "")
	expect(t, parent, "Приложен 1 файл")
	parent.press(t, how, "Ответ в чате") // the choice stays on the message above
	expect(t, parent, "Форма ответа")
	expect(t, parent, "Обращение № 1 принято")
	note := expect(t, l, "Новое обращение", "Родителева Римма (не участник объединения)")
	if strings.Contains(note.text, "501") {
		t.Errorf("the note shows the parent's MAX account: %q", note.text)
	}
	l.press(t, note, "Взять в работу")
	req := expect(t, l, "в работе")
	expect(t, parent, "взято в работу")
	l.press(t, req, "Показать")
	if f := l.next(t); string(f.file) != string(pdf) || f.name != "задания.pdf" {
		t.Errorf("the parent's file did not reach Telegram: %q %q", f.name, f.file)
	}
	l.press(t, req, "Ответить")
	expect(t, l, "Напишите ответ")
	l.send("Решайте задачи прошлых лет, начните с муниципального этапа.")
	expect(t, l, "Отправлено")
	answer := expect(t, parent, "Ответ по обращению № 1", "муниципального этапа")
	if strings.Contains(answer.text, "@") || strings.Contains(answer.text, "301") {
		t.Errorf("the answer shows the consultant's account: %q", answer.text)
	}
	parent.press(t, answer, "Уточнить")
	expect(t, parent, "Напишите уточнение")
	parent.send("А где их взять?")
	expect(t, parent, "Отправлено")
	expect(t, l, "Уточнение по обращению № 1", "А где их взять?")
}

// openCardOf opens the association's card from the catalog.
func openCardOf(t *testing.T, u person) msg {
	t.Helper()
	u.send("/associations")
	u.press(t, expect(t, u, "Методические объединения"), "ММО учителей математики")
	return expect(t, u, "<b>ММО учителей математики</b>")
}

func consultRelay(t *testing.T, leader, asker, consultant person) {
	t.Helper()
	card := openCardOf(t, leader)
	leader.press(t, card, "Консультанты")
	leader.press(t, expect(t, leader, "Консультанты «ММО учителей математики»"), "Добавить консультанта")
	leader.press(t, expect(t, leader, "Выберите участника"), "Борисов Борис Борисович")
	expect(t, leader, "• Борисов Борис Борисович")
	expect(t, consultant, "назначены консультантом")

	asker.send("/ask")
	asker.press(t, expect(t, asker, "Выберите тему"), "Аттестация")
	expect(t, asker, "Тема: Аттестация")
	expect(t, asker, "Опишите вопрос")
	asker.send("Какие документы нужны для портфолио на первую категорию?")
	asker.press(t, expect(t, asker, "Как вам удобнее"), "Ответ в чате")
	expect(t, asker, "Форма ответа")
	expect(t, asker, "Обращение № 1 принято")
	note := expect(t, consultant, "Новое обращение", "Обращение № 1", "первую категорию")
	expect(t, leader, "Новое обращение")
	consultant.press(t, note, "Взять в работу")
	req := expect(t, consultant, "Статус: в работе")
	expect(t, asker, "взято в работу")
	consultant.press(t, req, "Ответить")
	expect(t, consultant, "Напишите ответ")
	consultant.send("Заявление, аналитическая справка и портфолио за 5 лет.")
	expect(t, consultant, "Отправлено")
	answer := expect(t, asker, "Ответ по обращению № 1", "портфолио за 5 лет")
	asker.press(t, answer, "Уточнить")
	expect(t, asker, "Напишите уточнение")
	asker.send("А справку кто подписывает?")
	expect(t, asker, "Отправлено")
	expect(t, consultant, "Уточнение по обращению № 1", "А справку кто подписывает?")
}

// TestMixedFileToMax: a teacher on Telegram attaches a file to a
// question; the leader, on MAX, gets the file itself, uploaded to MAX.
func TestMixedFileToMax(t *testing.T) {
	h := newHarnessOn(t, true, true, nil)
	tm := newTeam(t, h, "max", "telegram")
	asker, l := tm.members[0], tm.leader
	asker.send("/ask")
	asker.press(t, expect(t, asker, "Выберите тему"), "Аттестация")
	expect(t, asker, "Тема: Аттестация")
	expect(t, asker, "Опишите вопрос")
	doc := []byte("%PDF-1.4 портфолио")
	asker.sendDocument("портфолио.pdf", doc, "Какие документы нужны для портфолио на первую категорию?")
	asker.press(t, expect(t, asker, "Как вам удобнее"), "Ответ в чате")
	expect(t, asker, "Форма ответа")
	expect(t, asker, "принято")
	note := expect(t, l, "Новое обращение")
	l.press(t, note, "Взять в работу")
	req := expect(t, l, "в работе")
	l.press(t, req, "Показать")
	if f := l.next(t); string(f.file) != string(doc) || f.name != "портфолио.pdf" {
		t.Errorf("the file did not reach MAX: %q %q", f.name, f.file)
	}
}

// TestJourneyReminders: the reminders of an event reach a member in
// their messenger, once, and one due while the bot was down is sent when
// it is back.
func TestJourneyReminders(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, u := tm.leader, tm.members[0]
		l.send("/newevent")
		l.press(t, expect(t, l, "Выберите формат"), "Семинар")
		expect(t, l, "Формат: Семинар")
		expect(t, l, "Тема мероприятия?")
		l.send("Цифровые инструменты")
		expect(t, l, "Когда?")
		l.send("25.11 15:00")
		l.press(t, expect(t, l, "Правильно"), "Да, верно")
		expect(t, l, "25 ноября 2026")
		l.press(t, expect(t, l, "Сколько продлится?"), "1,5 ч")
		expect(t, l, "Длительность")
		expect(t, l, "Где пройдёт?")
		l.send("МБОУ СОШ № 5")
		expect(t, l, "Ссылка на онлайн")
		l.send("-")
		expect(t, l, "Повестка")
		l.send("-")
		expect(t, l, "Черновик сохранён")
		l.press(t, expect(t, l, "Черновик: участники его ещё не видят"), "Опубликовать")
		expect(t, l, "Объявлено")
		u.press(t, expect(t, u, "Новое мероприятие"), "Приду")
		expect(t, u, "придёте")
		start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) // 15:00 in Moscow
		h.quiet()
		l.drain()

		h.clock.Add(start.Add(-24*time.Hour).Sub(h.clock.Now()) + time.Minute)
		expect(t, u, "⏰", "Цифровые инструменты", "25 ноября 2026 (среда), 15:00")
		h.quiet()
		if n := u.drain(); n != 0 {
			t.Errorf("%d extra messages after the reminder", n)
		}

		// Down when the one-hour reminder falls due: sent on the way up.
		h.stop()
		h.clock.Add(start.Add(-time.Hour).Sub(h.clock.Now()) + 20*time.Minute)
		h.start()
		expect(t, u, "⏰", "Цифровые инструменты")
		h.restart()
		h.quiet()
		if n := u.drain(); n != 0 {
			t.Errorf("a reminder sent twice (%d extra)", n)
		}
	})
}

// TestMaxMenu: on MAX, whose menu is one per bot, the bot sets the
// members' commands as its menu.
func TestMaxMenu(t *testing.T) {
	h := newHarnessOn(t, false, true, nil)
	waitUntil(t, "the MAX menu", func() bool { return len(h.mx.Commands()) > 0 })
	names := map[string]bool{}
	for _, c := range h.mx.Commands() {
		names[c.Name] = true
		if c.Description == "" {
			t.Errorf("command %s without a description", c.Name)
		}
	}
	if !names["meetings"] || !names["ask"] || names["coordinators"] {
		t.Errorf("menu %+v", h.mx.Commands())
	}
}
