package maxtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/max/internal/openapi"
	"github.com/mmobot/mmobot/internal/max/maxtest"
)

// rawClient talks to the fake over plain HTTP, to send what a good client
// never would.
type rawClient struct {
	t     testing.TB
	s     *maxtest.Server
	token string
	hc    *http.Client
}

func newRaw(t testing.TB, s *maxtest.Server) *rawClient {
	return &rawClient{t: t, s: s, token: s.Token(), hc: &http.Client{Timeout: 20 * time.Second}}
}

// do sends a request and returns the status, the headers and the body.
func (c *rawClient) do(method, path string, q url.Values, body string) (int, http.Header, []byte) {
	c.t.Helper()
	u := c.s.URL() + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

// ok sends a request that must succeed and decodes the answer into out.
func (c *rawClient) ok(method, path string, q url.Values, body string, out any) {
	c.t.Helper()
	status, _, data := c.do(method, path, q, body)
	if status != http.StatusOK {
		c.t.Fatalf("%s %s: %d %s", method, path, status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
}

// fail sends a request that must fail with status and an error code.
func (c *rawClient) fail(method, path string, q url.Values, body string, status int, code string) string {
	c.t.Helper()
	got, _, data := c.do(method, path, q, body)
	var e struct{ Code, Message string }
	_ = json.Unmarshal(data, &e)
	if got != status || e.Code != code {
		c.t.Fatalf("%s %s %s: want %d %s, got %d %s", method, path, body, status, code, got, data)
	}
	return e.Message
}

type sendResult struct {
	Message struct {
		Body struct {
			MID  string `json:"mid"`
			Text string `json:"text"`
		} `json:"body"`
	} `json:"message"`
}

func (c *rawClient) send(userID int64, body string) string {
	c.t.Helper()
	var r sendResult
	c.ok("POST", "/messages", url.Values{"user_id": {fmt.Sprint(userID)}}, body, &r)
	return r.Message.Body.MID
}

type updateList struct {
	Updates []json.RawMessage `json:"updates"`
	Marker  int64             `json:"marker"`
}

func (c *rawClient) updates(q url.Values) updateList {
	c.t.Helper()
	var l updateList
	c.ok("GET", "/updates", q, "", &l)
	return l
}

// upload gets an upload URL of a type and posts data there as a client
// does; it returns the answer of the upload host.
func (c *rawClient) upload(typ, name string, data []byte) []byte {
	c.t.Helper()
	var ep struct {
		URL   string `json:"url"`
		Token string `json:"token"`
	}
	c.ok("POST", "/uploads", url.Values{"type": {typ}}, "", &ep)
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("data", name)
	fw.Write(data)
	mw.Close()
	resp, err := c.hc.Post(ep.URL, mw.FormDataContentType(), &b)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("upload: %d %s", resp.StatusCode, answer)
	}
	return answer
}

func (c *rawClient) uploadFile(name string, data []byte) string {
	c.t.Helper()
	var r struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(c.upload("file", name, data), &r); err != nil || r.Token == "" {
		c.t.Fatalf("file upload answer: %v", err)
	}
	return r.Token
}

const keyboard = `{"type":"inline_keyboard","payload":{"buttons":[[{"type":"callback","text":"Приду","payload":"v1:yes"},{"type":"link","text":"Сайт","url":"https://example.org"}],[{"type":"request_contact","text":"Телефон"},{"type":"request_geo_location","text":"Я здесь","quick":true}]]}}`

// recTB records what a helper reports, to test failures.
type recTB struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (r *recTB) Helper() {}

func (r *recTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recTB) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

func (r *recTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recTB) cleanup() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// TestAnswersConformToSchema: everything the fake answers — results,
// updates of every kind, errors — fits the published schema.
func TestAnswersConformToSchema(t *testing.T) {
	doc, err := openapi.Load("../testdata/schema.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := maxtest.NewServer(t)
	c := newRaw(t, s)
	u := s.NewUser(42, "Anna", "ru")
	u.LastName, u.Phone = "Ivanova", "+79001234567"
	v := s.NewUser(43, "Boris", "")
	g := s.NewGroup(-100, "МО")

	c.ok("GET", "/me", nil, "", nil)
	token := c.uploadFile("a.pdf", []byte("%PDF"))
	photos := c.upload("image", "a.png", []byte("\x89PNG\r\n\x1a\n"))
	if err := doc.CheckValue("PhotoTokens", photos); err != nil {
		t.Errorf("image upload answer: %v", err)
	}
	c.upload("video", "a.mp4", []byte("v"))
	mid := c.send(u.ID, `{"text":"<b>hi</b>","format":"html","attachments":[`+keyboard+`],"link":null}`)
	c.send(u.ID, `{"text":"re","attachments":null,"link":{"type":"reply","mid":"`+mid+`"},"notify":false}`)
	c.send(u.ID, `{"text":null,"attachments":[{"type":"file","payload":{"token":"`+token+`"}}],"link":null}`)
	c.send(u.ID, `{"text":"pic","attachments":[{"type":"image","payload":{"photos":`+string(photos[len(`{"photos":`):len(photos)-1])+`}}],"link":null}`)
	c.ok("PUT", "/messages", url.Values{"message_id": {mid}}, `{"text":"hi!","attachments":null,"link":null}`, nil)

	m := u.Messages()[0]
	id, err := u.Press(&m, "Приду")
	if err != nil {
		t.Fatal(err)
	}
	c.ok("POST", "/answers", url.Values{"callback_id": {id}}, `{"notification":"ok"}`, nil)
	if _, err := u.Press(&m, "Телефон"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.ShareLocation(&m, "Я здесь", 1, 2); err != nil {
		t.Fatal(err)
	}
	u.Start("j_1")
	u.Send("text")
	u.SendDocument("a.txt", []byte("a"), "")
	u.SendPhoto([]byte("jpg"), "x")
	u.SendContact("+7")
	u.SendLocation(3, 4)
	if _, err := u.Edit(u.Messages()[0].ID, "x"); err == nil {
		t.Error("a user edited the bot's message")
	}
	c.ok("DELETE", "/messages", url.Values{"message_id": {mid}}, "", nil)
	u.PressData(mid, "forged")
	u.Block()
	u.Unblock()
	v.Start("")
	g.AddBot(u)
	g.Join(v, nil)
	g.Join(v, u)
	g.Send(v, "hello")
	g.Leave(v, nil)
	g.Leave(v, u)
	g.RemoveBot(u)
	l := c.updates(url.Values{"limit": {"1000"}, "timeout": {"0"}})
	if len(l.Updates) < 20 {
		t.Errorf("only %d updates", len(l.Updates))
	}
	c.updates(url.Values{"marker": {fmt.Sprint(l.Marker)}, "timeout": {"0"}})
	// Refusals.
	u.BlockUnseen()
	c.fail("POST", "/messages", url.Values{"user_id": {"42"}}, `{"text":"x","attachments":null,"link":null}`, 403, "chat.denied")
	c.fail("POST", "/messages", url.Values{"user_id": {"7"}}, `{"text":"x","attachments":null,"link":null}`, 404, "chat.not.found")
	c.fail("DELETE", "/messages", url.Values{"message_id": {mid}}, "", 404, "not.found")
	s.Inject(maxtest.Fault{Kind: maxtest.TooManyRequests})
	c.fail("GET", "/me", nil, "", 429, "too.many.requests")

	for _, r := range s.Requests() {
		if r.Op() == "POST /upload" || r.Op() == "GET /files" {
			continue
		}
		if err := doc.CheckResponse(r.Method, r.Path, r.Status, r.Response); err != nil {
			t.Errorf("%s %s\n%v", r.Op(), r.Response, err)
		}
	}
}

func TestAuth(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newRaw(t, s)
	c.token = ""
	c.fail("GET", "/me", nil, "", 401, "verify.token")
	c.token = "wrong"
	c.fail("GET", "/me", nil, "", 401, "verify.token")
	c.token = s.Token()
	msg := c.fail("GET", "/me", url.Values{"access_token": {s.Token()}}, "", 401, "verify.token")
	if !strings.Contains(msg, "Authorization header") {
		t.Errorf("token in the URL: %q", msg)
	}
	c.ok("GET", "/me", nil, "", nil)
}

// TestUnexpected: what the fake does not implement or model is refused
// and fails the test that used it.
func TestUnexpected(t *testing.T) {
	rec := &recTB{TB: t}
	s := maxtest.NewServer(rec)
	c := newRaw(t, s)
	u := s.NewUser(42, "Anna", "ru")
	c.fail("GET", "/chats", nil, "", 404, "not.found")
	c.fail("PATCH", "/messages", nil, `{}`, 405, "method.not.allowed")
	q := url.Values{"user_id": {"42"}}
	c.fail("POST", "/messages", q, `{"text":"x","attachments":[{"type":"sticker","payload":{"code":"x"}}],"link":null}`, 400, "proto.payload")
	c.fail("POST", "/messages", q, `{"text":"x","attachments":[{"type":"inline_keyboard","payload":{"buttons":[[{"type":"open_app","text":"app","web_app":"x"}]]}}],"link":null}`, 400, "proto.payload")
	c.send(u.ID, `{"text":"<span>x</span>","format":"html","attachments":null,"link":null}`)

	var ep struct{ URL string }
	c.ok("POST", "/uploads", url.Values{"type": {"file"}}, "", &ep)
	req, _ := http.NewRequest("POST", ep.URL, strings.NewReader("x"))
	req.Header.Set("Authorization", s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("the token sent to the upload host: %d", resp.StatusCode)
	}

	got := s.Unexpected()
	want := []string{"GET /chats", "PATCH /messages", `"sticker"`, `"open_app"`, "span", "upload host"}
	if len(got) != len(want) {
		t.Fatalf("unexpected %q, want %d entries", got, len(want))
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("unexpected[%d] = %q, want it to mention %s", i, got[i], w)
		}
	}
	rec.cleanup()
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "GET /chats") {
		t.Errorf("the test was not failed at its end: %q", rec.errs)
	}
}

func TestRefusals(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newRaw(t, s)
	u := s.NewUser(42, "Anna", "ru")
	token := c.uploadFile("a.pdf", []byte("%PDF"))
	mid := c.send(u.ID, `{"text":"x","attachments":null,"link":null}`)
	q := url.Values{"user_id": {"42"}}
	btn := func(b string) string {
		return `{"text":"x","attachments":[{"type":"inline_keyboard","payload":{"buttons":[[` + b + `]]}}],"link":null}`
	}
	cases := []struct {
		name, body, want string
		q                url.Values
	}{
		{"unknown field", `{"text":"x","attachements":[],"link":null}`, "unknown field", q},
		{"text too long", `{"text":"` + strings.Repeat("ж", 4001) + `","attachments":null,"link":null}`, "between 0 and 4000", q},
		{"empty message", `{"text":null,"attachments":null,"link":null}`, "empty", q},
		{"empty text", `{"text":"","attachments":[],"link":null}`, "empty", q},
		{"bad format", `{"text":"x","format":"bbcode","attachments":null,"link":null}`, "format", q},
		{"notify null", `{"text":"x","attachments":null,"link":null,"notify":null}`, "notify", q},
		{"reply to nothing", `{"text":"x","attachments":null,"link":{"type":"reply","mid":"mid.none"}}`, "link.mid", q},
		{"empty button text", btn(`{"type":"callback","text":"","payload":"p"}`), "between 1 and 128", q},
		{"long button text", btn(`{"type":"callback","text":"` + strings.Repeat("a", 129) + `","payload":"p"}`), "between 1 and 128", q},
		{"no payload", btn(`{"type":"callback","text":"a"}`), "payload: required", q},
		{"long payload", btn(`{"type":"callback","text":"a","payload":"` + strings.Repeat("p", 1025) + `"}`), "at most 1024", q},
		{"bad intent", btn(`{"type":"callback","text":"a","payload":"p","intent":"loud"}`), "intent", q},
		{"url on callback", btn(`{"type":"callback","text":"a","payload":"p","url":"https://x.org"}`), `no field "url"`, q},
		{"link without url", btn(`{"type":"link","text":"a"}`), "url: required", q},
		{"link to tg", btn(`{"type":"link","text":"a","url":"tg://resolve"}`), "invalid URL", q},
		{"long url", btn(`{"type":"link","text":"a","url":"https://x.org/` + strings.Repeat("a", 2048) + `"}`), "at most 2048", q},
		{"empty keyboard", `{"text":"x","attachments":[{"type":"inline_keyboard","payload":{"buttons":[]}}],"link":null}`, "at least one row", q},
		{"two keyboards", `{"text":"x","attachments":[` + keyboard + `,` + keyboard + `],"link":null}`, "more than one", q},
		{"unknown file", `{"text":null,"attachments":[{"type":"file","payload":{"token":"nope"}}],"link":null}`, "no uploaded file", q},
		{"file not alone", `{"text":null,"attachments":[{"type":"file","payload":{"token":"` + token + `"}},` + keyboard + `],"link":null}`, "only attachment", q},
		{"image two ways", `{"text":null,"attachments":[{"type":"image","payload":{"token":"` + token + `","url":"https://x.org/a.png"}}],"link":null}`, "image", q},
		{"file as image", `{"text":null,"attachments":[{"type":"image","payload":{"token":"` + token + `"}}],"link":null}`, "no image", q},
		{"both recipients", `{"text":"x","attachments":null,"link":null}`, "both", url.Values{"user_id": {"42"}, "chat_id": {"1"}}},
		{"no recipient", `{"text":"x","attachments":null,"link":null}`, "neither", nil},
		{"not JSON", `text=x`, "invalid", q},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			msg := c.fail("POST", "/messages", tc.q, tc.body, 400, "proto.payload")
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q lacks %q", msg, tc.want)
			}
		})
	}
	c.t = t
	if n := len(u.Messages()); n != 1 {
		t.Errorf("%d messages after the refusals, want 1", n)
	}
	c.fail("PUT", "/messages", url.Values{"message_id": {"mid.none"}}, `{"text":"x","attachments":null,"link":null}`, 404, "not.found")
	c.fail("PUT", "/messages", nil, `{"text":"x","attachments":null,"link":null}`, 400, "proto.payload")
	c.fail("POST", "/answers", url.Values{"callback_id": {"cb.none"}}, `{}`, 404, "not.found")
	c.fail("POST", "/uploads", url.Values{"type": {"document"}}, "", 400, "proto.payload")
	c.fail("GET", "/updates", url.Values{"timeout": {"91"}}, "", 400, "proto.payload")
	c.fail("GET", "/updates", url.Values{"limit": {"0"}}, "", 400, "proto.payload")
	c.fail("GET", "/updates", url.Values{"marker": {"x"}}, "", 400, "proto.payload")

	// A user's message cannot be edited by the bot, an unchanged edit
	// changes nothing.
	u.Send("mine")
	l := c.updates(url.Values{"timeout": {"0"}})
	var up struct {
		Message struct{ Body struct{ MID string } }
	}
	json.Unmarshal(l.Updates[0], &up)
	c.fail("PUT", "/messages", url.Values{"message_id": {up.Message.Body.MID}}, `{"text":"x","attachments":null,"link":null}`, 403, "access.denied")
	u.Drain()
	c.ok("PUT", "/messages", url.Values{"message_id": {mid}}, `{"text":"x","attachments":null,"link":null}`, nil)
	if ev := u.Drain(); len(ev) != 0 {
		t.Errorf("an unchanged edit showed %v", ev)
	}
}

func TestLongPollAndMarkers(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newRaw(t, s)
	u := s.NewUser(42, "Anna", "ru")

	// An empty poll with a timeout waits; an update ends it.
	done := make(chan updateList, 1)
	go func() { done <- c.updates(url.Values{"timeout": {"30"}}) }()
	for s.Calls("GET /updates") == 0 {
		time.Sleep(time.Millisecond)
	}
	select {
	case <-done:
		t.Fatal("the poll answered before any update")
	default:
	}
	seq := u.Send("hi")
	l := <-done
	if len(l.Updates) != 1 || l.Marker != seq+1 {
		t.Fatalf("woken poll: %d updates, marker %d, want marker %d", len(l.Updates), l.Marker, seq+1)
	}
	if s.Committed() >= seq {
		t.Errorf("update %d committed before any marker passed it", seq)
	}
	c.updates(url.Values{"marker": {fmt.Sprint(l.Marker)}, "timeout": {"0"}})
	s.WaitConfirmed(t, seq)
	if s.Pending() != 0 {
		t.Errorf("%d pending", s.Pending())
	}

	// A types filter drops what it excludes.
	u.Start("x")
	u.Send("y")
	l = c.updates(url.Values{"types": {"message_created"}, "timeout": {"0"}})
	if len(l.Updates) != 1 || !strings.Contains(string(l.Updates[0]), `"message_created"`) {
		t.Errorf("filtered: %s", l.Updates)
	}
	c.updates(url.Values{"marker": {fmt.Sprint(l.Marker)}, "timeout": {"0"}})
	if s.Pending() != 0 {
		t.Errorf("%d pending after a filtered poll", s.Pending())
	}

	// Without long polling the server answers at once.
	s2 := maxtest.NewServer(t, maxtest.Options{NoLongPoll: true, FirstMarker: 1000})
	start := time.Now()
	l = newRaw(t, s2).updates(url.Values{"timeout": {"30"}})
	if len(l.Updates) != 0 || l.Marker != 1000 || time.Since(start) > 5*time.Second {
		t.Errorf("NoLongPoll: %+v after %v", l, time.Since(start))
	}
}

func TestSettle(t *testing.T) {
	s := maxtest.NewServer(t)
	s.SetQuiet(20 * time.Millisecond)
	c := newRaw(t, s)
	u := s.NewUser(42, "Anna", "ru")
	u.Send("hi")
	if s.SettleWithin(50 * time.Millisecond) {
		t.Fatal("settled with an update pending")
	}
	// An echo bot: poll, answer, commit.
	go func() {
		l := c.updates(url.Values{"timeout": {"0"}})
		c.send(u.ID, `{"text":"echo","attachments":null,"link":null}`)
		c.updates(url.Values{"marker": {fmt.Sprint(l.Marker)}, "timeout": {"0"}})
	}()
	s.Settle(t)
	if m, ok := u.Last(); !ok || m.Text != "echo" {
		t.Errorf("after Settle the user has %v", u.Messages())
	}
}

func TestStartAndLinks(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newRaw(t, s)
	u := s.NewUser(42, "Anna", "ru")
	long := strings.Repeat("a", 129)
	u.Start(strings.Repeat("a", 128))
	u.Start(long)
	if _, err := u.OpenLink("https://max.ru/" + strings.ToUpper(s.BotUsername()) + "/start/j_%D0%AF"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"https://t.me/" + s.BotUsername() + "?start=x", "https://max.ru/other_bot/start/x", "https://max.ru/" + s.BotUsername() + "/go/x", "::"} {
		if _, err := u.OpenLink(bad); err == nil {
			t.Errorf("OpenLink(%q): no error", bad)
		}
	}
	l := c.updates(url.Values{"timeout": {"0"}})
	var got []string
	for _, raw := range l.Updates {
		var up struct{ Payload *string }
		json.Unmarshal(raw, &up)
		if up.Payload == nil {
			got = append(got, "<none>")
		} else {
			got = append(got, fmt.Sprint(len(*up.Payload)), *up.Payload)
		}
	}
	want := []string{"128", strings.Repeat("a", 128), "<none>", "4", "j_Я"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("payloads %q, want %q", got, want)
	}
}

func TestPress(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newRaw(t, s)
	u := s.NewUser(42, "Anna", "ru")
	c.send(u.ID, `{"text":"x","attachments":[`+keyboard+`],"link":null}`)
	m := u.Next(t)
	for label, want := range map[string]string{"Сайт": "OpenLink", "Я здесь": "ShareLocation", "Телефон": "Phone", "Нет такой": "no button"} {
		if _, err := u.Press(&m, label); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Press %q: %v, want an error about %s", label, err, want)
		}
	}
	if _, err := u.ShareLocation(&m, "Приду", 1, 1); err == nil {
		t.Error("ShareLocation on a callback button: no error")
	}
	ghost := m
	ghost.ID = "mid.ghost"
	if _, err := u.Press(&ghost, "Приду"); err == nil {
		t.Error("Press on a message the bot never sent: no error")
	}
	id, err := u.Press(&m, "Приду")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := u.AnswerWithin(id, 10*time.Millisecond); ok {
		t.Error("answered before the bot answered")
	}
	if got := s.UnansweredCallbacks(); len(got) != 1 || got[0] != id {
		t.Errorf("unanswered %v", got)
	}
	c.ok("POST", "/answers", url.Values{"callback_id": {id}}, `{"message":{"text":"спасибо","attachments":[],"link":null}}`, nil)
	a := u.Answer(t, id)
	if a.Message == nil || a.Message.Text != "спасибо" || a.Message.Keyboard != nil || a.Notification != "" {
		t.Errorf("answer %+v", a)
	}
	c.fail("POST", "/answers", url.Values{"callback_id": {id}}, `{"notification":"again"}`, 400, "proto.payload")
}

func TestRateLimit(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newRaw(t, s)
	s.EnforceRateLimit(2)
	c.ok("GET", "/me", nil, "", nil)
	c.ok("GET", "/me", nil, "", nil)
	c.updates(url.Values{"timeout": {"0"}}) // polls do not count
	status, h, _ := c.do("GET", "/me", nil, "")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "1" {
		t.Errorf("third call: %d, Retry-After %q", status, h.Get("Retry-After"))
	}
	s.EnforceRateLimit(0)
	c.ok("GET", "/me", nil, "", nil)
	if st := s.Stats(); st.TooMany != 1 || st.ByOp["GET /me"] != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestFaultFilters(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newRaw(t, s)
	u := s.NewUser(42, "Anna", "ru")
	v := s.NewUser(43, "Boris", "ru")
	s.Inject(maxtest.Fault{Op: "POST /messages", UserID: v.ID, Kind: maxtest.InternalError, Count: 2})
	body := `{"text":"x","attachments":null,"link":null}`
	c.send(u.ID, body)
	c.fail("POST", "/messages", url.Values{"user_id": {"43"}}, body, 500, "internal.error")
	c.fail("POST", "/messages", url.Values{"user_id": {"43"}}, body, 500, "internal.error")
	c.send(v.ID, body)
	if st := s.Stats(); st.Faults != 2 || st.Sent != 2 {
		t.Errorf("stats %+v", st)
	}
	s.Inject(maxtest.Fault{Op: "GET /files", Kind: maxtest.BadGateway})
	u.SendDocument("a.txt", []byte("abc"), "")
	l := c.updates(url.Values{"timeout": {"0"}})
	var up struct {
		Message struct {
			Body struct {
				Attachments []struct {
					Payload struct{ URL string }
				}
			}
		}
	}
	json.Unmarshal(l.Updates[0], &up)
	fileURL := up.Message.Body.Attachments[0].Payload.URL
	for i, want := range []int{502, 200} {
		resp, err := http.Get(fileURL)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || (want == 200 && string(data) != "abc") {
			t.Errorf("download %d: %d %q", i, resp.StatusCode, data)
		}
	}
}

func TestNextTimeoutDump(t *testing.T) {
	s := maxtest.NewServer(t)
	s.SetWaitTimeout(20 * time.Millisecond)
	c := newRaw(t, s)
	u := s.NewUser(42, "Anna", "ru")
	c.send(u.ID, `{"text":"первое","attachments":[`+keyboard+`],"link":null}`)
	u.Next(t)
	u.BlockUnseen()
	c.fail("POST", "/messages", url.Values{"user_id": {"42"}}, `{"text":"второе","attachments":null,"link":null}`, 403, "chat.denied")
	rec := &recTB{TB: t}
	u.Next(rec)
	if len(rec.errs) != 1 {
		t.Fatalf("Next reported %q", rec.errs)
	}
	for _, want := range []string{"no new or edited bot message", "первое", "Приду", "stopped the bot", "403 chat.denied"} {
		if !strings.Contains(rec.errs[0], want) {
			t.Errorf("the dump lacks %q:\n%s", want, rec.errs[0])
		}
	}
}

// TestConcurrentUse runs users, a poller and senders at once, for the race
// detector.
func TestConcurrentUse(t *testing.T) {
	s := maxtest.NewServer(t)
	c := newRaw(t, s)
	const users, each = 5, 20
	var wg sync.WaitGroup
	for i := range users {
		u := s.NewUser(int64(100+i), "U", "ru")
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range each {
				u.Send(fmt.Sprint(j))
			}
		}()
		go func() {
			defer wg.Done()
			for range each {
				c.send(u.ID, `{"text":"x","attachments":null,"link":null}`)
				u.Drain()
			}
		}()
	}
	got := 0
	var marker string
	for got < users*each {
		q := url.Values{"timeout": {"5"}}
		if marker != "" {
			q.Set("marker", marker)
		}
		l := c.updates(q)
		got += len(l.Updates)
		marker = fmt.Sprint(l.Marker)
	}
	wg.Wait()
	c.updates(url.Values{"marker": {marker}, "timeout": {"0"}})
	if s.Pending() != 0 || s.Stats().Sent != users*each {
		t.Errorf("pending %d, sent %d", s.Pending(), s.Stats().Sent)
	}
}

// TestMounted: the handler works under another server's path, with upload
// and file URLs pointing there.
func TestMounted(t *testing.T) {
	s := maxtest.NewServer(t)
	front := httptest.NewServer(http.StripPrefix("/max", s.Handler()))
	defer front.Close()
	s.SetBaseURL(front.URL + "/max/")
	if got := s.URL(); got != front.URL+"/max" {
		t.Fatalf("URL %q", got)
	}
	c := newRaw(t, s)
	token := c.uploadFile("a.txt", []byte("abc"))
	u := s.NewUser(42, "Anna", "ru")
	u.SendDocument("b.txt", []byte("def"), "")
	l := c.updates(url.Values{"timeout": {"0"}})
	if !strings.Contains(string(l.Updates[0]), front.URL+"/max/files/") {
		t.Errorf("file URL not under the front: %s", l.Updates[0])
	}
	c.send(u.ID, `{"text":null,"attachments":[{"type":"file","payload":{"token":"`+token+`"}}],"link":null}`)
	if m := u.Next(t); m.Document == nil || string(m.Document.Bytes) != "abc" {
		t.Errorf("the user sees %s", m)
	}
}
