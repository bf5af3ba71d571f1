package chat

import (
	"fmt"
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
)

// cmdPropose lets a member propose something for their association's plan.
func (b *Engine) cmdPropose(r *Request) error {
	return b.chooseMembership(r, verbProposeIn, "propose.choose", "propose.no_association", b.startPropose)
}

// onProposeIn starts a proposal to the chosen association.
func (b *Engine) onProposeIn(r *Request) error {
	a, ok, err := r.memberOf(0)
	if !ok {
		return err
	}
	return b.startPropose(r, a)
}

func (b *Engine) startPropose(r *Request, a *mmo.Association) error {
	d := mmo.NewDialog(mmo.FlowPropose, "text", r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = aid(a)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(r.T("propose.ask", "Name", a.Name, "From", b.planYear(r.Now), "To", b.planYear(r.Now)+1), r.cancelButton(d.Nonce))
	return nil
}

// dialogPropose takes a proposal and sends it to the leader.
func (b *Engine) dialogPropose(r *Request, d *mmo.Dialog) error {
	text, err := mmo.ValidateLongText("proposal", r.Text, 10, 1000)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	if err := r.EndDialog(); err != nil {
		return err
	}
	a, err := r.Tx.Association(id)
	if err != nil {
		return err
	}
	year := b.planYear(r.Now)
	pr := &mmo.Proposal{AssociationID: a.ID, Year: year, UserID: r.User.ID, Text: text, At: r.Now}
	if err := r.Tx.AddProposal(pr); err != nil {
		return err
	}
	r.Reply(r.T("propose.sent", "Name", a.Name))
	if leader, err := r.Tx.User(a.LeaderID); err == nil && a.LeaderID != 0 && !leader.Blocked {
		l := r.locOf(leader)
		pid := strconv.FormatUint(pr.ID, 10)
		r.Send(leader.ID, l.T("propose.notice", "Name", r.User.Name, "Association", a.Name, "Text", text), []Button{
			r.Button(l.T("propose.take"), verbProposalTake, pid, aid(a), strconv.Itoa(year)),
			r.Button(l.T("propose.decline"), verbProposalTake, pid, aid(a), strconv.Itoa(year), "n"),
		})
	}
	return nil
}

// onProposals lists the proposals not yet taken in or declined.
func (b *Engine) onProposals(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	list, err := r.Tx.Proposals(a.ID, year)
	if err != nil {
		return err
	}
	n := 0
	for _, pr := range list {
		if pr.State != "" {
			continue
		}
		name := r.T("audit.deleted_user")
		if u, err := r.Tx.User(pr.UserID); err == nil {
			name = u.Name
		}
		pid := strconv.FormatUint(pr.ID, 10)
		r.Reply(r.T("propose.notice", "Name", name, "Association", a.Name, "Text", pr.Text), []Button{
			r.Button(r.T("propose.take"), verbProposalTake, pid, aid(a), strconv.Itoa(year)),
			r.Button(r.T("propose.decline"), verbProposalTake, pid, aid(a), strconv.Itoa(year), "n"),
		})
		n++
	}
	if n == 0 {
		r.Answer(r.T("propose.none"), false)
	}
	return nil
}

// onProposalTake takes a proposal into the plan (as a new item) or
// declines it; the member is told either way.
func (b *Engine) onProposalTake(r *Request) error {
	pid, err := strconv.ParseUint(r.Press.Arg(0), 10, 64)
	if err != nil {
		return r.stale()
	}
	r.Press.Args = r.Press.Args[1:]
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	list, err := r.Tx.Proposals(a.ID, year)
	if err != nil {
		return err
	}
	var pr *mmo.Proposal
	for _, x := range list {
		if x.ID == pid {
			pr = x
		}
	}
	if pr == nil || pr.State != "" {
		r.Answer(r.T("propose.decided"), true)
		return nil
	}
	if r.Press.Arg(2) == "n" {
		if err := b.settleProposal(r, a, year, pid, "declined"); err != nil {
			return err
		}
		r.Edit(r.T("propose.declined", "Text", pr.Text))
		return nil
	}
	p, err := b.loadPlan(r, a, year)
	if err != nil {
		return err
	}
	if !p.Status.Editable() {
		r.Answer(r.T("plan.locked"), true)
		return nil
	}
	topic := pr.Text
	if len([]rune(topic)) > mmo.TopicMax {
		topic = string([]rune(topic)[:mmo.TopicMax])
	}
	r.Edit(r.T("propose.taking", "Text", pr.Text))
	return b.startPlanItem(r, a, year, mmo.NormalizeText(topic), pid)
}

// settleProposal records a proposal's fate and tells its author.
func (b *Engine) settleProposal(r *Request, a *mmo.Association, year int, pid uint64, state string) error {
	list, err := r.Tx.Proposals(a.ID, year)
	if err != nil {
		return err
	}
	for _, pr := range list {
		if pr.ID != pid {
			continue
		}
		pr.State = state
		if err := r.Tx.PutProposal(pr); err != nil {
			return fmt.Errorf("save proposal %d: %w", pr.ID, err)
		}
		if u, err := r.Tx.User(pr.UserID); err == nil && !u.Blocked && u.ID != r.User.ID {
			key := "propose.taken_notice"
			if state == "declined" {
				key = "propose.declined_notice"
			}
			r.Send(u.ID, r.TFor(u, key, "Name", a.Name, "Text", pr.Text))
		}
	}
	return nil
}
