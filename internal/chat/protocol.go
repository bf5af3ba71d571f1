package chat

import (
	"slices"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// docLoc is the language of official documents: the organisation's, not
// the interface language of whoever downloads them.
func (b *Engine) docLoc() loc {
	lang := b.opt.Org.Lang
	if lang == "" || !b.cat.Has(lang) {
		lang = "ru"
	}
	return loc{b.cat, lang}
}

func (r *Request) docLoc() loc { return r.bot.docLoc() }

// eventMarks are the attendance marks of an event with its host (the
// leader who runs it) counted present.
func (b *Engine) eventMarks(r *Request, e *mmo.Event) (map[int64]*mmo.Attendance, error) {
	att, err := r.Tx.EventAttendance(e.ID)
	if err != nil {
		return nil, err
	}
	return mmo.WithHost(e, att, e.CreatedBy), nil
}

// minutesChair is the chair of a version of the minutes: the one chosen
// when they were started, or, for minutes started before the chair was
// asked, the leader who ran the meeting.
func minutesChair(e *mmo.Event, m *mmo.Minutes) int64 {
	if m.Chair != 0 || m.ChairName != "" {
		return m.Chair
	}
	return e.CreatedBy
}

// protocolSnapshot is what the minutes print besides their items, as it
// stands now: the members of the association when the meeting took
// place, who was there (the chair and the secretary by definition), who
// was not and why, and the invited.
func (b *Engine) protocolSnapshot(r *Request, e *mmo.Event, a *mmo.Association, m *mmo.Minutes) (*mmo.ProtocolSnapshot, error) {
	number := m.Number
	if number == 0 {
		var err error
		if number, err = b.meetingNumber(r.Tx, e); err != nil {
			return nil, err
		}
	}
	all, err := b.activeMembers(r, a)
	if err != nil {
		return nil, err
	}
	var members []member
	for _, x := range all { // those who joined after the meeting were not expected there
		if x.m.JoinedAt.IsZero() || !x.m.JoinedAt.After(e.End()) {
			members = append(members, x)
		}
	}
	chair := minutesChair(e, m)
	att, err := r.Tx.EventAttendance(e.ID)
	if err != nil {
		return nil, err
	}
	att = mmo.WithHost(e, att, chair)
	secretary := mmo.ProtocolPerson{Name: m.Secretary}
	for _, x := range members { // the secretary is in the room too
		if m.Secretary != "" && (x.u.Name == m.Secretary || shortName(x.u.Name) == shortName(m.Secretary)) {
			secretary.UserID = x.u.ID
			att = mmo.WithHost(e, att, x.u.ID)
		}
	}
	s := &mmo.ProtocolSnapshot{
		Number: number, Start: e.Start, End: e.End(), Place: e.Place, Topic: e.Topic, Online: e.Place == "" && e.Link != "",
		Org: b.opt.Org.Name, City: b.opt.Org.City, Association: mmo.OfficialName(a.Name),
		Chair: mmo.ProtocolPerson{UserID: chair, Name: m.ChairName}, Secretary: secretary,
		Guests: slices.Clone(m.Guests),
	}
	if s.Chair.Name == "" && chair != 0 {
		if u, err := r.Tx.User(chair); err == nil {
			s.Chair.Name = u.Name
		}
	}
	seen := map[int64]bool{}
	for _, x := range members {
		seen[x.u.ID] = true
		p := mmo.ProtocolPerson{UserID: x.u.ID, Name: x.u.Name}
		switch at, ok := att[x.u.ID]; {
		case ok && at.Mark == mmo.MarkPresent:
			s.Present = append(s.Present, p)
		case ok && at.Mark == mmo.MarkExcused:
			p.Reason = at.Note
			if p.Reason == "" {
				p.Reason = b.docLoc().T("doc_minutes.excused")
			}
			s.Absent = append(s.Absent, p)
		default:
			s.Absent = append(s.Absent, p)
		}
	}
	s.Members = len(members)
	for uid, at := range att { // present but not a member now: left since, or the chair from outside
		if seen[uid] || at.Mark != mmo.MarkPresent {
			continue
		}
		p := mmo.ProtocolPerson{UserID: uid}
		if u, err := r.Tx.User(uid); err == nil {
			p.Name = u.Name
		}
		s.Present = append(s.Present, p)
		s.Members++
	}
	slices.SortFunc(s.Present, func(x, y mmo.ProtocolPerson) int { // the unnamed last
		if (x.Name == "") != (y.Name == "") {
			if x.Name == "" {
				return 1
			}
			return -1
		}
		return strings.Compare(x.Name, y.Name)
	})
	return s, nil
}

// presentAt is how many were present at the meeting of the minutes: no
// vote may count more.
func (b *Engine) presentAt(r *Request, e *mmo.Event, a *mmo.Association, m *mmo.Minutes) (int, error) {
	s, err := b.protocolSnapshot(r, e, a, m)
	if err != nil {
		return 0, err
	}
	return len(s.Present), nil
}

// personName is how a protocol names a person: their name, or, for one
// who deleted their data since, «участник (данные удалены)». They are
// still counted.
func (b *Engine) personName(r *Request, l loc, p mmo.ProtocolPerson) string {
	if p.UserID != 0 {
		if u, err := r.Tx.User(p.UserID); err != nil || !u.Registered() {
			return l.T("docx.anonymous")
		}
	}
	if p.Name == "" {
		return l.T("docx.anonymous")
	}
	return p.Name
}

// initialsFirst is a name as a signature line prints it: «Е. В. Смирнова».
func initialsFirst(name string) string {
	w := strings.Fields(name)
	if len(w) < 2 {
		return name
	}
	var sb strings.Builder
	for _, x := range w[1:] {
		sb.WriteString(string([]rune(x)[0]) + ". ")
	}
	return sb.String() + w[0]
}

// sendMinutes sends a version of the minutes as a Word file.
func (b *Engine) sendMinutes(r *Request, e *mmo.Event, a *mmo.Association, m *mmo.Minutes) error {
	name, data, number, err := b.minutesFile(r, e, a, m)
	if err != nil {
		return err
	}
	r.ReplyDocument(name, data, r.T("minutes.caption", "N", number, "Version", m.Version))
	return nil
}

// minutesFile renders a version of the minutes: a signed one from its
// frozen snapshot, a draft from the records as they are now. It returns
// the file's name and bytes and the meeting's number.
func (b *Engine) minutesFile(r *Request, e *mmo.Event, a *mmo.Association, m *mmo.Minutes) (string, []byte, int, error) {
	l := r.docLoc()
	s := m.Snapshot
	if s == nil {
		var err error
		if s, err = b.protocolSnapshot(r, e, a, m); err != nil {
			return "", nil, 0, err
		}
	}
	names := func(ps []mmo.ProtocolPerson) []string {
		var out []string
		for _, p := range ps {
			n := b.personName(r, l, p)
			if p.Reason != "" {
				n += " — " + p.Reason
			}
			if p.Role != "" {
				n += ", " + p.Role
			}
			out = append(out, n)
		}
		return out
	}
	var orgLines []string
	if s.Org != "" {
		orgLines = append(orgLines, s.Org)
	}
	chair := ""
	if s.Chair.Name != "" || s.Chair.UserID != 0 {
		chair = b.personName(r, l, s.Chair)
	}
	secretary := ""
	if s.Secretary.Name != "" {
		secretary = b.personName(r, l, s.Secretary)
	}
	loc := b.opt.Location
	form := l.T("doc_minutes.form_inperson")
	if s.Online {
		form = l.T("doc_minutes.form_online")
	}
	details := []string{l.T("doc_minutes.time", "From", s.Start.In(loc).Format("15:04"), "To", s.End.In(loc).Format("15:04"))}
	if s.Place != "" {
		details = append(details, l.T("doc_minutes.place", "Place", s.Place))
	}
	details = append(details, l.T("doc_minutes.form", "Form", form))
	doc := render.MinutesDoc{
		Labels: render.MinutesLabels{
			DraftMark: l.T("docx.draft"), Version: l.T("docx.version"), Chair: l.T("docx.chair"), Secretary: l.T("docx.secretary"),
			Present: l.T("docx.present"), Absent: l.T("docx.absent"), Agenda: l.T("doc_minutes.agenda"), Topic: l.T("doc_wave3.topic"),
			Heard: l.T("docx.heard"), Spoke: l.T("docx.spoke"), Decided: l.T("docx.decided"), Votes: l.T("docx.votes"),
			SignChair: l.T("docx.sign_chair"), SignSecretary: l.T("docx.sign_secretary"),
		},
		OrgLines:       orgLines,
		Title:          l.T("docx.title", "N", s.Number),
		Subtitle:       l.T("doc_minutes.subtitle", "Name", s.Association),
		Date:           s.Start.In(loc).Format("02.01.2006"),
		City:           s.City,
		Details:        details,
		Chair:          shortName(chair),
		ChairSign:      initialsFirst(chair),
		Secretary:      shortName(secretary),
		SecretarySign:  initialsFirst(secretary),
		PresentHeading: l.T("doc_minutes.present", "N", len(s.Present), "Total", s.Members),
		PresentList:    names(s.Present),
		AbsentList:     names(s.Absent),
		GuestsHeading:  l.T("doc_minutes.guests", "N", len(s.Guests)),
		Guests:         names(s.Guests),
		Topic:          s.Topic,
		Draft:          m.Status == mmo.MinutesDraft,
		Version:        m.Version,
	}
	if len(s.Absent) > 0 {
		doc.AbsentHeading = l.T("doc_minutes.absent", "N", len(s.Absent))
	}
	for _, it := range m.Items {
		doc.Agenda = append(doc.Agenda, it.Topic)
		item := render.MinutesItem{Heard: it.Heard, Decided: it.Decided}
		for _, sp := range strings.Split(it.Spoke, "\n") {
			if sp = strings.TrimSpace(sp); sp != "" {
				item.Spoke = append(item.Spoke, sp)
			}
		}
		if it.Votes != nil {
			item.Votes = &render.Votes{For: it.Votes.For, Against: it.Votes.Against, Abstained: it.Votes.Abstained}
		}
		doc.Items = append(doc.Items, item)
	}
	plainMinutes(&doc)
	data, err := render.Minutes(doc)
	if err != nil {
		return "", nil, 0, err
	}
	name := docFileName(l.T("doc_minutes.file", "N", s.Number, "Date", s.Start.In(loc).Format("02.01.2006"), "Version", m.Version)) + ".docx"
	return name, data, s.Number, nil
}

// calendarYear tells whether the city plans by the calendar year (its
// "school year" starts on 1 January, as in Biysk): then documents say
// «на 2027 год», not «на 2027/2028 учебный год».
func (b *Engine) calendarYear() bool {
	s := b.opt.Regulation.YearStart
	return s.Month == time.January && s.Day == 1
}

// yearLabel is the period of a document of kind "plan", "report" or
// "sheet": «на 2026/2027 учебный год», or «на 2027 год» in a
// calendar-year city.
func (b *Engine) yearLabel(l loc, kind string, year int) string {
	key := "doc_year." + kind
	if b.calendarYear() {
		key += "_calendar"
	}
	return l.T(key, "From", year, "To", year+1)
}

// docFileName makes a title a file name a Russian user reads: the
// characters file systems refuse become spaces, the length is bounded.
func docFileName(title string) string {
	s := strings.Map(func(r rune) rune {
		if r == '/' {
			return '-' // «2026/2027» reads «2026-2027»
		}
		if strings.ContainsRune(`\:*?"<>|`, r) || r < 32 {
			return ' '
		}
		return r
	}, plain(title))
	s = strings.TrimRight(strings.Join(strings.Fields(s), " "), ". ") // «А. А..docx» reads badly
	if rs := []rune(s); len(rs) > 100 {
		s = strings.TrimSpace(string(rs[:100]))
	}
	return s
}

// formHeader is «Приложение 1» or «Приложение 2» above a plan or report:
// the appendices of Ivanovo's regulation; Biysk's has none to refer to.
func (b *Engine) formHeader(l loc, key string) []string {
	if b.biysk() {
		return nil
	}
	return []string{l.T(key)}
}

// biysk tells whether the documents follow Biysk's regulation.
func (b *Engine) biysk() bool { return b.opt.Regulation.Preset == "biysk" }
