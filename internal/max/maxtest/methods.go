package maxtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
)

// The API handlers run with s.mu held.

func (s *Server) me(*apiCall) (any, *apiError) {
	return wBotInfo{wUser: s.botUser()}, nil
}

// BotCommand is an entry of the bot's command menu.
type BotCommand struct {
	Name        string
	Description string
}

// patchMe takes the command menu of a BotPatch; the other fields are not
// modelled.
func (s *Server) patchMe(c *apiCall) (any, *apiError) {
	var b struct {
		Commands *[]struct {
			Name        string  `json:"name"`
			Description *string `json:"description"`
		} `json:"commands"`
	}
	if err := strictDecode(c.body, &b); err != nil {
		return nil, s.unmodelled(c.op, "a BotPatch field other than commands ("+err.Error()+")")
	}
	if b.Commands == nil {
		return nil, badRequest("maxtest: a BotPatch without commands changes nothing the fake models")
	}
	if len(*b.Commands) > 32 {
		return nil, badRequest("commands: at most 32, got %d", len(*b.Commands))
	}
	cmds := []BotCommand{}
	for i, cmd := range *b.Commands {
		if n := utf8.RuneCountInString(cmd.Name); n < 1 || n > 64 {
			return nil, badRequest("commands[%d].name: size must be between 1 and 64, got %d", i, n)
		}
		d := ""
		if cmd.Description != nil {
			d = *cmd.Description
			if n := utf8.RuneCountInString(d); n < 1 || n > 128 {
				return nil, badRequest("commands[%d].description: size must be between 1 and 128, got %d", i, n)
			}
		}
		cmds = append(cmds, BotCommand{Name: cmd.Name, Description: d})
	}
	s.commands = cmds
	return wBotInfo{wUser: s.botUser()}, nil
}

// Commands returns the bot's command menu as last set, nil if never.
func (s *Server) Commands() []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand(nil), s.commands...)
}

// wSimple is the schema's SimpleQueryResult.
type wSimple struct {
	Success bool `json:"success"`
}

// wSendResult is the schema's SendMessageResult.
type wSendResult struct {
	Message wMessage `json:"message"`
}

// Limits of the schema.
const (
	maxText     = 4000
	maxBtnText  = 128
	maxCBData   = 1024
	maxLinkURL  = 2048
	maxRows     = 30 // not in the schema; generous, to catch runaway keyboards
	maxFileSize = 8 << 20
)

// content is a checked NewMessageBody: what a message shows.
type content struct {
	textSet     bool // text present and not null
	text        string
	format      string
	attsSet     bool // attachments present and not null
	atts        []wAttachment
	keyboard    [][]Button
	doc, photo  *Document
	replyTo     string
	silent      bool
	unsupported []string // HTML tags MAX would strip
}

// parseBody checks a NewMessageBody. chat is the chat a reply must be in.
// s.mu must be held.
func (s *Server) parseBody(op string, raw []byte, chat *chatState) (content, *apiError) {
	var b rNewMessage
	if err := strictDecode(raw, &b); err != nil {
		return content{}, badRequest("maxtest: invalid NewMessageBody: %v", err)
	}
	return s.checkBody(op, b, chat)
}

func (s *Server) checkBody(op string, b rNewMessage, chat *chatState) (content, *apiError) {
	var ct content
	if b.Text.Set && !b.Text.Null {
		ct.textSet, ct.text = true, b.Text.Value
	}
	if n := utf8.RuneCountInString(ct.text); n > maxText {
		return ct, badRequest("text: size must be between 0 and %d, got %d", maxText, n)
	}
	if b.Format.Set && !b.Format.Null {
		switch b.Format.Value {
		case "html", "markdown":
			ct.format = b.Format.Value
		default:
			return ct, badRequest("format: unknown value %q", b.Format.Value)
		}
	}
	if ct.format == "html" {
		if _, bad := plainHTML(ct.text); len(bad) > 0 {
			ct.unsupported = bad
		}
	}
	if b.Notify.Set && !b.Notify.Null {
		ct.silent = !b.Notify.Value
	} else if b.Notify.Null {
		return ct, badRequest("notify: must not be null")
	}
	if b.Link.Set && !b.Link.Null {
		if b.Link.Value.Type != "reply" && b.Link.Value.Type != "forward" {
			return ct, badRequest("link.type: unknown value %q", b.Link.Value.Type)
		}
		if b.Link.Value.Type == "forward" {
			return ct, s.unmodelled(op, "a forwarding link")
		}
		if chat == nil || chat.byMID[b.Link.Value.MID] == nil || chat.byMID[b.Link.Value.MID].m.Deleted {
			return ct, badRequest("link.mid: message %q not found in the chat", b.Link.Value.MID)
		}
		ct.replyTo = b.Link.Value.MID
	}
	if b.Attachments.Set && !b.Attachments.Null {
		ct.attsSet = true
		alone := ""
		for i, raw := range b.Attachments.Value {
			kind, aerr := s.addAttachment(op, &ct, raw)
			if aerr != nil {
				aerr.msg = fmt.Sprintf("attachments[%d]: %s", i, aerr.msg)
				return ct, aerr
			}
			if kind == "file" {
				alone = kind
			}
		}
		if alone != "" && len(b.Attachments.Value) > 1 {
			return ct, badRequest("attachments: a %s must be the only attachment of a message", alone)
		}
	}
	return ct, nil
}

// unmodelled records a request the fake does not model: the test must
// fail, whatever MAX would have done.
func (s *Server) unmodelled(op, what string) *apiError {
	s.unexpected = append(s.unexpected, op+": "+what)
	return badRequest("maxtest: %s is not modelled by the fake", what)
}

// addAttachment checks one AttachmentRequest and adds it to ct; it returns
// the kind. s.mu must be held.
func (s *Server) addAttachment(op string, ct *content, raw json.RawMessage) (string, *apiError) {
	var head rAttachmentHead
	if err := json.Unmarshal(raw, &head); err != nil {
		return "", badRequest("invalid attachment: %v", err)
	}
	switch head.Type {
	case "inline_keyboard":
		if ct.keyboard != nil {
			return "", badRequest("more than one inline keyboard")
		}
		var a rKeyboardAttachment
		if err := strictDecode(raw, &a); err != nil {
			return "", badRequest("invalid inline_keyboard: %v", err)
		}
		kb, aerr := s.parseKeyboard(op, a.Payload.Buttons)
		if aerr != nil {
			return "", aerr
		}
		ct.keyboard = kb
		ct.atts = append(ct.atts, wAttachment{Type: "inline_keyboard", Payload: map[string]any{"buttons": a.Payload.Buttons}})
	case "file":
		var a rTokenAttachment
		if err := strictDecode(raw, &a); err != nil {
			return "", badRequest("invalid file attachment: %v", err)
		}
		f := s.files[a.Payload.Token]
		if f == nil || f.typ != "file" {
			return "", badRequest("file: no uploaded file with token %q", a.Payload.Token)
		}
		size := int64(len(f.data))
		ct.doc = f.document()
		ct.atts = append(ct.atts, wAttachment{Type: "file", Payload: wFilePayload{URL: s.fileURL(f), Token: f.token}, Filename: f.name, Size: &size})
	case "image":
		var a rImageAttachment
		if err := strictDecode(raw, &a); err != nil {
			return "", badRequest("invalid image attachment: %v", err)
		}
		p := a.Payload
		set := 0
		var f *storedFile
		if p.Token != nil {
			set++
			if f = s.files[*p.Token]; f == nil || f.typ != "image" {
				return "", badRequest("image: no image with token %q", *p.Token)
			}
		}
		if p.Photos != nil {
			set++
			if len(p.Photos) != 1 {
				return "", s.unmodelled(op, "an image payload with other than one photo")
			}
			for _, pt := range p.Photos {
				if f = s.files[pt.Token]; f == nil || f.typ != "image" {
					return "", badRequest("image: no uploaded image with token %q", pt.Token)
				}
			}
		}
		if p.URL != nil {
			set++
			u, err := url.Parse(*p.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				return "", badRequest("image.url: invalid URL")
			}
			f = &storedFile{typ: "image", name: path.Base(u.Path), mime: "image/jpeg", token: "ext." + strconv.Itoa(len(s.files)+1)}
		}
		if set != 1 {
			return "", badRequest("image: want exactly one of url, token and photos")
		}
		ct.photo = f.document()
		ct.atts = append(ct.atts, wAttachment{Type: "image", Payload: wImagePayload{PhotoID: f.photoID, Token: f.token, URL: s.fileURL(f)}})
	default:
		return "", s.unmodelled(op, "an attachment of type "+strconv.Quote(head.Type))
	}
	return head.Type, nil
}

// target resolves the recipient of POST /messages. s.mu must be held.
func (s *Server) target(c *apiCall) (*chatState, *apiError) {
	uid, cid := c.get("user_id"), c.get("chat_id")
	switch {
	case uid != "" && cid != "":
		return nil, badRequest("maxtest: both user_id and chat_id given")
	case uid != "":
		id, err := strconv.ParseInt(uid, 10, 64)
		if err != nil {
			return nil, badRequest("user_id: not an integer")
		}
		u := s.users[id]
		if u == nil {
			return nil, notFound("chat.not.found", "Dialog with user %d not found", id)
		}
		return s.chats[u.chatID], nil
	case cid != "":
		id, err := strconv.ParseInt(cid, 10, 64)
		if err != nil {
			return nil, badRequest("chat_id: not an integer")
		}
		ch := s.chats[id]
		if ch == nil {
			return nil, notFound("chat.not.found", "Chat %d not found", id)
		}
		return ch, nil
	}
	return nil, badRequest("maxtest: neither user_id nor chat_id given")
}

// writable refuses a chat the bot may not write to. s.mu must be held.
func writable(ch *chatState) *apiError {
	if ch.stopped {
		return &apiError{status: http.StatusForbidden, code: "chat.denied", msg: "The dialog is suspended: the user stopped the bot"}
	}
	if ch.removed {
		return &apiError{status: http.StatusForbidden, code: "chat.denied", msg: "The bot is not a member of the chat"}
	}
	return nil
}

func (s *Server) sendMessage(c *apiCall) (any, *apiError) {
	ch, aerr := s.target(c)
	if aerr != nil {
		return nil, aerr
	}
	if v := c.get("disable_link_preview"); v != "" && v != "true" && v != "false" {
		return nil, badRequest("disable_link_preview: not a boolean")
	}
	ct, aerr := s.parseBody(c.op, c.body, ch)
	if aerr != nil {
		return nil, aerr
	}
	if ct.text == "" && len(ct.atts) == 0 {
		return nil, badRequest("text: the message is empty")
	}
	if aerr := writable(ch); aerr != nil {
		return nil, aerr
	}
	if len(ct.unsupported) > 0 {
		s.unexpected = append(s.unexpected, c.op+": "+fmtUnsupported(ct.unsupported))
	}
	st := &msgState{sender: s.botUser(), atts: ct.atts, m: Message{
		Text: ct.text, Format: ct.format, Keyboard: ct.keyboard, Document: ct.doc, Photo: ct.photo,
		Silent: ct.silent, ReplyTo: ct.replyTo, NoLinkPreview: c.get("disable_link_preview") == "true",
		Date: time.UnixMilli(s.nowMillis()),
	}}
	s.addMessage(ch, st)
	s.stats.Sent++
	return wSendResult{Message: s.wireMessage(ch, st)}, nil
}

// findMessage finds a message by mid in any chat. s.mu must be held.
func (s *Server) findMessage(mid string) (*chatState, *msgState) {
	for _, c := range s.chats {
		if st := c.byMID[mid]; st != nil {
			return c, st
		}
	}
	return nil, nil
}

// applyEdit changes a bot message to ct; it reports whether anything
// changed. s.mu must be held.
func (s *Server) applyEdit(ch *chatState, st *msgState, ct content) bool {
	before := st.m.clone()
	beforeAtts := st.atts
	if ct.textSet {
		st.m.Text, st.m.Format = ct.text, ct.format
	}
	if ct.attsSet {
		st.m.Keyboard, st.m.Document, st.m.Photo, st.atts = ct.keyboard, ct.doc, ct.photo, ct.atts
	}
	if reflect.DeepEqual(before, st.m) && reflect.DeepEqual(beforeAtts, st.atts) {
		return false
	}
	st.m.Edits++
	ev := st.m.clone()
	ev.passed = s.passOver != nil && s.passOver(before, ev)
	ch.events = append(ch.events, ev)
	return true
}

func (s *Server) editMessage(c *apiCall) (any, *apiError) {
	mid := c.get("message_id")
	if mid == "" {
		return nil, badRequest("message_id: required")
	}
	ch, st := s.findMessage(mid)
	if st == nil || st.m.Deleted {
		return nil, notFound("not.found", "Message %s not found", mid)
	}
	if st.fromUser {
		return nil, &apiError{status: http.StatusForbidden, code: "access.denied", msg: "maxtest: the bot cannot edit a user's message"}
	}
	ct, aerr := s.parseBody(c.op, c.body, ch)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := writable(ch); aerr != nil {
		return nil, aerr
	}
	if len(ct.unsupported) > 0 {
		s.unexpected = append(s.unexpected, c.op+": "+fmtUnsupported(ct.unsupported))
	}
	if ct.replyTo != "" {
		return nil, s.unmodelled(c.op, "changing the reply of an edited message")
	}
	s.applyEdit(ch, st, ct)
	return wSimple{Success: true}, nil
}

func (s *Server) deleteMessage(c *apiCall) (any, *apiError) {
	mid := c.get("message_id")
	if mid == "" {
		return nil, badRequest("message_id: required")
	}
	_, st := s.findMessage(mid)
	if st == nil || st.m.Deleted {
		return nil, notFound("not.found", "Message %s not found", mid)
	}
	st.m.Deleted = true
	return wSimple{Success: true}, nil
}

func (s *Server) answerCallback(c *apiCall) (any, *apiError) {
	id := c.get("callback_id")
	if id == "" {
		return nil, badRequest("callback_id: required")
	}
	var a rCallbackAnswer
	if err := strictDecode(c.body, &a); err != nil {
		return nil, badRequest("maxtest: invalid CallbackAnswer: %v", err)
	}
	cb := s.callbacks[id]
	if cb == nil {
		return nil, notFound("not.found", "Callback %s not found", id)
	}
	if cb.answered {
		return nil, badRequest("maxtest: callback %s was already answered", id)
	}
	ans := CallbackAnswer{}
	if a.Notification.Set && !a.Notification.Null {
		ans.Notification = a.Notification.Value
	}
	if a.Message.Set && !a.Message.Null {
		ch := s.chats[cb.chatID]
		st := ch.byMID[cb.mid]
		if st == nil || st.m.Deleted || st.fromUser {
			return nil, notFound("not.found", "Message %s not found", cb.mid)
		}
		ct, aerr := s.checkBody(c.op, a.Message.Value, ch)
		if aerr != nil {
			aerr.msg = "message: " + aerr.msg
			return nil, aerr
		}
		if len(ct.unsupported) > 0 {
			s.unexpected = append(s.unexpected, c.op+": "+fmtUnsupported(ct.unsupported))
		}
		s.applyEdit(ch, st, ct)
		m := st.m.clone()
		ans.Message = &m
	}
	cb.answered, cb.answer = true, ans
	return wSimple{Success: true}, nil
}
