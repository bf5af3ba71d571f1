package telegram

import (
	"cmp"
	"container/heap"
	"slices"
	"sort"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// The dispatcher's queues: each chat's messages in order, the two heaps
// of chats (those that may send now, most urgent first, and those waiting
// for a time), reading the outbox into them, and how failing items are
// retried.

// readyEntry proposes a chat's first item for sending; it is stale once
// the chat's first item changed or the chat is busy.
type readyEntry struct {
	chat int64
	prio boltdb.Priority
	id   uint64
}

type readyHeap []readyEntry

func (h readyHeap) Len() int { return len(h) }
func (h readyHeap) Less(i, j int) bool {
	if h[i].prio != h[j].prio {
		return h[i].prio < h[j].prio
	}
	return h[i].id < h[j].id
}
func (h readyHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *readyHeap) Push(x any)   { *h = append(*h, x.(readyEntry)) }
func (h *readyHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type laterEntry struct {
	at   time.Time
	chat int64
}

type laterHeap []laterEntry

func (h laterHeap) Len() int           { return len(h) }
func (h laterHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h laterHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *laterHeap) Push(x any)        { *h = append(*h, x.(laterEntry)) }
func (h *laterHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (d *dispatcher) scanIfWoken() {
	select {
	case <-d.wake:
		d.scan(false)
	default:
	}
}

// scan reads the outbox (all of it, or what was added since the last
// scan) and queues the items it does not hold yet.
func (d *dispatcher) scan(full bool) {
	// The read happens under the lock: an item is removed from the store
	// before it is forgotten, so an item in this snapshot that was sent
	// meanwhile is still known here and cannot be sent twice.
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
				continue // in hand, or another transport's
			}
			d.known[it.ID] = true
			d.add(&pending{OutboxItem: it})
		}
	}
	d.cursor = max(d.cursor, after)
}

// add queues an item; d.mu must be held.
func (d *dispatcher) add(p *pending) {
	if p.Priority == boltdb.PriorityMenu {
		i, _ := slices.BinarySearchFunc(d.menus, p.ID, func(m *pending, id uint64) int { return cmp.Compare(m.ID, id) })
		d.menus = slices.Insert(d.menus, i, p)
		d.wakeMenus()
		return
	}
	q := d.chats[p.ChatID]
	if q == nil {
		q = &chatQueue{id: p.ChatID}
		d.chats[p.ChatID] = q
	}
	i := sort.Search(len(q.items), func(i int) bool { return p.before(q.items[i]) })
	q.items = slices.Insert(q.items, i, p)
	if i == 0 {
		d.propose(q)
	}
}

// wakeMenus tells the menu lane there may be work.
func (d *dispatcher) wakeMenus() {
	select {
	case d.menuWake <- struct{}{}:
	default:
	}
}

// propose offers a chat's first item for sending; d.mu must be held.
func (d *dispatcher) propose(q *chatQueue) {
	if q.busy || len(q.items) == 0 {
		return
	}
	h := q.items[0]
	heap.Push(&d.ready, readyEntry{chat: q.id, prio: h.Priority, id: h.ID})
}

// current returns the chat of a proposal if the proposal still holds;
// d.mu must be held.
func (d *dispatcher) current(e readyEntry) *chatQueue {
	q := d.chats[e.chat]
	if q == nil || q.busy || len(q.items) == 0 || q.items[0].ID != e.id {
		return nil
	}
	return q
}

// readyAt is when a chat's first item may go; d.mu must be held.
func (d *dispatcher) readyAt(q *chatQueue, now time.Time) time.Time {
	at := d.sender.readyAt(q.id, now)
	if nb := q.items[0].NotBefore; nb.After(at) {
		at = nb
	}
	return at
}

// untilReady returns 0 when some chat may send now, else how long until
// one may.
func (d *dispatcher) untilReady(now time.Time) time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.later.Len() > 0 && !d.later[0].at.After(now) {
		e := heap.Pop(&d.later).(laterEntry)
		if q := d.chats[e.chat]; q != nil {
			d.propose(q)
		}
	}
	for d.ready.Len() > 0 {
		q := d.current(d.ready[0])
		if q == nil {
			heap.Pop(&d.ready)
			continue
		}
		if at := d.readyAt(q, now); at.After(now) {
			heap.Pop(&d.ready)
			heap.Push(&d.later, laterEntry{at: at, chat: q.id})
			continue
		}
		return 0
	}
	if d.later.Len() > 0 {
		return max(d.later[0].at.Sub(now), time.Millisecond)
	}
	return time.Minute
}

// pick takes the most urgent item that may go now and marks its chat
// busy; nil if none may.
func (d *dispatcher) pick(now time.Time) *pending {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.ready.Len() > 0 {
		e := heap.Pop(&d.ready).(readyEntry)
		q := d.current(e)
		if q == nil {
			continue
		}
		// The chat's turn is used only once Telegram answered the
		// message (see deliver): the chat is busy until then, so none of
		// its messages can take it meanwhile.
		if at := d.readyAt(q, now); at.After(now) {
			if soon := now.Add(10 * time.Millisecond); at.Before(soon) {
				at = soon
			}
			heap.Push(&d.later, laterEntry{at: at, chat: q.id})
			continue
		}
		p := q.items[0]
		q.items = q.items[1:]
		q.busy = true
		return p
	}
	return nil
}

// retryPolicy is how an item that keeps failing is retried: first waits
// first, doubling up to most, and it is set aside once the next attempt
// would come later than budget after the first failure.
type retryPolicy struct {
	first, most, budget time.Duration
}

// delay is the wait before the n-th retry.
func (p retryPolicy) delay(n int) time.Duration {
	d := p.first
	for i := 1; i < n && d < p.most; i++ {
		d *= 2
	}
	return min(d, p.most)
}

// Retry policies. A failing message keeps its chat waiting, so it is
// tried for at most a minute (after 1, 2, 4, 8, 16 and 16 s); a menu
// holds nothing up and is tried for about a day.
var (
	messageRetry = retryPolicy{first: time.Second, most: 16 * time.Second, budget: time.Minute}
	menuRetry    = retryPolicy{first: 5 * time.Second, most: 2 * time.Hour, budget: 24 * time.Hour}
	// heldRetry: a refused commit costs little, and the bot's update
	// loop retries the store as often (at most 5 s apart).
	heldRetry = retryPolicy{first: 500 * time.Millisecond, most: 5 * time.Second}
)

// maxTooMany is how many 429s in a row one item accepts before it is set
// aside like an item that keeps failing.
const maxTooMany = 10
