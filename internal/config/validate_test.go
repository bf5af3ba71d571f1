package config

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string // the only error line; "" means valid
	}{
		{"defaults with token", func(c *Config) {}, ""},

		// telegram.token
		{"token with newline", func(c *Config) { c.Telegram.Token = testToken + "\n" },
			"telegram.token: must not contain spaces or line breaks (check for a stray newline when pasting it)"},
		{"token with space", func(c *Config) { c.Telegram.Token = "12 34" },
			"telegram.token: must not contain spaces or line breaks (check for a stray newline when pasting it)"},
		{"token with slash", func(c *Config) { c.Telegram.Token = "123/abc" },
			`telegram.token: must not contain "/", "?", "#" or "%"; a @BotFather token looks like 123456789:AAF...`},

		// telegram.api_endpoint
		{"endpoint local server", func(c *Config) { c.Telegram.APIEndpoint = "http://127.0.0.1:8081/bot%s/%s" }, ""},
		{"endpoint with literal percent", func(c *Config) { c.Telegram.APIEndpoint = "https://h/a%%20b/bot%s/%s" }, ""},
		{"endpoint one verb", func(c *Config) { c.Telegram.APIEndpoint = "https://api.telegram.org/bot%s" },
			"telegram.api_endpoint: must contain two %s (token, then method), got 1"},
		{"endpoint three verbs", func(c *Config) { c.Telegram.APIEndpoint = "https://h/%s/%s/%s" },
			"telegram.api_endpoint: must contain two %s (token, then method), got 3"},
		{"endpoint no verbs", func(c *Config) { c.Telegram.APIEndpoint = "https://api.telegram.org/" },
			"telegram.api_endpoint: must contain two %s (token, then method), got 0"},
		{"endpoint empty", func(c *Config) { c.Telegram.APIEndpoint = "" },
			"telegram.api_endpoint: must contain two %s (token, then method), got 0"},
		{"endpoint other verb", func(c *Config) { c.Telegram.APIEndpoint = "https://h/bot%d/%s" },
			`telegram.api_endpoint: only %s placeholders are allowed (write %% for a literal "%"), found "%d"`},
		{"endpoint trailing percent", func(c *Config) { c.Telegram.APIEndpoint = "https://h/bot%s/%s%" },
			`telegram.api_endpoint: only %s placeholders are allowed (write %% for a literal "%"), found "%"`},
		{"endpoint ftp", func(c *Config) { c.Telegram.APIEndpoint = "ftp://h/bot%s/%s" },
			`telegram.api_endpoint: must be an http or https URL, got "ftp://h/bot%s/%s"`},
		{"endpoint not absolute", func(c *Config) { c.Telegram.APIEndpoint = "api.telegram.org/bot%s/%s" },
			`telegram.api_endpoint: must be an http or https URL, got "api.telegram.org/bot%s/%s"`},
		{"endpoint no host", func(c *Config) { c.Telegram.APIEndpoint = "https:///bot%s/%s" },
			`telegram.api_endpoint: must include a host, got "https:///bot%s/%s"`},
		{"endpoint unparsable", func(c *Config) { c.Telegram.APIEndpoint = "http://h:port/%s/%s" },
			`telegram.api_endpoint: not a valid URL: parse "http://h:port/TOKEN/getMe": invalid port ":port" after host`},

		// telegram.poll_timeout
		{"poll timeout zero", func(c *Config) { c.Telegram.PollTimeout = 0 }, ""},
		{"poll timeout max", func(c *Config) { c.Telegram.PollTimeout = 50 * time.Second }, ""},
		{"poll timeout too long", func(c *Config) { c.Telegram.PollTimeout = 51 * time.Second },
			"telegram.poll_timeout: must be between 0s and 50s, got 51s"},
		{"poll timeout negative", func(c *Config) { c.Telegram.PollTimeout = -time.Second },
			"telegram.poll_timeout: must be between 0s and 50s, got -1s"},
		{"poll timeout fraction", func(c *Config) { c.Telegram.PollTimeout = 1500 * time.Millisecond },
			"telegram.poll_timeout: must be a whole number of seconds, got 1.5s"},

		// telegram.request_timeout
		{"request timeout zero", func(c *Config) { c.Telegram.RequestTimeout = 0 },
			"telegram.request_timeout: must be positive, got 0s"},
		{"request timeout negative", func(c *Config) { c.Telegram.RequestTimeout = -time.Second },
			"telegram.request_timeout: must be positive, got -1s"},
		{"request timeout small", func(c *Config) { c.Telegram.RequestTimeout = time.Millisecond }, ""},

		// telegram.workers
		{"workers min", func(c *Config) { c.Telegram.Workers = 1 }, ""},
		{"workers max", func(c *Config) { c.Telegram.Workers = 256 }, ""},
		{"workers zero", func(c *Config) { c.Telegram.Workers = 0 },
			"telegram.workers: must be between 1 and 256, got 0"},
		{"workers too many", func(c *Config) { c.Telegram.Workers = 257 },
			"telegram.workers: must be between 1 and 256, got 257"},

		// admins
		{"admins positive", func(c *Config) { c.Admins = tg(1, 9007199254740993) }, ""},
		{"admins nil", func(c *Config) { c.Admins = nil }, ""},
		{"admin zero", func(c *Config) { c.Admins = tg(5, 0) },
			"admins[1]: must be a positive user id, got 0"},
		{"admin negative", func(c *Config) { c.Admins = tg(-100123) },
			"admins[0]: must be a positive user id, got -100123"},

		// timezone
		{"timezone UTC", func(c *Config) { c.Timezone = "UTC" }, ""},
		{"timezone typo", func(c *Config) { c.Timezone = "Europe/Moskow" },
			`timezone: unknown time zone "Europe/Moskow"`},
		{"timezone empty", func(c *Config) { c.Timezone = "" },
			`timezone: must not be empty; use an IANA name such as "Europe/Moscow"`},
		{"timezone Local", func(c *Config) { c.Timezone = "Local" },
			`timezone: "Local" depends on the host; use an IANA name such as "Europe/Moscow"`},

		// data
		{"data path empty", func(c *Config) { c.Data.Path = " " },
			"data.path: must not be empty"},
		{"data open timeout zero", func(c *Config) { c.Data.OpenTimeout = 0 },
			"data.open_timeout: must be positive, got 0s"},

		// log
		{"log json", func(c *Config) { c.Log.Format = "json" }, ""},
		{"log format xml", func(c *Config) { c.Log.Format = "xml" },
			`log.format: must be "text" or "json", got "xml"`},
		{"log format case", func(c *Config) { c.Log.Format = "JSON" },
			`log.format: must be "text" or "json", got "JSON"`},
		{"log level each", func(c *Config) { c.Log.Level = "error" }, ""},
		{"log level warning", func(c *Config) { c.Log.Level = "warning" },
			`log.level: must be "debug", "info", "warn" or "error", got "warning"`},
		{"log level empty", func(c *Config) { c.Log.Level = "" },
			`log.level: must be "debug", "info", "warn" or "error", got ""`},

		// http
		{"http off", func(c *Config) { c.HTTP.Addr = "" }, ""},
		{"http all interfaces", func(c *Config) { c.HTTP.Addr = ":9090" }, ""},
		{"http ipv6", func(c *Config) { c.HTTP.Addr = "[::1]:9090" }, ""},
		{"http no port", func(c *Config) { c.HTTP.Addr = "127.0.0.1" },
			`http.addr: must be host:port, such as "127.0.0.1:9090" or ":9090", or empty to turn it off; got "127.0.0.1"`},
		{"http named port", func(c *Config) { c.HTTP.Addr = "localhost:metrics" },
			`http.addr: the port must be a number from 0 to 65535, got "metrics"`},
		{"http port too big", func(c *Config) { c.HTTP.Addr = ":70000" },
			`http.addr: the port must be a number from 0 to 65535, got "70000"`},
		{"poll max age within a long poll", func(c *Config) { c.HTTP.PollMaxAge = 30 * time.Second },
			"http.poll_max_age: must be longer than telegram.poll_timeout (30s), which a poll that finds nothing lasts; got 30s"},
		{"poll max age short with short polls", func(c *Config) { c.Telegram.PollTimeout = 5 * time.Second; c.HTTP.PollMaxAge = 10 * time.Second }, ""},
		{"outbox max age short", func(c *Config) { c.HTTP.OutboxMaxAge = 30 * time.Second },
			"http.outbox_max_age: must be at least 1m, the time a failing message is retried; got 30s"},

		// backup
		{"backups off", func(c *Config) { c.Backup.Every = 0 }, ""},
		{"backups hourly", func(c *Config) { c.Backup.Every = time.Hour }, ""},
		{"backups too often", func(c *Config) { c.Backup.Every = 30 * time.Second },
			"backup.every: must be 0 (no scheduled backups) or at least 1m, got 30s"},
		{"backups negative", func(c *Config) { c.Backup.Every = -time.Hour },
			"backup.every: must be 0 (no scheduled backups) or at least 1m, got -1h0m0s"},
		{"keep none", func(c *Config) { c.Backup.Keep = 0 },
			"backup.keep: must be between 1 and 10000, got 0"},

		// rate_limits
		{"global zero", func(c *Config) { c.Limits.GlobalPerSecond = 0 },
			"rate_limits.global_per_second: must be a positive number, got 0"},
		{"global infinite", func(c *Config) { c.Limits.GlobalPerSecond = math.Inf(1) },
			"rate_limits.global_per_second: must be a positive number, got +Inf"},
		{"private negative", func(c *Config) { c.Limits.PrivatePerSecond = -1 },
			"rate_limits.private_per_second: must be a positive number, got -1"},
		{"private NaN", func(c *Config) { c.Limits.PrivatePerSecond = math.NaN() },
			"rate_limits.private_per_second: must be a positive number, got NaN"},
		{"private fraction", func(c *Config) { c.Limits.PrivatePerSecond = 0.1 }, ""},
		{"burst zero", func(c *Config) { c.Limits.PrivateBurst = 0 },
			"rate_limits.private_burst: must be at least 1, got 0"},
		{"group zero", func(c *Config) { c.Limits.GroupPerMinute = 0 },
			"rate_limits.group_per_minute: must be at least 1, got 0"},
		{"user updates off", func(c *Config) { c.Limits.UserUpdates = 0 }, ""},
		{"user updates negative", func(c *Config) { c.Limits.UserUpdates = -1 },
			"rate_limits.user_updates: must be 0 (no limit) or more, got -1"},
		{"user window zero", func(c *Config) { c.Limits.UserWindow = 0 },
			"rate_limits.user_window: must be between 1s and 1h, got 0s"},
		{"user window long", func(c *Config) { c.Limits.UserWindow = 2 * time.Hour },
			"rate_limits.user_window: must be between 1s and 1h, got 2h0m0s"},

		// dialogs
		{"idle timeout min", func(c *Config) { c.Dialogs.IdleTimeout = time.Minute }, ""},
		{"idle timeout short", func(c *Config) { c.Dialogs.IdleTimeout = 59 * time.Second },
			"dialogs.idle_timeout: must be at least 1m0s, got 59s"},

		// regulation and invitations
		{"no minimum", func(c *Config) { c.Regulation.MinMembers = 0 }, ""},
		{"bad plan due", func(c *Config) { c.Regulation.PlanDue = "09-31" },
			`regulation.plan_due: "09-31": month 9 has no day 31`},
		{"bad alerts time", func(c *Config) { c.Regulation.AlertsAt = "9 am" },
			`regulation.alerts_at: must be a time like 09:00, got "9 am"`},
		{"bad reminder day", func(c *Config) { c.Regulation.ReminderDays = []int{0} },
			"regulation.reminder_days[0]: must be between 1 and 180, got 0"},
		{"retention", func(c *Config) { c.Regulation.RetentionYears = 0 },
			"regulation.retention_years: must be between 1 and 75, got 0"},
		{"negative minimum", func(c *Config) { c.Regulation.MinMembers = -1 },
			"regulation.min_members: must be between 0 (no minimum) and 1000, got -1"},
		{"member link forever", func(c *Config) { c.Invitations.MemberTTL = 0 }, ""},
		{"member link negative", func(c *Config) { c.Invitations.MemberTTL = -time.Hour },
			"invitations.member_ttl: must be 0 (no expiry) or positive, got -1h0m0s"},
		{"leader link too short", func(c *Config) { c.Invitations.LeaderTTL = time.Second },
			"invitations.leader_ttl: must be at least 1m, got 1s"},
		{"no reminders", func(c *Config) { c.Meetings.Reminders = nil }, ""},
		{"reminder too early", func(c *Config) { c.Meetings.Reminders = []time.Duration{400 * time.Hour} },
			"meetings.reminders[0]: must be between 1m and 336h (two weeks), got 400h0m0s"},
		{"reminder twice", func(c *Config) { c.Meetings.Reminders = []time.Duration{time.Hour, time.Hour} },
			"meetings.reminders[1]: 1h0m0s is listed twice"},
		{"own categories", func(c *Config) { c.Consultations.Categories = []string{"Аттестация", "Прочее"} }, ""},
		{"category twice", func(c *Config) { c.Consultations.Categories = []string{"Прочее", "прочее"} },
			`consultations.categories[1]: "прочее" is listed twice`},
		{"category too short", func(c *Config) { c.Consultations.Categories = []string{"x"} },
			`consultations.categories[0]: must be 2 to 40 characters, got "x"`},
		{"response days", func(c *Config) { c.Consultations.ResponseDays = 31 },
			"consultations.response_days: must be between 0 (no reminders) and 30, got 31"},
		{"auto close", func(c *Config) { c.Consultations.AutoClose = time.Hour },
			"consultations.auto_close: must be at least 24h, got 1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.edit(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				if c.Location == nil || c.Location.String() != c.Timezone {
					t.Errorf("Location = %v, want %s", c.Location, c.Timezone)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Validate() = %q\nwant %q", err, tt.want)
			}
			if errors.Is(err, ErrNoToken) {
				t.Error("error matches ErrNoToken although a token is set")
			}
			if c.Location != nil {
				t.Errorf("Location set to %v despite an error", c.Location)
			}
		})
	}
}

func TestValidateNoToken(t *testing.T) {
	for _, token := range []string{"", "   ", "\n"} {
		c := Default()
		c.Telegram.Token = token
		err := c.Validate()
		if !errors.Is(err, ErrNoToken) {
			t.Errorf("token %q: Validate() = %v, want ErrNoToken", token, err)
		}
	}
	want := ErrNoToken.Error()
	if ErrNoToken.Error() != want {
		t.Errorf("ErrNoToken = %q\nwant %q", ErrNoToken, want)
	}
}

func TestValidateCollectsAll(t *testing.T) {
	c := Default()
	c.Telegram.Workers = 0
	c.Timezone = "Europe/Moskow"
	c.Log.Format = "xml"
	c.Admins = tg(-1)
	err := c.Validate()
	want := []string{
		ErrNoToken.Error(),
		"telegram.workers: must be between 1 and 256, got 0",
		"admins[0]: must be a positive user id, got -1",
		`timezone: unknown time zone "Europe/Moskow"`,
		`log.format: must be "text" or "json", got "xml"`,
	}
	if err == nil {
		t.Fatal("Validate() = nil")
	}
	if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("Validate() lines:\n got %q\nwant %q", got, want)
	}
	if !errors.Is(err, ErrNoToken) {
		t.Error("joined error does not match ErrNoToken")
	}
}

func TestValidateNeverLeaksToken(t *testing.T) {
	const secret = "987654:very secret"
	c := Default()
	c.Telegram.Token = secret
	c.Telegram.APIEndpoint = "ftp://x/%s/%s"
	err := c.Validate()
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Validate() = %v", err)
	}
}

func TestValidateKeepsLocationOnError(t *testing.T) {
	c := valid()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	loc := c.Location
	c.Timezone = "UTC"
	c.Telegram.Workers = 0
	if err := c.Validate(); err == nil {
		t.Fatal("Validate() = nil")
	}
	if c.Location != loc {
		t.Errorf("Location changed to %v on error", c.Location)
	}
}
