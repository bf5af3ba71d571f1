package chat

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

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
	var kb [][]Button
	switch step {
	case mmo.FieldPlace, mmo.FieldLink, mmo.FieldAgenda: // optional: «-» or this button clears it
		kb = append(kb, r.skipRow(d, r.T("conv_wave3.clear"), "r"))
	}
	r.Reply(prompt, append(kb, r.cancelButton(d.Nonce))...)
	return nil
}

// applyEdit takes a new value for an event. A draft changes at once. A
// published event's change is shown as a summary of old and new, and waits
// for the leader to choose how loud it is (see onEventLoud): a typo is
// fixed quietly, a new room need not reset everyone's answers.
func (b *Engine) applyEdit(r *Request, d *mmo.Dialog, a *mmo.Association, set map[string]string) error {
	id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
	e, err := r.Tx.Event(id)
	if err != nil || !e.Editable(r.Now) {
		r.Reply(r.T("event.gone"))
		return r.EndDialog()
	}
	changed := *e
	if err := applySet(&changed, set); err != nil {
		return err
	}
	if changed.Place == "" && changed.Link == "" {
		r.Reply(r.T("newevent.place_or_link_kept"))
		return r.EndDialog()
	}
	if e.State == mmo.EventDraft {
		if err := r.EndDialog(); err != nil {
			return err
		}
		if err := r.Tx.PutEvent(&changed); err != nil {
			return fmt.Errorf("save event %d: %w", e.ID, err)
		}
		r.Reply(r.T("edit.saved"))
		return b.replyCard(r, &changed, a)
	}
	summary := b.changeLines(r.loc(), e, &changed)
	if summary == "" {
		if err := r.EndDialog(); err != nil {
			return err
		}
		r.Reply(r.T("conv_change.nothing"))
		return nil
	}
	nd, err := r.advance(d, stepLoud, set)
	if err != nil {
		return err
	}
	nonce := itoa(int64(nd.Nonce))
	r.Reply(r.T("conv_change.ask", "Summary", rawArg(summary)),
		[]Button{r.Button(r.T("conv_change.reset"), verbEventLoud, nonce, loudReset)},
		[]Button{r.Button(r.T("conv_change.keep"), verbEventLoud, nonce, loudKeep)},
		[]Button{r.Button(r.T("conv_change.quiet"), verbEventLoud, nonce, loudQuiet)},
		[]Button{r.Button(r.T("conv_form.cancel"), verbEventLoud, nonce, "x")})
	return nil
}

// How loud a change of a published event is.
const (
	loudReset = "r" // tell the members, and ask them to answer again
	loudKeep  = "k" // tell the members, keep their answers
	loudQuiet = "q" // fix the announcement in place, tell no one
)

// stepLoud waits for the choice of how loud a change is.
const stepLoud = "loud"

// eventFields are the draft keys a change of an event may set.
var eventFields = []string{"start", "duration", mmo.FieldPlace, mmo.FieldLink, mmo.FieldTopic, mmo.FieldAgenda}

// applySet writes the values of a change into an event.
func applySet(e *mmo.Event, set map[string]string) error {
	for _, k := range eventFields {
		v, ok := set[k]
		if !ok {
			continue
		}
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
	return nil
}

// onEventLoud applies a staged change as loud as the leader chose.
func (b *Engine) onEventLoud(r *Request) error {
	d, ok, err := r.formButton(stepLoud, mmo.FlowEditEvent)
	if !ok {
		return err
	}
	mode := r.Press.Arg(1)
	if err := r.EndDialog(); err != nil {
		return err
	}
	if mode == "x" {
		r.Edit(r.T("cancel.done"), r.homeRows()...)
		return nil
	}
	if mode != loudReset && mode != loudKeep && mode != loudQuiet {
		return r.stale()
	}
	id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
	e, err := r.Tx.Event(id)
	if err != nil || !e.Editable(r.Now) || e.State != mmo.EventPublished {
		r.Edit(r.T("event.gone"))
		return nil
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil || !r.canManage(a) {
		return r.notYours()
	}
	old := *e
	if err := applySet(e, d.Draft); err != nil {
		return err
	}
	changes := e.Revise(&old, r.Now)
	if mode == loudReset && len(changes) == 0 {
		e.Version++ // answers belong to a version: a new one asks again
		e.ChangedAt = r.Now
	}
	if mode != loudReset && e.Version != old.Version {
		// The answers given stand: carry them to the new version.
		answers, err := r.Tx.RSVPs(&old)
		if err != nil {
			return err
		}
		for _, ans := range answers {
			c := *ans
			c.Version = e.Version
			if err := r.Tx.PutRSVP(&c); err != nil {
				return err
			}
		}
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return fmt.Errorf("save event %d: %w", e.ID, err)
	}
	lead := func(l loc) string {
		if mode == loudQuiet {
			return ""
		}
		text := l.T("conv_change.lead") + "\n" + b.changeLines(l, &old, e)
		if mode == loudReset {
			text += l.T("change.answers_reset") + "\n"
		}
		return text + "\n"
	}
	v, err := b.eventView(r, e, a, cardKey(e))
	if err != nil {
		return err
	}
	b.editAnnouncements(r, v, lead)
	if err := b.outdateNotices(r, v); err != nil {
		return err
	}
	sent := 0
	if mode != loudQuiet {
		audience, err := b.audience(r, a)
		if err != nil {
			return err
		}
		bc, err := b.broadcastKept(r, "change", e, audience, func(u *mmo.User) string { return chgKey(e, u.ID) }, func(l loc, u *mmo.User) (string, [][]Button, error) {
			text, kb := b.changeNotice(l, &old, v, mode == loudReset)
			return text, kb, nil
		})
		if err != nil {
			return err
		}
		sent = len(audience)
		e.Announcement, v.Delivery = bc.ID, bc
		if err := r.Tx.PutEvent(e); err != nil {
			return fmt.Errorf("save event %d: %w", e.ID, err)
		}
	}
	if err := r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: "meeting.change", Association: a.ID, Note: eid(e) + " " + mode + " " + strings.Join(changes, ",")}); err != nil {
		return fmt.Errorf("write the audit log: %w", err)
	}
	way := []Button{r.Button(r.T("conv_forms2.to_event"), verbEvent, eid(e)), r.Button(r.T("conv_forms2.home"), verbHome)}
	if mode == loudQuiet {
		r.Edit(r.T("conv_change.done_quiet"), way)
	} else {
		r.Edit(r.N("eventedit.sent", sent), way)
	}
	// The card is drawn back where it is open, over the form opened on
	// it, unless its message shows another event's card now (opened in
	// its place): then it comes as a new message.
	if rec, ok := v.Sent[cardKey(e)]; ok && rec.User == r.User.ID && !r.Tx.ShowsAnotherCard(cardKey(e), rec) {
		b.editCard(r, v, v.Event.CheckinOpen(r.Now))
		return nil
	}
	text, kb := b.ownCard(r, v) // as a new message
	r.Reply(text, kb...)
	return nil
}

// replyCard sends the leader's card of an event as a new message.
func (b *Engine) replyCard(r *Request, e *mmo.Event, a *mmo.Association) error {
	v, err := b.eventView(r, e, a)
	if err != nil {
		return err
	}
	text, kb := b.ownCard(r, v)
	r.Reply(text, kb...)
	return nil
}

// changeNotice is the one short message a change sends: what changed,
// that the announcement above shows it, and a button to open the event.
func (b *Engine) changeNotice(l loc, old *mmo.Event, v *boltdb.EventView, reset bool) (string, [][]Button) {
	e := v.Event
	text := l.T("conv_change.notice", "Title", rawArg(b.viewTitle(l, v)), "Topic", e.Topic) + "\n" + b.changeLines(l, old, e)
	if reset {
		text += l.T("change.answers_reset") + "\n"
	}
	text += l.T("conv_change.see_above")
	open := []Button{{Label: l.T("conv_change.open"), Verb: verbEvent, Args: []string{eid(e)}}}
	if reset {
		// The answers given are gone: the notice asks for them again.
		return text, [][]Button{answerRow(l, e, ""), open}
	}
	return text, [][]Button{open}
}

// changeLines tells what changed, old and new, a line each; "" if
// nothing did.
func (b *Engine) changeLines(l loc, old, e *mmo.Event) string {
	var sb strings.Builder
	if !old.Start.Equal(e.Start) || old.Duration != e.Duration {
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
	if old.Topic != e.Topic {
		sb.WriteString(l.T("conv_change.topic", "Old", old.Topic, "New", e.Topic) + "\n")
	}
	if old.Agenda != e.Agenda {
		sb.WriteString(l.T("conv_change.agenda") + "\n")
	}
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
		return fmt.Errorf("save event %d: %w", e.ID, err)
	}
	audience, err := b.audience(r, a)
	if err != nil {
		return err
	}
	v, err := b.eventView(r, e, a)
	if err != nil {
		return err
	}
	cancelled := func(l loc) string { return l.T("event.lead_cancelled") + "\n" }
	b.editAnnouncements(r, v, cancelled)
	// A reminder or a nudge would still take answers to a meeting that
	// is not to be: they say it is cancelled, without the buttons.
	b.closeReminders(r, v, cancelled)
	if err := b.outdateNotices(r, v); err != nil { // a change notice would still take answers
		return err
	}
	if _, err := b.broadcast(r, "cancel", e, audience, func(l loc, u *mmo.User) (string, [][]Button, error) {
		return l.T("event.cancelled_notice", "Title", rawArg(b.viewTitle(l, v)), "When", b.when(e, l.lang), "Topic", e.Topic), nil, nil
	}); err != nil {
		return err
	}
	if err := r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: "meeting.cancel", Association: a.ID, Note: eid(e)}); err != nil {
		return fmt.Errorf("write the audit log: %w", err)
	}
	r.Answer(r.N("event.cancel_sent", len(audience)), false)
	b.drawOwnCard(r, v)
	return nil
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
		return fmt.Errorf("delete event %d: %w", e.ID, err)
	}
	if err := forgetViews(r, e); err != nil {
		return err
	}
	r.Edit(r.T("event.deleted", "Topic", e.Topic))
	return nil
}
