package app

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/telegram"
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

// TestLeadersAndTheirLimits: a leader of two associations is asked which
// one, loses the buttons of one when replaced there, a member who leads
// nothing is refused the leader's commands, and the one-time leader link
// works once.
func TestLeadersAndTheirLimits(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		cardA := createAs(t, c, "ММО А", "первый предмет", false)
		cardB := createAs(t, c, "ММО Б", "второй предмет", false)
		l1 := teacherOn(t, h, on, 51, "Первов Иван Иванович")
		l2 := teacherOn(t, h, on, 52, "Вторых Анна Петровна")
		appointAs(t, c, cardA, l1, "Первов", "Первов Иван Иванович")
		appointAs(t, c, cardB, l1, "Первов", "Первов Иван Иванович")
		// Telegram's menus are per chat; MAX has one menu per bot, the
		// members' (TestMaxMenu).
		if on == telegram.Messenger {
			h.srv.Settle(t)
			if menu := h.srv.ChatCommands(51); describe(menu, "members") == "" || describe(menu, "newassociation") != "" {
				t.Errorf("leader menu %v", menu)
			}
		}

		// With two associations, /members asks which and remembers the choice.
		l1.send("/members")
		l1.press(t, expect(t, l1, "Какое открыть?"), "ММО Б")
		listB := expect(t, l1, "Участники «ММО Б»", "(руководитель)")
		l1.send("/members")
		expect(t, l1, "Участники «ММО Б»")

		// Replace l1 in Б by l2: both are told.
		cardB = cardOf(t, c, "ММО Б")
		appointAs(t, c, cardB, l2, "Вторых", "Вторых Анна Петровна")
		expect(t, l1, "Руководителем «ММО Б» назначен(а) Вторых Анна Петровна")

		// l1 still leads А, but Б's old buttons are refused.
		if a := l1.pressRefused(t, listB, "Список XLSX"); !strings.Contains(a, "только руководителю этого объединения") {
			t.Errorf("old leader exporting: %q", a)
		}
		h.quiet()
		if extra := l1.unread(); len(extra) != 0 {
			t.Errorf("the refused export sent something: %q", extra)
		}
		// A member who leads nothing is refused the leader's commands.
		m := teacherOn(t, h, on, 53, "Простов Олег Олегович")
		m.send("/invite")
		expect(t, m, "недоступна")

		// The one-time leader link, opened by a newcomer.
		cardA = cardOf(t, c, "ММО А")
		c.press(t, cardA, "Руководитель")
		c.press(t, expect(t, c, "Руководитель «ММО А»"), "Одноразовая ссылка")
		at := link(t, expect(t, c, "Одноразовая ссылка").text)
		n := h.person(on, 54, "Новый")
		n.open(t, at)
		enrolStarted(t, n, "Новоселова Ирина Ивановна", "Лицей № 1", "учитель")
		expect(t, n, "назначены руководителем объединения «ММО А»")
		expect(t, c, "Новоселова Ирина Ивановна открыл(а) ссылку")
		expect(t, l1, "Руководителем «ММО А» назначен(а) Новоселова Ирина Ивановна")
		m.open(t, at)
		expect(t, m, "уже использована")

		m.send("/my")
		expect(t, m, "не состоите")
		n.send("/my")
		expect(t, n, "ММО А — руководитель")
		checkStore(t, h)
	})
}
