package app

import (
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/config"
)

// TestFormsSkipAndCancelByButton: the optional steps of the new-event
// form offer «Пропустить» (and «Только онлайн» for the place) as buttons,
// «-» is still taken when typed, and the plan's forms (goal, tasks, a new
// item) can be left by «✖ Отмена»; a new item's responsible is the
// leader by a button.
func TestFormsSkipAndCancelByButton(t *testing.T) {
	h := newHarness(t)
	leader, _ := meetingSetup(t, h, "Антонова Анна Антоновна")

	leader.Send("/newevent")
	press(t, leader, next(t, leader, "Выберите формат"), "Семинар")
	next(t, leader, "Формат: Семинар")
	next(t, leader, "Тема мероприятия?")
	leader.Send("Цифровые сервисы на уроке")
	next(t, leader, "Когда?")
	leader.Send("25.11 15:00")
	press(t, leader, next(t, leader, "Правильно"), "Да, верно")
	next(t, leader, "25 ноября")
	press(t, leader, next(t, leader, "Сколько продлится?"), "1 ч")
	next(t, leader, "Длительность")
	place := next(t, leader, "Где пройдёт?")
	press(t, leader, place, "Только онлайн")
	if m := next(t, leader, "Только онлайн."); m.ID != place.ID || len(m.Buttons()) != 0 {
		t.Errorf("the place prompt was not marked in place: %s", m)
	}
	link := next(t, leader, "Ссылка на онлайн")
	if _, ok := link.Button("Пропустить"); !ok {
		t.Errorf("the link step offers no «Пропустить»: %s", link)
	}
	leader.Send("https://telemost.yandex.ru/j/123")
	agenda := next(t, leader, "Повестка")
	press(t, leader, agenda, "Пропустить")
	next(t, leader, "Пропущено.")
	next(t, leader, "Черновик сохранён")
	draft := next(t, leader, "Черновик: участники его ещё не видят", "Цифровые сервисы на уроке", "telemost")
	if strings.Contains(draft.Text, "Повестка") {
		t.Errorf("a skipped agenda shows: %q", draft.Text)
	}
	// A stale «Пропустить» does not skip a later step.
	if a := press(t, leader, link, "Пропустить"); !a.ShowAlert {
		t.Errorf("a stale skip was taken: %+v", a)
	}

	// The plan: the goal's form and a new item's form are left by a button.
	leader.Send("/plan")
	plan := next(t, leader, "План работы")
	press(t, leader, plan, "✏️ Цель")
	goal := next(t, leader, "Сейчас цель такая")
	press(t, leader, goal, "Отмена")
	next(t, leader, "Отменено")
	if d := h.dialog(leader.ID); d != nil {
		t.Fatalf("the goal's form is still open: %+v", d)
	}
	press(t, leader, plan, "✏️ Задачи")
	press(t, leader, next(t, leader, "Сейчас задачи такие"), "Отмена")
	next(t, leader, "Отменено")
	press(t, leader, plan, "Мероприятие")
	month := next(t, leader, "В каком месяце?")
	press(t, leader, month, "Отмена")
	next(t, leader, "Отменено")
	if d := h.dialog(leader.ID); d != nil {
		t.Fatalf("the item's form is still open: %+v", d)
	}
	press(t, leader, plan, "Мероприятие")
	press(t, leader, next(t, leader, "В каком месяце?"), "Март")
	next(t, leader, "Месяц: Март")
	if m := next(t, leader, "Тема мероприятия?"); len(m.Buttons()) == 0 {
		t.Errorf("the topic step cannot be left by a button: %s", m)
	}
	leader.Send("Итоги полугодия")
	press(t, leader, next(t, leader, "Форма проведения"), "Заседание")
	next(t, leader, "Формат: Заседание")
	press(t, leader, next(t, leader, "Кто ответственный?"), "Руководитель")
	next(t, leader, "Ответственный: руководитель.")
	next(t, leader, "добавлено в план")
	next(t, leader, "План работы", "Итоги полугодия")
}

// TestSettingsCheckNameAndSchool: a name or school changed in the
// settings goes through the same checks as at registration.
func TestSettingsCheckNameAndSchool(t *testing.T) {
	h := newHarnessWith(t, func(c *config.Config) {
		c.Registration.Schools = []string{"МБОУ «СОШ № 5»", "МБОУ «СОШ № 11»", "МАОУ «Лицей № 11»"}
	})
	u := h.user(701, "Дарья")
	h.register(u, "Никитина Дарья Андреевна", "МБОУ «СОШ № 5»", "учитель")

	// First name first: the fix by a button.
	u.Send("/settings")
	press(t, u, next(t, u, "Ваш профиль"), "Изменить ФИО")
	next(t, u, "новые фамилию, имя и отчество")
	u.Send("Дарья Андреевна Смирнова")
	press(t, u, next(t, u, "сначала написано имя"), "✔ Смирнова Дарья Андреевна")
	next(t, u, "ФИО: <b>Смирнова Дарья Андреевна</b>")
	next(t, u, "Сохранено")
	next(t, u, "Ваш профиль", "Смирнова Дарья Андреевна")
	// One word is refused; no patronymic is asked about.
	u.Send("/settings")
	press(t, u, next(t, u, "Ваш профиль"), "Изменить ФИО")
	next(t, u, "новые фамилию, имя и отчество")
	u.Send("Смирнова")
	next(t, u, "через пробел")
	u.Send("Смирнова Дарья")
	next(t, u, "Отчество не указано")
	if got, _ := h.storedUser(701); got.Name != "Смирнова Дарья Андреевна" {
		t.Fatalf("the name changed before the question was answered: %q", got.Name)
	}
	u.Send("Смирнова Дарья Андреевна")
	next(t, u, "Сохранено")
	next(t, u, "Ваш профиль")

	// The school: picked from the city's list; one not in it is marked.
	u.Send("/settings")
	press(t, u, next(t, u, "Ваш профиль"), "Изменить организацию")
	next(t, u, "номер школы")
	u.Send("11") // a bare number, as the prompt suggests, finds the schools
	pick := next(t, u, "Выберите вашу организацию")
	if m := missingButtons(pick, "МБОУ «СОШ № 11»", "МАОУ «Лицей № 11»"); len(m) != 0 || len(pick.Buttons()) != 2 {
		t.Fatalf("the matches of a number: %v", pick.Buttons())
	}
	press(t, u, pick, "МАОУ «Лицей № 11»")
	next(t, u, "Организация: <b>МАОУ «Лицей № 11»</b>")
	next(t, u, "Сохранено")
	next(t, u, "Ваш профиль", "МАОУ «Лицей № 11»")
	if got, _ := h.storedUser(701); got.School != "МАОУ «Лицей № 11»" || got.SchoolOther {
		t.Errorf("stored school %q, other %v", got.School, got.SchoolOther)
	}
	u.Send("/settings")
	press(t, u, next(t, u, "Ваш профиль"), "Изменить организацию")
	next(t, u, "номер школы")
	u.Send("Вечерняя школа на Заречной")
	press(t, u, next(t, u, "такой нет"), "Другая: Вечерняя школа на Заречной")
	next(t, u, "Организация: <b>Вечерняя школа на Заречной</b>")
	next(t, u, "Сохранено")
	next(t, u, "Ваш профиль")
	if got, _ := h.storedUser(701); got.School != "Вечерняя школа на Заречной" || !got.SchoolOther {
		t.Errorf("stored school %q, other %v", got.School, got.SchoolOther)
	}
}
