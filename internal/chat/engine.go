// Package chat is the conversation of the bot, in no particular
// messenger: a transport (internal/telegram) turns what a person did into
// an Update, the Engine handles it in one store transaction — the
// handler's changes, the replies queued into the outbox, the mark that
// the update was applied — and the transport delivers the outbox.
//
// Routes are listed in routes.go; each feature has its file, named as in
// internal/mmo (its rules) and internal/boltdb (its records): start,
// help, settings, association, members, manage, meeting, checkin,
// minutes, history, consult, plan, report, deadlines, remind. Handlers
// write what to tell whom: texts, buttons as a verb and arguments,
// documents. How that goes over the wire, and the signing of buttons for
// the chat they go to, is the transport's business; this package imports
// no messenger library.
package chat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Options configure an Engine.
type Options struct {
	// Transports are the messengers the bot is reachable through; the
	// first is where scheduled messages go to people reachable through
	// several. At least one is needed.
	Transports []Transport
	// Admins are the accounts of the administrators.
	Admins        []mmo.Account
	DialogIdle    time.Duration   // a form left alone this long expires
	MemberLinkTTL time.Duration   // validity of member invitation links; 0: until revoked
	LeaderLinkTTL time.Duration   // validity of one-time leader invitation links
	Reminders     []time.Duration // how long before an event reminders go out
	// NudgeAfter is how long an announcement is out before the leader
	// may remind those who have not answered.
	NudgeAfter time.Duration
	// LiveEvery is how often at most the leader's card is edited to show
	// the delivery of its announcement as it goes (see live.go): 5 s
	// when 0; negative: the count is drawn only when the card is.
	LiveEvery time.Duration
	// ConsultCategories are the topics of requests (empty: the built-in
	// list); ConsultResponseDays the working days before a waiting request
	// is raised; ConsultAutoClose the quiet time after which an answered
	// request closes.
	ConsultCategories []string
	// ParentCategories are the topics offered through the public link
	// (empty: the built-in parent-friendly list).
	ParentCategories []string
	// Schools is the city's list of schools a newcomer picks from;
	// empty, the name is typed freely.
	Schools             []string
	ConsultResponseDays int
	ConsultAutoClose    time.Duration
	// Regulation is the city's regulation profile; AlertsAt the daily
	// time ("HH:MM") of deadline reminders and the coordinators' digest.
	Regulation mmo.Regulation
	// Org is the methodical centre the official documents name; its Lang
	// is the documents' language.
	Org      mmo.Organisation
	AlertsAt string
	Location *time.Location
	Log      *slog.Logger
	// Now is the clock of handlers, dialogs and scheduled jobs; time.Now
	// when nil.
	Now func() time.Time
	// UserUpdates limits how many updates of one user are handled per
	// UserWindow (by the clock Now); the excess gets one notice and is
	// dropped. 0: no limit.
	UserUpdates int
	UserWindow  time.Duration
	// Wake, when set, is called after messages were committed to the
	// outbox, so that the transports deliver them without waiting for
	// their next look.
	Wake func()
}

// Engine is the conversation: it handles updates and runs the scheduled
// jobs, reading and writing the store, and queues what is to be said.
type Engine struct {
	opt    Options
	db     *boltdb.DB
	cat    *i18n.Catalog
	flood  *floodGate // nil: no limit on users' updates
	log    *slog.Logger
	now    func() time.Time
	routes routes
	alerts time.Time // the clock time of the daily jobs, parsed from AlertsAt
	store  storeHealth
	live   liveCounts // the delivery counts shown on cards (live.go)
	// redraws are the leaders' cards being drawn anew beside the
	// updates (redraw.go).
	redraws cardRedraws
	// archivePart is the most a part of a year's archive holds
	// (archivePart; tests make it small).
	archivePart int
	// follow counts the follow-ups and the cards' drawings running (see
	// followUp, redraw.go); stopping tells them to end after the
	// transaction in progress.
	follow   sync.WaitGroup
	stopping atomic.Bool
	// answered are the updates whose reply was sent at once, without a
	// handled mark in the store (see handleRead).
	answered answeredSet
	// testHookRead, when set, runs after a read-only route was handled in
	// its read transaction and before its answer is sent or committed.
	testHookRead func()
	// testHookRedraw, when set, runs between a card's drawing and the
	// write of its edit (see redrawCardOnce).
	testHookRedraw func()
	// testHookFollowUp, when set, runs before the follow-ups of an update,
	// beside it.
	testHookFollowUp func()
	// testHookArchives, when set, is told whether a year's archives are
	// being built in a write transaction.
	testHookArchives func(writable bool)
}

// New returns an engine over the store and catalog.
func New(db *boltdb.DB, cat *i18n.Catalog, opt Options) (*Engine, error) {
	if len(opt.Transports) == 0 {
		return nil, errors.New("chat: no transport")
	}
	for _, t := range opt.Transports {
		if t.Messenger == "" || t.DeepLink == nil || t.MaxText < 64 {
			return nil, fmt.Errorf("chat: transport %q: want a name, deep links and a text limit of at least 64", t.Messenger)
		}
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.LiveEvery == 0 {
		opt.LiveEvery = liveEvery
	}
	if opt.DialogIdle <= 0 {
		opt.DialogIdle = 24 * time.Hour
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.LeaderLinkTTL <= 0 {
		opt.LeaderLinkTTL = 7 * 24 * time.Hour
	}
	if opt.AlertsAt == "" {
		opt.AlertsAt = "09:00"
	}
	alerts, err := time.Parse("15:04", opt.AlertsAt)
	if err != nil {
		return nil, fmt.Errorf("alerts time %q: want HH:MM", opt.AlertsAt)
	}
	// The due scan takes the nearest reminder first; sort once, on a copy
	// that is the engine's own.
	opt.Reminders = slices.Sorted(slices.Values(opt.Reminders))
	if opt.Regulation.YearStart.Month == 0 {
		opt.Regulation.YearStart = mmo.MonthDay{Month: time.September, Day: 1}
		opt.Regulation.PlanDue = mmo.MonthDay{Month: time.September, Day: 15}
		opt.Regulation.ReportDue = mmo.MonthDay{Month: time.June, Day: 20}
		opt.Regulation.MeetingsWarn = mmo.MonthDay{Month: time.March, Day: 1}
	}
	b := &Engine{opt: opt, db: db, cat: cat, log: opt.Log, now: opt.Now, alerts: alerts, archivePart: archivePart, answered: newAnsweredSet(),
		live:    liveCounts{drawn: map[uint64]time.Time{}, dirty: map[uint64]bool{}, final: map[uint64]bool{}},
		redraws: cardRedraws{running: map[viewOf]bool{}, again: map[viewOf]cardRedraw{}}}
	if opt.UserUpdates > 0 {
		if opt.UserWindow <= 0 {
			opt.UserWindow = 10 * time.Second
		}
		b.flood = newFloodGate(opt.UserUpdates, opt.UserWindow)
	}
	b.routes = b.buildRoutes()
	return b, nil
}

// isAdmin reports whether one of the user's accounts is an
// administrator's.
func (b *Engine) isAdmin(u *mmo.User) bool {
	for _, a := range b.opt.Admins {
		if u.HasAccount(a.Messenger, a.ID) {
			return true
		}
	}
	return false
}

// transport returns the transport of a messenger, or the first one.
func (b *Engine) transport(messenger string) Transport {
	for _, t := range b.opt.Transports {
		if t.Messenger == messenger {
			return t
		}
	}
	return b.opt.Transports[0]
}

// wake tells the transports that the outbox has new messages.
func (b *Engine) wake() {
	if b.opt.Wake != nil {
		b.opt.Wake()
	}
}

// Result is how an update was handled, and what the transport does
// after: answer the pressed button (Answer is nil for other updates) and
// deliver what was queued.
type Result struct {
	Answer *Answer
	Queued bool
	// Route is the route the update took (a command, a button's verb, a
	// dialog), for the transport's log: the bot's own words, never what
	// a person typed. Outcome is how it ended (Outcome...).
	Route   string
	Outcome string
}

// How an update ended, for logs.
const (
	OutcomeOK        = "ok"        // handled
	OutcomeFailed    = "failed"    // the handler failed: the person got an apology
	OutcomeHeld      = "held"      // the store refused the commit: the update comes again
	OutcomeDuplicate = "duplicate" // handled before
	OutcomeDropped   = "dropped"   // over the person's update limit
	OutcomeIgnored   = "ignored"   // nothing the conversation acts upon
)

// Handle applies one update: the handler runs inside a store transaction
// that also marks the update handled and queues the replies, so the three
// land together (a view whose reply is only text may skip the store: see
// handleRead). A handler error rolls everything back; the person then
// gets an apology and the update is marked handled, so a bug cannot make
// the messenger redeliver it forever. A commit the store refused is no bug
// of the handler: it is returned (boltdb.ErrUnwritable) for the transport
// to hold the update and deliver it again, and nothing is said to anyone.
// Any other error is logged here and not returned.
func (b *Engine) Handle(ctx context.Context, u *Update) (Result, error) {
	if b.flood != nil && u.Member == "" && u.From != nil {
		if ok, first := b.flood.admit(floodKey{u.Messenger, u.From.ID}, b.now()); !ok {
			res, err := b.refuse(u, first)
			res.Outcome = OutcomeDropped
			return res, err
		}
	}
	if b.answered.has(u.Messenger, u.ID) {
		return Result{Outcome: OutcomeDuplicate}, nil
	}
	if readOnly(u) {
		if res, ok, err := b.handleRead(ctx, u); ok {
			return res, err
		}
	}
	var done *Request
	var failed error
	route := ""
	err := b.db.Batch(func(tx *boltdb.Tx) error {
		done, route = nil, ""
		if failed != nil {
			// Batch runs a failed function again on its own; the handler
			// failed already and would only fail (or panic) twice.
			return failed
		}
		if tx.Handled(u.Messenger, u.ID) {
			return nil
		}
		r, err := b.newRequest(tx, u)
		if err != nil {
			return fmt.Errorf("load the user of update %d: %w", u.ID, err)
		}
		err = b.routes.handler(r)
		route = r.route
		if err != nil {
			failed = err
			return err
		}
		if err := r.commit(); err != nil {
			failed = err
			return err
		}
		done = r
		return tx.MarkHandled(u.Messenger, u.ID)
	})
	if errors.Is(err, boltdb.ErrUnwritable) {
		return Result{Route: route, Outcome: OutcomeHeld}, err
	}
	if err != nil {
		res, err := b.fail(u, err)
		res.Route, res.Outcome = route, OutcomeFailed
		return res, err
	}
	if done == nil {
		return Result{Outcome: OutcomeDuplicate}, nil
	}
	res := b.after(done)
	res.Route, res.Outcome = route, OutcomeOK
	return res, nil
}

// after wakes the transports when messages were queued, starts the
// request's redraws and follow-ups, and returns what the transport of
// the update still has to do.
func (b *Engine) after(r *Request) Result {
	res := Result{Answer: r.answer, Queued: len(r.out) > 0}
	if res.Queued {
		b.wake()
	}
	b.startRedraws(r.redraws)
	if len(r.followUps) > 0 {
		// Beside the update, not in its way: its answer, and the updates
		// after it, do not wait for megabytes to be written.
		b.follow.Add(1)
		go func() {
			defer b.follow.Done()
			if b.testHookFollowUp != nil {
				b.testHookFollowUp()
			}
			if b.followUp(r) {
				b.wake()
			}
		}()
	}
	return res
}

// followUp runs the follow-ups of a handled update, each in a write
// transaction of its own, so that no transaction carries more than one
// of them (a part of a region's archive is megabytes). The update is
// handled already: a follow-up the store refuses, or a stop, loses the
// rest, which the person asks for again (the archive's button); one that
// answers the update and cannot be made tells its chat. It reports
// whether anything was queued.
func (b *Engine) followUp(r *Request) (queued bool) {
	for i, f := range r.followUps {
		if b.stopping.Load() {
			b.log.Warn("follow-ups of an update cut by a stop", "update_id", r.Update.ID, "done", i, "of", len(r.followUps))
			return queued
		}
		err := unpanicked(f.prepare)
		if err == nil {
			var q bool
			q, err = b.queueFollowUp(r, f.reply, f.queue)
			queued = queued || q
		}
		if err == nil {
			continue
		}
		b.log.Error("follow-up of an update", "update_id", r.Update.ID, "step", i+1, "of", len(r.followUps), "error", err)
		if f.reply {
			// As of a handler that failed: the person is told, not left
			// waiting for an answer that will not come.
			q, err := b.queueFollowUp(r, true, func(q *Request) { q.Reply(q.T("error.internal")) })
			if err != nil {
				b.log.Error("apology for a follow-up", "update_id", r.Update.ID, "error", err)
			}
			queued = queued || q
		}
		return queued
	}
	return queued
}

// queueFollowUp runs a follow-up's queue in a write transaction of its
// own, with a request beside r's update when the follow-up answers it,
// and reports whether anything was queued.
func (b *Engine) queueFollowUp(r *Request, reply bool, queue func(*Request)) (queued bool, err error) {
	err = b.db.Update(func(tx *boltdb.Tx) error {
		return unpanicked(func() error {
			q := b.systemRequest(tx)
			q.Now = r.Now
			if reply {
				q = b.besideRequest(tx, r)
			}
			queue(q)
			queued = len(q.out) > 0
			return q.commit()
		})
	})
	return queued && err == nil, err
}

// besideRequest is a request in tx for work beside r's update, after it
// was handled: the same person, chat, language and time, so that what it
// queues is the update's reply (first in line, see Request.priority), and
// no press (the press was answered).
func (b *Engine) besideRequest(tx *boltdb.Tx, r *Request) *Request {
	u := r.Update
	return &Request{bot: b, Tx: tx, Now: r.Now, User: r.User, Known: r.Known, Lang: r.Lang, Role: r.Role,
		Update: &Update{Messenger: u.Messenger, ID: u.ID, Chat: u.Chat, Private: u.Private}}
}

// unpanicked runs fn, a follow-up's step or a card's drawing, and
// returns a panic in it as an error: they run beside the updates, where
// no handler's recoverer is, and a bug in one must not end the process.
func unpanicked(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn()
}

// followUp is one follow-up of an update: prepare runs outside any
// transaction (it stores a file's bytes, see boltdb.DB.PutBlob, or reads
// in a transaction of its own), then queue in a write transaction of its
// own.
type followUp struct {
	prepare func() error
	queue   func(*Request)
	// reply marks the update's own answer, moved beside the update for
	// its cost: it is queued as the update's reply (see besideRequest),
	// and a prepare that fails tells the update's chat.
	reply bool
}

// Stop ends the follow-ups of handled updates, and the cards' drawings,
// after the transaction in progress and waits for them, before the store
// is closed; what they had left to queue is lost (see followUp; a
// delivery count not drawn is noted for the next start).
func (b *Engine) Stop() {
	b.stopping.Store(true)
	b.follow.Wait()
}

// fail handles an update whose handler failed: log, apologise, and mark it
// handled in a transaction of its own. If the store refuses that
// transaction, the error is returned so that the update is held.
func (b *Engine) fail(u *Update, cause error) (Result, error) {
	b.log.Error("update failed", "update_id", u.ID, "chat_id", u.Chat, "error", cause)
	var r *Request
	err := b.db.Update(func(tx *boltdb.Tx) error {
		r = nil
		if tx.Handled(u.Messenger, u.ID) {
			return nil
		}
		req, err := b.newRequest(tx, u)
		if err != nil {
			return err
		}
		if req.Update.Chat != 0 && (req.Update.Private || u.Press != nil) {
			req.reply(req.T("error.internal"))
		}
		if err := req.commit(); err != nil {
			return err
		}
		r = req
		return tx.MarkHandled(u.Messenger, u.ID)
	})
	if errors.Is(err, boltdb.ErrUnwritable) {
		return Result{}, err
	}
	if err != nil {
		b.log.Error("record failed update", "update_id", u.ID, "error", err)
		return Result{}, nil
	}
	if r == nil {
		return Result{}, nil
	}
	return b.after(r), nil
}

// newRequest prepares the request of an update: who, where, which
// language and role.
func (b *Engine) newRequest(tx *boltdb.Tx, u *Update) (*Request, error) {
	r := &Request{bot: b, Tx: tx, Update: u, Now: b.now()}
	if u.Press != nil {
		r.Press = u.Press
	}
	r.Text = u.Text
	r.Command, r.Args = u.Command, u.Args
	if u.From == nil {
		r.User = &mmo.User{}
		r.Lang = i18n.Default
		return r, nil
	}
	acc := mmo.Account{Messenger: u.Messenger, ID: u.From.ID}
	user, err := tx.UserByAccount(u.Messenger, u.From.ID)
	switch {
	case err == nil:
		r.User, r.Known = user, true
	case errors.Is(err, mmo.ErrNotFound):
		// A first contact: saved (and given an id) once there is
		// something to keep.
		r.User = &mmo.User{Accounts: []mmo.Account{acc}}
	default:
		return nil, err
	}
	if u.Private && u.Member == "" {
		// The account a person writes through is where the bot writes
		// to them, in the chat they wrote in.
		if u.Chat != u.From.ID {
			acc.Chat = u.Chat
		}
		if r.User.UseAccount(acc) {
			r.changed = true
		}
	}
	if r.User.LanguageCode != u.From.LanguageCode {
		r.User.LanguageCode = u.From.LanguageCode
		r.changed = true
	}
	r.Lang = b.cat.Match(r.User.Lang, u.From.LanguageCode)
	r.Role = r.User.Role(b.isAdmin(r.User))
	return r, nil
}

// StoreFailed records that a write to the store which began at started
// was refused (boltdb.ErrUnwritable): the operator is told once when such
// failures begin. Transports call it for the updates they hold.
func (b *Engine) StoreFailed(err error, started time.Time) { b.store.failed(b.log, err, started) }

// StoreOK records that a write which began at started was committed: the
// operator is told once when failures end.
func (b *Engine) StoreOK(started time.Time) { b.store.ok(b.log, started) }

// recipient returns the person a message to a chat went to: user, the
// internal id the message carried (see Message.User), or, for a message
// queued before messages carried it, the person whose account's id is
// the chat's, as a private chat's is in Telegram.
func recipient(tx *boltdb.Tx, messenger string, chat, user int64) (*mmo.User, error) {
	if user != 0 {
		return tx.User(user)
	}
	return tx.UserByAccount(messenger, chat)
}

// Blocked records that the person a message went to blocked the bot, as
// a transport learnt from a refused send: user is Message.User of the
// message, chat its chat.
func (b *Engine) Blocked(messenger string, chat, user int64) {
	err := b.db.Update(func(tx *boltdb.Tx) error {
		u, err := recipient(tx, messenger, chat, user)
		if errors.Is(err, mmo.ErrNotFound) {
			return nil // nobody to mark
		}
		if err != nil {
			return err
		}
		return tx.SetBlocked(u.ID, true)
	})
	if err != nil {
		b.log.Error("mark user blocked", "chat_id", chat, "user_id", user, "error", err)
	}
}

// FileNotSent tells a person that a file for them was set aside after a
// minute of failures, in their language, so they know to ask again.
func (b *Engine) FileNotSent(messenger string, chat, user int64) {
	err := b.db.Update(func(tx *boltdb.Tx) error {
		lang := i18n.Default
		if u, err := recipient(tx, messenger, chat, user); err == nil {
			if u.Blocked {
				return nil
			}
			lang = b.cat.Match(u.Lang, u.LanguageCode)
		}
		r := &Request{bot: b, Tx: tx, Update: &Update{Messenger: messenger, Chat: chat}, Lang: lang}
		r.Reply(r.T("error.file_not_sent"))
		r.out[0].User = user
		return r.commit()
	})
	if err != nil {
		b.log.Error("queue the notice of a file not sent", "chat_id", chat, "user_id", user, "error", err)
		return
	}
	b.wake()
}
