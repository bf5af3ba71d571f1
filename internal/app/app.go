// Package app wires the bot together: configuration, store, catalog and
// the Telegram adapter. cmd/mmobot calls it, and the end-to-end tests run
// the same Main against a fake Bot API server.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/locales"
)

// Main is the running program.
type Main struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *boltdb.DB
	Catalog *i18n.Catalog
	Bot     *telegram.Bot
	// Now is the clock; time.Now when nil. Tests inject their own.
	Now func() time.Time
	// DueInterval is how often due reminders are looked for (the bot's
	// default when 0); tests that move the clock make it short.
	DueInterval time.Duration
	// BackupIdle is how long a hot backup client may take no data before
	// it is cut off (DefaultBackupIdle when 0).
	BackupIdle time.Duration

	backup  net.Listener
	wg      sync.WaitGroup
	mu      sync.Mutex
	clients map[net.Conn]bool // hot backups being served
}

// DefaultBackupIdle is how long a hot backup client may take no data.
const DefaultBackupIdle = 30 * time.Second

// maxBackups is how many hot backups are served at once; each holds a
// copy of the database on disk until its client has read it.
const maxBackups = 4

// NewLogger builds the logger the config asks for, with the bot token
// redacted from every line.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	switch cfg.Log.Level {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if cfg.Log.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(telegram.RedactingHandler(h, cfg.Telegram.Token))
}

// Open opens the store and the catalog and connects to the Bot API.
func (m *Main) Open(ctx context.Context) error {
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.Log == nil {
		m.Log = NewLogger(m.Config, os.Stderr)
	}
	cat, err := i18n.New(locales.FS)
	if err != nil {
		return err
	}
	m.Catalog = cat
	db, err := boltdb.Open(m.Config.Data.Path, boltdb.Options{Timeout: m.Config.Data.OpenTimeout, Now: m.Now})
	if err != nil {
		return err
	}
	m.DB = db
	c := m.Config
	bot, err := telegram.New(ctx, db, cat, telegram.Options{
		Token:          c.Telegram.Token,
		Endpoint:       c.Telegram.APIEndpoint,
		PollTimeout:    c.Telegram.PollTimeout,
		RequestTimeout: c.Telegram.RequestTimeout,
		Workers:        c.Telegram.Workers,
		Limits: telegram.Limits{
			Global:         c.Limits.GlobalPerSecond,
			Private:        c.Limits.PrivatePerSecond,
			PrivateBurst:   c.Limits.PrivateBurst,
			GroupPerMinute: c.Limits.GroupPerMinute,
		},
		Admins:        c.Admins,
		DialogIdle:    c.Dialogs.IdleTimeout,
		MemberLinkTTL: c.Invitations.MemberTTL,
		LeaderLinkTTL: c.Invitations.LeaderTTL,
		Reminders:     c.Meetings.Reminders,
		DueInterval:   m.DueInterval,

		ConsultCategories:   c.Consultations.Categories,
		ConsultResponseDays: c.Consultations.ResponseDays,
		ConsultAutoClose:    c.Consultations.AutoClose,

		Regulation: c.Regulation.Profile(),
		AlertsAt:   c.Regulation.AlertsAt,
		Location:   c.Location,
		Log:        m.Log,
		Now:        m.Now,
	})
	if err != nil {
		db.Close()
		m.DB = nil
		return err
	}
	m.Bot = bot
	m.listenBackup()
	return nil
}

// Run runs the bot until ctx is done.
func (m *Main) Run(ctx context.Context) error {
	m.Log.Info("bot started", "data", m.Config.Data.Path, "timezone", m.Config.Timezone)
	err := m.Bot.Run(ctx)
	m.Log.Info("bot stopped")
	return err
}

// Close stops the backup listener, cuts the backups in progress and
// closes the store.
func (m *Main) Close() error {
	if m.backup != nil {
		m.backup.Close()
		m.mu.Lock()
		for c := range m.clients {
			c.SetDeadline(time.Now()) // a slow client must not hold up a shutdown
		}
		m.mu.Unlock()
		m.wg.Wait()
	}
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
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
// file itself.
func Backup(dataPath, out string, openTimeout time.Duration) (int64, error) {
	conn, err := net.DialTimeout("unix", BackupSocket(dataPath), time.Second)
	if err == nil {
		defer conn.Close()
		n, err := boltdb.WriteFileAtomic(out, func(w io.Writer) (int64, error) {
			return io.Copy(w, idleReader{conn: conn, idle: 2 * DefaultBackupIdle})
		})
		if err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, errors.New("backup: the running bot sent nothing; see its log")
		}
		return n, verifyBackup(out)
	}
	if _, statErr := os.Stat(dataPath); statErr != nil {
		return 0, fmt.Errorf("backup: %w", statErr)
	}
	db, err := boltdb.Open(dataPath, boltdb.Options{Timeout: openTimeout, ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	n, err := boltdb.BackupFile(db, out)
	if err != nil {
		return 0, err
	}
	return n, verifyBackup(out)
}

// verifyBackup opens the copy to make sure it is a whole database.
func verifyBackup(path string) error {
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("backup: the copy does not open: %w", err)
	}
	defer db.Close()
	if _, err := db.Version(); err != nil {
		return fmt.Errorf("backup: the copy is unreadable: %w", err)
	}
	return nil
}
