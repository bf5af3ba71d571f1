package config

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// pasted is a token as @BotFather issues it (made up).
const pasted = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"

// leaks reports whether msg holds a piece of secret long enough to help
// someone guess it: any 8 characters of it in a row. The bot's id before
// the colon of a token is public (it is the bot's user id), so only what
// follows it counts.
func leaks(msg, secret string) bool {
	if _, half, ok := strings.Cut(secret, ":"); ok {
		secret = half
	}
	for i := 0; i+8 <= len(secret); i++ {
		if strings.Contains(msg, secret[i:i+8]) {
			return true
		}
	}
	return false
}

func TestErrorsHideTokens(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		environ []string
		key     string // the key the error must name
	}{
		{"token as an admin id", "", []string{"MMOBOT_ADMINS=" + pasted}, "MMOBOT_ADMINS"},
		{"token as a number", "", []string{"MMOBOT_TELEGRAM_WORKERS=" + pasted}, "MMOBOT_TELEGRAM_WORKERS"},
		{"token as a duration", "", []string{"MMOBOT_DIALOGS_IDLE_TIMEOUT= " + pasted}, "MMOBOT_DIALOGS_IDLE_TIMEOUT"},
		{"token in a list", "", []string{"MMOBOT_ADMINS=1, " + pasted + ", 2"}, "MMOBOT_ADMINS"},
		{"token as a variable name", "", []string{"MMOBOT_" + pasted + "=1"}, "unknown variable"},
		{"half a token", "", []string{"MMOBOT_ADMINS=" + pasted[:20]}, "MMOBOT_ADMINS"},
		{"only its secret half", "", []string{"MMOBOT_ADMINS=" + pasted[11:]}, "MMOBOT_ADMINS"},
		{"token in the yaml admins", "admins: [" + pasted + "]\n", nil, "admins[0]"},
		{"token as a yaml number", "telegram:\n  workers: \"" + pasted + "\"\n", nil, "telegram.workers"},
		{"token as a yaml key", "telegram:\n  " + pasted + ": x\n", nil, "line 2"},
		{"token as the time zone", "timezone: " + pasted + "\n", nil, "timezone"},
		{"token in the endpoint", "telegram:\n  api_endpoint: ftp://api.telegram.org/bot" + pasted + "/%s/%s\n", nil, "telegram.api_endpoint"},
		{"token as the log level", "", []string{"MMOBOT_LOG_LEVEL=" + pasted}, "log.level"},
		{"token as a category", "", []string{"MMOBOT_CONSULTATIONS_CATEGORIES=x," + pasted}, "consultations.categories"},
		{"token with a stray newline", "", []string{"MMOBOT_TELEGRAM_TOKEN=" + pasted + "\n"}, "telegram.token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = writeFile(t, tt.yaml)
			}
			_, err := Load(path, tt.environ)
			if err == nil {
				t.Fatal("no error")
			}
			if leaks(err.Error(), pasted) {
				t.Errorf("the error shows the token: %v", err)
			}
			if !strings.Contains(err.Error(), tt.key) {
				t.Errorf("the error does not name %s: %v", tt.key, err)
			}
		})
	}
}

func TestRedactKeepsSentinels(t *testing.T) {
	_, err := Load("", nil)
	if !errors.Is(err, ErrNoToken) {
		t.Errorf("ErrNoToken lost: %v", err)
	}
	_, err = Load("/nonexistent/"+pasted+"/config.yaml", nil)
	if !errors.Is(err, os.ErrNotExist) || leaks(err.Error(), pasted) {
		t.Errorf("missing file: %v", err)
	}
	// Ordinary values are still shown: they help.
	_, err = Load("", []string{"MMOBOT_TELEGRAM_WORKERS=many"})
	if err == nil || !strings.Contains(err.Error(), `MMOBOT_TELEGRAM_WORKERS: "many" is not an integer`) {
		t.Errorf("plain value: %v", err)
	}
}

// plant puts the pasted token where the fuzzer wrote "TOKEN".
func plant(s string) string { return strings.ReplaceAll(s, "TOKEN", pasted) }

// checkConfigError checks an error of the package: every line starts with
// "config: " or names a key, none shows a piece of the token.
func checkConfigError(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range append(secrets, pasted) {
		if len(s) >= 12 && leaks(msg, s) {
			t.Fatalf("the error shows a token: %q", msg)
		}
	}
	for _, line := range strings.Split(msg, "\n") {
		if !strings.HasPrefix(line, "config: ") && !errors.Is(err, ErrNoToken) && !keyed(line) {
			t.Errorf("an error line names no key: %q", line)
		}
	}
}

// keyed reports whether a line of a Validate error starts with a key.
func keyed(line string) bool {
	key, _, ok := strings.Cut(line, ": ")
	if !ok {
		return false
	}
	key, _, _ = strings.Cut(key, "[")
	for _, f := range envFields(configType, EnvPrefix) {
		if f.key == key || strings.HasPrefix(f.key, key+".") {
			return true
		}
	}
	return strings.HasPrefix(line, "no bot token")
}

var configType = reflect.TypeFor[Config]()

func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(example),
		"telegram:\n  token: TOKEN\n  workers: 4\nadmins: [1, 2]\n",
		"admins: [TOKEN]\n",
		"telegram:\n  workers: \"TOKEN\"\n",
		"telegram:\n  TOKEN: x\n",
		"timezone: TOKEN\n",
		"telegram:\n  api_endpoint: ftp://x/botTOKEN/%s/%s\n",
		"regulation:\n  plan_due: 13-45\n  alerts_at: 25:00\n  reminder_days: [0, 400]\n",
		"meetings:\n  reminders: [1h, 1h, 30s]\n",
		"consultations:\n  categories: [a, Абв, абв]\n",
		"- a\n- b\n", "telegram: [\n", "a: b\n---\nc: d\n", "",
		"rate_limits:\n  global_per_second: .inf\n  private_per_second: -1\n",
		"telegram:\n  poll_timeout: 1.5s\n  request_timeout: -1s\n",
		"&a [*a]", "x: &a\n  - *a\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = plant(s)
		c := Default()
		err := Parse(strings.NewReader(s), &c)
		checkConfigError(t, err, c.Telegram.Token)
		if err != nil {
			return
		}
		err = c.Validate()
		checkConfigError(t, err, c.Telegram.Token)
		if err == nil && c.Location == nil {
			t.Error("Validate passed without a location")
		}
	})
}

func FuzzApplyEnv(f *testing.F) {
	for _, kv := range [][2]string{
		{"MMOBOT_ADMINS", "TOKEN"}, {"MMOBOT_ADMINS", "1, 2, TOKEN"}, {"MMOBOT_TELEGRAM_WORKERS", "TOKEN"},
		{"MMOBOT_TELEGRAM_TOKEN", "TOKEN"}, {"MMOBOT_TELEGRAM_POLL_TIMEOUT", "30"}, {"MMOBOT_TIMEZONE", "TOKEN"},
		{"MMOBOT_TOKEN", "x"}, {"MMOBOT_TELEGRAM_TOKN", "TOKEN"}, {"MMOBOT_RATE_LIMITS_GLOBAL_PER_SECOND", "NaN"},
		{"MMOBOT_REGULATION_REMINDER_DAYS", "30,,7, 1"}, {"MMOBOT_MEETINGS_REMINDERS", "24h,1h"},
		{"MMOBOT_LOG_LEVEL", "TOKEN"}, {"MMOBOT_DATA_PATH", "/var/lib/TOKEN/mmo.db"},
	} {
		f.Add(kv[0], kv[1], "MMOBOT_TELEGRAM_TOKEN=TOKEN")
	}
	f.Fuzz(func(t *testing.T, name, value, other string) {
		environ := []string{plant(name) + "=" + plant(value), plant(other)}
		c := Default()
		before := c
		err := c.ApplyEnv(environ)
		checkConfigError(t, err, envToken(environ))
		if err != nil {
			if !reflect.DeepEqual(c, before) {
				t.Error("ApplyEnv changed the configuration and failed")
			}
			return
		}
		checkConfigError(t, c.Validate(), c.Telegram.Token)
	})
}

// TestParseErrorsAreOneLine checks a value with line breaks, which the
// YAML decoder quotes as it is: the error stays one line.
func TestParseErrorsAreOneLine(t *testing.T) {
	c := Default()
	err := Parse(strings.NewReader("timezone:\n  - \"a\\nb\"\ntelegram:\n  workers: \"1\\n2\"\n"), &c)
	if err == nil || strings.Count(err.Error(), "\n") != 1 || !strings.Contains(err.Error(), "telegram.workers") {
		t.Errorf("err = %q, want two errors on two lines", err)
	}
}
