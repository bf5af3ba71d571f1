package chat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// checkinCard is the leader's live view of check-in.
func (b *Engine) checkinCard(r *Request, v viewer, e *mmo.Event, a *mmo.Association) (string, [][]Button, error) {
	l := v.l
	title, err := b.eventTitle(r.Tx, l, e, a)
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
		sb.WriteString(l.T("checkin.state_later", "When", b.dateTimeIn(l.lang, from)))
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
	total := 0
	for _, m := range members {
		if m.u.ID == a.LeaderID {
			continue // the leader is there: the count is of the members asked, as the answers' is
		}
		total++
		if x, ok := att[m.u.ID]; ok {
			if x.Mark == mmo.MarkPresent {
				present = append(present, row{m.u.Name, x})
			} else {
				other = append(other, row{m.u.Name, x})
			}
		}
	}
	slices.SortFunc(present, func(x, y row) int { return x.at.At.Compare(y.at.At) })
	sb.WriteString("\n\n" + l.T("checkin.count", "Present", len(present), "Total", total))
	head := sb.String()
	// The lists, cut to fit one message in a large association (see
	// fitNames): the first to arrive, and the others' marks.
	text := fitNames(b.transport(v.messenger).MaxText, func(n int) string {
		var sb strings.Builder
		sb.WriteString(head)
		shown, more := firstNames(present, n)
		for i, p := range shown {
			sb.WriteString("\n" + strconv.Itoa(i+1) + ". " + esc(shortName(p.name)) + " — " + b.clock(p.at.At) + ", " + howText(l, p.at.How))
		}
		if more > 0 {
			sb.WriteString("\n… " + l.N("event.more_names", more))
		}
		others, more := firstNames(other, n)
		for _, o := range others {
			sb.WriteString("\n• " + esc(shortName(o.name)) + " — " + markText(l, o.at.Mark))
			if o.at.Note != "" {
				sb.WriteString(" (" + esc(o.at.Note) + ")")
			}
		}
		if more > 0 {
			sb.WriteString("\n… " + l.N("event.more_names", more))
		}
		return sb.String()
	})
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
	return text, kb, nil
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
	case mmo.HowHost:
		return l.T("doc_sheet.how_host")
	case mmo.HowMinutes:
		return l.T("doc_wave3.how_minutes")
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
	if err := r.Tx.PutEvent(e); err != nil {
		return fmt.Errorf("save event %d: %w", e.ID, err)
	}
	return b.editCheckinCard(r, e, a)
}

// editCheckinCard draws the check-in view in place of the pressed message
// and remembers it there, so that check-ins refresh it: whatever the
// leader comes back to it from (the marks list, a member's marks, the
// window's times) was drawn over it and made it forget the message (see
// leftCheckin). Pressed on another message (the radii offered after the
// venue's location), the view moves there, and the one before stays as
// it was. It is drawn by its key, as the drawings beside the check-ins
// are: its edit replaces one of theirs still waiting in the outbox, which
// would otherwise land after it with what it read before.
func (b *Engine) editCheckinCard(r *Request, e *mmo.Event, a *mmo.Association) error {
	if err := r.rememberView(checkinKey(e), cardKey(e)); err != nil {
		return err
	}
	text, kb, err := b.checkinCard(r, r.viewer(), e, a)
	if err != nil {
		return err
	}
	r.EditKept(checkinKey(e), text, kb...)
	return nil
}

// leftCheckin forgets the check-in view's record when the press drew
// something else over its message (the marks list, a member's marks, the
// window's times), so that check-ins, drawn beside the updates, are not
// drawn over what the leader is doing there; coming back to the view
// draws and records it again (editCheckinCard, which draws by the key and
// so edits the pressed message by no other way). The buttons of the view
// and of the screens it leads to must carry the event first: a press of
// one that does not leaves the view's record, and the next check-in draws
// the view over its screen.
func (r *Request) leftCheckin() error {
	if r.Update == nil || !r.pressedEdited() {
		return nil
	}
	p := r.Update.Press
	id, err := strconv.ParseUint(p.Arg(0), 10, 64)
	if err != nil {
		return nil
	}
	key := checkinKeyOf(id)
	rec, err := r.Tx.Sent(key)
	if err != nil {
		return ignoreGone(err)
	}
	if !r.onPressed(rec) {
		return nil
	}
	return r.Tx.DeleteSent(key)
}

// checkinKey names the leader's open check-in view of an event among the
// messages the bot keeps a handle on.
func checkinKey(e *mmo.Event) string { return checkinKeyOf(e.ID) }

func checkinKeyOf(id uint64) string { return "checkin:" + strconv.FormatUint(id, 10) }

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
	switch {
	case e.Checkin.Manual == "open" && !e.Checkin.Announced:
		if err := b.announceCheckin(r, e, a); err != nil {
			return err
		}
	case e.Checkin.Manual == "open" && e.Checkin.HereClosed:
		// Opened again: the "I am here" buttons come back.
		e.Checkin.HereClosed = false
		if err := b.editHere(r, e, a, true); err != nil {
			return err
		}
	case e.Checkin.Manual == "closed" && e.Checkin.Announced && !e.Checkin.HereClosed:
		if err := b.closeHere(r, e, a); err != nil {
			return err
		}
	}
	if err := r.Tx.PutEvent(e); err != nil {
		return fmt.Errorf("save event %d: %w", e.ID, err)
	}
	// The event's card, if open in another message, follows.
	if err := b.refreshLeaderCard(r, e, a); err != nil {
		return err
	}
	return b.editCheckinCard(r, e, a)
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
		if err != nil || minutes < 5 || time.Duration(minutes)*time.Minute > mmo.MaxCheckinShift {
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
			return fmt.Errorf("save event %d: %w", e.ID, err)
		}
		r.Answer(r.T("edit.saved"), false)
	}
	from, until := e.CheckinWindow()
	end := strconv.Itoa(int(e.Duration / time.Minute))
	r.Edit(r.T("checkin.window_title", "From", b.dateTimeIn(r.Lang, from), "Until", b.dateTimeIn(r.Lang, until)),
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
		return fmt.Errorf("save event %d: %w", e.ID, err)
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
		return fmt.Errorf("save event %d: %w", e.ID, err)
	}
	png, err := render.QRPNG(b.checkinLink(r.Update.Messenger, e), 1024)
	if err != nil {
		return err
	}
	title, err := b.eventTitle(r.Tx, r.loc(), e, a)
	if err != nil {
		return err
	}
	r.ReplyPhoto("checkin-"+eid(e)+".png", png, r.T("checkin.qr_caption", "Title", rawArg(title), "Code", e.Checkin.Code, "Link", b.checkinLink(r.Update.Messenger, e)))
	return nil
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
			return fmt.Errorf("save event %d: %w", e.ID, err)
		}
		return b.editCheckinCard(r, e, a)
	case "on":
		d := mmo.NewDialog(mmo.FlowVenue, "venue", r.Now, b.opt.DialogIdle)
		d.Draft["eid"] = eid(e)
		if err := r.PutDialog(d); err != nil {
			return err
		}
		r.AskLocation(r.TAsk("checkin.ask_venue"), r.T("checkin.venue_button"))
		return nil
	default:
		radius, err := strconv.Atoi(arg)
		if err != nil || radius < 50 || radius > 5000 {
			return r.stale()
		}
		e.Checkin.Radius = radius
		if err := r.Tx.PutEvent(e); err != nil {
			return fmt.Errorf("save event %d: %w", e.ID, err)
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
		return fmt.Errorf("save event %d: %w", e.ID, err)
	}
	r.ReplyClosing(r.T("checkin.venue_saved"))
	id2 := eid(e)
	r.Reply(r.T("checkin.choose_radius", "Radius", e.Checkin.Radius), []Button{
		r.Button(r.T("date.metres", "N", 100), verbCheckinGeo, id2, "100"), r.Button(r.T("date.metres", "N", 200), verbCheckinGeo, id2, "200"),
		r.Button(r.T("date.metres", "N", 500), verbCheckinGeo, id2, "500"), r.Button(r.T("date.kilometres", "N", 1), verbCheckinGeo, id2, "1000"),
	})
	r.redrawCheckin(e.ID)
	return nil
}
