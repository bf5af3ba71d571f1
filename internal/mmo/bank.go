package mmo

import (
	"slices"
	"strings"
	"time"
)

// Flows of the materials bank.
const (
	FlowBankShare  = "bank_share"  // a member shares a material with Draft["aid"]; Draft["m"] is its JSON
	FlowBankSearch = "bank_search" // words to search the bank for
)

// MaterialKind is what a material is.
type MaterialKind string

// Kinds of materials.
const (
	MaterialNormative    MaterialKind = "normative"    // нормативный документ
	MaterialMethodical   MaterialKind = "methodical"   // методическая разработка
	MaterialLesson       MaterialKind = "lesson"       // конспект урока
	MaterialPresentation MaterialKind = "presentation" // презентация
	MaterialTheses       MaterialKind = "theses"       // тезисы выступления
)

// MaterialKinds are the kinds, in the order they are offered.
var MaterialKinds = []MaterialKind{MaterialNormative, MaterialMethodical, MaterialLesson, MaterialPresentation, MaterialTheses}

// ValidMaterialKind reports whether k is a kind of material.
func ValidMaterialKind(k MaterialKind) bool { return slices.Contains(MaterialKinds, k) }

// States of a shared material.
const (
	MaterialPending  = "pending"  // shared by a member, waiting for the leader
	MaterialApproved = "approved" // visible in the bank
	MaterialDeclined = "declined"
)

// Limits of a material.
const (
	MaterialTitleMax   = 200
	MaterialSubjectMax = 100
	MaterialTags       = 10
	MaterialTagMax     = 40
)

// Material is a file or link in the bank of pedagogical information.
type Material struct {
	ID            uint64       `json:"id"`
	AssociationID uint64       `json:"association"`
	AuthorID      int64        `json:"author"`
	Title         string       `json:"title"`
	Kind          MaterialKind `json:"kind"`
	Subject       string       `json:"subject,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
	File          *NewsFile    `json:"file,omitempty"`
	Link          string       `json:"link,omitempty"`
	// EventID and AgendaItem (1-based) link a talk's theses to the item of
	// a заседание's agenda it was given under.
	EventID    uint64    `json:"event,omitempty"`
	AgendaItem int       `json:"agenda_item,omitempty"`
	State      string    `json:"state"`
	DecidedBy  int64     `json:"decided_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Visible reports whether a user sees the material: approved ones
// everyone does, a pending one its author and whoever may approve it.
func (m *Material) Visible(uid int64, canManage bool) bool {
	return m.State == MaterialApproved || m.State == MaterialPending && (m.AuthorID == uid || canManage)
}

// ParseTags reads tags typed as words separated by commas, spaces or
// "#"; "-" is none. Tags are lower-case, each once.
func ParseTags(s string) ([]string, error) {
	s = strings.TrimSpace(CleanText(s))
	if s == "-" || s == "" {
		return nil, nil
	}
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '#' || r == ' ' || r == '\n' }) {
		t := strings.ToLower(strings.TrimSpace(f))
		if t == "" || slices.Contains(out, t) {
			continue
		}
		if len([]rune(t)) > MaterialTagMax {
			return nil, &Error{Code: CodeTooLong, Field: "tag", Limit: MaterialTagMax}
		}
		out = append(out, t)
	}
	if len(out) > MaterialTags {
		return nil, &Error{Code: CodeTooLong, Field: "tags", Limit: MaterialTags}
	}
	return out, nil
}

// MaterialQuery is a search of the bank: every word must be found in the
// title, the subject or the tags; an empty kind or subject matches all.
type MaterialQuery struct {
	Words   []string
	Kind    MaterialKind
	Subject string
}

// ParseQuery splits typed search words.
func ParseQuery(s string) MaterialQuery {
	var q MaterialQuery
	for _, w := range strings.Fields(strings.ToLower(CleanText(s))) {
		q.Words = append(q.Words, strings.Trim(w, ".,;:!?«»\"'#"))
	}
	return q
}

// Matches reports whether a material answers the query.
func (q MaterialQuery) Matches(m *Material) bool {
	if q.Kind != "" && m.Kind != q.Kind {
		return false
	}
	if q.Subject != "" && !strings.EqualFold(strings.TrimSpace(m.Subject), strings.TrimSpace(q.Subject)) {
		return false
	}
	hay := strings.ToLower(m.Title + " " + m.Subject + " " + strings.Join(m.Tags, " "))
	for _, w := range q.Words {
		if w != "" && !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// AgendaItems splits an agenda into its items, one a line, without their
// numbers.
func AgendaItems(agenda string) []string {
	var out []string
	for l := range strings.SplitSeq(CleanText(agenda), "\n") {
		l = strings.TrimSpace(listMarker.ReplaceAllString(l, ""))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ReportTheses returns the approved theses of talks given at an
// association's events between from and to, in the order of the events
// and their agenda items: the report's attachment «Тезисы выступлений».
// events holds the events the theses refer to.
func ReportTheses(materials []*Material, events map[uint64]*Event, aid uint64, from, to time.Time) []*Material {
	var out []*Material
	for _, m := range materials {
		e, ok := events[m.EventID]
		if !ok || m.Kind != MaterialTheses || m.State != MaterialApproved || m.AssociationID != aid || e.Start.Before(from) || !e.Start.Before(to) {
			continue
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(a, b *Material) int {
		if c := events[a.EventID].Start.Compare(events[b.EventID].Start); c != 0 {
			return c
		}
		if a.AgendaItem != b.AgendaItem {
			return a.AgendaItem - b.AgendaItem
		}
		return int(a.ID) - int(b.ID)
	})
	return out
}
