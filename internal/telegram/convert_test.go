package telegram

import (
	"io"
	"log/slog"
	"reflect"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/chat"
)

func TestParseCommand(t *testing.T) {
	tests := []struct{ text, cmd, args string }{
		{"/start", "start", ""},
		{"/start j_abc", "start", "j_abc"},
		{"/Help", "help", ""},
		{"/help@mmo_test_bot", "help", ""},
		{"/help@other_bot", "", ""},
		{"hello", "", ""},
		{"/settings   x  ", "settings", "x"},
	}
	for _, tt := range tests {
		cmd, args := parseCommand(tt.text, "mmo_test_bot")
		if cmd != tt.cmd || args != tt.args {
			t.Errorf("parseCommand(%q) = %q, %q; want %q, %q", tt.text, cmd, args, tt.cmd, tt.args)
		}
	}
}

// TestConvert: what the conversation gets of each kind of Telegram update.
func TestConvert(t *testing.T) {
	b := &Bot{codec: codec{secret: []byte("k")}, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		api: &tgbotapi.BotAPI{Self: tgbotapi.User{UserName: "mmo_test_bot"}}}
	from := &tgbotapi.User{ID: 7, FirstName: "Мария", LastName: "Петрова", UserName: "maria", LanguageCode: "en"}
	private := &tgbotapi.Chat{ID: 7, Type: "private"}
	group := &tgbotapi.Chat{ID: -100, Type: "group"}
	data, _ := b.codec.encode(7, "rv", "12", "1", "y")
	back, _ := b.codec.encode(7, "mt")
	forGroup, _ := b.codec.encode(-100, "rv", "12")
	pressed := &tgbotapi.Message{MessageID: 42, Chat: private, ReplyMarkup: &tgbotapi.InlineKeyboardMarkup{
		InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{{tgbotapi.NewInlineKeyboardButtonData("Приду", data)},
			{tgbotapi.NewInlineKeyboardButtonData("Назад", back), tgbotapi.NewInlineKeyboardButtonURL("Сайт", "https://example.org")}}}}
	tests := []struct {
		name string
		u    tgbotapi.Update
		want chat.Update
		skip bool
	}{
		{name: "command for this bot", u: tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{From: from, Chat: private, Text: "/start@mmo_test_bot j_abc"}},
			want: chat.Update{Text: "/start@mmo_test_bot j_abc", Command: "start", Args: "j_abc", Private: true}},
		{name: "command for another bot in a group", u: tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{From: from, Chat: group, Text: "/help@other_bot"}},
			want: chat.Update{Text: "/help@other_bot", Chat: -100}},
		{name: "document with a caption", u: tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{From: from, Chat: private, Caption: "вопрос",
			Document: &tgbotapi.Document{FileID: "F1", FileName: "план.pdf", FileSize: 300}}},
			want: chat.Update{Caption: "вопрос", Private: true, File: &chat.File{Kind: chat.FileDocument, ID: "F1", Name: "план.pdf", Size: 300}}},
		{name: "photo: the largest size", u: tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{From: from, Chat: private,
			Photo: []tgbotapi.PhotoSize{{FileID: "small", FileSize: 10}, {FileID: "large", FileSize: 99}}}},
			want: chat.Update{Private: true, File: &chat.File{Kind: chat.FilePhoto, ID: "large", Size: 99}}},
		{name: "contact", u: tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{From: from, Chat: private, Contact: &tgbotapi.Contact{PhoneNumber: "+7900", UserID: 7}}},
			want: chat.Update{Private: true, Contact: &chat.Contact{Phone: "+7900", UserID: 7}}},
		{name: "location", u: tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{From: from, Chat: private, Location: &tgbotapi.Location{Latitude: 57.6, Longitude: 39.9}}},
			want: chat.Update{Private: true, Location: &chat.Location{Latitude: 57.6, Longitude: 39.9}}},
		{name: "sticker", u: tgbotapi.Update{UpdateID: 1, Message: &tgbotapi.Message{From: from, Chat: private, Sticker: &tgbotapi.Sticker{FileID: "S"}}},
			want: chat.Update{Private: true, OtherMedia: true}},
		{name: "press", u: tgbotapi.Update{UpdateID: 1, CallbackQuery: &tgbotapi.CallbackQuery{ID: "q1", From: from, Message: pressed, Data: data}},
			want: chat.Update{Private: true, Press: &chat.Press{ID: "q1", Verb: "rv", Args: []string{"12", "1", "y"}, Message: "42", Verbs: []string{"rv", "mt"}}}},
		{name: "press with data signed for another chat", u: tgbotapi.Update{UpdateID: 1, CallbackQuery: &tgbotapi.CallbackQuery{ID: "q2", From: from, Message: pressed, Data: forGroup}},
			want: chat.Update{Private: true, Press: &chat.Press{ID: "q2", Message: "42", Verbs: []string{"rv", "mt"}}}},
		{name: "press in another person's private chat", u: tgbotapi.Update{UpdateID: 1, CallbackQuery: &tgbotapi.CallbackQuery{ID: "q3",
			From: &tgbotapi.User{ID: 8}, Message: pressed, Data: data}},
			want: chat.Update{Private: true, Press: &chat.Press{ID: "q3", Message: "42", Verbs: []string{"rv", "mt"}}}},
		{name: "blocked", u: tgbotapi.Update{UpdateID: 1, MyChatMember: &tgbotapi.ChatMemberUpdated{From: *from, Chat: *private,
			NewChatMember: tgbotapi.ChatMember{Status: "kicked"}}},
			want: chat.Update{Private: true, Member: chat.MemberBlocked}},
		{name: "unblocked", u: tgbotapi.Update{UpdateID: 1, MyChatMember: &tgbotapi.ChatMemberUpdated{From: *from, Chat: *private,
			NewChatMember: tgbotapi.ChatMember{Status: "member"}}},
			want: chat.Update{Private: true, Member: chat.MemberUnblocked}},
		{name: "made an administrator", u: tgbotapi.Update{UpdateID: 1, MyChatMember: &tgbotapi.ChatMemberUpdated{From: *from, Chat: *group,
			NewChatMember: tgbotapi.ChatMember{Status: "administrator"}}}, skip: true},
		{name: "an edited message", u: tgbotapi.Update{UpdateID: 1, EditedMessage: &tgbotapi.Message{From: from, Chat: private, Text: "x"}}, skip: true},
	}
	for _, tt := range tests {
		got, ok := b.convert(&tt.u)
		if ok == tt.skip {
			t.Errorf("%s: ok = %v", tt.name, ok)
			continue
		}
		if tt.skip {
			continue
		}
		want := tt.want
		want.Messenger, want.ID = Messenger, 1
		want.From = &chat.Sender{ID: 7, FirstName: "Мария", LastName: "Петрова", Username: "maria", LanguageCode: "en"}
		if tt.u.CallbackQuery != nil && tt.u.CallbackQuery.From.ID == 8 {
			want.From = &chat.Sender{ID: 8}
		}
		if want.Chat == 0 {
			want.Chat = 7
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, want)
		}
	}
}
