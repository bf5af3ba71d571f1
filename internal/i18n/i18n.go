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
	"sort"
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
	c := &Catalog{locs: map[string]*goi18n.Localizer{}}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		if _, err := b.ParseMessageFileBytes(data, f); err != nil {
			return nil, fmt.Errorf("locale %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".toml")
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
		loc = c.locs[Default]
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
