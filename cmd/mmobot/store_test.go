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

	bolt "go.etcd.io/bbolt"

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
	t.Setenv("MMOBOT_HTTP_ADDR", "127.0.0.1:0") // never a port another test or program uses
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

func TestBackupRefusesTheBotsOwnFiles(t *testing.T) {
	data := dataDir(t)
	makeDB(t, data, 1)
	before, _ := os.ReadFile(data)
	hard := filepath.Join(filepath.Dir(data), "hard-link.db")
	if err := os.Link(data, hard); err != nil {
		t.Fatal(err)
	}
	sym := filepath.Join(t.TempDir(), "sym.db")
	if err := os.Symlink(data, sym); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{
		data,
		"data/mmo.db",           // the same, relative
		"data/../data/./mmo.db", // the same, roundabout
		hard,                    // another name of the same file
		sym,                     // a link to it
		data + ".sock",          // the backup socket
		filepath.Join(filepath.Dir(sym), "../"+filepath.Base(filepath.Dir(sym))+"/sym.db"),
	} {
		code, msg := runCmd("backup", "-o", out)
		if code != 1 || !strings.Contains(msg, "write the copy to another file") {
			t.Errorf("backup -o %s: exit %d: %s", out, code, msg)
		}
	}
	if after, _ := os.ReadFile(data); !bytes.Equal(before, after) {
		t.Fatal("a refused backup changed the database")
	}
	if code, msg := runCmd("backup", "-o", filepath.Join(filepath.Dir(data), "backup.db")); code != 0 {
		t.Errorf("a backup beside the database: exit %d: %s", code, msg)
	}
}

func TestRestore(t *testing.T) {
	data := dataDir(t)
	makeDB(t, data, 1)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if code, msg := runCmd("backup", "-o", backup); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, msg)
	}
	makeDB(t, data, 2) // a user who came after the backup
	current, _ := os.ReadFile(data)

	refused := func(what, want string, args ...string) {
		t.Helper()
		code, msg := runCmd(append([]string{"restore"}, args...)...)
		if code != 1 || !strings.Contains(msg, want) || !strings.Contains(msg, "nothing was changed") {
			t.Errorf("%s: exit %d: %s", what, code, msg)
		}
		if after, _ := os.ReadFile(data); !bytes.Equal(after, current) {
			t.Fatalf("%s: the database changed", what)
		}
	}

	// Not a whole database of this bot.
	cut := filepath.Join(t.TempDir(), "cut.db")
	b, _ := os.ReadFile(backup)
	os.WriteFile(cut, b[:len(b)/2], 0o600)
	refused("a cut backup", "damaged", cut)
	empty := filepath.Join(t.TempDir(), "empty.db")
	os.WriteFile(empty, nil, 0o600)
	refused("an empty backup", "empty", empty)
	foreign := filepath.Join(t.TempDir(), "foreign.db")
	fb, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	fb.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("x")); return err })
	fb.Close()
	refused("another program's file", "not a database of this bot", foreign)
	refused("the database itself", "the bot's database itself", data)
	refused("a missing backup", "no such file", filepath.Join(t.TempDir(), "nope.db"))

	// A bot is running: its lock is held, or its socket answers.
	db, err := boltdb.Open(data, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	current, _ = os.ReadFile(data) // opening wrote a commit
	refused("while the database is open", "stop it first", backup)
	db.Close()
	current, _ = os.ReadFile(data) // closing recorded the clean stop
	l, err := net.Listen("unix", data+".sock")
	if err != nil {
		t.Fatal(err)
	}
	refused("while the bot answers on its socket", "the bot is running", backup)
	l.Close()

	if code, _ := runCmd("restore"); code != 2 {
		t.Errorf("restore without a file: exit %d, want 2", code)
	}

	code, msg := runCmd("restore", backup, "-config", "")
	if code != 0 {
		t.Fatalf("restore: exit %d: %s", code, msg)
	}
	if !strings.Contains(msg, "users: 1") || !strings.Contains(msg, ".replaced-") {
		t.Errorf("restore said: %s", msg)
	}
	if got := usersIn(t, data); len(got) != 1 || got[0] != 1 {
		t.Errorf("restored database has users %v, want [1]", got)
	}
	kept, _ := filepath.Glob(data + ".replaced-*")
	if len(kept) != 1 {
		t.Fatalf("replaced files: %v", kept)
	}
	if k, _ := os.ReadFile(kept[0]); !bytes.Equal(k, current) {
		t.Error("the kept file is not the database that was replaced")
	}
	if fi, _ := os.Stat(data); fi.Mode().Perm() != 0o600 {
		t.Errorf("restored file mode %v, want 0600", fi.Mode().Perm())
	}
	// And the bot's own check accepts it.
	if _, err := boltdb.Inspect(data, time.Second); err != nil {
		t.Errorf("the restored database: %v", err)
	}

	// Into an empty place: nothing is kept, since nothing was there.
	fresh := filepath.Join(t.TempDir(), "new", "mmo.db")
	t.Setenv("MMOBOT_DATA_PATH", fresh)
	if code, msg := runCmd("restore", backup); code != 0 || strings.Contains(msg, "replaced") {
		t.Errorf("restore into an empty place: exit %d: %s", code, msg)
	}
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
		logs := &telegramtest.LogBuffer{}
		go func() { exited <- run(init, &bytes.Buffer{}, logs) }()
		u.Send("/start")
		u.Next(t)
		u.Next(t)
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		select {
		case code := <-exited:
			if code != 0 {
				t.Errorf("%v: exit %d", init, code)
			}
			if !strings.Contains(logs.String(), "started a new, empty database as -init") {
				t.Errorf("%v: the new database was not logged:\n%s", init, logs.String())
			}
		case <-time.After(15 * time.Second):
			t.Fatal("the bot did not stop on SIGTERM")
		}
	}
}
