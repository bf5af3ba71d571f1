package boltdb

import (
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Group commit. Every update, and every delivery mark of the outbox, is a
// small write that must be on disk before it counts; a commit costs two
// syncs, whatever it carries. bbolt's own Batch gathers the calls of a
// fixed delay (2 ms here) and then queues behind the commit in progress,
// while the calls that arrive meanwhile start the next batch and its own
// delay: under load the writer is busy all the time with batches of a
// few calls (a burst of 2,000 updates on the region: 700 commits of 5.8
// calls on average, 4 s, the bot at 0.17 of an echo loop). Here the calls
// queue while a commit runs, and the first of them, once it is its turn,
// commits all that queued: a lone call commits at once (no delay), and
// the busier the store, the more each commit carries.

// maxGroup caps the calls one commit carries, so that no write
// transaction grows long (each call is an update's handling).
const maxGroup = 128

// groupCall is one call waiting to be committed with others.
type groupCall struct {
	fn func(*bolt.Tx) error
	// done gets the call's outcome, or lead when the caller is to commit
	// the calls queued (its own among them).
	done chan groupResult
}

type groupResult struct {
	err  error
	lead bool
}

// group queues the calls of DB.batch.
type group struct {
	mu      sync.Mutex
	queue   []*groupCall
	leading bool // a caller is committing, or about to
}

// errTrySolo asks a call to run in a transaction of its own: it failed in
// a shared one, which the others then committed without it.
var errTrySolo = errors.New("boltdb: run again alone")

// groupUpdate runs fn in a write transaction that it may share with other
// concurrent calls; like bbolt's Batch, fn may run more than once.
func (db *DB) groupUpdate(fn func(*bolt.Tx) error) error {
	c := &groupCall{fn: fn, done: make(chan groupResult, 1)}
	g := &db.group
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !lead {
		r := <-c.done
		if !r.lead {
			if r.err == errTrySolo {
				return db.commit(fn)
			}
			return r.err
		}
	}
	db.commitGroup()

	// The next in the queue commits what gathered meanwhile.
	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].done <- groupResult{lead: true}
	} else {
		g.leading = false
	}
	g.mu.Unlock()

	r := <-c.done
	if r.err == errTrySolo {
		return db.commit(fn)
	}
	return r.err
}

// take removes the calls the next commit carries from the queue.
func (g *group) take() []*groupCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := min(len(g.queue), maxGroup)
	calls := g.queue[:n:n]
	g.queue = g.queue[n:]
	return calls
}

// commitGroup commits the calls queued, the leader's first among them,
// in one transaction and tells each its outcome. They are taken from the
// queue once the transaction has begun, so that the commit carries all
// that queued while it waited for the writer. A call whose function
// fails is told to run alone, and the others are run again without it,
// as bbolt's Batch does: one update's failure must not roll back the
// updates it happened to share a commit with.
func (db *DB) commitGroup() {
	var calls []*groupCall
	taken := false
	for {
		failed := -1
		err := db.commit(func(tx *bolt.Tx) error {
			if !taken {
				calls, taken = db.group.take(), true
			}
			for i, c := range calls {
				if err := safelyCall(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if !taken {
			calls = db.group.take() // the transaction did not begin
		}
		if failed >= 0 {
			calls[failed].done <- groupResult{err: errTrySolo}
			calls = append(calls[:failed:failed], calls[failed+1:]...)
			if len(calls) == 0 {
				return
			}
			continue
		}
		for _, c := range calls {
			c.done <- groupResult{err: err}
		}
		return
	}
}

// safelyCall runs fn, turning a panic into an error, so that one call's
// panic does not take down the goroutine committing for everyone: the
// call then runs alone, in its own goroutine, where the panic is its
// caller's to recover, as with a transaction of its own.
func safelyCall(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a write transaction: %v", p)
		}
	}()
	return fn(tx)
}
