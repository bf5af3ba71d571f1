package i18n_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/locales"
)

var pluralForms = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

// required are the CLDR plural categories each language must give for
// cardinal numbers.
var required = map[string][]string{
	"ru": {"few", "many", "one", "other"},
	"en": {"one", "other"},
}

// flatten lists a catalog's message ids; plural messages map to their
// forms.
func flatten(t *testing.T, lang string) map[string][]string {
	t.Helper()
	data, err := fs.ReadFile(locales.FS, lang+".toml")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s.toml: %v", lang, err)
	}
	out := map[string][]string{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			id := k
			if prefix != "" {
				id = prefix + "." + k
			}
			switch v := v.(type) {
			case string:
				out[id] = nil
			case map[string]any:
				plural := len(v) > 0
				var forms []string
				for f, fv := range v {
					if _, isStr := fv.(string); !isStr || !pluralForms[f] {
						plural = false
					}
					forms = append(forms, f)
				}
				if plural {
					sort.Strings(forms)
					out[id] = forms
				} else {
					walk(id, v)
				}
			default:
				t.Errorf("%s.toml: %s has unexpected type %T", lang, id, v)
			}
		}
	}
	walk("", raw)
	return out
}

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	ru, en := flatten(t, "ru"), flatten(t, "en")
	for id := range ru {
		if _, ok := en[id]; !ok {
			t.Errorf("en.toml lacks %q", id)
		}
	}
	for id := range en {
		if _, ok := ru[id]; !ok {
			t.Errorf("ru.toml lacks %q", id)
		}
	}
	for lang, cat := range map[string]map[string][]string{"ru": ru, "en": en} {
		for id, forms := range cat {
			if forms == nil {
				continue
			}
			if !slices.Equal(forms, required[lang]) {
				t.Errorf("%s.toml: %s has plural forms %v, want %v", lang, id, forms, required[lang])
			}
		}
	}
	// A message that is plural in one language must be plural in all.
	for id, forms := range ru {
		if (forms == nil) != (en[id] == nil) {
			t.Errorf("%s is plural in one language only", id)
		}
	}
}

func TestPluralForms(t *testing.T) {
	c, err := i18n.New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang  string
		count int
		want  string
	}{
		{"ru", 1, "1 участник"},
		{"ru", 2, "2 участника"},
		{"ru", 4, "4 участника"},
		{"ru", 5, "5 участников"},
		{"ru", 11, "11 участников"},
		{"ru", 12, "12 участников"},
		{"ru", 21, "21 участник"},
		{"ru", 22, "22 участника"},
		{"ru", 25, "25 участников"},
		{"ru", 101, "101 участник"},
		{"ru", 111, "111 участников"},
		{"ru", 0, "0 участников"},
		{"en", 1, "1 member"},
		{"en", 2, "2 members"},
		{"en", 0, "0 members"},
	}
	for _, tt := range tests {
		if got := c.N(tt.lang, "count.members", tt.count); got != tt.want {
			t.Errorf("N(%s, %d) = %q, want %q", tt.lang, tt.count, got, tt.want)
		}
	}
}

func TestEscapesArguments(t *testing.T) {
	c, err := i18n.New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	got := c.T("ru", "start.welcome_back", "Name", "<b>Иван</b> & Co")
	if !strings.Contains(got, "&lt;b&gt;Иван&lt;/b&gt; &amp; Co") {
		t.Errorf("argument not escaped: %q", got)
	}
	got = c.T("ru", "start.welcome_back", "Name", i18n.Raw("<i>x</i>"))
	if !strings.Contains(got, "<i>x</i>") {
		t.Errorf("raw argument escaped: %q", got)
	}
}

func TestLogsMalformedArguments(t *testing.T) {
	c, err := i18n.New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))

	if got := c.T("ru", "start.welcome_back", "Name", "Иван"); !strings.Contains(got, "<b>Иван</b>") || logs.Len() != 0 {
		t.Errorf("valid call: %q, logged %q", got, logs.String())
	}
	for _, tc := range []struct {
		args []any
		log  string
	}{
		{[]any{"Name", "Иван", "Extra"}, "odd number of arguments"},
		{[]any{"Name", "Иван", 7, "x"}, "argument name is not a string"},
	} {
		logs.Reset()
		if got := c.T("ru", "start.welcome_back", tc.args...); !strings.Contains(got, "<b>Иван</b>") {
			t.Errorf("%v: the valid pair is lost: %q", tc.args, got)
		}
		if !strings.Contains(logs.String(), tc.log) || !strings.Contains(logs.String(), "start.welcome_back") {
			t.Errorf("%v: logged %q, want %q with the key", tc.args, logs.String(), tc.log)
		}
	}
}

func TestMatch(t *testing.T) {
	c, err := i18n.New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ saved, code, want string }{
		{"", "", "ru"},
		{"", "ru", "ru"},
		{"", "en", "en"},
		{"", "en-US", "en"},
		{"", "de", "ru"},
		{"ru", "en", "ru"},
		{"en", "ru", "en"},
		{"xx", "en", "en"},
	}
	for _, tt := range tests {
		if got := c.Match(tt.saved, tt.code); got != tt.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tt.saved, tt.code, got, tt.want)
		}
	}
}

// TestCodeUsesOnlyKnownKeys finds every string literal in the non-test Go
// files of the module that looks like a message id of the catalog (its
// first part is one of the catalog's sections) and checks it exists, so a
// mistyped key fails here rather than in front of a user.
func TestCodeUsesOnlyKnownKeys(t *testing.T) {
	ru := flatten(t, "ru")
	sections := map[string]bool{}
	for id := range ru {
		sections[strings.SplitN(id, ".", 2)[0]] = true
	}
	keyLike := regexp.MustCompile(`^[a-z_]+\.[a-z_.]+$`)
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !keyLike.MatchString(s) || !sections[strings.SplitN(s, ".", 2)[0]] {
				return true
			}
			checked++
			if _, ok := ru[s]; !ok {
				t.Errorf("%s uses unknown message id %q", path, s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Errorf("only %d message ids found in the code; is the walk broken?", checked)
	}
}
