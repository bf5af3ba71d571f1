package chat

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Callback verbs of associations.
const (
	verbAssocCard    = "as" // open an association's card: aid
	verbAssocJoin    = "aj" // join or ask to join: aid
	verbAssocLeave   = "al" // leave or withdraw a request: aid [, y]
	verbAssocApprove = "ap" // approve a request: aid, uid
	verbAssocDecline = "ad" // decline a request: aid, uid
	verbAssocList    = "at" // the catalog again
	verbAssocPending = "aq" // the pending requests: aid
	verbChoose       = "ch" // choose the association for a command: command, aid
)

// assocView is what the catalog and the cards need to know of an
// association.
type assocView struct {
	a       *mmo.Association
	members int
	pending int
	status  mmo.Status
	leader  *mmo.User // nil when none
}

// view loads the counts and leader of an association.
func (b *Engine) view(tx *boltdb.Tx, a *mmo.Association) (assocView, error) {
	members, pending, err := tx.CountMembers(a.ID)
	if err != nil {
		return assocView{}, fmt.Errorf("count the members of association %d: %w", a.ID, err)
	}
	v := assocView{a: a, members: members, pending: pending, status: mmo.AssociationStatus(a, members, b.opt.Regulation.MinMembers)}
	if a.LeaderID != 0 {
		u, err := tx.User(a.LeaderID)
		if err != nil && !errors.Is(err, mmo.ErrNotFound) {
			return assocView{}, fmt.Errorf("load the leader of association %d: %w", a.ID, err)
		}
		v.leader = u
	}
	return v, nil
}

// association loads the association named by the callback argument i.
// ok is false (and the button answered as stale) when it does not exist.
func (r *Request) association(i int) (*mmo.Association, bool, error) {
	id, err := strconv.ParseUint(r.Press.Arg(i), 10, 64)
	if err != nil {
		return nil, false, r.stale()
	}
	a, err := r.Tx.Association(id)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil, false, r.stale()
	}
	if err != nil {
		return nil, false, fmt.Errorf("load association %d: %w", id, err)
	}
	return a, true, nil
}

// managed is association(i) for a button only the association's leader or
// a coordinator may press; anyone else is told so and nothing changes.
func (r *Request) managed(i int) (*mmo.Association, bool, error) {
	a, ok, err := r.association(i)
	if !ok {
		return nil, false, err
	}
	if !r.canManage(a) {
		return nil, false, r.notYours()
	}
	return a, true, nil
}

// memberOf is association(i) for a button only the association's members
// may press; anyone else is told so, and an archived association's button
// is stale.
func (r *Request) memberOf(i int) (*mmo.Association, bool, error) {
	a, ok, err := r.association(i)
	if !ok {
		return nil, false, err
	}
	if a.Archived() {
		return nil, false, r.stale()
	}
	member, err := r.isMember(a)
	if err != nil {
		return nil, false, err
	}
	if !member {
		return nil, false, r.membersOnly(a)
	}
	return a, true, nil
}

// canManage reports whether the user may run the association: its leader,
// or a coordinator. A leader of another association may not.
func (r *Request) canManage(a *mmo.Association) bool {
	return mmo.CanManage(r.User, r.Role, a)
}

// notYours refuses a button or command about an association the user does
// not run.
func (r *Request) notYours() error {
	r.reply(r.T("assoc.not_yours"))
	return nil
}

// membersOnly refuses what only the association's members may do (ask,
// propose, open its events) to someone who is not, or no longer, one.
func (r *Request) membersOnly(a *mmo.Association) error {
	r.reply(r.T("assoc.members_only", "Name", a.Name))
	return nil
}

// aid formats an association id for callback data.
func aid(a *mmo.Association) string { return strconv.FormatUint(a.ID, 10) }

// statusText describes an association's status against the minimum.
func (b *Engine) statusText(r *Request, v assocView) string {
	switch v.status {
	case mmo.StatusArchived:
		return r.T("assoc.status_archived", "Date", b.dateIn(r.Lang, v.a.ArchivedAt))
	case mmo.StatusForming:
		return r.N("assoc.status_forming", b.opt.Regulation.MinMembers-v.members)
	}
	return r.T("assoc.status_active")
}

// cmdAssociations shows the catalog: every association open to join, and
// for coordinators the state of each against the regulation.
func (b *Engine) cmdAssociations(r *Request) error {
	text, kb, err := b.catalog(r, 0)
	if err != nil {
		return err
	}
	r.Reply(text, kb...)
	return nil
}

func (b *Engine) onAssocList(r *Request) error {
	text, kb, err := b.catalog(r, pageArg(r.Press.Arg(0)))
	if err != nil {
		return err
	}
	r.Edit(text, kb...)
	return nil
}

// catalog is page at of the catalogue: the counts of them all, and a
// page of associations, each with its line and button.
func (b *Engine) catalog(r *Request, at int) (string, [][]Button, error) {
	all, err := r.Tx.Associations()
	if err != nil {
		return "", nil, err
	}
	coordinator := r.Role >= mmo.RoleCoordinator
	var sb strings.Builder
	var kb [][]Button
	active, forming, archived := 0, 0, 0
	var lines []string
	var buttons [][]Button
	var approval []bool // whether the line's association admits by approval
	for _, a := range all {
		if a.Archived() {
			archived++
			continue
		}
		v, err := b.view(r.Tx, a)
		if err != nil {
			return "", nil, err
		}
		if v.status == mmo.StatusForming {
			forming++
		} else {
			active++
		}
		line := "• " + r.T("assoc.catalog_line", "Name", a.Name, "Subject", a.Subject, "Members", r.N("count.members", v.members))
		if a.Policy == mmo.PolicyApproval {
			line += " " + r.T("assoc.by_approval_mark")
		}
		if coordinator {
			line += " — " + b.statusText(r, v)
		}
		lines = append(lines, line)
		approval = append(approval, a.Policy == mmo.PolicyApproval)
		buttons = append(buttons, []Button{r.Button(a.Name, verbAssocCard, aid(a))})
	}
	p := pageOf(len(lines), at)
	kb = p.nav(pageItems(p, buttons), func(label string, at int) Button {
		return r.Button(label, verbAssocList, strconv.Itoa(at))
	})
	switch {
	case coordinator:
		sb.WriteString(r.T("assoc.catalog_coordinator", "Active", active, "Forming", forming))
		if b.opt.Regulation.MinMembers > 0 {
			sb.WriteString("\n" + r.N("assoc.min_members_rule", b.opt.Regulation.MinMembers))
		}
	default:
		sb.WriteString(r.T("assoc.catalog"))
	}
	if p.pages > 1 {
		sb.WriteString("\n" + p.label(r))
	}
	sb.WriteString("\n")
	if len(lines) == 0 {
		sb.WriteString("\n" + r.T("assoc.catalog_empty"))
	}
	for _, l := range pageItems(p, lines) {
		sb.WriteString("\n" + l)
	}
	if slices.Contains(pageItems(p, approval), true) {
		// The mark alone says nothing to a newcomer: say it once, below.
		sb.WriteString("\n\n" + r.T("assoc.by_approval_legend"))
	}
	if coordinator {
		kb = append(kb, []Button{r.Button(r.T("assoc.create_button"), verbAssocNew)})
		if archived > 0 {
			kb = append(kb, []Button{r.Button(r.N("assoc.archive_button", archived), verbAssocArchived)})
		}
	}
	return sb.String(), append(kb, r.homeRow()), nil
}

// onAssocCard shows an association's card, and remembers it as the user's
// current association.
func (b *Engine) onAssocCard(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	if r.User.Current != a.ID {
		r.User.Current = a.ID
		if err := r.SaveUser(); err != nil {
			return err
		}
	}
	// From the digest, the card opens below it: the digest stays for
	// its other lines.
	return b.showCard(r, a, !r.fromDigest())
}

// showCard shows the association's card, in place of the pressed message
// when edit, or as a new message.
func (b *Engine) showCard(r *Request, a *mmo.Association, edit bool) error {
	text, kb, err := b.card(r, a)
	if err != nil {
		return err
	}
	if edit {
		r.Edit(text, kb...)
	} else {
		r.Reply(text, kb...)
	}
	return nil
}

// card renders an association for the user looking at it, with the
// buttons their role there allows.
func (b *Engine) card(r *Request, a *mmo.Association) (string, [][]Button, error) {
	v, err := b.view(r.Tx, a)
	if err != nil {
		return "", nil, err
	}
	m, err := r.Tx.Membership(a.ID, r.User.ID)
	if err != nil && !errors.Is(err, mmo.ErrNotFound) {
		return "", nil, err
	}
	var sb strings.Builder
	sb.WriteString("<b>" + esc(a.Name) + "</b>\n" + r.T("assoc.subject", "Subject", a.Subject))
	if a.Description != "" {
		sb.WriteString("\n\n" + esc(a.Description) + "\n")
	}
	leader := r.T("assoc.no_leader")
	if v.leader != nil {
		leader = esc(v.leader.Name)
	}
	if a.Archived() && a.FormerLeaderID != 0 {
		if u, err := r.Tx.User(a.FormerLeaderID); err == nil && u.Registered() {
			leader = r.T("assoc.former_leader", "Name", u.Name)
		}
	}
	sb.WriteString("\n" + r.T("assoc.leader", "Leader", rawArg(leader)))
	sb.WriteString("\n" + r.N("assoc.members_line", v.members) + " · " + b.statusText(r, v))
	if a.Policy == mmo.PolicyApproval {
		sb.WriteString("\n" + r.T("assoc.policy_approval"))
	} else {
		sb.WriteString("\n" + r.T("assoc.policy_open"))
	}
	switch {
	case a.LeaderID == r.User.ID:
		sb.WriteString("\n\n" + r.T("assoc.you_lead"))
	case m != nil && m.State == mmo.MemberActive:
		sb.WriteString("\n\n" + r.T("assoc.you_member", "Date", b.dateIn(r.Lang, m.JoinedAt)))
	case m != nil:
		sb.WriteString("\n\n" + r.T("assoc.you_pending"))
	}

	id := aid(a)
	var kb [][]Button
	if !a.Archived() {
		switch {
		case a.LeaderID == r.User.ID:
		case m == nil && a.Policy == mmo.PolicyApproval:
			kb = append(kb, []Button{r.Button(r.T("assoc.request_button"), verbAssocJoin, id)})
		case m == nil:
			kb = append(kb, []Button{r.Button(r.T("assoc.join_button"), verbAssocJoin, id)})
		case m.State == mmo.MemberPending:
			kb = append(kb, []Button{r.Button(r.T("assoc.withdraw_button"), verbAssocLeave, id)})
		default:
			kb = append(kb, []Button{r.Button(r.T("consult.ask_button"), verbAskIn, id)},
				[]Button{r.Button(r.T("assoc.leave_button"), verbAssocLeave, id)})
		}
	}
	if r.canManage(a) {
		// The public link for parents belongs on the card, where a
		// leader looks for it, not two taps down under consultants.
		if a.ConsultToken != "" {
			sb.WriteString("\n\n" + r.T("conv_ask.parents_link", "Link", r.deepLink("q_"+a.ConsultToken)))
		} else if !a.Archived() {
			kb = append(kb, []Button{r.Button(r.T("conv_ask.parents_link_on"), verbConsultLink, id, "on")})
		}
		row := []Button{r.Button(r.T("assoc.members_button"), verbMembers, id, "0")}
		if !a.Archived() {
			row = append(row, r.Button(r.T("assoc.invite_button"), verbInvite, id))
		}
		kb = append(kb, row)
		if v.pending > 0 && !a.Archived() {
			kb = append(kb, []Button{r.Button(r.N("assoc.pending_button", v.pending), verbAssocPending, id)})
		}
		kb = append(kb, []Button{
			r.Button(r.T("assoc.export_xlsx"), verbExport, id, "x"),
			r.Button(r.T("assoc.export_csv"), verbExport, id, "c"),
		}, []Button{r.Button(r.T("assoc.year_sheet"), verbYearSheet, id)},
			[]Button{r.Button(r.T("consult.consultants_button"), verbConsultants, id), r.Button(r.T("consult.export_button"), verbConsultXLSX, id)})
	}
	if r.Role >= mmo.RoleCoordinator {
		if !a.Archived() {
			kb = append(kb,
				[]Button{r.Button(r.T("assoc.edit_button"), verbAssocEdit, id), r.Button(r.T("assoc.leader_button"), verbLeaderMenu, id)},
				[]Button{r.Button(r.T("assoc.log_button"), verbAssocLog, id), r.Button(r.T("assoc.archive_action"), verbAssocArchive, id)})
		} else {
			kb = append(kb, []Button{r.Button(r.T("assoc.log_button"), verbAssocLog, id)})
		}
	}
	kb = append(kb, []Button{r.Button(r.T("assoc.back_to_list"), verbAssocList)})
	return sb.String(), kb, nil
}

// cmdMy lists the user's associations and their role in each.
func (b *Engine) cmdMy(r *Request) error {
	ms, err := r.Tx.UserMemberships(r.User.ID)
	if err != nil {
		return err
	}
	ids := map[uint64]mmo.MembershipState{}
	for _, m := range ms {
		ids[m.AssociationID] = m.State
	}
	for _, id := range r.User.LeaderOf {
		ids[id] = "leader"
	}
	if len(ids) == 0 {
		if r.Role >= mmo.RoleCoordinator {
			r.Reply(r.T("my.coordinator"), r.homeRow())
		} else {
			r.Reply(r.T("my.none"), []Button{r.catalogueButton()}, r.homeRow())
		}
		return nil
	}
	var list []*mmo.Association
	for id := range ids {
		a, err := r.Tx.Association(id)
		if err != nil {
			return err
		}
		list = append(list, a)
	}
	slices.SortFunc(list, func(x, y *mmo.Association) int { return strings.Compare(x.Name, y.Name) })
	var sb strings.Builder
	sb.WriteString(r.T("my.title"))
	var kb [][]Button
	for _, a := range list {
		var role string
		switch ids[a.ID] {
		case "leader":
			role = r.T("my.role_leader")
		case mmo.MemberPending:
			role = r.T("my.role_pending")
		default:
			role = r.T("my.role_member")
		}
		if a.Archived() {
			role += ", " + r.T("my.archived")
		}
		sb.WriteString("\n• " + r.T("my.line", "Name", a.Name, "Role", rawArg(role)))
		kb = append(kb, []Button{r.Button(a.Name, verbAssocCard, aid(a))})
	}
	if r.Role >= mmo.RoleCoordinator {
		sb.WriteString("\n\n" + r.T("my.coordinator"))
	}
	r.Reply(sb.String(), append(kb, r.homeRow())...)
	return nil
}

// managed returns the associations the user runs (all live ones for a
// coordinator), by name.
func (b *Engine) managed(r *Request) ([]*mmo.Association, error) {
	all, err := r.Tx.Associations()
	if err != nil {
		return nil, err
	}
	var out []*mmo.Association
	for _, a := range all {
		if !a.Archived() && r.canManage(a) {
			out = append(out, a)
		}
	}
	return out, nil
}

// choose runs a leader's command on one association: the only one they
// run, or the one they last chose; with several and no choice yet it asks.
// then receives the chosen association.
func (b *Engine) choose(r *Request, command string, then func(*Request, *mmo.Association) error) error {
	list, err := b.managed(r)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		r.Reply(r.T("assoc.none_managed"))
		return nil
	}
	if len(list) == 1 {
		return then(r, list[0])
	}
	for _, a := range list {
		if a.ID == r.User.Current {
			return then(r, a)
		}
	}
	text, kb := chooseRows(r, list, command, 0)
	r.Reply(text, kb...)
	return nil
}

// onChoose takes the choice of association for a command and remembers it.
func (b *Engine) onChoose(r *Request) error {
	a, ok, err := r.association(1)
	if !ok {
		return err
	}
	if !r.canManage(a) {
		return r.notYours()
	}
	r.User.Current = a.ID
	if err := r.SaveUser(); err != nil {
		return err
	}
	switch r.Press.Arg(0) {
	case "members":
		return b.showMembers(r, a, 0)
	case "invite":
		return b.showInvite(r, a)
	case "newevent":
		return b.startEvent(r, a)
	case "plan":
		return b.showPlan(r, a, b.planYear(r.Now), true)
	case "report":
		year, err := b.reportYear(r, a)
		if err != nil {
			return err
		}
		return b.showReport(r, a, year, true)
	}
	return r.stale()
}

// switchButton lets a user who runs several associations pick another one
// for the same command.
func (b *Engine) switchButton(r *Request, command string) []Button {
	list, _ := b.managed(r)
	if len(list) < 2 {
		return nil
	}
	return []Button{r.Button(r.T("assoc.switch_button"), verbSwitch, command)}
}

// onSwitch asks which association to run the command on.
func (b *Engine) onSwitch(r *Request) error {
	list, err := b.managed(r)
	if err != nil {
		return err
	}
	command := r.Press.Arg(0)
	switch command {
	case "members", "invite", "newevent", "plan", "report":
	default:
		return r.stale()
	}
	text, kb := chooseRows(r, list, command, pageArg(r.Press.Arg(1)))
	r.Edit(text, kb...)
	return nil
}

// chooseRows asks which of list to run command on, page at of them.
func chooseRows(r *Request, list []*mmo.Association, command string, at int) (string, [][]Button) {
	kb, p := pickRows(list, at, func(a *mmo.Association) Button {
		return r.Button(a.Name, verbChoose, command, aid(a))
	}, func(label string, at int) Button {
		return r.Button(label, verbSwitch, command, strconv.Itoa(at))
	})
	return r.T(chooseKey(r)) + p.note(r), kb
}

// chooseKey is the question of the association chooser: a coordinator
// works with every association, whether they lead any or not.
func chooseKey(r *Request) string {
	if r.Role >= mmo.RoleCoordinator {
		return "assoc.choose_any"
	}
	return "assoc.choose"
}

// audit records a membership or association change.
func (r *Request) audit(action string, subject int64, a *mmo.Association, note string) error {
	return r.Tx.Audit(boltdb.AuditEntry{Actor: r.User.ID, Action: action, Subject: subject, Association: a.ID, Note: note})
}
