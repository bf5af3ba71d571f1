package config

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestApplyEnv(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		edit func(*Config) // applied to Default() to get the expected result
	}{
		{"string token", []string{"MMOBOT_TELEGRAM_TOKEN=42:abc"},
			func(c *Config) { c.Telegram.Token = "42:abc" }},
		{"string kept verbatim", []string{"MMOBOT_DATA_PATH= /tmp/a b.db"},
			func(c *Config) { c.Data.Path = " /tmp/a b.db" }},
		{"value containing =", []string{"MMOBOT_TELEGRAM_API_ENDPOINT=http://h/bot%s/%s?a=b"},
			func(c *Config) { c.Telegram.APIEndpoint = "http://h/bot%s/%s?a=b" }},
		{"top-level string", []string{"MMOBOT_TIMEZONE=UTC"},
			func(c *Config) { c.Timezone = "UTC" }},
		{"int", []string{"MMOBOT_TELEGRAM_WORKERS=64"},
			func(c *Config) { c.Telegram.Workers = 64 }},
		{"int with spaces", []string{"MMOBOT_RATE_LIMITS_PRIVATE_BURST= 7 "},
			func(c *Config) { c.Limits.PrivateBurst = 7 }},
		{"float", []string{"MMOBOT_RATE_LIMITS_GLOBAL_PER_SECOND=12.5"},
			func(c *Config) { c.Limits.GlobalPerSecond = 12.5 }},
		{"float integer form", []string{"MMOBOT_RATE_LIMITS_PRIVATE_PER_SECOND=2"},
			func(c *Config) { c.Limits.PrivatePerSecond = 2 }},
		{"duration seconds", []string{"MMOBOT_TELEGRAM_POLL_TIMEOUT=45s"},
			func(c *Config) { c.Telegram.PollTimeout = 45 * time.Second }},
		{"duration list", []string{"MMOBOT_MEETINGS_REMINDERS=48h, 30m"},
			func(c *Config) { c.Meetings.Reminders = []time.Duration{48 * time.Hour, 30 * time.Minute} }},
		{"duration compound", []string{"MMOBOT_DIALOGS_IDLE_TIMEOUT=1h30m"},
			func(c *Config) { c.Dialogs.IdleTimeout = 90 * time.Minute }},
		{"duration millis", []string{"MMOBOT_DATA_OPEN_TIMEOUT=500ms"},
			func(c *Config) { c.Data.OpenTimeout = 500 * time.Millisecond }},
		{"admins list", []string{"MMOBOT_ADMINS=123, 456 ,789"},
			func(c *Config) { c.Admins = tg(123, 456, 789) }},
		{"admins single", []string{"MMOBOT_ADMINS=42"},
			func(c *Config) { c.Admins = tg(42) }},
		{"admins empty items skipped", []string{"MMOBOT_ADMINS=1,,2,"},
			func(c *Config) { c.Admins = tg(1, 2) }},
		{"log strings", []string{"MMOBOT_LOG_FORMAT=json", "MMOBOT_LOG_LEVEL=warn"},
			func(c *Config) { c.Log = Log{Format: "json", Level: "warn"} }},
		{"last entry wins", []string{"MMOBOT_TELEGRAM_WORKERS=2", "MMOBOT_TELEGRAM_WORKERS=3"},
			func(c *Config) { c.Telegram.Workers = 3 }},
		{"empty value ignored", []string{"MMOBOT_TELEGRAM_WORKERS=", "MMOBOT_ADMINS="},
			func(c *Config) {}},
		{"MMOBOT_CONFIG ignored", []string{"MMOBOT_CONFIG=/etc/mmobot.yaml"},
			func(c *Config) {}},
		{"other variables ignored", []string{"PATH=/bin", "mmobot_telegram_workers=x", "MMOBOT", "NOEQUALS"},
			func(c *Config) {}},
		{"nil environ", nil, func(c *Config) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := Default(), Default()
			tt.edit(&want)
			if err := got.ApplyEnv(tt.env); err != nil {
				t.Fatalf("ApplyEnv: %v", err)
			}
			equalConfig(t, got, want)
		})
	}
}

func TestApplyEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want []string // exact lines of the joined error
	}{
		{"int", []string{"MMOBOT_TELEGRAM_WORKERS=abc"},
			[]string{`config: MMOBOT_TELEGRAM_WORKERS: "abc" is not an integer`}},
		{"int fraction", []string{"MMOBOT_RATE_LIMITS_GROUP_PER_MINUTE=1.5"},
			[]string{`config: MMOBOT_RATE_LIMITS_GROUP_PER_MINUTE: "1.5" is not an integer`}},
		{"int out of range", []string{"MMOBOT_ADMINS=99999999999999999999"},
			[]string{`config: MMOBOT_ADMINS: "99999999999999999999": item "99999999999999999999" is not valid: "99999999999999999999": want telegram:<id>, max:<id> or a Telegram id`}},
		{"float", []string{"MMOBOT_RATE_LIMITS_GLOBAL_PER_SECOND=fast"},
			[]string{`config: MMOBOT_RATE_LIMITS_GLOBAL_PER_SECOND: "fast" is not a number`}},
		{"duration without unit", []string{"MMOBOT_TELEGRAM_POLL_TIMEOUT=30"},
			[]string{`config: MMOBOT_TELEGRAM_POLL_TIMEOUT: "30" is not a duration (write e.g. "30s", "5m" or "24h")`}},
		{"duration garbage", []string{"MMOBOT_DIALOGS_IDLE_TIMEOUT=1 day"},
			[]string{`config: MMOBOT_DIALOGS_IDLE_TIMEOUT: "1 day" is not a duration (write e.g. "30s", "5m" or "24h")`}},
		{"admins item", []string{"MMOBOT_ADMINS=1, bob"},
			[]string{`config: MMOBOT_ADMINS: "1, bob": item "bob" is not valid: "bob": want telegram:<id>, max:<id> or a Telegram id`}},
		{"unknown variable with suggestion", []string{"MMOBOT_TELEGRAM_TOKN=x"},
			[]string{"config: MMOBOT_TELEGRAM_TOKN: unknown variable, it matches no configuration key (did you mean MMOBOT_TELEGRAM_TOKEN?)"}},
		{"unknown variable without suggestion", []string{"MMOBOT_FOO=1"},
			[]string{"config: MMOBOT_FOO: unknown variable, it matches no configuration key"}},
		{"unknown even when empty", []string{"MMOBOT_RATE_LIMIT_PRIVATE_BURST="},
			[]string{"config: MMOBOT_RATE_LIMIT_PRIVATE_BURST: unknown variable, it matches no configuration key (did you mean MMOBOT_RATE_LIMITS_PRIVATE_BURST?)"}},
		{"struct itself is not a key", []string{"MMOBOT_TELEGRAM=x"},
			[]string{"config: MMOBOT_TELEGRAM: unknown variable, it matches no configuration key"}},
		{"location is not a key", []string{"MMOBOT_LOCATION=UTC"},
			[]string{"config: MMOBOT_LOCATION: unknown variable, it matches no configuration key"}},
		{"all problems reported", []string{"MMOBOT_TELEGRAM_WORKERS=x", "MMOBOT_X=1", "MMOBOT_DATA_OPEN_TIMEOUT=soon"},
			[]string{
				`config: MMOBOT_TELEGRAM_WORKERS: "x" is not an integer`,
				"config: MMOBOT_X: unknown variable, it matches no configuration key",
				`config: MMOBOT_DATA_OPEN_TIMEOUT: "soon" is not a duration (write e.g. "30s", "5m" or "24h")`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			err := c.ApplyEnv(append([]string{"MMOBOT_TELEGRAM_TOKEN=" + testToken}, tt.env...))
			if err == nil {
				t.Fatal("ApplyEnv succeeded, want error")
			}
			if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("error lines:\n got %q\nwant %q", got, tt.want)
			}
			// Nothing is applied when anything is wrong.
			equalConfig(t, c, Default())
		})
	}
}

func TestEnvFieldsOfConfig(t *testing.T) {
	fields := envFields(reflect.TypeFor[Config](), EnvPrefix)
	want := map[string]string{
		"MMOBOT_TELEGRAM_TOKEN":                  "telegram.token",
		"MMOBOT_TELEGRAM_API_ENDPOINT":           "telegram.api_endpoint",
		"MMOBOT_TELEGRAM_POLL_TIMEOUT":           "telegram.poll_timeout",
		"MMOBOT_TELEGRAM_REQUEST_TIMEOUT":        "telegram.request_timeout",
		"MMOBOT_TELEGRAM_WORKERS":                "telegram.workers",
		"MMOBOT_ADMINS":                          "admins",
		"MMOBOT_TIMEZONE":                        "timezone",
		"MMOBOT_ORGANISATION_NAME":               "organisation.name",
		"MMOBOT_REGULATION_PRESET":               "regulation.preset",
		"MMOBOT_REGULATION_GOAL":                 "regulation.goal",
		"MMOBOT_REGULATION_TASKS":                "regulation.tasks",
		"MMOBOT_ORGANISATION_CITY":               "organisation.city",
		"MMOBOT_ORGANISATION_HEAD_TITLE":         "organisation.head_title",
		"MMOBOT_ORGANISATION_HEAD_NAME":          "organisation.head_name",
		"MMOBOT_ORGANISATION_LANGUAGE":           "organisation.language",
		"MMOBOT_DATA_PATH":                       "data.path",
		"MMOBOT_DATA_OPEN_TIMEOUT":               "data.open_timeout",
		"MMOBOT_DATA_INIT":                       "data.init",
		"MMOBOT_LOG_FORMAT":                      "log.format",
		"MMOBOT_LOG_LEVEL":                       "log.level",
		"MMOBOT_RATE_LIMITS_GLOBAL_PER_SECOND":   "rate_limits.global_per_second",
		"MMOBOT_RATE_LIMITS_PRIVATE_PER_SECOND":  "rate_limits.private_per_second",
		"MMOBOT_RATE_LIMITS_PRIVATE_BURST":       "rate_limits.private_burst",
		"MMOBOT_RATE_LIMITS_GROUP_PER_MINUTE":    "rate_limits.group_per_minute",
		"MMOBOT_RATE_LIMITS_USER_UPDATES":        "rate_limits.user_updates",
		"MMOBOT_RATE_LIMITS_USER_WINDOW":         "rate_limits.user_window",
		"MMOBOT_MAX_API_URL":                     "max.api_url",
		"MMOBOT_MAX_PER_SECOND":                  "max.per_second",
		"MMOBOT_MAX_POLL_TIMEOUT":                "max.poll_timeout",
		"MMOBOT_MAX_REQUEST_TIMEOUT":             "max.request_timeout",
		"MMOBOT_MAX_TOKEN":                       "max.token",
		"MMOBOT_MAX_WORKERS":                     "max.workers",
		"MMOBOT_DIALOGS_IDLE_TIMEOUT":            "dialogs.idle_timeout",
		"MMOBOT_REGULATION_MIN_MEMBERS":          "regulation.min_members",
		"MMOBOT_REGULATION_SCHOOL_YEAR_START":    "regulation.school_year_start",
		"MMOBOT_REGULATION_PLAN_DUE":             "regulation.plan_due",
		"MMOBOT_REGULATION_REPORT_DUE":           "regulation.report_due",
		"MMOBOT_REGULATION_MIN_MEETINGS":         "regulation.min_meetings",
		"MMOBOT_REGULATION_MEETINGS_WARNING":     "regulation.meetings_warning",
		"MMOBOT_REGULATION_RETENTION_YEARS":      "regulation.retention_years",
		"MMOBOT_REGULATION_REMINDER_DAYS":        "regulation.reminder_days",
		"MMOBOT_REGULATION_OVERDUE_EVERY_DAYS":   "regulation.overdue_every_days",
		"MMOBOT_REGULATION_PARENT_CONSULTATIONS": "regulation.parent_consultations",
		"MMOBOT_REGULATION_ALERTS_AT":            "regulation.alerts_at",
		"MMOBOT_INVITATIONS_MEMBER_TTL":          "invitations.member_ttl",
		"MMOBOT_INVITATIONS_LEADER_TTL":          "invitations.leader_ttl",
		"MMOBOT_MEETINGS_REMINDERS":              "meetings.reminders",
		"MMOBOT_MEETINGS_NUDGE_AFTER":            "meetings.nudge_after",
		"MMOBOT_REGISTRATION_SCHOOLS":            "registration.schools",
		"MMOBOT_CONSULTATIONS_PARENT_CATEGORIES": "consultations.parent_categories",
		"MMOBOT_CONSULTATIONS_CATEGORIES":        "consultations.categories",
		"MMOBOT_CONSULTATIONS_RESPONSE_DAYS":     "consultations.response_days",
		"MMOBOT_CONSULTATIONS_AUTO_CLOSE":        "consultations.auto_close",
		"MMOBOT_HTTP_ADDR":                       "http.addr",
		"MMOBOT_HTTP_POLL_MAX_AGE":               "http.poll_max_age",
		"MMOBOT_HTTP_OUTBOX_MAX_AGE":             "http.outbox_max_age",
		"MMOBOT_BACKUP_EVERY":                    "backup.every",
		"MMOBOT_BACKUP_DIR":                      "backup.dir",
		"MMOBOT_BACKUP_KEEP":                     "backup.keep",
	}
	got := map[string]string{}
	for _, f := range fields {
		if prev, dup := got[f.name]; dup {
			t.Errorf("%s maps to both %s and %s", f.name, prev, f.key)
		}
		got[f.name] = f.key
		if f.name == EnvConfigPath {
			t.Errorf("key %s collides with %s", f.key, EnvConfigPath)
		}
		// Every field must be settable from the environment: a sample
		// value of its type has to parse.
		if _, err := parseValue(f.typ, sampleValue(f.typ)); err != nil {
			t.Errorf("%s (%s): type %s is not supported by ApplyEnv: %v", f.key, f.name, f.typ, err)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("env mapping:\n got %v\nwant %v", got, want)
	}
}

// sampleValue returns a string that parseValue accepts for t if t is supported.
func sampleValue(t reflect.Type) string {
	switch {
	case t == durationType:
		return "1s"
	case t.Kind() == reflect.Bool:
		return "true"
	case t.Kind() == reflect.String:
		return "x"
	case t.Kind() == reflect.Slice:
		return sampleValue(t.Elem())
	}
	return "1"
}

// envTestConfig exercises every supported kind and tag form, including
// kinds Config does not use yet.
type envTestConfig struct {
	Name     string        `yaml:"name"`
	Count    int           `yaml:"count"`
	Big      int64         `yaml:"big"`
	Small    int8          `yaml:"small"`
	Unsigned uint16        `yaml:"unsigned"`
	Ratio    float64       `yaml:"ratio"`
	Enabled  bool          `yaml:"enabled"`
	Wait     time.Duration `yaml:"wait"`
	IDs      []int64       `yaml:"ids"`
	Tags     []string      `yaml:"tags"`
	Addr     netip.Addr    `yaml:"addr"` // encoding.TextUnmarshaler
	Nested   struct {
		Deep struct {
			Value string `yaml:"value"`
		} `yaml:"deep"`
		DashKey string `yaml:"dash-key"`
	} `yaml:"nested"`
	Inline     envTestInline `yaml:",inline"`
	NoTag      string
	Skipped    string            `yaml:"-"`
	unexported string            // must be ignored
	Map        map[string]string `yaml:"map"`
}

type envTestInline struct {
	Flat string `yaml:"flat"`
}

func TestApplyEnvKinds(t *testing.T) {
	var c envTestConfig
	err := applyEnv(reflect.ValueOf(&c).Elem(), "T_", []string{
		"T_NAME=bot",
		"T_COUNT=-3",
		"T_BIG=9007199254740993",
		"T_SMALL=-128",
		"T_UNSIGNED=65535",
		"T_RATIO=0.25",
		"T_ENABLED=true",
		"T_WAIT=2m",
		"T_IDS=1, 2,3",
		"T_TAGS= a , b c ,,d",
		"T_ADDR=192.0.2.1",
		"T_NESTED_DEEP_VALUE=deep",
		"T_NESTED_DASH_KEY=dash",
		"T_FLAT=flat",
		"T_NOTAG=lower-cased field name",
	})
	if err != nil {
		t.Fatalf("applyEnv: %v", err)
	}
	var want envTestConfig
	want.Name = "bot"
	want.Count = -3
	want.Big = 9007199254740993
	want.Small = -128
	want.Unsigned = 65535
	want.Ratio = 0.25
	want.Enabled = true
	want.Wait = 2 * time.Minute
	want.IDs = []int64{1, 2, 3}
	want.Tags = []string{"a", "b c", "d"}
	want.Addr = netip.MustParseAddr("192.0.2.1")
	want.Nested.Deep.Value = "deep"
	want.Nested.DashKey = "dash"
	want.Inline.Flat = "flat"
	want.NoTag = "lower-cased field name"
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestApplyEnvKindErrors(t *testing.T) {
	tests := []struct {
		env  string
		want string
	}{
		{"T_ENABLED=yes", `config: T_ENABLED: "yes" is not a boolean (write true or false)`},
		{"T_SMALL=200", `config: T_SMALL: "200" is out of range for int8`},
		{"T_UNSIGNED=-1", `config: T_UNSIGNED: "-1" is not a non-negative integer`},
		{"T_RATIO=1/2", `config: T_RATIO: "1/2" is not a number`},
		{"T_ADDR=nowhere", `config: T_ADDR: "nowhere" is not valid: ParseAddr("nowhere"): unable to parse IP`},
		{"T_IDS=1,x", `config: T_IDS: "1,x": item "x" is not an integer`},
		{"T_MAP=a=b", `config: T_MAP: fields of type map[string]string cannot be set from the environment`},
		{"T_SKIPPED=x", `config: T_SKIPPED: unknown variable, it matches no configuration key`},
		{"T_UNEXPORTED=x", `config: T_UNEXPORTED: unknown variable, it matches no configuration key`},
		{"T_INLINE_FLAT=x", `config: T_INLINE_FLAT: unknown variable, it matches no configuration key`},
		{"T_FLT=x", `config: T_FLT: unknown variable, it matches no configuration key (did you mean T_FLAT?)`},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			var c envTestConfig
			err := applyEnv(reflect.ValueOf(&c).Elem(), "T_", []string{tt.env})
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestApplyEnvOddNames checks that a variable name with a line break in it
// is quoted, so its error stays one line naming it.
func TestApplyEnvOddNames(t *testing.T) {
	c := Default()
	err := c.ApplyEnv([]string{"MMOBOT_\nX=1"})
	if err == nil || strings.Count(err.Error(), "\n") != 0 || !strings.Contains(err.Error(), `config: "MMOBOT_\nX": unknown variable`) {
		t.Errorf("err = %q", err)
	}
}
