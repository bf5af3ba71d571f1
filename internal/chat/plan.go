package chat

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// Callback verbs of work plans and proposals.
const (
	verbPlan         = "pl" // the plan view: aid, year
	verbPlanEdit     = "pe" // edit: aid, year, "g" goal | "t" tasks | "a" add item | "d" delete menu | "x<id>" delete item
	verbPlanMonth    = "pm" // the month of a new item: nonce, month
	verbPlanFormat   = "pf" // the format of a new item: nonce, format index
	verbPlanSubmit   = "ps" // submit to the coordinator: aid, year
	verbPlanDOCX     = "pd" // the plan as DOCX: aid, year
	verbPlanDecide   = "pa" // the coordinator: aid, year, "a" approve | "r" return
	verbProposals    = "pp" // the proposals for the plan: aid, year
	verbProposalTake = "pt" // take a proposal in: proposal id, aid, year | decline: ..., "n"
	verbEventPlan    = "el" // link an event to a plan item: eid [, item id]
	verbProposeIn    = "pi" // propose to the chosen association: aid
)

// planYear is the school year a plan is being made for.
func (b *Engine) planYear(now time.Time) int {
	return b.opt.Regulation.PlanYear(now, b.opt.Location)
}

// monthName is a month's name in the nominative.
func monthName(l loc, m int) string {
	if m < 1 || m > 12 {
		return ""
	}
	return l.T(monthKeys[m-1])
}

var monthKeys = [12]string{"month.m1", "month.m2", "month.m3", "month.m4", "month.m5", "month.m6",
	"month.m7", "month.m8", "month.m9", "month.m10", "month.m11", "month.m12"}

// loadPlan returns the association's plan for a year, starting a draft with
// the goal and tasks of the regulation when there is none.
func (b *Engine) loadPlan(r *Request, a *mmo.Association, year int) (*mmo.Plan, error) {
	p, err := r.Tx.Plan(a.ID, year)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, mmo.ErrNotFound) {
		return nil, fmt.Errorf("load the plan of association %d for %d: %w", a.ID, year, err)
	}
	l := b.docLoc() // the regulation's own words, as the form prints them
	reg := b.opt.Regulation
	goal, tasks := "plan.default_goal", "plan.default_tasks"
	if reg.Preset == "biysk" {
		goal, tasks = "doc_preset.biysk_goal", "doc_preset.biysk_tasks"
	}
	p = &mmo.Plan{AssociationID: a.ID, Year: year, DocState: mmo.DocState{Status: mmo.DocDraft}, Goal: cmp.Or(reg.Goal, l.T(goal))}
	p.Tasks = slices.Clone(reg.Tasks)
	if len(p.Tasks) == 0 {
		for _, t := range strings.Split(l.T(tasks), "\n") {
			if t = strings.TrimSpace(t); t != "" {
				p.Tasks = append(p.Tasks, t)
			}
		}
	}
	return p, nil
}

// cmdPlan opens the work plan of the association the leader runs.
func (b *Engine) cmdPlan(r *Request) error {
	return b.choose(r, "plan", func(r *Request, a *mmo.Association) error {
		return b.showPlan(r, a, b.planYear(r.Now), false)
	})
}

// yearArg reads an (association, year) pair of a button.
func (r *Request) yearArgs() (*mmo.Association, int, bool, error) {
	a, ok, err := r.association(0)
	if !ok {
		return nil, 0, false, err
	}
	year, err := strconv.Atoi(r.Press.Arg(1))
	if err != nil || year < 2000 || year > 2200 {
		return nil, 0, false, r.stale()
	}
	return a, year, true, nil
}

// managedYear is yearArgs for a button only the association's leader or a
// coordinator may press.
func (r *Request) managedYear() (*mmo.Association, int, bool, error) {
	a, year, ok, err := r.yearArgs()
	if !ok {
		return nil, 0, false, err
	}
	if !r.canManage(a) {
		return nil, 0, false, r.notYours()
	}
	return a, year, true, nil
}

func (b *Engine) onPlan(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	return b.showPlan(r, a, year, true)
}

// showPlan renders the plan with the actions its status allows. The
// leader's card is kept under planKey, to be redrawn when the plan
// changes from elsewhere (a form, the coordinator's decision).
func (b *Engine) showPlan(r *Request, a *mmo.Association, year int, edit bool) error {
	text, kb, err := b.planCard(r, r.loc(), r.Role, a, year)
	if err != nil {
		return err
	}
	if !r.canManage(a) {
		if edit {
			r.Edit(text, kb...)
		} else {
			r.Reply(text, kb...)
		}
		return nil
	}
	// The leader's card is the one shown last, which later changes redraw.
	key := planKey(a, year)
	pressed := ""
	if edit && r.Update.Press != nil {
		pressed = r.Update.Press.Message
	}
	if pressed != "" {
		r.Edit(text, kb...)
		return r.remember(key)
	}
	r.out = append(r.out, Message{Kind: KindSend, Chat: r.Update.Chat, messenger: r.Update.Messenger, Key: key, Text: text, Buttons: kb})
	return nil
}

// planKey names the leader's latest card of a plan.
func planKey(a *mmo.Association, year int) string {
	return "plan:" + aid(a) + ":" + strconv.Itoa(year)
}

// redrawPlan shows the plan after a change made by a form, with done
// said: the leader's card redrawn in place under the confirmation, which
// leads back to it, or a new card if none is on record.
func (b *Engine) redrawPlan(r *Request, a *mmo.Association, year int, done string) error {
	if rec, err := r.Tx.Sent(planKey(a, year)); err != nil || rec.User != r.User.ID {
		r.Reply(done)
		return b.showPlan(r, a, year, false)
	}
	r.Reply(done, []Button{r.Button(r.T("conv_forms2.to_plan"), verbPlan, aid(a), strconv.Itoa(year))})
	return b.refreshPlan(r, a, year)
}

// refreshPlan redraws the leader's card of a plan in place, as they see
// it; nothing if none is on record.
func (b *Engine) refreshPlan(r *Request, a *mmo.Association, year int) error {
	return b.refresh(r, planKey(a, year), func(v viewer) (string, [][]Button, error) {
		return b.planCard(r, v.l, v.u.Role(b.isAdmin(v.u)), a, year)
	})
}

// planCard draws the plan as someone of role reads it in l.
func (b *Engine) planCard(r *Request, l loc, role mmo.Role, a *mmo.Association, year int) (string, [][]Button, error) {
	p, err := b.loadPlan(r, a, year)
	if err != nil {
		return "", nil, err
	}
	id, y := aid(a), strconv.Itoa(year)
	var sb strings.Builder
	sb.WriteString(l.T("plan.title", "Name", a.Name, "From", year, "To", year+1))
	sb.WriteString("\n" + docStatusLine(l, mmo.DocPlan, p.Status, p.Comment))
	due := b.opt.Regulation.Due(mmo.DocPlan, year, b.opt.Location)
	sb.WriteString("\n" + b.docDueLine(l, "plan.due", due, p.Status, r.Now))
	sb.WriteString("\n\n" + l.T("plan.goal", "Goal", p.Goal))
	sb.WriteString("\n" + l.N("plan.tasks", len(p.Tasks)))
	done, err := b.planDone(r, a, p)
	if err != nil {
		return "", nil, err
	}
	if len(p.Items) == 0 {
		sb.WriteString("\n\n" + l.T("plan.no_items"))
	} else {
		sb.WriteString("\n\n" + l.T("plan.items"))
	}
	for i, it := range p.Items {
		mark := ""
		if done[it.ID] {
			mark = " ✅"
		}
		resp := ""
		if it.Responsible != "" {
			resp = l.T("plan.responsible", "Name", it.Responsible)
		}
		sb.WriteString("\n" + strconv.Itoa(i+1) + ". " + esc(monthName(l, it.Month)) + " — " + esc(it.Topic) + " (" + esc(formatName(l, it.Format)) + ")" + resp + mark)
	}
	proposals, err := r.Tx.Proposals(a.ID, year)
	if err != nil {
		return "", nil, err
	}
	fresh := 0
	for _, pr := range proposals {
		if pr.State == "" {
			fresh++
		}
	}
	if p.Status.Editable() { // surveys: what teachers find hard, while drafting
		if line, err := b.needsLine(r, a); err != nil {
			return "", nil, err
		} else if line != "" {
			sb.WriteString("\n\n" + line)
		}
	}
	var kb [][]Button
	if p.Status.Editable() {
		kb = append(kb,
			[]Button{r.Button(l.T("plan.edit_goal"), verbPlanEdit, id, y, "g"), r.Button(l.T("plan.edit_tasks"), verbPlanEdit, id, y, "t")},
			[]Button{r.Button(l.T("plan.add_item"), verbPlanEdit, id, y, "a")})
		if len(p.Items) > 0 {
			kb = append(kb, []Button{r.Button(l.T("doc_plan.edit_item"), verbPlanItemEdit, id, y), r.Button(l.T("plan.delete_item"), verbPlanEdit, id, y, "d")})
		}
		if fresh > 0 {
			kb = append(kb, []Button{r.Button(l.N("plan.proposals_button", fresh), verbProposals, id, y)})
		}
		if len(p.Items) > 0 {
			// An empty plan cannot be sent: its card says to add events
			// rather than offer a button that only refuses.
			kb = append(kb, []Button{r.Button(l.T("plan.submit"), verbPlanSubmit, id, y)})
		}
	}
	kb = append(kb, []Button{r.Button(l.T("plan.docx"), verbPlanDOCX, id, y)})
	if role >= mmo.RoleCoordinator && p.Status == mmo.DocSubmitted {
		kb = append(kb, []Button{r.Button(l.T("doc.approve_plan"), verbPlanDecide, id, y, "a"), r.Button(l.T("doc.return"), verbPlanDecide, id, y, "r")})
	}
	kb = append(kb, []Button{r.Button(l.T("conv_forms2.home"), verbHome)})
	return sb.String(), kb, nil
}

// docStatusLine tells where a plan or report is.
func docStatusLine(l loc, kind string, s mmo.DocStatus, comment string) string {
	switch s {
	case mmo.DocSubmitted:
		return l.T("doc_status." + kind + "_line_submitted")
	case mmo.DocApproved:
		return l.T("doc_status." + kind + "_line_approved")
	case mmo.DocReturned:
		return l.T("doc.status_returned", "Comment", comment)
	}
	return l.T("doc.status_draft")
}

// planDone returns which plan items a held event fulfilled: linked by
// the leader, or matched by month and format or a close topic.
func (b *Engine) planDone(r *Request, a *mmo.Association, p *mmo.Plan) (map[int]bool, error) {
	m, err := b.planMatch(r, a, p)
	if err != nil {
		return nil, err
	}
	done := map[int]bool{}
	for id := range m.Event {
		done[id] = true
	}
	return done, nil
}

// planMatch matches the year's held events to the plan's items.
func (b *Engine) planMatch(r *Request, a *mmo.Association, p *mmo.Plan) (mmo.PlanMatch, error) {
	from, to := b.opt.Regulation.YearSpan(p.Year, b.opt.Location)
	events, err := r.Tx.AssociationEvents(a.ID, from, to)
	if err != nil {
		return mmo.PlanMatch{}, err
	}
	var held []*mmo.Event
	for _, e := range events {
		if e.Held(r.Now) {
			held = append(held, e)
		}
	}
	return mmo.MatchPlan(p.Items, held, b.opt.Location), nil
}

// onPlanSubmit sends the plan to the coordinators for approval.
func (b *Engine) onPlanSubmit(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	p, err := b.loadPlan(r, a, year)
	if err != nil {
		return err
	}
	planned := 0
	for _, it := range p.Items {
		if it.Format == mmo.FormatMeeting {
			planned++
		}
	}
	if min := b.opt.Regulation.MinMeetings; p.Status.Editable() && len(p.Items) > 0 && planned < min && r.Press.Arg(2) != "y" {
		r.Reply(r.T("doc_plan.shortfall", "Planned", planned, "Min", min), []Button{
			r.Button(r.T("report.submit_anyway"), verbPlanSubmit, aid(a), strconv.Itoa(year), "y"),
			r.Button(r.T("doc_plan.back"), verbPlan, aid(a), strconv.Itoa(year)),
		})
		return nil
	}
	if !p.Status.Editable() {
		return r.stale()
	}
	if len(p.Items) == 0 {
		r.Answer(r.T("plan.needs_items"), true)
		return nil
	}
	// The plan may be discussed in the last months of the year before.
	from, _ := b.opt.Regulation.YearSpan(year, b.opt.Location)
	c, asked, err := b.considered(r, a, year, from.AddDate(0, -4, 0), "plan", verbPlanSubmit)
	if errors.Is(err, errStaleChoice) {
		return r.stale()
	}
	if err != nil || asked {
		return err
	}
	if err := p.Submit(r.Now); err != nil {
		if mmo.ErrorCode(err) != mmo.CodeTooShort {
			return r.stale()
		}
		r.Answer(r.T("plan.needs_items"), true)
		return nil
	}
	p.Considered = c
	sum := mmo.SummarizePlan(p.Items, p.SubmittedItems, int(b.opt.Regulation.YearStart.Month))
	p.SubmittedItems = slices.Clone(p.Items)
	if err := r.Tx.PutPlan(p); err != nil {
		return fmt.Errorf("save the plan of association %d for %d: %w", p.AssociationID, p.Year, err)
	}
	if err := r.audit("workplan.submit", 0, a, strconv.Itoa(year)); err != nil {
		return err
	}
	if err := b.tellCoordinatorsPlan(r, a, p, year, sum); err != nil {
		return err
	}
	r.Answer(r.T("plan.submitted"), false)
	return b.showPlan(r, a, year, r.Press.Arg(2) != "y" || r.Press.Arg(3) != "")
}

// tellCoordinators sends the coordinators a submitted document's notice
// with buttons for the file and the decision.
func (b *Engine) tellCoordinators(r *Request, a *mmo.Association, key string, year int, docVerb, decideVerb string, sent time.Time) error {
	coords, err := b.coordinators(r.Tx)
	if err != nil {
		return err
	}
	id, y := aid(a), strconv.Itoa(year)
	for _, c := range coords {
		if c.ID == r.User.ID {
			continue
		}
		l := r.locOf(c)
		approve, kind := l.T("doc.approve_plan"), mmo.DocPlan
		if decideVerb == verbReportDecide {
			approve, kind = l.T("doc.accept_report"), mmo.DocReport
		}
		r.SendKept(c.ID, decisionKey(kind, a, year, sent, c.ID), l.T(key, "Name", a.Name, "From", year, "To", year+1), []Button{r.Button(l.T("plan.docx"), docVerb, id, y)},
			[]Button{r.Button(approve, decideVerb, id, y, "a"), r.Button(l.T("doc.return"), decideVerb, id, y, "r")})
	}
	return nil
}

// onPlanDOCX sends the plan on the form of Приложение 1.
func (b *Engine) onPlanDOCX(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	p, err := b.loadPlan(r, a, year)
	if err != nil {
		return err
	}
	name, data, err := b.planFile(r, a, p)
	if err != nil {
		return err
	}
	r.ReplyDocument(name, data, r.T("plan.doc_caption", "Name", a.Name, "From", year, "To", year+1))
	r.Answer(r.T("export.sending"), false)
	return nil
}

// planFile renders the plan on the form of Приложение 1.
func (b *Engine) planFile(r *Request, a *mmo.Association, p *mmo.Plan) (string, []byte, error) {
	year := p.Year
	l := r.docLoc()
	leader := ""
	if u, err := r.Tx.User(a.LeaderID); err == nil && a.LeaderID != 0 {
		leader = u.Name
	}
	doc := render.FormDoc{
		Header:   b.formHeader(l, "plan.doc_header"),
		Title:    l.T("plan.doc_title"),
		Subtitle: []string{mmo.OfficialName(a.Name), b.yearLabel(l, "plan", year)},
		Fields:   []render.FormField{{Label: l.T("plan.doc_leader"), Value: leader}},
		Sections: []render.FormSection{
			{Heading: l.T("plan.doc_goal"), Paragraphs: []string{p.Goal}, Empty: "—"},
			{Heading: l.T("plan.doc_tasks"), List: p.Tasks, Empty: "—"},
		},
	}
	head := initialsFirst(b.opt.Org.HeadName)
	if head == "" {
		head = "________________"
	}
	mark := l.T("doc_plan.agreed")
	if b.biysk() { // its regulation (5.1) works by an approved plan
		mark = l.T("doc_wave3.approve")
	}
	doc.Approval = []string{mark, b.opt.Org.HeadTitle, l.T("doc_plan.agreed_sign", "Name", head), l.T("doc_plan.agreed_date")}
	switch p.Status {
	case mmo.DocApproved:
		by := ""
		if u, err := r.Tx.User(p.DecidedBy); err == nil && u.Registered() {
			by = shortName(u.Name)
		}
		doc.Approval = append(doc.Approval, l.T("doc_plan.agreed_in_bot", "Date", b.date(p.DecidedAt), "Name", by))
	default:
		doc.Draft = l.T("docx.draft")
	}
	table := &render.FormTable{Headers: []string{l.T("export.col_n"), l.T("doc_plan.col_topic"), l.T("plan.doc_format"), l.T("doc_plan.col_when"),
		l.T("doc_plan.col_place"), l.T("doc_plan.col_participants"), l.T("plan.doc_responsible"), l.T("doc_plan.col_result")},
		Widths: []int{1, 7, 3, 3, 3, 3, 4, 4}}
	for i, it := range p.Items {
		resp := it.Responsible
		if resp == "" {
			resp = shortName(leader) // the prompt promises «-» means the leader
		}
		table.Rows = append(table.Rows, []string{strconv.Itoa(i + 1), it.Topic, formatName(l, it.Format), monthName(l, it.Month),
			it.Place, it.Participants, resp, it.Result})
	}
	doc.Sections = append(doc.Sections, render.FormSection{Heading: l.T("plan.doc_events"), Table: table, Empty: "—"})
	if len(table.Rows) == 0 {
		doc.Sections[len(doc.Sections)-1].Table = nil
	}
	doc.Footer = append(b.consideredLine(l, p.Considered, l.T("doc_plan.considered_blank")), l.T("plan.doc_sign", "Name", initialsFirst(leader)))
	plainForm(&doc)
	data, err := render.Form(doc)
	if err != nil {
		return "", nil, err
	}
	return docFileName(l.T("doc_plan.file", "Name", mmo.OfficialName(a.Name), "Period", b.yearLabel(l, "plan", year))) + ".docx", data, nil
}

// onEventPlan links an event to an item of its school year's plan.
func (b *Engine) onEventPlan(r *Request) error {
	e, a, ok, err := r.managedEvent(0)
	if !ok {
		return err
	}
	year := b.opt.Regulation.SchoolYearOf(e.Start, b.opt.Location)
	p, err := r.Tx.Plan(a.ID, year)
	if errors.Is(err, mmo.ErrNotFound) || err == nil && len(p.Items) == 0 {
		r.Answer(r.T("plan.no_plan_items"), true)
		return nil
	}
	if err != nil {
		return err
	}
	if arg := r.Press.Arg(1); arg != "" {
		item, err := strconv.Atoi(arg)
		if err != nil {
			return r.stale()
		}
		found := item == 0
		for _, it := range p.Items {
			found = found || it.ID == item
		}
		if !found {
			return r.stale()
		}
		e.PlanItem = item
		if err := r.Tx.PutEvent(e); err != nil {
			return fmt.Errorf("save event %d: %w", e.ID, err)
		}
		r.Answer(r.T("plan.linked"), false)
		return b.showLeaderCard(r, e, a)
	}
	var kb [][]Button
	for i, it := range p.Items {
		label := strconv.Itoa(i+1) + ". " + monthName(r.loc(), it.Month) + " — " + it.Topic
		if len([]rune(label)) > 60 {
			label = string([]rune(label)[:59]) + "…"
		}
		if it.ID == e.PlanItem {
			label = "✓ " + label
		}
		kb = append(kb, []Button{r.Button(label, verbEventPlan, eid(e), strconv.Itoa(it.ID))})
	}
	kb = append(kb, []Button{r.Button(r.T("plan.unlink"), verbEventPlan, eid(e), "0")}, []Button{r.Button(r.T("event.back_to_event"), verbEvent, eid(e))})
	r.Edit(r.T("plan.link_which"), kb...)
	return nil
}
