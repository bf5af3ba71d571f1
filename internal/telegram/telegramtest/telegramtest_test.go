package telegramtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// apiResp is the Bot API answer envelope.
type apiResp struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

type rawClient struct {
	t     testing.TB
	s     *telegramtest.Server
	token string
	hc    *http.Client
}

func newClient(t testing.TB, s *telegramtest.Server) *rawClient {
	return &rawClient{t: t, s: s, token: telegramtest.Token, hc: &http.Client{Timeout: 20 * time.Second}}
}

func (c *rawClient) url(method string) string {
	return fmt.Sprintf(c.s.Endpoint(), c.token, method)
}

// do posts a form and decodes the answer; it returns the status and the
// raw body too.
func (c *rawClient) do(method string, params url.Values) (int, apiResp, string) {
	c.t.Helper()
	return c.doCtx(context.Background(), method, params)
}

func (c *rawClient) doCtx(ctx context.Context, method string, params url.Values) (int, apiResp, string) {
	c.t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(method), strings.NewReader(params.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req)
}

func (c *rawClient) send(req *http.Request) (int, apiResp, string) {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s: %v", req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r apiResp
	if err := json.Unmarshal(body, &r); err != nil {
		c.t.Fatalf("%s: answer is not JSON: %v: %s", req.URL.Path, err, body)
	}
	return resp.StatusCode, r, string(body)
}

// ok calls a method that must succeed and decodes the result into out.
func (c *rawClient) ok(method string, params url.Values, out any) {
	c.t.Helper()
	status, r, body := c.do(method, params)
	if status != 200 || !r.OK {
		c.t.Fatalf("%s: status %d: %s", method, status, body)
	}
	if out != nil {
		if err := json.Unmarshal(r.Result, out); err != nil {
			c.t.Fatalf("%s: result: %v", method, err)
		}
	}
}

// fail calls a method that must fail with code and description (prefix).
func (c *rawClient) fail(method string, params url.Values, code int, desc string) apiResp {
	c.t.Helper()
	status, r, body := c.do(method, params)
	if status != code || r.OK || r.ErrorCode != code || !strings.HasPrefix(r.Description, desc) {
		c.t.Fatalf("%s: want %d %q, got status %d: %s", method, code, desc, status, body)
	}
	return r
}

type update struct {
	UpdateID int `json:"update_id"`
	Message  *struct {
		MessageID int `json:"message_id"`
		From      struct {
			ID           int64  `json:"id"`
			FirstName    string `json:"first_name"`
			LanguageCode string `json:"language_code"`
		} `json:"from"`
		Chat struct {
			ID    int64  `json:"id"`
			Type  string `json:"type"`
			Title string `json:"title"`
		} `json:"chat"`
		Date     int64  `json:"date"`
		Text     string `json:"text"`
		Caption  string `json:"caption"`
		Entities []struct {
			Type   string `json:"type"`
			Offset int    `json:"offset"`
			Length int    `json:"length"`
		} `json:"entities"`
		Document *document `json:"document"`
		Photo    []struct {
			FileID string `json:"file_id"`
			Width  int    `json:"width"`
		} `json:"photo"`
		Contact *struct {
			PhoneNumber string `json:"phone_number"`
			UserID      int64  `json:"user_id"`
		} `json:"contact"`
		Location *struct {
			Latitude  float64 `json:"latitude"`
			Longitude float64 `json:"longitude"`
		} `json:"location"`
	} `json:"message"`
	CallbackQuery *struct {
		ID      string `json:"id"`
		Data    string `json:"data"`
		Message struct {
			MessageID int    `json:"message_id"`
			Text      string `json:"text"`
			Chat      struct {
				ID int64 `json:"id"`
			} `json:"chat"`
		} `json:"message"`
		ChatInstance string `json:"chat_instance"`
	} `json:"callback_query"`
	MyChatMember *struct {
		OldChatMember struct{ Status string } `json:"old_chat_member"`
		NewChatMember struct {
			Status string `json:"status"`
			User   struct {
				ID    int64 `json:"id"`
				IsBot bool  `json:"is_bot"`
			} `json:"user"`
		} `json:"new_chat_member"`
	} `json:"my_chat_member"`
}

func (c *rawClient) updates(params url.Values) []update {
	c.t.Helper()
	var ups []update
	c.ok("getUpdates", params, &ups)
	return ups
}

// document is a Document object as the server answers it.
type document struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name"`
	MimeType string `json:"mime_type"`
	FileSize int    `json:"file_size"`
}

type sentMessage struct {
	MessageID int `json:"message_id"`
	From      struct {
		ID    int64 `json:"id"`
		IsBot bool  `json:"is_bot"`
	} `json:"from"`
	Chat struct {
		ID        int64  `json:"id"`
		Type      string `json:"type"`
		FirstName string `json:"first_name"`
	} `json:"chat"`
	Date        int64           `json:"date"`
	EditDate    int64           `json:"edit_date"`
	Text        string          `json:"text"`
	ReplyMarkup json.RawMessage `json:"reply_markup"`
	Document    *document       `json:"document"`
	Photo       []struct {
		FileID string `json:"file_id"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
	} `json:"photo"`
	Caption string `json:"caption"`
}

func vals(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

const kb = `{"inline_keyboard":[[{"text":"✅ Yes","callback_data":"yes"},{"text":"No","callback_data":"no"}],[{"text":"Site","url":"https://example.org"}]]}`

func TestAuthUnknownAndEnvelope(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)

	bad := *c
	bad.token = "1:wrong"
	status, _, body := bad.do("getMe", nil)
	if status != 401 || body != `{"ok":false,"error_code":401,"description":"Unauthorized"}` {
		t.Fatalf("wrong token: %d %s", status, body)
	}

	status, _, body = c.do("setWebhook", vals("url", "https://x"))
	if status != 404 || body != `{"ok":false,"error_code":404,"description":"Not Found: method not found"}` {
		t.Fatalf("unknown method: %d %s", status, body)
	}
	if u := s.Unexpected(); len(u) != 1 || u[0] != "setWebhook" {
		t.Fatalf("Unexpected = %v", u)
	}

	var me struct {
		ID            int64  `json:"id"`
		IsBot         bool   `json:"is_bot"`
		FirstName     string `json:"first_name"`
		Username      string `json:"username"`
		CanJoinGroups bool   `json:"can_join_groups"`
	}
	c.ok("getMe", nil, &me)
	if me.ID != telegramtest.DefaultBotID || !me.IsBot || me.Username != "mmo_test_bot" || me.FirstName == "" || !me.CanJoinGroups {
		t.Fatalf("getMe = %+v", me)
	}
	// Method names are case-insensitive, GET with a query works.
	resp, err := http.Get(c.url("GETME") + "?x=1")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET getMe: %v %v", err, resp)
	}
	resp.Body.Close()
	if n := s.Calls("getMe"); n != 3 { // the refused (401) call counts too
		t.Fatalf("Calls(getMe) = %d", n)
	}
	if n := s.Calls("setWebhook"); n != 1 {
		t.Fatalf("Calls(setWebhook) = %d", n)
	}
	reqs := s.Requests()
	if len(reqs) != 4 || reqs[0].Status != 401 || reqs[1].Method != "setWebhook" || reqs[1].Params.Get("url") != "https://x" || reqs[3].Method != "getMe" {
		t.Fatalf("Requests = %+v", reqs)
	}

	// JSON bodies are accepted too (reply_markup as an object).
	u := s.NewUser(7, "Ann", "en")
	req, _ := http.NewRequest(http.MethodPost, c.url("sendMessage"),
		strings.NewReader(`{"chat_id":7,"text":"json body","reply_markup":`+kb+`}`))
	req.Header.Set("Content-Type", "application/json")
	if status, r, body := c.send(req); status != 200 || !r.OK {
		t.Fatalf("JSON body: %s", body)
	}
	if m, _ := u.Last(); m.Text != "json body" || len(m.Buttons()) != 3 {
		t.Fatalf("JSON body message = %+v", m)
	}
}

func TestGetUpdatesSemantics(t *testing.T) {
	s := telegramtest.NewServer(t, telegramtest.Options{FirstUpdateID: 100})
	c := newClient(t, s)
	u := s.NewUser(42, "Alice", "fr")
	u.Username = "alice"

	if ups := c.updates(nil); len(ups) != 0 {
		t.Fatalf("empty getUpdates = %v", ups)
	}
	ids := []int{u.Send("/start ref_1"), u.Send("hello"), u.Send("/help@mmo_test_bot now")}
	if ids[0] != 100 || ids[2] != 102 {
		t.Fatalf("update ids = %v", ids)
	}
	if s.Pending() != 3 {
		t.Fatalf("Pending = %d", s.Pending())
	}
	ups := c.updates(nil)
	if len(ups) != 3 || ups[0].UpdateID != 100 || ups[2].UpdateID != 102 {
		t.Fatalf("getUpdates = %+v", ups)
	}
	m := ups[0].Message
	if m.Text != "/start ref_1" || m.From.ID != 42 || m.From.LanguageCode != "fr" || m.Chat.ID != 42 || m.Chat.Type != "private" ||
		len(m.Entities) != 1 || m.Entities[0].Type != "bot_command" || m.Entities[0].Length != 6 || m.MessageID != 1 || m.Date == 0 {
		t.Fatalf("first message = %+v", m)
	}
	if e := ups[1].Message.Entities; len(e) != 0 {
		t.Fatalf("plain text has entities %v", e)
	}
	if e := ups[2].Message.Entities; len(e) != 1 || e[0].Length != len("/help@mmo_test_bot") {
		t.Fatalf("command with bot name: %v", e)
	}
	// Not confirmed yet: delivered again.
	if ups := c.updates(vals("limit", "2")); len(ups) != 2 || ups[0].UpdateID != 100 {
		t.Fatalf("limit 2 = %+v", ups)
	}
	if s.Confirmed() != 99 {
		t.Fatalf("Confirmed = %d", s.Confirmed())
	}
	if ups := c.updates(vals("offset", "101")); len(ups) != 2 || ups[0].UpdateID != 101 {
		t.Fatalf("offset 101 = %+v", ups)
	}
	if s.Confirmed() != 100 || s.Pending() != 2 {
		t.Fatalf("Confirmed = %d, Pending = %d", s.Confirmed(), s.Pending())
	}
	u.Send("four")
	// Negative offset: the last N updates, the older ones are forgotten.
	if ups := c.updates(vals("offset", "-1")); len(ups) != 1 || ups[0].UpdateID != 103 {
		t.Fatalf("offset -1 = %+v", ups)
	}
	if s.Confirmed() != 102 || s.Pending() != 1 {
		t.Fatalf("after negative offset: Confirmed = %d, Pending = %d", s.Confirmed(), s.Pending())
	}
	if ups := c.updates(vals("offset", "104")); len(ups) != 0 || s.Pending() != 0 || s.Confirmed() != 103 {
		t.Fatalf("all confirmed: %v %d %d", ups, s.Pending(), s.Confirmed())
	}
	if n := s.Calls("getUpdates"); n != 6 {
		t.Fatalf("Calls(getUpdates) = %d", n)
	}
}

func TestUserUpdateKinds(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(5, "Bob", "en")
	u.SendContact("+33123")
	u.SendLocation(48.85, 2.35)
	u.SendDocument("save.json", []byte(`{"a":1}`), "my save")
	u.SendPhoto(pngBytes(t, 3, 2), "look")
	ups := c.updates(nil)
	if len(ups) != 4 {
		t.Fatalf("updates: %+v", ups)
	}
	if ct := ups[0].Message.Contact; ct == nil || ct.PhoneNumber != "+33123" || ct.UserID != 5 {
		t.Fatalf("contact %+v", ct)
	}
	if l := ups[1].Message.Location; l == nil || l.Latitude != 48.85 || l.Longitude != 2.35 {
		t.Fatalf("location %+v", l)
	}
	d := ups[2].Message.Document
	if d == nil || d.FileName != "save.json" || d.MimeType != "application/json" || d.FileSize != 7 || ups[2].Message.Caption != "my save" {
		t.Fatalf("document %+v", ups[2].Message)
	}
	var f struct {
		FileID   string `json:"file_id"`
		FilePath string `json:"file_path"`
		FileSize int    `json:"file_size"`
	}
	c.ok("getFile", vals("file_id", d.FileID), &f)
	if f.FileSize != 7 || f.FilePath == "" {
		t.Fatalf("getFile = %+v", f)
	}
	resp, err := http.Get(fmt.Sprintf(s.FileEndpoint(), telegramtest.Token, f.FilePath))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"a":1}` {
		t.Fatalf("download: %d %q", resp.StatusCode, body)
	}
	resp, _ = http.Get(fmt.Sprintf(s.FileEndpoint(), telegramtest.Token, "documents/nope"))
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("missing file: %d", resp.StatusCode)
	}
	c.fail("getFile", vals("file_id", "nope"), 400, "Bad Request: invalid file_id")
	if p := ups[3].Message.Photo; len(p) != 1 || p[0].Width != 3 || ups[3].Message.Caption != "look" {
		t.Fatalf("photo %+v", ups[3].Message)
	}
}

func TestSendMessageAndValidation(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	s := telegramtest.NewServer(t, telegramtest.Options{Now: func() time.Time { return now }})
	c := newClient(t, s)
	u := s.NewUser(42, "Alice", "en")
	u.Send("hi") // message 1 is the user's

	var m sentMessage
	c.ok("sendMessage", vals("chat_id", "42", "text", "<b>Menu</b> &lt;3", "parse_mode", "HTML", "reply_markup", kb), &m)
	if m.MessageID != 2 || !m.From.IsBot || m.From.ID != telegramtest.DefaultBotID || m.Chat.ID != 42 || m.Chat.Type != "private" ||
		m.Chat.FirstName != "Alice" || m.Date != now.Unix() || m.Text != "Menu <3" {
		t.Fatalf("sendMessage result = %+v", m)
	}
	var echoed struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := json.Unmarshal(m.ReplyMarkup, &echoed); err != nil || len(echoed.InlineKeyboard) != 2 || echoed.InlineKeyboard[0][1].CallbackData != "no" {
		t.Fatalf("reply_markup echo %s: %v", m.ReplyMarkup, err)
	}

	got := u.Next(t)
	if got.ID != 2 || got.ChatID != 42 || got.Text != "<b>Menu</b> &lt;3" || got.ParseMode != "HTML" || got.PlainText() != "Menu <3" ||
		!got.Date.Equal(now) || got.Edits != 0 || len(got.Keyboard) != 2 {
		t.Fatalf("recorded = %+v", got)
	}
	if b, ok := got.Button("No"); !ok || b.Data != "no" {
		t.Fatalf("Button(No) = %+v %v", b, ok)
	}
	if b, ok := got.Button("Yes"); !ok || b.Data != "yes" { // substring
		t.Fatalf("Button(Yes) = %+v %v", b, ok)
	}
	if b, ok := got.Button("Site"); !ok || b.URL != "https://example.org" {
		t.Fatalf("Button(Site) = %+v", b)
	}
	if _, ok := got.Button("Maybe"); ok {
		t.Fatal("Button(Maybe) found")
	}
	if bs := got.Buttons(); len(bs) != 3 || bs[2].Text != "Site" {
		t.Fatalf("Buttons = %+v", bs)
	}
	// Copies: changing what we got does not change the server state.
	got.Keyboard[0][0].Text = "changed"
	if last, _ := u.Last(); last.Keyboard[0][0].Text != "✅ Yes" {
		t.Fatal("Last shares state with an earlier copy")
	}

	c.fail("sendMessage", vals("chat_id", "999", "text", "x"), 400, "Bad Request: chat not found")
	c.fail("sendMessage", vals("text", "x"), 400, "Bad Request: chat_id is empty")
	c.fail("sendMessage", vals("chat_id", "42", "text", ""), 400, "Bad Request: message text is empty")
	c.fail("sendMessage", vals("chat_id", "42", "text", "<b></b>", "parse_mode", "HTML"), 400, "Bad Request: message text is empty")
	c.fail("sendMessage", vals("chat_id", "42", "text", strings.Repeat("é", 4097)), 400, "Bad Request: message is too long")
	c.ok("sendMessage", vals("chat_id", "42", "text", strings.Repeat("é", 4096)), nil)
	c.ok("sendMessage", vals("chat_id", "42", "text", "<i>"+strings.Repeat("a", 4096)+"</i>", "parse_mode", "HTML"), nil)
	c.fail("sendMessage", vals("chat_id", "42", "text", "2 < 3", "parse_mode", "HTML"), 400, "Bad Request: can't parse entities: Unsupported start tag")
	c.fail("sendMessage", vals("chat_id", "42", "text", "<b>bold<i>x</b></i>", "parse_mode", "HTML"), 400, "Bad Request: can't parse entities: Unmatched end tag")
	c.fail("sendMessage", vals("chat_id", "42", "text", "<b>open", "parse_mode", "HTML"), 400, "Bad Request: can't parse entities: Can't find end tag")
	c.ok("sendMessage", vals("chat_id", "42", "text", `<a href="https://x.org/?a=1&amp;b=>">link</a> <code>x</code>`, "parse_mode", "HTML"), nil)
	c.fail("sendMessage", vals("chat_id", "42", "text", "x", "parse_mode", "Fancy"), 400, "Bad Request: unsupported parse_mode")
	c.fail("sendMessage", vals("chat_id", "42", "text", "x", "reply_markup", "{"), 400, "Bad Request: can't parse reply keyboard markup JSON object")
	long := strings.Repeat("d", 65)
	c.fail("sendMessage", vals("chat_id", "42", "text", "x", "reply_markup", `{"inline_keyboard":[[{"text":"a","callback_data":"`+long+`"}]]}`), 400, "Bad Request: BUTTON_DATA_INVALID")
	c.fail("sendMessage", vals("chat_id", "42", "text", "x", "reply_markup", `{"inline_keyboard":[[{"text":"a"}]]}`), 400, "Bad Request: can't parse inline keyboard button")
	c.fail("sendMessage", vals("chat_id", "42", "text", "x", "reply_to_message_id", "77"), 400, "Bad Request: message to be replied not found")
	c.ok("sendMessage", vals("chat_id", "42", "text", "x", "reply_to_message_id", "1", "disable_web_page_preview", "true",
		"reply_markup", `{"keyboard":[[{"text":"Share","request_contact":true}]],"resize_keyboard":true}`), nil)
	last, _ := u.Last()
	if last.ReplyTo != 1 || !last.DisableWebPagePreview || last.Keyboard != nil || !strings.Contains(last.ReplyMarkup, "request_contact") {
		t.Fatalf("reply keyboard message = %+v", last)
	}
	if st := s.Stats(); st.Sent != 5 || st.ByMethod["sendMessage"] != 5 {
		t.Fatalf("Stats = %+v", st)
	}
	if n := s.Calls("sendMessage"); n != 18 {
		t.Fatalf("Calls(sendMessage) = %d", n)
	}
}

func TestEditAndDelete(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(42, "Alice", "en")
	var m sentMessage
	c.ok("sendMessage", vals("chat_id", "42", "text", "v1", "reply_markup", kb), &m)
	id := fmt.Sprint(m.MessageID)
	if first := u.Next(t); first.Text != "v1" {
		t.Fatalf("first = %+v", first)
	}

	notModified := "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	c.fail("editMessageText", vals("chat_id", "42", "message_id", id, "text", "v1", "reply_markup", kb), 400, notModified)
	c.fail("editMessageText", vals("chat_id", "42", "message_id", "99", "text", "v2"), 400, "Bad Request: message to edit not found")

	var edited sentMessage
	c.ok("editMessageText", vals("chat_id", "42", "message_id", id, "text", "v2", "reply_markup", kb), &edited)
	if edited.Text != "v2" || edited.EditDate == 0 || len(edited.ReplyMarkup) == 0 {
		t.Fatalf("edit result = %+v", edited)
	}
	e := u.Next(t)
	if e.ID != m.MessageID || e.Text != "v2" || e.Edits != 1 || len(e.Keyboard) != 2 {
		t.Fatalf("edit event = %+v", e)
	}
	// Omitting reply_markup removes the keyboard: a change.
	c.ok("editMessageText", vals("chat_id", "42", "message_id", id, "text", "v2"), nil)
	if e := u.Next(t); e.Keyboard != nil || e.Edits != 2 {
		t.Fatalf("keyboard not removed: %+v", e)
	}
	c.fail("editMessageReplyMarkup", vals("chat_id", "42", "message_id", id), 400, notModified)
	c.ok("editMessageReplyMarkup", vals("chat_id", "42", "message_id", id, "reply_markup", `{"inline_keyboard":[[{"text":"Back","callback_data":"back"}]]}`), nil)
	e = u.Next(t)
	if b, ok := e.Button("Back"); !ok || b.Data != "back" || e.Text != "v2" || e.Edits != 3 {
		t.Fatalf("markup edit = %+v", e)
	}
	if _, ok := u.NextWithin(10 * time.Millisecond); ok {
		t.Fatal("unexpected extra event")
	}

	c.ok("deleteMessage", vals("chat_id", "42", "message_id", id), nil)
	c.fail("deleteMessage", vals("chat_id", "42", "message_id", id), 400, "Bad Request: message to delete not found")
	c.fail("editMessageText", vals("chat_id", "42", "message_id", id, "text", "v3"), 400, "Bad Request: message to edit not found")
	msgs := u.Messages()
	if len(msgs) != 1 || !msgs[0].Deleted || msgs[0].Text != "v2" {
		t.Fatalf("Messages = %+v", msgs)
	}
	if got := s.Chat(42); len(got) != 1 || !got[0].Deleted {
		t.Fatalf("Chat = %+v", got)
	}
	if d := u.Drain(); len(d) != 0 {
		t.Fatalf("Drain = %+v", d)
	}

	// A user's message cannot be edited by the bot.
	u.Send("mine")
	c.fail("editMessageText", vals("chat_id", "42", "message_id", fmt.Sprint(m.MessageID+1), "text", "x"), 400, "Bad Request: message can't be edited")
}

func TestDrainAndEvents(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(1, "A", "en")
	c.ok("sendMessage", vals("chat_id", "1", "text", "a"), nil)
	c.ok("sendMessage", vals("chat_id", "1", "text", "b"), nil)
	c.ok("editMessageText", vals("chat_id", "1", "message_id", "1", "text", "a2"), nil)
	d := u.Drain()
	if len(d) != 3 || d[0].Text != "a" || d[1].Text != "b" || d[2].Text != "a2" || d[2].ID != 1 {
		t.Fatalf("Drain = %+v", d)
	}
	if _, ok := u.NextWithin(5 * time.Millisecond); ok {
		t.Fatal("NextWithin after Drain")
	}
	msgs := u.Messages()
	if len(msgs) != 2 || msgs[0].Text != "a2" {
		t.Fatalf("Messages = %+v", msgs)
	}
}

func TestCallbackQueries(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(42, "Alice", "en")
	c.ok("sendMessage", vals("chat_id", "42", "text", "Pick", "reply_markup", kb), nil)
	m := u.Next(t)

	qid, err := u.Press(&m, "Yes")
	if err != nil {
		t.Fatal(err)
	}
	forged := u.PressData(m.ID, "admin:delete_all")
	ups := c.updates(nil)
	if len(ups) != 2 {
		t.Fatalf("updates %+v", ups)
	}
	cq := ups[0].CallbackQuery
	if cq == nil || cq.ID != qid || cq.Data != "yes" || cq.Message.MessageID != m.ID || cq.Message.Chat.ID != 42 || cq.Message.Text != "Pick" || cq.ChatInstance == "" {
		t.Fatalf("callback = %+v", cq)
	}
	if ups[1].CallbackQuery.Data != "admin:delete_all" || ups[1].CallbackQuery.ID != forged {
		t.Fatalf("forged callback = %+v", ups[1].CallbackQuery)
	}
	if un := s.UnansweredCallbacks(); len(un) != 2 || un[0] != qid {
		t.Fatalf("UnansweredCallbacks = %v", un)
	}
	if _, ok := u.AnswerWithin(qid, 5*time.Millisecond); ok {
		t.Fatal("answered before the bot answered")
	}

	c.ok("answerCallbackQuery", vals("callback_query_id", qid, "text", "Done!", "show_alert", "true"), nil)
	if a := u.Answer(t, qid); a.Text != "Done!" || !a.ShowAlert {
		t.Fatalf("Answer = %+v", a)
	}
	tooOld := "Bad Request: query is too old and response timeout expired or query ID is invalid"
	c.fail("answerCallbackQuery", vals("callback_query_id", qid), 400, tooOld)
	c.fail("answerCallbackQuery", vals("callback_query_id", "123"), 400, tooOld)
	if un := s.UnansweredCallbacks(); len(un) != 1 || un[0] != forged {
		t.Fatalf("UnansweredCallbacks = %v", un)
	}

	if _, err := u.Press(&m, "Nope"); err == nil {
		t.Fatal("Press of a missing button succeeded")
	}
	if _, err := u.Press(&m, "Site"); err == nil {
		t.Fatal("Press of a URL button succeeded")
	}
	// Press uses the caller's copy (a stale button can be pressed, like a
	// double tap racing an edit); the update carries the current message.
	c.ok("editMessageText", vals("chat_id", "42", "message_id", fmt.Sprint(m.ID), "text", "Picked",
		"reply_markup", `{"inline_keyboard":[[{"text":"Other","callback_data":"o"}]]}`), nil)
	stale, err := u.Press(&m, "No")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Press(&m, "Other"); err == nil {
		t.Fatal("Press of a button missing from the caller's copy succeeded")
	}
	cur := u.Drain()[0]
	if _, err := u.Press(&cur, "Other"); err != nil {
		t.Fatal(err)
	}
	ups = c.updates(vals("offset", fmt.Sprint(ups[1].UpdateID+1)))
	if len(ups) != 2 || ups[0].CallbackQuery.ID != stale || ups[0].CallbackQuery.Data != "no" || ups[0].CallbackQuery.Message.Text != "Picked" ||
		ups[1].CallbackQuery.Data != "o" {
		t.Fatalf("callbacks after edit = %+v", ups)
	}
	if _, err := u.Press(&telegramtest.Message{ID: 99, ChatID: 42, Keyboard: m.Keyboard}, "Yes"); err == nil {
		t.Fatal("Press on a message the bot never sent succeeded")
	}
}

// multipartCall posts a multipart form with one file part.
func (c *rawClient) multipartCall(method string, params url.Values, field, name string, data []byte) (int, apiResp, string) {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range params {
		_ = w.WriteField(k, v[0])
	}
	if field != "" {
		part, _ := w.CreateFormFile(field, name)
		_, _ = part.Write(data)
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.url(method), &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.send(req)
}

func pngBytes(t testing.TB, w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDocumentsAndPhotos(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	u := s.NewUser(42, "Alice", "en")

	status, r, body := c.multipartCall("sendDocument", vals("chat_id", "42", "caption", "<b>Report</b>", "parse_mode", "HTML", "reply_markup", kb),
		"document", "report.csv", []byte("a,b\n1,2\n"))
	if status != 200 {
		t.Fatalf("sendDocument: %s", body)
	}
	var m sentMessage
	_ = json.Unmarshal(r.Result, &m)
	if m.Document == nil || m.Document.FileName != "report.csv" || m.Document.MimeType != "text/csv" || m.Document.FileSize != 8 ||
		m.Caption != "Report" || m.Text != "" || len(m.ReplyMarkup) == 0 {
		t.Fatalf("sendDocument result = %+v", m)
	}
	got := u.Next(t)
	if got.Document == nil || got.Document.Name != "report.csv" || string(got.Document.Bytes) != "a,b\n1,2\n" ||
		got.Document.MIME != "text/csv" || got.Caption != "<b>Report</b>" || got.PlainText() != "Report" || len(got.Keyboard) != 2 {
		t.Fatalf("recorded document = %+v", got)
	}
	// Re-send by file_id, in a form.
	var again sentMessage
	c.ok("sendDocument", vals("chat_id", "42", "document", m.Document.FileID), &again)
	if again.Document == nil || again.Document.FileID != m.Document.FileID {
		t.Fatalf("re-send = %+v", again)
	}
	if re := u.Next(t); re.Document == nil || string(re.Document.Bytes) != "a,b\n1,2\n" {
		t.Fatalf("re-sent document = %+v", re)
	}
	c.fail("sendDocument", vals("chat_id", "42", "document", "unknown-id"), 400, "Bad Request: wrong file identifier/HTTP URL specified")
	c.fail("sendDocument", vals("chat_id", "42"), 400, "Bad Request: there is no document in the request")
	if status, _, body := c.multipartCall("sendDocument", vals("chat_id", "42", "caption", strings.Repeat("c", 1025)), "document", "x.txt", []byte("x")); status != 400 ||
		!strings.Contains(body, "message caption is too long") {
		t.Fatalf("long caption: %s", body)
	}

	img := pngBytes(t, 4, 3)
	status, r, body = c.multipartCall("sendPhoto", vals("chat_id", "42", "caption", "chart"), "photo", "chart.png", img)
	if status != 200 {
		t.Fatalf("sendPhoto: %s", body)
	}
	_ = json.Unmarshal(r.Result, &m)
	if len(m.Photo) != 1 || m.Photo[0].Width != 4 || m.Photo[0].Height != 3 || m.Caption != "chart" {
		t.Fatalf("sendPhoto result = %+v", m)
	}
	p := u.Next(t)
	if p.Photo == nil || !bytes.Equal(p.Photo.Bytes, img) || p.Photo.MIME != "image/png" || p.Caption != "chart" {
		t.Fatalf("recorded photo = %+v", p)
	}
	// Files the bot sent can be fetched too.
	var f struct {
		FilePath string `json:"file_path"`
	}
	c.ok("getFile", vals("file_id", m.Photo[0].FileID), &f)
	resp, err := http.Get(fmt.Sprintf(s.FileEndpoint(), telegramtest.Token, f.FilePath))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(data, img) {
		t.Fatal("downloaded photo differs")
	}
	if st := s.Stats(); st.Sent != 3 || st.ByMethod["sendPhoto"] != 1 || st.ByMethod["sendDocument"] != 2 {
		t.Fatalf("Stats = %+v", st)
	}
	if reqs := s.Requests(); reqs[0].Params.Get("document") != "report.csv" {
		t.Fatalf("recorded params = %v", reqs[0].Params)
	}
}

func TestRequestsFrom(t *testing.T) {
	s := telegramtest.NewServer(t)
	c := newClient(t, s)
	s.NewUser(42, "Alice", "en")
	for i := range 3 {
		c.ok("sendMessage", vals("chat_id", "42", "text", fmt.Sprint("m", i)), nil)
	}
	all := s.Requests()
	if len(all) != 3 {
		t.Fatalf("Requests = %d", len(all))
	}
	for i := -1; i <= 4; i++ {
		got := s.RequestsFrom(i)
		want := all[min(max(i, 0), len(all)):]
		if len(got) != len(want) {
			t.Fatalf("RequestsFrom(%d) = %d requests, want %d", i, len(got), len(want))
		}
		for j := range got {
			if got[j].Method != want[j].Method || got[j].Params.Get("text") != want[j].Params.Get("text") || !got[j].At.Equal(want[j].At) {
				t.Fatalf("RequestsFrom(%d)[%d] = %+v, want %+v", i, j, got[j], want[j])
			}
		}
	}
	got := s.RequestsFrom(2)
	got[0].Params.Set("text", "changed")
	if s.RequestsFrom(2)[0].Params.Get("text") != "m2" {
		t.Fatal("RequestsFrom shares the recorded parameters")
	}
}
