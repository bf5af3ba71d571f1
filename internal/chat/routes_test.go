package chat

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestButtonDataFits checks the longest data each route makes against
// the budget every transport can carry, with the largest ids there are.
func TestButtonDataFits(t *testing.T) {
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
		if err := checkButton(Button{Label: "x", Verb: cs[0], Args: cs[1:]}); err != nil {
			t.Errorf("%v: %v", cs, err)
		}
	}
	for _, b := range []Button{
		{Label: "big", Verb: "v", Args: []string{strings.Repeat("x", MaxButtonData-1)}},
		{Label: "colon", Verb: "v", Args: []string{"a:b"}},
		{Label: "no verb"},
	} {
		if err := checkButton(b); err == nil {
			t.Errorf("%+v is accepted", b)
		}
	}
	if err := checkButton(Button{Label: "link", URL: "https://example.org/" + strings.Repeat("x", 100)}); err != nil {
		t.Errorf("a link button: %v", err)
	}
}

// TestEveryVerbIsRouted finds every callback verb constant (named verb…)
// in the package and checks a route answers it, so a button never leads
// nowhere.
func TestEveryVerbIsRouted(t *testing.T) {
	rt := (&Engine{}).buildRoutes()
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
