package telegram

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
)

// dispatcher delivers the outbox. The items of one chat go one at a time,
// by priority and then in the order they were queued; chats go
// concurrently, the most urgent first. The next message is picked only
// as the one before goes on the wire, and books its turn within the rate
// over all chats then, so a reply committed during a broadcast goes out
// with the next turn or the one after, not after the broadcast. Command
// menus are not chat messages: they go on a lane of their own, paced, and
// never wait in or hold up a chat's queue.
//
// An item is removed only after Telegram took it (or refused it for
// good), so a crash repeats at most the items in flight. If the store
// refuses the removal (a full disk), the item is held in memory as done
// and stays known, so no scan queues it again; its removal is retried
// from the dispatcher's loop until the store takes it. A crash meanwhile
// repeats those items once, as it does the items in flight.
//
// A 429 makes only what it concerns wait, as long as Telegram asked. A
// message that keeps failing is retried for at most a minute, while the
// rest of its chat waits behind it; then it is set aside so the chat's
// later messages go on, and a person whose file could not be sent is
// told so.
type dispatcher struct {
	db       *boltdb.DB
	sender   *Sender
	codec    codec // signs the buttons for the chat they go to
	log      *slog.Logger
	parallel int // messages in flight at once
	// onBlocked records that a person blocked the bot; onSetAside tells
	// a person that a file for them could not be sent. user is the
	// person's internal id the message carried, 0 if none.
	onBlocked  func(chatID, user int64)
	onSetAside func(chatID, user int64)
	// onDelivered is told the broadcast of each item of one that left
	// the store (sent, blocked or set aside: counted), so that the
	// conversation can keep a live delivery count; nil: nobody listens.
	onDelivered func(broadcast uint64)

	// msgRetry and menuRetry say how failing items are retried: a message
	// briefly, since its chat waits for it; a menu for long, since nothing
	// waits for it. menuRate paces the menu lane.
	msgRetry, menuRetry retryPolicy
	menuRate            rate.Limit
	// heldRetry says how often the removal of held items is tried again
	// while the store refuses it (its budget is unused: they are held
	// until it succeeds). fullEvery is how often the whole outbox is read
	// again; onFullScan, for tests, is told after each such read.
	heldRetry  retryPolicy
	fullEvery  time.Duration
	onFullScan func()

	// fetch gets the bytes of another messenger's file (see
	// chat.Message.FileFrom); nil when there is none.
	fetch chat.FileFetcher

	wake     chan struct{} // new items were committed
	menuWake chan struct{} // the menu lane has new work

	// dead, set by crash tests, makes the dispatcher behave as a killed
	// process would: sends in flight complete, but nothing more is
	// recorded or started.
	dead atomic.Bool

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

func newDispatcher(db *boltdb.DB, s *Sender, c codec, log *slog.Logger, parallel int, onBlocked, onSetAside func(chatID, user int64)) *dispatcher {
	if parallel < 1 {
		parallel = 1
	}
	return &dispatcher{
		db: db, sender: s, codec: c, log: log, parallel: parallel, onBlocked: onBlocked, onSetAside: onSetAside,
		msgRetry: messageRetry, menuRetry: menuRetry, menuRate: menuPace,
		heldRetry: heldRetry, fullEvery: time.Minute,
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
func (d *dispatcher) delivered(broadcasts ...uint64) {
	if d.onDelivered == nil {
		return
	}
	for _, bc := range broadcasts {
		if bc != 0 {
			d.onDelivered(bc)
		}
	}
}

// notify tells the dispatcher that new items were committed.
func (d *dispatcher) notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// run delivers until ctx is done, then waits for the sends in flight; it
// sends with sendCtx, which the caller cancels when it can wait no more.
func (d *dispatcher) run(ctx, sendCtx context.Context) {
	// Last, once nothing is in flight: the removals still held get one
	// more try, so that a store which recovered since their last retry
	// does not make the next start send them again.
	defer d.recordHeld(time.Now(), true)
	defer d.inflight.Wait()
	d.scan(true)
	d.inflight.Add(1)
	go func() {
		defer d.inflight.Done()
		d.menuLoop(ctx, sendCtx)
	}()
	slots := make(chan struct{}, d.parallel)
	turns := make(chan struct{}, min(d.parallel, max(1, int(bookAhead/d.sender.pace.interval))))
	lastFull := time.Now()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		select {
		case turns <- struct{}{}:
		case <-ctx.Done():
			return
		}
		p := d.next(ctx, &lastFull)
		if p == nil {
			return
		}
		// The turn within the overall rate is booked in the order of the
		// picks; the message goes on the wire at its time (see deliver).
		t := &turn{at: d.sender.pace.book(time.Now()), release: sync.OnceFunc(func() { <-turns })}
		d.inflight.Add(1)
		go func() {
			defer d.inflight.Done()
			d.deliver(sendCtx, p, t)
			<-slots
		}()
	}
}

// bookAhead bounds how far ahead turns within the overall rate are
// booked: a reply picked now waits for the turns booked before it. At
// Telegram's rates that is one turn: the next message is picked as the
// one before goes on the wire, and is loaded while its turn comes. Only
// far higher rates (a local Bot API server, benchmarks) book several, so
// loading messages does not bound the rate.
const bookAhead = 5 * time.Millisecond

// turn is a message's booked place within the overall rate.
type turn struct {
	at      time.Time
	release func() // frees the place among those booked ahead
}

// next waits until a message may go and takes the most urgent one; nil
// when ctx is done. The whole outbox is read again every fullEvery, for
// items committed without a notify; held removals are retried here when
// they fall due.
func (d *dispatcher) next(ctx context.Context, lastFull *time.Time) *pending {
	timer := time.NewTimer(d.fullEvery)
	defer timer.Stop()
	for {
		if time.Since(*lastFull) >= d.fullEvery {
			d.scan(true)
			*lastFull = time.Now()
			if d.onFullScan != nil {
				d.onFullScan()
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
		wait = min(wait, max(d.fullEvery-time.Since(*lastFull), time.Millisecond))
		if at := d.heldDue(); !at.IsZero() {
			wait = min(wait, max(time.Until(at), time.Millisecond))
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
			d.scan(false)
		case <-timer.C:
		}
	}
}

// deliver sends one item and records the outcome. A message is loaded
// and built first and then waits for the time of its turn (t), so that
// messages reach Telegram as evenly spaced as their turns; one that is
// not sent gives its turn back. Menus pass no turn.
func (d *dispatcher) deliver(ctx context.Context, p *pending, t *turn) {
	sending, booked := false, t != nil
	if t != nil {
		defer func() {
			if booked && !sending {
				d.sender.pace.cancel(t.at)
			}
			t.release()
		}()
	}
	if d.dead.Load() {
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
	m, err := decodeItem(payload)
	if err != nil {
		d.log.Error("outbox: undecodable item dropped", "chat_id", p.ChatID, "error", err)
		d.done(p, boltdb.Failed)
		return
	}
	if m.TargetKey != "" && !d.resolve(p, m) {
		return
	}
	foreign := m.FileID != "" && m.FileFrom != "" && m.FileFrom != Messenger
	rebook := t != nil && (foreign || m.Bundle != nil)
	if rebook {
		// Files are fetched first, which may take long: the turn goes
		// back meanwhile, so that the other chats' messages keep going,
		// and a new one is booked once the files are in.
		d.sender.pace.cancel(t.at)
		booked = false
		t.release()
	}
	var copyFrom, copyID string // a file of another messenger going up (fetch.go)
	if foreign {
		// A file a person sent through another messenger: Telegram has
		// no id of it, so its bytes go up, unless they went up before.
		if copyFrom, copyID, err = d.fetchFile(ctx, &m.Message); err != nil {
			d.outcome(p, m, &SendError{Method: "fetch " + m.FileFrom, ChatID: p.ChatID, Description: err.Error(), kind: errTransient})
			return
		}
	}
	if m.Bundle != nil {
		// An archive of files some of which are fetched now, outside any
		// store transaction (see chat.Bundle).
		if _, err := m.Pack(ctx, d.fetch); err != nil {
			if ctx.Err() != nil {
				return // cut by the shutdown: the item stays for the next start
			}
			d.log.Error("outbox: archive dropped", "chat_id", p.ChatID, "error", err)
			d.done(p, boltdb.Failed)
			return
		}
	}
	if rebook {
		t = &turn{at: d.sender.pace.book(time.Now()), release: func() {}}
		booked = true
	}
	c, err := m.chattable(d.codec, p.ChatID)
	if err != nil {
		d.log.Error("outbox: item dropped", "chat_id", p.ChatID, "error", err)
		d.done(p, boltdb.Failed)
		return
	}
	if t != nil {
		if sleep(ctx, time.Until(t.at)) != nil {
			return // cut by the shutdown: the item stays for the next start
		}
		sending = true
		d.sender.pace.went(time.Now())
		t.release()
	}
	// The chat's rate counts from the answer, not from the pick nor from
	// when the message left: attempt records the message as arriving as
	// late as its answer allows (see chatPace), and the chat is busy
	// until then, so none of its messages can go meanwhile.
	resp, err := d.sender.attempt(ctx, p.ChatID, c)
	if d.dead.Load() {
		return // a simulated crash: the send happened, the mark does not
	}
	if err != nil && ctx.Err() != nil {
		return // cut by the shutdown: the item stays for the next start
	}
	if err == nil && m.Key != "" {
		d.record(p, m, resp)
	}
	if err == nil && copyFrom != "" {
		d.copied(copyFrom, copyID, resp)
	}
	if err == nil && m.Kind == chat.KindRemove && m.TargetKey != "" {
		if err := d.db.SentRemoved(m.TargetKey, m.Target); err != nil {
			d.log.Error("outbox: forget a removed message", "chat_id", p.ChatID, "error", err)
		}
	}
	d.outcome(p, m, err)
}

// outcome records how an attempt ended.
func (d *dispatcher) outcome(p *pending, m *item, err error) {
	method := ""
	var se *SendError
	if errors.As(err, &se) {
		method = se.Method
	}
	switch {
	case err == nil:
		if kind := messageKind(p.Priority); kind != "" {
			d.sender.rec.Sent(kind)
		}
		d.done(p, boltdb.Sent)
	case errors.Is(err, errBlocked):
		d.log.Info("outbox: user blocked the bot", "chat_id", p.ChatID)
		if d.onBlocked != nil {
			d.onBlocked(p.ChatID, m.User)
		}
		d.done(p, boltdb.Blocked)
	case errors.Is(err, errTooMany):
		// The sender holds back what the 429 concerns for as long as
		// Telegram asked; the item waits its turn again.
		p.tooMany++
		if p.tooMany > maxTooMany {
			d.setAside(p, m, err)
			return
		}
		d.requeue(p)
	case errors.Is(err, errTransient):
		now := time.Now()
		if p.FailedAt.IsZero() {
			p.FailedAt = now
		}
		p.Attempts++
		policy := d.msgRetry
		if p.Priority == boltdb.PriorityMenu {
			policy = d.menuRetry
		}
		wait := policy.delay(p.Attempts)
		at := now.Add(wait)
		if at.Sub(p.FailedAt) > policy.budget {
			d.setAside(p, m, err)
			return
		}
		d.log.Warn("outbox: send failed, will retry", "method", method, "chat_id", p.ChatID,
			"attempt", p.Attempts, "retry_in", wait.String(), "error", err)
		d.recordRetry(p, at)
		p.NotBefore = at
		d.requeue(p)
	default:
		d.log.Error("outbox: refused by Telegram, dropped", "method", method, "chat_id", p.ChatID, "error", err)
		d.done(p, boltdb.Failed)
	}
}

// recordRetry stores a failed attempt so that a restart keeps its count
// and its wait. The retry itself is kept in memory whatever the store
// says; a store that refuses writes (a full disk) is logged once for the
// whole outage, not once per attempt of every item, and its end once.
func (d *dispatcher) recordRetry(p *pending, at time.Time) {
	err := d.db.OutboxRetry(p.ID, p.Attempts, at, p.FailedAt)
	d.mu.Lock()
	first := err != nil && errors.Is(err, boltdb.ErrUnwritable) && !d.retryRefused
	recovered := err == nil && d.retryRefused
	if first {
		d.retryRefused = true
	}
	if recovered {
		d.retryRefused = false
	}
	d.mu.Unlock()
	switch {
	case first:
		d.log.Error("outbox: failed attempts cannot be recorded in the database; they are retried from memory "+
			"(a restart meanwhile counts them afresh)", "error", err)
	case recovered:
		d.log.Info("outbox: failed attempts are recorded again")
	case err != nil && !errors.Is(err, boltdb.ErrUnwritable):
		d.log.Error("outbox: record retry", "id", p.ID, "error", err)
	}
}

// setAside gives up an item that kept failing, so what its chat has
// after it goes on; a person whose file it was is told to try again.
func (d *dispatcher) setAside(p *pending, m *item, err error) {
	method := ""
	var se *SendError
	if errors.As(err, &se) {
		method = se.Method
	}
	d.log.Error("outbox: send kept failing, set aside", "method", method, "chat_id", p.ChatID,
		"attempts", p.Attempts+p.tooMany, "error", err)
	d.done(p, boltdb.Failed)
	if (m.Kind == chat.KindDocument || m.Kind == chat.KindPhoto) && d.onSetAside != nil {
		d.onSetAside(p.ChatID, m.User)
	}
}

// done records how an item ended. Its chat goes on at once: what was
// sent is sent, and the store's commit need not hold the next message up.
// The item is forgotten only once it left the store, so a scan meanwhile
// still finds it known and cannot queue it again; if the store refuses
// the removal, the item is held (see recordHeld).
func (d *dispatcher) done(p *pending, outcome boltdb.Outcome) {
	d.release(p)
	started := time.Now()
	err := d.db.OutboxDone(p.ID, outcome)
	d.mu.Lock()
	if err != nil {
		d.held[p.ID] = outcome
		if p.Broadcast != 0 {
			d.heldOf[p.ID] = p.Broadcast
		}
		logIt := d.refused(started)
		if d.heldNext.IsZero() {
			d.heldNext = time.Now().Add(d.heldRetry.delay(1))
		}
		n := len(d.held)
		d.mu.Unlock()
		if logIt {
			d.logRefused(n, err)
		}
		return
	}
	delete(d.known, p.ID)
	d.accepted(started)
	retry := len(d.held) > 0
	if retry {
		// The store takes writes again: the held removals need not wait
		// for their retry.
		d.heldNext = time.Now()
	}
	d.mu.Unlock()
	d.delivered(p.Broadcast)
	if retry {
		d.notify()
	}
}

// finish lets go of an item already gone from the store.
func (d *dispatcher) finish(p *pending) {
	d.release(p)
	d.forget(p)
}

// release lets the chat (or the menu lane) of an item go on.
func (d *dispatcher) release(p *pending) {
	d.mu.Lock()
	if p.Priority == boltdb.PriorityMenu {
		delete(d.menuBusy, p.ChatID)
		d.wakeMenus()
	} else if q := d.chats[p.ChatID]; q != nil {
		q.busy = false
		if len(q.items) == 0 {
			delete(d.chats, p.ChatID)
		} else {
			d.propose(q)
		}
	}
	d.mu.Unlock()
	d.notify()
}

// forget drops an item that left the store.
func (d *dispatcher) forget(p *pending) {
	d.mu.Lock()
	delete(d.known, p.ID)
	d.mu.Unlock()
}

// requeue puts an item back to wait for another attempt.
func (d *dispatcher) requeue(p *pending) {
	d.mu.Lock()
	q := d.chats[p.ChatID]
	if p.Priority == boltdb.PriorityMenu {
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
	d.notify()
}

// messagesPending counts the messages (not menus) still to send,
// including what was committed but not read yet.
func (d *dispatcher) messagesPending() int {
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
