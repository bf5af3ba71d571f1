package app

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
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

// TestStopDuringBackups stops the bot, as SIGTERM does, while a scheduled
// backup and a hot one are being compacted (a compaction bbolt cannot
// interrupt, held as long as the test needs) and a third backup is being
// streamed to a client that stopped reading. Run and Close return within
// 5 s: the compactions are abandoned, the stream is cut, and no backup
// appears under its name, half-written or not. The database opens again
// whole, and the next start removes what the abandoned backups left.
func TestStopDuringBackups(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	h := newHarnessWith(t, func(c *config.Config) {
		c.Backup.Every = 24 * time.Hour
		c.Backup.Dir = dir
	})
	if c := h.waitBackupCheck(); c.err != nil || c.wrote == "" {
		t.Fatalf("the first backup: %q, %v", c.wrote, c.err)
	}
	u := h.user(42, "Мария")
	h.register(u, "Иванова Мария Петровна", "Лицей № 1", "учитель химии")
	// Far larger than a socket's buffer, so that a client that stops
	// reading really holds its stream.
	if err := <-growDB(t, h.m.DB, "ballast", 4<<20); err != nil {
		t.Fatal(err)
	}
	stalled := backupClient(t, h.cfg.Data.Path)

	started := make(chan struct{}, 2)
	release := make(chan struct{})
	var finished sync.WaitGroup
	finished.Add(2)
	h.m.DB.SetCompactHook(func(compact func()) {
		defer finished.Done()
		started <- struct{}{}
		<-release
		compact()
	})
	released := false
	releaseAll := func() {
		if !released {
			released = true
			close(release)
		}
	}
	t.Cleanup(releaseAll) // before the harness stops, should the test fail
	waitStarted := func(what string) {
		t.Helper()
		select {
		case <-started:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s did not start", what)
		}
	}
	hotOut := filepath.Join(t.TempDir(), "hot.db")
	hot := make(chan error, 1)
	go func() {
		_, err := Backup(h.cfg.Data.Path, hotOut, time.Second)
		hot <- err
	}()
	waitStarted("the hot backup's compaction")
	h.clock.Add(24 * time.Hour)
	waitStarted("the scheduled backup's compaction")

	begin := time.Now()
	h.cancel()
	h.cancel = nil // stopped here, not by the harness
	stopped := make(chan error, 1)
	go func() {
		err := <-h.done
		if cerr := h.m.Close(); err == nil {
			err = cerr
		}
		stopped <- err
	}()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("stop: %v", err)
		}
	case <-time.After(5 * time.Second):
		releaseAll()
		t.Fatal("Run and Close did not return within 5 s of the stop")
	}
	t.Logf("stopped in %v with two compactions under way", time.Since(begin).Round(time.Millisecond))

	if err := <-hot; err == nil {
		t.Error("the hot backup cut by the stop was written")
	}
	if _, err := os.Stat(hotOut); err == nil {
		t.Error("the hot backup cut by the stop left a file under its name")
	}
	stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, stalled); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("the stalled client after the stop: %v", err)
	}
	logs := h.logs.String()
	for _, want := range []string{"scheduled backup abandoned", "hot backup abandoned", "hot backup cut off: the bot is stopping"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	for _, wrong := range []string{"scheduled backup failed", "hot backup failed"} {
		if strings.Contains(logs, wrong) {
			t.Errorf("the stop was logged as a failure: %q", wrong)
		}
	}
	list := func(dir string) []string {
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	// As a process that exits now leaves them: the plain copies.
	left := list(dir)
	if len(left) != 2 || left[0] != "mmo-20261123-090000.db" || !strings.HasPrefix(left[1], "mmo-20261124-090000.db.snapshot-") {
		t.Errorf("after the stop the backups directory holds %v; want the first backup and the abandoned one's plain copy", left)
	}
	// The hot backup's working directory went when it was abandoned.
	if got := list(filepath.Dir(h.cfg.Data.Path)); !slices.Equal(got, []string{"mmo.db"}) {
		t.Errorf("after the stop the data directory holds %v, want the database alone", got)
	}

	// The next start cleans up and writes the backup that was due.
	h.backups.reset()
	h.start()
	c := h.waitBackupCheck()
	if c.err != nil || filepath.Base(c.wrote) != "mmo-20261124-090000.db" {
		t.Fatalf("the backup due at the restart: %q, %v", c.wrote, c.err)
	}
	want := []string{"mmo-20261123-090000.db", "mmo-20261124-090000.db"}
	if got := list(dir); !slices.Equal(got, want) {
		t.Errorf("after the restart the backups directory holds %v, want %v", got, want)
	}
	if got, err := h.storedUser(42); err != nil || got.Name != "Иванова Мария Петровна" {
		t.Errorf("the user after the restart: %+v, %v", got, err)
	}
	written, err := os.ReadFile(c.wrote)
	if err != nil {
		t.Fatal(err)
	}

	// The abandoned compactions, once they end, write nothing.
	releaseAll()
	finished.Wait()
	if got := list(dir); !slices.Equal(got, want) {
		t.Errorf("after the abandoned compactions ended the backups directory holds %v, want %v", got, want)
	}
	if now, _ := os.ReadFile(c.wrote); !bytes.Equal(now, written) {
		t.Error("an abandoned compaction replaced the backup written since")
	}
	if got := list(filepath.Dir(h.cfg.Data.Path)); slices.ContainsFunc(got, func(n string) bool { return strings.Contains(n, ".compact-") }) {
		t.Errorf("after the abandoned compactions ended the data directory holds %v", got)
	}
}
