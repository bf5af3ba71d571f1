package chat

import (
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
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
		r.Send(c.ID, text,
			[]Button{r.Button(l.T("doc.approve_plan"), verbPlanDecide, id, y, "a"), r.Button(l.T("doc.return"), verbPlanDecide, id, y, "r")},
			[]Button{r.Button(l.T("conv_coord.open_plan"), verbPlan, id, y)})
		data, err := b.planDocument(r, l, a, p, year)
		if err != nil {
			return err
		}
		r.out = append(r.out, Message{Kind: KindDocument, to: c.ID, FileName: "plan-" + id + "-" + y + ".docx", File: data,
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

// planDocument renders a plan on the form of Приложение 1, in l's
// language.
func (b *Engine) planDocument(r *Request, l loc, a *mmo.Association, p *mmo.Plan, year int) ([]byte, error) {
	leader := ""
	if u, err := r.Tx.User(a.LeaderID); err == nil && a.LeaderID != 0 {
		leader = u.Name
	}
	doc := render.FormDoc{
		Header:   []string{l.T("plan.doc_header")},
		Title:    l.T("plan.doc_title"),
		Subtitle: []string{a.Name, l.T("plan.doc_year", "From", year, "To", year+1)},
		Fields:   []render.FormField{{Label: l.T("plan.doc_leader"), Value: leader}},
		Sections: []render.FormSection{
			{Heading: l.T("plan.doc_goal"), Paragraphs: []string{p.Goal}, Empty: "—"},
			{Heading: l.T("plan.doc_tasks"), List: p.Tasks, Empty: "—"},
		},
	}
	switch p.Status {
	case mmo.DocApproved:
		by := ""
		if u, err := r.Tx.User(p.DecidedBy); err == nil {
			by = u.Name
		}
		doc.Approval = []string{l.T("plan.doc_approved", "Date", b.date(p.DecidedAt), "Name", by)}
	default:
		doc.Draft = l.T("docx.draft")
	}
	table := &render.FormTable{Headers: []string{l.T("export.col_n"), l.T("plan.doc_month"), l.T("plan.doc_topic"), l.T("plan.doc_format"), l.T("plan.doc_responsible")}, Widths: []int{1, 3, 8, 3, 4}}
	for i, it := range p.Items {
		table.Rows = append(table.Rows, []string{strconv.Itoa(i + 1), monthName(l, it.Month), it.Topic, formatName(l, it.Format), it.Responsible})
	}
	doc.Sections = append(doc.Sections, render.FormSection{Heading: l.T("plan.doc_events"), Table: table, Empty: "—"})
	if len(table.Rows) == 0 {
		doc.Sections[len(doc.Sections)-1].Table = nil
	}
	doc.Footer = []string{l.T("plan.doc_sign", "Name", shortName(leader))}
	plainForm(&doc)
	data, err := render.Form(doc)
	if err != nil {
		return nil, err
	}
	return data, nil
}
