package main

import (
	"bytes"
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
	t.Chdir(dir)

	var stdout bytes.Buffer
	stderr := &telegramtest.LogBuffer{}
	exited := make(chan int, 1)
	go func() { exited <- run(nil, &stdout, stderr) }()

	u := srv.NewUser(42, "Мария", "ru")
	u.Send("/start")
	u.Next(t)
	u.Next(t)

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

	cold := filepath.Join(dir, "cold.db")
	out.Reset()
	if code := run([]string{"backup", "-o", cold}, &out, &out); code != 0 {
		t.Fatalf("offline backup: exit %d: %s", code, out.String())
	}
	checkBackup(t, cold)
	if code := run([]string{"backup"}, &out, &out); code != 2 {
		t.Errorf("backup without -o: exit %d", code)
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
