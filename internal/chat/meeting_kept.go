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
func annKey(e *mmo.Event, uid int64) string { return annKeyOf(e.ID, uid) }

func annKeyOf(id uint64, uid int64) string {
	return "ann:" + strconv.FormatUint(id, 10) + ":" + strconv.FormatInt(uid, 10)
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

// editAnnouncements redraws every member's announcement of the event of
// v in place, with lead (per language) above it and each member's current
// answer marked. Members whose announcement is not on record (they joined
// later, or it was never sent) are skipped: the commit drops edits of
// keys with no record.
func (b *Engine) editAnnouncements(r *Request, v *boltdb.EventView, lead func(l loc) string) {
	for _, m := range v.Members {
		u := m.User
		var chosen mmo.Answer
		if ans, ok := v.Answers[u.ID]; ok {
			chosen = ans.Answer
		}
		l := r.locOf(u)
		text, kb := b.announcement(l, v, lead(l), chosen, r.Now)
		r.EditKept(annKey(v.Event, u.ID), text, kb...)
	}
}

// closeReminders redraws every member's reminders and nudge of the event
// of v without the answer buttons, lead (per language) above the text.
// Those not on record are skipped by the commit.
func (b *Engine) closeReminders(r *Request, v *boltdb.EventView, lead func(l loc) string) {
	e := v.Event
	for _, m := range v.Members {
		l := r.locOf(m.User)
		text := lead(l) + b.reminderText(l, v)
		for _, off := range b.opt.Reminders {
			r.EditKept(remKey(e, m.User.ID, off), text)
		}
		r.EditKept(nudgeKey(e, m.User.ID), text)
		// A change notice that asked for answers again takes no more.
		r.EditKept(chgKey(e, m.User.ID), text)
	}
}

// reminderText is a reminder of the event of v in two lines: what and
// when, then where.
func (b *Engine) reminderText(l loc, v *boltdb.EventView) string {
	e := v.Event
	var sb strings.Builder
	sb.WriteString(l.T("conv_meet.reminder", "Title", rawArg(b.viewTitle(l, v)), "Topic", e.Topic, "When", b.when(e, l.lang)))
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
	return sb.String()
}

// answerRow is the row of answer buttons, the chosen one marked.
func answerRow(l loc, e *mmo.Event, chosen mmo.Answer) []Button {
	id, v := eid(e), strconv.Itoa(e.Version)
	row := []Button{}
	for _, ans := range []mmo.Answer{mmo.AnswerYes, mmo.AnswerMaybe, mmo.AnswerNo} {
		label := answerButton(l, ans)
		if ans == chosen {
			label = chosenLabel(label)
		}
		row = append(row, Button{Label: label, Verb: verbRSVP, Args: []string{id, v, answerCode(ans)}})
	}
	return row
}

// chosenLabel marks the chosen answer's button with one mark: the tick
// takes the place of the answer's own icon («✅ Приду» → «✓ Приду»), as
// two marks side by side read as noise.
func chosenLabel(label string) string {
	if _, rest, ok := strings.Cut(label, " "); ok && rest != "" {
		return "✓ " + rest
	}
	return "✓ " + label
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
	v, err := b.eventView(r, e, a)
	if err != nil {
		return err
	}
	for _, m := range v.Members {
		if x, ok := v.Attendance[m.User.ID]; ok && x.Mark == mmo.MarkPresent {
			continue // their message says they are marked, which stands
		}
		l := r.locOf(m.User)
		title := b.viewTitle(l, v)
		if open {
			r.EditKept(hereKey(e, m.User.ID), l.T("conv_meet.here_open", "Title", rawArg(title), "Topic", e.Topic),
				[]Button{r.Button(l.T("checkin.here_button"), verbCheckinHere, eid(e))})
		} else {
			r.EditKept(hereKey(e, m.User.ID), l.T("conv_meet.here_closed", "Title", rawArg(title), "Topic", e.Topic))
		}
	}
	return b.editLeaderCheckin(r, e, a, open)
}
