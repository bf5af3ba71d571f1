package telegramtest_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// These tests drive the server with the client library the bot uses, to
// check that every answer decodes as the real API's would.

func newBot(t *testing.T, s *telegramtest.Server) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(telegramtest.Token, s.Endpoint(), &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return bot
}

func apiErr(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a *tgbotapi.Error, got %T %v", err, err)
	}
	return e
}

func TestCompatConversation(t *testing.T) {
	s := telegramtest.NewServer(t)
	bot := newBot(t, s)
	if bot.Self.UserName != "mmo_test_bot" || bot.Self.ID != telegramtest.DefaultBotID || !bot.Self.IsBot {
		t.Fatalf("Self = %+v", bot.Self)
	}
	u := s.NewUser(42, "Alice", "fr")
	u.LastName, u.Username = "Liddell", "alice"

	id := u.Send("/start ref_abc")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 {
		t.Fatalf("GetUpdates = %+v, %v", ups, err)
	}
	m := ups[0].Message
	if ups[0].UpdateID != id || m == nil || !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "ref_abc" ||
		m.From.ID != 42 || m.From.LanguageCode != "fr" || m.From.UserName != "alice" || m.From.LastName != "Liddell" ||
		m.Chat.ID != 42 || !m.Chat.IsPrivate() || m.Time().IsZero() {
		t.Fatalf("message = %+v", m)
	}

	// Offset confirmation.
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1}); err != nil {
		t.Fatal(err)
	}
	if s.Confirmed() != id || s.Pending() != 0 {
		t.Fatalf("Confirmed = %d, Pending = %d", s.Confirmed(), s.Pending())
	}

	// A message with an inline keyboard.
	msg := tgbotapi.NewMessage(42, "<b>Welcome</b>, pick a class")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("⚔️ Warrior", "class:warrior"),
			tgbotapi.NewInlineKeyboardButtonData("🔮 Mage", "class:mage"),
		),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("Wiki", "https://example.org/wiki")),
	)
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if sent.MessageID != 2 || sent.Text != "Welcome, pick a class" || sent.ReplyMarkup == nil || len(sent.ReplyMarkup.InlineKeyboard) != 2 ||
		sent.From == nil || !sent.From.IsBot || sent.Chat.ID != 42 {
		t.Fatalf("sent = %+v", sent)
	}
	got := u.Next(t)
	if got.ID != sent.MessageID || got.ParseMode != "HTML" || len(got.Buttons()) != 3 {
		t.Fatalf("recorded = %+v", got)
	}

	// The user presses a button; the bot reads it and answers.
	qid, err := u.Press(&got, "Mage")
	if err != nil {
		t.Fatal(err)
	}
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: id + 1})
	if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("callback update = %+v, %v", ups, err)
	}
	cq := ups[0].CallbackQuery
	if cq.ID != qid || cq.Data != "class:mage" || cq.From.ID != 42 || cq.Message == nil || cq.Message.MessageID != sent.MessageID ||
		cq.Message.Chat.ID != 42 || cq.Message.ReplyMarkup == nil || ups[0].FromChat().ID != 42 {
		t.Fatalf("callback = %+v", cq)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(cq.ID, "Mage chosen")); err != nil {
		t.Fatal(err)
	}
	if a := u.Answer(t, qid); a.Text != "Mage chosen" || a.ShowAlert {
		t.Fatalf("Answer = %+v", a)
	}
	_, err = bot.Request(tgbotapi.NewCallbackWithAlert(cq.ID, "again"))
	if e := apiErr(t, err); e.Code != 400 || !strings.Contains(e.Message, "query is too old") {
		t.Fatalf("second answer: %+v", e)
	}

	// Edits.
	edit := tgbotapi.NewEditMessageTextAndMarkup(42, sent.MessageID, "You are a <i>Mage</i>",
		tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Back", "back"))))
	edit.ParseMode = tgbotapi.ModeHTML
	edited, err := bot.Send(edit)
	if err != nil || edited.Text != "You are a Mage" || edited.EditDate == 0 {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	_, err = bot.Send(edit)
	if e := apiErr(t, err); e.Code != 400 || !strings.Contains(e.Message, "message is not modified") {
		t.Fatalf("same edit: %+v", e)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageReplyMarkup(42, sent.MessageID,
		tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Home", "home"))))); err != nil {
		t.Fatal(err)
	}
	if e := u.Next(t); e.Text != "You are a <i>Mage</i>" || e.Edits != 1 {
		t.Fatalf("edit event = %+v", e)
	}
	if e := u.Next(t); e.Edits != 2 || e.Buttons()[0].Data != "home" {
		t.Fatalf("markup edit event = %+v", e)
	}

	// Chat action, commands, delete.
	if _, err := bot.Request(tgbotapi.NewChatAction(42, tgbotapi.ChatTyping)); err != nil {
		t.Fatal(err)
	}
	cmds := tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeAllPrivateChats(), "fr",
		tgbotapi.BotCommand{Command: "start", Description: "Commencer"}, tgbotapi.BotCommand{Command: "aide", Description: "Aide"})
	if _, err := bot.Request(cmds); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start", Description: "Start"})); err != nil {
		t.Fatal(err)
	}
	if c := s.Commands("all_private_chats", "fr"); len(c) != 2 || c[1].Command != "aide" {
		t.Fatalf("fr commands = %+v", c)
	}
	if _, err := bot.Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(42),
		tgbotapi.BotCommand{Command: "admin", Description: "Admin tools"})); err != nil {
		t.Fatal(err)
	}
	if c := s.ChatCommands(42); len(c) != 1 || c[0].Command != "admin" {
		t.Fatalf("chat commands = %+v", c)
	}
	if c := s.Commands("default", ""); len(c) != 1 {
		t.Fatalf("default commands = %+v", c)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeAllPrivateChats(), "fr")); err != nil {
		t.Fatal(err)
	}
	if c := s.Commands("all_private_chats", "fr"); c != nil {
		t.Fatalf("deleted commands = %+v", c)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(42, sent.MessageID)); err != nil {
		t.Fatal(err)
	}
	if msgs := u.Messages(); len(msgs) != 1 || !msgs[0].Deleted {
		t.Fatalf("after delete: %+v", msgs)
	}
	if len(s.Unexpected()) != 0 {
		t.Fatalf("Unexpected = %v", s.Unexpected())
	}
}

func TestCompatFiles(t *testing.T) {
	s := telegramtest.NewServer(t)
	bot := newBot(t, s)
	u := s.NewUser(42, "Alice", "en")

	doc := tgbotapi.NewDocument(42, tgbotapi.FileBytes{Name: "export.csv", Bytes: []byte("id,name\n1,Alice\n")})
	doc.Caption = "Your export"
	sent, err := bot.Send(doc)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Document == nil || sent.Document.FileName != "export.csv" || sent.Document.MimeType != "text/csv" || sent.Caption != "Your export" {
		t.Fatalf("sent document = %+v", sent)
	}
	got := u.Next(t)
	if got.Document == nil || string(got.Document.Bytes) != "id,name\n1,Alice\n" || got.Caption != "Your export" {
		t.Fatalf("recorded = %+v", got)
	}
	// Re-send by file id (no upload).
	if again, err := bot.Send(tgbotapi.NewDocument(42, tgbotapi.FileID(sent.Document.FileID))); err != nil || again.Document.FileID != sent.Document.FileID {
		t.Fatalf("re-send = %+v, %v", again, err)
	}
	photo, err := bot.Send(tgbotapi.NewPhoto(42, tgbotapi.FileBytes{Name: "map.png", Bytes: pngBytes(t, 8, 5)}))
	if err != nil || len(photo.Photo) != 1 || photo.Photo[0].Width != 8 || photo.Photo[0].Height != 5 {
		t.Fatalf("photo = %+v, %v", photo, err)
	}

	// A file the user sends: getFile, then download.
	u.SendDocument("save.txt", []byte("level 12"), "")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].Message.Document == nil {
		t.Fatalf("document update = %+v, %v", ups, err)
	}
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: ups[0].Message.Document.FileID})
	if err != nil || f.FileSize != 8 {
		t.Fatalf("GetFile = %+v, %v", f, err)
	}
	resp, err := http.Get(fmt.Sprintf(s.FileEndpoint(), bot.Token, f.FilePath))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "level 12" {
		t.Fatalf("downloaded %q", data)
	}
}

func TestCompatErrors(t *testing.T) {
	s := telegramtest.NewServer(t)
	bot := newBot(t, s)
	u := s.NewUser(42, "Alice", "en")

	// Blocked: 403.
	u.Block()
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].MyChatMember == nil || !ups[0].MyChatMember.NewChatMember.WasKicked() ||
		ups[0].MyChatMember.Chat.ID != 42 || ups[0].MyChatMember.From.ID != 42 {
		t.Fatalf("block update = %+v, %v", ups, err)
	}
	_, err = bot.Send(tgbotapi.NewMessage(42, "hello?"))
	if e := apiErr(t, err); e.Code != 403 || e.Message != "Forbidden: bot was blocked by the user" {
		t.Fatalf("blocked: %+v", e)
	}
	u.Unblock()

	// Flood limit: 429 with retry_after.
	s.EnforceLimits(telegramtest.Limits{PerChat: 1})
	if _, err := bot.Send(tgbotapi.NewMessage(42, "one")); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Send(tgbotapi.NewMessage(42, "two"))
	if e := apiErr(t, err); e.Code != 429 || e.RetryAfter < 1 {
		t.Fatalf("flood: %+v", e)
	}
	s.EnforceLimits(telegramtest.Limits{})

	// Injected 429 on an upload (tgbotapi leaves Code 0 for uploads, but
	// RetryAfter is there).
	s.Inject(telegramtest.Fault{Method: "sendDocument", Kind: telegramtest.TooManyRequests, RetryAfter: 3})
	_, err = bot.Send(tgbotapi.NewDocument(42, tgbotapi.FileBytes{Name: "a.txt", Bytes: []byte("a")}))
	if e := apiErr(t, err); e.RetryAfter != 3 {
		t.Fatalf("upload 429: %+v", e)
	}

	// Drop: a transport error, nothing sent.
	n := len(u.Messages())
	s.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.Drop})
	_, err = bot.Send(tgbotapi.NewMessage(42, "lost"))
	var e *tgbotapi.Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("drop: %v", err)
	}
	// HTML 502: the client cannot decode it.
	s.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.ServerError})
	if _, err = bot.Send(tgbotapi.NewMessage(42, "lost too")); err == nil || errors.As(err, &e) {
		t.Fatalf("502: %v", err)
	}
	if len(u.Messages()) != n {
		t.Fatal("a faulted send was recorded")
	}

	// Validation errors reach the bot as API errors.
	bad := tgbotapi.NewMessage(42, "HP < 10")
	bad.ParseMode = tgbotapi.ModeHTML
	_, err = bot.Send(bad)
	if e := apiErr(t, err); e.Code != 400 || !strings.HasPrefix(e.Message, "Bad Request: can't parse entities") {
		t.Fatalf("bad HTML: %+v", e)
	}
	_, err = bot.Send(tgbotapi.NewMessage(999, "nobody"))
	if e := apiErr(t, err); e.Code != 400 || e.Message != "Bad Request: chat not found" {
		t.Fatalf("unknown chat: %+v", e)
	}
	_, err = bot.Request(tgbotapi.DeleteWebhookConfig{})
	if e := apiErr(t, err); e.Code != 404 {
		t.Fatalf("unknown method: %+v", e)
	}
	if un := s.Unexpected(); len(un) != 1 || un[0] != "deleteWebhook" {
		t.Fatalf("Unexpected = %v", un)
	}
}

func TestCompatLongPoll(t *testing.T) {
	s := telegramtest.NewServer(t)
	bot := newBot(t, s)
	u := s.NewUser(42, "Alice", "en")

	type result struct {
		ups  []tgbotapi.Update
		err  error
		took time.Duration
	}
	ch := make(chan result, 1)
	go func() {
		start := time.Now()
		ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 8})
		ch <- result{ups, err, time.Since(start)}
	}()
	waitFor(t, "the long poll", func() bool { return s.Calls("getUpdates") == 1 })
	id := u.Send("wake up")
	select {
	case r := <-ch:
		if r.err != nil || len(r.ups) != 1 || r.ups[0].UpdateID != id || r.took > 5*time.Second {
			t.Fatalf("long poll = %+v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not return after a send")
	}

	// NoLongPoll answers at once even with a timeout.
	s2 := telegramtest.NewServer(t, telegramtest.Options{NoLongPoll: true})
	bot2 := newBot(t, s2)
	start := time.Now()
	ups, err := bot2.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
	if err != nil || len(ups) != 0 || time.Since(start) > 2*time.Second {
		t.Fatalf("NoLongPoll: %v %v after %v", ups, err, time.Since(start))
	}
}

// TestCompatUpdatesChan runs a small bot on tgbotapi's own poller
// (GetUpdatesChan) and drives it with the helpers.
func TestCompatUpdatesChan(t *testing.T) {
	s := telegramtest.NewServer(t)
	bot := newBot(t, s)
	cfg := tgbotapi.NewUpdate(0)
	cfg.Timeout = 5
	updates := bot.GetUpdatesChan(cfg)
	t.Cleanup(bot.StopReceivingUpdates) // runs before the server closes
	go func() {
		for up := range updates {
			switch {
			case up.Message != nil:
				reply := tgbotapi.NewMessage(up.Message.Chat.ID, "you said "+up.Message.Text)
				reply.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
					tgbotapi.NewInlineKeyboardButtonData("Again", "again:"+up.Message.Text)))
				_, _ = bot.Send(reply)
			case up.CallbackQuery != nil:
				_, _ = bot.Request(tgbotapi.NewCallback(up.CallbackQuery.ID, "ok"))
				edit := tgbotapi.NewEditMessageText(up.CallbackQuery.Message.Chat.ID, up.CallbackQuery.Message.MessageID,
					"pressed "+up.CallbackQuery.Data)
				_, _ = bot.Send(edit)
			}
		}
	}()

	u := s.NewUser(7, "Zoe", "en")
	g := s.NewGroup(-100200, "Raid")
	id := u.Send("hello")
	m := u.Next(t)
	if m.Text != "you said hello" {
		t.Fatalf("reply = %+v", m)
	}
	s.WaitConfirmed(t, id)
	qid, err := u.Press(&m, "Again")
	if err != nil {
		t.Fatal(err)
	}
	if a := u.Answer(t, qid); a.Text != "ok" {
		t.Fatalf("answer = %+v", a)
	}
	if e := u.Next(t); e.Text != "pressed again:hello" || e.Keyboard != nil || e.Edits != 1 {
		t.Fatalf("edit = %+v", e)
	}
	g.Send(u, "/roll@mmo_test_bot")
	if gm := g.Next(t); gm.Text != "you said /roll@mmo_test_bot" {
		t.Fatalf("group reply = %+v", gm)
	}
	s.Settle(t)
	if s.Pending() != 0 || len(s.UnansweredCallbacks()) != 0 {
		t.Fatalf("Pending %d, unanswered %v", s.Pending(), s.UnansweredCallbacks())
	}
}
