package max

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/mmo"
)

// TestViewAnsweredAtOnce: on MAX too, a teacher's /help is answered
// straight from its handling, with nothing written, and so while the
// disk is full; MAX delivers it again until the marker can be saved, and
// it is answered once.
func TestViewAnsweredAtOnce(t *testing.T) {
	srv := maxtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(31, "Мария", "ru")
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = db.Update(func(tx *boltdb.Tx) error {
		return tx.PutUser(&mmo.User{ID: u.ID, Accounts: []mmo.Account{{Messenger: Messenger, ID: u.ID, Chat: u.ChatID}},
			Name: "Иванова Мария Петровна", School: "Школа", Position: "учитель", RegisteredAt: now, ConsentAt: now})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	tb := startBot(t, path, testOptions(srv), nil)
	u.Send("/help") // the first update brings the person's record up to date
	texts(t, u, "Бот присылает объявления")
	srv.Settle(t)

	var full atomic.Bool
	tb.db.SetWriteFault(func() error {
		if full.Load() {
			return fmt.Errorf("write mmo.db: %w", syscall.ENOSPC)
		}
		return nil
	})
	full.Store(true)
	polls := srv.Calls("GET /updates")
	seq := u.Send("/help")
	texts(t, u, "Бот присылает объявления")
	// The marker cannot be saved, so MAX delivers the update again: it
	// is recognised, not answered twice.
	waitFor(t, "the update delivered again", func() bool {
		return srv.Calls("GET /updates") >= polls+3 && tb.handled.duplicates.Load() > 0
	})
	full.Store(false)
	srv.WaitConfirmed(t, seq)
	srv.Settle(t)
	if extra := u.Drain(); len(extra) != 0 {
		t.Errorf("answered again: %q", extra[0].Text)
	}
}
