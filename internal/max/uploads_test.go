package max_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/mmobot/mmobot/internal/max"
	"github.com/mmobot/mmobot/internal/max/maxtest"
)

func TestUploadFile(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")
	v := s.NewUser(43, "Boris", "ru")

	docx := []byte("PK\x03\x04 a report")
	up, err := c.Upload(ctx, max.UploadFile, "/tmp/отчёт 2026.docx", docx)
	if err != nil {
		t.Fatal(err)
	}
	if up.Token == "" || up.Type != max.UploadFile {
		t.Fatalf("uploaded %+v", up)
	}
	sent, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Attachments: []max.AttachmentRequest{up.Attachment()}})
	if err != nil {
		t.Fatal(err)
	}
	m := u.Next(t)
	if m.Document == nil || m.Document.Name != "отчёт 2026.docx" || string(m.Document.Bytes) != string(docx) ||
		m.Document.MIME != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
		t.Fatalf("the user sees %s", m)
	}
	if a := sent.Body.Attachments; len(a) != 1 || a[0].File == nil || a[0].File.Token != up.Token || a[0].Filename != "отчёт 2026.docx" {
		t.Errorf("stored attachments %+v", a)
	}
	// One upload, many recipients.
	if _, err := c.SendMessage(ctx, max.ToUser(v.ID), &max.NewMessage{Text: "отчёт", Attachments: []max.AttachmentRequest{max.FileAttachment(up.Token)}}); err != nil {
		t.Fatal(err)
	}
	if m := v.Next(t); m.Document == nil || string(m.Document.Bytes) != string(docx) || m.Text != "отчёт" {
		t.Errorf("the second user sees %s", m)
	}

	// The upload host never saw the token.
	for _, r := range s.Requests() {
		if r.Op() == "POST /upload" && r.Authorized {
			t.Errorf("the upload carried the token: %+v", r)
		}
	}
	if n := s.Calls("POST /upload"); n != 1 {
		t.Errorf("%d uploads, want 1", n)
	}

	_, err = c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Attachments: []max.AttachmentRequest{max.FileAttachment("never-uploaded")}})
	if e := apiError(t, err); e.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown token: %v", err)
	}
	_, err = c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Attachments: []max.AttachmentRequest{
		up.Attachment(), max.InlineKeyboard([]max.Button{max.CallbackButton("ok", "ok")}),
	}})
	if e := apiError(t, err); e.StatusCode != http.StatusBadRequest {
		t.Errorf("a file beside a keyboard: %v", err)
	}
}

func TestUploadImage(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")

	png := []byte("\x89PNG\r\n\x1a\n QR code")
	up, err := c.Upload(ctx, max.UploadImage, "qr.png", png)
	if err != nil {
		t.Fatal(err)
	}
	if up.Token == "" || len(up.Photos) != 1 {
		t.Fatalf("uploaded %+v", up)
	}
	sent, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{
		Text:        "Ссылка для вступления",
		Attachments: []max.AttachmentRequest{up.Attachment(), max.InlineKeyboard([]max.Button{max.LinkButton("Открыть", s.DeepLink("j_1"))})},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := u.Next(t)
	if m.Photo == nil || string(m.Photo.Bytes) != string(png) || m.Photo.MIME != "image/png" || len(m.Buttons()) != 1 {
		t.Fatalf("the user sees %s", m)
	}
	// The token of a sent image sends it again.
	var token string
	for _, a := range sent.Body.Attachments {
		if a.Image != nil {
			token = a.Image.Token
		}
	}
	if _, err := c.SendMessage(ctx, max.ToUser(u.ID), &max.NewMessage{Attachments: []max.AttachmentRequest{max.ImageAttachment(token)}}); err != nil {
		t.Fatal(err)
	}
	if m := u.Next(t); m.Photo == nil || string(m.Photo.Bytes) != string(png) {
		t.Errorf("resent image: %s", m)
	}
}

func TestUploadMedia(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	for _, typ := range []string{max.UploadVideo, max.UploadAudio} {
		up, err := c.Upload(context.Background(), typ, "x.bin", []byte("media"))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if up.Token == "" || up.Attachment().Type != typ {
			t.Errorf("%s: uploaded %+v", typ, up)
		}
	}
}

// TestAttachmentNotReady: a file MAX is still processing refuses the send
// with a code the caller can wait out.
func TestAttachmentNotReady(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Anna", "ru")
	up, err := c.Upload(ctx, max.UploadFile, "big.pdf", []byte("%PDF-1.7"))
	if err != nil {
		t.Fatal(err)
	}
	s.Inject(maxtest.Fault{Op: "POST /messages", Kind: maxtest.NotReady})
	msg := &max.NewMessage{Attachments: []max.AttachmentRequest{up.Attachment()}}
	_, err = c.SendMessage(ctx, max.ToUser(u.ID), msg)
	e := apiError(t, err)
	if e.Code != max.CodeAttachmentNotReady || !e.Temporary() || e.StatusCode != http.StatusBadRequest {
		t.Fatalf("not ready: %+v", e)
	}
	if _, err := c.SendMessage(ctx, max.ToUser(u.ID), msg); err != nil {
		t.Fatalf("the second try: %v", err)
	}
	if m := u.Next(t); m.Document == nil || m.Document.Name != "big.pdf" {
		t.Errorf("the user sees %s", m)
	}
	if n := len(u.Messages()); n != 1 {
		t.Errorf("%d messages, want 1: the refused send must leave nothing", n)
	}
}

func TestUploadFaults(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newClient(t, s)
	ctx := context.Background()
	s.Inject(maxtest.Fault{Op: "POST /upload", Kind: maxtest.InternalError})
	_, err := c.Upload(ctx, max.UploadFile, "a.txt", []byte("a"))
	if e := apiError(t, err); e.StatusCode != http.StatusInternalServerError || e.Path != "upload" {
		t.Errorf("failed upload: %+v", e)
	}
	s.Inject(maxtest.Fault{Op: "POST /upload", Kind: maxtest.Drop})
	if _, err := c.Upload(ctx, max.UploadFile, "a.txt", []byte("a")); err == nil {
		t.Error("dropped upload: no error")
	}
	if _, err := c.Upload(ctx, max.UploadFile, "a.txt", []byte("a")); err != nil {
		t.Errorf("upload after the faults: %v", err)
	}
}
