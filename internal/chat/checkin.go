package chat

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// Callback verbs of check-in.
const (
	verbCheckin       = "ck" // the leader's check-in view: eid
	verbCheckinOpen   = "co" // open ("o") or close ("c") by hand: eid, o|c
	verbCheckinRotate = "cr" // a new code and link: eid
	verbCheckinQR     = "cq" // the QR code for the projector: eid
	verbCheckinList   = "cm" // manual marks, a page of members: eid, page
	verbCheckinMember = "cu" // one member's marks: eid, uid
	verbCheckinMark   = "cx" // set a mark by hand: eid, uid, p|a|e
	verbCheckinNote   = "cn" // a note on a member's mark: eid, uid
	verbCheckinGeo    = "cg" // location: eid, "on" | "off" | radius in metres
	verbCheckinSheet  = "cw" // the registration sheet XLSX: eid
	verbCheckinHere   = "ci" // a member's "I am here" button: eid
	verbYearSheet     = "ay" // the year's attendance sheet of an association: aid
	verbCheckinWindow = "cv" // the check-in window: eid [, "b" | "a", minutes]
)

// checkinPage is how many members one page of manual marks shows.
const checkinPage = 10

// ensureCheckin gives an event its code and link token if it has none.
func (r *Request) ensureCheckin(e *mmo.Event) error {
	if e.Checkin.Code != "" && e.Checkin.Token != "" {
		return nil
	}
	return r.rotateCheckin(e)
}

// rotateCheckin replaces the event's code and link; the old ones stop
// working at once.
func (r *Request) rotateCheckin(e *mmo.Event) error {
	code, err := mmo.NewCheckinCode()
	if err != nil {
		return err
	}
	token, err := mmo.NewToken()
	if err != nil {
		return err
	}
	if e.Checkin.Token != "" {
		if err := r.Tx.DeleteCheckinToken(e.Checkin.Token); err != nil {
			return err
		}
	}
	e.Checkin.Code, e.Checkin.Token = code, token
	return r.Tx.PutCheckinToken(token, e.ID)
}

// checkinLink is the deep link members of a messenger open (or scan) to
// check in.
func (b *Engine) checkinLink(messenger string, e *mmo.Event) string {
	return b.transport(messenger).DeepLink("c_" + e.Checkin.Token)
}

// checkIn records that the user is present, if the window is open and
// they belong to the association. At an event that asks for a location,
// the location is asked first.
func (b *Engine) checkIn(r *Request, e *mmo.Event, a *mmo.Association, how mmo.How) error {
	member, err := r.isMember(a)
	if err != nil {
		return err
	}
	att, err := r.Tx.Attendance(e.ID, r.User.ID)
	present := err == nil && att.Mark == mmo.MarkPresent
	if err := mmo.CanCheckIn(e, member, present, r.Now); err != nil {
		from, _ := e.CheckinWindow()
		switch mmo.ErrorCode(err) {
		case mmo.CodeNotMember:
			r.reply(r.T("checkin.not_member", "Name", a.Name))
		case mmo.CodeAlready:
			r.reply(r.T("checkin.already", "Time", b.clock(att.At)))
		case mmo.CodeCancelled:
			r.reply(r.T("checkin.cancelled"))
		case mmo.CodeNotYet:
			r.reply(r.T("checkin.not_yet", "When", b.dateTime(from)))
		default:
			r.reply(r.T("checkin.closed"))
		}
		return nil
	}
	if e.Checkin.RequireLocation && how != mmo.HowLocation {
		d := mmo.NewDialog(mmo.FlowCheckinLocation, "location", r.Now, b.opt.DialogIdle)
		d.Draft["eid"] = eid(e)
		if err := r.PutDialog(d); err != nil {
			return err
		}
		r.AskLocation(r.T("checkin.ask_location"), r.T("checkin.location_button"))
		return nil
	}
	if err := r.Tx.PutAttendance(&mmo.Attendance{EventID: e.ID, UserID: r.User.ID, Mark: mmo.MarkPresent, How: how, At: r.Now}); err != nil {
		return err
	}
	title, err := b.title(r.Tx, r.loc(), e, a)
	if err != nil {
		return err
	}
	done := r.T("checkin.done", "Title", rawArg(title), "Time", b.clock(r.Now))
	if r.Update.Press != nil {
		// The "I am here" message turns into the confirmation.
		r.Answer(r.T("checkin.done_short"), false)
		r.Edit(done)
	} else {
		r.Reply(done)
	}
	return b.refreshCheckinCard(r, e, a)
}

// clock formats a time of day in the deployment's zone.
func (b *Engine) clock(t time.Time) string { return t.In(b.opt.Location).Format("15:04") }

// checkInByCode takes a typed code: it checks the user in at the open
// event of their associations with that code.
func (b *Engine) checkInByCode(r *Request, code string) error {
	r.route = "checkin:code"
	ms, err := r.Tx.UserMemberships(r.User.ID)
	if err != nil {
		return err
	}
	open := false
	for _, m := range ms {
		if m.State != mmo.MemberActive {
			continue
		}
		// Started up to a day ago, or any time ahead: a leader may open
		// check-in early by hand.
		events, err := r.Tx.AssociationEvents(m.AssociationID, r.Now.Add(-24*time.Hour), time.Time{})
		if err != nil {
			return err
		}
		for _, e := range events {
			if !e.CheckinOpen(r.Now) {
				continue
			}
			open = true
			if e.Checkin.Code == code {
				a, err := r.Tx.Association(e.AssociationID)
				if err != nil {
					return err
				}
				return b.checkIn(r, e, a, mmo.HowCode)
			}
		}
	}
	if open {
		r.Reply(r.T("checkin.wrong_code"))
	} else {
		r.Reply(r.T("checkin.no_open"))
	}
	return nil
}

// openCheckinLink checks in through a link or a scanned QR code.
func (b *Engine) openCheckinLink(r *Request, token string) error {
	id, err := r.Tx.CheckinTokenEvent(token)
	if errors.Is(err, mmo.ErrNotFound) {
		r.Reply(r.T("checkin.old_link"))
		return nil
	}
	if err != nil {
		return err
	}
	e, err := r.Tx.Event(id)
	if err != nil || e.Checkin.Token != token {
		r.Reply(r.T("checkin.old_link"))
		return nil
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil {
		return err
	}
	return b.checkIn(r, e, a, mmo.HowLink)
}

// onCheckinHere is the member's "I am here" button.
func (b *Engine) onCheckinHere(r *Request) error {
	e, a, ok, err := r.event(0)
	if !ok {
		return err
	}
	return b.checkIn(r, e, a, mmo.HowButton)
}

// locationFor takes the location a form about an event waits for: without
// one it repeats the hint and keeps waiting; with one it loads the event.
// The form stays open for the caller to end, so a member who was too far
// can come closer and send the location again.
func (r *Request) locationFor(d *mmo.Dialog, hint string) (*Location, *mmo.Event, *mmo.Association, bool, error) {
	loc := r.Update.Location
	if loc == nil {
		r.Reply(r.T(hint))
		return nil, nil, nil, false, nil
	}
	id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
	e, err := r.Tx.Event(id)
	if err != nil {
		r.ReplyClosing(r.T("event.gone"))
		return nil, nil, nil, false, r.EndDialog()
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil {
		return nil, nil, nil, false, err
	}
	return loc, e, a, true, nil
}

// dialogCheckinLocation takes the location a member shares to check in.
func (b *Engine) dialogCheckinLocation(r *Request, d *mmo.Dialog) error {
	loc, e, a, ok, err := r.locationFor(d, "checkin.location_hint")
	if !ok {
		return err
	}
	if dist, ok := e.NearVenue(loc.Latitude, loc.Longitude); !ok {
		// The form and its location button stay for another try.
		r.Reply(r.T("checkin.too_far", "Distance", int(dist), "Radius", e.CheckinRadius()))
		return nil
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	r.ReplyClosing(r.T("checkin.location_got"))
	return b.checkIn(r, e, a, mmo.HowLocation)
}

// checkinCard is the leader's live view of check-in.
func (b *Engine) checkinCard(r *Request, v viewer, e *mmo.Event, a *mmo.Association) (string, [][]Button, error) {
	l := v.l
	title, err := b.title(r.Tx, l, e, a)
	if err != nil {
		return "", nil, err
	}
	members, err := b.activeMembers(r, a)
	if err != nil {
		return "", nil, err
	}
	att, err := r.Tx.EventAttendance(e.ID)
	if err != nil {
		return "", nil, err
	}
	var sb strings.Builder
	sb.WriteString(l.T("checkin.card_title", "Title", rawArg(title)) + "\n" + l.T("event.when", "When", b.when(e, l.lang)) + "\n\n")
	from, until := e.CheckinWindow()
	switch e.CheckinStateAt(r.Now) {
	case mmo.CheckinByHand:
		sb.WriteString(l.T("checkin.state_open_manual"))
	case mmo.CheckinInWindow:
		sb.WriteString(l.T("checkin.state_open", "Until", b.clock(until)))
	case mmo.CheckinLater:
		sb.WriteString(l.T("checkin.state_later", "When", b.dateTime(from)))
	default:
		sb.WriteString(l.T("checkin.state_closed"))
	}
	sb.WriteString("\n" + l.T("checkin.code_line", "Code", e.Checkin.Code))
	sb.WriteString("\n" + l.T("checkin.link_line", "Link", b.checkinLink(v.messenger, e)))
	if e.Checkin.RequireLocation {
		sb.WriteString("\n" + l.T("checkin.geo_on", "Radius", e.CheckinRadius()))
	} else {
		sb.WriteString("\n" + l.T("checkin.geo_off"))
	}
	type row struct {
		name string
		at   *mmo.Attendance
	}
	var present, other []row
	for _, m := range members {
		if x, ok := att[m.u.ID]; ok {
			if x.Mark == mmo.MarkPresent {
				present = append(present, row{m.u.Name, x})
			} else {
				other = append(other, row{m.u.Name, x})
			}
		}
	}
	slices.SortFunc(present, func(x, y row) int { return x.at.At.Compare(y.at.At) })
	sb.WriteString("\n\n" + l.T("checkin.count", "Present", len(present), "Total", len(members)))
	for i, p := range present {
		sb.WriteString("\n" + strconv.Itoa(i+1) + ". " + esc(shortName(p.name)) + " — " + b.clock(p.at.At) + ", " + howText(l, p.at.How))
	}
	for _, o := range other {
		sb.WriteString("\n• " + esc(shortName(o.name)) + " — " + markText(l, o.at.Mark))
		if o.at.Note != "" {
			sb.WriteString(" (" + esc(o.at.Note) + ")")
		}
	}
	id := eid(e)
	kb := [][]Button{
		{r.Button(l.T("checkin.qr_button"), verbCheckinQR, id), r.Button(l.T("checkin.rotate_button"), verbCheckinRotate, id)},
		{r.Button(l.T("checkin.manual_button"), verbCheckinList, id, "0"), r.Button(l.T("checkin.sheet_button"), verbCheckinSheet, id)},
	}
	if e.CheckinAdjustable(r.Now) {
		if e.CheckinOpen(r.Now) {
			kb = append(kb, []Button{r.Button(l.T("checkin.close_button"), verbCheckinOpen, id, "c")})
		} else {
			kb = append(kb, []Button{r.Button(l.T("checkin.open_button"), verbCheckinOpen, id, "o")})
		}
		kb = append(kb, []Button{r.Button(l.T("checkin.window_button"), verbCheckinWindow, id)})
		if e.Checkin.RequireLocation {
			kb = append(kb, []Button{r.Button(l.T("checkin.geo_off_button"), verbCheckinGeo, id, "off")})
		} else if e.Place != "" {
			kb = append(kb, []Button{r.Button(l.T("checkin.geo_on_button"), verbCheckinGeo, id, "on")})
		}
	}
	kb = append(kb, []Button{r.Button(l.T("event.refresh"), verbCheckin, id), r.Button(l.T("event.back_to_event"), verbEvent, id)})
	return sb.String(), kb, nil
}

func howText(l loc, h mmo.How) string {
	switch h {
	case mmo.HowCode:
		return l.T("checkin.how_code")
	case mmo.HowLink:
		return l.T("checkin.how_link")
	case mmo.HowButton:
		return l.T("checkin.how_button")
	case mmo.HowLocation:
		return l.T("checkin.how_location")
	}
	return l.T("checkin.how_manual")
}

func markText(l loc, m mmo.Mark) string {
	switch m {
	case mmo.MarkPresent:
		return l.T("checkin.mark_present")
	case mmo.MarkExcused:
		return l.T("checkin.mark_excused")
	}
	return l.T("checkin.mark_absent")
}

// checkinEvent loads an event for its check-in view: published, run by
// the user.
func (r *Request) checkinEvent() (*mmo.Event, *mmo.Association, bool, error) {
	e, a, ok, err := r.managedEvent(0)
	if !ok {
		return nil, nil, false, err
	}
	if e.State == mmo.EventDraft {
		return nil, nil, false, r.stale()
	}
	return e, a, true, nil
}

// onCheckin opens the leader's check-in view and remembers where, so
// check-ins refresh it.
func (b *Engine) onCheckin(r *Request) error {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return err
	}
	if err := r.ensureCheckin(e); err != nil {
		return err
	}
	if err := r.remember(checkinKey(e)); err != nil {
		return err
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return err
	}
	return b.editCheckinCard(r, e, a)
}

func (b *Engine) editCheckinCard(r *Request, e *mmo.Event, a *mmo.Association) error {
	text, kb, err := b.checkinCard(r, r.viewer(), e, a)
	if err != nil {
		return err
	}
	r.Edit(text, kb...)
	return nil
}

// checkinKey names the leader's open check-in view of an event among the
// messages the bot keeps a handle on.
func checkinKey(e *mmo.Event) string { return "checkin:" + eid(e) }

// refreshCheckinCard queues an edit of the check-in view where it was
// last opened, as the one who opened it sees it.
func (b *Engine) refreshCheckinCard(r *Request, e *mmo.Event, a *mmo.Association) error {
	return b.refresh(r, checkinKey(e), func(v viewer) (string, [][]Button, error) {
		return b.checkinCard(r, v, e, a)
	})
}

// onCheckinOpen opens or closes check-in by hand. Opening sends members
// the "I am here" button.
func (b *Engine) onCheckinOpen(r *Request) error {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return err
	}
	if !e.CheckinAdjustable(r.Now) {
		return r.stale()
	}
	switch r.Press.Arg(1) {
	case "o":
		e.Checkin.Manual = "open"
	case "c":
		e.Checkin.Manual = "closed"
	default:
		return r.stale()
	}
	if e.Checkin.Manual == "open" && !e.Checkin.Announced {
		if err := b.announceCheckin(r, e, a); err != nil {
			return err
		}
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return err
	}
	return b.editCheckinCard(r, e, a)
}

// announceCheckin sends the "I am here" button to the members who did not
// say they would not come. The caller saves the event.
func (b *Engine) announceCheckin(r *Request, e *mmo.Event, a *mmo.Association) error {
	if err := r.ensureCheckin(e); err != nil {
		return err
	}
	e.Checkin.Announced = true
	list, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	answers, err := r.Tx.RSVPs(e)
	if err != nil {
		return err
	}
	users := memberUsers(list)
	to := pickUsers(users, mmo.CheckinInvited(userIDs(users), a.LeaderID, answers))
	_, err = b.broadcast(r, "checkin", e, to, func(l loc, u *mmo.User) (string, [][]Button, error) {
		title, err := b.title(r.Tx, l, e, a)
		if err != nil {
			return "", nil, err
		}
		return l.T("checkin.open_notice", "Title", rawArg(title), "Topic", e.Topic, "When", b.when(e, l.lang)),
			[][]Button{{r.Button(l.T("checkin.here_button"), verbCheckinHere, eid(e))}}, nil
	})
	return err
}

// onCheckinWindow shows or sets when check-in opens and closes by itself
// for one event.
func (b *Engine) onCheckinWindow(r *Request) error {
	e, _, ok, err := r.checkinEvent()
	if !ok {
		return err
	}
	if !e.CheckinAdjustable(r.Now) {
		return r.stale()
	}
	id := eid(e)
	if side := r.Press.Arg(1); side != "" {
		minutes, err := strconv.Atoi(r.Press.Arg(2))
		if err != nil || minutes < 5 || minutes > 12*60 {
			return r.stale()
		}
		d := time.Duration(minutes) * time.Minute
		switch side {
		case "b":
			e.Checkin.Before = d
		case "a":
			e.Checkin.After = d
		default:
			return r.stale()
		}
		if err := r.Tx.PutEvent(e); err != nil {
			return err
		}
		r.Answer(r.T("edit.saved"), false)
	}
	from, until := e.CheckinWindow()
	end := strconv.Itoa(int(e.Duration / time.Minute))
	r.Edit(r.T("checkin.window_title", "From", b.dateTime(from), "Until", b.dateTime(until)),
		[]Button{r.Button(r.T("checkin.window_before", "N", 15), verbCheckinWindow, id, "b", "15"),
			r.Button(r.T("checkin.window_before", "N", 30), verbCheckinWindow, id, "b", "30"),
			r.Button(r.T("checkin.window_before", "N", 60), verbCheckinWindow, id, "b", "60")},
		[]Button{r.Button(r.T("checkin.window_after", "N", 15), verbCheckinWindow, id, "a", "15"),
			r.Button(r.T("checkin.window_after", "N", 30), verbCheckinWindow, id, "a", "30"),
			r.Button(r.T("checkin.window_end"), verbCheckinWindow, id, "a", end)},
		[]Button{r.Button(r.T("checkin.back"), verbCheckin, id)})
	return nil
}

// onCheckinRotate replaces a leaked code and link.
func (b *Engine) onCheckinRotate(r *Request) error {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return err
	}
	if err := r.rotateCheckin(e); err != nil {
		return err
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return err
	}
	r.Answer(r.T("checkin.rotated", "Code", e.Checkin.Code), false)
	return b.editCheckinCard(r, e, a)
}

// onCheckinQR sends the QR code of the check-in link, to show on a screen
// or print.
func (b *Engine) onCheckinQR(r *Request) error {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return err
	}
	if err := r.ensureCheckin(e); err != nil {
		return err
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return err
	}
	png, err := render.QRPNG(b.checkinLink(r.Update.Messenger, e), 1024)
	if err != nil {
		return err
	}
	title, err := b.title(r.Tx, r.loc(), e, a)
	if err != nil {
		return err
	}
	r.ReplyPhoto("checkin-"+eid(e)+".png", png, r.T("checkin.qr_caption", "Title", rawArg(title), "Code", e.Checkin.Code, "Link", b.checkinLink(r.Update.Messenger, e)))
	return nil
}

// onCheckinList shows a page of members to mark by hand.
func (b *Engine) onCheckinList(r *Request) error {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return err
	}
	page, _ := strconv.Atoi(r.Press.Arg(1))
	return b.showMarkList(r, e, a, page)
}

func (b *Engine) showMarkList(r *Request, e *mmo.Event, a *mmo.Association, page int) error {
	members, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	att, err := r.Tx.EventAttendance(e.ID)
	if err != nil {
		return err
	}
	pages := max(1, (len(members)+checkinPage-1)/checkinPage)
	page = min(max(page, 0), pages-1)
	id := eid(e)
	var kb [][]Button
	for i := page * checkinPage; i < min(len(members), (page+1)*checkinPage); i++ {
		m := members[i]
		mark := "—"
		if x, ok := att[m.u.ID]; ok {
			mark = map[mmo.Mark]string{mmo.MarkPresent: "✅", mmo.MarkAbsent: "❌", mmo.MarkExcused: "🟡"}[x.Mark]
		}
		kb = append(kb, []Button{r.Button(mark+" "+strconv.Itoa(i+1)+". "+shortName(m.u.Name), verbCheckinMember, id, itoa(m.u.ID))})
	}
	var nav []Button
	if page > 0 {
		nav = append(nav, r.Button("◀", verbCheckinList, id, strconv.Itoa(page-1)))
	}
	if page < pages-1 {
		nav = append(nav, r.Button("▶", verbCheckinList, id, strconv.Itoa(page+1)))
	}
	if len(nav) > 0 {
		kb = append(kb, nav)
	}
	kb = append(kb, []Button{r.Button(r.T("checkin.back"), verbCheckin, id)})
	r.Edit(r.T("checkin.manual_title", "Page", page+1, "Pages", pages), kb...)
	return nil
}

// markTarget loads the member a manual-mark button is about.
func (r *Request) markTarget() (*mmo.Event, *mmo.Association, *mmo.User, bool, error) {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return nil, nil, nil, false, err
	}
	uid, okID := r.Press.Int(1)
	if !okID {
		return nil, nil, nil, false, r.stale()
	}
	u, err := r.Tx.User(uid)
	if err != nil {
		return nil, nil, nil, false, r.stale()
	}
	if m, err := r.Tx.Membership(a.ID, uid); err != nil || m.State != mmo.MemberActive {
		r.Answer(r.T("members.not_member"), true)
		return nil, nil, nil, false, nil
	}
	return e, a, u, true, nil
}

// onCheckinMember shows the mark buttons for one member.
func (b *Engine) onCheckinMember(r *Request) error {
	e, _, u, ok, err := r.markTarget()
	if !ok {
		return err
	}
	return b.showMember(r, e, u)
}

func (b *Engine) showMember(r *Request, e *mmo.Event, u *mmo.User) error {
	current := r.T("checkin.mark_none")
	if x, err := r.Tx.Attendance(e.ID, u.ID); err == nil {
		current = markText(r.loc(), x.Mark)
		if x.Note != "" {
			current += " (" + esc(x.Note) + ")"
		}
	}
	id, uid := eid(e), itoa(u.ID)
	r.Edit(r.T("checkin.member_title", "Name", u.Name, "Mark", rawArg(current)),
		[]Button{r.Button(r.T("checkin.set_present"), verbCheckinMark, id, uid, "p")},
		[]Button{r.Button(r.T("checkin.set_absent"), verbCheckinMark, id, uid, "a"), r.Button(r.T("checkin.set_excused"), verbCheckinMark, id, uid, "e")},
		[]Button{r.Button(r.T("checkin.note_button"), verbCheckinNote, id, uid)},
		[]Button{r.Button(r.T("checkin.back_list"), verbCheckinList, id, "0")})
	return nil
}

// onCheckinMark sets a mark by hand (for those without a phone, or to
// correct one).
func (b *Engine) onCheckinMark(r *Request) error {
	e, a, u, ok, err := r.markTarget()
	if !ok {
		return err
	}
	mark := map[string]mmo.Mark{"p": mmo.MarkPresent, "a": mmo.MarkAbsent, "e": mmo.MarkExcused}[r.Press.Arg(2)]
	if !mmo.ValidMark(mark) {
		return r.stale()
	}
	x := &mmo.Attendance{EventID: e.ID, UserID: u.ID}
	if old, err := r.Tx.Attendance(e.ID, u.ID); err == nil {
		x = old
	}
	if x.Mark != mark || x.How != mmo.HowManual {
		x.Mark, x.How, x.By = mark, mmo.HowManual, r.User.ID
		if mark != mmo.MarkPresent || x.At.IsZero() {
			x.At = r.Now
		}
	}
	if err := r.Tx.PutAttendance(x); err != nil {
		return err
	}
	r.Answer(r.T("checkin.marked", "Name", shortName(u.Name), "Mark", rawArg(markText(r.loc(), mark))), false)
	if err := b.refreshCheckinCard(r, e, a); err != nil {
		return err
	}
	return b.showMember(r, e, u)
}

// onCheckinNote asks for a note on a member's mark.
func (b *Engine) onCheckinNote(r *Request) error {
	e, _, u, ok, err := r.markTarget()
	if !ok {
		return err
	}
	d := mmo.NewDialog(mmo.FlowAttendanceNote, "note", r.Now, b.opt.DialogIdle)
	d.Draft["eid"], d.Draft["uid"] = eid(e), itoa(u.ID)
	if err := r.PutDialog(d); err != nil {
		return err
	}
	r.Reply(r.T("checkin.ask_note", "Name", u.Name))
	return nil
}

// dialogAttendanceNote takes the note; a member with no mark yet is
// marked absent for a good reason, which is what a note usually explains.
func (b *Engine) dialogAttendanceNote(r *Request, d *mmo.Dialog) error {
	note, err := mmo.ValidateLongText("note", r.Text, 2, 300)
	if err != nil {
		r.Reply(validationMessage(r, err))
		return nil
	}
	id, _ := strconv.ParseUint(d.Draft["eid"], 10, 64)
	uid, _ := strconv.ParseInt(d.Draft["uid"], 10, 64)
	if err := r.EndDialog(); err != nil {
		return err
	}
	e, err := r.Tx.Event(id)
	if err != nil {
		r.Reply(r.T("event.gone"))
		return nil
	}
	a, err := r.Tx.Association(e.AssociationID)
	if err != nil || !r.canManage(a) {
		return r.notYours()
	}
	x := &mmo.Attendance{EventID: id, UserID: uid, Mark: mmo.MarkExcused, How: mmo.HowManual, By: r.User.ID, At: r.Now}
	if old, err := r.Tx.Attendance(id, uid); err == nil {
		x = old
	}
	x.Note = note
	if err := r.Tx.PutAttendance(x); err != nil {
		return err
	}
	r.Reply(r.T("checkin.note_saved"))
	return b.refreshCheckinCard(r, e, a)
}

// onCheckinGeo turns the location requirement on or off. Turning it on
// asks the leader for the venue's location.
func (b *Engine) onCheckinGeo(r *Request) error {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return err
	}
	switch arg := r.Press.Arg(1); arg {
	case "off":
		e.Checkin.RequireLocation = false
		if err := r.Tx.PutEvent(e); err != nil {
			return err
		}
		return b.editCheckinCard(r, e, a)
	case "on":
		d := mmo.NewDialog(mmo.FlowVenue, "venue", r.Now, b.opt.DialogIdle)
		d.Draft["eid"] = eid(e)
		if err := r.PutDialog(d); err != nil {
			return err
		}
		r.AskLocation(r.T("checkin.ask_venue"), r.T("checkin.venue_button"))
		return nil
	default:
		radius, err := strconv.Atoi(arg)
		if err != nil || radius < 50 || radius > 5000 {
			return r.stale()
		}
		e.Checkin.Radius = radius
		if err := r.Tx.PutEvent(e); err != nil {
			return err
		}
		r.Answer(r.T("checkin.radius_set", "Radius", radius), false)
		return b.editCheckinCard(r, e, a)
	}
}

// dialogVenue takes the venue's location from the leader.
func (b *Engine) dialogVenue(r *Request, d *mmo.Dialog) error {
	loc, e, a, ok, err := r.locationFor(d, "checkin.ask_venue")
	if !ok {
		return err
	}
	if err := r.EndDialog(); err != nil {
		return err
	}
	if !r.canManage(a) {
		return r.notYours()
	}
	e.Checkin.RequireLocation, e.Checkin.Lat, e.Checkin.Lon = true, loc.Latitude, loc.Longitude
	if e.Checkin.Radius == 0 {
		e.Checkin.Radius = mmo.DefaultRadius
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return err
	}
	r.ReplyClosing(r.T("checkin.venue_saved"))
	id2 := eid(e)
	r.Reply(r.T("checkin.choose_radius", "Radius", e.Checkin.Radius), []Button{
		r.Button(r.T("date.metres", "N", 100), verbCheckinGeo, id2, "100"), r.Button(r.T("date.metres", "N", 200), verbCheckinGeo, id2, "200"),
		r.Button(r.T("date.metres", "N", 500), verbCheckinGeo, id2, "500"), r.Button(r.T("date.kilometres", "N", 1), verbCheckinGeo, id2, "1000"),
	})
	return b.refreshCheckinCard(r, e, a)
}

// onCheckinSheet sends the event's registration sheet (лист регистрации).
func (b *Engine) onCheckinSheet(r *Request) error {
	e, a, ok, err := r.checkinEvent()
	if !ok {
		return err
	}
	members, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	att, err := r.Tx.EventAttendance(e.ID)
	if err != nil {
		return err
	}
	title, err := b.title(r.Tx, r.loc(), e, a)
	if err != nil {
		return err
	}
	l := r.loc()
	t := render.Table{
		Sheet: l.T("sheet.sheet"),
		Title: l.T("sheet.title"),
		Subtitle: []string{
			plain(title),
			l.T("sheet.topic", "Topic", e.Topic),
			l.T("sheet.when", "When", b.when(e, l.lang)),
		},
		Headers: []string{l.T("export.col_n"), l.T("export.col_name"), l.T("export.col_school"), l.T("export.col_position"),
			l.T("sheet.col_mark"), l.T("sheet.col_time"), l.T("sheet.col_how"), l.T("sheet.col_note")},
	}
	if e.Place != "" {
		t.Subtitle = append(t.Subtitle, l.T("sheet.place", "Place", e.Place))
	}
	present := 0
	for i, m := range members {
		row := []render.Cell{render.Int(i + 1), render.Text(m.u.Name), render.Text(m.u.School), render.Text(m.u.Position)}
		if x, ok := att[m.u.ID]; ok {
			if x.Mark == mmo.MarkPresent {
				present++
			}
			row = append(row, render.Text(markText(l, x.Mark)), render.DateTime(x.At, b.opt.Location), render.Text(howText(l, x.How)), render.Text(x.Note))
		} else {
			row = append(row, render.Text(l.T("checkin.mark_none")), render.Empty(), render.Empty(), render.Empty())
		}
		t.Rows = append(t.Rows, row)
	}
	t.Footer = []string{l.T("sheet.total", "Present", present, "Total", len(members)), l.T("export.generated", "Date", b.dateTime(r.Now))}
	plainTable(&t)
	data, err := render.XLSX(t)
	if err != nil {
		return err
	}
	name := "registration-" + e.Start.In(b.opt.Location).Format("2006-01-02") + "-" + eid(e) + ".xlsx"
	r.ReplyDocument(name, data, l.T("sheet.caption", "Title", rawArg(title)))
	return nil
}

// onYearSheet sends an association's attendance for the school year:
// members by events, with totals and each member's rate.
func (b *Engine) onYearSheet(r *Request) error {
	a, ok, err := r.managed(0)
	if !ok {
		return err
	}
	l := r.loc()
	year := b.opt.Regulation.SchoolYearOf(r.Now, b.opt.Location)
	from, to := b.opt.Regulation.YearSpan(year, b.opt.Location)
	events, err := r.Tx.AssociationEvents(a.ID, from, to)
	if err != nil {
		return err
	}
	var held []*mmo.Event
	for _, e := range events {
		if e.Held(r.Now) {
			held = append(held, e)
		}
	}
	members, err := b.activeMembers(r, a)
	if err != nil {
		return err
	}
	t := render.Table{
		Sheet:    l.T("yearsheet.sheet"),
		Title:    l.T("yearsheet.title", "Name", a.Name),
		Subtitle: []string{l.T("yearsheet.year", "From", year, "To", year+1), l.T("export.generated", "Date", b.dateTime(r.Now))},
		Headers:  []string{l.T("export.col_n"), l.T("export.col_name")},
	}
	perEvent := make([]int, len(held))
	marks := make([]map[int64]*mmo.Attendance, len(held))
	for i, e := range held {
		t.Headers = append(t.Headers, e.Start.In(b.opt.Location).Format("02.01")+" "+formatName(l, e.Format))
		if marks[i], err = r.Tx.EventAttendance(e.ID); err != nil {
			return err
		}
	}
	t.Headers = append(t.Headers, l.T("yearsheet.col_attended"), l.T("yearsheet.col_rate"))
	for n, m := range members {
		row := []render.Cell{render.Int(n + 1), render.Text(m.u.Name)}
		attended := 0
		for i := range held {
			cell := ""
			if x, ok := marks[i][m.u.ID]; ok {
				switch x.Mark {
				case mmo.MarkPresent:
					cell = "+"
					attended++
				case mmo.MarkExcused:
					cell = l.T("yearsheet.excused")
				default:
					cell = l.T("yearsheet.absent")
				}
			}
			row = append(row, render.Text(cell))
		}
		rate := 0.0
		if len(held) > 0 {
			rate = float64(attended) / float64(len(held))
		}
		row = append(row, render.Int(attended), render.Percent(rate))
		t.Rows = append(t.Rows, row)
	}
	// The totals count every presence, also of people who left or deleted
	// their data since: the figures of past events stay true.
	for i := range held {
		for _, x := range marks[i] {
			if x.Mark == mmo.MarkPresent {
				perEvent[i]++
			}
		}
	}
	totals := []render.Cell{render.Empty(), render.Text(l.T("yearsheet.total"))}
	sum := 0
	for _, n := range perEvent {
		totals = append(totals, render.Int(n))
		sum += n
	}
	totals = append(totals, render.Int(sum), render.Empty())
	t.Rows = append(t.Rows, totals)
	t.Footer = []string{l.T("yearsheet.legend")}
	plainTable(&t)
	data, err := render.XLSX(t)
	if err != nil {
		return err
	}
	r.ReplyDocument("attendance-"+aid(a)+"-"+strconv.Itoa(year)+".xlsx", data, l.T("yearsheet.caption", "Name", a.Name, "From", year, "To", year+1))
	r.Answer(r.T("export.sending"), false)
	return nil
}

// dueCheckins sends the "I am here" button of events whose check-in window
// has opened by itself; the due scan finds them.
func (b *Engine) dueCheckins(r *Request, open []*mmo.Event) (bool, error) {
	for _, e := range open {
		a, err := r.Tx.Association(e.AssociationID)
		if err != nil {
			return false, err
		}
		if err := b.announceCheckin(r, e, a); err != nil {
			return false, err
		}
		if err := r.Tx.PutEvent(e); err != nil {
			return false, err
		}
	}
	return len(open) > 0, nil
}
