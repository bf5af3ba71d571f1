package openapi

import (
	"net/url"
	"strings"
	"testing"
)

func load(t *testing.T) *Doc {
	t.Helper()
	d, err := Load("../../testdata/schema.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLoad(t *testing.T) {
	d := load(t)
	if got, want := d.Version(), "0.0.30"; got != want {
		t.Errorf("version %q, want %q", got, want)
	}
	if d.Operation("GET", "/updates") == nil || d.Operation("POST", "/messages") == nil {
		t.Fatal("operations missing")
	}
	if d.Operation("GET", "/chats/123/members") == nil {
		t.Error("templated path not found")
	}
	if d.Operation("PATCH", "/messages") != nil {
		t.Error("PATCH /messages found")
	}
}

func TestCheckRequest(t *testing.T) {
	d := load(t)
	const kb = `{"text":"hi","format":"html","attachments":[{"type":"inline_keyboard","payload":{"buttons":[[{"type":"callback","text":"Yes","payload":"y","intent":"positive"},{"type":"link","text":"Site","url":"https://example.org"}],[{"type":"request_contact","text":"Phone"},{"type":"request_geo_location","text":"Here","quick":true}]]}}],"link":null,"notify":false}`
	cases := []struct {
		name, method, path, query, body string
		wantErr                         string // "" for none
	}{
		{"me", "GET", "/me", "", "", ""},
		{"updates", "GET", "/updates", "marker=5&timeout=30&limit=100&types=message_created,bot_started", "", ""},
		{"updates timeout too long", "GET", "/updates", "timeout=91", "", "above the maximum"},
		{"updates limit zero", "GET", "/updates", "limit=0", "", "below the minimum"},
		{"updates marker not a number", "GET", "/updates", "marker=abc", "", "not an integer"},
		{"undeclared parameter", "GET", "/updates", "offset=3", "", `"offset" is not declared`},
		{"unknown path", "GET", "/getUpdates", "", "", "no such path"},
		{"unknown method", "PATCH", "/messages", "", "", "has no PATCH"},
		{"send", "POST", "/messages", "user_id=42", kb, ""},
		{"send to a chat without preview", "POST", "/messages", "chat_id=-42&disable_link_preview=true", `{"text":"x","attachments":null,"link":null}`, ""},
		{"send without body", "POST", "/messages", "user_id=42", "", "required body is missing"},
		{"misspelt body field", "POST", "/messages", "user_id=42", `{"text":"x","attachements":[],"link":null}`, `property "attachements" is not in the schema`},
		{"bad format", "POST", "/messages", "user_id=42", `{"text":"x","format":"bbcode","attachments":null,"link":null}`, `"bbcode" is none of`},
		{"text too long", "POST", "/messages", "user_id=42", `{"text":"` + strings.Repeat("я", 4001) + `","attachments":null,"link":null}`, "more than 4000"},
		{"misspelt button field", "POST", "/messages", "user_id=42", `{"text":"x","attachments":[{"type":"inline_keyboard","payload":{"buttons":[[{"type":"callback","text":"a","paylaod":"p"}]]}}],"link":null}`, `property "paylaod"`},
		{"callback without payload", "POST", "/messages", "user_id=42", `{"text":"x","attachments":[{"type":"inline_keyboard","payload":{"buttons":[[{"type":"callback","text":"a"}]]}}],"link":null}`, `required property "payload"`},
		{"unknown button type", "POST", "/messages", "user_id=42", `{"text":"x","attachments":[{"type":"inline_keyboard","payload":{"buttons":[[{"type":"switch","text":"a"}]]}}],"link":null}`, `type "switch" is none of`},
		{"button text too long", "POST", "/messages", "user_id=42", `{"text":"x","attachments":[{"type":"inline_keyboard","payload":{"buttons":[[{"type":"callback","text":"` + strings.Repeat("a", 129) + `","payload":"p"}]]}}],"link":null}`, "more than 128"},
		{"file token", "POST", "/messages", "user_id=42", `{"text":null,"attachments":[{"type":"file","payload":{"token":"abc"}}],"link":null}`, ""},
		{"image photos", "POST", "/messages", "user_id=42", `{"text":null,"attachments":[{"type":"image","payload":{"photos":{"1":{"token":"abc"}}}}],"link":null}`, ""},
		{"image photos misspelt", "POST", "/messages", "user_id=42", `{"text":null,"attachments":[{"type":"image","payload":{"photos":{"1":{"tokn":"abc"}}}}],"link":null}`, `property "tokn"`},
		{"reply link", "POST", "/messages", "user_id=42", `{"text":"x","attachments":null,"link":{"type":"reply","mid":"mid.1"}}`, ""},
		{"edit", "PUT", "/messages", "message_id=mid.1", `{"text":"x","attachments":[],"link":null}`, ""},
		{"edit without id", "PUT", "/messages", "", `{"text":"x","attachments":[],"link":null}`, `required query parameter "message_id"`},
		{"delete", "DELETE", "/messages", "message_id=mid.1", "", ""},
		{"delete with a body", "DELETE", "/messages", "message_id=mid.1", `{}`, "takes no body"},
		{"answer", "POST", "/answers", "callback_id=cb1", `{"notification":"ok","message":{"text":"x","attachments":null,"link":null}}`, ""},
		{"answer misspelt", "POST", "/answers", "callback_id=cb1", `{"notificaton":"ok"}`, `property "notificaton"`},
		{"upload url", "POST", "/uploads", "type=file", "", ""},
		{"upload url bad type", "POST", "/uploads", "type=document", "", `"document" is none of`},
		{"upload url no type", "POST", "/uploads", "", "", `required query parameter "type"`},
		{"null where not nullable", "POST", "/messages", "user_id=42", `{"text":"x","attachments":null,"link":null,"notify":null}`, "null is not allowed"},
		{"string for integer", "POST", "/messages", "user_id=42", `{"text":"x","attachments":[{"type":"location","latitude":"55.7","longitude":37.6}],"link":null}`, "want a number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			ct := ""
			if c.body != "" {
				ct = "application/json; charset=utf-8"
			}
			err = d.CheckRequest(c.method, c.path, q, ct, []byte(c.body))
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("want no problem, got:\n%v", err)
			case c.wantErr != "" && err == nil:
				t.Errorf("want a problem with %q, got none", c.wantErr)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Errorf("want a problem with %q, got:\n%v", c.wantErr, err)
			}
		})
	}
}

func TestCheckResponse(t *testing.T) {
	d := load(t)
	cases := []struct {
		name, method, path string
		status             int
		body, wantErr      string
	}{
		{"updates", "GET", "/updates", 200, `{"updates":[{"update_type":"bot_started","timestamp":1,"chat_id":5,"user":{"user_id":1,"first_name":"A","last_name":null,"username":null,"is_bot":false,"last_activity_time":0},"payload":"j_1","user_locale":"ru"}],"marker":7}`, ""},
		{"updates unknown kind", "GET", "/updates", 200, `{"updates":[{"update_type":"bot_exploded","timestamp":1}],"marker":7}`, `"bot_exploded" is none of`},
		{"updates misspelt", "GET", "/updates", 200, `{"updates":[{"update_type":"bot_started","timestamp":1,"chat_id":5,"usr":{}}],"marker":7}`, `property "usr"`},
		{"updates missing marker", "GET", "/updates", 200, `{"updates":[]}`, `required property "marker"`},
		{"simple", "DELETE", "/messages", 200, `{"success":true}`, ""},
		{"error", "DELETE", "/messages", 403, `{"code":"chat.denied","message":"no"}`, ""},
		{"undeclared error", "POST", "/messages", 429, `{"code":"too.many.requests","message":"slow down"}`, ""},
		{"undeclared error misspelt", "POST", "/messages", 429, `{"code":"x","mesage":"y"}`, `property "mesage"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := d.CheckResponse(c.method, c.path, c.status, []byte(c.body))
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("want no problem, got:\n%v", err)
			case c.wantErr != "" && err == nil:
				t.Errorf("want a problem with %q, got none", c.wantErr)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Errorf("want a problem with %q, got:\n%v", c.wantErr, err)
			}
		})
	}
}
