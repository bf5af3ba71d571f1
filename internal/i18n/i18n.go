// Package i18n renders the bot's texts from the catalogs in locales/, with
// CLDR plural rules (go-i18n) and HTML escaping of every argument, since
// messages are sent in Telegram's HTML parse mode. String arguments are
// cleaned first as the domain cleans typed text (mmo.CleanText), so that a
// record stored before that rule cannot reverse the text of a message.
package i18n

import (
	"fmt"
	"html"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Default is the language used when nothing better is known.
const Default = "ru"

// Catalog holds the messages of every language.
type Catalog struct {
	locs  map[string]*goi18n.Localizer
	langs []string
	// plain holds, per language, the messages without plural forms whose
	// text is literal runs and {{.Name}} fields only — every such message
	// of the catalogs — cut into parts once. T renders them by joining
	// the parts: a text/template execution (reflection over the argument
	// map) for each line of a list, with the other texts, was 7 % of the
	// CPU of a burst of updates. Anything else goes through go-i18n.
	plain map[string]map[string][]part
}

// part is a piece of a plain message: literal text, or the name of a
// field when field is true.
type part struct {
	text  string
	field bool
}

// fieldRE is a template action the plain messages may hold: a field of
// the argument map, with nothing else around it.
var fieldRE = regexp.MustCompile(`\{\{\.([A-Za-z_][A-Za-z0-9_]*)\}\}`)

// cut splits a message's text into parts, or reports that it holds more
// than literal text and plain fields (then go-i18n renders it).
func cut(text string) ([]part, bool) {
	var parts []part
	for {
		loc := fieldRE.FindStringSubmatchIndex(text)
		if loc == nil {
			if strings.Contains(text, "{{") || strings.Contains(text, "}}") {
				return nil, false
			}
			if text != "" {
				parts = append(parts, part{text: text})
			}
			return parts, true
		}
		lit := text[:loc[0]]
		if strings.Contains(lit, "{{") || strings.Contains(lit, "}}") {
			return nil, false
		}
		if lit != "" {
			parts = append(parts, part{text: lit})
		}
		parts = append(parts, part{text: text[loc[2]:loc[3]], field: true})
		text = text[loc[1]:]
	}
}

// Raw marks an argument as already-safe HTML (for example a fragment
// rendered by another catalog message) so it is not escaped again.
type Raw string

// New loads every <lang>.toml file of fsys. The default language must be
// among them.
func New(fsys fs.FS) (*Catalog, error) {
	b := goi18n.NewBundle(language.Make(Default))
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	c := &Catalog{locs: map[string]*goi18n.Localizer{}, plain: map[string]map[string][]part{}}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(data, f)
		if err != nil {
			return nil, fmt.Errorf("locale %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".toml")
		plain := map[string][]part{}
		for _, m := range mf.Messages {
			if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" ||
				m.LeftDelim != "" && m.LeftDelim != "{{" || m.RightDelim != "" && m.RightDelim != "}}" {
				continue
			}
			if parts, ok := cut(m.Other); ok {
				plain[m.ID] = parts
			}
		}
		c.plain[lang] = plain
		c.locs[lang] = goi18n.NewLocalizer(b, lang)
		c.langs = append(c.langs, lang)
	}
	if c.locs[Default] == nil {
		return nil, fmt.Errorf("locales: no %s.toml", Default)
	}
	sort.Strings(c.langs)
	return c, nil
}

// Langs returns the languages of the catalog, sorted.
func (c *Catalog) Langs() []string { return c.langs }

// Has reports whether lang is a language of the catalog.
func (c *Catalog) Has(lang string) bool { return c.locs[lang] != nil }

// Match picks the language for a user: their saved choice, else their
// Telegram client's language when the catalog has it, else the default.
func (c *Catalog) Match(saved, telegramCode string) string {
	if c.Has(saved) {
		return saved
	}
	code := strings.ToLower(telegramCode)
	if i := strings.IndexAny(code, "-_"); i > 0 {
		code = code[:i]
	}
	if c.Has(code) {
		return code
	}
	return Default
}

// T renders a message. args are name/value pairs for the template
// ("Name", u.Name, ...); string values are cleaned (mmo.CleanText) and
// HTML-escaped unless given as Raw. A missing key is logged and rendered as the key itself, so a
// mistake shows up in tests without crashing a user's request; a name
// without a value or a name that is not a string is logged and left out.
func (c *Catalog) T(lang, key string, args ...any) string {
	return c.render(lang, key, nil, args)
}

// N renders a message with plural forms chosen by count, which is also
// available to the template as .Count.
func (c *Catalog) N(lang, key string, count int, args ...any) string {
	return c.render(lang, key, count, append([]any{"Count", count}, args...))
}

func (c *Catalog) render(lang, key string, count any, args []any) string {
	loc := c.locs[lang]
	if loc == nil {
		loc, lang = c.locs[Default], Default
	}
	if count == nil {
		if parts, ok := c.plain[lang][key]; ok {
			if s, ok := joinParts(parts, args); ok {
				return s
			}
		}
	}
	if len(args)%2 != 0 {
		// A name without a value is a mistake in the call: log it like a
		// missing key, so that a developer sees it.
		slog.Error("i18n: odd number of arguments, the last is ignored", "key", key, "lang", lang, "arg", args[len(args)-1])
	}
	data := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			// The template cannot name the value, so the call is wrong.
			slog.Error("i18n: argument name is not a string, the pair is ignored", "key", key, "lang", lang, "name", args[i])
			continue
		}
		switch v := args[i+1].(type) {
		case string:
			data[name] = html.EscapeString(mmo.CleanText(v))
		case Raw:
			data[name] = string(v)
		default:
			data[name] = v
		}
	}
	s, err := loc.Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil {
		slog.Error("i18n: cannot render message", "key", key, "lang", lang, "error", err)
		return key
	}
	return s
}

// joinParts renders a plain message with args as its template would be
// (each string cleaned and escaped, Raw as is, an int in decimal), or
// reports that it cannot: an argument of another type, a field without
// an argument, or a malformed list, which go-i18n renders and logs as
// before.
func joinParts(parts []part, args []any) (string, bool) {
	if len(args)%2 != 0 {
		return "", false
	}
	for i := 0; i < len(args); i += 2 {
		if _, ok := args[i].(string); !ok {
			return "", false
		}
	}
	var sb strings.Builder
	for _, p := range parts {
		if !p.field {
			sb.WriteString(p.text)
			continue
		}
		// The last value of a name counts, as in the template's map.
		at := -1
		for i := 0; i < len(args); i += 2 {
			if args[i].(string) == p.text {
				at = i + 1
			}
		}
		if at < 0 {
			return "", false
		}
		switch v := args[at].(type) {
		case string:
			sb.WriteString(html.EscapeString(mmo.CleanText(v)))
		case Raw:
			sb.WriteString(string(v))
		case int:
			sb.WriteString(strconv.Itoa(v))
		default:
			return "", false
		}
	}
	return sb.String(), true
}
