package max

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/mmobot/mmobot/internal/chat"
)

// keyboard builds the inline keyboard of a message to chatID, each
// button signed for that chat; nil for none.
func (w *wire) keyboard(m *chat.Message, chatID int64) (*AttachmentRequest, error) {
	var rows [][]Button
	for _, r := range m.Buttons {
		var row []Button
		for _, b := range r {
			if b.URL != "" {
				row = append(row, LinkButton(b.Label, b.URL))
				continue
			}
			data, err := w.codec.encode(chatID, b.Verb, b.Args...)
			if err != nil {
				return nil, fmt.Errorf("button %q (%s): %w", b.Label, b.Verb, err)
			}
			row = append(row, CallbackButton(b.Label, data))
		}
		rows = append(rows, row)
	}
	switch {
	case m.AskLocation != "":
		rows = append(rows, []Button{LocationButton(m.AskLocation, false)})
	case m.AskContact != "":
		rows = append(rows, []Button{ContactButton(m.AskContact)})
	}
	if len(rows) == 0 {
		return nil, nil
	}
	kb := InlineKeyboard(rows...)
	return &kb, nil
}

// send makes the calls an outbox item needs and returns the id of the
// message it sent, if any. Every call waits for its turn of the pacer.
func (w *wire) send(ctx context.Context, chatID int64, m *chat.Message) (string, error) {
	kb, err := w.keyboard(m, chatID)
	if err != nil {
		return "", err
	}
	body := &NewMessage{Text: m.Text, Format: FormatHTML, DisableLinkPreview: true}
	if kb != nil {
		body.Attachments = []AttachmentRequest{*kb}
	}
	switch m.Kind {
	case chat.KindMenu:
		cmds := make([]BotCommand, 0, len(m.Commands))
		for _, c := range m.Commands {
			cmds = append(cmds, BotCommand{Name: c.Name, Description: c.Description})
		}
		if len(cmds) > MaxCommands {
			cmds = cmds[:MaxCommands]
		}
		if err := w.pace.wait(ctx); err != nil {
			return "", err
		}
		return "", w.api.SetCommands(ctx, cmds)
	case chat.KindSend:
		mid := ""
		if body.Text != "" || kb != nil {
			if mid, err = w.sendMessage(ctx, chatID, body); err != nil {
				return "", err
			}
		}
		w.askedBy(ctx, chatID, m, mid)
		return mid, nil
	case chat.KindEdit:
		if m.Target == "" {
			return "", errors.New("an edit of no message")
		}
		if body.Attachments == nil {
			body.Attachments = []AttachmentRequest{} // takes the old buttons away
		}
		if err := w.pace.wait(ctx); err != nil {
			return "", err
		}
		return "", w.api.EditMessage(ctx, m.Target, body)
	case chat.KindRemove:
		if m.Target == "" {
			return "", errors.New("a removal of no message")
		}
		if err := w.pace.wait(ctx); err != nil {
			return "", err
		}
		return "", w.api.DeleteMessage(ctx, m.Target)
	case chat.KindDocument, chat.KindPhoto:
		att, err := w.upload(ctx, m)
		if err != nil {
			return "", err
		}
		if att.Type == AttachFile && kb != nil {
			// A file must be the only attachment of a MAX message: the
			// buttons follow in a message of their own.
			mid, err := w.sendMessage(ctx, chatID, &NewMessage{Text: m.Text, Format: FormatHTML, Attachments: []AttachmentRequest{att}})
			if err != nil {
				return "", err
			}
			_, err = w.sendMessage(ctx, chatID, &NewMessage{Attachments: []AttachmentRequest{*kb}})
			return mid, err
		}
		body.Attachments = append([]AttachmentRequest{att}, body.Attachments...)
		return w.sendMessage(ctx, chatID, body)
	}
	return "", fmt.Errorf("outbox: unknown kind %q", m.Kind)
}

func (w *wire) sendMessage(ctx context.Context, chatID int64, body *NewMessage) (string, error) {
	if err := w.pace.wait(ctx); err != nil {
		return "", err
	}
	msg, err := w.api.SendMessage(ctx, ToChat(chatID), body)
	if err != nil {
		return "", err
	}
	return msg.Body.MID, nil
}

// upload returns the attachment of a document or photo: the bytes
// uploaded (two calls), or a file MAX has already, by its token.
func (w *wire) upload(ctx context.Context, m *chat.Message) (AttachmentRequest, error) {
	typ := UploadFile
	if m.Kind == chat.KindPhoto {
		typ = UploadImage
	}
	if m.Bundle != nil {
		// An archive of files some of which are fetched now, outside any
		// store transaction (see chat.Bundle).
		if _, err := m.Pack(ctx, w.fetch); err != nil {
			return AttachmentRequest{}, fmt.Errorf("pack an archive: %w", err)
		}
	}
	if m.FileID != "" && m.FileFrom != "" && m.FileFrom != Messenger {
		// A file a person sent through another messenger: MAX has no
		// token of it, so its bytes go up, unless they went up before
		// (filecopy.go).
		return w.foreignFile(ctx, m, typ)
	}
	if m.FileID != "" && m.File == nil {
		token, _ := splitFileRef(m.FileID)
		if typ == UploadImage {
			return ImageAttachment(token), nil
		}
		return FileAttachment(token), nil
	}
	up, err := w.uploadBytes(ctx, m, typ)
	if err != nil {
		return AttachmentRequest{}, err
	}
	return up.Attachment(), nil
}

// uploadBytes uploads the message's bytes (two calls).
func (w *wire) uploadBytes(ctx context.Context, m *chat.Message, typ string) (*Uploaded, error) {
	for range 2 { // POST /uploads, then the upload host
		if err := w.pace.wait(ctx); err != nil {
			return nil, err
		}
	}
	name := m.FileName
	if name == "" {
		name = "file"
		if typ == UploadImage {
			name = "image.png"
		}
	}
	return w.api.Upload(ctx, typ, name, m.File)
}

// pacer spaces the calls to MAX over the whole bot: each goes at least
// interval after the one before, and none before a pause a 429 asked for
// has passed.
//
// A 429 also halves the pace (down to a call a second): MAX's answer
// means the rate configured is more than it allows now, and every call
// refused costs a turn. Each turn then takes back a hundredth of the
// difference, so the configured pace returns within a few hundred calls.
type pacer struct {
	mu       sync.Mutex
	base     time.Duration // the configured interval
	interval time.Duration // the interval now
	last     time.Time     // the latest turn booked
	// pausedUntil is the end of the latest pause a 429 asked for.
	pausedUntil time.Time
}

func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		perSecond = DefaultRate
	}
	// A little under the limit: MAX counts in windows as calls arrive,
	// and jitter can bring two evenly spaced calls closer.
	d := time.Duration(float64(time.Second) / (perSecond * 0.97))
	return &pacer{base: d, interval: d}
}

// DefaultRate is the calls per second MAX is reported to allow a bot.
const DefaultRate = 30

// book takes the next turn and returns its time.
func (p *pacer) book(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.last.Add(p.interval)
	if at.Before(now) {
		at = now
	}
	p.last = at
	if p.interval > p.base {
		p.interval -= max((p.interval-p.base)/100, 1)
	}
	return at
}

// wait books a turn and sleeps until it.
func (p *pacer) wait(ctx context.Context) error {
	return sleep(ctx, time.Until(p.book(time.Now())))
}

// pause holds every call back for d (a second when a 429 did not say).
func (p *pacer) pause(d time.Duration) {
	if d <= 0 {
		d = time.Second
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.After(p.pausedUntil) {
		// The first 429 of a pause slows the pace; the others were
		// booked before it and say nothing more.
		p.interval = min(2*p.interval, time.Second)
	}
	if until := now.Add(d); until.After(p.last) {
		p.last, p.pausedUntil = until, until
	}
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
