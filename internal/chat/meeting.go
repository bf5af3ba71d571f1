package chat

import (
	"errors"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// Callback verbs of events.
const (
	verbEvent        = "ev" // open an event: eid
	verbEventFormat  = "nf" // creation: nonce, format
	verbEventWhen    = "nw" // confirm the parsed time: nonce, y|n
	verbEventLength  = "nl" // creation: nonce, minutes
	verbEventPublish = "ep" // publish a draft: eid
	verbEventEdit    = "ee" // edit: eid [, field]
	verbEventCancel  = "ec" // cancel: eid [, y]
	verbEventDelete  = "ed" // delete a draft: eid [, y]
	verbEventNudge   = "en" // remind those who have not answered: eid
	verbEventICS     = "ic" // the .ics file: eid
	verbRSVP         = "rv" // answer: eid, version, y|m|n
	verbMeetings     = "mt" // the list of events again
	verbEventLoud    = "eq" // how loud a change is: nonce, r|k|q|x
)

// Creation steps besides the event fields.
const (
	stepFormat      = "format"
	stepWhen        = "when"
	stepWhenConfirm = "when_confirm"
	stepDuration    = "duration"
)

// loc renders messages in one language, for users other than the one
// whose update is being handled.
type loc struct {
	cat  *i18n.Catalog
	lang string
}

func (l loc) T(key string, args ...any) string { return l.cat.T(l.lang, key, args...) }
func (l loc) N(key string, n int, args ...any) string {
	return l.cat.N(l.lang, key, n, args...)
}

func (r *Request) loc() loc              { return loc{r.bot.cat, r.Lang} }
func (r *Request) locOf(u *mmo.User) loc { return loc{r.bot.cat, r.LangOf(u)} }
func answerCode(a mmo.Answer) string {
	return map[mmo.Answer]string{mmo.AnswerYes: "y", mmo.AnswerMaybe: "m", mmo.AnswerNo: "n"}[a]
}
func eid(e *mmo.Event) string { return strconv.FormatUint(e.ID, 10) }
func answerFromCode(c string) mmo.Answer {
	return map[string]mmo.Answer{"y": mmo.AnswerYes, "m": mmo.AnswerMaybe, "n": mmo.AnswerNo}[c]
}
func (b *Engine) when(e *mmo.Event, lang string) string {
	return b.formatWhen(e.Start, lang) + "–" + e.End().In(b.opt.Location).Format("15:04")
}

var (
	monthGenKeys = [12]string{"date.g1", "date.g2", "date.g3", "date.g4", "date.g5", "date.g6",
		"date.g7", "date.g8", "date.g9", "date.g10", "date.g11", "date.g12"}
	weekdayKeys = [7]string{"date.w0", "date.w1", "date.w2", "date.w3", "date.w4", "date.w5", "date.w6"}
)

// formatWhen shows a moment back to the user in the deployment's zone:
// "25 декабря 2026 (пятница), 15:30", "Friday, 25 December 2026, 15:30".
func (b *Engine) formatWhen(t time.Time, lang string) string {
	t = t.In(b.opt.Location)
	l := loc{b.cat, lang}
	return l.T("date.when", "Day", t.Day(), "Month", l.T(monthGenKeys[t.Month()-1]), "Year", t.Year(),
		"Weekday", l.T(weekdayKeys[t.Weekday()]), "Time", t.Format("15:04"))
}

// formatName is the localized name of a format.
func formatName(l loc, f mmo.Format) string {
	switch f {
	case mmo.FormatMeeting:
		return l.T("format.meeting")
	case mmo.FormatSeminar:
		return l.T("format.seminar")
	case mmo.FormatWebinar:
		return l.T("format.webinar")
	case mmo.FormatWorkshop:
		return l.T("format.workshop")
	case mmo.FormatMasterClass:
		return l.T("format.masterclass")
	case mmo.FormatRoundTable:
		return l.T("format.roundtable")
	case mmo.FormatOpenLesson:
		return l.T("format.openlesson")
	case mmo.FormatConference:
		return l.T("format.conference")
	case mmo.FormatReadings:
		return l.T("format.readings")
	case mmo.FormatConsultation:
		return l.T("format.consultation")
	case mmo.FormatWorkMeeting:
		return l.T("format.workmeeting")
	case mmo.FormatLecture, mmo.FormatPedWorkshop, mmo.FormatDiscussionClub, mmo.FormatForum, mmo.FormatContest,
		mmo.FormatBusinessGame, mmo.FormatCreativeReport, mmo.FormatCreativeGroup:
		return l.T("doc_format." + string(f))
	}
	return l.T("format.anything_else")
}

// event loads the event named by the callback argument i.
func (r *Request) event(i int) (*mmo.Event, *mmo.Association, bool, error) {
	id, err := strconv.ParseUint(r.Press.Arg(i), 10, 64)
	if err != nil {
		return nil, nil, false, r.stale()
	}
	e, err := r.Tx.Event(id)
	if errors.Is(err, mmo.ErrNotFound) {
		r.Answer(r.T("event.gone"), true)
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("load event %d: %w", id, err)
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil {
		return nil, nil, false, fmt.Errorf("load association %d of event %d: %w", e.AssociationID, id, err)
	}
	return e, a, true, nil
}

// managedEvent loads an event the user runs; others are refused.
func (r *Request) managedEvent(i int) (*mmo.Event, *mmo.Association, bool, error) {
	e, a, ok, err := r.event(i)
	if !ok {
		return nil, nil, false, err
	}
	if !r.canManage(a) {
		return nil, nil, false, r.notYours()
	}
	return e, a, true, nil
}

// isMember reports whether the user is an active member of a.
func (r *Request) isMember(a *mmo.Association) (bool, error) {
	m, err := r.Tx.Membership(a.ID, r.User.ID)
	if errors.Is(err, mmo.ErrNotFound) {
		return false, nil
	}
	return err == nil && m.State == mmo.MemberActive, err
}

// title is "Заседание № 2 «ММО учителей математики»" or "Семинар «…»";
// n is the meeting's number in its school year (see meetingNumber), 0
// for none.
func (b *Engine) title(l loc, e *mmo.Event, a *mmo.Association, n int) string {
	name := formatName(l, e.Format)
	if n > 0 {
		name = l.T("event.meeting_number", "Format", name, "N", n)
	}
	return l.T("event.title", "Format", rawArg(esc(name)), "Association", a.Name)
}

// viewTitle is the title of the event of a view.
func (b *Engine) viewTitle(l loc, v *boltdb.EventView) string {
	return b.title(l, v.Event, v.Association, v.Number)
}

// viewOptions reads an event view in the deployment's school year and
// zone, with the sent messages under keys.
func (b *Engine) viewOptions(keys ...string) boltdb.ViewOptions {
	return boltdb.ViewOptions{Regulation: b.opt.Regulation, Location: b.opt.Location, Sent: keys}
}

// eventView reads what the views of e show (see boltdb.EventView), with the
// sent messages under keys.
func (b *Engine) eventView(r *Request, e *mmo.Event, a *mmo.Association, keys ...string) (*boltdb.EventView, error) {
	v, err := r.Tx.EventViewOf(e, a, b.viewOptions(keys...))
	if err != nil {
		return nil, fmt.Errorf("load the view of event %d: %w", e.ID, err)
	}
	return v, nil
}

// meetingNumber is the number of a published заседание within its school
// year, or 0, for a title drawn outside an event view.
func (b *Engine) meetingNumber(tx *boltdb.Tx, e *mmo.Event) (int, error) {
	if e.Format != mmo.FormatMeeting || e.State != mmo.EventPublished {
		return 0, nil
	}
	reg, loc := b.opt.Regulation, b.opt.Location
	from, to := reg.YearSpan(reg.SchoolYearOf(e.Start, loc), loc)
	events, err := tx.AssociationEventBriefs(e.AssociationID, from, to)
	if err != nil {
		return 0, fmt.Errorf("load the events of association %d: %w", e.AssociationID, err)
	}
	return mmo.MeetingNumbers(events, reg, loc)[e.ID], nil
}

// eventTitle is title with the number read from the store, for the
// places that draw a title and nothing else of an event.
func (b *Engine) eventTitle(tx *boltdb.Tx, l loc, e *mmo.Event, a *mmo.Association) (string, error) {
	n, err := b.meetingNumber(tx, e)
	if err != nil {
		return "", err
	}
	return b.title(l, e, a, n), nil
}

// details is the body every view of an event shares.
func (b *Engine) details(l loc, e *mmo.Event) string {
	var sb strings.Builder
	sb.WriteString(l.T("event.topic", "Topic", e.Topic))
	sb.WriteString("\n" + l.T("event.when", "When", b.when(e, l.lang)))
	if e.Place != "" {
		sb.WriteString("\n" + l.T("event.place", "Place", e.Place))
	}
	if e.Link != "" {
		sb.WriteString("\n" + l.T("event.link", "Link", e.Link))
	}
	if e.Agenda != "" {
		sb.WriteString("\n\n" + l.T("event.agenda", "Agenda", e.Agenda))
	}
	return sb.String()
}

// announcement is what a member gets of the event of v at now: the
// event and the answer buttons, chosen marked.
func (b *Engine) announcement(l loc, v *boltdb.EventView, lead string, chosen mmo.Answer, now time.Time) (string, [][]Button) {
	e := v.Event
	text := lead + "<b>" + b.viewTitle(l, v) + "</b>\n" + b.details(l, e)
	if chosen != "" && e.Live(now) {
		text += "\n\n" + l.T("rsvp.your_answer", "Answer", rawArg(answerLabel(l, chosen)))
	} else if e.Live(now) {
		text += "\n\n" + l.T("rsvp.question")
	}
	var kb [][]Button
	if e.Live(now) {
		kb = append(kb, answerRow(l, e, chosen))
	}
	if e.State == mmo.EventPublished {
		kb = append(kb, []Button{{Label: l.T("event.ics_button"), Verb: verbEventICS, Args: []string{eid(e)}}})
	}
	return text, kb
}

func answerButton(l loc, a mmo.Answer) string {
	switch a {
	case mmo.AnswerYes:
		return l.T("rsvp.yes")
	case mmo.AnswerMaybe:
		return l.T("rsvp.maybe")
	}
	return l.T("rsvp.no")
}

func answerLabel(l loc, a mmo.Answer) string {
	switch a {
	case mmo.AnswerYes:
		return l.T("rsvp.said_yes")
	case mmo.AnswerMaybe:
		return l.T("rsvp.said_maybe")
	}
	return l.T("rsvp.said_no")
}

// audience returns the active members of an association who should hear
// of its events: everyone but the one acting.
func (b *Engine) audience(r *Request, a *mmo.Association) ([]*mmo.User, error) {
	return b.audienceExcept(r, a, r.User.ID)
}

// audienceExcept returns the active members of an association but one.
func (b *Engine) audienceExcept(r *Request, a *mmo.Association, except int64) ([]*mmo.User, error) {
	list, err := b.activeMembers(r, a)
	if err != nil {
		return nil, err
	}
	var out []*mmo.User
	for _, m := range list {
		if m.u.ID != except {
			out = append(out, m.u)
		}
	}
	return out, nil
}

// memberUsers returns the users of a member list, in its order.
func memberUsers(list []member) []*mmo.User {
	out := make([]*mmo.User, len(list))
	for i, m := range list {
		out[i] = m.u
	}
	return out
}

// userIDs returns the ids of users, in their order.
func userIDs(us []*mmo.User) []int64 {
	out := make([]int64, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

// pickUsers returns the users whose ids a rule chose, in the users' order.
func pickUsers(us []*mmo.User, ids []int64) []*mmo.User {
	chosen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		chosen[id] = true
	}
	var out []*mmo.User
	for _, u := range us {
		if chosen[u.ID] {
			out = append(out, u)
		}
	}
	return out
}

// broadcast queues one message per recipient, rendered in each one's
// language, as a counted broadcast. Users who blocked the bot are skipped
// and counted as blocked.
func (b *Engine) broadcast(r *Request, kind string, e *mmo.Event, to []*mmo.User, msg func(l loc, u *mmo.User) (string, [][]Button, error)) (*boltdb.Broadcast, error) {
	bc := &boltdb.Broadcast{Kind: kind, EventID: e.ID, Total: len(to)}
	if err := r.Tx.CreateBroadcast(bc); err != nil {
		return nil, err
	}
	for _, u := range to {
		if u.Blocked {
			bc.Blocked++
			continue
		}
		text, kb, err := msg(r.locOf(u), u)
		if err != nil {
			return nil, err
		}
		// A long text goes in parts, which all wait behind the replies;
		// only the last one counts (see split).
		r.out = append(r.out, Message{Kind: KindSend, to: u.ID, Text: text, Buttons: kb, broadcast: bc.ID, bulk: true})
	}
	return bc, r.Tx.PutBroadcast(bc)
}

// onICS sends the event as an .ics file for calendars.
func (b *Engine) onICS(r *Request) error {
	e, a, ok, err := r.event(0)
	if !ok {
		return err
	}
	member, err := r.isMember(a)
	if err != nil {
		return err
	}
	if !member && !r.canManage(a) || e.State == mmo.EventDraft {
		return r.notYours()
	}
	title, err := b.eventTitle(r.Tx, r.loc(), e, a)
	if err != nil {
		return err
	}
	organizer := ""
	if a.LeaderID != 0 {
		if u, err := r.Tx.User(a.LeaderID); err == nil {
			organizer = u.Name
		}
	}
	desc := e.Topic
	if e.Agenda != "" {
		desc += "\n\n" + e.Agenda
	}
	data, err := render.ICS(render.ICSEvent{
		UID:         fmt.Sprintf("event-%d@%s", e.ID, b.transport(r.Update.Messenger).Bot),
		Sequence:    e.Version,
		Start:       e.Start,
		End:         e.End(),
		Summary:     plain(title + ": " + e.Topic),
		Description: desc,
		Location:    e.Place,
		URL:         e.Link,
		Organizer:   organizer,
		Cancelled:   e.State == mmo.EventCancelled,
		Created:     r.Now,
	})
	if err != nil {
		return err
	}
	r.ReplyDocument("event-"+eid(e)+".ics", data, r.T("event.ics_caption"))
	return nil
}

// plain turns rendered HTML back into text for files.
func plain(s string) string {
	return html.UnescapeString(strings.NewReplacer("<b>", "", "</b>", "", "<i>", "", "</i>", "").Replace(s))
}

// plainEach applies plain to every string of ss, in place.
func plainEach(ss []string) {
	for i := range ss {
		ss[i] = plain(ss[i])
	}
}

// The catalog's templates escape their arguments for the chat's HTML; the
// strings of a file are not HTML. These turn the catalog texts of each
// kind of document back into plain text.

func plainTable(t *render.Table) {
	t.Sheet, t.Title = plain(t.Sheet), plain(t.Title)
	plainEach(t.Subtitle)
	plainEach(t.Headers)
	plainEach(t.Footer)
}

func plainRecord(d *render.RecordDoc) {
	d.Title = plain(d.Title)
	plainEach(d.Lines)
	plainEach(d.Headers)
	plainEach(d.Footer)
}

func plainForm(d *render.FormDoc) {
	plainEach(d.Header)
	plainEach(d.Approval)
	plainEach(d.Subtitle)
	plainEach(d.Footer)
	d.Title, d.Draft = plain(d.Title), plain(d.Draft)
	for i := range d.Fields {
		d.Fields[i].Label = plain(d.Fields[i].Label)
	}
	for i := range d.Sections {
		d.Sections[i].Heading = plain(d.Sections[i].Heading)
		if t := d.Sections[i].Table; t != nil {
			plainEach(t.Headers)
		}
	}
}

func plainMinutes(d *render.MinutesDoc) {
	for _, s := range []*string{&d.Org, &d.Title, &d.Subtitle, &d.Labels.DraftMark, &d.Labels.Version, &d.Labels.Chair,
		&d.Labels.Secretary, &d.Labels.Present, &d.Labels.Absent, &d.Labels.Agenda, &d.Labels.Heard, &d.Labels.Spoke,
		&d.Labels.Decided, &d.Labels.Votes, &d.Labels.SignChair, &d.Labels.SignSecretary} {
		*s = plain(*s)
	}
}

// cmdMeetings lists the user's upcoming events across their associations;
// those who run an association also see its drafts and recent past.
func (b *Engine) cmdMeetings(r *Request) error {
	text, kb, err := b.meetingsList(r)
	if err != nil {
		return err
	}
	r.Reply(text, kb...)
	return nil
}

func (b *Engine) onMeetings(r *Request) error {
	text, kb, err := b.meetingsList(r)
	if err != nil {
		return err
	}
	r.Edit(text, kb...)
	return nil
}

// pastShown is how many past events a leader's list shows.
const pastShown = 5

func (b *Engine) meetingsList(r *Request) (string, [][]Button, error) {
	// The user's own associations, through their memberships and the
	// ones they lead, not every association there is.
	ids := slices.Clone(r.User.LeaderOf)
	ms, err := r.Tx.UserMemberships(r.User.ID)
	if err != nil {
		return "", nil, err
	}
	for _, m := range ms {
		ids = append(ids, m.AssociationID)
	}
	slices.Sort(ids)
	var all []*mmo.Association
	for _, id := range slices.Compact(ids) {
		a, err := r.Tx.Association(id)
		if errors.Is(err, mmo.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		all = append(all, a)
	}
	// The past shown is the latest few: those of this school year and
	// the one before, not every year stored.
	reg := b.opt.Regulation
	since, _ := reg.YearSpan(reg.SchoolYearOf(r.Now, b.opt.Location)-1, b.opt.Location)
	type item struct {
		e *mmo.Event
		a *mmo.Association
	}
	var upcoming, drafts, past []item
	for _, a := range all {
		if a.Archived() {
			continue
		}
		manage := a.LeaderID == r.User.ID
		member, err := r.isMember(a)
		if err != nil {
			return "", nil, err
		}
		if !manage && !member {
			continue
		}
		// The index tells each event's shelf; only the events shown are
		// decoded: the drafts and the upcoming, and the latest past ones
		// (at most pastShown of each association can be among the
		// latest of all).
		briefs, err := r.Tx.AssociationEventBriefs(a.ID, since, time.Time{})
		if err != nil {
			return "", nil, err
		}
		pastOf := 0
		for _, brief := range slices.Backward(briefs) {
			shelf := mmo.ShelfOf(brief, manage, r.Now)
			if shelf == mmo.ShelfHidden || shelf == mmo.ShelfPast && pastOf == pastShown {
				continue
			}
			e, err := r.Tx.Event(brief.ID)
			if err != nil {
				return "", nil, err
			}
			switch shelf {
			case mmo.ShelfDraft:
				drafts = append(drafts, item{e, a})
			case mmo.ShelfUpcoming:
				upcoming = append(upcoming, item{e, a})
			case mmo.ShelfPast:
				past = append(past, item{e, a})
				pastOf++
			}
		}
	}
	byStart := func(x, y item) int { return x.e.Start.Compare(y.e.Start) }
	slices.SortFunc(upcoming, byStart)
	slices.SortFunc(drafts, byStart)
	slices.SortFunc(past, func(x, y item) int { return y.e.Start.Compare(x.e.Start) })
	if len(past) > pastShown {
		past = past[:pastShown]
	}
	var sb strings.Builder
	var kb [][]Button
	l := r.loc()
	line := func(it item, mark string) {
		layout := "02.01 15:04"
		if l.lang == "en" {
			layout = "2 Jan 15:04" // «03.12» reads as 12 March in English
		}
		when := it.e.Start.In(b.opt.Location).Format(layout)
		sb.WriteString("\n• " + l.T("meetings.line", "When", when, "Format", formatName(l, it.e.Format), "Topic", it.e.Topic, "Association", it.a.Name) + mark)
		label := when + " · " + it.e.Topic
		if len([]rune(label)) > 60 {
			label = string([]rune(label)[:59]) + "…"
		}
		kb = append(kb, []Button{r.Button(label, verbEvent, eid(it.e))})
	}
	sb.WriteString(l.T("meetings.title"))
	if len(upcoming) == 0 {
		sb.WriteString("\n" + l.T("meetings.none"))
	}
	for _, it := range upcoming {
		mark := ""
		if ans, err := r.Tx.RSVP(it.e, r.User.ID); err == nil {
			mark = " — " + answerLabel(l, ans.Answer)
		}
		line(it, mark)
	}
	if len(drafts) > 0 {
		sb.WriteString("\n\n" + l.T("meetings.drafts"))
		for _, it := range drafts {
			line(it, "")
		}
	}
	if len(past) > 0 {
		sb.WriteString("\n\n" + l.T("meetings.past"))
		for _, it := range past {
			mark := ""
			if it.e.State == mmo.EventCancelled {
				mark = " — " + l.T("meetings.cancelled")
			}
			line(it, mark)
		}
	}
	if r.Role >= mmo.RoleLeader {
		// A button, not «/newevent» to type: people tap.
		kb = append(kb, []Button{r.Button(l.T("conv_home.newevent"), verbHome, "newevent")})
	}
	return sb.String(), append(kb, r.homeRow()), nil
}
