package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/mmobot/mmobot/internal/chat"
)

// act records what the persona does and does it (enqueues the update)
// under one lock, so the log and the updates keep the same order.
func (s *Sandbox) act(p *persona, e entry, do func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.After = len(p.c.messages())
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
	To      string      `json:"to"` // a jump of the clock (see Jump)
}

func (s *Sandbox) decode(w http.ResponseWriter, r *http.Request) (*actionRequest, bool) {
	var req actionRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		s.fail(w, r, http.StatusBadRequest, "bad_body", "Err", err.Error())
		return nil, false
	}
	return &req, true
}

// action decodes the body of a persona's action and finds the persona.
// On failure it has answered the request and returns a nil persona.
func (s *Sandbox) action(w http.ResponseWriter, r *http.Request) (*actionRequest, *persona) {
	req, ok := s.decode(w, r)
	if !ok {
		return nil, nil
	}
	return req, s.persona(w, r, req.Persona.String())
}

func (s *Sandbox) apiSend(w http.ResponseWriter, r *http.Request) {
	req, p := s.action(w, r)
	if p == nil {
		return
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		s.fail(w, r, http.StatusBadRequest, "empty_message")
		return
	}
	if len([]rune(text)) > 4096 {
		s.fail(w, r, http.StatusBadRequest, "too_long")
		return
	}
	s.sendText(p, text)
	writeOK(w)
}

// sendText types a message as the persona.
func (s *Sandbox) sendText(p *persona, text string) {
	s.act(p, entry{Kind: "text", Text: text}, func() { p.c.send(text) })
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
		s.fail(w, r, http.StatusBadRequest, "no_data")
		return
	}
	writeJSON(w, s.press(p, req.Message, req.Data))
}

// press presses the inline button with callback data on a message of the
// persona's chat and waits for the bot's answer to it.
func (s *Sandbox) press(p *persona, message int, data string) PressResult {
	label := data
	for _, m := range p.c.messages() {
		if m.ID != message {
			continue
		}
		for _, row := range m.Keyboard {
			for _, b := range row {
				if b.Data == data {
					label = b.Text
				}
			}
		}
	}
	var qid string
	s.act(p, entry{Kind: "press", Text: label, On: message}, func() { qid = p.c.press(message, data) })
	a, _ := p.c.answer(qid, pressWait)
	return a
}

func (s *Sandbox) apiLocation(w http.ResponseWriter, r *http.Request) {
	req, p := s.action(w, r)
	if p == nil {
		return
	}
	if req.Lat < -90 || req.Lat > 90 || req.Lon < -180 || req.Lon > 180 {
		s.fail(w, r, http.StatusBadRequest, "no_place")
		return
	}
	s.act(p, entry{Kind: "location", Lat: req.Lat, Lon: req.Lon}, func() { p.c.sendLocation(req.Lat, req.Lon) })
	writeOK(w)
}

func (s *Sandbox) apiContact(w http.ResponseWriter, r *http.Request) {
	_, p := s.action(w, r)
	if p == nil {
		return
	}
	s.act(p, entry{Kind: "contact", Text: p.Phone}, func() { p.c.sendContact(p.Phone) })
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
		s.fail(w, r, http.StatusBadRequest, "bad_payload")
		return
	}
	s.openLink(p, req.Payload)
	writeOK(w)
}

// openLink opens a deep link to the bot as the persona, in their
// messenger (Telegram sends "/start PAYLOAD", MAX a bot_started); the
// user sees "/start".
func (s *Sandbox) openLink(p *persona, payload string) {
	s.act(p, entry{Kind: "text", Text: "/start"}, func() { p.c.start(payload) })
}

func (s *Sandbox) apiUpload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	if err := r.ParseMultipartForm(maxUpload); err != nil {
		s.fail(w, r, http.StatusBadRequest, "bad_upload", "Err", err.Error())
		return
	}
	p := s.persona(w, r, r.FormValue("persona"))
	if p == nil {
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "no_upload", "Err", err.Error())
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "unreadable", "Err", err.Error())
		return
	}
	if len(data) == 0 {
		s.fail(w, r, http.StatusBadRequest, "empty_file")
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
		s.act(p, entry{Kind: "photo", Text: caption, File: f}, func() { p.c.sendPhoto(data, caption) })
		return
	}
	s.act(p, entry{Kind: "document", Text: caption, File: f}, func() { p.c.sendDocument(name, data, caption) })
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
