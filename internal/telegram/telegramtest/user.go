package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

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
	a, ok := u.AnswerWithin(queryID, s.watch.Timeout())
	if !ok {
		s.mu.Lock()
		dump := s.dumpChat(s.callbacks[queryID].chatID, u.r.cursor)
		s.mu.Unlock()
		tb.Fatalf("telegramtest: callback query %s not answered within %v\n%s", queryID, s.watch.Timeout(), dump)
	}
	return a
}

// AnswerWithin waits up to d for the bot's answer to a callback query and
// reports whether it came.
func (u *User) AnswerWithin(queryID string, d time.Duration) (CallbackAnswer, bool) {
	s := u.r.s
	var a CallbackAnswer
	ok := s.watch.WaitUntil(d, func() bool {
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
