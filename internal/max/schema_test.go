package max_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/max"
	"github.com/mmobot/mmobot/internal/max/internal/openapi"
	"github.com/mmobot/mmobot/internal/max/maxtest"
)

// TestSchemaConformance drives every call of the client with every option
// it has, records what it sends through the fake, and checks each request
// against the published schema (testdata/schema.yaml): the path and method
// exist, every query parameter is declared for the operation and its value
// fits the declared type, range and enum, required ones are present, and
// every field of the JSON body exists in the operation's request schema,
// recursively. A misspelt field or parameter fails here.
func TestSchemaConformance(t *testing.T) {
	doc, err := openapi.Load("testdata/schema.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")
	u.Phone = "+79001234567"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Me, its menu, and polling with and without each parameter.
	_, err = c.Me(ctx)
	must(err)
	must(c.SetCommands(ctx, []max.BotCommand{{Name: "start", Description: "Начать"}, {Name: "help"}}))
	if got := s.Commands(); len(got) != 2 || got[0].Name != "start" || got[0].Description != "Начать" {
		t.Errorf("menu %+v", got)
	}
	must(c.SetCommands(ctx, nil))
	u.Start("j_1")
	l, err := c.GetUpdates(ctx, max.UpdatesParams{})
	must(err)
	_, err = c.GetUpdates(ctx, max.UpdatesParams{Marker: l.Marker, Limit: 1000, Timeout: 0,
		Types: []string{max.UpdateMessageCreated, max.UpdateMessageCallback, max.UpdateBotStarted, max.UpdateBotStopped}})
	must(err)
	u.Send("so the long poll answers at once")
	_, err = c.GetUpdates(ctx, max.UpdatesParams{Marker: l.Marker, Limit: 1, Timeout: time.Second})
	must(err)

	// Sending: every recipient, format, button kind and option.
	kb := max.InlineKeyboard(
		[]max.Button{max.CallbackButton("Да", "v1:yes"), {Type: max.ButtonCallback, Text: "Нет", Payload: "v1:no", Intent: max.IntentNegative}},
		[]max.Button{max.LinkButton("Сайт", "https://example.org"), max.ContactButton("Телефон")},
		[]max.Button{max.LocationButton("Я здесь", false), max.LocationButton("Сразу", true)},
	)
	first, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Text: "<b>html</b>", Format: max.FormatHTML, Attachments: []max.AttachmentRequest{kb}})
	must(err)
	_, err = c.SendMessage(ctx, max.ToChat(u.ChatID), &max.NewMessage{Text: "**md**", Format: max.FormatMarkdown, ReplyTo: first.Body.MID, Silent: true, DisableLinkPreview: true})
	must(err)

	// Uploads of every type, and their attachments.
	file, err := c.Upload(ctx, max.UploadFile, "a.pdf", []byte("%PDF"))
	must(err)
	img, err := c.Upload(ctx, max.UploadImage, "a.png", []byte("\x89PNG\r\n\x1a\n"))
	must(err)
	_, err = c.Upload(ctx, max.UploadVideo, "a.mp4", []byte("video"))
	must(err)
	_, err = c.Upload(ctx, max.UploadAudio, "a.mp3", []byte("audio"))
	must(err)
	_, err = c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Attachments: []max.AttachmentRequest{file.Attachment()}})
	must(err)
	_, err = c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Attachments: []max.AttachmentRequest{max.FileAttachment(file.Token)}})
	must(err)
	withImage, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Text: "QR", Attachments: []max.AttachmentRequest{img.Attachment(), kb}})
	must(err)
	_, err = c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Attachments: []max.AttachmentRequest{max.ImageAttachment(withImage.Body.Attachments[0].Image.Token)}})
	must(err)

	// Edits keeping, replacing and removing attachments; deletion.
	must(c.EditMessage(ctx, first.Body.MID, &max.NewMessage{Text: "edited"}))
	must(c.EditMessage(ctx, first.Body.MID, &max.NewMessage{Text: "edited", Format: max.FormatHTML, Attachments: []max.AttachmentRequest{kb}}))
	must(c.EditMessage(ctx, first.Body.MID, &max.NewMessage{Text: "edited", Attachments: []max.AttachmentRequest{}}))
	must(c.EditMessage(ctx, first.Body.MID, &max.NewMessage{Attachments: []max.AttachmentRequest{kb}}))

	// Callback answers of every shape.
	current := func(mid string) maxtest.Message {
		for _, m := range u.Messages() {
			if m.ID == mid {
				return m
			}
		}
		t.Fatalf("no message %s", mid)
		return maxtest.Message{}
	}
	for _, a := range []*max.CallbackAnswer{
		{Notification: "ok"},
		{Message: &max.NewMessage{Text: "new", Format: max.FormatHTML, Attachments: []max.AttachmentRequest{kb}}},
		{},
		{Notification: "ok", Message: &max.NewMessage{Text: "new", Attachments: []max.AttachmentRequest{}}},
	} {
		m := current(withImage.Body.MID)
		id, err := u.Press(&m, "Да")
		must(err)
		must(c.AnswerCallback(ctx, id, a))
	}
	must(c.DeleteMessage(ctx, first.Body.MID))

	// Errors are requests too.
	_, err = c.SendMessage(ctx, max.ToUser(777), &max.NewMessage{Text: "nobody"})
	if err == nil {
		t.Fatal("a send to an unknown user succeeded")
	}

	seen := map[string]bool{}
	for _, r := range s.Requests() {
		op := r.Op()
		if op == "POST /upload" || op == "GET /files" {
			continue // the upload host is not the API
		}
		seen[op] = true
		if err := doc.CheckRequest(r.Method, r.Path, r.Query, r.ContentType, r.Body); err != nil {
			t.Errorf("%s ?%s %s\n%v", op, r.Query.Encode(), r.Body, err)
		}
		if r.Query.Has("access_token") {
			t.Errorf("%s carries the token in its URL", op)
		}
	}
	// Every operation the client implements was exercised.
	want := []string{"GET /me", "PATCH /me", "GET /updates", "POST /messages", "PUT /messages", "DELETE /messages", "POST /answers", "POST /uploads"}
	var missing []string
	for _, op := range want {
		if !seen[op] {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Errorf("not exercised: %s", strings.Join(missing, ", "))
	}
	var ops []string
	for op := range seen {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	if len(ops) != len(want) {
		t.Errorf("the client called %v, want exactly %v", ops, want)
	}
}
