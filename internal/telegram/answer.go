package telegram

import (
	"context"
	"log/slog"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// answerTTL is how long a callback answer is worth sending: the button's
// spinner stops on its own after about 15 s, and Telegram refuses answers
// to older queries.
const answerTTL = 15 * time.Second

// maxAnswering bounds the answers in flight at once; more wait for a
// slot, each no longer than its own answerTTL.
const maxAnswering = 64

// answerer answers callback queries off the update workers: each answer
// is one try through the sender, within answerTTL of the press, so a
// hanging answerCallbackQuery or a 429 on one user's answers holds up
// neither the updates behind it nor anyone else's answers.
type answerer struct {
	sender *Sender
	log    *slog.Logger
	ctx    context.Context // cancelled when the bot stops
	cancel context.CancelFunc
	slots  chan struct{}
	wg     sync.WaitGroup
}

func newAnswerer(s *Sender, log *slog.Logger) *answerer {
	ctx, cancel := context.WithCancel(context.Background())
	return &answerer{sender: s, log: log, ctx: ctx, cancel: cancel, slots: make(chan struct{}, maxAnswering)}
}

// answer sends cfg, the answer to a query from chatID, in the background.
func (a *answerer) answer(cfg tgbotapi.CallbackConfig, chatID int64, updateID int) {
	ctx, cancel := context.WithTimeout(a.ctx, answerTTL)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer cancel()
		select {
		case a.slots <- struct{}{}:
		case <-ctx.Done():
			a.log.Warn("callback answer not sent: no slot in time", "update_id", updateID, "chat_id", chatID)
			return
		}
		defer func() { <-a.slots }()
		if _, err := a.sender.Do(ctx, chatID, cfg); err != nil {
			a.log.Warn("callback answer not sent", "update_id", updateID, "chat_id", chatID, "error", err)
		}
	}()
}

// stop cuts the answers in flight and waits for their goroutines.
func (a *answerer) stop() {
	a.cancel()
	a.wg.Wait()
}
