package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/chat"
)

// maxFetch bounds a file downloaded from Telegram for another messenger:
// the Bot API serves files of up to 20 MB.
const maxFetch = 20 << 20

// fetchFile puts the bytes of another messenger's file into m, or, when
// the file went up to Telegram before, Telegram's id of that copy. It
// returns the file's name in its own messenger (from, id) for copied to
// record the copy once sent; "" when there is nothing to record.
func (w *wire) fetchFile(ctx context.Context, m *chat.Message) (from, id string, err error) {
	from, id = m.FileFrom, m.FileID
	if own, err := w.db.FileCopy(from, id, Messenger); err != nil {
		w.log.Warn("outbox: read a file's copy", "error", err)
	} else if own != "" {
		m.FileID, m.FileFrom = own, ""
		return "", "", nil
	}
	if w.fetch == nil {
		return "", "", fmt.Errorf("a file of %s, which this bot does not run on", m.FileFrom)
	}
	data, err := w.fetch(ctx, m.FileFrom, m.FileID)
	if err != nil {
		return "", "", err
	}
	if m.FileName == "" {
		m.FileName = "file"
		if m.Kind == chat.KindPhoto {
			m.FileName = "photo.jpg"
		}
	}
	m.File, m.FileID, m.FileFrom = data, "", ""
	return from, id, nil
}

// copied records Telegram's id of a file of another messenger it took as
// an upload, from the answer to the send, so the next send of that file
// goes by the id.
func (w *wire) copied(from, id string, resp *tgbotapi.APIResponse) {
	var sent tgbotapi.Message
	if resp == nil || json.Unmarshal(resp.Result, &sent) != nil {
		return
	}
	own := ""
	switch {
	case sent.Document != nil:
		own = sent.Document.FileID
	case len(sent.Photo) > 0:
		own = sent.Photo[len(sent.Photo)-1].FileID // the largest size
	}
	if own == "" {
		return
	}
	if err := w.db.PutFileCopy(from, id, Messenger, own); err != nil {
		w.log.Warn("outbox: record a file's copy", "error", err)
	}
}

// Fetch downloads a file a person sent to the bot on Telegram, by its
// file id, for another messenger's transport to upload (see
// chat.FileFetcher): getFile, then the file URL, whose host the Bot API
// endpoint names ("…/bot%s/%s" → "…/file/bot%s/%s").
func (b *Bot) Fetch(ctx context.Context, fileID string) ([]byte, error) {
	resp, err := apiCaller{api: b.api, client: b.sendClient}.Request(ctx, tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		return nil, fmt.Errorf("getFile: %w", redactURL(err))
	}
	var f tgbotapi.File
	if err := json.Unmarshal(resp.Result, &f); err != nil || f.FilePath == "" {
		return nil, errors.New("getFile: no file path in the answer")
	}
	pattern := strings.Replace(b.opt.Endpoint, "/bot%s/%s", "/file/bot%s/%s", 1)
	if pattern == b.opt.Endpoint {
		return nil, errors.New("download: the Bot API endpoint names no file host")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf(pattern, b.opt.Token, f.FilePath), nil)
	if err != nil {
		return nil, errors.New("download: bad file URL")
	}
	res, err := b.sendClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download: %w", redactURL(err))
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: %s", res.Status)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, maxFetch+1))
	if err != nil {
		return nil, fmt.Errorf("download: %w", redactURL(err))
	}
	if len(data) > maxFetch {
		return nil, fmt.Errorf("download: a file over %d bytes", maxFetch)
	}
	return data, nil
}

// redactURL keeps what went wrong of a url.Error, whose URL holds the
// token.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return errors.New(ue.Op + ": " + ue.Err.Error())
	}
	return err
}
