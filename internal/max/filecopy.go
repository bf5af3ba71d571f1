package max

import (
	"context"
	"fmt"
	"sync"

	"github.com/mmobot/mmobot/internal/chat"
)

// copies serialises the uploads of one file of another messenger, so
// that an announcement's file going to every member on MAX at once is
// fetched and uploaded once: the others wait for its token, recorded in
// the store (boltdb file_copies), and send by it.
type copies struct {
	mu    sync.Mutex
	locks map[string]*copyLock
}

type copyLock struct {
	mu    sync.Mutex
	users int
}

// lock takes the lock of a file, and returns its release.
func (c *copies) lock(key string) func() {
	c.mu.Lock()
	if c.locks == nil {
		c.locks = map[string]*copyLock{}
	}
	l := c.locks[key]
	if l == nil {
		l = &copyLock{}
		c.locks[key] = l
	}
	l.users++
	c.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		c.mu.Lock()
		if l.users--; l.users == 0 {
			delete(c.locks, key)
		}
		c.mu.Unlock()
	}
}

// foreignFile makes the attachment of a file a person sent through
// another messenger: by the token of its copy on MAX when it went up
// before, else fetched, uploaded and its token recorded.
func (w *wire) foreignFile(ctx context.Context, m *chat.Message, typ string) (AttachmentRequest, error) {
	from, id := m.FileFrom, m.FileID
	release := w.copies.lock(from + "\x00" + id)
	defer release()
	if token, err := w.db.FileCopy(from, id, Messenger); err != nil {
		w.log.Warn("outbox: read a file's copy", "error", err)
	} else if token != "" {
		if typ == UploadImage {
			return ImageAttachment(token), nil
		}
		return FileAttachment(token), nil
	}
	if w.fetch == nil {
		return AttachmentRequest{}, fmt.Errorf("a file of %s, which this bot does not run on", from)
	}
	data, err := w.fetch(ctx, from, id)
	if err != nil {
		return AttachmentRequest{}, fmt.Errorf("fetch a file of %s: %w", from, err)
	}
	m.File, m.FileID, m.FileFrom = data, "", ""
	up, err := w.uploadBytes(ctx, m, typ)
	if err != nil {
		return AttachmentRequest{}, err
	}
	if up.Token != "" {
		if err := w.db.PutFileCopy(from, id, Messenger, up.Token); err != nil {
			w.log.Warn("outbox: record a file's copy", "error", err)
		}
	}
	return up.Attachment(), nil
}

// hasCopy reports whether the message's file is another messenger's
// whose copy on MAX is recorded, so that it goes by the copy's token.
func (w *wire) hasCopy(m *chat.Message) bool {
	if m.FileID == "" || m.FileFrom == "" || m.FileFrom == Messenger {
		return false
	}
	token, err := w.db.FileCopy(m.FileFrom, m.FileID, Messenger)
	return err == nil && token != ""
}

// forgetCopy drops the recorded copy of a file after a send by it
// failed: MAX may have let the token go, and the file goes up again
// rather than failing by the same token each time.
func (w *wire) forgetCopy(from, id string) {
	if err := w.db.DeleteFileCopy(from, id, Messenger); err != nil {
		w.log.Warn("outbox: forget a file's copy", "error", err)
	}
}
