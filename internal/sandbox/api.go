package sandbox

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
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
//	POST /api/clock     {advance: "1h"|"1d"|"1w"|Go duration} or {to: "09:00"|"event"|"reset"}
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
			s.fail(w, r, http.StatusForbidden, "loopback_only")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
				s.fail(w, r, http.StatusForbidden, "cross_origin")
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
		s.failErr(w, r, http.StatusInternalServerError, err)
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
	// Messenger is "telegram" or "max".
	Messenger string `json:"messenger"`
	// Registered, Role and the profile come from the bot's store.
	Registered bool   `json:"registered"`
	Role       string `json:"role"`
	School     string `json:"school,omitempty"`
	Position   string `json:"position,omitempty"`
	Unread     int    `json:"unread"`
	// Associations are those the persona leads or is an active member
	// of, so the list says who is where.
	Associations []string `json:"associations,omitempty"`
}

func (s *Sandbox) apiState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, s.state())
}

// state is what GET /api/state answers.
func (s *Sandbox) state() StateJSON {
	st := StateJSON{Now: s.clock.Now(), Zone: s.loc.String(), Bot: BotJSON{Username: BotUsername, Name: BotFirstName}, Notice: s.Notice}
	users := map[int64]*mmo.User{}
	assocs := map[int64][]string{}
	s.main.DB.View(func(tx *boltdb.Tx) error {
		for _, p := range s.personas {
			u, err := tx.UserByAccount(p.messenger(), p.ID)
			if err != nil {
				continue
			}
			users[p.ID] = u
			ids := append([]uint64(nil), u.LeaderOf...)
			if ms, err := tx.UserMemberships(u.ID); err == nil {
				for _, m := range ms {
					if m.State == mmo.MemberActive && !slices.Contains(ids, m.AssociationID) {
						ids = append(ids, m.AssociationID)
					}
				}
			}
			for _, id := range ids {
				if a, err := tx.Association(id); err == nil && !a.Archived() {
					assocs[p.ID] = append(assocs[p.ID], a.Name)
				}
			}
		}
		return nil
	})
	for _, p := range s.personas {
		pj := PersonaJSON{ID: p.ID, Kind: p.Kind, Name: p.FullName(), Lang: p.Lang, Role: mmo.RoleGuest.String(), Messenger: p.messenger()}
		if u := users[p.ID]; u != nil {
			pj.Registered = u.Registered()
			pj.Role = u.Role(p.ID == Coordinator).String()
			if u.Registered() {
				pj.Name, pj.School, pj.Position = u.Name, u.School, u.Position
			} else if u.Asker && u.Name != "" {
				pj.Name = u.Name
			}
		}
		pj.Associations = assocs[p.ID]
		pj.Unread = s.unread(p)
		st.Personas = append(st.Personas, pj)
	}
	return st
}

// unread counts the bot's messages to p that the page has not shown.
func (s *Sandbox) unread(p *persona) int {
	msgs := p.c.messages()
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

// --- actions -------------------------------------------------------------

// persona finds the persona named by an id parameter, answering 404 if
// there is none.
func (s *Sandbox) persona(w http.ResponseWriter, r *http.Request, raw string) *persona {
	id, _ := strconv.ParseInt(raw, 10, 64)
	p := s.byID[id]
	if p == nil {
		s.fail(w, r, http.StatusNotFound, "no_persona", "ID", raw)
	}
	return p
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
	req, ok := s.decode(w, r)
	if !ok {
		return
	}
	if req.To != "" {
		if err := s.Jump(req.To); err != nil {
			if errors.Is(err, errNoEvent) {
				s.fail(w, r, http.StatusConflict, "no_event")
				return
			}
			s.failErr(w, r, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, s.clockJSON())
		return
	}
	d, err := ParseAdvance(req.Advance)
	if err != nil {
		s.failErr(w, r, http.StatusBadRequest, err)
		return
	}
	if err := s.Advance(d); err != nil {
		s.failErr(w, r, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, s.clockJSON())
}

// maxAdvance bounds one move of the clock.
const maxAdvance = 400 * 24 * time.Hour

// ParseAdvance reads how far to move the clock: a Go duration ("90m",
// "1h30m") or whole days and weeks ("3d", "1w"), possibly combined
// ("1w2d", "1d12h"), between a minute and 400 days. Units may be written
// in Russian as the sandbox's Russian words suggest them: «3д», «2 дня»,
// «1ч 30мин», «1 неделя».
func ParseAdvance(s string) (time.Duration, error) {
	in, ok := latinUnits(strings.ToLower(strings.ReplaceAll(s, " ", "")))
	if !ok {
		return 0, failure("clock_bad", "What", s)
	}
	var total time.Duration
	rest := in
	for rest != "" {
		i := 0
		for i < len(rest) && (unicode.IsDigit(rune(rest[i])) || rest[i] == '.') {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, failure("clock_bad", "What", s)
		}
		unit := rest[i]
		if unit != 'd' && unit != 'w' {
			// The rest is a Go duration.
			d, err := time.ParseDuration(rest)
			if err != nil {
				return 0, failure("clock_bad", "What", s)
			}
			total += d
			break
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 1000 {
			return 0, failure("clock_bad", "What", s)
		}
		day := 24 * time.Hour
		if unit == 'w' {
			day *= 7
		}
		total += time.Duration(n) * day
		rest = rest[i+1:]
	}
	if total < time.Minute || total > maxAdvance {
		return 0, failure("clock_range")
	}
	return total, nil
}

// latinUnits turns each Russian unit word of a clock advance into the
// letter ParseAdvance reads: н… (неделя) w, д… (день) d, ч… (час) h,
// м… (минута) m; a month («мес») or any other word is not read.
func latinUnits(s string) (string, bool) {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if !unicode.Is(unicode.Cyrillic, rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && unicode.Is(unicode.Cyrillic, rs[j]) {
			j++
		}
		word := string(rs[i:j])
		switch {
		case strings.HasPrefix(word, "мес"):
			return "", false
		case strings.HasPrefix(word, "н"):
			b.WriteByte('w')
		case strings.HasPrefix(word, "д"):
			b.WriteByte('d')
		case strings.HasPrefix(word, "ч"):
			b.WriteByte('h')
		case strings.HasPrefix(word, "м"):
			b.WriteByte('m')
		default:
			return "", false
		}
		i = j
	}
	return b.String(), true
}

// --- files ---------------------------------------------------------------

func (s *Sandbox) apiFile(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := s.persona(w, r, q.Get("persona"))
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
		for _, m := range p.c.messages() {
			if m.ID != id || m.Deleted || m.File == nil {
				continue
			}
			name, typ, data, inline = m.File.Name, m.File.MIME, m.File.Data, m.Photo
		}
	}
	if data == nil {
		s.fail(w, r, http.StatusNotFound, "no_file")
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
