package chat

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// onPlanEdit starts the form for the goal, the tasks or a new item, or
// deletes an item.
func (b *Engine) onPlanEdit(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	p, err := b.loadPlan(r, a, year)
	if err != nil {
		return err
	}
	if !p.Status.Editable() {
		r.Answer(r.T("plan.locked"), true)
		return nil
	}
	id, y := aid(a), strconv.Itoa(year)
	arg := r.Press.Arg(2)
	switch {
	case arg == "g" || arg == "t":
		d := mmo.NewDialog(mmo.FlowPlanText, map[string]string{"g": "goal", "t": "tasks"}[arg], r.Now, b.opt.DialogIdle)
		d.Draft["aid"], d.Draft["year"] = id, y
		if err := r.PutDialog(d); err != nil {
			return err
		}
		if arg == "g" {
			r.Reply(r.T("plan.ask_goal", "Goal", p.Goal), r.cancelButton(d.Nonce))
		} else {
			r.Reply(r.T("plan.ask_tasks", "Tasks", strings.Join(p.Tasks, "\n")), r.cancelButton(d.Nonce))
		}
		return nil
	case arg == "a":
		return b.startPlanItem(r, a, year, "", 0)
	case arg == "d":
		var kb [][]Button
		for i, it := range p.Items {
			label := strconv.Itoa(i+1) + ". " + monthName(r.loc(), it.Month) + " — " + it.Topic
			if len([]rune(label)) > 60 {
				label = string([]rune(label)[:59]) + "…"
			}
			kb = append(kb, []Button{r.Button("✖️ "+label, verbPlanEdit, id, y, "x"+strconv.Itoa(it.ID))})
		}
		kb = append(kb, []Button{r.Button(r.T("plan.back"), verbPlan, id, y)})
		r.Edit(r.T("plan.delete_which"), kb...)
		return nil
	case strings.HasPrefix(arg, "x"):
		item, err := strconv.Atoi(arg[1:])
		if err != nil {
			return r.stale()
		}
		before := len(p.Items)
		for i, it := range p.Items {
			if it.ID == item {
				p.Items = append(p.Items[:i], p.Items[i+1:]...)
				break
			}
		}
		if len(p.Items) == before {
			return r.stale()
		}
		if err := r.Tx.PutPlan(p); err != nil {
			return fmt.Errorf("save the plan of association %d for %d: %w", p.AssociationID, p.Year, err)
		}
		return b.showPlan(r, a, year, true)
	}
	return r.stale()
}

// startPlanItem asks the month of a new item; a proposal taken in brings
// its topic.
func (b *Engine) startPlanItem(r *Request, a *mmo.Association, year int, topic string, proposal uint64) error {
	d := mmo.NewDialog(mmo.FlowPlanItem, "month", r.Now, b.opt.DialogIdle)
	d.Draft["aid"], d.Draft["year"], d.Draft["topic"] = aid(a), strconv.Itoa(year), topic
	if proposal != 0 {
		d.Draft["proposal"] = strconv.FormatUint(proposal, 10)
	}
	if err := r.PutDialog(d); err != nil {
		return err
	}
	nonce := itoa(int64(d.Nonce))
	var kb [][]Button
	var row []Button
	month := int(b.opt.Regulation.YearStart.Month)
	for i := 0; i < 12; i++ {
		m := (month-1+i)%12 + 1
		row = append(row, r.Button(monthName(r.loc(), m), verbPlanMonth, nonce, strconv.Itoa(m)))
		if len(row) == 3 {
			kb = append(kb, row)
			row = nil
		}
	}
	r.Reply(r.T("plan.ask_month"), append(kb, r.cancelButton(d.Nonce))...)
	return nil
}

func (b *Engine) onPlanMonth(r *Request) error {
	d, ok, err := r.formButton("month", mmo.FlowPlanItem)
	if !ok {
		return err
	}
	m, err := strconv.Atoi(r.Press.Arg(1))
	if err != nil || m < 1 || m > 12 {
		return r.stale()
	}
	r.Edit(r.T("plan.month_set", "Month", monthName(r.loc(), m)))
	if d.Draft["topic"] != "" {
		nd, err := r.advance(d, "format", map[string]string{"month": strconv.Itoa(m)})
		if err != nil {
			return err
		}
		return b.askPlanFormat(r, nd)
	}
	nd, err := r.advance(d, "topic", map[string]string{"month": strconv.Itoa(m)})
	if err != nil {
		return err
	}
	r.Reply(r.T("plan.ask_topic"), r.cancelButton(nd.Nonce))
	return nil
}

func (b *Engine) askPlanFormat(r *Request, d mmo.Dialog) error {
	nonce := itoa(int64(d.Nonce))
	var kb [][]Button
	var row []Button
	for i, f := range mmo.Formats {
		row = append(row, r.Button(formatName(r.loc(), f), verbPlanFormat, nonce, strconv.Itoa(i)))
		if len(row) == 2 {
			kb = append(kb, row)
			row = nil
		}
	}
	if len(row) > 0 {
		kb = append(kb, row)
	}
	r.Reply(r.T("plan.ask_format", "Topic", d.Draft["topic"]), append(kb, r.cancelButton(d.Nonce))...)
	return nil
}

func (b *Engine) onPlanFormat(r *Request) error {
	d, ok, err := r.formButton("format", mmo.FlowPlanItem)
	if !ok {
		return err
	}
	i, err := strconv.Atoi(r.Press.Arg(1))
	if err != nil || i < 0 || i >= len(mmo.Formats) {
		return r.stale()
	}
	r.Edit(r.T("newevent.format_chosen", "Format", formatName(r.loc(), mmo.Formats[i])))
	nd, err := r.advance(d, "responsible", map[string]string{"format": string(mmo.Formats[i])})
	if err != nil {
		return err
	}
	r.Reply(r.T("plan.ask_responsible"), r.skipRow(nd, r.T("conv_wave3.responsible_leader"), "l"), r.cancelButton(nd.Nonce))
	return nil
}

// dialogPlanItem takes the typed steps of a new item: topic, responsible.
func (b *Engine) dialogPlanItem(r *Request, d *mmo.Dialog) error {
	switch d.Step {
	case "month", "format":
		r.Reply(r.T("create.press_button"))
		return nil
	case "topic":
		topic, err := mmo.ValidateEventField(mmo.FieldTopic, r.Text)
		if err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		nd, err := r.advance(d, "format", map[string]string{"topic": topic})
		if err != nil {
			return err
		}
		return b.askPlanFormat(r, nd)
	}
	if mmo.HasUnsafeText(r.Text) {
		r.Reply(validationMessage(r, mmo.Errorf(mmo.CodeControlChars, "responsible")))
		return nil
	}
	resp := mmo.NormalizeText(r.Text)
	if resp == mmo.SkipValue {
		resp = ""
	} else if n := len([]rune(resp)); n < 3 || n > 150 {
		r.Reply(r.T("plan.bad_responsible"))
		return nil
	}
	a, year, p, ok, err := b.endPlanDialog(r, d)
	if !ok {
		return err
	}
	month, _ := strconv.Atoi(d.Draft["month"])
	p.AddItem(mmo.PlanItem{Month: month, Topic: d.Draft["topic"], Format: mmo.Format(d.Draft["format"]), Responsible: resp})
	if err := r.Tx.PutPlan(p); err != nil {
		return fmt.Errorf("save the plan of association %d for %d: %w", p.AssociationID, p.Year, err)
	}
	if pid, err := strconv.ParseUint(d.Draft["proposal"], 10, 64); err == nil {
		if err := b.settleProposal(r, a, year, pid, "taken"); err != nil {
			return err
		}
	}
	return b.redrawPlan(r, a, year, r.T("plan.item_added"))
}

// endPlanDialog ends a plan form and loads the plan it was about; ok is
// false (and the user told) when the plan can no longer change or the
// user no longer runs the association.
func (b *Engine) endPlanDialog(r *Request, d *mmo.Dialog) (*mmo.Association, int, *mmo.Plan, bool, error) {
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	year, _ := strconv.Atoi(d.Draft["year"])
	if err := r.EndDialog(); err != nil {
		return nil, 0, nil, false, err
	}
	a, err := r.Tx.Association(id)
	if err != nil || !r.canManage(a) {
		return nil, 0, nil, false, r.notYours()
	}
	p, err := b.loadPlan(r, a, year)
	if err != nil {
		return nil, 0, nil, false, err
	}
	if !p.Status.Editable() {
		r.Reply(r.T("plan.locked"))
		return nil, 0, nil, false, nil
	}
	return a, year, p, true, nil
}

// dialogPlanText takes the goal or the tasks (one per line).
func (b *Engine) dialogPlanText(r *Request, d *mmo.Dialog) error {
	text, err := mmo.ValidateLongText(d.Step, r.Text, 10, 3000)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	a, year, p, ok, err := b.endPlanDialog(r, d)
	if !ok {
		return err
	}
	if d.Step == "goal" {
		p.Goal = text
	} else {
		p.Tasks = nil
		for _, t := range strings.Split(text, "\n") {
			if t = strings.TrimSpace(strings.TrimLeft(t, "-–•* ")); t != "" {
				p.Tasks = append(p.Tasks, t)
			}
		}
	}
	if err := r.Tx.PutPlan(p); err != nil {
		return fmt.Errorf("save the plan of association %d for %d: %w", p.AssociationID, p.Year, err)
	}
	return b.redrawPlan(r, a, year, r.T("edit.saved"))
}
