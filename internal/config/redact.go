package config

import (
	"errors"
	"regexp"
	"strings"
	"unicode"
)

// A configuration error quotes the value it refuses, so the operator sees
// what is wrong. A bot token pasted under the wrong key (or a key pasted
// with the token in it) would then land in a terminal, a log or a support
// ticket. Every error of this package therefore passes through redact,
// which hides whatever looks like a secret:
//
//   - the shape of a bot token: at least three digits, a colon, then at
//     least five letters, digits, "_" or "-" ("123456:ABC-def…", whole
//     or cut);
//   - a run of at least 30 letters, digits, "_" or "-" with upper and
//     lower case letters and digits: the secret half of a token alone,
//     other API keys (paths and names are rarely like that);
//   - the configured token itself, whatever its shape.
//
// Each becomes "<redacted>"; the key and the reason stay.
var (
	tokenShape = regexp.MustCompile(`[0-9]{3,}:[A-Za-z0-9_-]{5,}`)
	secretRun  = regexp.MustCompile(`[A-Za-z0-9_-]{30,}`)
)

// redacted is what a secret in a message becomes.
const redacted = "<redacted>"

// redactText hides in s what looks like a secret, and the given secrets.
func redactText(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(strings.TrimSpace(sec)) >= 4 {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	s = tokenShape.ReplaceAllString(s, redacted)
	return secretRun.ReplaceAllStringFunc(s, func(run string) string {
		if strings.ContainsFunc(run, unicode.IsDigit) && strings.ContainsFunc(run, unicode.IsUpper) && strings.ContainsFunc(run, unicode.IsLower) {
			return redacted
		}
		return run
	})
}

// redactedError is an error whose message went through redactText. It
// answers errors.Is for the sentinel errors of the original, such as
// ErrNoToken and fs.ErrNotExist, but does not unwrap to it, so nothing can
// reach the unredacted message.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the original error is target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

// redact returns err with its message redacted (see redactText), or nil.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	var r *redactedError
	if errors.As(err, &r) && len(secrets) == 0 {
		return err
	}
	return &redactedError{msg: redactText(err.Error(), secrets...), err: err}
}
