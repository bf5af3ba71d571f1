package i18n

import (
	"testing"

	"github.com/mmobot/mmobot/locales"
)

// TestPlainMessagesRenderAsTheirTemplates renders every message the
// catalogs hold without plural forms both ways — joined from its parts
// and executed by go-i18n — with arguments of each kind T takes, and
// wants the same text.
func TestPlainMessagesRenderAsTheirTemplates(t *testing.T) {
	c, err := New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	slow := *c
	slow.plain = nil
	values := []any{"<Иван> & «Ко\u202eмпания»", Raw("<b>уже готово</b>"), 1234, "plain"}
	for _, lang := range c.Langs() {
		if len(c.plain[lang]) < 1000 {
			t.Errorf("%s: only %d plain messages: the fast path is not taken", lang, len(c.plain[lang]))
		}
		for key, parts := range c.plain[lang] {
			var args []any
			n := 0
			for _, p := range parts {
				if p.field {
					args = append(args, p.text, values[n%len(values)])
					n++
				}
			}
			fast := c.T(lang, key, args...)
			want := slow.T(lang, key, args...)
			if fast != want {
				t.Errorf("%s %s:\n joined   %q\n template %q", lang, key, fast, want)
			}
		}
	}
}

// TestPlainFallsBack: what the parts cannot render the template does, as
// before: a missing field, an argument of another type, a repeated name.
func TestPlainFallsBack(t *testing.T) {
	c, err := New(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	slow := *c
	slow.plain = nil
	if _, ok := c.plain["ru"]["start.welcome_back"]; !ok {
		t.Fatal("start.welcome_back is not plain")
	}
	for _, args := range [][]any{
		nil,
		{"Name", int64(5)},
		{"Name", 2.5},
		{"Name", "Пётр", "Name", "Иван"},
		{"Other", "x"},
	} {
		if got, want := c.T("ru", "start.welcome_back", args...), slow.T("ru", "start.welcome_back", args...); got != want {
			t.Errorf("%v: %q, template %q", args, got, want)
		}
	}
	for _, text := range []string{"{{.A}} {{if .B}}x{{end}}", "{{ .A }}", "{{.A.B}}", "a }} b", "{{.A}}{{"} {
		if _, ok := cut(text); ok {
			t.Errorf("%q cut as plain", text)
		}
	}
	if parts, ok := cut("a {{.A}}{{.B}} c"); !ok || len(parts) != 4 {
		t.Errorf("cut: %v %v", parts, ok)
	}
}

// BenchmarkLine renders a line of the list of meetings, the message most
// often rendered in a burst, joined from its parts and by go-i18n's
// template, in the same run.
func BenchmarkLine(b *testing.B) {
	c, err := New(locales.FS)
	if err != nil {
		b.Fatal(err)
	}
	slow := *c
	slow.plain = nil
	args := []any{"When", "03.12 15:00", "Format", "очно", "Topic", "Формирующее оценивание на уроках математики", "Association", "ММО учителей математики"}
	for _, bc := range []struct {
		name string
		c    *Catalog
	}{{"parts", c}, {"template", &slow}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.c.T("ru", "meetings.line", args...)
			}
		})
	}
}
