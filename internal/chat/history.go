package chat

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// attended is an event the user was present at.
type attended struct {
	e *mmo.Event
	a *mmo.Association
}

// presence returns the user's marks of presence at events held by now
// with a start in [from, to) (zero from: since the first), from the
// user's attendance index and the start-time index, and the events they
// ran in their own associations: counting a teacher's years costs their
// marks and their associations' event index, not every event ever stored.
func (b *Engine) presence(r *Request, from, to time.Time) ([]boltdb.AttendanceRef, error) {
	if to.IsZero() || to.After(r.Now) {
		to = r.Now.Add(time.Second) // the index counts in seconds
	}
	refs, err := r.Tx.UserAttendance(r.User.ID, from, to)
	if err != nil {
		return nil, err
	}
	state := r.Tx.EventStates()
	refs = slices.DeleteFunc(refs, func(x boltdb.AttendanceRef) bool {
		return x.Mark != mmo.MarkPresent || x.Start.After(r.Now) || state(x.Start, x.EventID) != mmo.EventPublished
	})
	// The leader who ran an event was there, marked or not: the events
	// the user created in the associations they lead (or led until it
	// was archived).
	seen := map[uint64]bool{}
	for _, x := range refs {
		seen[x.EventID] = true
	}
	ms, err := r.Tx.UserMemberships(r.User.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		a, err := r.Tx.Association(m.AssociationID)
		if err != nil {
			return nil, err
		}
		if a.LeaderID != r.User.ID && a.FormerLeaderID != r.User.ID {
			continue // a member's presence is their marks alone
		}
		events, err := r.Tx.AssociationEventBriefs(m.AssociationID, from, to)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			if e.CreatedBy == r.User.ID && e.Held(r.Now) && !seen[e.ID] {
				seen[e.ID] = true
				refs = append(refs, boltdb.AttendanceRef{EventID: e.ID, Start: e.Start, Mark: mmo.MarkPresent})
			}
		}
	}
	slices.SortFunc(refs, func(x, y boltdb.AttendanceRef) int { return x.Start.Compare(y.Start) })
	return refs, nil
}

// attendedEvents returns the events the user was present at (see
// presence) with a start in [from, to) (zero from: since the first), in
// every association, by date; it decodes those events and their
// associations only.
func (b *Engine) attendedEvents(r *Request, from, to time.Time) ([]attended, error) {
	refs, err := b.presence(r, from, to)
	if err != nil {
		return nil, err
	}
	var out []attended
	assoc := map[uint64]*mmo.Association{}
	for _, x := range refs {
		e, err := r.Tx.Event(x.EventID)
		if err != nil {
			return nil, err
		}
		a, ok := assoc[e.AssociationID]
		if !ok {
			if a, err = r.Tx.Association(e.AssociationID); err != nil {
				return nil, err
			}
			assoc[e.AssociationID] = a
		}
		out = append(out, attended{e, a})
	}
	return out, nil
}

// cmdHistory shows how many events the user attended in each school year,
// with buttons for the participation record of a year or of all time.
func (b *Engine) cmdHistory(r *Request) error {
	list, err := b.presence(r, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		r.Reply(r.T("history.none"), r.homeRow())
		return nil
	}
	years := map[int]int{}
	for _, x := range list {
		years[b.opt.Regulation.SchoolYearOf(x.Start, b.opt.Location)]++
	}
	keys := make([]int, 0, len(years))
	for y := range years {
		keys = append(keys, y)
	}
	slices.Sort(keys)
	slices.Reverse(keys)
	var sb strings.Builder
	sb.WriteString(r.T("history.title"))
	var kb [][]Button
	for _, y := range keys {
		sb.WriteString("\n• " + r.T("history.year", "From", y, "To", y+1) + " — " + r.N("history.events", years[y]))
		kb = append(kb, []Button{r.Button(r.T("history.year_button", "From", y, "To", y+1), verbHistory, strconv.Itoa(y))})
	}
	kb = append(kb, []Button{r.Button(r.N("history.all_button", len(list)), verbHistory, "all")}, r.homeRow())
	r.Reply(sb.String(), kb...)
	return nil
}

// onHistory sends the participation record (справка) as a DOCX for the
// portfolio of certification (аттестация): issued by the centre, numbered,
// with the teacher's part at each event (attended, spoke, chaired, led),
// its hours, and the head's signature line. It is written in the
// documents' language, whatever the teacher's interface language.
func (b *Engine) onHistory(r *Request) error {
	l := r.docLoc()
	period := l.T("doc_record.period_all")
	var from, to time.Time
	if arg := r.Press.Arg(0); arg != "all" {
		year, err := strconv.Atoi(arg)
		if err != nil {
			return r.stale()
		}
		from, to = b.opt.Regulation.YearSpan(year, b.opt.Location)
		period = b.yearLabel(l, "record", year)
	}
	list, err := b.attendedEvents(r, from, to)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return r.stale()
	}
	number, err := r.Tx.NextRecordNumber()
	if err != nil {
		return err
	}
	u := r.User
	verb := l.T("doc_record.took_part_m")
	if mmo.Feminine(u.Name) {
		verb = l.T("doc_record.took_part_f")
	}
	who := u.Name
	if u.Position != "" {
		who += ", " + u.Position
	}
	if u.School != "" {
		who += ", " + u.School
	}
	var header []string
	for _, s := range []string{b.opt.Org.Name, b.opt.Org.City} {
		if s != "" {
			header = append(header, s)
		}
	}
	doc := render.RecordDoc{
		Header: header,
		Title:  l.T("doc_record.title", "N", number, "Date", b.date(r.Now)),
		Lines:  []string{l.T("doc_record.text", "Who", who, "Period", period, "Verb", verb)},
		Headers: []string{l.T("export.col_n"), l.T("history.col_date"), l.T("history.col_association"), l.T("history.col_format"),
			l.T("history.col_topic"), l.T("doc_record.col_role"), l.T("doc_record.col_hours")},
	}
	all, err := r.Tx.RegisterEntries()
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = r.Now.AddDate(1, 0, 0) // all time: what is entered up to now
	}
	mine := mmo.UserEntries(all, u.ID, from, to)
	var total time.Duration
	for i, x := range list {
		roles, err := b.recordRoles(r, l, x.e, u, mine)
		if err != nil {
			return err
		}
		total += x.e.Duration
		doc.Rows = append(doc.Rows, []string{strconv.Itoa(i + 1), x.e.Start.In(b.opt.Location).Format("02.01.2006"),
			x.a.Name, formatName(l, x.e.Format), x.e.Topic, strings.Join(roles, ", "), hoursText(x.e.Duration)})
	}
	doc.Footer = []string{l.N("history.doc_total", len(list)) + " " + l.T("doc_record.hours_total", "Hours", hoursText(total))}
	// Her own entries in the registers: contests, open lessons, master
	// classes, publications — what аттестация weighs besides attendance.
	var items []string
	for _, e := range mine {
		items = append(items, plain(l.T("reg_kind."+string(e.Kind))+": "+b.entryLine(r.Tx, l, e, false)))
	}
	doc.Sections = []render.RecordSection{{Heading: plain(l.T("doc_wave3.record_registers")), Items: items}}
	doc.Closing = []string{plain(l.T("doc_record.purpose"))}
	head := initialsFirst(b.opt.Org.HeadName)
	if head == "" {
		head = "________________"
	}
	doc.Sign = []string{b.opt.Org.HeadTitle + "\t____________ /" + head + "/", l.T("doc_record.stamp")}
	plainRecord(&doc)
	data, err := render.Record(doc)
	if err != nil {
		return err
	}
	name := docFileName(l.T("doc_record.file", "N", number, "Name", shortName(u.Name)))
	r.ReplyDocument(name+".docx", data, r.T("history.caption"))
	r.Answer(r.T("export.sending"), false)
	return nil
}

// recordRoles is the teacher's part at an event, as the record prints it:
// attended, and, from the minutes, chaired, kept the minutes, reported
// (СЛУШАЛИ) or spoke (ВЫСТУПИЛИ); the leader who ran an event led it. A
// master class or open lesson she ran is named whether it shows in the
// event she created, in a line of the minutes that names her, or in her
// entries of the register of open lessons (entries).
func (b *Engine) recordRoles(r *Request, l loc, e *mmo.Event, u *mmo.User, entries []*mmo.RegisterEntry) ([]string, error) {
	var roles []string
	practice := mmo.PracticeNone
	add := func(key string) {
		if s := l.T(key); !slices.Contains(roles, s) {
			roles = append(roles, s)
		}
	}
	vs, err := r.Tx.MinutesVersions(e.ID)
	if err != nil {
		return nil, err
	}
	var m *mmo.Minutes
	for _, v := range vs { // the latest signed version, else the latest
		if m == nil || v.Status == mmo.MinutesFinal || m.Status != mmo.MinutesFinal {
			m = v
		}
	}
	if m != nil {
		if m.Chair == u.ID || m.Chair == 0 && m.ChairName == "" && e.CreatedBy == u.ID {
			add("doc_record.role_chair")
		}
		if m.Secretary != "" && (m.Secretary == u.Name || shortName(m.Secretary) == shortName(u.Name)) {
			add("doc_record.role_secretary")
		}
		for _, it := range m.Items {
			if mmo.Mentions(it.Heard, u.Name) {
				add("doc_record.role_reported")
				practice = cmp.Or(practice, mmo.PracticeIn(it.Heard))
			}
			for _, line := range strings.Split(it.Spoke, "\n") {
				if mmo.Mentions(line, u.Name) {
					add("doc_record.role_spoke")
					practice = cmp.Or(practice, mmo.PracticeIn(line))
				}
			}
		}
	} else if e.CreatedBy == u.ID && mmo.PracticeOf(e) == mmo.PracticeNone {
		add("doc_record.role_led")
	}
	if e.CreatedBy == u.ID {
		practice = cmp.Or(mmo.PracticeOf(e), practice)
	}
	practice = cmp.Or(practice, mmo.PracticeFromRegister(entries, u.ID, e, b.opt.Location))
	switch practice {
	case mmo.PracticeMasterClass:
		add("doc_record.role_masterclass")
	case mmo.PracticeOpenLesson:
		add("doc_record.role_openlesson")
	}
	if len(roles) == 0 {
		add("doc_record.role_attended")
	}
	return roles, nil
}

// hoursText is a duration in hours as a Russian document writes it:
// «1,5», «2».
func hoursText(d time.Duration) string {
	s := strconv.FormatFloat(d.Hours(), 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return strings.ReplaceAll(s, ".", ",")
}
