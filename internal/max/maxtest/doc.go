// Package maxtest is an in-process fake of the MAX Bot API for tests,
// benchmarks and a local sandbox, built from the API's OpenAPI description
// (internal/max/testdata/schema.yaml) and modelled on the Telegram fake
// (internal/telegram/telegramtest), with the same person-level vocabulary
// so that end-to-end tests can run one table over both messengers.
//
// A Server is a real HTTP server (net/http/httptest) that answers the
// calls a bot like ours makes, with the schema's JSON shapes:
//
//   - GET /me, and PATCH /me with a command menu (Server.Commands);
//   - GET /updates, long polling, with markers: passing a marker commits
//     every update before it, as on MAX;
//   - POST, PUT and DELETE /messages (send, edit, delete);
//   - POST /answers (answer a button press);
//   - POST /uploads, and the upload host it points to (POST /upload/N on
//     the same server), and downloads of files (GET /files/…).
//
// The token is accepted in the Authorization header only: a client that
// puts it in a URL, or sends it to the upload host, is refused. Any other
// path or method answers 404 or 405 and is listed by Server.Unexpected,
// and NewServer fails the test at its end if there is any; so is an
// attachment or button kind the fake does not model.
//
// The test plays simulated users and groups (Server.NewUser,
// Server.NewGroup): User.Send enqueues a message_created update,
// User.Start and User.OpenLink a bot_started with a deep-link payload,
// User.Press presses a button of a message the bot sent (a callback
// button gives a message_callback, a contact button shares the user's
// phone), User.Block stops the bot, and so on. Everything the bot sends is
// recorded per chat as a Message whose state follows later edits and
// deletions; User.Next waits for the next new or edited message in the
// user's dialog, and Server.Settle waits until the bot has committed every
// update and gone quiet.
//
// Requests are checked as strictly as the schema allows: unknown JSON
// fields, missing required ones, lengths (text 4,000, button text 128,
// callback payload 1,024, URL 2,048), enums, an unknown recipient, message
// or callback, a file token never uploaded, a file beside other
// attachments (the schema says a file must be alone), HTML tags MAX would
// strip. MAX documents few error codes; where it documents none the fake
// answers a plausible one ("chat.denied" to a user who stopped the bot,
// "not.found", "proto.payload" for a bad request), and a message starting
// with "maxtest:" names a rule of the fake itself (a callback answered
// twice, both user_id and chat_id given).
//
// Faults can be injected (Server.Inject: 429 with or without Retry-After,
// 500, 502 with an HTML body, 503, dropped connections, slow answers, a
// file "not ready yet"), and a per-bot rate limit enforced
// (Server.EnforceRateLimit; MAX allows about 30 requests per second).
// Every request is recorded with its body and answer (Server.Requests),
// so a test can check them against the schema.
//
// Every method is safe for concurrent use; accessors return copies. The
// package uses only the standard library and does not import the client
// (internal/max): a misspelt field would otherwise be misspelt on both
// sides and pass.
package maxtest
