package chat

// A form's questions lose their buttons once answered: the latest
// question with buttons of a form (its «✖ Отмена», «Пропустить», «🗑
// Убрать» and choices) is kept under a key of its own, named in the
// dialog, and when the form asks its next question, or ends, is
// cancelled, or gives way to another form, the old question is redrawn
// with its text alone. A button left on an answered question would only
// answer «устарела».

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// formPrompt is a question of a form on record: its key and text.
type formPrompt struct {
	key, text string
}

// formVerbs are the verbs of the buttons that make a message a form's
// question: leaving the form, skipping or clearing a step.
var formVerbs = []string{verbDocCancel, verbFormSkip, verbAskCancel}

// promptDone notes the question of a dialog that ends or gives way.
func (r *Request) promptDone(d *mmo.Dialog) {
	if d != nil && d.Prompt != "" {
		r.donePrompts = append(r.donePrompts, formPrompt{d.Prompt, d.PromptText})
	}
}

// isFormPrompt reports whether m is a form's question in the person's
// own chat: a message with a button of the form.
func (r *Request) isFormPrompt(m *Message) bool {
	if m.Kind != KindSend && m.Kind != KindEdit || m.Key != "" || m.TargetKey != "" || len(m.Buttons) == 0 {
		return false
	}
	own := m.to == r.User.ID || m.to == 0 && r.Update != nil && r.Update.Private && m.Chat == r.Update.Chat && m.messenger == r.Update.Messenger
	if !own {
		return false
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if slices.Contains(formVerbs, b.Verb) {
				return true
			}
		}
	}
	return false
}

// retirePrompts takes the buttons off the questions of forms that moved
// on or ended in this update, and records the new question, if one is
// asked, in the dialog. A question the pressed button belongs to, which
// the handler redraws itself, is left to it and no longer followed.
func (r *Request) retirePrompts() error {
	if r.Update == nil || r.User == nil || r.readOnly {
		return nil
	}
	var next *Message
	for i := len(r.out) - 1; i >= 0; i-- {
		if r.isFormPrompt(&r.out[i]) {
			next = &r.out[i]
			break
		}
	}
	if next != nil && textLen(next.Text) > r.bot.transport(r.Update.Messenger).MaxText {
		next = nil // sent in parts: not redrawn as one
	}
	edited := r.pressedEdited()
	done := r.donePrompts
	var d *mmo.Dialog
	if next != nil || edited {
		var err error
		if d, _, err = r.Dialog(); err != nil {
			return err
		}
	}
	dirty := false
	if d != nil && d.Prompt != "" {
		switch {
		case edited && r.isPressed(d.Prompt):
			if err := r.Tx.DeleteSent(d.Prompt); err != nil {
				return err
			}
			d.Prompt, d.PromptText, dirty = "", "", true
		case next != nil:
			done = append(done, formPrompt{d.Prompt, d.PromptText})
		}
	}
	var retire []Message
	for _, p := range done {
		m, err := r.retire(p, edited)
		if err != nil {
			return err
		}
		if m != nil {
			retire = append(retire, *m)
		}
	}
	if next != nil && d != nil {
		// One question per update at most: the update names it.
		key := "form:" + itoa(r.User.ID) + ":" + r.Update.Messenger + ":" + strconv.FormatUint(r.Update.ID, 36) + ":" + strconv.FormatInt(r.Now.UnixNano(), 36)
		if next.Kind == KindEdit {
			// The pressed message turned into the question.
			if err := r.Tx.PutSent(key, &boltdb.SentRecord{Messenger: r.Update.Messenger, Chat: r.Update.Chat, Message: next.Target, User: r.User.ID}); err != nil {
				return fmt.Errorf("record the question %s: %w", key, err)
			}
		} else {
			next.Key = key
		}
		d.Prompt, d.PromptText, dirty = key, next.Text, true
	}
	if dirty {
		if err := r.Tx.PutDialog(r.User.ID, d); err != nil {
			return fmt.Errorf("save the dialog of user %d: %w", r.User.ID, err)
		}
	}
	if len(retire) > 0 {
		r.out = append(retire, r.out...)
	}
	return nil
}

// pressedEdited reports whether the handler redraws the pressed message.
func (r *Request) pressedEdited() bool {
	p := r.Update.Press
	if p == nil || p.Message == "" {
		return false
	}
	return slices.ContainsFunc(r.out, func(m Message) bool { return m.Kind == KindEdit && m.Target == p.Message })
}

// isPressed reports whether the question recorded under key is the
// pressed message. Until the transport wrote its id down, a pressed
// message with a form's button is taken for it: the buttons of older
// questions are stale and redraw nothing.
func (r *Request) isPressed(key string) bool {
	rec, err := r.Tx.Sent(key)
	if err != nil {
		return false
	}
	if rec.Message == "" {
		return slices.ContainsFunc(r.Update.Press.Verbs, func(v string) bool { return slices.Contains(formVerbs, v) })
	}
	return rec.Message == r.Update.Press.Message && rec.Chat == r.Update.Chat
}

// retire is the edit that takes the buttons off question p, nil if the
// handler redraws it or it is not on record.
func (r *Request) retire(p formPrompt, edited bool) (*Message, error) {
	rec, err := r.Tx.Sent(p.key)
	if err != nil {
		if errors.Is(err, mmo.ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("load the question %s: %w", p.key, err)
	}
	if edited && r.isPressed(p.key) {
		return nil, r.Tx.DeleteSent(p.key)
	}
	if rec.Message != "" {
		// Sent: the edit names the message, and the record goes.
		if err := r.Tx.DeleteSent(p.key); err != nil {
			return nil, err
		}
		return &Message{Kind: KindEdit, Chat: rec.Chat, messenger: rec.Messenger, User: rec.User, Target: rec.Message, Text: p.text}, nil
	}
	// Its send is not confirmed yet: the transport finds it by the key.
	return &Message{Kind: KindEdit, TargetKey: p.key, Text: p.text}, nil
}
