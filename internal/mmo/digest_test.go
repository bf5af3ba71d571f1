package mmo

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// digestLines flattens a digest into comparable lines.
func digestLines(d Digest) []string {
	var out []string
	for _, x := range d.Docs {
		out = append(out, fmt.Sprintf("doc %s %s %d %d", x.Association.Name, x.Kind, x.Year, x.DaysLeft))
	}
	for _, x := range d.Members {
		out = append(out, fmt.Sprintf("members %s %d", x.Association.Name, x.Members))
	}
	for _, x := range d.Meetings {
		out = append(out, fmt.Sprintf("meetings %s %d+%d", x.Association.Name, x.Held, x.Scheduled))
	}
	for _, x := range d.Consults {
		out = append(out, fmt.Sprintf("consult %s #%d %d days", x.Association.Name, x.Consultation.ID, x.Days))
	}
	return out
}

func TestBuildDigest(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, msk) }
	march := at(2027, 3, 10) // after the meetings warning of 2026/27
	meeting := func(start time.Time) *Event {
		return &Event{Format: FormatMeeting, State: EventPublished, Start: start, Duration: time.Hour}
	}
	twoMeetings := []*Event{meeting(at(2026, 10, 1)), meeting(at(2027, 4, 1))}
	threeMeetings := append(slices.Clone(twoMeetings), meeting(at(2027, 5, 1)))
	assoc := func(name string) *Association { return &Association{Name: name, CreatedAt: at(2020, 1, 1)} }
	archived := assoc("archived")
	archived.ArchivedAt = at(2027, 1, 1)
	noRules := ivanovo()
	noRules.MinMembers, noRules.MinMeetings = 0, 0

	tests := []struct {
		name  string
		reg   Regulation
		now   time.Time
		facts []AssociationFacts
		want  []string
	}{
		{"all well", ivanovo(), march, []AssociationFacts{{Association: assoc("A"), Members: 10, Events: threeMeetings}}, nil},
		{"documents: a week ahead and late, not eight days ahead", ivanovo(), march, []AssociationFacts{{Association: assoc("A"), Members: 10, Events: threeMeetings,
			Owed: []DocDue{{Kind: DocPlan, Year: 2026, DaysLeft: -176}, {Kind: DocReport, Year: 2026, DaysLeft: 8}, {Kind: DocReport, Year: 2025, DaysLeft: 7}, {Kind: DocPlan, Year: 2027, DaysLeft: 0}}}},
			[]string{"doc A plan 2026 -176", "doc A report 2025 7", "doc A plan 2027 0"}},
		{"members: one short, and exactly enough", ivanovo(), march, []AssociationFacts{
			{Association: assoc("A"), Members: 9, Events: threeMeetings},
			{Association: assoc("B"), Members: 10, Events: threeMeetings}},
			[]string{"members A 9"}},
		{"meetings: one short after the warning date", ivanovo(), march, []AssociationFacts{{Association: assoc("A"), Members: 10, Events: twoMeetings}},
			[]string{"meetings A 1+1"}},
		{"meetings: not before the warning date", ivanovo(), at(2027, 2, 28), []AssociationFacts{{Association: assoc("A"), Members: 10}}, nil},
		{"meetings: the year's last day still warns", ivanovo(), at(2027, 8, 31), []AssociationFacts{{Association: assoc("A"), Members: 10, Events: twoMeetings}},
			[]string{"meetings A 2+0"}},
		{"meetings: a new school year starts afresh", ivanovo(), at(2027, 9, 1), []AssociationFacts{{Association: assoc("A"), Members: 10}}, nil},
		{"no minimums in the regulation", noRules, march, []AssociationFacts{{Association: assoc("A"), Members: 1}}, nil},
		{"consultations: only escalated ones still waiting, in working days", ivanovo(), march, []AssociationFacts{{Association: assoc("A"), Members: 10, Events: threeMeetings,
			Consultations: []*Consultation{
				{ID: 1, Status: ConsultNew, Escalation: 1, WaitingSince: at(2027, 3, 3)},
				{ID: 2, Status: ConsultNew, WaitingSince: at(2027, 3, 9)},
				{ID: 3, Status: ConsultAnswered, Escalation: 0},
				{ID: 4, Status: ConsultClosed, Escalation: 3, WaitingSince: at(2027, 2, 1)},
				{ID: 5, Status: ConsultProgress, Escalation: 3, WaitingSince: at(2027, 2, 1)},
			}}},
			[]string{"consult A #1 5 days", "consult A #5 27 days"}},
		{"an archived association is left out", ivanovo(), march, []AssociationFacts{{Association: archived, Members: 1,
			Owed:          []DocDue{{Kind: DocPlan, Year: 2026, DaysLeft: -10}},
			Consultations: []*Consultation{{ID: 1, Status: ConsultNew, Escalation: 3, WaitingSince: at(2027, 2, 1)}}}}, nil},
	}
	for _, tt := range tests {
		d := BuildDigest(tt.facts, tt.reg, tt.now, msk)
		if got := digestLines(d); !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		if d.Empty() != (len(tt.want) == 0) {
			t.Errorf("%s: Empty() = %v", tt.name, d.Empty())
		}
		if !d.Day.Equal(Today(tt.now, msk)) {
			t.Errorf("%s: day %v", tt.name, d.Day)
		}
	}
}
