// Package sandbox runs the real bot without a messenger: the same program
// (app.Main) and store format, against in-process fakes of the Telegram
// Bot API (telegramtest) and of the MAX API (maxtest), with a chat page on
// 127.0.0.1 where one acts as any of a cast of personas — the
// coordinator, leaders, teachers, a parent, and a teacher on MAX beside
// the others on Telegram — each with their own chat with the bot. A coordinator deciding whether to
// adopt the bot, a developer without a Telegram account and the browser
// tests all use it: `mmobot sandbox [-demo]`.
//
// The fake server records only what the bot sent, so the sandbox keeps
// its own log of what each persona typed, pressed and shared and merges
// the two into one chat. Its clock is settable: moving it forward makes
// reminders and deadlines fire as they would days later.
package sandbox

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/mmobot/mmobot/internal/app"
	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/max"
	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// DefaultDataPath is the sandbox's own database, apart from the real
// bot's ./data/mmo.db.
const DefaultDataPath = app.SandboxDataPath

// Bot identity in the sandbox; deep links read t.me/<BotUsername>?start=….
const (
	BotUsername  = "mmo_sandbox_bot"
	BotFirstName = "ММО-бот"
)

// Keys of the sandbox's own settings in the store's meta bucket.
const (
	metaClock   = "sandbox_clock"   // how far the clock was moved, in nanoseconds
	metaMsgBase = "sandbox_msgbase" // where the next run starts numbering messages
)

// msgIDStride is how far message ids jump at each start; no run sends a
// million messages to one chat.
const msgIDStride = 1_000_000

// Options configure a Sandbox. The zero value is usable.
type Options struct {
	// DataPath is the database file; DefaultDataPath when empty.
	DataPath string
	// Demo seeds demo data into a new (empty) database.
	Demo bool
	// Log receives the bot's log; nothing is logged when nil.
	Log io.Writer
	// LogLevel is the bot's log level ("debug", "info", "warn", "error");
	// "warn" when empty: the page shows what happens.
	LogLevel string
	// DueInterval is how often the bot looks for due reminders; 200 ms
	// when zero, so that they fire soon after the clock moves.
	DueInterval time.Duration
	// PollTimeout is the bot's long-poll wait; 2 s when zero.
	PollTimeout time.Duration
}

// Sandbox is the bot, the fake Bot API server it talks to and the state
// of the chat page. Create it with New, serve Handler, Run the bot, Close.
type Sandbox struct {
	opts  Options
	clock *clock
	srv   *telegramtest.Server
	mx    *maxtest.Server
	main  *app.Main
	loc   *time.Location

	// Seeded reports that New seeded the demo data; Notice says why not
	// when the demo was asked for and not seeded.
	Seeded bool
	Notice string

	personas []*persona
	byID     map[int64]*persona

	mu sync.Mutex // guards the personas' logs and read counts
}

// persona is a Persona with its simulated Telegram user and what the
// sandbox knows beyond the fake server's record.
type persona struct {
	Persona
	c    messenger // the persona's messenger app
	log  []entry   // what the persona did, in order
	seen int       // bot messages shown on the page
}

// entry is one thing a persona did in their chat.
type entry struct {
	Kind string // "text", "press", "location", "contact", "document", "photo"
	Text string // the text, the pressed button's label, the caption
	At   time.Time
	// After is how many bot messages the chat had then: the entry goes
	// after them. Message dates have a second's precision and a reply
	// often shares its second, so the position, not the time, orders the
	// merged chat.
	After    int
	Lat, Lon float64
	File     *file
	// On is the bot message a press was on.
	On int
}

// file is a file a persona sent.
type file struct {
	Name string
	MIME string
	Data []byte
}

// clock is the bot's clock: the real time moved forward by an offset the
// page can increase, so time flows and jumps.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the sandbox time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
	return c.offset
}

// New prepares the sandbox: opens (and, with Demo, seeds) the database,
// starts the fake Bot API server with the personas, and opens the bot.
// The bot answers once Run is called.
func New(opts Options) (*Sandbox, error) {
	if opts.DataPath == "" {
		opts.DataPath = DefaultDataPath
	}
	if opts.DueInterval == 0 {
		opts.DueInterval = 200 * time.Millisecond
	}
	if opts.PollTimeout == 0 {
		opts.PollTimeout = 2 * time.Second
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "warn"
	}
	s := &Sandbox{opts: opts, clock: &clock{}, byID: map[int64]*persona{}}
	cfg, err := s.config()
	if err != nil {
		return nil, err
	}
	s.loc = cfg.Location
	firstUpdate, msgBase, firstMarker, err := s.prepareStore(cfg)
	if err != nil {
		return nil, err
	}
	s.mx = maxtest.Start(maxtest.Options{BotUsername: BotUsername, BotName: BotFirstName, Now: s.clock.Now, FirstMarker: firstMarker})

	s.srv = telegramtest.Start(telegramtest.Options{
		BotUsername:   BotUsername,
		BotFirstName:  BotFirstName,
		Now:           s.clock.Now,
		FirstUpdateID: firstUpdate,
	})
	for i := range personas {
		p := &persona{Persona: personas[i]}
		if p.Messenger == MessengerMax {
			u := s.mx.NewUser(p.ID, p.FirstName, p.Lang)
			u.LastName = p.LastName
			p.c = &maxClient{u: u}
		} else {
			u := s.srv.NewUser(p.ID, p.FirstName, p.Lang)
			u.LastName = p.LastName
			s.srv.SetNextMessageID(p.ID, msgBase)
			p.c = &tgClient{srv: s.srv, u: u}
		}
		s.personas = append(s.personas, p)
		s.byID[p.ID] = p
	}
	cfg.Telegram.APIEndpoint = s.srv.Endpoint()
	cfg.Max.APIURL = s.mx.URL()

	logOut := opts.Log
	if logOut == nil {
		logOut = io.Discard
	}
	s.main = &app.Main{Config: cfg, Log: app.NewLogger(cfg, logOut), Now: s.clock.Now, DueInterval: opts.DueInterval}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.main.Open(ctx); err != nil {
		s.main.Close()
		s.srv.Close()
		s.mx.Close()
		return nil, fmt.Errorf("sandbox: start the bot: %w", err)
	}
	return s, nil
}

// config is the bot's configuration in the sandbox: the fake server's
// token, a short poll, the coordinator persona as the administrator, the
// regulation's defaults, and rate limits fit for one person clicking
// around locally.
func (s *Sandbox) config() (config.Config, error) {
	cfg := config.Default()
	cfg.Telegram.Token = telegramtest.Token
	cfg.Telegram.APIEndpoint = "http://127.0.0.1/bot%s/%s" // replaced by the fake server's once it runs
	cfg.Telegram.PollTimeout = s.opts.PollTimeout
	cfg.Telegram.RequestTimeout = 5 * time.Second
	cfg.Telegram.Workers = 8
	// A persona of the cast is on MAX: the bot runs on both.
	cfg.Max.Token = maxtest.Token
	cfg.Max.APIURL = "http://127.0.0.1" // replaced by the fake server's once it runs
	cfg.Max.PollTimeout = s.opts.PollTimeout
	cfg.Max.RequestTimeout = 5 * time.Second
	cfg.Max.Workers = 8
	cfg.Max.PerSecond = 500
	cfg.Admins = []config.Admin{config.TelegramAdmin(Coordinator)}
	cfg.Data.Path = s.opts.DataPath
	cfg.Data.OpenTimeout = 2 * time.Second
	cfg.Log.Level = s.opts.LogLevel
	cfg.Limits.GlobalPerSecond = 500
	cfg.Limits.PrivatePerSecond = 100
	cfg.Limits.PrivateBurst = 50
	cfg.Limits.GroupPerMinute = 600
	// The sandbox is no service to watch or keep: no listener for health
	// checks, no scheduled backups of its throwaway database.
	cfg.HTTP.Addr = ""
	cfg.Backup.Every = 0
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("sandbox: config: %w", err)
	}
	return cfg, nil
}

// prepareStore opens the database before the bot does: it seeds the demo
// into a new one, restores the clock moved in an earlier run, and reads
// where update and message numbering must go on, since the fake server
// starts afresh while the database remembers the earlier run.
func (s *Sandbox) prepareStore(cfg config.Config) (firstUpdate, msgBase int, firstMarker int64, err error) {
	if dir := filepath.Dir(cfg.Data.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return 0, 0, 0, fmt.Errorf("sandbox: %w", err)
		}
	}
	seedClock := &seedClock{}
	// The sandbox's database is disposable: an empty file is started
	// afresh rather than refused as a lost one.
	db, err := boltdb.Open(cfg.Data.Path, boltdb.Options{Timeout: cfg.Data.OpenTimeout, Now: seedClock.Now, Init: true})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sandbox: %w", err)
	}
	defer db.Close()

	var empty bool
	err = db.Update(func(tx *boltdb.Tx) error {
		if v := tx.Meta(metaClock); len(v) > 0 {
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err == nil && n > 0 {
				s.clock.advance(time.Duration(n))
			}
		}
		msgBase = 1
		if v := tx.Meta(metaMsgBase); len(v) > 0 {
			if n, err := strconv.Atoi(string(v)); err == nil && n > 0 {
				msgBase = n
			}
		}
		// The next run starts past every id this one can use, even if
		// this one is killed.
		if err := tx.PutMeta(metaMsgBase, []byte(strconv.Itoa(msgBase+msgIDStride))); err != nil {
			return err
		}
		// The fake server forgets the command menus with every run; an
		// empty hash, and no menu on record, make the bot set them again.
		if err := tx.PutMeta("menu_hash", nil); err != nil {
			return err
		}
		if err := tx.ForgetMenus(); err != nil {
			return err
		}
		empty = true
		return tx.Users(func(*mmo.User) bool { empty = false; return false })
	})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sandbox: %w", err)
	}
	offset, err := db.Offset()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sandbox: %w", err)
	}
	// Updates below the saved offset would be taken as confirmed, and
	// handled but unconfirmed ones (at most a batch of 100 above it) as
	// repeats: start numbering well past both.
	firstUpdate = 1
	if offset > 0 {
		firstUpdate = offset + 1000
	}
	// So with MAX's marker: the fake MAX server numbers afresh.
	marker, ok, err := db.Marker(max.Messenger)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sandbox: %w", err)
	}
	firstMarker = 1
	if ok {
		firstMarker = marker + 1000
	}

	switch {
	case !s.opts.Demo:
	case empty:
		if err := seedDemo(db, seedClock, s.clock.Now(), cfg.Location, cfg.Regulation.Profile()); err != nil {
			return 0, 0, 0, fmt.Errorf("sandbox: seed the demo: %w", err)
		}
		s.Seeded = true
	default:
		s.Notice = fmt.Sprintf("the database %s already has data: the demo is not seeded again (delete the file to start afresh)", cfg.Data.Path)
	}
	return firstUpdate, msgBase, firstMarker, nil
}

// Run runs the bot until ctx is done.
func (s *Sandbox) Run(ctx context.Context) error {
	return s.main.Run(ctx)
}

// Close stops the fake server and closes the store. Run must have
// returned.
func (s *Sandbox) Close() error {
	err := s.main.Close()
	s.srv.Close()
	s.mx.Close()
	return err
}

// Now is the sandbox time, the bot's clock.
func (s *Sandbox) Now() time.Time { return s.clock.Now() }

// Advance moves the clock forward by d and remembers it in the store, so
// a restart does not take time back.
func (s *Sandbox) Advance(d time.Duration) error {
	if d <= 0 {
		return failure("clock_range")
	}
	offset := s.clock.advance(d)
	return s.main.DB.Update(func(tx *boltdb.Tx) error {
		return tx.PutMeta(metaClock, []byte(strconv.FormatInt(int64(offset), 10)))
	})
}

// Server is the fake Bot API server, for tests that inspect it.
func (s *Sandbox) Server() *telegramtest.Server { return s.srv }

// DB is the running bot's store.
func (s *Sandbox) DB() *boltdb.DB { return s.main.DB }

// seedClock is the clock the store stamps records with while the demo is
// seeded: each step sets the time it happened at.
type seedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *seedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}

func (c *seedClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
