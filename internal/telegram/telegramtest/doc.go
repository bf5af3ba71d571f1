// Package telegramtest is an in-process fake of the Telegram Bot API for
// tests, benchmarks and a local sandbox.
//
// A Server is a real HTTP server (net/http/httptest) that answers the Bot API
// methods the bot uses (getMe, getUpdates with long polling, sendMessage,
// editMessageText, editMessageReplyMarkup, deleteMessage,
// answerCallbackQuery, sendDocument, sendPhoto, getFile, setMyCommands,
// deleteMyCommands, sendChatAction) with the same JSON shapes, status codes
// and error descriptions as api.telegram.org, so that an unmodified client
// such as github.com/go-telegram-bot-api/telegram-bot-api/v5 can be pointed at
// it:
//
//	s := telegramtest.NewServer(t)
//	bot, err := tgbotapi.NewBotAPIWithClient(telegramtest.Token, s.Endpoint(), &http.Client{})
//
// The test then plays simulated users and groups (Server.NewUser,
// Server.NewGroup): User.Send enqueues a message update, User.Press presses an
// inline button of a message the bot sent, User.Block blocks the bot, and so
// on. Everything the bot sends is recorded per chat as a Message, whose state
// follows later edits and deletions; User.Next waits for the next new or
// edited message in the user's chat, and Server.Settle waits until the bot
// has consumed every update and has gone quiet.
//
// The server validates what a real server validates (unknown chats, HTML
// markup, message length, callback_data size, "message is not modified",
// answering a callback query twice, ...), can inject faults (Server.Inject:
// 429 with retry_after, 5xx, dropped connections, slow and hanging calls,
// per method and per chat), enforce Telegram-like flood limits
// (Server.EnforceLimits), and counts and records every request (Server.Calls, Server.Requests, Server.Stats).
// Calls to methods it does not implement answer 404 and are listed by
// Server.Unexpected.
//
// Every method is safe for concurrent use; accessors return copies.
//
// The package uses only the standard library, so it is a pure HTTP fake that
// does not depend on any particular client library.
package telegramtest
