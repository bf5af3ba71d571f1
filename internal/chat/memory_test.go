package chat

import (
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/locales"
)

// memory is a messenger held in memory, for the conversation's own
// tests: people type and press buttons, the engine handles each update
// as it would one from Telegram, and the outbox is delivered into their
// chats at once, in the order a transport sends it. No network, no
// Telegram, no waiting: when send or press returns, everything the
// update caused is in the chats, so a test may assert that nothing else
// came.
type memory struct {
	t      testing.TB
	db     *boltdb.DB
	engine *Engine
	clock  *testClock
	update uint64

	chats map[int64]*memChat
	// menus are the command menus set: by chat, and the defaults by
	// language code.
	menus    map[int64][]Command
	defaults map[string][]Command
	menuSets int // menu calls, a default or a chat's
}

// memoryName is the messenger's name in updates and the outbox.
const memoryName = "memory"

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// memChat is one chat: its messages, and the log of what changed in it
// (a message sent, or edited), which next reads.
type memChat struct {
	msgs   []*memMsg
	log    []memMsg // a copy of the message as it was after each change
	read   int
	nextID int
}

// memMsg is a message in a chat.
type memMsg struct {
	ID      string
	Kind    Kind
	Text    string
	Buttons [][]Button
	File    string // the name of a document or photo
	Data    []byte // the document's bytes
	// Keyboard is the label of a reply keyboard button it showed
	// (location or contact), "" if none.
	Keyboard string
}

// button returns the button labelled label (or containing it).
func (m *memMsg) button(label string) (Button, bool) {
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Label == label {
				return b, true
			}
		}
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Label, label) {
				return b, true
			}
		}
	}
	return Button{}, false
}

func (m *memMsg) verbs() []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Verb != "" {
				out = append(out, b.Verb)
			}
		}
	}
	return out
}

// memTransport is the memory messenger as the engine knows it.
var memTransport = Transport{
	Messenger: memoryName,
	Bot:       "memory_bot",
	DeepLink: func(payload string) string {
		if payload == "" {
			return "memory://bot"
		}
		return "memory://bot?start=" + payload
	},
	MaxText: 4096,
}

// memAccount is the account list of a person of the memory messenger.
func memAccount(id int64) []mmo.Account {
	return []mmo.Account{{Messenger: memoryName, ID: id}}
}

// newMemory opens a store in a temporary directory and an engine over it
// speaking the memory messenger; edit may change the options.
func newMemory(t testing.TB, edit func(*Options)) *memory {
	t.Helper()
	// The store stamps its marks by the engine's clock, as in the bot.
	clock := &testClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	db, err := boltdb.Open(filepath.Join(t.TempDir(), "mmo.db"), boltdb.Options{Timeout: time.Second, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m := &memory{t: t, db: db, clock: clock,
		chats: map[int64]*memChat{}, menus: map[int64][]Command{}, defaults: map[string][]Command{}}
	m.start(edit)
	return m
}

// start makes a new engine over the store, as a restart would.
func (m *memory) start(edit func(*Options)) {
	m.t.Helper()
	cat, err := i18n.New(locales.FS)
	if err != nil {
		m.t.Fatal(err)
	}
	msk, _ := time.LoadLocation("Europe/Moscow")
	opt := Options{
		Transports: []Transport{memTransport},
		Location:   msk,
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:        m.clock.Now,
		Reminders:  []time.Duration{24 * time.Hour, time.Hour},
	}
	if edit != nil {
		edit(&opt)
	}
	if m.engine, err = New(m.db, cat, opt); err != nil {
		m.t.Fatal(err)
	}
	// Before the store closes (cleanups run last first): the cards'
	// drawings and follow-ups beside the last updates end, not running
	// on a closed store.
	e := m.engine
	m.t.Cleanup(e.Stop)
}

// memPerson is someone writing to the bot through the memory messenger.
type memPerson struct {
	m     *memory
	id    int64
	first string
	lang  string
}

// person returns a person with a Russian client; their private chat has
// their id.
func (m *memory) person(id int64, first string) *memPerson {
	return &memPerson{m: m, id: id, first: first, lang: "ru"}
}

func (p *memPerson) chat() *memChat {
	c := p.m.chats[p.id]
	if c == nil {
		c = &memChat{nextID: 1}
		p.m.chats[p.id] = c
	}
	return c
}

// handle sends an update from the person and delivers what it caused.
func (p *memPerson) handle(u Update) Result {
	p.m.t.Helper()
	res := p.handleOnly(u)
	p.m.deliver()
	return res
}

// handleOnly sends an update from the person and returns once it is
// handled, delivering nothing and not waiting for its follow-ups.
func (p *memPerson) handleOnly(u Update) Result {
	p.m.t.Helper()
	p.m.update++
	u.Messenger, u.ID = memoryName, p.m.update
	u.From = &Sender{ID: p.id, FirstName: p.first, LanguageCode: p.lang}
	u.Chat, u.Private = p.id, true
	res, err := p.m.engine.Handle(p.m.t.Context(), &u)
	if err != nil {
		p.m.t.Fatalf("handle: %v", err)
	}
	return res
}

// send types a text (or a command).
func (p *memPerson) send(text string) {
	p.m.t.Helper()
	u := Update{Text: text}
	if strings.HasPrefix(text, "/") {
		word, rest, _ := strings.Cut(text[1:], " ")
		u.Command, u.Args = strings.ToLower(word), strings.TrimSpace(rest)
	}
	p.handle(u)
}

// pressOf is the update of a press of the button labelled label on msg.
func (p *memPerson) pressOf(msg memMsg, label string) Update {
	p.m.t.Helper()
	b, ok := msg.button(label)
	if !ok || b.Verb == "" {
		p.m.t.Fatalf("no button %q on %q", label, msg.Text)
	}
	return Update{Press: &Press{ID: "q" + strconv.FormatUint(p.m.update+1, 10), Verb: b.Verb, Args: b.Args, Message: msg.ID, Verbs: msg.verbs()}}
}

// press presses the button labelled label on msg and returns its answer.
func (p *memPerson) press(msg memMsg, label string) Answer {
	p.m.t.Helper()
	res := p.handle(p.pressOf(msg, label))
	if res.Answer == nil {
		p.m.t.Fatalf("the press of %q was not answered", label)
	}
	return *res.Answer
}

// next returns the next message sent to the person, or edited in their
// chat, as it was then; it fails if none came.
func (p *memPerson) next(want ...string) memMsg {
	p.m.t.Helper()
	c := p.chat()
	if c.read == len(c.log) {
		p.m.t.Fatalf("user %d: no message, want one with %q", p.id, want)
	}
	msg := c.log[c.read]
	c.read++
	for _, w := range want {
		if !strings.Contains(msg.Text, w) {
			p.m.t.Fatalf("user %d: message %q lacks %q", p.id, msg.Text, w)
		}
	}
	return msg
}

// quiet fails if the person has messages not yet read.
func (p *memPerson) quiet() {
	p.m.t.Helper()
	c := p.chat()
	if c.read < len(c.log) {
		p.m.t.Fatalf("user %d: unexpected message %q", p.id, c.log[c.read].Text)
	}
}

// due runs the scheduled scan and delivers what it queued.
func (m *memory) due() {
	m.t.Helper()
	if _, _, _, err := m.engine.Due(); err != nil {
		m.t.Fatalf("due scan: %v", err)
	}
	m.deliver()
}

// deliver sends everything in the outbox, most urgent first and then in
// the order queued, as a transport does; an edit of a kept message whose
// own send waits behind it is tried again after that send.
func (m *memory) deliver() {
	m.t.Helper()
	m.engine.follow.Wait() // the follow-ups of the update handled last
	for round := 0; ; round++ {
		items, err := m.db.Outbox(0, 10000)
		if err != nil {
			m.t.Fatal(err)
		}
		if len(items) == 0 {
			return
		}
		if round > 10 {
			m.t.Fatalf("%d outbox items never delivered", len(items))
		}
		slices.SortStableFunc(items, func(a, b boltdb.OutboxItem) int {
			return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.ID, b.ID))
		})
		for _, it := range items {
			payload, err := m.db.OutboxPayload(it.ID)
			if err != nil || payload == nil {
				continue // replaced by a newer item meanwhile
			}
			var msg Message
			if err := json.Unmarshal(payload, &msg); err != nil {
				m.t.Fatalf("outbox item %d: %v", it.ID, err)
			}
			if !m.apply(it, &msg) {
				continue
			}
			if err := m.db.OutboxDone(it.ID, boltdb.Sent); err != nil {
				m.t.Fatal(err)
			}
		}
	}
}

// apply delivers one item; false leaves it for the next round.
func (m *memory) apply(it boltdb.OutboxItem, msg *Message) bool {
	m.t.Helper()
	if msg.Kind == KindMenu {
		m.menuSets++
		if msg.DefaultMenu {
			m.defaults[msg.Lang] = msg.Commands
		} else {
			m.menus[it.ChatID] = msg.Commands
		}
		return true
	}
	for _, row := range msg.Buttons {
		for _, b := range row {
			if err := checkButton(b); err != nil {
				m.t.Errorf("outbox item %d: %v", it.ID, err)
			}
		}
	}
	p := m.person(it.ChatID, "")
	c := p.chat()
	if msg.Kind == KindEdit || msg.Kind == KindRemove {
		target := msg.Target
		if msg.TargetKey != "" {
			rec, err := m.db.Sent(msg.TargetKey)
			switch {
			case errors.Is(err, mmo.ErrNotFound) || err == nil && rec.Chat != it.ChatID:
				return true // no such message: dropped
			case err != nil:
				m.t.Fatal(err)
			case rec.Message == "":
				return false // its send comes first
			}
			if away, err := m.db.CardElsewhere(msg.TargetKey, rec); err == nil && away && msg.UnlessAway {
				return true // a card drawn over since: dropped, as the dispatcher does
			}
			target = rec.Message
		}
		for i, old := range c.msgs {
			if old.ID != target {
				continue
			}
			if msg.Kind == KindRemove {
				c.msgs = append(c.msgs[:i:i], c.msgs[i+1:]...)
				if err := m.db.SentRemoved(msg.TargetKey, target); err != nil {
					m.t.Fatal(err)
				}
				return true
			}
			old.Text, old.Buttons = msg.Text, msg.Buttons
			c.log = append(c.log, *old)
			return true
		}
		m.t.Fatalf("an edit of message %q, not in chat %d", target, it.ChatID)
	}
	data := msg.File
	if msg.FileFrom == StoreFiles { // read when sent, as a transport does
		var err error
		if data, err = WithStoreFiles(m.db, nil)(m.t.Context(), msg.FileFrom, msg.FileID); err != nil {
			m.t.Fatalf("a stored file %s: %v", msg.FileID, err)
		}
	}
	nm := &memMsg{ID: strconv.Itoa(c.nextID), Kind: msg.Kind, Text: msg.Text, Buttons: msg.Buttons,
		File: msg.FileName, Data: data, Keyboard: msg.AskLocation + msg.AskContact}
	c.nextID++
	c.msgs = append(c.msgs, nm)
	c.log = append(c.log, *nm)
	if msg.Key != "" {
		if err := m.db.SentDelivered(msg.Key, it.ID, nm.ID); err != nil {
			m.t.Fatal(err)
		}
	}
	return true
}
