// Package max is a thin client of the MAX Bot API (the messenger at
// max.ru), written from its OpenAPI description (testdata/schema.yaml,
// version 0.0.30) and covering only what a bot like ours uses:
//
//   - GET /me: who the bot is (Client.Me); PATCH /me: its command menu
//     (Client.SetCommands);
//   - GET /updates: long polling with a marker (Client.GetUpdates);
//   - POST, PUT and DELETE /messages: send, edit and delete a message
//     (Client.SendMessage, Client.EditMessage, Client.DeleteMessage);
//   - POST /answers: answer a button press (Client.AnswerCallback);
//   - POST /uploads and the upload of the bytes to the URL it returns
//     (Client.UploadURL, Client.Upload), and the download of a file a user
//     sent (Client.Download).
//
// Chats, members, pins, webhooks and the rest of the API are left out on
// purpose: nothing here would use them.
//
// The client is the wire layer only. It keeps no state between calls: the
// update marker is returned to the caller, which stores it durably and
// passes it back once everything before it is handled (MAX commits every
// update before a marker as soon as the marker is passed). It does not
// retry, wait out a 429 or split long texts either; a transport built on
// top decides that. Every call runs under a deadline of its own (see
// Options), and every error names the call and never carries the token.
//
// The token travels in the Authorization header, as the official clients
// send it, never in a URL, so no logged URL can leak it; the upload host,
// which is not the API host, never sees it.
package max
