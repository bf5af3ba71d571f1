package mmo

import "time"

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
// raises one level, so each person on the way is told once, in order.
func NextEscalation(c *Consultation, leaderID int64, days int, now time.Time, loc *time.Location) (Escalation, bool) {
	at, ok := ConsultDue(c, days, loc)
	if !ok || now.Before(at) {
		return Escalation{}, false
	}
	esc := Escalation{Level: c.Escalation + 1, Days: days * (c.Escalation + 1)}
	switch esc.Level {
	case 1:
		esc.To = c.AssigneeID
		if esc.To == 0 {
			esc.To = leaderID
		}
	case 2:
		esc.To = leaderID
	}
	return esc, true
}
