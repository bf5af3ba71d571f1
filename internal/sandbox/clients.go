package sandbox

import (
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// A persona's messenger app: the fake server's simulated user, what the
// persona does through it, and the bot's messages as the page shows them.
// Telegram personas use the fake Bot API server, MAX personas the fake
// MAX server; the rest of the sandbox does not tell them apart.

// botMsg is a message of the bot's in a persona's chat. ID numbers it in
// the chat for the page (Telegram's message id; the position in a MAX
// chat, whose ids are strings).
type botMsg struct {
	ID        int
	Date      time.Time
	Text      string // the caption of a file
	ParseMode string
	Edited    bool
	Deleted   bool
	Keyboard  [][]ButtonJSON
	// ReplyMarkup is a Telegram reply keyboard as sent, "" for none.
	ReplyMarkup string
	// File is the document or photo, nil for none.
	File  *sentFile
	Photo bool
}

// sentFile is a file the bot sent.
type sentFile struct {
	Name, MIME string
	Data       []byte
}

// messenger is what a persona does through their messenger.
type messenger interface {
	messages() []botMsg
	send(text string)
	sendLocation(lat, lon float64)
	sendContact(phone string)
	sendPhoto(data []byte, caption string)
	sendDocument(name string, data []byte, caption string)
	// start opens the bot with a deep link's payload ("" for none).
	start(payload string)
	// press presses the button with data on message id and returns the
	// id of the press, "" if there is none.
	press(id int, data string) string
	// answer waits up to d for the bot's answer to a press.
	answer(pressID string, d time.Duration) (PressResult, bool)
}

// tgClient is a persona in Telegram.
type tgClient struct {
	srv *telegramtest.Server
	u   *telegramtest.User
}

func (c *tgClient) messages() []botMsg {
	msgs := c.srv.Chat(c.u.ID)
	out := make([]botMsg, len(msgs))
	for i, m := range msgs {
		b := botMsg{ID: m.ID, Date: m.Date, Text: m.Text, ParseMode: m.ParseMode, Edited: m.Edits > 0, Deleted: m.Deleted,
			ReplyMarkup: m.ReplyMarkup}
		switch {
		case m.Photo != nil:
			b.Text, b.Photo = m.Caption, true
			b.File = &sentFile{Name: m.Photo.Name, MIME: m.Photo.MIME, Data: m.Photo.Bytes}
		case m.Document != nil:
			b.Text = m.Caption
			b.File = &sentFile{Name: m.Document.Name, MIME: m.Document.MIME, Data: m.Document.Bytes}
		}
		for _, row := range m.Keyboard {
			var r []ButtonJSON
			for _, k := range row {
				r = append(r, ButtonJSON{Text: k.Text, Data: k.Data, URL: k.URL})
			}
			b.Keyboard = append(b.Keyboard, r)
		}
		out[i] = b
	}
	return out
}

func (c *tgClient) send(text string)                  { c.u.Send(text) }
func (c *tgClient) sendLocation(lat, lon float64)     { c.u.SendLocation(lat, lon) }
func (c *tgClient) sendContact(phone string)          { c.u.SendContact(phone) }
func (c *tgClient) sendPhoto(data []byte, cap string) { c.u.SendPhoto(data, cap) }
func (c *tgClient) sendDocument(name string, data []byte, cap string) {
	c.u.SendDocument(name, data, cap)
}

// start: Telegram sends "/start PAYLOAD".
func (c *tgClient) start(payload string) { c.u.Send(strings.TrimSpace("/start " + payload)) }

func (c *tgClient) press(id int, data string) string { return c.u.PressData(id, data) }

func (c *tgClient) answer(id string, d time.Duration) (PressResult, bool) {
	a, ok := c.u.AnswerWithin(id, d)
	return PressResult{Text: a.Text, Alert: a.ShowAlert, URL: a.URL, Answered: ok}, ok
}

// maxClient is a persona in MAX.
type maxClient struct {
	u *maxtest.User
}

func (c *maxClient) messages() []botMsg {
	msgs := c.u.Messages()
	out := make([]botMsg, len(msgs))
	for i, m := range msgs {
		b := botMsg{ID: i + 1, Date: m.Date, Text: m.Text, ParseMode: m.Format, Edited: m.Edits > 0, Deleted: m.Deleted}
		switch {
		case m.Photo != nil:
			b.Photo = true
			b.File = &sentFile{Name: m.Photo.Name, MIME: m.Photo.MIME, Data: m.Photo.Bytes}
		case m.Document != nil:
			b.File = &sentFile{Name: m.Document.Name, MIME: m.Document.MIME, Data: m.Document.Bytes}
		}
		for _, row := range m.Keyboard {
			var r []ButtonJSON
			for _, k := range row {
				if k.Type == "request_geo_location" || k.Type == "request_contact" {
					continue // shown under the text box, as Telegram's reply keyboard
				}
				r = append(r, ButtonJSON{Text: k.Text, Data: k.Payload, URL: k.URL})
			}
			if len(r) > 0 {
				b.Keyboard = append(b.Keyboard, r)
			}
		}
		b.ReplyMarkup = maxReplyKeys(m)
		out[i] = b
	}
	return out
}

// maxReplyKeys writes the location and contact buttons of a MAX message
// as the Telegram reply keyboard the page knows how to show.
func maxReplyKeys(m maxtest.Message) string {
	var keys []string
	for _, row := range m.Keyboard {
		for _, k := range row {
			label := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(k.Text)
			switch k.Type {
			case "request_geo_location":
				keys = append(keys, `[{"text":"`+label+`","request_location":true}]`)
			case "request_contact":
				keys = append(keys, `[{"text":"`+label+`","request_contact":true}]`)
			}
		}
	}
	if len(keys) == 0 {
		return ""
	}
	return `{"keyboard":[` + strings.Join(keys, ",") + `],"one_time_keyboard":true}`
}

func (c *maxClient) send(text string)                  { c.u.Send(text) }
func (c *maxClient) sendLocation(lat, lon float64)     { c.u.SendLocation(lat, lon) }
func (c *maxClient) sendContact(phone string)          { c.u.SendContact(phone) }
func (c *maxClient) sendPhoto(data []byte, cap string) { c.u.SendPhoto(data, cap) }
func (c *maxClient) sendDocument(name string, data []byte, cap string) {
	c.u.SendDocument(name, data, cap)
}

// start: MAX sends a bot_started with the payload.
func (c *maxClient) start(payload string) { c.u.Start(payload) }

func (c *maxClient) press(id int, data string) string {
	msgs := c.u.Messages()
	if id < 1 || id > len(msgs) {
		return ""
	}
	return c.u.PressData(msgs[id-1].ID, data)
}

func (c *maxClient) answer(id string, d time.Duration) (PressResult, bool) {
	if id == "" {
		return PressResult{}, false
	}
	a, ok := c.u.AnswerWithin(id, d)
	return PressResult{Text: a.Notification, Answered: ok}, ok
}
