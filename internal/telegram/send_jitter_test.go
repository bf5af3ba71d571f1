package telegram

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// TestNoTooManyOverAJitteryNetwork sends at the full rate through a
// network whose delay varies by half its length each way, to a server
// that counts messages and edits as they arrive: messages to many chats,
// several to each, and edits, with as many in flight as the dispatcher
// allows. Not one may be refused. (The rate reached is for mmobench.)
func TestNoTooManyOverAJitteryNetwork(t *testing.T) {
	srv := telegramtest.Start(telegramtest.Options{})
	defer srv.Close()
	// Telegram's limits at ten times the rate, so the test takes seconds:
	// 300 a second overall, 10 a second to a chat in bursts of 3, over a
	// network of a real one's jitter: 50 ms ± 25 ms each way, a round trip
	// of 100 ms ± 50 ms. The overall window is still a second, which the
	// jitter shortens by up to a tenth.
	srv.EnforceLimits(telegramtest.Limits{Global: 300, PerChat: 10, PerChatBurst: 3, Edits: true})
	srv.SetLatency(telegramtest.Latency{Base: 50 * time.Millisecond, Jitter: 25 * time.Millisecond, Back: true})
	api, err := tgbotapi.NewBotAPIWithClient(telegramtest.Token, srv.Endpoint(), &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s := NewSender(apiCaller{api: api, client: &http.Client{Timeout: 10 * time.Second}}, Limits{Global: 300, Private: 10, PrivateBurst: 3}, quietLog())
	const chats, each = 100, 6
	users := make([]*telegramtest.User, chats)
	for i := range users {
		users[i] = srv.NewUser(int64(i+1), "U", "ru")
		users[i].Send("/start") // a private chat exists once the user wrote
	}
	srv.SettleWithin(5 * time.Second)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chat := range work {
				id := int64(chat + 1)
				var first int
				for k := range each {
					var c tgbotapi.Chattable = tgbotapi.NewMessage(id, "message")
					if k%3 == 2 && first != 0 {
						c = tgbotapi.NewEditMessageText(id, first, "edited "+string(rune('a'+k)))
					}
					resp, err := s.Do(context.Background(), id, c)
					if err != nil {
						t.Errorf("chat %d, message %d: %v", id, k, err)
						return
					}
					if first == 0 {
						var m tgbotapi.Message
						if err := json.Unmarshal(resp.Result, &m); err == nil {
							first = m.MessageID
						}
					}
				}
			}
		}()
	}
	for i := range chats {
		work <- i
	}
	close(work)
	wg.Wait()
	st := srv.Stats()
	if st.TooMany != 0 {
		t.Errorf("%d answers 429 of %d sends and %d edits", st.TooMany, st.Sent, st.Edits)
	}
	if st.Edits == 0 {
		t.Error("no edit was counted: the test proves nothing about edits")
	}
}
