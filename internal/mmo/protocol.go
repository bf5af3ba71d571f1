package mmo

import (
	"strings"
	"time"
)

// Organisation is the methodical centre that runs the associations: its
// name heads every official document, its head signs and agrees them, and
// its language is the language of the documents, whatever the interface
// language of the person who downloads them.
type Organisation struct {
	Name      string // «Муниципальное бюджетное учреждение «Методический центр»»
	City      string // «г. Иваново»
	HeadTitle string // «Директор МБУ МЦ»
	HeadName  string // «Иванова Анна Петровна»
	Lang      string // documents' language; "" is Russian
}

// HowHost marks the person who runs an event (its chair): present by
// definition, with no check-in of their own.
const HowHost How = "host"

// HowMinutes marks a person present by the signed protocol who did not
// check in: the secretary, a chair other than the host.
const HowMinutes How = "minutes"

// ProtocolMarks are the marks a signed protocol adds to an event's (att):
// everyone it lists present who has no present mark of their own — the
// secretary is in the room by definition and rarely checks in — so that
// their /history and справка count the заседание as the protocol does.
// The chair's mark says HowHost, the others' HowMinutes.
func ProtocolMarks(e *Event, s *ProtocolSnapshot, att map[int64]*Attendance) []*Attendance {
	var out []*Attendance
	for _, p := range s.Present {
		if p.UserID == 0 {
			continue
		}
		if x, ok := att[p.UserID]; ok && x.Mark == MarkPresent {
			continue
		}
		how := HowMinutes
		if p.UserID == s.Chair.UserID {
			how = HowHost
		}
		out = append(out, &Attendance{EventID: e.ID, UserID: p.UserID, Mark: MarkPresent, How: how, At: e.Start})
	}
	return out
}

// WithHost returns the marks of an event with its host counted present:
// the leader who runs a meeting does not check herself in, and a record
// that showed the chair absent would be false. A mark the host has of
// their own is kept. host 0 means no host; att is not changed.
func WithHost(e *Event, att map[int64]*Attendance, host int64) map[int64]*Attendance {
	if host == 0 {
		return att
	}
	if x, ok := att[host]; ok && x.Mark == MarkPresent {
		return att
	}
	out := make(map[int64]*Attendance, len(att)+1)
	for k, v := range att {
		out[k] = v
	}
	out[host] = &Attendance{EventID: e.ID, UserID: host, Mark: MarkPresent, How: HowHost, At: e.Start}
	return out
}

// Total returns how many people voted.
func (v Votes) Total() int { return v.For + v.Against + v.Abstained }

// FitsPresent reports whether a vote can have been cast by the present:
// no more votes than people in the room.
func (v Votes) FitsPresent(present int) bool { return v.Total() <= present }

// Unanimous is the vote of all present for.
func Unanimous(present int) Votes { return Votes{For: present} }

// ProtocolPerson is a person as a signed protocol prints them. UserID
// (0 for a guest or a typed name) lets a person who deletes their data
// be redacted from a protocol that still counts them.
type ProtocolPerson struct {
	UserID int64  `json:"user_id,omitempty"`
	Name   string `json:"name"`
	Role   string `json:"role,omitempty"`   // a guest's position
	Reason string `json:"reason,omitempty"` // an excused absence's reason
}

// ProtocolSnapshot is everything a protocol prints besides its items,
// frozen when the minutes are signed: later changes of membership, roles
// or the event never alter a signed protocol; only a new version does.
type ProtocolSnapshot struct {
	Number      int              `json:"number"`
	Start       time.Time        `json:"start"`
	End         time.Time        `json:"end"`
	Place       string           `json:"place,omitempty"`
	Topic       string           `json:"topic,omitempty"` // the meeting's topic; empty in protocols signed before it was kept
	Online      bool             `json:"online,omitempty"`
	Org         string           `json:"org,omitempty"`
	City        string           `json:"city,omitempty"`
	Association string           `json:"association"` // the official form: «учителей математики»
	Members     int              `json:"members"`     // members then: «8 чел. из 11»
	Present     []ProtocolPerson `json:"present"`
	Absent      []ProtocolPerson `json:"absent,omitempty"`
	Guests      []ProtocolPerson `json:"guests,omitempty"`
	Chair       ProtocolPerson   `json:"chair"`
	Secretary   ProtocolPerson   `json:"secretary"`
}

// OfficialName is the form of an association's name that follows
// «муниципального методического объединения» in a heading: «ММО учителей
// математики», «Муниципальное методическое объединение «учителей
// математики»» and «учителей математики» all give «учителей математики»,
// so a heading never doubles «ММО».
func OfficialName(name string) string {
	s := strings.TrimSpace(name)
	for {
		before := s
		s = strings.TrimSpace(strings.Trim(s, "«»\"'“”„ "))
		low := strings.ToLower(s)
		for _, p := range []string{"муниципальное методическое объединение", "муниципального методического объединения",
			"районное методическое объединение", "методическое объединение", "ммо", "рмо", "мо"} {
			if strings.HasPrefix(low, p) {
				rest := s[len(p):]
				if rest == "" || rest[0] == ' ' || strings.HasPrefix(rest, "«") || strings.HasPrefix(rest, "\"") {
					s = strings.TrimSpace(rest)
					break
				}
			}
		}
		if s == before {
			break
		}
	}
	if s == "" {
		return strings.TrimSpace(name)
	}
	return s
}

// Feminine reports whether a full name «Фамилия Имя Отчество» is a
// woman's, by the patronymic (-вна, -чна, -кызы), for the verbs of a
// document («принимала участие»). A name without one counts as not.
func Feminine(name string) bool {
	w := strings.Fields(strings.ToLower(name))
	if len(w) < 3 {
		return false
	}
	p := w[2]
	return strings.HasSuffix(p, "вна") || strings.HasSuffix(p, "чна") || strings.HasSuffix(p, "кызы")
}

// Mentions reports whether a line of the minutes names the person with
// the full name «Фамилия Имя Отчество»: the surname in any case ending
// (its stem, all but the last two letters, at least four) followed by
// the first initial, as in «Лидерову О. И. — об итогах» or «Лидерова
// О. И.: предложила».
func Mentions(line, fullName string) bool {
	w := strings.Fields(fullName)
	if len(w) < 2 {
		return false
	}
	sur := []rune(w[0])
	if len(sur) < 4 {
		return false
	}
	stem := strings.ToLower(string(sur[:max(4, len(sur)-2)]))
	initial := strings.ToLower(string([]rune(w[1])[:1])) + "."
	low := strings.ToLower(line)
	for i := 0; ; {
		j := strings.Index(low[i:], stem)
		if j < 0 {
			return false
		}
		rest := low[i+j+len(stem):]
		// the rest of the surname, then the initial
		k := strings.IndexFunc(rest, func(r rune) bool { return r == ' ' || r == '\u00a0' })
		if k >= 0 && k <= 6 && strings.HasPrefix(strings.TrimLeft(rest[k:], " \u00a0"), initial) {
			return true
		}
		i += j + len(stem)
	}
}

// Redact removes the name of a person who deleted their data from the
// minutes, keeping them counted (they print «участник (данные
// удалены)»). It reports whether anything changed. A signed version
// changes in nothing it prints: the name was already redacted on print.
func (m *Minutes) Redact(uid int64) bool {
	changed := false
	clear := func(p *ProtocolPerson) {
		if p.UserID == uid && p.Name != "" {
			p.Name, changed = "", true
		}
	}
	if m.Chair == uid && m.ChairName != "" {
		m.ChairName, changed = "", true
	}
	if s := m.Snapshot; s != nil {
		clear(&s.Chair)
		clear(&s.Secretary)
		for _, ps := range [][]ProtocolPerson{s.Present, s.Absent} {
			for i := range ps {
				clear(&ps[i])
			}
		}
	}
	return changed
}
