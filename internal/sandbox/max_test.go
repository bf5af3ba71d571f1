package sandbox

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMaxPersona: a persona on MAX beside the Telegram cast registers
// through the page, joins a demo association by its leader's link in
// MAX, and gets the leader's news in MAX.
func TestMaxPersona(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.db")
	t.Run("first run", func(t *testing.T) { maxPersonaJoins(t, path) })
	// Another run on the same database: the fake MAX server numbers its
	// updates afresh, and the persona is still known and answered.
	t.Run("next run", func(t *testing.T) {
		_, c := startSandbox(t, path, true)
		if p := c.persona(OnMax); !p.Registered {
			t.Fatalf("after a restart: %+v", p)
		}
		c.send(OnMax, "/my")
		c.waitBot(OnMax, "ММО учителей математики")
	})
}

func maxPersonaJoins(t *testing.T, path string) {
	_, c := startSandbox(t, path, true)
	p := c.persona(OnMax)
	if p.Messenger != "max" || p.Registered {
		t.Fatalf("the MAX persona: %+v", p)
	}
	c.send(OnMax, "/start")
	consent := c.waitBot(OnMax, "152-ФЗ")
	if !strings.Contains(plain(consent), "идентификатора в MAX") {
		t.Errorf("the consent does not name MAX: %q", plain(consent))
	}
	c.register(OnMax, "Сергеева Алина Павловна", "МБОУ «СОШ № 19»", "учитель математики")
	if p := c.persona(OnMax); !p.Registered || p.Role != "member" {
		t.Fatalf("after registration: %+v", p)
	}

	// The leader, on Telegram, gives the MAX link of the invitation.
	c.send(LeaderMath, "/invite")
	view := c.waitBot(LeaderMath, "Приглашение в")
	if b, ok := findButton(view, "Создать ссылку"); ok && b.Data != "" {
		c.press(LeaderMath, view, "Создать ссылку")
		view = c.waitBot(LeaderMath, "Приглашение в")
	}
	i := strings.Index(plain(view), "https://max.ru/"+BotUsername+"/start/")
	if i < 0 {
		t.Fatalf("no MAX link in the invitation: %q", plain(view))
	}
	payload := strings.Fields(plain(view)[i+len("https://max.ru/"+BotUsername+"/start/"):])[0]
	c.post("/api/deeplink", map[string]any{"persona": OnMax, "payload": payload}, nil)
	c.waitBot(OnMax, "Добро пожаловать")
	c.waitBot(LeaderMath, "вступил(а)", "Сергеева")
}

// findButton finds a button of an item by label.
func findButton(it ItemJSON, label string) (ButtonJSON, bool) {
	for _, row := range it.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return b, true
			}
		}
	}
	return ButtonJSON{}, false
}
