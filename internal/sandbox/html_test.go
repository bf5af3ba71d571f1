package sandbox

import "testing"

func TestRenderText(t *testing.T) {
	for _, tc := range []struct{ in, mode, want string }{
		{"<b>Жирный</b> и <i>курсив</i>", "HTML", "<b>Жирный</b> и <i>курсив</i>"},
		{"<strong>a</strong><em>b</em><ins>c</ins><del>d</del><strike>e</strike>", "HTML", "<b>a</b><i>b</i><u>c</u><s>d</s><s>e</s>"},
		{"<code>x &lt; y</code> <pre>a&amp;b</pre>", "HTML", "<code>x &lt; y</code> <pre>a&amp;b</pre>"},
		{"Место: <s>старое</s> → <b>новое</b>", "HTML", "Место: <s>старое</s> → <b>новое</b>"},
		// Anything else is text, and stays text.
		{`<script>alert(1)</script>`, "HTML", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{`<img src=x onerror=alert(1)>`, "HTML", "&lt;img src=x onerror=alert(1)&gt;"},
		{`<b onclick="x()">b</b>`, "HTML", "<b>b</b>"},
		{`<span class="tg-spoiler">s</span>`, "HTML", `&lt;span class=&#34;tg-spoiler&#34;&gt;s&lt;/span&gt;`},
		{`&lt;b&gt;не тег&lt;/b&gt;`, "HTML", "&lt;b&gt;не тег&lt;/b&gt;"},
		{"a < b", "HTML", "a &lt; b"},
		{"<b>unclosed", "HTML", "<b>unclosed</b>"},
		{"stray </i> end", "HTML", "stray &lt;/i&gt; end"},
		// Links: http, https and tg only; the bot's deep links are marked.
		{`<a href="https://example.org/?a=1&amp;b=2">ok</a>`, "HTML", `<a href="https://example.org/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">ok</a>`},
		{`<a href="javascript:alert(1)">x</a>`, "HTML", "x"},
		{`<a href="data:text/html,hi">x</a>`, "HTML", "x"},
		{`<a href='https://t.me/mmo_sandbox_bot?start=j_AbC-1'>join</a>`, "HTML", `<a class="deeplink" href="https://t.me/mmo_sandbox_bot?start=j_AbC-1" data-start="j_AbC-1">join</a>`},
		// Plain text is escaped and linkified as Telegram does.
		{"<b>x</b>", "", "&lt;b&gt;x&lt;/b&gt;"},
		{"Ссылка: https://t.me/mmo_sandbox_bot?start=j_x.", "", `Ссылка: <a class="deeplink" href="https://t.me/mmo_sandbox_bot?start=j_x" data-start="j_x">https://t.me/mmo_sandbox_bot?start=j_x</a>.`},
		{"см. https://example.org/a_b, потом", "HTML", `см. <a href="https://example.org/a_b" target="_blank" rel="noopener noreferrer">https://example.org/a_b</a>, потом`},
		{"Отменить: /cancel", "HTML", `Отменить: <a class="cmd" href="#" data-cmd="/cancel">/cancel</a>`},
		{"и/или 1/2 /path/to", "", "и/или 1/2 /path/to"},
		{"<code>/cancel https://x.org</code>", "HTML", "<code>/cancel https://x.org</code>"},
		{"t.me/mmo_sandbox_bot?start=q_1", "", `<a class="deeplink" href="https://t.me/mmo_sandbox_bot?start=q_1" data-start="q_1">t.me/mmo_sandbox_bot?start=q_1</a>`},
		{"https://t.me/other_bot?start=x", "", `<a href="https://t.me/other_bot?start=x" target="_blank" rel="noopener noreferrer">https://t.me/other_bot?start=x</a>`},
	} {
		if got := renderText(tc.in, tc.mode, BotUsername); got != tc.want {
			t.Errorf("renderText(%q, %q)\n got %s\nwant %s", tc.in, tc.mode, got, tc.want)
		}
	}
}

func TestDeepLinkPayload(t *testing.T) {
	for _, tc := range []struct {
		url, payload string
		ok           bool
	}{
		{"https://t.me/mmo_sandbox_bot?start=j_abc", "j_abc", true},
		{"https://T.ME/MMO_Sandbox_Bot?start=c_1", "c_1", true},
		{"https://t.me/mmo_sandbox_bot", "", true},
		{"https://t.me/other_bot?start=j_abc", "", false},
		{"https://t.me/mmo_sandbox_bot?start=a%20b", "", false},
		{"tg://resolve?domain=mmo_sandbox_bot&start=x", "", false},
		{"https://evil.example/mmo_sandbox_bot?start=x", "", false},
	} {
		p, ok := deepLinkPayload(tc.url, BotUsername)
		if p != tc.payload || ok != tc.ok {
			t.Errorf("%s: %q %v, want %q %v", tc.url, p, ok, tc.payload, tc.ok)
		}
	}
}
