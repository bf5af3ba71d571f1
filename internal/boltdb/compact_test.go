package boltdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// seedAndPurge fills a store with users and outbox items, then deletes
// most of them, as a purged school year and a drained broadcast leave a
// file: big, and mostly free pages.
func seedAndPurge(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("школа ", 40)
	for batch := 0; batch < 5; batch++ {
		err := db.Update(func(tx *Tx) error {
			for i := 1; i <= 400; i++ {
				id := int64(batch*400 + i)
				if err := tx.PutUser(&mmo.User{ID: id, Name: fmt.Sprintf("Пользователь %d", id), School: pad}); err != nil {
					return err
				}
				if err := tx.Enqueue(&OutboxItem{ChatID: id, Payload: []byte(`{"text":"` + pad + `"}`), Broadcast: 1}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Keep one user in ten; send (remove) every outbox item but three.
	err = db.Update(func(tx *Tx) error {
		for id := int64(1); id <= 2000; id++ {
			if id%10 != 0 {
				if err := tx.tx.Bucket(bucketUsers).Delete(itob(uint64(id))); err != nil {
					return err
				}
			}
		}
		c := tx.tx.Bucket(bucketOutbox).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.First() {
			if btoi(k) > 1997 {
				break
			}
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// dump lists every bucket (with its sequence), key and value of a
// database file, nested buckets included, for comparing two files.
func dump(t testing.TB, path string) string {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var sb strings.Builder
	var walk func(prefix string, bk *bolt.Bucket) error
	walk = func(prefix string, bk *bolt.Bucket) error {
		fmt.Fprintf(&sb, "%s seq=%d\n", prefix, bk.Sequence())
		return bk.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(fmt.Sprintf("%s/%x", prefix, k), bk.Bucket(k))
			}
			fmt.Fprintf(&sb, "%s %x=%x\n", prefix, k, v)
			return nil
		})
	}
	err = b.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error { return walk(string(name), bk) })
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

func size(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestCompactFileKeepsEverythingButFreePages compacts a file with most
// of its data deleted: every bucket, sequence, key and value is the same,
// the file is much smaller, it opens as a store, and new ids go on from
// where the original's would.
func TestCompactFileKeepsEverythingButFreePages(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "mmo.db")
	seedAndPurge(t, src).Close()
	dst := filepath.Join(dir, "backups", "copy.db")
	os.Mkdir(filepath.Dir(dst), 0o700)
	n, err := CompactFile(src, dst, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	before, after := size(t, src), size(t, dst)
	t.Logf("compaction: %d bytes before, %d after (%.0f%%)", before, after, 100*float64(after)/float64(before))
	if n != after {
		t.Errorf("CompactFile says %d bytes, the file has %d", n, after)
	}
	if after*3 > before {
		t.Errorf("compacted %d bytes into %d: not a third", before, after)
	}
	if a, b := dump(t, src), dump(t, dst); a != b {
		t.Errorf("the compacted copy differs from the original (%d and %d bytes of dump)", len(a), len(b))
	}
	if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o600 {
		t.Errorf("the copy's mode is %v, want 0600", fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dst), "*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	db, err := Open(dst, Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("open the compacted copy: %v", err)
	}
	defer db.Close()
	var it OutboxItem
	if err := db.Update(func(tx *Tx) error { return tx.Enqueue(&it) }); err != nil {
		t.Fatal(err)
	}
	if it.ID != 2001 {
		t.Errorf("the next outbox id of the copy is %d, want 2001: the bucket's sequence was lost", it.ID)
	}
}

// TestBackupsAreCompacted: the running store's backup and hot snapshot
// are compacted copies, smaller than the plain copy Tx.WriteTo makes.
func TestBackupsAreCompacted(t *testing.T) {
	dir := t.TempDir()
	db := seedAndPurge(t, filepath.Join(dir, "mmo.db"))
	defer db.Close()
	var plain bytes.Buffer
	if _, err := db.Backup(&plain); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	n, err := db.BackupCompacted(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup of a purged store: plain copy %d bytes, compacted %d", plain.Len(), n)
	if n*3 > int64(plain.Len()) {
		t.Errorf("compacted backup %d bytes, plain %d: not a third", n, plain.Len())
	}
	if _, err := Inspect(out, time.Second); err != nil {
		t.Errorf("the backup does not open: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "*snapshot*")); len(left) > 0 {
		t.Errorf("the plain copy was left behind: %v", left)
	}

	snap, size, err := db.CompactSnapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hot := filepath.Join(t.TempDir(), "hot.db")
	f, _ := os.Create(hot)
	m, err := io.Copy(f, snap)
	f.Close()
	snap.Close()
	if err != nil || m != size {
		t.Fatalf("read %d of %d bytes: %v", m, size, err)
	}
	if size != n {
		t.Errorf("hot snapshot %d bytes, backup %d: both should be the same compacted copy", size, n)
	}
	if _, err := Inspect(hot, time.Second); err != nil {
		t.Errorf("the hot snapshot does not open: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files beside the database after the snapshot: %v", names)
	}
}

// TestCompactInPlace compacts a stopped store: the file is replaced by a
// smaller one with the same contents, the old one is kept, and nothing
// changes while the store is open elsewhere or the kept name is taken.
func TestCompactInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mmo.db")
	seedAndPurge(t, path).Close()
	before := dump(t, path)
	beforeSize := size(t, path)
	keep := path + ".before-compact-1"
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := Compact(path, keep, 100*time.Millisecond); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Errorf("compacting a store in use: %v, want a refusal saying it is locked", err)
	}
	if _, err := os.Stat(keep); err == nil {
		t.Error("a refused compaction kept a copy")
	}
	db.Close()

	os.WriteFile(keep, []byte("taken"), 0o600)
	if _, err := Compact(path, keep, time.Second); err == nil {
		t.Error("compaction overwrote the file kept by an earlier one")
	}
	os.Remove(keep)

	c, err := Compact(path, keep, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("compact in place: %d bytes before, %d after", c.Before, c.After)
	if c.Before != beforeSize || c.After != size(t, path) || c.Kept != keep {
		t.Errorf("Compacted = %+v; file was %d, is %d", c, beforeSize, size(t, path))
	}
	if c.After*3 > c.Before {
		t.Errorf("compacted %d bytes into %d: not a third", c.Before, c.After)
	}
	if dump(t, path) != before {
		t.Error("the compacted store differs from the original")
	}
	if dump(t, keep) != before || size(t, keep) != beforeSize {
		t.Error("the kept file is not the store as it was")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left in the directory: %v", entries)
	}
	reopened, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("open the compacted store: %v", err)
	}
	reopened.Close()
}

// TestCompactRefusesADamagedFile: a file cut short is reported, not
// compacted into something that looks whole.
func TestCompactRefusesADamagedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mmo.db")
	seedAndPurge(t, path).Close()
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:len(data)/2], 0o600)
	if _, err := Compact(path, path+".kept", time.Second); err == nil {
		t.Error("a damaged file was compacted")
	}
	if _, err := CompactFile(path, filepath.Join(dir, "copy.db"), time.Second); err == nil {
		t.Error("a damaged file was copied")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left beside a refused compaction: %v", entries)
	}
}

// TestBackupCompactedAbandoned cuts a backup short, as a bot told to stop
// does: before the plain copy, nothing is left; during the compaction,
// BackupCompacted returns while the compaction still runs, the store
// closes at once, and the compaction, once it ends, removes its files
// and never writes the backup's name.
func TestBackupCompactedAbandoned(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(filepath.Join(dir, "mmo.db"), Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *Tx) error { return tx.PutUser(&mmo.User{ID: 42, Name: "Мария"}) }); err != nil {
		t.Fatal(err)
	}
	backups := t.TempDir()
	out := filepath.Join(backups, "backup.db")
	files := func() []string {
		entries, _ := os.ReadDir(backups)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.BackupCompacted(ctx, out); !errors.Is(err, context.Canceled) {
		t.Fatalf("a backup cut before it began: %v", err)
	}
	if left := files(); len(left) != 0 {
		t.Fatalf("a backup cut before it began left %v", left)
	}

	started, release, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
	db.SetCompactHook(func(compact func()) {
		close(started)
		<-release
		compact()
		close(finished)
	})
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	result := make(chan error, 1)
	go func() {
		_, err := db.BackupCompacted(ctx, out)
		result <- err
	}()
	<-started
	cancel()
	select {
	case err := <-result:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("a backup cut during its compaction: %v", err)
		}
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("BackupCompacted waited for the compaction it was told to abandon")
	}
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("the store did not close while an abandoned compaction ran")
	}
	if left := files(); len(left) != 1 || !strings.HasPrefix(left[0], "backup.db.snapshot-") {
		t.Errorf("while the abandoned compaction runs, the directory holds %v; want its plain copy", left)
	}
	close(release)
	<-finished
	if left := files(); len(left) != 0 {
		t.Errorf("the abandoned compaction left %v", left)
	}
}
