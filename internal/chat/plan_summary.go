package chat

import (
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// tellCoordinatorsPlan sends the coordinators a plan sent for agreement
// as something to judge on a phone: a short summary (заседания and other
// events by month, what changed since the version sent before) with the
// decision buttons, and the DOCX itself.
func (b *Engine) tellCoordinatorsPlan(r *Request, a *mmo.Association, p *mmo.Plan, year int, sum mmo.PlanSummary) error {
	coords, err := b.coordinators(r.Tx)
	if err != nil {
		return err
	}
	id, y := aid(a), strconv.Itoa(year)
	for _, c := range coords {
		if c.ID == r.User.ID || c.Blocked {
			continue
		}
		l := r.locOf(c)
		text := l.T("plan.submitted_notice", "Name", a.Name, "From", year, "To", year+1) + "\n\n" + b.planSummaryText(l, sum)
		r.SendKept(c.ID, decisionKey(mmo.DocPlan, a, year, p.SubmittedAt, c.ID), text,
			[]Button{r.Button(l.T("doc.approve_plan"), verbPlanDecide, id, y, "a"), r.Button(l.T("doc.return"), verbPlanDecide, id, y, "r")},
			[]Button{r.Button(l.T("conv_coord.open_plan"), verbPlan, id, y)})
		name, data, err := b.planFile(r, a, p)
		if err != nil {
			return err
		}
		r.out = append(r.out, Message{Kind: KindDocument, to: c.ID, FileName: name, File: b.stamp(name, data, r.Now),
			Text: l.T("plan.doc_caption", "Name", a.Name, "From", year, "To", year+1)})
	}
	return nil
}

// planSummaryText is the summary in a few lines: the totals, a warning
// when the plan holds fewer заседания than the regulation asks, a line a
// month in words, and the changes since last time.
func (b *Engine) planSummaryText(l loc, s mmo.PlanSummary) string {
	var sb strings.Builder
	sb.WriteString(l.T("conv_coord.plan_totals", "Meetings", s.Meetings, "Events", s.Events))
	if low := b.opt.Regulation.MinMeetings; low > 0 && s.Meetings < low {
		sb.WriteString("\n" + l.T("conv_coord2.plan_few_meetings", "N", s.Meetings, "Min", low))
	}
	for _, m := range s.Months {
		sb.WriteString("\n" + l.T("conv_coord.plan_month", "Month", monthName(l, m.Month),
			"Meetings", rawArg(countWords(l, "conv_coord2.meetings", m.Meetings)),
			"Events", rawArg(countWords(l, "conv_coord2.events", m.Events))))
	}
	if s.First {
		sb.WriteString("\n" + l.T("conv_coord.plan_first"))
	} else {
		sb.WriteString("\n" + l.T("conv_coord.plan_changes", "Added", s.Added, "Removed", s.Removed, "Changed", s.Changed))
	}
	return sb.String()
}

// countWords is a count in words with the noun in its plural form
// («1 заседание», «3 заседания»), and «… нет» for none: key is a plural
// key whose "zero" sibling (key + "_none") says there are none.
func countWords(l loc, key string, n int) string {
	if n == 0 {
		return l.T(key + "_none")
	}
	return l.N(key, n)
}
