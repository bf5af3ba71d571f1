package chat

import (
	"errors"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// Heavy reads — a teacher's record of years, the coordinator's overview,
// the archive of a school year — are handled in a read transaction, which
// holds nobody up: the store lets any number of readers run beside its one
// writer. Only what they say is written, with the handled mark, in a short
// transaction of the update batch. A handler of such a route that turns
// out to need a write (a half-filled form to abandon, a user record to
// bring up to date) is handled again the usual way, in the batch.

// readVerbs and readCommands are the routes whose handlers only read:
// the heavy ones above, and the views people open most (help, the list
// of meetings, an event's card), which otherwise run one after another
// inside the writer, each holding up every update of its batch.
var (
	readVerbs = map[string]bool{verbHistory: true, verbOverviewXLSX: true, verbArchive: true,
		verbEvent: true, verbMeetings: true}
	readCommands = map[string]bool{"history": true, "overview": true, "help": true, "meetings": true}
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
// commits what it says in the batch. ok false means it did not: the
// update is to be handled the usual way (the handler wanted to write, or
// failed, and the usual way has the error handling).
func (b *Engine) handleRead(u *Update) (res Result, ok bool, err error) {
	var r *Request
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
	duplicate := false
	err = b.db.Batch(func(tx *boltdb.Tx) error {
		duplicate = false
		if tx.Handled(u.Messenger, u.ID) {
			duplicate = true
			return nil
		}
		r.Tx, r.readOnly = tx, false
		if err := r.commit(); err != nil {
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
