package app

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// admin registers the administrator, who can do what a coordinator does.
func (h *harness) admin() *telegramtest.User {
	a := h.user(adminID, "Админ")
	h.register(a, "Координаторова Анна Петровна", "Методический центр", "методист")
	return a
}

// teacher registers a teacher.
func (h *harness) teacher(id int64, name string) *telegramtest.User {
	u := h.user(id, strings.Fields(name)[1])
	h.register(u, name, fmt.Sprintf("Школа № %d", id%100), "учитель")
	return u
}

// createAssociation walks the coordinator through creating one and returns
// its card.
func createAssociation(t *testing.T, c *telegramtest.User, name, subject string, approval bool) telegramtest.Message {
	t.Helper()
	c.Send("/newassociation")
	next(t, c, "Новое объединение")
	c.Send(name)
	next(t, c, "Предмет или направление")
	c.Send(subject)
	next(t, c, "Коротко опишите")
	c.Send("-")
	policy := next(t, c, "Как вступать")
	if approval {
		press(t, c, policy, "По заявке")
	} else {
		press(t, c, policy, "Свободно")
	}
	next(t, c, "создано")
	return next(t, c, name, "Предмет или направление: "+subject)
}

// openCard opens an association's card from the catalog.
func openCard(t *testing.T, u *telegramtest.User, name string) telegramtest.Message {
	t.Helper()
	u.Send("/associations")
	list := next(t, u, "Методические объединения")
	press(t, u, list, name)
	return next(t, u, "<b>"+name+"</b>")
}

// appoint makes leader the leader of the association on the card.
func appoint(t *testing.T, c *telegramtest.User, card telegramtest.Message, leader *telegramtest.User, query, name string) telegramtest.Message {
	t.Helper()
	press(t, c, card, "Руководитель")
	menu := next(t, c, "Руководитель «")
	press(t, c, menu, "Выбрать из зарегистрированных")
	next(t, c, "часть фамилии")
	c.Send(query)
	found := next(t, c, "Кого назначить руководителем")
	press(t, c, found, name)
	done := next(t, c, "руководитель «")
	next(t, leader, "назначены руководителем")
	return done
}

var linkRE = regexp.MustCompile(`https://t\.me/\w+\?start=([\w-]+)`)

// inviteLink opens the leader's invitation view, creating a link if none,
// and returns the deep-link payload.
func inviteLink(t *testing.T, leader *telegramtest.User) (payload string, view telegramtest.Message) {
	t.Helper()
	leader.Send("/invite")
	view = leader.Next(t)
	if b, ok := view.Button("Создать ссылку"); ok && b.Data != "" {
		press(t, leader, view, "Создать ссылку")
		view = next(t, leader, "Приглашение в")
	}
	m := linkRE.FindStringSubmatch(view.Text)
	if m == nil {
		t.Fatalf("no link in %q", view.Text)
	}
	return m[1], view
}

// checkStore verifies the store's indexes after a flow.
func checkStore(t *testing.T, h *harness) {
	t.Helper()
	if err := h.m.DB.View(func(tx *boltdb.Tx) error { return tx.CheckIndexes() }); err != nil {
		t.Error(err)
	}
}

func TestLeadersAndTheirLimits(t *testing.T) {
	h := newHarness(t)
	c := h.admin()
	cardA := createAssociation(t, c, "ММО А", "первый предмет", false)
	cardB := createAssociation(t, c, "ММО Б", "второй предмет", false)
	l1 := h.teacher(51, "Первов Иван Иванович")
	l2 := h.teacher(52, "Вторых Анна Петровна")
	appoint(t, c, cardA, l1, "Первов", "Первов Иван Иванович")
	appoint(t, c, cardB, l1, "Первов", "Первов Иван Иванович")
	h.srv.Settle(t)
	if menu := h.srv.ChatCommands(51); describe(menu, "members") == "" || describe(menu, "newassociation") != "" {
		t.Errorf("leader menu %v", menu)
	}

	// With two associations, /members asks which and remembers the choice.
	l1.Send("/members")
	choose := next(t, l1, "Какое открыть?")
	press(t, l1, choose, "ММО Б")
	listB := next(t, l1, "Участники «ММО Б»", "(руководитель)")
	l1.Send("/members")
	next(t, l1, "Участники «ММО Б»")

	// Replace l1 in Б by l2: both are told.
	cardB = openCard(t, c, "ММО Б")
	appoint(t, c, cardB, l2, "Вторых", "Вторых Анна Петровна")
	next(t, l1, "Руководителем «ММО Б» назначен(а) Вторых Анна Петровна")

	// l1 still leads А, but Б's old buttons are refused.
	if a := press(t, l1, listB, "Список XLSX"); !a.ShowAlert || !strings.Contains(a.Text, "только руководителю этого объединения") {
		t.Errorf("old leader exporting: %+v", a)
	}
	h.quiet()
	if extra := l1.Drain(); len(extra) != 0 {
		t.Errorf("the refused export sent something: %v", extra)
	}
	// A member who leads nothing is refused the leader's commands.
	m := h.teacher(53, "Простов Олег Олегович")
	m.Send("/invite")
	next(t, m, "недоступна")

	// The one-time leader link, opened by a newcomer.
	cardA = openCard(t, c, "ММО А")
	press(t, c, cardA, "Руководитель")
	press(t, c, next(t, c, "Руководитель «ММО А»"), "Одноразовая ссылка")
	linkMsg := next(t, c, "Одноразовая ссылка")
	payload := linkRE.FindStringSubmatch(linkMsg.Text)[1]
	n := h.user(54, "Новый")
	n.Send("/start " + payload)
	next(t, n, "Здравствуйте")
	press(t, n, next(t, n, "152-ФЗ"), "Даю согласие")
	next(t, n, "Согласие получено")
	next(t, n, "Шаг 1")
	n.Send("Новоселова Ирина Ивановна")
	next(t, n, "Шаг 2")
	n.Send("Лицей № 1")
	next(t, n, "Шаг 3")
	n.Send("учитель")
	next(t, n, "вы зарегистрированы")
	next(t, n, "назначены руководителем объединения «ММО А»")
	next(t, c, "Новоселова Ирина Ивановна открыл(а) ссылку")
	next(t, l1, "Руководителем «ММО А» назначен(а) Новоселова Ирина Ивановна")
	m.Send("/start " + payload)
	next(t, m, "уже использована")

	m.Send("/my")
	next(t, m, "не состоите")
	n.Send("/my")
	next(t, n, "ММО А — руководитель")
	checkStore(t, h)
}
