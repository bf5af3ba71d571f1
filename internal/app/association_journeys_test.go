package app

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/mmo"
)

// The tests of associations below run through both messengers (see
// forEachMessenger): the coordinator, leaders and teachers all on one.

// adminOn registers the administrator, who can do what a coordinator
// does, in messenger on.
func adminOn(t *testing.T, h *harness, on string) person {
	t.Helper()
	c := h.person(on, adminID, "Админ")
	enrol(t, c, "Координаторова Анна Петровна", "Методический центр", "методист")
	return c
}

// teacherOn registers a teacher in messenger on.
func teacherOn(t *testing.T, h *harness, on string, id int64, name string) person {
	t.Helper()
	u := h.person(on, id, strings.Fields(name)[1])
	enrol(t, u, name, fmt.Sprintf("Школа № %d", id%100), "учитель")
	return u
}

// createAs walks the coordinator through creating an association and
// returns its card.
func createAs(t *testing.T, c person, name, subject string, approval bool) msg {
	t.Helper()
	c.send("/newassociation")
	expect(t, c, "Новое объединение")
	c.send(name)
	expect(t, c, "Предмет или направление")
	c.send(subject)
	expect(t, c, "Коротко опишите")
	c.send("-")
	policy := expect(t, c, "Как вступать")
	if approval {
		c.press(t, policy, "По заявке")
	} else {
		c.press(t, policy, "Свободно")
	}
	expect(t, c, "создано")
	return expect(t, c, name, "Предмет или направление: "+subject)
}

// cardOf opens an association's card from the catalog.
func cardOf(t *testing.T, u person, name string) msg {
	t.Helper()
	u.send("/associations")
	u.press(t, expect(t, u, "Методические объединения"), name)
	return expect(t, u, "<b>"+name+"</b>")
}

// appointAs makes leader the leader of the association on the card.
func appointAs(t *testing.T, c person, card msg, leader person, query, name string) msg {
	t.Helper()
	c.press(t, card, "Руководитель")
	c.press(t, expect(t, c, "Руководитель «"), "Выбрать из зарегистрированных")
	expect(t, c, "часть фамилии")
	c.send(query)
	c.press(t, expect(t, c, "Кого назначить руководителем"), name)
	done := expect(t, c, "руководитель «")
	expect(t, leader, "назначены руководителем")
	return done
}

// invitationOf opens the leader's invitation view, creating a link if
// none, and returns the link in the leader's messenger and its payload.
func invitationOf(t *testing.T, leader person) (at, payload string, view msg) {
	t.Helper()
	leader.send("/invite")
	view = leader.next(t)
	if view.has("Создать ссылку") {
		leader.press(t, view, "Создать ссылку")
		view = expect(t, leader, "Приглашение в")
	}
	at = link(t, view.text)
	return at, deepLinkRE.FindStringSubmatch(at)[1], view
}

func TestCreateAndEditAssociation(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		c.send("/associations")
		expect(t, c, "Действующих: 0, формирующихся: 0", "Пока нет ни одного")

		// Validation while creating.
		c.send("/newassociation")
		expect(t, c, "Новое объединение")
		c.send("ММ")
		expect(t, c, "Слишком коротко")
		c.send("/cancel")
		expect(t, c, "Отменено")

		card := createAs(t, c, "ММО учителей математики", "математика", false)
		if !strings.Contains(card.text, "формируется: нужно ещё 10 участников") || !strings.Contains(card.text, "не назначен") {
			t.Errorf("new card %q", card.text)
		}
		c.send("/newassociation")
		expect(t, c, "Новое объединение")
		c.send("ммо учителей МАТЕМАТИКИ")
		expect(t, c, "уже есть")
		c.send("/cancel")
		expect(t, c, "Отменено")

		c.send("/associations")
		expect(t, c, "Действующих: 0, формирующихся: 1", "не меньше 10 участников", "ММО учителей математики", "0 участников")

		// Edit the description and the policy.
		c.press(t, card, "Изменить")
		c.press(t, expect(t, c, "Что изменить"), "Описание")
		expect(t, c, "Новое описание")
		c.send("Методическая тема года:\n\n\n  функциональная грамотность  ")
		expect(t, c, "Сохранено")
		card = expect(t, c, "Методическая тема года:\n\nфункциональная грамотность")
		c.press(t, card, "Изменить")
		c.press(t, expect(t, c, "Что изменить"), "Порядок вступления")
		expect(t, c, "Вступление по заявке")

		var a *mmo.Association
		h.m.DB.View(func(tx *boltdb.Tx) error {
			all, _ := tx.Associations()
			a = all[0]
			return nil
		})
		if a.Policy != mmo.PolicyApproval || a.Subject != "математика" || a.CreatedBy != h.stored(c).ID {
			t.Errorf("stored %+v", a)
		}
	})
}

func TestJoinLeaveAndTheMinimum(t *testing.T) {
	forEachMessengerWith(t, func(c *config.Config) { c.Regulation.MinMembers = 2 }, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		createAs(t, c, "ММО учителей физики", "физика", false)
		t1 := teacherOn(t, h, on, 11, "Петров Пётр Петрович")
		t2 := teacherOn(t, h, on, 12, "Сидорова Анна Ивановна")

		card := cardOf(t, t1, "ММО учителей физики")
		if !strings.Contains(card.text, "Вступление свободное") {
			t.Errorf("card %q", card.text)
		}
		t1.press(t, card, "Вступить")
		expect(t, t1, "Добро пожаловать")
		card = expect(t, t1, "Вы участник с 23.11.2026")
		if !card.has("Выйти из объединения") {
			t.Errorf("member card buttons %v", card.buttons)
		}
		// Joining twice (an old button) changes nothing.
		old := cardOf(t, t2, "ММО учителей физики")
		// A button of t2's chat pressed by t1 (no messenger does this; a
		// forged update could) is refused.
		if a := t1.pressForged(t, old, "Вступить"); a == "" {
			t.Error("a button of another chat passed without a word")
		}
		t2.press(t, old, "Вступить")
		expect(t, t2, "Добро пожаловать")
		joined := expect(t, t2, "Вы участник")
		expect(t, c, "ММО учителей физики", "набран минимум (2)")
		t2.press(t, old, "Вступить")
		expect(t, t2, "уже участник") // the card already shows the membership: no edit

		c.send("/associations")
		expect(t, c, "Действующих: 1, формирующихся: 0", "2 участника — действует")

		// Leaving asks first.
		t2.press(t, joined, "Выйти")
		confirm := expect(t, t2, "Выйти из объединения «ММО учителей физики»?")
		t2.press(t, confirm, "Нет")
		expect(t, t2, "Вы участник")
		t2.press(t, confirm, "Да")
		expect(t, t2, "Вы вышли")
		expect(t, c, "меньше минимума (2)", "1 участник")

		// What only members may do is refused to a former member, saying so:
		// the card's ask button still in the chat, /ask and /propose.
		if a := t2.pressRefused(t, joined, "Задать вопрос"); !strings.Contains(a, "только участникам объединения «ММО учителей физики»") {
			t.Errorf("a former member's ask button: %q", a)
		}
		t2.send("/ask")
		expect(t, t2, "Вопросы задают объединению, в котором вы состоите")
		t2.send("/propose")
		expect(t, t2, "Предложения в план вносят участники объединения")

		h.quiet()
		if extra := t1.unread(); len(extra) != 0 {
			t.Errorf("a button from another chat did something: %q", extra)
		}
		checkStore(t, h)
	})
}

func TestApprovalFlow(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		card := createAs(t, c, "ММО учителей химии", "химия", true)
		leader := teacherOn(t, h, on, 21, "Лидерова Ольга Ивановна")
		appointAs(t, c, card, leader, "Лидерова", "Лидерова Ольга Ивановна")

		t1 := teacherOn(t, h, on, 22, "Кандидатов Иван Иванович")
		// The catalogue marks the association and says what the mark means.
		t1.send("/associations")
		expect(t, t1, "ММО учителей химии</b> (химия) — 1 участник 🔒", "🔒 — вступление по заявке")
		t1.press(t, cardOf(t, t1, "ММО учителей химии"), "Подать заявку")
		expect(t, t1, "Заявка на вступление в «ММО учителей химии» отправлена")
		expect(t, t1, "Ваша заявка на рассмотрении")
		req := expect(t, leader, "Заявка на вступление", "Кандидатов Иван Иванович", "Школа № 22")
		h.quiet()
		if extra := c.unread(); len(extra) != 0 {
			t.Errorf("the coordinator got a request although there is a leader: %q", extra)
		}

		// A member who is not the leader cannot see the requests: the
		// leader's commands are refused.
		t1.send("/members")
		expect(t, t1, "недоступна")

		leader.press(t, req, "Принять")
		expect(t, leader, "принят(а)")
		expect(t, t1, "Ваша заявка принята")
		leader.press(t, req, "Принять") // not an alert: the answer is a message
		expect(t, leader, "уже принято решение")

		t2 := teacherOn(t, h, on, 23, "Отказов Пётр Петрович")
		t2.press(t, cardOf(t, t2, "ММО учителей химии"), "Подать заявку")
		expect(t, t2, "отправлена")
		expect(t, t2, "на рассмотрении")
		req2 := expect(t, leader, "Отказов Пётр Петрович")
		// The leader also sees pending requests on the card.
		leader.press(t, cardOf(t, leader, "ММО учителей химии"), "1 заявка")
		again := expect(t, leader, "Заявка на вступление", "Отказов")
		leader.press(t, req2, "Отклонить")
		expect(t, leader, "отклонена")
		expect(t, t2, "отклонена")
		leader.press(t, again, "Принять")
		expect(t, leader, "Заявка отозвана или больше не действует")

		// A request withdrawn before the decision.
		t3 := teacherOn(t, h, on, 24, "Передумов Олег Олегович")
		t3.press(t, cardOf(t, t3, "ММО учителей химии"), "Подать заявку")
		expect(t, t3, "отправлена")
		c3 := expect(t, t3, "на рассмотрении")
		req3 := expect(t, leader, "Передумов")
		t3.press(t, c3, "Отозвать заявку")
		t3.press(t, expect(t, t3, "Отозвать заявку"), "Да")
		expect(t, t3, "отозвана")
		leader.press(t, req3, "Принять")
		expect(t, leader, "больше не действует")

		h.m.DB.View(func(tx *boltdb.Tx) error {
			members, pending, _ := tx.CountMembers(1)
			if members != 2 || pending != 0 { // the leader and t1
				t.Errorf("members %d pending %d", members, pending)
			}
			return nil
		})
		checkStore(t, h)
	})
}

func TestInvitationLinks(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		card := createAs(t, c, "ММО учителей истории", "история", false)
		leader := teacherOn(t, h, on, 31, "Историкова Мария Ивановна")
		appointAs(t, c, card, leader, "Историкова", "Историкова Мария Ивановна")

		at, payload, view := invitationOf(t, leader)
		if !strings.HasPrefix(payload, "j_") || !strings.Contains(view.text, "до тех пор, пока вы её не замените") {
			t.Fatalf("payload %q view %q", payload, view.text)
		}
		leader.press(t, view, "QR-код")
		qr := leader.next(t)
		if !qr.photo || !bytes.HasPrefix(qr.file, []byte("\x89PNG")) || !strings.Contains(qr.text, payload) {
			t.Fatalf("QR message %q %q", qr.name, qr.text)
		}

		// A newcomer opens the link: registration first, then the join.
		u := h.person(on, 32, "Новичок")
		u.open(t, at)
		expect(t, u, "Здравствуйте")
		u.press(t, expect(t, u, "152-ФЗ"), "Даю согласие")
		expect(t, u, "Согласие получено")
		expect(t, u, "Шаг 1 из 3")
		u.send("Новичкова Алла Сергеевна")
		expect(t, u, "Шаг 2 из 3")
		u.send("Гимназия № 3")
		expect(t, u, "Шаг 3 из 3")
		u.send("учитель истории")
		expect(t, u, "вы зарегистрированы")
		expect(t, u, "Добро пожаловать в «ММО учителей истории»")
		expect(t, leader, "вступил(а) Новичкова Алла Сергеевна")
		u.open(t, at)
		expect(t, u, "уже участник")

		// Renewing the link makes the old one "revoked".
		leader.press(t, view, "Новая ссылка")
		renewed := expect(t, leader, "Приглашение в")
		if strings.Contains(renewed.text, payload) {
			t.Fatal("the link did not change")
		}
		v := teacherOn(t, h, on, 33, "Опоздалов Иван Иванович")
		v.open(t, at)
		expect(t, v, "отозвана")
		leader.press(t, renewed, "Отозвать")
		expect(t, leader, "нет действующей ссылки")
		v.open(t, link(t, renewed.text))
		expect(t, v, "отозвана")

		// Forged and malformed links change nothing.
		for _, p := range []string{"j_AAAAAAAAAAAAAAAAAAAA", "j_", "j", "l_" + payload[2:], "j_" + strings.Repeat("A", 62)} {
			v.start(p)
			expect(t, v, "Ссылка недействительна")
		}
		uid := h.stored(v).ID
		h.m.DB.View(func(tx *boltdb.Tx) error {
			if _, err := tx.Membership(1, uid); err == nil {
				t.Error("a dead link made a member")
			}
			return nil
		})
		checkStore(t, h)
	})
}

func TestInvitationLinkExpires(t *testing.T) {
	forEachMessengerWith(t, func(c *config.Config) { c.Invitations.MemberTTL = 48 * time.Hour }, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		card := createAs(t, c, "ММО учителей музыки", "музыка", false)
		leader := teacherOn(t, h, on, 41, "Музыкова Анна Петровна")
		appointAs(t, c, card, leader, "Музыкова", "Музыкова Анна Петровна")
		at, _, view := invitationOf(t, leader)
		if !strings.Contains(view.text, "до 25.11.2026") {
			t.Errorf("validity not shown: %q", view.text)
		}
		h.clock.Add(49 * time.Hour)
		u := teacherOn(t, h, on, 42, "Поздняков Павел Павлович")
		u.open(t, at)
		expect(t, u, "Срок действия ссылки в «ММО учителей музыки» истёк")
	})
}
