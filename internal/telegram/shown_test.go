package telegram

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// editsOf counts the editMessageText calls made for a chat, taken or
// refused.
func editsOf(srv *telegramtest.Server, chatID int64) int {
	return len(calls(srv, "editMessageText", toChat(chatID)))
}

// registeredWith stores a registered teacher and queues outbox items
// before the bot starts.
func registeredWith(t *testing.T, path string, u *telegramtest.User, items ...chat.Message) {
	t.Helper()
	enqueue(t, path, boltdb.PriorityReply, items...)
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	if err := db.Update(func(tx *boltdb.Tx) error {
		return tx.PutUser(&mmo.User{ID: u.ID, Accounts: tgAccount(u.ID), Name: "Иванова Мария Петровна", RegisteredAt: now, ConsentAt: now})
	}); err != nil {
		t.Fatal(err)
	}
}

// toMeetings is the button to the list of events.
var toMeetings = [][]chat.Button{{{Label: "К мероприятиям", Verb: "mt"}}}

// card is an edit of message 1 of chat.
func card(chatID int64, text string, kb [][]chat.Button) chat.Message {
	return chat.Message{Kind: chat.KindEdit, Chat: chatID, Target: "1", Text: text, Buttons: kb}
}

// TestDoubleTapEditsOnce: a teacher taps «К мероприятиям» twice on the
// same message. The first tap turns the message into the list; the
// second would redraw the same list, which Telegram refuses as "not
// modified": the bot answers the tap and makes no second edit.
func TestDoubleTapEditsOnce(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(31, "А", "ru")
	registeredWith(t, path, u, chat.Message{Kind: chat.KindSend, Chat: u.ID, Text: "Главное меню", Buttons: toMeetings})
	tb := startBot(t, srv, path, testOptions(srv), nil)
	menu := expectNext(t, u, "Главное меню")

	q1, err := u.Press(&menu, "К мероприятиям")
	if err != nil {
		t.Fatal(err)
	}
	list := expectNext(t, u, "мероприят")
	if list.ID != menu.ID {
		t.Fatalf("the list came as message %d, want the pressed message %d edited", list.ID, menu.ID)
	}
	u.Answer(t, q1)
	tb.settled()
	q2, err := u.Press(&menu, "К мероприятиям") // the same button, tapped again
	if err != nil {
		t.Fatal(err)
	}
	if a := u.Answer(t, q2); a.ShowAlert {
		t.Fatalf("the second tap was refused: %+v", a)
	}
	tb.settled()
	if n := editsOf(srv, u.ID); n != 1 {
		t.Errorf("%d edits of the message, want 1: the second tap changes nothing", n)
	}
	if refused := calls(srv, "editMessageText", func(r telegramtest.Request) bool { return r.Status != 200 }); len(refused) != 0 {
		t.Errorf("edits refused: %+v", refused)
	}
	if extra := u.Drain(); len(extra) != 0 {
		t.Errorf("the second tap showed %v, want nothing new", extra)
	}
}

// TestEditSkippedOnlyWhenKnownSame: an edit is skipped only when the
// bot's own last edit of that message put the same text and buttons
// there; a different text, different buttons, or a message the bot knows
// nothing of since its start is edited as asked.
func TestEditSkippedOnlyWhenKnownSame(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(32, "А", "ru")
	registeredWith(t, path, u,
		chat.Message{Kind: chat.KindSend, Chat: u.ID, Text: "карточка"},
		card(u.ID, "карточка, 2", nil),
		card(u.ID, "карточка, 2", nil),
		card(u.ID, "карточка, 2", toMeetings),
		card(u.ID, "карточка, 3", toMeetings),
	)
	tb := startBot(t, srv, path, testOptions(srv), nil)
	expectNext(t, u, "карточка")
	tb.settled()
	if n := editsOf(srv, u.ID); n != 3 {
		t.Errorf("%d edits, want 3 (the repeated one skipped)", n)
	}
	msgs := srv.Chat(u.ID)
	if len(msgs) != 1 || msgs[0].Text != "карточка, 3" || len(msgs[0].Buttons()) != 1 {
		t.Fatalf("the chat shows %+v, want one message: the last edit with its button", msgs)
	}
	tb.stop()

	// After a restart the bot does not know what the message shows: the
	// edit goes, and Telegram finds nothing to change.
	enqueue(t, path, boltdb.PriorityReply, card(u.ID, "карточка, 3", toMeetings))
	tb = startBot(t, srv, path, testOptions(srv), nil)
	waitUntil(t, "the edit after the restart sent", func() bool { return editsOf(srv, u.ID) == 4 })
	tb.settled()
}

// TestShownCacheKeepsAForgottenMessageOnce: a message forgotten and
// edited again keeps its one place among the messages remembered, so it
// goes only when it is the oldest, not early.
func TestShownCacheKeepsAForgottenMessageOnce(t *testing.T) {
	s := newShownCache()
	k := shownKey{chat: 1, message: 1}
	sum := [32]byte{1}
	s.put(k, sum)
	s.forget(k)
	if s.same(k, sum) {
		t.Fatal("a forgotten message is still known")
	}
	s.put(k, sum)
	for i := range shownMax - 1 {
		s.put(shownKey{chat: 2, message: i + 1}, sum)
	}
	if !s.same(k, sum) {
		t.Error("the message edited again went before the ring was full")
	}
	s.put(shownKey{chat: 3, message: 1}, sum)
	if s.same(k, sum) {
		t.Error("the oldest message stayed past the ring's size")
	}
	if n := s.last.Len(); n != shownMax {
		t.Errorf("%d messages remembered, want %d", n, shownMax)
	}
}
