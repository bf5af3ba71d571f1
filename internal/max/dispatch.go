package max

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/mmo"
)

// dispatcher delivers MAX's share of the outbox, on the design of the
// Telegram transport's: the items of one chat go one at a time, by
// priority and then in the order they were queued; chats go
// concurrently, the most urgent first; every call to MAX takes a turn of
// one pacer (Limits.PerSecond over the bot as a whole, which is what MAX
// limits), so a reply committed during a broadcast goes within the turns
// already booked (at most parallel of them).
//
// An item is removed only after MAX took it (or refused it for good), so
// a crash repeats at most the items in flight; a removal the store
// refuses is held in memory and retried, the item staying known so no
// scan queues it again. A 429 pauses every call for as long as MAX asked
// (a second when it did not say). A message that keeps failing is
// retried for at most a minute, its chat waiting behind it; then it is
// set aside, and a person whose file it was is told so.
type dispatcher struct {
	db       *boltdb.DB
	api      *Client
	codec    codec
	log      *slog.Logger
	pace     *pacer
	parallel int
	// onBlocked records that a person stopped the bot; onSetAside tells a
	// person a file for them could not be sent.
	onBlocked, onSetAside func(chatID, user int64)
	// onDelivered is told the broadcast of each item of one that left
	// the store (counted), for a live delivery count; nil: nobody listens.
	onDelivered func(broadcast uint64)
	// fetch gets the bytes of another messenger's file.
	fetch     chat.FileFetcher
	copies    copies // uploads of other messengers' files (filecopy.go)
	retry     retryPolicy
	fullEvery time.Duration

	wake chan struct{}
	// dead, set by crash tests, makes the dispatcher behave as a killed
	// process: sends in flight complete, nothing more is recorded.
	dead     atomic.Bool
	inflight sync.WaitGroup

	mu     sync.Mutex
	cursor uint64
	known  map[uint64]bool
	chats  map[int64]*chatQueue
	held   map[uint64]boltdb.Outcome // sent, removal refused by the store
	heldOf map[uint64]uint64         // held items of a broadcast: id → broadcast
}

type pending struct {
	boltdb.OutboxItem
	tooMany int // 429s in a row
}

type chatQueue struct {
	items []*pending
	busy  bool
}

func (p *pending) before(o *pending) bool {
	if p.Priority != o.Priority {
		return p.Priority < o.Priority
	}
	return p.ID < o.ID
}

// retryPolicy: waits doubling from first to most; given up after budget.
type retryPolicy struct {
	first, most, budget time.Duration
}

func (p retryPolicy) delay(n int) time.Duration {
	d := p.first
	for i := 1; i < n && d < p.most; i++ {
		d *= 2
	}
	return min(d, p.most)
}

// maxTooMany bounds the 429s one item meets in a row before it is set
// aside: a storm must not hold a chat's later messages forever.
const maxTooMany = 20

func newDispatcher(db *boltdb.DB, api *Client, c codec, pace *pacer, log *slog.Logger, parallel int, onBlocked, onSetAside func(chatID, user int64)) *dispatcher {
	return &dispatcher{
		db: db, api: api, codec: c, pace: pace, log: log, parallel: max(parallel, 1),
		onBlocked: onBlocked, onSetAside: onSetAside,
		retry:     retryPolicy{first: time.Second, most: 16 * time.Second, budget: time.Minute},
		fullEvery: time.Minute,
		wake:      make(chan struct{}, 1),
		known:     map[uint64]bool{},
		chats:     map[int64]*chatQueue{},
		held:      map[uint64]boltdb.Outcome{},
		heldOf:    map[uint64]uint64{},
	}
}

// delivered tells the listener that an item of a broadcast was counted.
func (d *dispatcher) delivered(broadcast uint64) {
	if d.onDelivered != nil && broadcast != 0 {
		d.onDelivered(broadcast)
	}
}

func (d *dispatcher) notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// run delivers until ctx is done, then waits for the sends in flight,
// which use sendCtx (the caller cancels it when it can wait no more).
func (d *dispatcher) run(ctx, sendCtx context.Context) {
	defer d.recordHeld()
	defer d.inflight.Wait()
	d.scan(true)
	slots := make(chan struct{}, d.parallel)
	lastFull := time.Now()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		p := d.next(ctx, &lastFull)
		if p == nil {
			return
		}
		d.inflight.Add(1)
		go func() {
			defer d.inflight.Done()
			d.deliver(sendCtx, p)
			<-slots
		}()
	}
}

// scan reads the outbox (all of it, or what was added since the last
// scan) and queues MAX's items it does not hold yet. The read happens
// under the lock: an item is removed from the store before it is
// forgotten, so one sent meanwhile is still known here.
func (d *dispatcher) scan(full bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	after := d.cursor
	if full {
		after = 0
	}
	for {
		items, err := d.db.Outbox(after, 500)
		if err != nil {
			d.log.Error("outbox: read", "error", err)
			return
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			after = it.ID
			if d.known[it.ID] || it.Messenger != Messenger {
				continue
			}
			d.known[it.ID] = true
			d.add(&pending{OutboxItem: it})
		}
	}
	d.cursor = max(d.cursor, after)
}

// add queues an item in its chat; d.mu must be held.
func (d *dispatcher) add(p *pending) {
	q := d.chats[p.ChatID]
	if q == nil {
		q = &chatQueue{}
		d.chats[p.ChatID] = q
	}
	i := sort.Search(len(q.items), func(i int) bool { return p.before(q.items[i]) })
	q.items = slices.Insert(q.items, i, p)
}

// next waits until a chat's first item may go and takes the most urgent
// one; nil when ctx is done.
func (d *dispatcher) next(ctx context.Context, lastFull *time.Time) *pending {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if time.Since(*lastFull) >= d.fullEvery {
			d.scan(true)
			*lastFull = time.Now()
		}
		d.recordHeld()
		now := time.Now()
		p, at := d.pick(now)
		if p != nil {
			return p
		}
		wait := d.fullEvery - time.Since(*lastFull)
		if !at.IsZero() {
			wait = min(wait, at.Sub(now))
		}
		d.mu.Lock()
		if len(d.held) > 0 {
			wait = min(wait, time.Second)
		}
		d.mu.Unlock()
		timer.Reset(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
			d.scan(false)
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// pick takes the most urgent first item of a chat not busy whose time has
// come, and marks its chat busy; else it returns when the earliest such
// item falls due (zero if none waits).
func (d *dispatcher) pick(now time.Time) (*pending, time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var best *pending
	var bestQ *chatQueue
	var soonest time.Time
	for _, q := range d.chats {
		if q.busy || len(q.items) == 0 {
			continue
		}
		h := q.items[0]
		if h.NotBefore.After(now) {
			if soonest.IsZero() || h.NotBefore.Before(soonest) {
				soonest = h.NotBefore
			}
			continue
		}
		if best == nil || h.before(best) {
			best, bestQ = h, q
		}
	}
	if best == nil {
		return nil, soonest
	}
	bestQ.busy = true
	bestQ.items = bestQ.items[1:]
	return best, time.Time{}
}

// deliver sends one item and records the outcome.
func (d *dispatcher) deliver(ctx context.Context, p *pending) {
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
		d.release(p, true) // replaced by a newer item, or done already
		return
	}
	m, err := decodeItem(payload)
	if err != nil {
		d.log.Error("outbox: undecodable item dropped", "chat_id", p.ChatID, "error", err)
		d.done(p, boltdb.Failed)
		return
	}
	if m.Kind == chat.KindMenu && !(m.DefaultMenu && m.Lang == "") {
		// MAX has one command menu per bot (PATCH /me), not one per chat
		// or language: it is the default menu of the fallback language,
		// and a person's own menu, or another language's, has no place.
		d.done(p, boltdb.Sent)
		return
	}
	if m.TargetKey != "" && !d.resolve(p, m) {
		return
	}
	copied := d.hasCopy(m) // a file of another messenger, sent by its copy here (filecopy.go)
	mid, err := d.send(ctx, p.ChatID, m)
	if err != nil && copied && ctx.Err() == nil && !d.dead.Load() {
		// MAX may have let the copy go: it is forgotten, and the file
		// goes up again.
		d.forgetCopy(m.FileFrom, m.FileID)
		mid, err = d.send(ctx, p.ChatID, m)
	}
	if d.dead.Load() {
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

// resolve finds the message an edit by key changes, as the Telegram
// transport does: an edit waiting for its message's send goes behind it,
// an edit of a message never sent (or now in another chat) is dropped.
func (d *dispatcher) resolve(p *pending, m *chat.Message) bool {
	rec, err := d.db.Sent(m.TargetKey)
	switch {
	case errors.Is(err, mmo.ErrNotFound):
	case err != nil:
		d.log.Error("outbox: read the message to edit", "id", p.ID, "chat_id", p.ChatID, "error", err)
		p.NotBefore = time.Now().Add(5 * time.Second)
		d.requeue(p)
		return false
	case rec.Chat != p.ChatID || rec.Messenger != Messenger:
	case rec.Message != "":
		m.Target = rec.Message
		return true
	case rec.Outbox != 0:
		if pending, err := d.db.OutboxPayload(rec.Outbox); err == nil && pending != nil && rec.Outbox < p.ID {
			p.Priority = boltdb.PriorityBulk
			d.requeue(p)
			return false
		}
	}
	d.log.Debug("outbox: an edit of a message not on record dropped", "chat_id", p.ChatID)
	d.done(p, boltdb.Failed)
	return false
}

// outcome records how an attempt ended.
func (d *dispatcher) outcome(p *pending, m *chat.Message, err error) {
	var apiErr *Error
	isAPI := errors.As(err, &apiErr)
	switch {
	case err == nil:
		d.done(p, boltdb.Sent)
	case isAPI && (apiErr.StatusCode == 403 || apiErr.Code == CodeChatDenied):
		d.log.Info("outbox: user stopped the bot", "chat_id", p.ChatID)
		if d.onBlocked != nil {
			d.onBlocked(p.ChatID, m.User)
		}
		d.done(p, boltdb.Blocked)
	case isAPI && apiErr.TooManyRequests():
		d.pace.pause(apiErr.RetryAfter)
		p.tooMany++
		if p.tooMany > maxTooMany {
			d.setAside(p, m, err)
			return
		}
		d.requeue(p)
	case !isAPI || apiErr.Temporary():
		now := time.Now()
		if p.FailedAt.IsZero() {
			p.FailedAt = now
		}
		p.Attempts++
		wait := d.retry.delay(p.Attempts)
		at := now.Add(wait)
		if at.Sub(p.FailedAt) > d.retry.budget {
			d.setAside(p, m, err)
			return
		}
		d.log.Warn("outbox: send failed, will retry", "chat_id", p.ChatID, "attempt", p.Attempts,
			"retry_in", wait.String(), "error", err)
		if err := d.db.OutboxRetry(p.ID, p.Attempts, at, p.FailedAt); err != nil {
			d.log.Error("outbox: record retry", "id", p.ID, "error", err)
		}
		p.NotBefore = at
		d.requeue(p)
	default:
		d.log.Error("outbox: refused by MAX, dropped", "chat_id", p.ChatID, "error", err)
		d.done(p, boltdb.Failed)
	}
}

// setAside gives up an item that kept failing, so its chat goes on.
func (d *dispatcher) setAside(p *pending, m *chat.Message, err error) {
	d.log.Error("outbox: send kept failing, set aside", "chat_id", p.ChatID,
		"attempts", p.Attempts+p.tooMany, "error", err)
	d.done(p, boltdb.Failed)
	if (m.Kind == chat.KindDocument || m.Kind == chat.KindPhoto) && d.onSetAside != nil {
		d.onSetAside(p.ChatID, m.User)
	}
}

// done records how an item ended and lets its chat go on; a removal the
// store refuses is held and retried.
func (d *dispatcher) done(p *pending, outcome boltdb.Outcome) {
	err := d.db.OutboxDone(p.ID, outcome)
	d.mu.Lock()
	if err != nil {
		if len(d.held) == 0 {
			d.log.Error("outbox: a sent item cannot be removed from the database; it is held and retried", "error", err)
		}
		d.held[p.ID] = outcome
		if p.Broadcast != 0 {
			d.heldOf[p.ID] = p.Broadcast
		}
	}
	d.mu.Unlock()
	d.release(p, err == nil)
	if err == nil {
		d.delivered(p.Broadcast)
	}
}

// recordHeld retries the removals the store refused.
func (d *dispatcher) recordHeld() {
	d.mu.Lock()
	held := make(map[uint64]boltdb.Outcome, len(d.held))
	for id, o := range d.held {
		held[id] = o
	}
	d.mu.Unlock()
	if len(held) == 0 || d.dead.Load() {
		return
	}
	for id, o := range held {
		if err := d.db.OutboxDone(id, o); err != nil {
			return
		}
		d.mu.Lock()
		delete(d.held, id)
		delete(d.known, id)
		bc := d.heldOf[id]
		delete(d.heldOf, id)
		d.mu.Unlock()
		d.delivered(bc)
	}
	d.log.Info("outbox: the database takes writes again; the sent items held are removed from it")
}

// release lets an item's chat go on; forget drops the item from known.
func (d *dispatcher) release(p *pending, forget bool) {
	d.mu.Lock()
	if forget {
		delete(d.known, p.ID)
	}
	if q := d.chats[p.ChatID]; q != nil {
		q.busy = false
		if len(q.items) == 0 {
			delete(d.chats, p.ChatID)
		}
	}
	d.mu.Unlock()
	d.notify()
}

// requeue puts an item back at the head of its chat.
func (d *dispatcher) requeue(p *pending) {
	d.mu.Lock()
	if q := d.chats[p.ChatID]; q != nil {
		q.busy = false
	}
	d.add(p)
	d.mu.Unlock()
	d.notify()
}

// messagesPending counts the items still to send, including what was
// committed but not read yet.
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
