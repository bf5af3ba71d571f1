package app

import (
	"strings"
	"testing"
)

// TestHomeNewcomerFindsAssociations: a teacher just registered and in no
// association is led to the catalogue by a button — from the home screen,
// from «Мои объединения» and from «Задать вопрос» — not only told to type
// /associations.
func TestHomeNewcomerFindsAssociations(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		newTeam(t, h, on)
		u := teacherOn(t, h, on, 41, "Новенькая Нина Петровна")

		u.send("/start")
		home := expect(t, u, "Главное", "найдите своё в каталоге")
		if strings.Contains(home.text, "«Мои объединения»") {
			t.Errorf("home points to «Мои объединения», which lists nothing: %q", home.text)
		}
		hasAll(t, "a newcomer's home", home, "🔎 Найти своё объединение")
		u.press(t, home, "🔎 Найти своё объединение")
		expect(t, u, "ММО учителей математики")

		u.press(t, home, "👥 Мои объединения")
		none := expect(t, u, "ни в одном объединении")
		u.press(t, none, "🔎 Найти своё объединение")
		expect(t, u, "ММО учителей математики")

		u.press(t, home, "❓ Задать вопрос")
		ask := expect(t, u, "Вступите в своё")
		u.press(t, ask, "🔎 Найти своё объединение")
		expect(t, u, "ММО учителей математики")
	})
}
