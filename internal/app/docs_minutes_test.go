package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// minutesHead answers the head of the minutes form: the leader as chair,
// the secretary (none when empty) and no guests.
func minutesHead(t *testing.T, leader *telegramtest.User, secretary string) {
	t.Helper()
	press(t, leader, next(t, leader, "Кто председательствовал"), "Председатель — Лидерова О. И.")
	next(t, leader, "Председатель: Лидерова О. И.")
	sec := next(t, leader, "секретарь")
	if secretary == "" {
		press(t, leader, sec, "Пропустить")
		next(t, leader, "Пропущено")
	} else {
		leader.Send(secretary)
	}
	press(t, leader, next(t, leader, "Приглашённые"), "Пропустить")
	next(t, leader, "Пропущено")
}

// TestPlanFulfilmentMatchedByItself: a held заседание that nobody linked to
// the plan still fulfils the item of its month and format; the leader sees
// the match, confirms it, and is shown what is unfulfilled, the shortfall
// of заседания and the unsigned minutes before sending the report.
func TestPlanFulfilmentMatchedByItself(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	leader.Send("/plan")
	plan := next(t, leader, "План работы")
	plan = addPlanItem(t, leader, plan, "Ноябрь", "Итоги первой четверти", "Заседание")
	addPlanItem(t, leader, plan, "Март", "Итоги полугодия", "Заседание")
	draft := scheduleEvent(t, leader, "Заседание", "Заседание по итогам четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, us[0], "Новое мероприятие")
	h.clock.Add(3 * time.Hour)
	h.quiet()
	leader.Drain()
	us[0].Drain() // the start closed the answers: the announcement was edited

	leader.Send("/report")
	rep := next(t, leader, "Выполнение плана: 1 из 2 мероприятий. (1 сопоставлено автоматически — проверьте)")
	press(t, leader, rep, "Выполнение плана")
	m := next(t, leader, "Выполнение плана: 1 из 2", "🔹 Ноябрь — Итоги первой четверти ← 23.11.2026 «Заседание по итогам четверти»",
		"❌ Март — Итоги полугодия")
	press(t, leader, m, "Подтвердить сопоставление")
	m = next(t, leader, "✅ Ноябрь — Итоги первой четверти ← 23.11.2026")
	press(t, leader, m, "К отчёту")
	rep = next(t, leader, "Отчёт «ММО учителей математики»")
	press(t, leader, rep, "Отправить координатору")
	next(t, leader, "Проведено заседаний: 1, по положению нужно не меньше 3.",
		"Нет подписанного протокола у заседаний: № 1 от 23.11.2026.", "Не выполнены пункты плана: Март — Итоги полугодия.")
	press(t, leader, rep, "DOCX")
	inOrder(t, docText(t, leader.Next(t)), "Выполнение плана работы: 1 из 2",
		"Ноябрь | Итоги первой четверти | Заседание | выполнено (23.11.2026)", "Март | Итоги полугодия | Заседание | срок не наступил")
}

// TestSignedMinutesRedactDeletedUser: a member who deletes their data after
// the minutes were signed is no longer named in them, in the file or in
// the store, and is still counted present.
func TestSignedMinutesRedactDeletedUser(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	draft := scheduleEvent(t, leader, "Заседание", "Заседание с отметками", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	for _, u := range us {
		next(t, u, "Новое мероприятие")
		press(t, u, next(t, u, "Открыта отметка"), "Я на месте")
		next(t, u, "Вы отмечены")
	}
	h.clock.Add(time.Hour)
	h.quiet()
	leader.Drain()
	for _, u := range us {
		u.Drain() // the start closed the answers: the announcements were edited
	}
	leader.Send("/meetings")
	press(t, leader, next(t, leader, "Заседание с отметками"), "Заседание с отметками")
	press(t, leader, next(t, leader, "Заседание № 1"), "Протокол")
	press(t, leader, next(t, leader, "Протокол ещё не составлен"), "Составить протокол")
	next(t, leader, "Составим протокол")
	minutesHead(t, leader, "")
	for item := 1; item <= 2; item++ {
		next(t, leader, "СЛУШАЛИ")
		leader.Send("Лидерову О. И. — о вопросе")
		press(t, leader, next(t, leader, "ВЫСТУПИЛИ"), "Пропустить")
		next(t, leader, "Пропущено")
		next(t, leader, "РЕШИЛИ")
		leader.Send("Принять к сведению.")
		press(t, leader, next(t, leader, "Голосование"), "Единогласно (3)")
		next(t, leader, "единогласно")
	}
	next(t, leader, "Черновик протокола сохранён")
	leader.Next(t)
	press(t, leader, next(t, leader, "Черновик, редакция 1"), "Подписать")
	view := next(t, leader, "Подписан (редакция 1")

	// One item changed without walking the others: a new version.
	press(t, leader, view, "✏️ Вопрос 2")
	next(t, leader, "Исправим вопрос 2")
	next(t, leader, "Вопрос 2 из 2", "Было: <i>Лидерову О. И. — о вопросе</i>")
	leader.Send("+")
	press(t, leader, next(t, leader, "ВЫСТУПИЛИ"), "Пропустить")
	next(t, leader, "Пропущено")
	next(t, leader, "РЕШИЛИ", "Было: <i>Принять к сведению.</i>")
	leader.Send("Поручить руководителю подготовить план на декабрь.")
	press(t, leader, next(t, leader, "Голосование"), "Единогласно (3)")
	next(t, leader, "единогласно")
	next(t, leader, "Черновик протокола сохранён")
	inOrder(t, docText(t, leader.Next(t)), "ЧЕРНОВИК", "Редакция 2", "1. СЛУШАЛИ: Лидерову О. И. — о вопросе", "РЕШИЛИ: Принять к сведению.",
		"2. СЛУШАЛИ: Лидерову О. И. — о вопросе", "РЕШИЛИ: Поручить руководителю подготовить план на декабрь.")
	next(t, leader, "Черновик, редакция 2")

	h.quiet()
	us[0].Drain() // the announcement's edits at the start
	us[0].Send("/settings")
	press(t, us[0], next(t, us[0], "Ваш профиль"), "Удалить мои данные")
	press(t, us[0], next(t, us[0], "Удалить ваши персональные данные?"), "Да, удалить")
	next(t, us[0], "данные удалены")

	press(t, leader, view, "Скачать DOCX")
	text := docText(t, leader.Next(t))
	// Signed, the list keeps its order: the place of the name is kept.
	inOrder(t, text, "Присутствовали: 3 чел. из 3", "участник (данные удалены)", "Борисов Борис Борисович", "Лидерова Ольга Ивановна",
		"Голосовали: «за» — 3")
	if strings.Contains(text, "Антонова") {
		t.Error("the signed minutes name a member who deleted their data")
	}
	h.m.DB.View(func(tx *boltdb.Tx) error {
		tx.Events(func(e *mmo.Event) bool {
			vs, _ := tx.MinutesVersions(e.ID)
			for _, m := range vs {
				if data, _ := json.Marshal(m); strings.Contains(string(data), "Антонова") {
					t.Errorf("the store keeps the name: %s", data)
				}
			}
			return true
		})
		return nil
	})
}

// TestPlanItemEditOneField: one field of one plan item is changed without
// walking the item's other steps, and the optional columns fill the form.
func TestPlanItemEditOneField(t *testing.T) {
	h := newHarness(t)
	leader, _ := meetingSetup(t, h)
	leader.Send("/plan")
	plan := next(t, leader, "План работы")
	plan = addPlanItem(t, leader, plan, "Декабрь", "Функциональная грамотность", "Семинар")
	press(t, leader, plan, "Изменить пункт")
	press(t, leader, next(t, leader, "Какой пункт плана изменить?"), "✏️ 1. Декабрь")
	card := next(t, leader, "Декабрь — Функциональная грамотность", "Место проведения: —")
	press(t, leader, card, "Место проведения")
	next(t, leader, "Место проведения: новое значение?")
	leader.Send("МБОУ СОШ № 5")
	next(t, leader, "Сохранено")
	plan = next(t, leader, "План работы")
	press(t, leader, plan, "Изменить пункт")
	press(t, leader, next(t, leader, "Какой пункт"), "✏️ 1. Декабрь")
	press(t, leader, next(t, leader, "Место проведения: МБОУ СОШ № 5"), "Категория участников")
	next(t, leader, "Категория участников: новое значение?")
	leader.Send("учителя математики 5–9 классов")
	next(t, leader, "Сохранено")
	plan = next(t, leader, "План работы")
	// «✖ Отмена» leaves the form with nothing changed.
	press(t, leader, plan, "Изменить пункт")
	press(t, leader, next(t, leader, "Какой пункт"), "✏️ 1. Декабрь")
	press(t, leader, next(t, leader, "Категория участников: учителя"), "Тема")
	press(t, leader, next(t, leader, "Тема: новое значение?"), "✖ Отмена")
	next(t, leader, "Отменено")
	if d := h.dialog(leader.ID); d != nil {
		t.Errorf("the form is still open: %+v", d)
	}
	press(t, leader, plan, "DOCX")
	inOrder(t, docText(t, leader.Next(t)),
		"1 | Функциональная грамотность | Семинар | Декабрь | МБОУ СОШ № 5 | учителя математики 5–9 классов | Лидерова О. И. |")
}

// TestRecordInDocumentsLanguage: a teacher whose interface is English gets
// the participation record in the organisation's language, Russian.
func TestRecordInDocumentsLanguage(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Кузнецова Ирина Павловна")
	draft := scheduleEvent(t, leader, "Семинар", "Наставничество", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	next(t, us[0], "Новое мероприятие")
	press(t, us[0], next(t, us[0], "Открыта отметка"), "Я на месте")
	next(t, us[0], "Вы отмечены")
	h.clock.Add(time.Hour)
	h.quiet()
	us[0].Drain()
	us[0].Send("/settings")
	press(t, us[0], next(t, us[0], "Ваш профиль"), "English")
	next(t, us[0], "Your profile")
	us[0].Send("/history")
	press(t, us[0], next(t, us[0], "Your participation"), "all time")
	doc := us[0].Next(t)
	if !strings.HasPrefix(doc.Document.Name, "Справка об участии") {
		t.Errorf("file name %q", doc.Document.Name)
	}
	inOrder(t, docText(t, doc), "СПРАВКА №", "Настоящая справка подтверждает, что Кузнецова Ирина Павловна", "принимала участие",
		"Наставничество | участник | 1,5")
}
