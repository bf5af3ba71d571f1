package chat

import (
	"errors"
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
)

// onLeaderMenu offers the two ways to give an association a leader.
func (b *Engine) onLeaderMenu(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	if a.Archived() {
		return r.stale()
	}
	v, err := b.view(r.Tx, a)
	if err != nil {
		return err
	}
	current := r.T("assoc.no_leader")
	if v.leader != nil {
		current = esc(v.leader.Name)
	}
	id := aid(a)
	r.Edit(r.T("leader.menu", "Name", a.Name, "Leader", rawArg(current)),
		[]Button{r.Button(r.T("leader.find_button"), verbLeaderFind, id)},
		[]Button{r.Button(r.T("leader.link_button"), verbLeaderLink, id)},
		[]Button{r.Button(r.T("assoc.back_to_card"), verbAssocCard, id)})
	return nil
}

// onLeaderFind asks for a part of the future leader's name.
func (b *Engine) onLeaderFind(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	d := mmo.NewDialog(mmo.FlowAppointLeader, mmo.StepQuery, r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = aid(a)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(r.T("leader.ask_query", "Name", a.Name), r.cancelButton(d.Nonce))
	return nil
}

// dialogLeader searches registered users and offers them as leaders.
func (b *Engine) dialogLeader(r *Request, d *mmo.Dialog) error {
	if r.Role < mmo.RoleCoordinator {
		r.Reply(r.T("error.forbidden"))
		return r.EndDialog()
	}
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	a, err := r.Tx.Association(id)
	if err != nil || a.Archived() {
		r.Reply(r.T("error.stale_button"))
		return r.EndDialog()
	}
	query := mmo.NormalizeText(r.Text)
	if len([]rune(query)) < 2 || len([]rune(query)) > mmo.NameMax {
		r.Reply(r.T("coord.query_invalid"))
		return nil
	}
	found, err := r.Tx.FindUsers(query, maxFound)
	if err != nil {
		return err
	}
	var kb [][]Button
	for _, u := range found {
		if u.ID == a.LeaderID {
			continue
		}
		kb = append(kb, []Button{r.Button(r.T("coord.found_item", "Name", u.Name, "School", u.School), verbLeaderSet, aid(a), itoa(u.ID))})
	}
	if len(kb) == 0 {
		r.Reply(r.T("leader.nobody_found", "Query", query))
		return nil
	}
	r.Reply(r.N("leader.found", len(kb), "Association", a.Name), kb...)
	return nil
}

// onLeaderSet appoints a registered user as the leader, replacing the old
// one; both are told.
func (b *Engine) onLeaderSet(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	uid, okID := r.Press.Int(1)
	if !okID || a.Archived() {
		return r.stale()
	}
	u, err := r.Tx.User(uid)
	if errors.Is(err, mmo.ErrNotFound) || err == nil && !u.Registered() {
		return r.stale()
	}
	if err != nil {
		return err
	}
	if a.LeaderID == uid {
		r.Answer(r.T("leader.already", "Name", u.Name), true)
		return nil
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	if err := b.appoint(r, a, u, "leadership.appoint"); err != nil {
		return err
	}
	r.Edit(r.T("leader.appointed", "Name", u.Name, "Association", a.Name))
	return nil
}

// appoint makes u the leader of a (also a member of it), tells the new
// and the old leader, and updates both command menus.
func (b *Engine) appoint(r *Request, a *mmo.Association, u *mmo.User, action string) error {
	oldID := a.LeaderID
	if err := r.Tx.SetLeader(a.ID, u.ID); err != nil {
		return err
	}
	note := ""
	if oldID != 0 {
		note = "replaced " + itoa(oldID)
	}
	if err := r.audit(action, u.ID, a, note); err != nil {
		return err
	}
	m, err := r.Tx.Membership(a.ID, u.ID)
	if errors.Is(err, mmo.ErrNotFound) || err == nil && m.State != mmo.MemberActive {
		before, _, err := r.Tx.CountMembers(a.ID)
		if err != nil {
			return err
		}
		if err := r.Tx.PutMembership(&mmo.Membership{AssociationID: a.ID, UserID: u.ID, State: mmo.MemberActive, JoinedAt: r.Now, Via: "leader"}); err != nil {
			return err
		}
		if err := b.checkThreshold(r, a, before, before+1); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	// Reload: SetLeader changed the records.
	if u, err = r.Tx.User(u.ID); err != nil {
		return err
	}
	if u.ID == r.User.ID {
		r.User = u
		r.Role = u.Role(b.isAdmin(u))
	}
	r.notify(u, "leader.you_appointed", "Name", a.Name)
	r.SetMenu(u)
	if oldID != 0 {
		if old, err := r.Tx.User(oldID); err == nil {
			r.notify(old, "leader.you_replaced", "Name", a.Name, "Leader", u.Name)
			r.SetMenu(old)
		}
	}
	return nil
}

// onLeaderLink makes a one-time link that makes whoever opens it the
// leader; the coordinator forwards it.
func (b *Engine) onLeaderLink(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	if a.Archived() {
		return r.stale()
	}
	inv, err := mmo.NewInvite(mmo.InviteLeader, a.ID, r.User.ID, r.Now, b.opt.LeaderLinkTTL)
	if err != nil {
		return err
	}
	if err := r.Tx.PutInvite(&inv); err != nil {
		return err
	}
	if err := r.audit("leadership.link", 0, a, ""); err != nil {
		return err
	}
	r.Reply(r.T("leader.link", "Name", a.Name, "Link", r.inviteLink(&inv), "Date", b.dateTimeIn(r.Lang, inv.ExpiresAt)))
	return nil
}

// openLeaderInvite makes the user the leader through a one-time link.
func (b *Engine) openLeaderInvite(r *Request, token string) error {
	inv, a, ok, err := b.linkInvite(r, mmo.InviteLeader, token)
	if !ok {
		return err
	}
	if a.LeaderID == r.User.ID {
		r.Reply(r.T("assoc.you_lead_it", "Name", a.Name))
		return nil
	}
	inv.UsedBy, inv.UsedAt = r.User.ID, r.Now
	if err := r.Tx.PutInvite(inv); err != nil {
		return err
	}
	if err := b.appoint(r, a, r.User, "leadership.link_used"); err != nil {
		return err
	}
	if inv.CreatedBy != r.User.ID {
		r.notifyID(inv.CreatedBy, "leader.link_used", "Name", r.User.Name, "Association", a.Name)
	}
	return nil
}
