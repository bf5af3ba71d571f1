package config

import (
	"strings"
	"testing"
)

// tg is the administrators of Telegram ids.
func tg(ids ...int64) []Admin {
	out := []Admin{}
	for _, id := range ids {
		out = append(out, TelegramAdmin(id))
	}
	return out
}

func TestAdminsByAccount(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		want []Admin
		err  string
	}{
		{"admins: [123]\n", tg(123), ""},
		{"admins: [\"telegram:123\", \"max:456\"]\n", []Admin{TelegramAdmin(123), {Messenger: MessengerMax, ID: 456}}, ""},
		{"admins: [\"icq:1\"]\n", nil, "want telegram:<id>, max:<id> or a Telegram id"},
	} {
		c := Default()
		err := Parse(strings.NewReader(tc.yaml), &c)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.yaml, err)
		}
		if len(c.Admins) != len(tc.want) {
			t.Fatalf("%q: admins %v, want %v", tc.yaml, c.Admins, tc.want)
		}
		for i := range tc.want {
			if c.Admins[i] != tc.want[i] {
				t.Errorf("%q: admins %v, want %v", tc.yaml, c.Admins, tc.want)
			}
		}
	}
	c := Default()
	if err := c.ApplyEnv([]string{"MMOBOT_ADMINS=7, max:8"}); err != nil {
		t.Fatal(err)
	}
	if len(c.Admins) != 2 || c.Admins[0] != TelegramAdmin(7) || c.Admins[1] != (Admin{MessengerMax, 8}) {
		t.Errorf("env admins %v", c.Admins)
	}
}

func TestMaxTokenAloneIsEnough(t *testing.T) {
	c := Default()
	c.Max.Token = "max-token-1"
	if err := c.Validate(); err != nil {
		t.Fatalf("MAX token alone: %v", err)
	}
	c = Default()
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "@BotFather") || !strings.Contains(err.Error(), "@MasterBot") {
		t.Fatalf("no token: %v, want both places named", err)
	}
	if _, err := LoadWithoutToken("", []string{"MMOBOT_MAX_TOKEN=abc-secret-token"}); err != nil {
		t.Fatal(err)
	}
	c, err = Load("", []string{"MMOBOT_MAX_TOKEN=abc-secret-token"})
	if err != nil || c.Max.Token != "abc-secret-token" {
		t.Fatalf("MMOBOT_MAX_TOKEN: %v %q", err, c.Max.Token)
	}
}
