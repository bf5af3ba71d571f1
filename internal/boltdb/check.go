package boltdb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged means the file is not a whole database: cut short, or with
// pages that are not what they claim to be.
var ErrDamaged = errors.New("the database file is damaged")

// ErrNoDatabase means there is no database where one is expected: the
// file is empty, or missing while its directory holds other files.
var ErrNoDatabase = errors.New("no database")

// restoreHint is what an operator does about a damaged or missing file.
const restoreHint = "restore the latest backup with `mmobot restore BACKUP_FILE` (see \"Back up and restore\" in README.md)"

// checkFile decides, before bbolt touches the file, whether it may be
// opened. A missing file is created only on a fresh install (an empty or
// missing directory) or with opts.Init; an empty one only with opts.Init;
// an existing one must pass verify. The file is never written here, so a
// refused file is left exactly as it was.
func checkFile(path string, opts Options) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if opts.ReadOnly {
			return fmt.Errorf("open db %s: %w", path, err)
		}
		if opts.Init {
			return nil
		}
		if others := otherFiles(path, opts.Unrelated); len(others) > 0 {
			return fmt.Errorf("open db %s: %w: the file is missing, but its directory holds %s, so this is not a new installation. "+
				"If the database was moved or lost, %s; to start a new, empty database here, run with -init (or data.init: true)",
				path, ErrNoDatabase, strings.Join(others, ", "), restoreHint)
		}
		return nil
	case err != nil:
		return fmt.Errorf("open db %s: %w", path, err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("open db %s: not a regular file", path)
	case fi.Size() == 0:
		if opts.Init && !opts.ReadOnly {
			return nil
		}
		return fmt.Errorf("open db %s: %w: the file is empty (0 bytes), as a failed copy or restore leaves it. "+
			"It was left as it is: %s, or run with -init (or data.init: true) to start a new, empty database in its place",
			path, ErrNoDatabase, restoreHint)
	}
	if err := verify(path, fi.Size(), opts.Timeout, false); err != nil {
		if errors.Is(err, ErrDamaged) {
			return fmt.Errorf("open db %s: %w. The file was left as it is: %s", path, err, restoreHint)
		}
		return err
	}
	return nil
}

// otherFiles lists (a few of) the files beside the database, ignoring
// what a fresh file system holds on its own and what unrelated names.
func otherFiles(path string, unrelated func(string) bool) []string {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if e.Name() == "lost+found" || (unrelated != nil && unrelated(e.Name())) {
			continue
		}
		names = append(names, e.Name())
	}
	slices.Sort(names)
	if len(names) > 5 {
		names = append(names[:5], fmt.Sprintf("and %d more", len(names)-5))
	}
	return names
}

// verify checks the file read-only before bbolt opens it for writing.
// Always: both meta pages, that the file is as long as its pages claim,
// and the root of every bucket. Then, unless the file was closed cleanly
// by this bot (see keyOpen) and full is false, every bucket, key and
// value and bbolt's own consistency check.
//
// The whole walk costs seconds on a large store (4.8 s on the 1 GiB
// region of the benchmarks with a warm page cache, minutes from a cold
// disk), so a start after a clean stop skips it: damage to a cleanly
// closed file comes from outside (a disk, a careless copy), and a cut
// copy is caught by the length check. A file that was not closed
// cleanly (a crash, a power loss, a copy of a running bot's file, a file
// of an older build) gets the whole walk, as does Inspect, which checks
// backups and restores.
//
// bbolt trusts its file: a damaged page panics where it is read, or
// faults on memory past the end of a cut file. The read-only walk here
// runs in this goroutine, with faults turned into panics and the panics
// into an error, so a damaged file is reported instead of crashing the
// process.
//
// What it checks is the structure. bbolt keeps no checksums, so bytes
// changed inside a value (a record, a long one spanning pages) pass here
// and show, if at all, only when that record is decoded. Free pages are
// not read at all, and need not be: no transaction reads a free page, and
// one taken back into use is written whole, so garbage there is as
// harmless as the stale data it replaced (TestGarbageOnAFreePageIsHarmless).
func verify(path string, size int64, timeout time.Duration, full bool) (err error) {
	damaged := func(detail string) error {
		return fmt.Errorf("%w (%s)", ErrDamaged, detail)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(fmt.Sprint(r))
		}
	}()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	switch {
	case errors.Is(err, bolt.ErrTimeout):
		return errLocked(path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("open db %s: %w", path, err)
	case err != nil:
		return damaged(err.Error())
	}
	defer b.Close()
	return b.View(func(tx *bolt.Tx) error {
		if tx.Size() > size {
			return damaged(fmt.Sprintf("the file has %d bytes, but its pages reach %d: it was cut short", size, tx.Size()))
		}
		if !full && closedCleanly(tx) {
			if err := tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
				bk.Cursor().First() // reads the bucket's root and its first leaf
				return nil
			}); err != nil {
				return damaged(err.Error())
			}
			return nil
		}
		if err := tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			if err := walkBucket(bk); err != nil {
				return fmt.Errorf("bucket %q: %w", name, err)
			}
			return nil
		}); err != nil {
			return damaged(err.Error())
		}
		var problems []string
		for err := range tx.Check() {
			if len(problems) < 3 {
				problems = append(problems, err.Error())
			}
		}
		if len(problems) > 0 {
			return damaged(strings.Join(problems, "; "))
		}
		return nil
	})
}

// closedCleanly reports whether the bot that last wrote the file closed
// it: keyOpen holds 0. A file of a build before the key, or one whose
// bot stopped without closing it, has no 0 there.
func closedCleanly(tx *bolt.Tx) bool {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return false
	}
	v := meta.Get(keyOpen)
	return len(v) == 8 && btoi(v) == 0
}

// walkBucket visits every key and value of a bucket and its sub-buckets,
// touching both ends of each value so that every page is read.
func walkBucket(b *bolt.Bucket) error {
	var sink byte
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			sub := b.Bucket(k)
			if sub == nil {
				return fmt.Errorf("key %x has no value and is no bucket", k)
			}
			return walkBucket(sub)
		}
		if len(v) > 0 {
			sink ^= v[0] ^ v[len(v)-1]
		}
		return nil
	})
}

func errLocked(path string) error {
	return fmt.Errorf("open db %s: the file is locked by another process (is the bot running?)", path)
}

// ErrNotOurs means a file is a whole bbolt database, but not one this
// build of mmobot wrote or can use.
var ErrNotOurs = errors.New("not a database of this bot")

// Info describes a database file, as Inspect found it.
type Info struct {
	Size          int64 // bytes
	SchemaVersion int
	Users         int
}

// Inspect checks, without writing to it, that the file at path is a whole
// database of this bot that this build can open: the checks of Open, then
// the meta bucket, the installation secret (without which every button
// ever sent would be refused) and a schema version this build knows.
func Inspect(path string, timeout time.Duration) (Info, error) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return Info{}, err
	case !fi.Mode().IsRegular():
		return Info{}, fmt.Errorf("%s is not a regular file", path)
	case fi.Size() == 0:
		return Info{}, fmt.Errorf("%w: %s is empty (0 bytes)", ErrNoDatabase, path)
	}
	if err := verify(path, fi.Size(), timeout, true); err != nil {
		return Info{}, err
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return Info{}, err
	}
	defer b.Close()
	info := Info{Size: fi.Size()}
	err = b.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("%w: it has no %q bucket", ErrNotOurs, bucketMeta)
		}
		info.SchemaVersion = schemaVersion(tx)
		switch {
		case info.SchemaVersion == 0:
			return fmt.Errorf("%w: it has no schema version", ErrNotOurs)
		case info.SchemaVersion > SchemaVersion():
			return fmt.Errorf("%w: its schema version %d is newer than this build's %d; use the mmobot that wrote it, or a newer one",
				ErrNotOurs, info.SchemaVersion, SchemaVersion())
		case len(meta.Get(keySecret)) != 32:
			return fmt.Errorf("%w: it has no installation secret", ErrNotOurs)
		}
		if users := tx.Bucket(bucketUsers); users != nil {
			info.Users = users.Stats().KeyN
		}
		return nil
	})
	return info, err
}
