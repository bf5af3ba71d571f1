package telegramtest

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"unicode/utf16"
)

// This file holds the Bot API JSON shapes (the "wire" types) and the
// validation of what the bot sends (HTML, lengths; markup.go the reply
// markup).

type wUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

type wMe struct {
	ID                      int64  `json:"id"`
	IsBot                   bool   `json:"is_bot"`
	FirstName               string `json:"first_name"`
	Username                string `json:"username"`
	CanJoinGroups           bool   `json:"can_join_groups"`
	CanReadAllGroupMessages bool   `json:"can_read_all_group_messages"`
	SupportsInlineQueries   bool   `json:"supports_inline_queries"`
}

type wChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

type wEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

type wDocument struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wPhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

type wContact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
}

type wLocation struct {
	Longitude float64 `json:"longitude"`
	Latitude  float64 `json:"latitude"`
}

type wMessage struct {
	MessageID   int             `json:"message_id"`
	From        *wUser          `json:"from,omitempty"`
	Chat        wChat           `json:"chat"`
	Date        int64           `json:"date"`
	EditDate    int64           `json:"edit_date,omitempty"`
	Text        string          `json:"text,omitempty"`
	Entities    []wEntity       `json:"entities,omitempty"`
	Document    *wDocument      `json:"document,omitempty"`
	Photo       []wPhotoSize    `json:"photo,omitempty"`
	Caption     string          `json:"caption,omitempty"`
	Contact     *wContact       `json:"contact,omitempty"`
	Location    *wLocation      `json:"location,omitempty"`
	ReplyMarkup json.RawMessage `json:"reply_markup,omitempty"`
}

type wCallbackQuery struct {
	ID           string    `json:"id"`
	From         wUser     `json:"from"`
	Message      *wMessage `json:"message,omitempty"`
	ChatInstance string    `json:"chat_instance"`
	Data         string    `json:"data,omitempty"`
}

type wChatMember struct {
	User      wUser  `json:"user"`
	Status    string `json:"status"`
	UntilDate *int64 `json:"until_date,omitempty"`
}

type wChatMemberUpdated struct {
	Chat          wChat       `json:"chat"`
	From          wUser       `json:"from"`
	Date          int64       `json:"date"`
	OldChatMember wChatMember `json:"old_chat_member"`
	NewChatMember wChatMember `json:"new_chat_member"`
}

type wUpdate struct {
	UpdateID      int                 `json:"update_id"`
	Message       *wMessage           `json:"message,omitempty"`
	CallbackQuery *wCallbackQuery     `json:"callback_query,omitempty"`
	MyChatMember  *wChatMemberUpdated `json:"my_chat_member,omitempty"`
}

type wFile struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int    `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

type wResponseParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

type wResponse struct {
	OK          bool                 `json:"ok"`
	Result      any                  `json:"result,omitempty"`
	ErrorCode   int                  `json:"error_code,omitempty"`
	Description string               `json:"description,omitempty"`
	Parameters  *wResponseParameters `json:"parameters,omitempty"`
}

// apiError is an unsuccessful Bot API answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: 400, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

// tooManyRequests is Telegram's 429 asking to retry after ra seconds, at
// least one: retry_after is in whole seconds, and 0 would invite a retry
// at once.
func tooManyRequests(ra int) *apiError {
	ra = max(ra, 1)
	return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", ra), retryAfter: ra}
}

// The error descriptions used by api.telegram.org.
const (
	descUnauthorized   = "Unauthorized"
	descNotFound       = "Not Found: method not found"
	descBlocked        = "Forbidden: bot was blocked by the user"
	descNotModified    = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	descEditNotFound   = "message to edit not found"
	descDeleteNotFound = "message to delete not found"
	descQueryInvalid   = "query is too old and response timeout expired or query ID is invalid"
	descChatNotFound   = "chat not found"
	descConflict       = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	descMarkupJSON     = "can't parse reply keyboard markup JSON object"
	descMarkupLong     = "reply markup is too long"
)

// supportedTags are the HTML tags Telegram accepts with parse_mode HTML.
var supportedTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "tg-emoji": true, "blockquote": true,
}

// parseHTML validates Telegram-flavoured HTML and returns the plain text.
// The error string follows Telegram's "can't parse entities" messages.
func parseHTML(s string) (string, string) {
	if strings.IndexByte(s, '<') < 0 {
		return html.UnescapeString(s), "" // no tags to check
	}
	var b strings.Builder
	b.Grow(len(s)) // the text is at most s
	var stack []string
	i := 0
	for i < len(s) {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		start := i
		i++
		closing := false
		if i < len(s) && s[i] == '/' {
			closing = true
			i++
		}
		ns := i
		for i < len(s) && isTagChar(s[i]) {
			i++
		}
		name := strings.ToLower(s[ns:i])
		if closing {
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if i >= len(s) || s[i] != '>' {
				return "", fmt.Sprintf("Unclosed end tag at byte offset %d", start)
			}
			i++
			if len(stack) == 0 {
				return "", fmt.Sprintf("Unexpected end tag at byte offset %d", start)
			}
			if top := stack[len(stack)-1]; name != top {
				return "", fmt.Sprintf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", start, top, name)
			}
			stack = stack[:len(stack)-1]
			continue
		}
		if !supportedTags[name] {
			return "", fmt.Sprintf("Unsupported start tag \"%s\" at byte offset %d", name, start)
		}
		for {
			if i >= len(s) {
				return "", fmt.Sprintf("Unclosed start tag at byte offset %d", start)
			}
			c := s[i]
			if c == '>' {
				i++
				break
			}
			if c == '"' || c == '\'' {
				j := strings.IndexByte(s[i+1:], c)
				if j < 0 {
					return "", fmt.Sprintf("Unclosed start tag at byte offset %d", start)
				}
				i += j + 2
				continue
			}
			i++
		}
		stack = append(stack, name)
	}
	if len(stack) > 0 {
		return "", fmt.Sprintf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return html.UnescapeString(b.String()), ""
}

func isTagChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// utf16Len is the length of s in UTF-16 code units, the unit Telegram uses
// for lengths and entity offsets.
func utf16Len(s string) int {
	n := 0
	for _, r := range s { // r is always valid: invalid bytes decode as U+FFFD
		n += utf16.RuneLen(r)
	}
	return n
}

// checkText validates a text or caption with its parse mode and returns the
// error Telegram would answer, or nil. empty is the description used for an
// empty text ("" when an empty text is allowed); tooLong the description
// used when the text is longer than max.
func checkText(text, parseMode string, max int, empty, tooLong string) *apiError {
	plain := text
	switch strings.ToLower(parseMode) {
	case "":
	case "html":
		p, msg := parseHTML(text)
		if msg != "" {
			return badRequest("can't parse entities: %s", msg)
		}
		plain = p
	case "markdown", "markdownv2":
		// Not validated: the markup is counted in the length.
		plain = stripMarkdownEscapes(text)
	default:
		return badRequest("unsupported parse_mode")
	}
	if empty != "" && strings.TrimSpace(plain) == "" {
		return badRequest("%s", empty)
	}
	if utf16Len(plain) > max {
		if parseMode == "" || strings.EqualFold(parseMode, "html") {
			return badRequest("%s", tooLong)
		}
	}
	return nil
}

func stripMarkdownEscapes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	esc := false
	for _, r := range s {
		if r == '\\' && !esc {
			esc = true
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return b.String()
}

// PlainText returns the text of a message as a user sees it: for parse mode
// HTML the tags are removed and the entities unescaped, for MarkdownV2 and
// Markdown the backslash escapes are removed; otherwise Text as is. For a
// document or photo it is the caption.
func (m Message) PlainText() string {
	t := m.Text
	if m.Document != nil || m.Photo != nil {
		t = m.Caption
	}
	switch strings.ToLower(m.ParseMode) {
	case "html":
		if p, msg := parseHTML(t); msg == "" {
			return p
		}
	case "markdown", "markdownv2":
		return stripMarkdownEscapes(t)
	}
	return t
}
