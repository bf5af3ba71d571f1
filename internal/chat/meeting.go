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
		return nil, nil, false, err
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil {
		return nil, nil, false, err
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

// title is "Заседание № 2 «ММО учителей математики»" or "Семинар «…»".
func (b *Engine) title(tx *boltdb.Tx, l loc, e *mmo.Event, a *mmo.Association) (string, error) {
	name := formatName(l, e.Format)
	n, err := b.meetingNumber(tx, e)
	if err != nil {
		return "", err
	}
	if n > 0 {
		name = l.T("event.meeting_number", "Format", name, "N", n)
	}
	return l.T("event.title", "Format", rawArg(esc(name)), "Association", a.Name), nil
}

// meetingNumber is the number of a published заседание within its school
// year, or 0. Numbers restart each school year, so only that year's events
// are read: a title is drawn for every recipient of a broadcast.
func (b *Engine) meetingNumber(tx *boltdb.Tx, e *mmo.Event) (int, error) {
	if e.Format != mmo.FormatMeeting || e.State != mmo.EventPublished {
		return 0, nil
	}
	reg, loc := b.opt.Regulation, b.opt.Location
	from, to := reg.YearSpan(reg.SchoolYearOf(e.Start, loc), loc)
	events, err := tx.AssociationEvents(e.AssociationID, from, to)
	if err != nil {
		return 0, err
	}
	return mmo.MeetingNumbers(events, reg, loc)[e.ID], nil
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

// announcement is what a member gets: the event and the answer buttons,
// signed for their chat.
func (b *Engine) announcement(r *Request, l loc, u *mmo.User, e *mmo.Event, a *mmo.Association, lead string, chosen mmo.Answer) (string, [][]Button, error) {
	title, err := b.title(r.Tx, l, e, a)
	if err != nil {
		return "", nil, err
	}
	text := lead + "<b>" + title + "</b>\n" + b.details(l, e)
	if chosen != "" {
		text += "\n\n" + l.T("rsvp.your_answer", "Answer", rawArg(answerLabel(l, chosen)))
	} else if e.Live(r.Now) {
		text += "\n\n" + l.T("rsvp.question")
	}
	id, v := eid(e), strconv.Itoa(e.Version)
	var kb [][]Button
	if e.Live(r.Now) {
		row := []Button{}
		for _, ans := range []mmo.Answer{mmo.AnswerYes, mmo.AnswerMaybe, mmo.AnswerNo} {
			label := answerButton(l, ans)
			if ans == chosen {
				label = "✓ " + label
			}
			row = append(row, r.Button(label, verbRSVP, id, v, answerCode(ans)))
		}
		kb = append(kb, row)
	}
	if e.State == mmo.EventPublished {
		kb = append(kb, []Button{r.Button(l.T("event.ics_button"), verbEventICS, id)})
	}
	return text, kb, nil
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

// cmdNewEvent starts the form that creates an event.
func (b *Engine) cmdNewEvent(r *Request) error {
	return b.choose(r, "newevent", b.startEvent)
}

func (b *Engine) startEvent(r *Request, a *mmo.Association) error {
	d := mmo.NewDialog(mmo.FlowCreateEvent, stepFormat, r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = aid(a)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	return b.askFormat(r, d, a)
}

func (b *Engine) askFormat(r *Request, d mmo.Dialog, a *mmo.Association) error {
	nonce := itoa(int64(d.Nonce))
	var kb [][]Button
	var row []Button
	for _, f := range mmo.Formats {
		row = append(row, r.Button(formatName(r.loc(), f), verbEventFormat, nonce, string(f)))
		if len(row) == 2 {
			kb = append(kb, row)
			row = nil
		}
	}
	if len(row) > 0 {
		kb = append(kb, row)
	}
	r.Reply(r.T("newevent.ask_format", "Association", a.Name), kb...)
	return nil
}

// advance moves a dialog to a step and saves it.
func (r *Request) advance(d *mmo.Dialog, step string, set map[string]string) (mmo.Dialog, error) {
	nd := *d
	nd.Draft = map[string]string{}
	for k, v := range d.Draft {
		nd.Draft[k] = v
	}
	for k, v := range set {
		nd.Draft[k] = v
	}
	nd.Step = step
	nd.Nonce++
	nd.ExpiresAt = r.Now.Add(r.bot.opt.DialogIdle)
	return nd, r.PutDialog(nd)
}

func (b *Engine) onEventFormat(r *Request) error {
	d, ok, err := r.formButton(stepFormat, mmo.FlowCreateEvent, mmo.FlowEditEvent)
	if !ok {
		return err
	}
	f := mmo.Format(r.Press.Arg(1))
	if !mmo.ValidFormat(f) {
		return r.stale()
	}
	if _, err := r.advance(d, mmo.FieldTopic, map[string]string{"format": string(f)}); err != nil {
		return err
	}
	r.Edit(r.T("newevent.format_chosen", "Format", formatName(r.loc(), f)))
	r.Reply(r.T("newevent.ask_topic"))
	return nil
}

// dialogEvent takes the typed steps of creating (and editing) an event.
func (b *Engine) dialogEvent(r *Request, d *mmo.Dialog) error {
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	a, err := r.Tx.Association(id)
	if err != nil || a.Archived() || !r.canManage(a) {
		r.Reply(r.T("assoc.not_yours"))
		return r.EndDialog()
	}
	switch d.Step {
	case stepFormat, stepWhenConfirm:
		r.Reply(r.T("create.press_button"))
		return nil
	}
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	editing := d.Flow == mmo.FlowEditEvent
	switch d.Step {
	case stepWhen:
		t, err := mmo.ParseWhen(r.Text, r.Now, b.opt.Location)
		if err != nil {
			r.Reply(whenError(r, err))
			return nil
		}
		nd, err := r.advance(d, stepWhenConfirm, map[string]string{"start": t.UTC().Format(time.RFC3339)})
		if err != nil {
			return err
		}
		nonce := itoa(int64(nd.Nonce))
		r.Reply(r.T("newevent.confirm_when", "When", b.formatWhen(t, r.Lang)), []Button{
			r.Button(r.T("newevent.when_yes"), verbEventWhen, nonce, "y"),
			r.Button(r.T("newevent.when_no"), verbEventWhen, nonce, "n"),
		})
		return nil
	case stepDuration:
		dur, err := mmo.ParseDuration(r.Text)
		if err != nil {
			r.Reply(r.T("newevent.bad_duration"))
			return nil
		}
		if editing {
			return b.applyEdit(r, d, a, map[string]string{"duration": strconv.Itoa(int(dur / time.Minute))})
		}
		return b.afterDuration(r, d, dur)
	}
	value, err := mmo.ValidateEventField(d.Step, r.Text)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	if editing {
		if d.Step == mmo.FieldTopic && value == "" {
			r.Reply(r.T("validate.invalid_text"))
			return nil
		}
		return b.applyEdit(r, d, a, map[string]string{d.Step: value})
	}
	switch d.Step {
	case mmo.FieldTopic:
		if _, err := r.advance(d, stepWhen, map[string]string{mmo.FieldTopic: value}); err != nil {
			return err
		}
		r.Reply(r.T("newevent.ask_when"))
	case mmo.FieldPlace:
		if _, err := r.advance(d, mmo.FieldLink, map[string]string{mmo.FieldPlace: value}); err != nil {
			return err
		}
		r.Reply(r.T("newevent.ask_link"))
	case mmo.FieldLink:
		if value == "" && d.Draft[mmo.FieldPlace] == "" {
			if _, err := r.advance(d, mmo.FieldPlace, nil); err != nil {
				return err
			}
			r.Reply(r.T("newevent.place_or_link"))
			return nil
		}
		if _, err := r.advance(d, mmo.FieldAgenda, map[string]string{mmo.FieldLink: value}); err != nil {
			return err
		}
		r.Reply(r.T("newevent.ask_agenda"))
	case mmo.FieldAgenda:
		d.Draft[mmo.FieldAgenda] = value
		return b.createDraft(r, d, a)
	}
	return nil
}

// whenError explains a date and time that could not be used.
func whenError(r *Request, err error) string {
	switch mmo.ErrorCode(err) {
	case mmo.CodeNoTime:
		return r.T("when.no_time")
	case mmo.CodePast:
		return r.T("when.past")
	case mmo.CodeTooFar:
		return r.T("when.too_far")
	}
	return r.T("when.invalid")
}

// onEventWhen takes the confirmation of the parsed date and time.
func (b *Engine) onEventWhen(r *Request) error {
	d, ok, err := r.formButton(stepWhenConfirm, mmo.FlowCreateEvent, mmo.FlowEditEvent)
	if !ok {
		return err
	}
	start, _ := time.Parse(time.RFC3339, d.Draft["start"])
	if r.Press.Arg(1) != "y" {
		if _, err := r.advance(d, stepWhen, nil); err != nil {
			return err
		}
		r.Edit(r.T("newevent.when_again"))
		return nil
	}
	if !start.After(r.Now) { // the form waited past the time it names
		if _, err := r.advance(d, stepWhen, nil); err != nil {
			return err
		}
		r.Edit(r.T("when.past"))
		return nil
	}
	r.Edit(r.T("newevent.when_set", "When", b.formatWhen(start, r.Lang)))
	if d.Flow == mmo.FlowEditEvent {
		id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
		a, err := r.Tx.Association(id)
		if err != nil {
			return err
		}
		return b.applyEdit(r, d, a, map[string]string{"start": d.Draft["start"]})
	}
	nd, err := r.advance(d, stepDuration, nil)
	if err != nil {
		return err
	}
	nonce := itoa(int64(nd.Nonce))
	r.Reply(r.T("newevent.ask_duration"), []Button{
		r.Button(r.T("duration.h1"), verbEventLength, nonce, "60"),
		r.Button(r.T("duration.h15"), verbEventLength, nonce, "90"),
		r.Button(r.T("duration.h2"), verbEventLength, nonce, "120"),
		r.Button(r.T("duration.h3"), verbEventLength, nonce, "180"),
	})
	return nil
}

func (b *Engine) onEventLength(r *Request) error {
	d, ok, err := r.formButton(stepDuration, mmo.FlowCreateEvent, mmo.FlowEditEvent)
	if !ok {
		return err
	}
	minutes, err := strconv.Atoi(r.Press.Arg(1))
	if err != nil || minutes < 5 || minutes > 12*60 {
		return r.stale()
	}
	r.Edit(r.T("newevent.duration_set", "Minutes", minutes))
	return b.afterDuration(r, d, time.Duration(minutes)*time.Minute)
}

func (b *Engine) afterDuration(r *Request, d *mmo.Dialog, dur time.Duration) error {
	if _, err := r.advance(d, mmo.FieldPlace, map[string]string{"duration": strconv.Itoa(int(dur / time.Minute))}); err != nil {
		return err
	}
	r.Reply(r.T("newevent.ask_place"))
	return nil
}

// createDraft saves the event as a draft and shows it to the leader with
// the button to publish it.
func (b *Engine) createDraft(r *Request, d *mmo.Dialog, a *mmo.Association) error {
	start, err := time.Parse(time.RFC3339, d.Draft["start"])
	if err != nil {
		return err
	}
	minutes, _ := strconv.Atoi(d.Draft["duration"])
	e := &mmo.Event{
		AssociationID: a.ID,
		Format:        mmo.Format(d.Draft["format"]),
		Topic:         d.Draft[mmo.FieldTopic],
		Agenda:        d.Draft[mmo.FieldAgenda],
		Start:         start.UTC(),
		Duration:      time.Duration(minutes) * time.Minute,
		Place:         d.Draft[mmo.FieldPlace],
		Link:          d.Draft[mmo.FieldLink],
		State:         mmo.EventDraft,
		CreatedBy:     r.User.ID,
	}
	if err := r.Tx.CreateEvent(e); err != nil {
		return err
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	text, kb, err := b.leaderCard(r, r.viewer(), e, a)
	if err != nil {
		return err
	}
	r.Reply(r.T("newevent.draft_saved"))
	r.Reply(text, kb...)
	return nil
}

// leaderCard is the leader's view of an event: details, answers with
// names, delivery, and the actions.
func (b *Engine) leaderCard(r *Request, v viewer, e *mmo.Event, a *mmo.Association) (string, [][]Button, error) {
	l := v.l
	title, err := b.title(r.Tx, l, e, a)
	if err != nil {
		return "", nil, err
	}
	var sb strings.Builder
	sb.WriteString("<b>" + title + "</b>\n" + b.details(l, e) + "\n\n")
	switch {
	case e.State == mmo.EventDraft:
		sb.WriteString(l.T("event.state_draft"))
	case e.State == mmo.EventCancelled:
		sb.WriteString(l.T("event.state_cancelled"))
	case e.Started(r.Now):
		sb.WriteString(l.T("event.state_past"))
	default:
		sb.WriteString(l.T("event.state_published"))
	}
	id := eid(e)
	var kb [][]Button
	if e.State == mmo.EventPublished {
		audience, err := b.audienceExcept(r, a, v.u.ID)
		if err != nil {
			return "", nil, err
		}
		answers, err := r.Tx.RSVPs(e)
		if err != nil {
			return "", nil, err
		}
		names := map[mmo.Answer][]string{}
		silent := 0
		for _, u := range audience {
			if ans, ok := answers[u.ID]; ok {
				names[ans.Answer] = append(names[ans.Answer], shortName(u.Name))
			} else {
				silent++
			}
		}
		sb.WriteString("\n" + l.T("event.counts", "Yes", len(names[mmo.AnswerYes]), "Maybe", len(names[mmo.AnswerMaybe]), "No", len(names[mmo.AnswerNo]), "Silent", silent))
		for _, ans := range []mmo.Answer{mmo.AnswerYes, mmo.AnswerMaybe, mmo.AnswerNo} {
			if list := names[ans]; len(list) > 0 {
				slices.Sort(list)
				sb.WriteString("\n" + answerButton(l, ans) + ": " + esc(strings.Join(list, ", ")))
			}
		}
		if bc, err := r.Tx.Broadcast(e.Announcement); err == nil {
			sb.WriteString("\n\n" + b.deliveryLine(l, bc))
		}
		kb = append(kb, []Button{r.Button(l.T("event.checkin_button"), verbCheckin, id), r.Button(l.T("event.plan_button"), verbEventPlan, id)})
		if e.TakesMinutes(r.Now) {
			kb = append(kb, []Button{r.Button(l.T("event.minutes_button"), verbMinutes, id)})
		}
		if e.Live(r.Now) {
			kb = append(kb, []Button{r.Button(l.T("event.refresh"), verbEvent, id)})
			if silent > 0 {
				kb = append(kb, []Button{r.Button(l.N("event.nudge_button", silent), verbEventNudge, id)})
			}
			kb = append(kb, []Button{r.Button(l.T("event.edit_button"), verbEventEdit, id), r.Button(l.T("event.cancel_button"), verbEventCancel, id)})
		}
		kb = append(kb, []Button{r.Button(l.T("event.ics_button"), verbEventICS, id)})
	}
	if e.PlanItem != 0 {
		year := b.opt.Regulation.SchoolYearOf(e.Start, b.opt.Location)
		if p, err := r.Tx.Plan(a.ID, year); err == nil {
			for i, it := range p.Items {
				if it.ID == e.PlanItem {
					sb.WriteString("\n" + l.T("event.plan_item", "N", i+1, "Topic", it.Topic))
				}
			}
		}
	}
	if e.State == mmo.EventDraft {
		kb = append(kb,
			[]Button{r.Button(l.T("event.publish_button"), verbEventPublish, id)},
			[]Button{r.Button(l.T("event.edit_button"), verbEventEdit, id), r.Button(l.T("event.delete_button"), verbEventDelete, id)})
	}
	kb = append(kb, []Button{r.Button(l.T("event.back"), verbMeetings)})
	return sb.String(), kb, nil
}

// deliveryLine is "delivered to N of M" for the leader.
func (b *Engine) deliveryLine(l loc, bc *boltdb.Broadcast) string {
	line := l.T("event.delivered", "Delivered", bc.Delivered, "Total", bc.Total)
	if bc.Pending() > 0 {
		line += " " + l.N("event.delivering", bc.Pending())
	}
	if bc.Blocked > 0 {
		line += " " + l.N("event.blocked", bc.Blocked)
	}
	if bc.Failed > 0 {
		line += " " + l.N("event.failed", bc.Failed)
	}
	return line
}

// onEvent opens an event: the leader's card for those who run the
// association, the member's view for its members.
func (b *Engine) onEvent(r *Request) error {
	e, a, ok, err := r.event(0)
	if !ok {
		return err
	}
	if r.canManage(a) {
		if err := r.remember(cardKey(e)); err != nil {
			return err
		}
		return b.showLeaderCard(r, e, a)
	}
	member, err := r.isMember(a)
	if err != nil {
		return err
	}
	if e.State == mmo.EventDraft { // members never see drafts
		return r.stale()
	}
	if !member {
		return r.membersOnly(a)
	}
	var chosen mmo.Answer
	if ans, err := r.Tx.RSVP(e, r.User.ID); err == nil {
		chosen = ans.Answer
	}
	text, kb, err := b.announcement(r, r.loc(), r.User, e, a, b.stateLead(r.loc(), e, r.Now), chosen)
	if err != nil {
		return err
	}
	kb = append(kb, []Button{r.Button(r.T("event.back"), verbMeetings)})
	r.Edit(text, kb...)
	return nil
}

// stateLead is the first line of a member's view of an event that is
// no longer open.
func (b *Engine) stateLead(l loc, e *mmo.Event, now time.Time) string {
	switch {
	case e.State == mmo.EventCancelled:
		return l.T("event.lead_cancelled") + "\n"
	case e.Started(now):
		return l.T("event.lead_past") + "\n"
	}
	return ""
}

// cardKey names the leader's open card of an event among the messages
// the bot keeps a handle on.
func cardKey(e *mmo.Event) string { return "card:" + eid(e) }

// refreshLeaderCard queues an edit of the event's card where it was
// last opened, as the one who opened it sees it.
func (b *Engine) refreshLeaderCard(r *Request, e *mmo.Event, a *mmo.Association) error {
	return b.refresh(r, cardKey(e), func(v viewer) (string, [][]Button, error) {
		return b.leaderCard(r, v, e, a)
	})
}

// onPublish announces a draft to every member.
func (b *Engine) onPublish(r *Request) error {
	e, a, ok, err := r.managedEvent(0)
	if !ok {
		return err
	}
	if err := e.Publish(a, r.Now); err != nil {
		if mmo.ErrorCode(err) != mmo.CodeStarted {
			return r.stale()
		}
		r.Answer(r.T("event.publish_past"), true)
		return nil
	}
	if err := r.ensureCheckin(e); err != nil {
		return err
	}
	audience, err := b.audience(r, a)
	if err != nil {
		return err
	}
	if err := r.Tx.PutEvent(e); err != nil { // published first, so the title gets its number
		return err
	}
	bc, err := b.broadcast(r, "announce", e, audience, func(l loc, u *mmo.User) (string, [][]Button, error) {
		return b.announcement(r, l, u, e, a, l.T("event.lead_announce")+"\n", "")
	})
	if err != nil {
		return err
	}
	e.Announcement = bc.ID
	if err := r.remember(cardKey(e)); err != nil {
		return err
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return err
	}
	if err := r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: "meeting.publish", Association: a.ID, Note: eid(e)}); err != nil {
		return err
	}
	r.Answer(r.N("event.published", len(audience)), false)
	return b.showLeaderCard(r, e, a)
}

// showLeaderCard redraws the event's leader card in place of the pressed
// message.
func (b *Engine) showLeaderCard(r *Request, e *mmo.Event, a *mmo.Association) error {
	text, kb, err := b.leaderCard(r, r.viewer(), e, a)
	if err != nil {
		return err
	}
	r.Edit(text, kb...)
	return nil
}

// rsvpRefusals explains why an answer was refused; other refusals are a
// stale button.
var rsvpRefusals = map[mmo.Code]string{
	mmo.CodeNotMember: "rsvp.not_member",
	mmo.CodeCancelled: "rsvp.cancelled",
	mmo.CodeStarted:   "rsvp.started",
	mmo.CodeConflict:  "rsvp.changed",
}

// onRSVP records a member's answer, marks it on their message and
// refreshes the leader's card.
func (b *Engine) onRSVP(r *Request) error {
	e, a, ok, err := r.event(0)
	if !ok {
		return err
	}
	member, err := r.isMember(a)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.Press.Arg(1))
	if err := mmo.CanAnswer(e, member, version, r.Now); err != nil {
		key, ok := rsvpRefusals[mmo.ErrorCode(err)]
		if !ok {
			return r.stale()
		}
		r.Answer(r.T(key), true)
		return nil
	}
	ans := answerFromCode(r.Press.Arg(2))
	if !mmo.ValidAnswer(ans) {
		return r.stale()
	}
	if err := r.Tx.PutRSVP(&mmo.RSVP{EventID: e.ID, UserID: r.User.ID, Answer: ans, Version: e.Version, At: r.Now}); err != nil {
		return err
	}
	r.Answer(r.T("rsvp.saved", "Answer", rawArg(answerLabel(r.loc(), ans))), false)
	text, kb, err := b.announcement(r, r.loc(), r.User, e, a, "", ans)
	if err != nil {
		return err
	}
	if r.hasButton(verbMeetings) { // the event was opened from /meetings: keep the way back
		kb = append(kb, []Button{r.Button(r.T("event.back"), verbMeetings)})
	}
	r.Edit(text, kb...)
	return b.refreshLeaderCard(r, e, a)
}

// onNudge reminds the members who have not answered yet.
func (b *Engine) onNudge(r *Request) error {
	e, a, ok, err := r.managedEvent(0)
	if !ok {
		return err
	}
	if !e.Live(r.Now) {
		return r.stale()
	}
	audience, err := b.audience(r, a)
	if err != nil {
		return err
	}
	answers, err := r.Tx.RSVPs(e)
	if err != nil {
		return err
	}
	silent := pickUsers(audience, mmo.Silent(userIDs(audience), answers))
	if len(silent) == 0 {
		r.Answer(r.T("event.nobody_silent"), false)
		return nil
	}
	if _, err := b.broadcast(r, "nudge", e, silent, func(l loc, u *mmo.User) (string, [][]Button, error) {
		return b.announcement(r, l, u, e, a, l.T("event.lead_nudge")+"\n", "")
	}); err != nil {
		return err
	}
	r.Answer(r.N("event.nudged", len(silent)), false)
	return nil
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
	title, err := b.title(r.Tx, r.loc(), e, a)
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

// The catalog's templates escape their arguments for Telegram's HTML; the
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

// onEventEdit shows what can be changed, or starts the form for a field.
func (b *Engine) onEventEdit(r *Request) error {
	e, a, ok, err := r.managedEvent(0)
	if !ok {
		return err
	}
	if !e.Editable(r.Now) {
		return r.stale()
	}
	id := eid(e)
	var step, prompt string
	switch r.Press.Arg(1) {
	case "":
		r.Edit(r.T("eventedit.menu"),
			[]Button{r.Button(r.T("eventedit.when"), verbEventEdit, id, "w"), r.Button(r.T("eventedit.duration"), verbEventEdit, id, "d")},
			[]Button{r.Button(r.T("eventedit.place"), verbEventEdit, id, "p"), r.Button(r.T("eventedit.link"), verbEventEdit, id, "l")},
			[]Button{r.Button(r.T("eventedit.topic"), verbEventEdit, id, "t"), r.Button(r.T("eventedit.agenda"), verbEventEdit, id, "a")},
			[]Button{r.Button(r.T("event.back_to_event"), verbEvent, id)})
		return nil
	case "w":
		step, prompt = stepWhen, r.T("newevent.ask_when")
	case "d":
		step, prompt = stepDuration, r.T("eventedit.ask_duration")
	case "p":
		step, prompt = mmo.FieldPlace, r.T("eventedit.ask_place")
	case "l":
		step, prompt = mmo.FieldLink, r.T("eventedit.ask_link")
	case "t":
		step, prompt = mmo.FieldTopic, r.T("eventedit.ask_topic")
	case "a":
		step, prompt = mmo.FieldAgenda, r.T("eventedit.ask_agenda")
	default:
		return r.stale()
	}
	d := mmo.NewDialog(mmo.FlowEditEvent, step, r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = aid(a)
	d.Draft["eid"] = id
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(prompt)
	return nil
}

// applyEdit changes an event. A change of time or place of a published
// event resets the answers and tells every member what changed.
func (b *Engine) applyEdit(r *Request, d *mmo.Dialog, a *mmo.Association, set map[string]string) error {
	id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
	if err := r.EndDialog(); err != nil {
		return err
	}
	e, err := r.Tx.Event(id)
	if err != nil || !e.Editable(r.Now) {
		r.Reply(r.T("event.gone"))
		return nil
	}
	old := *e
	for k, v := range set {
		switch k {
		case "start":
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return err
			}
			e.Start = t.UTC()
		case "duration":
			m, _ := strconv.Atoi(v)
			e.Duration = time.Duration(m) * time.Minute
		case mmo.FieldPlace:
			e.Place = v
		case mmo.FieldLink:
			e.Link = v
		case mmo.FieldTopic:
			e.Topic = v
		case mmo.FieldAgenda:
			e.Agenda = v
		}
	}
	if e.Place == "" && e.Link == "" {
		r.Reply(r.T("newevent.place_or_link_kept"))
		return nil
	}
	l := r.loc()
	changes := e.Revise(&old, r.Now)
	material := len(changes) > 0
	if err := r.Tx.PutEvent(e); err != nil {
		return err
	}
	if material {
		audience, err := b.audience(r, a)
		if err != nil {
			return err
		}
		bc, err := b.broadcast(r, "change", e, audience, func(l loc, u *mmo.User) (string, [][]Button, error) {
			return b.announcement(r, l, u, e, a, b.changeLead(l, &old, e), "")
		})
		if err != nil {
			return err
		}
		e.Announcement = bc.ID
		if err := r.Tx.PutEvent(e); err != nil {
			return err
		}
		if err := r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: "meeting.change", Association: a.ID, Note: eid(e) + " " + strings.Join(changes, ",")}); err != nil {
			return err
		}
		r.Reply(l.N("eventedit.sent", len(audience)))
	} else {
		r.Reply(l.T("edit.saved"))
	}
	text, kb, err := b.leaderCard(r, r.viewer(), e, a)
	if err != nil {
		return err
	}
	r.Reply(text, kb...)
	return nil
}

// changeLead tells what changed, old and new.
func (b *Engine) changeLead(l loc, old, e *mmo.Event) string {
	var sb strings.Builder
	sb.WriteString(l.T("event.lead_changed") + "\n")
	if !old.Start.Equal(e.Start) {
		sb.WriteString(l.T("change.when", "Old", b.when(old, l.lang), "New", b.when(e, l.lang)) + "\n")
	}
	none := l.T("change.none")
	orNone := func(s string) string {
		if s == "" {
			return none
		}
		return s
	}
	if old.Place != e.Place {
		sb.WriteString(l.T("change.place", "Old", orNone(old.Place), "New", orNone(e.Place)) + "\n")
	}
	if old.Link != e.Link {
		sb.WriteString(l.T("change.link", "Old", orNone(old.Link), "New", orNone(e.Link)) + "\n")
	}
	sb.WriteString(l.T("change.answers_reset") + "\n\n")
	return sb.String()
}

// onEventCancel cancels a published event after a confirmation; everyone
// is told.
func (b *Engine) onEventCancel(r *Request) error {
	e, a, ok, err := r.managedEvent(0)
	if !ok {
		return err
	}
	if !e.Live(r.Now) {
		return r.stale()
	}
	if r.Press.Arg(1) != "y" {
		r.Edit(r.T("event.cancel_confirm", "Topic", e.Topic), []Button{
			r.Button(r.T("event.cancel_yes"), verbEventCancel, eid(e), "y"),
			r.Button(r.T("event.cancel_no"), verbEvent, eid(e)),
		})
		return nil
	}
	if err := e.Cancel(r.Now); err != nil {
		return r.stale()
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return err
	}
	audience, err := b.audience(r, a)
	if err != nil {
		return err
	}
	if _, err := b.broadcast(r, "cancel", e, audience, func(l loc, u *mmo.User) (string, [][]Button, error) {
		title, err := b.title(r.Tx, l, e, a)
		if err != nil {
			return "", nil, err
		}
		return l.T("event.cancelled_notice", "Title", rawArg(title), "When", b.when(e, l.lang), "Topic", e.Topic), nil, nil
	}); err != nil {
		return err
	}
	if err := r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: "meeting.cancel", Association: a.ID, Note: eid(e)}); err != nil {
		return err
	}
	r.Answer(r.N("event.cancel_sent", len(audience)), false)
	return b.showLeaderCard(r, e, a)
}

// onEventDelete deletes a draft after a confirmation.
func (b *Engine) onEventDelete(r *Request) error {
	e, _, ok, err := r.managedEvent(0)
	if !ok {
		return err
	}
	if e.State != mmo.EventDraft {
		return r.stale()
	}
	if r.Press.Arg(1) != "y" {
		r.Edit(r.T("event.delete_confirm", "Topic", e.Topic), []Button{
			r.Button(r.T("event.delete_yes"), verbEventDelete, eid(e), "y"),
			r.Button(r.T("event.cancel_no"), verbEvent, eid(e)),
		})
		return nil
	}
	if err := r.Tx.DeleteEvent(e.ID); err != nil {
		return err
	}
	r.Edit(r.T("event.deleted", "Topic", e.Topic))
	return nil
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
	all, err := r.Tx.Associations()
	if err != nil {
		return "", nil, err
	}
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
		events, err := r.Tx.AssociationEvents(a.ID, time.Time{}, time.Time{})
		if err != nil {
			return "", nil, err
		}
		for _, e := range events {
			switch mmo.ShelfOf(e, manage, r.Now) {
			case mmo.ShelfDraft:
				drafts = append(drafts, item{e, a})
			case mmo.ShelfUpcoming:
				upcoming = append(upcoming, item{e, a})
			case mmo.ShelfPast:
				past = append(past, item{e, a})
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
		when := it.e.Start.In(b.opt.Location).Format("02.01 15:04")
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
		sb.WriteString("\n\n" + l.T("meetings.new_hint"))
	}
	return sb.String(), kb, nil
}
