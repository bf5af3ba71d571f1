package boltdb

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// EventView is an event with everything its views show — the leader's
// card, a member's announcement, a reminder — read in one go. The chat
// layer loads it first, decides, writes, and then draws from it, so that
// what draws a view never goes back to the store.
type EventView struct {
	Event       *mmo.Event
	Association *mmo.Association
	// Number is the event's place among the заседания of its school year
	// (mmo.MeetingNumbers), 0 for other events and drafts.
	Number int
	// Members are the association's active members, by name (the one
	// person of ViewOptions.Own, if set).
	Members []Member
	// Answers are the members' answers to the event's current version,
	// and Attendance their marks (the one person's, if Own is set).
	Answers    map[int64]*mmo.RSVP
	Attendance map[int64]*mmo.Attendance
	// Delivery is the announcement's broadcast, nil before it went out.
	Delivery *Broadcast
	// PlanItem is the place (from 1) of the event's item in its year's
	// plan, 0 if it has none; PlanTopic is that item's topic.
	PlanItem  int
	PlanTopic string
	// Sent holds the records found among the keys asked for, and Viewers
	// the users who opened those views (see SentRecord.User).
	Sent    map[string]*SentRecord
	Viewers map[int64]*mmo.User
}

// Member is an active member of an association with its user.
type Member struct {
	Membership *mmo.Membership
	User       *mmo.User
}

// IsMember reports whether uid is an active member of the event's
// association.
func (v *EventView) IsMember(uid int64) bool {
	return slices.ContainsFunc(v.Members, func(m Member) bool { return m.User.ID == uid })
}

// ViewOptions says how an event view is read: the regulation and zone
// that place an event in its school year, and the keys of the sent
// messages to look up.
type ViewOptions struct {
	Regulation mmo.Regulation
	Location   *time.Location
	Sent       []string
	// Own, if not 0, reads the view of one person, for what they alone
	// see (their announcement, a reminder): Members holds them alone, if
	// they are an active member, and Answers and Attendance theirs. The
	// association's other members, thousands in a large one, are not read.
	Own int64
}

// EventView reads the event id and what its views show; mmo.ErrNotFound
// if there is no such event.
func (tx *Tx) EventView(id uint64, o ViewOptions) (*EventView, error) {
	e, err := tx.Event(id)
	if err != nil {
		return nil, err
	}
	a, err := tx.Association(e.AssociationID)
	if err != nil {
		return nil, fmt.Errorf("load association %d of event %d: %w", e.AssociationID, id, err)
	}
	return tx.EventViewOf(e, a, o)
}

// AnswerRSVP takes uid's press of the answer ans to the event id, whose
// button showed the event's version: it reads the event's view as
// EventView does, has mmo.DecideRSVP decide, and when the answer is taken
// stores it and adds it to the view's answers, so that the views drawn
// from the view show it. A refusal (a missing event included, refused as
// gone with a nil view) writes nothing and is no error: it is in the
// decision. The error is the store's own.
func (tx *Tx) AnswerRSVP(id uint64, uid int64, version int, ans mmo.Answer, now time.Time, o ViewOptions) (*EventView, mmo.RSVPDecision, error) {
	if o.Own != 0 {
		o.Own = uid // the view of the one who answers, or they are no member of it
	}
	v, err := tx.EventView(id, o)
	if err != nil && !errors.Is(err, mmo.ErrNotFound) {
		return nil, mmo.RSVPDecision{}, fmt.Errorf("load event %d: %w", id, err)
	}
	var e *mmo.Event // nil: deleted, which the rule refuses
	member := false
	if v != nil {
		e, member = v.Event, v.IsMember(uid)
	}
	d := mmo.DecideRSVP(e, uid, member, version, ans, now)
	if d.RSVP == nil {
		return v, d, nil
	}
	if err := tx.PutRSVP(d.RSVP); err != nil {
		return nil, mmo.RSVPDecision{}, fmt.Errorf("save the answer to event %d: %w", id, err)
	}
	v.Answers[d.RSVP.UserID] = d.RSVP
	return v, d, nil
}

// EventViewOf reads what the views of e, an event of a held in memory
// (perhaps changed and not yet saved), show.
func (tx *Tx) EventViewOf(e *mmo.Event, a *mmo.Association, o ViewOptions) (*EventView, error) {
	v := &EventView{Event: e, Association: a, Sent: map[string]*SentRecord{}, Viewers: map[int64]*mmo.User{}}
	if e.Format == mmo.FormatMeeting && e.State == mmo.EventPublished {
		// Numbers restart each school year, so only that year is read.
		year := o.Regulation.SchoolYearOf(e.Start, o.Location)
		from, to := o.Regulation.YearSpan(year, o.Location)
		events, err := tx.AssociationEventBriefs(e.AssociationID, from, to)
		if err != nil {
			return nil, fmt.Errorf("load the events of association %d: %w", e.AssociationID, err)
		}
		v.Number = mmo.MeetingNumbers(events, o.Regulation, o.Location)[e.ID]
	}
	if o.Own != 0 {
		if err := tx.ownView(v, o.Own); err != nil {
			return nil, err
		}
	} else if err := tx.everyonesView(v); err != nil {
		return nil, err
	}
	if e.Announcement != 0 {
		if bc, err := tx.Broadcast(e.Announcement); err == nil {
			v.Delivery = bc
		}
	}
	if e.PlanItem != 0 {
		if p, err := tx.Plan(a.ID, o.Regulation.SchoolYearOf(e.Start, o.Location)); err == nil {
			for i, it := range p.Items {
				if it.ID == e.PlanItem {
					v.PlanItem, v.PlanTopic = i+1, it.Topic
				}
			}
		}
	}
	for _, key := range o.Sent {
		rec, err := tx.Sent(key)
		if errors.Is(err, mmo.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load the view %s: %w", key, err)
		}
		v.Sent[key] = rec
		if _, ok := v.Viewers[rec.User]; ok || rec.User == 0 {
			continue
		}
		u, err := tx.User(rec.User)
		if errors.Is(err, mmo.ErrNotFound) {
			continue // whoever opened the view is gone
		}
		if err != nil {
			return nil, fmt.Errorf("load user %d: %w", rec.User, err)
		}
		v.Viewers[rec.User] = u
	}
	return v, nil
}

// everyonesView reads the active members of v's association, by name,
// with their answers to its event and their attendance.
func (tx *Tx) everyonesView(v *EventView) error {
	e, a := v.Event, v.Association
	ms, err := tx.Members(a.ID)
	if err != nil {
		return fmt.Errorf("load the members of association %d: %w", a.ID, err)
	}
	for _, m := range ms {
		if m.State != mmo.MemberActive {
			continue
		}
		u, err := tx.User(m.UserID)
		if errors.Is(err, mmo.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("load member %d of association %d: %w", m.UserID, a.ID, err)
		}
		v.Members = append(v.Members, Member{m, u})
	}
	slices.SortFunc(v.Members, func(x, y Member) int { return strings.Compare(x.User.Name, y.User.Name) })
	if v.Answers, err = tx.RSVPs(e); err != nil {
		return fmt.Errorf("load the answers of event %d: %w", e.ID, err)
	}
	if v.Attendance, err = tx.EventAttendance(e.ID); err != nil {
		return fmt.Errorf("load the attendance of event %d: %w", e.ID, err)
	}
	return nil
}

// ownView reads uid into v alone (see ViewOptions.Own): as a member if
// they are an active one, and their answer and attendance.
func (tx *Tx) ownView(v *EventView, uid int64) error {
	e, a := v.Event, v.Association
	v.Answers, v.Attendance = map[int64]*mmo.RSVP{}, map[int64]*mmo.Attendance{}
	m, err := tx.Membership(a.ID, uid)
	switch {
	case errors.Is(err, mmo.ErrNotFound):
	case err != nil:
		return fmt.Errorf("load member %d of association %d: %w", uid, a.ID, err)
	case m.State == mmo.MemberActive:
		u, err := tx.User(uid)
		if err != nil && !errors.Is(err, mmo.ErrNotFound) {
			return fmt.Errorf("load member %d of association %d: %w", uid, a.ID, err)
		}
		if err == nil {
			v.Members = []Member{{m, u}}
		}
	}
	switch ans, err := tx.RSVP(e, uid); {
	case err == nil:
		v.Answers[uid] = ans
	case !errors.Is(err, mmo.ErrNotFound):
		return fmt.Errorf("load the answer of %d to event %d: %w", uid, e.ID, err)
	}
	switch att, err := tx.Attendance(e.ID, uid); {
	case err == nil:
		v.Attendance[uid] = att
	case !errors.Is(err, mmo.ErrNotFound):
		return fmt.Errorf("load the attendance of %d at event %d: %w", uid, e.ID, err)
	}
	return nil
}
