package chat

// One message per meeting, kept current: each member's announcement is
// recorded in the registry of sent messages under annKey, and every later
// change of the event edits it in place instead of sending the whole
// card again. Reminders, nudges and the "I am here" button are short and
// keyed too, so that their buttons can be taken off once they can no
// longer do anything.

import (
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// annKey names a member's announcement of an event.
func annKey(e *mmo.Event, uid int64) string {
	return "ann:" + eid(e) + ":" + strconv.FormatInt(uid, 10)
}

// remKey names a member's reminder of an event, one per offset.
func remKey(e *mmo.Event, uid int64, off time.Duration) string {
	return "rem:" + eid(e) + ":" + strconv.FormatInt(uid, 10) + ":" + strconv.Itoa(int(off/time.Minute))
}

// nudgeKey names the latest request to a member to answer.
func nudgeKey(e *mmo.Event, uid int64) string {
	return "nudge:" + eid(e) + ":" + strconv.FormatInt(uid, 10)
}

// hereKey names a member's "I am here" message of an event.
func hereKey(e *mmo.Event, uid int64) string {
	return "here:" + eid(e) + ":" + strconv.FormatInt(uid, 10)
}

// broadcastKept is broadcast for messages the bot changes later: each
// is recorded under key(u) once sent.
func (b *Engine) broadcastKept(r *Request, kind string, e *mmo.Event, to []*mmo.User, key func(u *mmo.User) string,
	msg func(l loc, u *mmo.User) (string, [][]Button, error)) (*boltdb.Broadcast, error) {
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
		m := Message{Kind: KindSend, to: u.ID, Text: text, Buttons: kb, broadcast: bc.ID, bulk: true}
		if key != nil {
			m.Key = key(u)
		}
		r.out = append(r.out, m)
	}
	return bc, r.Tx.PutBroadcast(bc)
}

// editAnnouncements redraws every member's announcement of the event in
// place, with lead (per language) above it and each member's current
// answer marked. Members whose announcement is not on record (they joined
// later, or it was never sent) are skipped: the commit drops edits of
// keys with no record.
func (b *Engine) editAnnouncements(r *Request, e *mmo.Event, a *mmo.Association, lead func(l loc) string) error {
	list, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	answers, err := r.Tx.RSVPs(e)
	if err != nil {
		return err
	}
	for _, m := range list {
		u := m.u
		var chosen mmo.Answer
		if ans, ok := answers[u.ID]; ok {
			chosen = ans.Answer
		}
		l := r.locOf(u)
		text, kb, err := b.announcement(r, l, u, e, a, lead(l), chosen)
		if err != nil {
			return err
		}
		r.EditKept(annKey(e, u.ID), text, kb...)
	}
	return nil
}

// closeAnswers takes the answer buttons off every member's announcement,
// reminders and nudge once the event began; the announcement says the
// answers are closed. The due scan calls it once per event.
func (b *Engine) closeAnswers(r *Request, e *mmo.Event) error {
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil {
		return err
	}
	e.AnswersClosed = true
	if err := b.editAnnouncements(r, e, a, func(l loc) string { return l.T("conv_meet.lead_started") + "\n" }); err != nil {
		return err
	}
	list, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	for _, m := range list {
		l := r.locOf(m.u)
		text, err := b.reminderText(r, l, e, a)
		if err != nil {
			return err
		}
		for _, off := range b.opt.Reminders {
			r.EditKept(remKey(e, m.u.ID, off), text)
		}
		r.EditKept(nudgeKey(e, m.u.ID), text)
	}
	return nil
}

// reminderText is a reminder in two lines: what and when, then where.
func (b *Engine) reminderText(r *Request, l loc, e *mmo.Event, a *mmo.Association) (string, error) {
	title, err := b.title(r.Tx, l, e, a)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.WriteString(l.T("conv_meet.reminder", "Title", rawArg(title), "Topic", e.Topic, "When", b.when(e, l.lang)))
	var where []string
	if e.Place != "" {
		where = append(where, l.T("conv_meet.place", "Place", e.Place))
	}
	if e.Link != "" {
		where = append(where, l.T("conv_meet.link", "Link", e.Link))
	}
	if len(where) > 0 {
		sb.WriteString("\n" + strings.Join(where, " · "))
	}
	return sb.String(), nil
}

// answerRow is the row of answer buttons, the chosen one marked.
func (r *Request) answerRow(l loc, e *mmo.Event, chosen mmo.Answer) []Button {
	id, v := eid(e), strconv.Itoa(e.Version)
	row := []Button{}
	for _, ans := range []mmo.Answer{mmo.AnswerYes, mmo.AnswerMaybe, mmo.AnswerNo} {
		label := answerButton(l, ans)
		if ans == chosen {
			label = "✓ " + label
		}
		row = append(row, r.Button(label, verbRSVP, id, v, answerCode(ans)))
	}
	return row
}

// closeHere takes the "I am here" button off the members' messages once
// check-in closed, saying so; reopening puts it back (see reopenHere).
func (b *Engine) closeHere(r *Request, e *mmo.Event, a *mmo.Association) error {
	e.Checkin.HereClosed = true
	return b.editHere(r, e, a, false)
}

// editHere redraws every member's "I am here" message, with the button
// if check-in is open.
func (b *Engine) editHere(r *Request, e *mmo.Event, a *mmo.Association, open bool) error {
	list, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	att, err := r.Tx.EventAttendance(e.ID)
	if err != nil {
		return err
	}
	for _, m := range list {
		if x, ok := att[m.u.ID]; ok && x.Mark == mmo.MarkPresent {
			continue // their message says they are marked, which stands
		}
		l := r.locOf(m.u)
		title, err := b.title(r.Tx, l, e, a)
		if err != nil {
			return err
		}
		if open {
			r.EditKept(hereKey(e, m.u.ID), l.T("conv_meet.here_open", "Title", rawArg(title), "Topic", e.Topic),
				[]Button{r.Button(l.T("checkin.here_button"), verbCheckinHere, eid(e))})
		} else {
			r.EditKept(hereKey(e, m.u.ID), l.T("conv_meet.here_closed", "Title", rawArg(title), "Topic", e.Topic))
		}
	}
	return nil
}

// dueClosings takes dead buttons off the members' messages: the answer
// buttons of events that began, the "I am here" button of check-ins that
// closed. The due scan passes the events it walked.
func (b *Engine) dueClosings(r *Request, started, closed []*mmo.Event) (bool, error) {
	for _, e := range started {
		if r.Now.Sub(e.End()) > minutesLookback {
			e.AnswersClosed = true // long over (an upgrade's backlog): no edits
		} else if err := b.closeAnswers(r, e); err != nil {
			return false, err
		}
		if err := r.Tx.PutEvent(e); err != nil {
			return false, err
		}
	}
	for _, e := range closed {
		a, err := r.Tx.Association(e.AssociationID)
		if err != nil {
			return false, err
		}
		if r.Now.Sub(e.End()) > minutesLookback {
			e.Checkin.HereClosed = true
		} else if err := b.closeHere(r, e, a); err != nil {
			return false, err
		}
		if err := r.Tx.PutEvent(e); err != nil {
			return false, err
		}
	}
	return len(started)+len(closed) > 0, nil
}
