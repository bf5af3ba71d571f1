// Package app wires the bot together: configuration, store, catalog, the
// conversation (chat), the Telegram and MAX transports and the schedule.
// cmd/mmobot calls it, and the end-to-end tests run the same Main against
// a fake Bot API server.
package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/max"
	"github.com/mmobot/mmobot/internal/metrics"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/schedule"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/locales"
)

// Main is the running program.
type Main struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *boltdb.DB
	Catalog *i18n.Catalog
	// Engine is the conversation; Bot the Telegram transport and Max the
	// MAX one, each nil when its token is not configured.
	Engine *chat.Engine
	Bot    *telegram.Bot
	Max    *max.Bot
	// Now is the clock; time.Now when nil. Tests inject their own.
	Now func() time.Time
	// DueInterval is how often due reminders are looked for (the bot's
	// default when 0); tests that move the clock make it short.
	DueInterval time.Duration
	// LiveEvery is how often at most a leader's card is edited for the
	// delivery count of its announcement (chat.Options.LiveEvery): 5 s
	// when 0; negative: only when the card is drawn anyway.
	LiveEvery time.Duration
	// BackupIdle is how long a hot backup client may take no data before
	// it is cut off (DefaultBackupIdle when 0).
	BackupIdle time.Duration
	// OnDueScan, when set, is told after each due scan the clock time it
	// went by and whether it queued messages (see schedule.Options).
	OnDueScan func(now time.Time, queued bool)
	// Build names the running build, for /metrics.
	Build metrics.Build
	// Metrics are the bot's figures, served on /metrics; Open makes them.
	Metrics *metrics.Metrics
	// BackupCheck is how often the scheduled backups look at the clock
	// (DefaultBackupCheck when 0); tests that move the clock make it short.
	BackupCheck time.Duration
	// OnBackupCheck, when set, is told after each look the clock time,
	// the backup written (if one was due) and its error.
	OnBackupCheck func(now time.Time, wrote string, err error)

	http     *http.Server
	httpAddr net.Addr
	// The scheduled backups' state, kept by their one goroutine.
	lastBackup, failingSince, alertedAt time.Time

	backup net.Listener
	// backupCtx is the hot backups' own: Close cancels it (stopBackups),
	// which abandons their compactions and closes their connections.
	backupCtx   context.Context
	stopBackups context.CancelFunc
	wg          sync.WaitGroup
	mu          sync.Mutex
	serving     int // hot backups being served
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
	return slog.New(telegram.RedactingHandler(h, cfg.Telegram.Token, cfg.Max.Token))
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
	fi, statErr := os.Stat(m.Config.Data.Path)
	created := statErr != nil || fi.Size() == 0
	db, err := boltdb.Open(m.Config.Data.Path, boltdb.Options{
		Timeout: m.Config.Data.OpenTimeout, Now: m.Now,
		Init: m.Config.Data.Init, Unrelated: unrelated,
	})
	if err != nil {
		return err
	}
	m.DB = db
	m.Metrics = metrics.New(m.Build, metrics.Sources{Outbox: m.outboxFigures, StoreSize: db.FileSize, Now: m.Now})
	switch {
	case created && m.Config.Data.Init:
		// Said loudly: after a lost database this is where a restore was
		// wanted instead, and data.init left on would hide the next one.
		m.Log.Warn("started a new, empty database as -init (data.init) asked; do not leave data.init on", "data", m.Config.Data.Path)
	case created:
		m.Log.Info("started a new, empty database", "data", m.Config.Data.Path)
	}
	c := m.Config
	var transports []chat.Transport
	if c.Telegram.Token != "" {
		if err := m.openTelegram(ctx); err != nil {
			db.Close()
			m.DB = nil
			return err
		}
		transports = append(transports, m.Bot.Transport())
	}
	if c.Max.Token != "" {
		bot, err := max.NewBot(ctx, db, max.BotOptions{
			Token: c.Max.Token, BaseURL: c.Max.APIURL, PollTimeout: c.Max.PollTimeout,
			RequestTimeout: c.Max.RequestTimeout, Workers: c.Max.Workers, PerSecond: c.Max.PerSecond,
			Log: m.Log, Polled: func() { m.Metrics.PolledMax(m.Now()) }, Fetch: m.fetch,
		})
		if err != nil {
			db.Close()
			m.DB = nil
			return err
		}
		m.Max = bot
		transports = append(transports, bot.Transport())
	}
	engine, err := chat.New(db, cat, chat.Options{
		Transports:    transports,
		Wake:          m.wake,
		UserUpdates:   c.Limits.UserUpdates,
		UserWindow:    c.Limits.UserWindow,
		Admins:        adminAccounts(c.Admins),
		DialogIdle:    c.Dialogs.IdleTimeout,
		MemberLinkTTL: c.Invitations.MemberTTL,
		LeaderLinkTTL: c.Invitations.LeaderTTL,
		Reminders:     c.Meetings.Reminders,
		NudgeAfter:    c.Meetings.NudgeAfter,
		LiveEvery:     m.LiveEvery,

		ConsultCategories:   c.Consultations.Categories,
		Schools:             c.Registration.Schools,
		ParentCategories:    c.Consultations.ParentCategories,
		ConsultResponseDays: c.Consultations.ResponseDays,
		ConsultAutoClose:    c.Consultations.AutoClose,

		Regulation: c.Regulation.Profile(),
		Org:        c.Organisation.Profile(),
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
	m.Engine = engine
	if err := m.listenHTTP(); err != nil {
		return err // Close closes the store
	}
	m.listenBackup()
	return nil
}

// openTelegram connects the Telegram transport.
func (m *Main) openTelegram(ctx context.Context) error {
	c := m.Config
	bot, err := telegram.New(ctx, m.DB, telegram.Options{
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
		Log:     m.Log,
		Metrics: m.Metrics,
		Now:     m.Now,
		Fetch:   m.fetch,
	})
	if err != nil {
		return err
	}
	m.Bot = bot
	return nil
}

// fetch gets the bytes of a file a person sent through a messenger, for
// another messenger's transport to upload.
func (m *Main) fetch(ctx context.Context, messenger, fileID string) ([]byte, error) {
	switch {
	case messenger == telegram.Messenger && m.Bot != nil:
		return m.Bot.Fetch(ctx, fileID)
	case messenger == max.Messenger && m.Max != nil:
		return m.Max.Fetch(ctx, fileID)
	}
	return nil, errors.New("a file of " + messenger + ", which this bot does not run on")
}

// wake tells every transport that messages were committed.
func (m *Main) wake() {
	if m.Bot != nil {
		m.Bot.Wake()
	}
	if m.Max != nil {
		m.Max.Wake()
	}
}

// adminAccounts are the accounts of the administrators the config names.
func adminAccounts(admins []config.Admin) []mmo.Account {
	out := make([]mmo.Account, len(admins))
	for i, a := range admins {
		out[i] = mmo.Account{Messenger: a.Messenger, ID: a.ID}
	}
	return out
}

// Run runs the bot until ctx is done: the menus brought up to date (in
// the background), the schedule of due messages and that of backups, and the transport handing
// updates to the conversation. When ctx is done the schedule stops (a
// scan in hand finishes) and a backup in progress is abandoned once it has
// let go of the store, while the transport finishes the updates in hand and
// lets the outbox drain.
func (m *Main) Run(ctx context.Context) error {
	m.Log.Info("bot started", "data", m.Config.Data.Path, "timezone", m.Config.Timezone,
		"version", m.Build.Version, "commit", m.Build.Commit)
	// The menus are brought up to date beside the first updates: that
	// reads every user, and the first answers after a start need not wait
	// for it (the menus themselves go out paced, after the replies).
	menus := make(chan struct{})
	go func() {
		defer close(menus)
		if err := m.Engine.RefreshMenus(); err != nil {
			m.Log.Error("queue command menus", "error", err)
		}
	}()
	sched := schedule.Start(m.Engine, schedule.Options{Every: m.DueInterval, Location: m.Config.Location, Log: m.Log,
		OnDueScan: m.OnDueScan, Metrics: m.Metrics})
	ctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		<-ctx.Done()
		sched.Stop()
		close(stopped)
	}()
	backups := make(chan struct{})
	go func() {
		defer close(backups)
		m.runBackups(ctx)
	}()
	err := m.runTransports(ctx)
	cancel() // should the transports stop on their own
	<-stopped
	<-backups
	<-menus
	m.Log.Info("bot stopped")
	return err
}

// runTransports runs every configured transport until ctx is done; the
// first error stops the others.
func (m *Main) runTransports(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	if m.Bot != nil {
		wg.Go(func() {
			errs[0] = m.Bot.Run(ctx, m.Engine)
			cancel()
		})
	}
	if m.Max != nil {
		wg.Go(func() {
			errs[1] = m.Max.Run(ctx, m.Engine)
			cancel()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Close stops the HTTP and backup listeners, cuts the hot backups in
// progress (a slow client, or a compaction that would take long, must not
// hold up a shutdown) and closes the store.
func (m *Main) Close() error {
	m.closeHTTP()
	if m.backup != nil {
		m.backup.Close()
		m.stopBackups()
	}
	m.wg.Wait()
	if m.Engine != nil {
		m.Engine.Stop()
	}
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}
