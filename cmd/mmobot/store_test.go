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
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// dataDir points the commands at a new data directory and returns the
// database path in it.
func dataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	data := filepath.Join(dir, "data", "mmo.db")
	t.Setenv("MMOBOT_DATA_PATH", data)
	return data
}

// makeDB writes a database holding the given users.
func makeDB(t *testing.T, path string, users ...int64) {
	t.Helper()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second, Init: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range users {
		if err := db.Update(func(tx *boltdb.Tx) error { return tx.PutUser(&mmo.User{ID: id, Name: "Учитель"}) }); err != nil {
			t.Fatal(err)
		}
	}
}

// usersIn lists the users of a database.
func usersIn(t *testing.T, path string) []int64 {
	t.Helper()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []int64
	db.View(func(tx *boltdb.Tx) error {
		return tx.Users(func(u *mmo.User) bool { ids = append(ids, u.ID); return true })
	})
	return ids
}

// runCmd runs the command and returns its exit code and output.
func runCmd(args ...string) (int, string) {
	var out bytes.Buffer
	code := run(args, &out, &out)
	return code, out.String()
}

// TestRunRefusesADamagedOrLostDatabase starts the bot on a damaged file,
// an empty one and a missing one beside a backup: it exits 1 naming the
// file and what to do, and leaves the file as it was; -init (or
// data.init) starts a new database where one was empty or missing.
func TestRunRefusesADamagedOrLostDatabase(t *testing.T) {
	data := dataDir(t)
	t.Setenv("MMOBOT_TELEGRAM_TOKEN", telegramtest.Token)
	makeDB(t, data, 1, 2, 3)
	good, _ := os.ReadFile(data)

	os.WriteFile(data, good[:len(good)/2], 0o600)
	cut, _ := os.ReadFile(data)
	code, msg := runCmd("run")
	if code != 1 || !strings.Contains(msg, data) || !strings.Contains(msg, "damaged") || !strings.Contains(msg, "mmobot restore") {
		t.Errorf("a cut file: exit %d: %s", code, msg)
	}
	if after, _ := os.ReadFile(data); !bytes.Equal(after, cut) {
		t.Error("the damaged file was changed")
	}
	if code, msg := runCmd("run", "-init"); code != 1 || !strings.Contains(msg, "damaged") {
		t.Errorf("-init must not replace a damaged file: exit %d: %s", code, msg)
	}

	os.WriteFile(data, nil, 0o600)
	if code, msg := runCmd("run"); code != 1 || !strings.Contains(msg, "empty") || !strings.Contains(msg, "-init") {
		t.Errorf("an empty file: exit %d: %s", code, msg)
	}
	if fi, _ := os.Stat(data); fi.Size() != 0 {
		t.Error("the empty file was written")
	}

	os.Remove(data)
	os.WriteFile(filepath.Join(filepath.Dir(data), "backup-2026-11-22.db"), good, 0o600)
	if code, msg := runCmd("run"); code != 1 || !strings.Contains(msg, "backup-2026-11-22.db") || !strings.Contains(msg, "-init") {
		t.Errorf("a missing file beside a backup: exit %d: %s", code, msg)
	}
	if _, err := os.Stat(data); err == nil {
		t.Error("a database was created where one was lost")
	}

	// With -init the bot starts on a new database.
	srv := telegramtest.NewServer(t)
	t.Setenv("MMOBOT_TELEGRAM_API_ENDPOINT", srv.Endpoint())
	u := srv.NewUser(42, "Мария", "ru")
	for _, init := range [][]string{{"run", "-init"}, {"run"}} {
		os.Remove(data)
		if len(init) == 1 {
			t.Setenv("MMOBOT_DATA_INIT", "true")
		}
		exited := make(chan int, 1)
		go func() { exited <- run(init, &bytes.Buffer{}, &telegramtest.LogBuffer{}) }()
		u.Send("/start")
		u.Next(t)
		u.Next(t)
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		select {
		case code := <-exited:
			if code != 0 {
				t.Errorf("%v: exit %d", init, code)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("the bot did not stop on SIGTERM")
		}
	}
}
