package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// redactor replaces secrets (the bot token) in every log line. The Bot API
// puts the token in request URLs, and net/http errors quote URLs, so any
// logged error could carry it.
type redactor struct {
	secrets []string
}

func (r redactor) apply(s string) string {
	for _, sec := range r.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "<redacted>")
		}
	}
	return s
}

// RedactingHandler wraps a slog.Handler so that the given secrets never
// reach the output, whatever attribute or message they hide in.
func RedactingHandler(h slog.Handler, secrets ...string) slog.Handler {
	return &redactHandler{inner: h, r: redactor{secrets: secrets}}
}

type redactHandler struct {
	inner slog.Handler
	r     redactor
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.apply(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.apply(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, g := range attrs {
			out[i] = h.attr(g)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.r.apply(err.Error()))
		}
		return slog.String(a.Key, h.r.apply(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = h.attr(a)
	}
	return &redactHandler{inner: h.inner.WithAttrs(out), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{inner: h.inner.WithGroup(name), r: h.r}
}

// libLogger receives the Bot API library's own log lines (it logs request
// errors with URLs) and passes them on redacted, at debug level.
type libLogger struct {
	log *slog.Logger
	r   redactor
}

func (l libLogger) Println(v ...any) {
	l.log.Debug(l.r.apply(strings.TrimSpace(fmt.Sprintln(v...))), "source", "tgbotapi")
}

func (l libLogger) Printf(format string, v ...any) {
	l.log.Debug(l.r.apply(strings.TrimSpace(fmt.Sprintf(format, v...))), "source", "tgbotapi")
}
