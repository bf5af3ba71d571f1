// Package schedule runs the bot's scheduled work: the due scan (reminders,
// check-in windows, consultations' deadlines and, once a day after the
// alert time, the daily jobs) at once at start, to catch up on what fell
// due while the bot was down, and then every interval. The work itself is
// the conversation's (chat.Engine.Due); this package only decides when.
package schedule

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// Jobs is the scheduled work, as chat.Engine does it.
type Jobs interface {
	// Due queues what is due and returns the clock time it went by,
	// whether it queued any message, and whether it wrote to the store
	// (a scan that found nothing due only read, and says nothing of
	// whether the store can be written).
	Due() (now time.Time, queued, wrote bool, err error)
	// StoreFailed and StoreOK report the outcome of a write to the
	// store that began at started, so that the operator hears of a disk
	// that refuses writes once, not once per scan.
	StoreFailed(err error, started time.Time)
	StoreOK(started time.Time)
}

// Options configure a schedule.
type Options struct {
	// Every is how often the due scan runs; 30 s when 0.
	Every time.Duration
	// Location is the zone cron reads times in.
	Location *time.Location
	Log      *slog.Logger
	// OnDueScan, when set, is told after each completed due scan the
	// clock time it went by and whether it queued messages. Tests use it
	// to know that the scheduler has looked at a moved clock and found
	// nothing more to send, instead of sleeping and hoping it has.
	OnDueScan func(now time.Time, queued bool)
	// Metrics, when set, is told how long each scan took.
	Metrics Recorder
}

// Recorder is told how long the scans take, for the operator's metrics.
type Recorder interface {
	DueScan(took time.Duration)
}

// Schedule is the running schedule.
type Schedule struct {
	cron *cron.Cron
}

// Start runs the due scan on cron: at once, and then every opt.Every. A
// panic in a scan is logged and the schedule goes on; a scan still running
// when the next is due makes that one skip rather than queue behind it.
func Start(jobs Jobs, opt Options) *Schedule {
	if opt.Every <= 0 {
		opt.Every = 30 * time.Second
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	logger := cronLogger{opt.Log}
	c := cron.New(cron.WithLocation(opt.Location), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	c.Schedule(&catchUp{every: opt.Every}, cron.FuncJob(func() { scan(jobs, opt) }))
	c.Start()
	return &Schedule{cron: c}
}

// Stop stops the schedule and waits for a scan in hand to finish, so
// that the store can be closed after it.
func (s *Schedule) Stop() { <-s.stop() }

// stop stops the schedule and returns what is closed once a scan in hand
// has finished.
func (s *Schedule) stop() <-chan struct{} { return s.cron.Stop().Done() }

// scan is the scheduled job: it queues what is due and logs what failed.
func scan(jobs Jobs, opt Options) {
	started := time.Now()
	if opt.Metrics != nil {
		defer func() { opt.Metrics.DueScan(time.Since(started)) }()
	}
	now, queued, wrote, err := jobs.Due()
	switch {
	case errors.Is(err, boltdb.ErrUnwritable):
		jobs.StoreFailed(err, started) // the next scan tries again
	case err != nil:
		opt.Log.Error("due scan", "error", err)
	default:
		if wrote {
			jobs.StoreOK(started)
		}
		if opt.OnDueScan != nil {
			opt.OnDueScan(now, queued)
		}
	}
}

// catchUp is a cron schedule that fires at once and then every interval.
// cron's own Every rounds up to whole seconds, which tests cannot wait for.
type catchUp struct {
	every   time.Duration
	started atomic.Bool
}

// Next implements cron.Schedule.
func (s *catchUp) Next(t time.Time) time.Time {
	if s.started.CompareAndSwap(false, true) {
		return t
	}
	return t.Add(s.every)
}

// cronLogger passes cron's messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "error", err)...)
}
