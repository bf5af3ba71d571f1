package chat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// onConsultants shows and changes the consultants of an association.
func (b *Engine) onConsultants(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	id := aid(a)
	switch r.Press.Arg(1) {
	case "a", "d":
		uid, ok := r.Press.Int(2)
		if !ok {
			return r.stale()
		}
		if r.Press.Arg(1) == "a" {
			if m, err := r.Tx.Membership(a.ID, uid); err != nil || m.State != mmo.MemberActive {
				return r.stale()
			}
			if !slices.Contains(a.Consultants, uid) {
				a.Consultants = append(a.Consultants, uid)
				r.notifyID(uid, "consult.you_consultant", "Name", a.Name)
			}
		} else {
			a.Consultants = slices.DeleteFunc(a.Consultants, func(x int64) bool { return x == uid })
		}
		if err := r.Tx.PutAssociation(a); err != nil {
			return fmt.Errorf("save association %d: %w", a.ID, err)
		}
	case "p": // choosing a member to add
		page, _ := strconv.Atoi(r.Press.Arg(2))
		members, err := b.activeMembers(r, a)
		if err != nil {
			return err
		}
		var cands []member
		for _, m := range members {
			if m.u.ID != a.LeaderID && !slices.Contains(a.Consultants, m.u.ID) {
				cands = append(cands, m)
			}
		}
		pages := max(1, (len(cands)+membersPage-1)/membersPage)
		page = min(max(page, 0), pages-1)
		var kb [][]Button
		for _, m := range cands[page*membersPage : min(len(cands), (page+1)*membersPage)] {
			kb = append(kb, []Button{r.Button(m.u.Name, verbConsultants, id, "a", itoa(m.u.ID))})
		}
		var nav []Button
		if page > 0 {
			nav = append(nav, r.Button("◀", verbConsultants, id, "p", strconv.Itoa(page-1)))
		}
		if page < pages-1 {
			nav = append(nav, r.Button("▶", verbConsultants, id, "p", strconv.Itoa(page+1)))
		}
		if len(nav) > 0 {
			kb = append(kb, nav)
		}
		kb = append(kb, []Button{r.Button(r.T("consult.back_to_consultants"), verbConsultants, id)})
		r.Edit(r.T("consult.choose_consultant"), kb...)
		return nil
	}
	var sb strings.Builder
	sb.WriteString(r.T("consult.consultants_title", "Name", a.Name))
	var kb [][]Button
	if len(a.Consultants) == 0 {
		sb.WriteString("\n" + r.T("consult.consultants_none"))
	}
	for _, uid := range a.Consultants {
		if u, err := r.Tx.User(uid); err == nil {
			sb.WriteString("\n• " + esc(u.Name))
			kb = append(kb, []Button{r.Button(r.T("consult.remove_consultant", "Name", shortName(u.Name)), verbConsultants, id, "d", itoa(uid))})
		}
	}
	if a.ConsultToken != "" {
		sb.WriteString("\n\n" + r.T("consult.public_on", "Link", r.deepLink("q_"+a.ConsultToken)) + r.otherLinks("q_"+a.ConsultToken))
		kb = append(kb, []Button{r.Button(r.T("consult.public_off_button"), verbConsultLink, id, "off")},
			[]Button{r.Button(r.T("conv_wave3.topics_button"), verbParentTopics, id)})
	} else {
		sb.WriteString("\n\n" + r.T("consult.public_off"))
		kb = append(kb, []Button{r.Button(r.T("consult.public_on_button"), verbConsultLink, id, "on")})
	}
	kb = append(kb, []Button{r.Button(r.T("consult.add_consultant"), verbConsultants, id, "p", "0")},
		[]Button{r.Button(r.T("assoc.back_to_card"), verbAssocCard, id)})
	r.Edit(sb.String(), kb...)
	return nil
}

// onConsultLink turns the public consultation link on or off.
func (b *Engine) onConsultLink(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	switch r.Press.Arg(1) {
	case "on":
		token, err := mmo.NewToken()
		if err != nil {
			return err
		}
		a.ConsultToken = token
	case "off":
		a.ConsultToken = ""
	default:
		return r.stale()
	}
	if err := r.Tx.PutAssociation(a); err != nil {
		return fmt.Errorf("save association %d: %w", a.ID, err)
	}
	r.Press.Args = []string{aid(a)}
	return b.onConsultants(r)
}

// onConsultXLSX exports the association's requests of the school year, for
// the annual report: every request, and counts by category and status.
func (b *Engine) onConsultXLSX(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	l := r.loc()
	year := b.opt.Regulation.SchoolYearOf(r.Now, b.opt.Location)
	all, err := r.Tx.AssociationConsultations(a.ID)
	if err != nil {
		return err
	}
	list := render.Table{
		Sheet:    l.T("consultx.sheet_list"),
		Title:    l.T("doc_wave3.consult_title", "Name", a.Name, "Period", b.yearLabel(l, "sheet", year)),
		Subtitle: []string{l.T("export.generated", "Date", b.dateTime(r.Now))},
		Headers: []string{l.T("consultx.col_n"), l.T("consultx.col_date"), l.T("consultx.col_category"), l.T("consultx.col_form"),
			l.T("consultx.col_status"), l.T("consultx.col_assignee"), l.T("consultx.col_hours"), l.T("consultx.col_rating")},
	}
	type key struct{ cat, status string }
	counts := map[key]int{}
	var cats []string
	var total, answered int
	var hours float64
	for _, c := range all {
		if b.opt.Regulation.SchoolYearOf(c.CreatedAt, b.opt.Location) != year {
			continue
		}
		total++
		assignee := ""
		if u, err := r.Tx.User(c.AssigneeID); err == nil && c.AssigneeID != 0 {
			assignee = u.Name
		}
		resp, rating := render.Empty(), render.Empty()
		if d := c.ResponseTime(); d > 0 {
			resp = render.Float(d.Hours(), 1)
			answered++
			hours += d.Hours()
		}
		if c.Rating > 0 {
			rating = render.Int(c.Rating)
		}
		cat := categoryName(l, c.Category)
		if !slices.Contains(cats, cat) {
			cats = append(cats, cat)
		}
		counts[key{cat, string(c.Status)}]++
		list.Rows = append(list.Rows, []render.Cell{render.Int(int(c.ID)), render.Date(c.CreatedAt, b.opt.Location), render.Text(cat),
			render.Text(formName(l, c.Form)), render.Text(statusName(l, c.Status)), render.Text(assignee), resp, rating})
	}
	summary := render.Table{
		Sheet:   l.T("consultx.sheet_summary"),
		Title:   l.T("doc_wave3.consult_summary_title", "Name", a.Name, "Period", b.yearLabel(l, "sheet", year)),
		Headers: []string{l.T("consultx.col_category"), l.T("consult.status_new"), l.T("consult.status_progress"), l.T("consult.status_answered"), l.T("consult.status_closed"), l.T("consultx.col_total")},
	}
	slices.Sort(cats)
	for _, cat := range cats {
		row := []render.Cell{render.Text(cat)}
		sum := 0
		for _, s := range []mmo.ConsultStatus{mmo.ConsultNew, mmo.ConsultProgress, mmo.ConsultAnswered, mmo.ConsultClosed} {
			n := counts[key{cat, string(s)}]
			sum += n
			row = append(row, render.Int(n))
		}
		summary.Rows = append(summary.Rows, append(row, render.Int(sum)))
	}
	summary.Footer = []string{l.N("consultx.total", total)}
	if answered > 0 {
		summary.Footer = append(summary.Footer, l.T("consultx.avg_hours", "Hours", strconv.FormatFloat(hours/float64(answered), 'f', 1, 64)))
	}
	plainTable(&list)
	plainTable(&summary)
	data, err := render.XLSX(summary, list)
	if err != nil {
		return err
	}
	// A name a Russian user reads, as the other documents have.
	name := docFileName(l.T("doc_wave3.consult_file", "Name", mmo.OfficialName(a.Name), "Period", b.yearLabel(l, "sheet", year))) + ".xlsx"
	r.ReplyDocument(name, data, l.T("consultx.caption", "Name", a.Name))
	r.Answer(r.T("export.sending"), false)
	return nil
}
