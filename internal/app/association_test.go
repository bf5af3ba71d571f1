package app

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/mmo"
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

func TestCreateAndEditAssociation(t *testing.T) {
	h := newHarness(t)
	c := h.admin()
	c.Send("/associations")
	next(t, c, "Действующих: 0, формирующихся: 0", "Пока нет ни одного")

	// Validation while creating.
	c.Send("/newassociation")
	next(t, c, "Новое объединение")
	c.Send("ММ")
	next(t, c, "Слишком коротко")
	c.Send("/cancel")
	next(t, c, "Отменено")

	card := createAssociation(t, c, "ММО учителей математики", "математика", false)
	if !strings.Contains(card.Text, "формируется: нужно ещё 10 участников") || !strings.Contains(card.Text, "не назначен") {
		t.Errorf("new card %q", card.Text)
	}
	c.Send("/newassociation")
	next(t, c, "Новое объединение")
	c.Send("ммо учителей МАТЕМАТИКИ")
	next(t, c, "уже есть")
	c.Send("/cancel")
	next(t, c, "Отменено")

	c.Send("/associations")
	next(t, c, "Действующих: 0, формирующихся: 1", "не меньше 10 участников", "ММО учителей математики", "0 участников")

	// Edit the description and the policy.
	press(t, c, card, "Изменить")
	menu := next(t, c, "Что изменить")
	press(t, c, menu, "Описание")
	next(t, c, "Новое описание")
	c.Send("Методическая тема года:\n\n\n  функциональная грамотность  ")
	next(t, c, "Сохранено")
	card = next(t, c, "Методическая тема года:\n\nфункциональная грамотность")
	press(t, c, card, "Изменить")
	menu = next(t, c, "Что изменить")
	press(t, c, menu, "Порядок вступления")
	next(t, c, "Вступление по заявке")

	var a *mmo.Association
	h.m.DB.View(func(tx *boltdb.Tx) error {
		all, _ := tx.Associations()
		a = all[0]
		return nil
	})
	if a.Policy != mmo.PolicyApproval || a.Subject != "математика" || a.CreatedBy != h.uid(adminID) {
		t.Errorf("stored %+v", a)
	}
}

func TestJoinLeaveAndTheMinimum(t *testing.T) {
	h := newHarnessWith(t, func(c *config.Config) { c.Regulation.MinMembers = 2 })
	c := h.admin()
	createAssociation(t, c, "ММО учителей физики", "физика", false)
	t1 := h.teacher(11, "Петров Пётр Петрович")
	t2 := h.teacher(12, "Сидорова Анна Ивановна")

	card := openCard(t, t1, "ММО учителей физики")
	if !strings.Contains(card.Text, "Вступление свободное") {
		t.Errorf("card %q", card.Text)
	}
	press(t, t1, card, "Вступить")
	next(t, t1, "Добро пожаловать")
	card = next(t, t1, "Вы участник с 23.11.2026")
	if _, ok := card.Button("Выйти из объединения"); !ok {
		t.Errorf("member card buttons %v", card.Buttons())
	}
	// Joining twice (an old button) changes nothing.
	old := openCard(t, t2, "ММО учителей физики")
	// A button of t2's chat pressed by t1 (Telegram never does this; a
	// forged update could) is refused.
	if a := press(t, t1, old, "Вступить"); !a.ShowAlert {
		t.Errorf("a button of another chat: %+v", a)
	}
	press(t, t2, old, "Вступить")
	next(t, t2, "Добро пожаловать")
	joined := next(t, t2, "Вы участник")
	next(t, c, "ММО учителей физики", "набран минимум (2)")
	press(t, t2, old, "Вступить")
	next(t, t2, "уже участник") // the card already shows the membership: no edit

	c.Send("/associations")
	next(t, c, "Действующих: 1, формирующихся: 0", "2 участника — действует")

	// Leaving asks first.
	press(t, t2, joined, "Выйти")
	confirm := next(t, t2, "Выйти из объединения «ММО учителей физики»?")
	press(t, t2, confirm, "Нет")
	next(t, t2, "Вы участник")
	press(t, t2, confirm, "Да")
	next(t, t2, "Вы вышли")
	next(t, c, "меньше минимума (2)", "1 участник")

	// What only members may do is refused to a former member, saying so:
	// the card's ask button still in the chat, /ask and /propose.
	if a := press(t, t2, joined, "Задать вопрос"); !a.ShowAlert || !strings.Contains(a.Text, "только участникам объединения «ММО учителей физики»") {
		t.Errorf("a former member's ask button: %+v", a)
	}
	t2.Send("/ask")
	next(t, t2, "Вопросы задают объединению, в котором вы состоите")
	t2.Send("/propose")
	next(t, t2, "Предложения в план вносят участники объединения")

	h.quiet()
	if extra := t1.Drain(); len(extra) != 0 {
		t.Errorf("a button from another chat did something: %v", extra)
	}
	checkStore(t, h)
}

// checkStore verifies the store's indexes after a flow.
func checkStore(t *testing.T, h *harness) {
	t.Helper()
	if err := h.m.DB.View(func(tx *boltdb.Tx) error { return tx.CheckIndexes() }); err != nil {
		t.Error(err)
	}
}

func TestApprovalFlow(t *testing.T) {
	h := newHarness(t)
	c := h.admin()
	card := createAssociation(t, c, "ММО учителей химии", "химия", true)
	leader := h.teacher(21, "Лидерова Ольга Ивановна")
	appoint(t, c, card, leader, "Лидерова", "Лидерова Ольга Ивановна")

	t1 := h.teacher(22, "Кандидатов Иван Иванович")
	tc := openCard(t, t1, "ММО учителей химии")
	press(t, t1, tc, "Подать заявку")
	next(t, t1, "Заявка на вступление в «ММО учителей химии» отправлена")
	next(t, t1, "Ваша заявка на рассмотрении")
	req := next(t, leader, "Заявка на вступление", "Кандидатов Иван Иванович", "Школа № 22")
	h.quiet()
	if extra := c.Drain(); len(extra) != 0 {
		t.Errorf("the coordinator got a request although there is a leader: %v", extra)
	}

	// A member who is not the leader cannot see the requests: the
	// leader's commands are refused.
	t1.Send("/members")
	next(t, t1, "недоступна")

	press(t, leader, req, "Принять")
	next(t, leader, "принят(а)")
	next(t, t1, "Ваша заявка принята")
	if a := press(t, leader, req, "Принять"); a.ShowAlert {
		t.Errorf("second approve: %+v", a)
	}
	next(t, leader, "уже принято решение")

	t2 := h.teacher(23, "Отказов Пётр Петрович")
	tc2 := openCard(t, t2, "ММО учителей химии")
	press(t, t2, tc2, "Подать заявку")
	next(t, t2, "отправлена")
	next(t, t2, "на рассмотрении")
	req2 := next(t, leader, "Отказов Пётр Петрович")
	// The leader also sees pending requests on the card.
	lc := openCard(t, leader, "ММО учителей химии")
	press(t, leader, lc, "1 заявка")
	again := next(t, leader, "Заявка на вступление", "Отказов")
	press(t, leader, req2, "Отклонить")
	next(t, leader, "отклонена")
	next(t, t2, "отклонена")
	press(t, leader, again, "Принять")
	next(t, leader, "Заявка отозвана или больше не действует")

	// A request withdrawn before the decision.
	t3 := h.teacher(24, "Передумов Олег Олегович")
	tc3 := openCard(t, t3, "ММО учителей химии")
	press(t, t3, tc3, "Подать заявку")
	next(t, t3, "отправлена")
	c3 := next(t, t3, "на рассмотрении")
	req3 := next(t, leader, "Передумов")
	press(t, t3, c3, "Отозвать заявку")
	press(t, t3, next(t, t3, "Отозвать заявку"), "Да")
	next(t, t3, "отозвана")
	press(t, leader, req3, "Принять")
	next(t, leader, "больше не действует")

	h.m.DB.View(func(tx *boltdb.Tx) error {
		members, pending, _ := tx.CountMembers(1)
		if members != 2 || pending != 0 { // the leader and t1
			t.Errorf("members %d pending %d", members, pending)
		}
		return nil
	})
	checkStore(t, h)
}

func TestInvitationLinks(t *testing.T) {
	h := newHarness(t)
	c := h.admin()
	card := createAssociation(t, c, "ММО учителей истории", "история", false)
	leader := h.teacher(31, "Историкова Мария Ивановна")
	appoint(t, c, card, leader, "Историкова", "Историкова Мария Ивановна")

	payload, view := inviteLink(t, leader)
	if !strings.HasPrefix(payload, "j_") || !strings.Contains(view.Text, "до тех пор, пока вы её не замените") {
		t.Fatalf("payload %q view %q", payload, view.Text)
	}
	press(t, leader, view, "QR-код")
	qr := leader.Next(t)
	if qr.Photo == nil || !bytes.HasPrefix(qr.Photo.Bytes, []byte("\x89PNG")) || !strings.Contains(qr.Caption, payload) {
		t.Fatalf("QR message %+v", qr)
	}

	// A newcomer opens the link: registration first, then the join.
	u := h.user(32, "Новичок")
	u.Send("/start " + payload)
	next(t, u, "Здравствуйте")
	press(t, u, next(t, u, "152-ФЗ"), "Даю согласие")
	next(t, u, "Согласие получено")
	next(t, u, "Шаг 1 из 3")
	u.Send("Новичкова Алла Сергеевна")
	next(t, u, "Шаг 2 из 3")
	u.Send("Гимназия № 3")
	next(t, u, "Шаг 3 из 3")
	u.Send("учитель истории")
	next(t, u, "вы зарегистрированы")
	next(t, u, "Добро пожаловать в «ММО учителей истории»")
	next(t, leader, "вступил(а) Новичкова Алла Сергеевна")
	u.Send("/start " + payload)
	next(t, u, "уже участник")

	// Renewing the link makes the old one "revoked".
	press(t, leader, view, "Новая ссылка")
	renewed := next(t, leader, "Приглашение в")
	if strings.Contains(renewed.Text, payload) {
		t.Fatal("the link did not change")
	}
	v := h.teacher(33, "Опоздалов Иван Иванович")
	v.Send("/start " + payload)
	next(t, v, "отозвана")
	press(t, leader, renewed, "Отозвать")
	next(t, leader, "нет действующей ссылки")
	newPayload := linkRE.FindStringSubmatch(renewed.Text)[1]
	v.Send("/start " + newPayload)
	next(t, v, "отозвана")

	// Forged and malformed links change nothing.
	for _, p := range []string{"j_AAAAAAAAAAAAAAAAAAAA", "j_", "j", "l_" + payload[2:], "j_" + strings.Repeat("A", 62)} {
		v.Send("/start " + p)
		next(t, v, "Ссылка недействительна")
	}
	uid := h.uid(33)
	h.m.DB.View(func(tx *boltdb.Tx) error {
		if _, err := tx.Membership(1, uid); err == nil {
			t.Error("a dead link made a member")
		}
		return nil
	})
	checkStore(t, h)
}

func TestInvitationLinkExpires(t *testing.T) {
	h := newHarnessWith(t, func(c *config.Config) { c.Invitations.MemberTTL = 48 * time.Hour })
	c := h.admin()
	card := createAssociation(t, c, "ММО учителей музыки", "музыка", false)
	leader := h.teacher(41, "Музыкова Анна Петровна")
	appoint(t, c, card, leader, "Музыкова", "Музыкова Анна Петровна")
	payload, view := inviteLink(t, leader)
	if !strings.Contains(view.Text, "до 25.11.2026") {
		t.Errorf("validity not shown: %q", view.Text)
	}
	h.clock.Add(49 * time.Hour)
	u := h.teacher(42, "Поздняков Павел Павлович")
	u.Send("/start " + payload)
	next(t, u, "Срок действия ссылки в «ММО учителей музыки» истёк")
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

func TestMembersRemoveAndExport(t *testing.T) {
	h := newHarness(t)
	c := h.admin()
	card := createAssociation(t, c, "ММО учителей биологии", "биология", false)
	leader := h.teacher(61, "Биологова Анна Ивановна")
	appoint(t, c, card, leader, "Биологова", "Биологова Анна Ивановна")
	payload, _ := inviteLink(t, leader)
	var teachers []*telegramtest.User
	for i, name := range []string{"Яковлев Яков Яковлевич", "=Формулов Иван Иванович", "Антонова Антонина Антоновна"} {
		if strings.HasPrefix(name, "=") {
			name = "Формулов Иван Иванович"
		}
		u := h.teacher(int64(62+i), name)
		u.Send("/start " + payload)
		next(t, u, "Добро пожаловать")
		next(t, leader, "вступил(а) "+name)
		teachers = append(teachers, u)
	}
	leader.Send("/members")
	list := next(t, leader, "Участники «ММО учителей биологии»", "4 участника",
		"1. Антонова Антонина Антоновна — Школа № 64, учитель, с 23.11.2026", "2. Биологова Анна Ивановна", "(руководитель)")
	if _, ok := list.Button("Биологова"); ok {
		t.Error("the leader has a remove button")
	}

	press(t, leader, list, "Яковлев Я. Я.")
	next(t, leader, "Напишите причину")
	leader.Send("да")
	next(t, leader, "Слишком коротко")
	leader.Send("переехал в другой город")
	next(t, leader, "Яковлев Яков Яковлевич исключён(а)")
	next(t, teachers[0], "Вы исключены из объединения «ММО учителей биологии»", "переехал в другой город")
	if a := press(t, leader, list, "Яковлев Я. Я."); !a.ShowAlert || !strings.Contains(a.Text, "уже не участник") {
		t.Errorf("removing twice: %+v", a)
	}

	press(t, leader, list, "XLSX")
	doc := leader.Next(t)
	if doc.Document == nil || !strings.HasSuffix(doc.Document.Name, ".xlsx") {
		t.Fatalf("no XLSX: %+v", doc)
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.Document.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	header := -1
	for i, r := range rows {
		if len(r) > 1 && r[1] == "ФИО" {
			header = i
		}
		if header >= 0 && i > header && len(r) >= 5 {
			names = append(names, r[1]+"|"+r[2]+"|"+r[4])
		}
	}
	want := []string{"Антонова Антонина Антоновна|Школа № 64|23.11.2026", "Биологова Анна Ивановна|Школа № 61|23.11.2026", "Формулов Иван Иванович|Школа № 63|23.11.2026"}
	if strings.Join(names, ";") != strings.Join(want, ";") {
		t.Errorf("XLSX rows %v, want %v", names, want)
	}
	if !strings.Contains(rows[0][0], "Список участников: ММО учителей биологии") {
		t.Errorf("XLSX title %q", rows[0])
	}

	press(t, leader, list, "CSV")
	doc = leader.Next(t)
	if doc.Document == nil || !strings.HasSuffix(doc.Document.Name, ".csv") {
		t.Fatalf("no CSV: %+v", doc)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(doc.Document.Bytes, []byte("\xef\xbb\xbf"))))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range records {
		if len(rec) >= 2 && rec[1] == "Формулов Иван Иванович" {
			found = true
		}
	}
	if !found {
		t.Errorf("CSV lacks a member: %v", records)
	}
	checkStore(t, h)
}

func TestArchiveAndLog(t *testing.T) {
	h := newHarness(t)
	c := h.admin()
	card := createAssociation(t, c, "ММО учителей ИЗО", "изобразительное искусство", true)
	leader := h.teacher(71, "Художникова Анна Ивановна")
	appoint(t, c, card, leader, "Художникова", "Художникова Анна Ивановна")
	payload, _ := inviteLink(t, leader)
	member := h.teacher(72, "Рисовалов Иван Иванович")
	member.Send("/start " + payload)
	next(t, member, "отправлена")
	press(t, leader, next(t, leader, "Рисовалов"), "Принять")
	next(t, leader, "принят(а)")
	next(t, member, "принята")
	cand := h.teacher(73, "Ждунов Пётр Петрович")
	cand.Send("/start " + payload)
	next(t, cand, "отправлена")
	next(t, leader, "Ждунов")

	card = openCard(t, c, "ММО учителей ИЗО")
	press(t, c, card, "Журнал")
	log := next(t, c, "Журнал «ММО учителей ИЗО»", "создал(а) объединение", "назначил(а) руководителем Художникова А. И.",
		"Рисовалов И. И. подал(а) заявку", "Художникова А. И. принял(а) Рисовалов И. И.", "Ждунов П. П. подал(а) заявку")
	_ = log

	press(t, c, card, "В архив")
	confirm := next(t, c, "Перевести «ММО учителей ИЗО» в архив?")
	press(t, c, confirm, "Да, в архив")
	archived := next(t, c, "в архиве с 23.11.2026", "Художникова Анна Ивановна (до перевода в архив)")
	if _, ok := archived.Button("Вступить"); ok {
		t.Error("an archived card offers joining")
	}
	next(t, member, "переведено координатором в архив")
	next(t, cand, "ваша заявка закрыта")
	next(t, leader, "которым вы руководили, переведено")

	c.Send("/associations")
	list := next(t, c, "Действующих: 0, формирующихся: 0")
	press(t, c, list, "Архив (1 объединение)")
	next(t, c, "Архив объединений", "ММО учителей ИЗО — с 23.11.2026")

	member.Send("/start " + payload)
	next(t, member, "отозвана")
	leader.Send("/members")
	next(t, leader, "недоступна") // leads nothing any more
	member.Send("/my")
	next(t, member, "ММО учителей ИЗО — участник, в архиве")
	checkStore(t, h)
}

func TestGrantedCoordinatorManages(t *testing.T) {
	h := newHarness(t)
	a := h.admin()
	coord := h.teacher(81, "Методистова Елена Викторовна")
	a.Send("/coordinators")
	press(t, a, next(t, a, "Координаторы"), "Назначить координатора")
	next(t, a, "часть фамилии")
	a.Send("Методистова")
	press(t, a, next(t, a, "Нашёлся 1 человек"), "Методистова")
	next(t, a, "теперь координатор")
	next(t, coord, "роль <b>координатора</b>")
	createAssociation(t, coord, "ММО учителей географии", "география", false)
	coord.Send("/my")
	next(t, coord, "управляете всеми объединениями")
	// An ordinary member cannot create one.
	m := h.teacher(82, "Обычнов Иван Иванович")
	m.Send("/newassociation")
	next(t, m, "недоступна")
}

func TestLeaderDeletesTheirData(t *testing.T) {
	h := newHarness(t)
	c := h.admin()
	card := createAssociation(t, c, "ММО учителей труда", "технология", false)
	leader := h.teacher(91, "Трудова Анна Ивановна")
	appoint(t, c, card, leader, "Трудова", "Трудова Анна Ивановна")
	leader.Send("/settings")
	press(t, leader, next(t, leader, "Ваш профиль"), "Удалить мои данные")
	press(t, leader, next(t, leader, "Удалить ваши персональные данные?"), "Да, удалить")
	next(t, leader, "данные удалены")
	next(t, c, "Руководитель объединения «ММО учителей труда» удалил свои данные")
	card = openCard(t, c, "ММО учителей труда")
	if !strings.Contains(card.Text, "не назначен") || !strings.Contains(card.Text, "0 участников") {
		t.Errorf("card after the leader left: %q", card.Text)
	}
	checkStore(t, h)
}
