package app

import (
	"strconv"
	"strings"
	"testing"
)

func TestRoleGatedCommands(t *testing.T) {
	h := newHarness(t)
	guest := h.user(301, "Гость")
	guest.Send("/settings")
	next(t, guest, "Сначала зарегистрируйтесь")
	guest.Send("/coordinators")
	next(t, guest, "Сначала зарегистрируйтесь")
	guest.Send("/help")
	next(t, guest, "отправьте /start")

	member := h.user(302, "Мария")
	h.register(member, "Иванова Мария Петровна", "Лицей № 1", "учитель химии")
	member.Send("/coordinators")
	next(t, member, "недоступна")
	member.Send("/whatever")
	next(t, member, "Не знаю такой команды")
	member.Send("привет")
	if m := next(t, member, "Не понял сообщение", "Главное"); len(m.Buttons()) == 0 {
		t.Errorf("no way on from text not understood: %q", m.Text)
	}
}

func TestCoordinatorGrantAndRevoke(t *testing.T) {
	h := newHarness(t)
	admin := h.user(adminID, "Админ")
	h.register(admin, "Админов Алексей Петрович", "Методический центр", "методист")
	teacher := h.user(401, "Мария")
	h.register(teacher, "Иванова Мария Петровна", "Лицей № 1", "учитель химии")
	other := h.user(402, "Пётр")
	h.register(other, "Иванов Пётр Сергеевич", "Школа № 2", "учитель физики")

	admin.Send("/help")
	if m := next(t, admin, "администратор", "/coordinators"); len(m.Buttons()) == 0 {
		t.Errorf("the admin's home has no buttons: %q", m.Text)
	} else if _, ok := m.Button("Ждут решения"); !ok {
		t.Errorf("the admin's home lacks documents waiting: %v", m.Buttons())
	}
	admin.Send("/coordinators")
	list := next(t, admin, "Координаторы", "(0 человек)")
	press(t, admin, list, "Назначить координатора")
	next(t, admin, "часть фамилии")
	admin.Send("я")
	next(t, admin, "от 2 символов")
	admin.Send("Сидоров")
	next(t, admin, "Никого не нашлось")
	admin.Send("иванов")
	found := next(t, admin, "Нашлось 2 человека")
	if len(found.Buttons()) != 3 { // and «✖ Отмена»
		t.Fatalf("found buttons: %v", found.Buttons())
	}
	press(t, admin, found, "Иванова Мария Петровна")
	next(t, admin, "Иванова Мария Петровна теперь координатор")
	next(t, teacher, "роль <b>координатора</b>")

	got, _ := h.storedUser(401)
	if !got.Coordinator {
		t.Fatal("the role was not stored")
	}
	teacher.Send("/help")
	next(t, teacher, "координатор")
	h.srv.Settle(t)
	if cmds := h.srv.ChatCommands(401); len(cmds) == 0 {
		t.Error("the new coordinator's menu was not set")
	}

	// Pressing the same result again: already a coordinator, nothing changes.
	if a := press(t, admin, found, "Иванова Мария Петровна"); !strings.Contains(a.Text, "уже координатор") {
		t.Errorf("second grant answer %+v", a)
	}

	// A member replaying the admin's button data is refused: the data is
	// signed for the admin's chat, and the member is no admin anyway.
	b, _ := found.Button("Иванов Пётр Сергеевич")
	id := other.PressData(found.ID, b.Data)
	if a := other.Answer(t, id); !a.ShowAlert || !strings.Contains(a.Text, "устарела") {
		t.Errorf("replayed admin button: %+v", a)
	}
	if got, _ := h.storedUser(402); got.Coordinator {
		t.Fatal("a forged button granted a role")
	}

	// Revoke, with a confirmation.
	admin.Send("/coordinators")
	list = next(t, admin, "(1 человек)", "Иванова Мария Петровна")
	press(t, admin, list, "Снять: Иванова Мария Петровна")
	confirm := next(t, admin, "Снять роль координатора")
	press(t, admin, confirm, "Нет")
	next(t, admin, "(1 человек)")
	press(t, admin, list, "Снять: Иванова Мария Петровна")
	confirm = next(t, admin, "Снять роль координатора")
	press(t, admin, confirm, "Да, снять")
	next(t, admin, "(0 человек)")
	next(t, teacher, "снята")
	if got, _ := h.storedUser(401); got.Coordinator {
		t.Error("the role was not revoked")
	}
	log, _ := h.m.DB.AuditLog(h.uid(401))
	if len(log) != 2 || log[0].Action != "coordinator.grant" || log[1].Action != "coordinator.revoke" || log[0].Actor != h.uid(adminID) {
		t.Errorf("audit = %+v", log)
	}
}

func TestForgedCallbacks(t *testing.T) {
	h := newHarness(t)
	u := h.user(501, "Мария")
	h.register(u, "Иванова Мария Петровна", "Лицей № 1", "учитель химии")
	u.Send("/settings")
	s := next(t, u, "Ваш профиль")
	b, _ := s.Button("English")

	forged := []string{
		"1:cs:501:AAAAAAAA", // grant self the coordinator role, bad signature
		"1:cs:501",          // unsigned
		strings.Replace(b.Data, ":en:", ":xx:", 1), // tampered argument
		"garbage",                           // not ours at all
		"",                                  // empty
		"0:lg:en:" + b.Data[len(b.Data)-8:], // old version
		"1:zz:" + strconv.Itoa(501) + ":" + "abcdefgh", // unknown verb
	}
	for _, data := range forged {
		id := u.PressData(s.ID, data)
		a := u.Answer(t, id)
		if !a.ShowAlert || !strings.Contains(a.Text, "устарела") {
			t.Errorf("forged %q answered %+v", data, a)
		}
	}
	h.quiet()
	got, _ := h.storedUser(501)
	if got.Coordinator || got.Lang != "" {
		t.Errorf("forged data changed the user: %+v", got)
	}
	if extra := u.Drain(); len(extra) != 0 {
		t.Errorf("forged data produced messages: %v", extra)
	}
}

// TestBlockAndReturn: a person who stops the bot is marked blocked, and
// active again on return, in either messenger.
func TestBlockAndReturn(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 601, "Мария")
		enrol(t, u, "Иванова Мария Петровна", "Лицей № 1", "учитель химии")
		u.block()
		h.settle()
		if !h.stored(u).Blocked {
			t.Fatal("stopping the bot did not mark the user blocked")
		}
		u.unblock()
		h.settle()
		if h.stored(u).Blocked {
			t.Fatal("starting the bot again did not mark the user active")
		}
	})
}

// TestBlockedBySendError: a person stops the bot, but the update telling
// so never comes: the bot learns it from the refusal of its next message
// to them (403 in Telegram, chat.denied in MAX).
func TestBlockedBySendError(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		admin := adminOn(t, h, on)
		u := h.person(on, 602, "Мария")
		enrol(t, u, "Иванова Мария Петровна", "Лицей № 1", "учитель химии")

		u.blockUnseen()
		admin.send("/coordinators")
		admin.press(t, expect(t, admin, "Координаторы"), "Назначить координатора")
		expect(t, admin, "часть фамилии")
		admin.send("Иванова")
		admin.press(t, expect(t, admin, "Нашёлся 1 человек"), "Иванова Мария Петровна")
		expect(t, admin, "теперь координатор")
		h.settle()
		if !h.stored(u).Blocked {
			t.Error("a refused message did not mark the user blocked")
		}
	})
}

func TestGroupChat(t *testing.T) {
	h := newHarness(t)
	u := h.user(701, "Мария")
	g := h.srv.NewGroup(-100123, "ММО учителей химии")
	g.Send(u, "/start@mmo_test_bot")
	m := g.Next(t)
	if !strings.Contains(m.Text, "личной переписке") {
		t.Errorf("group answer %q", m.Text)
	}
	if b, ok := m.Button("Открыть чат"); !ok || !strings.HasPrefix(b.URL, "https://t.me/") {
		t.Errorf("no link to the private chat: %v", m.Buttons())
	}
	g.Send(u, "просто разговор")
	h.quiet()
	if extra := g.Drain(); len(extra) != 0 {
		t.Errorf("the bot answered plain group chatter: %v", extra)
	}
}

func TestDeepLinks(t *testing.T) {
	h := newHarness(t)
	// A newcomer with a link is registered first, then the link is opened.
	u := h.user(801, "Мария")
	u.Send("/start zz_unknown-kind")
	next(t, u, "Здравствуйте")
	press(t, u, next(t, u, "152-ФЗ"), "Даю согласие")
	next(t, u, "Согласие получено")
	next(t, u, "Шаг 1 из 3")
	u.Send("Иванова Мария Петровна")
	next(t, u, "Шаг 2 из 3")
	u.Send("Лицей № 1")
	next(t, u, "Шаг 3 из 3")
	u.Send("учитель химии")
	next(t, u, "вы зарегистрированы")
	next(t, u, "Ссылка недействительна")

	for _, payload := range []string{"j_" + strings.Repeat("x", 80), "bad%20chars", "x"} {
		u.Send("/start " + payload)
		next(t, u, "Ссылка недействительна")
	}
}
