package mmo

import (
	"slices"
	"time"
)

// FlowRegisterEntry is an entry of a register being filled: Draft["e"] is its
// JSON, Step the field asked.
const FlowRegisterEntry = "register_entry"

// RegisterKind is one of the year-long registers of an association, each
// feeding a section of the annual report (Приложение 2).
type RegisterKind string

// Registers.
const (
	RegisterPractice    RegisterKind = "practice"    // обобщение опыта: report section 3
	RegisterContest     RegisterKind = "contest"     // профессиональные конкурсы: section 4
	RegisterOpenLesson  RegisterKind = "open_lesson" // открытые уроки, мастер-классы: section 5
	RegisterPublication RegisterKind = "publication" // публикации: section 6
	RegisterMentoring   RegisterKind = "mentoring"   // молодые специалисты и наставники: section 7
	RegisterAward       RegisterKind = "award"       // представления к наградам (Бийск 5.2)
)

// RegisterKinds are the registers in the order they are offered.
var RegisterKinds = []RegisterKind{RegisterContest, RegisterOpenLesson, RegisterPublication, RegisterPractice, RegisterMentoring, RegisterAward}

// RegisterField is a field of an entry: typed text, or a level chosen by
// a button.
type RegisterField struct {
	Name  string
	Level bool
	Max   int
}

// registerFields are the fields of each register, in the order asked.
var registerFields = map[RegisterKind][]RegisterField{
	RegisterPractice:    {{Name: "topic", Max: 300}, {Name: "form", Max: 200}},
	RegisterContest:     {{Name: "name", Max: 300}, {Name: "level", Level: true}, {Name: "result", Max: 200}},
	RegisterOpenLesson:  {{Name: "topic", Max: 300}, {Name: "form", Max: 200}, {Name: "level", Level: true}},
	RegisterPublication: {{Name: "where", Max: 300}, {Name: "title", Max: 300}},
	RegisterMentoring:   {{Name: "young", Max: 150}, {Name: "mentor", Max: 150}, {Name: "topics", Max: 500}},
	RegisterAward:       {{Name: "nominee", Max: 150}, {Name: "award", Max: 300}, {Name: "reason", Max: 500}},
}

// RegisterFields returns the fields of a register.
func RegisterFields(k RegisterKind) []RegisterField { return registerFields[k] }

// ValidRegisterKind reports whether k is a register.
func ValidRegisterKind(k RegisterKind) bool { return slices.Contains(RegisterKinds, k) }

// LeaderRegister reports whether only a leader (or coordinator) fills the
// register: proposals for awards are theirs to make.
func LeaderRegister(k RegisterKind) bool { return k == RegisterAward }

// Levels of contests and open events. An open event counts for the report
// from the municipal level up.
var Levels = []string{"school", "municipal", "regional", "federal", "international"}

// ValidLevel reports whether s is a level.
func ValidLevel(s string) bool { return slices.Contains(Levels, s) }

// RegisterEntry is one entry of a register.
type RegisterEntry struct {
	ID            uint64            `json:"id"`
	Kind          RegisterKind      `json:"kind"`
	AssociationID uint64            `json:"association"`
	UserID        int64             `json:"user"` // who entered it: the teacher it is about, or the leader
	Values        map[string]string `json:"values"`
	At            time.Time         `json:"at"`
}

// ValidateRegisterValue checks one field's value.
func ValidateRegisterValue(f RegisterField, s string) (string, error) {
	if f.Level {
		if !ValidLevel(s) {
			return "", Errorf(CodeInvalid, "level")
		}
		return s, nil
	}
	return ValidateLongText(f.Name, s, 2, f.Max)
}

// ReportSectionOf is the report section a register feeds, "" for none.
func ReportSectionOf(k RegisterKind) string {
	switch k {
	case RegisterPractice:
		return "practice"
	case RegisterContest:
		return "contests"
	case RegisterOpenLesson:
		return "open_events"
	case RegisterPublication:
		return "publications"
	case RegisterMentoring:
		return "young"
	}
	return ""
}

// ReportRegisters groups an association's entries of [from, to) by the
// report section they feed, in the order they were made; open events
// below the municipal level stay out, as the form asks for "municipal
// level and above".
func ReportRegisters(entries []*RegisterEntry, aid uint64, from, to time.Time) map[string][]*RegisterEntry {
	out := map[string][]*RegisterEntry{}
	for _, e := range entries {
		s := ReportSectionOf(e.Kind)
		if s == "" || e.AssociationID != aid || e.At.Before(from) || !e.At.Before(to) {
			continue
		}
		if e.Kind == RegisterOpenLesson && e.Values["level"] == "school" {
			continue
		}
		out[s] = append(out[s], e)
	}
	for _, list := range out {
		slices.SortStableFunc(list, func(a, b *RegisterEntry) int { return a.At.Compare(b.At) })
	}
	return out
}

// UserEntries returns a teacher's own entries of [from, to), oldest
// first: what their participation record (справка) lists.
func UserEntries(entries []*RegisterEntry, uid int64, from, to time.Time) []*RegisterEntry {
	var out []*RegisterEntry
	for _, e := range entries {
		if e.UserID == uid && !e.At.Before(from) && e.At.Before(to) && e.Kind != RegisterAward {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b *RegisterEntry) int { return a.At.Compare(b.At) })
	return out
}
