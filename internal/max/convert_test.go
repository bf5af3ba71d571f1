package max

import (
	"encoding/json"
	"io"
	"log/slog"
	"testing"
)

// TestConvert turns each kind of MAX update the bot takes into the
// conversation's, and checks a press's signature for its chat.
func TestConvert(t *testing.T) {
	b := &Bot{codec: codec{secret: []byte("k")}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), username: "mmo_bot"}
	good, _ := b.codec.encode(70, "rv", "12", "y")
	back, _ := b.codec.encode(70, "mt")
	otherChat, _ := b.codec.encode(71, "rv", "12", "y")
	dialog := `"recipient":{"chat_id":70,"chat_type":"dialog"}`
	from := `"sender":{"user_id":7,"first_name":"Мария","is_bot":false}`
	kb := `{"type":"inline_keyboard","payload":{"buttons":[[{"type":"callback","text":"Да","payload":"` + good + `"},{"type":"callback","text":"Назад","payload":"` + back + `"}]]}}`
	for _, tc := range []struct {
		name, raw string
		check     func(t *testing.T, ok bool, cmd, args, verb string, u map[string]any)
	}{
		{"command", `{"update_type":"message_created","timestamp":1,"user_locale":"ru","message":{` + from + `,` + dialog + `,"timestamp":1,"body":{"mid":"m1","seq":1,"text":"/Start@mmo_bot abc"}}}`,
			func(t *testing.T, ok bool, cmd, args, _ string, _ map[string]any) {
				if !ok || cmd != "start" || args != "abc" {
					t.Errorf("ok %v, command %q %q", ok, cmd, args)
				}
			}},
		{"deep link", `{"update_type":"bot_started","timestamp":1,"chat_id":70,"user":{"user_id":7,"first_name":"Мария","is_bot":false},"payload":"j_x"}`,
			func(t *testing.T, ok bool, cmd, args, _ string, _ map[string]any) {
				if !ok || cmd != "start" || args != "j_x" {
					t.Errorf("ok %v, command %q %q", ok, cmd, args)
				}
			}},
		{"press", `{"update_type":"message_callback","timestamp":1,"callback":{"timestamp":1,"callback_id":"cb1","payload":"` + good + `","user":{"user_id":7,"first_name":"М","is_bot":false}},"message":{"sender":{"user_id":1,"first_name":"bot","is_bot":true},` + dialog + `,"timestamp":1,"body":{"mid":"m2","seq":2,"text":"x","attachments":[` + kb + `]}}}`,
			func(t *testing.T, ok bool, _, _, verb string, _ map[string]any) {
				if !ok || verb != "rv" {
					t.Errorf("ok %v, verb %q", ok, verb)
				}
			}},
		{"press signed for another chat", `{"update_type":"message_callback","timestamp":1,"callback":{"timestamp":1,"callback_id":"cb2","payload":"` + otherChat + `","user":{"user_id":7,"first_name":"М","is_bot":false}},"message":{"sender":{"user_id":1,"first_name":"bot","is_bot":true},` + dialog + `,"timestamp":1,"body":{"mid":"m2","seq":2,"text":"x"}}}`,
			func(t *testing.T, ok bool, _, _, verb string, _ map[string]any) {
				if !ok || verb != "" {
					t.Errorf("ok %v, a forged press came through as %q", ok, verb)
				}
			}},
		{"the bot's own message", `{"update_type":"message_created","timestamp":1,"message":{"sender":{"user_id":1,"first_name":"bot","is_bot":true},` + dialog + `,"timestamp":1,"body":{"mid":"m3","seq":3,"text":"hi"}}}`,
			func(t *testing.T, ok bool, _, _, _ string, _ map[string]any) {
				if ok {
					t.Error("the bot's own message was taken")
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := decodeUpdate(json.RawMessage(tc.raw))
			if u.DecodeErr != nil {
				t.Fatal(u.DecodeErr)
			}
			cu, ok := b.convert(&u)
			verb := ""
			if cu.Press != nil {
				verb = cu.Press.Verb
				if tc.name == "press" && (cu.Press.Message != "m2" || len(cu.Press.Verbs) != 2 || cu.Chat != 70 || !cu.Private) {
					t.Errorf("press %+v in chat %d", cu.Press, cu.Chat)
				}
			}
			tc.check(t, ok, cu.Command, cu.Args, verb, nil)
		})
	}
}

// TestConvertAttachments reads a file, a picture, a location and a
// contact.
func TestConvertAttachments(t *testing.T) {
	b := &Bot{codec: codec{secret: []byte("k")}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	msg := func(att string) Update {
		return decodeUpdate(json.RawMessage(`{"update_type":"message_created","timestamp":1,"message":{"sender":{"user_id":7,"first_name":"М","is_bot":false},"recipient":{"chat_id":70,"chat_type":"dialog"},"timestamp":1,"body":{"mid":"m","seq":1,"text":"подпись","attachments":[` + att + `]}}}`))
	}
	u := msg(`{"type":"file","payload":{"url":"https://f/1","token":"T1"},"filename":"a.pdf","size":5}`)
	cu, _ := b.convert(&u)
	if cu.File == nil || cu.File.Kind != "document" || cu.File.Name != "a.pdf" || cu.File.Size != 5 || cu.Caption != "подпись" || cu.Text != "" {
		t.Errorf("file: %+v, caption %q", cu.File, cu.Caption)
	}
	if tok, url := splitFileRef(cu.File.ID); tok != "T1" || url != "https://f/1" {
		t.Errorf("file ref %q", cu.File.ID)
	}
	u = msg(`{"type":"image","payload":{"photo_id":1,"url":"https://f/2","token":"T2"}}`)
	if cu, _ = b.convert(&u); cu.File == nil || cu.File.Kind != "photo" {
		t.Errorf("image: %+v", cu.File)
	}
	u = msg(`{"type":"location","latitude":57.5,"longitude":41.2}`)
	if cu, _ = b.convert(&u); cu.Location == nil || cu.Location.Latitude != 57.5 {
		t.Errorf("location: %+v", cu.Location)
	}
	u = msg(`{"type":"contact","payload":{"vcf_info":"BEGIN:VCARD\nTEL;TYPE=cell:+79001234567\nEND:VCARD","max_info":{"user_id":7,"first_name":"М","is_bot":false}}}`)
	if cu, _ = b.convert(&u); cu.Contact == nil || cu.Contact.Phone != "+79001234567" || cu.Contact.UserID != 7 {
		t.Errorf("contact: %+v", cu.Contact)
	}
	u = msg(`{"type":"sticker","payload":{"url":"https://f/3","code":"x"}}`)
	if cu, _ = b.convert(&u); !cu.OtherMedia {
		t.Error("a sticker is not reported as other media")
	}
}
