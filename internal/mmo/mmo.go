// Package mmo holds the domain of the bot: municipal methodological
// associations of teachers (ММО), their members and the rules that govern
// them. It knows nothing about Telegram or the store; adapters in other
// packages implement its interfaces and render its outcomes.
package mmo

import (
	"errors"
	"fmt"
)

// Code identifies a domain error. The Telegram adapter maps a code to a
// localized message key, so rules stay testable without a chat.
type Code string

// Error codes the adapters know how to explain to a user.
const (
	CodeInvalid  Code = "invalid"   // input failed a validation rule
	CodeTooLong  Code = "too_long"  // input longer than the field allows
	CodeTooShort Code = "too_short" // input shorter than the field allows
	CodeNotFound Code = "not_found" // the thing does not exist (or is not visible to the user)
	CodeConflict Code = "conflict"  // the state changed since the user saw it
	CodeInternal Code = "internal"  // a bug or an I/O failure; the user sees an apology
)

// Error is a domain error with a code and the field it concerns.
type Error struct {
	Code  Code
	Field string // e.g. "name", "school"; empty when the error is not about a field
	Limit int    // the limit broken, for CodeTooLong and CodeTooShort
	Err   error  // the underlying cause, for CodeInternal
}

func (e *Error) Error() string {
	s := string(e.Code)
	if e.Field != "" {
		s = e.Field + ": " + s
	}
	if e.Limit != 0 {
		s += fmt.Sprintf(" (limit %d)", e.Limit)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of a domain error anywhere in err's chain, or
// CodeInternal for any other error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Errorf returns a domain error with the given code.
func Errorf(code Code, field string) error {
	return &Error{Code: code, Field: field}
}

// ErrNotFound is returned by stores when a record does not exist.
var ErrNotFound = &Error{Code: CodeNotFound}
