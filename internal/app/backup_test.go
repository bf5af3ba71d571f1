package app

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// growDB writes a value of size bytes into the store, which makes the file
// grow and bbolt remap it: the write that waits for every open read
// transaction. (A test device: no feature stores blobs this large.)
func growDB(t *testing.T, db *boltdb.DB, key string, size int) chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		done <- db.Update(func(tx *boltdb.Tx) error { return tx.PutMeta("test:"+key, bytes.Repeat([]byte{'x'}, size)) })
	}()
	return done
}

// backupClient connects to the backup socket and reads one byte, so the
// bot is known to be serving it.
func backupClient(t *testing.T, dataPath string) net.Conn {
	t.Helper()
	c, err := net.Dial("unix", BackupSocket(dataPath))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		t.Fatalf("the first byte of a backup: %v", err)
	}
	c.SetReadDeadline(time.Time{})
	return c
}

// TestSlowBackupClientsDoNotStopTheBot connects one backup client that
// stalls and one that reads a byte a second, then makes the bot grow its
// file and has a user talk to it: both must go on, a third backup is
// served at the same time, and the slow clients are cut off.
func TestSlowBackupClientsDoNotStopTheBot(t *testing.T) {
	h := newHarness(t)
	h.backupIdle = 3 * time.Second
	h.restart()
	u := h.user(42, "Мария")
	// A database far larger than a socket's buffer, so that a stalled
	// reader really holds the rest of it.
	if err := <-growDB(t, h.m.DB, "ballast", 4<<20); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(h.cfg.Data.Path)
	if err != nil {
		t.Fatal(err)
	}
	whole := fi.Size() // of the copy the slow clients get

	stalled := backupClient(t, h.cfg.Data.Path)
	slow := backupClient(t, h.cfg.Data.Path)
	stopSlow := make(chan struct{})
	slowRead := make(chan int64, 1)
	go func() {
		n := int64(1)
		b := make([]byte, 1)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopSlow:
				slowRead <- n
				return
			case <-tick.C:
			}
			if _, err := slow.Read(b); err != nil {
				slowRead <- n
				return
			}
			n++
		}
	}()

	// The file grows past its mapping while both clients hold their
	// backups: the write must not wait for them.
	select {
	case err := <-growDB(t, h.m.DB, "more", 16<<20):
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a write waited for the slow backup clients")
	}
	u.Send("/start")
	next(t, u, "Здравствуйте")

	// Another backup is served meanwhile, whole.
	out := filepath.Join(t.TempDir(), "copy.db")
	n, err := Backup(h.cfg.Data.Path, out, time.Second)
	if err != nil {
		t.Fatalf("a backup beside the slow ones: %v", err)
	}
	if n < 20<<20 {
		t.Errorf("the concurrent backup has %d bytes, want the grown database", n)
	}

	// The slow clients are cut off, short of the whole copy: what was
	// buffered before the cut is all they get.
	waitUntil(t, "the slow backups to be cut off", func() bool {
		return strings.Count(h.logs.String(), "hot backup cut off") == 2
	})
	close(stopSlow)
	for name, c := range map[string]net.Conn{"stalled": stalled, "slow": slow} {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		got, err := io.Copy(io.Discard, c)
		if err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("the %s client: %v", name, err)
		}
		if name == "slow" {
			got += <-slowRead
		} else {
			got++
		}
		if got >= whole {
			t.Errorf("the %s client got all %d bytes", name, got)
		}
	}
}
