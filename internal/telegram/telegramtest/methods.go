package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // photo sizes
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The method handlers run with s.mu held.

func (s *Server) getMe(*call) (any, *apiError) {
	return wMe{
		ID: s.opts.BotID, IsBot: true, FirstName: s.opts.BotFirstName, Username: s.opts.BotUsername,
		CanJoinGroups: true,
	}, nil
}

// chatParam resolves chat_id. For send and edit calls (write) a blocked
// chat answers 403.
func (s *Server) chatParam(c *call, write bool) (*chatState, *apiError) {
	raw := strings.TrimSpace(c.get("chat_id"))
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, badRequest(descChatNotFound)
	}
	ch := s.chats[id]
	if ch == nil {
		return nil, badRequest(descChatNotFound)
	}
	if write && ch.blocked {
		return nil, &apiError{code: 403, desc: descBlocked}
	}
	return ch, nil
}

func boolParam(v string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(v))
	return b
}

// checkReply validates reply_to_message_id. s.mu must be held.
func checkReply(ch *chatState, c *call) (int, *apiError) {
	raw := c.get("reply_to_message_id")
	if raw == "" || raw == "0" {
		return 0, nil
	}
	id, err := strconv.Atoi(raw)
	if err != nil {
		return 0, badRequest("message to be replied not found")
	}
	if st := ch.byID[id]; st == nil || st.m.Deleted {
		if boolParam(c.get("allow_sending_without_reply")) {
			return 0, nil
		}
		return 0, badRequest("message to be replied not found")
	}
	return id, nil
}

const (
	maxText    = 4096
	maxCaption = 1024
)

// outgoing is a send call whose common parameters passed the checks.
type outgoing struct {
	ch         *chatState
	text, mode string // the text or caption and its parse_mode
	mk         markup
	reply      int
}

// checkSend checks the parameters every send method has, in Telegram's
// order: the chat, the text (textParam, "text" or "caption") within
// limit, the reply markup, the message replied to. s.mu must be held.
func (s *Server) checkSend(c *call, textParam string, limit int, emptyDesc, longDesc string) (outgoing, *apiError) {
	ch, aerr := s.chatParam(c, true)
	if aerr != nil {
		return outgoing{}, aerr
	}
	o := outgoing{ch: ch, text: c.get(textParam), mode: c.get("parse_mode")}
	if aerr := checkText(o.text, o.mode, limit, emptyDesc, longDesc); aerr != nil {
		return outgoing{}, aerr
	}
	if o.mk, aerr = parseMarkup(c.get("reply_markup")); aerr != nil {
		return outgoing{}, aerr
	}
	if o.reply, aerr = checkReply(ch, c); aerr != nil {
		return outgoing{}, aerr
	}
	return o, nil
}

// deliver sends a bot message unless the flood limits refuse it. fill
// completes the message; it runs only once the limits let it through, so
// a refused send stores nothing. s.mu must be held.
func (s *Server) deliver(o outgoing, fill func(st *msgState)) (any, *apiError) {
	now := time.Now()
	if aerr := s.checkLimits(o.ch.id, now); aerr != nil {
		return nil, aerr
	}
	st := &msgState{canon: o.mk.canon, m: Message{
		ParseMode: o.mode, Keyboard: o.mk.keyboard, ReplyMarkup: o.mk.raw, ReplyTo: o.reply, Date: s.now(),
	}}
	fill(st)
	o.ch.addMessage(st)
	s.recordSend(o.ch.id, now)
	return s.wireBotMessage(o.ch, st), nil
}

func (s *Server) sendMessage(c *call) (any, *apiError) {
	o, aerr := s.checkSend(c, "text", maxText, "message text is empty", "message is too long")
	if aerr != nil {
		return nil, aerr
	}
	return s.deliver(o, func(st *msgState) {
		st.m.Text = o.text
		st.m.DisableWebPagePreview = boolParam(c.get("disable_web_page_preview"))
	})
}

func (s *Server) sendDocument(c *call) (any, *apiError) { return s.sendFile(c, "document") }

func (s *Server) sendPhoto(c *call) (any, *apiError) { return s.sendFile(c, "photo") }

// sendFile implements sendDocument and sendPhoto; field is the file
// parameter.
func (s *Server) sendFile(c *call, field string) (any, *apiError) {
	o, aerr := s.checkSend(c, "caption", maxCaption, "", "message caption is too long")
	if aerr != nil {
		return nil, aerr
	}
	isPhoto := field == "photo"
	var f *storedFile
	if up := c.files[field]; up != nil {
		if len(up.data) == 0 {
			return nil, badRequest("file must be non-empty")
		}
		if isPhoto {
			f = &storedFile{name: up.name, mime: photoMIME(up.data), data: up.data}
		} else {
			f = &storedFile{name: up.name, mime: mimeFor(up.name, up.contentType), data: up.data}
		}
	} else {
		ref := strings.TrimSpace(c.get(field))
		switch {
		case ref == "":
			return nil, badRequest("there is no %s in the request", field)
		case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
			name := path.Base(ref)
			f = &storedFile{name: name, mime: mimeFor(name, "")}
		default:
			known := s.files[ref]
			if known == nil {
				return nil, badRequest("wrong file identifier/HTTP URL specified")
			}
			if isPhoto && known.width == 0 && known.height == 0 && !strings.HasPrefix(known.mime, "image/") {
				return nil, badRequest("type of file mismatch")
			}
			f = known
		}
	}
	return s.deliver(o, func(st *msgState) {
		if s.files[f.id] != f {
			dir := "documents"
			if isPhoto {
				dir = "photos"
			}
			f = s.storeFile(dir, f.name, f.mime, f.data, isPhoto)
		}
		doc := &Document{Name: f.name, Bytes: f.data, MIME: f.mime}
		st.m.Caption = o.text
		if isPhoto {
			st.photo, st.m.Photo = f, doc
		} else {
			st.doc, st.m.Document = f, doc
		}
	})
}

// editTarget resolves the chat and message of an edit. s.mu must be held.
func (s *Server) editTarget(c *call) (*chatState, *msgState, *apiError) {
	if c.get("inline_message_id") != "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	ch, aerr := s.chatParam(c, true)
	if aerr != nil {
		return nil, nil, aerr
	}
	raw := strings.TrimSpace(c.get("message_id"))
	if raw == "" {
		return nil, nil, badRequest("message identifier is not specified")
	}
	id, err := strconv.Atoi(raw)
	if err != nil {
		return nil, nil, badRequest(descEditNotFound)
	}
	st := ch.byID[id]
	if st == nil || st.m.Deleted {
		return nil, nil, badRequest(descEditNotFound)
	}
	if st.fromUser {
		return nil, nil, badRequest("message can't be edited")
	}
	return ch, st, nil
}

func (s *Server) editMessageText(c *call) (any, *apiError) {
	ch, st, aerr := s.editTarget(c)
	if aerr != nil {
		return nil, aerr
	}
	if st.doc != nil || st.photo != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	text, mode := c.get("text"), c.get("parse_mode")
	if aerr := checkText(text, mode, maxText, "message text is empty", "message is too long"); aerr != nil {
		return nil, aerr
	}
	mk, aerr := parseMarkup(c.get("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	same := text == st.m.Text && strings.EqualFold(mode, st.m.ParseMode)
	if !same {
		// Different markup that renders to the same unformatted text is
		// the same content too.
		newPlain, oldPlain := Message{Text: text, ParseMode: mode}.PlainText(), st.m.PlainText()
		same = newPlain == oldPlain && newPlain == text && oldPlain == st.m.Text
	}
	if same && bytes.Equal(mk.canon, st.canon) {
		return nil, badRequest(descNotModified)
	}
	if aerr := s.checkEdit(ch.id, time.Now()); aerr != nil {
		return nil, aerr
	}
	before := st.m.clone()
	st.m.Text, st.m.ParseMode = text, mode
	st.m.DisableWebPagePreview = boolParam(c.get("disable_web_page_preview"))
	s.applyMarkup(ch, st, mk, before)
	return s.wireBotMessage(ch, st), nil
}

func (s *Server) editMessageReplyMarkup(c *call) (any, *apiError) {
	ch, st, aerr := s.editTarget(c)
	if aerr != nil {
		return nil, aerr
	}
	mk, aerr := parseMarkup(c.get("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	if bytes.Equal(mk.canon, st.canon) {
		return nil, badRequest(descNotModified)
	}
	if aerr := s.checkEdit(ch.id, time.Now()); aerr != nil {
		return nil, aerr
	}
	s.applyMarkup(ch, st, mk, st.m.clone())
	return s.wireBotMessage(ch, st), nil
}

// applyMarkup finishes an edit of a message that was before: new
// keyboard, edit count and event.
func (s *Server) applyMarkup(ch *chatState, st *msgState, mk markup, before Message) {
	st.canon = mk.canon
	st.m.Keyboard = mk.keyboard
	st.m.ReplyMarkup = mk.raw
	st.m.Edits++
	st.editDate = s.now().Unix()
	ev := st.m.clone()
	ev.passed = s.passOver != nil && s.passOver(before, ev)
	ch.events = append(ch.events, ev)
}

func (s *Server) deleteMessage(c *call) (any, *apiError) {
	ch, aerr := s.chatParam(c, false)
	if aerr != nil {
		return nil, aerr
	}
	id, err := strconv.Atoi(strings.TrimSpace(c.get("message_id")))
	if err != nil {
		return nil, badRequest("message identifier is not specified")
	}
	st := ch.byID[id]
	if st == nil || st.m.Deleted {
		return nil, badRequest(descDeleteNotFound)
	}
	st.m.Deleted = true
	return true, nil
}

func (s *Server) answerCallbackQuery(c *call) (any, *apiError) {
	cb := s.callbacks[c.get("callback_query_id")]
	if cb == nil || cb.answered {
		return nil, badRequest(descQueryInvalid)
	}
	if utf8.RuneCountInString(c.get("text")) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	cb.answered = true
	cb.answer = CallbackAnswer{Text: c.get("text"), ShowAlert: boolParam(c.get("show_alert")), URL: c.get("url")}
	return true, nil
}

func (s *Server) getFile(c *call) (any, *apiError) {
	f := s.files[c.get("file_id")]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	return wFile{FileID: f.id, FileUniqueID: f.uniqueID, FileSize: len(f.data), FilePath: f.path}, nil
}

var commandRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// commandScope parses the scope and language_code parameters into a key.
func commandScope(c *call) (cmdKey, *apiError) {
	key := cmdKey{scope: "default", lang: c.get("language_code")}
	raw := strings.TrimSpace(c.get("scope"))
	if raw == "" {
		return key, nil
	}
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		return key, badRequest("can't parse BotCommandScope JSON object")
	}
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
	case "chat", "chat_administrators", "chat_member":
		chat := strings.Trim(string(sc.ChatID), `"`)
		id, err := strconv.ParseInt(chat, 10, 64)
		if err != nil || id == 0 {
			return key, badRequest("chat not found")
		}
		key.chatID = id
		if sc.Type == "chat_member" {
			if sc.UserID == 0 {
				return key, badRequest("user not found")
			}
			key.userID = sc.UserID
		}
	default:
		return key, badRequest("wrong bot command scope type specified")
	}
	key.scope = sc.Type
	return key, nil
}

func (s *Server) setMyCommands(c *call) (any, *apiError) {
	if !c.params.Has("commands") {
		return nil, badRequest("parameter \"commands\" is required")
	}
	var cmds []BotCommand
	if err := json.Unmarshal([]byte(c.get("commands")), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, cmd := range cmds {
		if !commandRE.MatchString(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(cmd.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, aerr := commandScope(c)
	if aerr != nil {
		return nil, aerr
	}
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.cmdSeq++
		s.commands[key] = cmdEntry{cmds: cmds, seq: s.cmdSeq}
	}
	return true, nil
}

func (s *Server) deleteMyCommands(c *call) (any, *apiError) {
	key, aerr := commandScope(c)
	if aerr != nil {
		return nil, aerr
	}
	delete(s.commands, key)
	return true, nil
}

func (s *Server) sendChatAction(c *call) (any, *apiError) {
	if _, aerr := s.chatParam(c, true); aerr != nil {
		return nil, aerr
	}
	switch c.get("action") {
	case "typing", "upload_photo", "record_video", "upload_video", "record_voice",
		"upload_voice", "upload_document", "choose_sticker", "find_location",
		"record_video_note", "upload_video_note":
		return true, nil
	}
	return nil, badRequest("wrong parameter action in request")
}

// --- files --------------------------------------------------------------

// storeFile stores a file under a new file_id. s.mu must be held.
func (s *Server) storeFile(dir, name, mimeType string, data []byte, photo bool) *storedFile {
	s.nextFile++
	n := s.nextFile
	f := &storedFile{
		id:       fmt.Sprintf("BQACAgIAAxkBAAI%06d", n),
		uniqueID: fmt.Sprintf("AgAD%06d", n),
		name:     name,
		mime:     mimeType,
		data:     data,
	}
	ext := path.Ext(name)
	if photo {
		f.id = fmt.Sprintf("AgACAgIAAxkBAAI%06d", n)
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
			f.width, f.height = cfg.Width, cfg.Height
		}
		ext = ".jpg"
	}
	f.path = fmt.Sprintf("%s/file_%d%s", dir, n, ext)
	s.files[f.id] = f
	s.filesByPath[f.path] = f
	return f
}

func (f *storedFile) wireDocument() *wDocument {
	return &wDocument{FileID: f.id, FileUniqueID: f.uniqueID, FileName: f.name, MimeType: f.mime, FileSize: len(f.data)}
}

func (f *storedFile) wirePhoto() []wPhotoSize {
	return []wPhotoSize{{FileID: f.id, FileUniqueID: f.uniqueID, Width: f.width, Height: f.height, FileSize: len(f.data)}}
}

// mimeTypes are the MIME types of common extensions; a fixed table keeps
// the answers independent of the system's mime.types.
var mimeTypes = map[string]string{
	".txt": "text/plain", ".csv": "text/csv", ".json": "application/json",
	".pdf": "application/pdf", ".zip": "application/zip", ".png": "image/png",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".html": "text/html", ".htm": "text/html", ".xml": "application/xml",
	".yaml": "application/x-yaml", ".yml": "application/x-yaml",
	".toml": "application/toml", ".gz": "application/gzip", ".md": "text/markdown",
	".db": "application/octet-stream", ".tar": "application/x-tar",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".ics":  "text/calendar",
}

// mimeFor guesses the MIME type of a file from its name, else from the
// part's Content-Type.
func mimeFor(name, partType string) string {
	if t, ok := mimeTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	if partType != "" && partType != "application/octet-stream" {
		return partType
	}
	return "application/octet-stream"
}

func photoMIME(data []byte) string {
	if t := http.DetectContentType(data); strings.HasPrefix(t, "image/") {
		return t
	}
	return "image/jpeg"
}
