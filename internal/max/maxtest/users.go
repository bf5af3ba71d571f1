package maxtest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// User is a simulated MAX user with a dialog with the bot. Its exported
// fields may be changed between actions; they are copied into each
// update.
type User struct {
	// ID is the user id.
	ID int64
	// ChatID is the id of the user's dialog with the bot; on MAX it is
	// not the user id.
	ChatID int64
	// FirstName is the first name.
	FirstName string
	// LastName is the optional last name.
	LastName string
	// Username is the optional username, without "@".
	Username string
	// LanguageCode is the user's locale ("ru", "en"), sent as user_locale.
	LanguageCode string
	// Phone is the number a contact button shares.
	Phone string

	r reader
}

// NewUser creates a user and their dialog with the bot, as if the user
// had opened it (no update is sent: use Start for the bot_started). id
// must be positive.
func (s *Server) NewUser(id int64, firstName, languageCode string) *User {
	if id <= 0 {
		panic("maxtest: NewUser: user id must be positive")
	}
	chatID := dialogBase + id
	s.mu.Lock()
	s.users[id] = &userState{id: id, firstName: firstName, lang: languageCode, chatID: chatID}
	if s.chats[chatID] == nil {
		s.chats[chatID] = &chatState{id: chatID, typ: "dialog", userID: id, byMID: map[string]*msgState{}}
	}
	s.mu.Unlock()
	return &User{ID: id, ChatID: chatID, FirstName: firstName, LanguageCode: languageCode, r: reader{s: s, chatID: chatID}}
}

// sync copies the exported fields into the server's record and returns
// the wire user. s.mu must be held.
func (u *User) sync() wUser {
	st := u.r.s.users[u.ID]
	st.firstName, st.lastName, st.username, st.lang = u.FirstName, u.LastName, u.Username, u.LanguageCode
	return st.wire()
}

func (u *User) dialog() *chatState { return u.r.s.chats[u.ChatID] }

func (u *User) locale() *string {
	if u.LanguageCode == "" {
		return nil
	}
	l := u.LanguageCode
	return &l
}

// sendFromUser stores a message from the user in chat c and enqueues its
// message_created. s.mu must be held.
func (s *Server) sendFromUser(c *chatState, from wUser, locale *string, text string, atts []wAttachment) int64 {
	st := &msgState{fromUser: true, sender: from, atts: atts, m: Message{Text: text, Date: time.UnixMilli(s.nowMillis())}}
	s.addMessage(c, st)
	if c.typ != "dialog" {
		locale = nil // the schema: available only in dialogs
	}
	return s.enqueue("message_created", wMessageUpdate{
		Type: "message_created", Timestamp: s.nowMillis(), Message: s.wireMessage(c, st), UserLocale: locale,
	})
}

// Send enqueues a text message from the user in the dialog (a
// message_created update) and returns the update's sequence number.
func (u *User) Send(text string) int64 {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendFromUser(u.dialog(), u.sync(), u.locale(), text, nil)
}

// SendDocument enqueues a message with a file from the user; the bot can
// download it from the attachment's URL.
func (u *User) SendDocument(name string, data []byte, caption string) int64 {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.storeFile("file", name, data)
	size := int64(len(data))
	att := wAttachment{Type: "file", Payload: wFilePayload{URL: s.fileURL(f), Token: f.token}, Filename: f.name, Size: &size}
	return s.sendFromUser(u.dialog(), u.sync(), u.locale(), caption, []wAttachment{att})
}

// SendPhoto enqueues a message with an image from the user.
func (u *User) SendPhoto(data []byte, caption string) int64 {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.storeFile("image", "photo.jpg", data)
	att := wAttachment{Type: "image", Payload: wImagePayload{PhotoID: f.photoID, Token: f.token, URL: s.fileURL(f)}}
	return s.sendFromUser(u.dialog(), u.sync(), u.locale(), caption, []wAttachment{att})
}

// contactAttachment is the user's own contact card with a phone number.
func (u *User) contactAttachment(phone string, from wUser) wAttachment {
	vcf := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + strings.TrimSpace(u.FirstName+" "+u.LastName) + "\r\nTEL;TYPE=cell:" + phone + "\r\nEND:VCARD\r\n"
	return wAttachment{Type: "contact", Payload: wContactPayload{VCFInfo: &vcf, MaxInfo: &from}}
}

// SendContact enqueues a message sharing the user's own contact with a
// phone number.
func (u *User) SendContact(phone string) int64 {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	from := u.sync()
	return s.sendFromUser(u.dialog(), from, u.locale(), "", []wAttachment{u.contactAttachment(phone, from)})
}

// SendLocation enqueues a message with a location.
func (u *User) SendLocation(lat, lon float64) int64 {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendFromUser(u.dialog(), u.sync(), u.locale(), "", []wAttachment{{Type: "location", Latitude: &lat, Longitude: &lon}})
}

// Start presses Start in the dialog, or follows a deep link, enqueuing a
// bot_started update with the payload ("" for none) and returning its
// sequence number. It also resumes a bot the user had stopped. As on MAX,
// a payload longer than 128 characters is dropped, not cut.
func (u *User) Start(payload string) int64 {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := u.dialog()
	c.stopped = false
	up := wDialogUpdate{Type: "bot_started", Timestamp: s.nowMillis(), ChatID: c.id, User: u.sync(), UserLocale: u.LanguageCode}
	if payload != "" && len([]rune(payload)) <= 128 {
		up.Payload = &payload
	}
	return s.enqueue("bot_started", up)
}

// OpenLink follows a link the user saw: a deep link of this bot,
// https://max.ru/<bot>/start/<payload>, starts it with the payload (see
// Start). Any other link is an error: it would not reach the bot.
func (u *User) OpenLink(link string) (int64, error) {
	pu, err := url.Parse(link)
	if err != nil {
		return 0, fmt.Errorf("maxtest: OpenLink %q: %v", link, err)
	}
	parts := strings.Split(strings.Trim(pu.EscapedPath(), "/"), "/")
	host := strings.ToLower(pu.Host)
	if (pu.Scheme != "https" && pu.Scheme != "http") || (host != "max.ru" && host != "www.max.ru") {
		return 0, fmt.Errorf("maxtest: OpenLink %q: not a MAX link", link)
	}
	if len(parts) == 0 || !strings.EqualFold(parts[0], u.r.s.opts.BotUsername) {
		return 0, fmt.Errorf("maxtest: OpenLink %q: not a link to bot %s", link, u.r.s.opts.BotUsername)
	}
	payload := ""
	switch {
	case len(parts) == 1:
	case len(parts) == 3 && parts[1] == "start":
		if payload, err = url.PathUnescape(parts[2]); err != nil {
			return 0, fmt.Errorf("maxtest: OpenLink %q: %v", link, err)
		}
	default:
		return 0, fmt.Errorf("maxtest: OpenLink %q: want https://max.ru/%s/start/<payload>", link, u.r.s.opts.BotUsername)
	}
	return u.Start(payload), nil
}

// pressTarget finds the stored message a press is about. s.mu must be
// held.
func (s *Server) pressTarget(m *Message) (*chatState, *msgState, error) {
	c := s.chats[m.ChatID]
	if c == nil {
		return nil, nil, fmt.Errorf("maxtest: chat %d does not exist", m.ChatID)
	}
	st := c.byMID[m.ID]
	if st == nil || st.fromUser {
		return nil, nil, fmt.Errorf("maxtest: the bot sent no message %s in chat %d", m.ID, m.ChatID)
	}
	return c, st, nil
}

// newCallback registers a button press. s.mu must be held.
func (s *Server) newCallback(chatID int64, mid string) *callbackState {
	s.nextCB++
	cb := &callbackState{id: fmt.Sprintf("cb.%08x.%012d.%x", s.instance, s.nextCB, chatID), n: s.nextCB, chatID: chatID, mid: mid}
	s.callbacks[cb.id] = cb
	return cb
}

// Press presses a button of a bot message, in whatever chat it is. The
// button is found by label (exact, else substring) in m as the caller has
// it — possibly an older state, to simulate a double tap or a press racing
// an edit; use the result of Next or Last for the current state.
//
// A callback button enqueues a message_callback with its payload and the
// message as it is now on the server (null if deleted), and returns the
// callback id for Answer. A contact button shares the user's Phone as a
// contact message (the id is ""). A link button is an error: follow its
// URL with OpenLink; so is a location button: use ShareLocation.
func (u *User) Press(m *Message, label string) (callbackID string, err error) {
	b, ok := m.Button(label)
	if !ok {
		return "", fmt.Errorf("maxtest: Press: no button %q in message %s", label, m)
	}
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, st, err := s.pressTarget(m)
	if err != nil {
		return "", fmt.Errorf("maxtest: Press: %v", err)
	}
	switch b.Type {
	case "callback":
	case "request_contact":
		if u.Phone == "" {
			return "", fmt.Errorf("maxtest: Press %q: a contact button shares User.Phone, which is empty", b.Text)
		}
		from := u.sync()
		s.sendFromUser(c, from, u.locale(), "", []wAttachment{u.contactAttachment(u.Phone, from)})
		return "", nil
	case "link":
		return "", fmt.Errorf("maxtest: Press %q: a link button opens %s; use OpenLink", b.Text, b.URL)
	case "request_geo_location":
		return "", fmt.Errorf("maxtest: Press %q: use ShareLocation for a location button", b.Text)
	default:
		return "", fmt.Errorf("maxtest: Press %q: a %s button sends nothing the fake models", b.Text, b.Type)
	}
	from := u.sync()
	cb := s.newCallback(c.id, st.m.ID)
	var msg *wMessage
	if !st.m.Deleted {
		wm := s.wireMessage(c, st)
		msg = &wm
	}
	s.enqueue("message_callback", wCallbackUpdate{
		Type: "message_callback", Timestamp: s.nowMillis(),
		Callback: wCallback{Timestamp: s.nowMillis(), CallbackID: cb.id, Payload: b.Payload, User: from},
		Message:  msg, UserLocale: u.locale(),
	})
	return cb.id, nil
}

// PressData enqueues a message_callback in the user's dialog with any
// (possibly forged) payload, for a message id that need not exist, and
// returns the callback id.
func (u *User) PressData(mid, payload string) string {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := u.dialog()
	from := u.sync()
	cb := s.newCallback(c.id, mid)
	var msg *wMessage
	if st := c.byMID[mid]; st != nil && !st.fromUser && !st.m.Deleted {
		wm := s.wireMessage(c, st)
		msg = &wm
	}
	s.enqueue("message_callback", wCallbackUpdate{
		Type: "message_callback", Timestamp: s.nowMillis(),
		Callback: wCallback{Timestamp: s.nowMillis(), CallbackID: cb.id, Payload: payload, User: from},
		Message:  msg, UserLocale: u.locale(),
	})
	return cb.id
}

// ShareLocation presses a location button of a bot message: the user
// shares a location, which arrives as a message with a location
// attachment. It returns the update's sequence number.
func (u *User) ShareLocation(m *Message, label string, lat, lon float64) (int64, error) {
	b, ok := m.Button(label)
	if !ok || b.Type != "request_geo_location" {
		return 0, fmt.Errorf("maxtest: ShareLocation: no location button %q in message %s", label, m)
	}
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, _, err := s.pressTarget(m)
	if err != nil {
		return 0, fmt.Errorf("maxtest: ShareLocation: %v", err)
	}
	return s.sendFromUser(c, u.sync(), u.locale(), "", []wAttachment{{Type: "location", Latitude: &lat, Longitude: &lon}}), nil
}

// Edit edits a message the user sent (by mid), enqueuing a
// message_edited.
func (u *User) Edit(mid, text string) (int64, error) {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.chats {
		if st := c.byMID[mid]; st != nil {
			if !st.fromUser || st.sender.UserID != u.ID {
				return 0, fmt.Errorf("maxtest: Edit: message %s is not the user's", mid)
			}
			st.m.Text = text
			return s.enqueue("message_edited", wMessageUpdate{Type: "message_edited", Timestamp: s.nowMillis(), Message: s.wireMessage(c, st)}), nil
		}
	}
	return 0, fmt.Errorf("maxtest: Edit: no message %s", mid)
}

// Delete deletes a message in the user's dialog (the user's or the
// bot's), enqueuing a message_removed.
func (u *User) Delete(mid string) (int64, error) {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := u.dialog()
	st := c.byMID[mid]
	if st == nil || st.m.Deleted {
		return 0, fmt.Errorf("maxtest: Delete: no message %s in the dialog", mid)
	}
	st.m.Deleted = true
	return s.enqueue("message_removed", wRemovedUpdate{Type: "message_removed", Timestamp: s.nowMillis(), MessageID: mid, ChatID: c.id, UserID: u.ID}), nil
}

// Block stops the bot (the user presses Stop): a bot_stopped update, and
// from now on every message to the user answers 403 chat.denied. It
// returns the update's sequence number (0 if already stopped). Start or
// Unblock resumes.
func (u *User) Block() int64 {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := u.dialog()
	if c.stopped {
		return 0
	}
	c.stopped = true
	return s.enqueue("bot_stopped", wDialogUpdate{Type: "bot_stopped", Timestamp: s.nowMillis(), ChatID: c.id, User: u.sync(), UserLocale: u.LanguageCode})
}

// BlockUnseen stops the bot without the update reaching the bot: it can
// learn of it only from the 403 of its next message.
func (u *User) BlockUnseen() {
	s := u.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	u.dialog().stopped = true
}

// Unblock resumes a stopped bot, which on MAX is pressing Start again: a
// bot_started without payload. It returns the update's sequence number (0
// if the bot was not stopped).
func (u *User) Unblock() int64 {
	s := u.r.s
	s.mu.Lock()
	stopped := u.dialog().stopped
	s.mu.Unlock()
	if !stopped {
		return 0
	}
	return u.Start("")
}

// Messages returns the messages the bot sent to the user, in order,
// deleted ones included (flagged).
func (u *User) Messages() []Message { return u.r.messages() }

// Last returns the last message the bot sent to the user.
func (u *User) Last() (Message, bool) { return u.r.last() }

// Next waits (up to the wait timeout, SetWaitTimeout) for the next event
// after the user's read cursor — a new bot message or an edit of one — and
// returns the message's state after that event, advancing the cursor. On
// timeout it fails the test with a dump of the dialog.
func (u *User) Next(tb testing.TB) Message {
	tb.Helper()
	return u.r.next(tb, "user "+strconv.FormatInt(u.ID, 10))
}

// NextWithin is Next without failing: it reports false after d.
func (u *User) NextWithin(d time.Duration) (Message, bool) { return u.r.nextWithin(d) }

// Drain returns every event after the read cursor without waiting and
// moves the cursor to the end.
func (u *User) Drain() []Message { return u.r.drain() }

// Answer waits for the bot's answer to a button press of this user and
// returns it; it fails the test on timeout or for an unknown id.
func (u *User) Answer(tb testing.TB, callbackID string) CallbackAnswer {
	tb.Helper()
	s := u.r.s
	s.mu.Lock()
	cb := s.callbacks[callbackID]
	s.mu.Unlock()
	if cb == nil {
		tb.Fatalf("maxtest: Answer: unknown callback %q", callbackID)
		return CallbackAnswer{}
	}
	a, ok := u.AnswerWithin(callbackID, s.watch.Timeout())
	if !ok {
		s.mu.Lock()
		dump := s.dumpChat(cb.chatID, u.r.cursor)
		s.mu.Unlock()
		tb.Fatalf("maxtest: callback %s not answered within %v\n%s", callbackID, s.watch.Timeout(), dump)
	}
	return a
}

// AnswerWithin waits up to d for the bot's answer to a button press and
// reports whether it came.
func (u *User) AnswerWithin(callbackID string, d time.Duration) (CallbackAnswer, bool) {
	s := u.r.s
	var a CallbackAnswer
	ok := s.watch.WaitUntil(d, func() bool {
		c := s.callbacks[callbackID]
		if c == nil || !c.answered {
			return false
		}
		a = c.answer
		if a.Message != nil {
			m := a.Message.clone()
			a.Message = &m
		}
		return true
	})
	return a, ok
}

// Group is a simulated group chat with the bot as a member.
type Group struct {
	// ID is the chat id (negative).
	ID int64
	// Title is the chat title.
	Title string

	r reader
}

// NewGroup creates a group chat with the bot in it (no update: use AddBot
// for a bot_added). id must be negative.
func (s *Server) NewGroup(id int64, title string) *Group {
	if id >= 0 {
		panic("maxtest: NewGroup: group id must be negative")
	}
	s.mu.Lock()
	if s.chats[id] == nil {
		s.chats[id] = &chatState{id: id, typ: "chat", title: title, byMID: map[string]*msgState{}}
	}
	s.mu.Unlock()
	return &Group{ID: id, Title: title, r: reader{s: s, chatID: id}}
}

// Send enqueues a text message from a user in the group.
func (g *Group) Send(from *User, text string) int64 {
	s := g.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendFromUser(s.chats[g.ID], from.sync(), nil, text, nil)
}

// AddBot adds the bot to the group: a bot_added by a user.
func (g *Group) AddBot(by *User) int64 {
	s := g.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chats[g.ID].removed = false
	return s.enqueue("bot_added", wMembershipUpdate{Type: "bot_added", Timestamp: s.nowMillis(), ChatID: g.ID, User: by.sync()})
}

// RemoveBot removes the bot from the group: a bot_removed by a user; the
// bot's messages to the group answer 403 chat.denied from now on.
func (g *Group) RemoveBot(by *User) int64 {
	s := g.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chats[g.ID].removed = true
	return s.enqueue("bot_removed", wMembershipUpdate{Type: "bot_removed", Timestamp: s.nowMillis(), ChatID: g.ID, User: by.sync()})
}

// Join adds a user to the group: a user_added, invited by inviter (nil
// when the user joined by link).
func (g *Group) Join(u, inviter *User) int64 {
	s := g.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	up := wMembershipUpdate{Type: "user_added", Timestamp: s.nowMillis(), ChatID: g.ID, User: u.sync()}
	if inviter != nil {
		id := inviter.ID
		up.InviterID = &id
	}
	return s.enqueue("user_added", up)
}

// Leave removes a user from the group: a user_removed, by admin (nil when
// the user left).
func (g *Group) Leave(u, admin *User) int64 {
	s := g.r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	up := wMembershipUpdate{Type: "user_removed", Timestamp: s.nowMillis(), ChatID: g.ID, User: u.sync()}
	if admin != nil {
		id := admin.ID
		up.AdminID = &id
	}
	return s.enqueue("user_removed", up)
}

// Messages returns the messages the bot sent to the group, in order.
func (g *Group) Messages() []Message { return g.r.messages() }

// Last returns the last message the bot sent to the group.
func (g *Group) Last() (Message, bool) { return g.r.last() }

// Next waits for the next new or edited bot message in the group, like
// User.Next.
func (g *Group) Next(tb testing.TB) Message {
	tb.Helper()
	return g.r.next(tb, "group "+strconv.FormatInt(g.ID, 10))
}

// NextWithin is Next without failing: it reports false after d.
func (g *Group) NextWithin(d time.Duration) (Message, bool) { return g.r.nextWithin(d) }

// Drain returns every event after the group's read cursor without waiting.
func (g *Group) Drain() []Message { return g.r.drain() }
