package telegram

import (
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Kinds of outbound requests kept in the outbox.
const (
	outSend     = "send"     // a new text message
	outEdit     = "edit"     // new text (and keyboard) for a message
	outDocument = "document" // a file
	outPhoto    = "photo"    // a picture (a QR code)
	outCommands = "commands" // the command menu of a chat
)

// button is an inline keyboard button as the outbox stores it.
type button struct {
	Text string `json:"t"`
	Data string `json:"d,omitempty"`
	URL  string `json:"u,omitempty"`
}

// command is a menu entry.
type command struct {
	Name        string `json:"n"`
	Description string `json:"d"`
}

// outMsg is the outbox payload: everything needed to build the request
// again after a restart.
type outMsg struct {
	Kind      string     `json:"k"`
	ChatID    int64      `json:"c"`
	MessageID int        `json:"m,omitempty"`
	Text      string     `json:"t,omitempty"`
	Keyboard  [][]button `json:"kb,omitempty"`
	FileName  string     `json:"fn,omitempty"`
	File      []byte     `json:"f,omitempty"`
	Commands  []command  `json:"cmd,omitempty"` // none: back to the default menu
	// DefaultMenu makes a menu the one of every private chat without a
	// menu of its own, for clients in language Lang ("": any other).
	DefaultMenu bool   `json:"def,omitempty"`
	Lang        string `json:"lang,omitempty"`
	// AskLocation, when set, shows a reply keyboard with one button that
	// shares the user's location; RemoveKeyboard takes such a keyboard away.
	AskLocation    string `json:"loc,omitempty"`
	AskContact     string `json:"contact,omitempty"` // like AskLocation, sharing the phone number
	RemoveKeyboard bool   `json:"rmkb,omitempty"`
	// FileID sends a file Telegram already has (one a user sent) instead
	// of File's bytes.
	FileID string `json:"fid,omitempty"`

	broadcast uint64 // the broadcast it belongs to, if any
	bulk      bool   // part of a broadcast: sent after replies and notices
	key       string // replaces a pending message with the same key
}

func markup(kb [][]button) tgbotapi.InlineKeyboardMarkup {
	rows := make([][]tgbotapi.InlineKeyboardButton, 0, len(kb))
	for _, r := range kb {
		row := make([]tgbotapi.InlineKeyboardButton, 0, len(r))
		for _, b := range r {
			if b.URL != "" {
				row = append(row, tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.URL))
			} else {
				row = append(row, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			}
		}
		rows = append(rows, row)
	}
	return tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// file is the file of a document or photo: Telegram's id of it, or bytes.
func (m *outMsg) file() tgbotapi.RequestFileData {
	if m.FileID != "" {
		return tgbotapi.FileID(m.FileID)
	}
	return tgbotapi.FileBytes{Name: m.FileName, Bytes: m.File}
}

// chattable builds the Bot API request of an outbox message.
func (m *outMsg) chattable() (tgbotapi.Chattable, error) {
	switch m.Kind {
	case outSend:
		msg := tgbotapi.NewMessage(m.ChatID, m.Text)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		switch {
		case m.AskLocation != "":
			kb := tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonLocation(m.AskLocation)))
			kb.ResizeKeyboard = true
			msg.ReplyMarkup = kb
		case m.AskContact != "":
			kb := tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(m.AskContact)))
			kb.ResizeKeyboard = true
			msg.ReplyMarkup = kb
		case m.RemoveKeyboard:
			msg.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
		case len(m.Keyboard) > 0:
			msg.ReplyMarkup = markup(m.Keyboard)
		}
		return msg, nil
	case outEdit:
		msg := tgbotapi.NewEditMessageText(m.ChatID, m.MessageID, m.Text)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		kb := markup(m.Keyboard)
		msg.ReplyMarkup = &kb // an empty keyboard removes the old buttons
		return msg, nil
	case outDocument:
		doc := tgbotapi.NewDocument(m.ChatID, m.file())
		doc.Caption = m.Text
		doc.ParseMode = tgbotapi.ModeHTML
		if len(m.Keyboard) > 0 {
			doc.ReplyMarkup = markup(m.Keyboard)
		}
		return doc, nil
	case outPhoto:
		photo := tgbotapi.NewPhoto(m.ChatID, m.file())
		photo.Caption = m.Text
		photo.ParseMode = tgbotapi.ModeHTML
		if len(m.Keyboard) > 0 {
			photo.ReplyMarkup = markup(m.Keyboard)
		}
		return photo, nil
	case outCommands:
		scope := tgbotapi.NewBotCommandScopeChat(m.ChatID)
		if m.DefaultMenu {
			scope = tgbotapi.NewBotCommandScopeAllPrivateChats()
		}
		if len(m.Commands) == 0 {
			return tgbotapi.NewDeleteMyCommandsWithScopeAndLanguage(scope, m.Lang), nil
		}
		cmds := make([]tgbotapi.BotCommand, len(m.Commands))
		for i, c := range m.Commands {
			cmds[i] = tgbotapi.BotCommand{Command: c.Name, Description: c.Description}
		}
		return tgbotapi.NewSetMyCommandsWithScopeAndLanguage(scope, m.Lang, cmds...), nil
	}
	return nil, fmt.Errorf("outbox: unknown kind %q", m.Kind)
}
