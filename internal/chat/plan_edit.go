package chat

import (
	"fmt"
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Editing one item of the plan, a field at a time, without walking the
// rest: the topic, the responsible and the plan's optional columns.
const (
	verbPlanItemEdit = "pj" // aid, year [, item id [, field]]
	// FlowPlanItemField is the dialog of one field of one item: Draft
	// aid, year, item; the step is the field.
	flowPlanItemField = "plan_item_field"
)

// planItemFields are the fields an item's edit offers, in order;
// fieldKeys name them in the catalog.
var (
	planItemFields = []string{"topic", "responsible", "place", "participants", "result"}
	fieldKeys      = map[string]string{"topic": "doc_plan.field_topic", "responsible": "doc_plan.field_responsible",
		"place": "doc_plan.field_place", "participants": "doc_plan.field_participants", "result": "doc_plan.field_result"}
)

// onPlanItemEdit lists the items to choose one, shows an item's fields,
// or asks for one field.
func (b *Engine) onPlanItemEdit(r *Request) error {
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
	l := r.loc()
	id, y := aid(a), strconv.Itoa(year)
	if r.Press.Arg(2) == "" {
		var kb [][]Button
		for i, it := range p.Items {
			label := strconv.Itoa(i+1) + ". " + monthName(l, it.Month) + " — " + it.Topic
			kb = append(kb, []Button{r.Button("✏️ "+truncate(label, 58), verbPlanItemEdit, id, y, strconv.Itoa(it.ID))})
		}
		kb = append(kb, []Button{r.Button(l.T("plan.back"), verbPlan, id, y)})
		r.Edit(l.T("doc_plan.edit_which"), kb...)
		return nil
	}
	itemID, err := strconv.Atoi(r.Press.Arg(2))
	if err != nil {
		return r.stale()
	}
	it := planItem(p, itemID)
	if it == nil {
		return r.stale()
	}
	field := r.Press.Arg(3)
	if field == "" {
		var kb [][]Button
		for _, f := range planItemFields {
			kb = append(kb, []Button{r.Button(l.T(fieldKeys[f]), verbPlanItemEdit, id, y, strconv.Itoa(itemID), f)})
		}
		kb = append(kb, []Button{r.Button(l.T("plan.back"), verbPlan, id, y)})
		r.Edit(l.T("doc_plan.item_card", "Month", monthName(l, it.Month), "Topic", it.Topic, "Format", formatName(l, it.Format),
			"Responsible", orDash(it.Responsible), "Place", orDash(it.Place), "Participants", orDash(it.Participants), "Result", orDash(it.Result)), kb...)
		return nil
	}
	if !validPlanField(field) {
		return r.stale()
	}
	d := mmo.NewDialog(flowPlanItemField, field, r.Now, b.opt.DialogIdle)
	d.Draft["aid"], d.Draft["year"], d.Draft["item"] = id, y, strconv.Itoa(itemID)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(l.T("doc_plan.ask_field", "Field", l.T(fieldKeys[field]), "Old", orDash(planField(it, field))), r.cancelButton(d.Nonce))
	return nil
}

// dialogPlanItemField takes the new value of one field; «-» empties an
// optional one.
func (b *Engine) dialogPlanItemField(r *Request, d *mmo.Dialog) error {
	if mmo.HasUnsafeText(r.Text) {
		r.Reply(validationMessage(r, mmo.Errorf(mmo.CodeControlChars, d.Step)))
		return nil
	}
	v := mmo.NormalizeText(r.Text)
	if v == mmo.SkipValue && d.Step != "topic" {
		v = ""
	} else if t, err := mmo.ValidateLongText(d.Step, v, 3, 300); err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	} else {
		v = t
	}
	if d.Step == "topic" {
		t, err := mmo.ValidateEventField(mmo.FieldTopic, v)
		if err != nil {
			r.Reply(validationMessage(r, err))
			return nil
		}
		v = t
	}
	a, year, p, ok, err := b.endPlanDialog(r, d)
	if !ok {
		return err
	}
	itemID, _ := strconv.Atoi(d.Draft["item"])
	it := planItem(p, itemID)
	if it == nil || !validPlanField(d.Step) {
		r.Reply(r.T("error.stale_button"))
		return nil
	}
	setPlanField(it, d.Step, v)
	if err := r.Tx.PutPlan(p); err != nil {
		return fmt.Errorf("save the plan of association %d for %d: %w", p.AssociationID, p.Year, err)
	}
	return b.redrawPlan(r, a, year, r.T("edit.saved"))
}

func planItem(p *mmo.Plan, id int) *mmo.PlanItem {
	for i := range p.Items {
		if p.Items[i].ID == id {
			return &p.Items[i]
		}
	}
	return nil
}

func validPlanField(f string) bool {
	for _, x := range planItemFields {
		if x == f {
			return true
		}
	}
	return false
}

func planField(it *mmo.PlanItem, f string) string {
	switch f {
	case "topic":
		return it.Topic
	case "responsible":
		return it.Responsible
	case "place":
		return it.Place
	case "participants":
		return it.Participants
	}
	return it.Result
}

func setPlanField(it *mmo.PlanItem, f, v string) {
	switch f {
	case "topic":
		it.Topic = v
	case "responsible":
		it.Responsible = v
	case "place":
		it.Place = v
	case "participants":
		it.Participants = v
	case "result":
		it.Result = v
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
