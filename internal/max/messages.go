package max

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"
)

// To is the recipient of SendMessage: a user (their dialog with the bot)
// or a chat. Exactly one of the two is set.
type To struct {
	// UserID sends to the dialog with this user.
	UserID int64
	// ChatID sends to this chat (a dialog's chat id works too).
	ChatID int64
}

// ToUser is the dialog with a user.
func ToUser(id int64) To { return To{UserID: id} }

// ToChat is a chat.
func ToChat(id int64) To { return To{ChatID: id} }

func (t To) query() (url.Values, error) {
	switch {
	case (t.UserID == 0) == (t.ChatID == 0):
		return nil, errors.New("recipient: want exactly one of user id and chat id")
	case t.UserID != 0:
		return url.Values{"user_id": {strconv.FormatInt(t.UserID, 10)}}, nil
	default:
		return url.Values{"chat_id": {strconv.FormatInt(t.ChatID, 10)}}, nil
	}
}

// checkText refuses a text MAX would refuse for its length, before it
// costs a request.
func checkText(m *NewMessage) error {
	if n := utf8.RuneCountInString(m.Text); n > MaxTextLength {
		return fmt.Errorf("text of %d characters, more than %d", n, MaxTextLength)
	}
	return nil
}

// SendMessage sends a message and returns it as MAX stored it (its
// Body.MID identifies it for edits and deletion).
func (c *Client) SendMessage(ctx context.Context, to To, m *NewMessage) (*Message, error) {
	k := call{method: http.MethodPost, path: "/messages", body: m}
	q, err := to.query()
	if err != nil {
		return nil, c.fail(k, err)
	}
	if err := checkText(m); err != nil {
		return nil, c.fail(k, err)
	}
	if m.DisableLinkPreview {
		q.Set("disable_link_preview", "true")
	}
	k.query = q
	var res struct {
		Message Message `json:"message"`
	}
	if err := c.do(ctx, k, &res); err != nil {
		return nil, err
	}
	return &res.Message, nil
}

// EditMessage replaces a message's content (see NewMessage for what an
// empty text or nil attachments keep).
func (c *Client) EditMessage(ctx context.Context, mid string, m *NewMessage) error {
	k := call{method: http.MethodPut, path: "/messages", query: url.Values{"message_id": {mid}}, body: m}
	if mid == "" {
		return c.fail(k, errors.New("no message id"))
	}
	if err := checkText(m); err != nil {
		return c.fail(k, err)
	}
	return c.doSimple(ctx, k)
}

// DeleteMessage deletes a message.
func (c *Client) DeleteMessage(ctx context.Context, mid string) error {
	k := call{method: http.MethodDelete, path: "/messages", query: url.Values{"message_id": {mid}}}
	if mid == "" {
		return c.fail(k, errors.New("no message id"))
	}
	return c.doSimple(ctx, k)
}

// AnswerCallback answers a button press: it replaces the pressed message,
// shows a one-time notification, both, or (an empty answer) neither.
func (c *Client) AnswerCallback(ctx context.Context, callbackID string, a *CallbackAnswer) error {
	k := call{method: http.MethodPost, path: "/answers", query: url.Values{"callback_id": {callbackID}}, body: a}
	if callbackID == "" {
		return c.fail(k, errors.New("no callback id"))
	}
	if a.Message != nil {
		if err := checkText(a.Message); err != nil {
			return c.fail(k, err)
		}
	}
	return c.doSimple(ctx, k)
}
