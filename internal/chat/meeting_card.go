package chat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

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
		// The members asked: everyone but the leader, the same as the
		// check-in counts below.
		audience, err := b.audienceExcept(r, a, a.LeaderID)
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
		sb.WriteString("\n" + l.T("event.counts", "Yes", len(names[mmo.AnswerYes]), "Maybe", len(names[mmo.AnswerMaybe]), "No", len(names[mmo.AnswerNo]),
			"Answered", len(audience)-silent, "Total", len(audience)))
		for _, ans := range []mmo.Answer{mmo.AnswerYes, mmo.AnswerMaybe, mmo.AnswerNo} {
			if list := names[ans]; len(list) > 0 {
				slices.Sort(list)
				sb.WriteString("\n" + answerButton(l, ans) + ": " + esc(strings.Join(list, ", ")))
			}
		}
		if bc, err := r.Tx.Broadcast(e.Announcement); err == nil {
			sb.WriteString("\n\n" + b.deliveryLine(l, bc))
		}
		if e.CheckinOpen(r.Now) || e.Checkin.Announced {
			line, err := b.checkinLine(r, l, e, a)
			if err != nil {
				return "", nil, err
			}
			sb.WriteString("\n" + line)
		}
		kb = append(kb, []Button{r.Button(l.T("event.checkin_button"), verbCheckin, id), r.Button(l.T("event.plan_button"), verbEventPlan, id)})
		if e.TakesMinutes(r.Now) {
			kb = append(kb, []Button{r.Button(l.T("event.minutes_button"), verbMinutes, id)})
		}
		if e.Live(r.Now) {
			kb = append(kb, []Button{r.Button(l.T("event.refresh"), verbEvent, id)})
			if silent > 0 && b.nudgeOpen(e, r.Now) {
				if targets, err := b.nudgeTargets(r, e, a, v.u.ID); err != nil {
					return "", nil, err
				} else if len(targets) > 0 {
					kb = append(kb, []Button{r.Button(l.N("event.nudge_button", len(targets)), verbEventNudge, id)})
				}
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
		if err := r.rememberView(cardKey(e), checkinKey(e)); err != nil {
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
	key := func(u *mmo.User) string { return annKey(e, u.ID) }
	bc, err := b.broadcastKept(r, "announce", e, audience, key, func(l loc, u *mmo.User) (string, [][]Button, error) {
		return b.announcement(r, l, u, e, a, l.T("event.lead_announce")+"\n", "")
	})
	if err != nil {
		return err
	}
	e.Announcement = bc.ID
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
	onAnnouncement := false
	if rec, err := r.Tx.Sent(annKey(e, r.User.ID)); err == nil {
		onAnnouncement = rec.Chat == r.Update.Chat && rec.Message == r.Press.Message
	}
	switch {
	case onAnnouncement || r.hasButton(verbEventICS):
		if r.hasButton(verbMeetings) { // the event was opened from /meetings: keep the way back
			kb = append(kb, []Button{r.Button(r.T("event.back"), verbMeetings)})
		}
		r.Edit(text, kb...)
	default:
		// A reminder or a nudge: it stays short, with the answer marked.
		short, err := b.reminderText(r, r.loc(), e, a)
		if err != nil {
			return err
		}
		r.Edit(short, r.answerRow(r.loc(), e, ans))
	}
	if !onAnnouncement {
		// The announcement is the one place the meeting lives: it shows
		// the answer wherever it was given.
		ltext, lkb, err := b.announcement(r, r.loc(), r.User, e, a, "", ans)
		if err != nil {
			return err
		}
		r.EditKept(annKey(e, r.User.ID), ltext, lkb...)
	}
	return b.refreshLeaderCard(r, e, a)
}

// nudgeOpen reports whether the leader may remind the silent members of
// an event at now: the announcement (or the latest change that asked for
// answers again) has been out long enough for people to answer.
func (b *Engine) nudgeOpen(e *mmo.Event, now time.Time) bool {
	since := e.ChangedAt
	if since.IsZero() {
		since = e.PublishedAt
	}
	return e.Live(now) && !now.Before(since.Add(b.opt.NudgeAfter))
}

// nudgeTargets are the silent members who may be reminded at now: none
// is asked more than once a day.
func (b *Engine) nudgeTargets(r *Request, e *mmo.Event, a *mmo.Association, except int64) ([]*mmo.User, error) {
	audience, err := b.audienceExcept(r, a, except)
	if err != nil {
		return nil, err
	}
	answers, err := r.Tx.RSVPs(e)
	if err != nil {
		return nil, err
	}
	var out []*mmo.User
	for _, u := range pickUsers(audience, mmo.Silent(userIDs(audience), answers)) {
		if at, ok := e.Nudged[u.ID]; ok && r.Now.Sub(at) < 24*time.Hour {
			continue
		}
		out = append(out, u)
	}
	return out, nil
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
	if !b.nudgeOpen(e, r.Now) {
		r.Answer(r.T("conv_nudge.too_early"), true)
		return nil
	}
	silent, err := b.nudgeTargets(r, e, a, r.User.ID)
	if err != nil {
		return err
	}
	if len(silent) == 0 {
		r.Answer(r.T("conv_nudge.nobody"), true)
		return b.showLeaderCard(r, e, a)
	}
	id := eid(e)
	if r.Press.Arg(1) != "y" {
		names := make([]string, len(silent))
		for i, u := range silent {
			names[i] = shortName(u.Name)
		}
		slices.Sort(names)
		r.Edit(r.N("conv_nudge.confirm", len(silent), "Names", strings.Join(names, ", ")),
			[]Button{r.Button(r.T("conv_nudge.yes"), verbEventNudge, id, "y")},
			[]Button{r.Button(r.T("event.back_to_event"), verbEvent, id)})
		return nil
	}
	key := func(u *mmo.User) string { return nudgeKey(e, u.ID) }
	if _, err := b.broadcastKept(r, "nudge", e, silent, key, func(l loc, u *mmo.User) (string, [][]Button, error) {
		text, err := b.reminderText(r, l, e, a)
		return l.T("conv_nudge.lead") + "\n" + text, [][]Button{r.answerRow(l, e, "")}, err
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
	return b.showLeaderCard(r, e, a)
}
