package boltdb

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the database to w. It holds a read
// transaction until w has taken everything, and while it does, a commit
// that must grow the file waits for it: give it a local file, never a
// network peer (see Snapshot).
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Snapshot writes a consistent copy of the database to a temporary file
// next to it, at disk speed, and returns the copy to be read from the
// start, with its size. The read transaction ends before Snapshot
// returns, so however slowly the copy is then read (a backup client on a
// slow link, or one that stalls), no writer waits for it. The file is
// unlinked at once where the system allows, so a crash leaves nothing
// behind; Close releases it.
func (db *DB) Snapshot() (io.ReadCloser, int64, error) {
	path := db.bolt.Path()
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".snapshot-*")
	if err != nil {
		return nil, 0, fmt.Errorf("snapshot: %w", err)
	}
	s := &snapshot{File: f, unlinked: os.Remove(f.Name()) == nil}
	n, err := db.Backup(f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		s.Close()
		return nil, 0, fmt.Errorf("snapshot next to the database (it needs as much free space as the database): %w", err)
	}
	return s, n, nil
}

type snapshot struct {
	*os.File
	unlinked bool
}

func (s *snapshot) Close() error {
	err := s.File.Close()
	if !s.unlinked {
		os.Remove(s.Name())
	}
	return err
}

// BackupFile writes a consistent copy to path atomically: a temporary file
// in the same directory, synced and checked with Inspect, then renamed,
// so a failed backup never leaves a truncated file under the final name.
func BackupFile(db *DB, path string) (int64, error) {
	return WriteFileAtomic(path, db.Backup, CheckCopy)
}

// CheckCopy checks a copy of the database with Inspect.
func CheckCopy(path string) error {
	if _, err := Inspect(path, time.Second); err != nil {
		return fmt.Errorf("the copy is not a whole database: %w", err)
	}
	return nil
}

// WriteFileAtomic writes what write produces to path through a synced
// temporary file and a rename; check, when set, must accept the temporary
// file before it takes the name.
func WriteFileAtomic(path string, write func(io.Writer) (int64, error), check func(tmp string) error) (int64, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(f.Name())
	n, err := write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o600)
	}
	if err == nil && check != nil {
		err = check(f.Name())
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}
