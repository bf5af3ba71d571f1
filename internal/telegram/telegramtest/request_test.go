package telegramtest

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestWriteJSON checks that the answers are what json.Marshal makes of
// them, HTML escaping included, without the Encoder's newline.
func TestWriteJSON(t *testing.T) {
	for _, v := range []any{
		wResponse{OK: true, Result: true},
		wResponse{OK: true, Result: &wMessage{MessageID: 7, Text: "a <b> & \"c\" \u2028 é ✅\n",
			ReplyMarkup: json.RawMessage(`{"inline_keyboard":[[{"callback_data":"x","text":"<&>"}]]}`)}},
		wResponse{ErrorCode: 400, Description: "Bad Request: message is not modified"},
		wResponse{OK: true, Result: []wUpdate{}},
		wResponse{OK: true, Result: strings.Repeat("long ", 100000)},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second answer reuses the pooled buffer
			rec := httptest.NewRecorder()
			writeJSON(rec, http.StatusOK, v)
			if got := rec.Body.String(); got != string(want) {
				t.Fatalf("writeJSON wrote\n%.200s\nwant\n%.200s", got, want)
			}
			if rec.Header().Get("Content-Length") != strconv.Itoa(len(want)) || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("headers %v", rec.Header())
			}
		}
	}
	v := wResponse{OK: true, Result: math.Inf(1)}
	_, err := json.Marshal(v)
	rec := httptest.NewRecorder()
	writeJSON(rec, http.StatusOK, v)
	want := `{"ok":false,"error_code":500,"description":"Internal Server Error: ` + strings.ReplaceAll(err.Error(), `"`, `'`) + `"}`
	if rec.Code != http.StatusInternalServerError || rec.Body.String() != want {
		t.Fatalf("unmarshalable answer: %d %s, want 500 %s", rec.Code, rec.Body, want)
	}
}

func TestParseRequest(t *testing.T) {
	form := url.Values{"chat_id": {"42"}, "text": {"a&b=c ✅"}, "x": {"1", "2"}}
	tests := []struct {
		name, query, ct, body string
		length                int64 // Content-Length; -1 unknown
		want                  url.Values
	}{
		{name: "form", ct: "application/x-www-form-urlencoded", body: form.Encode(), length: -1, want: form},
		{name: "form with length", ct: "application/x-www-form-urlencoded", body: form.Encode(), want: form},
		{name: "form and query", query: "x=0&q=1", ct: "application/x-www-form-urlencoded", body: form.Encode(),
			want: url.Values{"chat_id": {"42"}, "text": {"a&b=c ✅"}, "x": {"0", "1", "2"}, "q": {"1"}}},
		{name: "short length", ct: "application/x-www-form-urlencoded", body: form.Encode(), length: 3, want: form},
		{name: "json", ct: "application/json", body: `{"chat_id":42,"text":"hi","reply_markup":{"a":1},"n":null}`,
			want: url.Values{"chat_id": {"42"}, "text": {"hi"}, "reply_markup": {`{"a":1}`}, "n": {""}}},
		{name: "json blank", query: "a=1", ct: "application/json", body: " \n", want: url.Values{"a": {"1"}}},
		{name: "empty", query: "a=1", ct: "application/x-www-form-urlencoded", want: url.Values{"a": {"1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/bot"+Token+"/sendMessage?"+tt.query, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.ct)
			if tt.length != 0 {
				r.ContentLength = tt.length
			}
			got, _, err := parseRequest(r)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("parseRequest = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	r := httptest.NewRequest(http.MethodPost, "/bot"+Token+"/sendMessage?a=1", strings.NewReader("b=%zz"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if got, _, err := parseRequest(r); err == nil || !reflect.DeepEqual(got, url.Values{"a": {"1"}}) {
		t.Fatalf("bad form: %v, %v", got, err)
	}
}

func TestRecordParams(t *testing.T) {
	in := url.Values{"a": {"1", "2"}, "b": {"3"}, "e": {}}
	out := recordParams(in, map[string]*upload{"doc": {name: "f.txt"}})
	want := url.Values{"a": {"1", "2"}, "b": {"3"}, "e": nil, "doc": {"f.txt"}}
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("recordParams = %#v, want %#v", out, want)
	}
	out["a"][0] = "changed"
	out["a"] = append(out["a"], "more")
	if in["a"][0] != "1" || out["b"][0] != "3" || !reflect.DeepEqual(out["a"], []string{"changed", "2", "more"}) {
		t.Fatalf("copies share values: in %v out %v", in, out)
	}
}
