package chat

import (
	"context"
	"errors"
	"slices"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// Heavy reads — a teacher's record of years, the coordinator's overview,
// the archive of a school year — are handled in a read transaction, which
// holds nobody up: the store lets any number of readers run beside its one
// writer. Only what they say is written, with the handled mark, in a short
// transaction of the update batch; and when what they say is only text
// to the update's chat, not even that: it is sent at once (replyOnly,
// Transport.SendNow). A handler of such a route that turns out to need a
// write (a half-filled form to abandon, a user record to bring up to
// date) is handled again the usual way, in the batch.

// readVerbs and readCommands are the routes whose handlers only read:
// the heavy ones above, the views people open most (help, the list of
// meetings, an event's card), which otherwise run one after another
// inside the writer, each holding up every update of its batch, and the
// catalogue, which counts the members of every association of a region.
var (
	readVerbs = map[string]bool{verbHistory: true, verbOverviewXLSX: true, verbArchive: true,
		verbEvent: true, verbMeetings: true, verbAssocList: true}
	readCommands = map[string]bool{"history": true, "overview": true, "help": true, "meetings": true,
		"associations": true}
)

// readOnly reports whether u goes to a route whose handler only reads.
func readOnly(u *Update) bool {
	if u.Member != "" {
		return false
	}
	if u.Press != nil {
		return readVerbs[u.Press.Verb]
	}
	return u.From != nil && u.Private && readCommands[u.Command]
}

// errWrites stops a read-only handling that needs to write.
var errWrites = errors.New("the update needs a write")

// errHandledAlready stops the read of an update handled before.
var errHandledAlready = errors.New("handled already")

// handleRead handles a read-only route's update in a read transaction and
// commits what it says in the batch, or, when what it says is a reply
// and nothing else to write, sends the reply at once (see replyOnly). ok
// false means it did not: the update is to be handled the usual way (the
// handler wanted to write, or failed, and the usual way has the error
// handling).
func (b *Engine) handleRead(ctx context.Context, u *Update) (res Result, ok bool, err error) {
	var r *Request
	var now []Message
	send := b.transport(u.Messenger).SendNow
	err = b.db.View(func(tx *boltdb.Tx) error {
		if tx.Handled(u.Messenger, u.ID) {
			return errHandledAlready
		}
		req, err := b.newRequest(tx, u)
		if err != nil {
			return err
		}
		if !req.Known || req.changed || req.User.Blocked {
			return errWrites // touch would save the user
		}
		req.readOnly = true
		if err := b.routes.handler(req); err != nil {
			return err
		}
		r = req
		if send != nil && u.Chat != 0 && len(req.out) > 0 {
			now = b.replyOnly(req)
		}
		return nil
	})
	switch {
	case errors.Is(err, errHandledAlready):
		return Result{Outcome: OutcomeDuplicate}, true, nil
	case err != nil:
		return Result{}, false, nil
	}
	if b.testHookRead != nil {
		b.testHookRead()
	}
	commit := r.commit
	if now != nil {
		n := send(ctx, u.Chat, now)
		if n == len(now) {
			return b.answeredAtOnce(u, r), true, nil
		}
		// The rest goes to the outbox, with the handled mark. Should that
		// commit fail, the update is not taken as answered: a full disk
		// holds it, and its next delivery draws the view again and sends
		// it whole; another failure goes the usual way. Either way the
		// parts already sent go again rather than the rest being lost.
		rest := now[n:]
		commit = func() error {
			for i := range rest {
				if _, err := r.enqueue(&rest[i]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	duplicate := false
	err = b.db.Batch(func(tx *boltdb.Tx) error {
		duplicate = false
		if tx.Handled(u.Messenger, u.ID) {
			duplicate = true
			return nil
		}
		r.Tx, r.readOnly = tx, false
		if err := commit(); err != nil {
			return err
		}
		return tx.MarkHandled(u.Messenger, u.ID)
	})
	switch {
	case errors.Is(err, boltdb.ErrUnwritable):
		return Result{Route: r.route, Outcome: OutcomeHeld}, true, err
	case err != nil:
		return Result{}, false, nil
	case duplicate:
		return Result{Outcome: OutcomeDuplicate}, true, nil
	}
	res = b.after(r)
	res.Route, res.Outcome = r.route, OutcomeOK
	return res, true, nil
}

// replyOnly commits r in its read transaction, collecting what it
// enqueues instead of writing it, and returns the messages it would queue
// when they are all it would write and all replies in the update's chat;
// nil otherwise (a view to remember, a prompt to retire, a message to
// someone else: the read transaction refuses those writes, and they go
// the usual way, in the batch).
func (b *Engine) replyOnly(r *Request) []Message {
	// The commit changes the request as it goes (a form's question gets
	// its key, finished questions are added to retire): if it stops at a
	// write, the batch commits the request as the handler left it.
	out, done := slices.Clone(r.out), slices.Clone(r.donePrompts)
	r.readOnly, r.collecting, r.collected = false, true, nil // the commit does all it would in the batch
	defer func() { r.readOnly, r.collecting = true, false }()
	if err := r.commit(); err != nil {
		r.out, r.donePrompts = out, done
		return nil // it writes (or fails, which the batch reports)
	}
	return r.collected
}

// answeredAtOnce is the result of an update whose whole reply was sent at
// once. It gets no handled mark: should it come again (a crash before the
// messenger was told it was handled, a batch held for a full disk), the
// answered set skips it while the process lives, and after a restart it
// is answered again, as the view it asked for.
func (b *Engine) answeredAtOnce(u *Update, r *Request) Result {
	b.answered.add(u.Messenger, u.ID)
	r.out = nil // nothing queued: no transport to wake
	res := b.after(r)
	res.Route, res.Outcome = r.route, OutcomeOK
	return res
}
