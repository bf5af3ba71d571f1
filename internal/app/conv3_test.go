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
	if m := missingButtons(pick, "МБОУ «СОШ № 11»", "МАОУ «Лицей № 11»"); len(m) != 0 || len(pick.Buttons()) != 3 { // and «✖ Отмена»
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

// TestParentTopicsPerAssociation: a leader sets the association's own
// topics for parents from the consultants' screen; a parent coming by the
// public link picks from them; back to the common ones by a button.
func TestParentTopicsPerAssociation(t *testing.T) {
	h := newHarness(t)
	leader, _ := meetingSetup(t, h)
	card := openCard(t, leader, "ММО учителей математики")
	press(t, leader, card, "Консультанты")
	view := next(t, leader, "Обращения принимаются только от участников")
	if _, ok := view.Button("Темы для родителей"); ok {
		t.Errorf("topics for parents offered with no public link: %v", view.Buttons())
	}
	press(t, leader, view, "Включить ссылку для родителей")
	view = next(t, leader, "по ссылке")
	payload := linkRE.FindStringSubmatch(view.Text)[1]

	press(t, leader, view, "Темы для родителей")
	ask := next(t, leader, "из общих тем", "Учёба ребёнка и оценки", "каждую с новой строки")
	if _, ok := ask.Button("Вернуть общие темы"); ok {
		t.Errorf("nothing to go back from: %v", ask.Buttons())
	}
	leader.Send("Да")
	next(t, leader, "Слишком коротко")
	leader.Send("Т1 тема\nТ2 тема\nТ3 тема\nТ4 тема\nТ5 тема\nТ6 тема\nТ7 тема\nТ8 тема\nТ9 тема")
	next(t, leader, "Слишком много тем: не больше 8")
	leader.Send("Подготовка к ОГЭ\nЛетний лагерь\n<b>Кружки</b>")
	next(t, leader, "без угловых скобок")
	leader.Send("Подготовка к ОГЭ\nЛетний лагерь")
	next(t, leader, "Сохранено", "• Подготовка к ОГЭ\n• Летний лагерь")

	parent := h.user(501, "Родитель")
	parent.Send("/start " + payload)
	press(t, parent, next(t, parent, "152-ФЗ"), "Даю согласие")
	next(t, parent, "Согласие получено")
	next(t, parent, "Как к вам обращаться?")
	parent.Send("Родителева Римма")
	topics := next(t, parent, "Выберите тему")
	if got := topics.Buttons(); len(got) != 3 || got[2].Text != "✖ Отмена" {
		t.Fatalf("the parent's topics: %v", got)
	}
	press(t, parent, topics, "Летний лагерь")
	next(t, parent, "Тема: Летний лагерь")
	parent.Send("/cancel")
	next(t, parent, "")

	// Back to the common topics.
	press(t, leader, view, "Темы для родителей")
	press(t, leader, next(t, leader, "из тем объединения", "Летний лагерь"), "Вернуть общие темы")
	next(t, leader, "Сохранено", "Учёба ребёнка и оценки")
	h.quiet()
	parent.Drain()
	parent.Send("/start " + payload)
	for {
		m := parent.Next(t)
		if strings.Contains(m.Text, "Выберите тему") {
			if _, ok := m.Button("Учёба ребёнка и оценки"); !ok {
				t.Errorf("the common topics are not back: %v", m.Buttons())
			}
			break
		}
	}
}

// TestEventEditClearsByButton: an optional field of an event is cleared
// by «🗑 Убрать» as by a typed «-»; the form can be left by «✖ Отмена».
func TestEventEditClearsByButton(t *testing.T) {
	h := newHarness(t)
	leader, _ := meetingSetup(t, h, "Антонова Анна Антоновна")
	draft := scheduleEvent(t, leader, "Семинар", "Цифровые сервисы", "25.11 15:00", "25 ноября 2026 (среда), 15:00")
	press(t, leader, draft, "Изменить")
	menu := next(t, leader, "Что изменить?")
	press(t, leader, menu, "Тема")
	press(t, leader, next(t, leader, "Новая тема"), "Отмена")
	next(t, leader, "Отменено")
	press(t, leader, menu, "Повестка")
	ask := next(t, leader, "Новая повестка")
	press(t, leader, ask, "Убрать")
	next(t, leader, "Убрано.")
	for {
		m := leader.Next(t)
		if strings.Contains(m.Text, "Цифровые сервисы") {
			if strings.Contains(m.Text, "Повестка") {
				t.Errorf("the agenda stays after «Убрать»: %q", m.Text)
			}
			break
		}
	}
	if d := h.dialog(leader.ID); d != nil {
		t.Errorf("the form is still open: %+v", d)
	}
}
