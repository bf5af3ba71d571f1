package telegram

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Request is one update being handled, inside the store transaction that
// will record its effects. Handlers read and write the store through Tx
// and queue their replies with Reply, Send and Edit; the replies reach the
// outbox in the same transaction, so an update's effects and its answers
// land together or not at all.
type Request struct {
	bot    *Bot
	Tx     *boltdb.Tx
	Update *tgbotapi.Update
	Now    time.Time

	// From is the Telegram user who caused the update; nil for updates
	// without a sender.
	From *tgbotapi.User
	// ChatID is where replies go.
	ChatID int64
	// Private is true for a private chat with the user.
	Private bool
	// User is the stored user, or a new unsaved one for a first contact.
	User *mmo.User
	// Known is false until the user is saved.
	Known bool
	// changed is true when User differs from the stored record (a new
	// client language) and should be saved.
	changed bool
	Lang    string
	Role    mmo.Role

	// Text is the message text; Command and Args split it when it is a
	// command ("/start abc" → "start", "abc").
	Text    string
	Command string
	Args    string
	// Callback is the decoded button data of a callback query.
	Callback *callback

	out    []outMsg
	answer *tgbotapi.CallbackConfig // nil until the callback is answered
	route  string                   // for logs: the command, button verb or dialog
}

// T renders a message in the user's language.
func (r *Request) T(key string, args ...any) string { return r.bot.cat.T(r.Lang, key, args...) }

// N renders a message with plural forms in the user's language.
func (r *Request) N(key string, count int, args ...any) string {
	return r.bot.cat.N(r.Lang, key, count, args...)
}

// Reply sends a message to the chat of the update.
func (r *Request) Reply(text string, kb ...[]button) { r.Send(r.ChatID, text, kb...) }

// Send queues a message to a chat. Texts over Telegram's limit are split
// at paragraph boundaries; the keyboard goes with the last part.
func (r *Request) Send(chatID int64, text string, kb ...[]button) {
	parts := splitText(text, maxText)
	for i, p := range parts {
		m := outMsg{Kind: outSend, ChatID: chatID, Text: p}
		if i == len(parts)-1 {
			m.Keyboard = kb
		}
		r.out = append(r.out, m)
	}
}

// notify sends a notice to another user in their language, rendered from
// key and args, unless they have blocked the bot: the notice is a courtesy
// and must not fail what caused it.
func (r *Request) notify(u *mmo.User, key string, args ...any) {
	if !u.Blocked {
		r.Send(u.ID, r.TFor(u, key, args...))
	}
}

// notifyID is notify for a user known by id; one who is gone is skipped.
func (r *Request) notifyID(uid int64, key string, args ...any) {
	if u, err := r.Tx.User(uid); err == nil {
		r.notify(u, key, args...)
	}
}

// Edit replaces the text and buttons of the message the pressed button
// belongs to. Without a callback it sends a new message instead.
func (r *Request) Edit(text string, kb ...[]button) {
	q := r.Update.CallbackQuery
	if q == nil || q.Message == nil || textLen(text) > maxText {
		r.Reply(text, kb...)
		return
	}
	r.out = append(r.out, outMsg{Kind: outEdit, ChatID: q.Message.Chat.ID, MessageID: q.Message.MessageID, Text: text, Keyboard: kb})
}

// SendDocument queues a file to a chat.
func (r *Request) SendDocument(chatID int64, name string, data []byte, caption string) {
	r.out = append(r.out, outMsg{Kind: outDocument, ChatID: chatID, FileName: name, File: data, Text: caption})
}

// SendPhoto queues a picture to a chat; the caption is at most 1024
// characters.
func (r *Request) SendPhoto(chatID int64, name string, data []byte, caption string) {
	r.out = append(r.out, outMsg{Kind: outPhoto, ChatID: chatID, FileName: name, File: data, Text: caption})
}

// SetMenu queues the command menu of a user's private chat: their role's
// commands in their language. Users whose menu is the default one (members
// who never chose a language) get the chat's own menu removed instead.
func (r *Request) SetMenu(u *mmo.User) {
	// Only the latest menu of a chat matters: a newer one replaces a
	// menu still waiting.
	m := outMsg{Kind: outCommands, ChatID: u.ID, key: "menu:" + itoa(u.ID)}
	if r.bot.ownMenu(u) {
		m.Commands = r.bot.menu(r.LangOf(u), u.Role(r.bot.isAdmin(u.ID)))
	}
	r.out = append(r.out, m)
}

// Answer answers the callback query with a short notice (or an alert).
// Every callback is answered once the handler returns, with an empty
// answer if the handler gave none, so the button stops spinning.
func (r *Request) Answer(text string, alert bool) {
	if r.Update.CallbackQuery == nil || r.answer != nil {
		return
	}
	cfg := tgbotapi.NewCallback(r.Update.CallbackQuery.ID, text)
	cfg.ShowAlert = alert
	r.answer = &cfg
}

// Button makes an inline button whose data is signed for this chat.
func (r *Request) Button(text, verb string, args ...string) button {
	return r.bot.button(r.ChatID, text, verb, args...)
}

// ButtonFor makes a button for a message sent to another chat.
func (r *Request) ButtonFor(chatID int64, text, verb string, args ...string) button {
	return r.bot.button(chatID, text, verb, args...)
}

// LangOf returns the language to write to another user in.
func (r *Request) LangOf(u *mmo.User) string { return r.bot.cat.Match(u.Lang, u.LanguageCode) }

// TFor renders a message in another user's language.
func (r *Request) TFor(u *mmo.User, key string, args ...any) string {
	return r.bot.cat.T(r.LangOf(u), key, args...)
}

// SaveUser stores the request's user (also a first contact).
func (r *Request) SaveUser() error {
	if err := r.Tx.PutUser(r.User); err != nil {
		return err
	}
	r.Known = true
	return nil
}

// Dialog returns the user's open dialog, or nil. An expired dialog is
// removed and reported as nil; expired reports that it happened, so the
// user can be told why their answer was not taken.
func (r *Request) Dialog() (d *mmo.Dialog, expired bool, err error) {
	if !r.Known {
		return nil, false, nil
	}
	d, err = r.Tx.Dialog(r.User.ID)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if d.Expired(r.Now) {
		return nil, true, r.Tx.DeleteDialog(r.User.ID)
	}
	return d, false, nil
}

// reply answers in the way the update asks for: an alert on a pressed
// button, a message on a typed one.
func (r *Request) reply(text string) {
	if r.Update.CallbackQuery != nil {
		r.Answer(text, true)
		return
	}
	r.Reply(text)
}

// hasButton reports whether the message the pressed button belongs to has
// a button of verb, so that a view redrawn in place keeps where it led.
func (r *Request) hasButton(verb string) bool {
	m := r.Update.CallbackQuery.Message
	if m == nil || m.ReplyMarkup == nil {
		return false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, btn := range row {
			if btn.CallbackData == nil {
				continue
			}
			if cb, err := r.bot.codec.decode(r.ChatID, *btn.CallbackData); err == nil && cb.Verb == verb {
				return true
			}
		}
	}
	return false
}

// formButton loads the dialog a button pressed inside a form belongs to.
// The dialog must be of one of flows and at step, and the button must carry
// its nonce: a button left on an older message of an earlier form, or of a
// step already answered, is stale and changes nothing.
func (r *Request) formButton(step string, flows ...string) (*mmo.Dialog, bool, error) {
	d, _, err := r.Dialog()
	if err != nil {
		return nil, false, err
	}
	if d == nil || !slices.Contains(flows, d.Flow) || d.Step != step || r.Callback.Arg(0) != itoa(int64(d.Nonce)) {
		return nil, false, r.stale()
	}
	return d, true, nil
}

// PutDialog saves the user's dialog.
func (r *Request) PutDialog(d mmo.Dialog) error {
	if !r.Known {
		if err := r.SaveUser(); err != nil {
			return err
		}
	}
	return r.Tx.PutDialog(r.User.ID, &d)
}

// EndDialog removes the user's dialog.
func (r *Request) EndDialog() error {
	if !r.Known {
		return nil
	}
	return r.Tx.DeleteDialog(r.User.ID)
}

// commit moves the queued replies into the outbox of the transaction.
func (r *Request) commit() error {
	for i := range r.out {
		m := &r.out[i]
		data, err := json.Marshal(m)
		if err != nil {
			return err
		}
		item := &boltdb.OutboxItem{ChatID: m.ChatID, Payload: data, Broadcast: m.broadcast, Key: m.key, Priority: r.priority(m)}
		if err := r.Tx.Enqueue(item); err != nil {
			return err
		}
	}
	return nil
}

// priority places a message in the outbox: what answers the user who
// caused the update goes first, then news for others, then broadcasts;
// menus go on their own lane.
func (r *Request) priority(m *outMsg) boltdb.Priority {
	switch {
	case m.Kind == outCommands:
		return boltdb.PriorityMenu
	case m.bulk || m.broadcast != 0:
		return boltdb.PriorityBulk
	case r.Update != nil && m.ChatID == r.ChatID:
		return boltdb.PriorityReply
	}
	return boltdb.PriorityNotice
}

// parseCommand splits "/cmd@bot args" into "cmd" and "args". It returns
// "" for text that is not a command, or a command for another bot.
func parseCommand(text, botName string) (cmd, args string) {
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	word, rest, _ := strings.Cut(text[1:], " ")
	name, target, hasTarget := strings.Cut(word, "@")
	if hasTarget && !strings.EqualFold(target, botName) {
		return "", ""
	}
	return strings.ToLower(name), strings.TrimSpace(rest)
}

// rawArg marks pre-rendered HTML for the catalog.
func rawArg(s string) i18n.Raw { return i18n.Raw(s) }
