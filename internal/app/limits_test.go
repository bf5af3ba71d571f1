package app

import (
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/config"
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
	h.passOverDoneQuestions()
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

// TestUserUpdateLimitFromConfig: rate_limits.user_updates reaches the
// bot: of ten messages within the window, three are answered, then one
// notice in the user's language, and nothing for the rest.
func TestUserUpdateLimitFromConfig(t *testing.T) {
	h := newHarnessWith(t, func(c *config.Config) { c.Limits.UserUpdates, c.Limits.UserWindow = 3, time.Minute })
	u := h.user(1003, "Мария")
	var last int
	for range 10 {
		last = u.Send("/help")
	}
	h.srv.WaitConfirmed(t, last)
	h.srv.Settle(t)
	got := u.Drain()
	if len(got) != 4 || !strings.Contains(got[2].Text, "/start") || !strings.Contains(got[3].Text, "Слишком много сообщений подряд") {
		t.Fatalf("got %d messages %v, want three answers and the notice", len(got), got)
	}
	h.clock.Add(time.Minute)
	u.Send("/help")
	next(t, u, "/start")
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
