package chat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// Callback verbs of the coordinator's overview and retention.
const (
	verbOverviewXLSX = "ox" // the overview as XLSX
	verbArchive      = "oa" // export a school year's records before removal: year
)

// dailyIfDue runs the daily jobs once a day, after the alert time: the
// deadline reminders, the coordinators' digest, and retention.
func (b *Engine) dailyIfDue(r *Request) (bool, error) {
	today, ok := mmo.DailyDue(r.Now, b.alerts.Hour(), b.alerts.Minute(), b.opt.Location)
	if !ok {
		return false, nil
	}
	day := today.Format("2006-01-02")
	if r.Tx.Marked("daily:" + day) {
		return false, nil
	}
	if err := r.Tx.Mark("daily:" + day); err != nil {
		return false, err
	}
	n := len(r.out)
	if err := b.ladderReminders(r); err != nil {
		return false, err
	}
	if err := b.digest(r); err != nil {
		return false, err
	}
	if err := b.retention(r); err != nil {
		return false, err
	}
	return len(r.out) > n, nil
}

// systemRequest is a request with no user and nothing to answer, for
// scheduled jobs.
func (b *Engine) systemRequest(tx *boltdb.Tx) *Request {
	return &Request{bot: b, Tx: tx, Now: b.now(), Update: &Update{Messenger: b.opt.Transports[0].Messenger}, User: &mmo.User{}, Lang: i18n.Default}
}

// docState is a plan's or report's status for one association and year.
func (b *Engine) docState(r *Request, kind string, a *mmo.Association, year int) (mmo.DocStatus, error) {
	if kind == mmo.DocPlan {
		p, err := r.Tx.Plan(a.ID, year)
		if errors.Is(err, mmo.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return p.Status, nil
	}
	rep, err := r.Tx.Report(a.ID, year)
	if errors.Is(err, mmo.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return rep.Status, nil
}

// pendingDocs lists the plans and reports an association still owes: those
// the deadline rules watch that are not yet submitted or approved.
func (b *Engine) pendingDocs(r *Request, a *mmo.Association) ([]mmo.DocDue, error) {
	var out []mmo.DocDue
	for _, d := range b.opt.Regulation.DocsWatched(a, r.Now, b.opt.Location) {
		st, err := b.docState(r, d.Kind, a, d.Year)
		if err != nil {
			return nil, err
		}
		if !st.Done() {
			out = append(out, d)
		}
	}
	return out, nil
}

// ladderReminders reminds leaders of plans and reports due: each rung of
// the ladder once, the latest one only after a downtime.
func (b *Engine) ladderReminders(r *Request) error {
	all, err := r.Tx.Associations()
	if err != nil {
		return err
	}
	today := mmo.Today(r.Now, b.opt.Location)
	for _, a := range all {
		if a.Archived() || a.LeaderID == 0 {
			continue
		}
		docs, err := b.pendingDocs(r, a)
		if err != nil {
			return err
		}
		for _, d := range docs {
			rung, ok := b.opt.Regulation.DueRung(d.Due, today)
			if !ok {
				continue
			}
			key := fmt.Sprintf("ladder:%s:%d:%d:%s", d.Kind, a.ID, d.Year, rung.Name)
			if r.Tx.Marked(key) {
				continue
			}
			if err := r.Tx.Mark(key); err != nil {
				return err
			}
			leader, err := r.Tx.User(a.LeaderID)
			if err != nil || leader.Blocked {
				continue
			}
			l := r.locOf(leader)
			verb, what := verbPlan, l.T("deadline.plan", "From", d.Year, "To", d.Year+1)
			if d.Kind == mmo.DocReport {
				verb, what = verbReport, l.T("deadline.report", "From", d.Year, "To", d.Year+1)
			}
			r.Send(leader.ID, l.T("deadline.reminder", "What", rawArg(what), "Name", a.Name, "Date", d.Due.Format("02.01.2006"), "When", rawArg(dueText(l, d.DaysLeft))),
				[]Button{r.Button(l.T("doc.open"), verb, aid(a), strconv.Itoa(d.Year))})
		}
	}
	return nil
}

// dueText is "in 7 days", "today", "3 days overdue".
func dueText(l loc, left int) string {
	switch {
	case left > 0:
		return l.N("deadline.in_days", left)
	case left == 0:
		return l.T("deadline.today")
	}
	return l.N("deadline.overdue_days", -left)
}

// digest sends the coordinators one message a day with what needs their
// attention; nothing to say, nothing is sent. It runs among the daily
// jobs, whose mark keeps it to once a day.
func (b *Engine) digest(r *Request) error {
	coords, err := b.coordinators(r.Tx)
	if err != nil || len(coords) == 0 {
		return err
	}
	d, err := b.digestData(r)
	if err != nil || d.Empty() {
		return err
	}
	texts := map[string]string{} // the digest depends on the language only
	for _, c := range coords {
		l := r.locOf(c)
		text, ok := texts[l.lang]
		if !ok {
			text = b.digestText(l, &d)
			texts[l.lang] = text
		}
		r.Send(c.ID, text, b.digestButtons(r, l, &d)...)
	}
	return nil
}

// digestData loads what the digest is decided from and decides it.
func (b *Engine) digestData(r *Request) (mmo.Digest, error) {
	reg := b.opt.Regulation
	all, err := r.Tx.Associations()
	if err != nil {
		return mmo.Digest{}, err
	}
	from, to := reg.YearSpan(reg.SchoolYearOf(r.Now, b.opt.Location), b.opt.Location)
	var facts []mmo.AssociationFacts
	for _, a := range all {
		if a.Archived() {
			continue
		}
		f := mmo.AssociationFacts{Association: a}
		if f.Owed, err = b.pendingDocs(r, a); err != nil {
			return mmo.Digest{}, err
		}
		if f.Members, _, err = r.Tx.CountMembers(a.ID); err != nil {
			return mmo.Digest{}, err
		}
		if f.Events, err = r.Tx.AssociationEvents(a.ID, from, to); err != nil {
			return mmo.Digest{}, err
		}
		if f.Consultations, err = r.Tx.AssociationConsultations(a.ID); err != nil {
			return mmo.Digest{}, err
		}
		facts = append(facts, f)
	}
	return mmo.BuildDigest(facts, reg, r.Now, b.opt.Location), nil
}

// digestText renders the digest in one language.
func (b *Engine) digestText(l loc, d *mmo.Digest) string {
	var docs, members, meetings, consults []string
	for _, x := range d.Docs {
		what := l.T("deadline.plan", "From", x.Year, "To", x.Year+1)
		if x.Kind == mmo.DocReport {
			what = l.T("deadline.report", "From", x.Year, "To", x.Year+1)
		}
		docs = append(docs, l.T("digest.doc", "Name", x.Association.Name, "What", rawArg(what), "Date", x.Due.Format("02.01.2006"), "When", rawArg(dueText(l, x.DaysLeft))))
	}
	for _, x := range d.Members {
		members = append(members, l.T("digest.members", "Name", x.Association.Name, "Members", rawArg(l.N("count.members", x.Members)), "Min", b.opt.Regulation.MinMembers))
	}
	for _, x := range d.Meetings {
		meetings = append(meetings, l.T("digest.meetings", "Name", x.Association.Name, "Held", x.Held, "Scheduled", x.Scheduled, "Min", b.opt.Regulation.MinMeetings))
	}
	for _, x := range d.Consults {
		consults = append(consults, l.T("digest.consult", "N", x.Consultation.ID, "Name", x.Association.Name, "Days", x.Days))
	}
	var sb strings.Builder
	sb.WriteString(l.T("digest.title", "Date", d.Day.Format("02.01.2006")))
	section := func(key string, lines []string) {
		if len(lines) == 0 {
			return
		}
		sb.WriteString("\n\n<b>" + l.T(key) + "</b>")
		for _, line := range lines {
			sb.WriteString("\n• " + line)
		}
	}
	section("digest.docs_title", docs)
	section("digest.members_title", members)
	section("digest.meetings_title", meetings)
	section("digest.consults_title", consults)
	return sb.String()
}

// overviewRow is one association in the coordinator's overview.
type overviewRow struct {
	a                 *mmo.Association
	v                 assocView
	held, scheduled   int
	plan, report      mmo.DocStatus
	planYear, repYear int
	lastActivity      time.Time
}

func (b *Engine) overview(r *Request) ([]overviewRow, error) {
	reg := b.opt.Regulation
	year := reg.SchoolYearOf(r.Now, b.opt.Location)
	all, err := r.Tx.Associations()
	if err != nil {
		return nil, err
	}
	var rows []overviewRow
	for _, a := range all {
		if a.Archived() {
			continue
		}
		v, err := b.view(r.Tx, a)
		if err != nil {
			return nil, err
		}
		row := overviewRow{a: a, v: v, planYear: b.planYear(r.Now)}
		if row.repYear, err = b.reportYear(r, a); err != nil {
			return nil, err
		}
		from, to := reg.YearSpan(year, b.opt.Location)
		events, err := r.Tx.AssociationEvents(a.ID, from, to)
		if err != nil {
			return nil, err
		}
		row.held, row.scheduled = mmo.CountMeetings(events, r.Now)
		ms, err := r.Tx.Members(a.ID)
		if err != nil {
			return nil, err
		}
		cs, err := r.Tx.AssociationConsultations(a.ID)
		if err != nil {
			return nil, err
		}
		row.lastActivity = mmo.LastActivity(a, events, ms, cs, r.Now)
		if row.plan, err = b.docState(r, mmo.DocPlan, a, row.planYear); err != nil {
			return nil, err
		}
		if row.report, err = b.docState(r, mmo.DocReport, a, row.repYear); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func docStatusShort(l loc, s mmo.DocStatus) string {
	switch s {
	case mmo.DocSubmitted:
		return l.T("overview.submitted")
	case mmo.DocApproved:
		return l.T("overview.approved")
	case mmo.DocReturned:
		return l.T("overview.returned")
	case mmo.DocDraft:
		return l.T("overview.draft")
	}
	return l.T("overview.none")
}

// cmdOverview shows the coordinator every association at a glance.
func (b *Engine) cmdOverview(r *Request) error {
	rows, err := b.overview(r)
	if err != nil {
		return err
	}
	l := r.loc()
	var sb strings.Builder
	sb.WriteString(l.T("overview.title"))
	if len(rows) == 0 {
		sb.WriteString("\n\n" + l.T("assoc.catalog_empty"))
	}
	for _, row := range rows {
		sb.WriteString("\n\n" + l.T("overview.row",
			"Name", row.a.Name,
			"Members", rawArg(l.N("count.members", row.v.members)),
			"Status", rawArg(b.statusText(r, row.v)),
			"Held", row.held, "Scheduled", row.scheduled, "Min", b.opt.Regulation.MinMeetings,
			"Plan", rawArg(docStatusShort(l, row.plan)), "Report", rawArg(docStatusShort(l, row.report)),
			"Activity", b.dateIn(l.lang, row.lastActivity)))
	}
	// Each line opens its association: the coordinator acts from here.
	var kb [][]Button
	for _, row := range rows {
		kb = append(kb, []Button{r.Button(l.T("conv_coord.open_association", "Name", row.a.Name), verbAssocCard, aid(row.a))})
	}
	if len(kb) > maxDigestRows {
		kb = kb[:maxDigestRows]
	}
	r.Reply(sb.String(), append(kb, []Button{r.Button(l.T("overview.xlsx"), verbOverviewXLSX)})...)
	return nil
}

// onOverviewXLSX exports the overview.
func (b *Engine) onOverviewXLSX(r *Request) error {
	rows, err := b.overview(r)
	if err != nil {
		return err
	}
	l := r.loc()
	t := render.Table{
		Sheet:    l.T("overview.sheet"),
		Title:    l.T("overview.xlsx_title"),
		Subtitle: []string{l.T("export.generated", "Date", b.dateTime(r.Now))},
		Headers: []string{l.T("overview.col_name"), l.T("overview.col_leader"), l.T("overview.col_members"), l.T("overview.col_status"),
			l.T("overview.col_held"), l.T("overview.col_scheduled"), l.T("overview.col_plan"), l.T("overview.col_report"), l.T("overview.col_activity")},
	}
	for _, row := range rows {
		leader := ""
		if row.v.leader != nil {
			leader = row.v.leader.Name
		}
		t.Rows = append(t.Rows, []render.Cell{render.Text(row.a.Name), render.Text(leader), render.Int(row.v.members),
			render.Text(plain(b.statusText(r, row.v))), render.Int(row.held), render.Int(row.scheduled),
			render.Text(plain(docStatusShort(l, row.plan))), render.Text(plain(docStatusShort(l, row.report))),
			render.Date(row.lastActivity, b.opt.Location)})
	}
	plainTable(&t)
	data, err := render.XLSX(t)
	if err != nil {
		return err
	}
	r.ReplyDocument("overview-"+mmo.Today(r.Now, b.opt.Location).Format("2006-01-02")+".xlsx", data, l.T("overview.caption"))
	r.Answer(r.T("export.sending"), false)
	return nil
}

// retention warns the coordinators a week before a school year's records
// are removed (with a button to export them), then removes them; marks
// keep each step to once.
func (b *Engine) retention(r *Request) error {
	for _, due := range b.opt.Regulation.RetentionActions(r.Now, b.opt.Location) {
		year := due.Year
		warnKey, doneKey := "retention:warn:"+strconv.Itoa(year), "retention:done:"+strconv.Itoa(year)
		if r.Tx.Marked(doneKey) {
			continue
		}
		if due.Action == mmo.RetentionWarn && !r.Tx.Marked(warnKey) {
			if err := r.Tx.Mark(warnKey); err != nil {
				return err
			}
			has, err := b.hasYearRecords(r, year)
			if err != nil {
				return err
			}
			if !has {
				continue
			}
			coords, err := b.coordinators(r.Tx)
			if err != nil {
				return err
			}
			for _, c := range coords {
				l := r.locOf(c)
				r.Send(c.ID, l.T("retention.warning", "From", year, "To", year+1, "Date", due.Expiry.Format("02.01.2006"), "Years", b.opt.Regulation.RetentionYears),
					[]Button{r.Button(l.T("retention.export_button", "From", year, "To", year+1), verbArchive, strconv.Itoa(year))})
			}
		}
		if due.Action == mmo.RetentionRemove {
			if err := r.Tx.Mark(doneKey); err != nil {
				return err
			}
			n, err := b.purgeYear(r, year)
			if err != nil {
				return err
			}
			if n > 0 {
				b.log.Info("retention: removed a school year's records", "year", year, "records", n)
			}
		}
	}
	return nil
}

// yearEvents returns the events of every association in a school year.
func (b *Engine) yearEvents(r *Request, year int) ([]*mmo.Event, error) {
	var out []*mmo.Event
	err := r.Tx.Events(func(e *mmo.Event) bool {
		if b.opt.Regulation.SchoolYearOf(e.Start, b.opt.Location) == year {
			out = append(out, e)
		}
		return true
	})
	return out, err
}

func (b *Engine) hasYearRecords(r *Request, year int) (bool, error) {
	events, err := b.yearEvents(r, year)
	if err != nil || len(events) > 0 {
		return len(events) > 0, err
	}
	found := false
	err = r.Tx.Consultations(func(c *mmo.Consultation) bool {
		found = b.opt.Regulation.SchoolYearOf(c.CreatedAt, b.opt.Location) == year
		return !found
	})
	return found, err
}

// purgeYear removes a school year's events (with answers, attendance and
// minutes), consultations, plans, reports and proposals.
func (b *Engine) purgeYear(r *Request, year int) (int, error) {
	events, err := b.yearEvents(r, year)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range events {
		if err := r.Tx.PurgeEvent(e.ID); err != nil {
			return n, fmt.Errorf("purge event %d: %w", e.ID, err)
		}
		if err := forgetViews(r, e); err != nil {
			return n, err
		}
		n++
	}
	var old []uint64
	if err := r.Tx.Consultations(func(c *mmo.Consultation) bool {
		if b.opt.Regulation.SchoolYearOf(c.CreatedAt, b.opt.Location) == year {
			old = append(old, c.ID)
		}
		return true
	}); err != nil {
		return n, err
	}
	for _, id := range old {
		if err := r.Tx.DeleteConsultation(id); err != nil {
			return n, err
		}
		n++
	}
	all, err := r.Tx.Associations()
	if err != nil {
		return n, err
	}
	for _, a := range all {
		if err := r.Tx.DeleteYearDocs(a.ID, year); err != nil {
			return n, err
		}
	}
	return n, nil
}

// onArchive exports a school year's records before they are removed: the
// events with attendance, and the consultations.
func (b *Engine) onArchive(r *Request) error {
	year, err := strconv.Atoi(r.Press.Arg(0))
	if err != nil {
		return r.stale()
	}
	l := r.loc()
	events, err := b.yearEvents(r, year)
	if err != nil {
		return err
	}
	ev := render.Table{Sheet: l.T("retention.sheet_events"), Title: l.T("retention.title", "From", year, "To", year+1),
		Headers: []string{l.T("history.col_association"), l.T("history.col_date"), l.T("history.col_format"), l.T("history.col_topic"), l.T("report.col_present")}}
	att := render.Table{Sheet: l.T("retention.sheet_attendance"), Title: l.T("retention.title", "From", year, "To", year+1),
		Headers: []string{l.T("history.col_association"), l.T("history.col_date"), l.T("history.col_topic"), l.T("export.col_name"), l.T("sheet.col_mark")}}
	names := map[uint64]string{}
	for _, e := range events {
		if _, ok := names[e.AssociationID]; !ok {
			if a, err := r.Tx.Association(e.AssociationID); err == nil {
				names[e.AssociationID] = a.Name
			}
		}
		marks, err := r.Tx.EventAttendance(e.ID)
		if err != nil {
			return err
		}
		present := 0
		for uid, m := range marks {
			if m.Mark == mmo.MarkPresent {
				present++
			}
			name := l.T("audit.deleted_user")
			if u, err := r.Tx.User(uid); err == nil && u.Registered() {
				name = u.Name
			}
			att.Rows = append(att.Rows, []render.Cell{render.Text(names[e.AssociationID]), render.Date(e.Start, b.opt.Location), render.Text(e.Topic), render.Text(name), render.Text(markText(l, m.Mark))})
		}
		ev.Rows = append(ev.Rows, []render.Cell{render.Text(names[e.AssociationID]), render.Date(e.Start, b.opt.Location), render.Text(formatName(l, e.Format)), render.Text(e.Topic), render.Int(present)})
	}
	cs := render.Table{Sheet: l.T("consultx.sheet_list"), Title: l.T("retention.title", "From", year, "To", year+1),
		Headers: []string{l.T("consultx.col_n"), l.T("history.col_association"), l.T("consultx.col_date"), l.T("consultx.col_category"), l.T("consultx.col_status")}}
	if err := r.Tx.Consultations(func(c *mmo.Consultation) bool {
		if b.opt.Regulation.SchoolYearOf(c.CreatedAt, b.opt.Location) == year {
			cs.Rows = append(cs.Rows, []render.Cell{render.Int(int(c.ID)), render.Text(names[c.AssociationID]), render.Date(c.CreatedAt, b.opt.Location), render.Text(categoryName(l, c.Category)), render.Text(statusName(l, c.Status))})
		}
		return true
	}); err != nil {
		return err
	}
	for _, t := range []*render.Table{&ev, &att, &cs} {
		plainTable(t)
	}
	data, err := render.XLSX(ev, att, cs)
	if err != nil {
		return err
	}
	r.ReplyDocument("archive-"+strconv.Itoa(year)+".xlsx", data, l.T("retention.caption", "From", year, "To", year+1))
	r.Answer(r.T("export.sending"), false)
	return nil
}
