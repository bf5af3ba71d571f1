package sandbox

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// The chat page talks to a small JSON API:
//
//	GET  /api/state                      personas with unread counts, the clock
//	GET  /api/chat?persona=ID            the persona's chat, bot and own messages merged
//	POST /api/send      {persona, text}  type a message (commands too)
//	POST /api/press     {persona, message, data}  press an inline button; answers the bot's callback answer
//	POST /api/location  {persona, lat, lon}       share a location
//	POST /api/contact   {persona}                  share one's phone number
//	POST /api/upload    multipart: persona, file, caption, as=document|photo
//	POST /api/deeplink  {persona, payload}         open t.me/<bot>?start=payload
//	GET  /api/clock                      the bot's time
//	POST /api/clock     {advance: "1h"|"1d"|"1w"|Go duration}
//	GET  /api/file?persona=ID&message=N  a document or photo the bot sent (or &entry=N: one the persona sent)
//
// Errors are {"error": "..."} with a 4xx or 5xx status.

//go:embed page.html
var pageFS embed.FS

// maxUpload is the largest file a persona can send: what a bot can
// download from Telegram.
const maxUpload = 20 << 20

// pressWait is how long a press waits for the bot's callback answer.
const pressWait = 10 * time.Second

// Handler serves the chat page and its API. It answers only requests
// addressed to a loopback host, and refuses changes from pages of other
// origins, so that neither another site in the browser nor a DNS name
// rebound to 127.0.0.1 can act through it.
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.servePage)
	mux.HandleFunc("GET /api/state", s.apiState)
	mux.HandleFunc("GET /api/chat", s.apiChat)
	mux.HandleFunc("POST /api/send", s.apiSend)
	mux.HandleFunc("POST /api/press", s.apiPress)
	mux.HandleFunc("POST /api/location", s.apiLocation)
	mux.HandleFunc("POST /api/contact", s.apiContact)
	mux.HandleFunc("POST /api/upload", s.apiUpload)
	mux.HandleFunc("POST /api/deeplink", s.apiDeepLink)
	mux.HandleFunc("GET /api/clock", s.apiClock)
	mux.HandleFunc("POST /api/clock", s.apiAdvance)
	mux.HandleFunc("GET /api/file", s.apiFile)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			writeError(w, http.StatusForbidden, "the sandbox answers on loopback addresses only")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
				writeError(w, http.StatusForbidden, "cross-origin request refused")
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

func (s *Sandbox) servePage(w http.ResponseWriter, r *http.Request) {
	b, err := pageFS.ReadFile("page.html")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")
	w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// writeOK answers an action that has nothing to report but success.
func writeOK(w http.ResponseWriter) {
	writeJSON(w, map[string]bool{"ok": true})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// --- state ---------------------------------------------------------------

// StateJSON is the answer of GET /api/state.
type StateJSON struct {
	Now      time.Time     `json:"now"`
	Zone     string        `json:"zone"` // the bot's time zone (IANA name)
	Bot      BotJSON       `json:"bot"`
	Personas []PersonaJSON `json:"personas"`
	Notice   string        `json:"notice,omitempty"`
}

// BotJSON names the bot.
type BotJSON struct {
	Username string `json:"username"`
	Name     string `json:"name"`
}

// PersonaJSON is a persona as the sidebar shows it.
type PersonaJSON struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
	Lang string `json:"lang"`
	// Registered, Role and the profile come from the bot's store.
	Registered bool   `json:"registered"`
	Role       string `json:"role"`
	School     string `json:"school,omitempty"`
	Position   string `json:"position,omitempty"`
	Unread     int    `json:"unread"`
}

func (s *Sandbox) apiState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, s.state())
}

// state is what GET /api/state answers.
func (s *Sandbox) state() StateJSON {
	st := StateJSON{Now: s.clock.Now(), Zone: s.loc.String(), Bot: BotJSON{Username: BotUsername, Name: BotFirstName}, Notice: s.Notice}
	users := map[int64]*mmo.User{}
	s.main.DB.View(func(tx *boltdb.Tx) error {
		for _, p := range s.personas {
			if u, err := tx.UserByAccount(telegram.Messenger, p.ID); err == nil {
				users[p.ID] = u
			}
		}
		return nil
	})
	for _, p := range s.personas {
		pj := PersonaJSON{ID: p.ID, Kind: p.Kind, Name: p.FullName(), Lang: p.Lang, Role: mmo.RoleGuest.String()}
		if u := users[p.ID]; u != nil {
			pj.Registered = u.Registered()
			pj.Role = u.Role(p.ID == Coordinator).String()
			if u.Registered() {
				pj.Name, pj.School, pj.Position = u.Name, u.School, u.Position
			} else if u.Asker && u.Name != "" {
				pj.Name = u.Name
			}
		}
		pj.Unread = s.unread(p)
		st.Personas = append(st.Personas, pj)
	}
	return st
}

// unread counts the bot's messages to p that the page has not shown.
func (s *Sandbox) unread(p *persona) int {
	msgs := s.srv.Chat(p.ID)
	s.mu.Lock()
	seen := p.seen
	s.mu.Unlock()
	n := 0
	for i := seen; i < len(msgs); i++ {
		if !msgs[i].Deleted {
			n++
		}
	}
	return n
}

// --- chat ----------------------------------------------------------------

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
	p := s.persona(w, r.URL.Query().Get("persona"))
	if p == nil {
		return
	}
	writeJSON(w, s.chat(p, true))
}

// chat is what GET /api/chat answers for a persona; markRead marks the
// bot's messages as shown.
func (s *Sandbox) chat(p *persona, markRead bool) ChatJSON {
	id := p.ID
	msgs := s.srv.Chat(id)
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
	own := func(upto int) {
		for ; li < len(log) && log[li].After <= upto; li++ {
			out.Items = append(out.Items, s.ownItem(id, li, log[li]))
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
func (s *Sandbox) botItem(pid int64, m telegramtest.Message) ItemJSON {
	it := ItemJSON{Key: "b" + strconv.Itoa(m.ID), From: "bot", Kind: "text", ID: m.ID, Date: m.Date, Edited: m.Edits > 0}
	text := m.Text
	fileURL := fmt.Sprintf("/api/file?persona=%d&message=%d", pid, m.ID)
	switch {
	case m.Photo != nil:
		it.Kind, text = "photo", m.Caption
		it.File = &FileJSON{Name: m.Photo.Name, MIME: m.Photo.MIME, Size: len(m.Photo.Bytes), URL: fileURL}
	case m.Document != nil:
		it.Kind, text = "document", m.Caption
		it.File = &FileJSON{Name: m.Document.Name, MIME: m.Document.MIME, Size: len(m.Document.Bytes), URL: fileURL}
	}
	it.HTML = renderText(text, m.ParseMode, BotUsername)
	for _, row := range m.Keyboard {
		var r []ButtonJSON
		for _, b := range row {
			bj := ButtonJSON{Text: b.Text, Data: b.Data, URL: b.URL}
			if b.URL != "" {
				bj.Start, bj.Deep = deepLinkPayload(b.URL, BotUsername)
			}
			r = append(r, bj)
		}
		it.Buttons = append(it.Buttons, r)
	}
	return it
}

// ownItem is something the persona did, as the page shows it.
func (s *Sandbox) ownItem(pid int64, n int, e entry) ItemJSON {
	it := ItemJSON{Key: "u" + strconv.Itoa(n), From: "me", Kind: e.Kind, Date: e.At.Truncate(time.Second), Lat: e.Lat, Lon: e.Lon}
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
	cmds := s.srv.ChatCommands(p.ID)
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

// --- actions -------------------------------------------------------------

// persona finds the persona named by an id parameter, answering 404 if
// there is none.
func (s *Sandbox) persona(w http.ResponseWriter, raw string) *persona {
	id, _ := strconv.ParseInt(raw, 10, 64)
	p := s.byID[id]
	if p == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no persona %q", raw))
	}
	return p
}

// act records what the persona does and does it (enqueues the update)
// under one lock, so the log and the updates keep the same order.
func (s *Sandbox) act(p *persona, e entry, do func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.After = len(s.srv.Chat(p.ID))
	e.At = s.clock.Now()
	p.log = append(p.log, e)
	do()
}

// actionRequest is the body of the POST actions.
type actionRequest struct {
	Persona json.Number `json:"persona"`
	Text    string      `json:"text"`
	Message int         `json:"message"`
	Data    string      `json:"data"`
	Lat     float64     `json:"lat"`
	Lon     float64     `json:"lon"`
	Payload string      `json:"payload"`
	Advance string      `json:"advance"`
}

func decode(w http.ResponseWriter, r *http.Request) (*actionRequest, bool) {
	var req actionRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad request body: "+err.Error())
		return nil, false
	}
	return &req, true
}

// action decodes the body of a persona's action and finds the persona.
// On failure it has answered the request and returns a nil persona.
func (s *Sandbox) action(w http.ResponseWriter, r *http.Request) (*actionRequest, *persona) {
	req, ok := decode(w, r)
	if !ok {
		return nil, nil
	}
	return req, s.persona(w, req.Persona.String())
}

func (s *Sandbox) apiSend(w http.ResponseWriter, r *http.Request) {
	req, p := s.action(w, r)
	if p == nil {
		return
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		writeError(w, http.StatusBadRequest, "empty message")
		return
	}
	if len([]rune(text)) > 4096 {
		writeError(w, http.StatusBadRequest, "a message is at most 4096 characters")
		return
	}
	s.sendText(p, text)
	writeOK(w)
}

// sendText types a message as the persona.
func (s *Sandbox) sendText(p *persona, text string) {
	s.act(p, entry{Kind: "text", Text: text}, func() { p.user.Send(text) })
}

// PressResult is the answer of POST /api/press: the bot's callback
// answer, shown as a toast or, with Alert, as an alert.
type PressResult struct {
	Text     string `json:"text"`
	Alert    bool   `json:"alert"`
	URL      string `json:"url,omitempty"`
	Answered bool   `json:"answered"`
}

func (s *Sandbox) apiPress(w http.ResponseWriter, r *http.Request) {
	req, p := s.action(w, r)
	if p == nil {
		return
	}
	if req.Data == "" {
		writeError(w, http.StatusBadRequest, "no callback data")
		return
	}
	writeJSON(w, s.press(p, req.Message, req.Data))
}

// press presses the inline button with callback data on a message of the
// persona's chat and waits for the bot's answer to it.
func (s *Sandbox) press(p *persona, message int, data string) PressResult {
	label := data
	for _, m := range s.srv.Chat(p.ID) {
		if m.ID != message {
			continue
		}
		for _, b := range m.Buttons() {
			if b.Data == data {
				label = b.Text
			}
		}
	}
	var qid string
	s.act(p, entry{Kind: "press", Text: label}, func() { qid = p.user.PressData(message, data) })
	a, ok := p.user.AnswerWithin(qid, pressWait)
	return PressResult{Text: a.Text, Alert: a.ShowAlert, URL: a.URL, Answered: ok}
}

func (s *Sandbox) apiLocation(w http.ResponseWriter, r *http.Request) {
	req, p := s.action(w, r)
	if p == nil {
		return
	}
	if req.Lat < -90 || req.Lat > 90 || req.Lon < -180 || req.Lon > 180 {
		writeError(w, http.StatusBadRequest, "no such place on Earth")
		return
	}
	s.act(p, entry{Kind: "location", Lat: req.Lat, Lon: req.Lon}, func() { p.user.SendLocation(req.Lat, req.Lon) })
	writeOK(w)
}

func (s *Sandbox) apiContact(w http.ResponseWriter, r *http.Request) {
	_, p := s.action(w, r)
	if p == nil {
		return
	}
	s.act(p, entry{Kind: "contact", Text: p.Phone}, func() { p.user.SendContact(p.Phone) })
	writeOK(w)
}

func (s *Sandbox) apiDeepLink(w http.ResponseWriter, r *http.Request) {
	req, p := s.action(w, r)
	if p == nil {
		return
	}
	// The payload goes to the bot as is, so it is checked as is: building
	// a link of it and parsing that back would let "a&b=c" through.
	if req.Payload != "" && !chat.ValidPayload(req.Payload) {
		writeError(w, http.StatusBadRequest, "bad start payload")
		return
	}
	s.openLink(p, req.Payload)
	writeOK(w)
}

// openLink opens a deep link to the bot as the persona: Telegram sends
// "/start PAYLOAD" and shows the user "/start".
func (s *Sandbox) openLink(p *persona, payload string) {
	text := "/start"
	if payload != "" {
		text += " " + payload
	}
	s.act(p, entry{Kind: "text", Text: "/start"}, func() { p.user.Send(text) })
}

func (s *Sandbox) apiUpload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	if err := r.ParseMultipartForm(maxUpload); err != nil {
		writeError(w, http.StatusBadRequest, "bad upload (at most 20 MB): "+err.Error())
		return
	}
	p := s.persona(w, r.FormValue("persona"))
	if p == nil {
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		writeError(w, http.StatusBadRequest, "no file: "+err.Error())
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		writeError(w, http.StatusBadRequest, "cannot read the file: "+err.Error())
		return
	}
	if len(data) == 0 {
		writeError(w, http.StatusBadRequest, "empty file")
		return
	}
	name := path.Base(strings.ReplaceAll(hdr.Filename, `\`, "/"))
	caption := strings.TrimSpace(r.FormValue("caption"))
	asPhoto := r.FormValue("as") != "document" && isPicture(data)
	s.upload(p, name, data, caption, asPhoto)
	writeOK(w)
}

// upload sends a file as the persona: a photo or a document.
func (s *Sandbox) upload(p *persona, name string, data []byte, caption string, asPhoto bool) {
	f := &file{Name: name, MIME: fileMIME(name, http.DetectContentType(data)), Data: data}
	if asPhoto {
		s.act(p, entry{Kind: "photo", Text: caption, File: f}, func() { p.user.SendPhoto(data, caption) })
		return
	}
	s.act(p, entry{Kind: "document", Text: caption, File: f}, func() { p.user.SendDocument(name, data, caption) })
}

// isPicture reports whether data is an image Telegram takes as a photo.
func isPicture(data []byte) bool {
	switch http.DetectContentType(data) {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}

// fileMIME is the type a persona's upload is shown and served with: by
// the name's extension for the formats the bot works with, which content
// sniffing takes for a zip archive or plain text, else known. The bot's
// documents need none of this: the fake server types them by name as
// Telegram does.
func fileMIME(name, known string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".ics":
		return "text/calendar"
	case ".csv":
		return "text/csv"
	case ".png":
		return "image/png"
	case ".pdf":
		return "application/pdf"
	}
	if known == "" {
		return "application/octet-stream"
	}
	return known
}

// --- clock ---------------------------------------------------------------

// ClockJSON is the answer of the clock API.
type ClockJSON struct {
	Now  time.Time `json:"now"`
	Zone string    `json:"zone"`
}

// clockJSON is the bot's time, as the clock API answers it.
func (s *Sandbox) clockJSON() ClockJSON {
	return ClockJSON{Now: s.clock.Now(), Zone: s.loc.String()}
}

func (s *Sandbox) apiClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, s.clockJSON())
}

func (s *Sandbox) apiAdvance(w http.ResponseWriter, r *http.Request) {
	req, ok := decode(w, r)
	if !ok {
		return
	}
	d, err := ParseAdvance(req.Advance)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.Advance(d); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, s.clockJSON())
}

// maxAdvance bounds one move of the clock.
const maxAdvance = 400 * 24 * time.Hour

// ParseAdvance reads how far to move the clock: a Go duration ("90m",
// "1h30m") or whole days and weeks ("3d", "1w"), possibly combined
// ("1w2d", "1d12h"), between a minute and 400 days.
func ParseAdvance(s string) (time.Duration, error) {
	in := strings.ToLower(strings.ReplaceAll(s, " ", ""))
	var total time.Duration
	rest := in
	for rest != "" {
		i := 0
		for i < len(rest) && (unicode.IsDigit(rune(rest[i])) || rest[i] == '.') {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("cannot read %q: write e.g. 1h, 90m, 3d, 1w", s)
		}
		unit := rest[i]
		if unit != 'd' && unit != 'w' {
			// The rest is a Go duration.
			d, err := time.ParseDuration(rest)
			if err != nil {
				return 0, fmt.Errorf("cannot read %q: write e.g. 1h, 90m, 3d, 1w", s)
			}
			total += d
			break
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 1000 {
			return 0, fmt.Errorf("cannot read %q: write e.g. 1h, 90m, 3d, 1w", s)
		}
		day := 24 * time.Hour
		if unit == 'w' {
			day *= 7
		}
		total += time.Duration(n) * day
		rest = rest[i+1:]
	}
	if total < time.Minute || total > maxAdvance {
		return 0, errors.New("the clock moves forward by a minute to 400 days at a time")
	}
	return total, nil
}

// --- files ---------------------------------------------------------------

func (s *Sandbox) apiFile(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := s.persona(w, q.Get("persona"))
	if p == nil {
		return
	}
	var name, typ string
	var data []byte
	inline := false
	if raw := q.Get("entry"); raw != "" {
		n, _ := strconv.Atoi(raw)
		s.mu.Lock()
		if n >= 0 && n < len(p.log) && p.log[n].File != nil {
			f := p.log[n].File
			name, typ, data, inline = f.Name, f.MIME, f.Data, p.log[n].Kind == "photo"
		}
		s.mu.Unlock()
	} else {
		id, _ := strconv.Atoi(q.Get("message"))
		for _, m := range s.srv.Chat(p.ID) {
			if m.ID != id || m.Deleted {
				continue
			}
			switch {
			case m.Photo != nil:
				name, typ, data, inline = m.Photo.Name, m.Photo.MIME, m.Photo.Bytes, true
			case m.Document != nil:
				name, typ, data = m.Document.Name, m.Document.MIME, m.Document.Bytes
			}
		}
	}
	if data == nil {
		writeError(w, http.StatusNotFound, "no such file")
		return
	}
	if name == "" {
		name = "photo.jpg"
	}
	if inline && !strings.HasPrefix(typ, "image/") {
		inline = false
	}
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}
