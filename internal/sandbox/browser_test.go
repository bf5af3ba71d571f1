package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The browser test drives the chat page in headless Chromium as a person
// would: it clicks personas, links and buttons and types into the text
// box, and checks what the page shows.

// findChromium returns the path of a Chromium or Chrome, "" if none.
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is a headless Chromium tab on the sandbox's page.
type browser struct {
	t   *testing.T
	ctx context.Context
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	chrome := findChromium()
	if chrome == "" {
		t.Skip("no Chromium found (looked for chromium, chromium-browser, google-chrome in PATH); " +
			"install Debian's package: apt-get install -y chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox, // as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first run starts the browser; it lives as long as ctx.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chrome, err)
	}
	return &browser{t: t, ctx: ctx}
}

// step runs actions with a bounded wait; on failure it saves a
// screenshot and fails the test with what the chat shows.
func (b *browser) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(what, err)
	}
}

func (b *browser) text(what, sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.Search(sel)))
	if err != nil {
		b.fail(what, err)
	}
	return s
}

func (b *browser) fail(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	shot := filepath.Join(os.TempDir(), "sandbox-browser-failure.png")
	if png, e := chromedp.Run(ctx, chromedp.FullScreenshot(100)); e == nil {
		os.WriteFile(shot, png, 0o644)
	}
	chat, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#messages")))
	b.t.Fatalf("%s: %v\nscreenshot: %s\nthe chat shows:\n%s", what, err, shot, chat)
}

// send types a message into the text box and sends it with Enter, as
// people do; keys go to the focused box, so nothing can be missed.
func (b *browser) send(text string) {
	b.t.Helper()
	b.step("type "+text, chromedp.SendKeys(chromedp.CSS("#input"), text+kb.Enter))
}

// click clicks target until outcome shows. A click is a mouse event at
// the element's place on the screen; when the chat moves under the
// pointer at that moment (a message arrives and the chat scrolls, a font
// loads on a fresh machine) it lands elsewhere, so a click whose outcome
// does not show is repeated while target is still there.
func (b *browser) click(what string, target chromedp.Action[chromedp.Void], present string, outcome ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(b.ctx, 4*time.Second)
		err := chromedp.Do(ctx, target)
		if err == nil {
			err = chromedp.Do(ctx, outcome...)
		}
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.fail(what, err)
		}
		// Repeat only if the clicked thing is still there: a click that
		// worked may have taken it away.
		ctx, cancel = context.WithTimeout(b.ctx, time.Second)
		nodes, _ := chromedp.Run(ctx, chromedp.Nodes(chromedp.Search(present), chromedp.AtLeast(0)))
		cancel()
		if len(nodes) == 0 {
			ctx, cancel = context.WithTimeout(b.ctx, time.Until(deadline))
			err = chromedp.Do(ctx, outcome...)
			cancel()
			if err != nil {
				b.fail(what, err)
			}
			return
		}
		b.t.Logf("%s: the click had no effect (try %d), clicking again", what, try+1)
	}
}

// hasClass is an XPath test of a class name.
func hasClass(name string) string {
	return "contains(concat(' ', normalize-space(@class), ' '), ' " + name + " ')"
}

// bubble is the XPath of a chat bubble containing every text.
func bubble(texts ...string) string {
	x := "//div[@id='messages']//div[" + hasClass("bubble") + "]"
	for _, t := range texts {
		x += "[contains(., '" + t + "')]"
	}
	return x
}

// button is the XPath of the newest inline button labelled label under a
// message containing msg.
func button(msg, label string) string {
	return "(//div[@id='messages']//div[" + hasClass("msg") + "][.//div[" + hasClass("bubble") + "][contains(., '" + msg + "')]]" +
		"//div[" + hasClass("kb") + "]//button[contains(., '" + label + "')])[last()]"
}

func TestBrowserInvitationRegistrationAndAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	b := newBrowser(t)
	_, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), true)
	began := time.Now()
	search := func(x string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.Search(x)) }
	active := func(id int64) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#personas button.active[data-persona="%d"]`, id)))
	}
	clickButton := func(what, msg, label string, outcome ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		x := button(msg, label)
		b.click(what, chromedp.Click(chromedp.Search(x)), x, outcome...)
	}
	switchTo := func(id int64, outcome ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sel := fmt.Sprintf(`//div[@id='personas']/button[@data-persona='%d']`, id)
		b.click(fmt.Sprintf("switch to %d", id), chromedp.Click(chromedp.Search(sel)), sel, append([]chromedp.Action[chromedp.Void]{active(id)}, outcome...)...)
	}

	// The leader opens the invitation.
	b.step("open the page as the leader",
		chromedp.Navigate(fmt.Sprintf("%s/#p=%d", c.url, LeaderMath)),
		active(LeaderMath),
	)
	b.send("/invite")
	b.step("the invitation", search(bubble("Приглашение в «ММО учителей математики»")))

	// Its link, opened as an unregistered teacher, starts her registration.
	link := "(//div[@id='messages']//a[" + hasClass("deeplink") + "])[last()]"
	openAs := fmt.Sprintf(`//div[@id='modal']//button[@data-open-as='%d']`, Newcomer)
	b.click("open the link", chromedp.Click(chromedp.Search(link)), link, search(openAs))
	b.click("open it as the newcomer", chromedp.Click(chromedp.Search(openAs)), openAs,
		active(Newcomer), search(bubble("152-ФЗ")))
	if own := b.text("the sent /start", "(//div[@id='messages']//div["+hasClass("me")+"])[1]"); !strings.Contains(own, "/start") {
		t.Errorf("the newcomer's first message shows %q", own)
	}
	clickButton("consent", "152-ФЗ", "Даю согласие", search(bubble("Шаг 1 из 3")))
	b.send("Никитина Дарья Сергеевна")
	b.step("step 2", search(bubble("Шаг 2 из 3")))
	b.send("МБОУ «СОШ № 11»")
	b.step("step 3", search(bubble("Шаг 3 из 3")))
	b.send("учитель математики")
	b.step("registered and joined",
		search(bubble("вы зарегистрированы", "Никитина Дарья Сергеевна")),
		search(bubble("Добро пожаловать в «ММО учителей математики»")),
	)

	// The leader has an unread message: the newcomer joined.
	badge := fmt.Sprintf(`#personas button[data-persona="%d"] .badge`, LeaderMath)
	b.step("the leader's unread badge", chromedp.WaitVisible(chromedp.CSS(badge)))
	if n, _ := strconv.Atoi(b.text("the badge", badge)); n < 1 {
		t.Errorf("the leader's badge shows %d", n)
	}
	switchTo(LeaderMath, search(bubble("вступил(а) Никитина Дарья Сергеевна")), chromedp.WaitNotPresent(chromedp.CSS(badge)))

	// The leader publishes the demo's draft.
	b.send("/meetings")
	clickButton("open the draft", "Черновики", "Подготовка к муниципальному этапу", search(bubble("Черновик: участники его ещё не видят")))
	clickButton("publish", "Черновик: участники его ещё не видят", "Опубликовать", chromedp.WaitVisible(chromedp.CSS("#toast")))
	if toast := b.text("the toast", "#toast"); !strings.Contains(toast, "Объявление отправляется") {
		t.Errorf("the toast after publishing shows %q", toast)
	}

	// The newcomer gets the announcement and answers.
	b.step("the newcomer's badge", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#personas button[data-persona="%d"] .badge`, Newcomer))))
	switchTo(Newcomer, search(bubble("Новое мероприятие", "Подготовка к муниципальному этапу")))
	announcement := "(//div[@id='messages']//div[" + hasClass("msg") + "][.//div[" + hasClass("bubble") + "][contains(., 'Новое мероприятие')]])[last()]"
	id := b.attr(announcement, "data-id")
	clickButton("answer", "Новое мероприятие", "✅ Приду", search(bubble("Ваш ответ: ✅ придёте")))
	edited := fmt.Sprintf("//div[@id='messages']//div[@data-id='%s']//div[%s][contains(., 'Ваш ответ: ✅ придёте')]", id, hasClass("bubble"))
	b.step("the announcement edited in place", search(edited))
	if btn := b.text("the chosen answer", button("Ваш ответ", "Приду")); !strings.HasPrefix(btn, "✓") {
		t.Errorf("the chosen answer's button shows %q", btn)
	}

	// The leader's card counts the answer.
	switchTo(LeaderMath, search(bubble("/meetings")))
	b.send("/meetings")
	clickButton("open the event", "Ближайшие мероприятия", "Подготовка к муниципальному этапу",
		search(bubble("Подготовка к муниципальному этапу", "✅ 1 ·", "Никитина Д. С.")))
	if shot := os.Getenv("SANDBOX_SCREENSHOT"); shot != "" {
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		defer cancel()
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(shot, png, 0o644)
		}
	}
	t.Logf("the scenario took %v", time.Since(began).Round(100*time.Millisecond))
}

func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.Search(sel), name))
	if err != nil {
		b.fail("attribute "+name, err)
	}
	if !v.Exists {
		b.fail("attribute "+name, fmt.Errorf("%s has no %s", sel, name))
	}
	return v.Value
}

// TestBrowserFitsAPhone: at 390 px, as on a phone, the page does not
// scroll sideways, the persona list is a drawer behind ☰, and choosing a
// persona there closes it.
func TestBrowserFitsAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	b := newBrowser(t)
	_, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), true)
	b.step("open the page at 390 px",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(fmt.Sprintf("%s/#p=%d", c.url, LeaderMath)),
		chromedp.WaitVisible(chromedp.CSS(`#personas button.active`)),
	)
	b.send("/help")
	b.step("the home screen", chromedp.WaitVisible(chromedp.Search(bubble("Главное"))))
	fits := func(what string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		defer cancel()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth`))
		if err != nil {
			b.fail(what, err)
		}
		if !ok {
			w, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
			t.Errorf("%s: the page scrolls sideways (%v px wide at 390)", what, w)
		}
	}
	fits("the chat")
	// The header (who, the clock) leaves the phone's screen to the chat:
	// the clock's buttons are one row that scrolls by itself.
	{
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("chathead").getBoundingClientRect().height`))
		cancel()
		if err != nil {
			b.fail("the header's height", err)
		}
		if h > 110 {
			t.Errorf("the header takes %v px of the phone's 844", h)
		}
	}
	// The bot's time stays in sight after the row scrolled to its last
	// buttons.
	b.step("scroll the clock's row", chromedp.Evaluate[chromedp.Void](`document.getElementById("clock").scrollLeft = 10000`))
	{
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		left, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("clock-now").getBoundingClientRect().left`))
		cancel()
		if err != nil {
			b.fail("the time's place", err)
		}
		if left < 0 {
			t.Errorf("the bot's time scrolled out of sight (left %v)", left)
		}
	}
	hidden := func() bool {
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		defer cancel()
		right, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("sidebar").getBoundingClientRect().right`))
		if err != nil {
			b.fail("the drawer's place", err)
		}
		return right <= 1
	}
	if !hidden() {
		t.Error("the persona list takes the phone's width instead of folding into a drawer")
	}
	b.step("open the drawer", chromedp.Click(chromedp.CSS(`#drawer-btn`)),
		chromedp.WaitVisible(chromedp.CSS(`body.drawer-open`)))
	// Wait for the drawer to slide in before tapping in it.
	for deadline := time.Now().Add(10 * time.Second); ; {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		left, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("sidebar").getBoundingClientRect().left`))
		cancel()
		if err == nil && left >= 0 {
			break
		}
		if time.Now().After(deadline) {
			b.fail("the drawer slides in", fmt.Errorf("left at %v", left))
		}
		time.Sleep(50 * time.Millisecond)
	}
	fits("the open drawer")
	parent := fmt.Sprintf(`//div[@id='personas']/button[@data-persona='%d'][contains(., 'родитель')]`, Parent)
	b.step("the parent is said to be one", chromedp.WaitVisible(chromedp.Search(parent)))
	sel := fmt.Sprintf(`#personas button[data-persona="%d"]`, Newcomer)
	b.step("choose a persona", chromedp.Click(chromedp.CSS(sel)))
	b.step("the persona chosen", chromedp.WaitVisible(chromedp.Search(`//div[@id='who-name'][contains(., 'Дарья')]`)))
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.classList.contains("drawer-open")`)); err != nil || open {
		t.Errorf("the drawer stays open after choosing a persona (%v)", err)
	}
	fits("another persona's chat")
}

// TestBrowserChromeInTheBotsLanguage: the headless browser reports an
// English locale, yet the sandbox's own words are Russian like the bot's,
// until switched; a clock error reads in that language.
func TestBrowserChromeInTheBotsLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	b := newBrowser(t)
	_, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), true)
	b.step("open the page", chromedp.Navigate(fmt.Sprintf("%s/#p=%d", c.url, LeaderMath)),
		chromedp.WaitVisible(chromedp.Search(`//div[@id='title'][contains(., 'Песочница')]`)),
		// The page has read the bot's state (its time shows): typing before
		// that raced the page's start on a loaded machine.
		chromedp.WaitVisible(chromedp.Search(`//*[@id='clock-now'][contains(., '2026')]`)))
	// Typed, then sent with the «Вперёд» button: an Enter typed in the same
	// breath was once lost on a loaded CI machine, and the button is the
	// way a phone user sends it anyway.
	b.step("a clock that cannot be read", chromedp.SendKeys(chromedp.CSS("#clock-custom"), "завтра"),
		chromedp.Click(chromedp.CSS("#clock-go")),
		chromedp.WaitVisible(chromedp.Search(`//div[@id='modal']//*[contains(., 'Не понял «завтра»')]`)))
	b.step("the switch", chromedp.Navigate(fmt.Sprintf("%s/?lang=en#p=%d", c.url, LeaderMath)),
		chromedp.WaitVisible(chromedp.Search(`//div[@id='title'][contains(., 'sandbox')]`)))
}

// TestBrowserClockJumpsAndPills: «к 09:00» shows 09:00 on the clock; two
// presses on the settings view leave one short pill.
func TestBrowserClockJumpsAndPills(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	b := newBrowser(t)
	_, c := startSandbox(t, filepath.Join(t.TempDir(), "sandbox.db"), true)
	b.step("open the page", chromedp.Navigate(fmt.Sprintf("%s/#p=%d", c.url, LeaderMath)),
		chromedp.WaitVisible(chromedp.Search(`//button[@id='to-morning'][contains(., 'к 09:00')]`)),
		chromedp.WaitVisible(chromedp.Search(`//button[@id='to-event'][contains(., 'к следующему мероприятию')]`)),
		chromedp.WaitVisible(chromedp.Search(`//button[@id='clock-reset'][contains(., 'сбросить часы')]`)))
	b.step("to 09:00", chromedp.Click(chromedp.CSS("#to-morning")),
		chromedp.WaitVisible(chromedp.Search(`//span[@id='clock-now'][contains(., '09:00')]`)))

	b.send("/settings")
	x := button("Ваш профиль", "English")
	b.click("English", chromedp.Click(chromedp.Search(x)), x, chromedp.WaitVisible(chromedp.Search(bubble("Your profile"))))
	x = button("Your profile", "Русский")
	b.click("Русский", chromedp.Click(chromedp.Search(x)), x, chromedp.WaitVisible(chromedp.Search(bubble("Ваш профиль"))))
	pill := "//div[" + hasClass("pill") + "][contains(., 'Русский')][contains(., 'ещё 1')]"
	b.step("one pill for two presses", chromedp.WaitVisible(chromedp.Search(pill)))
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#messages .pill").length`)); err != nil || n != 1 {
		t.Errorf("%d pills for two presses on one view (%v)", n, err)
	}
	if txt := b.text("the pill", pill); strings.Contains(txt, "Нажата кнопка") {
		t.Errorf("the pill is not short: %q", txt)
	}
}
