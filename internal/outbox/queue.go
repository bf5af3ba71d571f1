package outbox

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

func (d *Dispatcher[M]) scanIfWoken() {
	select {
	case <-d.wake:
		d.scan(false)
	default:
	}
}

// scan reads the outbox (all of it, or what was added since the last
// scan) and queues the items it does not hold yet.
func (d *Dispatcher[M]) scan(full bool) {
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
			if d.known[it.ID] || it.Messenger != d.cfg.Messenger {
				continue // in hand, or another transport's
			}
			d.known[it.ID] = true
			d.add(&pending{OutboxItem: it})
		}
	}
	d.cursor = max(d.cursor, after)
}

// onMenuLane says whether an item goes on the menu lane.
func (d *Dispatcher[M]) onMenuLane(p *pending) bool {
	return d.cfg.Menus != nil && p.Priority == boltdb.PriorityMenu
}

// add queues an item; d.mu must be held.
func (d *Dispatcher[M]) add(p *pending) {
	if d.onMenuLane(p) {
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

// propose offers a chat's first item for sending; d.mu must be held.
func (d *Dispatcher[M]) propose(q *chatQueue) {
	if q.busy || len(q.items) == 0 {
		return
	}
	h := q.items[0]
	heap.Push(&d.ready, readyEntry{chat: q.id, prio: h.Priority, id: h.ID})
}

// current returns the chat of a proposal if the proposal still holds;
// d.mu must be held.
func (d *Dispatcher[M]) current(e readyEntry) *chatQueue {
	q := d.chats[e.chat]
	if q == nil || q.busy || len(q.items) == 0 || q.items[0].ID != e.id {
		return nil
	}
	return q
}

// readyAt is when a chat's first item may go; d.mu must be held.
func (d *Dispatcher[M]) readyAt(q *chatQueue, now time.Time) time.Time {
	at := now
	if d.cfg.ReadyAt != nil {
		at = d.cfg.ReadyAt(q.id, now)
	}
	if nb := q.items[0].NotBefore; nb.After(at) {
		at = nb
	}
	return at
}

// untilReady returns 0 when some chat may send now, else how long until
// one may.
func (d *Dispatcher[M]) untilReady(now time.Time) time.Duration {
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
func (d *Dispatcher[M]) pick(now time.Time) *pending {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.ready.Len() > 0 {
		e := heap.Pop(&d.ready).(readyEntry)
		q := d.current(e)
		if q == nil {
			continue
		}
		// The chat's turn is used only once the messenger answered the
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

// Retry is how an item that keeps failing is retried: first waits
// First, doubling up to Most, and it is set aside once the next attempt
// would come later than Budget after the first failure.
type Retry struct {
	First, Most, Budget time.Duration
}

// Delay is the wait before the n-th retry.
func (p Retry) Delay(n int) time.Duration {
	d := p.First
	for i := 1; i < n && d < p.Most; i++ {
		d *= 2
	}
	return min(d, p.Most)
}

// Retry policies. A failing message keeps its chat waiting, so it is
// tried for at most a minute (after 1, 2, 4, 8, 16 and 16 s); a menu on
// its own lane holds nothing up and is tried for about a day.
var (
	MessageRetry = Retry{First: time.Second, Most: 16 * time.Second, Budget: time.Minute}
	MenuRetry    = Retry{First: 5 * time.Second, Most: 2 * time.Hour, Budget: 24 * time.Hour}
	// HeldRetry: a refused commit costs little, and the bots' update
	// loops retry the store as often (at most 5 s apart).
	HeldRetry = Retry{First: 500 * time.Millisecond, Most: 5 * time.Second}
)

// Replies sent at once (see SendNow): a messenger answers a message in a
// fraction of a second, so one that takes 2 s is slow or hanging, and its
// batch has waited long enough; the outbox then carries the replies for
// half a minute, until the messenger is tried again.
const (
	DirectTimeout = 2 * time.Second
	DirectPause   = 30 * time.Second
)

// DefaultTooMany is how many 429s in a row one item accepts, unless the
// transport says otherwise (Config.TooMany).
const DefaultTooMany = 10
