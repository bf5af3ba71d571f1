package max

import "encoding/json"

// This file holds the schema's objects the bot sends: new messages, their
// attachments and buttons, callback answers.

// Text formats of NewMessage.Format.
const (
	FormatHTML     = "html"
	FormatMarkdown = "markdown"
)

// Limits the schema sets on what a bot sends.
const (
	// MaxTextLength is the longest message text, in characters.
	MaxTextLength = 4000
	// MaxButtonText is the longest button label, in characters.
	MaxButtonText = 128
	// MaxCallbackPayload is the longest callback button payload.
	MaxCallbackPayload = 1024
	// MaxLinkURL is the longest URL of a link button.
	MaxLinkURL = 2048
	// MaxStartPayload is the longest deep-link payload MAX passes on in
	// bot_started; a longer one is dropped, not cut.
	MaxStartPayload = 128
)

// NewMessage is a message to send, or the new content of an edited one
// (schema NewMessageBody).
type NewMessage struct {
	// Text is the text, at most MaxTextLength characters. "" sends no
	// text (null); in an edit that keeps the current text.
	Text string
	// Format is FormatHTML, FormatMarkdown or "" for plain text.
	Format string
	// Attachments are the files and the keyboard. In an edit, nil keeps
	// the current attachments and an empty non-nil slice removes them all
	// (the keyboard included).
	Attachments []AttachmentRequest
	// ReplyTo is the mid of a message this one replies to, "" if none.
	ReplyTo string
	// Silent sends without notifying the chat's members.
	Silent bool
	// DisableLinkPreview asks for no preview of links in the text. It is
	// a parameter of SendMessage only; edits ignore it.
	DisableLinkPreview bool
}

// MarshalJSON writes the schema's NewMessageBody: text, attachments and
// link are always present (the schema requires them, null allowed), notify
// only when it differs from the default true.
func (m NewMessage) MarshalJSON() ([]byte, error) {
	type link struct {
		Type string `json:"type"`
		MID  string `json:"mid"`
	}
	body := struct {
		Text        *string             `json:"text"`
		Format      string              `json:"format,omitempty"`
		Attachments []AttachmentRequest `json:"attachments"`
		Link        *link               `json:"link"`
		Notify      *bool               `json:"notify,omitempty"`
	}{Format: m.Format, Attachments: m.Attachments}
	if m.Text != "" {
		body.Text = &m.Text
	}
	if m.ReplyTo != "" {
		body.Link = &link{Type: "reply", MID: m.ReplyTo}
	}
	if m.Silent {
		f := false
		body.Notify = &f
	}
	return json.Marshal(body)
}

// AttachmentRequest is an attachment of a message to send (schema
// AttachmentRequest). Build it with InlineKeyboard, FileAttachment,
// ImageAttachment or Uploaded.Attachment.
type AttachmentRequest struct {
	// Type is the attachment type (AttachKeyboard, AttachFile, …).
	Type string `json:"type"`
	// Payload is the type's payload object.
	Payload any `json:"payload"`
}

// tokenPayload is the schema's UploadedInfo, and the token form of
// PhotoAttachmentRequestPayload.
type tokenPayload struct {
	Token string `json:"token"`
}

// photosPayload is the PhotoAttachmentRequestPayload of freshly uploaded
// images.
type photosPayload struct {
	Photos map[string]PhotoToken `json:"photos"`
}

// keyboardPayload is the schema's InlineKeyboardAttachmentRequestPayload.
type keyboardPayload struct {
	Buttons [][]Button `json:"buttons"`
}

// InlineKeyboard is an inline keyboard attachment with the given rows.
func InlineKeyboard(rows ...[]Button) AttachmentRequest {
	return AttachmentRequest{Type: AttachKeyboard, Payload: keyboardPayload{Buttons: rows}}
}

// FileAttachment attaches an uploaded file by its token. A token stays
// valid after use, so one upload can go to many chats.
func FileAttachment(token string) AttachmentRequest {
	return AttachmentRequest{Type: AttachFile, Payload: tokenPayload{Token: token}}
}

// ImageAttachment attaches an image by the token of an image already
// sent (ImagePayload.Token).
func ImageAttachment(token string) AttachmentRequest {
	return AttachmentRequest{Type: AttachImage, Payload: tokenPayload{Token: token}}
}

// Button types.
const (
	ButtonCallback       = "callback"
	ButtonLink           = "link"
	ButtonRequestContact = "request_contact"
	ButtonRequestGeo     = "request_geo_location"
)

// Button intents: how a callback button is coloured.
const (
	IntentDefault  = "default"
	IntentPositive = "positive"
	IntentNegative = "negative"
)

// Button is an inline keyboard button (schema Button and its kinds). Build
// it with CallbackButton, LinkButton, ContactButton or LocationButton.
type Button struct {
	// Type is the kind (ButtonCallback, ButtonLink, …).
	Type string `json:"type"`
	// Text is the label, 1 to MaxButtonText characters.
	Text string `json:"text"`
	// Payload is what a callback button sends back.
	Payload string `json:"payload,omitempty"`
	// Intent colours a callback button (IntentPositive, …; "" default).
	Intent string `json:"intent,omitempty"`
	// URL is a link button's target.
	URL string `json:"url,omitempty"`
	// Quick makes a location button send without asking.
	Quick bool `json:"quick,omitempty"`
}

// CallbackButton is a button that sends payload (1 to MaxCallbackPayload
// characters) back in a message_callback update.
func CallbackButton(text, payload string) Button {
	return Button{Type: ButtonCallback, Text: text, Payload: payload}
}

// LinkButton is a button that opens url.
func LinkButton(text, url string) Button {
	return Button{Type: ButtonLink, Text: text, URL: url}
}

// ContactButton is a button that asks the user to share their contact;
// it arrives as a message with a contact attachment.
func ContactButton(text string) Button {
	return Button{Type: ButtonRequestContact, Text: text}
}

// LocationButton is a button that asks the user to share their location;
// it arrives as a message with a location attachment. quick sends it
// without asking the user to confirm.
func LocationButton(text string, quick bool) Button {
	return Button{Type: ButtonRequestGeo, Text: text, Quick: quick}
}

// CallbackAnswer answers a button press (schema CallbackAnswer): a new
// content for the message the button is on, a one-time notification, or
// both.
type CallbackAnswer struct {
	// Message replaces the pressed message, nil to leave it.
	Message *NewMessage `json:"message,omitempty"`
	// Notification is shown to the user once, "" for none.
	Notification string `json:"notification,omitempty"`
}
