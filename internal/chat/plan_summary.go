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

// planSummaryText is the summary in a few lines: the totals, a line of
// months, and the changes since last time.
func (b *Engine) planSummaryText(l loc, s mmo.PlanSummary) string {
	var sb strings.Builder
	sb.WriteString(l.T("conv_coord.plan_totals", "Meetings", s.Meetings, "Events", s.Events))
	var months []string
	for _, m := range s.Months {
		months = append(months, l.T("conv_coord.plan_month", "Month", monthName(l, m.Month), "Meetings", m.Meetings, "Events", m.Events))
	}
	if len(months) > 0 {
		sb.WriteString("\n" + strings.Join(months, "; "))
	}
	if s.First {
		sb.WriteString("\n" + l.T("conv_coord.plan_first"))
	} else {
		sb.WriteString("\n" + l.T("conv_coord.plan_changes", "Added", s.Added, "Removed", s.Removed, "Changed", s.Changed))
	}
	return sb.String()
}
