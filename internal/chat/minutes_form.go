package chat

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Steps of the minutes form.
const (
	stepChair     = "chair"
	stepGuests    = "guests"
	stepSecretary = "secretary"
	stepAgenda    = "agenda"
	stepHeard     = "heard"
	stepSpoke     = "spoke"
	stepDecided   = "decided"
	stepVotes     = "votes"
	keepValue     = "+" // typed to keep what the previous version said
)

// askMinutes sends the question of the form's current step.
func (b *Engine) askMinutes(r *Request, d mmo.Dialog) error {
	items := loadItems(&d)
	i, _ := strconv.Atoi(d.Draft["i"])
	var q string
	nonce := itoa(int64(d.Nonce))
	var kb [][]Button
	skip := []Button{r.Button(r.T("doc_minutes.skip_button"), verbMinutesPick, nonce, "-")}
	switch d.Step {
	case stepChair:
		q = r.T("doc_minutes.ask_chair")
		if name := d.Draft["leader_name"]; name != "" {
			kb = append(kb, []Button{r.Button(r.T("doc_minutes.chair_button", "Name", shortName(name)), verbMinutesPick, nonce, "l")})
		}
	case stepSecretary:
		q = r.T("doc_minutes.ask_secretary")
		present, err := b.presentPeople(r, &d)
		if err != nil {
			return err
		}
		if len(present) > 0 {
			q = r.T("conv_forms2.ask_secretary")
			for _, u := range present {
				kb = append(kb, []Button{r.Button(shortName(u.Name), verbMinutesPick, nonce, "s", itoa(u.ID))})
			}
			kb = append(kb, []Button{r.Button(r.T("conv_forms2.secretary_other"), verbMinutesPick, nonce, "o")})
		}
		kb = append(kb, skip)
	case stepGuests:
		q = r.T("doc_minutes.ask_guests")
		kb = append(kb, skip)
	case stepAgenda:
		q = r.T("minutes.ask_agenda")
	case stepHeard:
		q = r.T("minutes.ask_heard", "N", i+1, "Total", len(items), "Topic", items[i].Topic)
	case stepSpoke:
		q = r.T("minutes.ask_spoke", "N", i+1)
		kb = append(kb, skip)
	case stepDecided:
		q = r.T("minutes.ask_decided", "N", i+1)
	case stepVotes:
		present, err := b.draftPresent(r, &d)
		if err != nil {
			return err
		}
		r.Reply(r.T("minutes.ask_votes", "N", i+1),
			[]Button{r.Button(r.T("doc_minutes.unanimous_button", "N", present), verbMinutesVote, nonce, "u")},
			[]Button{r.Button(r.T("minutes.no_vote"), verbMinutesVote, nonce, "-")}, r.cancelButton(d.Nonce))
		return nil
	}
	if old, ok := previous(&d, i); ok {
		q += "\n\n" + r.T("minutes.was", "Old", old)
	}
	r.Reply(q, append(kb, r.cancelButton(d.Nonce))...)
	return nil
}

// dialogMinutes takes a typed answer of the minutes form.
func (b *Engine) dialogMinutes(r *Request, d *mmo.Dialog) error {
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	if len([]rune(r.Text)) > minutesMx {
		r.Reply(r.N("validate.too_long", minutesMx))
		return nil
	}
	items := loadItems(d)
	i, _ := strconv.Atoi(d.Draft["i"])
	text := strings.TrimSpace(r.Text)
	if d.Step != stepSecretary {
		// The other answers are texts of the minutes, cleaned rather than
		// refused (mmo.CleanText); the secretary's name is refused below.
		text = strings.TrimSpace(mmo.CleanText(text))
	}
	if text == keepValue {
		if old, ok := previous(d, i); ok {
			text = old
		} else {
			r.Reply(r.T("minutes.nothing_to_keep"))
			return nil
		}
	}
	nd := *d
	nd.Draft = map[string]string{}
	for k, v := range d.Draft {
		nd.Draft[k] = v
	}
	switch d.Step {
	case stepChair:
		if _, err := mmo.ValidateName(text); err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		nd.Draft["chair_name"] = mmo.NormalizeText(text)
		nd.Draft["chair"] = "0"
		if nd.Draft["chair_name"] == d.Draft["leader_name"] {
			nd.Draft["chair"] = d.Draft["leader"]
		}
		nd.Step = stepSecretary
	case stepSecretary:
		if text == mmo.SkipValue {
			text = ""
		} else if _, err := mmo.ValidateName(text); err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		nd.Draft["secretary"] = mmo.NormalizeText(text)
		nd.Step = stepGuests
	case stepGuests:
		if text == mmo.SkipValue {
			text = ""
		}
		guests := parseGuests(text)
		data, _ := json.Marshal(guests)
		nd.Draft["guests"] = string(data)
		nd.Step = afterGuests(items)
	case stepAgenda:
		for _, topic := range agendaItems(text) {
			items = append(items, mmo.MinutesItem{Topic: topic})
		}
		if len(items) == 0 {
			r.Reply(r.T("minutes.ask_agenda"))
			return nil
		}
		nd.Step = stepHeard
	case stepHeard:
		if len([]rune(text)) < 3 {
			r.Reply(r.N("validate.too_short", 3))
			return nil
		}
		items[i].Heard = text
		nd.Step = stepSpoke
	case stepSpoke:
		if text == mmo.SkipValue {
			text = ""
		}
		items[i].Spoke = text
		nd.Step = stepDecided
	case stepDecided:
		if len([]rune(text)) < 3 {
			r.Reply(r.N("validate.too_short", 3))
			return nil
		}
		items[i].Decided = text
		nd.Step = stepVotes
	case stepVotes:
		v, ok := mmo.ParseVotes(text)
		if !ok {
			r.Reply(r.T("minutes.bad_votes"))
			return nil
		}
		present, err := b.draftPresent(r, d)
		if err != nil {
			return err
		}
		if !v.FitsPresent(present) {
			r.Reply(r.T("doc_minutes.votes_exceed", "Votes", v.Total(), "Present", present))
			return nil
		}
		items[i].Votes = &v
		return b.nextItem(r, &nd, items, i)
	}
	if err := saveItems(&nd, items); err != nil {
		return err
	}
	nd.Nonce++
	nd.ExpiresAt = r.Now.Add(b.opt.DialogIdle)
	if err := r.PutDialog(nd); err != nil {
		return err
	}
	return b.askMinutes(r, nd)
}

// onMinutesVote takes "no vote" for the current item.
func (b *Engine) onMinutesVote(r *Request) error {
	d, ok, err := r.formButton(stepVotes, mmo.FlowMinutes)
	if !ok {
		return err
	}
	items := loadItems(d)
	i, _ := strconv.Atoi(d.Draft["i"])
	if r.Press.Arg(1) == "u" {
		present, err := b.draftPresent(r, d)
		if err != nil {
			return err
		}
		v := mmo.Unanimous(present)
		items[i].Votes = &v
		r.Edit(r.T("doc_minutes.unanimous_set", "N", i+1))
	} else {
		items[i].Votes = nil
		r.Edit(r.T("minutes.vote_skipped", "N", i+1))
	}
	return b.nextItem(r, d, items, i)
}

// nextItem moves to the next agenda item, or saves the draft after the
// last one.
func (b *Engine) nextItem(r *Request, d *mmo.Dialog, items []mmo.MinutesItem, i int) error {
	if err := saveItems(d, items); err != nil {
		return err
	}
	if i+1 < len(items) && d.Draft["only"] == "" {
		d.Draft["i"] = strconv.Itoa(i + 1)
		d.Step = stepHeard
		d.Nonce++
		d.ExpiresAt = r.Now.Add(b.opt.DialogIdle)
		if err := r.PutDialog(*d); err != nil {
			return err
		}
		return b.askMinutes(r, *d)
	}
	id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
	if err := r.EndDialog(); err != nil {
		return err
	}
	e, err := r.Tx.Event(id)
	if err != nil {
		r.Reply(r.T("event.gone"))
		return nil
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil || !r.canManage(a) {
		return r.notYours()
	}
	versions, err := r.Tx.MinutesVersions(e.ID)
	if err != nil {
		return err
	}
	m := &mmo.Minutes{EventID: e.ID, Version: mmo.NextMinutesVersion(versions), Status: mmo.MinutesDraft, Secretary: d.Draft["secretary"],
		Items: items, By: r.User.ID, CreatedAt: r.Now}
	m.Chair, _ = strconv.ParseInt(d.Draft["chair"], 10, 64)
	m.ChairName = d.Draft["chair_name"]
	json.Unmarshal([]byte(d.Draft["guests"]), &m.Guests)
	if err := r.Tx.PutMinutes(m); err != nil {
		return fmt.Errorf("save the minutes of event %d: %w", m.EventID, err)
	}
	r.Reply(r.T("minutes.saved"))
	if err := b.sendMinutes(r, e, a, m); err != nil {
		return err
	}
	return b.showMinutes(r, e, a, false)
}

// afterGuests is the step after the guests: the agenda when the event
// has none, else the first item.
func afterGuests(items []mmo.MinutesItem) string {
	if len(items) == 0 {
		return stepAgenda
	}
	return stepHeard
}

// parseGuests reads the invited, one a line: «name, role».
func parseGuests(text string) []mmo.ProtocolPerson {
	var out []mmo.ProtocolPerson
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(numberRE.ReplaceAllString(line, ""))
		if line == "" {
			continue
		}
		name, role, _ := strings.Cut(line, ",")
		out = append(out, mmo.ProtocolPerson{Name: mmo.NormalizeText(name), Role: strings.TrimSpace(role)})
	}
	return out
}

// guestsText is the guests as they were typed.
func guestsText(gs []mmo.ProtocolPerson) string {
	var lines []string
	for _, g := range gs {
		line := g.Name
		if g.Role != "" {
			line += ", " + g.Role
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
