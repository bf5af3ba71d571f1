package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestAPIErrorsAreLocalized: every error of the API is in the bot's
// default language, Russian, unless the page asks for English; the clock's
// above all («cannot read "09:00"» was in English).
func TestAPIErrorsAreLocalized(t *testing.T) {
	s, _ := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), false)
	h := s.Handler()
	call := func(method, path, body, lang, host, origin string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Host = host
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if lang != "" {
			req.Header.Set(langHeader, lang)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var e struct{ Error string }
		json.Unmarshal(rec.Body.Bytes(), &e)
		return rec.Code, e.Error
	}
	for _, tc := range []struct {
		name, method, path, body, host, origin string
		ru, en                                 string
	}{
		{"clock unread", "POST", "/api/clock", `{"advance":"09:00"}`, "", "", "Не понял «09:00»", "Cannot read «09:00»"},
		{"clock too far", "POST", "/api/clock", `{"advance":"500d"}`, "", "", "только вперёд", "forward only"},
		{"clock too little", "POST", "/api/clock", `{"advance":"10s"}`, "", "", "от минуты до 400 дней", "a minute to 400 days"},
		{"no event", "POST", "/api/clock", `{"to":"event"}`, "", "", "нет опубликованных мероприятий", "no published event"},
		{"unknown jump", "POST", "/api/clock", `{"to":"noon"}`, "", "", "«noon»", "«noon»"},
		{"bad body", "POST", "/api/clock", `{`, "", "", "Не удалось прочитать запрос", "Cannot read the request"},
		{"no persona", "GET", "/api/chat?persona=42", "", "", "", "Нет такого персонажа: «42»", "No such persona: «42»"},
		{"empty message", "POST", "/api/send", `{"persona":1001,"text":"  "}`, "", "", "Пустое сообщение", "empty"},
		{"too long", "POST", "/api/send", `{"persona":1001,"text":"` + strings.Repeat("я", 4097) + `"}`, "", "", "4096", "4096"},
		{"no data", "POST", "/api/press", `{"persona":1001,"message":1}`, "", "", "нет данных", "no data"},
		{"no place", "POST", "/api/location", `{"persona":1001,"lat":100,"lon":0}`, "", "", "на Земле нет", "on Earth"},
		{"bad payload", "POST", "/api/deeplink", `{"persona":1001,"payload":"a b"}`, "", "", "параметр ссылки", "link parameter"},
		{"no upload", "POST", "/api/upload", "", "", "", "Не удалось принять файл", "Cannot take the file"},
		{"no file", "GET", "/api/file?persona=1001&message=999", "", "", "", "Такого файла нет", "No such file"},
		{"elsewhere", "GET", "/api/state", "", "evil.example:8088", "", "адресах этого компьютера", "this computer"},
		{"cross-origin", "POST", "/api/send", `{"persona":1001,"text":"/help"}`, "", "http://evil.example", "другого сайта", "another site"},
	} {
		host := tc.host
		if host == "" {
			host = "127.0.0.1:8088"
		}
		for _, lang := range []string{"", "en"} {
			code, msg := call(tc.method, tc.path, tc.body, lang, host, tc.origin)
			want := tc.ru
			if lang == "en" {
				want = tc.en
			}
			if code < 400 || !strings.Contains(msg, want) {
				t.Errorf("%s (%q): %d %q, want %q", tc.name, lang, code, msg, want)
			}
			if lang == "" && !strings.ContainsFunc(msg, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) {
				t.Errorf("%s: %q is not in Russian", tc.name, msg)
			}
		}
	}
	if code, _ := call("POST", "/api/clock", `{"advance":"1h"}`, "", "127.0.0.1:8088", ""); code != http.StatusOK {
		t.Errorf("a good move of the clock: %d", code)
	}
}
