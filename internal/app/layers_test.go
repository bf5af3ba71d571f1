package app

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/mmobot/mmobot"

const (
	tgbotapi = "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	bbolt    = "go.etcd.io/bbolt"
)

// imports reads the imports of every package of the module: path →
// imported paths, of its code and, apart, of its tests.
func imports(t *testing.T) (code, tests map[string][]string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	code, tests = map[string][]string{}, map[string][]string{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := module + "/" + filepath.ToSlash(rel)
		into := code
		if strings.HasSuffix(path, "_test.go") {
			into = tests
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !slices.Contains(into[pkg], p) {
				into[pkg] = append(into[pkg], p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return code, tests
}

// deps returns every package pkg's code imports, directly or through
// other packages of the module.
func deps(code map[string][]string, pkg string) map[string]bool {
	seen := map[string]bool{}
	var walk func(p string)
	walk = func(p string) {
		for _, d := range code[p] {
			if !seen[d] {
				seen[d] = true
				walk(d)
			}
		}
	}
	walk(pkg)
	return seen
}

// TestLayers keeps the layers apart (see README, "For developers"): the
// Bot API library only in the Telegram transport and its fake server, the
// store library only in the store, the rules free of both, and the
// conversation free of every messenger.
func TestLayers(t *testing.T) {
	code, tests := imports(t)
	if len(code) < 10 {
		t.Fatalf("found only %d packages; is the walk broken?", len(code))
	}
	tg := module + "/internal/telegram"
	mx := module + "/internal/max"
	// mmobench measures the bot against the strongest fair alternative:
	// a bare echo loop on the same library.
	mayUseTelegramLib := []string{tg, tg + "/telegramtest", module + "/cmd/mmobench"}
	for _, m := range []map[string][]string{code, tests} {
		for pkg, imps := range m {
			if slices.Contains(imps, tgbotapi) && !slices.Contains(mayUseTelegramLib, pkg) {
				t.Errorf("%s imports the Bot API library", pkg)
			}
		}
	}
	// (A test may write a bbolt file of another program, to see it refused.)
	for pkg, imps := range code {
		if slices.Contains(imps, bbolt) && pkg != module+"/internal/boltdb" {
			t.Errorf("%s imports bbolt", pkg)
		}
	}

	forbidden := map[string][]string{
		module + "/internal/mmo": {module + "/internal/boltdb", bbolt, module + "/internal/chat", tg, module + "/internal/max", tgbotapi,
			module + "/internal/render", module + "/internal/i18n"},
		module + "/internal/chat":     {tg, module + "/internal/max", tgbotapi, module + "/internal/schedule", module + "/internal/app"},
		module + "/internal/schedule": {tg, module + "/internal/max", tgbotapi, module + "/internal/app"},
		module + "/internal/boltdb":   {module + "/internal/chat", tg, module + "/internal/max", tgbotapi},
		tg:                            {module + "/internal/app", module + "/internal/schedule", module + "/internal/max"},
		mx:                            {module + "/internal/app", module + "/internal/schedule", tg, tgbotapi},
		mx + "/maxtest":               {mx, tg, tgbotapi},
		module + "/internal/outbox":   {tg, mx, tgbotapi, module + "/internal/schedule", module + "/internal/app"},
	}
	// MAX's wire types (package max) are used by its transport alone; the
	// rest of the program reaches it through the wiring.
	mayUseMax := []string{mx, mx + "/maxtest", module + "/internal/app", module + "/internal/sandbox"}
	for _, m := range []map[string][]string{code, tests} {
		for pkg, imps := range m {
			if slices.Contains(imps, mx) && !slices.Contains(mayUseMax, pkg) {
				t.Errorf("%s imports the MAX transport", pkg)
			}
		}
	}
	for pkg, bad := range forbidden {
		if code[pkg] == nil {
			t.Errorf("package %s not found", pkg)
			continue
		}
		d := deps(code, pkg)
		for _, b := range bad {
			if d[b] {
				t.Errorf("%s depends on %s", pkg, b)
			}
		}
	}
	// The rules use the standard library only.
	for d := range deps(code, module+"/internal/mmo") {
		if strings.Contains(strings.Split(d, "/")[0], ".") {
			t.Errorf("internal/mmo depends on %s, outside the standard library", d)
		}
	}
}
