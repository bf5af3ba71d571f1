package mmo

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// FlowNews is a leader's or coordinator's announcement being written:
// Draft["n"] is its JSON.
const FlowNews = "news"

// Limits of an announcement.
const (
	NewsTextMin = 5
	NewsTextMax = 3000
	NewsFiles   = 5
	// NewsFileMax is the largest file an announcement carries: what a
	// bot may fetch from Telegram, so that every file can also be put
	// into the materials bank and its archives.
	NewsFileMax = 20 << 20
)

// Codes of announcement refusals.
const (
	CodeInsecureLink Code = "insecure_link" // a link that is not https
	CodeFileTooLarge Code = "file_too_large"
	CodeTooManyFiles Code = "too_many_files"
)

// NewsFile is a file sent with an announcement, by the messenger's id.
type NewsFile struct {
	Attachment
	Size int64 `json:"size,omitempty"`
}

// News is an announcement to the members of associations, or to every
// teacher.
type News struct {
	ID             uint64     `json:"id"`
	AuthorID       int64      `json:"author"`
	AssociationIDs []uint64   `json:"associations,omitempty"`
	All            bool       `json:"all,omitempty"`
	Text           string     `json:"text"`
	Link           string     `json:"link,omitempty"`
	Files          []NewsFile `json:"files,omitempty"`
	Recipients     int        `json:"recipients"`
	Broadcast      uint64     `json:"broadcast,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// For reports whether a user of the given active memberships is among
// the news' readers.
func (n *News) For(uid int64, associations []uint64) bool {
	if n.All || n.AuthorID == uid {
		return true
	}
	for _, a := range associations {
		for _, b := range n.AssociationIDs {
			if a == b {
				return true
			}
		}
	}
	return false
}

var plainLink = regexp.MustCompile(`(?i)\bhttp://\S+`)

// ValidateNewsText checks an announcement's text: its length, and that no
// link in it is plain http, which readers' browsers warn about and anyone
// on the way can change.
func ValidateNewsText(s string) (string, error) {
	text, err := ValidateLongText("news", s, NewsTextMin, NewsTextMax)
	if err != nil {
		return "", err
	}
	if plainLink.MatchString(text) {
		return "", Errorf(CodeInsecureLink, "news")
	}
	return text, nil
}

// ValidateNewsLink checks the link of an announcement: https only, with a
// host, no spaces.
func ValidateNewsLink(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || strings.ContainsAny(s, " <>\"\n") {
		return "", Errorf(CodeInvalid, FieldLink)
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return "", Errorf(CodeInsecureLink, FieldLink)
	}
	return s, nil
}

// AddNewsFile adds a file to an announcement's files, refusing a sixth
// and one over the size limit.
func AddNewsFile(files []NewsFile, f NewsFile) ([]NewsFile, error) {
	if len(files) >= NewsFiles {
		return files, &Error{Code: CodeTooManyFiles, Field: "files", Limit: NewsFiles}
	}
	if f.Size > NewsFileMax {
		return files, &Error{Code: CodeFileTooLarge, Field: "file", Limit: NewsFileMax >> 20}
	}
	return append(files[:len(files):len(files)], f), nil
}
