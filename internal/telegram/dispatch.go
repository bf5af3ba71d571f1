package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/outbox"
)

// Telegram's part of delivering the outbox (see package outbox for the
// rest): an item becomes one Bot API request, sent through the Sender,
// which keeps the rates (30 messages a second over all chats, the
// dispatcher's Pacer; about one a second per chat, its ReadyAt) and the
// pauses 429s ask for. Command menus go on a lane of their own.

// menuParallel is how many menu calls may be in flight at once.
const menuParallel = 4

// menuPace is how many command menus are set per second, after a first
// burst as large: Telegram does not publish a limit for setMyCommands,
// and menus are never urgent.
const menuPace = 5

// maxTooMany is how many 429s in a row one item accepts before it is set
// aside like an item that keeps failing.
const maxTooMany = 10

// wire sends outbox items over the Bot API.
type wire struct {
	db     *boltdb.DB
	sender *Sender
	codec  codec // signs the buttons for the chat they go to
	log    *slog.Logger
	// shown skips the edits that would change nothing (see shown.go).
	shown *shownCache
	// fetch gets the bytes of another messenger's file (see
	// chat.Message.FileFrom); nil when there is none.
	fetch chat.FileFetcher
}

// newDispatcher returns the outbox dispatcher of Telegram's items.
// onBlocked records that a person blocked the bot; onSetAside tells a
// person that a file for them could not be sent.
func newDispatcher(db *boltdb.DB, s *Sender, c codec, log *slog.Logger, parallel int, fetch chat.FileFetcher, onBlocked, onSetAside func(chatID, user int64)) *outbox.Dispatcher[*item] {
	w := &wire{db: db, sender: s, codec: c, log: log, fetch: chat.WithStoreFiles(db, fetch), shown: newShownCache()}
	return outbox.New(db, w, outbox.Config{
		Messenger: Messenger, Log: log, Parallel: parallel, TooMany: maxTooMany,
		Pacer:   turnPacer{&s.pace},
		ReadyAt: s.readyAt,
		Menus: &outbox.MenuLane{Rate: menuPace, Burst: menuPace, Parallel: menuParallel,
			PausedUntil: func(chatID int64, now time.Time) time.Time {
				return s.pausedUntil(pauseKey{method: menuMethod, chat: chatID}, now)
			}},
		OnBlocked: onBlocked, OnSetAside: onSetAside,
		ErrorAttrs: func(err error) []any {
			method := ""
			var se *SendError
			if errors.As(err, &se) {
				method = se.Method
			}
			return []any{"method", method}
		},
		OnSent: func(p boltdb.Priority) {
			if kind := messageKind(p); kind != "" {
				s.rec.Sent(kind)
			}
		},
	})
}

// Wrap makes the item of a message sent at once.
func (w *wire) Wrap(m *chat.Message) *item { return &item{Message: *m} }

// Decode reads an outbox payload.
func (w *wire) Decode(payload []byte) (*item, error) { return decodeItem(payload) }

// Classify sorts the errors of Send by the kind the Sender gave them; an
// item that cannot be built is dropped.
func (w *wire) Classify(err error) outbox.Class {
	switch {
	case errors.Is(err, errBlocked):
		return outbox.Blocked
	case errors.Is(err, errTooMany):
		return outbox.TooMany
	case errors.Is(err, errTransient):
		return outbox.Transient
	}
	return outbox.Permanent
}

// Send builds the Bot API request of an item to chatID and makes it. A
// message is loaded and built first and then waits for the time of its
// turn (t), so that messages reach Telegram as evenly spaced as their
// turns.
func (w *wire) Send(ctx context.Context, chatID int64, m *item, t *outbox.Turn) (string, error) {
	foreign := m.FileID != "" && m.FileFrom != "" && m.FileFrom != Messenger
	if foreign || m.Bundle != nil {
		// Files are fetched first, which may take long: the turn goes
		// back meanwhile, so that the other chats' messages keep going,
		// and a new one is booked once the files are in.
		t.Return()
	}
	var copyFrom, copyID string // a file of another messenger going up (fetch.go)
	if foreign {
		// A file a person sent through another messenger: Telegram has
		// no id of it, so its bytes go up, unless they went up before.
		var err error
		if copyFrom, copyID, err = w.fetchFile(ctx, &m.Message); err != nil {
			return "", &SendError{Method: "fetch " + m.FileFrom, ChatID: chatID, Description: err.Error(), kind: errTransient}
		}
	}
	if m.Bundle != nil {
		// An archive of files some of which are fetched now, outside any
		// store transaction (see chat.Bundle).
		if _, err := m.Pack(ctx, w.fetch); err != nil {
			return "", fmt.Errorf("archive: %w", err)
		}
	}
	c, err := m.chattable(w.codec, chatID)
	if err != nil {
		return "", err
	}
	shown, sum, isEdit := editDigest(c)
	if isEdit && w.shown.same(shown, sum) {
		return "", nil // the message shows this already; the turn goes back
	}
	if d, ok := c.(tgbotapi.DeleteMessageConfig); ok {
		w.shown.forget(shownKey{chat: d.ChatID, message: d.MessageID})
	}
	if err := t.Wait(ctx); err != nil {
		return "", err // cut by the shutdown: the item stays for the next start
	}
	// The chat's rate counts from the answer, not from the pick nor from
	// when the message left: attempt records the message as arriving as
	// late as its answer allows (see chatPace), and the chat is busy
	// until then, so none of its messages can go meanwhile.
	resp, err := w.sender.attempt(ctx, chatID, c)
	if isEdit {
		if err != nil {
			w.shown.forget(shown)
		} else {
			w.shown.put(shown, sum)
		}
	}
	if err != nil {
		return "", err
	}
	if copyFrom != "" {
		w.copied(copyFrom, copyID, resp)
	}
	if m.Key == "" {
		return "", nil
	}
	var sent tgbotapi.Message
	if resp == nil || json.Unmarshal(resp.Result, &sent) != nil || sent.MessageID == 0 {
		w.log.Error("outbox: no message id in the answer to a send", "chat_id", chatID)
		return "", nil
	}
	return strconv.Itoa(sent.MessageID), nil
}

// turnPacer books the dispatcher's turns within the Sender's overall rate.
type turnPacer struct{ p *pacer }

func (t turnPacer) Book(now time.Time) time.Time { return t.p.book(now) }
func (t turnPacer) Cancel(at time.Time)          { t.p.cancel(at) }
func (t turnPacer) Went(now time.Time)           { t.p.went(now) }
func (t turnPacer) Interval() time.Duration      { return t.p.interval }
