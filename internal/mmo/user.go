package mmo

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what a user may do. Roles are ordered: a higher role can do what a
// lower one can, except leadership, which is per association and checked
// against the association itself.
type Role int

// Roles, lowest first.
const (
	RoleGuest       Role = iota // has not finished registration
	RoleMember                  // a registered teacher
	RoleLeader                  // leads at least one association
	RoleCoordinator             // the city's methodical centre: creates associations, appoints leaders
	RoleAdmin                   // listed in the config: grants the coordinator role
)

// String returns the role's name as used in logs and locale keys.
func (r Role) String() string {
	switch r {
	case RoleGuest:
		return "guest"
	case RoleMember:
		return "member"
	case RoleLeader:
		return "leader"
	case RoleCoordinator:
		return "coordinator"
	case RoleAdmin:
		return "admin"
	}
	return "unknown"
}

// User is a person who wrote to the bot. The ID is the bot's own: every
// record about a person refers to it, whatever messenger they write
// through; Accounts are their accounts in the messengers. Name, School
// and Position are personal data collected with consent.
type User struct {
	ID int64 `json:"id"`
	// Accounts are the person's accounts in messengers; the first is the
	// one the bot writes to (see Reach).
	Accounts     []Account `json:"accounts,omitempty"`
	FirstName    string    `json:"first_name,omitempty"` // from the messenger, used before registration
	Username     string    `json:"username,omitempty"`
	LanguageCode string    `json:"language_code,omitempty"` // from the messenger
	Lang         string    `json:"lang,omitempty"`          // chosen in /settings; empty means follow LanguageCode
	Name         string    `json:"name,omitempty"`          // full name (ФИО)
	School       string    `json:"school,omitempty"`        // organisation
	// SchoolOther marks a school typed by hand, not picked from the
	// city's list, for the coordinator to check.
	SchoolOther  bool      `json:"school_other,omitempty"`
	Position     string    `json:"position,omitempty"`   // position and/or subject
	ConsentAt    time.Time `json:"consent_at,omitempty"` // when they agreed to the personal data notice
	RegisteredAt time.Time `json:"registered_at,omitempty"`
	Coordinator  bool      `json:"coordinator,omitempty"`
	// LeaderOf lists the associations the user leads; the store keeps it
	// in step with Association.LeaderID.
	LeaderOf []uint64 `json:"leader_of,omitempty"`
	// Current is the association the user last chose, used by commands
	// that need one when the user has several.
	Current uint64 `json:"current,omitempty"`
	Blocked bool   `json:"blocked,omitempty"` // the user blocked the bot; nothing is sent to them
	// Asker marks someone who is not a registered teacher (a parent, say)
	// and agreed to the notice to ask for consultations through a public
	// link; Name is how they asked to be addressed.
	Asker     bool      `json:"asker,omitempty"`
	BlockedAt time.Time `json:"blocked_at,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Account is a person's account in a messenger.
type Account struct {
	// Messenger names the messenger ("telegram").
	Messenger string `json:"messenger"`
	// ID is the messenger's id of the person.
	ID int64 `json:"id"`
	// Chat is the messenger's id of the person's private chat with the
	// bot, 0 when it is the same as ID (as in Telegram).
	Chat int64 `json:"chat,omitempty"`
}

// ChatID is the id of the account's private chat with the bot.
func (a Account) ChatID() int64 {
	if a.Chat != 0 {
		return a.Chat
	}
	return a.ID
}

// Reach returns the account the bot writes to the user through: the one
// they wrote through last. ok is false for a user with no account.
func (u *User) Reach() (a Account, ok bool) {
	if len(u.Accounts) == 0 {
		return Account{}, false
	}
	return u.Accounts[0], true
}

// UseAccount records that the user wrote through a: it becomes the
// account the bot writes to, its private chat kept when known. It reports
// whether the user changed.
func (u *User) UseAccount(a Account) bool {
	for i, old := range u.Accounts {
		if old.Messenger != a.Messenger || old.ID != a.ID {
			continue
		}
		if a.Chat == 0 {
			a.Chat = old.Chat
		}
		if i == 0 && old == a {
			return false
		}
		u.Accounts = append(u.Accounts[:i:i], u.Accounts[i+1:]...)
		break
	}
	u.Accounts = append([]Account{a}, u.Accounts...)
	return true
}

// HasAccount reports whether the user is the person of an account.
func (u *User) HasAccount(messenger string, id int64) bool {
	for _, a := range u.Accounts {
		if a.Messenger == messenger && a.ID == id {
			return true
		}
	}
	return false
}

// Registered reports whether the user finished registration.
func (u *User) Registered() bool { return !u.RegisteredAt.IsZero() }

// Parent reports whether the user is a parent (or anyone else) who asks
// by an association's public link without registering as a teacher: the
// one rule the conversation follows to give her a home of her own, never
// the newcomer's invitation to register. Registering makes her a teacher.
func (u *User) Parent() bool { return u.Asker && !u.Registered() }

// Role returns the user's global role; admin is decided by the config.
func (u *User) Role(isAdmin bool) Role {
	switch {
	case !u.Registered():
		return RoleGuest // admins too: their name is needed for the audit log
	case isAdmin:
		return RoleAdmin
	case u.Coordinator:
		return RoleCoordinator
	case len(u.LeaderOf) > 0:
		return RoleLeader
	}
	return RoleMember
}

// Profile fields and their limits, in runes.
const (
	FieldName     = "name"
	FieldSchool   = "school"
	FieldPosition = "position"

	NameMin, NameMax         = 5, 100
	SchoolMin, SchoolMax     = 3, 200
	PositionMin, PositionMax = 3, 100
)

// NormalizeText trims the input and collapses runs of white space, so that
// "  Иванова   Мария " is stored as "Иванова Мария".
func NormalizeText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// ValidateName checks a full name (ФИО): at least two words of letters,
// hyphens, apostrophes and dots (initials), within the length limits.
func ValidateName(s string) (string, error) {
	if HasUnsafeText(s) {
		return "", Errorf(CodeControlChars, FieldName)
	}
	s = NormalizeText(s)
	if err := checkLen(FieldName, s, NameMin, NameMax); err != nil {
		return "", err
	}
	words := strings.Fields(s)
	if len(words) < 2 {
		return "", Errorf(CodeInvalid, FieldName)
	}
	for _, w := range words {
		first, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsLetter(first) {
			return "", Errorf(CodeInvalid, FieldName)
		}
		for _, r := range w {
			if !unicode.IsLetter(r) && !strings.ContainsRune("-'’.", r) {
				return "", Errorf(CodeInvalid, FieldName)
			}
		}
	}
	return s, nil
}

// ValidateSchool checks the name of an organisation: free text with at
// least one letter ("МБОУ СОШ № 5", "Лицей 33").
func ValidateSchool(s string) (string, error) {
	return validateFreeText(FieldSchool, s, SchoolMin, SchoolMax)
}

// ValidatePosition checks a position and/or subject ("учитель математики").
func ValidatePosition(s string) (string, error) {
	return validateFreeText(FieldPosition, s, PositionMin, PositionMax)
}

// ValidateField validates a profile field by its name.
func ValidateField(field, s string) (string, error) {
	switch field {
	case FieldName:
		return ValidateName(s)
	case FieldSchool:
		return ValidateSchool(s)
	case FieldPosition:
		return ValidatePosition(s)
	}
	return "", Errorf(CodeInvalid, field)
}

// validateFreeText checks a one-line text: no character CleanText would
// remove (the person is told, see CodeControlChars), spaces collapsed,
// some letters, not a command.
func validateFreeText(field, s string, min, max int) (string, error) {
	if HasUnsafeText(s) {
		return "", Errorf(CodeControlChars, field)
	}
	s = NormalizeText(s)
	if err := checkLen(field, s, min, max); err != nil {
		return "", err
	}
	if strings.HasPrefix(s, "/") || !strings.ContainsFunc(s, unicode.IsLetter) {
		return "", Errorf(CodeInvalid, field)
	}
	return s, nil
}

func checkLen(field, s string, min, max int) error {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 || n < min:
		return &Error{Code: CodeTooShort, Field: field, Limit: min}
	case n > max:
		return &Error{Code: CodeTooLong, Field: field, Limit: max}
	}
	return nil
}

// SetField sets a validated profile field on the user.
func (u *User) SetField(field, value string) {
	switch field {
	case FieldName:
		u.Name = value
	case FieldSchool:
		u.School = value
	case FieldPosition:
		u.Position = value
	}
}
