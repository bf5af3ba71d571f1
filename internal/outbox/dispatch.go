// Package outbox delivers the durable outbox of the store through one
// messenger's transport: the part of delivery that is the same for every
// messenger (reading the queue, priorities, per-chat order, retries, 429s,
// removals the store refuses, delivery counts, the sent-message registry)
// lives here once; a transport declares only how an item goes over its
// wire (Transport).
//
// The items of one chat go one at a time, by priority and then in the
// order they were queued; chats go concurrently, the most urgent first.
// With a Pacer, the next message is picked only as the one before goes
// on the wire, and books its turn within the rate over all chats then,
// so a reply committed during a broadcast goes out with the next turn or
// the one after, not after the broadcast. Command menus may go on a lane
// of their own (Config.Menus), paced, never waiting in or holding up a
// chat's queue.
//
// An item is removed only after the messenger took it (or refused it for
// good), so a crash repeats at most the items in flight. If the store
// refuses the removal (a full disk), the item is held in memory as done
// and stays known, so no scan queues it again; its removal is retried
// from the dispatcher's loop until the store takes it. A crash meanwhile
// repeats those items once, as it does the items in flight.
//
// A 429 makes what it concerns wait, as long as the messenger asked (the
// transport keeps the pause: Config.ReadyAt, or its own pacing). A
// message that keeps failing is retried for at most a minute, while the
// rest of its chat waits behind it; then it is set aside so the chat's
// later messages go on, and a person whose file could not be sent is
// told so.
package outbox

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
)

// Message is an outbox item as a transport reads it: the conversation's
// message, with whatever else the transport keeps of it (what older
// builds queued, say).
type Message interface {
	Chat() *chat.Message
}

// Transport is what the dispatcher needs of a messenger.
type Transport[M Message] interface {
	// Decode reads a stored payload.
	Decode(payload []byte) (M, error)
	// Wrap makes the item of a message sent at once (see SendNow), as
	// Decode would read it from the outbox.
	Wrap(m *chat.Message) M
	// Send makes the calls one item needs in chatID and returns the
	// messenger's id of the message it sent, "" if none. t is the
	// item's booked place in the overall rate (nil without a Pacer, and
	// for menus): Send waits for it (Turn.Wait) just before the call
	// goes on the wire, and hands it back (Turn.Return) while it does
	// something slow first.
	Send(ctx context.Context, chatID int64, m M, t *Turn) (string, error)
	// Classify sorts an error Send returned.
	Classify(err error) Class
}

// Class is what a failed send means for its item.
type Class int

const (
	// Permanent: the messenger refused the item for good; it is dropped.
	Permanent Class = iota
	// Transient: it may pass; the item is retried within its budget.
	Transient
	// TooMany: a 429; the item waits its turn again.
	TooMany
	// Blocked: the person stopped the bot.
	Blocked
)

// Config is what a transport tells the dispatcher of itself.
type Config struct {
	// Messenger names the items of the outbox this dispatcher delivers.
	Messenger string
	Log       *slog.Logger
	// Parallel is how many items may be in flight at once.
	Parallel int
	// TooMany is how many 429s in a row one item accepts before it is
	// set aside like an item that keeps failing.
	TooMany int
	// Pacer keeps a rate over all chats, one turn per item booked as it
	// is picked; nil when the transport paces its calls itself.
	Pacer Pacer
	// ReadyAt says when a message to a chat may go (its own rate, a
	// pause); nil: at once.
	ReadyAt func(chatID int64, now time.Time) time.Time
	// Menus puts command menus on a lane of their own; nil: a menu is an
	// item of its chat like any other.
	Menus *MenuLane
	// OnBlocked records that a person blocked the bot; OnSetAside tells a
	// person that a file for them could not be sent. user is the
	// person's internal id the message carried, 0 if none.
	OnBlocked, OnSetAside func(chatID, user int64)
	// OnSent is told the priority of each item the messenger took.
	OnSent func(boltdb.Priority)
	// ErrorAttrs gives the log attributes that tell what a failed send
	// was (its method, say), logged before the chat; nil: none.
	ErrorAttrs func(err error) []any
}

// Dispatcher delivers one messenger's share of the outbox.
type Dispatcher[M Message] struct {
	db  *boltdb.DB
	tr  Transport[M]
	cfg Config
	log *slog.Logger

	// Parallel is how many items may be in flight at once.
	Parallel int
	// MsgRetry and MenuRetry say how failing items are retried: a message
	// briefly, since its chat waits for it; a menu for long, since nothing
	// waits for it.
	MsgRetry, MenuRetry Retry
	// HeldRetry says how often the removal of held items is tried again
	// while the store refuses it (its budget is unused: they are held
	// until it succeeds). FullEvery is how often the whole outbox is read
	// again; OnFullScan, for tests, is told after each such read.
	HeldRetry  Retry
	FullEvery  time.Duration
	OnFullScan func()
	// OnDelivered is told the broadcast of each item of one that left
	// the store (sent, blocked or set aside: counted), so that the
	// conversation can keep a live delivery count; nil: nobody listens.
	OnDelivered func(broadcast uint64)
	// DirectTimeout bounds a reply sent at once (SendNow); after one is
	// cut, fails or meets a 429, replies go through the outbox for
	// DirectPause.
	DirectTimeout, DirectPause time.Duration
	// Dead, set by crash tests, makes the dispatcher behave as a killed
	// process would: sends in flight complete, but nothing more is
	// recorded or started.
	Dead atomic.Bool

	directOff atomic.Int64 // replies are not sent at once before this (Unix ns)

	wake     chan struct{} // new items were committed
	menuWake chan struct{} // the menu lane has new work

	mu       sync.Mutex
	cursor   uint64               // the highest item id a scan has seen
	known    map[uint64]bool      // items read from the store, not yet finished
	chats    map[int64]*chatQueue // chats with messages queued or in flight
	ready    readyHeap            // chats that may send now, most urgent first
	later    laterHeap            // chats waiting for a time: a retry, a 429, their rate
	menus    []*pending           // the menu lane, in id order
	menuBusy map[int64]bool       // chats with a menu call in flight
	inflight sync.WaitGroup

	// held are the items finished (id → outcome) whose removal the store
	// refused; they stay in known until it is recorded (see recordHeld).
	held      map[uint64]boltdb.Outcome
	heldSince time.Time // when the refusal that was logged began; zero: none logged
	heldNext  time.Time // when to try the removals again
	heldTries int       // retries refused since the last success
	// retryRefused: a failed attempt could not be recorded since the last
	// one that could (logged once).
	retryRefused bool
	lastRemove   time.Time // when the latest removal the store took began

	// heldOf names the broadcast of each held item of one (id → broadcast).
	heldOf map[uint64]uint64
}

// pending is an outbox item the dispatcher holds.
type pending struct {
	boltdb.OutboxItem
	tooMany int // 429 answers to it, in a row
}

// chatQueue is one chat's messages, by priority and then id, and whether
// one of them is being sent.
type chatQueue struct {
	id    int64
	items []*pending
	busy  bool
}

// before orders the items of a chat.
func (p *pending) before(o *pending) bool {
	if p.Priority != o.Priority {
		return p.Priority < o.Priority
	}
	return p.ID < o.ID
}

// New returns a dispatcher of cfg.Messenger's items in db, sent through tr.
func New[M Message](db *boltdb.DB, tr Transport[M], cfg Config) *Dispatcher[M] {
	if cfg.TooMany < 1 {
		cfg.TooMany = DefaultTooMany
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Dispatcher[M]{
		db: db, tr: tr, cfg: cfg, log: cfg.Log, Parallel: max(cfg.Parallel, 1),
		MsgRetry: MessageRetry, MenuRetry: MenuRetry, HeldRetry: HeldRetry, FullEvery: time.Minute,
		DirectTimeout: DirectTimeout, DirectPause: DirectPause,
		wake:     make(chan struct{}, 1),
		menuWake: make(chan struct{}, 1),
		known:    map[uint64]bool{},
		chats:    map[int64]*chatQueue{},
		menuBusy: map[int64]bool{},
		held:     map[uint64]boltdb.Outcome{},
		heldOf:   map[uint64]uint64{},
	}
}

// delivered tells the listener that items of broadcasts were counted.
func (d *Dispatcher[M]) delivered(broadcasts ...uint64) {
	if d.OnDelivered == nil {
		return
	}
	for _, bc := range broadcasts {
		if bc != 0 {
			d.OnDelivered(bc)
		}
	}
}

// Notify tells the dispatcher that new items were committed.
func (d *Dispatcher[M]) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done, then waits for the sends in flight; it
// sends with sendCtx, which the caller cancels when it can wait no more.
func (d *Dispatcher[M]) Run(ctx, sendCtx context.Context) {
	// Last, once nothing is in flight: the removals still held get one
	// more try, so that a store which recovered since their last retry
	// does not make the next start send them again.
	defer d.recordHeld(time.Now(), true)
	defer d.inflight.Wait()
	d.scan(true)
	if d.cfg.Menus != nil {
		d.inflight.Add(1)
		go func() {
			defer d.inflight.Done()
			d.menuLoop(ctx, sendCtx)
		}()
	}
	slots := make(chan struct{}, d.Parallel)
	var turns chan struct{}
	if d.cfg.Pacer != nil {
		turns = make(chan struct{}, min(d.Parallel, max(1, int(bookAhead/d.cfg.Pacer.Interval()))))
	}
	lastFull := time.Now()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		if turns != nil {
			select {
			case turns <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
		p := d.next(ctx, &lastFull)
		if p == nil {
			return
		}
		var t *Turn
		if turns != nil {
			// The turn within the overall rate is booked in the order of
			// the picks; the message goes on the wire at its time (see
			// Turn.Wait).
			t = d.book(func() { <-turns })
		}
		d.inflight.Add(1)
		go func() {
			defer d.inflight.Done()
			d.deliver(sendCtx, p, t)
			<-slots
		}()
	}
}

// next waits until a message may go and takes the most urgent one; nil
// when ctx is done. The whole outbox is read again every FullEvery, for
// items committed without a notify; held removals are retried here when
// they fall due.
func (d *Dispatcher[M]) next(ctx context.Context, lastFull *time.Time) *pending {
	timer := time.NewTimer(d.FullEvery)
	defer timer.Stop()
	for {
		if time.Since(*lastFull) >= d.FullEvery {
			d.scan(true)
			*lastFull = time.Now()
			if d.OnFullScan != nil {
				d.OnFullScan()
			}
		} else {
			d.scanIfWoken()
		}
		d.recordHeld(time.Now(), false)
		wait := d.untilReady(time.Now())
		if wait <= 0 {
			if p := d.pick(time.Now()); p != nil {
				return p
			}
			continue
		}
		wait = min(wait, max(d.FullEvery-time.Since(*lastFull), time.Millisecond))
		if at := d.heldDue(); !at.IsZero() {
			wait = min(wait, max(time.Until(at), time.Millisecond))
		}
		resetTimer(timer, wait)
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
			d.scan(false)
		case <-timer.C:
		}
	}
}

// deliver sends one item and records the outcome. One that is not sent
// gives its turn back.
func (d *Dispatcher[M]) deliver(ctx context.Context, p *pending, t *Turn) {
	defer t.end()
	if d.Dead.Load() {
		return
	}
	payload, err := d.db.OutboxPayload(p.ID)
	if err != nil {
		d.log.Error("outbox: read item", "id", p.ID, "chat_id", p.ChatID, "error", err)
		p.NotBefore = time.Now().Add(5 * time.Second)
		d.requeue(p)
		return
	}
	if payload == nil {
		d.finish(p) // replaced by a newer item, or done already
		return
	}
	it, err := d.tr.Decode(payload)
	if err != nil {
		d.log.Error("outbox: undecodable item dropped", "chat_id", p.ChatID, "error", err)
		d.done(p, boltdb.Failed)
		return
	}
	m := it.Chat()
	if m.TargetKey != "" && !d.resolve(p, m) {
		return
	}
	mid, err := d.tr.Send(ctx, p.ChatID, it, t)
	if d.Dead.Load() {
		return // a simulated crash: the send happened, the mark does not
	}
	if err != nil && ctx.Err() != nil {
		return // cut by the shutdown: the item stays for the next start
	}
	if err == nil && m.Key != "" && mid != "" {
		if err := d.db.SentDelivered(m.Key, p.ID, mid); err != nil {
			d.log.Error("outbox: record a sent message", "chat_id", p.ChatID, "error", err)
		}
	}
	if err == nil && m.Kind == chat.KindRemove && m.TargetKey != "" {
		if err := d.db.SentRemoved(m.TargetKey, m.Target); err != nil {
			d.log.Error("outbox: forget a removed message", "chat_id", p.ChatID, "error", err)
		}
	}
	d.outcome(p, m, err)
}

// finish lets go of an item already gone from the store.
func (d *Dispatcher[M]) finish(p *pending) {
	d.release(p)
	d.mu.Lock()
	delete(d.known, p.ID)
	d.mu.Unlock()
}

// release lets the chat (or the menu lane) of an item go on.
func (d *Dispatcher[M]) release(p *pending) {
	d.mu.Lock()
	if d.onMenuLane(p) {
		delete(d.menuBusy, p.ChatID)
		d.wakeMenus()
	} else {
		d.freeChat(p.ChatID)
	}
	d.mu.Unlock()
	d.Notify()
}

// freeChat lets a chat that was busy go on, and reports whether it has
// messages waiting, proposed now; d.mu must be held.
func (d *Dispatcher[M]) freeChat(chatID int64) (queued bool) {
	q := d.chats[chatID]
	if q == nil {
		return false
	}
	q.busy = false
	if len(q.items) == 0 {
		delete(d.chats, chatID)
		return false
	}
	d.propose(q)
	return true
}

// requeue puts an item back to wait for another attempt.
func (d *Dispatcher[M]) requeue(p *pending) {
	d.mu.Lock()
	q := d.chats[p.ChatID]
	if d.onMenuLane(p) {
		delete(d.menuBusy, p.ChatID)
		q = nil
	} else if q != nil {
		q.busy = false
	}
	d.add(p)
	if q != nil {
		d.propose(q)
	}
	d.mu.Unlock()
	d.Notify()
}

// MessagesPending counts the messages (not menus on their lane) still to
// send, including what was committed but not read yet.
func (d *Dispatcher[M]) MessagesPending() int {
	d.scan(false)
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, q := range d.chats {
		n += len(q.items)
		if q.busy {
			n++
		}
	}
	return n
}

// Shutdown budget: SIGTERM is honoured within about 5 s in every state
// (Docker waits 10 s). The answers to the last updates get drainFor to go
// out; then sends in flight get graceFor before they are cut, and stay in
// the outbox for the next start.
const (
	drainFor = 2500 * time.Millisecond
	graceFor = time.Second
)

// Start delivers beside the transport's update loop, until the function
// it returns is called: that lets the answers to the last updates go out
// (for drainFor at most), then gives the sends in flight graceFor before
// they are cut, and returns once the dispatcher stopped.
func (d *Dispatcher[M]) Start(ctx context.Context) (stop func()) {
	outCtx, outCancel := context.WithCancel(context.WithoutCancel(ctx))
	sendCtx, sendCancel := context.WithCancel(context.WithoutCancel(ctx))
	outDone := make(chan struct{})
	go func() {
		defer close(outDone)
		d.Run(outCtx, sendCtx)
	}()
	return func() {
		drain := time.Now().Add(drainFor)
		for time.Now().Before(drain) && d.MessagesPending() > 0 {
			time.Sleep(20 * time.Millisecond)
		}
		outCancel()
		select {
		case <-outDone:
		case <-time.After(graceFor):
		}
		sendCancel()
		<-outDone
	}
}
