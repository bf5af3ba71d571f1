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
	ok := r.s.waitUntil(d, func() bool {
		c := r.s.chats[r.chatID]
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
	d := r.s.getWaitTimeout()
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
		out = append(out, c.events[r.cursor].clone())
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

// User is a simulated Telegram user with a private chat with the bot (chat
// id == user id). Its exported fields may be changed before it sends
// anything; they are copied into each update.
type User struct {
	// ID is the user id, also the id of the private chat.
	ID int64
	// FirstName is the first name (required by Telegram).
	FirstName string
	// LastName is the optional last name.
	LastName string
	// Username is the optional username, without "@".
	Username string
	// LanguageCode is the IETF language tag of the user's client ("en").
	LanguageCode string

	r reader
}

// NewUser creates a user and its private chat with the bot (as if the user
// had started the bot). id must be positive.
func (s *Server) NewUser(id int64, firstName, languageCode string) *User {
	if id <= 0 {
		panic("telegramtest: NewUser: user id must be positive")
	}
	s.mu.Lock()
	c := s.chat(id, "private")
	c.firstName = firstName
	s.mu.Unlock()
	return &User{ID: id, FirstName: firstName, LanguageCode: languageCode, r: reader{s: s, chatID: id}}
}

func (u *User) wire() wUser {
	return wUser{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}

// privateChat returns the user's chat with the current names. s.mu must be
// held.
func (u *User) privateChat() *chatState {
	c := u.r.s.chat(u.ID, "private")
	c.firstName, c.lastName, c.username = u.FirstName, u.LastName, u.Username
	return c
}

// sendUserMessage enqueues a message update from u in chat c. s.mu must be
// held.
func (s *Server) sendUserMessage(c *chatState, from wUser, fill func(*wMessage)) int {
	st := &msgState{fromUser: true, m: Message{Date: s.now()}}
	c.addMessage(st)
	wm := &wMessage{MessageID: st.m.ID, From: &from, Chat: c.wire(), Date: st.m.Date.Unix()}
	fill(wm)
	return s.enqueue(wUpdate{Message: wm})
}

// commandEntities marks a leading bot command like Telegram does.
func commandEntities(text string) []wEntity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	word := text
	if i := strings.IndexAny(text, " \t\n\r"); i >= 0 {
		word = text[:i]
	}
	if len(word) < 2 {
		return nil
	}
	return []wEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(word)}}
}

// Send enqueues a text message from the user in the private chat and
// returns its update_id. A leading "/command" (or "/command@bot") gets a
// bot_command entity.
func (u *User) Send(text string) int {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendUserMessage(u.privateChat(), u.wire(), func(wm *wMessage) {
		wm.Text = text
		wm.Entities = commandEntities(text)
	})
}

// SendDocument enqueues a message with a document from the user and
// returns its update_id. The file can be fetched with getFile and
// downloaded.
func (u *User) SendDocument(name string, data []byte, caption string) int {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.storeFile("documents", name, mimeFor(name, ""), data, false)
	return s.sendUserMessage(u.privateChat(), u.wire(), func(wm *wMessage) {
		wm.Document = f.wireDocument()
		wm.Caption = caption
	})
}

// SendPhoto enqueues a message with a photo from the user and returns its
// update_id.
func (u *User) SendPhoto(data []byte, caption string) int {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.storeFile("photos", "", "image/jpeg", data, true)
	return s.sendUserMessage(u.privateChat(), u.wire(), func(wm *wMessage) {
		wm.Photo = f.wirePhoto()
		wm.Caption = caption
	})
}

// SendContact enqueues a message sharing the user's own contact and
// returns its update_id.
func (u *User) SendContact(phone string) int {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendUserMessage(u.privateChat(), u.wire(), func(wm *wMessage) {
		wm.Contact = &wContact{PhoneNumber: phone, FirstName: u.FirstName, LastName: u.LastName, UserID: u.ID}
	})
}

// SendLocation enqueues a message with a location and returns its
// update_id.
func (u *User) SendLocation(lat, lon float64) int {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendUserMessage(u.privateChat(), u.wire(), func(wm *wMessage) {
		wm.Location = &wLocation{Latitude: lat, Longitude: lon}
	})
}

// newCallback registers a new callback query id. s.mu must be held.
func (s *Server) newCallback(chatID int64) string {
	s.nextCallback++
	id := strconv.FormatInt(4400000000000000000+s.nextCallback, 10)
	s.callbacks[id] = &callbackState{id: id, chatID: chatID}
	return id
}

// Press presses an inline button of a bot message, in whatever chat it is
// (private or group). The button is looked up by text (exact, else
// substring) in m as the caller has it — possibly an older state, to
// simulate a double tap or a press racing an edit or a deletion; use the
// result of Next or Last for the current state. It enqueues a
// callback_query update carrying the button's callback_data and the
// message as it is now on the server, and returns the query id. It fails if
// m has no such callback button or the bot never sent message m.
func (u *User) Press(m *Message, buttonText string) (queryID string, err error) {
	b, ok := m.Button(buttonText)
	if !ok {
		return "", fmt.Errorf("telegramtest: Press: no button %q in message %s", buttonText, m)
	}
	if b.Data == "" {
		return "", fmt.Errorf("telegramtest: Press: button %q has no callback data", b.Text)
	}
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[m.ChatID]
	if c == nil {
		return "", fmt.Errorf("telegramtest: Press: chat %d does not exist", m.ChatID)
	}
	st := c.byID[m.ID]
	if st == nil || st.fromUser {
		return "", fmt.Errorf("telegramtest: Press: the bot sent no message %d in chat %d", m.ID, m.ChatID)
	}
	if c.typ == "private" && c.id == u.ID {
		u.privateChat()
	}
	id := s.newCallback(c.id)
	s.enqueue(wUpdate{CallbackQuery: &wCallbackQuery{
		ID: id, From: u.wire(), Message: s.wireBotMessage(c, st), ChatInstance: c.instance(), Data: b.Data,
	}})
	return id, nil
}

// PressData enqueues a callback_query in the user's private chat with
// arbitrary (possibly forged) data for a message id, which need not exist,
// and returns the query id.
func (u *User) PressData(messageID int, data string) string {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := u.privateChat()
	var wm *wMessage
	if st := c.byID[messageID]; st != nil && !st.fromUser {
		wm = s.wireBotMessage(c, st)
	} else {
		wm = &wMessage{MessageID: messageID, Chat: c.wire()}
	}
	id := s.newCallback(c.id)
	s.enqueue(wUpdate{CallbackQuery: &wCallbackQuery{
		ID: id, From: u.wire(), Message: wm, ChatInstance: c.instance(), Data: data,
	}})
	return id
}

// Block makes the user block the bot: it enqueues a my_chat_member update
// (member → kicked) and from now on every send*/edit* call to the chat
// answers 403 "Forbidden: bot was blocked by the user". It returns the
// update_id (0 if the bot was already blocked).
func (u *User) Block() int { return u.setBlocked(true) }

// BlockUnseen makes the user block the bot without the my_chat_member
// update reaching the bot, as when it was down longer than Telegram keeps
// updates: the bot can learn of it only from the 403 of its next send.
func (u *User) BlockUnseen() {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	u.privateChat().blocked = true
}

// Unblock makes the user unblock (restart) the bot: a my_chat_member update
// kicked → member; sends work again. It returns the update_id (0 if the bot
// was not blocked).
func (u *User) Unblock() int { return u.setBlocked(false) }

func (u *User) setBlocked(blocked bool) int {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := u.privateChat()
	if c.blocked == blocked {
		return 0
	}
	c.blocked = blocked
	bot := *s.botUser()
	var zero int64
	oldM := wChatMember{User: bot, Status: "member"}
	newM := wChatMember{User: bot, Status: "kicked", UntilDate: &zero}
	if !blocked {
		oldM, newM = newM, oldM
	}
	return s.enqueue(wUpdate{MyChatMember: &wChatMemberUpdated{
		Chat: c.wire(), From: u.wire(), Date: s.now().Unix(), OldChatMember: oldM, NewChatMember: newM,
	}})
}

// Messages returns the messages the bot sent to the user, in order,
// deleted ones included (flagged).
func (u *User) Messages() []Message { return u.r.messages() }

// Last returns the last message the bot sent to the user.
func (u *User) Last() (Message, bool) { return u.r.last() }

// Next waits (up to the wait timeout, SetWaitTimeout) for the next event
// after the user's read cursor — a new bot message or an edit of one — and
// returns the message's state after that event, advancing the cursor. On
// timeout it fails the test with a dump of the chat.
func (u *User) Next(tb testing.TB) Message {
	tb.Helper()
	return u.r.next(tb, fmt.Sprintf("user %d", u.ID))
}

// NextWithin is Next without failing: it reports false after d.
func (u *User) NextWithin(d time.Duration) (Message, bool) { return u.r.nextWithin(d) }

// Drain returns every event after the read cursor without waiting and
// moves the cursor to the end.
func (u *User) Drain() []Message { return u.r.drain() }

// Answer waits for the bot's answerCallbackQuery to a query this user made
// and returns it; it fails the test on timeout or for an unknown id.
func (u *User) Answer(tb testing.TB, queryID string) CallbackAnswer {
	tb.Helper()
	s := u.r.s
	s.mu.Lock()
	_, known := s.callbacks[queryID]
	s.mu.Unlock()
	if !known {
		tb.Fatalf("telegramtest: Answer: unknown callback query %q", queryID)
		return CallbackAnswer{}
	}
	a, ok := u.AnswerWithin(queryID, s.getWaitTimeout())
	if !ok {
		s.mu.Lock()
		dump := s.dumpChat(s.callbacks[queryID].chatID, u.r.cursor)
		s.mu.Unlock()
		tb.Fatalf("telegramtest: callback query %s not answered within %v\n%s", queryID, s.getWaitTimeout(), dump)
	}
	return a
}

// AnswerWithin waits up to d for the bot's answer to a callback query and
// reports whether it came.
func (u *User) AnswerWithin(queryID string, d time.Duration) (CallbackAnswer, bool) {
	s := u.r.s
	var a CallbackAnswer
	ok := s.waitUntil(d, func() bool {
		c := s.callbacks[queryID]
		if c == nil || !c.answered {
			return false
		}
		a = c.answer
		return true
	})
	return a, ok
}

// Group is a simulated group chat with the bot.
type Group struct {
	// ID is the chat id (negative).
	ID int64
	// Title is the group title.
	Title string

	r reader
}

// NewGroup creates a group chat. id must be negative; ids below
// -1000000000000 (the -100… form) make a supergroup, others a group.
func (s *Server) NewGroup(id int64, title string) *Group {
	if id >= 0 {
		panic("telegramtest: NewGroup: group id must be negative")
	}
	typ := "group"
	if id <= -1000000000000 {
		typ = "supergroup"
	}
	s.mu.Lock()
	c := s.chat(id, typ)
	c.title = title
	s.mu.Unlock()
	return &Group{ID: id, Title: title, r: reader{s: s, chatID: id}}
}

// Send enqueues a text message from a user in the group and returns its
// update_id. A leading "/command" or "/command@bot" gets a bot_command
// entity.
func (g *Group) Send(from *User, text string) int {
	s := g.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(g.ID, "group")
	c.title = g.Title
	return s.sendUserMessage(c, from.wire(), func(wm *wMessage) {
		wm.Text = text
		wm.Entities = commandEntities(text)
	})
}

// Messages returns the messages the bot sent to the group, in order.
func (g *Group) Messages() []Message { return g.r.messages() }

// Last returns the last message the bot sent to the group.
func (g *Group) Last() (Message, bool) { return g.r.last() }

// Next waits for the next new or edited bot message in the group, like
// User.Next.
func (g *Group) Next(tb testing.TB) Message {
	tb.Helper()
	return g.r.next(tb, fmt.Sprintf("group %d", g.ID))
}

// NextWithin is Next without failing: it reports false after d.
func (g *Group) NextWithin(d time.Duration) (Message, bool) { return g.r.nextWithin(d) }

// Drain returns every event after the group's read cursor without waiting.
func (g *Group) Drain() []Message { return g.r.drain() }
