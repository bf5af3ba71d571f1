package telegram

import (
	"encoding/json"
	"fmt"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/chat"
)

// item is an outbox payload as the transport reads it: the
// conversation's message, and what items queued by builds before the
// conversation left this package carry instead of its fields: the
// Telegram id of the message an edit changes, and buttons signed already.
type item struct {
	chat.Message
	// MessageID is the message an old edit changes.
	MessageID int `json:"m,omitempty"`
	// signed holds the data of an old item's buttons, row by row.
	signed [][]string
}

// Chat returns the conversation's message the item carries.
func (it *item) Chat() *chat.Message { return &it.Message }

// decodeItem reads an outbox payload.
func decodeItem(payload []byte) (*item, error) {
	var it item
	if err := boltdb.Unmarshal(payload, &it); err != nil {
		return nil, err
	}
	// Only an old item has buttons without a verb or an address: its
	// signed data is read in a second pass, which a new item (the
	// delivery of every message reads one) is spared.
	if !hasBareButton(it.Buttons) {
		return &it, nil
	}
	var old struct {
		Keyboard [][]struct {
			Data string `json:"d"`
		} `json:"kb"`
	}
	if err := json.Unmarshal(payload, &old); err != nil {
		return nil, err
	}
	for _, row := range old.Keyboard {
		var data []string
		for _, b := range row {
			data = append(data, b.Data)
		}
		it.signed = append(it.signed, data)
	}
	return &it, nil
}

// hasBareButton reports whether a button has neither a verb nor an
// address, as the buttons of items queued with signed data do.
func hasBareButton(rows [][]chat.Button) bool {
	for _, r := range rows {
		for _, b := range r {
			if b.Verb == "" && b.URL == "" {
				return true
			}
		}
	}
	return false
}

// target returns the Telegram id of the message an edit changes.
func (it *item) target() (int, error) {
	if it.Target == "" {
		if it.MessageID == 0 {
			return 0, fmt.Errorf("an edit of no message")
		}
		return it.MessageID, nil
	}
	id, err := strconv.Atoi(it.Target)
	if err != nil {
		return 0, fmt.Errorf("an edit of message %q: not a Telegram message id", it.Target)
	}
	return id, nil
}

// markup builds the inline keyboard of a message to chatID, signing each
// button for that chat; an old item's buttons go as they were signed.
func (it *item) markup(c codec, chatID int64) (tgbotapi.InlineKeyboardMarkup, error) {
	rows := make([][]tgbotapi.InlineKeyboardButton, 0, len(it.Buttons))
	for i, r := range it.Buttons {
		row := make([]tgbotapi.InlineKeyboardButton, 0, len(r))
		for j, b := range r {
			switch {
			case b.URL != "":
				row = append(row, tgbotapi.NewInlineKeyboardButtonURL(b.Label, b.URL))
			case b.Verb == "" && i < len(it.signed) && j < len(it.signed[i]) && it.signed[i][j] != "":
				row = append(row, tgbotapi.NewInlineKeyboardButtonData(b.Label, it.signed[i][j]))
			default:
				data, err := c.encode(chatID, b.Verb, b.Args...)
				if err != nil {
					// Routes are written by us; an oversized button is a
					// bug caught by the codec's tests, never user input.
					return tgbotapi.InlineKeyboardMarkup{}, fmt.Errorf("button %q (%s): %w", b.Label, b.Verb, err)
				}
				row = append(row, tgbotapi.NewInlineKeyboardButtonData(b.Label, data))
			}
		}
		rows = append(rows, row)
	}
	return tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}, nil
}

// file is the file of a document or photo: Telegram's id of it, or bytes.
func (it *item) file() tgbotapi.RequestFileData {
	if it.FileID != "" {
		return tgbotapi.FileID(it.FileID)
	}
	return tgbotapi.FileBytes{Name: it.FileName, Bytes: it.File}
}

// chattable builds the Bot API request of an outbox item to chatID.
func (it *item) chattable(c codec, chatID int64) (tgbotapi.Chattable, error) {
	var kb tgbotapi.InlineKeyboardMarkup
	if len(it.Buttons) > 0 {
		var err error
		if kb, err = it.markup(c, chatID); err != nil {
			return nil, err
		}
	}
	switch it.Kind {
	case chat.KindSend:
		msg := tgbotapi.NewMessage(chatID, it.Text)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		switch {
		case it.AskLocation != "":
			k := tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonLocation(it.AskLocation)))
			k.ResizeKeyboard = true
			msg.ReplyMarkup = k
		case it.AskContact != "":
			k := tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(it.AskContact)))
			k.ResizeKeyboard = true
			msg.ReplyMarkup = k
		case it.RemoveKeyboard:
			msg.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
		case len(it.Buttons) > 0:
			msg.ReplyMarkup = kb
		}
		return msg, nil
	case chat.KindEdit:
		id, err := it.target()
		if err != nil {
			return nil, err
		}
		msg := tgbotapi.NewEditMessageText(chatID, id, it.Text)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		if kb.InlineKeyboard == nil {
			kb.InlineKeyboard = [][]tgbotapi.InlineKeyboardButton{}
		}
		msg.ReplyMarkup = &kb // an empty keyboard removes the old buttons
		return msg, nil
	case chat.KindDocument:
		doc := tgbotapi.NewDocument(chatID, it.file())
		doc.Caption = it.Text
		doc.ParseMode = tgbotapi.ModeHTML
		if len(it.Buttons) > 0 {
			doc.ReplyMarkup = kb
		}
		return doc, nil
	case chat.KindPhoto:
		photo := tgbotapi.NewPhoto(chatID, it.file())
		photo.Caption = it.Text
		photo.ParseMode = tgbotapi.ModeHTML
		if len(it.Buttons) > 0 {
			photo.ReplyMarkup = kb
		}
		return photo, nil
	case chat.KindRemove:
		id, err := it.target()
		if err != nil {
			return nil, err
		}
		return tgbotapi.NewDeleteMessage(chatID, id), nil
	case chat.KindMenu:
		scope := tgbotapi.NewBotCommandScopeChat(chatID)
		if it.DefaultMenu {
			scope = tgbotapi.NewBotCommandScopeAllPrivateChats()
		}
		if len(it.Commands) == 0 {
			return tgbotapi.NewDeleteMyCommandsWithScopeAndLanguage(scope, it.Lang), nil
		}
		cmds := make([]tgbotapi.BotCommand, len(it.Commands))
		for i, c := range it.Commands {
			cmds[i] = tgbotapi.BotCommand{Command: c.Name, Description: c.Description}
		}
		return tgbotapi.NewSetMyCommandsWithScopeAndLanguage(scope, it.Lang, cmds...), nil
	}
	return nil, fmt.Errorf("outbox: unknown kind %q", it.Kind)
}
