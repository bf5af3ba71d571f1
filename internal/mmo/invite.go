package mmo

import "time"

// InviteKind says what an invitation link does.
type InviteKind string

// Invitation kinds and the deep-link prefixes that carry them.
const (
	InviteMember InviteKind = "j" // join an association: reusable until revoked or expired
	InviteLeader InviteKind = "l" // become its leader: one use
)

// Invitation errors, beside CodeNotFound for a token nobody issued.
const (
	CodeExpired Code = "expired"
	CodeRevoked Code = "revoked"
	CodeUsed    Code = "used"
)

// Invite is an invitation link's record, kept by its token.
type Invite struct {
	Token         string     `json:"token"`
	Kind          InviteKind `json:"kind"`
	AssociationID uint64     `json:"association_id"`
	CreatedBy     int64      `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	ExpiresAt     time.Time  `json:"expires_at,omitempty"` // zero: never
	RevokedAt     time.Time  `json:"revoked_at,omitempty"`
	UsedBy        int64      `json:"used_by,omitempty"`
	UsedAt        time.Time  `json:"used_at,omitempty"`
}

// NewInvite makes an invitation with a fresh unguessable token (NewToken:
// 120 bits, 20 characters of base64url); ttl 0 means it does not expire.
func NewInvite(kind InviteKind, associationID uint64, by int64, now time.Time, ttl time.Duration) (Invite, error) {
	token, err := NewToken()
	if err != nil {
		return Invite{}, err
	}
	inv := Invite{
		Token:         token,
		Kind:          kind,
		AssociationID: associationID,
		CreatedBy:     by,
		CreatedAt:     now,
	}
	if ttl > 0 {
		inv.ExpiresAt = now.Add(ttl)
	}
	return inv, nil
}

// Check says whether the invitation can be used now.
func (i *Invite) Check(now time.Time) error {
	switch {
	case !i.RevokedAt.IsZero():
		return Errorf(CodeRevoked, "invite")
	case i.Kind == InviteLeader && i.UsedBy != 0:
		return Errorf(CodeUsed, "invite")
	case !i.ExpiresAt.IsZero() && !now.Before(i.ExpiresAt):
		return Errorf(CodeExpired, "invite")
	}
	return nil
}

// Payload is the deep-link payload of the invitation: kind, "_", token.
func (i *Invite) Payload() string { return string(i.Kind) + "_" + i.Token }
