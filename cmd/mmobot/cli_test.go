package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

var allCommands = []string{"run", "backup", "restore", "compact", "sandbox", "status", "version", "check-config"}

// listsCommands checks that text lists every command with its line.
func listsCommands(t *testing.T, what, text string) {
	t.Helper()
	for _, name := range allCommands {
		c := find(name)
		if c == nil {
			t.Fatalf("no command %q", name)
		}
		if !strings.Contains(text, "  "+name+" ") || !strings.Contains(text, c.summary) {
			t.Errorf("%s does not list %s with its summary:\n%s", what, name, text)
		}
	}
}

func TestHelpListsTheCommands(t *testing.T) {
	if len(commands) != len(allCommands) {
		t.Errorf("%d commands, the tests know %d", len(commands), len(allCommands))
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"-help"}} {
		code, out := runCmd(args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		listsCommands(t, strings.Join(args, " "), out)
	}
}

func TestUnknownCommandListsTheValidOnes(t *testing.T) {
	code, out := runCmd("frobnicate")
	if code != 2 || !strings.Contains(out, `unknown command "frobnicate"`) {
		t.Errorf("exit %d: %s", code, out)
	}
	listsCommands(t, "the unknown-command error", out)
	code, out = runCmd("help", "frobnicate")
	if code != 2 || !strings.Contains(out, `unknown command "frobnicate"`) {
		t.Errorf("help of an unknown command: exit %d: %s", code, out)
	}
}

// TestEachCommandHasItsHelp: `mmobot CMD -h` and `mmobot help CMD` print
// the command's own usage line and flags with exit code 0; an unknown
// flag is a usage error (2) that names it; a stray argument too.
func TestEachCommandHasItsHelp(t *testing.T) {
	t.Chdir(t.TempDir())
	flags := map[string][]string{
		"run": {"-config", "-init"}, "backup": {"-o", "-config"}, "restore": {"-config"}, "compact": {"-config"},
		"sandbox": {"-demo", "-addr", "-data", "-v"}, "status": {"-q", "-addr", "-config", "-timeout"},
		"version": nil, "check-config": {"-config"},
	}
	for _, name := range allCommands {
		for _, args := range [][]string{{name, "-h"}, {"help", name}} {
			var stdout, stderr strings.Builder
			code := run(args, &stdout, &stderr)
			out := stdout.String()
			if code != 0 || !strings.HasPrefix(out, "usage: mmobot "+name) || stderr.Len() != 0 {
				t.Errorf("%v: exit %d, stdout:\n%s\nstderr:\n%s", args, code, out, stderr.String())
			}
			for _, f := range flags[name] {
				if !strings.Contains(out, "  "+f) {
					t.Errorf("%v does not show %s:\n%s", args, f, out)
				}
			}
		}
		code, out := runCmd(name, "-nosuchflag")
		if code != 2 || !strings.Contains(out, "flag provided but not defined: -nosuchflag") || !strings.Contains(out, "usage: mmobot "+name) {
			t.Errorf("%s -nosuchflag: exit %d:\n%s", name, code, out)
		}
		if name == "restore" {
			continue // its argument is the backup
		}
		code, out = runCmd(name, "stray")
		if code != 2 || !strings.Contains(out, `unexpected argument "stray"`) {
			t.Errorf("%s stray: exit %d:\n%s", name, code, out)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out := runCmd("version")
	want := "mmobot devel\ncommit unknown\n" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if code != 0 || out != want {
		t.Errorf("version: exit %d:\n%s\nwant\n%s", code, out, want)
	}
	version, commit = "1.2.0", "abc1234"
	t.Cleanup(func() { version, commit = "", "" })
	if _, out := runCmd("version"); !strings.HasPrefix(out, "mmobot 1.2.0\ncommit abc1234\n") {
		t.Errorf("version set at build: %s", out)
	}
}

// TestCheckConfig prints the values in effect, which load back as the
// same config, with the token masked; an invalid config lists every
// problem with exit code 1.
func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	path := filepath.Join(dir, "my.yaml")
	os.WriteFile(path, []byte("telegram:\n  workers: 8\nbackup:\n  keep: 30\n"), 0o600)
	t.Setenv("MMOBOT_TELEGRAM_TOKEN", telegramtest.Token)
	t.Setenv("MMOBOT_ADMINS", "111,222")
	code, out := runCmd("check-config", "-config", path)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if strings.Contains(out, telegramtest.Token) || strings.Contains(out, "TEST-token_secret") {
		t.Fatalf("the token is printed:\n%s", out)
	}
	for _, want := range []string{"file " + path, "token: <redacted>", "workers: 8", "keep: 30", "- telegram:111", "addr: 127.0.0.1:9090", "Scheduled backups go to data/backups"} {
		if !strings.Contains(out, want) {
			t.Errorf("check-config lacks %q:\n%s", want, out)
		}
	}
	printed := filepath.Join(dir, "printed.yaml")
	os.WriteFile(printed, []byte(out), 0o600)
	t.Setenv("MMOBOT_ADMINS", "")
	got, err := config.Load(printed, nil)
	if err != nil {
		t.Fatalf("the printed config does not load: %v", err)
	}
	want, _ := config.Load(path, []string{"MMOBOT_TELEGRAM_TOKEN=" + telegramtest.Token, "MMOBOT_ADMINS=111,222"})
	got.Telegram.Token, want.Telegram.Token = "", ""
	got.Location, want.Location = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the printed config loads as\n%+v\nwant\n%+v", got, want)
	}

	os.WriteFile(path, []byte("telegram:\n  workers: 0\nhttp:\n  addr: nowhere\n"), 0o600)
	code, out = runCmd("check-config", "-config", path)
	if code != 1 || !strings.Contains(out, "telegram.workers: must be between 1 and 256") || !strings.Contains(out, "http.addr: must be host:port") {
		t.Errorf("an invalid config: exit %d:\n%s", code, out)
	}
	if code, out := runCmd("check-config", "-config", filepath.Join(dir, "missing.yaml")); code != 1 || !strings.Contains(out, "missing.yaml") {
		t.Errorf("a missing file: exit %d:\n%s", code, out)
	}
}

// TestStatusOfABotThatIsNotReady: the reasons are printed, indented
// under "not ready", and the exit code is 1; -q prints nothing.
func TestStatusOfABotThatIsNotReady(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/readyz":
			w.WriteHeader(503)
			w.Write([]byte("not ready\ntelegram: the last successful getUpdates was 5m0s ago\n"))
		case "/metrics":
			w.Write([]byte("# TYPE mmobot_updates_received_total counter\nmmobot_updates_received_total{type=\"message\"} 7\n"))
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	code, out := runCmd("status", "-addr", addr)
	if code != 1 || !strings.Contains(out, "not ready\n  telegram: the last successful getUpdates was 5m0s ago\n") || !strings.Contains(out, "updates: 7 handled") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if code, out := runCmd("status", "-q", "-addr", addr); code != 1 || out != "" {
		t.Errorf("-q: exit %d: %q", code, out)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("http:\n  addr: \"\"\n"), 0o600)
	if code, out := runCmd("status"); code != 1 || !strings.Contains(out, "http.addr is empty") {
		t.Errorf("with the listener off: exit %d: %s", code, out)
	}
}

func TestDialAddr(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:9090": "127.0.0.1:9090", ":9090": "127.0.0.1:9090", "0.0.0.0:9090": "127.0.0.1:9090",
		"[::]:9090": "[::1]:9090", "[::1]:9090": "[::1]:9090", "monitor.local:9100": "monitor.local:9100",
	} {
		if got, err := dialAddr(in); got != want || err != nil {
			t.Errorf("dialAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"9090", "127.0.0.1:0"} {
		if _, err := dialAddr(bad); err == nil {
			t.Errorf("dialAddr(%q) accepted", bad)
		}
	}
}
