package mmo

import (
	"net/url"
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
	FormatOther        Format = "other"
)

// Formats lists the formats in the order the bot offers them.
var Formats = []Format{
	FormatMeeting, FormatSeminar, FormatWebinar, FormatWorkshop, FormatMasterClass, FormatRoundTable,
	FormatOpenLesson, FormatConference, FormatReadings, FormatConsultation, FormatWorkMeeting, FormatOther,
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
	// LeaderCard is where the leader last opened the event, so answers
	// can refresh it live.
	LeaderCardChat int64 `json:"leader_card_chat,omitempty"`
	LeaderCardMsg  int   `json:"leader_card_msg,omitempty"`
	// PlanItem links the event to an item of the association's work plan
	// for its school year (0: none), so the report can say what was done.
	PlanItem int `json:"plan_item,omitempty"`
	// Checkin holds the check-in settings and state.
	Checkin Checkin `json:"checkin"`
	// CheckinCardChat and CheckinCardMsg are where the leader last opened
	// the check-in view, refreshed as members check in.
	CheckinCardChat int64 `json:"checkin_card_chat,omitempty"`
	CheckinCardMsg  int   `json:"checkin_card_msg,omitempty"`
}

// End returns when the event ends.
func (e *Event) End() time.Time { return e.Start.Add(e.Duration) }

// Started reports whether the event has begun at now.
func (e *Event) Started(now time.Time) bool { return !now.Before(e.Start) }

// Live reports whether members can still answer: published, not cancelled
// and not started.
func (e *Event) Live(now time.Time) bool { return e.State == EventPublished && !e.Started(now) }

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

// RSVP is a member's answer for one version of an event.
type RSVP struct {
	EventID uint64    `json:"event_id"`
	UserID  int64     `json:"user_id"`
	Answer  Answer    `json:"answer"`
	Version int       `json:"version"`
	At      time.Time `json:"at"`
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
