package chat

import (
	"slices"
	"strconv"
	"strings"

	"github.com/mmobot/mmobot/internal/mmo"
)

// verbHome opens a section of the home screen: the name of the command
// it stands for. The home screen is where /start of a known user, /help
// and any text the bot does not understand lead: people tap, they do not
// learn commands.
const verbHome = "hm"

// homeEntry is a button of the home screen: the command it opens and the
// lowest role that sees it.
type homeEntry struct {
	cmd   string
	role  mmo.Role
	label string
}

// homeEntries are the home screen's buttons in order; two to a row.
var homeEntries = []homeEntry{
	{"meetings", mmo.RoleMember, "conv_home.meetings"},
	{"ask", mmo.RoleMember, "conv_home.ask"},
	{"my", mmo.RoleMember, "conv_home.my"},
	{"news", mmo.RoleMember, "news.button"}, // the news list itself (NewsButton)
	{"settings", mmo.RoleMember, "conv_home.settings"},
	{"newevent", mmo.RoleLeader, "conv_home.newevent"},
	{"members", mmo.RoleLeader, "conv_home.members"},
	{"plan", mmo.RoleLeader, "conv_home.plan"},
	{"report", mmo.RoleLeader, "conv_home.report"},
	{"requests", mmo.RoleLeader, "conv_home.requests"},
	{"overview", mmo.RoleCoordinator, "conv_home.overview"},
	{"associations", mmo.RoleCoordinator, "conv_home.associations"},
	{"waiting", mmo.RoleCoordinator, "conv_home.waiting"},
	// MAX has one command menu per bot, which shows the members'
	// commands: leaders and coordinators reach the rest of theirs here.
	{"survey", mmo.RoleLeader, "max_wave3.home_survey"},
	{"announce", mmo.RoleLeader, "max_wave3.home_announce"},
	{"coordinators", mmo.RoleAdmin, "max_wave3.home_coordinators"},
}

// homeForCoordinators are the leader's entries a coordinator who leads
// nothing sees too: surveys and announcements are theirs as well.
var homeForCoordinators = map[string]bool{"survey": true, "announce": true}

// homeRow is the «🏠 Домой» row that ends a screen with nowhere else to
// go: the home screen opens below it.
func (r *Request) homeRow() []Button {
	return []Button{r.Button(r.T("conv_forms2.home"), verbHome)}
}

// homeRows are the home row for those who have a home (members and up,
// and parents), none for a newcomer, who has none before registering:
// for a message that ends what the user was doing, «Отменено» say.
func (r *Request) homeRows() [][]Button {
	if r.Role >= mmo.RoleMember || r.User.Parent() {
		return [][]Button{r.homeRow()}
	}
	return nil
}

// homeButtons are the buttons of the home screen for the user's role. A
// member who leads nothing sees no leader's buttons, a coordinator no
// leader's buttons unless they lead an association too.
func (b *Engine) homeButtons(r *Request) [][]Button {
	var flat []Button
	leads := len(r.User.LeaderOf) > 0
	for _, e := range homeEntries {
		if r.Role < e.role {
			continue
		}
		if e.role == mmo.RoleLeader && r.Role > mmo.RoleLeader && !leads && !homeForCoordinators[e.cmd] {
			continue // a coordinator reaches these through the association
		}
		if e.cmd == "ask" && r.Role >= mmo.RoleLeader {
			continue // leaders answer questions; they reach requests instead
		}
		if e.cmd == "news" {
			flat = append(flat, r.NewsButton())
			continue
		}
		flat = append(flat, r.Button(r.T(e.label), verbHome, e.cmd))
	}
	var kb [][]Button
	if r.Role < mmo.RoleCoordinator && r.Role >= mmo.RoleMember {
		// Someone in no association yet has nothing to do here before
		// joining one: the catalogue comes first.
		if names, err := b.myAssociationNames(r); err == nil && len(names) == 0 {
			kb = append(kb, []Button{r.catalogueButton()})
		}
	}
	for i := 0; i < len(flat); i += 2 {
		kb = append(kb, flat[i:min(i+2, len(flat))])
	}
	return kb
}

// catalogueButton opens the catalogue of associations, where a teacher in
// none yet finds and joins her own.
func (r *Request) catalogueButton() Button {
	return r.Button(r.T("find_association.button"), verbHome, "associations")
}

// homeText is the one or two lines above the home screen's buttons: who
// the user is here, and the associations they are in.
func (b *Engine) homeText(r *Request, lead string) (string, error) {
	var sb strings.Builder
	if lead != "" {
		sb.WriteString(lead + "\n\n")
	}
	sb.WriteString(r.T("conv_home.title"))
	names, err := b.myAssociationNames(r)
	if err != nil {
		return "", err
	}
	switch {
	case len(names) > 0:
		sb.WriteString("\n" + r.T("conv_home.in", "Names", strings.Join(names, ", ")))
	case r.Role >= mmo.RoleCoordinator:
		sb.WriteString("\n" + r.T("conv_home.coordinator"))
	default:
		sb.WriteString("\n" + r.T("conv_home.no_association"))
	}
	return sb.String(), nil
}

// myAssociationNames are the names of the associations the user is an
// active member or the leader of, sorted.
func (b *Engine) myAssociationNames(r *Request) ([]string, error) {
	ms, err := r.Tx.UserMemberships(r.User.ID)
	if err != nil {
		return nil, err
	}
	ids := map[uint64]bool{}
	for _, m := range ms {
		if m.State == mmo.MemberActive {
			ids[m.AssociationID] = true
		}
	}
	for _, id := range r.User.LeaderOf {
		ids[id] = true
	}
	var names []string
	for id := range ids {
		a, err := r.Tx.Association(id)
		if err != nil || a.Archived() {
			continue
		}
		names = append(names, a.Name)
	}
	slices.Sort(names)
	return names, nil
}

// showHome sends the home screen, after lead if given.
func (b *Engine) showHome(r *Request, lead string) error {
	text, err := b.homeText(r, lead)
	if err != nil {
		return err
	}
	r.Reply(text, b.homeButtons(r)...)
	return nil
}

// onHome opens a section of the home screen as if its command had been
// typed: the same role check, and a half-filled form is left behind.
func (b *Engine) onHome(r *Request) error {
	cmd := r.Press.Arg(0)
	if r.Role < mmo.RoleMember {
		// A parent's «🏠 Домой» (under her requests) is her own home; a
		// newcomer has none before registering.
		if r.User.Parent() && cmd == "" {
			return b.showParentHome(r, "")
		}
		r.Answer(r.T(refusal(r.Role)), true)
		return nil
	}
	if cmd == "" {
		return b.showHome(r, "")
	}
	if cmd == "waiting" {
		if r.Role < mmo.RoleCoordinator {
			r.Answer(r.T("error.forbidden"), true)
			return nil
		}
		return b.showWaiting(r)
	}
	rt, ok := b.routes.commands[cmd]
	if !ok || !slices.ContainsFunc(homeEntries, func(e homeEntry) bool { return e.cmd == cmd }) {
		return r.stale()
	}
	if r.Role < rt.role {
		r.Answer(r.T(refusal(r.Role)), true)
		return nil
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	r.Command, r.Args = cmd, ""
	// The section opens in a message of its own, below the home screen,
	// which stays for the next tap.
	press := r.Update.Press
	r.Update.Press = nil
	defer func() { r.Update.Press = press }()
	return rt.fn(r)
}

// showWaiting lists the plans and reports the coordinator has to decide
// on, each a button that opens it.
func (b *Engine) showWaiting(r *Request) error {
	rows, err := b.overview(r, false)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(r.T("conv_home.waiting_title"))
	var kb [][]Button
	for _, row := range rows {
		id := aid(row.a)
		if row.plan == mmo.DocSubmitted {
			sb.WriteString("\n• " + r.T("conv_home.waiting_plan", "Name", row.a.Name))
			kb = append(kb, []Button{r.Button(r.T("conv_home.waiting_plan_button", "Name", row.a.Name), verbPlan, id, strconv.Itoa(row.planYear))})
		}
		if row.report == mmo.DocSubmitted {
			sb.WriteString("\n• " + r.T("conv_home.waiting_report", "Name", row.a.Name))
			kb = append(kb, []Button{r.Button(r.T("conv_home.waiting_report_button", "Name", row.a.Name), verbReport, id, strconv.Itoa(row.repYear))})
		}
	}
	if len(kb) == 0 {
		sb.WriteString("\n" + r.T("conv_home.waiting_none"))
	}
	r.Reply(sb.String(), append(kb, r.homeRow())...)
	return nil
}
