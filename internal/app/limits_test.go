package app

import (
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

func TestDefaultMenusPerLanguage(t *testing.T) {
	h := newHarness(t)
	u := h.user(1001, "Мария")
	u.Send("/help")
	next(t, u, "/start")
	h.srv.Settle(t)
	ru := h.srv.Commands("all_private_chats", "")
	en := h.srv.Commands("all_private_chats", "en")
	if len(ru) == 0 || len(en) != len(ru) {
		t.Fatalf("menus: ru %v, en %v", ru, en)
	}
	if !strings.Contains(describe(ru, "help"), "бот") || !strings.Contains(describe(en, "help"), "bot") {
		t.Errorf("menu descriptions not localized: ru %v, en %v", ru, en)
	}
	for _, c := range ru {
		if c.Command == "coordinators" {
			t.Error("the default menu shows an admin command")
		}
	}
}

// TestKeepsTelegramLimits runs a registration against a server that
// answers 429 to anything beyond one message a second to a chat, with the
// default per-chat limit of the config: the bot must not provoke one.
func TestKeepsTelegramLimits(t *testing.T) {
	srv := telegramtest.NewServer(t)
	srv.EnforceLimits(telegramtest.Limits{Global: 30, PerChat: 1})
	h := &harness{t: t, srv: srv, cfg: testConfig(t, srv), clock: &clock{t: time.Now()}, logs: &telegramtest.LogBuffer{}}
	h.cfg.Limits.PrivatePerSecond = 1
	h.cfg.Limits.PrivateBurst = 1
	h.cfg.Limits.GlobalPerSecond = 30
	h.start()
	t.Cleanup(h.stop)
	srv.SetWaitTimeout(20 * time.Second)
	u := h.user(1002, "Мария")
	h.register(u, "Иванова Мария Петровна", "Лицей № 1", "учитель химии")
	if st := srv.Stats(); st.TooMany != 0 {
		t.Errorf("the bot provoked %d answers 429", st.TooMany)
	}
}

// describe returns the description of a command in a menu.
func describe(menu []telegramtest.BotCommand, command string) string {
	for _, c := range menu {
		if c.Command == command {
			return c.Description
		}
	}
	return ""
}
