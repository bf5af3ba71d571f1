package telegram

import (
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/chat"
)

// convert turns a Telegram update into the conversation's. ok is false
// for an update the conversation has nothing to do with (a change of the
// bot's status in a chat other than being blocked or unblocked).
//
// A pressed button's data is checked here: signed by this installation
// for the chat it was pressed in, and, in a private chat, pressed by the
// chat's own person (Telegram lets nobody press buttons in someone else's
// private chat; such an update is forged). Data that fails either check
// comes through as a press without a verb, which the conversation
// answers as a stale button.
func (b *Bot) convert(u *tgbotapi.Update) (chat.Update, bool) {
	cu := chat.Update{Messenger: Messenger, ID: uint64(u.UpdateID)}
	switch {
	case u.Message != nil:
		m := u.Message
		cu.From = sender(m.From)
		cu.Chat, cu.Private = m.Chat.ID, m.Chat.IsPrivate()
		cu.Text, cu.Caption = m.Text, m.Caption
		cu.Command, cu.Args = parseCommand(m.Text, b.Username())
		if m.Location != nil {
			cu.Location = &chat.Location{Latitude: m.Location.Latitude, Longitude: m.Location.Longitude}
		}
		if m.Contact != nil {
			cu.Contact = &chat.Contact{Phone: m.Contact.PhoneNumber, UserID: m.Contact.UserID}
		}
		switch {
		case m.Document != nil:
			cu.File = &chat.File{Kind: chat.FileDocument, ID: m.Document.FileID, Name: m.Document.FileName, Size: int64(m.Document.FileSize)}
		case len(m.Photo) > 0:
			p := m.Photo[len(m.Photo)-1] // the largest size
			cu.File = &chat.File{Kind: chat.FilePhoto, ID: p.FileID, Size: int64(p.FileSize)}
		}
		cu.OtherMedia = m.Sticker != nil || m.Voice != nil || m.Video != nil || m.VideoNote != nil ||
			m.Audio != nil || m.Animation != nil || m.Poll != nil
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		cu.From = sender(q.From)
		cu.Chat = q.From.ID
		if q.Message != nil {
			cu.Chat, cu.Private = q.Message.Chat.ID, q.Message.Chat.IsPrivate()
		}
		cu.Press = b.press(q, cu.Chat, cu.Private)
	case u.MyChatMember != nil:
		m := u.MyChatMember
		cu.From = sender(&m.From)
		cu.Chat, cu.Private = m.Chat.ID, m.Chat.IsPrivate()
		switch m.NewChatMember.Status {
		case "kicked", "left":
			cu.Member = chat.MemberBlocked
		case "member":
			cu.Member = chat.MemberUnblocked
		default:
			return cu, false
		}
	default:
		return cu, false
	}
	return cu, true
}

// press reads a pressed button: its checked data and what the message it
// was on offers.
func (b *Bot) press(q *tgbotapi.CallbackQuery, chatID int64, private bool) *chat.Press {
	p := &chat.Press{ID: q.ID}
	cb, err := b.codec.decode(chatID, q.Data)
	switch {
	case err != nil:
		b.log.Warn("refused callback data", "chat_id", chatID, "error", err)
	case private && q.From != nil && q.From.ID != chatID:
		b.log.Warn("refused a press in another person's chat", "chat_id", chatID)
	default:
		p.Verb, p.Args = cb.Verb, cb.Args
	}
	if m := q.Message; m != nil {
		p.Message = strconv.Itoa(m.MessageID)
		if m.ReplyMarkup != nil {
			for _, row := range m.ReplyMarkup.InlineKeyboard {
				for _, btn := range row {
					if btn.CallbackData == nil {
						continue
					}
					if cb, err := b.codec.decode(chatID, *btn.CallbackData); err == nil {
						p.Verbs = append(p.Verbs, cb.Verb)
					}
				}
			}
		}
	}
	return p
}

// sender is the conversation's view of a Telegram user; nil for none.
func sender(u *tgbotapi.User) *chat.Sender {
	if u == nil {
		return nil
	}
	return &chat.Sender{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.UserName, LanguageCode: u.LanguageCode}
}

// parseCommand splits "/cmd@bot args" into "cmd" and "args". It returns
// "" for text that is not a command, or a command for another bot.
func parseCommand(text, botName string) (cmd, args string) {
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	word, rest, _ := strings.Cut(text[1:], " ")
	name, target, hasTarget := strings.Cut(word, "@")
	if hasTarget && !strings.EqualFold(target, botName) {
		return "", ""
	}
	return strings.ToLower(name), strings.TrimSpace(rest)
}
