package chat

import "strings"

// verbParentAsk asks again through an association's public form: aid.
const verbParentAsk = "qh"

// showParentHome sends a parent's home screen: her requests, the latest
// one a tap away, and another question to the association she asked.
func (b *Engine) showParentHome(r *Request, lead string) error {
	own, err := r.Tx.UserConsultations(r.User.ID)
	if err != nil {
		return err
	}
	var sb strings.Builder
	if lead != "" {
		sb.WriteString(lead + "\n\n")
	}
	sb.WriteString(r.T("parent_home.title", "Name", r.User.Name))
	var kb [][]Button
	if len(own) == 0 {
		sb.WriteString("\n" + r.T("parent_home.none"))
	} else {
		last := own[len(own)-1]
		sb.WriteString("\n" + r.T("parent_home.latest", "N", last.ID, "Status", statusName(r.loc(), last.Status)))
		kb = append(kb,
			[]Button{r.Button(r.T("parent_home.latest_button", "N", last.ID), verbConsult, cid(last))},
			[]Button{r.Button(r.T("parent_home.requests_button"), verbRequests)})
		if a, err := r.Tx.Association(last.AssociationID); err == nil && a.ConsultToken != "" && !a.Archived() {
			kb = append(kb, []Button{r.Button(r.T("parent_home.ask_button"), verbParentAsk, aid(a))})
		}
	}
	r.Reply(sb.String(), kb...)
	return nil
}

// onParentAsk opens the public request form again, while the association
// still takes questions by its public link.
func (b *Engine) onParentAsk(r *Request) error {
	if !r.User.Parent() {
		return r.stale()
	}
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	if a.ConsultToken == "" || a.Archived() {
		r.Reply(r.T("consult.link_invalid"))
		return nil
	}
	return b.startAsk(r, a, false)
}

// refuseParent answers a parent who reached for what only teachers have
// (a teacher's command or button): not the newcomer's «register first»,
// which would make her a teacher, but her own home, or a word on the
// button she pressed.
func (b *Engine) refuseParent(r *Request) error {
	if r.Update.Press != nil {
		r.Answer(r.T("conv_coord2.parent_button"), true)
		return nil
	}
	return b.showParentHome(r, r.T("conv_coord2.parent_teachers_only"))
}
