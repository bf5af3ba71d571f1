package max

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/outbox"
)

// MAX's part of delivering the outbox (see package outbox for the rest):
// an item becomes the calls to MAX it needs (wire.go), each of which
// takes a turn of one pacer (Limits.PerSecond over the bot as a whole,
// which is what MAX limits), so a reply committed during a broadcast goes
// within the turns already booked (at most the dispatcher's Parallel of
// them). A 429 pauses every call for as long as MAX asked (a second when
// it did not say). MAX has one command menu per bot, so menus need no
// lane of their own: a menu goes in its chat's line.

// maxTooMany bounds the 429s one item meets in a row before it is set
// aside: a storm must not hold a chat's later messages forever.
const maxTooMany = 20

// wire sends outbox items to MAX.
type wire struct {
	db    *boltdb.DB
	api   *Client
	codec codec
	pace  *pacer
	log   *slog.Logger
	// fetch gets the bytes of another messenger's file.
	fetch  chat.FileFetcher
	copies copies // uploads of other messengers' files (filecopy.go)
	// dead reports a simulated crash (the dispatcher's Dead).
	dead func() bool
}

// item is an outbox payload as MAX reads it: the conversation's message.
type item struct{ chat.Message }

// Chat returns the conversation's message.
func (it *item) Chat() *chat.Message { return &it.Message }

// newDispatcher returns the outbox dispatcher of MAX's items. onBlocked
// records that a person stopped the bot; onSetAside tells a person a
// file for them could not be sent.
func newDispatcher(db *boltdb.DB, api *Client, c codec, pace *pacer, log *slog.Logger, parallel int, fetch chat.FileFetcher, onBlocked, onSetAside func(chatID, user int64)) *outbox.Dispatcher[*item] {
	w := &wire{db: db, api: api, codec: c, pace: pace, log: log, fetch: chat.WithStoreFiles(db, fetch)}
	d := outbox.New(db, w, outbox.Config{
		Messenger: Messenger, Log: log, Parallel: parallel, TooMany: maxTooMany,
		OnBlocked: onBlocked, OnSetAside: onSetAside,
	})
	w.dead = d.Dead.Load
	return d
}

// Wrap makes the item of a message sent at once.
func (w *wire) Wrap(m *chat.Message) *item { return &item{Message: *m} }

// Decode reads an outbox payload.
func (w *wire) Decode(payload []byte) (*item, error) {
	var it item
	if err := json.Unmarshal(payload, &it.Message); err != nil {
		return nil, err
	}
	return &it, nil
}

// Classify sorts MAX's answers: a chat that refuses the bot is a person
// who stopped it; what is not MAX's refusal (the network), or one MAX
// calls temporary, is retried.
func (w *wire) Classify(err error) outbox.Class {
	var apiErr *Error
	isAPI := errors.As(err, &apiErr)
	switch {
	case isAPI && (apiErr.StatusCode == 403 || apiErr.Code == CodeChatDenied):
		return outbox.Blocked
	case isAPI && apiErr.TooManyRequests():
		return outbox.TooMany
	case !isAPI || apiErr.Temporary():
		return outbox.Transient
	}
	return outbox.Permanent
}

// Send makes the calls an item needs in chatID, each at its turn of the
// pacer (the dispatcher books none: t is nil), and returns the id of the
// message it sent, if any.
func (w *wire) Send(ctx context.Context, chatID int64, it *item, _ *outbox.Turn) (string, error) {
	m := &it.Message
	if m.Kind == chat.KindMenu && !(m.DefaultMenu && m.Lang == "") {
		// MAX has one command menu per bot (PATCH /me), not one per chat
		// or language: it is the default menu of the fallback language,
		// and a person's own menu, or another language's, has no place.
		return "", nil
	}
	copied := w.hasCopy(m) // a file of another messenger, sent by its copy here (filecopy.go)
	mid, err := w.send(ctx, chatID, m)
	if err != nil && copied && ctx.Err() == nil && !w.dead() {
		// MAX may have let the copy go: it is forgotten, and the file
		// goes up again.
		w.forgetCopy(m.FileFrom, m.FileID)
		mid, err = w.send(ctx, chatID, m)
	}
	if apiErr := (*Error)(nil); errors.As(err, &apiErr) && apiErr.TooManyRequests() && ctx.Err() == nil {
		w.pace.pause(apiErr.RetryAfter)
	}
	return mid, err
}
