package chat

// The messages the bot keeps a handle on, to change them in place later:
// recorded under a key in the store's registry of sent messages
// (boltdb.SentRecord) when a view is opened by a button, or once a
// message queued with a key was sent; edited or taken back by the key.
// The transport resolves a key to the message's id when it delivers the
// change.

import (
	"errors"
	"fmt"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// SendKept is Send for a message the bot will change later: once sent,
// it is recorded under key, and EditKept changes it in place.
func (r *Request) SendKept(uid int64, key, text string, kb ...[]Button) {
	r.out = append(r.out, Message{Kind: KindSend, to: uid, Key: key, Text: text, Buttons: kb})
}

// remember records the message of the pressed button under key, so that
// what changes the view it shows can change it in place (see refresh).
func (r *Request) remember(key string) error {
	p := r.Update.Press
	if p == nil || p.Message == "" {
		return nil
	}
	if old, err := r.Tx.Sent(key); err == nil && old.Messenger == r.Update.Messenger && old.Chat == r.Update.Chat &&
		old.Message == p.Message && old.User == r.User.ID {
		return nil // already there: no write
	}
	rec := &boltdb.SentRecord{Messenger: r.Update.Messenger, Chat: r.Update.Chat, Message: p.Message, User: r.User.ID}
	if r.readOnly {
		// Read in a read transaction (see handleRead): the record is
		// written with the answer, by the commit.
		r.views = append(r.views, keptView{key, rec})
		return nil
	}
	return r.putView(key, rec)
}

// keptView is a view remember records when the request commits.
type keptView struct {
	key string
	rec *boltdb.SentRecord
}

// putView records the message of a view under key.
func (r *Request) putView(key string, rec *boltdb.SentRecord) error {
	if err := r.Tx.PutSent(key, rec); err != nil {
		return fmt.Errorf("remember the view %s: %w", key, err)
	}
	return nil
}

// EditKept queues an edit of the message recorded under key; nothing
// happens if none is. A newer edit of the key replaces one still
// waiting, so a burst of changes costs one edit.
func (r *Request) EditKept(key, text string, kb ...[]Button) {
	r.out = append(r.out, Message{Kind: KindEdit, TargetKey: key, Text: text, Buttons: kb})
}

// RemoveKept takes back the message recorded under key, and forgets the
// record; nothing happens if none is.
func (r *Request) RemoveKept(key string) {
	r.out = append(r.out, Message{Kind: KindRemove, TargetKey: key})
}

// viewer is whom a view is drawn for: a person, in their language, who
// reads it in a messenger.
type viewer struct {
	u         *mmo.User
	l         loc
	messenger string
}

// viewer is the user of the request as a viewer.
func (r *Request) viewer() viewer { return viewer{r.User, r.loc(), r.Update.Messenger} }

// refresh queues an edit of the view recorded under key (see remember),
// drawn as the person who opened it sees it; nothing if no view is open
// or that person is gone.
func (b *Engine) refresh(r *Request, key string, draw func(v viewer) (string, [][]Button, error)) error {
	rec, err := r.Tx.Sent(key)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load the view %s: %w", key, err)
	}
	u, err := r.Tx.User(rec.User)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil // whoever opened the view is gone
	}
	if err != nil {
		return fmt.Errorf("load user %d: %w", rec.User, err)
	}
	text, kb, err := draw(viewer{u, r.locOf(u), rec.Messenger})
	if err != nil {
		return err
	}
	r.EditKept(key, text, kb...)
	return nil
}
