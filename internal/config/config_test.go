package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const testToken = "123456789:AAFtest-Token_value"

// valid returns Default with a token, which passes Validate.
func valid() Config {
	c := Default()
	c.Telegram.Token = testToken
	return c
}

// writeFile writes content to a file in a fresh temporary directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// equalConfig compares two configs, Location by name.
func equalConfig(t *testing.T, got, want Config) {
	t.Helper()
	if (got.Location == nil) != (want.Location == nil) ||
		got.Location != nil && got.Location.String() != want.Location.String() {
		t.Errorf("Location = %v, want %v", got.Location, want.Location)
	}
	got.Location, want.Location = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config mismatch:\n got %+v\nwant %+v", got, want)
	}
}

func TestDefault(t *testing.T) {
	d := Default()
	want := Config{
		Telegram: Telegram{
			Token:          "",
			APIEndpoint:    "https://api.telegram.org/bot%s/%s",
			PollTimeout:    30 * time.Second,
			RequestTimeout: 15 * time.Second,
			Workers:        64,
		},
		Admins:   []int64{},
		Timezone: "Europe/Moscow",
		Data:     Data{Path: "./data/mmo.db", OpenTimeout: 5 * time.Second},
		Log:      Log{Format: "text", Level: "info"},
		HTTP:     HTTP{Addr: "127.0.0.1:9090", PollMaxAge: 2 * time.Minute, OutboxMaxAge: 10 * time.Minute},
		Backup:   Backup{Every: 24 * time.Hour, Keep: 14},
		Limits: Limits{GlobalPerSecond: 30, PrivatePerSecond: 1, PrivateBurst: 3, GroupPerMinute: 20,
			UserUpdates: 20, UserWindow: 10 * time.Second},
		Dialogs: Dialogs{IdleTimeout: 24 * time.Hour},

		Regulation: Regulation{Preset: "ivanovo", MinMembers: 10, SchoolYearStart: "09-01", PlanDue: "09-15", ReportDue: "06-20", MinMeetings: 3,
			MeetingsWarning: "03-01", RetentionYears: 3, ReminderDays: []int{30, 7, 1}, OverdueEveryDays: 7, AlertsAt: "09:00"},
		Invitations: Invitations{LeaderTTL: 168 * time.Hour},
		Meetings:    Meetings{Reminders: []time.Duration{24 * time.Hour, time.Hour}, NudgeAfter: 24 * time.Hour},

		Consultations: Consultations{Categories: []string{}, ParentCategories: []string{}, ResponseDays: 2, AutoClose: 168 * time.Hour},
		Organisation:  Organisation{Name: "МБУ «Методический центр в системе образования»", City: "г. Иваново", HeadTitle: "Директор МБУ МЦ", Language: "ru"},
		Registration:  Registration{Schools: []string{}},
	}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("Default() = %+v\nwant %+v", d, want)
	}
	if d.Location != nil {
		t.Errorf("Default().Location = %v, want nil before Validate", d.Location)
	}
	// Default must be a fresh value each time.
	d.Admins = append(d.Admins, 1)
	if len(Default().Admins) != 0 {
		t.Error("Default() shares its Admins slice between calls")
	}
	// Apart from the token, the defaults are valid.
	err := d.Validate()
	if !errors.Is(err, ErrNoToken) {
		t.Fatalf("Default().Validate() = %v, want ErrNoToken", err)
	}
	if err.Error() != ErrNoToken.Error() {
		t.Errorf("Default() has problems besides the token: %v", err)
	}
	c := valid()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	if c.Location == nil || c.Location.String() != "Europe/Moscow" {
		t.Errorf("Location = %v, want Europe/Moscow", c.Location)
	}
}

const fullYAML = `
telegram:
  token: "42:secret"
  api_endpoint: "http://localhost:8081/bot%s/%s"
  poll_timeout: 10s
  request_timeout: 1m30s
  workers: 32
admins: [111, 222, 333]
timezone: Asia/Yekaterinburg
data:
  path: /var/lib/mmobot/mmo.db
  open_timeout: 2s
log:
  format: json
  level: debug
http:
  addr: ":9100"
  poll_max_age: 5m
  outbox_max_age: 30m
backup:
  every: 6h
  dir: /var/backups/mmobot
  keep: 28
rate_limits:
  global_per_second: 25.5
  private_per_second: 0.5
  private_burst: 5
  group_per_minute: 10
  user_updates: 30
  user_window: 1m
dialogs:
  idle_timeout: 2h
regulation:
  min_members: 0
  school_year_start: "01-01"
  plan_due: "01-20"
  report_due: "12-20"
  min_meetings: 4
  meetings_warning: "09-01"
  retention_years: 5
  reminder_days: [14, 3]
  overdue_every_days: 3
  alerts_at: "08:30"
invitations:
  member_ttl: 720h
  leader_ttl: 48h
meetings:
  reminders: [72h, 2h, 15m]
  nudge_after: 6h
registration:
  schools: ["МБОУ «СОШ № 5»", "МАОУ «Лицей № 11»"]
consultations:
  categories: [Нормативные документы, Другое]
  response_days: 3
  auto_close: 48h
`

func fullWant() Config {
	return Config{
		Telegram: Telegram{
			Token:          "42:secret",
			APIEndpoint:    "http://localhost:8081/bot%s/%s",
			PollTimeout:    10 * time.Second,
			RequestTimeout: 90 * time.Second,
			Workers:        32,
		},
		Admins:   []int64{111, 222, 333},
		Timezone: "Asia/Yekaterinburg",
		Data:     Data{Path: "/var/lib/mmobot/mmo.db", OpenTimeout: 2 * time.Second},
		Log:      Log{Format: "json", Level: "debug"},
		HTTP:     HTTP{Addr: ":9100", PollMaxAge: 5 * time.Minute, OutboxMaxAge: 30 * time.Minute},
		Backup:   Backup{Every: 6 * time.Hour, Dir: "/var/backups/mmobot", Keep: 28},
		Limits: Limits{GlobalPerSecond: 25.5, PrivatePerSecond: 0.5, PrivateBurst: 5, GroupPerMinute: 10,
			UserUpdates: 30, UserWindow: time.Minute},
		Dialogs: Dialogs{IdleTimeout: 2 * time.Hour},

		Regulation: Regulation{Preset: "ivanovo", MinMembers: 0, SchoolYearStart: "01-01", PlanDue: "01-20", ReportDue: "12-20", MinMeetings: 4,
			MeetingsWarning: "09-01", RetentionYears: 5, ReminderDays: []int{14, 3}, OverdueEveryDays: 3, AlertsAt: "08:30"},
		Invitations: Invitations{MemberTTL: 720 * time.Hour, LeaderTTL: 48 * time.Hour},
		Meetings:    Meetings{Reminders: []time.Duration{72 * time.Hour, 2 * time.Hour, 15 * time.Minute}, NudgeAfter: 6 * time.Hour},

		Consultations: Consultations{Categories: []string{"Нормативные документы", "Другое"}, ParentCategories: []string{}, ResponseDays: 3, AutoClose: 48 * time.Hour},
		Organisation:  Organisation{Name: "МБУ «Методический центр в системе образования»", City: "г. Иваново", HeadTitle: "Директор МБУ МЦ", Language: "ru"},
		Registration:  Registration{Schools: []string{"МБОУ «СОШ № 5»", "МАОУ «Лицей № 11»"}},
	}
}

func TestParse(t *testing.T) {
	partial := Default()
	partial.Telegram.Workers = 4
	partial.Admins = []int64{7}

	tests := []struct {
		name string
		yaml string
		want Config
	}{
		{"full file", fullYAML, fullWant()},
		{"empty file keeps defaults", "", Default()},
		{"comments only keep defaults", "# nothing here\n", Default()},
		{"partial file keeps other defaults", "telegram:\n  workers: 4\nadmins:\n  - 7\n", partial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Default()
			if err := Parse(strings.NewReader(tt.yaml), &got); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			equalConfig(t, got, tt.want)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{"unknown nested key", "telegram:\n  workers: 2\n  tokn: x\n",
			[]string{"config: line 3: field tokn not found in type config.Telegram"}},
		{"unknown top-level key", "admin: [1]\n",
			[]string{"config: line 1: field admin not found", "config.Config"}},
		{"location is not a key", "location: UTC\n",
			[]string{"field location not found"}},
		{"string for int", "telegram:\n  workers: many\n",
			[]string{"config: line 2: telegram.workers: cannot unmarshal !!str `many` into int"}},
		{"plain number for duration", "telegram:\n  poll_timeout: 30\n",
			[]string{"config: line 2: telegram.poll_timeout: cannot unmarshal !!int `30` into time.Duration", `"30s"`}},
		{"bad duration", "dialogs:\n  idle_timeout: 1 day\n",
			[]string{"config: line 2: dialogs.idle_timeout:", "into time.Duration"}},
		{"string in id list", "admins: [1, bob]\n",
			[]string{"config: line 1: admins[1]: cannot unmarshal !!str `bob` into int64"}},
		{"scalar for list", "admins: 5\n",
			[]string{"config: line 1: admins: cannot unmarshal !!int `5` into []int64"}},
		{"map for string", "timezone:\n  name: UTC\n",
			[]string{"config: line 2: timezone: cannot unmarshal !!map into string"}},
		{"string for float", "rate_limits:\n  global_per_second: fast\n",
			[]string{"config: line 2: rate_limits.global_per_second: cannot unmarshal !!str `fast` into float64"}},
		{"several errors reported together", "telegram:\n  workers: x\nlog:\n  lvl: debug\n",
			[]string{"config: line 2: telegram.workers: cannot unmarshal", "config: line 4: field lvl not found"}},
		{"syntax error", "telegram:\n  token: [\n",
			[]string{"config: "}},
		{"root is a list", "- a\n- b\n",
			[]string{"config: line 1: cannot unmarshal !!seq into config.Config"}},
		{"two documents", "timezone: UTC\n---\ntimezone: UTC\n",
			[]string{"config: only one YAML document is allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			err := Parse(strings.NewReader(tt.yaml), &c)
			if err == nil {
				t.Fatal("Parse succeeded, want error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "yaml: ") {
				t.Errorf("error %q keeps the yaml: prefix", err)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	want := fullWant()
	want.Location, _ = time.LoadLocation("Asia/Yekaterinburg")
	got, err := Load(writeFile(t, fullYAML), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	equalConfig(t, got, want)
}

func TestLoadErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(missing, nil)
	if err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: err = %v, want a not-exist error naming %s", err, missing)
	}

	bad := writeFile(t, "telegram:\n  tokn: x\n")
	_, err = Load(bad, nil)
	if err == nil || !strings.Contains(err.Error(), "config: "+bad+": line 2: field tokn not found") {
		t.Errorf("unknown key: err = %v, want it to name the file, line and key", err)
	}

	_, err = Load("", []string{"MMOBOT_TELEGRAM_WORKERS=abc"})
	if err == nil || !strings.Contains(err.Error(), "MMOBOT_TELEGRAM_WORKERS") {
		t.Errorf("bad env: err = %v", err)
	}

	_, err = Load(writeFile(t, "telegram:\n  workers: 0\n"), []string{"MMOBOT_TELEGRAM_TOKEN=" + testToken})
	if err == nil || !strings.Contains(err.Error(), "telegram.workers: must be between 1 and 256, got 0") {
		t.Errorf("invalid value: err = %v", err)
	}

	c, err := Load("", nil)
	if !errors.Is(err, ErrNoToken) {
		t.Errorf("no token: err = %v, want ErrNoToken", err)
	}
	if !reflect.DeepEqual(c, Config{}) {
		t.Errorf("Load returned %+v with an error, want the zero Config", c)
	}
}

func TestPrecedence(t *testing.T) {
	path := writeFile(t, `
telegram:
  token: from-file
  workers: 4
  poll_timeout: 20s
data:
  path: /file/mmo.db
admins: [1, 2]
`)
	env := []string{
		"HOME=/root",
		"MMOBOT_CONFIG=" + path,
		"MMOBOT_TELEGRAM_TOKEN=" + testToken,
		"MMOBOT_TELEGRAM_WORKERS=16",
		"MMOBOT_ADMINS=3",
	}
	c, err := Load(path, env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"env beats file (token)", c.Telegram.Token, testToken},
		{"env beats file (workers)", c.Telegram.Workers, 16},
		{"env beats file (admins)", c.Admins, []int64{3}},
		{"file beats default (poll_timeout)", c.Telegram.PollTimeout, 20 * time.Second},
		{"file beats default (data.path)", c.Data.Path, "/file/mmo.db"},
		{"default kept (request_timeout)", c.Telegram.RequestTimeout, 15 * time.Second},
		{"default kept (timezone)", c.Timezone, "Europe/Moscow"},
		{"location loaded", c.Location.String(), "Europe/Moscow"},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

// examplePath is config.example.yaml at the module root.
const examplePath = "../../config.example.yaml"

func TestExampleFile(t *testing.T) {
	_, err := Load(examplePath, nil)
	if !errors.Is(err, ErrNoToken) {
		t.Fatalf("Load(example) = %v, want ErrNoToken", err)
	}
	if err.Error() != ErrNoToken.Error() {
		t.Fatalf("example has problems besides the token: %v", err)
	}

	got, err := Load(examplePath, []string{"MMOBOT_TELEGRAM_TOKEN=" + testToken})
	if err != nil {
		t.Fatalf("Load(example) with token: %v", err)
	}
	want := valid()
	want.Location, _ = time.LoadLocation("Europe/Moscow")
	equalConfig(t, got, want)
}

// TestExampleFileDocumentsEveryKey checks that config.example.yaml sets
// every key explicitly and names its environment variable, so that a field
// added to the structs cannot be forgotten in the example.
func TestExampleFileDocumentsEveryKey(t *testing.T) {
	raw, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range envFields(reflect.TypeFor[Config](), EnvPrefix) {
		node := doc.Content[0]
		for _, k := range strings.Split(f.key, ".") {
			node = mappingValue(node, k)
			if node == nil {
				break
			}
		}
		if node == nil {
			t.Errorf("config.example.yaml lacks key %s", f.key)
		}
		if !strings.Contains(string(raw), "Env: "+f.name) {
			t.Errorf("config.example.yaml does not mention %s", f.name)
		}
	}
}

// mappingValue returns the value of key in mapping node n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func TestRedacted(t *testing.T) {
	c := valid()
	c.Admins = []int64{1, 2}
	r := c.Redacted()
	if r.Telegram.Token != "<redacted>" {
		t.Errorf("Redacted token = %q", r.Telegram.Token)
	}
	if c.Telegram.Token != testToken {
		t.Errorf("Redacted changed the original token to %q", c.Telegram.Token)
	}
	r.Admins[0] = 99
	if c.Admins[0] != 1 {
		t.Error("Redacted copy shares Admins with the original")
	}
	r.Telegram.Token, r.Admins = c.Telegram.Token, c.Admins
	if !reflect.DeepEqual(r, c) {
		t.Errorf("Redacted changed other fields: %+v", r)
	}
	if got := Default().Redacted().Telegram.Token; got != "" {
		t.Errorf("Redacted of an empty token = %q, want empty", got)
	}
}

func TestLoadWithoutToken(t *testing.T) {
	cfg, err := LoadWithoutToken("", nil)
	if err != nil {
		t.Fatalf("LoadWithoutToken: %v", err)
	}
	if cfg.Telegram.Token != "" {
		t.Errorf("token = %q, want empty", cfg.Telegram.Token)
	}
	if _, err := LoadWithoutToken("", []string{"MMOBOT_TELEGRAM_WORKERS=0"}); err == nil {
		t.Error("LoadWithoutToken accepted workers = 0")
	}
	cfg, err = LoadWithoutToken("", []string{"MMOBOT_TELEGRAM_TOKEN=1:abc"})
	if err != nil || cfg.Telegram.Token != "1:abc" {
		t.Errorf("LoadWithoutToken with a token = %q, %v", cfg.Telegram.Token, err)
	}
}

func TestBackupDir(t *testing.T) {
	c := Default()
	c.Data.Path = "/data/mmo.db"
	if got := c.BackupDir(); got != "/data/backups" {
		t.Errorf("default backup dir = %q, want /data/backups beside the database", got)
	}
	c.Backup.Dir = "/mnt/other/mmobot"
	if got := c.BackupDir(); got != "/mnt/other/mmobot" {
		t.Errorf("backup dir = %q, want backup.dir", got)
	}
}

// TestHTTPOff: the listener is turned off by an empty addr in the file
// or by "off" in the file or the environment, where an empty variable is
// ignored.
func TestHTTPOff(t *testing.T) {
	const token = "telegram:\n  token: \"123456:ABCdefGhIJKlmnoPQRstuVWxyz0123456789\"\n"
	cases := []struct {
		name, yaml string
		env        []string
		want       string
	}{
		{"default", token, nil, "127.0.0.1:9090"},
		{"empty in the file", token + "http:\n  addr: \"\"\n", nil, ""},
		{"off in the file", token + "http:\n  addr: \"off\"\n", nil, ""},
		{"off in the environment", token, []string{"MMOBOT_HTTP_ADDR=off"}, ""},
		{"OFF in the environment", token, []string{"MMOBOT_HTTP_ADDR=OFF"}, ""},
		{"empty variable ignored", token, []string{"MMOBOT_HTTP_ADDR="}, "127.0.0.1:9090"},
		{"set in the environment", token, []string{"MMOBOT_HTTP_ADDR=:9100"}, ":9100"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Load(writeFile(t, c.yaml), c.env)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.HTTP.Addr != c.want {
				t.Errorf("http.addr %q, want %q", cfg.HTTP.Addr, c.want)
			}
		})
	}
}
