package telegram

import (
	"crypto/sha256"
	"encoding/json"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/recent"
)

// An edit that would leave a message as it is costs a request and a turn
// within the overall rate, and Telegram refuses it ("message is not
// modified"): a teacher who taps a button twice, or presses the button of
// the view already shown, redraws the same card. Only the bot can edit its
// messages, so what its last edit of a message put there is what the
// message shows, until the bot changes it again: the wire remembers that
// (a digest of the text and buttons) and skips an edit that would put the
// same again. What it does not know (a restart, a message it only sent,
// an edit whose outcome is unknown) it sends.

// shownMax bounds the messages remembered: the most recently edited.
const shownMax = 4096

// shownKey is a message of a chat.
type shownKey struct {
	chat    int64
	message int
}

// shownCache remembers what the bot's last edits put in the last
// shownMax messages edited. A message forgotten keeps its place, marked
// unknown, so that a later edit of it does not take a second one.
type shownCache struct {
	last *recent.Map[shownKey, shownSum]
}

// shownSum is the digest of what a message shows, when known.
type shownSum struct {
	sum   [sha256.Size]byte
	known bool
}

func newShownCache() *shownCache {
	return &shownCache{last: recent.New[shownKey, shownSum](shownMax)}
}

// editDigest is the digest of what an edit puts in its message, and the
// message; ok is false for requests that are not a text edit.
func editDigest(c tgbotapi.Chattable) (key shownKey, sum [sha256.Size]byte, ok bool) {
	e, isEdit := c.(tgbotapi.EditMessageTextConfig)
	if !isEdit || e.InlineMessageID != "" || e.ChannelUsername != "" {
		return shownKey{}, sum, false
	}
	markup, err := json.Marshal(e.ReplyMarkup)
	if err != nil {
		return shownKey{}, sum, false
	}
	h := sha256.New()
	h.Write([]byte(e.ParseMode))
	h.Write([]byte{0})
	h.Write([]byte(e.Text))
	h.Write([]byte{0})
	h.Write(markup)
	copy(sum[:], h.Sum(nil))
	return shownKey{chat: e.ChatID, message: e.MessageID}, sum, true
}

// same reports whether the message shows what sum digests, as far as the
// bot knows.
func (s *shownCache) same(k shownKey, sum [sha256.Size]byte) bool {
	got, _ := s.last.Get(k)
	return got.known && got.sum == sum
}

// put records what a message shows after an edit Telegram accepted.
func (s *shownCache) put(k shownKey, sum [sha256.Size]byte) {
	s.last.Put(k, shownSum{sum: sum, known: true})
}

// forget drops what the bot knew of a message: an edit failed or its
// outcome is unknown, or the message was removed.
func (s *shownCache) forget(k shownKey) {
	s.last.Replace(k, shownSum{})
}
