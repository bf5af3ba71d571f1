package app

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// The mixed cases, people of one association on different messengers,
// and the helpers the journeys run through both fake messengers share
// (see forEachMessenger; the journeys live with their features:
// meeting_test.go, consult_test.go, checkin_test.go, registration_test.go,
// association_journeys_test.go, journeys_year_test.go,
// journeys_home_test.go).

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
	return buildTeam(t, h, leaderOn, memberOns, []string{"Антонова Анна Антоновна", "Борисов Борис Борисович",
		"Васильева Вера Васильевна", "Григорьев Гордей Гордеевич", "Дмитриева Дарья Дмитриевна"})
}

// newTeamNamed is newTeam with everyone on messenger on and the members
// named by names.
func newTeamNamed(t *testing.T, h *harness, on string, names ...string) team {
	t.Helper()
	ons := make([]string, len(names))
	for i := range ons {
		ons[i] = on
	}
	return buildTeam(t, h, on, ons, names)
}

// buildTeam is newTeam with the i-th member on memberOns[i] named
// names[i].
func buildTeam(t *testing.T, h *harness, leaderOn string, memberOns, names []string) team {
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
	publishEvent(t, l, eventForm{format: "Семинар", topic: "Проектная деятельность", when: "30.11 14:00",
		date: "30 ноября 2026", agenda: "1. Итоги олимпиады\n2. Разное"})
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
	if marked.id != anns[0].id || !marked.has("✓ Приду") {
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

// eventForm is what a leader types into the form of a new event; an
// empty place is «МБОУ СОШ № 5, каб. 21», an empty agenda none.
type eventForm struct {
	format, topic, when string
	// date is how the bot reads when back, «30 ноября 2026».
	date          string
	place, agenda string
}

// publishEvent has the leader fill in the form of a new event (ninety
// minutes, no online link) and publish the draft; the leader's card,
// «Объявлено», is the next message.
func publishEvent(t *testing.T, l person, e eventForm) {
	t.Helper()
	if e.place == "" {
		e.place = "МБОУ СОШ № 5, каб. 21"
	}
	if e.agenda == "" {
		e.agenda = "-"
	}
	l.send("/newevent")
	l.press(t, expect(t, l, "Выберите формат"), e.format)
	expect(t, l, "Формат: "+e.format)
	expect(t, l, "Тема мероприятия?")
	l.send(e.topic)
	expect(t, l, "Когда?")
	l.send(e.when)
	l.press(t, expect(t, l, "Правильно: <b>"+e.date), "Да, верно")
	expect(t, l, e.date)
	l.press(t, expect(t, l, "Сколько продлится?"), "1,5 ч")
	expect(t, l, "Длительность: 90 мин.")
	expect(t, l, "Где пройдёт?")
	l.send(e.place)
	expect(t, l, "Ссылка на онлайн")
	l.send("-")
	expect(t, l, "Повестка")
	l.send(e.agenda)
	expect(t, l, "Черновик сохранён")
	l.press(t, expect(t, l, "Черновик: участники его ещё не видят"), "Опубликовать")
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
	l.press(t, view, "Включить ссылку для родителей")
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
