package chat

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// onAssocJoin joins an open association, or asks to join one by approval.
func (b *Engine) onAssocJoin(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	if err := b.join(r, a, "list"); err != nil {
		return err
	}
	return b.showCard(r, a, true)
}

// join makes the user a member (or a candidate) of the association and
// tells whoever needs to know. Joining twice changes nothing.
func (b *Engine) join(r *Request, a *mmo.Association, via string) error {
	m, err := r.Tx.Membership(a.ID, r.User.ID)
	if errors.Is(err, mmo.ErrNotFound) {
		m, err = nil, nil
	}
	if err != nil {
		return err
	}
	state, err := mmo.JoinState(a, m)
	switch mmo.ErrorCode(err) {
	case mmo.CodeArchived:
		r.Reply(r.T("assoc.archived_no_join", "Name", a.Name))
		return nil
	case mmo.CodeAlready:
		r.Reply(r.T("assoc.already_member", "Name", a.Name))
		return nil
	case mmo.CodePending:
		r.Reply(r.T("assoc.already_pending", "Name", a.Name))
		return nil
	}
	if r.User.Current != a.ID {
		r.User.Current = a.ID
		if err := r.SaveUser(); err != nil {
			return err
		}
	}
	if state == mmo.MemberPending {
		m := &mmo.Membership{AssociationID: a.ID, UserID: r.User.ID, State: mmo.MemberPending, RequestedAt: r.Now, Via: via}
		if err := r.Tx.PutMembership(m); err != nil {
			return fmt.Errorf("save the membership of user %d in association %d: %w", m.UserID, m.AssociationID, err)
		}
		if err := r.audit("member.request", r.User.ID, a, ""); err != nil {
			return err
		}
		r.Reply(r.T("assoc.requested", "Name", a.Name))
		return b.sendRequest(r, a, r.User)
	}
	return b.addMember(r, a, r.User, via, func() {
		r.Reply(r.T("assoc.joined", "Name", a.Name), b.homeButtons(r)...)
	})
}

// addMember makes u an active member, tells the leader, and the
// coordinators if the association crossed the minimum of members.
func (b *Engine) addMember(r *Request, a *mmo.Association, u *mmo.User, via string, tell func()) error {
	before, _, err := r.Tx.CountMembers(a.ID)
	if err != nil {
		return err
	}
	m := &mmo.Membership{AssociationID: a.ID, UserID: u.ID, State: mmo.MemberActive, JoinedAt: r.Now, Via: via}
	if old, err := r.Tx.Membership(a.ID, u.ID); err == nil {
		m.RequestedAt = old.RequestedAt
	}
	if err := r.Tx.PutMembership(m); err != nil {
		return fmt.Errorf("save the membership of user %d in association %d: %w", m.UserID, m.AssociationID, err)
	}
	action := "member.join"
	if r.User.ID != u.ID {
		action = "member.approve"
	}
	if err := r.audit(action, u.ID, a, via); err != nil {
		return err
	}
	tell()
	if a.LeaderID != 0 && a.LeaderID != r.User.ID && a.LeaderID != u.ID && action == "member.join" {
		r.notifyID(a.LeaderID, "assoc.leader_new_member", "Name", u.Name, "School", u.School, "Association", a.Name)
	}
	return b.checkThreshold(r, a, before, before+1)
}

// checkThreshold tells the coordinators when an association's member count
// crosses the regulation's minimum, either way.
func (b *Engine) checkThreshold(r *Request, a *mmo.Association, before, after int) error {
	min := b.opt.Regulation.MinMembers
	crossed := mmo.MinimumCrossed(before, after, min)
	if crossed == 0 {
		return nil
	}
	key := "assoc.threshold_reached"
	if crossed < 0 {
		key = "assoc.threshold_lost"
	}
	coords, err := b.coordinators(r.Tx)
	if err != nil {
		return err
	}
	for _, c := range coords {
		r.Send(c.ID, r.TFor(c, key, "Name", a.Name, "Members", rawArg(b.cat.N(r.LangOf(c), "count.members", after)), "Min", min))
	}
	return nil
}

// coordinators returns the registered coordinators and admins who can be
// written to.
func (b *Engine) coordinators(tx *boltdb.Tx) ([]*mmo.User, error) {
	// Through the coordinators' index and the administrators' accounts,
	// not a walk over every user: the due scan asks on each escalation.
	list, err := tx.Coordinators()
	if err != nil {
		return nil, err
	}
	for _, a := range b.opt.Admins {
		u, err := tx.UserByAccount(a.Messenger, a.ID)
		if errors.Is(err, mmo.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		list = append(list, u)
	}
	slices.SortFunc(list, func(x, y *mmo.User) int { return cmp.Compare(x.ID, y.ID) })
	var out []*mmo.User
	for i, u := range list {
		if i > 0 && list[i-1].ID == u.ID {
			continue
		}
		if u.Registered() && !u.Blocked {
			out = append(out, u)
		}
	}
	return out, nil
}

// sendRequest sends a join request to the association's leader, or to the
// coordinators while it has none, with buttons to decide.
func (b *Engine) sendRequest(r *Request, a *mmo.Association, u *mmo.User) error {
	var to []*mmo.User
	if a.LeaderID != 0 {
		if leader, err := r.Tx.User(a.LeaderID); err == nil && !leader.Blocked {
			to = append(to, leader)
		}
	}
	if len(to) == 0 {
		var err error
		if to, err = b.coordinators(r.Tx); err != nil {
			return err
		}
	}
	uid := itoa(u.ID)
	for _, d := range to {
		text := r.TFor(d, "assoc.request_card", "Association", a.Name, "Name", u.Name, "School", u.School, "Position", u.Position)
		r.Send(d.ID, text, []Button{
			r.Button(r.TFor(d, "assoc.approve_button"), verbAssocApprove, aid(a), uid),
			r.Button(r.TFor(d, "assoc.decline_button"), verbAssocDecline, aid(a), uid),
		})
	}
	return nil
}

// onAssocPending sends the pending requests again, one message each.
func (b *Engine) onAssocPending(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	ms, err := r.Tx.Members(a.ID)
	if err != nil {
		return err
	}
	n := 0
	for _, m := range ms {
		if m.State != mmo.MemberPending {
			continue
		}
		u, err := r.Tx.User(m.UserID)
		if err != nil {
			continue
		}
		n++
		uid := itoa(u.ID)
		r.Reply(r.T("assoc.request_card", "Association", a.Name, "Name", u.Name, "School", u.School, "Position", u.Position), []Button{
			r.Button(r.T("assoc.approve_button"), verbAssocApprove, aid(a), uid),
			r.Button(r.T("assoc.decline_button"), verbAssocDecline, aid(a), uid),
		})
	}
	if n == 0 {
		r.Answer(r.T("assoc.no_pending"), false)
	}
	return nil
}

// decision loads what an approve or decline button is about; ok is false
// when the request was already decided or withdrawn (the message is then
// updated to say so).
func (r *Request) decision() (*mmo.Association, *mmo.User, bool, error) {
	a, ok, err := r.managed(0)
	if !ok {
		return nil, nil, false, err
	}
	uid, okID := r.Press.Int(1)
	if !okID {
		return nil, nil, false, r.stale()
	}
	u, err := r.Tx.User(uid)
	if errors.Is(err, mmo.ErrNotFound) {
		r.Edit(r.T("assoc.request_gone"))
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	m, err := r.Tx.Membership(a.ID, uid)
	switch {
	case errors.Is(err, mmo.ErrNotFound):
		r.Edit(r.T("assoc.request_gone"))
		return nil, nil, false, nil
	case err != nil:
		return nil, nil, false, err
	case m.State != mmo.MemberPending:
		r.Edit(r.T("assoc.request_decided", "Name", u.Name))
		return nil, nil, false, nil
	case a.Archived():
		r.Edit(r.T("assoc.archived_no_join", "Name", a.Name))
		return nil, nil, false, nil
	}
	return a, u, true, nil
}

// onAssocApprove accepts a join request; the teacher is told.
func (b *Engine) onAssocApprove(r *Request) error {
	a, u, ok, err := r.decision()
	if !ok {
		return err
	}
	return b.addMember(r, a, u, "approved", func() {
		r.Edit(r.T("assoc.approved", "Name", u.Name, "Association", a.Name))
		r.notify(u, "assoc.you_approved", "Name", a.Name)
	})
}

// onAssocDecline turns a join request down; the teacher is told.
func (b *Engine) onAssocDecline(r *Request) error {
	a, u, ok, err := r.decision()
	if !ok {
		return err
	}
	if err := r.Tx.DeleteMembership(a.ID, u.ID); err != nil {
		return fmt.Errorf("remove user %d from association %d: %w", u.ID, a.ID, err)
	}
	if err := r.audit("member.decline", u.ID, a, ""); err != nil {
		return err
	}
	r.Edit(r.T("assoc.declined", "Name", u.Name, "Association", a.Name))
	r.notify(u, "assoc.you_declined", "Name", a.Name)
	return nil
}

// onAssocLeave leaves an association (or withdraws a request) after a
// confirmation. A leader cannot leave the association they lead.
func (b *Engine) onAssocLeave(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	m, err := r.Tx.Membership(a.ID, r.User.ID)
	if errors.Is(err, mmo.ErrNotFound) {
		return r.stale()
	}
	if err != nil {
		return err
	}
	if a.LeaderID == r.User.ID {
		r.Answer(r.T("assoc.leader_cannot_leave"), true)
		return nil
	}
	switch r.Press.Arg(1) {
	case "":
		key := "assoc.leave_confirm"
		if m.State == mmo.MemberPending {
			key = "assoc.withdraw_confirm"
		}
		r.Edit(r.T(key, "Name", a.Name), []Button{
			r.Button(r.T("assoc.leave_yes"), verbAssocLeave, aid(a), "y"),
			r.Button(r.T("assoc.leave_no"), verbAssocCard, aid(a)),
		})
		return nil
	case "y":
	default:
		return r.stale()
	}
	before, _, err := r.Tx.CountMembers(a.ID)
	if err != nil {
		return err
	}
	if err := r.Tx.DeleteMembership(a.ID, r.User.ID); err != nil {
		return fmt.Errorf("remove user %d from association %d: %w", r.User.ID, a.ID, err)
	}
	action, key := "member.leave", "assoc.left"
	if m.State == mmo.MemberPending {
		action, key = "member.withdraw", "assoc.withdrawn"
	}
	if err := r.audit(action, r.User.ID, a, ""); err != nil {
		return err
	}
	r.Edit(r.T(key, "Name", a.Name))
	if m.State != mmo.MemberActive {
		return nil
	}
	if a.LeaderID != 0 {
		r.notifyID(a.LeaderID, "assoc.leader_member_left", "Name", r.User.Name, "Association", a.Name)
	}
	return b.checkThreshold(r, a, before, before-1)
}
