package boltdb

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// fixtureDir holds a database written by the build of schema version 7,
// before users had internal ids (see internal/app/fixture_gen_test.go).
const fixtureDir = "../app/testdata/upgrade"

// fixtureManifest is what the fixture's generator recorded beside it.
type fixtureManifest struct {
	Schema         int           `json:"schema"`
	CardMessage    int           `json:"card_message"`
	CheckinMessage int           `json:"checkin_message"`
	Pending        map[int64]int `json:"pending"`
}

// openFixture copies the fixture to a temporary file and returns its
// path and manifest; the committed file is never opened for writing.
func openFixture(t *testing.T) (string, fixtureManifest) {
	t.Helper()
	var man fixtureManifest
	data, err := os.ReadFile(filepath.Join(fixtureDir, "v7.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &man); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(filepath.Join(fixtureDir, "v7.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	path := filepath.Join(t.TempDir(), "mmo.db")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path, man
}

// TestFixtureIsVersion7: the fixture is what the upgrade tests say it
// is, so that they test the upgrade from it.
func TestFixtureIsVersion7(t *testing.T) {
	path, man := openFixture(t)
	db, err := Open(path, Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Version(); v != 7 || man.Schema != 7 {
		t.Fatalf("the fixture has schema version %d (manifest %d), want 7", v, man.Schema)
	}
}

// TestMigrateSent: the open cards the events kept as Telegram ids become
// records of the sent-message registry, under the keys the conversation
// uses; events without an open card get none.
func TestMigrateSent(t *testing.T) {
	path, man := openFixture(t)
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *Tx) error {
		for key, want := range map[string]int{"card:2": man.CardMessage, "checkin:1": man.CheckinMessage} {
			rec, err := tx.Sent(key)
			if err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			if rec.Messenger != Telegram || rec.Chat != 301 || rec.User != 301 || rec.Message != strconv.Itoa(want) || rec.Outbox != 0 {
				t.Errorf("%s: %+v, want message %d in the leader's chat", key, rec, want)
			}
		}
		if rec, err := tx.Sent("card:1"); err != nil || rec.Message == "" {
			t.Errorf("card:1: %+v, %v", rec, err)
		}
		if _, err := tx.Sent("checkin:2"); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("checkin:2 of an event whose check-in view was never opened: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUserAccounts: a new user gets the next free id of the bot's own;
// their accounts find them; an account is one person's; a deleted user's
// accounts find nobody.
func TestUserAccounts(t *testing.T) {
	db := MustOpenDB(t)
	tg := func(id int64) mmo.Account { return mmo.Account{Messenger: Telegram, ID: id} }
	var first, second *mmo.User
	err := db.Update(func(tx *Tx) error {
		// A seeded user with an id of its own: the id is skipped.
		if err := tx.PutUser(&mmo.User{ID: 1, Accounts: []mmo.Account{tg(5000)}}); err != nil {
			return err
		}
		first = &mmo.User{Accounts: []mmo.Account{tg(123456789)}}
		if err := tx.PutUser(first); err != nil {
			return err
		}
		second = &mmo.User{Accounts: []mmo.Account{{Messenger: "max", ID: 123456789, Chat: 77}}}
		return tx.PutUser(second)
	})
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != 2 || second.ID != 3 {
		t.Fatalf("new users got ids %d and %d, want 2 and 3", first.ID, second.ID)
	}
	db.View(func(tx *Tx) error {
		for _, c := range []struct {
			messenger string
			id, want  int64
		}{{Telegram, 123456789, 2}, {"max", 123456789, 3}, {Telegram, 5000, 1}} {
			if u, err := tx.UserByAccount(c.messenger, c.id); err != nil || u.ID != c.want {
				t.Errorf("%s account %d: %v, %v; want user %d", c.messenger, c.id, u, err, c.want)
			}
		}
		if _, err := tx.UserByAccount(Telegram, 3); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("an internal id taken for a Telegram id: %v", err)
		}
		return nil
	})
	err = db.Update(func(tx *Tx) error { return tx.PutUser(&mmo.User{Accounts: []mmo.Account{tg(123456789)}}) })
	if err == nil {
		t.Error("a second user took an account")
	}
	if err := db.Update(func(tx *Tx) error { return tx.DeleteUser(2) }); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		if _, err := tx.UserByAccount(Telegram, 123456789); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("a deleted user's account: %v", err)
		}
		return nil
	})
}

// TestMigrateAccounts: every user of the fixture keeps their id and is
// found by their Telegram account; a new user gets an id above them all.
func TestMigrateAccounts(t *testing.T) {
	path, _ := openFixture(t)
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := []int64{301, 310, 311, 312, 313, 320, 900001}
	err = db.Update(func(tx *Tx) error {
		n := 0
		if err := tx.Users(func(u *mmo.User) bool {
			n++
			if len(u.Accounts) != 1 || u.Accounts[0] != (mmo.Account{Messenger: Telegram, ID: u.ID}) {
				t.Errorf("user %d: accounts %v", u.ID, u.Accounts)
			}
			return true
		}); err != nil {
			return err
		}
		if n != len(want) {
			t.Errorf("%d users, want %d", n, len(want))
		}
		for _, id := range want {
			u, err := tx.UserByAccount(Telegram, id)
			if err != nil || u.ID != id {
				t.Errorf("Telegram user %d: %v, %v", id, u, err)
			}
		}
		if u, _ := tx.User(301); u == nil || u.Name != "Лидерова Ольга Ивановна" || len(u.LeaderOf) != 1 {
			t.Errorf("the leader after the migration: %+v", u)
		}
		nu := &mmo.User{Accounts: []mmo.Account{{Messenger: Telegram, ID: 5}}}
		if err := tx.PutUser(nu); err != nil {
			return err
		}
		if nu.ID <= 900001 {
			t.Errorf("a new user got id %d, not above the existing ones", nu.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
