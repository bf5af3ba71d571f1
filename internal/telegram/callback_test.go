package telegram

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestCallbackCodecRoundTrip(t *testing.T) {
	c := codec{secret: []byte("0123456789abcdef0123456789abcdef")}
	data, err := c.encode(42, verbCoordDel, "1234567890", "y")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.decode(42, data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Verb != verbCoordDel || got.Arg(0) != "1234567890" || got.Arg(1) != "y" || got.Arg(2) != "" {
		t.Errorf("decoded %+v", got)
	}
	if n, ok := got.Int(0); !ok || n != 1234567890 {
		t.Errorf("Int(0) = %d, %v", n, ok)
	}
	// What decode would refuse is not issued.
	for _, parts := range [][]string{{""}, {"", "x"}, {"a:b"}, {"v", "x:y"}} {
		if data, err := c.encode(42, parts[0], parts[1:]...); err == nil {
			t.Errorf("encode(%q) = %q, want an error", parts, data)
		}
	}
}

func TestCallbackCodecRejects(t *testing.T) {
	c := codec{secret: []byte("secret-one")}
	other := codec{secret: []byte("secret-two")}
	good, _ := c.encode(42, verbLang, "en")
	fromOther, _ := other.encode(42, verbLang, "en")
	tampered := strings.Replace(good, ":en:", ":ru:", 1)
	tests := []struct {
		name string
		chat int64
		data string
		want error
	}{
		{"another chat", 43, good, errCallbackForged},
		{"tampered argument", 42, tampered, errCallbackForged},
		{"another installation", 42, fromOther, errCallbackForged},
		{"no signature", 42, "1:lg:en", errCallbackForged},
		{"empty", 42, "", errCallbackMalformed},
		{"old version", 42, "0" + good[1:], errCallbackMalformed},
		{"no verb", 42, "1::x", errCallbackMalformed},
		{"plain text", 42, "hello", errCallbackMalformed},
		{"too long", 42, strings.Repeat("a", 65), errCallbackMalformed},
	}
	for _, tt := range tests {
		if _, err := c.decode(tt.chat, tt.data); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestCallbackDataFitsTelegram checks the longest data each route makes
// against Telegram's 64-byte limit, with the largest ids Telegram issues.
func TestCallbackDataFitsTelegram(t *testing.T) {
	c := codec{secret: []byte("k")}
	const chat = -1009999999999 // a supergroup id: the longest chat id
	const user = "9999999999999"
	cases := [][]string{
		{verbConsent, "4294967295", "decline"},
		{verbLang, "en"},
		{verbEditField, "position"},
		{verbDeleteData, "yes"},
		{verbCoordAdd},
		{verbCoordSet, user},
		{verbCoordDel, user, "y"},
		{verbAssocApprove, "4294967295", user},
		{verbRemove, "4294967295", user},
		{verbLeaderSet, "4294967295", user},
		{verbChoose, "members", "4294967295"},
		{verbMembers, "4294967295", "9999"},
		{verbInvite, "4294967295", "n"},
		{verbAssocArchive, "4294967295", "y"},
		{verbAssocPolicy, "4294967295", "approval"},
		{verbSwitch, "members"},
	}
	for _, cs := range cases {
		data, err := c.encode(chat, cs[0], cs[1:]...)
		if err != nil {
			t.Errorf("%v: %v", cs, err)
			continue
		}
		if len(data) > callbackMaxLen {
			t.Errorf("%v: %d bytes", cs, len(data))
		}
	}
	if _, err := c.encode(1, "v", strings.Repeat("x", 60)); !errors.Is(err, errCallbackTooLong) {
		t.Errorf("oversized data: %v", err)
	}
	if _, err := c.encode(1, "v", "a:b"); !errors.Is(err, errCallbackMalformed) {
		t.Errorf("separator in an argument: %v", err)
	}
}

// TestEveryVerbIsRouted finds every callback verb constant (named verb…)
// in the package and checks a route answers it, so a button never leads
// nowhere.
func TestEveryVerbIsRouted(t *testing.T) {
	rt := (&Bot{}).buildRoutes()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "verb") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						continue
					}
					verb, _ := strconv.Unquote(lit.Value)
					if other, dup := seen[verb]; dup {
						t.Errorf("%s and %s share the verb %q", name.Name, other, verb)
					}
					seen[verb] = name.Name
					if _, ok := rt.callbacks[verb]; !ok {
						t.Errorf("%s (%q) has no route", name.Name, verb)
					}
				}
			}
		}
	}
	if len(seen) < 20 {
		t.Errorf("found only %d verbs; is the scan broken?", len(seen))
	}
}
