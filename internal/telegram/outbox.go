package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// Kinds of outbound requests kept in the outbox.
const (
	outSend     = "send"     // a new text message
	outEdit     = "edit"     // new text (and keyboard) for a message
	outDocument = "document" // a file
	outPhoto    = "photo"    // a picture (a QR code)
	outCommands = "commands" // the command menu of a chat
)

// button is an inline keyboard button as the outbox stores it.
type button struct {
	Text string `json:"t"`
	Data string `json:"d,omitempty"`
	URL  string `json:"u,omitempty"`
}

// command is a menu entry.
type command struct {
	Name        string `json:"n"`
	Description string `json:"d"`
}

// outMsg is the outbox payload: everything needed to build the request
// again after a restart.
type outMsg struct {
	Kind      string     `json:"k"`
	ChatID    int64      `json:"c"`
	MessageID int        `json:"m,omitempty"`
	Text      string     `json:"t,omitempty"`
	Keyboard  [][]button `json:"kb,omitempty"`
	FileName  string     `json:"fn,omitempty"`
	File      []byte     `json:"f,omitempty"`
	Commands  []command  `json:"cmd,omitempty"` // none: back to the default menu
	// AskLocation, when set, shows a reply keyboard with one button that
	// shares the user's location; RemoveKeyboard takes such a keyboard away.
	AskLocation    string `json:"loc,omitempty"`
	AskContact     string `json:"contact,omitempty"` // like AskLocation, sharing the phone number
	RemoveKeyboard bool   `json:"rmkb,omitempty"`
	// FileID sends a file Telegram already has (one a user sent) instead
	// of File's bytes.
	FileID string `json:"fid,omitempty"`

	broadcast uint64 // the broadcast it belongs to, if any
	key       string // replaces a pending message with the same key
}

func markup(kb [][]button) tgbotapi.InlineKeyboardMarkup {
	rows := make([][]tgbotapi.InlineKeyboardButton, 0, len(kb))
	for _, r := range kb {
		row := make([]tgbotapi.InlineKeyboardButton, 0, len(r))
		for _, b := range r {
			if b.URL != "" {
				row = append(row, tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.URL))
			} else {
				row = append(row, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			}
		}
		rows = append(rows, row)
	}
	return tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// file is the file of a document or photo: Telegram's id of it, or bytes.
func (m *outMsg) file() tgbotapi.RequestFileData {
	if m.FileID != "" {
		return tgbotapi.FileID(m.FileID)
	}
	return tgbotapi.FileBytes{Name: m.FileName, Bytes: m.File}
}

// chattable builds the Bot API request of an outbox message.
func (m *outMsg) chattable() (tgbotapi.Chattable, error) {
	switch m.Kind {
	case outSend:
		msg := tgbotapi.NewMessage(m.ChatID, m.Text)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		switch {
		case m.AskLocation != "":
			kb := tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonLocation(m.AskLocation)))
			kb.ResizeKeyboard = true
			msg.ReplyMarkup = kb
		case m.AskContact != "":
			kb := tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(m.AskContact)))
			kb.ResizeKeyboard = true
			msg.ReplyMarkup = kb
		case m.RemoveKeyboard:
			msg.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
		case len(m.Keyboard) > 0:
			msg.ReplyMarkup = markup(m.Keyboard)
		}
		return msg, nil
	case outEdit:
		msg := tgbotapi.NewEditMessageText(m.ChatID, m.MessageID, m.Text)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		kb := markup(m.Keyboard)
		msg.ReplyMarkup = &kb // an empty keyboard removes the old buttons
		return msg, nil
	case outDocument:
		doc := tgbotapi.NewDocument(m.ChatID, m.file())
		doc.Caption = m.Text
		doc.ParseMode = tgbotapi.ModeHTML
		if len(m.Keyboard) > 0 {
			doc.ReplyMarkup = markup(m.Keyboard)
		}
		return doc, nil
	case outPhoto:
		photo := tgbotapi.NewPhoto(m.ChatID, m.file())
		photo.Caption = m.Text
		photo.ParseMode = tgbotapi.ModeHTML
		if len(m.Keyboard) > 0 {
			photo.ReplyMarkup = markup(m.Keyboard)
		}
		return photo, nil
	case outCommands:
		if len(m.Commands) == 0 {
			return tgbotapi.NewDeleteMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(m.ChatID)), nil
		}
		cmds := make([]tgbotapi.BotCommand, len(m.Commands))
		for i, c := range m.Commands {
			cmds[i] = tgbotapi.BotCommand{Command: c.Name, Description: c.Description}
		}
		return tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(m.ChatID), cmds...), nil
	}
	return nil, fmt.Errorf("outbox: unknown kind %q", m.Kind)
}

// dispatcher delivers the outbox: items of one chat strictly in order,
// chats concurrently, through the Sender. An item is removed only after
// Telegram accepted it, so a crash repeats at most the items in flight.
//
// A wake-up after a commit reads only the items added since the last scan;
// the whole outbox is read at start, when a retry falls due, and once a
// minute. A chat whose item waits for a retry is "held": newer items of
// that chat wait for a whole scan, so they never overtake it.
type dispatcher struct {
	db       *boltdb.DB
	sender   *Sender
	log      *slog.Logger
	parallel int // chats sent to at once
	// onBlocked records that a user blocked the bot.
	onBlocked func(chatID int64)

	wake     chan struct{}
	needFull atomic.Bool // a held chat was released: read everything again

	// dead, set by crash tests, makes the dispatcher behave as a killed
	// process would: sends in flight complete, but nothing more is
	// recorded or started.
	dead atomic.Bool

	mu       sync.Mutex
	cursor   uint64                        // the highest item id a scan has seen
	queued   map[uint64]bool               // items taken from the store, not yet done
	queues   map[int64][]boltdb.OutboxItem // per chat, in order
	running  map[int64]bool                // chats with a goroutine sending
	held     map[int64]time.Time           // chats waiting for a retry, until when
	inflight sync.WaitGroup
	sem      chan struct{}
}

func newDispatcher(db *boltdb.DB, s *Sender, log *slog.Logger, parallel int, onBlocked func(int64)) *dispatcher {
	if parallel < 1 {
		parallel = 1
	}
	return &dispatcher{
		db: db, sender: s, log: log, parallel: parallel, onBlocked: onBlocked,
		wake:    make(chan struct{}, 1),
		queued:  map[uint64]bool{},
		queues:  map[int64][]boltdb.OutboxItem{},
		running: map[int64]bool{},
		held:    map[int64]time.Time{},
		sem:     make(chan struct{}, parallel),
	}
}

// notify tells the dispatcher that new items were committed.
func (d *dispatcher) notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// run delivers until ctx is done, then waits for the sends in flight, so a
// shutdown does not cut a request in half.
func (d *dispatcher) run(ctx context.Context, sendCtx context.Context) {
	defer d.inflight.Wait()
	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	full := true
	for {
		d.scan(ctx, sendCtx, full || d.needFull.Swap(false))
		wait := time.Minute
		d.mu.Lock()
		for _, at := range d.held {
			wait = min(wait, max(time.Until(at), 10*time.Millisecond))
		}
		d.mu.Unlock()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
			full = false
		case <-timer.C:
			full = true
		}
	}
}

// scan reads the outbox (all of it, or what was added since the last
// scan) and starts senders for the chats with work.
func (d *dispatcher) scan(ctx, sendCtx context.Context, full bool) {
	now := time.Now()
	d.mu.Lock()
	after := d.cursor
	d.mu.Unlock()
	if full {
		after = 0
	}
	for {
		// The read happens under the lock: a sender removes an item from
		// the store before it forgets it was queued, so an item in this
		// snapshot that was sent meanwhile is still marked queued here and
		// cannot be sent twice.
		d.mu.Lock()
		items, err := d.db.Outbox(after, 500)
		if err != nil {
			d.mu.Unlock()
			d.log.Error("outbox: read", "error", err)
			return
		}
		if len(items) == 0 {
			d.mu.Unlock()
			return
		}
		for _, it := range items {
			after = it.ID
			if d.queued[it.ID] {
				continue
			}
			if h, ok := d.held[it.ChatID]; ok && (!full || h.After(now)) {
				continue
			}
			if it.NotBefore.After(now) {
				d.held[it.ChatID] = it.NotBefore
				continue
			}
			d.queued[it.ID] = true
			d.queues[it.ChatID] = append(d.queues[it.ChatID], it)
			if !d.running[it.ChatID] {
				d.running[it.ChatID] = true
				d.inflight.Add(1)
				go d.chatLoop(ctx, sendCtx, it.ChatID)
			}
		}
		d.cursor = max(d.cursor, after)
		d.mu.Unlock()
	}
}

// chatLoop sends a chat's queue in order. It holds one of the parallel
// slots only while sending.
func (d *dispatcher) chatLoop(ctx, sendCtx context.Context, chatID int64) {
	defer d.inflight.Done()
	for {
		d.mu.Lock()
		q := d.queues[chatID]
		if len(q) == 0 || ctx.Err() != nil {
			for _, it := range q {
				delete(d.queued, it.ID)
			}
			delete(d.queues, chatID)
			delete(d.running, chatID)
			d.mu.Unlock()
			return
		}
		it := q[0]
		d.queues[chatID] = q[1:]
		d.mu.Unlock()
		if d.dead.Load() {
			continue
		}

		select {
		case d.sem <- struct{}{}:
		case <-ctx.Done():
			d.mu.Lock()
			delete(d.queued, it.ID)
			d.mu.Unlock()
			continue
		}
		retry := d.deliver(sendCtx, it)
		<-d.sem

		d.mu.Lock()
		delete(d.queued, it.ID)
		if retry {
			// Keep the order: the rest of this chat waits for the retry.
			for _, rest := range d.queues[chatID] {
				delete(d.queued, rest.ID)
			}
			d.queues[chatID] = nil
		}
		d.mu.Unlock()
	}
}

// deliver sends one item and records the outcome. It reports whether the
// item stays for a later retry.
func (d *dispatcher) deliver(ctx context.Context, it boltdb.OutboxItem) (retry bool) {
	if d.dead.Load() {
		return false
	}
	payload, err := d.db.OutboxPayload(it.ID)
	if err != nil {
		d.log.Error("outbox: read item", "id", it.ID, "error", err)
		return true
	}
	if payload == nil {
		return false // gone already
	}
	var m outMsg
	if err := json.Unmarshal(payload, &m); err != nil {
		d.log.Error("outbox: undecodable item dropped", "error", err, "chat_id", it.ChatID)
		d.done(it, boltdb.Failed)
		return false
	}
	c, err := m.chattable()
	if err == nil {
		_, err = d.sender.Do(ctx, c)
	}
	if d.dead.Load() {
		return false // a simulated crash: the send happened, the mark does not
	}
	switch {
	case err == nil:
		d.done(it, boltdb.Sent)
	case errors.Is(err, errBlocked):
		d.log.Info("outbox: user blocked the bot", "chat_id", it.ChatID)
		if d.onBlocked != nil {
			d.onBlocked(it.ChatID)
		}
		d.done(it, boltdb.Blocked)
	case errors.Is(err, errTransient) && it.Attempts+1 < maxOutboxAttempts:
		attempts := it.Attempts + 1
		at := time.Now().Add(retryDelay(attempts))
		d.log.Warn("outbox: send failed, will retry", "chat_id", it.ChatID, "attempt", attempts, "error", err)
		if err := d.db.OutboxRetry(it.ID, attempts, at, time.Time{}); err != nil {
			d.log.Error("outbox: record retry", "id", it.ID, "error", err)
		}
		d.mu.Lock()
		d.held[it.ChatID] = at
		d.mu.Unlock()
		d.notify() // to set the timer for the retry
		return true
	default:
		d.log.Error("outbox: message dropped", "chat_id", it.ChatID, "kind", m.Kind, "error", err)
		d.done(it, boltdb.Failed)
	}
	return false
}

func (d *dispatcher) done(it boltdb.OutboxItem, outcome boltdb.Outcome) {
	if err := d.db.OutboxDone(it.ID, outcome); err != nil {
		d.log.Error("outbox: remove sent item", "id", it.ID, "error", err)
	}
	d.mu.Lock()
	_, wasHeld := d.held[it.ChatID]
	delete(d.held, it.ChatID)
	d.mu.Unlock()
	if wasHeld {
		// Newer items of this chat were left for a whole scan.
		d.needFull.Store(true)
		d.notify()
	}
}

// maxOutboxAttempts bounds the retries of one item: with retryDelay that
// is about a day of trying before a message is given up.
const maxOutboxAttempts = 20

// retryDelay is the wait before the n-th retry: 5 s doubling to at most
// two hours.
func retryDelay(n int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < n && d < 2*time.Hour; i++ {
		d *= 2
	}
	return min(d, 2*time.Hour)
}
