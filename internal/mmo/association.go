package mmo

import (
	"strings"
	"time"
)

// JoinPolicy says how a teacher becomes a member.
type JoinPolicy string

// Join policies.
const (
	PolicyOpen     JoinPolicy = "open"     // anyone registered joins at once
	PolicyApproval JoinPolicy = "approval" // the leader approves each request
)

// Association is a methodological association (ММО) of one subject or
// direction.
type Association struct {
	ID          uint64     `json:"id"`
	Name        string     `json:"name"`    // "ММО учителей математики"
	Subject     string     `json:"subject"` // the subject or direction
	Description string     `json:"description,omitempty"`
	Policy      JoinPolicy `json:"policy"`
	LeaderID    int64      `json:"leader_id,omitempty"` // 0: no leader yet
	// FormerLeaderID is who led the association when it was archived.
	FormerLeaderID int64 `json:"former_leader_id,omitempty"`
	// InviteToken is the current member invitation; empty when revoked.
	InviteToken string `json:"invite_token,omitempty"`
	// Consultants are members the leader designated to answer
	// consultation requests besides the leader.
	Consultants []int64 `json:"consultants,omitempty"`
	// ConsultToken, when set, is the public link through which people who
	// are not members (parents, say) can ask for consultations.
	ConsultToken string `json:"consult_token,omitempty"`
	// ParentTopics are the topics offered through the public link, set
	// by the leader (see ParseTopics); none means the deployment's.
	ParentTopics []string  `json:"parent_topics,omitempty"`
	CreatedBy    int64     `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	ArchivedAt   time.Time `json:"archived_at,omitempty"`
}

// Archived reports whether the association was archived: it takes no new
// members and does nothing new, but its history is kept.
func (a *Association) Archived() bool { return !a.ArchivedAt.IsZero() }

// CanManage reports whether user u, whose role is role, runs association
// a: its leader, or a coordinator (and an admin) for every association.
// A leader who has not finished registration does not.
func CanManage(u *User, role Role, a *Association) bool {
	return role >= RoleCoordinator || u.Registered() && a.LeaderID == u.ID
}

// Status of an association against the regulation's minimum of members.
type Status string

// Statuses.
const (
	StatusForming  Status = "forming"  // fewer members than the regulation requires
	StatusActive   Status = "active"   // enough members (or no minimum)
	StatusArchived Status = "archived" // closed; history kept
)

// AssociationStatus decides the status from the member count and the
// regulation's minimum (0 disables the rule).
func AssociationStatus(a *Association, members, minMembers int) Status {
	switch {
	case a.Archived():
		return StatusArchived
	case minMembers > 0 && members < minMembers:
		return StatusForming
	}
	return StatusActive
}

// LastActivity returns when the association last showed life at now, for
// the coordinator's overview: the latest of its creation, the start of a
// held event, a member joining, and a consultation's last message.
// Scheduled events and pending requests to join are intentions, not
// activity.
func LastActivity(a *Association, events []*Event, members []*Membership, consults []*Consultation, now time.Time) time.Time {
	last := a.CreatedAt
	later := func(t time.Time) {
		if t.After(last) {
			last = t
		}
	}
	for _, e := range events {
		if e.Held(now) {
			later(e.Start)
		}
	}
	for _, m := range members {
		later(m.JoinedAt)
	}
	for _, c := range consults {
		later(c.LastActivity)
	}
	return last
}

// MembershipState is where a teacher stands in an association.
type MembershipState string

// Membership states.
const (
	MemberPending MembershipState = "pending" // asked to join, waits for approval
	MemberActive  MembershipState = "member"
)

// Membership links a user to an association.
type Membership struct {
	AssociationID uint64          `json:"association_id"`
	UserID        int64           `json:"user_id"`
	State         MembershipState `json:"state"`
	RequestedAt   time.Time       `json:"requested_at,omitempty"`
	JoinedAt      time.Time       `json:"joined_at,omitempty"`
	Via           string          `json:"via,omitempty"` // how they came: "link", "list", "leader"
}

// Refusals to join, beside CodeAlready for a member.
const (
	CodeArchived Code = "archived" // the association was archived
	CodePending  Code = "pending"  // a request to join waits already
)

// JoinState decides what joining association a makes of a user whose
// membership is m (nil when they have none): an active member at once, or
// a candidate when the leader approves each request. An archived
// association takes nobody (CodeArchived); a member (CodeAlready) or a
// candidate (CodePending) stays as they are, so joining twice changes
// nothing.
func JoinState(a *Association, m *Membership) (MembershipState, error) {
	const field = "membership"
	switch {
	case a.Archived():
		return "", Errorf(CodeArchived, field)
	case m != nil && m.State == MemberActive:
		return "", Errorf(CodeAlready, field)
	case m != nil:
		return "", Errorf(CodePending, field)
	case a.Policy == PolicyApproval:
		return MemberPending, nil
	}
	return MemberActive, nil
}

// MinimumCrossed says whether a change of an association's member count
// from before to after crosses the regulation's minimum: +1 when it
// reached it, -1 when it fell below, 0 when neither (or minimum is 0, no
// rule). The coordinators hear of each crossing.
func MinimumCrossed(before, after, minimum int) int {
	switch {
	case minimum <= 0 || (before < minimum) == (after < minimum):
		return 0
	case after < minimum:
		return -1
	}
	return 1
}

// Association field names and limits, in runes.
const (
	FieldAssocName        = "aname"
	FieldAssocSubject     = "asubject"
	FieldAssocDescription = "adescription"
	FieldReason           = "reason"

	AssocNameMin, AssocNameMax = 3, 120
	SubjectMin, SubjectMax     = 3, 100
	DescriptionMax             = 1000
	ReasonMin, ReasonMax       = 3, 500
	SkipValue                  = "-" // typed to leave an optional field empty
)

// ValidateAssocField checks an association field; the description may be
// skipped with "-".
func ValidateAssocField(field, s string) (string, error) {
	switch field {
	case FieldAssocName:
		return validateFreeText(field, s, AssocNameMin, AssocNameMax)
	case FieldAssocSubject:
		return validateFreeText(field, s, SubjectMin, SubjectMax)
	case FieldAssocDescription:
		return ValidateLongText(field, s, 0, DescriptionMax)
	case FieldReason:
		return ValidateLongText(field, s, ReasonMin, ReasonMax)
	}
	return "", Errorf(CodeInvalid, field)
}

// ValidateLongText checks a multi-line text: it is cleaned (CleanText:
// control characters but line breaks and bidirectional controls are
// removed, not refused), every line trimmed, runs of spaces and of blank
// lines collapsed. With min 0 the skip value "-" gives an empty text.
func ValidateLongText(field, s string, min, max int) (string, error) {
	s = normalizeLines(CleanText(s))
	if min == 0 && s == SkipValue {
		return "", nil
	}
	if min == 0 && s == "" {
		return "", Errorf(CodeTooShort, field)
	}
	if err := checkLen(field, s, min, max); err != nil {
		return "", err
	}
	return s, nil
}

// normalizeLines trims every line and keeps at most one empty line in a
// row.
func normalizeLines(s string) string {
	var out []byte
	blank := 0
	for _, line := range strings.Split(s, "\n") {
		line = NormalizeText(line)
		if line == "" {
			blank++
			continue
		}
		if len(out) > 0 {
			out = append(out, '\n')
			if blank > 0 {
				out = append(out, '\n')
			}
		}
		blank = 0
		out = append(out, line...)
	}
	return string(out)
}
