package chat

import (
	"errors"
	"fmt"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// maxFound is how many users a search shows as buttons.
const maxFound = 10

// cmdCoordinators shows the coordinators to an admin, with buttons to
// revoke the role and to grant it to another registered user.
func (b *Engine) cmdCoordinators(r *Request) error {
	text, kb, err := b.coordinatorsView(r)
	if err != nil {
		return err
	}
	r.Reply(text, kb...)
	return nil
}

func (b *Engine) coordinatorsView(r *Request) (string, [][]Button, error) {
	list, err := r.Tx.Coordinators()
	if err != nil {
		return "", nil, err
	}
	text := r.N("coord.list", len(list))
	var kb [][]Button
	for _, u := range list {
		text += "\n• " + r.T("coord.item", "Name", u.Name, "School", u.School)
		kb = append(kb, []Button{r.Button(r.T("coord.revoke_button", "Name", u.Name), verbCoordDel, itoa(u.ID))})
	}
	kb = append(kb, []Button{r.Button(r.T("coord.add_button"), verbCoordAdd)}, r.homeRow())
	return text, kb, nil
}

// onCoordAdd asks the admin for a part of the future coordinator's name.
func (b *Engine) onCoordAdd(r *Request) error {
	d := mmo.NewDialog(mmo.FlowGrant, mmo.StepQuery, r.Now, b.opt.DialogIdle)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(r.T("coord.ask_query"), r.cancelButton(d.Nonce))
	return nil
}

// dialogGrant searches registered users by name and offers them as
// buttons. The form stays open so the admin can refine the search.
func (b *Engine) dialogGrant(r *Request, d *mmo.Dialog) error {
	if r.Role < mmo.RoleAdmin { // the role may have changed since the form began
		r.Reply(r.T("error.forbidden"))
		return r.EndDialog()
	}
	query := mmo.NormalizeText(r.Text)
	if len([]rune(query)) < 2 || len([]rune(query)) > mmo.NameMax {
		r.Reply(r.T("coord.query_invalid"))
		return nil
	}
	found, err := r.Tx.FindUsers(query, maxFound+1)
	if err != nil {
		return err
	}
	var kb [][]Button
	for _, u := range found {
		if u.Coordinator || len(kb) == maxFound {
			continue
		}
		kb = append(kb, []Button{r.Button(r.T("coord.found_item", "Name", u.Name, "School", u.School), verbCoordSet, itoa(u.ID))})
	}
	if len(kb) == 0 {
		r.Reply(r.T("coord.nobody_found", "Query", query), r.cancelButton(d.Nonce))
		return nil
	}
	r.Reply(r.N("coord.found", len(kb)), append(kb, r.cancelButton(d.Nonce))...)
	return nil
}

// target loads the user a coordinator button is about; ok is false when
// the button no longer applies.
func (r *Request) target() (*mmo.User, bool, error) {
	id, ok := r.Press.Int(0)
	if !ok {
		return nil, false, nil
	}
	u, err := r.Tx.User(id)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return u, u.Registered(), nil
}

// onCoordSet grants the coordinator role; the new coordinator is told.
func (b *Engine) onCoordSet(r *Request) error {
	u, ok, err := r.target()
	if err != nil || !ok {
		if err == nil {
			err = r.stale()
		}
		return err
	}
	if u.Coordinator {
		r.Answer(r.T("coord.already", "Name", u.Name), true)
		return nil
	}
	u.Coordinator = true
	if err := r.Tx.PutUser(u); err != nil {
		return fmt.Errorf("save user %d: %w", u.ID, err)
	}
	if err := r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: "coordinator.grant", Subject: u.ID}); err != nil {
		return fmt.Errorf("write the audit log: %w", err)
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	r.Edit(r.T("coord.granted", "Name", u.Name))
	r.notify(u, "coord.you_granted")
	r.SetMenu(u)
	return nil
}

// onCoordDel revokes the coordinator role after a confirmation.
func (b *Engine) onCoordDel(r *Request) error {
	u, ok, err := r.target()
	if err != nil || !ok {
		if err == nil {
			err = r.stale()
		}
		return err
	}
	if !u.Coordinator || r.Press.Arg(1) == "n" {
		text, kb, err := b.coordinatorsView(r)
		if err != nil {
			return err
		}
		if !u.Coordinator {
			r.Answer(r.T("coord.not_coordinator", "Name", u.Name), true)
		}
		r.Edit(text, kb...)
		return nil
	}
	if r.Press.Arg(1) != "y" {
		r.Edit(r.T("coord.revoke_confirm", "Name", u.Name), []Button{
			r.Button(r.T("coord.revoke_yes"), verbCoordDel, itoa(u.ID), "y"),
			r.Button(r.T("coord.revoke_no"), verbCoordDel, itoa(u.ID), "n"),
		})
		return nil
	}
	u.Coordinator = false
	if err := r.Tx.PutUser(u); err != nil {
		return fmt.Errorf("save user %d: %w", u.ID, err)
	}
	if err := r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: "coordinator.revoke", Subject: u.ID}); err != nil {
		return fmt.Errorf("write the audit log: %w", err)
	}
	r.notify(u, "coord.you_revoked")
	r.SetMenu(u)
	text, kb, err := b.coordinatorsView(r)
	if err != nil {
		return err
	}
	r.Answer(r.T("coord.revoked", "Name", u.Name), false)
	r.Edit(text, kb...)
	return nil
}
