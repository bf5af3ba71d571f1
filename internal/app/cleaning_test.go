package app

import (
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// The invisible characters of mmo.CleanText: a right-to-left override, an
// isolate, a right-to-left mark and a NUL.
const (
	rlo = "\u202E"
	fsi = "\u2068"
	rlm = "\u200F"
)

// hasUnsafe reports whether a text shown or stored still holds any of the
// characters mmo.CleanText removes.
func hasUnsafe(s string) bool { return mmo.HasUnsafeText(strings.ReplaceAll(s, "\r", "")) }

// TestInvisibleControlsInProfile types bidi controls into each profile
// field: each is refused with an explanation and nothing is stored.
func TestInvisibleControlsInProfile(t *testing.T) {
	h := newHarness(t)
	u := h.user(120, "Мария")
	u.Send("/start")
	next(t, u, "Здравствуйте")
	press(t, u, next(t, u, "152-ФЗ"), "Даю согласие")
	next(t, u, "Согласие получено")
	next(t, u, "Шаг 1 из 3")
	u.Send("Иванова " + rlo + "анираМ")
	next(t, u, "невидимые служебные символы")
	u.Send("Иванова Мария Петровна")
	next(t, u, "Шаг 2 из 3")
	u.Send("МБОУ СОШ " + fsi + "№ 5")
	next(t, u, "невидимые служебные символы")
	u.Send("МБОУ СОШ № 5")
	next(t, u, "Шаг 3 из 3")
	u.Send("учитель " + rlm + "математики\x00")
	next(t, u, "невидимые служебные символы")
	u.Send("учитель математики")
	next(t, u, "вы зарегистрированы")
	got, err := h.storedUser(120)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Иванова Мария Петровна" || got.School != "МБОУ СОШ № 5" || got.Position != "учитель математики" {
		t.Errorf("stored profile %q / %q / %q", got.Name, got.School, got.Position)
	}

	// And when editing the profile later.
	u.Send("/settings")
	press(t, u, next(t, u, "Ваш профиль"), "Изменить должность")
	next(t, u, "новую должность")
	u.Send("учитель " + rlo + "физики")
	next(t, u, "невидимые служебные символы")
	if got, _ := h.storedUser(120); got.Position != "учитель математики" {
		t.Errorf("a refused position was stored: %q", got.Position)
	}
}

// TestInvisibleControlsInMeetingAndMinutes types them into an event and
// its minutes: the one-line topic is refused, the agenda and the minutes'
// texts keep their words and lose the invisible characters, in the store,
// in the chat and in the DOCX.
func TestInvisibleControlsInMeetingAndMinutes(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	leader.Send("/newevent")
	press(t, leader, next(t, leader, "Выберите формат"), "Заседание")
	next(t, leader, "Формат: Заседание")
	next(t, leader, "Тема мероприятия?")
	leader.Send("Итоги " + rlo + "итревч")
	next(t, leader, "невидимые служебные символы")
	leader.Send("Итоги четверти")
	next(t, leader, "Когда?")
	leader.Send("23.11 12:10")
	press(t, leader, next(t, leader, "Правильно: <b>"), "Да, верно")
	next(t, leader, "23 ноября 2026")
	press(t, leader, next(t, leader, "Сколько продлится?"), "1,5 ч")
	next(t, leader, "Длительность")
	next(t, leader, "Где пройдёт?")
	leader.Send("МБОУ СОШ № 5, каб. 21")
	next(t, leader, "Ссылка на онлайн")
	leader.Send("-")
	next(t, leader, "Повестка")
	leader.Send("1. Итоги " + rlo + "олимпиады\x00\r\n2. Разное" + fsi)
	next(t, leader, "Черновик сохранён")
	draft := next(t, leader, "Черновик: участники его ещё не видят", "Итоги олимпиады")
	if hasUnsafe(draft.Text) {
		t.Errorf("the card shows an invisible character: %q", draft.Text)
	}
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, us[0], "Новое мероприятие")
	next(t, us[0], "Открыта отметка")
	h.clock.Add(30 * time.Minute)

	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Итоги четверти"), "Итоги четверти")
	press(t, leader, next(t, leader, "Заседание № 1"), "Протокол")
	press(t, leader, next(t, leader, "Протокол ещё не составлен"), "Составить протокол")
	next(t, leader, "Составим протокол")
	press(t, leader, next(t, leader, "председательствовал"), "Председатель — Лидерова О. И.")
	next(t, leader, "Председатель: Лидерова О. И.")
	next(t, leader, "секретарь")
	leader.Send("Антонова " + rlo + "аннА")
	next(t, leader, "невидимые служебные символы")
	leader.Send("Антонова Анна Антоновна")
	press(t, leader, next(t, leader, "Приглашённые"), "Пропустить")
	next(t, leader, "Пропущено")
	next(t, leader, "Вопрос 1 из 2:</b> Итоги олимпиады", "СЛУШАЛИ")
	leader.Send("Лидерову О. И. " + rlo + "— об итогах\x1b")
	next(t, leader, "ВЫСТУПИЛИ")
	leader.Send("-")
	next(t, leader, "РЕШИЛИ")
	leader.Send("Принять" + rlm + " к сведению.")
	next(t, leader, "Голосование по вопросу 1")
	leader.Send("2 " + fsi + "0 0")
	next(t, leader, "Вопрос 2 из 2:</b> Разное")
	leader.Send("Лидерову О. И. — о плане")
	next(t, leader, "ВЫСТУПИЛИ")
	leader.Send("-")
	next(t, leader, "РЕШИЛИ")
	leader.Send("Принять к сведению.")
	press(t, leader, next(t, leader, "Голосование по вопросу 2"), "Без голосования")
	next(t, leader, "без голосования")
	next(t, leader, "Черновик протокола сохранён")
	doc := leader.Next(t)
	if doc.Document == nil {
		t.Fatalf("no DOCX: %+v", doc)
	}
	text, err := render.DOCXText(doc.Document.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	inOrder(t, text, "Итоги олимпиады", "Разное", "СЛУШАЛИ: Лидерову О. И. — об итогах", "Принять к сведению.", "«за» — 2, «против» — 0")
	if hasUnsafe(text) {
		t.Errorf("the DOCX holds an invisible character:\n%q", text)
	}

	// What was stored is clean too, not only what was printed.
	err = h.m.DB.View(func(tx *boltdb.Tx) error {
		return tx.Events(func(e *mmo.Event) bool {
			if hasUnsafe(e.Topic + e.Agenda) {
				t.Errorf("stored event %q / %q", e.Topic, e.Agenda)
			}
			ms, err := tx.MinutesVersions(e.ID)
			if err != nil || len(ms) != 1 {
				t.Fatalf("minutes versions %d, %v", len(ms), err)
			}
			for _, it := range ms[0].Items {
				if hasUnsafe(it.Topic + it.Heard + it.Spoke + it.Decided) {
					t.Errorf("stored minutes item %+v", it)
				}
			}
			if got := ms[0].Items[0].Heard; got != "Лидерову О. И. — об итогах" {
				t.Errorf("stored СЛУШАЛИ %q", got)
			}
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
