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
