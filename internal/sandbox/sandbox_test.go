package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// startSandbox runs a sandbox on a database at path and serves its page;
// both stop when the test ends.
func startSandbox(t *testing.T, path string, demo bool) (*Sandbox, *client) {
	t.Helper()
	logs := &telegramtest.LogBuffer{}
	s, err := New(Options{DataPath: path, Demo: demo, Log: logs, LogLevel: "debug", DueInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("the bot did not stop within 15 s")
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if t.Failed() {
			t.Logf("bot log:\n%s", logs.String())
		}
	})
	return s, &client{t: t, url: ts.URL}
}

// client drives the sandbox through its HTTP API, as the page does.
type client struct {
	t   *testing.T
	url string
}

func (c *client) do(method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return res.StatusCode
}

func (c *client) post(path string, body any, out any) {
	c.t.Helper()
	if code := c.do("POST", path, body, out); code != http.StatusOK {
		c.t.Fatalf("POST %s %v: status %d", path, body, code)
	}
}

func (c *client) state() StateJSON {
	c.t.Helper()
	var st StateJSON
	c.do("GET", "/api/state", nil, &st)
	return st
}

func (c *client) persona(id int64) PersonaJSON {
	c.t.Helper()
	for _, p := range c.state().Personas {
		if p.ID == id {
			return p
		}
	}
	c.t.Fatalf("no persona %d", id)
	return PersonaJSON{}
}

func (c *client) chat(id int64) ChatJSON {
	c.t.Helper()
	var ch ChatJSON
	c.do("GET", fmt.Sprintf("/api/chat?persona=%d", id), nil, &ch)
	return ch
}

func (c *client) send(id int64, text string) {
	c.t.Helper()
	c.post("/api/send", map[string]any{"persona": id, "text": text}, nil)
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// plain is an item's text as the page shows it.
func plain(it ItemJSON) string { return html.UnescapeString(tagRE.ReplaceAllString(it.HTML, "")) }

// waitBot waits for a bot message in the persona's chat containing every
// one of want and returns the last such message.
func (c *client) waitBot(id int64, want ...string) ItemJSON {
	c.t.Helper()
	return c.waitItem(id, fmt.Sprintf("bot message with %q", want), func(it ItemJSON) bool {
		if it.From != "bot" {
			return false
		}
		for _, w := range want {
			if !strings.Contains(plain(it), w) {
				return false
			}
		}
		return true
	})
}

// waitItem waits for an item of the persona's chat that match accepts and
// returns the last such item. After 15 s it fails the test, naming what
// it waited for and showing the chat, so that no wait can hang a test.
func (c *client) waitItem(id int64, what string, match func(ItemJSON) bool) ItemJSON {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ch := c.chat(id)
		for i := len(ch.Items) - 1; i >= 0; i-- {
			if match(ch.Items[i]) {
				return ch.Items[i]
			}
		}
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, it := range ch.Items {
				fmt.Fprintf(&b, "  %s %s: %q %v\n", it.From, it.Kind, plain(it), it.Buttons)
			}
			c.t.Fatalf("persona %d: no %s within 15 s; the chat:\n%s", id, what, b.String())
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// waitUnread waits until the persona has an unread message.
func (c *client) waitUnread(id int64) {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for c.persona(id).Unread == 0 {
		if time.Now().After(deadline) {
			c.t.Fatalf("persona %d: no unread message within 15 s", id)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// press presses the button of a message whose label contains label.
func (c *client) press(id int64, it ItemJSON, label string) PressResult {
	c.t.Helper()
	for _, row := range it.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) && b.Data != "" {
				var res PressResult
				c.post("/api/press", map[string]any{"persona": id, "message": it.ID, "data": b.Data}, &res)
				if !res.Answered {
					c.t.Fatalf("press %q: no callback answer", label)
				}
				return res
			}
		}
	}
	c.t.Fatalf("no button %q in %q: %v", label, plain(it), it.Buttons)
	return PressResult{}
}

// register walks a persona through the bot's registration.
func (c *client) register(id int64, name, school, position string) {
	c.t.Helper()
	consent := c.waitBot(id, "152-ФЗ")
	c.press(id, consent, "Даю согласие")
	c.waitBot(id, "Шаг 1 из 3")
	c.send(id, name)
	c.waitBot(id, "Шаг 2 из 3")
	c.send(id, school)
	c.waitBot(id, "Шаг 3 из 3")
	c.send(id, position)
	c.waitBot(id, "вы зарегистрированы", name)
}

func TestWithoutDemoEveryoneStartsFromScratch(t *testing.T) {
	s, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), false)
	if s.Seeded || s.Notice != "" {
		t.Fatalf("seeded %v, notice %q without -demo", s.Seeded, s.Notice)
	}
	st := c.state()
	if len(st.Personas) < 15 || st.Bot.Username != BotUsername || st.Zone != "Europe/Moscow" {
		t.Fatalf("state %+v", st)
	}
	kinds := map[string]int{}
	for _, p := range st.Personas {
		kinds[p.Kind]++
		if p.Registered || p.Unread != 0 {
			t.Errorf("persona %+v before anything happened", p)
		}
	}
	if kinds[KindCoordinator] != 1 || kinds[KindLeader] != 2 || kinds[KindTeacher] < 12 || kinds[KindParent] != 1 {
		t.Errorf("the cast: %v", kinds)
	}

	// The coordinator starts with /start and registers.
	c.send(Coordinator, "/start")
	greeting := c.waitBot(Coordinator, "Здравствуйте, Ирина")
	c.register(Coordinator, "Соколова Ирина Владимировна", "Методический центр", "методист")
	if p := c.persona(Coordinator); !p.Registered || p.Role != "admin" || p.Unread != 0 {
		t.Errorf("the coordinator after registration: %+v", p)
	}
	ch := c.chat(Coordinator)
	first := ch.Items[0]
	if first.From != "me" || plain(first) != "/start" || ch.Items[1].Key != greeting.Key {
		t.Errorf("the chat does not begin with /start and the greeting: %+v", ch.Items[:2])
	}
	var own []string
	for _, it := range ch.Items {
		if it.From == "me" {
			own = append(own, it.Kind+":"+plain(it))
		}
	}
	want := []string{"text:/start", "press:✅ Даю согласие", "text:Соколова Ирина Владимировна", "text:Методический центр", "text:методист"}
	if strings.Join(own, "|") != strings.Join(want, "|") {
		t.Errorf("own messages %q, want %q", own, want)
	}
	// The consent message was edited in place.
	edited := c.waitBot(Coordinator, "Согласие получено")
	if !edited.Edited || len(edited.Buttons) != 0 {
		t.Errorf("the consent after the press: %+v", edited)
	}
	if len(ch.Commands) == 0 {
		t.Error("no command menu")
	}

	// Unknown personas and bad bodies are refused.
	if code := c.do("POST", "/api/send", map[string]any{"persona": 42, "text": "x"}, nil); code != http.StatusNotFound {
		t.Errorf("unknown persona: %d", code)
	}
	if code := c.do("POST", "/api/send", map[string]any{"persona": Coordinator, "text": "  "}, nil); code != http.StatusBadRequest {
		t.Errorf("empty message: %d", code)
	}
	for _, payload := range []string{"abc&x=1", "j_abc#x", "a b", "кириллица", strings.Repeat("a", 65)} {
		if code := c.do("POST", "/api/deeplink", map[string]any{"persona": Coordinator, "payload": payload}, nil); code != http.StatusBadRequest {
			t.Errorf("deep link with payload %q: %d", payload, code)
		}
	}
	if code := c.do("POST", "/api/clock", map[string]any{"advance": "-1h"}, nil); code != http.StatusBadRequest {
		t.Errorf("moving the clock back: %d", code)
	}
}

func TestDemoInvitationAnnouncementAndClock(t *testing.T) {
	s, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), true)
	if !s.Seeded {
		t.Fatal("the demo was not seeded")
	}
	// The persona list says who is where.
	if p := c.persona(LeaderMath); p.Role != "leader" || !slices.Contains(p.Associations, "ММО учителей математики") {
		t.Errorf("the leader's persona: %+v", p)
	}
	if p := c.persona(LeaderMath); !p.Registered || p.Role != "leader" {
		t.Fatalf("the leader: %+v", p)
	}
	if p := c.persona(Newcomer); p.Registered {
		t.Fatalf("the newcomer is registered: %+v", p)
	}
	s.DB().View(func(tx *boltdb.Tx) error {
		if err := tx.CheckIndexes(); err != nil {
			t.Errorf("the demo's indexes: %v", err)
		}
		// The leaders made the demo's events, as the bot records them.
		return tx.Events(func(e *mmo.Event) bool {
			a, err := tx.Association(e.AssociationID)
			if err != nil {
				t.Errorf("event %q: %v", e.Topic, err)
			} else if a.LeaderID == 0 || e.CreatedBy != a.LeaderID {
				t.Errorf("event %q made by %d, its association's leader is %d", e.Topic, e.CreatedBy, a.LeaderID)
			}
			return true
		})
	})

	// The leader's invitation link, opened by an unregistered teacher.
	c.send(LeaderMath, "/invite")
	view := c.waitBot(LeaderMath, "Приглашение в «ММО учителей математики»")
	m := regexp.MustCompile(`data-start="(j_[\w-]+)"`).FindStringSubmatch(view.HTML)
	if m == nil {
		t.Fatalf("no deep link in %q", view.HTML)
	}
	c.post("/api/deeplink", map[string]any{"persona": Newcomer, "payload": m[1]}, nil)
	c.waitBot(Newcomer, "Здравствуйте, Дарья")
	c.register(Newcomer, "Никитина Дарья Сергеевна", "МБОУ «СОШ № 11»", "учитель математики")
	c.waitBot(Newcomer, "Добро пожаловать в «ММО учителей математики»")
	if ch := c.chat(Newcomer); plain(ch.Items[0]) != "/start" {
		t.Errorf("a deep link shows %q, not /start", plain(ch.Items[0]))
	}
	c.waitUnread(LeaderMath)
	c.waitBot(LeaderMath, "Никитина Дарья Сергеевна")
	if p := c.persona(LeaderMath); p.Unread != 0 {
		t.Errorf("the leader's chat was read, yet %d unread", p.Unread)
	}

	// The leader publishes the demo's draft; the newcomer answers.
	c.send(LeaderMath, "/meetings")
	list := c.waitBot(LeaderMath, "Черновики", "Подготовка к муниципальному этапу")
	c.press(LeaderMath, list, "Подготовка к муниципальному этапу")
	draft := c.waitBot(LeaderMath, "Черновик: участники его ещё не видят")
	if res := c.press(LeaderMath, draft, "Опубликовать"); !strings.Contains(res.Text, "9 участникам") || res.Alert {
		t.Errorf("publication answered %+v", res)
	}
	ann := c.waitBot(Newcomer, "Новое мероприятие", "Подготовка к муниципальному этапу")
	if res := c.press(Newcomer, ann, "Приду"); !strings.Contains(res.Text, "придёте") {
		t.Errorf("the answer's toast: %+v", res)
	}
	marked := c.waitBot(Newcomer, "Ваш ответ: ✅ придёте")
	c.waitBot(LeaderMath, "✅ 1 ·", "Никитина Д. С.")

	// The calendar file downloads.
	c.press(Newcomer, marked, "В календарь")
	ics := c.waitItem(Newcomer, "file from the bot", func(it ItemJSON) bool { return it.From == "bot" && it.File != nil })
	res, err := http.Get(c.url + ics.File.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.HasSuffix(ics.File.Name, ".ics") || !bytes.Contains(body, []byte("BEGIN:VCALENDAR")) ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("Content-Type") != "text/calendar" {
		t.Errorf("the .ics download: %q %v %.80q", ics.File.Name, res.Header, body)
	}

	// Moving the clock to a day before the demo's coming workshop sends
	// the reminder to those who will come.
	var start time.Time
	s.DB().View(func(tx *boltdb.Tx) error {
		return tx.Events(func(e *mmo.Event) bool {
			if strings.HasPrefix(e.Topic, "Функциональная грамотность") {
				start = e.Start
			}
			return true
		})
	})
	before := c.state().Now
	step := start.Add(-23 * time.Hour).Sub(before).Round(time.Minute)
	var clk ClockJSON
	c.post("/api/clock", map[string]any{"advance": fmt.Sprintf("%dm", int(step.Minutes()))}, &clk)
	if moved := clk.Now.Sub(before); moved < step || moved > step+time.Minute {
		t.Errorf("the clock moved %v, want %v", moved, step)
	}
	c.waitUnread(3001)
	c.waitBot(3001, "⏰", "Функциональная грамотность")
}

func TestDemoCheckinByLocationAndConsultationByPhone(t *testing.T) {
	s, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), true)

	// A member asks for a call: the bot asks for the phone number with a
	// reply keyboard, and sharing the contact sends the persona's number.
	c.send(3001, "/ask")
	c.press(3001, c.waitBot(3001, "Выберите тему"), "Аттестация")
	c.waitBot(3001, "Опишите вопрос")
	c.send(3001, "Какие документы нужны для аттестации на первую категорию?")
	c.press(3001, c.waitBot(3001, "Как вам удобнее"), "Телефонный звонок")
	c.waitBot(3001, "поделитесь номером")
	ch := c.chat(3001)
	if len(ch.Keyboard) != 1 || ch.Keyboard[0][0].Kind != "contact" {
		t.Fatalf("reply keyboard %+v", ch.Keyboard)
	}
	c.post("/api/contact", map[string]any{"persona": 3001}, nil)
	c.waitBot(3001, "Номер получен")
	c.waitBot(3001, "принято")
	c.waitBot(LeaderMath, "Новое обращение", "+79000003001")
	if ch := c.chat(3001); len(ch.Keyboard) != 0 {
		t.Errorf("the keyboard stays after sharing: %+v", ch.Keyboard)
	}

	// Ten minutes before the Russian association's meeting, which wants
	// a location near the venue, check-in opens.
	var e *mmo.Event
	s.DB().View(func(tx *boltdb.Tx) error {
		return tx.Events(func(x *mmo.Event) bool {
			if x.Checkin.RequireLocation {
				e = x
			}
			return true
		})
	})
	if e == nil {
		t.Fatal("the demo has no event asking for a location")
	}
	step := e.Start.Add(-10 * time.Minute).Sub(s.Now())
	c.post("/api/clock", map[string]any{"advance": fmt.Sprintf("%dm", int(step.Minutes()))}, nil)
	here := c.waitBot(3005, "Открыта отметка")
	c.press(3005, here, "Я на месте")
	c.waitBot(3005, "отправьте геопозицию")
	ch = c.chat(3005)
	if len(ch.Keyboard) != 1 || ch.Keyboard[0][0].Kind != "location" || len(ch.Locations) != 2 {
		t.Fatalf("keyboard %+v, locations %+v", ch.Keyboard, ch.Locations)
	}
	venue, far := ch.Locations[0], ch.Locations[1]
	if venue.Kind != "venue" || far.Kind != "far" || mmo.Distance(venue.Lat, venue.Lon, e.Checkin.Lat, e.Checkin.Lon) > 100 {
		t.Fatalf("locations %+v for a venue at %v,%v", ch.Locations, e.Checkin.Lat, e.Checkin.Lon)
	}
	c.post("/api/location", map[string]any{"persona": 3005, "lat": far.Lat, "lon": far.Lon}, nil)
	c.waitBot(3005, "Подойдите ближе")
	c.send(3005, e.Checkin.Code)
	c.waitBot(3005, "отправьте геопозицию")
	c.post("/api/location", map[string]any{"persona": 3005, "lat": venue.Lat, "lon": venue.Lon}, nil)
	c.waitBot(3005, "Вы отмечены")
	ch = c.chat(3005)
	n := 0
	for _, it := range ch.Items {
		if it.From == "me" && it.Kind == "location" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d own locations shown, want 2", n)
	}
}

func TestUploadAndDownload(t *testing.T) {
	_, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), false)
	upload := func(name string, data []byte, caption string) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("persona", fmt.Sprint(Parent))
		w.WriteField("caption", caption)
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(data)
		w.Close()
		res, err := http.Post(c.url+"/api/upload", w.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("upload %s: %d", name, res.StatusCode)
		}
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	upload("план.docx", []byte("PK\x03\x04 not really a docx"), "Мой план")
	upload("photo.png", png, "")
	ch := c.chat(Parent)
	var kinds []string
	for _, it := range ch.Items {
		if it.From == "me" {
			kinds = append(kinds, it.Kind)
			res, err := http.Get(c.url + it.File.URL)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if it.Kind == "photo" && !bytes.Equal(got, png) {
				t.Errorf("the photo downloads as %q", got)
			}
			if it.Kind == "document" && (plain(it) != "Мой план" || !strings.Contains(res.Header.Get("Content-Disposition"), "filename*=utf-8''%D0%BF")) {
				t.Errorf("the document: %q, %v", plain(it), res.Header)
			}
		}
	}
	if strings.Join(kinds, ",") != "document,photo" {
		t.Errorf("own items %v", kinds)
	}
	if code := c.do("GET", fmt.Sprintf("/api/file?persona=%d&message=999999999", Parent), nil, nil); code != http.StatusNotFound {
		t.Errorf("a missing file: %d", code)
	}
}

func TestDemoIsSeededOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.db")
	s, err := New(Options{DataPath: path, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Seeded {
		t.Fatal("not seeded")
	}
	if err := s.Advance(48 * time.Hour); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = New(Options{DataPath: path, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Seeded || !strings.Contains(s.Notice, "already has data") {
		t.Errorf("seeded %v, notice %q", s.Seeded, s.Notice)
	}
	if d := s.Now().Sub(time.Now()); d < 47*time.Hour {
		t.Errorf("the clock went back after a restart: ahead by %v", d)
	}
	// Message ids of this run start past those the first run's bot may
	// have stored.
	res, err := http.PostForm(s.Server().URL()+"/bot"+telegramtest.Token+"/sendMessage", url.Values{"chat_id": {"1001"}, "text": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sent struct {
		Result struct {
			MessageID int `json:"message_id"`
		} `json:"result"`
	}
	json.NewDecoder(res.Body).Decode(&sent)
	if sent.Result.MessageID <= msgIDStride {
		t.Errorf("the second run's first message is %d", sent.Result.MessageID)
	}
}

func TestRequestsFromElsewhereAreRefused(t *testing.T) {
	s, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), false)
	h := s.Handler()
	for _, tc := range []struct {
		host, origin string
		want         int
	}{
		{"127.0.0.1:8088", "", http.StatusOK},
		{"localhost:8088", "http://localhost:8088", http.StatusOK},
		{"evil.example:8088", "", http.StatusForbidden},
		{"127.0.0.1:8088", "http://evil.example", http.StatusForbidden},
	} {
		req := httptest.NewRequest("POST", "/api/send", strings.NewReader(`{"persona":1001,"text":"/help"}`))
		req.Host = tc.host
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("host %s origin %q: %d, want %d", tc.host, tc.origin, rec.Code, tc.want)
		}
	}
	if code := c.do("GET", "/", nil, nil); code != http.StatusOK {
		t.Errorf("the page: %d", code)
	}
}

func TestCheckAddr(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:8088", "127.0.0.2:0", "localhost:8088", "[::1]:8088"} {
		if err := CheckAddr(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:8088", ":8088", "[::]:8088", "8.8.8.8:80", "192.168.1.10:8088", "10.0.0.1:80", "127.0.0.1", "no-such-host.invalid:80"} {
		err := CheckAddr(bad)
		if err == nil {
			t.Errorf("%s accepted", bad)
			continue
		}
		if !strings.Contains(err.Error(), bad) && !strings.Contains(err.Error(), "bad address") {
			t.Errorf("%s: the error does not name the address: %v", bad, err)
		}
	}
	if l, err := Listen("0.0.0.0:0"); err == nil {
		l.Close()
		t.Error("Listen on 0.0.0.0")
	}
}

func TestParseAdvance(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"1h": time.Hour, "90m": 90 * time.Minute, "1d": 24 * time.Hour, "1w": 7 * 24 * time.Hour,
		"1w2d": 9 * 24 * time.Hour, "1d12h": 36 * time.Hour, "2 d": 48 * time.Hour,
		// In Russian, as the Russian page suggests.
		"3д": 3 * 24 * time.Hour, "2 дня": 48 * time.Hour, "1ч": time.Hour, "90мин": 90 * time.Minute,
		"1ч 30мин": 90 * time.Minute, "1 неделя": 7 * 24 * time.Hour, "1нед2д": 9 * 24 * time.Hour,
	} {
		if got, err := ParseAdvance(in); err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "-1h", "30s", "1y", "500d", "d", "1 месяц", "завтра", "2 года"} {
		if _, err := ParseAdvance(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
