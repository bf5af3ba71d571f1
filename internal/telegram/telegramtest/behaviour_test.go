package telegramtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

type pollResult struct {
	status int
	ups    []update
	desc   string
	took   time.Duration
}

// poll runs getUpdates in a goroutine.
func (c *rawClient) poll(ctx context.Context, params url.Values) <-chan pollResult {
	ch := make(chan pollResult, 1)
	go func() {
		start := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url("getUpdates"), strings.NewReader(params.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.hc.Do(req)
		if err != nil {
			ch <- pollResult{status: -1, desc: err.Error(), took: time.Since(start)}
			return
		}
		defer resp.Body.Close()
		var r apiResp
		_ = json.NewDecoder(resp.Body).Decode(&r)
		var ups []update
		_ = json.Unmarshal(r.Result, &ups)
		ch <- pollResult{status: resp.StatusCode, ups: ups, desc: r.Description, took: time.Since(start)}
	}()
	return ch
}

func recv(t testing.TB, ch <-chan pollResult) pollResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("getUpdates did not return")
	}
	return pollResult{}
}

func TestLongPoll(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(1, "A", "en")

	t.Run("wakes on update", func(t *testing.T) {
		ch := c.poll(context.Background(), vals("timeout", "30"))
		waitFor(t, "the poll to arrive", func() bool { return s.Calls("getUpdates") >= 1 })
		select {
		case r := <-ch:
			t.Fatalf("long poll answered without update: %+v", r)
		case <-time.After(30 * time.Millisecond):
		}
		id := u.Send("ping")
		r := recv(t, ch)
		if r.status != 200 || len(r.ups) != 1 || r.ups[0].UpdateID != id {
			t.Fatalf("poll = %+v", r)
		}
		c.updates(vals("offset", fmt.Sprint(id+1)))
	})

	t.Run("timeout", func(t *testing.T) {
		r := recv(t, c.poll(context.Background(), vals("timeout", "0.1")))
		if r.status != 200 || len(r.ups) != 0 || r.took < 90*time.Millisecond {
			t.Fatalf("poll = %+v", r)
		}
	})

	t.Run("client gone", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		before := s.Calls("getUpdates")
		ch := c.poll(ctx, vals("timeout", "30"))
		waitFor(t, "the poll to arrive", func() bool { return s.Calls("getUpdates") > before })
		cancel()
		if r := recv(t, ch); r.status != -1 {
			t.Fatalf("poll = %+v", r)
		}
		waitFor(t, "the cancelled poll to be recorded", func() bool {
			reqs := s.Requests()
			last := reqs[len(reqs)-1]
			return last.Method == "getUpdates" && last.Status == 0
		})
	})

	t.Run("conflict", func(t *testing.T) {
		before := s.Calls("getUpdates")
		first := c.poll(context.Background(), vals("timeout", "30"))
		waitFor(t, "the first poll", func() bool { return s.Calls("getUpdates") > before })
		second := c.poll(context.Background(), vals("timeout", "30"))
		r := recv(t, first)
		if r.status != 409 || !strings.HasPrefix(r.desc, "Conflict: terminated by other getUpdates request") {
			t.Fatalf("first poll = %+v", r)
		}
		u.Send("x")
		if r := recv(t, second); r.status != 200 || len(r.ups) != 1 {
			t.Fatalf("second poll = %+v", r)
		}
	})

	t.Run("close", func(t *testing.T) {
		s2 := telegramtest.Start(telegramtest.Options{})
		c2 := newClient(t, s2)
		ch := c2.poll(context.Background(), vals("timeout", "30"))
		waitFor(t, "the poll", func() bool { return s2.Calls("getUpdates") == 1 })
		done := make(chan struct{})
		go func() { s2.Close(); close(done) }()
		if r := recv(t, ch); r.status != 200 || len(r.ups) != 0 {
			t.Fatalf("poll at close = %+v", r)
		}
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Close blocked")
		}
		s2.Close() // idempotent
	})
}

func TestNoLongPoll(t *testing.T) {
	s := telegramtest.NewServer(t, telegramtest.Options{NoLongPoll: true})
	c := newClient(t, s)
	r := recv(t, c.poll(context.Background(), vals("timeout", "30")))
	if r.status != 200 || len(r.ups) != 0 || r.took > 2*time.Second {
		t.Fatalf("poll = %+v", r)
	}
	if s.Calls("getUpdates") != 1 {
		t.Fatalf("Calls = %d", s.Calls("getUpdates"))
	}
}

func TestBlockUnblock(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(42, "Alice", "en")
	c.ok("sendMessage", vals("chat_id", "42", "text", "hello"), nil)

	id := u.Block()
	if u.Block() != 0 {
		t.Fatal("second Block enqueued an update")
	}
	ups := c.updates(nil)
	if len(ups) != 1 || ups[0].UpdateID != id || ups[0].MyChatMember == nil ||
		ups[0].MyChatMember.OldChatMember.Status != "member" || ups[0].MyChatMember.NewChatMember.Status != "kicked" ||
		!ups[0].MyChatMember.NewChatMember.User.IsBot || ups[0].MyChatMember.NewChatMember.User.ID != telegramtest.DefaultBotID {
		t.Fatalf("block update = %+v", ups)
	}
	status, _, body := c.do("sendMessage", vals("chat_id", "42", "text", "still there?"))
	if status != 403 || body != `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}` {
		t.Fatalf("send to blocked: %d %s", status, body)
	}
	c.fail("editMessageText", vals("chat_id", "42", "message_id", "1", "text", "x"), 403, "Forbidden: bot was blocked by the user")
	c.fail("sendChatAction", vals("chat_id", "42", "action", "typing"), 403, "Forbidden")
	if st := c.multipart403(t); st != 403 {
		t.Fatalf("sendDocument to blocked: %d", st)
	}
	if len(u.Messages()) != 1 {
		t.Fatal("a refused send was recorded")
	}

	id = u.Unblock()
	ups = c.updates(nil)
	if len(ups) != 2 || ups[1].UpdateID != id || ups[1].MyChatMember.NewChatMember.Status != "member" || ups[1].MyChatMember.OldChatMember.Status != "kicked" {
		t.Fatalf("unblock update = %+v", ups)
	}
	c.ok("sendMessage", vals("chat_id", "42", "text", "welcome back"), nil)
	c.ok("sendChatAction", vals("chat_id", "42", "action", "typing"), nil)
}

func (c *rawClient) multipart403(t *testing.T) int {
	status, _, _ := c.multipartCall("sendDocument", vals("chat_id", "42"), "document", "a.txt", []byte("a"))
	return status
}

func TestCommands(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	cmds := `[{"command":"start","description":"Start"},{"command":"help","description":"Help"}]`
	c.ok("setMyCommands", vals("commands", cmds), nil)
	c.ok("setMyCommands", vals("commands", `[{"command":"aide","description":"Aide"}]`, "scope", `{"type":"all_private_chats"}`, "language_code", "fr"), nil)
	if got := s.Commands("default", ""); len(got) != 2 || got[0] != (telegramtest.BotCommand{Command: "start", Description: "Start"}) {
		t.Fatalf("default commands = %+v", got)
	}
	if got := s.Commands("all_private_chats", "fr"); len(got) != 1 || got[0].Command != "aide" {
		t.Fatalf("fr commands = %+v", got)
	}
	if got := s.Commands("all_private_chats", ""); got != nil {
		t.Fatalf("unset scope = %+v", got)
	}
	c.ok("setMyCommands", vals("commands", `[{"command":"admin","description":"Admin menu"}]`, "scope", `{"type":"chat","chat_id":401}`), nil)
	c.ok("setMyCommands", vals("commands", `[{"command":"menu","description":"Menu"}]`, "scope", `{"type":"chat","chat_id":"402"}`, "language_code", "ru"), nil)
	if got := s.ChatCommands(401); len(got) != 1 || got[0].Command != "admin" {
		t.Fatalf("ChatCommands(401) = %+v", got)
	}
	if got := s.ChatCommands(402); len(got) != 1 || got[0].Command != "menu" {
		t.Fatalf("ChatCommands(402) = %+v", got)
	}
	if got := s.ChatCommands(403); got != nil {
		t.Fatalf("ChatCommands(403) = %+v", got)
	}
	if got := s.Commands("chat", "ru"); len(got) != 1 || got[0].Command != "menu" {
		t.Fatalf("Commands(chat, ru) = %+v", got)
	}
	c.ok("deleteMyCommands", vals("scope", `{"type":"chat","chat_id":401}`), nil)
	if got := s.ChatCommands(401); got != nil {
		t.Fatalf("ChatCommands(401) after delete = %+v", got)
	}
	c.fail("setMyCommands", vals("commands", cmds, "scope", `{"type":"chat"}`), 400, "Bad Request: chat not found")
	c.fail("setMyCommands", vals("commands", `[{"command":"Bad Name","description":"x"}]`), 400, "Bad Request: BOT_COMMAND_INVALID")
	c.fail("setMyCommands", vals("commands", `not json`), 400, "Bad Request: can't parse commands JSON object")
	c.fail("setMyCommands", vals("commands", cmds, "scope", `{"type":"galaxy"}`), 400, "Bad Request: wrong bot command scope type")
	c.ok("deleteMyCommands", vals("scope", `{"type":"all_private_chats"}`, "language_code", "fr"), nil)
	if got := s.Commands("all_private_chats", "fr"); got != nil {
		t.Fatalf("deleted commands = %+v", got)
	}
	if got := s.Commands("default", ""); len(got) != 2 {
		t.Fatalf("default commands after delete of another scope = %+v", got)
	}
}

func TestGroups(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	alice := s.NewUser(42, "Alice", "en")
	g := s.NewGroup(-100, "Guild")
	sg := s.NewGroup(-1001234567890, "Big guild")
	g.Send(alice, "/stats@mmo_test_bot week")
	sg.Send(alice, "hello all")
	ups := c.updates(nil)
	if len(ups) != 2 {
		t.Fatalf("updates %+v", ups)
	}
	m := ups[0].Message
	if m.Chat.ID != -100 || m.Chat.Type != "group" || m.Chat.Title != "Guild" || m.From.ID != 42 ||
		len(m.Entities) != 1 || m.Entities[0].Length != len("/stats@mmo_test_bot") {
		t.Fatalf("group message = %+v", m)
	}
	if ups[1].Message.Chat.Type != "supergroup" {
		t.Fatalf("supergroup type = %q", ups[1].Message.Chat.Type)
	}
	c.ok("sendMessage", vals("chat_id", "-100", "text", "Weekly stats", "reply_markup", kb), nil)
	got := g.Next(t)
	if got.ChatID != -100 || got.Text != "Weekly stats" || got.ID != 2 {
		t.Fatalf("group Next = %+v", got)
	}
	if msgs := g.Messages(); len(msgs) != 1 {
		t.Fatalf("group Messages = %+v", msgs)
	}
	if len(alice.Messages()) != 0 {
		t.Fatal("group message in the private chat")
	}
	// A user presses a button in the group.
	qid, err := alice.Press(&got, "No")
	if err != nil {
		t.Fatal(err)
	}
	ups = c.updates(vals("offset", fmt.Sprint(ups[1].UpdateID+1)))
	if len(ups) != 1 || ups[0].CallbackQuery.ID != qid || ups[0].CallbackQuery.Message.Chat.ID != -100 {
		t.Fatalf("group callback = %+v", ups)
	}
	if last, ok := g.Last(); !ok || last.Text != "Weekly stats" {
		t.Fatalf("group Last = %+v", last)
	}
	if d := g.Drain(); len(d) != 0 {
		t.Fatalf("group Drain = %+v", d)
	}
}

func TestFaults(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(42, "Alice", "en")
	s.NewUser(43, "Bob", "en")

	t.Run("too many requests", func(t *testing.T) {
		s.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.TooManyRequests, RetryAfter: 7, Count: 2})
		for i := 0; i < 2; i++ {
			status, _, body := c.do("sendMessage", vals("chat_id", "42", "text", "x"))
			if status != 429 || body != `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}` {
				t.Fatalf("429 fault: %d %s", status, body)
			}
		}
		if len(u.Messages()) != 0 {
			t.Fatal("a faulted send was recorded")
		}
		c.ok("sendMessage", vals("chat_id", "42", "text", "x"), nil)
	})

	t.Run("server error is HTML", func(t *testing.T) {
		s.Inject(telegramtest.Fault{Kind: telegramtest.ServerError})
		resp, err := http.Post(c.url("getMe"), "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 502 || !strings.Contains(string(body), "<html>") || json.Valid(body) {
			t.Fatalf("502: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("bad gateway is JSON 500", func(t *testing.T) {
		s.Inject(telegramtest.Fault{Method: "sendmessage", Kind: telegramtest.BadGateway})
		c.fail("sendMessage", vals("chat_id", "42", "text", "x"), 500, "Internal Server Error")
	})

	t.Run("drop", func(t *testing.T) {
		s.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.Drop})
		n := len(u.Messages())
		req, _ := http.NewRequest(http.MethodPost, c.url("sendMessage"), strings.NewReader(vals("chat_id", "42", "text", "lost").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.hc.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("dropped call answered %d", resp.StatusCode)
		}
		if len(u.Messages()) != n {
			t.Fatal("a dropped send was recorded")
		}
	})

	t.Run("slow", func(t *testing.T) {
		s.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.Slow, Delay: 100 * time.Millisecond})
		start := time.Now()
		c.ok("sendMessage", vals("chat_id", "42", "text", "slow"), nil)
		if d := time.Since(start); d < 100*time.Millisecond {
			t.Fatalf("slow call took %v", d)
		}
		if last, _ := u.Last(); last.Text != "slow" {
			t.Fatalf("slow send not recorded: %+v", last)
		}
	})

	t.Run("order and chat filter", func(t *testing.T) {
		s.Inject(telegramtest.Fault{ChatID: 43, Kind: telegramtest.BadGateway})
		s.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.TooManyRequests})
		// Chat 42 skips the chat-43 fault and takes the second one.
		r := c.fail("sendMessage", vals("chat_id", "42", "text", "x"), 429, "Too Many Requests: retry after 1")
		if r.Parameters == nil || r.Parameters.RetryAfter != 1 {
			t.Fatalf("retry_after = %+v", r.Parameters)
		}
		c.ok("sendMessage", vals("chat_id", "42", "text", "x"), nil)
		c.fail("sendMessage", vals("chat_id", "43", "text", "x"), 500, "Internal Server Error")
		c.ok("sendMessage", vals("chat_id", "43", "text", "x"), nil)
	})

	t.Run("faulted getUpdates confirms nothing", func(t *testing.T) {
		id := u.Send("hi")
		s.Inject(telegramtest.Fault{Method: "getUpdates", Kind: telegramtest.BadGateway})
		c.fail("getUpdates", vals("offset", fmt.Sprint(id+1)), 500, "Internal Server Error")
		if s.Confirmed() >= id || s.Pending() != 1 {
			t.Fatalf("faulted getUpdates confirmed: %d %d", s.Confirmed(), s.Pending())
		}
		c.updates(vals("offset", fmt.Sprint(id+1)))
		if s.Confirmed() != id {
			t.Fatalf("Confirmed = %d", s.Confirmed())
		}
	})

	st := s.Stats()
	if st.Faults != 9 || st.TooMany != 3 {
		t.Fatalf("Stats = %+v", st)
	}
}

// TestHangAndChatFaults holds calls until released, and aims faults at
// one chat for the methods whose chat is not a chat_id parameter.
func TestHangAndChatFaults(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	a := s.NewUser(42, "Alice", "en")
	b := s.NewUser(43, "Bob", "en")

	t.Run("hang until released", func(t *testing.T) {
		s.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.Hang})
		done := make(chan int, 1)
		go func() {
			resp, err := http.PostForm(c.url("sendMessage"), vals("chat_id", "42", "text", "held"))
			if err != nil {
				done <- -1
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
		waitFor(t, "the call to hang", func() bool { return s.Hanging("sendMessage") == 1 })
		// A hanging call is not activity: the server settles around it,
		// and other calls go on.
		if !s.SettleWithin(5 * time.Second) {
			t.Fatal("Settle waited for a hanging call")
		}
		c.ok("sendMessage", vals("chat_id", "43", "text", "free"), nil)
		if len(a.Messages()) != 0 {
			t.Fatal("a hanging send was recorded")
		}
		s.Release("sendmessage")
		if status := <-done; status != 200 {
			t.Fatalf("released call answered %d", status)
		}
		if last, _ := a.Last(); last.Text != "held" || s.Hanging("sendMessage") != 0 {
			t.Fatalf("after release: %+v, hanging %d", last, s.Hanging("sendMessage"))
		}
	})

	t.Run("hang ends when the client gives up", func(t *testing.T) {
		s.Inject(telegramtest.Fault{Method: "getMe", Kind: telegramtest.Hang})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url("getMe"), nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("abandoned call answered %d", resp.StatusCode)
		}
		waitFor(t, "the hang to end", func() bool { return s.Hanging("getMe") == 0 })
	})

	t.Run("callback answers by chat", func(t *testing.T) {
		c.ok("sendMessage", vals("chat_id", "42", "text", "Pick", "reply_markup", kb), nil)
		c.ok("sendMessage", vals("chat_id", "43", "text", "Pick", "reply_markup", kb), nil)
		ma, mb := a.Drain(), b.Drain()
		qa, _ := a.Press(&ma[len(ma)-1], "Yes")
		qb, _ := b.Press(&mb[len(mb)-1], "Yes")
		s.Inject(telegramtest.Fault{Method: "answerCallbackQuery", ChatID: 42, Kind: telegramtest.TooManyRequests, RetryAfter: 10})
		c.ok("answerCallbackQuery", vals("callback_query_id", qb), nil)
		r := c.fail("answerCallbackQuery", vals("callback_query_id", qa), 429, "Too Many Requests: retry after 10")
		if r.Parameters == nil || r.Parameters.RetryAfter != 10 {
			t.Fatalf("retry_after = %+v", r.Parameters)
		}
		c.ok("answerCallbackQuery", vals("callback_query_id", qa), nil)
	})

	t.Run("menus by the chat of their scope", func(t *testing.T) {
		s.Inject(telegramtest.Fault{Method: "setMyCommands", ChatID: 43, Kind: telegramtest.BadGateway})
		cmds := `[{"command":"help","description":"Help"}]`
		c.ok("setMyCommands", vals("commands", cmds, "scope", `{"type":"chat","chat_id":42}`), nil)
		c.ok("setMyCommands", vals("commands", cmds), nil)
		c.fail("setMyCommands", vals("commands", cmds, "scope", `{"type":"chat","chat_id":43}`), 500, "Internal Server Error")
		s.Inject(telegramtest.Fault{Method: "setMyCommands", Kind: telegramtest.BadGateway, Count: 5})
		s.ClearFaults()
		c.ok("setMyCommands", vals("commands", cmds, "scope", `{"type":"chat","chat_id":43}`), nil)
	})
}

func TestLimits(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	s.NewUser(1, "A", "en")
	s.NewUser(2, "B", "en")
	s.NewUser(3, "C", "en")
	s.NewGroup(-5, "G")

	s.EnforceLimits(telegramtest.Limits{PerChat: 1, Global: 2, GroupPerMinute: 2})
	c.ok("sendMessage", vals("chat_id", "1", "text", "a"), nil)
	r := c.fail("sendMessage", vals("chat_id", "1", "text", "b"), 429, "Too Many Requests: retry after 1")
	if r.Parameters == nil || r.Parameters.RetryAfter != 1 {
		t.Fatalf("per chat retry_after = %+v", r.Parameters)
	}
	// Edits and answers are not limited.
	c.ok("editMessageText", vals("chat_id", "1", "message_id", "1", "text", "a2"), nil)
	c.ok("sendMessage", vals("chat_id", "2", "text", "a"), nil)
	// Global: 2 per second reached.
	c.fail("sendMessage", vals("chat_id", "3", "text", "a"), 429, "Too Many Requests")

	s.EnforceLimits(telegramtest.Limits{GroupPerMinute: 2})
	c.ok("sendMessage", vals("chat_id", "-5", "text", "1"), nil)
	c.ok("sendMessage", vals("chat_id", "-5", "text", "2"), nil)
	r = c.fail("sendMessage", vals("chat_id", "-5", "text", "3"), 429, "Too Many Requests")
	if r.Parameters == nil || r.Parameters.RetryAfter < 58 || r.Parameters.RetryAfter > 60 {
		t.Fatalf("group retry_after = %+v", r.Parameters)
	}
	if len(s.Chat(-5)) != 2 {
		t.Fatal("a limited send was recorded")
	}

	// The window slides: after a second chat 1 may send again.
	s.EnforceLimits(telegramtest.Limits{PerChat: 1})
	waitFor(t, "the per-chat window to slide", func() bool {
		status, _, _ := c.do("sendMessage", vals("chat_id", "1", "text", "later"))
		return status == 200
	})
	st := s.Stats()
	if st.Sent != 5 || st.TooMany < 3 {
		t.Fatalf("Stats = %+v", st)
	}
	s.EnforceLimits(telegramtest.Limits{})
	c.ok("sendMessage", vals("chat_id", "1", "text", "free"), nil)
}

// TestPerChatBurst: with PerChatBurst a private chat takes a short burst,
// then one send per 1/PerChat seconds, and the 429 says how long to wait.
func TestPerChatBurst(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	s.NewUser(1, "A", "en")
	s.EnforceLimits(telegramtest.Limits{PerChat: 0.5, PerChatBurst: 3})
	for i := range 3 {
		c.ok("sendMessage", vals("chat_id", "1", "text", fmt.Sprint(i)), nil)
	}
	r := c.fail("sendMessage", vals("chat_id", "1", "text", "4"), 429, "Too Many Requests: retry after 2")
	if r.Parameters == nil || r.Parameters.RetryAfter != 2 {
		t.Fatalf("retry_after = %+v, want 2 (one token at 0.5 a second)", r.Parameters)
	}
	if n := len(s.Chat(1)); n != 3 {
		t.Fatalf("%d messages recorded, want the burst of 3", n)
	}
}

// echoBot is a tiny bot over raw HTTP: it long-polls and answers every
// message with "echo: <text>" and every callback with an answer.
func echoBot(ctx context.Context, t *testing.T, s *telegramtest.Server, work time.Duration) <-chan struct{} {
	c := newClient(t, s)
	done := make(chan struct{})
	go func() {
		defer close(done)
		offset := 0
		for ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url("getUpdates"),
				strings.NewReader(vals("offset", fmt.Sprint(offset), "timeout", "10").Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := c.hc.Do(req)
			if err != nil {
				return
			}
			var r apiResp
			_ = json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			var ups []update
			_ = json.Unmarshal(r.Result, &ups)
			for _, u := range ups {
				offset = u.UpdateID + 1
				post := func(method string, v url.Values) {
					time.Sleep(work)
					resp, err := http.PostForm(c.url(method), v)
					if err == nil {
						resp.Body.Close()
					}
				}
				switch {
				case u.Message != nil:
					post("sendMessage", vals("chat_id", fmt.Sprint(u.Message.Chat.ID), "text", "echo: "+u.Message.Text))
					post("sendMessage", vals("chat_id", fmt.Sprint(u.Message.Chat.ID), "text", "done"))
				case u.CallbackQuery != nil:
					post("answerCallbackQuery", vals("callback_query_id", u.CallbackQuery.ID, "text", "got "+u.CallbackQuery.Data))
				}
			}
		}
	}()
	return done
}

func TestSettleAndWaitConfirmed(t *testing.T) {
	s := telegramtest.NewServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := echoBot(ctx, t, s, 20*time.Millisecond)
	defer func() { cancel(); <-done }()
	u := s.NewUser(9, "Eve", "en")

	id := u.Send("one")
	s.WaitConfirmed(t, id)
	u.Send("two")
	s.Settle(t)
	msgs := u.Messages()
	if len(msgs) != 4 || msgs[0].Text != "echo: one" || msgs[3].Text != "done" {
		t.Fatalf("after Settle: %+v", msgs)
	}
	if m := u.Next(t); m.Text != "echo: one" {
		t.Fatalf("Next = %+v", m)
	}
	pid := u.PressData(msgs[0].ID, "hello")
	if a := u.Answer(t, pid); a.Text != "got hello" {
		t.Fatalf("Answer = %+v", a)
	}

	// Without a bot, nothing settles.
	s2 := telegramtest.NewServer(t)
	s2.NewUser(1, "A", "en").Send("nobody reads this")
	if s2.SettleWithin(50 * time.Millisecond) {
		t.Fatal("settled with a pending update")
	}
	s2.SetQuiet(10 * time.Millisecond)
	newClient(t, s2).updates(vals("offset", "2"))
	if !s2.SettleWithin(2 * time.Second) {
		t.Fatal("did not settle once confirmed")
	}
}

// fakeTB records Fatalf instead of stopping the test.
type fakeTB struct {
	testing.TB
	mu    sync.Mutex
	fatal string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
}

func TestNextTimeoutDump(t *testing.T) {
	s := telegramtest.NewServer(t)
	s.SetWaitTimeout(30 * time.Millisecond)
	c := newClient(t, s)
	u := s.NewUser(42, "Alice", "en")
	c.ok("sendMessage", vals("chat_id", "42", "text", "first", "reply_markup", kb), nil)
	c.fail("sendMessage", vals("chat_id", "42", "text", "1 < 2", "parse_mode", "HTML"), 400, "Bad Request")
	u.Next(t)

	ftb := &fakeTB{TB: t}
	u.Next(ftb)
	for _, want := range []string{"no new or edited bot message", `"first"`, "Yes", "can't parse entities", "read cursor at event 1 of 1"} {
		if !strings.Contains(ftb.fatal, want) {
			t.Errorf("dump lacks %q:\n%s", want, ftb.fatal)
		}
	}
	ftb.fatal = ""
	s.SetQuiet(5 * time.Millisecond)
	s.Settle(ftb)
	if ftb.fatal != "" {
		t.Errorf("Settle failed: %s", ftb.fatal)
	}
	u.Send("unread")
	s.WaitConfirmed(ftb, 1)
	if !strings.Contains(ftb.fatal, "not confirmed") {
		t.Errorf("WaitConfirmed did not fail: %q", ftb.fatal)
	}
	ftb.fatal = ""
	u.Answer(ftb, "nope")
	if !strings.Contains(ftb.fatal, "unknown callback query") {
		t.Errorf("Answer of unknown id: %q", ftb.fatal)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := telegramtest.NewServer(t)
	const users, perUser = 8, 10
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	done := echoBot(ctx, t, s, 0)
	defer func() { cancel(); <-done }()
	us := make([]*telegramtest.User, users)
	for i := range us {
		us[i] = s.NewUser(int64(100+i), fmt.Sprint("U", i), "en")
	}
	for _, u := range us {
		wg.Add(1)
		go func(u *telegramtest.User) {
			defer wg.Done()
			for j := 0; j < perUser; j++ {
				u.Send(fmt.Sprint("m", j))
				_ = u.Messages()
				_ = s.Requests()
				_ = s.Stats()
			}
		}(u)
	}
	// Concurrent direct sends, reads and edits.
	c := newClient(t, s)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				status, _, body := c.do("sendMessage", vals("chat_id", fmt.Sprint(100+i), "text", fmt.Sprint("direct ", j)))
				if status != 200 {
					t.Errorf("direct send: %s", body)
				}
				_ = s.Chat(int64(100 + i))
			}
		}(i)
	}
	wg.Wait()
	s.SetWaitTimeout(20 * time.Second)
	s.Settle(t)
	total := 0
	for _, u := range us {
		total += len(u.Messages())
	}
	if want := users*perUser*2 + 4*5; total != want {
		t.Fatalf("messages = %d, want %d", total, want)
	}
}

func TestHandlerMount(t *testing.T) {
	s := telegramtest.NewServer(t)
	mux := http.NewServeMux()
	mux.Handle("/tg/", http.StripPrefix("/tg", s.Handler()))
	req := httptest.NewRequest(http.MethodGet, "/tg/bot"+telegramtest.Token+"/getMe", nil)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"username":"mmo_test_bot"`) {
		t.Fatalf("mounted getMe: %d %s", rec.Code, rec.Body.String())
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || s.Endpoint() != s.URL()+"/bot%s/%s" {
		t.Fatalf("URL %q Endpoint %q", s.URL(), s.Endpoint())
	}
}
