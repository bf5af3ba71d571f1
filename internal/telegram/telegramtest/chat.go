package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Button is one inline keyboard button.
type Button struct {
	// Text is the label.
	Text string
	// Data is the callback_data ("" for other buttons).
	Data string
	// URL is the url of a link button ("" for other buttons).
	URL string
}

// Document is a file the bot sent (or a user sent).
type Document struct {
	// Name is the file name.
	Name string
	// Bytes is the content.
	Bytes []byte
	// MIME is the MIME type.
	MIME string
}

// Message is a message the bot sent to a chat, in its current state (after
// edits and deletion). Values returned by the Server are copies.
type Message struct {
	// ID is the message_id, per chat, increasing from 1 (shared with the
	// messages the users send, as on Telegram).
	ID int
	// ChatID is the chat the message is in.
	ChatID int64
	// Text is the text as sent (markup included); see PlainText.
	Text string
	// ParseMode is the parse_mode as sent ("" for none).
	ParseMode string
	// Keyboard is the current inline keyboard, nil if none.
	Keyboard [][]Button
	// ReplyMarkup is the reply_markup JSON as last sent ("" if none); it
	// shows reply keyboards, which Keyboard does not.
	ReplyMarkup string
	// Document is the document of a sendDocument message.
	Document *Document
	// Photo is the photo of a sendPhoto message.
	Photo *Document
	// Caption is the caption of a document or photo.
	Caption string
	// ReplyTo is the reply_to_message_id, 0 if none.
	ReplyTo int
	// DisableWebPagePreview is the disable_web_page_preview parameter.
	DisableWebPagePreview bool
	// Edits counts the successful edits.
	Edits int
	// Deleted reports that the bot deleted the message.
	Deleted bool
	// Date is the sending time (Options.Now), at second precision.
	Date time.Time

	// passed marks an edit the readers pass over (see Server.PassOver).
	passed bool
}

// Button finds a button of the inline keyboard by exact text or, if none
// has that exact text, by substring.
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

// Buttons returns the inline keyboard flattened, row by row.
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
	fmt.Fprintf(&b, "#%d", m.ID)
	if m.Deleted {
		b.WriteString(" (deleted)")
	}
	if m.Edits > 0 {
		fmt.Fprintf(&b, " (edited %d×)", m.Edits)
	}
	if m.Document != nil {
		fmt.Fprintf(&b, " document %q (%s, %d bytes)", m.Document.Name, m.Document.MIME, len(m.Document.Bytes))
	}
	if m.Photo != nil {
		fmt.Fprintf(&b, " photo (%d bytes)", len(m.Photo.Bytes))
	}
	if m.Document != nil || m.Photo != nil {
		fmt.Fprintf(&b, " caption=%q", m.Caption)
	} else {
		fmt.Fprintf(&b, " %q", m.Text)
	}
	if m.ParseMode != "" {
		fmt.Fprintf(&b, " [%s]", m.ParseMode)
	}
	for _, row := range m.Keyboard {
		b.WriteString(" [")
		for i, btn := range row {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(btn.Text)
			switch {
			case btn.Data != "":
				fmt.Fprintf(&b, " → %q", btn.Data)
			case btn.URL != "":
				fmt.Fprintf(&b, " → %s", btn.URL)
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

func (d *Document) clone() *Document {
	if d == nil {
		return nil
	}
	c := *d
	c.Bytes = append([]byte(nil), d.Bytes...)
	return &c
}

// CallbackAnswer is the bot's answerCallbackQuery to a callback query.
type CallbackAnswer struct {
	// Text is the notification text ("" for none).
	Text string
	// ShowAlert reports an alert instead of a notification.
	ShowAlert bool
	// URL is the url parameter.
	URL string
}

// msgState is a message of a chat: a bot message (m is what the test sees)
// or a message a user sent (fromUser).
type msgState struct {
	m        Message
	fromUser bool
	canon    []byte // canonical inline keyboard JSON
	doc      *storedFile
	photo    *storedFile
	editDate int64
}

type chatState struct {
	id        int64
	typ       string
	title     string
	firstName string
	lastName  string
	username  string
	nextMsgID int
	msgs      []*msgState
	byID      map[int]*msgState
	events    []Message // snapshots after each new message or edit
	blocked   bool
}

func (c *chatState) wire() wChat {
	if c.typ == "private" {
		return wChat{ID: c.id, Type: c.typ, FirstName: c.firstName, LastName: c.lastName, Username: c.username}
	}
	return wChat{ID: c.id, Type: c.typ, Title: c.title}
}

func (c *chatState) instance() string {
	return strconv.FormatInt(c.id*7919+4242424242, 10)
}

func (c *chatState) addMessage(st *msgState) {
	st.m.ID = c.nextMsgID
	st.m.ChatID = c.id
	c.nextMsgID++
	c.msgs = append(c.msgs, st)
	c.byID[st.m.ID] = st
	if !st.fromUser {
		c.events = append(c.events, st.m.clone())
	}
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

// chat returns the chat state, creating it. s.mu must be held.
func (s *Server) chat(id int64, typ string) *chatState {
	c := s.chats[id]
	if c == nil {
		c = &chatState{id: id, typ: typ, nextMsgID: 1, byID: make(map[int]*msgState)}
		s.chats[id] = c
	}
	return c
}

func (s *Server) botUser() *wUser {
	return &wUser{ID: s.opts.BotID, IsBot: true, FirstName: s.opts.BotFirstName, Username: s.opts.BotUsername}
}

func (s *Server) now() time.Time { return s.opts.Now().Truncate(time.Second) }

// wireBotMessage is the Message object of a bot message. s.mu must be held.
func (s *Server) wireBotMessage(c *chatState, st *msgState) *wMessage {
	wm := &wMessage{
		MessageID:   st.m.ID,
		From:        s.botUser(),
		Chat:        c.wire(),
		Date:        st.m.Date.Unix(),
		EditDate:    st.editDate,
		ReplyMarkup: st.canon,
	}
	// PlainText is the caption's text for a document or photo.
	switch {
	case st.doc != nil:
		wm.Document = st.doc.wireDocument()
		wm.Caption = st.m.PlainText()
	case st.photo != nil:
		wm.Photo = st.photo.wirePhoto()
		wm.Caption = st.m.PlainText()
	default:
		wm.Text = st.m.PlainText()
	}
	return wm
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
	if c.typ == "private" {
		name = c.firstName
	}
	msgs := c.botMessages()
	fmt.Fprintf(&b, "chat %d (%s %q): %d bot messages, read cursor at event %d of %d\n", c.id, c.typ, name, len(msgs), cursor, len(c.events))
	if c.blocked {
		b.WriteString("  the user has blocked the bot\n")
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
		tb.Fatalf("telegramtest: %s: no new or edited bot message within %v\n%s", what, d, dump)
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
