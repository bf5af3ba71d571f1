package sandbox

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// ChatJSON is the answer of GET /api/chat.
type ChatJSON struct {
	Persona int64      `json:"persona"`
	Rev     string     `json:"rev"` // changes whenever anything shown changes
	Items   []ItemJSON `json:"items"`
	// Keyboard is the reply keyboard the bot shows under the text box
	// (a button sharing the location or the phone number), if any.
	Keyboard  [][]KeyJSON    `json:"keyboard,omitempty"`
	Locations []LocationJSON `json:"locations,omitempty"`
	Commands  []CommandJSON  `json:"commands,omitempty"`
}

// ItemJSON is one message of the chat: the bot's or the persona's own.
type ItemJSON struct {
	Key  string    `json:"key"`  // unique in the chat
	From string    `json:"from"` // "bot" or "me"
	Kind string    `json:"kind"` // text, document, photo; for "me" also press, location, contact
	ID   int       `json:"id,omitempty"`
	HTML string    `json:"html,omitempty"` // sanitized
	Date time.Time `json:"date"`
	// Edited reports that the bot edited the message since sending it.
	Edited  bool           `json:"edited,omitempty"`
	Buttons [][]ButtonJSON `json:"buttons,omitempty"`
	File    *FileJSON      `json:"file,omitempty"`
	Lat     float64        `json:"lat,omitempty"`
	Lon     float64        `json:"lon,omitempty"`
	// On is the bot message a press was on; Folded how many earlier
	// presses on it the pill stands for too (see foldPresses).
	On     int `json:"on,omitempty"`
	Folded int `json:"folded,omitempty"`
}

// ButtonJSON is an inline keyboard button.
type ButtonJSON struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
	// Deep marks a link to the bot; Start is its payload.
	Deep  bool   `json:"deep,omitempty"`
	Start string `json:"start,omitempty"`
}

// FileJSON is a document or photo, downloaded from URL.
type FileJSON struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Size int    `json:"size"`
	URL  string `json:"url"`
}

// KeyJSON is a reply keyboard button: Kind "location", "contact" or
// "text" (sends its label).
type KeyJSON struct {
	Text string `json:"text"`
	Kind string `json:"kind"`
}

// LocationJSON is a location the page offers to share: Kind "venue" (near
// the event's venue), "city" (a point in town) or "far".
type LocationJSON struct {
	Kind string  `json:"kind"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
}

// CommandJSON is an entry of the persona's command menu.
type CommandJSON struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

func (s *Sandbox) apiChat(w http.ResponseWriter, r *http.Request) {
	p := s.persona(w, r, r.URL.Query().Get("persona"))
	if p == nil {
		return
	}
	writeJSON(w, s.chat(p, true))
}

// chat is what GET /api/chat answers for a persona; markRead marks the
// bot's messages as shown.
func (s *Sandbox) chat(p *persona, markRead bool) ChatJSON {
	id := p.ID
	msgs := p.c.messages()
	s.mu.Lock()
	log := append([]entry(nil), p.log...)
	if markRead {
		p.seen = len(msgs)
	}
	s.mu.Unlock()

	out := ChatJSON{Persona: id, Items: []ItemJSON{}}
	var kb *replyMarkup
	kbAt := -1
	li := 0
	folded := foldPresses(log)
	own := func(upto int) {
		for ; li < len(log) && log[li].After <= upto; li++ {
			if folded[li] < 0 {
				continue // folded into a later press on the same message
			}
			it := s.ownItem(id, li, log[li])
			it.Folded = folded[li]
			out.Items = append(out.Items, it)
		}
	}
	for i, m := range msgs {
		own(i)
		if rm := parseReplyMarkup(m.ReplyMarkup); rm != nil {
			kb, kbAt = rm, i
			if rm.RemoveKeyboard || len(rm.Keyboard) == 0 {
				kb = nil
			}
		}
		if m.Deleted {
			continue
		}
		out.Items = append(out.Items, s.botItem(id, m))
	}
	own(len(msgs))
	if kb != nil && kb.OneTime {
		for _, e := range log {
			if e.After > kbAt && (e.Kind == "location" || e.Kind == "contact") {
				kb = nil // used: a one-time keyboard hides
				break
			}
		}
	}
	if kb != nil {
		hasLocation := false
		for _, row := range kb.Keyboard {
			var keys []KeyJSON
			for _, k := range row {
				kind := "text"
				switch {
				case k.RequestLocation:
					kind, hasLocation = "location", true
				case k.RequestContact:
					kind = "contact"
				}
				keys = append(keys, KeyJSON{Text: k.Text, Kind: kind})
			}
			out.Keyboard = append(out.Keyboard, keys)
		}
		if hasLocation {
			out.Locations = s.locations(id)
		}
	}
	out.Commands = s.commands(p)
	h := fnv.New64a()
	json.NewEncoder(h).Encode(out)
	out.Rev = strconv.FormatUint(h.Sum64(), 36)
	return out
}

// botItem is a bot message as the page shows it.
func (s *Sandbox) botItem(pid int64, m botMsg) ItemJSON {
	it := ItemJSON{Key: "b" + strconv.Itoa(m.ID), From: "bot", Kind: "text", ID: m.ID, Date: m.Date, Edited: m.Edited}
	fileURL := fmt.Sprintf("/api/file?persona=%d&message=%d", pid, m.ID)
	if m.File != nil {
		it.Kind = "document"
		if m.Photo {
			it.Kind = "photo"
		}
		it.File = &FileJSON{Name: m.File.Name, MIME: m.File.MIME, Size: len(m.File.Data), URL: fileURL}
	}
	it.HTML = renderText(m.Text, m.ParseMode, BotUsername)
	for _, row := range m.Keyboard {
		var r []ButtonJSON
		for _, b := range row {
			bj := b
			if b.URL != "" {
				bj.Start, bj.Deep = deepLinkPayload(b.URL, BotUsername)
			}
			r = append(r, bj)
		}
		it.Buttons = append(it.Buttons, r)
	}
	return it
}

// foldPresses collapses the pills of pressed buttons: of the presses on
// one message (a form's buttons pressed one after another, a view redrawn
// in place), only the latest shows, standing for the others. It returns,
// per log entry, -1 for a press folded away, else how many it stands for
// besides itself.
func foldPresses(log []entry) []int {
	out := make([]int, len(log))
	last := map[int]int{} // message → the index of its latest press
	for i, e := range log {
		if e.Kind != "press" || e.On == 0 {
			continue
		}
		if j, ok := last[e.On]; ok {
			out[i] = out[j] + 1
			out[j] = -1
		}
		last[e.On] = i
	}
	return out
}

// ownItem is something the persona did, as the page shows it.
func (s *Sandbox) ownItem(pid int64, n int, e entry) ItemJSON {
	it := ItemJSON{Key: "u" + strconv.Itoa(n), From: "me", Kind: e.Kind, Date: e.At.Truncate(time.Second), Lat: e.Lat, Lon: e.Lon, On: e.On}
	if e.Text != "" {
		it.HTML = renderText(e.Text, "", BotUsername)
	}
	if e.File != nil {
		it.File = &FileJSON{Name: e.File.Name, MIME: e.File.MIME, Size: len(e.File.Data), URL: fmt.Sprintf("/api/file?persona=%d&entry=%d", pid, n)}
	}
	return it
}

// replyMarkup is a reply keyboard as the bot sends it.
type replyMarkup struct {
	Keyboard [][]struct {
		Text            string `json:"text"`
		RequestLocation bool   `json:"request_location"`
		RequestContact  bool   `json:"request_contact"`
	} `json:"keyboard"`
	RemoveKeyboard bool `json:"remove_keyboard"`
	OneTime        bool `json:"one_time_keyboard"`
}

// parseReplyMarkup returns the reply keyboard (or its removal) a message
// carries, nil for none or an inline keyboard.
func parseReplyMarkup(raw string) *replyMarkup {
	if raw == "" || !strings.Contains(raw, "keyboard") {
		return nil
	}
	var rm replyMarkup
	if err := json.Unmarshal([]byte(raw), &rm); err != nil {
		return nil
	}
	if !rm.RemoveKeyboard && len(rm.Keyboard) == 0 {
		return nil
	}
	return &rm
}

// cityCentre is where a persona is when no venue is known: the centre of
// Ivanovo, whose regulation the defaults follow.
var cityCentre = [2]float64{57.00045, 40.97398}

// locations offers what to share when the bot asks for a location: near
// the venue of the event the persona is checking in at (when the bot's
// form names one), else a point in town, and somewhere far away.
func (s *Sandbox) locations(pid int64) []LocationJSON {
	here, kind := cityCentre, "city"
	s.main.DB.View(func(tx *boltdb.Tx) error {
		d, err := tx.Dialog(pid)
		if err != nil || d == nil || d.Flow != mmo.FlowCheckinLocation {
			return nil
		}
		id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
		if e, err := tx.Event(id); err == nil && e.Checkin.RequireLocation {
			here, kind = [2]float64{e.Checkin.Lat, e.Checkin.Lon}, "venue"
		}
		return nil
	})
	// About 40 m from the point, and about 7 km.
	return []LocationJSON{
		{Kind: kind, Lat: here[0] + 0.0003, Lon: here[1] + 0.0002},
		{Kind: "far", Lat: here[0] + 0.05, Lon: here[1] + 0.07},
	}
}

// commands is the persona's command menu as the bot set it: their own,
// else the one for their language, else the default.
func (s *Sandbox) commands(p *persona) []CommandJSON {
	// MAX has no menus per chat: a persona there sees the bot's commands
	// as a Telegram client without a menu of its own would.
	var cmds []telegramtest.BotCommand
	if p.messenger() == telegram.Messenger {
		cmds = s.srv.ChatCommands(p.ID)
	}
	if cmds == nil {
		cmds = s.srv.Commands("all_private_chats", p.Lang)
	}
	if cmds == nil {
		cmds = s.srv.Commands("all_private_chats", "")
	}
	if cmds == nil {
		cmds = s.srv.Commands("default", "")
	}
	out := make([]CommandJSON, 0, len(cmds))
	for _, c := range cmds {
		out = append(out, CommandJSON{Command: c.Command, Description: c.Description})
	}
	return out
}
