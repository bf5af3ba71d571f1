package app

import (
	"errors"
	"fmt"
	"io"
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
// open. A connection receives a consistent copy of the database: a
// snapshot taken at disk speed into a temporary file, then streamed, so no
// client, however slow, holds a transaction the bot's writes wait for.
// Up to maxBackups clients are served at once; one that takes no data for
// BackupIdle is cut off.
func (m *Main) listenBackup() {
	path := BackupSocket(m.Config.Data.Path)
	os.Remove(path) // left by a killed bot; we hold the database lock, so nobody else uses it
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
	m.clients = map[net.Conn]bool{}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			m.mu.Lock()
			busy := len(m.clients) >= maxBackups
			if !busy {
				m.clients[conn] = true
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
				delete(m.clients, conn)
				m.mu.Unlock()
			}()
		}
	}()
}

// serveBackup sends one client a snapshot of the database.
func (m *Main) serveBackup(conn net.Conn) {
	defer conn.Close()
	snap, size, err := m.DB.Snapshot()
	if err != nil {
		m.Log.Error("hot backup failed", "error", err)
		return
	}
	defer snap.Close()
	n, err := io.Copy(idleWriter{conn: conn, idle: m.BackupIdle}, snap)
	if err != nil {
		m.Log.Warn("hot backup cut off: the client took no data in time or went away",
			"sent", n, "bytes", size, "idle_limit", m.BackupIdle.String(), "error", err)
		return
	}
	m.Log.Info("hot backup written", "bytes", n)
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

// Backup writes a consistent copy of the database at dataPath to out:
// from the running bot through its socket, or, when no bot runs, from the
// file itself. The copy is checked before it takes the name out.
func Backup(dataPath, out string, openTimeout time.Duration) (int64, error) {
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
	db, err := boltdb.Open(dataPath, boltdb.Options{Timeout: openTimeout, ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return boltdb.BackupFile(db, out)
}
