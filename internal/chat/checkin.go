package chat

import (
	"errors"
	"strconv"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
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
			r.reply(r.T("checkin.not_yet", "When", b.dateTimeIn(r.Lang, from)))
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
		r.AskLocation(r.TAsk("checkin.ask_location"), r.T("checkin.location_button"))
		return nil
	}
	if err := r.Tx.PutAttendance(&mmo.Attendance{EventID: e.ID, UserID: r.User.ID, Mark: mmo.MarkPresent, How: how, At: r.Now}); err != nil {
		return err
	}
	title, err := b.eventTitle(r.Tx, r.loc(), e, a)
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
		// Checked in by the code or the link: the "I am here" button
		// of their message can do nothing more.
		r.EditKept(hereKey(e, r.User.ID), done)
	}
	// The leader's card and check-in view, which read every member, are
	// drawn beside the update (see redraw.go).
	r.redrawCard(e.ID)
	r.redrawCheckin(e.ID)
	return nil
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
		// The location button is on the keyboard, where no other button
		// fits: the hint carries the way out.
		r.Reply(r.TAsk(hint), r.cancelButton(d.Nonce))
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
	key := func(u *mmo.User) string { return hereKey(e, u.ID) }
	n, err := b.meetingNumber(r.Tx, e)
	if err != nil {
		return err
	}
	_, err = b.broadcastKept(r, "checkin", e, to, key, func(l loc, u *mmo.User) (string, [][]Button, error) {
		return l.T("conv_meet.here_open", "Title", rawArg(b.title(l, e, a, n)), "Topic", e.Topic),
			[][]Button{{r.Button(l.T("checkin.here_button"), verbCheckinHere, eid(e))}}, nil
	})
	if err != nil {
		return err
	}
	return b.tellLeaderCheckin(r, e, a)
}
