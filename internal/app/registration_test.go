package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/max"
	"github.com/mmobot/mmobot/internal/max/maxtest"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// The tests of registration below run through both messengers (see
// forEachMessenger).

// TestRegistration: a person registers, consenting, in either messenger;
// every step validates, the consent names the messenger, and nothing of
// the form is left behind.
func TestRegistration(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 101, "Мария")
		u.send("/start")
		expect(t, u, "Здравствуйте, Мария")
		consent := expect(t, u, "152-ФЗ", "Удалить мои данные")
		if len(consent.buttons) != 2 {
			t.Fatalf("consent buttons = %v", consent.buttons)
		}
		// The consent names the messenger the person is on.
		name := map[string]string{"telegram": "Telegram", "max": "MAX"}[on]
		if !strings.Contains(consent.text, "идентификатора в "+name+",") {
			t.Errorf("the consent on %s does not name it: %q", on, consent.text)
		}
		// Typing instead of pressing keeps the user at the consent step.
		u.send("Иванова Мария")
		expect(t, u, "ответьте кнопкой")
		expect(t, u, "152-ФЗ")

		u.press(t, consent, "Даю согласие")
		edited := expect(t, u, "Согласие получено")
		if edited.id != consent.id || len(edited.buttons) != 0 {
			t.Errorf("the consent message was not edited in place without buttons: %q %v", edited.text, edited.buttons)
		}
		expect(t, u, "Шаг 1 из 3")

		// Each step validates.
		u.send("Иванова")
		expect(t, u, "фамилию, имя и отчество через пробел")
		u.send(strings.Repeat("Оченьдлинное ", 10))
		expect(t, u, "Слишком длинно: не больше 100 символов")
		u.send("Иванова <Мария>")
		expect(t, u, "только буквы")
		u.send("  Иванова   Мария  Петровна ")
		expect(t, u, "Шаг 2 из 3")

		u.sendPhoto([]byte("\x89PNG"), "")
		expect(t, u, "ответьте текстом")
		expect(t, u, "Шаг 2 из 3")
		u.send("12")
		expect(t, u, "Слишком коротко: нужно хотя бы 3 символа")
		u.send("МБОУ «СОШ № 5» & <лицей>")
		expect(t, u, "Шаг 3 из 3")
		u.send("учитель математики")
		done := expect(t, u, "вы зарегистрированы", "Иванова Мария Петровна", "МБОУ «СОШ № 5» &amp; &lt;лицей&gt;", "/settings")
		if strings.Contains(done.text, "/coordinators") {
			t.Errorf("a member's help lists admin commands: %q", done.text)
		}

		got := h.stored(u)
		if got.Name != "Иванова Мария Петровна" || got.School != "МБОУ «СОШ № 5» & <лицей>" || got.Position != "учитель математики" {
			t.Errorf("stored profile %q / %q / %q", got.Name, got.School, got.Position)
		}
		if !got.Registered() || got.ConsentAt.IsZero() {
			t.Errorf("registered %v, consent at %v", got.Registered(), got.ConsentAt)
		}
		if d := h.dialogOf(u); d != nil {
			t.Errorf("a dialog is left after registration: %+v", d)
		}

		// /start again greets by name.
		u.send("/start")
		expect(t, u, "С возвращением", "Иванова Мария Петровна")
	})
}

// TestRegistrationDeclined: without consent nothing is stored, and the
// old consent button is stale.
func TestRegistrationDeclined(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 102, "Пётр")
		u.send("/start")
		expect(t, u, "Здравствуйте")
		consent := expect(t, u, "152-ФЗ")
		u.press(t, consent, "Не согласен")
		expect(t, u, "Согласие не дано")
		expect(t, u, "Без согласия")
		if _, err := h.lookup(u); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("a user who declined is still stored: %v", err)
		}
		// The old consent button is now stale.
		if a := u.pressRefused(t, consent, "Даю согласие"); !strings.Contains(a, "устарела") {
			t.Errorf("stale consent answer: %q", a)
		}
		h.settle()
		if _, err := h.lookup(u); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("a stale button stored the user: %v", err)
		}
		if d := h.dialogOf(u); d != nil {
			t.Errorf("a stale button started a dialog: %+v", d)
		}
	})
}

// TestCancelDuringRegistration: /cancel leaves the form with nothing
// saved.
func TestCancelDuringRegistration(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 103, "Анна")
		u.send("/start")
		expect(t, u, "Здравствуйте")
		u.press(t, expect(t, u, "152-ФЗ"), "Даю согласие")
		expect(t, u, "Согласие получено")
		expect(t, u, "Шаг 1 из 3")
		u.send("Смирнова Анна Ивановна")
		expect(t, u, "Шаг 2 из 3")
		u.send("/cancel")
		expect(t, u, "Регистрация прервана")

		if got, err := h.lookup(u); !errors.Is(err, mmo.ErrNotFound) {
			t.Errorf("cancelled registration left a record: %+v, %v", got, err)
		}
		u.send("/cancel")
		expect(t, u, "нечего отменять")
		u.send("Смирнова Анна")
		expect(t, u, "Отправьте /start")
	})
}

// TestRestartInTheMiddleOfRegistration: a half-filled form survives a
// restart, and /start in the middle of one resumes it.
func TestRestartInTheMiddleOfRegistration(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 104, "Ольга")
		u.send("/start")
		expect(t, u, "Здравствуйте")
		u.press(t, expect(t, u, "152-ФЗ"), "Даю согласие")
		expect(t, u, "Согласие получено")
		expect(t, u, "Шаг 1 из 3")
		u.send("Кузнецова Ольга Сергеевна")
		expect(t, u, "Шаг 2 из 3")

		h.restart()

		u.send("Гимназия № 3")
		expect(t, u, "Шаг 3 из 3")
		u.send("учитель истории")
		expect(t, u, "вы зарегистрированы", "Кузнецова Ольга Сергеевна", "Гимназия № 3")

		// /start in the middle of a form resumes it rather than restarting.
		v := h.person(on, 105, "Ирина")
		v.send("/start")
		expect(t, v, "Здравствуйте")
		v.press(t, expect(t, v, "152-ФЗ"), "Даю согласие")
		expect(t, v, "Согласие получено")
		expect(t, v, "Шаг 1 из 3")
		v.send("/start")
		expect(t, v, "Продолжим регистрацию")
		expect(t, v, "Шаг 1 из 3")
	})
}

// TestDialogExpires: a form left for longer than the idle timeout is
// forgotten; what is typed after it is not saved.
func TestDialogExpires(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 106, "Елена")
		u.send("/start")
		expect(t, u, "Здравствуйте")
		u.press(t, expect(t, u, "152-ФЗ"), "Даю согласие")
		expect(t, u, "Согласие получено")
		expect(t, u, "Шаг 1 из 3")

		h.clock.Add(h.cfg.Dialogs.IdleTimeout + time.Minute)
		u.send("Волкова Елена Андреевна")
		expect(t, u, "долго не отвечали")
		if got, _ := h.lookup(u); got != nil && got.Name != "" {
			t.Errorf("an expired form saved a name: %q", got.Name)
		}
		u.send("/start")
		expect(t, u, "Здравствуйте")
		expect(t, u, "152-ФЗ")
	})
}

// TestEnglishClient: a client in English is answered in English.
func TestEnglishClient(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.personIn(on, 107, "John", "en")
		u.send("/start")
		expect(t, u, "Hello, John")
		u.press(t, expect(t, u, "152-FZ"), "I agree")
		expect(t, u, "Consent given")
		expect(t, u, "Step 1 of 3")
		u.send("Smith John")
		expect(t, u, "Step 2 of 3")
		u.send("School No. 5")
		expect(t, u, "Step 3 of 3")
		u.send("physics teacher")
		expect(t, u, "you are registered")
		u.send("/nonsense")
		expect(t, u, "I don't know that command")
	})
}

// TestHTMLInNamesIsEscaped: a messenger name with markup is shown as
// typed, not rendered.
func TestHTMLInNamesIsEscaped(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		u := h.person(on, 108, "<b>Bold</b> & Co")
		u.send("/start")
		if m := expect(t, u, "&lt;b&gt;Bold&lt;/b&gt; &amp; Co"); strings.Contains(m.text, "<b>Bold</b>") {
			t.Errorf("user text not escaped: %q", m.text)
		}
	})
}

// TestLogsCarryNoSecrets runs registrations through network faults, so
// errors of failed requests get logged, and checks the log has neither
// the token nor anyone's personal data, in either messenger.
func TestLogsCarryNoSecrets(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		token := h.cfg.Telegram.Token
		if on == max.Messenger {
			token = h.cfg.Max.Token
			h.mx.Inject(maxtest.Fault{Op: "POST /messages", Kind: maxtest.Drop, Count: 2})
			h.mx.Inject(maxtest.Fault{Op: "GET /updates", Kind: maxtest.Drop})
		} else {
			h.srv.Inject(telegramtest.Fault{Method: "sendMessage", Kind: telegramtest.Drop, Count: 2})
			h.srv.Inject(telegramtest.Fault{Method: "getUpdates", Kind: telegramtest.Drop})
		}
		u := h.person(on, 109, "Мария")
		enrol(t, u, "Конфиденциальная Мария Петровна", "Секретная школа № 5", "учитель тайнописи")
		h.settle()
		logs := h.logs.String()
		if on == telegram.Messenger && !strings.Contains(logs, "<redacted>") {
			t.Error("no request error was logged; the test does not test anything")
		}
		if !strings.Contains(logs, "failed") {
			t.Error("no failed request was logged; the test does not test anything")
		}
		for _, secret := range []string{token, "Конфиденциальная", "Секретная", "тайнописи", "Мария"} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log contains %q", secret)
			}
		}
	})
}
