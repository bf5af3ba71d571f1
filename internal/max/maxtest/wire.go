package maxtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
)

// This file holds the schema's JSON shapes as the fake writes and reads
// them. Nullable fields the schema requires are pointers without
// omitempty, so that they are sent as null.

// wUser is the schema's User.
type wUser struct {
	UserID           int64   `json:"user_id"`
	FirstName        string  `json:"first_name"`
	LastName         *string `json:"last_name"`
	Username         *string `json:"username"`
	IsBot            bool    `json:"is_bot"`
	LastActivityTime int64   `json:"last_activity_time"`
}

// wBotInfo is the schema's BotInfo.
type wBotInfo struct {
	wUser
	Description *string `json:"description"`
}

// wRecipient is the schema's Recipient.
type wRecipient struct {
	ChatID   *int64 `json:"chat_id"`
	ChatType string `json:"chat_type"`
	UserID   *int64 `json:"user_id"`
}

// wBody is the schema's MessageBody.
type wBody struct {
	MID         string            `json:"mid"`
	Seq         int64             `json:"seq"`
	Text        *string           `json:"text"`
	Attachments []json.RawMessage `json:"attachments"`
}

// wLinked is the schema's LinkedMessage.
type wLinked struct {
	Type    string `json:"type"`
	Sender  *wUser `json:"sender,omitempty"`
	Message wBody  `json:"message"`
}

// wMessage is the schema's Message.
type wMessage struct {
	Sender    *wUser     `json:"sender,omitempty"`
	Recipient wRecipient `json:"recipient"`
	Timestamp int64      `json:"timestamp"`
	Link      *wLinked   `json:"link,omitempty"`
	Body      wBody      `json:"body"`
}

// wCallback is the schema's Callback.
type wCallback struct {
	Timestamp  int64  `json:"timestamp"`
	CallbackID string `json:"callback_id"`
	Payload    string `json:"payload"`
	User       wUser  `json:"user"`
}

// The update kinds (schema *Update), each with update_type and timestamp.

type wMessageUpdate struct { // message_created, message_edited
	Type       string   `json:"update_type"`
	Timestamp  int64    `json:"timestamp"`
	Message    wMessage `json:"message"`
	UserLocale *string  `json:"user_locale,omitempty"`
}

type wCallbackUpdate struct {
	Type       string    `json:"update_type"`
	Timestamp  int64     `json:"timestamp"`
	Callback   wCallback `json:"callback"`
	Message    *wMessage `json:"message"`
	UserLocale *string   `json:"user_locale,omitempty"`
}

type wRemovedUpdate struct {
	Type      string `json:"update_type"`
	Timestamp int64  `json:"timestamp"`
	MessageID string `json:"message_id"`
	ChatID    int64  `json:"chat_id"`
	UserID    int64  `json:"user_id"`
}

type wDialogUpdate struct { // bot_started, bot_stopped
	Type       string  `json:"update_type"`
	Timestamp  int64   `json:"timestamp"`
	ChatID     int64   `json:"chat_id"`
	User       wUser   `json:"user"`
	Payload    *string `json:"payload,omitempty"`
	UserLocale string  `json:"user_locale,omitempty"`
}

type wMembershipUpdate struct { // bot_added, bot_removed, user_added, user_removed
	Type      string `json:"update_type"`
	Timestamp int64  `json:"timestamp"`
	ChatID    int64  `json:"chat_id"`
	User      wUser  `json:"user"`
	InviterID *int64 `json:"inviter_id,omitempty"`
	AdminID   *int64 `json:"admin_id,omitempty"`
	IsChannel bool   `json:"is_channel"`
}

// Attachments of received messages (schema *Attachment).

type wImagePayload struct {
	PhotoID int64  `json:"photo_id"`
	Token   string `json:"token"`
	URL     string `json:"url"`
}

type wFilePayload struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

type wContactPayload struct {
	VCFInfo *string `json:"vcf_info"`
	MaxInfo *wUser  `json:"max_info"`
}

type wAttachment struct {
	Type      string   `json:"type"`
	Payload   any      `json:"payload,omitempty"`
	Filename  string   `json:"filename,omitempty"`
	Size      *int64   `json:"size,omitempty"`
	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("maxtest: marshal: " + err.Error())
	}
	return b
}

// --- requests ---------------------------------------------------------------

// strictDecode decodes JSON into v refusing unknown fields: the real
// server may ignore a misspelt field, the fake names it.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// nullable is a JSON value that may be absent, null or set.
type nullable[T any] struct {
	Set   bool // present in the object, null included
	Null  bool
	Value T
}

func (n *nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Null = true
		return nil
	}
	return json.Unmarshal(b, &n.Value)
}

// rNewMessage is the schema's NewMessageBody as the bot sends it.
type rNewMessage struct {
	Text        nullable[string]            `json:"text"`
	Attachments nullable[[]json.RawMessage] `json:"attachments"`
	Link        nullable[rLink]             `json:"link"`
	Notify      nullable[bool]              `json:"notify"`
	Format      nullable[string]            `json:"format"`
}

type rLink struct {
	Type string `json:"type"`
	MID  string `json:"mid"`
}

// rCallbackAnswer is the schema's CallbackAnswer.
type rCallbackAnswer struct {
	Message      nullable[rNewMessage] `json:"message"`
	Notification nullable[string]      `json:"notification"`
}

// rAttachmentHead is what every attachment request has.
type rAttachmentHead struct {
	Type string `json:"type"`
}

// rTokenAttachment is a file, video or audio attachment request.
type rTokenAttachment struct {
	Type    string `json:"type"`
	Payload struct {
		Token string `json:"token"`
	} `json:"payload"`
}

// rImageAttachment is the schema's PhotoAttachmentRequest.
type rImageAttachment struct {
	Type    string `json:"type"`
	Payload struct {
		URL    *string `json:"url"`
		Token  *string `json:"token"`
		Photos map[string]struct {
			Token string `json:"token"`
		} `json:"photos"`
	} `json:"payload"`
}

// rKeyboardAttachment is the schema's InlineKeyboardAttachmentRequest.
type rKeyboardAttachment struct {
	Type    string `json:"type"`
	Payload struct {
		Buttons [][]json.RawMessage `json:"buttons"`
	} `json:"payload"`
}

// rButton is a button of the kinds the fake models.
type rButton struct {
	Type    string  `json:"type"`
	Text    string  `json:"text"`
	Payload *string `json:"payload"`
	Intent  *string `json:"intent"`
	URL     *string `json:"url"`
	Quick   *bool   `json:"quick"`
}

// --- text ---------------------------------------------------------------------

// supportedTags are the HTML tags MAX renders; it strips any other.
var supportedTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "del": true, "a": true, "code": true, "pre": true, "mark": true,
	"blockquote": true, "h1": true,
}

// plainHTML renders MAX-flavoured HTML as the user reads it: tags removed,
// entities decoded. It also reports the tags MAX would strip (any but the
// schema's list: no <br>, <span>, <tg-spoiler>), which a bot should not
// send: the text would not look as meant.
func plainHTML(s string) (plain string, unsupported []string) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 { // a lone "<": text
			b.WriteString(s[i:])
			break
		}
		name := ""
		if f := strings.Fields(strings.TrimPrefix(s[i+1:i+end], "/")); len(f) > 0 {
			name = strings.ToLower(strings.TrimRight(f[0], "/"))
		}
		if name == "" { // "<>", "< 2 >": not a tag
			b.WriteString(s[i : i+end+1])
			i += end + 1
			continue
		}
		if !supportedTags[name] {
			unsupported = append(unsupported, name)
		}
		i += end + 1
	}
	return html.UnescapeString(b.String()), unsupported
}

func fmtUnsupported(tags []string) string {
	return fmt.Sprintf("tags MAX strips: %s", strings.Join(tags, ", "))
}
