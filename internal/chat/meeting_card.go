package chat

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// leaderCard is the leader's view of the event of ev at now, for v:
// details, answers with names, delivery, check-in (open or not, as the
// caller found it at now) and the actions.
func (b *Engine) leaderCard(v viewer, ev *boltdb.EventView, checkinOpen bool, now time.Time) (string, [][]Button) {
	var kb [][]Button
	text := fitNames(b.transport(v.messenger).MaxText, func(n int) string {
		var text string
		text, kb = b.leaderCardOf(v, ev, checkinOpen, now, n)
		return text
	})
	return text, kb
}

// leaderCardOf is the leader's card with at most n names for each answer
// (see fitNames).
func (b *Engine) leaderCardOf(v viewer, ev *boltdb.EventView, checkinOpen bool, now time.Time, n int) (string, [][]Button) {
	l, e := v.l, ev.Event
	var sb strings.Builder
	sb.WriteString("<b>" + b.viewTitle(l, ev) + "</b>\n" + b.details(l, e) + "\n\n")
	switch {
	case e.State == mmo.EventDraft:
		sb.WriteString(l.T("event.state_draft"))
	case e.State == mmo.EventCancelled:
		sb.WriteString(l.T("event.state_cancelled"))
	case e.Started(now):
		sb.WriteString(l.T("event.state_past"))
	default:
		sb.WriteString(l.T("event.state_published"))
	}
	id := eid(e)
	button := func(label, verb string, args ...string) Button { return Button{Label: label, Verb: verb, Args: args} }
	var kb [][]Button
	if e.State == mmo.EventPublished {
		// The members asked: everyone but the leader, the same as the
		// check-in counts below.
		audience := viewAudience(ev, ev.Association.LeaderID)
		names := map[mmo.Answer][]string{}
		silent := 0
		for _, u := range audience {
			if ans, ok := ev.Answers[u.ID]; ok {
				names[ans.Answer] = append(names[ans.Answer], shortName(u.Name))
			} else {
				silent++
			}
		}
		sb.WriteString("\n" + l.T("event.counts", "Yes", len(names[mmo.AnswerYes]), "Maybe", len(names[mmo.AnswerMaybe]), "No", len(names[mmo.AnswerNo]),
			"Answered", len(audience)-silent, "Total", len(audience)))
		for _, ans := range []mmo.Answer{mmo.AnswerYes, mmo.AnswerMaybe, mmo.AnswerNo} {
			if list := names[ans]; len(list) > 0 {
				slices.Sort(list)
				shown, more := firstNames(list, n)
				sb.WriteString("\n" + answerButton(l, ans) + ": " + esc(strings.Join(shown, ", ")))
				if more > 0 {
					sb.WriteString(" " + l.N("event.more_names", more))
				}
			}
		}
		if ev.Delivery != nil {
			sb.WriteString("\n\n" + b.deliveryLine(l, ev.Delivery))
		}
		if checkinOpen || e.Checkin.Announced {
			sb.WriteString("\n" + checkinLine(l, ev, checkinOpen))
		}
		kb = append(kb, []Button{button(l.T("event.checkin_button"), verbCheckin, id), button(l.T("event.plan_button"), verbEventPlan, id)})
		if e.TakesMinutes(now) {
			kb = append(kb, []Button{button(l.T("event.minutes_button"), verbMinutes, id)})
		}
		if e.Live(now) {
			kb = append(kb, []Button{button(l.T("event.refresh"), verbEvent, id)})
			if silent > 0 && b.nudgeOpen(e, now) {
				if targets := nudgeTargets(ev, v.u.ID, now); len(targets) > 0 {
					kb = append(kb, []Button{button(l.N("event.nudge_button", len(targets)), verbEventNudge, id)})
				}
			}
			kb = append(kb, []Button{button(l.T("event.edit_button"), verbEventEdit, id), button(l.T("event.cancel_button"), verbEventCancel, id)})
		}
		kb = append(kb, []Button{button(l.T("event.ics_button"), verbEventICS, id)})
	}
	if ev.PlanItem != 0 {
		sb.WriteString("\n" + l.T("event.plan_item", "N", ev.PlanItem, "Topic", ev.PlanTopic))
	}
	if e.State == mmo.EventDraft {
		kb = append(kb,
			[]Button{button(l.T("event.publish_button"), verbEventPublish, id)},
			[]Button{button(l.T("event.edit_button"), verbEventEdit, id), button(l.T("event.delete_button"), verbEventDelete, id)})
	}
	kb = append(kb, []Button{button(l.T("event.back"), verbMeetings)})
	return sb.String(), kb
}

// drawOwnCard draws the leader's card of v, as r's user sees it, in
// place of the pressed message (see drawEventCard).
func (b *Engine) drawOwnCard(r *Request, v *boltdb.EventView) {
	text, kb := b.ownCard(r, v)
	r.drawEventCard(v.Event.ID, text, kb)
}

// ownCard is the leader's card of v as r's user sees it at r.Now.
func (b *Engine) ownCard(r *Request, v *boltdb.EventView) (string, [][]Button) {
	return b.leaderCard(r.viewer(), v, v.Event.CheckinOpen(r.Now), r.Now)
}

// viewAudience is the active members of a view but one, by name.
func viewAudience(ev *boltdb.EventView, except int64) []*mmo.User {
	var out []*mmo.User
	for _, m := range ev.Members {
		if m.User.ID != except {
			out = append(out, m.User)
		}
	}
	return out
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
		if err := r.rememberView(cardKey(e), checkinKey(e)); err != nil {
			return err
		}
		return b.showLeaderCard(r, e, a)
	}
	if e.State == mmo.EventDraft { // members never see drafts
		return r.stale()
	}
	// A member's view shows the event and their own answer: neither the
	// other members nor their answers are read (5,000 of each in a large
	// association).
	member, err := r.isMember(a)
	if err != nil {
		return err
	}
	if !member {
		return r.membersOnly(a)
	}
	n, err := b.meetingNumber(r.Tx, e)
	if err != nil {
		return err
	}
	var chosen mmo.Answer
	switch ans, err := r.Tx.RSVP(e, r.User.ID); {
	case err == nil:
		chosen = ans.Answer
	case !errors.Is(err, mmo.ErrNotFound):
		return fmt.Errorf("load the answer to event %d: %w", e.ID, err)
	}
	v := &boltdb.EventView{Event: e, Association: a, Number: n}
	text, kb := b.announcement(r.loc(), v, b.stateLead(r.loc(), e, r.Now), chosen, r.Now)
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
	case !now.Before(e.End()):
		return l.T("event.lead_past") + "\n"
	case e.Started(now):
		return l.T("conv_meet.lead_started") + "\n"
	}
	return ""
}

// forgetViews drops the records of the views of an event that is gone.
func forgetViews(r *Request, e *mmo.Event) error {
	for _, key := range []string{cardKey(e), checkinKey(e)} {
		if err := r.Tx.DeleteSent(key); err != nil {
			return fmt.Errorf("forget the view %s: %w", key, err)
		}
	}
	return nil
}

// cardKey names the leader's open card of an event among the messages
// the bot keeps a handle on.
func cardKey(e *mmo.Event) string { return cardKeyOf(e.ID) }

func cardKeyOf(id uint64) string { return "card:" + strconv.FormatUint(id, 10) }

// refreshLeaderCard queues an edit of the event's card where it was
// last opened, as the one who opened it sees it, in the update's
// transaction: check-in opening or closing, by the leader or when due.
// (A member's check-in and answer have it drawn beside the update
// instead, see redraw.go.) Nothing is drawn over another view the leader
// opened on the card's message (an edit form, a confirmation; see
// liveCounts), as the delivery count is not.
func (b *Engine) refreshLeaderCard(r *Request, e *mmo.Event, a *mmo.Association) error {
	rec, err := r.Tx.Sent(cardKey(e))
	if err != nil || r.Tx.CardElsewhere(cardKey(e), rec) {
		return ignoreGone(err)
	}
	v, err := b.eventView(r, e, a, cardKey(e))
	if err != nil {
		return err
	}
	b.editCard(r, v, e.CheckinOpen(r.Now))
	return nil
}

// editCard queues an edit of the card of the event of v where it was last
// opened (v read with cardKey), drawn as the one who opened it sees it,
// with the check-in open or not as the caller found it; nothing if no
// card is open or whoever opened it is gone.
func (b *Engine) editCard(r *Request, v *boltdb.EventView, checkinOpen bool) {
	key := cardKey(v.Event)
	rec, ok := v.Sent[key]
	if !ok {
		return
	}
	u, ok := v.Viewers[rec.User]
	if !ok {
		return
	}
	text, kb := b.leaderCard(viewer{u, r.locOf(u), rec.Messenger}, v, checkinOpen, r.Now)
	r.EditKept(key, text, kb...)
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
	v, err := b.eventView(r, e, a)
	if err != nil {
		return err
	}
	key := func(u *mmo.User) string { return annKey(e, u.ID) }
	bc, err := b.broadcastKept(r, "announce", e, audience, key, func(l loc, u *mmo.User) (string, [][]Button, error) {
		text, kb := b.announcement(l, v, l.T("event.lead_announce")+"\n", "", r.Now)
		return text, kb, nil
	})
	if err != nil {
		return err
	}
	e.Announcement, v.Delivery = bc.ID, bc
	if e.CheckinDue(r.Now) {
		// Published inside its check-in window: the "I am here" button
		// follows the announcement now rather than at the next scan.
		if err := b.announceCheckin(r, e, a); err != nil {
			return err
		}
	}
	if err := r.remember(cardKey(e)); err != nil {
		return err
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return fmt.Errorf("save event %d: %w", e.ID, err)
	}
	if err := r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: "meeting.publish", Association: a.ID, Note: eid(e)}); err != nil {
		return fmt.Errorf("write the audit log: %w", err)
	}
	r.Answer(r.N("event.published", len(audience)), false)
	b.drawOwnCard(r, v)
	return nil
}

// showLeaderCard redraws the event's leader card in place of the pressed
// message.
func (b *Engine) showLeaderCard(r *Request, e *mmo.Event, a *mmo.Association) error {
	v, err := b.eventView(r, e, a)
	if err != nil {
		return err
	}
	b.drawOwnCard(r, v)
	return nil
}

// rsvpRefusals explains why an answer was refused; other refusals are a
// stale button.
var rsvpRefusals = map[mmo.Code]string{
	mmo.CodeNotMember: "rsvp.not_member",
	mmo.CodeCancelled: "rsvp.cancelled",
	mmo.CodeStarted:   "rsvp.started",
	mmo.CodeConflict:  "rsvp.changed",
	mmo.CodeGone:      "event.gone",
}

// onRSVP records a member's answer, marks it on their message and has
// the leader's card redrawn. It reads the press and goes to the store
// once: AnswerRSVP loads the member's view of the event (with their
// announcement on record; not the other members), has mmo decide (the
// answer or why not, and what the views show of the event) and stores a
// taken answer. The handler then answers a refusal, or draws the
// member's views from the view and the decision it got back; the answer
// and those replies commit in the update's one transaction, or neither
// does. The leader's card, which reads every member, is drawn after the
// commit, beside the update (see redraw.go).
func (b *Engine) onRSVP(r *Request) error {
	id, err := strconv.ParseUint(r.Press.Arg(0), 10, 64)
	if err != nil {
		return r.stale()
	}
	version, _ := strconv.Atoi(r.Press.Arg(1))
	ans := answerFromCode(r.Press.Arg(2))
	ann := annKeyOf(id, r.User.ID)
	o := b.viewOptions(ann)
	o.Own = r.User.ID
	v, d, err := r.Tx.AnswerRSVP(id, r.User.ID, version, ans, r.Now, o)
	if err != nil {
		return err
	}
	if d.RSVP == nil {
		key, ok := rsvpRefusals[mmo.ErrorCode(d.Refused)]
		if !ok {
			return r.stale()
		}
		r.Answer(r.T(key), true)
		return nil
	}
	b.showAnswer(r, v, d.RSVP.Answer, ann)
	r.redrawCard(id)
	return nil
}

// showAnswer marks a member's answer on the pressed message and on their
// announcement, recorded in v under ann.
func (b *Engine) showAnswer(r *Request, v *boltdb.EventView, ans mmo.Answer, ann string) {
	l := r.loc()
	r.Answer(r.T("rsvp.saved", "Answer", rawArg(answerLabel(l, ans))), false)
	text, kb := b.announcement(l, v, "", ans, r.Now)
	onAnnouncement := false
	if rec, ok := v.Sent[ann]; ok {
		onAnnouncement = rec.Chat == r.Update.Chat && rec.Message == r.Press.Message
	}
	switch {
	case onAnnouncement || r.hasButton(verbEventICS):
		shown := kb
		if r.hasButton(verbMeetings) { // the event was opened from /meetings: keep the way back
			shown = append(slices.Clone(kb), []Button{r.Button(r.T("event.back"), verbMeetings)})
		}
		r.Edit(text, shown...)
	default:
		// A reminder or a nudge: it stays short, with the answer marked.
		r.Edit(b.reminderText(l, v), answerRow(l, v.Event, ans))
	}
	if !onAnnouncement {
		// The announcement is the one place the meeting lives: it shows
		// the answer wherever it was given.
		r.EditKept(ann, text, kb...)
	}
}

// nudgeOpen reports whether the leader may remind the silent members of
// an event at now: the announcement (or the latest change that asked for
// answers again) has been out long enough for people to answer, and
// check-in has not opened (people are arriving: «will you come?» is too
// late).
func (b *Engine) nudgeOpen(e *mmo.Event, now time.Time) bool {
	since := e.ChangedAt
	if since.IsZero() {
		since = e.PublishedAt
	}
	return e.Live(now) && !e.CheckinOpen(now) && !now.Before(since.Add(b.opt.NudgeAfter))
}

// nudgeTargets are the silent members of a view but except who may be
// reminded at now: none is asked more than once a day.
func nudgeTargets(v *boltdb.EventView, except int64, now time.Time) []*mmo.User {
	audience := viewAudience(v, except)
	var out []*mmo.User
	for _, u := range pickUsers(audience, mmo.Silent(userIDs(audience), v.Answers)) {
		if at, ok := v.Event.Nudged[u.ID]; ok && now.Sub(at) < 24*time.Hour {
			continue
		}
		out = append(out, u)
	}
	return out
}

// onNudge asks the leader to confirm, naming who will get it, then
// reminds the members who have not answered, each at most once a day.
func (b *Engine) onNudge(r *Request) error {
	e, a, ok, err := r.managedEvent(0)
	if !ok {
		return err
	}
	if !e.Live(r.Now) {
		return r.stale()
	}
	if e.CheckinOpen(r.Now) {
		r.Answer(r.T("conv_nudge.checkin_open"), true)
		return nil
	}
	if !b.nudgeOpen(e, r.Now) {
		r.Answer(r.T("conv_nudge.too_early"), true)
		return nil
	}
	v, err := b.eventView(r, e, a)
	if err != nil {
		return err
	}
	silent := nudgeTargets(v, r.User.ID, r.Now)
	if len(silent) == 0 {
		r.Answer(r.T("conv_nudge.nobody"), true)
		b.drawOwnCard(r, v)
		return nil
	}
	id := eid(e)
	if r.Press.Arg(1) != "y" {
		names := make([]string, len(silent))
		for i, u := range silent {
			names[i] = shortName(u.Name)
		}
		slices.Sort(names)
		text := fitNames(r.bot.transport(r.Update.Messenger).MaxText, func(n int) string {
			shown, more := firstNames(names, n)
			list := strings.Join(shown, ", ")
			if more > 0 {
				list += " " + r.N("event.more_names", more)
			}
			return r.N("conv_nudge.confirm", len(silent), "Names", list)
		})
		r.Edit(text,
			[]Button{r.Button(r.T("conv_nudge.yes"), verbEventNudge, id, "y")},
			[]Button{r.Button(r.T("event.back_to_event"), verbEvent, id)})
		return nil
	}
	key := func(u *mmo.User) string { return nudgeKey(e, u.ID) }
	if _, err := b.broadcastKept(r, "nudge", e, silent, key, func(l loc, u *mmo.User) (string, [][]Button, error) {
		return l.T("conv_nudge.lead") + "\n" + b.reminderText(l, v), [][]Button{answerRow(l, e, "")}, nil
	}); err != nil {
		return err
	}
	if e.Nudged == nil {
		e.Nudged = map[int64]time.Time{}
	}
	for _, u := range silent {
		e.Nudged[u.ID] = r.Now
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return fmt.Errorf("save event %d: %w", e.ID, err)
	}
	r.Answer(r.N("event.nudged", len(silent)), false)
	b.drawOwnCard(r, v)
	return nil
}
