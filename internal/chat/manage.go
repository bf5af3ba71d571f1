package chat

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Callback verbs of the coordinator's work with associations.
const (
	verbAssocNew      = "an" // start creating an association
	verbAssocPolicy   = "cp" // the policy step of creation: nonce, policy
	verbAssocEdit     = "ae" // edit: aid [, field | "p" (toggle the policy)]
	verbAssocArchive  = "aa" // archive: aid [, y]
	verbAssocArchived = "ah" // the list of archived associations
	verbAssocLog      = "ag" // the audit log of an association: aid
	verbLeaderMenu    = "lm" // leader options: aid
	verbLeaderFind    = "lf" // search a registered user to appoint: aid
	verbLeaderSet     = "ls" // appoint: aid, uid
	verbLeaderLink    = "ll" // a one-time leader invitation link: aid
)

// logShown is how many of the latest audit entries the log view shows.
const logShown = 30

// cmdNewAssociation starts the form that creates an association.
func (b *Engine) cmdNewAssociation(r *Request) error {
	d := mmo.NewDialog(mmo.FlowCreateAssoc, mmo.FieldAssocName, r.Now, b.opt.DialogIdle)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(r.T("create.ask_name"), r.cancelButton(d.Nonce))
	return nil
}

func (b *Engine) onAssocNew(r *Request) error { return b.cmdNewAssociation(r) }

// dialogCreate takes the typed steps of creation: name, subject,
// description; the join policy is chosen with buttons.
func (b *Engine) dialogCreate(r *Request, d *mmo.Dialog) error {
	if r.Role < mmo.RoleCoordinator { // the role may have gone since the form began
		r.Reply(r.T("error.forbidden"))
		return r.EndDialog()
	}
	if d.Step == "policy" {
		r.Reply(r.T("create.press_button"))
		return b.askPolicy(r, *d)
	}
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	value, err := mmo.ValidateAssocField(d.Step, r.Text)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	if d.Step == mmo.FieldAssocName {
		taken, err := b.nameTaken(r, value, 0)
		if err != nil {
			return err
		}
		if taken {
			r.Reply(r.T("create.name_taken", "Name", value))
			return nil
		}
	}
	next := map[string]string{mmo.FieldAssocName: mmo.FieldAssocSubject, mmo.FieldAssocSubject: mmo.FieldAssocDescription, mmo.FieldAssocDescription: "policy"}
	nd := *d
	nd.Draft = map[string]string{}
	for k, v := range d.Draft {
		nd.Draft[k] = v
	}
	nd.Draft[d.Step] = value
	nd.Step = next[d.Step]
	nd.Nonce++
	nd.ExpiresAt = r.Now.Add(b.opt.DialogIdle)
	if err := r.PutDialog(nd); err != nil {
		return err
	}
	switch nd.Step {
	case mmo.FieldAssocSubject:
		r.Reply(r.T("create.ask_subject"), r.cancelButton(nd.Nonce))
	case mmo.FieldAssocDescription:
		r.Reply(r.T("create.ask_description"), r.skipRow(nd, r.T("doc_minutes.skip_button")), r.cancelButton(nd.Nonce))
	default:
		return b.askPolicy(r, nd)
	}
	return nil
}

func (b *Engine) askPolicy(r *Request, d mmo.Dialog) error {
	nonce := itoa(int64(d.Nonce))
	r.Reply(r.T("create.ask_policy"), []Button{
		r.Button(r.T("create.policy_open"), verbAssocPolicy, nonce, string(mmo.PolicyOpen)),
		r.Button(r.T("create.policy_approval"), verbAssocPolicy, nonce, string(mmo.PolicyApproval)),
	}, r.cancelButton(d.Nonce))
	return nil
}

// nameTaken reports whether another live association has the name.
func (b *Engine) nameTaken(r *Request, name string, except uint64) (bool, error) {
	all, err := r.Tx.Associations()
	if err != nil {
		return false, err
	}
	for _, a := range all {
		if a.ID != except && !a.Archived() && strings.EqualFold(a.Name, name) {
			return true, nil
		}
	}
	return false, nil
}

// onAssocPolicy finishes creation with the chosen policy.
func (b *Engine) onAssocPolicy(r *Request) error {
	d, ok, err := r.formButton("policy", mmo.FlowCreateAssoc)
	if !ok {
		return err
	}
	policy := mmo.JoinPolicy(r.Press.Arg(1))
	if policy != mmo.PolicyOpen && policy != mmo.PolicyApproval {
		return r.stale()
	}
	taken, err := b.nameTaken(r, d.Draft[mmo.FieldAssocName], 0)
	if err != nil {
		return err
	}
	if taken { // created by someone else meanwhile
		r.Edit(r.T("create.name_taken", "Name", d.Draft[mmo.FieldAssocName]))
		return r.EndDialog()
	}
	a := &mmo.Association{
		Name:        d.Draft[mmo.FieldAssocName],
		Subject:     d.Draft[mmo.FieldAssocSubject],
		Description: d.Draft[mmo.FieldAssocDescription],
		Policy:      policy,
		CreatedBy:   r.User.ID,
	}
	if b.opt.Regulation.ParentsOn { // Biysk's regulation (4.4) consults parents too
		if a.ConsultToken, err = mmo.NewToken(); err != nil {
			return err
		}
	}
	if err := r.Tx.CreateAssociation(a); err != nil {
		return fmt.Errorf("create an association: %w", err)
	}
	if err := r.audit("association.create", 0, a, ""); err != nil {
		return err
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	r.Edit(r.T("create.done", "Name", a.Name))
	return b.showCard(r, a, false)
}

// onAssocEdit offers the fields to edit, starts the form for one, or
// toggles the join policy.
func (b *Engine) onAssocEdit(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	if a.Archived() {
		return r.stale()
	}
	id := aid(a)
	field := r.Press.Arg(1)
	var prompt string
	switch field {
	case "":
		r.Edit(r.T("edit.menu", "Name", a.Name), []Button{r.Button(r.T("edit.field_name"), verbAssocEdit, id, "n")},
			[]Button{r.Button(r.T("edit.field_subject"), verbAssocEdit, id, "s")},
			[]Button{r.Button(r.T("edit.field_description"), verbAssocEdit, id, "d")},
			[]Button{r.Button(r.T("edit.field_policy"), verbAssocEdit, id, "p")},
			[]Button{r.Button(r.T("assoc.back_to_card"), verbAssocCard, id)})
		return nil
	case "p":
		if a.Policy == mmo.PolicyOpen {
			a.Policy = mmo.PolicyApproval
		} else {
			a.Policy = mmo.PolicyOpen
		}
		if err := r.Tx.PutAssociation(a); err != nil {
			return fmt.Errorf("save association %d: %w", a.ID, err)
		}
		if err := r.audit("association.edit", 0, a, "policy="+string(a.Policy)); err != nil {
			return err
		}
		r.Answer(r.T("edit.saved"), false)
		return b.showCard(r, a, true)
	case "n":
		field, prompt = mmo.FieldAssocName, r.T("edit.ask_name")
	case "s":
		field, prompt = mmo.FieldAssocSubject, r.T("edit.ask_subject")
	case "d":
		field, prompt = mmo.FieldAssocDescription, r.T("edit.ask_description")
	default:
		return r.stale()
	}
	d := mmo.NewDialog(mmo.FlowEditAssoc, field, r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = id
	if err := r.PutDialog(d); err != nil {
		return err
	}
	kb := [][]Button{r.cancelButton(d.Nonce)}
	if field == mmo.FieldAssocDescription {
		kb = append([][]Button{r.skipRow(d, r.T("conv_wave3.clear"), "r")}, kb...)
	}
	r.Reply(prompt, kb...)
	return nil
}

// dialogEditAssoc takes the new value of an association field.
func (b *Engine) dialogEditAssoc(r *Request, d *mmo.Dialog) error {
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	value, err := mmo.ValidateAssocField(d.Step, r.Text)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	a, err := r.Tx.Association(id)
	if err != nil || a.Archived() || r.Role < mmo.RoleCoordinator {
		r.Reply(r.T("error.stale_button"))
		return r.EndDialog()
	}
	switch d.Step {
	case mmo.FieldAssocName:
		taken, err := b.nameTaken(r, value, a.ID)
		if err != nil {
			return err
		}
		if taken {
			r.Reply(r.T("create.name_taken", "Name", value))
			return nil
		}
		a.Name = value
	case mmo.FieldAssocSubject:
		a.Subject = value
	case mmo.FieldAssocDescription:
		a.Description = value
	}
	if err := r.Tx.PutAssociation(a); err != nil {
		return fmt.Errorf("save association %d: %w", a.ID, err)
	}
	if err := r.audit("association.edit", 0, a, d.Step); err != nil {
		return err
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	r.Reply(r.T("edit.saved"))
	return b.showCard(r, a, false)
}

// onAssocArchive archives an association after a confirmation. Members are
// told; pending requests are closed; the history stays.
func (b *Engine) onAssocArchive(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	if a.Archived() {
		return r.stale()
	}
	if r.Press.Arg(1) != "y" {
		r.Edit(r.T("archive.confirm", "Name", a.Name), []Button{
			r.Button(r.T("archive.yes"), verbAssocArchive, aid(a), "y"),
			r.Button(r.T("archive.no"), verbAssocCard, aid(a)),
		})
		return nil
	}
	ms, err := r.Tx.Members(a.ID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		u, err := r.Tx.User(m.UserID)
		if err != nil {
			continue
		}
		key := "archive.told_member"
		if m.State == mmo.MemberPending {
			key = "archive.told_pending"
			if err := r.Tx.DeleteMembership(a.ID, m.UserID); err != nil {
				return fmt.Errorf("remove user %d from association %d: %w", m.UserID, a.ID, err)
			}
		}
		if !u.Blocked && u.ID != r.User.ID && u.ID != a.LeaderID { // the leader gets a notice of their own
			r.Send(u.ID, r.TFor(u, key, "Name", a.Name))
		}
	}
	if err := b.revokeInvite(r, a); err != nil {
		return err
	}
	if former := a.LeaderID; former != 0 {
		if err := r.Tx.SetLeader(a.ID, 0); err != nil {
			return err
		}
		if err := r.audit("leadership.unset", former, a, ""); err != nil {
			return err
		}
		if leader, err := r.Tx.User(former); err == nil {
			r.SetMenu(leader)
			if leader.ID != r.User.ID {
				r.notify(leader, "archive.told_leader", "Name", a.Name)
			}
		}
		if a, err = r.Tx.Association(a.ID); err != nil {
			return err
		}
		a.FormerLeaderID = former
	}
	a.ArchivedAt = r.Now
	a.InviteToken = ""
	if err := r.Tx.PutAssociation(a); err != nil {
		return fmt.Errorf("save association %d: %w", a.ID, err)
	}
	if err := r.audit("association.archive", 0, a, ""); err != nil {
		return err
	}
	r.Answer(r.T("archive.done", "Name", a.Name), false)
	return b.showCard(r, a, true)
}

// onAssocArchived lists the archived associations.
func (b *Engine) onAssocArchived(r *Request) error {
	all, err := r.Tx.Associations()
	if err != nil {
		return err
	}
	var archived []*mmo.Association
	for _, a := range all {
		if a.Archived() {
			archived = append(archived, a)
		}
	}
	kb, p := pickRows(archived, pageArg(r.Press.Arg(0)), func(a *mmo.Association) Button {
		return r.Button(a.Name, verbAssocCard, aid(a))
	}, func(label string, at int) Button {
		return r.Button(label, verbAssocArchived, strconv.Itoa(at))
	})
	var sb strings.Builder
	sb.WriteString(r.T("archive.title") + p.note(r))
	for _, a := range pageItems(p, archived) {
		sb.WriteString("\n• " + r.T("archive.line", "Name", a.Name, "Date", b.dateIn(r.Lang, a.ArchivedAt)))
	}
	kb = append(kb, []Button{r.Button(r.T("assoc.back_to_list"), verbAssocList)})
	r.Edit(sb.String(), kb...)
	return nil
}

// auditKeys maps audit actions to their descriptions in the catalog.
var auditKeys = map[string]string{
	"association.create":   "audit.association_create",
	"association.edit":     "audit.association_edit",
	"association.archive":  "audit.association_archive",
	"member.join":          "audit.member_join",
	"member.request":       "audit.member_request",
	"member.approve":       "audit.member_approve",
	"member.decline":       "audit.member_decline",
	"member.leave":         "audit.member_leave",
	"member.withdraw":      "audit.member_withdraw",
	"member.remove":        "audit.member_remove",
	"leadership.appoint":   "audit.leader_appoint",
	"leadership.unset":     "audit.leader_unset",
	"leadership.link":      "audit.leader_link",
	"leadership.link_used": "audit.leader_link_used",
	"invitation.new":       "audit.invite_new",
	"invitation.revoke":    "audit.invite_revoke",
	"meeting.publish":      "audit.event_publish",
	"meeting.change":       "audit.event_change",
	"meeting.cancel":       "audit.event_cancel",
	"protocol.final":       "audit.minutes_final",
	"workplan.submit":      "audit.plan_submit",
	"workplan.approve":     "audit.plan_approve",
	"workplan.return":      "audit.plan_return",
	"annual.submit":        "audit.report_submit",
	"annual.accept":        "audit.report_accept",
	"annual.return":        "audit.report_return",
}

// onAssocLog shows the latest entries of an association's audit log.
func (b *Engine) onAssocLog(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	log, err := r.Tx.AssociationLog(a.ID)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	name := func(id int64) string {
		if id == 0 {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		n := r.T("audit.deleted_user")
		if u, err := r.Tx.User(id); err == nil && u.Registered() {
			n = esc(shortName(u.Name))
		}
		names[id] = n
		return n
	}
	var sb strings.Builder
	sb.WriteString(r.T("audit.title", "Name", a.Name))
	if len(log) > logShown {
		sb.WriteString("\n" + r.N("audit.older", len(log)-logShown))
		log = log[len(log)-logShown:]
	}
	if len(log) == 0 {
		sb.WriteString("\n" + r.T("audit.empty"))
	}
	for _, e := range log {
		key, ok := auditKeys[e.Action]
		if !ok {
			continue
		}
		sb.WriteString("\n" + b.dateTimeIn(r.Lang, e.At) + " — " + r.T(key,
			"Actor", rawArg(name(e.Actor)), "Subject", rawArg(name(e.Subject)), "Note", e.Note))
	}
	r.Edit(sb.String(), []Button{r.Button(r.T("assoc.back_to_card"), verbAssocCard, aid(a))})
	return nil
}
