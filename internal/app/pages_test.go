package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// manyAssociations stores n live associations, «Объединение 001» on, and
// archived ones, «Архивное 001» on: a region's worth of lists for a
// coordinator, who runs them all.
func manyAssociations(t *testing.T, h *harness, n, archived int) {
	t.Helper()
	if err := h.m.DB.Update(func(tx *boltdb.Tx) error {
		for i := 1; i <= n+archived; i++ {
			a := &mmo.Association{Name: fmt.Sprintf("Объединение %03d", i), Subject: "предмет", Policy: mmo.PolicyOpen, CreatedBy: adminID}
			if i > n {
				a.Name = fmt.Sprintf("Архивное %03d", i-n)
				a.ArchivedAt = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
			}
			if err := tx.CreateAssociation(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// fewButtons fails unless m has at most a page of associations and its
// controls: every list of associations would otherwise be refused in a
// region (Telegram takes at most 100 buttons).
func fewButtons(t *testing.T, p person, m msg) {
	t.Helper()
	if len(m.buttons) > 30 {
		t.Fatalf("%s: %d buttons on %q", p.on(), len(m.buttons), m.text)
	}
}

// TestAssociationListsArePaged walks a coordinator of 130 associations
// (and 25 archived) through every list that offers each as a button: the
// catalogue, its archive, the choice for a command, for the registers,
// and the audience of an announcement and of a survey. Each is drawn a
// page of 20 at a time and turns with ◀ ▶; whole, each was refused.
func TestAssociationListsArePaged(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		manyAssociations(t, h, 130, 25)

		// The catalogue: counts of all, a page of them.
		c.send("/associations")
		cat := expect(t, c, "Действующих: 0, формирующихся: 130", "(стр. 1 из 7)", "Объединение 001", "Объединение 020")
		fewButtons(t, c, cat)
		if strings.Contains(cat.text, "Объединение 021") || !cat.has("Объединение 020") || cat.has("Объединение 021") || cat.has("◀") {
			t.Fatalf("%s: the first page: %q %q", on, cat.text, cat.buttons)
		}
		c.press(t, cat, "▶")
		cat = expect(t, c, "(стр. 2 из 7)", "Объединение 021", "Объединение 040")
		fewButtons(t, c, cat)
		c.press(t, cat, "▶")
		cat = expect(t, c, "(стр. 3 из 7)", "Объединение 041")
		c.press(t, cat, "◀")
		cat = expect(t, c, "(стр. 2 из 7)", "Объединение 021")
		c.press(t, cat, "Объединение 033")
		expect(t, c, "Объединение 033")

		// The archive, from the catalogue's button.
		c.send("/associations")
		cat = expect(t, c, "(стр. 1 из 7)")
		c.press(t, cat, "Архив (25")
		arc := expect(t, c, "Архив объединений", "(стр. 1 из 2)", "Архивное 001", "Архивное 020")
		fewButtons(t, c, arc)
		c.press(t, arc, "▶")
		arc = expect(t, c, "(стр. 2 из 2)", "Архивное 021", "Архивное 025")
		if arc.has("▶") || strings.Contains(arc.text, "Архивное 020") {
			t.Fatalf("%s: the archive's last page: %q %q", on, arc.text, arc.buttons)
		}

		// A command on one association: which, a page at a time.
		forgetCurrent(t, h, c)
		c.send("/members")
		pick := expect(t, c, "Какое объединение открыть?", "(стр. 1 из 7)")
		fewButtons(t, c, pick)
		c.press(t, pick, "▶")
		pick = expect(t, c, "(стр. 2 из 7)")
		c.press(t, pick, "Объединение 025")
		expect(t, c, "Объединение 025")

		// The registers of any association.
		c.send("/registers")
		reg := expect(t, c, "Реестры какого объединения открыть?", "(стр. 1 из 7)")
		fewButtons(t, c, reg)
		for range 6 {
			c.press(t, reg, "▶")
			reg = expect(t, c, "Реестры какого объединения открыть?")
		}
		if !strings.Contains(reg.text, "(стр. 7 из 7)") || !reg.has("Объединение 130") || reg.has("▶") {
			t.Fatalf("%s: the registers' last page: %q %q", on, reg.text, reg.buttons)
		}
		c.press(t, reg, "Объединение 130")
		expect(t, c, "Объединение 130")

		// An announcement's audience: ticks on another page stay, and are
		// counted while out of sight.
		c.send("/announce")
		expect(t, c, "Текст объявления?")
		c.send("Совещание руководителей ММО в пятницу.")
		c.press(t, expect(t, c, "Добавьте ссылку"), "Готово")
		expect(t, c, "Файлов: 0 файлов")
		aud := expect(t, c, "Кому отправить объявление", "(стр. 1 из 7)")
		fewButtons(t, c, aud)
		c.press(t, aud, "Объединение 002")
		aud = expect(t, c, "(стр. 1 из 7)", "Отмечено: 1 объединение.")
		c.press(t, aud, "▶")
		aud = expect(t, c, "(стр. 2 из 7)", "Отмечено: 1 объединение.")
		c.press(t, aud, "Объединение 022")
		aud = expect(t, c, "(стр. 2 из 7)", "Отмечено: 2 объединения.")
		if !aud.has("✅ Объединение 022") || !aud.has("▫️ Объединение 023") {
			t.Fatalf("%s: the tick on page 2: %q", on, aud.buttons)
		}
		c.press(t, aud, "◀")
		aud = expect(t, c, "(стр. 1 из 7)")
		if !aud.has("✅ Объединение 002") {
			t.Fatalf("%s: the tick on page 1 was lost: %q", on, aud.buttons)
		}
		c.press(t, aud, "Далее")
		expect(t, c, "Получатели: «Объединение 002», «Объединение 022»")
		expect(t, c, "Совещание руководителей ММО")

		// A survey's audience, the same picker.
		c.send("/cancel")
		expect(t, c, "")
		c.send("/survey")
		c.press(t, expect(t, c, "Анкеты"), "Шаблон: профессиональные затруднения")
		expect(t, c, "Шаблон выбран")
		c.press(t, expect(t, c, "Анкета анонимная или с именами?"), "Анонимная")
		expect(t, c, "Анкета анонимная")
		aud = expect(t, c, "Кому отправить анкету?", "(стр. 1 из 7)")
		fewButtons(t, c, aud)
		c.press(t, aud, "▶")
		aud = expect(t, c, "Кому отправить анкету?", "(стр. 2 из 7)")
		c.press(t, aud, "Объединение 030")
		aud = expect(t, c, "(стр. 2 из 7)", "Отмечено: 1 объединение.")
		c.press(t, aud, "Далее")
		expect(t, c, "Получатели: «Объединение 030».")
	})
}
