package max

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// This file holds the schema's objects the bot reads: users, messages and
// their attachments. Field names follow the schema; times are in
// milliseconds since the epoch, as MAX sends them.

// User is a MAX user or bot (schema User).
type User struct {
	// UserID is the user's identifier.
	UserID int64 `json:"user_id"`
	// FirstName is the first (display) name.
	FirstName string `json:"first_name"`
	// LastName is the last name, "" if none.
	LastName string `json:"last_name,omitempty"`
	// Username is the public unique name without "@", "" if none.
	Username string `json:"username,omitempty"`
	// IsBot reports a bot.
	IsBot bool `json:"is_bot"`
	// LastActivityTime is the last activity, in milliseconds.
	LastActivityTime int64 `json:"last_activity_time,omitempty"`
}

// FullName is the first and last name joined by a space.
func (u *User) FullName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// BotCommand is one command of the bot's menu (schema BotCommand).
type BotCommand struct {
	// Name is the command without the slash.
	Name string `json:"name"`
	// Description is the text shown beside it.
	Description string `json:"description,omitempty"`
}

// BotInfo is the bot itself, as GET /me answers (schema BotInfo).
type BotInfo struct {
	User
	// Description is the bot's description.
	Description string `json:"description,omitempty"`
	// Commands is the command menu.
	Commands []BotCommand `json:"commands,omitempty"`
}

// Chat types of a Recipient.
const (
	ChatDialog  = "dialog"
	ChatGroup   = "chat"
	ChatChannel = "channel"
)

// Recipient is where a message went (schema Recipient).
type Recipient struct {
	// ChatID is the chat, a dialog included.
	ChatID int64 `json:"chat_id"`
	// ChatType is ChatDialog, ChatGroup or ChatChannel.
	ChatType string `json:"chat_type"`
	// UserID is the other party of a dialog, 0 for a group or channel.
	UserID int64 `json:"user_id,omitempty"`
}

// Message is a message in a chat (schema Message).
type Message struct {
	// Sender is who sent it; nil for a channel post.
	Sender *User `json:"sender,omitempty"`
	// Recipient is the chat it is in.
	Recipient Recipient `json:"recipient"`
	// Timestamp is when it was created, in milliseconds.
	Timestamp int64 `json:"timestamp"`
	// Link is the message it forwards or replies to, nil if none.
	Link *LinkedMessage `json:"link,omitempty"`
	// Body is the text and attachments.
	Body MessageBody `json:"body"`
	// URL is the public link of a message in a public chat, else "".
	URL string `json:"url,omitempty"`
}

// Time is Timestamp as a time.
func (m *Message) Time() time.Time { return time.UnixMilli(m.Timestamp) }

// LinkedMessage is a forwarded or replied message (schema LinkedMessage).
type LinkedMessage struct {
	// Type is "forward" or "reply".
	Type string `json:"type"`
	// Sender is the original sender, nil if unknown.
	Sender *User `json:"sender,omitempty"`
	// ChatID is the original chat of a forward.
	ChatID int64 `json:"chat_id,omitempty"`
	// Message is the original body.
	Message MessageBody `json:"message"`
}

// MessageBody is a message's content (schema MessageBody).
type MessageBody struct {
	// MID is the message identifier, used to edit, delete and reply.
	MID string `json:"mid"`
	// Seq is the sequence number of the message in its chat.
	Seq int64 `json:"seq"`
	// Text is the text as the user sees it ("" if none).
	Text string `json:"text,omitempty"`
	// Attachments are the files, keyboard, contact, location, ….
	Attachments []Attachment `json:"attachments,omitempty"`
	// Markup is the formatting of Text.
	Markup []Markup `json:"markup,omitempty"`
}

// Markup is one formatted span of a text (schema MarkupElement).
type Markup struct {
	// Type is "strong", "emphasized", "link", "user_mention", ….
	Type string `json:"type"`
	// From is the start, in UTF-16 code units.
	From int `json:"from"`
	// Length is the length, in UTF-16 code units.
	Length int `json:"length"`
	// URL is the target of a link.
	URL string `json:"url,omitempty"`
	// UserLink is the "@username" of a mention.
	UserLink string `json:"user_link,omitempty"`
	// UserID is the user of a mention without username.
	UserID int64 `json:"user_id,omitempty"`
}

// Attachment types: what Attachment.Type and AttachmentRequest.Type hold.
const (
	AttachImage    = "image"
	AttachVideo    = "video"
	AttachAudio    = "audio"
	AttachFile     = "file"
	AttachSticker  = "sticker"
	AttachContact  = "contact"
	AttachKeyboard = "inline_keyboard"
	AttachLocation = "location"
	AttachShare    = "share"
)

// Attachment is an attachment of a received message (schema Attachment).
// The kinds a bot acts on are decoded into the field of their type; any
// other kind keeps only Type and Raw, so a new kind MAX invents does not
// break decoding.
type Attachment struct {
	// Type is the attachment type (AttachImage, AttachFile, …).
	Type string
	// Image is the payload of an image.
	Image *ImagePayload
	// File is the payload of a file, video or audio.
	File *FilePayload
	// Filename is the name of a file.
	Filename string
	// Size is the size of a file, in bytes.
	Size int64
	// Contact is the payload of a shared contact.
	Contact *ContactPayload
	// Location is a shared location.
	Location *Location
	// Keyboard is an inline keyboard (on the bot's own messages).
	Keyboard *Keyboard
	// Raw is the attachment as received.
	Raw json.RawMessage
}

// ImagePayload is an image's payload (schema PhotoAttachmentPayload).
type ImagePayload struct {
	// PhotoID identifies the image.
	PhotoID int64 `json:"photo_id"`
	// Token reattaches the same image to another message.
	Token string `json:"token"`
	// URL is where to download it.
	URL string `json:"url"`
}

// FilePayload is the payload of a file, video or audio (schema
// FileAttachmentPayload, MediaAttachmentPayload).
type FilePayload struct {
	// URL is where to download it.
	URL string `json:"url"`
	// Token reattaches the same file to another message.
	Token string `json:"token"`
}

// ContactPayload is a shared contact (schema ContactAttachmentPayload).
type ContactPayload struct {
	// VCFInfo is the contact as a vCard, with the phone number.
	VCFInfo string `json:"vcf_info,omitempty"`
	// MaxInfo is the contact's MAX user, nil if it has none.
	MaxInfo *User `json:"max_info,omitempty"`
}

// Phone is the first telephone number of the vCard, "" if none.
func (c *ContactPayload) Phone() string {
	for _, line := range strings.Split(strings.ReplaceAll(c.VCFInfo, "\r\n", "\n"), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		// "TEL", "TEL;TYPE=cell", "item1.TEL;…": the property name is
		// the part before any parameter, after any group.
		name, _, _ = strings.Cut(name, ";")
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		if strings.EqualFold(name, "TEL") {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// Location is a shared geographic point (schema LocationAttachment).
type Location struct {
	// Latitude in degrees.
	Latitude float64 `json:"latitude"`
	// Longitude in degrees.
	Longitude float64 `json:"longitude"`
}

// Keyboard is an inline keyboard: rows of buttons (schema Keyboard).
type Keyboard struct {
	// Buttons are the rows.
	Buttons [][]Button `json:"buttons"`
}

// UnmarshalJSON decodes an attachment by its type.
func (a *Attachment) UnmarshalJSON(data []byte) error {
	var head struct {
		Type      string          `json:"type"`
		Payload   json.RawMessage `json:"payload"`
		Latitude  float64         `json:"latitude"`
		Longitude float64         `json:"longitude"`
		Filename  string          `json:"filename"`
		Size      int64           `json:"size"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	*a = Attachment{Type: head.Type, Raw: append(json.RawMessage(nil), data...)}
	payload := func(v any) error {
		if len(head.Payload) == 0 || string(head.Payload) == "null" {
			return fmt.Errorf("%s attachment without payload", head.Type)
		}
		if err := json.Unmarshal(head.Payload, v); err != nil {
			return fmt.Errorf("%s attachment: %w", head.Type, err)
		}
		return nil
	}
	switch head.Type {
	case AttachImage:
		a.Image = new(ImagePayload)
		return payload(a.Image)
	case AttachFile, AttachVideo, AttachAudio:
		a.File = new(FilePayload)
		a.Filename, a.Size = head.Filename, head.Size
		return payload(a.File)
	case AttachContact:
		a.Contact = new(ContactPayload)
		return payload(a.Contact)
	case AttachKeyboard:
		a.Keyboard = new(Keyboard)
		return payload(a.Keyboard)
	case AttachLocation:
		a.Location = &Location{Latitude: head.Latitude, Longitude: head.Longitude}
	}
	return nil
}

// MarshalJSON writes the attachment back as it was received.
func (a Attachment) MarshalJSON() ([]byte, error) {
	if len(a.Raw) == 0 {
		return json.Marshal(struct {
			Type string `json:"type"`
		}{a.Type})
	}
	return a.Raw, nil
}

// Callback is a button press (schema Callback).
type Callback struct {
	// Timestamp is when the button was pressed, in milliseconds.
	Timestamp int64 `json:"timestamp"`
	// CallbackID identifies the press for AnswerCallback.
	CallbackID string `json:"callback_id"`
	// Payload is the pressed button's payload.
	Payload string `json:"payload,omitempty"`
	// User is who pressed it.
	User User `json:"user"`
}
