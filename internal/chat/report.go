package chat

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// Callback verbs of annual reports.
const (
	verbReport        = "rp" // the report view: aid, year
	verbReportSection = "rs" // write a section: aid, year, section index
	verbReportSubmit  = "rq" // submit: aid, year [, y]
	verbReportDOCX    = "rd" // as DOCX: aid, year
	verbReportDecide  = "ra" // the coordinator: aid, year, "a" accept | "r" return
)

// reportYear is the school year whose report the association writes
// next.
func (b *Engine) reportYear(r *Request, a *mmo.Association) (int, error) {
	reg := b.opt.Regulation
	last, err := b.docState(r, mmo.DocReport, a, reg.SchoolYearOf(r.Now, b.opt.Location)-1)
	if err != nil {
		return 0, err
	}
	return reg.ReportYear(a, last, r.Now, b.opt.Location), nil
}

// yearFacts is what the bot knows of an association's school year from
// its own records, for the report.
type yearFacts struct {
	meetings []eventFacts // заседания held, in order
	others   []eventFacts // other events held
	planned  int          // заседания scheduled ahead
	consult  map[string]int
	consults int
	tally    mmo.ConsultTally
	plan     *mmo.Plan
	done     map[int]bool
	match    mmo.PlanMatch
	minutes  map[uint64]*mmo.Minutes // the latest minutes of each заседание
}

type eventFacts struct {
	e       *mmo.Event
	number  int
	present int
}

func (b *Engine) facts(r *Request, a *mmo.Association, year int) (*yearFacts, error) {
	from, to := b.opt.Regulation.YearSpan(year, b.opt.Location)
	events, err := r.Tx.AssociationEvents(a.ID, from, to)
	if err != nil {
		return nil, err
	}
	numbers := mmo.MeetingNumbers(events, b.opt.Regulation, b.opt.Location) // numbers restart each year
	f := &yearFacts{consult: map[string]int{}, minutes: map[uint64]*mmo.Minutes{}}
	for _, e := range events {
		if e.State != mmo.EventPublished {
			continue
		}
		if !e.Started(r.Now) {
			if e.Format == mmo.FormatMeeting {
				f.planned++
			}
			continue
		}
		// As many as the signed protocol says were there, or every
		// present mark (deleted users' too): the sheets count the same.
		ro, err := b.eventRoster(r, e, a)
		if err != nil {
			return nil, err
		}
		ef := eventFacts{e: e, number: numbers[e.ID], present: ro.present()}
		if e.Format == mmo.FormatMeeting {
			f.meetings = append(f.meetings, ef)
			if vs, err := r.Tx.MinutesVersions(e.ID); err == nil && len(vs) > 0 {
				f.minutes[e.ID] = vs[len(vs)-1]
			}
		} else {
			f.others = append(f.others, ef)
		}
	}
	cs, err := r.Tx.AssociationConsultations(a.ID)
	if err != nil {
		return nil, err
	}
	var ofYear []*mmo.Consultation
	for _, c := range cs {
		if b.opt.Regulation.SchoolYearOf(c.CreatedAt, b.opt.Location) == year {
			f.consult[c.Category]++
			f.consults++
			ofYear = append(ofYear, c)
		}
	}
	f.tally = mmo.TallyConsultations(ofYear)
	if p, err := r.Tx.Plan(a.ID, year); err == nil {
		f.plan = p
		if f.match, err = b.planMatch(r, a, p); err != nil {
			return nil, err
		}
		f.done = map[int]bool{}
		for id := range f.match.Event {
			f.done[id] = true
		}
	}
	return f, nil
}

// sectionKeys name the report's sections in the catalog.
var sectionKeys = map[string]string{
	"meetings":     "report.section_meetings",
	"directions":   "report.section_directions",
	"practice":     "report.section_practice",
	"contests":     "report.section_contests",
	"open_events":  "report.section_open_events",
	"publications": "report.section_publications",
	"young":        "report.section_young",
	"problems":     "report.section_problems",
	"perspectives": "report.section_perspectives",
}

func sectionKey(l loc, s string) string { return l.T(sectionKeys[s]) }

// cmdReport opens the annual report of the association the leader runs.
func (b *Engine) cmdReport(r *Request) error {
	return b.choose(r, "report", func(r *Request, a *mmo.Association) error {
		year, err := b.reportYear(r, a)
		if err != nil {
			return err
		}
		return b.showReport(r, a, year, false)
	})
}

func (b *Engine) onReport(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	return b.showReport(r, a, year, true)
}

func (b *Engine) loadReport(r *Request, a *mmo.Association, year int) (*mmo.Report, error) {
	rep, err := r.Tx.Report(a.ID, year)
	if errors.Is(err, mmo.ErrNotFound) {
		return &mmo.Report{AssociationID: a.ID, Year: year, DocState: mmo.DocState{Status: mmo.DocDraft}, Sections: map[string]string{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load the report of association %d for %d: %w", a.ID, year, err)
	}
	if rep.Sections == nil {
		rep.Sections = map[string]string{}
	}
	return rep, nil
}

// showReport renders the report's state: the facts the bot fills in and
// which sections the leader has written.
func (b *Engine) showReport(r *Request, a *mmo.Association, year int, edit bool) error {
	rep, err := b.loadReport(r, a, year)
	if err != nil {
		return err
	}
	f, err := b.facts(r, a, year)
	if err != nil {
		return err
	}
	l := r.loc()
	id, y := aid(a), strconv.Itoa(year)
	var sb strings.Builder
	sb.WriteString(l.T("report.title", "Name", a.Name, "From", year, "To", year+1))
	sb.WriteString("\n" + docStatusLine(l, mmo.DocReport, rep.Status, rep.Comment))
	sb.WriteString("\n" + b.docDueLine(l, "report.due", b.opt.Regulation.Due(mmo.DocReport, year, b.opt.Location), rep.Status, r.Now))
	sb.WriteString("\n\n" + l.T("report.auto", "Meetings", len(f.meetings), "Min", b.opt.Regulation.MinMeetings, "Others", len(f.others), "Consults", f.consults))
	if f.plan != nil {
		sb.WriteString("\n" + l.T("report.auto_plan", "Done", len(f.done), "Total", len(f.plan.Items)))
		if len(f.match.Auto) > 0 {
			sb.WriteString(" " + l.N("doc_report.auto_matched", len(f.match.Auto)))
		}
	}
	sb.WriteString("\n\n" + l.T("report.sections"))
	var kb [][]Button
	var row []Button
	for i, s := range mmo.ReportSections {
		mark := "—"
		if strings.TrimSpace(rep.Sections[s]) != "" {
			mark = "✅"
		}
		sb.WriteString("\n" + mark + " " + strconv.Itoa(i+1) + ". " + esc(sectionKey(l, s)))
		if rep.Status.Editable() {
			// A short name whole rather than the heading cut mid-word, with
			// the mark of a filled section.
			label := strconv.Itoa(i+1) + ". " + l.T("doc_report_short."+s)
			if strings.TrimSpace(rep.Sections[s]) != "" {
				label = "✅ " + label
			}
			row = append(row, r.Button(label, verbReportSection, id, y, strconv.Itoa(i)))
			if len(row) == 2 {
				kb = append(kb, row)
				row = nil
			}
		}
	}
	if len(row) > 0 {
		kb = append(kb, row)
	}
	if rep.Status.Editable() && f.plan != nil && len(f.plan.Items) > 0 {
		kb = append(kb, []Button{r.Button(l.T("doc_report.match_button"), verbReportMatch, id, y)})
	}
	if rep.Status.Editable() {
		kb = append(kb, []Button{r.Button(l.T("report.submit"), verbReportSubmit, id, y)})
	}
	kb = append(kb, []Button{r.Button(l.T("report.docx"), verbReportDOCX, id, y)})
	if zb, err := b.reportZIPButton(r, a, year); err != nil { // the report with the theses (report_zip.go)
		return err
	} else if zb != nil {
		kb = append(kb, zb)
	}
	if r.Role >= mmo.RoleCoordinator && rep.Status == mmo.DocSubmitted {
		kb = append(kb, []Button{r.Button(l.T("doc.accept_report"), verbReportDecide, id, y, "a"), r.Button(l.T("doc.return"), verbReportDecide, id, y, "r")})
	}
	kb = append(kb, []Button{r.Button(l.T("conv_forms2.home"), verbHome)})
	if edit {
		r.Edit(sb.String(), kb...)
	} else {
		r.Reply(sb.String(), kb...)
	}
	return nil
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// onReportSection starts the form for one section, showing what the bot
// already knows for it.
func (b *Engine) onReportSection(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	i, err := strconv.Atoi(r.Press.Arg(2))
	if err != nil || i < 0 || i >= len(mmo.ReportSections) {
		return r.stale()
	}
	rep, err := b.loadReport(r, a, year)
	if err != nil {
		return err
	}
	if !rep.Status.Editable() {
		r.Answer(r.T("report.locked"), true)
		return nil
	}
	s := mmo.ReportSections[i]
	d := mmo.NewDialog(mmo.FlowReportSection, s, r.Now, b.opt.DialogIdle)
	d.Draft["aid"], d.Draft["year"] = aid(a), strconv.Itoa(year)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	l := r.loc()
	text := l.T("report.ask_section", "N", i+1, "Section", sectionKey(l, s)) + "\n\n" + l.T(hintKey(s))
	if old := rep.Sections[s]; old != "" {
		text += "\n\n" + l.T("report.was", "Old", truncate(old, 1500))
	} else if sug, err := b.registersSuggestion(r, a.ID, year, s); err != nil { // registers (registers.go)
		return err
	} else if sug != "" {
		text += "\n\n" + l.T("reg_entry.suggestion", "Text", truncate(sug, 1500))
	}
	kb := [][]Button{r.cancelButton(d.Nonce)}
	if rep.Sections[s] != "" { // «-» typed clears it too
		kb = append([][]Button{r.skipRow(d, r.T("conv_wave3.clear"), "r")}, kb...)
	}
	r.Reply(text, kb...)
	return nil
}

// hintKey names the hint of a section (the bot's own facts come with the
// first and fifth).
func hintKey(s string) string {
	switch s {
	case "meetings", "open_events":
		return "report.hint_auto"
	}
	return "report.hint_text"
}

// dialogReportSection takes a section's text: "+" keeps the old one, "-"
// clears it.
func (b *Engine) dialogReportSection(r *Request, d *mmo.Dialog) error {
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	year, _ := strconv.Atoi(d.Draft["year"])
	a, err := r.Tx.Association(id)
	if err != nil || !r.canManage(a) {
		r.Reply(r.T("assoc.not_yours"))
		return r.EndDialog()
	}
	rep, err := b.loadReport(r, a, year)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(r.Text)
	switch text {
	case keepValue:
		if rep.Sections[d.Step] == "" { // "+" takes what the registers give (registers.go)
			sug, err := b.registersSuggestion(r, a.ID, year, d.Step)
			if err != nil {
				return err
			}
			if sug != "" {
				rep.Sections[d.Step] = sug
			}
		}
	case mmo.SkipValue:
		delete(rep.Sections, d.Step)
	default:
		t, err := mmo.ValidateLongText("section", text, 3, 8000)
		if err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		rep.Sections[d.Step] = t
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	if !rep.Status.Editable() {
		r.Reply(r.T("report.locked"))
		return nil
	}
	if err := r.Tx.PutReport(rep); err != nil {
		return fmt.Errorf("save the report of association %d for %d: %w", rep.AssociationID, rep.Year, err)
	}
	r.Reply(r.T("edit.saved"))
	return b.showReport(r, a, year, false)
}

// onReportSubmit sends the report to the coordinators; with sections still
// empty it asks first.
func (b *Engine) onReportSubmit(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	rep, err := b.loadReport(r, a, year)
	if err != nil {
		return err
	}
	if !rep.Status.Editable() {
		return r.stale()
	}
	var empty []string
	for _, n := range rep.EmptySections() {
		empty = append(empty, strconv.Itoa(n))
	}
	f, err := b.facts(r, a, year)
	if err != nil {
		return err
	}
	var warn []string
	if len(empty) > 0 {
		warn = append(warn, r.T("report.empty_confirm", "Sections", strings.Join(empty, ", ")))
	}
	warn = append(warn, b.reportWarnings(r.loc(), f, r.Now)...)
	if len(warn) > 0 && r.Press.Arg(2) != "y" {
		r.Reply(strings.Join(warn, "\n\n"), []Button{
			r.Button(r.T("report.submit_anyway"), verbReportSubmit, aid(a), strconv.Itoa(year), "y"),
			r.Button(r.T("report.back"), verbReport, aid(a), strconv.Itoa(year)),
		})
		return nil
	}
	from, _ := b.opt.Regulation.YearSpan(year, b.opt.Location)
	c, asked, err := b.considered(r, a, year, from, "report", verbReportSubmit)
	if errors.Is(err, errStaleChoice) {
		return r.stale()
	}
	if err != nil || asked {
		return err
	}
	if err := rep.Submit(r.Now); err != nil {
		return r.stale()
	}
	rep.Considered = c
	if err := r.Tx.PutReport(rep); err != nil {
		return fmt.Errorf("save the report of association %d for %d: %w", rep.AssociationID, rep.Year, err)
	}
	if err := r.audit("annual.submit", 0, a, strconv.Itoa(year)); err != nil {
		return err
	}
	if err := b.tellCoordinators(r, a, "report.submitted_notice", year, verbReportDOCX, verbReportDecide, rep.SubmittedAt); err != nil {
		return err
	}
	r.Answer(r.T("report.submitted"), false)
	return b.showReport(r, a, year, r.Press.Arg(2) != "y" || r.Press.Arg(3) != "")
}

// onReportDecide accepts a submitted report, or asks the comment to return
// it with.
func (b *Engine) onReportDecide(r *Request) error { return b.onDecide(r, mmo.DocReport) }

// onReportDOCX renders the report on the form of Приложение 2, with the
// bot's own facts in sections 1 and 5, the consultations and the plan's
// fulfilment, and the year's minutes listed as attachments.
func (b *Engine) onReportDOCX(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	name, data, err := b.reportFile(r, a, year)
	if err != nil {
		return err
	}
	r.ReplyDocument(name, data, r.T("report.doc_caption", "Name", a.Name, "From", year, "To", year+1))
	r.Answer(r.T("export.sending"), false)
	return nil
}

// reportFile renders the report on the form of Приложение 2.
func (b *Engine) reportFile(r *Request, a *mmo.Association, year int) (string, []byte, error) {
	rep, err := b.loadReport(r, a, year)
	if err != nil {
		return "", nil, err
	}
	f, err := b.facts(r, a, year)
	if err != nil {
		return "", nil, err
	}
	l := r.docLoc()
	leader := ""
	if u, err := r.Tx.User(a.LeaderID); err == nil && a.LeaderID != 0 {
		leader = u.Name
	}
	doc := render.FormDoc{
		Header:   b.formHeader(l, "report.doc_header"),
		Title:    l.T("report.doc_title"),
		Subtitle: []string{mmo.OfficialName(a.Name), b.yearLabel(l, "report", year)},
		Fields:   []render.FormField{{Label: l.T("plan.doc_leader"), Value: leader}},
	}
	if b.biysk() { // its regulation (6.1) names the report «анализ работы ММО»
		doc.Title = l.T("doc_wave3.biysk_report_title")
	}
	if rep.Status != mmo.DocApproved {
		doc.Draft = l.T("docx.draft")
	} else {
		who := ""
		if u, err := r.Tx.User(rep.DecidedBy); err == nil && u.Registered() {
			who = shortName(u.Name)
		}
		doc.Approval = []string{l.T("doc_report.accepted", "Who", who, "Date", b.date(rep.DecidedAt))}
	}
	for i, s := range mmo.ReportSections {
		sec := render.FormSection{Number: strconv.Itoa(i+1) + ".", Heading: sectionKey(l, s), Empty: l.T("report.doc_empty")}
		if s == "publications" && b.biysk() { // Biysk has no МБУ МЦ and its editions
			sec.Heading = l.T("doc_preset.biysk_publications")
		}
		if s == "perspectives" && b.calendarYear() { // the next year is a calendar one
			sec.Heading = l.T("doc_wave3.perspectives_calendar")
		}
		switch s {
		case "meetings":
			sec.Paragraphs = []string{l.N("report.doc_meetings", len(f.meetings), "Min", b.opt.Regulation.MinMeetings)}
			if b.opt.Regulation.MinMeetings == 0 { // no minimum to compare with
				sec.Paragraphs = []string{l.N("doc_report.meetings_held", len(f.meetings))}
			}
			if len(f.meetings) > 0 {
				t := &render.FormTable{Headers: []string{l.T("report.col_number"), l.T("history.col_date"), l.T("history.col_topic"), l.T("report.col_present")}, Widths: []int{2, 3, 10, 3}}
				for _, m := range f.meetings {
					t.Rows = append(t.Rows, []string{strconv.Itoa(m.number), b.date(m.e.Start), m.e.Topic, strconv.Itoa(m.present)})
				}
				sec.Table = t
			}
		case "directions":
			if f.consults > 0 {
				keys := make([]string, 0, len(f.consult))
				for k := range f.consult {
					keys = append(keys, k)
				}
				slices.SortFunc(keys, func(x, y string) int { return strings.Compare(categoryName(l, x), categoryName(l, y)) })
				t := &render.FormTable{Headers: []string{l.T("consultx.col_category"), l.T("consultx.col_total")}, Widths: []int{8, 2}}
				for _, k := range keys {
					t.Rows = append(t.Rows, []string{categoryName(l, k), strconv.Itoa(f.consult[k])})
				}
				sec.Table = t
				// The leader's own words come first, the consultations
				// after them, next to their table.
				if text := rep.Sections[s]; text != "" {
					sec.Paragraphs = append(sec.Paragraphs, text)
				}
				sec.Paragraphs = append(sec.Paragraphs, consultLines(l, f.tally)...)
				doc.Sections = append(doc.Sections, sec)
				continue
			}
		case "open_events":
			if len(f.others) > 0 {
				t := &render.FormTable{Headers: []string{l.T("history.col_date"), l.T("history.col_format"), l.T("history.col_topic"), l.T("report.col_present")}, Widths: []int{3, 4, 10, 3}}
				for _, o := range f.others {
					t.Rows = append(t.Rows, []string{b.date(o.e.Start), formatName(l, o.e.Format), o.e.Topic, strconv.Itoa(o.present)})
				}
				sec.Table = t
			}
		}
		if text := rep.Sections[s]; text != "" {
			sec.Paragraphs = append(sec.Paragraphs, text)
		}
		doc.Sections = append(doc.Sections, sec)
	}
	if f.plan != nil && len(f.plan.Items) > 0 {
		t := &render.FormTable{Headers: []string{l.T("plan.doc_month"), l.T("plan.doc_topic"), l.T("plan.doc_format"), l.T("report.col_done")}, Widths: []int{3, 10, 4, 3}}
		for _, it := range f.plan.Items {
			done := l.T("report.not_done")
			if e := f.match.Event[it.ID]; e != nil {
				done = l.T("doc_report.done_on", "Date", b.date(e.Start))
			} else if !b.itemDue(f, it, r.Now) {
				done = l.T("doc_report.not_due") // a month still to come is not a failure
			}
			t.Rows = append(t.Rows, []string{monthName(l, it.Month), it.Topic, formatName(l, it.Format), done})
		}
		sec := render.FormSection{Heading: l.T("report.doc_plan", "Done", len(f.done), "Total", len(f.plan.Items)), Table: t}
		for _, e := range f.match.Unplanned {
			sec.List = append(sec.List, b.date(e.Start)+" — "+formatName(l, e.Format)+" «"+e.Topic+"»")
		}
		if len(sec.List) > 0 {
			sec.Paragraphs = []string{l.T("doc_report.unplanned")}
		}
		doc.Sections = append(doc.Sections, sec)
	}
	var attachments []string
	for _, m := range f.meetings {
		state := l.T("report.minutes_missing")
		if mn, ok := f.minutes[m.e.ID]; ok {
			state = l.T("report.minutes_final")
			if mn.Status == mmo.MinutesDraft {
				state = l.T("report.minutes_draft")
			}
		}
		attachments = append(attachments, l.T("report.doc_minutes_item", "N", m.number, "Date", b.date(m.e.Start), "State", state))
	}
	if len(attachments) == 0 {
		attachments = []string{l.T("report.doc_no_minutes")}
	}
	doc.Sections = append(doc.Sections, render.FormSection{Heading: l.T("report.doc_attachments"),
		Paragraphs: []string{l.T("doc_report.attach_minutes")}, List: attachments})
	// The theses the members filed in the bank for the year's заседания.
	theses, err := b.ReportTheses(r.Tx, l.lang, a.ID, year)
	if err != nil {
		return "", nil, err
	}
	doc.Sections = append(doc.Sections, render.FormSection{Paragraphs: []string{l.T("doc_report.attach_theses")}, List: theses})
	// A sent report is dated when the leader sent it, not when it is
	// downloaded; one still being written, today.
	dated := r.Now
	if !rep.Status.Editable() && !rep.SubmittedAt.IsZero() {
		dated = rep.SubmittedAt
	}
	doc.Footer = append(b.consideredLine(l, rep.Considered, ""), l.T("plan.doc_sign", "Name", initialsFirst(leader)), l.T("report.doc_date", "Date", b.date(dated)))
	plainForm(&doc)
	data, err := render.Form(doc)
	if err != nil {
		return "", nil, err
	}
	file := "doc_report.file"
	if b.biysk() {
		file = "doc_wave3.biysk_report_file"
	}
	return docFileName(l.T(file, "Name", mmo.OfficialName(a.Name), "Period", b.yearLabel(l, "report", year))) + ".docx", data, nil
}

// consultLines tell the year's consultations as the report prints them:
// received, answered and still open, teachers and others apart.
func consultLines(l loc, t mmo.ConsultTally) []string {
	tot := t.Total()
	out := []string{l.N("doc_report.consults_received", tot.Received, "Answered", tot.Answered, "Open", tot.Open)}
	if t.Teachers.Received > 0 {
		out = append(out, l.N("doc_report.consults_teachers", t.Teachers.Received, "Answered", t.Teachers.Answered, "Open", t.Teachers.Open))
	}
	if t.Others.Received > 0 {
		out = append(out, l.N("doc_report.consults_others", t.Others.Received, "Answered", t.Others.Answered, "Open", t.Others.Open))
	}
	out = append(out, l.T("doc_report.consults_topics"))
	return out
}
