package maxtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strconv"
	"strings"
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

// parseKeyboard checks the rows of an inline keyboard. s.mu must be held.
func (s *Server) parseKeyboard(op string, rows [][]json.RawMessage) ([][]Button, *apiError) {
	if len(rows) == 0 {
		return nil, badRequest("inline_keyboard.buttons: at least one row")
	}
	if len(rows) > maxRows {
		return nil, badRequest("inline_keyboard.buttons: more than %d rows", maxRows)
	}
	kb := make([][]Button, 0, len(rows))
	for i, row := range rows {
		if len(row) == 0 {
			return nil, badRequest("inline_keyboard.buttons[%d]: empty row", i)
		}
		var r []Button
		for j, raw := range row {
			at := fmt.Sprintf("inline_keyboard.buttons[%d][%d]", i, j)
			var rb rButton
			if err := strictDecode(raw, &rb); err != nil {
				var head struct {
					Type string `json:"type"`
				}
				if json.Unmarshal(raw, &head) == nil && !modelledButton(head.Type) {
					return nil, s.unmodelled(op, "a button of type "+strconv.Quote(head.Type))
				}
				return nil, badRequest("%s: %v", at, err)
			}
			if n := utf8.RuneCountInString(rb.Text); n < 1 || n > maxBtnText {
				return nil, badRequest("%s.text: size must be between 1 and %d, got %d", at, maxBtnText, n)
			}
			b := Button{Type: rb.Type, Text: rb.Text}
			extra := func(names ...string) *apiError {
				got := map[string]bool{"payload": rb.Payload != nil, "intent": rb.Intent != nil, "url": rb.URL != nil, "quick": rb.Quick != nil}
				for _, n := range names {
					delete(got, n)
				}
				for n, set := range got {
					if set {
						return badRequest("%s: a %s button has no field %q", at, rb.Type, n)
					}
				}
				return nil
			}
			switch rb.Type {
			case "callback":
				if aerr := extra("payload", "intent"); aerr != nil {
					return nil, aerr
				}
				if rb.Payload == nil || *rb.Payload == "" {
					return nil, badRequest("%s.payload: required", at)
				}
				if n := utf8.RuneCountInString(*rb.Payload); n > maxCBData {
					return nil, badRequest("%s.payload: size must be at most %d, got %d", at, maxCBData, n)
				}
				b.Payload = *rb.Payload
				if rb.Intent != nil {
					switch *rb.Intent {
					case "default", "positive", "negative":
						b.Intent = *rb.Intent
					default:
						return nil, badRequest("%s.intent: unknown value %q", at, *rb.Intent)
					}
				}
			case "link":
				if aerr := extra("url"); aerr != nil {
					return nil, aerr
				}
				if rb.URL == nil {
					return nil, badRequest("%s.url: required", at)
				}
				if n := utf8.RuneCountInString(*rb.URL); n > maxLinkURL {
					return nil, badRequest("%s.url: size must be at most %d, got %d", at, maxLinkURL, n)
				}
				u, err := url.Parse(*rb.URL)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return nil, badRequest("%s.url: invalid URL %q", at, *rb.URL)
				}
				b.URL = *rb.URL
			case "request_geo_location":
				if aerr := extra("quick"); aerr != nil {
					return nil, aerr
				}
				b.Quick = rb.Quick != nil && *rb.Quick
			case "request_contact", "message":
				if aerr := extra(); aerr != nil {
					return nil, aerr
				}
			default:
				return nil, s.unmodelled(op, "a button of type "+strconv.Quote(rb.Type))
			}
			r = append(r, b)
		}
		kb = append(kb, r)
	}
	return kb, nil
}

func modelledButton(t string) bool {
	switch t {
	case "callback", "link", "request_geo_location", "request_contact", "message":
		return true
	}
	return false
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
	ch.events = append(ch.events, st.m.clone())
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

// --- uploads and files ---------------------------------------------------------

type uploadSlot struct {
	id    string
	typ   string
	token string // of a video or audio, known in advance
	used  bool
}

type storedFile struct {
	token   string
	typ     string // "file", "image", "video", "audio"
	name    string
	mime    string
	data    []byte
	photoID int64
	id      string // download path id
}

func (f *storedFile) document() *Document {
	return &Document{Name: f.name, Bytes: append([]byte(nil), f.data...), MIME: f.mime, Token: f.token}
}

// wUploadEndpoint is the schema's UploadEndpoint.
type wUploadEndpoint struct {
	URL   string  `json:"url"`
	Token *string `json:"token,omitempty"`
}

func (s *Server) uploadURL(c *apiCall) (any, *apiError) {
	typ := c.get("type")
	switch typ {
	case "file", "image", "video", "audio":
	default:
		return nil, badRequest("type: unknown upload type %q", typ)
	}
	s.nextUpload++
	slot := &uploadSlot{id: strconv.FormatInt(s.nextUpload, 10), typ: typ}
	s.uploads[slot.id] = slot
	ep := wUploadEndpoint{URL: fmt.Sprintf("%s/upload/%s?sig=%x", s.base, slot.id, s.nextUpload*7919)}
	if typ == "video" || typ == "audio" {
		slot.token = fmt.Sprintf("%s.tok.%08x.%06d", typ, s.instance, s.nextUpload)
		ep.Token = &slot.token
	}
	return ep, nil
}

// storeFile keeps bytes under a new token. s.mu must be held.
func (s *Server) storeFile(typ, name string, data []byte) *storedFile {
	s.nextFile++
	n := s.nextFile
	f := &storedFile{
		token: fmt.Sprintf("f%08x%06dTOKEN%s", s.instance, n, typ), typ: typ, name: name,
		mime: mimeFor(name, data), data: append([]byte(nil), data...),
		id: strconv.FormatInt(n, 10),
	}
	if typ == "image" {
		f.photoID = 770000000 + n
	}
	s.files[f.token] = f
	s.filesByID[f.id] = f
	return f
}

// fileURL is where a stored file is downloaded. s.mu must be held.
func (s *Server) fileURL(f *storedFile) string {
	if f.id == "" {
		return "https://example.org/external/" + url.PathEscape(f.name)
	}
	return s.base + "/files/" + f.id + "/" + url.PathEscape(f.name)
}

// serveUpload is the upload host: POST /upload/<slot> with the bytes as
// multipart form data (part "data"), once per slot.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, req *Request, body []byte, readErr error) {
	s.mu.Lock()
	s.calls[req.Op()]++
	if r.Header.Get("Authorization") != "" {
		s.unexpected = append(s.unexpected, req.Op()+": the Authorization header was sent to the upload host")
		s.mu.Unlock()
		s.answer(w, req, nil, &apiError{status: http.StatusForbidden, code: "access.denied", msg: "maxtest: the upload host is not the API: do not send it the token"})
		return
	}
	c := &apiCall{op: req.Op(), query: req.Query}
	fault := s.takeFault(c)
	slot := s.uploads[strings.TrimPrefix(r.URL.Path, "/upload/")]
	s.mu.Unlock()
	if fault != nil && s.applyFault(w, r, req, fault) {
		return
	}
	switch {
	case r.Method != http.MethodPost:
		s.answer(w, req, nil, &apiError{status: http.StatusMethodNotAllowed, code: "method.not.allowed", msg: "use POST"})
		return
	case slot == nil:
		s.answer(w, req, nil, notFound("not.found", "unknown upload URL"))
		return
	case readErr != nil || len(body) > maxBody:
		s.answer(w, req, nil, badRequest("cannot read the upload"))
		return
	}
	name, data, err := multipartFile(r.Header.Get("Content-Type"), body)
	if err != nil {
		s.answer(w, req, nil, badRequest("maxtest: %v", err))
		return
	}
	req.Description = fmt.Sprintf("upload of %q, %d bytes", name, len(data))
	s.mu.Lock()
	if slot.used {
		s.mu.Unlock()
		s.answer(w, req, nil, badRequest("maxtest: upload URL already used"))
		return
	}
	slot.used = true
	f := s.storeFile(slot.typ, name, data)
	if slot.token != "" {
		delete(s.files, f.token)
		f.token = slot.token
		s.files[f.token] = f
	}
	s.broadcast()
	s.mu.Unlock()
	switch slot.typ {
	case "image":
		s.answer(w, req, map[string]any{"photos": map[string]any{strconv.FormatInt(f.photoID, 10): map[string]string{"token": f.token}}}, nil)
	case "file":
		s.answer(w, req, map[string]string{"token": f.token}, nil)
	default:
		// Video and audio: the token came with the URL; the upload host
		// answers something that is not JSON.
		req.Status, req.Response = http.StatusOK, []byte("<retval>1</retval>")
		s.record(req)
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(req.Response)
	}
}

// multipartFile reads the "data" file part of a multipart body.
func multipartFile(contentType string, body []byte) (string, []byte, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		return "", nil, fmt.Errorf("want multipart/form-data, got %q", contentType)
	}
	mr := newMultipartReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err != nil {
			return "", nil, fmt.Errorf("no file part \"data\" in the upload")
		}
		if part.FormName() != "data" {
			continue
		}
		data, err := readAll(part, maxFileSize)
		if err != nil {
			return "", nil, err
		}
		if len(data) == 0 {
			return "", nil, fmt.Errorf("empty file")
		}
		name := part.FileName()
		if name == "" {
			return "", nil, fmt.Errorf("the data part has no file name")
		}
		return name, data, nil
	}
}

// serveFile serves GET /files/<id>/<name>: the bytes of a stored file.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, req *Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/files/")
	id, _, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	s.calls[req.Op()]++
	f := s.filesByID[id]
	c := &apiCall{op: req.Op(), query: req.Query}
	fault := s.takeFault(c)
	s.mu.Unlock()
	if fault != nil && s.applyFault(w, r, req, fault) {
		return
	}
	if f == nil || r.Method != http.MethodGet {
		s.answer(w, req, nil, notFound("not.found", "no such file"))
		return
	}
	req.Status = http.StatusOK
	req.Description = fmt.Sprintf("%d bytes", len(f.data))
	s.record(req)
	w.Header().Set("Content-Type", f.mime)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	_, _ = w.Write(f.data)
}

// mimeTypes are the MIME types of common extensions; a fixed table keeps
// the answers independent of the system's mime.types.
var mimeTypes = map[string]string{
	".txt": "text/plain", ".csv": "text/csv", ".json": "application/json",
	".pdf": "application/pdf", ".zip": "application/zip", ".png": "image/png",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".ics":  "text/calendar",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

func mimeFor(name string, data []byte) string {
	if t, ok := mimeTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	if len(data) > 0 {
		return http.DetectContentType(data)
	}
	return "application/octet-stream"
}

func newMultipartReader(body []byte, boundary string) *multipart.Reader {
	return multipart.NewReader(bytes.NewReader(body), boundary)
}

// readAll reads at most limit bytes, failing beyond.
func readAll(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file larger than %d bytes", limit)
	}
	return data, nil
}
