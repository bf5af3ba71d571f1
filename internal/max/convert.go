package max

import (
	"hash/fnv"
	"strings"

	"github.com/mmobot/mmobot/internal/chat"
)

// updateID is the id an update is known by in the handled marks: MAX
// numbers no updates, so it is drawn from what makes one unique (the
// message's id, the press's id) and, for the kinds without one, from the
// update as received, which a redelivery repeats byte for byte.
func updateID(u *Update) uint64 {
	h := fnv.New64a()
	h.Write([]byte(u.Type))
	h.Write([]byte{0})
	switch {
	case u.Callback != nil:
		h.Write([]byte(u.Callback.CallbackID))
	case u.Message != nil && u.Message.Body.MID != "" && u.Type == UpdateMessageCreated:
		h.Write([]byte(u.Message.Body.MID))
	default:
		h.Write(u.Raw)
	}
	return h.Sum64() >> 1 // positive as an int64, for logs
}

// convert turns a MAX update into the conversation's. ok is false for an
// update the conversation has nothing to do with (an edit, a removal, a
// change in a group).
//
// A pressed button's payload is checked here: signed by this installation
// for the chat it was pressed in. A payload that fails comes through as a
// press without a verb, which the conversation answers as a stale button.
func (b *Bot) convert(u *Update) (chat.Update, bool) {
	cu := chat.Update{Messenger: Messenger, ID: updateID(u)}
	cu.From = sender(u.From(), u.UserLocale)
	switch u.Type {
	case UpdateMessageCreated:
		m := u.Message
		if m == nil || m.Sender == nil || m.Sender.IsBot {
			return cu, false
		}
		cu.Chat, cu.Private = m.Recipient.ChatID, m.Recipient.ChatType == ChatDialog
		b.content(&cu, &m.Body)
	case UpdateBotStarted:
		// A deep link, or the first press of "Start": the start command
		// with its payload, as Telegram's "/start <payload>".
		if u.User == nil {
			return cu, false
		}
		cu.Chat, cu.Private = u.ChatID, true
		cu.Command, cu.Args = "start", u.Payload
		cu.Text = strings.TrimSpace("/start " + u.Payload)
	case UpdateBotStopped:
		if u.User == nil {
			return cu, false
		}
		cu.Chat, cu.Private = u.ChatID, true
		cu.Member = chat.MemberBlocked
	case UpdateMessageCallback:
		q := u.Callback
		if q == nil {
			return cu, false
		}
		cu.Chat, cu.Private = q.User.UserID, true
		if u.Message != nil {
			cu.Chat, cu.Private = u.Message.Recipient.ChatID, u.Message.Recipient.ChatType == ChatDialog
		}
		cu.Press = b.press(q, u.Message, cu.Chat)
	default:
		return cu, false
	}
	if cu.From == nil {
		return cu, false
	}
	return cu, true
}

// content reads a message's text and attachments.
func (b *Bot) content(cu *chat.Update, body *MessageBody) {
	cu.Text = body.Text
	cu.Command, cu.Args = parseCommand(body.Text, b.username)
	for _, a := range body.Attachments {
		switch {
		case a.Location != nil:
			cu.Location = &chat.Location{Latitude: a.Location.Latitude, Longitude: a.Location.Longitude}
		case a.Contact != nil:
			c := &chat.Contact{Phone: a.Contact.Phone()}
			if a.Contact.MaxInfo != nil {
				c.UserID = a.Contact.MaxInfo.UserID
			}
			cu.Contact = c
		case a.Type == AttachFile && a.File != nil:
			cu.File = &chat.File{Kind: chat.FileDocument, ID: fileRef(a.File.Token, a.File.URL), Name: a.Filename, Size: a.Size}
		case a.Type == AttachImage && a.Image != nil:
			cu.File = &chat.File{Kind: chat.FilePhoto, ID: fileRef(a.Image.Token, a.Image.URL)}
		case a.Type == AttachKeyboard:
		default:
			cu.OtherMedia = true
		}
	}
	if cu.File != nil {
		// A file's text is its caption, as in Telegram.
		cu.Caption, cu.Text, cu.Command, cu.Args = cu.Text, "", "", ""
	}
}

// fileRef is the id of a file a person sent, as the outbox carries it
// (chat.Message.FileID): the token that sends it on, and the URL to
// download it from when it must go to another messenger, joined by a
// space (neither contains one).
func fileRef(token, url string) string {
	if url == "" {
		return token
	}
	return token + " " + url
}

// splitFileRef is fileRef's inverse.
func splitFileRef(ref string) (token, url string) {
	token, url, _ = strings.Cut(ref, " ")
	return token, url
}

// press reads a pressed button: its checked payload and the verbs of the
// message it was on.
func (b *Bot) press(q *Callback, m *Message, chatID int64) *chat.Press {
	p := &chat.Press{ID: q.CallbackID}
	if cb, err := b.codec.decode(chatID, q.Payload); err != nil {
		b.log.Warn("refused button payload", "chat_id", chatID, "error", err)
	} else {
		p.Verb, p.Args = cb.Verb, cb.Args
	}
	if m == nil {
		return p
	}
	p.Message = m.Body.MID
	for _, a := range m.Body.Attachments {
		if a.Keyboard == nil {
			continue
		}
		for _, row := range a.Keyboard.Buttons {
			for _, btn := range row {
				if btn.Type != ButtonCallback {
					continue
				}
				if cb, err := b.codec.decode(chatID, btn.Payload); err == nil {
					p.Verbs = append(p.Verbs, cb.Verb)
				}
			}
		}
	}
	return p
}

// sender is the conversation's view of a MAX user; nil for none.
func sender(u *User, locale string) *chat.Sender {
	if u == nil {
		return nil
	}
	return &chat.Sender{ID: u.UserID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: locale}
}

// parseCommand splits "/cmd@bot args" into "cmd" and "args"; "" for text
// that is not a command, or a command for another bot.
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
