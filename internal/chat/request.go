package chat

import (
	"errors"
	"fmt"
	"slices"
	"time"

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
	bot    *Engine
	Tx     *boltdb.Tx
	Update *Update
	Now    time.Time

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
	// Press is the button pressed, nil for other updates.
	Press *Press

	out        []Message
	recipients map[int64]*mmo.User // loaded by commit
	answer     *Answer             // nil until the press is answered
	route      string              // for logs: the command, button verb or dialog
	// readOnly marks a handling in a read transaction (see handleRead).
	readOnly bool
	// collecting makes enqueue keep the replies in the update's chat in
	// collected instead of writing them (see replyOnly).
	collecting bool
	collected  []Message
	// views are the views remembered while readOnly, which the commit
	// records (see remember).
	views []keptView
	// followUps queue what is too large for the update's own transaction
	// (the parts of a year's archive), each in a transaction of its own
	// after it (see Engine.followUp).
	followUps []followUp
	// redraws are the leaders' cards to draw anew once the update has
	// committed, beside it (see redrawCard).
	redraws []cardRedraw
	// cardShown is the key of the leader's card of an event drawn on the
	// pressed message (see drawEventCard), "" if none.
	cardShown string
	// docs caches the documents index per kind and year (see docState).
	docs map[docYear]map[uint64]mmo.DocStatus
	// donePrompts are the questions of forms ended or replaced while
	// handling, whose buttons the commit takes off (see retirePrompts).
	donePrompts []formPrompt
}

// T renders a message in the user's language.
func (r *Request) T(key string, args ...any) string { return r.bot.cat.T(r.Lang, key, args...) }

// N renders a message with plural forms in the user's language.
func (r *Request) N(key string, count int, args ...any) string {
	return r.bot.cat.N(r.Lang, key, count, args...)
}

// Reply sends a message to the chat of the update.
func (r *Request) Reply(text string, kb ...[]Button) {
	r.out = append(r.out, Message{Kind: KindSend, Chat: r.Update.Chat, messenger: r.Update.Messenger, Text: text, Buttons: kb})
}

// Send queues a message to a user. Texts over the limit of their
// messenger are split at paragraph boundaries when the message is
// queued; the buttons go with the last part.
func (r *Request) Send(uid int64, text string, kb ...[]Button) {
	r.out = append(r.out, Message{Kind: KindSend, to: uid, Text: text, Buttons: kb})
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
// belongs to. Without one (or when the text is too long for one message)
// it sends a new message instead.
func (r *Request) Edit(text string, kb ...[]Button) {
	p := r.Update.Press
	if p == nil || p.Message == "" || textLen(text) > r.bot.transport(r.Update.Messenger).MaxText {
		r.Reply(text, kb...)
		return
	}
	r.out = append(r.out, Message{Kind: KindEdit, Chat: r.Update.Chat, messenger: r.Update.Messenger, Target: p.Message, Text: text, Buttons: kb})
}

// ReplyDocument sends a file to the chat of the update; a DOCX or XLSX
// carries the organisation's properties (see stamp).
func (r *Request) ReplyDocument(name string, data []byte, caption string) {
	data = r.bot.stamp(name, data, r.Now)
	r.out = append(r.out, Message{Kind: KindDocument, Chat: r.Update.Chat, messenger: r.Update.Messenger, FileName: name, File: data, Text: caption})
}

// ReplyPhoto sends a picture to the chat of the update; the caption is
// at most 1024 characters.
func (r *Request) ReplyPhoto(name string, data []byte, caption string) {
	r.out = append(r.out, Message{Kind: KindPhoto, Chat: r.Update.Chat, messenger: r.Update.Messenger, FileName: name, File: data, Text: caption})
}

// AskLocation sends a text with a one-time keyboard button, labelled
// label, that shares the person's location.
func (r *Request) AskLocation(text, label string) {
	r.out = append(r.out, Message{Kind: KindSend, Chat: r.Update.Chat, messenger: r.Update.Messenger, Text: text, AskLocation: label})
}

// AskContact is AskLocation for sharing the person's phone number.
func (r *Request) AskContact(text, label string) {
	r.out = append(r.out, Message{Kind: KindSend, Chat: r.Update.Chat, messenger: r.Update.Messenger, Text: text, AskContact: label})
}

// ReplyClosing sends a text that takes away the keyboard AskLocation or
// AskContact showed.
func (r *Request) ReplyClosing(text string) {
	r.out = append(r.out, Message{Kind: KindSend, Chat: r.Update.Chat, messenger: r.Update.Messenger, Text: text, RemoveKeyboard: true})
}

// SetMenu queues the command menu of a user's private chat: their role's
// commands in their language. Users whose menu is the default one (members
// who never chose a language) get the chat's own menu removed instead.
func (r *Request) SetMenu(u *mmo.User) {
	// Only the latest menu of a chat matters: a newer one replaces a
	// menu still waiting.
	m := Message{Kind: KindMenu, to: u.ID, replace: "menu:" + itoa(u.ID)}
	if r.bot.ownMenu(u) {
		m.Commands = r.bot.menu(r.LangOf(u), u.Role(r.bot.isAdmin(u)))
	}
	r.out = append(r.out, m)
}

// deepLink is the link that opens the bot with a payload, in the
// messenger of the update.
func (r *Request) deepLink(payload string) string {
	return r.bot.transport(r.Update.Messenger).DeepLink(payload)
}

// Answer answers the pressed button with a short notice (or an alert).
// Every press is answered once the handler returns, with an empty answer
// if the handler gave none, so the button stops spinning.
func (r *Request) Answer(text string, alert bool) {
	if r.Update.Press == nil || r.answer != nil {
		return
	}
	r.answer = &Answer{Text: text, Alert: alert}
}

// Button makes an inline button that leads to the route verb with args.
func (r *Request) Button(text, verb string, args ...string) Button {
	return Button{Label: text, Verb: verb, Args: args}
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
		return fmt.Errorf("save user %d: %w", r.User.ID, err)
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
		return nil, false, fmt.Errorf("load the dialog of user %d: %w", r.User.ID, err)
	}
	if d.Expired(r.Now) {
		r.promptDone(d)
		return nil, true, r.Tx.DeleteDialog(r.User.ID)
	}
	return d, false, nil
}

// reply answers in the way the update asks for: an alert on a pressed
// button, a message on a typed one.
func (r *Request) reply(text string) {
	if r.Update.Press != nil {
		r.Answer(text, true)
		return
	}
	r.Reply(text)
}

// hasButton reports whether the message the pressed button belongs to has
// a button of verb, so that a view redrawn in place keeps where it led.
func (r *Request) hasButton(verb string) bool {
	return slices.Contains(r.Update.Press.Verbs, verb)
}

// formButton loads the dialog a button pressed inside a form belongs to.
// The dialog must be of one of flows and at step, and the button must carry
// its nonce: a button left on an older message of an earlier form, or of a
// step already answered, is stale and changes nothing.
func (r *Request) formButton(step string, flows ...string) (*mmo.Dialog, bool, error) {
	d, ok, err := r.flowButton(flows...)
	if !ok || d.Step == step {
		return d, ok, err
	}
	return nil, false, r.stale()
}

// flowButton is formButton for forms whose buttons act at any step (a
// builder's, whose buttons say themselves what they change).
func (r *Request) flowButton(flows ...string) (*mmo.Dialog, bool, error) {
	d, _, err := r.Dialog()
	if err != nil {
		return nil, false, err
	}
	if d == nil || !slices.Contains(flows, d.Flow) || r.Press.Arg(0) != itoa(int64(d.Nonce)) {
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
	if d.Prompt == "" {
		// A new form in place of another: the other's question is done.
		if old, err := r.Tx.Dialog(r.User.ID); err == nil {
			r.promptDone(old)
		}
	}
	if err := r.Tx.PutDialog(r.User.ID, &d); err != nil {
		return fmt.Errorf("save the dialog of user %d: %w", r.User.ID, err)
	}
	return nil
}

// EndDialog removes the user's dialog.
func (r *Request) EndDialog() error {
	if !r.Known {
		return nil
	}
	if d, err := r.Tx.Dialog(r.User.ID); err == nil {
		r.promptDone(d)
	}
	return r.Tx.DeleteDialog(r.User.ID)
}

// rawArg marks pre-rendered HTML for the catalog.
func rawArg(s string) i18n.Raw { return i18n.Raw(s) }
