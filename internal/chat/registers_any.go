package chat

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// verbRegAll lists every entry of the school year in association id, with
// their authors, for its leader or a coordinator.
const verbRegAll = "rga"

// regAnyChoices are the associations whose registers the user may open:
// those they are a member of, and those they run, which for a
// coordinator is every one, member or not.
func (b *Engine) regAnyChoices(r *Request) ([]*mmo.Association, error) {
	list, err := b.managed(r)
	if err != nil {
		return nil, err
	}
	ms, err := r.Tx.UserMemberships(r.User.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.State != mmo.MemberActive || containsAssociation(list, m.AssociationID) {
			continue
		}
		a, err := r.Tx.Association(m.AssociationID)
		if err != nil {
			return nil, fmt.Errorf("load association %d: %w", m.AssociationID, err)
		}
		if !a.Archived() {
			list = append(list, a)
		}
	}
	return list, nil
}

func containsAssociation(list []*mmo.Association, id uint64) bool {
	for _, a := range list {
		if a.ID == id {
			return true
		}
	}
	return false
}

// coordinatorRegisters opens /registers for a coordinator, who keeps the
// registers of any association, a member of it or not: with more than one
// association they pick it first.
func (b *Engine) coordinatorRegisters(r *Request) error {
	list, err := b.regAnyChoices(r)
	if err != nil {
		return err
	}
	switch len(list) {
	case 0:
		r.Reply(r.T("assoc.none_managed"))
		return nil
	case 1:
		return b.registersMenu(r, list[0])
	}
	text, kb := regChooseRows(r, list, 0)
	r.Reply(text, kb...)
	return nil
}

// onRegPick turns the page of the coordinator's choice of registers.
func (b *Engine) onRegPick(r *Request) error {
	list, err := b.regAnyChoices(r)
	if err != nil {
		return err
	}
	text, kb := regChooseRows(r, list, pageArg(r.Press.Arg(0)))
	r.Edit(text, kb...)
	return nil
}

// regChooseRows asks which association's registers to open, page at of
// list.
func regChooseRows(r *Request, list []*mmo.Association, at int) (string, [][]Button) {
	kb, p := pickRows(list, at, func(a *mmo.Association) Button {
		return r.Button(a.Name, verbRegIn, aid(a))
	}, func(label string, at int) Button {
		return r.Button(label, verbRegPick, strconv.Itoa(at))
	})
	return r.T("duties_wave3.reg_choose") + p.note(r), kb
}

// onRegAll lists the association's entries of the school year, every
// author's, by register.
func (b *Engine) onRegAll(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	if !r.canManage(a) {
		return r.notYours()
	}
	all, err := r.Tx.RegisterEntries()
	if err != nil {
		return err
	}
	from, to := b.opt.Regulation.YearSpan(b.planYear(r.Now), b.opt.Location)
	l := r.loc()
	var sb strings.Builder
	sb.WriteString(l.T("duties_wave3.reg_all_title", "Name", a.Name))
	n := 0
	for _, k := range mmo.RegisterKinds {
		head := false
		for _, e := range all {
			if e.Kind != k || e.AssociationID != a.ID || e.At.Before(from) || !e.At.Before(to) {
				continue
			}
			if !head {
				sb.WriteString("\n\n<b>" + esc(l.T("reg_kind."+string(k))) + "</b>")
				head = true
			}
			n++
			fmt.Fprintf(&sb, "\n%d. %s", n, b.entryLine(r.Tx, l, e, true))
		}
	}
	if n == 0 {
		r.Reply(l.T("duties_wave3.reg_all_none", "Name", a.Name))
		return nil
	}
	r.Reply(sb.String())
	return nil
}
