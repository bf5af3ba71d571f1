package telegram

import (
	"bytes"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

func TestRedactingHandler(t *testing.T) {
	const token = "123456:SECRET-token"
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		log := slog.New(RedactingHandler(h, token))
		urlErr := &url.Error{Op: "Post", URL: "https://api.telegram.org/bot" + token + "/getUpdates", Err: errors.New("connection reset")}
		log.Info("message with "+token, "error", urlErr, "url", "https://x/bot"+token+"/m",
			slog.Group("g", "inner", token), "n", 5)
		log.With("token", token).WithGroup("grp").Warn("x", "e", urlErr)
		libLogger{log: log, r: redactor{secrets: []string{token}}}.Printf("lib %s", token)
	}
	out := buf.String()
	if strings.Contains(out, "SECRET") {
		t.Fatalf("the token leaked into the log:\n%s", out)
	}
	if !strings.Contains(out, "<redacted>") || !strings.Contains(out, "connection reset") {
		t.Errorf("redaction removed too much:\n%s", out)
	}
}
