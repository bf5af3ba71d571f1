package chat

import (
	"github.com/mmobot/mmobot/internal/mmo"
)

// signedSnapshot is what the event's signed protocol prints about who was
// there: the snapshot of its latest signed version (computed as the
// protocol computes it for a version signed before snapshots were kept),
// or nil when no version is signed.
func (b *Engine) signedSnapshot(r *Request, e *mmo.Event, a *mmo.Association) (*mmo.ProtocolSnapshot, []*mmo.Minutes, error) {
	versions, err := r.Tx.MinutesVersions(e.ID)
	if err != nil {
		return nil, nil, err
	}
	for i := len(versions) - 1; i >= 0; i-- {
		m := versions[i]
		if m.Status != mmo.MinutesFinal {
			continue
		}
		if m.Snapshot != nil {
			return m.Snapshot, versions, nil
		}
		s, err := b.protocolSnapshot(r, e, a, m)
		return s, versions, err
	}
	return nil, versions, nil
}

// roster is who an event expected and how each is recorded.
type roster struct {
	entries []mmo.RosterEntry
	marks   map[int64]*mmo.Attendance // as stored, the host counted present
	total   int                       // the protocol's «из N», or the members then
	signed  bool                      // from a signed protocol
}

// present is how many were there: the protocol's count when signed,
// otherwise every present mark, also of people who left or deleted their
// data since, so that the figures of past events stay true.
func (x roster) present() int {
	if x.signed {
		return mmo.RosterPresent(x.entries)
	}
	n := 0
	for _, m := range x.marks {
		if m.Mark == mmo.MarkPresent {
			n++
		}
	}
	return n
}

// eventRoster is who the event expected and how each is recorded (see
// mmo.Roster).
func (b *Engine) eventRoster(r *Request, e *mmo.Event, a *mmo.Association) (roster, error) {
	marks, err := b.eventMarks(r, e)
	if err != nil {
		return roster{}, err
	}
	snap, versions, err := b.signedSnapshot(r, e, a)
	if err != nil {
		return roster{}, err
	}
	if snap != nil {
		return roster{mmo.Roster(snap, nil, marks, nil), marks, snap.Members, true}, nil
	}
	members, err := b.activeMembers(r, a)
	if err != nil {
		return roster{}, err
	}
	var ids []int64
	for _, x := range members {
		if mmo.MemberAt(x.m.JoinedAt, e.End()) {
			ids = append(ids, x.u.ID)
		}
	}
	var guests []mmo.ProtocolPerson
	if n := len(versions); n > 0 {
		guests = versions[n-1].Guests // the draft's invited: the leader typed them
	}
	return roster{mmo.Roster(nil, ids, marks, guests), marks, len(ids), false}, nil
}

// rosterName is how a sheet names a person of the roster: the protocol's
// name (redacted for one who deleted their data since), or the member's
// name now.
func (b *Engine) rosterName(r *Request, l loc, x mmo.RosterEntry) (string, *mmo.User) {
	var u *mmo.User
	if x.UserID != 0 {
		if v, err := r.Tx.User(x.UserID); err == nil && v.Registered() {
			u = v
		}
	}
	if x.Guest || x.Name != "" {
		return b.personName(r, l, mmo.ProtocolPerson{UserID: x.UserID, Name: x.Name}), u
	}
	if u == nil {
		return l.T("docx.anonymous"), nil
	}
	return u.Name, u
}

// eventHeading is how a document names an event: «Заседание № 1
// муниципального методического объединения учителей математики», the
// association by the official form of its name, never «Заседание № 1
// «ММО учителей математики»».
func (b *Engine) eventHeading(r *Request, l loc, e *mmo.Event, a *mmo.Association) (string, error) {
	name := formatName(l, e.Format)
	n, err := b.meetingNumber(r.Tx, e)
	if err != nil {
		return "", err
	}
	if n > 0 {
		name = l.T("event.meeting_number", "Format", name, "N", n)
	}
	return l.T("doc_wave3.event_heading", "What", name, "Name", mmo.OfficialName(a.Name)), nil
}
