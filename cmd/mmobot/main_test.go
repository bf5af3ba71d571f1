package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

func TestNoTokenExitsWithAHint(t *testing.T) {
	t.Setenv("MMOBOT_TELEGRAM_TOKEN", "")
	t.Chdir(t.TempDir()) // no config.yaml here
	var stdout, stderr bytes.Buffer
	code := run(nil, &stdout, &stderr)
	if code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	for _, want := range []string{"@BotFather", "MMOBOT_TELEGRAM_TOKEN", "telegram.token"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q: %s", want, stderr.String())
		}
	}
}

func TestBadConfigNamesTheKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte("telegram:\n  token: \"1:a\"\n  workrs: 3\n"), 0o600)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-config", path}, &stdout, &stderr); code != 2 {
		t.Errorf("exit code %d", code)
	}
	if !strings.Contains(stderr.String(), "workrs") {
		t.Errorf("stderr does not name the bad key: %s", stderr.String())
	}
	if code := run([]string{"frobnicate"}, &stdout, &stderr); code != 2 {
		t.Errorf("unknown command: exit code %d", code)
	}
}

// TestRunBackupAndSIGTERM runs the real command against a fake server:
// it answers a user, writes a hot backup while running, stops on SIGTERM
// with exit code 0, and is then backed up offline.
func TestRunBackupAndSIGTERM(t *testing.T) {
	srv := telegramtest.NewServer(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "mmo.db")
	t.Setenv("MMOBOT_TELEGRAM_TOKEN", telegramtest.Token)
	t.Setenv("MMOBOT_TELEGRAM_API_ENDPOINT", srv.Endpoint())
	t.Setenv("MMOBOT_TELEGRAM_POLL_TIMEOUT", "20s")
	t.Setenv("MMOBOT_DATA_PATH", data)
	t.Setenv("MMOBOT_LOG_LEVEL", "debug")
	addr := freeAddr(t)
	t.Setenv("MMOBOT_HTTP_ADDR", addr)
	t.Chdir(dir)

	var stdout bytes.Buffer
	stderr := &telegramtest.LogBuffer{}
	exited := make(chan int, 1)
	go func() { exited <- run(nil, &stdout, stderr) }()

	u := srv.NewUser(42, "Мария", "ru")
	u.Send("/start")
	// A whole process start under -race on a loaded machine can take
	// longer than one reply's wait: wait for readiness (the first poll,
	// which returns the pending /start at once) before the reply.
	waitReady(t, addr)
	u.Next(t)
	u.Next(t)

	// The running bot answers `status`: ready, with its figures.
	code, msg := runCmd("status")
	if code != 0 || !strings.HasPrefix(msg, "ready\n") || !strings.Contains(msg, "mmobot devel (commit unknown) at "+addr) ||
		!strings.Contains(msg, "updates: 1 handled") {
		t.Errorf("status of the running bot: exit %d:\n%s", code, msg)
	}
	if code, msg := runCmd("status", "-q"); code != 0 || msg != "" {
		t.Errorf("status -q of the running bot: exit %d: %q", code, msg)
	}
	// Compaction in place waits for the bot to stop.
	if code, msg := runCmd("compact"); code != 1 || !strings.Contains(msg, "the bot is running") {
		t.Errorf("compact while the bot runs: exit %d: %s", code, msg)
	}

	var out bytes.Buffer
	backup := filepath.Join(dir, "hot.db")
	if code := run([]string{"backup", "-o", backup}, &out, &out); code != 0 {
		t.Fatalf("hot backup: exit %d: %s", code, out.String())
	}
	checkBackup(t, backup)
	out.Reset()
	if code := run([]string{"backup", "-o", data}, &out, &out); code != 1 {
		t.Errorf("a hot backup over the live database: exit %d: %s", code, out.String())
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("exit code after SIGTERM: %d\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the bot did not stop on SIGTERM")
	}
	if strings.Contains(stderr.String(), "TEST-token_secret") {
		t.Error("the token appears in the log")
	}
	if code, msg := runCmd("status", "-q"); code != 1 || msg != "" {
		t.Errorf("status -q of a stopped bot: exit %d: %q", code, msg)
	}
	if code, msg := runCmd("status"); code != 1 || !strings.Contains(msg, "cannot reach the bot at "+addr) {
		t.Errorf("status of a stopped bot: exit %d: %s", code, msg)
	}
	// The scheduled backup of the start, in the default place.
	if have, _ := filepath.Glob(filepath.Join(dir, "backups", "mmo-*.db")); len(have) != 1 {
		t.Errorf("scheduled backups beside the database: %v, want the one of the start", have)
	} else if _, err := boltdb.Inspect(have[0], time.Second); err != nil {
		t.Errorf("the scheduled backup: %v", err)
	}

	cold := filepath.Join(dir, "cold.db")
	out.Reset()
	if code := run([]string{"backup", "-o", cold}, &out, &out); code != 0 {
		t.Fatalf("offline backup: exit %d: %s", code, out.String())
	}
	checkBackup(t, cold)
	if code := run([]string{"backup"}, &out, &out); code != 2 {
		t.Errorf("backup without -o: exit %d", code)
	}

	code, msg = runCmd("compact")
	if code != 0 || !strings.Contains(msg, "compacted "+data) || !strings.Contains(msg, data+".before-compact-") {
		t.Fatalf("compact the stopped bot's database: exit %d: %s", code, msg)
	}
	checkBackup(t, data)
	if kept, _ := filepath.Glob(data + ".before-compact-*"); len(kept) != 1 {
		t.Errorf("the database as it was is not kept: %v", kept)
	}
}

// freeAddr is a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitReady waits until the bot on addr says it is ready.
func waitReady(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code, _ := runCmd("status", "-q", "-addr", addr); code == 0 {
			return
		}
		if time.Now().After(deadline) {
			_, msg := runCmd("status", "-addr", addr)
			t.Fatalf("the bot is not ready after 30 s:\n%s", msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkBackup opens a backup and looks for the user who wrote /start.
func checkBackup(t *testing.T, path string) {
	t.Helper()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer db.Close()
	err = db.View(func(tx *boltdb.Tx) error {
		_, err := tx.UserByAccount(boltdb.Telegram, 42)
		return err
	})
	if err != nil {
		t.Errorf("backup lacks the user: %v", err)
	}
}
