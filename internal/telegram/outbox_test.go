package telegram

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// TestOldOutboxItemsStillDeliver: items queued by a build before the
// conversation left this package carry Telegram's own fields: buttons
// signed already, an edit's message id as a number. They are delivered
// as they are, and their buttons still work when pressed.
func TestOldOutboxItemsStillDeliver(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	u := srv.NewUser(21, "А", "ru")
	now := time.Now()
	c := codec{secret: db.Secret()}
	data, err := c.encode(u.ID, "mt") // chat's verbMeetings
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *boltdb.Tx) error {
		if err := tx.PutUser(&mmo.User{ID: u.ID, Accounts: tgAccount(u.ID), Name: "Иванова Мария Петровна", RegisteredAt: now, ConsentAt: now}); err != nil {
			return err
		}
		for _, payload := range []string{
			`{"k":"send","c":21,"t":"старое","kb":[[{"t":"К мероприятиям","d":"` + data + `"}]]}`,
			`{"k":"edit","c":21,"m":1,"t":"старое, изменённое","kb":[[{"t":"К мероприятиям","d":"` + data + `"}]]}`,
		} {
			if err := tx.Enqueue(&boltdb.OutboxItem{ChatID: u.ID, Payload: []byte(payload)}); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	tb := startBot(t, srv, path, testOptions(srv), nil)
	sent := expectNext(t, u, "старое")
	edited := expectNext(t, u, "старое, изменённое")
	if sent.ID != 1 || edited.ID != 1 {
		t.Fatalf("messages %d and %d: want message 1 sent, then edited", sent.ID, edited.ID)
	}
	q, err := u.Press(&edited, "К мероприятиям")
	if err != nil {
		t.Fatal(err)
	}
	if a := u.Answer(t, q); a.ShowAlert {
		t.Fatalf("the old button was refused: %+v", a)
	}
	expectNext(t, u, "мероприят")
	tb.settled()
}

// TestKeptMessageRecordedAndEdited: a message queued with a key is
// recorded with its Telegram id once sent, and an edit by the key
// changes that message. The edit here is queued ahead of the send (a
// reply beside a broadcast): it waits for the send, then goes.
func TestKeptMessageRecordedAndEdited(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	u := srv.NewUser(22, "А", "ru")
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *boltdb.Tx) error {
		send := &boltdb.OutboxItem{ChatID: u.ID, Priority: boltdb.PriorityBulk,
			Payload: []byte(`{"k":"send","c":22,"t":"первая","sk":"ann:1:22","kb":[[{"t":"Кнопка","v":"mt"}]]}`)}
		if err := tx.Enqueue(send); err != nil {
			return err
		}
		if err := tx.PutSent("ann:1:22", &boltdb.SentRecord{Messenger: Messenger, Chat: u.ID, Outbox: send.ID, User: u.ID}); err != nil {
			return err
		}
		edit := &boltdb.OutboxItem{ChatID: u.ID, Priority: boltdb.PriorityReply,
			Payload: []byte(`{"k":"edit","c":22,"ek":"ann:1:22","t":"вторая"}`)}
		if err := tx.Enqueue(edit); err != nil {
			return err
		}
		lost := &boltdb.OutboxItem{ChatID: u.ID, Priority: boltdb.PriorityReply,
			Payload: []byte(`{"k":"edit","c":22,"ek":"ann:9:22","t":"никому"}`)}
		return tx.Enqueue(lost)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	tb := startBot(t, srv, path, testOptions(srv), nil)
	first := expectNext(t, u, "первая")
	if b, ok := first.Button("Кнопка"); !ok || b.Data == "" {
		t.Errorf("the button was not signed: %+v", first.Buttons())
	}
	second := expectNext(t, u, "вторая")
	if second.ID != first.ID {
		t.Errorf("the edit went to message %d, the kept one is %d", second.ID, first.ID)
	}
	tb.settled()
	if extra := u.Drain(); len(extra) != 0 {
		t.Errorf("an edit of a key never recorded reached the chat: %v", extra)
	}
	var rec *boltdb.SentRecord
	tb.db.View(func(tx *boltdb.Tx) error {
		rec, _ = tx.Sent("ann:1:22")
		return nil
	})
	if rec == nil || rec.Message != strconv.Itoa(first.ID) || rec.Outbox != 0 {
		t.Errorf("record %+v, want message %d", rec, first.ID)
	}

	// Taken back by its key: deleted in the chat, and off the record.
	err = tb.db.Update(func(tx *boltdb.Tx) error {
		return tx.Enqueue(&boltdb.OutboxItem{ChatID: u.ID, Priority: boltdb.PriorityNotice,
			Payload: []byte(`{"k":"remove","c":22,"ek":"ann:1:22"}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	tb.bot.Wake()
	waitUntil(t, "the kept message to be deleted", func() bool {
		msgs := u.Messages()
		return len(msgs) == 1 && msgs[0].Deleted
	})
	tb.settled()
	tb.db.View(func(tx *boltdb.Tx) error {
		if rec, err := tx.Sent("ann:1:22"); err == nil {
			t.Errorf("a deleted message is still on record: %+v", rec)
		}
		return nil
	})
}

// TestButtonsSignedForTheirChat: the same message queued to two chats is
// signed for each; data pressed in the other chat is refused as stale.
func TestButtonsSignedForTheirChat(t *testing.T) {
	srv := telegramtest.NewServer(t)
	path := filepath.Join(t.TempDir(), "mmo.db")
	a, b := srv.NewUser(23, "А", "ru"), srv.NewUser(24, "Б", "ru")
	btn := [][]chat.Button{{{Label: "Кнопка", Verb: "mt"}}}
	enqueue(t, path, boltdb.PriorityReply,
		chat.Message{Kind: chat.KindSend, Chat: a.ID, Text: "одна", Buttons: btn},
		chat.Message{Kind: chat.KindSend, Chat: b.ID, Text: "другая", Buttons: btn})
	startBot(t, srv, path, testOptions(srv), nil)
	ma, mb := expectNext(t, a, "одна"), expectNext(t, b, "другая")
	da, _ := ma.Button("Кнопка")
	db, _ := mb.Button("Кнопка")
	if da.Data == db.Data {
		t.Fatalf("both chats got the data %q", da.Data)
	}
	q := b.PressData(mb.ID, da.Data)
	if ans := b.Answer(t, q); !ans.ShowAlert {
		t.Errorf("data signed for another chat was taken: %+v", ans)
	}
}
