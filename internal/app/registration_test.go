package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

func TestRegistration(t *testing.T) {
	h := newHarness(t)
	u := h.user(101, "Мария")

	u.Send("/start")
	next(t, u, "Здравствуйте, Мария")
	consent := next(t, u, "152-ФЗ", "Удалить мои данные")
	if len(consent.Buttons()) != 2 {
		t.Fatalf("consent buttons = %v", consent.Buttons())
	}
	// Typing instead of pressing keeps the user at the consent step.
	u.Send("Иванова Мария")
	next(t, u, "ответьте кнопкой")
	next(t, u, "152-ФЗ")

	press(t, u, consent, "Даю согласие")
	edited := next(t, u, "Согласие получено")
	if edited.ID != consent.ID || len(edited.Buttons()) != 0 {
		t.Errorf("the consent message was not edited in place without buttons: %+v", edited)
	}
	next(t, u, "Шаг 1 из 3")

	// Each step validates.
	u.Send("Иванова")
	next(t, u, "фамилию, имя и отчество через пробел")
	u.Send(strings.Repeat("Оченьдлинное ", 10))
	next(t, u, "Слишком длинно: не больше 100 символов")
	u.Send("Иванова <Мария>")
	next(t, u, "только буквы")
	u.Send("  Иванова   Мария  Петровна ")
	next(t, u, "Шаг 2 из 3")

	u.SendPhoto([]byte("\x89PNG"), "")
	next(t, u, "ответьте текстом")
	next(t, u, "Шаг 2 из 3")
	u.Send("12")
	next(t, u, "Слишком коротко: нужно хотя бы 3 символа")
	u.Send("МБОУ «СОШ № 5» & <лицей>")
	next(t, u, "Шаг 3 из 3")
	u.Send("учитель математики")
	done := next(t, u, "вы зарегистрированы", "Иванова Мария Петровна", "МБОУ «СОШ № 5» &amp; &lt;лицей&gt;", "/settings")
	if strings.Contains(done.Text, "/coordinators") {
		t.Errorf("a member's help lists admin commands: %q", done.Text)
	}

	got, err := h.storedUser(101)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Иванова Мария Петровна" || got.School != "МБОУ «СОШ № 5» & <лицей>" || got.Position != "учитель математики" {
		t.Errorf("stored profile %q / %q / %q", got.Name, got.School, got.Position)
	}
	if !got.Registered() || got.ConsentAt.IsZero() {
		t.Errorf("registered %v, consent at %v", got.Registered(), got.ConsentAt)
	}
	if d := h.dialog(101); d != nil {
		t.Errorf("a dialog is left after registration: %+v", d)
	}

	// /start again greets by name.
	u.Send("/start")
	next(t, u, "С возвращением", "Иванова Мария Петровна")
}

func TestRegistrationDeclined(t *testing.T) {
	h := newHarness(t)
	u := h.user(102, "Пётр")
	u.Send("/start")
	next(t, u, "Здравствуйте")
	consent := next(t, u, "152-ФЗ")
	press(t, u, consent, "Не согласен")
	next(t, u, "Согласие не дано")
	next(t, u, "Без согласия")
	if _, err := h.storedUser(102); !errors.Is(err, mmo.ErrNotFound) {
		t.Errorf("a user who declined is still stored: %v", err)
	}
	if d := h.dialog(102); d != nil {
		t.Errorf("dialog left: %+v", d)
	}
	// The old consent button is now stale.
	if a := press(t, u, consent, "Даю согласие"); !a.ShowAlert || !strings.Contains(a.Text, "устарела") {
		t.Errorf("stale consent answer: %+v", a)
	}
	h.srv.Settle(t)
	if d := h.dialog(102); d != nil {
		t.Errorf("a stale button started a dialog: %+v", d)
	}
}

func TestCancelDuringRegistration(t *testing.T) {
	h := newHarness(t)
	u := h.user(103, "Анна")
	u.Send("/start")
	next(t, u, "Здравствуйте")
	press(t, u, next(t, u, "152-ФЗ"), "Даю согласие")
	next(t, u, "Согласие получено")
	next(t, u, "Шаг 1 из 3")
	u.Send("Смирнова Анна Ивановна")
	next(t, u, "Шаг 2 из 3")
	u.Send("/cancel")
	next(t, u, "Регистрация прервана")

	if got, err := h.storedUser(103); !errors.Is(err, mmo.ErrNotFound) {
		t.Errorf("cancelled registration left a record: %+v, %v", got, err)
	}
	if d := h.dialog(103); d != nil {
		t.Errorf("dialog left after /cancel: %+v", d)
	}
	u.Send("/cancel")
	next(t, u, "нечего отменять")
	u.Send("Смирнова Анна")
	next(t, u, "Отправьте /start")
}

func TestRestartInTheMiddleOfRegistration(t *testing.T) {
	h := newHarness(t)
	u := h.user(104, "Ольга")
	u.Send("/start")
	next(t, u, "Здравствуйте")
	press(t, u, next(t, u, "152-ФЗ"), "Даю согласие")
	next(t, u, "Согласие получено")
	next(t, u, "Шаг 1 из 3")
	u.Send("Кузнецова Ольга Сергеевна")
	next(t, u, "Шаг 2 из 3")

	h.restart()

	u.Send("Гимназия № 3")
	next(t, u, "Шаг 3 из 3")
	u.Send("учитель истории")
	next(t, u, "вы зарегистрированы", "Кузнецова Ольга Сергеевна", "Гимназия № 3")

	// /start in the middle of a form resumes it rather than restarting.
	v := h.user(105, "Ирина")
	v.Send("/start")
	next(t, v, "Здравствуйте")
	press(t, v, next(t, v, "152-ФЗ"), "Даю согласие")
	next(t, v, "Согласие получено")
	next(t, v, "Шаг 1 из 3")
	v.Send("/start")
	next(t, v, "Продолжим регистрацию")
	next(t, v, "Шаг 1 из 3")
}

func TestDialogExpires(t *testing.T) {
	h := newHarness(t)
	u := h.user(106, "Елена")
	u.Send("/start")
	next(t, u, "Здравствуйте")
	press(t, u, next(t, u, "152-ФЗ"), "Даю согласие")
	next(t, u, "Согласие получено")
	next(t, u, "Шаг 1 из 3")

	h.clock.Add(h.cfg.Dialogs.IdleTimeout + time.Minute)
	u.Send("Волкова Елена Андреевна")
	next(t, u, "долго не отвечали")
	if got, _ := h.storedUser(106); got != nil && got.Name != "" {
		t.Errorf("an expired form saved a name: %q", got.Name)
	}
	u.Send("/start")
	next(t, u, "Здравствуйте")
	next(t, u, "152-ФЗ")
}

func TestEnglishClient(t *testing.T) {
	h := newHarness(t)
	u := h.srv.NewUser(107, "John", "en")
	u.Send("/start")
	next(t, u, "Hello, John")
	press(t, u, next(t, u, "152-FZ"), "I agree")
	next(t, u, "Consent given")
	next(t, u, "Step 1 of 3")
	u.Send("Smith John")
	// Latin letters are asked about (the documents are in Russian); an
	// English speaker keeps them by a button.
	press(t, u, next(t, u, "in Latin letters"), "Keep: Smith John")
	next(t, u, "Full name: <b>Smith John</b>")
	next(t, u, "Step 2 of 3")
	u.Send("School No. 5")
	next(t, u, "Step 3 of 3")
	u.Send("physics teacher")
	next(t, u, "you are registered")
	u.Send("/nonsense")
	next(t, u, "I don't know that command")
}

func TestHTMLInNamesIsEscaped(t *testing.T) {
	h := newHarness(t)
	u := h.user(108, "<b>Bold</b> & Co")
	u.Send("/start")
	m := next(t, u, "&lt;b&gt;Bold&lt;/b&gt; &amp; Co")
	if strings.Contains(m.Text, "<b>Bold</b>") {
		t.Errorf("user text not escaped: %q", m.Text)
	}
}

// TestLogsCarryNoSecrets runs registrations through network faults, so
// errors quoting request URLs get logged, and checks the log has neither
// the token nor anyone's personal data.
func TestLogsCarryNoSecrets(t *testing.T) {
	h := newHarness(t)
	h.srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.Drop, Count: 2})
	h.srv.Inject(telegramtest.Fault{Method: "getUpdates", Kind: telegramtest.Drop})
	u := h.user(109, "Мария")
	h.register(u, "Конфиденциальная Мария Петровна", "Секретная школа № 5", "учитель тайнописи")
	h.srv.Settle(t)
	logs := h.logs.String()
	if !strings.Contains(logs, "<redacted>") {
		t.Error("no request error was logged; the test does not test anything")
	}
	for _, secret := range []string{"TEST-token_secret", "Конфиденциальная", "Секретная", "тайнописи", "Мария"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
}
