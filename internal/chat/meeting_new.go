package chat

import (
	"fmt"
	"strconv"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

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
	kb = append(kb, r.cancelButton(d.Nonce))
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
	nd, err := r.advance(d, mmo.FieldTopic, map[string]string{"format": string(f)})
	if err != nil {
		return err
	}
	r.Edit(r.T("newevent.format_chosen", "Format", formatName(r.loc(), f)))
	r.Reply(r.T("newevent.ask_topic"), r.cancelButton(nd.Nonce))
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
		if mmo.WhenYearless(r.Text, r.Now, b.opt.Location) && t.In(b.opt.Location).Year() == r.Now.In(b.opt.Location).Year()+1 {
			// A date typed without a year and already past this year:
			// asked about, never moved to next year unsaid.
			r.Reply(r.T("conv_wave3.past_ask"),
				[]Button{r.Button(r.T("conv_wave3.past_next", "When", b.formatWhen(t, r.Lang)), verbEventWhen, nonce, "y")},
				[]Button{r.Button(r.T("conv_wave3.past_this", "When", b.formatWhen(t.AddDate(-1, 0, 0), r.Lang)), verbEventWhen, nonce, "p")},
				[]Button{r.Button(r.T("newevent.when_no"), verbEventWhen, nonce, "n")},
				r.cancelButton(nd.Nonce))
			return nil
		}
		confirm := r.T("newevent.confirm_when", "When", b.formatWhen(t, r.Lang))
		r.Reply(confirm, []Button{
			r.Button(r.T("newevent.when_yes"), verbEventWhen, nonce, "y"),
			r.Button(r.T("newevent.when_no"), verbEventWhen, nonce, "n"),
		}, r.cancelButton(nd.Nonce))
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
		nd, err := r.advance(d, stepWhen, map[string]string{mmo.FieldTopic: value})
		if err != nil {
			return err
		}
		r.Reply(r.T("newevent.ask_when"), r.cancelButton(nd.Nonce))
	case mmo.FieldPlace:
		nd, err := r.advance(d, mmo.FieldLink, map[string]string{mmo.FieldPlace: value})
		if err != nil {
			return err
		}
		r.Reply(r.T("newevent.ask_link"), r.skipRow(nd, r.T("doc_minutes.skip_button")), r.cancelButton(nd.Nonce))
	case mmo.FieldLink:
		if value == "" && d.Draft[mmo.FieldPlace] == "" {
			nd, err := r.advance(d, mmo.FieldPlace, nil)
			if err != nil {
				return err
			}
			r.Reply(r.T("newevent.place_or_link"), r.skipRow(nd, r.T("conv_wave3.online_only"), "o"), r.cancelButton(nd.Nonce))
			return nil
		}
		nd, err := r.advance(d, mmo.FieldAgenda, map[string]string{mmo.FieldLink: value})
		if err != nil {
			return err
		}
		r.Reply(r.T("newevent.ask_agenda"), r.skipRow(nd, r.T("doc_minutes.skip_button")), r.cancelButton(nd.Nonce))
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
	if r.Press.Arg(1) == "p" { // this year's date, already past: no event can be there
		nd, err := r.advance(d, stepWhen, nil)
		if err != nil {
			return err
		}
		r.Edit(r.T("conv_wave3.past_this_chosen", "When", b.formatWhen(start.AddDate(-1, 0, 0), r.Lang)), r.cancelButton(nd.Nonce))
		return nil
	}
	if r.Press.Arg(1) != "y" {
		nd, err := r.advance(d, stepWhen, nil)
		if err != nil {
			return err
		}
		r.Edit(r.T("newevent.when_again"), r.cancelButton(nd.Nonce))
		return nil
	}
	if !start.After(r.Now) { // the form waited past the time it names
		nd, err := r.advance(d, stepWhen, nil)
		if err != nil {
			return err
		}
		r.Edit(r.T("when.past"), r.cancelButton(nd.Nonce))
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
	}, r.cancelButton(nd.Nonce))
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
	nd, err := r.advance(d, mmo.FieldPlace, map[string]string{"duration": strconv.Itoa(int(dur / time.Minute))})
	if err != nil {
		return err
	}
	r.Reply(r.T("newevent.ask_place"), r.skipRow(nd, r.T("conv_wave3.online_only"), "o"), r.cancelButton(nd.Nonce))
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
		return fmt.Errorf("create an event of association %d: %w", e.AssociationID, err)
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	v, err := b.eventView(r, e, a)
	if err != nil {
		return err
	}
	text, kb := b.ownCard(r, v)
	r.Reply(r.T("newevent.draft_saved"))
	r.Reply(text, kb...)
	return nil
}
