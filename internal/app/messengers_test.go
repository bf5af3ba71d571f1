package app

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/max"
	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// The end-to-end journeys that run through every messenger: a person is
// played through either fake server by the same steps, so one test is a
// table of messengers, not a copy per messenger.

// messengers are the messengers a journey runs through.
var messengers = []string{telegram.Messenger, max.Messenger}

// forEachMessenger runs a journey once per messenger, on a bot that
// serves that messenger alone.
func forEachMessenger(t *testing.T, journey func(t *testing.T, h *harness, on string)) {
	forEachMessengerWith(t, nil, journey)
}

// forEachMessengerWith is forEachMessenger with the config changed by
// edit.
func forEachMessengerWith(t *testing.T, edit func(*config.Config), journey func(t *testing.T, h *harness, on string)) {
	for _, on := range messengers {
		t.Run(on, func(t *testing.T) {
			h := newHarnessOn(t, on == telegram.Messenger, on == max.Messenger, edit)
			journey(t, h, on)
		})
	}
}

// newHarnessOn starts the bot on Telegram, MAX or both, each against its
// fake server, with the config changed by edit.
func newHarnessOn(t *testing.T, tg, mx bool, edit func(*config.Config)) *harness {
	t.Helper()
	srv := telegramtest.NewServer(t)
	h := &harness{t: t, srv: srv, cfg: testConfig(t, srv),
		clock: &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}, logs: &telegramtest.LogBuffer{}}
	if !tg {
		h.cfg.Telegram.Token = ""
	}
	if mx {
		h.mx = maxtest.NewServer(t)
		h.cfg.Max.Token = h.mx.Token()
		h.cfg.Max.APIURL = h.mx.URL()
		h.cfg.Max.PollTimeout = 2 * time.Second
		h.cfg.Max.RequestTimeout = 5 * time.Second
		h.cfg.Max.Workers = 4
		h.cfg.Max.PerSecond = 500 // tests type faster than people
	}
	// The administrator has an account in each messenger.
	h.cfg.Admins = append(h.cfg.Admins, config.Admin{Messenger: config.MessengerMax, ID: adminID})
	if edit != nil {
		edit(&h.cfg)
	}
	h.passOverDoneQuestions()
	h.start()
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Logf("bot log:\n%s", h.logs.String())
		}
	})
	return h
}

// msg is a message the bot sent, as a person reads it in either
// messenger: its id there, its text (a file's caption included), its
// buttons' labels and its file.
type msg struct {
	id      string
	text    string
	buttons []string
	file    []byte
	name    string
	// photo tells a picture from a document.
	photo bool

	tg telegramtest.Message
	mx maxtest.Message
}

// has reports whether the message has a button with a label containing
// label.
func (m msg) has(label string) bool {
	for _, b := range m.buttons {
		if strings.Contains(b, label) {
			return true
		}
	}
	return false
}

// url returns the target of the message's link button with label.
func (m msg) url(label string) (string, bool) {
	if b, ok := m.tg.Button(label); ok {
		return b.URL, true
	}
	if b, ok := m.mx.Button(label); ok {
		return b.URL, true
	}
	return "", false
}

// person is a simulated person in one messenger.
type person interface {
	// on is the messenger; account the person's id there.
	on() string
	account() int64
	send(text string)
	// open follows a link the bot gave (a deep link of the bot).
	open(t *testing.T, link string)
	// start starts the bot with a payload, as a deep link would, for
	// payloads no link of the bot's carries (forged, malformed).
	start(payload string)
	sendLocation(lat, lon float64)
	// shareLocation shares a location the way the bot's message m asks
	// for it: Telegram's one-time keyboard button, MAX's location button
	// on the message.
	shareLocation(t *testing.T, m msg, label string, lat, lon float64)
	// keyboardGone checks that the button of m that asked for a
	// location or a phone number is gone once the form moved on:
	// in Telegram the message read last took that keyboard away, in MAX
	// the question is redrawn without it, the next message to read.
	keyboardGone(t *testing.T, m msg)
	sendDocument(name string, data []byte, caption string)
	sendPhoto(data []byte, caption string)
	// shareContact shares a phone number the way the bot's message m
	// asks for it, as shareLocation does a location.
	shareContact(t *testing.T, m msg, label, phone string)
	next(t *testing.T) msg
	// unread returns the texts of the messages not read yet, reading
	// them.
	unread() []string
	// press presses a button and returns the text of the answer.
	press(t *testing.T, m msg, label string) string
	// pressRefused presses a button the bot must refuse, and returns the
	// text of the refusal: an alert in Telegram (failing if it is not
	// one), a notification in MAX, which has no alerts.
	pressRefused(t *testing.T, m msg, label string) string
	// pressForged presses, in the person's own chat, the data of a
	// button of a message sent to someone else, as a forged client would.
	pressForged(t *testing.T, m msg, label string) string
	// block stops the bot (Telegram's «Block», MAX's «Stop»); blockUnseen
	// does too without the bot being told; unblock starts it again.
	block()
	blockUnseen()
	unblock()
	// drain returns how many messages came that were not read yet.
	drain() int
}

// person creates a person with a Russian client in messenger on.
func (h *harness) person(on string, id int64, firstName string) person {
	return h.personIn(on, id, firstName, "ru")
}

// personIn creates a person whose client is in language lang.
func (h *harness) personIn(on string, id int64, firstName, lang string) person {
	if on == max.Messenger {
		if h.mx == nil {
			h.t.Fatal("the bot does not run on MAX")
		}
		return &maxPerson{u: h.mx.NewUser(id, firstName, lang)}
	}
	return &tgPerson{u: h.srv.NewUser(id, firstName, lang)}
}

type tgPerson struct {
	u *telegramtest.User
	// last is the message read last.
	last telegramtest.Message
}

func (p *tgPerson) on() string                                { return telegram.Messenger }
func (p *tgPerson) account() int64                            { return p.u.ID }
func (p *tgPerson) send(text string)                          { p.u.Send(text) }
func (p *tgPerson) sendLocation(lat, lon float64)             { p.u.SendLocation(lat, lon) }
func (p *tgPerson) sendDocument(n string, d []byte, c string) { p.u.SendDocument(n, d, c) }

func (p *tgPerson) block()       { p.u.Block() }
func (p *tgPerson) blockUnseen() { p.u.BlockUnseen() }
func (p *tgPerson) unblock()     { p.u.Unblock() }

func (p *tgPerson) start(payload string) { p.u.Send("/start " + payload) }

func (p *tgPerson) sendPhoto(d []byte, c string) { p.u.SendPhoto(d, c) }

func (p *tgPerson) shareContact(t *testing.T, m msg, label, phone string) {
	t.Helper()
	if !strings.Contains(m.tg.ReplyMarkup, "request_contact") || !strings.Contains(m.tg.ReplyMarkup, label) {
		t.Fatalf("no keyboard button %q to share a phone on %q: %s", label, m.text, m.tg.ReplyMarkup)
	}
	p.u.SendContact(phone)
}

func (p *tgPerson) keyboardGone(t *testing.T, m msg) {
	t.Helper()
	if !strings.Contains(p.last.ReplyMarkup, "remove_keyboard") {
		t.Errorf("%q, read after %q, keeps its keyboard: %s", p.last.Text, m.text, p.last.ReplyMarkup)
	}
}

func (p *tgPerson) unread() []string {
	var out []string
	for _, m := range p.u.Drain() {
		out = append(out, m.Text+m.Caption)
	}
	return out
}

func (p *tgPerson) shareLocation(t *testing.T, m msg, label string, lat, lon float64) {
	t.Helper()
	if !strings.Contains(m.tg.ReplyMarkup, "request_location") || !strings.Contains(m.tg.ReplyMarkup, label) {
		t.Fatalf("no keyboard button %q to share a location on %q: %s", label, m.text, m.tg.ReplyMarkup)
	}
	p.u.SendLocation(lat, lon)
}

func (p *tgPerson) open(t *testing.T, link string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Host != "t.me" {
		t.Fatalf("not a Telegram link: %q", link)
	}
	p.u.Send(strings.TrimSpace("/start " + u.Query().Get("start")))
}

func (p *tgPerson) next(t *testing.T) msg {
	t.Helper()
	m := p.u.Next(t)
	p.last = m
	out := msg{id: strconv.Itoa(m.ID), text: m.Text + m.Caption, tg: m}
	for _, b := range m.Buttons() {
		out.buttons = append(out.buttons, b.Text)
	}
	switch {
	case m.Document != nil:
		out.file, out.name = m.Document.Bytes, m.Document.Name
	case m.Photo != nil:
		out.file, out.name, out.photo = m.Photo.Bytes, m.Photo.Name, true
	}
	return out
}

func (p *tgPerson) drain() int { return len(p.u.Drain()) }

func (p *tgPerson) press(t *testing.T, m msg, label string) string {
	t.Helper()
	return press(t, p.u, m.tg, label).Text
}

func (p *tgPerson) pressRefused(t *testing.T, m msg, label string) string {
	t.Helper()
	a := press(t, p.u, m.tg, label)
	if !a.ShowAlert {
		t.Errorf("pressing %q: %q is not an alert", label, a.Text)
	}
	return a.Text
}

func (p *tgPerson) pressForged(t *testing.T, m msg, label string) string {
	t.Helper()
	b, ok := m.tg.Button(label)
	if !ok {
		t.Fatalf("no button %q on %q", label, m.text)
	}
	return p.u.Answer(t, p.u.PressData(m.tg.ID, b.Data)).Text
}

type maxPerson struct{ u *maxtest.User }

func (p *maxPerson) on() string                                { return max.Messenger }
func (p *maxPerson) account() int64                            { return p.u.ID }
func (p *maxPerson) send(text string)                          { p.u.Send(text) }
func (p *maxPerson) sendLocation(lat, lon float64)             { p.u.SendLocation(lat, lon) }
func (p *maxPerson) sendDocument(n string, d []byte, c string) { p.u.SendDocument(n, d, c) }

func (p *maxPerson) block()       { p.u.Block() }
func (p *maxPerson) blockUnseen() { p.u.BlockUnseen() }
func (p *maxPerson) unblock()     { p.u.Unblock() }

func (p *maxPerson) start(payload string) { p.u.Start(payload) }

func (p *maxPerson) sendPhoto(d []byte, c string) { p.u.SendPhoto(d, c) }

func (p *maxPerson) shareContact(t *testing.T, m msg, label, phone string) {
	t.Helper()
	if b, ok := m.mx.Button(label); !ok || b.Type != "request_contact" {
		t.Fatalf("no contact button %q on %q: %v", label, m.text, m.buttons)
	}
	p.u.Phone = phone
	if _, err := p.u.Press(&m.mx, label); err != nil {
		t.Fatal(err)
	}
}

func (p *maxPerson) keyboardGone(t *testing.T, m msg) {
	t.Helper()
	got := p.next(t)
	if got.id != m.id || got.text != m.text {
		t.Fatalf("%q came instead of %q redrawn", got.text, m.text)
	}
	for _, b := range got.mx.Buttons() {
		if b.Type == "request_geo_location" || b.Type == "request_contact" {
			t.Errorf("%q keeps the button %q", got.text, b.Text)
		}
	}
}

func (p *maxPerson) unread() []string {
	var out []string
	for _, m := range p.u.Drain() {
		out = append(out, m.Text)
	}
	return out
}

func (p *maxPerson) shareLocation(t *testing.T, m msg, label string, lat, lon float64) {
	t.Helper()
	if _, err := p.u.ShareLocation(&m.mx, label, lat, lon); err != nil {
		t.Fatal(err)
	}
}

func (p *maxPerson) open(t *testing.T, link string) {
	t.Helper()
	if _, err := p.u.OpenLink(link); err != nil {
		t.Fatal(err)
	}
}

func (p *maxPerson) next(t *testing.T) msg {
	t.Helper()
	m := p.u.Next(t)
	out := msg{id: m.ID, text: m.Text, mx: m}
	for _, b := range m.Buttons() {
		out.buttons = append(out.buttons, b.Text)
	}
	switch {
	case m.Document != nil:
		out.file, out.name = m.Document.Bytes, m.Document.Name
	case m.Photo != nil:
		out.file, out.name, out.photo = m.Photo.Bytes, m.Photo.Name, true
	}
	return out
}

func (p *maxPerson) drain() int { return len(p.u.Drain()) }

func (p *maxPerson) press(t *testing.T, m msg, label string) string {
	t.Helper()
	id, err := p.u.Press(&m.mx, label)
	if err != nil {
		t.Fatalf("press %q: %v (message %q)", label, err, m.text)
	}
	return p.u.Answer(t, id).Notification
}

func (p *maxPerson) pressRefused(t *testing.T, m msg, label string) string {
	t.Helper()
	return p.press(t, m, label)
}

func (p *maxPerson) pressForged(t *testing.T, m msg, label string) string {
	t.Helper()
	b, ok := m.mx.Button(label)
	if !ok {
		t.Fatalf("no button %q on %q", label, m.text)
	}
	// A MAX press always comes on a message of the person's own chat.
	own, ok := p.u.Last()
	if !ok {
		t.Fatal("the person has no message of the bot to press on")
	}
	return p.u.Answer(t, p.u.PressData(own.ID, b.Payload)).Notification
}

// expect returns the person's next message, failing if it lacks want.
func expect(t *testing.T, p person, want ...string) msg {
	t.Helper()
	m := p.next(t)
	for _, w := range want {
		if !strings.Contains(m.text, w) {
			t.Fatalf("%s: message %q lacks %q", p.on(), m.text, w)
		}
	}
	return m
}

// pointsAtButton fails unless m, which points at a location or phone
// button, says where the person's messenger shows it: Telegram «внизу»,
// in its keyboard at the bottom of the screen; MAX, which has no such
// keyboard, where the text says it is on a message (onMessage).
func pointsAtButton(t *testing.T, p person, m msg, onMessage string) {
	t.Helper()
	want, wrong := "внизу", onMessage
	if p.on() == max.Messenger {
		want, wrong = onMessage, "внизу"
	}
	if !strings.Contains(m.text, want) || strings.Contains(m.text, wrong) {
		t.Errorf("%s: %q does not say the button is %q", p.on(), m.text, want)
	}
}

// enrol walks a person through the whole registration.
func enrol(t *testing.T, p person, name, school, position string) {
	t.Helper()
	p.send("/start")
	enrolStarted(t, p, name, school, position)
}

// enrolStarted walks a person who started the bot (by /start or a link)
// through the registration, from the greeting on.
func enrolStarted(t *testing.T, p person, name, school, position string) {
	t.Helper()
	expect(t, p, "Здравствуйте")
	consent := expect(t, p, "152-ФЗ")
	p.press(t, consent, "Даю согласие")
	expect(t, p, "Согласие получено")
	expect(t, p, "Шаг 1 из 3")
	p.send(name)
	expect(t, p, "Шаг 2 из 3")
	p.send(school)
	expect(t, p, "Шаг 3 из 3")
	p.send(position)
	expect(t, p, "вы зарегистрированы")
}

// lookup reads the user of a person's account, if there is one.
func (h *harness) lookup(p person) (*mmo.User, error) {
	var u *mmo.User
	err := h.m.DB.View(func(tx *boltdb.Tx) error {
		var err error
		u, err = tx.UserByAccount(p.on(), p.account())
		return err
	})
	return u, err
}

// dialogOf reads the open dialog of a person, nil if none.
func (h *harness) dialogOf(p person) *mmo.Dialog {
	var d *mmo.Dialog
	h.m.DB.View(func(tx *boltdb.Tx) error {
		if u, err := tx.UserByAccount(p.on(), p.account()); err == nil {
			d, _ = tx.Dialog(u.ID)
		}
		return nil
	})
	return d
}

// stored reads the user of a person's account.
func (h *harness) stored(p person) *mmo.User {
	h.t.Helper()
	var u *mmo.User
	err := h.m.DB.View(func(tx *boltdb.Tx) error {
		var err error
		u, err = tx.UserByAccount(p.on(), p.account())
		return err
	})
	if err != nil {
		h.t.Fatalf("the user of %s account %d: %v", p.on(), p.account(), err)
	}
	return u
}

// retiredIn reads p's next message, which must be m redrawn in place
// with want in it and none of the dead buttons: a message whose buttons
// the bot took away once they could no longer act.
func retiredIn(t *testing.T, p person, m msg, want string, dead ...string) msg {
	t.Helper()
	got := expect(t, p, want)
	if got.id != m.id {
		t.Fatalf("message %s came instead of %s redrawn: %q", got.id, m.id, got.text)
	}
	for _, d := range dead {
		if got.has(d) {
			t.Errorf("%s keeps the dead button %q: %v", got.id, d, got.buttons)
		}
	}
	return got
}
