package telegram

import (
	"errors"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
)

// Recorder is told what the transport does, for the operator's metrics.
// Its methods are called on hot paths: they must be quick and safe for
// concurrent use. Labels are fixed words, never a user's or chat's id.
type Recorder interface {
	// Request: one Bot API call, by method and result code (0: no
	// answer of the API came).
	Request(method string, code int)
	// Waited: what a 429 asked the calls of method to wait.
	Waited(method string, d time.Duration)
	// Sent: an outbox message Telegram accepted; kind is reply, notice
	// or broadcast.
	Sent(kind string)
	// Update: one update handled, by type, and how long it took.
	Update(kind string, took time.Duration)
	// DueScan: how long a scan for due messages took.
	DueScan(took time.Duration)
	// Polled: getUpdates succeeded, at this time of the bot's clock.
	Polled(at time.Time)
}

// nopRecorder records nothing: the bot without metrics.
type nopRecorder struct{}

func (nopRecorder) Request(string, int)          {}
func (nopRecorder) Waited(string, time.Duration) {}
func (nopRecorder) Sent(string)                  {}
func (nopRecorder) Update(string, time.Duration) {}
func (nopRecorder) DueScan(time.Duration)        {}
func (nopRecorder) Polled(time.Time)             {}

// orNop is rec, or a recorder of nothing when rec is nil.
func orNop(rec Recorder) Recorder {
	if rec == nil {
		return nopRecorder{}
	}
	return rec
}

// resultCode is the code a request is counted under: 200 when it
// succeeded, Telegram's error code, or 0 when no API answer came.
func resultCode(err error) int {
	var apiErr *tgbotapi.Error
	switch {
	case err == nil:
		return 200
	case errors.As(err, &apiErr) && apiErr.Code != 0:
		return apiErr.Code
	}
	return 0
}

// updateKind names the type of an update for metrics and logs.
func updateKind(u *tgbotapi.Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.MyChatMember != nil:
		return "my_chat_member"
	}
	return "other"
}

// messageKind names what an outbox item of a priority is: a reply to
// the user who acted, a notice to someone else, a broadcast's message;
// "" for a menu, which is no message.
func messageKind(p boltdb.Priority) string {
	switch p {
	case boltdb.PriorityReply:
		return "reply"
	case boltdb.PriorityNotice:
		return "notice"
	case boltdb.PriorityBulk:
		return "broadcast"
	}
	return ""
}
