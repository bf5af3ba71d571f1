package chat

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// Kind is what a Message does in its chat.
type Kind string

// Kinds of messages.
const (
	KindSend     Kind = "send"     // a new text message
	KindEdit     Kind = "edit"     // new text (and buttons) for a message sent earlier
	KindDocument Kind = "document" // a file
	KindPhoto    Kind = "photo"    // a picture (a QR code)
	KindMenu     Kind = "commands" // the command menu of a chat, or the default one
	KindRemove   Kind = "remove"   // take back a message sent earlier
)

// Message is what the conversation tells a transport to do: send a text,
// a file or a picture, change an earlier message, or set a command menu.
// Handlers queue messages; the engine moves them into the outbox in the
// transaction of the update, addressed to a chat of one messenger, and
// the transport of that messenger delivers them. Its JSON is the outbox
// payload, read back after a restart.
//
// Texts are in the HTML subset every messenger the bot speaks renders: b,
// i, u, s, a href, code, pre, with every piece of user text escaped.
type Message struct {
	Kind Kind `json:"k"`
	// Chat is the messenger's id of the chat it goes to; User the person
	// whose private chat that is (0 for a group, or for an item queued
	// before messages carried it), which a transport names back when it
	// learns the person blocked the bot.
	Chat int64 `json:"c"`
	User int64 `json:"u,omitempty"`
	// Target is the messenger's id of the message an edit changes (or a
	// removal takes back); TargetKey names it instead by the key it was
	// recorded under (see Key), which the transport resolves when it
	// delivers the edit.
	Target    string `json:"r,omitempty"`
	TargetKey string `json:"ek,omitempty"`
	// Key, on a message sent, asks the transport to record the message's
	// id under the key once the send succeeded, so that later edits can
	// name it by TargetKey.
	Key  string `json:"sk,omitempty"`
	Text string `json:"t,omitempty"`
	// Buttons are rows of inline buttons. The transport signs each for
	// the chat the message goes to when it sends it.
	Buttons  [][]Button `json:"kb,omitempty"`
	FileName string     `json:"fn,omitempty"`
	File     []byte     `json:"f,omitempty"`
	// Commands is a command menu; none removes the chat's own menu, so
	// that the default one shows again.
	Commands []Command `json:"cmd,omitempty"`
	// DefaultMenu makes a menu the one of every private chat without a
	// menu of its own, for clients in language Lang ("": any other).
	DefaultMenu bool   `json:"def,omitempty"`
	Lang        string `json:"lang,omitempty"`
	// AskLocation, when set, is the label of a one-time keyboard button
	// that shares the person's location; AskContact one that shares
	// their phone number; RemoveKeyboard takes such a keyboard away.
	AskLocation    string `json:"loc,omitempty"`
	AskContact     string `json:"contact,omitempty"`
	RemoveKeyboard bool   `json:"rmkb,omitempty"`
	// FileID sends a file the messenger already has (one a person sent)
	// instead of File's bytes.
	FileID string `json:"fid,omitempty"`
	// FileFrom is the messenger FileID belongs to, or StoreFiles. A message going to
	// another messenger carries no file that messenger knows: its
	// transport fetches the bytes from FileFrom's (see Transport.Fetch)
	// and uploads them. "" is the messenger the message goes to.
	FileFrom string `json:"ff,omitempty"`
	// Bundle, on a document, makes its file a ZIP archive the transport
	// packs on delivery (see Pack).
	Bundle *Bundle `json:"zip,omitempty"`
	// UnlessAway, on an edit of a leader's card by its key, asks the
	// transport to drop it when the card's message shows another view or
	// another event's card (boltdb.DB.CardElsewhere): the leader opened a
	// form, a list or another card on it after the edit was queued, and
	// the edit, a notice, waited behind their reply.
	UnlessAway bool `json:"ua,omitempty"`

	// What only the engine uses, on the way to the outbox.
	to        int64  // the user it goes to, through the account they use (see commit)
	messenger string // the messenger of Chat
	broadcast uint64 // the broadcast it belongs to, if any
	bulk      bool   // part of a broadcast: sent after replies and notices
	replace   string // replaces a pending message with the same key
}

// Button is an inline button: a label and either a route (a verb and its
// arguments, which come back in a Press when it is pressed) or a URL.
type Button struct {
	Label string   `json:"t"`
	Verb  string   `json:"v,omitempty"`
	Args  []string `json:"a,omitempty"`
	URL   string   `json:"u,omitempty"`
}

// MaxButtonData is how many bytes a button's verb and arguments may take,
// joined by ":" (which neither may contain). It is the tightest budget of
// the messengers the bot speaks: Telegram carries at most 64 bytes of
// callback data, and its transport adds a version and a signature (11
// bytes) to what the button says. A button over it is a bug of the
// conversation, found when its message is queued.
const MaxButtonData = 53

// checkButton reports a button no transport could carry.
func checkButton(b Button) error {
	if b.URL != "" {
		return nil
	}
	if b.Verb == "" {
		return fmt.Errorf("button %q: no verb", b.Label)
	}
	n := len(b.Verb)
	for _, p := range append([]string{b.Verb}, b.Args...) {
		if strings.Contains(p, ":") {
			return fmt.Errorf("button %q: %q holds a ':'", b.Label, p)
		}
	}
	for _, a := range b.Args {
		n += 1 + len(a)
	}
	if n > MaxButtonData {
		return fmt.Errorf("button %q (%s): %d bytes of data, more than %d", b.Label, b.Verb, n, MaxButtonData)
	}
	return nil
}

// Command is a command menu entry.
type Command struct {
	Name        string `json:"n"`
	Description string `json:"d"`
}

// Answer is the answer to a pressed button: a short notice, or an alert
// the person must dismiss. Every press is answered, with an empty answer
// when the handler gave none, so that the button stops spinning.
type Answer struct {
	Text  string
	Alert bool
}

// Transport is what the conversation needs to know of a messenger the
// bot is reachable through.
type Transport struct {
	// Messenger is the name updates and outbox items carry ("telegram").
	Messenger string
	// Bot is the bot's account name there, which calendar files use to
	// name their events uniquely.
	Bot string
	// DeepLink returns the link that opens the bot with a start payload
	// (the bare chat with the bot for ""), as the messenger's users open
	// it.
	DeepLink func(payload string) string
	// MaxText is the longest text one message may carry, in UTF-16 code
	// units (which count no fewer than characters); longer texts are
	// split at paragraph boundaries.
	MaxText int
	// AsksOnMessage tells that the button of AskLocation and AskContact
	// is a button of the asking message itself (MAX), not a keyboard
	// below the input field (Telegram's reply keyboard), so that the
	// texts pointing at it say where it is (see TAsk).
	AsksOnMessage bool
	// SendNow, when set, sends the messages of a reply to chat at once,
	// beside the outbox, as far as the outbox's rules allow, and returns
	// how many are done (see outbox.Dispatcher.SendNow); the rest are
	// queued. A read-only route's reply goes this way when it is all the
	// handling would write (see handleRead).
	SendNow func(ctx context.Context, chat int64, msgs []Message) int
}

// StoreFiles is the FileFrom of a file the bot keeps in its own store as
// a blob (boltdb.DB.PutBlob), FileID its id in decimal: large documents,
// which no write transaction carries. The transport reads the bytes from
// the store when it sends, as it fetches another messenger's file.
const StoreFiles = "store"

// WithStoreFiles returns a FileFetcher that reads StoreFiles' files from
// db and asks fetch for the others (fetch may be nil: a bot on one
// messenger has no other to fetch from).
func WithStoreFiles(db *boltdb.DB, fetch FileFetcher) FileFetcher {
	return func(ctx context.Context, messenger, fileID string) ([]byte, error) {
		if messenger == StoreFiles {
			id, err := strconv.ParseUint(fileID, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("a stored file of id %q", fileID)
			}
			return db.Blob(id)
		}
		if fetch == nil {
			return nil, fmt.Errorf("a file of %s, which this bot does not run on", messenger)
		}
		return fetch(ctx, messenger, fileID)
	}
}

// FileFetcher fetches the bytes of a file a person sent through a
// messenger, by that messenger's id of it, so that another messenger's
// transport can upload it (see Message.FileFrom). It returns the bytes;
// transports get it from the wiring, which knows every transport.
type FileFetcher func(ctx context.Context, messenger, fileID string) ([]byte, error)
