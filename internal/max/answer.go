package max

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// answerTTL is how long an answer to a press is worth sending.
const answerTTL = 15 * time.Second

// maxAnswering bounds the answers in flight at once.
const maxAnswering = 64

// answerer answers presses off the update workers, one try each within
// answerTTL, through the pacer, so a hanging POST /answers or a 429
// holds up neither the updates behind it nor other answers.
type answerer struct {
	api    *Client
	pace   *pacer
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	slots  chan struct{}
	wg     sync.WaitGroup
}

func newAnswerer(api *Client, pace *pacer, log *slog.Logger) *answerer {
	ctx, cancel := context.WithCancel(context.Background())
	return &answerer{api: api, pace: pace, log: log, ctx: ctx, cancel: cancel, slots: make(chan struct{}, maxAnswering)}
}

// answer sends a, the answer to the press id in chatID, in the background.
func (a *answerer) answer(id string, ans *CallbackAnswer, chatID int64) {
	ctx, cancel := context.WithTimeout(a.ctx, answerTTL)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer cancel()
		select {
		case a.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		defer func() { <-a.slots }()
		if err := a.pace.wait(ctx); err != nil {
			return
		}
		if err := a.api.AnswerCallback(ctx, id, ans); err != nil {
			a.log.Warn("callback answer not sent", "chat_id", chatID, "error", err)
		}
	}()
}

func (a *answerer) stop() {
	a.cancel()
	a.wg.Wait()
}
