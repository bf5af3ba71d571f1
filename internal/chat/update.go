package chat

import "strconv"

// Update is one thing a person did in a messenger, as a transport hands it
// to the conversation: who did it, in which chat, and what — a text or
// command, a pressed button, a shared location, contact or file, or
// blocking the bot. A transport builds it from its messenger's own update;
// nothing in it is specific to one messenger.
type Update struct {
	// Messenger names the transport the update came through ("telegram").
	Messenger string
	// ID is the messenger's id of the update: with Messenger, what makes
	// a redelivered update recognisable, so it is applied once.
	ID uint64
	// From is who caused the update; nil for updates without a sender.
	From *Sender
	// Chat is the messenger's id of the chat the update belongs to, where
	// replies go; Private is true for a person's private chat with the bot.
	Chat    int64
	Private bool

	// Text is the text of a message. A command ("/start abc", with the
	// bot's name already stripped by the transport) is also split into
	// Command ("start") and Args ("abc"). A transport whose messenger
	// starts a chat with a payload (a deep link) gives it as the start
	// command with the payload as Args.
	Text    string
	Command string
	Args    string
	// Caption is the text sent with a file.
	Caption string

	// Press is the button pressed, nil for other updates.
	Press *Press
	// Location, Contact and File are what a message shared, nil if not.
	Location *Location
	Contact  *Contact
	File     *File
	// OtherMedia reports a message carrying something the bot takes in
	// no form (a sticker, a voice message, a video, a poll).
	OtherMedia bool

	// Member, when set, is a change of the person's relation to the bot:
	// MemberBlocked or MemberUnblocked.
	Member string
}

// Changes of a person's relation to the bot, for Update.Member.
const (
	MemberBlocked   = "blocked"
	MemberUnblocked = "unblocked"
)

// Sender is the person an update came from, as their messenger knows
// them.
type Sender struct {
	// ID is the messenger's id of the person.
	ID        int64
	FirstName string
	LastName  string
	Username  string
	// LanguageCode is the language of their client ("ru", "en-US"), ""
	// if the messenger does not tell.
	LanguageCode string
}

// Press is a pressed button: what the transport read from it, checked to
// have been issued by the bot for the chat it was pressed in.
type Press struct {
	// ID is the messenger's id of the press, which its answer refers to.
	ID string
	// Verb and Args are the button's route and arguments. An empty Verb
	// means the transport refused the button's data (forged, or from an
	// older form of buttons): the press is answered as a stale button.
	Verb string
	Args []string
	// Message is the messenger's id of the message the button was on, ""
	// if the messenger did not say; an edit of the pressed message
	// replaces that one.
	Message string
	// Verbs are the verbs of the buttons that message carries, so that a
	// view redrawn in place keeps where it led.
	Verbs []string
}

// Arg returns the i-th argument, or "" if absent.
func (p *Press) Arg(i int) string {
	if i < len(p.Args) {
		return p.Args[i]
	}
	return ""
}

// Int returns the i-th argument as an integer, or 0 and false.
func (p *Press) Int(i int) (int64, bool) {
	n, err := strconv.ParseInt(p.Arg(i), 10, 64)
	return n, err == nil
}

// Location is a shared point, in degrees.
type Location struct {
	Latitude, Longitude float64
}

// Contact is a shared contact.
type Contact struct {
	// Phone is its telephone number, "" if it has none.
	Phone string
	// UserID is the messenger's id of the person it belongs to, 0 if the
	// messenger does not know them.
	UserID int64
}

// File is a file or picture a person sent.
type File struct {
	// Kind is FileDocument or FilePhoto.
	Kind string
	// ID is the messenger's id of the file, with which it can be sent on
	// without downloading it.
	ID   string
	Name string
	Size int64
}

// Kinds of files.
const (
	FileDocument = "document"
	FilePhoto    = "photo"
)
