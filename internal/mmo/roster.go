package mmo

import (
	"slices"
	"strings"
	"time"
)

// MarkNone is the "mark" of a member who was expected at an event and has
// no attendance mark: a registration sheet prints «нет отметки». It is
// never stored.
const MarkNone Mark = ""

// RosterEntry is one person of an event's registration sheet, and one
// cell of the year's attendance sheet.
type RosterEntry struct {
	UserID int64  // 0 for a guest
	Name   string // the protocol's name when from a signed protocol, "" otherwise (the caller names the member)
	Mark   Mark   // MarkNone when nobody marked them
	Reason string // an excused absence's reason, as the protocol prints it
	Guest  bool   // invited, not a member
	Role   string // a guest's position
}

// MemberAt reports whether a member who joined at joined was expected at
// an event ending at end: one who joined after it was not. A zero join
// date (memberships stored before join dates were) counts as expected.
func MemberAt(joined, end time.Time) bool { return joined.IsZero() || !joined.After(end) }

// Roster is who an event expected and how each is recorded, the list the
// registration sheet and the year's attendance print.
//
// When the event has signed minutes, their snapshot is the record: the
// present, the absent (excused when the protocol gives a reason) and the
// invited exactly as the protocol prints them, so a member unmarked on
// the day reads absent as in the protocol and a member who joined later
// is not there. The present and absent come by name (the unnamed last),
// then the guests.
//
// Without signed minutes, it is the members of the event (members, the
// ids of those who were members when it took place, by the caller's
// order) with their marks; a member nobody marked reads MarkNone, since
// no protocol says they were absent. guests are the invited from the
// minutes' draft, if any.
func Roster(snap *ProtocolSnapshot, members []int64, marks map[int64]*Attendance, guests []ProtocolPerson) []RosterEntry {
	var out []RosterEntry
	if snap != nil {
		for _, p := range snap.Present {
			out = append(out, RosterEntry{UserID: p.UserID, Name: p.Name, Mark: MarkPresent})
		}
		for _, p := range snap.Absent {
			m := MarkAbsent
			if p.Reason != "" {
				m = MarkExcused
			}
			out = append(out, RosterEntry{UserID: p.UserID, Name: p.Name, Mark: m, Reason: p.Reason})
		}
		slices.SortStableFunc(out, func(x, y RosterEntry) int {
			if (x.Name == "") != (y.Name == "") {
				if x.Name == "" {
					return 1
				}
				return -1
			}
			return strings.Compare(x.Name, y.Name)
		})
		guests = snap.Guests
	} else {
		for _, id := range members {
			e := RosterEntry{UserID: id}
			if x, ok := marks[id]; ok {
				e.Mark = x.Mark
			}
			out = append(out, e)
		}
	}
	for _, g := range guests {
		out = append(out, RosterEntry{Name: g.Name, Role: g.Role, Guest: true})
	}
	return out
}

// RosterPresent counts the present of a roster, guests apart.
func RosterPresent(rs []RosterEntry) int {
	n := 0
	for _, r := range rs {
		if !r.Guest && r.Mark == MarkPresent {
			n++
		}
	}
	return n
}
