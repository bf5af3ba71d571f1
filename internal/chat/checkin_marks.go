package chat

import (
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// onCheckinList shows a page of members to mark by hand.
func (b *Engine) onCheckinList(r *Request) error {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return err
	}
	page, _ := strconv.Atoi(r.Press.Arg(1))
	return b.showMarkList(r, e, a, page)
}

func (b *Engine) showMarkList(r *Request, e *mmo.Event, a *mmo.Association, page int) error {
	all, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	att, err := r.Tx.EventAttendance(e.ID)
	if err != nil {
		return err
	}
	// The members asked, as the card counts them: the leader is there.
	var members []member
	present := 0
	for _, m := range all {
		if m.u.ID == a.LeaderID {
			continue
		}
		members = append(members, m)
		if x, ok := att[m.u.ID]; ok && x.Mark == mmo.MarkPresent {
			present++
		}
	}
	pages := max(1, (len(members)+checkinPage-1)/checkinPage)
	page = min(max(page, 0), pages-1)
	id := eid(e)
	var kb [][]Button
	for i := page * checkinPage; i < min(len(members), (page+1)*checkinPage); i++ {
		m := members[i]
		mark, shown := "—", mmo.Mark("")
		if x, ok := att[m.u.ID]; ok {
			mark, shown = map[mmo.Mark]string{mmo.MarkPresent: "✅", mmo.MarkAbsent: "❌", mmo.MarkExcused: "🟡"}[x.Mark], x.Mark
		}
		// One screen: tapping a name cycles the mark, the pencil takes a
		// note; the mark shows on the row, and goes with the tap.
		kb = append(kb, []Button{
			r.Button(mark+" "+strconv.Itoa(i+1)+". "+shortName(m.u.Name), verbCheckinCycle, id, itoa(m.u.ID), strconv.Itoa(page), markCode(shown)),
			r.Button("✎ "+strconv.Itoa(i+1), verbCheckinNote, id, itoa(m.u.ID)),
		})
	}
	var nav []Button
	if page > 0 {
		nav = append(nav, r.Button("◀", verbCheckinList, id, strconv.Itoa(page-1)))
	}
	if page < pages-1 {
		nav = append(nav, r.Button("▶", verbCheckinList, id, strconv.Itoa(page+1)))
	}
	if len(nav) > 0 {
		kb = append(kb, nav)
	}
	kb = append(kb, []Button{r.Button(r.T("checkin.back"), verbCheckin, id)})
	r.Edit(r.T("checkin.count", "Present", present, "Total", len(members))+"\n"+r.T("doc_marks.title", "Page", page+1, "Pages", pages), kb...)
	return nil
}

// verbCheckinCycle taps a member's row of the marks screen: eid, uid,
// page, and the mark the row showed (see markCode).
const verbCheckinCycle = "cy"

// markCode is a mark in a button's data: "n" for none.
func markCode(m mmo.Mark) string {
	switch m {
	case mmo.MarkPresent:
		return "p"
	case mmo.MarkAbsent:
		return "a"
	case mmo.MarkExcused:
		return "e"
	}
	return "n"
}

// shownMark reads the mark a tapped row showed; ok false for a row drawn
// before rows carried it.
func shownMark(code string) (x *mmo.Attendance, ok bool) {
	switch code {
	case "p":
		return &mmo.Attendance{Mark: mmo.MarkPresent}, true
	case "a":
		return &mmo.Attendance{Mark: mmo.MarkAbsent}, true
	case "e":
		return &mmo.Attendance{Mark: mmo.MarkExcused}, true
	case "n":
		return nil, true
	}
	return nil, false
}

// nextMark is the mark a tap gives: none and absent become present,
// present becomes absent, absent for a good reason becomes present, so
// that three taps go round present, absent, excused.
func nextMark(x *mmo.Attendance) mmo.Mark {
	if x == nil {
		return mmo.MarkPresent
	}
	switch x.Mark {
	case mmo.MarkPresent:
		return mmo.MarkAbsent
	case mmo.MarkAbsent:
		return mmo.MarkExcused
	}
	return mmo.MarkPresent
}

// onCheckinCycle sets the next mark of a member from the marks screen and
// redraws it in place. The next mark is of the one the row showed: the
// list stays as drawn while members check in, and a tap on «—» of one
// who checked in meanwhile marks them present, which they are already,
// rather than absent.
func (b *Engine) onCheckinCycle(r *Request) error {
	e, a, u, ok, err := r.markTarget()
	if !ok {
		return err
	}
	old, err := r.Tx.Attendance(e.ID, u.ID)
	if err != nil {
		old = nil
	}
	shown, ok := shownMark(r.Press.Arg(3))
	if !ok {
		shown = old
	}
	mark := nextMark(shown)
	if old == nil || old.Mark != mark {
		x := &mmo.Attendance{EventID: e.ID, UserID: u.ID}
		if old != nil {
			x = old
		}
		x.Mark, x.How, x.By = mark, mmo.HowManual, r.User.ID
		if mark != mmo.MarkPresent || x.At.IsZero() {
			x.At = r.Now
		}
		if err := r.Tx.PutAttendance(x); err != nil {
			return err
		}
		r.redrawCheckin(e.ID)
	}
	r.Answer(r.T("checkin.marked", "Name", shortName(u.Name), "Mark", rawArg(markText(r.loc(), mark))), false)
	page, _ := strconv.Atoi(r.Press.Arg(2))
	return b.showMarkList(r, e, a, page)
}

// markTarget loads the member a manual-mark button is about.
func (r *Request) markTarget() (*mmo.Event, *mmo.Association, *mmo.User, bool, error) {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return nil, nil, nil, false, err
	}
	uid, okID := r.Press.Int(1)
	if !okID {
		return nil, nil, nil, false, r.stale()
	}
	u, err := r.Tx.User(uid)
	if err != nil {
		return nil, nil, nil, false, r.stale()
	}
	if m, err := r.Tx.Membership(a.ID, uid); err != nil || m.State != mmo.MemberActive {
		r.Answer(r.T("members.not_member"), true)
		return nil, nil, nil, false, nil
	}
	return e, a, u, true, nil
}

// onCheckinMember shows the mark buttons for one member.
func (b *Engine) onCheckinMember(r *Request) error {
	e, _, u, ok, err := r.markTarget()
	if !ok {
		return err
	}
	return b.showMember(r, e, u)
}

func (b *Engine) showMember(r *Request, e *mmo.Event, u *mmo.User) error {
	current := r.T("checkin.mark_none")
	if x, err := r.Tx.Attendance(e.ID, u.ID); err == nil {
		current = markText(r.loc(), x.Mark)
		if x.Note != "" {
			current += " (" + esc(x.Note) + ")"
		}
	}
	id, uid := eid(e), itoa(u.ID)
	r.Edit(r.T("checkin.member_title", "Name", u.Name, "Mark", rawArg(current)),
		[]Button{r.Button(r.T("checkin.set_present"), verbCheckinMark, id, uid, "p")},
		[]Button{r.Button(r.T("checkin.set_absent"), verbCheckinMark, id, uid, "a"), r.Button(r.T("checkin.set_excused"), verbCheckinMark, id, uid, "e")},
		[]Button{r.Button(r.T("checkin.note_button"), verbCheckinNote, id, uid)},
		[]Button{r.Button(r.T("checkin.back_list"), verbCheckinList, id, "0")})
	return nil
}

// onCheckinMark sets a mark by hand (for those without a phone, or to
// correct one).
func (b *Engine) onCheckinMark(r *Request) error {
	e, _, u, ok, err := r.markTarget()
	if !ok {
		return err
	}
	mark := map[string]mmo.Mark{"p": mmo.MarkPresent, "a": mmo.MarkAbsent, "e": mmo.MarkExcused}[r.Press.Arg(2)]
	if !mmo.ValidMark(mark) {
		return r.stale()
	}
	x := &mmo.Attendance{EventID: e.ID, UserID: u.ID}
	if old, err := r.Tx.Attendance(e.ID, u.ID); err == nil {
		x = old
	}
	if x.Mark != mark || x.How != mmo.HowManual {
		x.Mark, x.How, x.By = mark, mmo.HowManual, r.User.ID
		if mark != mmo.MarkPresent || x.At.IsZero() {
			x.At = r.Now
		}
	}
	if err := r.Tx.PutAttendance(x); err != nil {
		return err
	}
	r.Answer(r.T("checkin.marked", "Name", shortName(u.Name), "Mark", rawArg(markText(r.loc(), mark))), false)
	r.redrawCheckin(e.ID)
	return b.showMember(r, e, u)
}

// onCheckinNote asks for a note on a member's mark.
func (b *Engine) onCheckinNote(r *Request) error {
	e, _, u, ok, err := r.markTarget()
	if !ok {
		return err
	}
	d := mmo.NewDialog(mmo.FlowAttendanceNote, "note", r.Now, b.opt.DialogIdle)
	d.Draft["eid"], d.Draft["uid"] = eid(e), itoa(u.ID)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(r.T("checkin.ask_note", "Name", u.Name), r.cancelButton(d.Nonce))
	return nil
}

// dialogAttendanceNote takes the note; a member with no mark yet is
// marked absent for a good reason, which is what a note usually explains.
func (b *Engine) dialogAttendanceNote(r *Request, d *mmo.Dialog) error {
	note, err := mmo.ValidateLongText("note", r.Text, 2, 300)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
	uid, _ := strconv.ParseInt(d.Draft["uid"], 10, 64)
	if err := r.EndDialog(); err != nil {
		return err
	}
	e, err := r.Tx.Event(id)
	if err != nil {
		r.Reply(r.T("event.gone"))
		return nil
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil || !r.canManage(a) {
		return r.notYours()
	}
	x := &mmo.Attendance{EventID: id, UserID: uid, Mark: mmo.MarkExcused, How: mmo.HowManual, By: r.User.ID, At: r.Now}
	if old, err := r.Tx.Attendance(id, uid); err == nil {
		x = old
	}
	x.Note = note
	if err := r.Tx.PutAttendance(x); err != nil {
		return err
	}
	r.Reply(r.T("checkin.note_saved"))
	r.redrawCheckin(e.ID)
	// Back to the marks screen rather than a dead end.
	return b.showMarkList(r, e, a, 0)
}

// onCheckinSheet sends the event's registration sheet (лист регистрации).
func (b *Engine) onCheckinSheet(r *Request) error {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return err
	}
	name, data, title, err := b.sheetFile(r, e, a)
	if err != nil {
		return err
	}
	r.ReplyDocument(name, data, r.T("sheet.caption", "Title", rawArg(title)))
	return nil
}

// sheetFile renders an event's registration sheet; it returns the
// file's name and bytes and the event's title.
func (b *Engine) sheetFile(r *Request, e *mmo.Event, a *mmo.Association) (string, []byte, string, error) {
	ro, err := b.eventRoster(r, e, a)
	if err != nil {
		return "", nil, "", err
	}
	l := r.docLoc()
	title, err := b.eventTitle(r.Tx, r.loc(), e, a)
	if err != nil {
		return "", nil, "", err
	}
	heading, err := b.eventHeading(r, l, e, a)
	if err != nil {
		return "", nil, "", err
	}
	t := render.Table{
		Sheet: l.T("sheet.sheet"),
		Title: l.T("sheet.title"),
		Subtitle: []string{
			plain(heading),
			l.T("sheet.topic", "Topic", e.Topic),
			l.T("sheet.when", "When", b.when(e, l.lang)),
		},
		Headers: []string{l.T("export.col_n"), l.T("export.col_name"), l.T("export.col_school"), l.T("export.col_position"),
			l.T("sheet.col_mark"), l.T("sheet.col_time"), l.T("sheet.col_how"), l.T("sheet.col_note"), l.T("doc_sheet.col_sign")},
	}
	if e.Place != "" {
		t.Subtitle = append(t.Subtitle, l.T("sheet.place", "Place", e.Place))
	}
	guests := 0
	for i, x := range ro.entries {
		name, u := b.rosterName(r, l, x)
		row := []render.Cell{render.Int(i + 1), render.Text(name)}
		switch {
		case x.Guest:
			guests++
			row = append(row, render.Empty(), render.Text(x.Role), render.Text(l.T("doc_wave3.mark_guest")))
		case u != nil:
			row = append(row, render.Text(u.School), render.Text(u.Position))
		default:
			row = append(row, render.Empty(), render.Empty())
		}
		if x.Guest {
			t.Rows = append(t.Rows, row)
			continue
		}
		if x.Mark == mmo.MarkNone {
			row = append(row, render.Text(l.T("checkin.mark_none")))
		} else {
			row = append(row, render.Text(markText(l, x.Mark)))
		}
		if m, ok := ro.marks[x.UserID]; ok && x.UserID != 0 && m.Mark == x.Mark {
			note := m.Note
			if note == "" {
				note = x.Reason
			}
			row = append(row, render.DateTime(m.At, b.opt.Location), render.Text(howText(l, m.How)), render.Text(note))
		} else {
			// Present by the protocol (the secretary), or absent as it
			// says with no mark of their own.
			row = append(row, render.Empty(), render.Empty(), render.Text(x.Reason))
		}
		t.Rows = append(t.Rows, row)
	}
	leader := ""
	if u, err := r.Tx.User(e.CreatedBy); err == nil && u.Registered() {
		leader = initialsFirst(u.Name)
	}
	t.Footer = []string{l.T("sheet.total", "Present", mmo.RosterPresent(ro.entries), "Total", ro.total)}
	if guests > 0 {
		t.Footer = append(t.Footer, l.T("doc_wave3.sheet_guests", "N", guests))
	}
	t.Footer = append(t.Footer, l.T("export.generated", "Date", b.dateTime(r.Now)), l.T("doc_sheet.sign", "Name", leader))
	plainTable(&t)
	data, err := render.XLSX(t)
	if err != nil {
		return "", nil, "", err
	}
	name := docFileName(l.T("doc_sheet.file", "Date", e.Start.In(b.opt.Location).Format("02.01.2006"), "ID", eid(e))) + ".xlsx"
	return name, data, title, nil
}

// onYearSheet sends an association's attendance for the school year:
// members by events, with totals and each member's rate.
func (b *Engine) onYearSheet(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	year := b.opt.Regulation.SchoolYearOf(r.Now, b.opt.Location)
	name, data, err := b.yearSheetFile(r, a, year)
	if err != nil {
		return err
	}
	r.ReplyDocument(name, data, r.T("yearsheet.caption", "Name", a.Name, "From", year, "To", year+1))
	r.Answer(r.T("export.sending"), false)
	return nil
}

// yearSheetFile renders an association's attendance for a school year.
func (b *Engine) yearSheetFile(r *Request, a *mmo.Association, year int) (string, []byte, error) {
	l := r.docLoc()
	from, to := b.opt.Regulation.YearSpan(year, b.opt.Location)
	events, err := r.Tx.AssociationEvents(a.ID, from, to)
	if err != nil {
		return "", nil, err
	}
	var held []*mmo.Event
	for _, e := range events {
		if e.Held(r.Now) {
			held = append(held, e)
		}
	}
	members, err := b.activeMembers(r, a)
	if err != nil {
		return "", nil, err
	}
	t := render.Table{
		Sheet:    l.T("yearsheet.sheet"),
		Title:    l.T("doc_wave3.year_title", "Name", mmo.OfficialName(a.Name)),
		Subtitle: []string{b.yearLabel(l, "sheet", year), l.T("export.generated", "Date", b.dateTime(r.Now))},
		Headers:  []string{l.T("export.col_n"), l.T("export.col_name")},
	}
	rosters := make([]map[int64]mmo.RosterEntry, len(held))
	perEvent := make([]int, len(held))
	for i, e := range held {
		t.Headers = append(t.Headers, e.Start.In(b.opt.Location).Format("02.01")+" "+formatName(l, e.Format))
		ro, err := b.eventRoster(r, e, a)
		if err != nil {
			return "", nil, err
		}
		// The totals count as the protocol does, or every presence, also
		// of people who left or deleted their data since.
		perEvent[i] = ro.present()
		rosters[i] = map[int64]mmo.RosterEntry{}
		for _, x := range ro.entries {
			if x.UserID != 0 {
				rosters[i][x.UserID] = x
			}
		}
	}
	t.Headers = append(t.Headers, l.T("yearsheet.col_attended"), l.T("yearsheet.col_rate"))
	notMember := false
	for n, m := range members {
		row := []render.Cell{render.Int(n + 1), render.Text(m.u.Name)}
		attended, expected := 0, 0
		for i := range held {
			cell := ""
			x, ok := rosters[i][m.u.ID]
			switch {
			case !ok:
				// Not a member then: the event does not count against them.
				cell, notMember = "—", true
			case x.Mark == mmo.MarkPresent:
				cell = "+"
				attended++
				expected++
			case x.Mark == mmo.MarkExcused:
				cell = l.T("yearsheet.excused")
				expected++
			case x.Mark == mmo.MarkAbsent:
				cell = l.T("yearsheet.absent")
				expected++
			default:
				expected++
			}
			row = append(row, render.Text(cell))
		}
		rate := render.Empty() // not a member of any: no rate to speak of
		if expected > 0 {
			rate = render.Percent(float64(attended) / float64(expected))
		}
		row = append(row, render.Int(attended), rate)
		t.Rows = append(t.Rows, row)
	}
	totals := []render.Cell{render.Empty(), render.Text(l.T("yearsheet.total"))}
	sum := 0
	for _, n := range perEvent {
		totals = append(totals, render.Int(n))
		sum += n
	}
	totals = append(totals, render.Int(sum), render.Empty())
	t.Rows = append(t.Rows, totals)
	t.Footer = []string{l.T("yearsheet.legend")}
	if notMember {
		t.Footer = append(t.Footer, l.T("doc_wave3.year_not_member"))
	}
	plainTable(&t)
	data, err := render.XLSX(t)
	if err != nil {
		return "", nil, err
	}
	return docFileName(l.T("yearsheet.title", "Name", a.Name)+" "+b.yearLabel(l, "sheet", year)) + ".xlsx", data, nil
}
