package boltdb

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mmobot/mmobot/internal/mmo"
)

// fixture writes a database of a few hundred kilobytes, with branch pages
// and overflow values, closed cleanly, and returns its path and bytes.
func fixture(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mmo.db")
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		err := db.Update(func(tx *Tx) error {
			for j := range 100 {
				id := int64(i*100 + j + 1)
				if err := tx.PutUser(&mmo.User{ID: id, Name: fmt.Sprintf("Учитель Номер %d", id), School: strings.Repeat("Школа ", 10)}); err != nil {
					return err
				}
			}
			return tx.PutMeta(fmt.Sprintf("blob%d", i), bytes.Repeat([]byte{byte(i)}, 9000))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// crashed marks a closed fixture as a bot that stopped without closing
// it leaves it.
func crashed(t *testing.T, path string) []byte {
	t.Helper()
	b := openRaw(t, path)
	if err := b.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyOpen, itob(1)) }); err != nil {
		t.Fatal(err)
	}
	b.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// pages tells the pages of the database file at path apart: the live
// leaf pages (in the tree, and without an overflow value running over the
// pages after them) and the free ones. The free list is rebuilt the way
// Open rebuilds it, by walking the tree from the root, so a page counted
// live here is one that opening the file reads.
//
// Where the file's pages fall changes from run to run (records hold the
// time they were written, and its length varies), so damage aimed at a
// fixed offset sometimes hit a free page or the middle of a long value,
// and the file rightly opened: the damage is aimed at a page chosen here.
func pages(t *testing.T, path string) (leaves, free []int) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			p, err := tx.Page(id)
			if err != nil {
				t.Fatal(err)
			}
			if p == nil {
				return nil
			}
			switch {
			case p.Type == "free":
				free = append(free, id)
			case p.Type == "leaf" && p.OverflowCount == 0:
				leaves = append(leaves, id)
			}
		}
	})
	if len(leaves) == 0 || len(free) == 0 {
		t.Fatalf("the fixture has %d live leaf pages and %d free ones; want some of each", len(leaves), len(free))
	}
	return leaves, free
}

// nearest returns the page of ids closest to the offset at (a fraction of
// the file), so damage still lands in the middle of the data.
func nearest(ids []int, b []byte, at float64) int {
	want := int(float64(len(b)/pageSize) * at)
	best := ids[0]
	for _, id := range ids {
		if abs(id-want) < abs(best-want) {
			best = id
		}
	}
	return best
}

func abs(n int) int { return max(n, -n) }

const pageSize = 4096

// TestDamagedFileIsRefused opens files damaged in the ways disks and
// careless copies damage them: each is an error that names the file and
// says to restore a backup, never a panic, and the file is not touched.
// A file that was not closed cleanly is checked whole at start; a
// cleanly closed one only for what a cut or a bad copy does to it (the
// whole check would cost seconds at every start of a large store), and
// Inspect, which checks backups and restores, always checks it whole.
func TestDamagedFileIsRefused(t *testing.T) {
	const page = pageSize
	cases := []struct {
		name   string
		damage func(b []byte, leaves []int) []byte
		// inside is damage inside one data page, which only the whole
		// check finds.
		inside bool
	}{
		{"cut in half", func(b []byte, _ []int) []byte { return b[:len(b)/2/page*page] }, false},
		{"cut mid-page", func(b []byte, _ []int) []byte { return b[:len(b)/2+100] }, false},
		{"cut to one page", func(b []byte, _ []int) []byte { return b[:page] }, false},
		{"garbage in the data pages", func(b []byte, _ []int) []byte {
			r := rand.New(rand.NewPCG(1, 2))
			for i := 2 * page; i < len(b); i++ {
				b[i] = byte(r.Uint32())
			}
			return b
		}, false},
		{"one page zeroed", func(b []byte, leaves []int) []byte {
			at := nearest(leaves, b, 0.5) * page
			clear(b[at : at+page])
			return b
		}, true},
		{"one page of garbage", func(b []byte, leaves []int) []byte {
			r := rand.New(rand.NewPCG(3, 4))
			at := nearest(leaves, b, 1.0/3) * page
			for i := at; i < at+page; i++ {
				b[i] = byte(r.Uint32())
			}
			return b
		}, true},
		{"both meta pages garbage", func(b []byte, _ []int) []byte {
			for i := range 2 * page {
				b[i] = 0xA5
			}
			return b
		}, false},
	}
	for _, c := range cases {
		for _, clean := range []bool{false, true} {
			name := c.name + map[bool]string{false: ", not closed", true: ", closed cleanly"}[clean]
			t.Run(name, func(t *testing.T) {
				path, data := fixture(t)
				if !clean {
					data = crashed(t, path)
				}
				leaves, _ := pages(t, path)
				damaged := c.damage(bytes.Clone(data), leaves)
				if err := os.WriteFile(path, damaged, 0o600); err != nil {
					t.Fatal(err)
				}
				if _, err := Inspect(path, time.Second); !errors.Is(err, ErrDamaged) {
					t.Errorf("Inspect: %v; want ErrDamaged", err)
				}
				if clean && c.inside {
					return // found by Inspect and by the next start that is not clean
				}
				for _, ro := range []bool{false, true} {
					db, err := Open(path, Options{Timeout: time.Second, ReadOnly: ro})
					if err == nil {
						db.Close()
						t.Fatalf("read-only %v: a damaged file opened", ro)
					}
					if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "mmobot restore") {
						t.Errorf("read-only %v: %v; want ErrDamaged naming the file and the restore", ro, err)
					}
				}
				after, _ := os.ReadFile(path)
				if !bytes.Equal(after, damaged) {
					t.Error("opening changed the damaged file")
				}
			})
		}
	}
}

// TestCleanCloseIsRecorded: a file is marked open while a bot has it and
// clean once closed, so only a start after a clean stop skips the whole
// check.
func TestCleanCloseIsRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mmo.db")
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	clean := func() bool {
		var ok bool
		db.bolt.View(func(tx *bolt.Tx) error { ok = closedCleanly(tx); return nil })
		return ok
	}
	if clean() {
		t.Error("an open file is marked clean")
	}
	db.Close()
	ro, err := Open(path, Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	db = ro
	if !clean() {
		t.Error("a closed file is not marked clean")
	}
	ro.Close()
}

// TestGarbageOnAFreePageIsHarmless opens a file whose free pages hold
// garbage: no transaction reads a free page, and one reused is written
// whole, so the garbage is stale bytes like any other and the database is
// whole. Refusing it would refuse a good database; bbolt keeps no
// checksums, so garbage there cannot be told from old data anyway.
func TestGarbageOnAFreePageIsHarmless(t *testing.T) {
	path, data := fixture(t)
	_, free := pages(t, path)
	r := rand.New(rand.NewPCG(5, 6))
	for _, id := range free {
		for i := id * pageSize; i < (id+1)*pageSize; i++ {
			data[i] = byte(r.Uint32())
		}
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("garbage on %d free pages refused a whole database: %v", len(free), err)
	}
	// Enough writes to take free pages back into use.
	for i := range 20 {
		if err := db.Update(func(tx *Tx) error {
			return tx.PutMeta(fmt.Sprintf("blob%d", i), bytes.Repeat([]byte{byte(i + 100)}, 9000))
		}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	after, _ := os.ReadFile(path)
	n := 0 // free pages written since
	for _, id := range free {
		if !bytes.Equal(after[id*pageSize:(id+1)*pageSize], data[id*pageSize:(id+1)*pageSize]) {
			n++
		}
	}
	if n == 0 {
		t.Errorf("none of the %d free pages was written again; the test wants them taken back into use", len(free))
	}
	info, err := Inspect(path, time.Second)
	if err != nil || info.Users != 2000 {
		t.Fatalf("after writes over the free pages: %+v, %v", info, err)
	}
}

// TestNoDatabaseWhereOneWas refuses an empty file, and a missing one
// beside other files, unless Init; a new installation just starts.
func TestNoDatabaseWhereOneWas(t *testing.T) {
	open := func(path string, init bool) error {
		db, err := Open(path, Options{Timeout: time.Second, Init: init})
		if err == nil {
			db.Close()
		}
		return err
	}
	t.Run("empty file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "mmo.db")
		os.WriteFile(path, nil, 0o600)
		err := open(path, false)
		if !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), "empty") || !strings.Contains(err.Error(), "-init") {
			t.Fatalf("empty file: %v", err)
		}
		if fi, _ := os.Stat(path); fi.Size() != 0 {
			t.Fatal("the refused empty file was written")
		}
		if _, err := Open(path, Options{Timeout: time.Second, ReadOnly: true}); !errors.Is(err, ErrNoDatabase) {
			t.Errorf("empty file read-only: %v", err)
		}
		if err := open(path, true); err != nil {
			t.Fatalf("empty file with Init: %v", err)
		}
	})
	t.Run("missing beside other files", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "mmo.db")
		os.WriteFile(filepath.Join(dir, "mmo-2026-11-22.db"), []byte("a backup"), 0o600)
		err := open(path, false)
		if !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), "mmo-2026-11-22.db") || !strings.Contains(err.Error(), "mmobot restore") {
			t.Fatalf("missing file beside a backup: %v", err)
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatal("the refused database was created")
		}
		if err := open(path, true); err != nil {
			t.Fatalf("with Init: %v", err)
		}
	})
	for name, prepare := range map[string]func(dir string) string{
		"empty directory":   func(dir string) string { return filepath.Join(dir, "mmo.db") },
		"missing directory": func(dir string) string { return filepath.Join(dir, "data", "mmo.db") },
		"only lost+found": func(dir string) string {
			os.Mkdir(filepath.Join(dir, "lost+found"), 0o700)
			return filepath.Join(dir, "mmo.db")
		},
	} {
		t.Run("new installation, "+name, func(t *testing.T) {
			if err := open(prepare(t.TempDir()), false); err != nil {
				t.Fatalf("a new installation: %v", err)
			}
		})
	}
}

// TestInspect tells this bot's database from a damaged file, another
// program's bbolt file and one written by a newer build.
func TestInspect(t *testing.T) {
	path, _ := fixture(t)
	info, err := Inspect(path, time.Second)
	if err != nil || info.SchemaVersion != SchemaVersion() || info.Users != 2000 || info.Size == 0 {
		t.Fatalf("Inspect(a good file) = %+v, %v", info, err)
	}

	cut := filepath.Join(t.TempDir(), "cut.db")
	data, _ := os.ReadFile(path)
	os.WriteFile(cut, data[:len(data)/2], 0o600)
	if _, err := Inspect(cut, time.Second); !errors.Is(err, ErrDamaged) {
		t.Errorf("Inspect(a cut file) = %v, want ErrDamaged", err)
	}

	foreign := filepath.Join(t.TempDir(), "other.db")
	b := openRaw(t, foreign)
	b.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
	b.Close()
	if _, err := Inspect(foreign, time.Second); !errors.Is(err, ErrNotOurs) {
		t.Errorf("Inspect(another program's file) = %v, want ErrNotOurs", err)
	}

	newer := filepath.Join(t.TempDir(), "newer.db")
	os.WriteFile(newer, data, 0o600)
	b = openRaw(t, newer)
	b.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, itob(uint64(SchemaVersion()+1)))
	})
	b.Close()
	if _, err := Inspect(newer, time.Second); !errors.Is(err, ErrNotOurs) || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Inspect(a newer schema) = %v, want ErrNotOurs saying newer", err)
	}

	empty := filepath.Join(t.TempDir(), "empty.db")
	os.WriteFile(empty, nil, 0o600)
	if _, err := Inspect(empty, time.Second); !errors.Is(err, ErrNoDatabase) {
		t.Errorf("Inspect(an empty file) = %v, want ErrNoDatabase", err)
	}
}
