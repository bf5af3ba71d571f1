package telegram

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/outbox"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// The fault tests of the transport: hanging calls, 429s and failures on
// one chat or one method hold up nobody else. They wait for what must
// happen with deadlines, and check what must not have happened yet by
// the order of the calls the fake server recorded.

// waitUntil polls cond until it holds, failing after a generous deadline.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// expectNext waits for the user's next message and checks it holds want.
func expectNext(t *testing.T, u *telegramtest.User, want string) telegramtest.Message {
	t.Helper()
	m := u.Next(t)
	if !strings.Contains(m.Text, want) {
		t.Fatalf("user %d: got %q, want a message with %q", u.ID, m.Text, want)
	}
	return m
}

// consent sends /start and returns the consent message with its buttons.
func consent(t *testing.T, u *telegramtest.User) telegramtest.Message {
	t.Helper()
	u.Send("/start")
	expectNext(t, u, "Здравствуйте")
	return expectNext(t, u, "152-ФЗ")
}

// registerUser walks a user through the registration up to its end.
func registerUser(t *testing.T, u *telegramtest.User) {
	t.Helper()
	m := consent(t, u)
	if _, err := u.Press(&m, "Даю согласие"); err != nil {
		t.Fatal(err)
	}
	expectNext(t, u, "Согласие получено")
	expectNext(t, u, "Шаг 1 из 3")
	u.Send("Иванова Мария Петровна")
	expectNext(t, u, "Шаг 2 из 3")
	u.Send("Лицей № 1")
	expectNext(t, u, "Шаг 3 из 3")
	u.Send("учитель химии")
}

// calls returns the recorded calls of a method concerning a chat (by
// chat_id, or by the callback query id given as query).
func calls(srv *telegramtest.Server, method string, match func(r telegramtest.Request) bool) []telegramtest.Request {
	var out []telegramtest.Request
	for _, r := range srv.Requests() {
		if r.Method == method && match(r) {
			out = append(out, r)
		}
	}
	return out
}

func toChat(id int64) func(telegramtest.Request) bool {
	return func(r telegramtest.Request) bool { return r.Params.Get("chat_id") == strconv.FormatInt(id, 10) }
}

// TestCallbackAnswerHangingHoldsNobody: with answerCallbackQuery hanging
// for one user, the press is still handled, and another user is answered
// while it hangs. The update worker once sent answers itself, retrying a
// hanging call for a minute while every update behind it waited.
func TestCallbackAnswerHangingHoldsNobody(t *testing.T) {
	srv := telegramtest.NewServer(t)
	opt := testOptions(srv)
	opt.RequestTimeout = 30 * time.Second
	startBot(t, srv, filepath.Join(t.TempDir(), "mmo.db"), opt, nil)
	a, b := srv.NewUser(101, "А", "ru"), srv.NewUser(102, "Б", "ru")
	srv.Inject(telegramtest.Fault{Method: "answerCallbackQuery", ChatID: a.ID, Kind: telegramtest.Hang, Count: 100})

	ma := consent(t, a)
	if _, err := a.Press(&ma, "Даю согласие"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the first user's answer to hang", func() bool { return srv.Hanging("answerCallbackQuery") == 1 })
	// The press itself was handled: its replies do not wait for the answer.
	expectNext(t, a, "Согласие получено")
	expectNext(t, a, "Шаг 1 из 3")

	mb := consent(t, b)
	qb, err := b.Press(&mb, "Даю согласие")
	if err != nil {
		t.Fatal(err)
	}
	b.Answer(t, qb)
	expectNext(t, b, "Согласие получено")
	expectNext(t, b, "Шаг 1 из 3")
	if n := srv.Hanging("answerCallbackQuery"); n != 1 {
		t.Fatalf("%d answers hang, want the first user's one still hanging", n)
	}
}

// TestCallbackAnswer429StaysWithItsChat: a 429 with retry_after=10 on one
// user's answer makes no one else wait, and the answer is tried once: it
// would be worthless by the time the pause ends.
func TestCallbackAnswer429StaysWithItsChat(t *testing.T) {
	srv := telegramtest.NewServer(t)
	startBot(t, srv, filepath.Join(t.TempDir(), "mmo.db"), testOptions(srv), nil)
	a, b := srv.NewUser(111, "А", "ru"), srv.NewUser(112, "Б", "ru")
	srv.Inject(telegramtest.Fault{Method: "answerCallbackQuery", ChatID: a.ID, Kind: telegramtest.TooManyRequests, RetryAfter: 10})

	ma := consent(t, a)
	qa, err := a.Press(&ma, "Даю согласие")
	if err != nil {
		t.Fatal(err)
	}
	byQuery := func(q string) func(telegramtest.Request) bool {
		return func(r telegramtest.Request) bool { return r.Params.Get("callback_query_id") == q }
	}
	waitUntil(t, "the 429 on the first answer", func() bool { return len(calls(srv, "answerCallbackQuery", byQuery(qa))) == 1 })

	mb := consent(t, b)
	qb, err := b.Press(&mb, "Даю согласие")
	if err != nil {
		t.Fatal(err)
	}
	b.Answer(t, qb)
	expectNext(t, b, "Согласие получено")
	srv.Settle(t)
	tries := calls(srv, "answerCallbackQuery", byQuery(qa))
	if len(tries) != 1 || tries[0].Status != http.StatusTooManyRequests {
		t.Errorf("the first user's answer: %d tries %+v, want the one that met the 429", len(tries), tries)
	}
	if got := calls(srv, "answerCallbackQuery", byQuery(qb)); len(got) != 1 || got[0].Status != http.StatusOK {
		t.Errorf("the second user's answer: %+v", got)
	}
}

// TestMessage429StaysWithItsChat: a 429 on one chat's message holds that
// chat only, for as long as Telegram asked; another chat's reply goes out
// meanwhile, and the held one is sent after.
func TestMessage429StaysWithItsChat(t *testing.T) {
	srv := telegramtest.NewServer(t)
	srv.SetWaitTimeout(20 * time.Second)
	startBot(t, srv, filepath.Join(t.TempDir(), "mmo.db"), testOptions(srv), nil)
	a, b := srv.NewUser(121, "А", "ru"), srv.NewUser(122, "Б", "ru")
	srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: a.ID, Kind: telegramtest.TooManyRequests, RetryAfter: 5})
	a.Send("/help")
	waitUntil(t, "the 429 on the first chat", func() bool { return len(calls(srv, "sendMessage", toChat(a.ID))) == 1 })
	b.Send("/help")
	expectNext(t, b, "/start")
	expectNext(t, a, "/start")
	srv.Settle(t) // a request is logged when it finishes, after its message reached the user
	var order []string
	for _, r := range srv.Requests() {
		if r.Method == "sendMessage" && r.Status == http.StatusOK {
			order = append(order, r.Params.Get("chat_id"))
		}
	}
	if len(order) < 2 || order[0] != "122" || order[len(order)-1] != "121" {
		t.Errorf("sent to chats %v: want the second chat's reply before the held one", order)
	}
}

// TestFailingMenuHoldsUpNoChat: an admin registers while setMyCommands
// for their chat hangs, or answers 500 every time. The menu is not a chat
// message: the registration's answer and the next /help go out, and the
// failing call is logged by name.
func TestFailingMenuHoldsUpNoChat(t *testing.T) {
	srv := telegramtest.NewServer(t)
	passOverDoneQuestions(srv)
	logs := &telegramtest.LogBuffer{}
	opt := testOptions(srv)
	opt.RequestTimeout = time.Minute // the hang outlasts the test
	opt.Log = slog.New(slog.NewTextHandler(logs, nil))
	copt := chatOptions(opt)
	copt.Admins = append(tgAccount(201), tgAccount(202)...)
	startBotWith(t, srv, filepath.Join(t.TempDir(), "mmo.db"), opt, copt, func(b *Bot) {
		b.out.MenuRetry = outbox.Retry{First: 20 * time.Millisecond, Most: 20 * time.Millisecond, Budget: time.Hour}
	})
	srv.Settle(t) // the default menus
	hung, failing := srv.NewUser(201, "А", "ru"), srv.NewUser(202, "Б", "ru")
	srv.Inject(telegramtest.Fault{Method: "setMyCommands", ChatID: hung.ID, Kind: telegramtest.Hang, Count: 1000})
	srv.Inject(telegramtest.Fault{Method: "setMyCommands", ChatID: failing.ID, Kind: telegramtest.BadGateway, Count: 1000})

	registerUser(t, hung)
	expectNext(t, hung, "вы зарегистрированы")
	waitUntil(t, "the menu call to hang", func() bool { return srv.Hanging("setMyCommands") == 1 })
	hung.Send("/help")
	expectNext(t, hung, "Главное")

	registerUser(t, failing)
	expectNext(t, failing, "вы зарегистрированы")
	waitUntil(t, "the menu to fail three times", func() bool {
		return len(calls(srv, "setMyCommands", func(r telegramtest.Request) bool {
			return strings.Contains(r.Params.Get("scope"), "202") && r.Status == 500
		})) >= 3
	})
	failing.Send("/help")
	expectNext(t, failing, "Главное")
	if n := srv.Hanging("setMyCommands"); n != 1 {
		t.Errorf("%d menu calls hang, want the first admin's one still hanging", n)
	}
	log := logs.String()
	if !strings.Contains(log, "method=setMyCommands chat_id=202") || !strings.Contains(log, "setMyCommands: 500 Internal Server Error") {
		t.Errorf("the failing menu is not logged by method, chat and Telegram's answer:\n%s", log)
	}
	if strings.Contains(log, `temporary failure: "`) {
		t.Errorf("a send error without its method:\n%s", log)
	}
}

// enqueue stores outbox items as a bot would have left them, at a
// priority.
func enqueue(t *testing.T, path string, prio boltdb.Priority, items ...chat.Message) {
	t.Helper()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *boltdb.Tx) error {
		for i := range items {
			data, _ := json.Marshal(&items[i])
			if err := tx.Enqueue(&boltdb.OutboxItem{ChatID: items[i].Chat, Payload: data, Priority: prio}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRefusedMessageDroppedWithOneError: a message Telegram refuses for
// good (400) is dropped at once with one error naming the method, the
// chat and Telegram's description, and the chat's next message goes on.
func TestRefusedMessageDroppedWithOneError(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(301, "А", "ru")
	enqueue(t, path, boltdb.PriorityReply,
		chat.Message{Kind: chat.KindSend, Chat: u.ID, Text: "<b>не закрыт тег"},
		chat.Message{Kind: chat.KindSend, Chat: u.ID, Text: "следующее"})
	logs := &telegramtest.LogBuffer{}
	opt := testOptions(srv)
	opt.Log = slog.New(slog.NewTextHandler(logs, nil))
	startBot(t, srv, path, opt, nil)
	expectNext(t, u, "следующее")
	srv.Settle(t)
	if n := len(calls(srv, "sendMessage", toChat(u.ID))); n != 2 {
		t.Errorf("%d sendMessage calls, want 2: a refused message is not retried", n)
	}
	var errs []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			errs = append(errs, line)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "method=sendMessage chat_id=301") || !strings.Contains(errs[0], "sendMessage: 400 Bad Request: can't parse entities") {
		t.Errorf("error lines %q: want one naming the method, chat and Telegram's description", errs)
	}
}

// TestFileSetAsideAfterRetries: a document that keeps failing is retried
// within the budget, then set aside: the chat's next message goes on and
// the person is told, in their language, to try again.
func TestFileSetAsideAfterRetries(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	ru, en := srv.NewUser(311, "А", "ru"), srv.NewUser(312, "B", "en")
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *boltdb.Tx) error {
		return tx.PutUser(&mmo.User{ID: en.ID, Accounts: tgAccount(en.ID), LanguageCode: "en", RegisteredAt: time.Now(), Name: "Smith Anna"})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	var items []chat.Message
	for _, u := range []*telegramtest.User{ru, en} {
		items = append(items,
			chat.Message{Kind: chat.KindDocument, Chat: u.ID, FileName: "plan.docx", File: []byte("PK")},
			chat.Message{Kind: chat.KindSend, Chat: u.ID, Text: "после файла"})
		srv.Inject(telegramtest.Fault{Method: "sendDocument", ChatID: u.ID, Kind: telegramtest.BadGateway, Count: 1000})
	}
	enqueue(t, path, boltdb.PriorityReply, items...)
	logs := &telegramtest.LogBuffer{}
	opt := testOptions(srv)
	opt.Log = slog.New(slog.NewTextHandler(logs, nil))
	startBot(t, srv, path, opt, func(b *Bot) {
		b.out.MsgRetry = outbox.Retry{First: 20 * time.Millisecond, Most: 320 * time.Millisecond, Budget: time.Second}
	})

	for _, tt := range []struct {
		u      *telegramtest.User
		notice string
	}{{ru, "Не удалось отправить файл, попробуйте ещё раз."}, {en, "Could not send the file, please try again."}} {
		got := map[string]bool{}
		for range 2 {
			got[tt.u.Next(t).Text] = true
		}
		if !got["после файла"] || !got[tt.notice] {
			t.Errorf("user %d got %v, want the next message and %q", tt.u.ID, got, tt.notice)
		}
		tries := len(calls(srv, "sendDocument", toChat(tt.u.ID)))
		if tries < 2 || tries > 7 {
			t.Errorf("user %d: %d tries of the file, want retries within the budget", tt.u.ID, tries)
		}
		if want := "method=sendDocument chat_id=" + strconv.FormatInt(tt.u.ID, 10); !strings.Contains(logs.String(), "set aside\" "+want) {
			t.Errorf("no error setting the file aside with %q:\n%s", want, logs.String())
		}
	}
}

// TestMessageRetryIsBounded: the real policy retries a failing message
// for at most a minute, then sets it aside.
func TestMessageRetryIsBounded(t *testing.T) {
	var waited time.Duration
	attempts := 1
	for {
		at := waited + outbox.MessageRetry.Delay(attempts)
		if at > outbox.MessageRetry.Budget {
			break
		}
		waited, attempts = at, attempts+1
	}
	if waited > time.Minute || attempts < 5 {
		t.Errorf("%d attempts over %v: want several, within a minute", attempts, waited)
	}
	for n := 1; n < 10; n++ {
		if d := outbox.MessageRetry.Delay(n); d < time.Second || d > 16*time.Second {
			t.Errorf("retry %d after %v", n, d)
		}
	}
}

// TestRepliesGoAheadOfABroadcast: a /start sent while an announcement
// goes to 300 members is answered with the next turns, not after the
// announcement; nobody's announcement is lost or doubled.
func TestRepliesGoAheadOfABroadcast(t *testing.T) {
	const members = 300
	srv := telegramtest.NewServer(t)
	srv.SetWaitTimeout(30 * time.Second)
	path := filepath.Join(t.TempDir(), "mmo.db")
	leaderID, eventID := seedAssociation(t, path, members, time.Now().Add(72*time.Hour))
	users := make([]*telegramtest.User, members+2)
	for id := int64(1); id <= members+1; id++ {
		users[id] = srv.NewUser(id, "U", "ru")
	}
	newcomer := srv.NewUser(5000, "Н", "ru")
	opt := testOptions(srv)
	opt.Limits = Limits{Global: 100, Private: 1, PrivateBurst: 3, GroupPerMinute: 20}
	tb := startBot(t, srv, path, opt, nil)
	srv.Settle(t)
	publish(t, tb.bot, users[leaderID], eventID)
	toMember := func(r telegramtest.Request) bool {
		id, _ := strconv.ParseInt(r.Params.Get("chat_id"), 10, 64)
		return r.Status == http.StatusOK && id > 1 && id <= members+1
	}
	waitUntil(t, "the announcement to start", func() bool { return len(calls(srv, "sendMessage", toMember)) >= 20 })
	newcomer.Send("/start")
	expectNext(t, newcomer, "Здравствуйте")
	expectNext(t, newcomer, "152-ФЗ")
	waitUntil(t, "the announcement to end", func() bool { return len(calls(srv, "sendMessage", toMember)) >= members })

	after := -1
	for _, r := range srv.Requests() {
		switch {
		case r.Method != "sendMessage":
		case r.Params.Get("chat_id") == "5000":
			after = 0
		case after >= 0 && toMember(r):
			after++
		}
	}
	if after < members/2 {
		t.Errorf("the reply went out with only %d of %d announcements after it: it waited behind the broadcast", after, members)
	}
	srv.Settle(t)
	for id := int64(2); id <= members+1; id++ {
		if n := len(users[id].Messages()); n != 1 {
			t.Errorf("member %d got %d announcements", id, n)
		}
	}
}

// TestPrioritiesSurviveARestart: a reply left in the outbox behind a
// broadcast by a stopped bot goes first when it starts again.
func TestPrioritiesSurviveARestart(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	var items []chat.Message
	for id := int64(1); id <= 40; id++ {
		srv.NewUser(id, "U", "ru")
		items = append(items, chat.Message{Kind: chat.KindSend, Chat: id, Text: "объявление"})
	}
	enqueue(t, path, boltdb.PriorityBulk, items...)
	u := srv.NewUser(500, "А", "ru")
	enqueue(t, path, boltdb.PriorityReply, chat.Message{Kind: chat.KindSend, Chat: u.ID, Text: "ответ"})
	// At Telegram's rate a turn is booked only as the message before goes
	// out, so the order of the picks is the order on the wire.
	opt := testOptions(srv)
	opt.Limits.Global = 30
	startBot(t, srv, path, opt, nil)
	expectNext(t, u, "ответ")
	ok := func(r telegramtest.Request) bool { return r.Status == http.StatusOK }
	waitUntil(t, "every message", func() bool { return len(calls(srv, "sendMessage", ok)) >= 41 })
	sent := calls(srv, "sendMessage", ok)
	if len(sent) != 41 {
		t.Fatalf("%d sent, want 41", len(sent))
	}
	// The reply is picked ahead of the broadcast. The limit lets 30 go at
	// once at start, and those 30 sends race each other to the server (a
	// run under the race detector, beside other test binaries, saw 21
	// announcements get there before the reply): the order within that
	// first burst says nothing. Behind the broadcast the reply could be
	// picked only once a permit came free, after the whole burst had
	// arrived: the 31st or later.
	at := slices.IndexFunc(sent, func(r telegramtest.Request) bool { return r.Params.Get("chat_id") == "500" })
	if at < 0 || at >= 30 {
		t.Errorf("the reply went out %d-th of 41: want it ahead of the broadcast", at+1)
	}
}

// TestPollBackoffCapsAtFiveSeconds: after an outage the bot polls again
// within 5 s, not 30, and the waits are spread by jitter so that many
// bots do not come back at the same instant.
func TestPollBackoffCapsAtFiveSeconds(t *testing.T) {
	b := &Bot{}
	seen := map[time.Duration]bool{}
	var wait, most time.Duration
	for range 200 {
		wait = b.pollBackoff(context.DeadlineExceeded, wait)
		if wait <= 0 || wait > 5*time.Second {
			t.Fatalf("backoff %v, want within (0, 5s]", wait)
		}
		most = max(most, wait)
		seen[wait] = true
	}
	if most < 2500*time.Millisecond || len(seen) < 50 {
		t.Errorf("backoff reached %v with %d distinct waits: want growth to the cap, with jitter", most, len(seen))
	}
}

// TestScattered429sPauseOnlyTheirChats: a fifth of the chats meet a 429
// on their reply (retry_after=1) among replies that go through; the
// others are all answered before any refused chat's pause ends, and the
// refused ones after it. Once every 429 paused every chat.
func TestScattered429sPauseOnlyTheirChats(t *testing.T) {
	srv := telegramtest.NewServer(t)
	opt := testOptions(srv)
	opt.Limits.Global = 100
	startBot(t, srv, filepath.Join(t.TempDir(), "mmo.db"), opt, nil)
	srv.Settle(t)
	var users []*telegramtest.User
	refused := map[string]bool{}
	for i := int64(1); i <= 30; i++ {
		u := srv.NewUser(700+i, "U", "ru")
		users = append(users, u)
		if i%5 == 0 {
			refused[strconv.FormatInt(u.ID, 10)] = true
			srv.Inject(telegramtest.Fault{Method: "sendMessage", ChatID: u.ID, Kind: telegramtest.TooManyRequests, RetryAfter: 1})
		}
	}
	for _, u := range users {
		u.Send("/help")
	}
	for _, u := range users {
		expectNext(t, u, "/start")
	}
	lastFree, firstRefused := -1, -1
	for i, r := range calls(srv, "sendMessage", func(r telegramtest.Request) bool { return r.Status == http.StatusOK }) {
		if refused[r.Params.Get("chat_id")] {
			if firstRefused < 0 {
				firstRefused = i
			}
		} else {
			lastFree = i
		}
	}
	if firstRefused < lastFree {
		t.Errorf("a refused chat was answered at %d, before the last free one at %d: the 429s held up others", firstRefused, lastFree)
	}
}
