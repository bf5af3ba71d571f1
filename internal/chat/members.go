package chat

import (
	"cmp"
	"errors"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// Callback verbs of a leader's work with members.
const (
	verbMembers = "am" // the member list: aid, page
	verbRemove  = "ar" // remove a member (asks the reason): aid, uid
	verbExport  = "ax" // export the list: aid, "x" (XLSX) or "c" (CSV)
	verbInvite  = "ai" // the invitation link: aid [, "n" new | "r" revoke | "q" QR code]
	verbSwitch  = "sw" // pick another association for a command: command
)

// membersPage is how many members one page of the list shows.
const membersPage = 10

// esc escapes user text for HTML messages.
func esc(s string) string { return html.EscapeString(s) }

// date formats a time as a date in the deployment's time zone.
func (b *Engine) date(t time.Time) string { return t.In(b.opt.Location).Format("02.01.2006") }

// dateIn formats a date for a reader of lang: «03.12.2026» in Russian,
// «3 Dec 2026» in English, where «03.12» reads as the 12th of March.
func (b *Engine) dateIn(lang string, t time.Time) string {
	if lang == "en" {
		return t.In(b.opt.Location).Format("2 Jan 2006")
	}
	return b.date(t)
}

// dateTimeIn is dateIn with the time of day.
func (b *Engine) dateTimeIn(lang string, t time.Time) string {
	if lang == "en" {
		return t.In(b.opt.Location).Format("2 Jan 2006 15:04")
	}
	return b.dateTime(t)
}

// dateTime formats a time with minutes in the deployment's time zone.
func (b *Engine) dateTime(t time.Time) string {
	return t.In(b.opt.Location).Format("02.01.2006 15:04")
}

// member is an active member with their profile.
type member struct {
	m *mmo.Membership
	u *mmo.User
}

// activeMembers returns the active members of an association, by name.
func (b *Engine) activeMembers(r *Request, a *mmo.Association) ([]member, error) {
	ms, err := r.Tx.Members(a.ID)
	if err != nil {
		return nil, fmt.Errorf("load the members of association %d: %w", a.ID, err)
	}
	var out []member
	for _, m := range ms {
		if m.State != mmo.MemberActive {
			continue
		}
		u, err := r.Tx.User(m.UserID)
		if errors.Is(err, mmo.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load member %d of association %d: %w", m.UserID, a.ID, err)
		}
		out = append(out, member{m, u})
	}
	// Namesakes in the order they were registered, so that a page of a
	// list keeps its rows from one drawing to the next.
	slices.SortFunc(out, func(x, y member) int {
		return cmp.Or(strings.Compare(x.u.Name, y.u.Name), cmp.Compare(x.u.ID, y.u.ID))
	})
	return out, nil
}

// cmdMembers shows the member list of the association the leader runs.
func (b *Engine) cmdMembers(r *Request) error {
	return b.choose(r, "members", func(r *Request, a *mmo.Association) error { return b.showMembers(r, a, 0) })
}

func (b *Engine) onMembers(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	page, _ := strconv.Atoi(r.Press.Arg(1))
	return b.showMembers(r, a, page)
}

// showMembers renders one page of the member list with a remove button
// for each member on it.
func (b *Engine) showMembers(r *Request, a *mmo.Association, page int) error {
	list, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	pages := max(1, (len(list)+membersPage-1)/membersPage)
	page = min(max(page, 0), pages-1)
	var sb strings.Builder
	sb.WriteString(r.T("members.title", "Name", a.Name) + " — " + r.N("count.members", len(list)))
	if pages > 1 {
		sb.WriteString(" " + r.T("members.page", "Page", page+1, "Pages", pages))
	}
	sb.WriteString("\n")
	if len(list) == 0 {
		sb.WriteString("\n" + r.T("members.empty"))
	}
	id := aid(a)
	var kb [][]Button
	var row []Button
	for i := page * membersPage; i < min(len(list), (page+1)*membersPage); i++ {
		m := list[i]
		school := m.u.School
		if m.u.SchoolOther && r.Role >= mmo.RoleCoordinator {
			// Typed by hand, not from the city's list: for the
			// coordinator to check before it splits an export.
			school += " (" + r.T("conv_school.other_mark") + ")"
		}
		line := r.T("members.line", "N", i+1, "Name", m.u.Name, "School", school, "Position", m.u.Position, "Date", b.dateIn(r.Lang, m.m.JoinedAt))
		if m.u.ID == a.LeaderID {
			line += " " + r.T("members.leader_mark")
		}
		sb.WriteString("\n" + line)
		if a.Archived() || m.u.ID == a.LeaderID {
			continue
		}
		row = append(row, r.Button(r.T("members.remove_button", "N", i+1, "Name", shortName(m.u.Name)), verbRemove, id, itoa(m.u.ID)))
		if len(row) == 2 {
			kb = append(kb, row)
			row = nil
		}
	}
	if len(row) > 0 {
		kb = append(kb, row)
	}
	var nav []Button
	if page > 0 {
		nav = append(nav, r.Button("◀", verbMembers, id, strconv.Itoa(page-1)))
	}
	if page < pages-1 {
		nav = append(nav, r.Button("▶", verbMembers, id, strconv.Itoa(page+1)))
	}
	if len(nav) > 0 {
		kb = append(kb, nav)
	}
	kb = append(kb, []Button{
		r.Button(r.T("assoc.export_xlsx"), verbExport, id, "x"),
		r.Button(r.T("assoc.export_csv"), verbExport, id, "c"),
	})
	if sw := b.switchButton(r, "members"); sw != nil {
		kb = append(kb, sw)
	}
	kb = append(kb, []Button{r.Button(r.T("assoc.back_to_card"), verbAssocCard, id)})
	r.Edit(sb.String(), kb...)
	return nil
}

// shortName turns "Иванова Мария Петровна" into "Иванова М. П." for
// buttons, which are narrow.
func shortName(name string) string {
	words := strings.Fields(name)
	if len(words) < 2 {
		return name
	}
	out := words[0]
	for _, w := range words[1:] {
		out += " " + string([]rune(w)[0]) + "."
	}
	return out
}

// onRemove asks the leader for the reason to remove a member; the removal
// happens when the reason is given.
func (b *Engine) onRemove(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	uid, okID := r.Press.Int(1)
	if !okID {
		return r.stale()
	}
	m, err := r.Tx.Membership(a.ID, uid)
	if errors.Is(err, mmo.ErrNotFound) || err == nil && m.State != mmo.MemberActive {
		r.Answer(r.T("members.not_member"), true)
		return nil
	}
	if err != nil {
		return err
	}
	if uid == a.LeaderID {
		r.Answer(r.T("members.cannot_remove_leader"), true)
		return nil
	}
	u, err := r.Tx.User(uid)
	if err != nil {
		return r.stale()
	}
	d := mmo.NewDialog(mmo.FlowRemoveMember, mmo.FieldReason, r.Now, b.opt.DialogIdle)
	d.Draft["aid"] = aid(a)
	d.Draft["uid"] = itoa(uid)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(r.T("members.ask_reason", "Name", u.Name, "Association", a.Name), r.cancelButton(d.Nonce))
	return nil
}

// dialogRemove takes the reason and removes the member; they are told why.
func (b *Engine) dialogRemove(r *Request, d *mmo.Dialog) error {
	if r.Text == "" {
		r.Reply(r.T("dialog.text_expected"))
		return nil
	}
	reason, err := mmo.ValidateAssocField(mmo.FieldReason, r.Text)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	id, _ := strconv.ParseUint(d.Draft["aid"], 10, 64)
	uid, _ := strconv.ParseInt(d.Draft["uid"], 10, 64)
	if err := r.EndDialog(); err != nil {
		return err
	}
	a, err := r.Tx.Association(id)
	if err != nil {
		r.Reply(r.T("members.not_member"))
		return nil
	}
	if !r.canManage(a) { // the right may have gone while the reason was typed
		return r.notYours()
	}
	m, err := r.Tx.Membership(a.ID, uid)
	u, uerr := r.Tx.User(uid)
	if err != nil || uerr != nil || m.State != mmo.MemberActive {
		r.Reply(r.T("members.not_member"))
		return nil
	}
	before, _, err := r.Tx.CountMembers(a.ID)
	if err != nil {
		return err
	}
	if err := r.Tx.DeleteMembership(a.ID, uid); err != nil {
		return fmt.Errorf("remove user %d from association %d: %w", uid, a.ID, err)
	}
	if err := r.audit("member.remove", uid, a, reason); err != nil {
		return err
	}
	r.Reply(r.T("members.removed", "Name", u.Name, "Association", a.Name))
	r.notify(u, "members.you_removed", "Association", a.Name, "Reason", reason)
	return b.checkThreshold(r, a, before, before-1)
}

// onExport sends the member list as an XLSX or CSV file.
func (b *Engine) onExport(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	list, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	v, err := b.view(r.Tx, a)
	if err != nil {
		return err
	}
	leader := r.T("assoc.no_leader_plain")
	if v.leader != nil {
		leader = v.leader.Name
	}
	t := render.Table{
		Sheet: r.T("export.sheet"),
		Title: r.T("export.title", "Name", a.Name),
		Subtitle: []string{
			r.T("export.subject", "Subject", a.Subject),
			r.T("export.leader", "Leader", leader),
			r.T("export.generated", "Date", b.dateTime(r.Now)),
		},
		Headers: []string{r.T("export.col_n"), r.T("export.col_name"), r.T("export.col_school"), r.T("export.col_position"), r.T("export.col_joined")},
		Footer:  []string{r.N("export.total", len(list))},
	}
	for i, m := range list {
		t.Rows = append(t.Rows, []render.Cell{
			render.Int(i + 1), render.Text(m.u.Name), render.Text(m.u.School), render.Text(m.u.Position),
			render.Date(m.m.JoinedAt, b.opt.Location),
		})
	}
	// Templates escape their arguments for HTML; a file wants plain text.
	plainTable(&t)
	name := docFileName(r.T("doc_wave3.members_file", "Name", mmo.OfficialName(a.Name), "Date", b.date(r.Now)))
	var data []byte
	if r.Press.Arg(1) == "c" {
		data, err = render.CSV(t)
		name += ".csv"
	} else {
		data, err = render.XLSX(t)
		name += ".xlsx"
	}
	if err != nil {
		return err
	}
	r.ReplyDocument(name, data, r.T("export.caption", "Name", a.Name, "Members", rawArg(r.N("count.members", len(list)))))
	r.Answer(r.T("export.sending"), false)
	return nil
}

// cmdInvite shows the invitation link of the association the leader runs.
func (b *Engine) cmdInvite(r *Request) error {
	return b.choose(r, "invite", func(r *Request, a *mmo.Association) error { return b.showInvite(r, a) })
}

// inviteLink is the deep link of an invitation, in the messenger of the
// request.
func (r *Request) inviteLink(inv *mmo.Invite) string { return r.deepLink(inv.Payload()) }

// showInvite shows the current member invitation with its actions.
func (b *Engine) showInvite(r *Request, a *mmo.Association) error {
	id := aid(a)
	var text string
	var kb [][]Button
	inv, err := b.currentInvite(r, a)
	if err != nil {
		return err
	}
	if inv == nil {
		text = r.T("invite.none", "Name", a.Name)
		kb = append(kb, []Button{r.Button(r.T("invite.create_button"), verbInvite, id, "n")})
	} else {
		validity := r.T("invite.forever")
		if !inv.ExpiresAt.IsZero() {
			validity = r.T("invite.until", "Date", b.dateTime(inv.ExpiresAt))
		}
		policy := r.T("invite.policy_open")
		if a.Policy == mmo.PolicyApproval {
			policy = r.T("invite.policy_approval")
		}
		text = r.T("invite.view", "Name", a.Name, "Link", r.inviteLink(inv), "Validity", rawArg(validity), "Policy", rawArg(policy)) +
			r.otherLinks(inv.Payload())
		kb = append(kb,
			[]Button{r.Button(r.T("invite.qr_button"), verbInvite, id, "q")},
			[]Button{r.Button(r.T("invite.new_button"), verbInvite, id, "n"), r.Button(r.T("invite.revoke_button"), verbInvite, id, "r")})
	}
	if sw := b.switchButton(r, "invite"); sw != nil {
		kb = append(kb, sw)
	}
	kb = append(kb, []Button{r.Button(r.T("assoc.back_to_card"), verbAssocCard, id)})
	r.Edit(text, kb...)
	return nil
}

// currentInvite returns the association's live member invitation, or nil.
func (b *Engine) currentInvite(r *Request, a *mmo.Association) (*mmo.Invite, error) {
	if a.InviteToken == "" {
		return nil, nil
	}
	inv, err := r.Tx.Invite(a.InviteToken)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if inv.Check(r.Now) != nil {
		return nil, nil
	}
	return inv, nil
}

// onInvite shows, renews, revokes the invitation link, or sends its QR
// code.
func (b *Engine) onInvite(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	if a.Archived() {
		r.Answer(r.T("assoc.archived_no_join", "Name", a.Name), true)
		return nil
	}
	switch r.Press.Arg(1) {
	case "":
	case "n":
		if err := b.revokeInvite(r, a); err != nil {
			return err
		}
		inv, err := mmo.NewInvite(mmo.InviteMember, a.ID, r.User.ID, r.Now, b.opt.MemberLinkTTL)
		if err != nil {
			return err
		}
		if err := r.Tx.PutInvite(&inv); err != nil {
			return err
		}
		a.InviteToken = inv.Token
		if err := r.Tx.PutAssociation(a); err != nil {
			return fmt.Errorf("save association %d: %w", a.ID, err)
		}
		if err := r.audit("invitation.new", 0, a, ""); err != nil {
			return err
		}
		r.Answer(r.T("invite.created"), false)
	case "r":
		if err := b.revokeInvite(r, a); err != nil {
			return err
		}
		a.InviteToken = ""
		if err := r.Tx.PutAssociation(a); err != nil {
			return fmt.Errorf("save association %d: %w", a.ID, err)
		}
		if err := r.audit("invitation.revoke", 0, a, ""); err != nil {
			return err
		}
		r.Answer(r.T("invite.revoked"), false)
	case "q":
		inv, err := b.currentInvite(r, a)
		if err != nil {
			return err
		}
		if inv == nil {
			return r.stale()
		}
		png, err := render.QRPNG(r.inviteLink(inv), 1024)
		if err != nil {
			return err
		}
		r.ReplyPhoto("invite-"+aid(a)+".png", png, r.T("invite.qr_caption", "Name", a.Name, "Link", r.inviteLink(inv)))
		return nil
	default:
		return r.stale()
	}
	return b.showInvite(r, a)
}

// revokeInvite marks the association's current member invitation revoked,
// so its link answers "revoked" rather than "unknown".
func (b *Engine) revokeInvite(r *Request, a *mmo.Association) error {
	if a.InviteToken == "" {
		return nil
	}
	inv, err := r.Tx.Invite(a.InviteToken)
	if errors.Is(err, mmo.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if inv.RevokedAt.IsZero() {
		inv.RevokedAt = r.Now
		return r.Tx.PutInvite(inv)
	}
	return nil
}

// linkInvite loads and checks the invitation of a deep link, answering the
// user when it cannot be used.
func (b *Engine) linkInvite(r *Request, kind mmo.InviteKind, token string) (*mmo.Invite, *mmo.Association, bool, error) {
	inv, err := r.Tx.Invite(token)
	if errors.Is(err, mmo.ErrNotFound) || err == nil && inv.Kind != kind {
		r.Reply(r.T("link.invalid"))
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	a, err := r.Tx.Association(inv.AssociationID)
	if err != nil {
		r.Reply(r.T("link.invalid"))
		return nil, nil, false, nil
	}
	if err := inv.Check(r.Now); err != nil {
		switch mmo.ErrorCode(err) {
		case mmo.CodeExpired:
			r.Reply(r.T("link.expired", "Name", a.Name))
		case mmo.CodeUsed:
			r.Reply(r.T("link.used", "Name", a.Name))
		default:
			r.Reply(r.T("link.revoked", "Name", a.Name))
		}
		return nil, nil, false, nil
	}
	if a.Archived() {
		r.Reply(r.T("assoc.archived_no_join", "Name", a.Name))
		return nil, nil, false, nil
	}
	return inv, a, true, nil
}

// openMemberInvite joins the user through an invitation link.
func (b *Engine) openMemberInvite(r *Request, token string) error {
	_, a, ok, err := b.linkInvite(r, mmo.InviteMember, token)
	if !ok {
		return err
	}
	if a.LeaderID == r.User.ID {
		r.Reply(r.T("assoc.you_lead_it", "Name", a.Name))
		return nil
	}
	return b.join(r, a, "link")
}
