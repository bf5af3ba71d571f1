package maxtest

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// Button is one inline keyboard button as the user sees it.
type Button struct {
	// Type is "callback", "link", "request_contact",
	// "request_geo_location" or "message".
	Type string
	// Text is the label.
	Text string
	// Payload is what a callback button sends back.
	Payload string
	// URL is a link button's target.
	URL string
	// Intent is a callback button's intent ("" for the default).
	Intent string
	// Quick is a location button's quick flag.
	Quick bool
}

// Document is a file or image in a message.
type Document struct {
	// Name is the file name.
	Name string
	// Bytes is the content (nil for an image given by external URL).
	Bytes []byte
	// MIME is the MIME type, guessed from the name and content.
	MIME string
	// Token is the attachment token.
	Token string
}

func (d *Document) clone() *Document {
	if d == nil {
		return nil
	}
	c := *d
	c.Bytes = append([]byte(nil), d.Bytes...)
	return &c
}

// Message is a message the bot sent, in its current state (after edits
// and deletion). Values returned by the Server are copies.
type Message struct {
	// ID is the message id (mid), e.g. "mid.000000746a52882a5f3e1c020000002a".
	// It holds a number drawn when the server starts, so that a bot that
	// keeps its database across runs of a fresh server (the sandbox) never
	// finds an id it remembers naming another message.
	ID string
	// Seq is the sequence number in the chat.
	Seq int64
	// ChatID is the chat the message is in.
	ChatID int64
	// UserID is the user of a dialog, 0 in a group.
	UserID int64
	// Text is the text as sent (markup included); see PlainText.
	Text string
	// Format is "html", "markdown" or "".
	Format string
	// Keyboard is the inline keyboard, nil if none.
	Keyboard [][]Button
	// Document is the file attached, nil if none.
	Document *Document
	// Photo is the image attached, nil if none.
	Photo *Document
	// Silent reports that the bot asked not to notify (notify false).
	Silent bool
	// ReplyTo is the mid the message replies to, "" if none.
	ReplyTo string
	// NoLinkPreview reports that the bot asked for no link preview.
	NoLinkPreview bool
	// Edits counts the edits that changed something.
	Edits int
	// Deleted reports that the bot deleted the message.
	Deleted bool
	// Date is when it was sent (Options.Now), at millisecond precision.
	Date time.Time

	// passed marks an edit the readers pass over (see Server.PassOver).
	passed bool
}

// PlainText is the text as the user reads it: for the HTML format with
// the tags removed and the entities decoded; otherwise Text.
func (m *Message) PlainText() string {
	if strings.EqualFold(m.Format, "html") {
		p, _ := plainHTML(m.Text)
		return p
	}
	return m.Text
}

// Button finds a button by exact label or, if none has that exact label,
// by substring.
func (m *Message) Button(text string) (Button, bool) {
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Text == text {
				return b, true
			}
		}
	}
	for _, row := range m.Keyboard {
		for _, b := range row {
			if strings.Contains(b.Text, text) {
				return b, true
			}
		}
	}
	return Button{}, false
}

// Buttons returns the keyboard flattened, row by row.
func (m *Message) Buttons() []Button {
	var out []Button
	for _, row := range m.Keyboard {
		out = append(out, row...)
	}
	return out
}

// String describes the message on one line, for failure messages.
func (m Message) String() string {
	var b strings.Builder
	b.WriteString(m.ID)
	if m.Deleted {
		b.WriteString(" (deleted)")
	}
	if m.Edits > 0 {
		fmt.Fprintf(&b, " (edited %d×)", m.Edits)
	}
	if m.Document != nil {
		fmt.Fprintf(&b, " file %q (%s, %d bytes)", m.Document.Name, m.Document.MIME, len(m.Document.Bytes))
	}
	if m.Photo != nil {
		fmt.Fprintf(&b, " image (%d bytes)", len(m.Photo.Bytes))
	}
	fmt.Fprintf(&b, " %q", m.Text)
	if m.Format != "" {
		fmt.Fprintf(&b, " [%s]", m.Format)
	}
	for _, row := range m.Keyboard {
		b.WriteString(" [")
		for i, btn := range row {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(btn.Text)
			switch btn.Type {
			case "callback":
				fmt.Fprintf(&b, " → %q", btn.Payload)
			case "link":
				fmt.Fprintf(&b, " → %s", btn.URL)
			default:
				fmt.Fprintf(&b, " (%s)", btn.Type)
			}
		}
		b.WriteString("]")
	}
	return b.String()
}

func (m Message) clone() Message {
	if m.Keyboard != nil {
		kb := make([][]Button, len(m.Keyboard))
		for i, row := range m.Keyboard {
			kb[i] = append([]Button(nil), row...)
		}
		m.Keyboard = kb
	}
	m.Document = m.Document.clone()
	m.Photo = m.Photo.clone()
	return m
}

// CallbackAnswer is the bot's answer to a button press.
type CallbackAnswer struct {
	// Notification is the one-time notification, "" for none.
	Notification string
	// Message is the pressed message's new state when the answer replaced
	// it, nil otherwise.
	Message *Message
}

type callbackState struct {
	id       string
	n        int64
	chatID   int64
	mid      string
	answered bool
	answer   CallbackAnswer
}

func sortCallbacks(cs []*callbackState) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].n < cs[j].n })
}

// msgState is a message of a chat: one the bot sent (m is what the test
// sees) or one a user sent.
type msgState struct {
	m        Message
	fromUser bool
	sender   wUser
	atts     []wAttachment // as the API shows them
}

type userState struct {
	id        int64
	firstName string
	lastName  string
	username  string
	lang      string
	chatID    int64
}

func (u *userState) wire() wUser {
	w := wUser{UserID: u.id, FirstName: u.firstName, LastActivityTime: 0}
	if u.lastName != "" {
		w.LastName = &u.lastName
	}
	if u.username != "" {
		w.Username = &u.username
	}
	return w
}

type chatState struct {
	id      int64
	typ     string // "dialog" or "chat"
	userID  int64  // of a dialog
	title   string
	seq     int64
	msgs    []*msgState
	byMID   map[string]*msgState
	events  []Message // snapshots after each new bot message or edit
	stopped bool      // dialog: the user stopped the bot
	removed bool      // group: the bot is not a member
}

func (c *chatState) botMessages() []Message {
	var out []Message
	for _, st := range c.msgs {
		if !st.fromUser {
			out = append(out, st.m.clone())
		}
	}
	return out
}

// dialogBase offsets dialog chat ids from user ids: on MAX they differ, and
// a bot that mixes them up must fail here too.
const dialogBase = 500000000000

// addMessage gives a message its mid and sequence number and stores it.
// s.mu must be held.
func (s *Server) addMessage(c *chatState, st *msgState) {
	s.nextMsg++
	c.seq++
	st.m.ID = fmt.Sprintf("mid.%016x%08x%08x", uint64(c.id), s.instance, uint32(s.nextMsg))
	st.m.Seq = c.seq
	st.m.ChatID = c.id
	st.m.UserID = c.userID
	c.msgs = append(c.msgs, st)
	c.byMID[st.m.ID] = st
	if !st.fromUser {
		c.events = append(c.events, st.m.clone())
	}
}

// wireMessage is the Message object of a stored message. s.mu must be
// held.
func (s *Server) wireMessage(c *chatState, st *msgState) wMessage {
	chatID := c.id
	rec := wRecipient{ChatID: &chatID, ChatType: c.typ}
	if c.typ == "dialog" {
		// The other party: the user for the bot's messages, the bot for
		// the user's.
		other := c.userID
		if st.fromUser {
			other = s.opts.BotID
		}
		rec.UserID = &other
	}
	sender := st.sender
	wm := wMessage{
		Sender: &sender, Recipient: rec, Timestamp: st.m.Date.UnixMilli(),
		Body: wBody{MID: st.m.ID, Seq: st.m.Seq},
	}
	if text := st.m.PlainText(); text != "" {
		wm.Body.Text = &text
	}
	for _, a := range st.atts {
		wm.Body.Attachments = append(wm.Body.Attachments, mustJSON(a))
	}
	if st.m.ReplyTo != "" {
		if orig := c.byMID[st.m.ReplyTo]; orig != nil {
			sender := orig.sender
			wm.Link = &wLinked{Type: "reply", Sender: &sender, Message: s.wireMessage(c, orig).Body}
		}
	}
	return wm
}

func (s *Server) botUser() wUser {
	name := s.opts.BotUsername
	return wUser{UserID: s.opts.BotID, FirstName: s.opts.BotName, Username: &name, IsBot: true}
}

// Chat returns the messages the bot sent to a chat, in order, deleted ones
// included (flagged).
func (s *Server) Chat(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		return c.botMessages()
	}
	return nil
}

// dumpChat describes a chat for failure messages. s.mu must be held.
func (s *Server) dumpChat(chatID int64, cursor int) string {
	var b strings.Builder
	c := s.chats[chatID]
	if c == nil {
		fmt.Fprintf(&b, "chat %d does not exist\n", chatID)
		return b.String()
	}
	name := c.title
	if u := s.users[c.userID]; c.typ == "dialog" && u != nil {
		name = u.firstName
	}
	msgs := c.botMessages()
	fmt.Fprintf(&b, "chat %d (%s %q): %d bot messages, read cursor at event %d of %d\n", c.id, c.typ, name, len(msgs), cursor, len(c.events))
	if c.stopped {
		b.WriteString("  the user has stopped the bot\n")
	}
	if c.removed {
		b.WriteString("  the bot is not in the chat\n")
	}
	for _, m := range msgs {
		fmt.Fprintf(&b, "  %s\n", m)
	}
	s.writeFailures(&b, chatID, true)
	s.writeQueue(&b)
	return b.String()
}

// reader is the read cursor shared by User and Group.
type reader struct {
	s      *Server
	chatID int64
	cursor int // guarded by s.mu
}

func (r *reader) nextWithin(d time.Duration) (Message, bool) {
	var m Message
	ok := r.s.watch.WaitUntil(d, func() bool {
		c := r.s.chats[r.chatID]
		for c != nil && r.cursor < len(c.events) && c.events[r.cursor].passed {
			r.cursor++
		}
		if c == nil || len(c.events) <= r.cursor {
			return false
		}
		m = c.events[r.cursor].clone()
		r.cursor++
		return true
	})
	return m, ok
}

func (r *reader) next(tb testing.TB, what string) Message {
	tb.Helper()
	d := r.s.watch.Timeout()
	m, ok := r.nextWithin(d)
	if !ok {
		r.s.mu.Lock()
		dump := r.s.dumpChat(r.chatID, r.cursor)
		r.s.mu.Unlock()
		tb.Fatalf("maxtest: %s: no new or edited bot message within %v\n%s", what, d, dump)
	}
	return m
}

func (r *reader) drain() []Message {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	c := r.s.chats[r.chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for ; r.cursor < len(c.events); r.cursor++ {
		if !c.events[r.cursor].passed {
			out = append(out, c.events[r.cursor].clone())
		}
	}
	return out
}

func (r *reader) messages() []Message { return r.s.Chat(r.chatID) }

func (r *reader) last() (Message, bool) {
	msgs := r.messages()
	if len(msgs) == 0 {
		return Message{}, false
	}
	return msgs[len(msgs)-1], true
}
