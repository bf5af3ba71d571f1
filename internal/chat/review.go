package chat

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
)

// onPlanDecide approves a submitted plan, or asks the comment to return it
// with.
func (b *Engine) onPlanDecide(r *Request) error { return b.onDecide(r, mmo.DocPlan) }

// yearDoc is a plan or report seen through what they share: their state
// of approval, and the words and routes of their kind.
type yearDoc struct {
	state *mmo.DocState
	save  func() error
	// approved and returned are the leader's notices; done the
	// coordinator's confirmation; verb opens the document.
	approved, returned, done, verb string
	kind                           string // mmo.DocPlan or mmo.DocReport
	approveAction, returnAction    string
}

// loadYearDoc loads a plan or report; state is nil when there is none.
func (b *Engine) loadYearDoc(r *Request, kind string, aid uint64, year int) (yearDoc, error) {
	if kind == mmo.DocPlan {
		d := yearDoc{kind: kind, approved: "plan.approved_notice", returned: "plan.returned_notice", done: "plan.approved", verb: verbPlan,
			approveAction: "workplan.approve", returnAction: "workplan.return"}
		p, err := r.Tx.Plan(aid, year)
		if errors.Is(err, mmo.ErrNotFound) {
			return d, nil
		}
		if err != nil {
			return d, fmt.Errorf("load the plan of association %d for %d: %w", aid, year, err)
		}
		d.state, d.save = &p.DocState, func() error { return r.Tx.PutPlan(p) }
		return d, nil
	}
	d := yearDoc{kind: kind, approved: "report.accepted_notice", returned: "report.returned_notice", done: "report.accepted", verb: verbReport,
		approveAction: "annual.accept", returnAction: "annual.return"}
	rep, err := r.Tx.Report(aid, year)
	if errors.Is(err, mmo.ErrNotFound) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("load the report of association %d for %d: %w", aid, year, err)
	}
	d.state, d.save = &rep.DocState, func() error { return r.Tx.PutReport(rep) }
	return d, nil
}

// onDecide is the coordinator's decision button on a submitted plan or
// report: approve at once, or ask the comment to return it with.
func (b *Engine) onDecide(r *Request, kind string) error {
	a, year, ok, err := r.yearArgs()
	if !ok {
		return err
	}
	d, err := b.loadYearDoc(r, kind, a.ID, year)
	if err != nil {
		return err
	}
	if d.state == nil || d.state.Status != mmo.DocSubmitted {
		r.Answer(r.T("doc.already_decided"), true)
		return nil
	}
	if r.Press.Arg(2) == "r" {
		return b.askReturnComment(r, kind, a, year)
	}
	if err := b.decide(r, d, a, year, ""); err != nil {
		return err
	}
	text, kb := b.decisionView(r, r.loc(), d, a, year, shortName(r.User.Name))
	r.Edit(text, kb)
	return nil
}

// decide approves a submitted document (no comment) or returns it with a
// comment; the leader is told.
func (b *Engine) decide(r *Request, d yearDoc, a *mmo.Association, year int, comment string) error {
	if err := d.state.Decide(r.User.ID, comment, r.Now); err != nil {
		return err
	}
	action, notice := d.approveAction, d.approved
	if comment != "" {
		action, notice = d.returnAction, d.returned
	}
	if err := d.save(); err != nil {
		return err
	}
	if err := r.audit(action, 0, a, strconv.Itoa(year)); err != nil {
		return err
	}
	b.tellLeader(r, a, notice, year, d.verb, "Comment", comment)
	if d.kind == mmo.DocPlan {
		// The leader's card offered what a submitted plan allowed.
		if err := b.refreshPlan(r, a, year); err != nil {
			return err
		}
	}
	return b.retireDecision(r, d, a, year)
}

// askReturnComment starts the form for the comment a plan or report is
// returned with.
func (b *Engine) askReturnComment(r *Request, kind string, a *mmo.Association, year int) error {
	d := mmo.NewDialog(mmo.FlowReturnDoc, kind, r.Now, b.opt.DialogIdle)
	d.Draft["aid"], d.Draft["year"] = aid(a), strconv.Itoa(year)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(r.T("doc.ask_comment", "Name", a.Name), r.cancelButton(d.Nonce))
	return nil
}

// tellLeader sends the leader the outcome of a document with a button to
// open it.
func (b *Engine) tellLeader(r *Request, a *mmo.Association, key string, year int, verb string, args ...any) {
	if a.LeaderID == 0 || a.LeaderID == r.User.ID {
		return
	}
	u, err := r.Tx.User(a.LeaderID)
	if err != nil || u.Blocked {
		return
	}
	l := r.locOf(u)
	r.Send(u.ID, l.T(key, append([]any{"Name", a.Name, "From", year, "To", year + 1}, args...)...),
		[]Button{r.Button(l.T("doc.open"), verb, aid(a), strconv.Itoa(year))})
}

// dialogReturnDoc takes the coordinator's comment and returns the plan or
// report to the leader.
func (b *Engine) dialogReturnDoc(r *Request, d *mmo.Dialog) error {
	comment, err := mmo.ValidateLongText("comment", r.Text, 3, 1500)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	year, _ := strconv.Atoi(d.Draft["year"])
	if err := r.EndDialog(); err != nil {
		return err
	}
	if r.Role < mmo.RoleCoordinator {
		return r.notYours()
	}
	a, err := r.Tx.Association(id)
	if err != nil {
		return err
	}
	doc, err := b.loadYearDoc(r, d.Step, id, year)
	if err != nil {
		return err
	}
	if doc.state == nil || doc.state.Status != mmo.DocSubmitted {
		r.Reply(r.T("doc.already_decided"))
		return nil
	}
	if err := b.decide(r, doc, a, year, comment); err != nil {
		return err
	}
	r.Reply(r.T("doc.returned"))
	return nil
}
