package mmo

import (
	"slices"
	"time"
)

// ConsultStatus is where a consultation request is in its life.
type ConsultStatus string

// Statuses: new → in progress → answered → closed.
const (
	ConsultNew      ConsultStatus = "new"
	ConsultProgress ConsultStatus = "progress" // taken by a consultant
	ConsultAnswered ConsultStatus = "answered" // the consultant replied; the asker may follow up
	ConsultClosed   ConsultStatus = "closed"
)

// ConsultForm is how the asker prefers to get the answer.
type ConsultForm string

// Preferred forms.
const (
	FormChat    ConsultForm = "chat"
	FormPhone   ConsultForm = "phone"
	FormMeeting ConsultForm = "meeting"
)

// Attachment is a file or photo sent with a question or a reply; the bot
// keeps Telegram's file id and relays the file by it.
type Attachment struct {
	Kind   string `json:"kind"` // "document" or "photo"
	FileID string `json:"file_id"`
	Name   string `json:"name,omitempty"`
	// Messenger is the messenger FileID belongs to; "" for Telegram, as
	// files were before there were others.
	Messenger string `json:"messenger,omitempty"`
}

// Consultation is a request for a consultation to an association.
type Consultation struct {
	ID            uint64        `json:"id"`
	AssociationID uint64        `json:"association_id"`
	AskerID       int64         `json:"asker_id"`
	Member        bool          `json:"member"` // asked as a member (else through the public link)
	Category      string        `json:"category"`
	Question      string        `json:"question"`
	Attachments   []Attachment  `json:"attachments,omitempty"`
	Form          ConsultForm   `json:"form"`
	Phone         string        `json:"phone,omitempty"` // shared by the asker for a call
	Status        ConsultStatus `json:"status"`
	AssigneeID    int64         `json:"assignee_id,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
	TakenAt       time.Time     `json:"taken_at,omitempty"`
	AnsweredAt    time.Time     `json:"answered_at,omitempty"` // the first answer
	// WaitingSince is when the asker last wrote without an answer yet; the
	// response-time reminders count from it.
	WaitingSince time.Time `json:"waiting_since,omitempty"`
	LastActivity time.Time `json:"last_activity"`
	ClosedAt     time.Time `json:"closed_at,omitempty"`
	ClosedBy     string    `json:"closed_by,omitempty"` // "asker", "staff", "auto"
	Rating       int       `json:"rating,omitempty"`    // 1..5
	// Escalation is how far the wait for an answer has been raised:
	// 1 the assignee was reminded, 2 the leader, 3 the coordinator.
	Escalation int `json:"escalation,omitempty"`
}

// Open reports whether the request still awaits work.
func (c *Consultation) Open() bool { return c.Status != ConsultClosed }

// ResponseTime is how long the first answer took; zero if none yet.
func (c *Consultation) ResponseTime() time.Duration {
	if c.AnsweredAt.IsZero() {
		return 0
	}
	return c.AnsweredAt.Sub(c.CreatedAt)
}

// Who closed a request.
const (
	ClosedByAsker = "asker"
	ClosedByStaff = "staff"
	ClosedByAuto  = "auto"
)

// Start makes a new request at now: it waits for an answer from now.
func (c *Consultation) Start(now time.Time) {
	c.Status, c.CreatedAt, c.WaitingSince, c.LastActivity = ConsultNew, now, now, now
}

// Take assigns a new request nobody took yet to the staff member uid,
// who gets the full time to answer; else CodeConflict.
func (c *Consultation) Take(uid int64, now time.Time) error {
	if c.Status != ConsultNew || c.AssigneeID != 0 {
		return Errorf(CodeConflict, "consult")
	}
	c.Status, c.AssigneeID, c.TakenAt, c.LastActivity = ConsultProgress, uid, now, now
	c.Escalation, c.WaitingSince = 0, now
	return nil
}

// Give hands the request to the consultant uid. If the asker is waiting,
// the new assignee gets the full time to answer.
func (c *Consultation) Give(uid int64, now time.Time) {
	c.AssigneeID, c.TakenAt, c.LastActivity = uid, now, now
	if c.Status == ConsultNew {
		c.Status = ConsultProgress
	}
	if !c.WaitingSince.IsZero() {
		c.WaitingSince = now
	}
	c.Escalation = 0
}

// StaffWrote records a message from the staff member uid: the request is
// answered (the first answer's time kept), taken by uid if nobody had it,
// and waits for the asker, so nothing escalates.
func (c *Consultation) StaffWrote(uid int64, now time.Time) {
	c.LastActivity = now
	if c.AnsweredAt.IsZero() {
		c.AnsweredAt = now
	}
	if c.AssigneeID == 0 {
		c.AssigneeID, c.TakenAt = uid, now
	}
	c.Status, c.WaitingSince, c.Escalation = ConsultAnswered, time.Time{}, 0
}

// AskerWrote records a follow-up from the asker: the request waits for an
// answer again — from now, unless it was waiting already, in which case
// the wait and its escalation go on.
func (c *Consultation) AskerWrote(now time.Time) {
	c.LastActivity = now
	if c.Status == ConsultAnswered {
		c.Status = ConsultProgress
	}
	if c.WaitingSince.IsZero() {
		c.WaitingSince, c.Escalation = now, 0
	}
}

// Close closes the request; by is ClosedByAsker, ClosedByStaff or
// ClosedByAuto. Closing by itself is no one's activity.
func (c *Consultation) Close(by string, now time.Time) {
	c.Status, c.ClosedAt, c.ClosedBy = ConsultClosed, now, by
	if by != ClosedByAuto {
		c.LastActivity = now
	}
}

// Rate records the asker's rating, 1 to 5 (else CodeInvalid), once
// (CodeAlready) the request is closed (CodeNotYet).
func (c *Consultation) Rate(stars int) error {
	switch {
	case stars < 1 || stars > 5:
		return Errorf(CodeInvalid, "rating")
	case c.Open():
		return Errorf(CodeNotYet, "rating")
	case c.Rating != 0:
		return Errorf(CodeAlready, "rating")
	}
	c.Rating = stars
	return nil
}

// ConsultAccess says who a user is to a request. Nobody but the asker,
// the assignee, the leader and the coordinators may read it; a consultant
// may also see a new request nobody took, in order to take it.
type ConsultAccess struct{ Asker, Assignee, Leader, Consultant bool }

// ConsultAccessFor says who user uid is to request c of association a;
// registered and coordinator describe the user.
func ConsultAccessFor(c *Consultation, a *Association, uid int64, registered, coordinator bool) ConsultAccess {
	return ConsultAccess{
		Asker:      c.AskerID == uid,
		Assignee:   c.AssigneeID == uid && uid != 0,
		Leader:     registered && (a.LeaderID == uid || coordinator),
		Consultant: registered && slices.Contains(a.Consultants, uid) && c.Status == ConsultNew && c.AssigneeID == 0,
	}
}

// Any reports whether the user may see the request at all.
func (x ConsultAccess) Any() bool { return x.Asker || x.Staff() }

// Staff reports whether the user answers the request.
func (x ConsultAccess) Staff() bool { return x.Assignee || x.Leader || x.Consultant }

// CanTake reports whether the user can take the request: staff, and the
// request new and nobody's yet.
func (x ConsultAccess) CanTake(c *Consultation) bool {
	return x.Staff() && c.Status == ConsultNew && c.AssigneeID == 0
}

// CanWrite reports whether the user can write in the request's
// conversation: it is open, and they asked, hold it, or lead the
// association once someone holds it (before, they take it first).
func (x ConsultAccess) CanWrite(c *Consultation) bool {
	return c.Open() && (x.Asker || x.Assignee || x.Leader && c.AssigneeID != 0)
}

// CanGive reports whether the user can hand the open request to a
// consultant: the leader's (and the coordinators') call.
func (x ConsultAccess) CanGive(c *Consultation) bool { return x.Leader && c.Open() }

// CanClose reports whether the user can close the open request: the
// asker, the assignee or the leader; a consultant who did not take it
// cannot.
func (x ConsultAccess) CanClose(c *Consultation) bool {
	return c.Open() && (x.Asker || x.Assignee || x.Leader)
}

// WritesAsStaff reports whether the user's message in the conversation is
// an answer rather than a follow-up: staff who did not ask it themselves,
// or who hold it.
func (x ConsultAccess) WritesAsStaff() bool { return !x.Asker || x.Assignee }

// Answers reports whether user uid answers the association's requests:
// its leader or one of its consultants.
func (a *Association) Answers(uid int64) bool {
	return uid != 0 && (a.LeaderID == uid || slices.Contains(a.Consultants, uid))
}

// ConsultRecipients returns who hears of the asker's messages in a
// request: the assignee, or while nobody holds it the association's
// leader and consultants (the caller turns to the coordinators when none
// of them can be reached). The asker is never among them.
func ConsultRecipients(c *Consultation, a *Association) []int64 {
	if c.AssigneeID != 0 {
		return []int64{c.AssigneeID}
	}
	var out []int64
	for _, uid := range append([]int64{a.LeaderID}, a.Consultants...) {
		if uid != 0 && uid != c.AskerID && !slices.Contains(out, uid) {
			out = append(out, uid)
		}
	}
	return out
}

// ConsultMessage is one message of a request's conversation.
type ConsultMessage struct {
	ConsultID  uint64      `json:"consult_id"`
	Seq        int         `json:"seq"`
	FromID     int64       `json:"from_id"`
	FromStaff  bool        `json:"from_staff"`
	Text       string      `json:"text,omitempty"`
	Attachment *Attachment `json:"attachment,omitempty"`
	At         time.Time   `json:"at"`
}

// Limits of consultation texts, in runes.
const (
	QuestionMin, QuestionMax = 10, 3000
	ReplyMax                 = 3500
)

// AddWorkingDays returns t plus n working days (Monday to Friday) in loc;
// a request made on Friday evening with 2 days allowed is due on Tuesday
// evening. Public holidays are not known to it.
func AddWorkingDays(t time.Time, n int, loc *time.Location) time.Time {
	t = t.In(loc)
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// WorkingDaysBetween returns how many whole working days (Monday to
// Friday, as AddWorkingDays counts them) have passed from a to b in loc:
// the largest n with AddWorkingDays(a, n) not after b.
func WorkingDaysBetween(a, b time.Time, loc *time.Location) int {
	n := 0
	for t := a.In(loc); ; n++ {
		t = AddWorkingDays(t, 1, loc)
		if t.After(b) {
			return n
		}
	}
}

// ConsultDue returns when the next escalation of a request falls due:
// every `days` working days of waiting raise it one level, up to 3.
func ConsultDue(c *Consultation, days int, loc *time.Location) (time.Time, bool) {
	if c.Escalation >= 3 || days <= 0 || c.WaitingSince.IsZero() || c.Status == ConsultClosed || c.Status == ConsultAnswered {
		return time.Time{}, false
	}
	return AddWorkingDays(c.WaitingSince, days*(c.Escalation+1), loc), true
}

// AutoCloseDue reports whether an answered request closes by itself at
// now: the asker left it quiet for `after` since its last message. A
// request still waiting for an answer never closes by itself; after 0
// turns the rule off.
func AutoCloseDue(c *Consultation, after time.Duration, now time.Time) bool {
	return after > 0 && c.Status == ConsultAnswered && !now.Before(c.LastActivity.Add(after))
}

// Escalation is one raise of a request that waits too long for an answer.
type Escalation struct {
	// Level is the request's level after the raise: 1 the assignee (the
	// leader while nobody took the request) is reminded, 2 the leader is
	// told, 3 the coordinators are.
	Level int
	// To is the user to tell; 0 means the coordinators: at level 3, and
	// below it when nobody holds the level's post (no leader yet). A user
	// who is gone counts as nobody too, which only the caller can see.
	To int64
	// Days is how many working days the asker has waited by the raise.
	Days int
}

// NextEscalation decides whether a request waiting for an answer is raised
// at now, and to whom: every `days` working days of waiting raise it one
// level (see ConsultDue). Each level is raised once: the caller stores
// Level on the request with the notice, and the next level then waits for
// its own due time. After a downtime spanning several levels, one call
// raises one level, so each person on the way is told once, in order;
// where the next level is due as well and goes to the same person (a
// leader who took the request, or the coordinators with no leader), the
// call raises both at once, so that person gets the higher notice alone
// instead of two in the same minute.
func NextEscalation(c *Consultation, leaderID int64, days int, now time.Time, loc *time.Location) (Escalation, bool) {
	at, ok := ConsultDue(c, days, loc)
	if !ok || now.Before(at) {
		return Escalation{}, false
	}
	esc := escalationAt(c, leaderID, days, c.Escalation+1)
	for esc.Level < 3 && !now.Before(AddWorkingDays(c.WaitingSince, days*(esc.Level+1), loc)) {
		next := escalationAt(c, leaderID, days, esc.Level+1)
		if next.To != esc.To {
			break
		}
		esc = next
	}
	return esc, true
}

// escalationAt is the raise of a request to level: 1 the assignee (the
// leader while nobody took it), 2 the leader, 3 the coordinators (To 0).
func escalationAt(c *Consultation, leaderID int64, days, level int) Escalation {
	esc := Escalation{Level: level, Days: days * level}
	switch level {
	case 1:
		esc.To = c.AssigneeID
		if esc.To == 0 {
			esc.To = leaderID
		}
	case 2:
		esc.To = leaderID
	}
	return esc
}
