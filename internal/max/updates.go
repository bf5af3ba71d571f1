package max

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Update types: what Update.Type holds.
const (
	UpdateMessageCreated  = "message_created"
	UpdateMessageCallback = "message_callback"
	UpdateMessageEdited   = "message_edited"
	UpdateMessageRemoved  = "message_removed"
	UpdateBotStarted      = "bot_started"
	UpdateBotStopped      = "bot_stopped"
	UpdateBotAdded        = "bot_added"
	UpdateBotRemoved      = "bot_removed"
	UpdateUserAdded       = "user_added"
	UpdateUserRemoved     = "user_removed"
)

// Update is one event in a chat the bot is in (schema Update and its
// kinds). The schema's kinds share most fields, so one flat struct holds
// them all; which fields are set depends on Type:
//
//   - message_created, message_edited: Message, UserLocale;
//   - message_callback: Callback, Message (nil if it was deleted),
//     UserLocale;
//   - message_removed: MessageID, ChatID, UserID;
//   - bot_started: ChatID, User, Payload (of a deep link), UserLocale;
//   - bot_stopped: ChatID, User, UserLocale;
//   - bot_added, bot_removed: ChatID, User (who did it), IsChannel;
//   - user_added: ChatID, User, InviterID (0 when joined by link),
//     IsChannel;
//   - user_removed: ChatID, User, AdminID (0 when the user left),
//     IsChannel.
//
// Any other kind decodes with Type, Timestamp and Raw only, so a kind MAX
// adds later is harmless. An update that cannot be decoded at all has
// DecodeErr set instead of failing its whole page, so the caller can skip
// it and move on past the marker.
type Update struct {
	// Type is the kind (UpdateMessageCreated, …).
	Type string `json:"update_type"`
	// Timestamp is when the event happened, in milliseconds.
	Timestamp int64 `json:"timestamp"`
	// Message is the message of a message_created, message_edited or
	// message_callback.
	Message *Message `json:"message,omitempty"`
	// Callback is the press of a message_callback.
	Callback *Callback `json:"callback,omitempty"`
	// ChatID is the chat of the event, for the kinds without a Message.
	ChatID int64 `json:"chat_id,omitempty"`
	// User is the user the event is about, or who acted.
	User *User `json:"user,omitempty"`
	// UserID is who removed the message of a message_removed.
	UserID int64 `json:"user_id,omitempty"`
	// MessageID is the removed message of a message_removed.
	MessageID string `json:"message_id,omitempty"`
	// Payload is the deep-link payload of a bot_started, "" if none.
	Payload string `json:"payload,omitempty"`
	// UserLocale is the user's language (IETF BCP 47), "" if unknown.
	UserLocale string `json:"user_locale,omitempty"`
	// InviterID is who added the user of a user_added.
	InviterID int64 `json:"inviter_id,omitempty"`
	// AdminID is who removed the user of a user_removed.
	AdminID int64 `json:"admin_id,omitempty"`
	// IsChannel reports that the chat of the event is a channel.
	IsChannel bool `json:"is_channel,omitempty"`
	// Raw is the update as received.
	Raw json.RawMessage `json:"-"`
	// DecodeErr is why the update could not be decoded, nil if it was.
	DecodeErr error `json:"-"`
}

// Time is Timestamp as a time.
func (u *Update) Time() time.Time { return time.UnixMilli(u.Timestamp) }

// Chat is the chat the update belongs to, 0 if it names none: the key
// that keeps one chat's updates in order.
func (u *Update) Chat() int64 {
	if u.ChatID != 0 {
		return u.ChatID
	}
	if u.Message != nil {
		return u.Message.Recipient.ChatID
	}
	return 0
}

// From is the user who caused the update: the sender of a message, the
// presser of a button, the user of a bot_started and the like; nil if
// none.
func (u *Update) From() *User {
	switch {
	case u.Callback != nil:
		return &u.Callback.User
	case u.Message != nil && u.Message.Sender != nil:
		return u.Message.Sender
	}
	return u.User
}

// decodeUpdate decodes one update, never failing: what cannot be decoded
// is reported in DecodeErr.
func decodeUpdate(raw json.RawMessage) Update {
	type plain Update // without methods, so no recursion
	var p plain
	err := json.Unmarshal(raw, &p)
	u := Update(p)
	if err != nil {
		var head struct {
			Type      string `json:"update_type"`
			Timestamp int64  `json:"timestamp"`
		}
		_ = json.Unmarshal(raw, &head)
		u = Update{Type: head.Type, Timestamp: head.Timestamp, DecodeErr: err}
	}
	u.Raw = append(json.RawMessage(nil), raw...)
	return u
}

// MaxPollTimeout is the longest long-poll timeout MAX accepts.
const MaxPollTimeout = 90 * time.Second

// UpdatesParams are the parameters of GetUpdates.
type UpdatesParams struct {
	// Marker is the marker of the previous answer, nil on the very first
	// call. Passing it commits (drops on MAX's side) every update before
	// it: pass it only once those updates are handled and their effects
	// stored, or a crash loses them.
	Marker *int64
	// Limit is the most updates to return, 1 to 1000; 0 leaves MAX's
	// default (100).
	Limit int
	// Timeout is how long to wait for an update when there is none,
	// whole seconds from 0 to MaxPollTimeout. It is always sent: MAX's
	// default is 30 s.
	Timeout time.Duration
	// Types are the update types wanted; nil for all. MAX drops the
	// others.
	Types []string
}

// UpdateList is a page of updates (schema UpdateList).
type UpdateList struct {
	// Updates are the updates, oldest first.
	Updates []Update
	// Marker points after the last update of the page: pass it to the
	// next GetUpdates once they are handled. Nil when MAX sent none, in
	// which case keep passing the previous one.
	Marker *int64
}

// GetUpdates long-polls for updates. Its deadline is the poll timeout
// plus Options.RequestTimeout.
func (c *Client) GetUpdates(ctx context.Context, p UpdatesParams) (*UpdateList, error) {
	k := call{method: http.MethodGet, path: "/updates", query: url.Values{}}
	if p.Timeout < 0 || p.Timeout > MaxPollTimeout {
		return nil, c.fail(k, fmt.Errorf("poll timeout %v out of 0..%v", p.Timeout, MaxPollTimeout))
	}
	if p.Limit < 0 || p.Limit > 1000 {
		return nil, c.fail(k, fmt.Errorf("limit %d out of 1..1000", p.Limit))
	}
	secs := int(p.Timeout / time.Second)
	k.query.Set("timeout", strconv.Itoa(secs))
	if p.Limit > 0 {
		k.query.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Marker != nil {
		k.query.Set("marker", strconv.FormatInt(*p.Marker, 10))
	}
	if len(p.Types) > 0 {
		k.query.Set("types", strings.Join(p.Types, ","))
	}
	k.timeout = time.Duration(secs)*time.Second + c.opts.RequestTimeout

	var page struct {
		Updates []json.RawMessage `json:"updates"`
		Marker  *int64            `json:"marker"`
	}
	if err := c.do(ctx, k, &page); err != nil {
		return nil, err
	}
	list := &UpdateList{Marker: page.Marker, Updates: make([]Update, len(page.Updates))}
	for i, raw := range page.Updates {
		list.Updates[i] = decodeUpdate(raw)
	}
	return list, nil
}
