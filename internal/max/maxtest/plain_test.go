package maxtest

import (
	"fmt"
	"testing"
)

func TestPlainHTML(t *testing.T) {
	cases := []struct{ in, plain, bad string }{
		{"<b>Жирный</b> &amp; <i>курсив</i>", "Жирный & курсив", "[]"},
		{`<a href="https://x.org/?a=1&amp;b=2">ссылка</a>`, "ссылка", "[]"},
		{"<pre>код</pre>\n<blockquote>цитата</blockquote>", "код\nцитата", "[]"},
		{"a <span class=x>b</span> <br/>c<tg-spoiler>d</tg-spoiler>", "a b cd", `["span" "span" "br" "tg-spoiler" "tg-spoiler"]`},
		{"1 < 2", "1 < 2", "[]"},
		{"a <> b", "a <> b", "[]"},
		{"x &lt;b&gt; y", "x <b> y", "[]"},
	}
	for _, c := range cases {
		plain, bad := plainHTML(c.in)
		if plain != c.plain || fmt.Sprintf("%q", bad) != c.bad {
			t.Errorf("plainHTML(%q) = %q, %v; want %q, %s", c.in, plain, bad, c.plain, c.bad)
		}
	}
}
