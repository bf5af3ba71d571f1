package telegram

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// Telegram counts messages as they arrive, in sliding windows: at most
// 30 in any second over all chats, about one a second to a chat. A
// message arrives some time after it is sent and before its answer comes
// back, and that time varies: two messages sent a full second apart can
// arrive 0.9 s apart when the first was slow and the second fast, so
// spacing the sends evenly, even with a margin, draws 429s on a jittery
// network unless the margin is as large as the jitter. The sender counts
// each message instead as arriving as late as it can have: when its
// answer came back, less the least time the way back can take, and the
// next as arriving as early as it can: when it is sent, plus the least
// time the way there can take. The two least times together are at most
// the shortest round trip, which the sender measures (roundTrips). The
// rates so counted can never be exceeded where Telegram counts them, and
// they cost only the round trip's variation, not its whole length.

// pacer keeps the rate over all chats: of any window, at most capacity
// messages. Each message holds one of capacity permits from the moment
// its turn is booked until a window after it can have arrived (its
// answer, less the shortest round trip); a turn is the earliest time a
// permit is free. Any capacity messages that arrive within one window
// then all held their permits at once when the latest of them was sent,
// which capacity permits allow only if there were no more of them.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration // the window over the capacity: the mean spacing at the full rate
	window   time.Duration
	free     []time.Time // when each permit not held is free again
	held     int         // permits booked and not yet done or given back
	over     int         // of those, turns booked with no permit free
	trips    *roundTrips
	spread   time.Time // idle permits' turns are spread until then (see spreadBurst)
	spreadAt time.Time // the latest turn spread, whose place a cancel gives back
}

// spreadBurst is how many idle permits may be taken at once before the
// rest are spread at the full rate's spacing. Permits alone would let a
// burst from idle (a restart's catch-up, a reminder to a large
// association) take every permit of the window in its first
// milliseconds, and whoever writes to the bot then waits the whole window
// for an answer although replies go first. Spread, the burst takes the
// window's permits one interval apart, so a reply picked meanwhile takes
// the next turn. Only idle permits, free for over a window, are spread:
// at the full rate each permit comes back a window after its message's
// answer, and a few come back together whenever a jittery network
// answers several at once; spreading those too lost turns never made up
// (half a percent of a broadcast's rate at 100 ms ± 50 ms). What is left
// shows at a broadcast's start: its first window's messages no longer go
// at once, which a rate counted from the first message to the last
// counts against it (mmobench -broadcast: 0.946 of 30/s against 0.949).
const spreadBurst = 4

// maxPermits bounds the permits: a rate of thousands a second (a local
// Bot API server, benchmarks) is kept over a window shorter than a second.
const maxPermits = 1000

// init sets the rate to perSecond messages a second: ceil(rate) permits
// over a window that holds them at that rate, as Telegram's counters do.
func (p *pacer) init(perSecond float64, trips *roundTrips) {
	capacity := min(int(math.Ceil(perSecond)), maxPermits)
	p.window = time.Duration(float64(capacity) / perSecond * float64(time.Second))
	p.interval = p.window / time.Duration(capacity)
	p.free = make([]time.Time, capacity)
	p.trips = trips
}

// book takes the permit free earliest and returns when it is free: the
// time of the message's turn.
func (p *pacer) book(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bookLocked(now)
}

// bookLocked is book with p.mu held.
func (p *pacer) bookLocked(now time.Time) time.Time {
	p.held++
	if len(p.free) == 0 {
		// Every permit is held by a message still on its way: there is no
		// telling when one is free, so the turn is a window away.
		p.over++
		return now.Add(p.window)
	}
	i := 0
	for j, t := range p.free {
		if t.Before(p.free[i]) {
			i = j
		}
	}
	at := p.free[i]
	p.free[i] = p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	idle := at.Before(now.Add(-p.window))
	if at.Before(now) {
		at = now
	}
	if !idle {
		return at
	}
	return p.spreadLocked(at)
}

// spreadLocked moves the turn of an idle permit at at no earlier than the
// spacing of a burst allows: a generic cell rate algorithm of the full
// rate with spreadBurst turns at once, p.spread the time its debt is
// paid off.
func (p *pacer) spreadLocked(at time.Time) time.Time {
	if earliest := p.spread.Add(-time.Duration(spreadBurst-1) * p.interval); at.Before(earliest) {
		at = earliest
	}
	p.spread = later(p.spread, at).Add(p.interval)
	p.spreadAt = at
	return at
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// bookWhenFree books a turn once a permit is free, for callers that,
// unlike the dispatcher, may book many at once: a turn booked beyond the
// permits is only a guess.
func (p *pacer) bookWhenFree(ctx context.Context) (time.Time, error) {
	for {
		p.mu.Lock()
		if len(p.free) > 0 {
			at := p.bookLocked(time.Now())
			p.mu.Unlock()
			return at, nil
		}
		p.mu.Unlock()
		if err := sleep(ctx, time.Millisecond); err != nil {
			return time.Time{}, err
		}
	}
}

// went records that a message booked with book goes on the wire now; its
// permit is held until done.
func (p *pacer) went(time.Time) {}

// done returns the permit of a message answered at now: free again a
// window after the latest it can have arrived.
func (p *pacer) done(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.release() {
		p.free = append(p.free, now.Add(p.window-p.trips.least()+paceMargin))
	}
}

// paceMargin is added to each permit's hold. The shortest round trip
// seen bounds the two ways of one message together, but a permit is
// handed from one message's way back to another's way there, and the
// server's own time on a message varies from one to the next. Trips are
// timed on the wire (see wireTimes), so the client's work around them no
// longer varies them: timed around the whole call, a loaded machine
// stretched them by milliseconds at random and the margin had to be 5 ms
// (without it the jitter test and the broadcast benchmark drew 429s at
// load averages of 10–20). Each millisecond costs a thousandth of the
// rate.
const paceMargin = 2 * time.Millisecond

// cancel gives back the permit of a turn booked at at and not used, and
// its place in the spreading when it was the last spread.
func (p *pacer) cancel(at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.spreadAt.IsZero() && at.Equal(p.spreadAt) {
		p.spread = p.spread.Add(-p.interval)
		p.spreadAt = time.Time{}
	}
	if p.release() {
		p.free = append(p.free, at)
	}
}

// release ends the hold of a turn and reports whether it had a permit to
// give back; p.mu must be held. A turn booked beyond the permits had
// none, and a message sent without a turn (none is) gives none back, so
// the permits never multiply.
func (p *pacer) release() bool {
	if p.held == 0 {
		return false
	}
	p.held--
	if p.over > 0 {
		p.over--
		return false
	}
	return true
}

// chatPace keeps one chat's rate, a token bucket of burst messages
// refilled at rate a second as Telegram's is, counted the same way as the
// pacer's: each message sent as arriving when its answer came back, less
// the shortest round trip; the next one as arriving when it is sent. A
// chat's messages go one at a time, so only one is ever on its way.
//
// The bucket is kept as the time it is next empty of debt (tat, the
// generic cell rate algorithm's theoretical arrival time): each message
// moves it an interval past the later of itself and its old value, and a
// message may arrive once it is no more than burst-1 intervals ahead. This
// is the bucket exactly, whatever the history; a list of the last few
// arrivals judged by the windows they span is not: a chat sent at its
// full rate for a while (a leader's card redrawn for each answer) binds
// on windows reaching further back than any short list, and drew 429s.
type chatPace struct {
	rate    float64
	burst   int
	tat     time.Time // the bucket's debt is paid off then
	sending bool      // a message taken and not yet done
}

// interval is the time the bucket refills one message in.
func (c *chatPace) interval() time.Duration {
	return time.Duration(float64(time.Second) / c.rate)
}

// readyAt is when the chat's next message may go, given the least round
// trip: once it cannot arrive before the bucket holds a message.
func (c *chatPace) readyAt(now time.Time, least time.Duration) time.Time {
	at := now
	if c.sending {
		// The one on its way may arrive as late as now and later: the next
		// waits for its answer, at least an interval.
		at = now.Add(c.interval())
	}
	if !c.tat.IsZero() {
		if r := c.tat.Add(-time.Duration(c.burst-1)*c.interval() - least); r.After(at) {
			at = r
		}
	}
	return at
}

// take starts a message now if the chat's rate allows it.
func (c *chatPace) take(now time.Time, least time.Duration) bool {
	if c.readyAt(now, least).After(now) {
		return false
	}
	c.sending = true
	return true
}

// done records that the chat's message was answered at now: it arrived
// by then.
func (c *chatPace) done(now time.Time) {
	c.sending = false
	if c.tat.Before(now) {
		c.tat = now
	}
	c.tat = c.tat.Add(c.interval())
}

// roundTrips remembers the shortest round trips of the latest messages,
// from send to answer: the tripKeep shortest of each of the last
// tripBuckets runs of tripRun messages.
type roundTrips struct {
	mu      sync.Mutex
	buckets [tripBuckets][]time.Duration // each sorted, at most tripKeep
	n       int                          // messages seen
}

const (
	tripRun     = 256
	tripBuckets = 16
	// tripKeep is how many shortest trips are kept per run. The shortest
	// seen exceeds the least possible by about one gap between the
	// shortest, which their spread over-covers by tripKeep-1 gaps: 4
	// still covers it three times over, and holds the permits about a
	// millisecond less over a broadcast than 8 did (a thousandth of the
	// rate, while few trips are known).
	tripKeep = 4
	// tripsTrusted is how many round trips make their shortest worth
	// using at all; from there the spread of the shortest keeps the
	// estimate low while they are few.
	tripsTrusted = 16
)

func (r *roundTrips) add(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := r.n / tripRun % tripBuckets
	if r.n%tripRun == 0 {
		r.buckets[i] = r.buckets[i][:0]
	}
	b := r.buckets[i]
	at, _ := slices.BinarySearch(b, d)
	if at < tripKeep {
		b = slices.Insert(b, at, d)
		if len(b) > tripKeep {
			b = b[:tripKeep]
		}
		r.buckets[i] = b
	}
	r.n++
}

// least is the time a message is taken to spend at least on the way to
// Telegram and back, estimated from the last few thousand trips: the
// shortest, less the spread of the tripKeep shortest. The shortest trip
// seen is longer than the shortest possible, by about the gaps between
// the shortest ones: few trips or a thin tail near the minimum (a network
// delayed both ways) make wide gaps and so a low estimate, many trips a
// close one. Zero until tripsTrusted were seen.
func (r *roundTrips) least() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n < tripsTrusted {
		return 0
	}
	// On the stack: least is asked several times a message.
	var buf [tripBuckets * tripKeep]time.Duration
	all := buf[:0]
	for _, b := range r.buckets[:min(tripBuckets, (r.n+tripRun-1)/tripRun)] {
		all = append(all, b...)
	}
	slices.Sort(all)
	all = all[:min(len(all), tripKeep)]
	return max(0, all[0]-(all[len(all)-1]-all[0]))
}
