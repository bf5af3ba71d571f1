package render

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// ICSEvent is what a calendar entry needs.
type ICSEvent struct {
	// UID is stable per event, e.g. "event-42@mmobot": the same UID with a
	// higher Sequence updates the entry in calendars. Required.
	UID string
	// Sequence is bumped on every change; not negative.
	Sequence int
	// Start and End are instants; End must be after Start. They are
	// written in UTC, so the zone is never in doubt.
	Start time.Time
	End   time.Time
	// Summary is the title, e.g. "Заседание ММО учителей математики:
	// Функциональная грамотность".
	Summary string
	// Description is the agenda; it may have several lines.
	Description string
	// Location is the place; may be empty.
	Location string
	// URL is the online link; may be empty.
	URL string
	// Organizer is a display name; optional.
	Organizer string
	// Cancelled writes STATUS:CANCELLED (else STATUS:CONFIRMED).
	Cancelled bool
	// Created is the DTSTAMP, when this version was made. Required.
	Created time.Time
}

// icsOrganizerAddress is the address of ORGANIZER: RFC 5545 requires a
// calendar address, the bot has only a name. The reserved .invalid
// domain (RFC 2606) makes clear that nobody can be written to.
const icsOrganizerAddress = "mailto:noreply@mmobot.invalid"

// ICS renders one event as an iCalendar file (RFC 5545) that calendar
// programs import: VERSION 2.0, PRODID "-//mmobot//RU", METHOD:PUBLISH, one
// VEVENT with UID, DTSTAMP, SEQUENCE, DTSTART and DTEND in UTC ("Z"),
// SUMMARY, DESCRIPTION, LOCATION, URL and ORGANIZER when given, and STATUS
// (CONFIRMED, or CANCELLED for a cancelled event: a file imported again
// with the same UID and a higher SEQUENCE updates or cancels the entry).
//
// The text is UTF-8; lines end in CRLF and are folded at 75 octets, and
// commas, semicolons, backslashes and line breaks in texts are escaped, by
// github.com/arran4/golang-ical. Before that, texts are cleaned as every
// renderer cleans them (see clean: line breaks normalized, control and
// bidirectional characters removed, invalid UTF-8 shown as U+FFFD), and
// UID and Summary are kept on one line. The
// organizer's name goes into the CN parameter, which has no escapes in
// RFC 5545, so " ; : , \ ' are replaced there.
//
// A missing UID or Created, a zero Start, End not after Start or a
// negative Sequence is an error.
func ICS(e ICSEvent) ([]byte, error) {
	uid := icsOneLine(e.UID)
	switch {
	case uid == "":
		return nil, fmt.Errorf("render: ics: no UID")
	case e.Start.IsZero():
		return nil, fmt.Errorf("render: ics %s: no start", uid)
	case !e.End.After(e.Start):
		return nil, fmt.Errorf("render: ics %s: end %v is not after start %v", uid, e.End, e.Start)
	case e.Sequence < 0:
		return nil, fmt.Errorf("render: ics %s: negative sequence %d", uid, e.Sequence)
	case e.Created.IsZero():
		return nil, fmt.Errorf("render: ics %s: no DTSTAMP (Created)", uid)
	}

	cal := ics.NewCalendarFor("mmobot")
	cal.SetProductId("-//mmobot//RU")
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)

	ev := cal.AddEvent(uid)
	ev.SetDtStampTime(e.Created)
	ev.SetSequence(e.Sequence)
	ev.SetStartAt(e.Start)
	ev.SetEndAt(e.End)
	ev.SetSummary(icsOneLine(e.Summary))
	if s := strings.TrimSpace(clean(e.Description)); s != "" {
		ev.SetDescription(s)
	}
	if s := strings.TrimSpace(clean(e.Location)); s != "" {
		ev.SetLocation(s)
	}
	if s := strings.Join(strings.Fields(clean(e.URL)), ""); s != "" {
		ev.SetURL(s)
	}
	if s := icsParamText(e.Organizer); s != "" {
		ev.SetProperty(ics.ComponentPropertyOrganizer, icsOrganizerAddress, ics.WithCN(s))
	}
	if e.Cancelled {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}

	var buf bytes.Buffer
	if err := cal.SerializeTo(&buf, ics.WithNewLineWindows); err != nil {
		return nil, fmt.Errorf("render: ics %s: %w", uid, err)
	}
	return buf.Bytes(), nil
}

// icsOneLine is clean with runs of white space (line breaks included)
// turned into single spaces.
func icsOneLine(s string) string {
	return strings.Join(strings.Fields(clean(s)), " ")
}

// icsParamReplacer removes what a parameter value cannot hold unquoted
// (the library escapes these with backslashes, which RFC 5545 does not
// define for parameters, so clients would show the backslashes).
var icsParamReplacer = strings.NewReplacer(
	`"`, "”", `'`, "’", `\`, "/",
	",", " ", ";", " ", ":", " ",
)

func icsParamText(s string) string {
	return icsOneLine(icsParamReplacer.Replace(clean(s)))
}
