package mmo

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// Format is the form an event takes; both regulations list them.
type Format string

// Event formats. FormatMeeting (заседание) is the formal session the
// regulation counts (at least three a school year) and numbers.
const (
	FormatMeeting      Format = "meeting"      // заседание
	FormatSeminar      Format = "seminar"      // семинар
	FormatWebinar      Format = "webinar"      // вебинар
	FormatWorkshop     Format = "workshop"     // семинар-практикум
	FormatMasterClass  Format = "masterclass"  // мастер-класс
	FormatRoundTable   Format = "roundtable"   // круглый стол
	FormatOpenLesson   Format = "openlesson"   // открытый урок
	FormatConference   Format = "conference"   // конференция
	FormatReadings     Format = "readings"     // педагогические чтения
	FormatConsultation Format = "consultation" // консультация
	FormatWorkMeeting  Format = "workmeeting"  // рабочая встреча
	// The forms of work of both regulations beside those above: Ivanovo's
	// лектории, педагогические мастерские, дискуссионные клубы, Biysk's
	// деловые игры, творческие отчёты, творческие группы, and the forums
	// and contests both hold.
	FormatLecture        Format = "lecture"        // лекторий
	FormatPedWorkshop    Format = "pedworkshop"    // педагогическая мастерская
	FormatDiscussionClub Format = "discussionclub" // дискуссионный клуб
	FormatForum          Format = "forum"          // форум
	FormatContest        Format = "contest"        // конкурс
	FormatBusinessGame   Format = "businessgame"   // деловая игра
	FormatCreativeReport Format = "creativereport" // творческий отчёт
	FormatCreativeGroup  Format = "creativegroup"  // творческая группа
	FormatOther          Format = "other"
)

// Formats lists the formats in the order the bot offers them.
var Formats = []Format{
	FormatMeeting, FormatSeminar, FormatWebinar, FormatWorkshop, FormatMasterClass, FormatRoundTable,
	FormatOpenLesson, FormatConference, FormatReadings, FormatConsultation, FormatWorkMeeting,
	FormatLecture, FormatPedWorkshop, FormatDiscussionClub, FormatForum, FormatContest,
	FormatBusinessGame, FormatCreativeReport, FormatCreativeGroup, FormatOther,
}

// ValidFormat reports whether f is one of Formats.
func ValidFormat(f Format) bool {
	for _, x := range Formats {
		if x == f {
			return true
		}
	}
	return false
}

// EventState is where an event is in its life.
type EventState string

// Event states.
const (
	EventDraft     EventState = "draft"     // being prepared; members see nothing
	EventPublished EventState = "published" // announced
	EventCancelled EventState = "cancelled"
)

// Event is a meeting, seminar or other event of an association.
type Event struct {
	ID            uint64        `json:"id"`
	AssociationID uint64        `json:"association_id"`
	Format        Format        `json:"format"`
	Topic         string        `json:"topic"`
	Agenda        string        `json:"agenda,omitempty"`
	Start         time.Time     `json:"start"` // UTC
	Duration      time.Duration `json:"duration"`
	Place         string        `json:"place,omitempty"`
	Link          string        `json:"link,omitempty"` // online meeting link
	State         EventState    `json:"state"`
	// Version grows with every change of time or place; answers and
	// reminders belong to a version, so a change resets them.
	Version     int       `json:"version"`
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	PublishedAt time.Time `json:"published_at,omitempty"`
	CancelledAt time.Time `json:"cancelled_at,omitempty"`
	// ChangedAt is when the current version began (publication, or the
	// latest change of time or place); reminders due before it are not
	// sent, since the announcement itself was news enough.
	ChangedAt time.Time `json:"changed_at,omitempty"`
	// Announcement is the broadcast of the latest announcement, for the
	// leader's "delivered to N of M".
	Announcement uint64 `json:"announcement,omitempty"`
	// PlanItem links the event to an item of the association's work plan
	// for its school year (0: none), so the report can say what was done.
	PlanItem int `json:"plan_item,omitempty"`
	// Checkin holds the check-in settings and state.
	Checkin Checkin `json:"checkin"`
	// AnswersClosed records that the answer buttons were taken off the
	// members' announcements and reminders once the event began.
	AnswersClosed bool `json:"answers_closed,omitempty"`
	// Nudged is when each member was last asked to answer, so that no
	// one is asked more than once a day.
	Nudged map[int64]time.Time `json:"nudged,omitempty"`
	// MinutesPrompted records the leader's prompts to fill in the
	// minutes: 1 once asked after the end, 2 once reminded the next day.
	MinutesPrompted int `json:"minutes_prompted,omitempty"`
}

// End returns when the event ends.
func (e *Event) End() time.Time { return e.Start.Add(e.Duration) }

// Started reports whether the event has begun at now.
func (e *Event) Started(now time.Time) bool { return !now.Before(e.Start) }

// Live reports whether members can still answer: published, not cancelled
// and not started.
func (e *Event) Live(now time.Time) bool { return e.State == EventPublished && !e.Started(now) }

// Held reports whether the event took place by now: published, not
// cancelled, and begun. Only held events count in attendance, reports and
// the plan's progress.
func (e *Event) Held(now time.Time) bool { return e.State == EventPublished && e.Started(now) }

// TakesMinutes reports whether minutes can be written for the event at
// now: a заседание that was held.
func (e *Event) TakesMinutes(now time.Time) bool { return e.Format == FormatMeeting && e.Held(now) }

// Editable reports whether the leader can still change the event: a
// draft, or a published event that has not begun.
func (e *Event) Editable(now time.Time) bool { return e.State != EventCancelled && !e.Started(now) }

// Publish announces a draft at now: it becomes version 1, whose answers
// and reminders count from now. Only a draft of an association that is
// not archived is published (CodeConflict), and only ahead of its start
// (CodeStarted): a form can wait past the time it names.
func (e *Event) Publish(a *Association, now time.Time) error {
	switch {
	case e.State != EventDraft || a.Archived():
		return Errorf(CodeConflict, "event")
	case !e.Start.After(now):
		return Errorf(CodeStarted, "event")
	}
	e.State, e.PublishedAt, e.ChangedAt, e.Version = EventPublished, now, now, 1
	return nil
}

// Cancel cancels a published event that has not begun (else
// CodeConflict).
func (e *Event) Cancel(now time.Time) error {
	if !e.Live(now) {
		return Errorf(CodeConflict, "event")
	}
	e.State, e.CancelledAt = EventCancelled, now
	return nil
}

// Revise compares the event with how it was before an edit and returns
// what changed of its time and place: "when", "place", "link". Such a
// change of a published event starts a new version at now: the answers
// and reminders of the old one no longer count, and every member is told.
// A draft's changes are nobody's news: nil.
func (e *Event) Revise(old *Event, now time.Time) []string {
	if e.State != EventPublished {
		return nil
	}
	var changes []string
	if !old.Start.Equal(e.Start) {
		changes = append(changes, "when")
	}
	if old.Place != e.Place {
		changes = append(changes, "place")
	}
	if old.Link != e.Link {
		changes = append(changes, "link")
	}
	if len(changes) > 0 {
		e.Version++
		e.ChangedAt = now
	}
	return changes
}

// Shelf is where an event goes in a user's list of events.
type Shelf int

// Shelves of the list of events.
const (
	ShelfHidden   Shelf = iota // not shown to this user
	ShelfUpcoming              // published and not over
	ShelfDraft                 // the leader's drafts
	ShelfPast                  // over or cancelled, for the leader's record
)

// ShelfOf decides where event e goes in the list of a user who runs its
// association (manage) or is a member of it, at now. Members see what is
// ahead; those who run it also see their drafts and the past, cancelled
// events included.
func ShelfOf(e *Event, manage bool, now time.Time) Shelf {
	switch {
	case e.State == EventDraft:
		if manage {
			return ShelfDraft
		}
		return ShelfHidden
	case e.State == EventPublished && e.End().After(now):
		return ShelfUpcoming
	case manage:
		return ShelfPast
	}
	return ShelfHidden
}

// Answer is a member's reply to an announcement.
type Answer string

// Answers.
const (
	AnswerYes   Answer = "yes"   // «Приду»
	AnswerNo    Answer = "no"    // «Не смогу»
	AnswerMaybe Answer = "maybe" // «Возможно»
)

// ValidAnswer reports whether a is one of the answers.
func ValidAnswer(a Answer) bool { return a == AnswerYes || a == AnswerNo || a == AnswerMaybe }

// Refusals of an answer, beside CodeConflict for an answer to an older
// version of the event and CodeNotFound for a draft nobody was shown.
const (
	CodeNotMember Code = "not_member"
	CodeCancelled Code = "cancelled"
	CodeStarted   Code = "started"
	CodeGone      Code = "gone" // the event was deleted
)

// CanAnswer checks whether a user can answer an event's announcement at
// now: only an active member, only while the event is published and has
// not begun, and only to its current version — a change of time or place
// resets the answers, so a press on the old announcement is refused.
func CanAnswer(e *Event, member bool, version int, now time.Time) error {
	const field = "rsvp"
	switch {
	case !member:
		return Errorf(CodeNotMember, field)
	case e.State == EventDraft:
		return Errorf(CodeNotFound, field)
	case e.State == EventCancelled:
		return Errorf(CodeCancelled, field)
	case e.Started(now):
		return Errorf(CodeStarted, field)
	case version != e.Version:
		return Errorf(CodeConflict, field)
	}
	return nil
}

// AnswerEvent decides a member's answer to an event's announcement: the
// answer to store for uid at now, or why it is refused — CodeGone for an
// event that is no more (nil), CanAnswer's codes, then CodeInvalid for
// an answer that is none of yes, maybe and no.
func AnswerEvent(e *Event, uid int64, member bool, version int, ans Answer, now time.Time) (*RSVP, error) {
	if e == nil {
		return nil, Errorf(CodeGone, "rsvp")
	}
	if err := CanAnswer(e, member, version, now); err != nil {
		return nil, err
	}
	if !ValidAnswer(ans) {
		return nil, Errorf(CodeInvalid, "rsvp")
	}
	return &RSVP{EventID: e.ID, UserID: uid, Answer: ans, Version: e.Version, At: now}, nil
}

// RSVPDecision is the decision on a press of an answer button.
type RSVPDecision struct {
	// RSVP is the answer to store; nil when the press is refused.
	RSVP *RSVP
	// Refused says why it is refused (AnswerEvent's codes); nil when
	// taken.
	Refused error
}

// DecideRSVP decides a press of an answer button (see AnswerEvent).
func DecideRSVP(e *Event, uid int64, member bool, version int, ans Answer, now time.Time) RSVPDecision {
	rsvp, err := AnswerEvent(e, uid, member, version, ans, now)
	return RSVPDecision{RSVP: rsvp, Refused: err}
}

// RSVP is a member's answer for one version of an event.
type RSVP struct {
	EventID uint64    `json:"event_id"`
	UserID  int64     `json:"user_id"`
	Answer  Answer    `json:"answer"`
	Version int       `json:"version"`
	At      time.Time `json:"at"`
}

// ReminderDue is what falls due of an event's reminders at a moment.
type ReminderDue struct {
	// Mark are the offsets fallen due and not yet sent: all of them are
	// marked sent with the version, whether or not a reminder goes out,
	// so none of them comes back.
	Mark []time.Duration
	// Send is the offset whose reminder goes out, 0 when none does.
	Send time.Duration
}

// DueReminder decides which reminder of an event goes out at now, given
// the offsets before the start reminders go out at (positive, as the
// config requires) and those already sent for the event's current
// version. However many fell due while the bot was down, one reminder
// goes out: the one nearest to the start. None goes out for an offset
// that fell before the current version began (the announcement or the
// change was news enough), nor once check-in has opened (its invitation
// is the reminder then: one asking «will you come?» after it, a minute
// before the start, is noise), nor once the event has begun or if it is
// not published.
func DueReminder(e *Event, offsets []time.Duration, sent map[time.Duration]bool, now time.Time) ReminderDue {
	var due ReminderDue
	if !e.Live(now) {
		return due
	}
	arriving := e.CheckinOpen(now)
	for _, off := range slices.Sorted(slices.Values(offsets)) { // nearest to the start first
		at := e.Start.Add(-off)
		if at.After(now) || sent[off] {
			continue
		}
		if due.Send == 0 && !at.Before(e.ChangedAt) && !arriving {
			due.Send = off
		}
		due.Mark = append(due.Mark, off)
	}
	return due
}

// Who of an association's active members gets which message about an
// event. Each function takes the active members' ids and their answers to
// the event's current version, and keeps the members' order.

// Reminded returns who gets a reminder: those who said they would come or
// might.
func Reminded(members []int64, answers map[int64]*RSVP) []int64 {
	return slices.DeleteFunc(slices.Clone(members), func(uid int64) bool {
		a := answers[uid]
		return a == nil || a.Answer == AnswerNo
	})
}

// CheckinInvited returns who gets the "I am here" button: everyone but
// those who said they would not come, and the leader, who runs the event.
func CheckinInvited(members []int64, leaderID int64, answers map[int64]*RSVP) []int64 {
	return slices.DeleteFunc(slices.Clone(members), func(uid int64) bool {
		a := answers[uid]
		return uid == leaderID || a != nil && a.Answer == AnswerNo
	})
}

// Silent returns who has not answered yet, for a nudge.
func Silent(members []int64, answers map[int64]*RSVP) []int64 {
	return slices.DeleteFunc(slices.Clone(members), func(uid int64) bool { return answers[uid] != nil })
}

// MeetingNumbers numbers the заседания of a school year in order of their
// start: the number of a meeting is its place among the published,
// not cancelled meetings of the same association and school year, by the
// regulation's start of the year. Other formats get no number.
func MeetingNumbers(events []*Event, reg Regulation, loc *time.Location) map[uint64]int {
	byYear := map[[2]uint64][]*Event{}
	for _, e := range events {
		if e.Format != FormatMeeting || e.State != EventPublished {
			continue
		}
		k := [2]uint64{e.AssociationID, uint64(reg.SchoolYearOf(e.Start, loc))}
		byYear[k] = append(byYear[k], e)
	}
	out := map[uint64]int{}
	for _, list := range byYear {
		sort.Slice(list, func(i, j int) bool {
			if !list[i].Start.Equal(list[j].Start) {
				return list[i].Start.Before(list[j].Start)
			}
			return list[i].ID < list[j].ID
		})
		for i, e := range list {
			out[e.ID] = i + 1
		}
	}
	return out
}

// CountMeetings counts the published заседания among events, which the
// caller reads for one association and school year: held (begun by now)
// and scheduled ahead. Drafts, cancelled meetings and other formats do not
// count towards the regulation's minimum.
func CountMeetings(events []*Event, now time.Time) (held, scheduled int) {
	for _, e := range events {
		if e.Format != FormatMeeting || e.State != EventPublished {
			continue
		}
		if e.Started(now) {
			held++
		} else {
			scheduled++
		}
	}
	return held, scheduled
}

// Event field limits, in runes.
const (
	FieldTopic  = "topic"
	FieldAgenda = "agenda"
	FieldPlace  = "place"
	FieldLink   = "link"

	TopicMin, TopicMax = 3, 200
	AgendaMax          = 2000
	PlaceMax           = 300
	LinkMax            = 500
)

// ValidateEventField checks an event field. Agenda, place and link may be
// skipped with "-"; a link must be an http(s) URL.
func ValidateEventField(field, s string) (string, error) {
	switch field {
	case FieldTopic:
		return validateFreeText(field, s, TopicMin, TopicMax)
	case FieldAgenda:
		return ValidateLongText(field, s, 0, AgendaMax)
	case FieldPlace:
		if NormalizeText(s) == SkipValue {
			return "", nil
		}
		return validateFreeText(field, s, 3, PlaceMax)
	case FieldLink:
		if HasUnsafeText(s) {
			return "", Errorf(CodeControlChars, field)
		}
		s = NormalizeText(s)
		if s == SkipValue {
			return "", nil
		}
		if err := checkLen(field, s, 10, LinkMax); err != nil {
			return "", err
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(s, " <>\"") {
			return "", Errorf(CodeInvalid, field)
		}
		return s, nil
	}
	return "", Errorf(CodeInvalid, field)
}
