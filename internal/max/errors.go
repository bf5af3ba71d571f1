package max

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error codes MAX answers that a caller may act on. MAX documents only a
// few; the rest of the error is in Error.Message.
const (
	// CodeAttachmentNotReady: an uploaded file is still being processed;
	// send the message again a little later.
	CodeAttachmentNotReady = "attachment.not.ready"
	// CodeVerifyToken: the token is wrong or revoked.
	CodeVerifyToken = "verify.token"
	// CodeChatDenied: the bot may not write to the chat (the user stopped
	// the bot, or it was removed from the chat).
	CodeChatDenied = "chat.denied"
)

// Error is an unsuccessful answer of the MAX API: an HTTP status other
// than 200, or a 200 whose result reports no success.
type Error struct {
	// Method and Path name the call, e.g. "POST" and "/messages"; an
	// upload has Path "upload" (the upload URL itself is not kept).
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is MAX's error key ("verify.token", "attachment.not.ready"),
	// "" when the body had none (a proxy's HTML page).
	Code string
	// Message is MAX's description, with the token removed.
	Message string
	// RetryAfter is how long a 429 (or 503) asks to wait, from the
	// Retry-After header; 0 when the answer said nothing.
	RetryAfter time.Duration
}

// Error describes the failure on one line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "max: %s %s: %d", e.Method, e.Path, e.StatusCode)
	switch {
	case e.Code != "" && e.Message != "":
		fmt.Fprintf(&b, " %s: %s", e.Code, e.Message)
	case e.Code != "":
		fmt.Fprintf(&b, " %s", e.Code)
	case e.Message != "":
		fmt.Fprintf(&b, " %s", e.Message)
	default:
		fmt.Fprintf(&b, " %s", http.StatusText(e.StatusCode))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %v)", e.RetryAfter)
	}
	return b.String()
}

// TooManyRequests reports a 429: the bot is over its rate limit.
func (e *Error) TooManyRequests() bool { return e.StatusCode == http.StatusTooManyRequests }

// Unauthorized reports that MAX refused the token.
func (e *Error) Unauthorized() bool {
	return e.StatusCode == http.StatusUnauthorized || e.Code == CodeVerifyToken
}

// Temporary reports a failure that the same call may not meet again: a
// 429, a 5xx, or a file not processed yet.
func (e *Error) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500 || e.Code == CodeAttachmentNotReady
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// redacted wraps an error so that its text never shows the secret, even
// if a server or a library put it there.
type redacted struct {
	err    error
	secret string
}

func (r *redacted) Error() string { return redact(r.err.Error(), r.secret) }

func (r *redacted) Unwrap() error { return r.err }

func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "<token>")
}
