package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// SandboxDataPath is where the sandbox keeps its database unless told
// otherwise: beside the bot's own, by default in the same directory.
const SandboxDataPath = "./data/sandbox.db"

// unrelated reports the files that may sit beside the bot's database
// without showing that a database was there: the sandbox's.
func unrelated(name string) bool {
	return strings.HasPrefix(name, filepath.Base(SandboxDataPath))
}

// BackupSocket is where a running bot serves hot backups: the database
// path with ".sock" appended. The store's file lock keeps a second process
// from opening the database, so `mmobot backup` asks the running bot.
func BackupSocket(dataPath string) string { return dataPath + ".sock" }

// listenBackup serves hot backups on a unix socket only the bot's user can
// open. A connection receives a consistent, compacted copy of the
// database: a snapshot taken at disk speed into a temporary file and
// compacted from there (see boltdb.CompactSnapshot), then streamed, so no
// client, however slow, holds a transaction the bot's writes wait for.
// Up to maxBackups clients are served at once; one that takes no data for
// BackupIdle is cut off, and so are all when the bot closes.
func (m *Main) listenBackup() {
	path := BackupSocket(m.Config.Data.Path)
	os.Remove(path) // left by a killed bot; we hold the database lock, so nobody else uses it
	// So are the working directories of hot backups it was serving.
	if left, _ := filepath.Glob(m.Config.Data.Path + ".compact-*"); len(left) > 0 {
		for _, dir := range left {
			os.RemoveAll(dir)
		}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		m.Log.Warn("hot backup socket unavailable; stop the bot to back up", "error", err)
		return
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		m.Log.Warn("hot backup socket unavailable", "error", err)
		return
	}
	if m.BackupIdle <= 0 {
		m.BackupIdle = DefaultBackupIdle
	}
	m.backup = l
	m.backupCtx, m.stopBackups = context.WithCancel(context.Background())
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			m.mu.Lock()
			busy := m.serving >= maxBackups
			if !busy {
				m.serving++
			}
			m.mu.Unlock()
			if busy {
				m.Log.Warn("hot backup refused: too many in progress", "limit", maxBackups)
				conn.Close()
				continue
			}
			m.wg.Add(1)
			go func() {
				defer m.wg.Done()
				m.serveBackup(conn)
				m.mu.Lock()
				m.serving--
				m.mu.Unlock()
			}()
		}
	}()
}

// serveBackup sends one client a snapshot of the database. When the bot
// closes, the snapshot is abandoned or the connection closed, wherever it
// is: the client sees its backup end short and keeps no file.
func (m *Main) serveBackup(conn net.Conn) {
	defer conn.Close()
	ctx := m.backupCtx
	defer context.AfterFunc(ctx, func() { conn.Close() })()
	snap, size, err := m.DB.CompactSnapshot(ctx)
	if err != nil && ctx.Err() != nil {
		m.Log.Info("hot backup abandoned: the bot is stopping")
		return
	}
	if err != nil {
		m.Log.Error("hot backup failed", "error", err)
		m.Metrics.BackupFailed()
		return
	}
	defer snap.Close()
	n, err := io.Copy(idleWriter{conn: conn, idle: m.BackupIdle}, snap)
	if err != nil && ctx.Err() != nil {
		m.Log.Info("hot backup cut off: the bot is stopping", "sent", n, "bytes", size)
		return
	}
	if err != nil {
		m.Log.Warn("hot backup cut off: the client took no data in time or went away",
			"sent", n, "bytes", size, "idle_limit", m.BackupIdle.String(), "error", err)
		return
	}
	m.Log.Info("hot backup written", "bytes", n)
	m.Metrics.BackupDone(m.Now(), n)
}

// idleWriter gives every write to a connection its own deadline, so a
// peer that stops reading is cut off after idle while one that keeps
// reading, however long the whole takes, is not.
type idleWriter struct {
	conn net.Conn
	idle time.Duration
}

func (w idleWriter) Write(p []byte) (int, error) {
	if err := w.conn.SetWriteDeadline(time.Now().Add(w.idle)); err != nil {
		return 0, err
	}
	return w.conn.Write(p)
}

// idleReader is idleWriter's counterpart for the backup command: a bot
// that stops sending is given up on after idle.
type idleReader struct {
	conn net.Conn
	idle time.Duration
}

func (r idleReader) Read(p []byte) (int, error) {
	if err := r.conn.SetReadDeadline(time.Now().Add(r.idle)); err != nil {
		return 0, err
	}
	return r.conn.Read(p)
}

// Backup writes a consistent, compacted copy of the database at dataPath
// to out: from the running bot through its socket, or, when no bot runs,
// from the file itself. The copy is checked before it takes the name out.
// out must not be one of the bot's own files: writing there would replace
// the database under the running bot.
func Backup(dataPath, out string, openTimeout time.Duration) (int64, error) {
	if err := refuseOwnFiles(dataPath, out); err != nil {
		return 0, fmt.Errorf("backup: %w; write the copy to another file", err)
	}
	conn, err := net.DialTimeout("unix", BackupSocket(dataPath), time.Second)
	if err == nil {
		defer conn.Close()
		n, err := boltdb.WriteFileAtomic(out, func(w io.Writer) (int64, error) {
			n, err := io.Copy(w, idleReader{conn: conn, idle: 2 * DefaultBackupIdle})
			if err == nil && n == 0 {
				err = errors.New("the running bot sent nothing; see its log")
			}
			return n, err
		}, boltdb.CheckCopy)
		return n, err
	}
	if _, statErr := os.Stat(dataPath); statErr != nil {
		return 0, fmt.Errorf("backup: %w", statErr)
	}
	return boltdb.CompactFile(dataPath, out, openTimeout)
}

// refuseOwnFiles returns an error if path is the database at dataPath (by
// name, through a symbolic link, or as another hard link to the same
// file) or another file the bot keeps beside it.
func refuseOwnFiles(dataPath, path string) error {
	for _, own := range []struct{ path, what string }{
		{dataPath, "the bot's database itself"},
		{BackupSocket(dataPath), "the bot's backup socket"},
	} {
		same, err := samePath(path, own.path)
		if err != nil {
			return err
		}
		if same {
			return fmt.Errorf("%s is %s (%s)", path, own.what, own.path)
		}
	}
	return nil
}

// samePath reports whether a and b name the same file: the same inode
// when both exist, else the same cleaned absolute path with symbolic
// links of the directories resolved.
func samePath(a, b string) (bool, error) {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb), nil
	}
	for _, err := range []error{errA, errB} {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
	}
	ca, err := canonical(a)
	if err != nil {
		return false, err
	}
	cb, err := canonical(b)
	if err != nil {
		return false, err
	}
	return ca == cb, nil
}

func canonical(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if errors.Is(err, fs.ErrNotExist) {
		return abs, nil
	}
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}

// Restored describes a restore.
type Restored struct {
	boltdb.Info
	// Replaced is where the database that was replaced is kept; empty if
	// there was none.
	Replaced string
}

// Restore puts the backup at from in the place of the database at
// dataPath. The backup must be a whole database of this bot (see
// boltdb.Inspect), and no bot may be running on dataPath: its socket must
// not answer and its file lock must be free, and the lock is held until
// the end. The backup is copied beside the database, synced and checked
// again, the old file is kept as <dataPath>.replaced-<time> (a hard link,
// so it costs no space), and the copy takes the name in one rename, so
// there is always a whole database under dataPath. Nothing is changed
// when a check fails.
func Restore(dataPath, from string, openTimeout time.Duration, now time.Time) (Restored, error) {
	fail := func(format string, args ...any) (Restored, error) {
		return Restored{}, fmt.Errorf("restore: "+format+"; nothing was changed", args...)
	}
	if same, err := samePath(from, dataPath); err != nil {
		return fail("%v", err)
	} else if same {
		return fail("%s is the bot's database itself", from)
	}
	info, err := boltdb.Inspect(from, openTimeout)
	if err != nil {
		return fail("%s is not a usable backup: %v", from, err)
	}
	if conn, err := net.DialTimeout("unix", BackupSocket(dataPath), time.Second); err == nil {
		conn.Close()
		return fail("the bot is running (it answers on %s); stop it first", BackupSocket(dataPath))
	}
	dir := filepath.Dir(dataPath)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fail("%v", err)
	}
	var replaced string
	if live, err := os.OpenFile(dataPath, os.O_RDWR, 0); err == nil {
		defer live.Close()
		if err := lockFile(live); err != nil {
			return fail("%s is in use (is the bot running?): %v; stop it first", dataPath, err)
		}
		replaced = dataPath + ".replaced-" + now.UTC().Format("20060102-150405")
		for i := 2; fileExists(replaced); i++ {
			replaced = fmt.Sprintf("%s.replaced-%s-%d", dataPath, now.UTC().Format("20060102-150405"), i)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail("%v", err)
	}

	tmp, err := copyBeside(dataPath, from)
	if err != nil {
		return fail("copy %s: %v", from, err)
	}
	defer os.Remove(tmp) // gone by its rename on success
	if _, err := boltdb.Inspect(tmp, openTimeout); err != nil {
		return fail("the copy of %s is not whole: %v", from, err)
	}
	if replaced != "" {
		if err := boltdb.KeepAs(dataPath, replaced); err != nil {
			return fail("keep the current database as %s: %v", replaced, err)
		}
	}
	if err := os.Rename(tmp, dataPath); err != nil {
		if replaced != "" {
			os.Remove(replaced)
		}
		return fail("%v", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable
		d.Close()
	}
	return Restored{Info: info, Replaced: replaced}, nil
}

// copyBeside copies from into a new temporary file in dataPath's
// directory, synced, readable by the owner only, and returns its name.
func copyBeside(dataPath, from string) (string, error) {
	src, err := os.Open(from)
	if err != nil {
		return "", err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dataPath), filepath.Base(dataPath)+".restore-*")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o600)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
