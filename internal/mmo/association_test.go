package mmo

import (
	"strings"
	"testing"
	"time"
)

func TestAssociationStatus(t *testing.T) {
	now := time.Now()
	live := &Association{}
	archived := &Association{ArchivedAt: now}
	tests := []struct {
		a        *Association
		members  int
		min      int
		want     Status
		scenario string
	}{
		{live, 0, 10, StatusForming, "new"},
		{live, 9, 10, StatusForming, "one short"},
		{live, 10, 10, StatusActive, "at the minimum"},
		{live, 11, 10, StatusActive, "above"},
		{live, 0, 0, StatusActive, "rule disabled"},
		{live, 3, 3, StatusActive, "another city's minimum"},
		{archived, 50, 10, StatusArchived, "archived wins"},
	}
	for _, tt := range tests {
		if got := AssociationStatus(tt.a, tt.members, tt.min); got != tt.want {
			t.Errorf("%s: status %s, want %s", tt.scenario, got, tt.want)
		}
	}
}

func TestValidateAssocFields(t *testing.T) {
	tests := []struct {
		field, in, want string
		code            Code
	}{
		{FieldAssocName, "ММО учителей математики", "ММО учителей математики", ""},
		{FieldAssocName, "ММ", "", CodeTooShort},
		{FieldAssocName, strings.Repeat("м", 121), "", CodeTooLong},
		{FieldAssocSubject, "математика", "математика", ""},
		{FieldAssocSubject, "/start", "", CodeInvalid},
		{FieldAssocDescription, "-", "", ""},
		{FieldAssocDescription, "  Строка 1  \n\n\n\n  Строка 2 ", "Строка 1\n\nСтрока 2", ""},
		{FieldAssocDescription, strings.Repeat("о", 1001), "", CodeTooLong},
		{FieldAssocDescription, "   ", "", CodeTooShort},
		{FieldAssocDescription, "табуляция\tвнутри", "табуляция внутри", ""},
		{FieldReason, "нарушение", "нарушение", ""},
		{FieldReason, "-", "", CodeTooShort},
		{FieldReason, "да", "", CodeTooShort},
		{"other", "x", "", CodeInvalid},
	}
	for _, tt := range tests {
		got, err := ValidateAssocField(tt.field, tt.in)
		if codeOf(err) != tt.code || err == nil && got != tt.want {
			t.Errorf("ValidateAssocField(%s, %q) = %q, %v; want %q, %q", tt.field, tt.in, got, err, tt.want, tt.code)
		}
	}
}

func TestInviteCheck(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	member, _ := NewInvite(InviteMember, 1, 2, now, 0)
	timed, _ := NewInvite(InviteMember, 1, 2, now, time.Hour)
	leader, _ := NewInvite(InviteLeader, 1, 2, now, 24*time.Hour)
	if len(member.Token) != 20 || member.Token == timed.Token {
		t.Fatalf("tokens %q %q", member.Token, timed.Token)
	}
	if p := leader.Payload(); !strings.HasPrefix(p, "l_") || len(p) > 64 {
		t.Errorf("payload %q", p)
	}
	used := leader
	used.UsedBy = 5
	revoked := member
	revoked.RevokedAt = now
	tests := []struct {
		name string
		inv  Invite
		at   time.Time
		code Code
	}{
		{"fresh", member, now.Add(1000 * time.Hour), ""},
		{"within ttl", timed, now.Add(59 * time.Minute), ""},
		{"expired", timed, now.Add(time.Hour), CodeExpired},
		{"leader unused", leader, now, ""},
		{"leader used", used, now, CodeUsed},
		{"revoked", revoked, now, CodeRevoked},
	}
	for _, tt := range tests {
		if got := codeOf(tt.inv.Check(tt.at)); got != tt.code {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.code)
		}
	}
}

func TestLastActivity(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return now.AddDate(0, 0, n) }
	a := &Association{CreatedAt: day(-100)}
	held := &Event{State: EventPublished, Start: day(-10)}
	tests := []struct {
		name     string
		events   []*Event
		members  []*Membership
		consults []*Consultation
		want     time.Time
	}{
		{"nothing since its creation", nil, nil, nil, day(-100)},
		{"a held event", []*Event{held}, nil, nil, day(-10)},
		{"a scheduled event is no activity", []*Event{held, {State: EventPublished, Start: day(5)}}, nil, nil, day(-10)},
		{"a cancelled one neither", []*Event{{State: EventCancelled, Start: day(-2)}}, nil, nil, day(-100)},
		{"a member joined later", []*Event{held}, []*Membership{{State: MemberActive, JoinedAt: day(-3)}}, nil, day(-3)},
		{"a pending request is no activity", nil, []*Membership{{State: MemberPending, RequestedAt: day(-1)}}, nil, day(-100)},
		{"a consultation's last message", []*Event{held}, nil, []*Consultation{{LastActivity: day(-1)}}, day(-1)},
	}
	for _, tt := range tests {
		if got := LastActivity(a, tt.events, tt.members, tt.consults, now); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestJoinState(t *testing.T) {
	open := &Association{Policy: PolicyOpen}
	approval := &Association{Policy: PolicyApproval}
	archived := &Association{Policy: PolicyOpen, ArchivedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name string
		a    *Association
		m    *Membership
		want MembershipState
		code Code
	}{
		{"open: a member at once", open, nil, MemberActive, ""},
		{"by approval: a candidate", approval, nil, MemberPending, ""},
		{"archived", archived, nil, "", CodeArchived},
		{"archived, a member already: archived says more", archived, &Membership{State: MemberActive}, "", CodeArchived},
		{"a member already", open, &Membership{State: MemberActive}, "", CodeAlready},
		{"a candidate already", approval, &Membership{State: MemberPending}, "", CodePending},
		{"a candidate of an association opened since", open, &Membership{State: MemberPending}, "", CodePending},
	}
	for _, tt := range tests {
		got, err := JoinState(tt.a, tt.m)
		if got != tt.want || codeOf(err) != tt.code {
			t.Errorf("%s: %q, %v; want %q, %q", tt.name, got, err, tt.want, tt.code)
		}
	}
}

func TestMinimumCrossed(t *testing.T) {
	tests := []struct {
		before, after, min, want int
	}{
		{9, 10, 10, 1},
		{10, 9, 10, -1},
		{10, 11, 10, 0},
		{8, 9, 10, 0},
		{11, 10, 10, 0},
		{0, 1, 1, 1},
		{5, 6, 0, 0}, // no minimum
		{1, 0, 0, 0},
	}
	for _, tt := range tests {
		if got := MinimumCrossed(tt.before, tt.after, tt.min); got != tt.want {
			t.Errorf("%d → %d of %d: %d, want %d", tt.before, tt.after, tt.min, got, tt.want)
		}
	}
}

func TestCanManage(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	leader := &User{ID: 3, RegisteredAt: now, LeaderOf: []uint64{1}}
	a := &Association{ID: 1, LeaderID: 3}
	other := &Association{ID: 2, LeaderID: 4}
	tests := []struct {
		name string
		u    *User
		role Role
		a    *Association
		want bool
	}{
		{"its leader", leader, RoleLeader, a, true},
		{"another association's leader", leader, RoleLeader, other, false},
		{"a member", &User{ID: 5, RegisteredAt: now}, RoleMember, a, false},
		{"a coordinator", &User{ID: 6, RegisteredAt: now, Coordinator: true}, RoleCoordinator, other, true},
		{"an admin", &User{ID: 7, RegisteredAt: now}, RoleAdmin, other, true},
		{"its leader before registration", &User{ID: 3}, RoleGuest, a, false},
	}
	for _, tt := range tests {
		if got := CanManage(tt.u, tt.role, tt.a); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
