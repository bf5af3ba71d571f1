package app

import (
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// forgetCurrent clears the association a person last chose, so that the
// next command asks again.
func forgetCurrent(t *testing.T, h *harness, p person) {
	t.Helper()
	if err := h.m.DB.Update(func(tx *boltdb.Tx) error {
		u, err := tx.UserByAccount(p.on(), p.account())
		if err != nil {
			return err
		}
		u.Current = 0
		return tx.PutUser(u)
	}); err != nil {
		t.Fatal(err)
	}
}

// associationID finds an association by name in the store.
func associationID(t *testing.T, h *harness, name string) uint64 {
	t.Helper()
	var id uint64
	h.m.DB.View(func(tx *boltdb.Tx) error {
		all, err := tx.Associations()
		for _, a := range all {
			if a.Name == name {
				id = a.ID
			}
		}
		return err
	})
	if id == 0 {
		t.Fatalf("no association %q", name)
	}
	return id
}

// TestCoordinatorChoosesAssociation: a coordinator running two
// associations is asked which one each leader's command is for, and can
// switch from the member list and the invitation.
func TestCoordinatorChoosesAssociation(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		phys := "ММО учителей физики"
		chem := "ММО учителей химии"
		createAs(t, c, phys, "физика", false)

		// The second one from the catalog's button.
		c.send("/associations")
		list := expect(t, c, "Действующих: 0, формирующихся: 1", phys)
		c.press(t, list, "Создать объединение")
		expect(t, c, "Новое объединение")
		c.send(chem)
		expect(t, c, "Предмет или направление")
		c.send("химия")
		expect(t, c, "Коротко опишите")
		c.send("-")
		c.press(t, expect(t, c, "Как вступать"), "Свободно")
		expect(t, c, "Объединение «"+chem+"» создано")
		card := expect(t, c, "<b>"+chem+"</b>", "Предмет или направление: химия")
		// Back from the card to the catalog, in place.
		c.press(t, card, "⬅️ Все объединения")
		catalog := expect(t, c, "Действующих: 0, формирующихся: 2", phys, chem)
		if catalog.id != card.id {
			t.Error("the catalog did not replace the card")
		}
		hasAll(t, "the catalog", catalog, phys, chem, "➕ Создать объединение")

		for _, tc := range []struct {
			command, pick, want string
			inPlace             bool
		}{
			{"/invite", chem, "У «" + chem + "» сейчас нет действующей ссылки-приглашения.", true},
			{"/newevent", phys, "<b>Новое мероприятие</b> «" + phys + "». Выберите формат.", false},
			{"/plan", chem, "<b>План работы «" + chem + "» на 2026/2027 учебный год</b>", true},
			{"/report", phys, "<b>Отчёт «" + phys + "» за 2026/2027 учебный год</b>", true},
		} {
			t.Run(strings.TrimPrefix(tc.command, "/"), func(t *testing.T) {
				forgetCurrent(t, h, c)
				c.send(tc.command)
				choose := expect(t, c, "Какое объединение открыть?")
				if !choose.has(phys) || !choose.has(chem) || len(choose.buttons) != 2 {
					t.Fatalf("chooser buttons %v", choose.buttons)
				}
				c.press(t, choose, tc.pick)
				got := expect(t, c, tc.want)
				if (got.id == choose.id) != tc.inPlace {
					t.Errorf("in place %v, want %v: %q", got.id == choose.id, tc.inPlace, got.text)
				}
				if u := h.stored(c); u.Current != associationID(t, h, tc.pick) {
					t.Errorf("the choice was not remembered: current %d", u.Current)
				}
				// Remembered: the command goes straight to it.
				c.send(tc.command)
				expect(t, c, tc.want)
			})
		}
		if d := h.dialogOf(c); d != nil {
			t.Errorf("a form left open: %+v", d) // the later commands abandoned /newevent's
		}

		// Switching from the invitation and from the member list.
		c.send("/invite")
		inv := expect(t, c, "У «"+phys+"» сейчас нет действующей ссылки")
		c.press(t, inv, "🔁 Другое объединение")
		choose := expect(t, c, "Какое объединение открыть?")
		if choose.id != inv.id {
			t.Error("the chooser did not replace the invitation")
		}
		c.press(t, choose, chem)
		expect(t, c, "У «"+chem+"» сейчас нет действующей ссылки")
		c.send("/members")
		members := expect(t, c, "Участники «"+chem+"»", "В объединении пока нет участников")
		c.press(t, members, "🔁 Другое объединение")
		c.press(t, expect(t, c, "Какое объединение открыть?"), phys)
		if m := expect(t, c, "Участники «"+phys+"»"); m.id != members.id {
			t.Error("the other list did not open in place")
		}
		if u := h.stored(c); u.Current != associationID(t, h, phys) {
			t.Errorf("the switch was not remembered: current %d", u.Current)
		}
	})
}

// TestMembersPaging: more than ten members take two pages, opened from the
// association's card.
func TestMembersPaging(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeamNamed(t, h, on, "Антонова Анна Антоновна", "Борисов Борис Борисович", "Васильева Вера Васильевна",
			"Григорьев Гордей Гордеевич", "Дмитриева Дарья Дмитриевна", "Егоров Егор Егорович", "Жукова Жанна Игоревна",
			"Зайцев Захар Захарович", "Иванова Ирина Ивановна", "Козлов Кирилл Кириллович", "Морозова Марина Михайловна")
		leader := tm.leader
		card := cardOf(t, leader, "ММО учителей математики")
		leader.press(t, card, "👥 Участники")
		p1 := expect(t, leader, "<b>Участники «ММО учителей математики»</b> — 12 участников (стр. 1 из 2)",
			"1. Антонова Анна Антоновна — Школа № 10, учитель, с 23.11.2026", "10. Козлов Кирилл Кириллович")
		if p1.id != card.id {
			t.Error("the list did not open in place of the card")
		}
		if strings.Contains(p1.text, "11. ") || strings.Contains(p1.text, "Морозова") || strings.Contains(p1.text, "Лидерова") {
			t.Errorf("page 1 shows page 2: %q", p1.text)
		}
		removes := 0
		for _, b := range p1.buttons {
			if strings.HasPrefix(b, "✖️") {
				removes++
			}
		}
		if removes != 10 {
			t.Errorf("page 1 has %d remove buttons: %v", removes, p1.buttons)
		}
		if p1.has("◀") {
			t.Error("page 1 offers going back")
		}
		if p1.has("🔁 Другое объединение") {
			t.Error("a leader of one association is offered another")
		}

		leader.press(t, p1, "▶")
		p2 := expect(t, leader, "(стр. 2 из 2)", "11. Лидерова Ольга Ивановна — Школа № 1, учитель, с 23.11.2026 (руководитель)",
			"12. Морозова Марина Михайловна")
		if p2.id != card.id || strings.Contains(p2.text, "Антонова") || strings.Contains(p2.text, "10. ") {
			t.Errorf("page 2: %q", p2.text)
		}
		if p2.has("▶") {
			t.Error("the last page offers a next one")
		}
		for _, b := range []string{"◀", "✖️ 12. Морозова М. М.", "Список XLSX", "⬅️ К объединению"} {
			if !p2.has(b) {
				t.Errorf("page 2 lacks %q: %v", b, p2.buttons)
			}
		}
		if p2.has("✖️ 11.") {
			t.Errorf("the leader can be removed: %v", p2.buttons)
		}
		// The buttons of page 2 are about the people on it.
		leader.press(t, p2, "✖️ 12. Морозова М. М.")
		expect(t, leader, "Исключить Морозова Марина Михайловна из «ММО учителей математики»?")
		leader.send("/cancel")
		expect(t, leader, "Отменено")

		leader.press(t, p2, "◀")
		expect(t, leader, "(стр. 1 из 2)", "1. Антонова Анна Антоновна")
		leader.press(t, p2, "⬅️ К объединению")
		expect(t, leader, "<b>ММО учителей математики</b>", "12 участников", "Вы руководите этим объединением")
		uid := h.stored(tm.members[10]).ID
		h.m.DB.View(func(tx *boltdb.Tx) error {
			m, err := tx.Membership(1, uid)
			if err != nil || m.State != mmo.MemberActive {
				t.Errorf("the cancelled removal removed: %+v, %v", m, err)
			}
			return nil
		})
	})
}
