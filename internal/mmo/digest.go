package mmo

import "time"

// DigestDocDays is how close to its due date a document owed first
// appears in the coordinators' digest; overdue ones always do.
const DigestDocDays = 7

// AssociationFacts is what the records say of one association on a day,
// loaded by the caller for the digest.
type AssociationFacts struct {
	Association *Association
	// Members counts its active members.
	Members int
	// Owed are the documents it owes: DocsWatched less those submitted
	// or approved.
	Owed []DocDue
	// Events are its events of the current school year (YearSpan).
	Events []*Event
	// Consultations are its requests, of any year.
	Consultations []*Consultation
}

// Digest is what needs the coordinators' attention on a day. It is
// computed once and rendered in each coordinator's language; an empty
// digest is not sent.
type Digest struct {
	Day      time.Time        // midnight starting the day, in the zone
	Docs     []DigestDoc      // plans and reports due within DigestDocDays, or overdue
	Members  []DigestMembers  // associations under the regulation's minimum of members
	Meetings []DigestMeetings // associations whose заседания will not reach the minimum
	Consults []DigestConsult  // requests that waited long enough to be escalated
}

// DigestDoc is a document an association owes soon or is late with.
type DigestDoc struct {
	Association *Association
	DocDue
}

// DigestMembers is an association with fewer members than the regulation
// requires.
type DigestMembers struct {
	Association *Association
	Members     int
}

// DigestMeetings is an association whose held and scheduled заседания do
// not reach the regulation's minimum for the school year.
type DigestMeetings struct {
	Association     *Association
	Held, Scheduled int
}

// DigestConsult is a request still open after an escalation.
type DigestConsult struct {
	Association  *Association
	Consultation *Consultation
	Days         int // working days since the asker began to wait, as the escalations count them
}

// Empty reports whether there is nothing to tell.
func (d *Digest) Empty() bool {
	return len(d.Docs)+len(d.Members)+len(d.Meetings)+len(d.Consults) == 0
}

// BuildDigest decides what the coordinators' digest holds at now, from the
// facts of every association, in their order. Archived associations are
// left out: nothing is asked of them any more.
func BuildDigest(facts []AssociationFacts, reg Regulation, now time.Time, loc *time.Location) Digest {
	today := Today(now, loc)
	year := reg.SchoolYearOf(now, loc)
	d := Digest{Day: today}
	for _, f := range facts {
		a := f.Association
		if a.Archived() {
			continue
		}
		for _, doc := range f.Owed {
			if doc.DaysLeft <= DigestDocDays {
				d.Docs = append(d.Docs, DigestDoc{a, doc})
			}
		}
		if AssociationStatus(a, f.Members, reg.MinMembers) == StatusForming {
			d.Members = append(d.Members, DigestMembers{a, f.Members})
		}
		held, scheduled := CountMeetings(f.Events, now)
		if !reg.MeetingsOnTrack(held, scheduled, year, today, loc) {
			d.Meetings = append(d.Meetings, DigestMeetings{a, held, scheduled})
		}
		for _, c := range f.Consultations {
			if c.Open() && c.Escalation > 0 && !c.WaitingSince.IsZero() {
				d.Consults = append(d.Consults, DigestConsult{a, c, WorkingDaysBetween(c.WaitingSince, now, loc)})
			}
		}
	}
	return d
}
