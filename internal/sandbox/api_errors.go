package sandbox

import (
	"errors"
	"html"
	"net/http"

	"github.com/mmobot/mmobot/internal/i18n"
)

// The API's errors are read by a person trying the bot, in the bot's
// default language (or the one the page was switched to, which it sends
// in langHeader), never in the English of Go's errors.

// langHeader carries the page's language with each API call.
const langHeader = "X-Sandbox-Lang"

// apiError is an error the API answers with a message of the catalog:
// key and its arguments. Error names the key, for Go callers and logs.
type apiError struct {
	key  string
	args []any
}

func (e *apiError) Error() string { return "sandbox: " + e.key }

// failure makes an apiError of a catalog key and its name/value pairs.
func failure(key string, args ...any) error { return &apiError{key: key, args: args} }

// lang is the language to answer r in.
func (s *Sandbox) lang(r *http.Request) string {
	if l := r.Header.Get(langHeader); l != "" && s.main.Catalog.Has(l) {
		return l
	}
	return i18n.Default
}

// fail answers r with status and the message of key, localized. String
// arguments are the user's or Go's text, shown as they are.
func (s *Sandbox) fail(w http.ResponseWriter, r *http.Request, status int, key string, args ...any) {
	raw := make([]any, len(args))
	for i, a := range args {
		if str, ok := a.(string); ok && i%2 == 1 {
			a = i18n.Raw(str)
		}
		raw[i] = a
	}
	// The page shows the message as text: what HTML the catalog escapes
	// in its templates is of no use there.
	writeError(w, status, html.UnescapeString(s.main.Catalog.T(s.lang(r), "conv_coord2.sandbox_"+key, raw...)))
}

// failErr answers r with err: localized when it is an apiError, else as
// the sandbox's own failure, with status.
func (s *Sandbox) failErr(w http.ResponseWriter, r *http.Request, status int, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		s.fail(w, r, http.StatusBadRequest, ae.key, ae.args...)
		return
	}
	s.fail(w, r, status, "internal", "Err", err.Error())
}
