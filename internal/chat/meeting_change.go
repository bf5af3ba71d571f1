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
		return fmt.Errorf("save event %d: %w", e.ID, err)
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
			return fmt.Errorf("save event %d: %w", e.ID, err)
		}
		if err := r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: "meeting.change", Association: a.ID, Note: eid(e) + " " + strings.Join(changes, ",")}); err != nil {
			return fmt.Errorf("write the audit log: %w", err)
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
		return fmt.Errorf("save event %d: %w", e.ID, err)
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
		return fmt.Errorf("write the audit log: %w", err)
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
		return fmt.Errorf("delete event %d: %w", e.ID, err)
	}
	if err := forgetViews(r, e); err != nil {
		return err
	}
	r.Edit(r.T("event.deleted", "Topic", e.Topic))
	return nil
}
