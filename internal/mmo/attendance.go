package mmo

import (
	"crypto/rand"
	"encoding/base64"
	"math"
	"math/big"
	"strings"
	"time"
	"unicode"
)

// Mark is a member's attendance of an event.
type Mark string

// Attendance marks.
const (
	MarkPresent Mark = "present"
	MarkAbsent  Mark = "absent"
	MarkExcused Mark = "excused" // absent for a good reason
)

// ValidMark reports whether m is one of the marks.
func ValidMark(m Mark) bool { return m == MarkPresent || m == MarkAbsent || m == MarkExcused }

// How says how a member checked in.
type How string

// Ways to check in.
const (
	HowCode     How = "code"     // typed the code the leader read out
	HowLink     How = "link"     // opened the link or scanned the QR code
	HowButton   How = "button"   // pressed the button in their chat
	HowLocation How = "location" // and shared a location near the venue
	HowManual   How = "manual"   // marked by the leader
)

// Attendance is the record of one member at one event.
type Attendance struct {
	EventID uint64    `json:"event_id"`
	UserID  int64     `json:"user_id"`
	Mark    Mark      `json:"mark"`
	How     How       `json:"how"`
	At      time.Time `json:"at"`
	Note    string    `json:"note,omitempty"`
	By      int64     `json:"by,omitempty"` // who marked by hand
}

// Check-in defaults: the window opens itself this long before the start
// and closes this long after it.
const (
	DefaultCheckinBefore = 15 * time.Minute
	DefaultCheckinAfter  = 30 * time.Minute
	DefaultRadius        = 200 // metres around the venue
	// MaxCheckinShift is the furthest a check-in window reaches from the
	// start on either side (a leader sets 5 minutes to 12 hours): the due
	// scan looks this far around the clock for windows that opened.
	MaxCheckinShift = 12 * time.Hour
)

// Checkin holds an event's check-in settings.
type Checkin struct {
	Before time.Duration `json:"before,omitempty"` // 0: DefaultCheckinBefore
	After  time.Duration `json:"after,omitempty"`  // 0: DefaultCheckinAfter
	// Manual overrides the window: "open" or "closed" by the leader.
	Manual string `json:"manual,omitempty"`
	Code   string `json:"code,omitempty"`  // typed by members; rotated when it leaks
	Token  string `json:"token,omitempty"` // in the check-in link and QR code
	// RequireLocation asks members at an in-person event to share a
	// location within Radius metres of the venue.
	RequireLocation bool    `json:"require_location,omitempty"`
	Lat             float64 `json:"lat,omitempty"`
	Lon             float64 `json:"lon,omitempty"`
	Radius          int     `json:"radius,omitempty"`
	// Announced records that the check-in button went out.
	Announced bool `json:"announced,omitempty"`
	// HereClosed records that the "I am here" buttons were taken off
	// the members' messages once check-in closed.
	HereClosed bool `json:"here_closed,omitempty"`
}

// CheckinWindow returns when check-in opens and closes by itself.
func (e *Event) CheckinWindow() (from, until time.Time) {
	before, after := e.Checkin.Before, e.Checkin.After
	if before == 0 {
		before = DefaultCheckinBefore
	}
	if after == 0 {
		after = DefaultCheckinAfter
	}
	return e.Start.Add(-before), e.Start.Add(after)
}

// CheckinOpen reports whether members can check in at now. A leader can
// open it early or close it; a manually opened check-in still closes by
// itself at the end of the event.
func (e *Event) CheckinOpen(now time.Time) bool {
	if e.State != EventPublished {
		return false
	}
	from, until := e.CheckinWindow()
	switch e.Checkin.Manual {
	case "open":
		return now.Before(maxTime(until, e.End()))
	case "closed":
		return false
	}
	return !now.Before(from) && now.Before(until)
}

// CheckinState is where an event's check-in stands at a moment.
type CheckinState int

// Check-in states.
const (
	CheckinLater     CheckinState = iota // opens by itself later
	CheckinInWindow                      // open in its window
	CheckinByHand                        // opened by the leader, early or past the window
	CheckinClosed                        // closed by the leader, or past its window
	CheckinCancelled                     // the event was cancelled
)

// CheckinStateAt says where check-in stands at now, for the leader's view
// and for telling a member why they cannot check in.
func (e *Event) CheckinStateAt(now time.Time) CheckinState {
	from, _ := e.CheckinWindow()
	switch {
	case e.State == EventCancelled:
		return CheckinCancelled
	case e.CheckinOpen(now) && e.Checkin.Manual == "open":
		return CheckinByHand
	case e.CheckinOpen(now):
		return CheckinInWindow
	case e.Checkin.Manual != "closed" && now.Before(from):
		return CheckinLater
	}
	return CheckinClosed
}

// CheckinDue reports whether the event's check-in window has opened by
// itself at now and the "I am here" button has not gone out yet.
func (e *Event) CheckinDue(now time.Time) bool {
	return e.State == EventPublished && !e.Checkin.Announced && e.Checkin.Manual != "closed" && e.CheckinOpen(now)
}

// CheckinAdjustable reports whether the leader can still open or close
// check-in by hand or move its window: the event is published and not
// over.
func (e *Event) CheckinAdjustable(now time.Time) bool {
	return e.State == EventPublished && now.Before(e.End())
}

// Refusals of a check-in, beside CodeNotMember and CodeCancelled.
const (
	CodeNotYet  Code = "not_yet" // the window opens later
	CodeClosed  Code = "closed"  // closed by the leader or past the window
	CodeAlready Code = "already" // marked present already
)

// CanCheckIn checks whether a user can check in at an event at now: an
// active member, while check-in is open, once.
func CanCheckIn(e *Event, member, present bool, now time.Time) error {
	const field = "checkin"
	if !member {
		return Errorf(CodeNotMember, field)
	}
	switch e.CheckinStateAt(now) {
	case CheckinCancelled:
		return Errorf(CodeCancelled, field)
	case CheckinLater:
		return Errorf(CodeNotYet, field)
	case CheckinClosed:
		return Errorf(CodeClosed, field)
	}
	if present {
		return Errorf(CodeAlready, field)
	}
	return nil
}

// CheckinRadius is how far from the venue, in metres, a location still
// counts as being there.
func (e *Event) CheckinRadius() int {
	if e.Checkin.Radius == 0 {
		return DefaultRadius
	}
	return e.Checkin.Radius
}

// NearVenue returns how far a shared location is from the event's venue,
// in metres, and whether it is within the radius.
func (e *Event) NearVenue(lat, lon float64) (float64, bool) {
	dist := Distance(lat, lon, e.Checkin.Lat, e.Checkin.Lon)
	return dist, dist <= float64(e.CheckinRadius())
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// NewCheckinCode returns a fresh four-digit code, easy to read out.
func NewCheckinCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(9000))
	if err != nil {
		return "", err
	}
	return big.NewInt(0).Add(n, big.NewInt(1000)).String(), nil
}

// NewToken returns a random URL-safe token of 120 bits.
func NewToken() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Distance returns the distance in metres between two points on Earth
// (haversine).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371000
	rad := math.Pi / 180
	dlat := (lat2 - lat1) * rad
	dlon := (lon2 - lon1) * rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// MinutesStatus is where the minutes of a meeting are.
type MinutesStatus string

// Minutes statuses.
const (
	MinutesDraft MinutesStatus = "draft"
	MinutesFinal MinutesStatus = "final" // locked; a correction makes a new version
)

// Minutes is one version of the minutes (протокол) of a meeting.
type Minutes struct {
	EventID   uint64        `json:"event_id"`
	Version   int           `json:"version"`
	Status    MinutesStatus `json:"status"`
	Secretary string        `json:"secretary,omitempty"`
	Items     []MinutesItem `json:"items"`
	Number    int           `json:"number,omitempty"` // the meeting's number, frozen when final
	By        int64         `json:"by"`
	CreatedAt time.Time     `json:"created_at"`
	FinalAt   time.Time     `json:"final_at,omitempty"`
	// Chair is who chaired the meeting (chosen when the minutes are
	// started; 0 for a typed name) and ChairName their name; Guests the
	// invited, by name and role.
	Chair     int64            `json:"chair,omitempty"`
	ChairName string           `json:"chair_name,omitempty"`
	Guests    []ProtocolPerson `json:"guests,omitempty"`
	// Snapshot is what the signed version prints besides its items,
	// frozen at signing (nil for a draft, and for minutes signed before
	// snapshots were kept).
	Snapshot *ProtocolSnapshot `json:"snapshot,omitempty"`
}

// NextMinutesVersion returns the version newly composed minutes get,
// given the versions so far, oldest first: a draft in the works is
// replaced, while final minutes stay as they were signed and a correction
// becomes the next version.
func NextMinutesVersion(versions []*Minutes) int {
	n := len(versions)
	if n == 0 {
		return 1
	}
	if last := versions[n-1]; last.Status == MinutesFinal {
		return last.Version + 1
	}
	return versions[n-1].Version
}

// Finalize approves draft minutes at now with the meeting's number, which
// is frozen with them; final minutes never change (CodeConflict).
func (m *Minutes) Finalize(number int, now time.Time) error {
	if m.Status != MinutesDraft {
		return Errorf(CodeConflict, "minutes")
	}
	m.Status, m.FinalAt, m.Number = MinutesFinal, now, number
	return nil
}

// MinutesItem is one agenda item of the minutes: СЛУШАЛИ, ВЫСТУПИЛИ, РЕШИЛИ.
type MinutesItem struct {
	Topic   string `json:"topic"`
	Heard   string `json:"heard"`
	Spoke   string `json:"spoke,omitempty"` // one speaker per line
	Decided string `json:"decided"`
	Votes   *Votes `json:"votes,omitempty"`
}

// Votes is the result of a vote on a decision.
type Votes struct {
	For       int `json:"for"`
	Against   int `json:"against"`
	Abstained int `json:"abstained"`
}

// VotesMax bounds each count of ParseVotes: four digits, far above any
// association's membership.
const VotesMax = 9999

// ParseVotes reads the result of a vote as a leader types it: three whole
// numbers, for, against and abstained, in this order, apart by anything
// that is not a digit ("12 0 1", "12, 0, 1", "12-0-1", "за — 12, против —
// 0, воздержались — 1"), each at most VotesMax. The minutes print what it
// returns as the figures of the vote, so it refuses what it would have to
// guess at: a minus sign before a number ("12 -1 0"), digits of another
// script (which would otherwise be taken for separators), more or fewer
// than three numbers, a number over VotesMax.
func ParseVotes(s string) (Votes, bool) {
	var n []int
	var prev, prev2 rune // the two runes before r
	for _, r := range s {
		switch {
		case isASCIIDigit(r):
			if !isASCIIDigit(prev) {
				if (prev == '-' || prev == '−') && !isASCIIDigit(prev2) {
					return Votes{}, false // "-1": a negative count
				}
				n = append(n, 0)
			}
			v := &n[len(n)-1]
			if *v = *v*10 + int(r-'0'); *v > VotesMax || len(n) > 3 {
				return Votes{}, false
			}
		case unicode.IsDigit(r):
			return Votes{}, false
		}
		prev2, prev = prev, r
	}
	if len(n) != 3 {
		return Votes{}, false
	}
	return Votes{For: n[0], Against: n[1], Abstained: n[2]}, true
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// ParseCheckinCode reads a check-in code typed in the chat: four ASCII
// digits, white space around them allowed (NewCheckinCode makes them).
func ParseCheckinCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 4 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, true
}
