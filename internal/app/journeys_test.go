package app

import (
	"testing"
)

// TestJourneyRegistration: a person registers, consenting, in either
// messenger; the consent names the messenger they use.
func TestJourneyRegistration(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		p := h.person(on, 101, "Мария")
		p.send("/start")
		expect(t, p, "Здравствуйте, Мария")
		consent := expect(t, p, "152-ФЗ", "Удалить мои данные")
		p.press(t, consent, "Согласен")
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
