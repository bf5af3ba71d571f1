package boltdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A bbolt file never shrinks: pages freed by deletes are reused, not
// given back, so a database that once held more (a purged school year, a
// drained outbox) keeps its size, and a byte-for-byte copy (Tx.WriteTo)
// carries every free page along. A compacted copy is the data alone,
// written afresh into full pages: bbolt's own Compact, which walks every
// bucket, keeps the buckets' sequences (the next ids) and commits every
// compactTxSize bytes so memory stays bounded.

// compactTxSize bounds what one transaction of a compaction holds.
const compactTxSize = 64 << 20

// CompactFile writes a compacted copy of the database file at src to dst:
// src is checked as Open checks it and opened read-only (so a running bot,
// which holds the file's lock, makes it wait up to timeout and fail), and
// dst appears only whole, synced, 0600, and checked by opening it (see
// CheckCopy). It returns the copy's size.
func CompactFile(src, dst string, timeout time.Duration) (int64, error) {
	s, err := openSource(src, timeout, true)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	return compactTo(s, dst)
}

// BackupCompacted writes a compacted copy of the running database to
// path. The store is held only while a plain copy is taken at disk speed
// into a temporary file beside path (Tx.WriteTo, as Backup does); the
// compaction then reads that file, so however long it takes, no writer of
// the bot waits for it. It needs the database's size free beside path for
// a moment, besides the copy itself.
//
// ctx cuts it short, so that a bot told to stop need not wait for its
// backups: during the plain copy, the copy stops at its next write and the
// store is let go; during the compaction, which bbolt cannot interrupt,
// BackupCompacted returns at once and the compaction is abandoned: it
// goes on by itself until it ends, then removes its files without
// writing path. So path is never written after BackupCompacted returned
// an error. A process that exits meanwhile leaves path's temporary files
// (path.snapshot-*, path.tmp-*) for whoever cleans up at the next start.
func (db *DB) BackupCompacted(ctx context.Context, path string) (int64, error) {
	snap, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".snapshot-*")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	_, err = db.Backup(ctxWriter{ctx: ctx, w: snap})
	if cerr := snap.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(snap.Name())
		if ctx.Err() != nil {
			return 0, fmt.Errorf("backup: %w", context.Cause(ctx))
		}
		return 0, fmt.Errorf("backup: copy the database beside %s: %w", path, err)
	}

	type result struct {
		n   int64
		err error
	}
	// The outcome is settled under mu, by the compaction (sending it on
	// done, after the rename) or by giving it up (abandoned): never both.
	done := make(chan result, 1)
	var mu sync.Mutex
	abandoned := false
	compact := func() {
		var tmp string
		var n int64
		s, err := bolt.Open(snap.Name(), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
		if err == nil {
			tmp, n, err = compactBeside(s, path)
			s.Close()
		} else {
			err = fmt.Errorf("backup: open the plain copy: %w", err)
		}
		os.Remove(snap.Name()) // before the outcome is told, so none is left when it is
		mu.Lock()
		defer mu.Unlock()
		switch {
		case abandoned:
			if err == nil {
				os.Remove(tmp)
			}
		case err != nil:
			done <- result{0, err}
		default:
			done <- result{n, takeName(tmp, path)}
		}
	}
	go func() {
		if hook := db.compactHook.Load(); hook != nil {
			(*hook)(compact)
		} else {
			compact()
		}
	}()
	select {
	case r := <-done:
		return r.n, r.err
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	abandoned = true
	select {
	case r := <-done: // it ended meanwhile: what it did stands
		return r.n, r.err
	default:
		return 0, fmt.Errorf("backup: the compaction was abandoned: %w", context.Cause(ctx))
	}
}

// ctxWriter fails its writes once ctx is done, which ends a copy that
// writes to it.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (w ctxWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	return w.w.Write(p)
}

// SetCompactHook runs the compaction of every later BackupCompacted (and
// so CompactSnapshot) through hook, which must call compact once: from
// the moment the store was let go to the moment the copy took its name or
// was given up. nil removes the hook. It exists for tests of a bot told
// to stop during a backup: bbolt's compaction cannot be interrupted, and
// its length is the size of the database, which a test would have to
// guess; the hook makes it as long as the test needs.
func (db *DB) SetCompactHook(hook func(compact func())) {
	if hook == nil {
		db.compactHook.Store(nil)
		return
	}
	db.compactHook.Store(&hook)
}

// CompactSnapshot is Snapshot with a compacted copy: what a hot backup
// client receives. Both temporary files are beside the database. ctx cuts
// it short as it does BackupCompacted.
func (db *DB) CompactSnapshot(ctx context.Context) (io.ReadCloser, int64, error) {
	path := db.bolt.Path()
	dir, err := os.MkdirTemp(filepath.Dir(path), filepath.Base(path)+".compact-*")
	if err != nil {
		return nil, 0, fmt.Errorf("snapshot: %w", err)
	}
	defer os.RemoveAll(dir)
	copyPath := filepath.Join(dir, "compacted.db")
	if _, err := db.BackupCompacted(ctx, copyPath); err != nil {
		if ctx.Err() != nil {
			return nil, 0, fmt.Errorf("snapshot: %w", err)
		}
		return nil, 0, fmt.Errorf("snapshot next to the database (it needs twice the database's size free): %w", err)
	}
	f, err := os.Open(copyPath)
	if err != nil {
		return nil, 0, fmt.Errorf("snapshot: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("snapshot: %w", err)
	}
	// Unlinked with its directory on return where the system allows: the
	// open file stays readable, and a crash leaves nothing behind.
	return &snapshot{File: f, unlinked: true}, fi.Size(), nil
}

// Compacted describes a compaction in place.
type Compacted struct {
	Before, After int64 // the file's size
	// Kept is where the file before the compaction is kept.
	Kept string
}

// Compact replaces the database at path by a compacted copy, for a bot
// that is stopped: it takes the database's lock for the whole of it (and
// fails after timeout while a bot holds it), writes the copy beside the
// file and checks it by opening it, keeps the file as it was under keep
// (a hard link, so it costs no space until deleted; a copy where links
// are not possible), and puts the copy in its place in one rename. There
// is a whole database under path at every moment; when a step fails,
// nothing was changed.
func Compact(path, keep string, timeout time.Duration) (Compacted, error) {
	fail := func(err error) (Compacted, error) {
		return Compacted{}, fmt.Errorf("compact: %w; nothing was changed", err)
	}
	if _, err := os.Lstat(keep); err == nil {
		return fail(fmt.Errorf("%s exists already", keep))
	}
	// Opened for writing, so that bbolt takes the exclusive lock a
	// running bot holds; nothing is ever written to it.
	s, err := openSource(path, timeout, false)
	if err != nil {
		return fail(err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		return fail(err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".compacted")
	os.Remove(tmp) // left by an interrupted compaction; the lock is ours
	n, err := compactTo(s, tmp)
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp) // gone by its rename on success
	if err := KeepAs(path, keep); err != nil {
		return fail(fmt.Errorf("keep the database as %s: %w", keep, err))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(keep)
		return fail(err)
	}
	syncDir(filepath.Dir(path))
	return Compacted{Before: fi.Size(), After: n, Kept: keep}, nil
}

// openSource opens a database file to be copied from: checked first as
// Open checks it, then read-only (a shared lock) or with the exclusive
// lock of a writer, without the free list sync that would write to it.
func openSource(path string, timeout time.Duration, readOnly bool) (*bolt.DB, error) {
	if err := checkFile(path, Options{Timeout: timeout, ReadOnly: true}); err != nil {
		return nil, err
	}
	b, err := openBolt(path, &bolt.Options{
		Timeout: timeout, ReadOnly: readOnly,
		NoFreelistSync: true, FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, errLocked(path)
	}
	return b, err
}

// compactTo writes a compacted copy of src to dst atomically: a temporary
// file beside dst, synced, made 0600 and checked, then renamed.
func compactTo(src *bolt.DB, dst string) (int64, error) {
	tmp, size, err := compactBeside(src, dst)
	if err != nil {
		return 0, err
	}
	if err := takeName(tmp, dst); err != nil {
		return 0, err
	}
	return size, nil
}

// compactBeside writes a compacted copy of src to a temporary file beside
// dst, synced, made 0600 and checked, and returns its name and size, for
// the caller to give it dst's name (takeName) or remove it. Nothing is
// left behind when it fails.
func compactBeside(src *bolt.DB, dst string) (string, int64, error) {
	f, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".tmp-*")
	if err != nil {
		return "", 0, fmt.Errorf("compact: %w", err)
	}
	tmp := f.Name()
	f.Close()
	err = func() error {
		// Each commit need not reach the disk: the file is synced once,
		// whole, before it takes its name.
		d, err := bolt.Open(tmp, 0o600, &bolt.Options{
			Timeout: time.Second, NoSync: true,
			NoFreelistSync: true, FreelistType: bolt.FreelistMapType,
		})
		if err != nil {
			return err
		}
		if err := bolt.Compact(d, src, compactTxSize); err != nil {
			d.Close()
			return err
		}
		return d.Close()
	}()
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err == nil {
		err = CheckCopy(tmp)
	}
	var size int64
	if err == nil {
		var fi fs.FileInfo
		if fi, err = os.Stat(tmp); err == nil {
			size = fi.Size()
		}
	}
	if err != nil {
		os.Remove(tmp)
		return "", 0, fmt.Errorf("compact into %s: %w", dst, err)
	}
	return tmp, size, nil
}

// takeName renames the finished copy at tmp to dst, durably, or removes
// it.
func takeName(tmp, dst string) error {
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compact into %s: %w", dst, err)
	}
	syncDir(filepath.Dir(dst))
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes the renames in dir durable, where the system allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// KeepAs keeps the file at path under a second name: a hard link, or,
// where the file system has none, a synced copy.
func KeepAs(path, keep string) error {
	if err := os.Link(path, keep); err == nil {
		return nil
	}
	_, err := WriteFileAtomic(keep, func(w io.Writer) (int64, error) {
		f, err := os.Open(path)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		return io.Copy(w, f)
	}, nil)
	return err
}
