package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// TestPlanFulfilmentMatchedByItself: a held заседание that nobody linked to
// the plan still fulfils the item of its month and format; the leader sees
// the match, confirms it, and is shown what is unfulfilled, the shortfall
// of заседания and the unsigned minutes before sending the report.
func TestPlanFulfilmentMatchedByItself(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeamNamed(t, h, on, "Антонова Анна Антоновна")
		leader, us := tm.leader, tm.members
		leader.send("/plan")
		plan := expect(t, leader, "План работы")
		plan = addItem(t, leader, plan, "Октябрь", "Входная диагностика", "Заседание")
		plan = addItem(t, leader, plan, "Ноябрь", "Итоги первой четверти", "Заседание")
		addItem(t, leader, plan, "Март", "Итоги полугодия", "Заседание")
		publishEvent(t, leader, eventForm{format: "Заседание", topic: "Заседание по итогам четверти", when: "23.11 12:10",
			date: "23 ноября 2026 (понедельник), 12:10", agenda: "1. Итоги олимпиады\n2. Разное"})
		expect(t, leader, "Объявлено")
		expect(t, us[0], "Новое мероприятие")
		h.clock.Add(3 * time.Hour)
		h.quiet()
		leader.drain()
		us[0].drain() // the start closed the answers: the announcement was edited

		// October is over and nothing fulfilled its item: not done. March
		// is still to come in November: not a failure, anywhere.
		leader.send("/report")
		rep := expect(t, leader, "Выполнение плана: 1 из 3 мероприятий. (1 сопоставлено автоматически — проверьте)")
		leader.press(t, rep, "Выполнение плана")
		m := expect(t, leader, "Выполнение плана: 1 из 3", "❌ Октябрь — Входная диагностика",
			"🔹 Ноябрь — Итоги первой четверти ← 23.11.2026 «Заседание по итогам четверти»", "⏳ Март — Итоги полугодия")
		leader.press(t, m, "Подтвердить сопоставление")
		m = expect(t, leader, "✅ Ноябрь — Итоги первой четверти ← 23.11.2026")
		leader.press(t, m, "К отчёту")
		rep = expect(t, leader, "Отчёт «ММО учителей математики»")
		leader.press(t, rep, "Отправить координатору")
		confirm := expect(t, leader, "Проведено заседаний: 1, по положению нужно не меньше 3.",
			"Нет подписанного протокола у заседаний: № 1 от 23.11.2026.", "Не выполнены пункты плана: Октябрь — Входная диагностика.")
		if strings.Contains(confirm.text, "Март") {
			t.Errorf("a month still to come is listed as not done:\n%s", confirm.text)
		}
		leader.press(t, rep, "DOCX")
		inOrder(t, docxText(t, leader.next(t)), "Выполнение плана работы: 1 из 3",
			"Октябрь | Входная диагностика | Заседание | не выполнено",
			"Ноябрь | Итоги первой четверти | Заседание | выполнено (23.11.2026)", "Март | Итоги полугодия | Заседание | срок не наступил")
	})
}

// TestSignedMinutesRedactDeletedUser: a member who deletes their data after
// the minutes were signed is no longer named in them, in the file or in
// the store, and is still counted present.
func TestSignedMinutesRedactDeletedUser(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeamNamed(t, h, on, "Антонова Анна Антоновна", "Борисов Борис Борисович")
		leader, us := tm.leader, tm.members
		meetingToday(t, tm, "Заседание с отметками", us...)
		h.clock.Add(time.Hour)
		h.quiet()
		leader.drain()
		for _, u := range us {
			u.drain() // the start closed the answers: the announcements were edited
		}
		leader.send("/meetings")
		leader.press(t, expect(t, leader, "Заседание с отметками"), "Заседание с отметками")
		leader.press(t, expect(t, leader, "Заседание № 1"), "Протокол")
		leader.press(t, expect(t, leader, "Протокол ещё не составлен"), "Составить протокол")
		expect(t, leader, "Составим протокол")
		minutesHeadOf(t, leader, "")
		for item := 1; item <= 2; item++ {
			expect(t, leader, "СЛУШАЛИ")
			leader.send("Лидерову О. И. — о вопросе")
			leader.press(t, expect(t, leader, "ВЫСТУПИЛИ"), "Пропустить")
			expect(t, leader, "Пропущено")
			expect(t, leader, "РЕШИЛИ")
			leader.send("Принять к сведению.")
			leader.press(t, expect(t, leader, "Голосование"), "Единогласно (3)")
			expect(t, leader, "единогласно")
		}
		expect(t, leader, "Черновик протокола сохранён")
		leader.next(t)
		leader.press(t, expect(t, leader, "Черновик, редакция 1"), "Подписать")
		view := expect(t, leader, "Подписан (редакция 1")

		// One item changed without walking the others: a new version.
		leader.press(t, view, "✏️ Вопрос 2")
		expect(t, leader, "Исправим вопрос 2")
		expect(t, leader, "Вопрос 2 из 2", "Было: <i>Лидерову О. И. — о вопросе</i>")
		leader.send("+")
		leader.press(t, expect(t, leader, "ВЫСТУПИЛИ"), "Пропустить")
		expect(t, leader, "Пропущено")
		expect(t, leader, "РЕШИЛИ", "Было: <i>Принять к сведению.</i>")
		leader.send("Поручить руководителю подготовить план на декабрь.")
		leader.press(t, expect(t, leader, "Голосование"), "Единогласно (3)")
		expect(t, leader, "единогласно")
		expect(t, leader, "Черновик протокола сохранён")
		inOrder(t, docxText(t, leader.next(t)), "ЧЕРНОВИК", "Редакция 2", "1. СЛУШАЛИ: Лидерову О. И. — о вопросе", "РЕШИЛИ: Принять к сведению.",
			"2. СЛУШАЛИ: Лидерову О. И. — о вопросе", "РЕШИЛИ: Поручить руководителю подготовить план на декабрь.")
		expect(t, leader, "Черновик, редакция 2")

		h.quiet()
		us[0].drain() // the announcement's edits at the start
		us[0].send("/settings")
		us[0].press(t, expect(t, us[0], "Ваш профиль"), "Удалить мои данные")
		us[0].press(t, expect(t, us[0], "Удалить ваши персональные данные?"), "Да, удалить")
		expect(t, us[0], "данные удалены")

		leader.press(t, view, "Скачать DOCX")
		text := docxText(t, leader.next(t))
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
	})
}

// TestPlanItemEditOneField: one field of one plan item is changed without
// walking the item's other steps, and the optional columns fill the form.
func TestPlanItemEditOneField(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeamNamed(t, h, on)
		leader := tm.leader
		leader.send("/plan")
		plan := expect(t, leader, "План работы")
		plan = addItem(t, leader, plan, "Декабрь", "Функциональная грамотность", "Семинар")
		leader.press(t, plan, "Изменить пункт")
		leader.press(t, expect(t, leader, "Какой пункт плана изменить?"), "✏️ 1. Декабрь")
		card := expect(t, leader, "Декабрь — Функциональная грамотность", "Место проведения: —")
		leader.press(t, card, "Место проведения")
		expect(t, leader, "Место проведения: новое значение?")
		leader.send("МБОУ СОШ № 5")
		expect(t, leader, "Сохранено")
		plan = expect(t, leader, "План работы")
		leader.press(t, plan, "Изменить пункт")
		leader.press(t, expect(t, leader, "Какой пункт"), "✏️ 1. Декабрь")
		leader.press(t, expect(t, leader, "Место проведения: МБОУ СОШ № 5"), "Категория участников")
		expect(t, leader, "Категория участников: новое значение?")
		leader.send("учителя математики 5–9 классов")
		expect(t, leader, "Сохранено")
		plan = expect(t, leader, "План работы")
		// «✖ Отмена» leaves the form with nothing changed.
		leader.press(t, plan, "Изменить пункт")
		leader.press(t, expect(t, leader, "Какой пункт"), "✏️ 1. Декабрь")
		leader.press(t, expect(t, leader, "Категория участников: учителя"), "Тема")
		leader.press(t, expect(t, leader, "Тема: новое значение?"), "✖ Отмена")
		expect(t, leader, "Отменено")
		if d := h.dialogOf(leader); d != nil {
			t.Errorf("the form is still open: %+v", d)
		}
		leader.press(t, plan, "DOCX")
		inOrder(t, docxText(t, leader.next(t)),
			"1 | Функциональная грамотность | Семинар | Декабрь | МБОУ СОШ № 5 | учителя математики 5–9 классов | Лидерова О. И. |")
	})
}

// TestRecordInDocumentsLanguage: a teacher whose interface is English gets
// the participation record in the organisation's language, Russian.
func TestRecordInDocumentsLanguage(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeamNamed(t, h, on, "Кузнецова Ирина Павловна")
		leader, us := tm.leader, tm.members
		publishEvent(t, leader, eventForm{format: "Семинар", topic: "Наставничество", when: "23.11 12:10",
			date: "23 ноября 2026 (понедельник), 12:10", agenda: "1. Итоги олимпиады\n2. Разное"})
		expect(t, leader, "Объявлено")
		expect(t, us[0], "Новое мероприятие")
		us[0].press(t, expect(t, us[0], "Открыта отметка"), "Я на месте")
		expect(t, us[0], "Вы отмечены")
		h.clock.Add(time.Hour)
		h.quiet()
		us[0].drain()
		us[0].send("/settings")
		us[0].press(t, expect(t, us[0], "Ваш профиль"), "English")
		expect(t, us[0], "Your profile")
		us[0].send("/history")
		us[0].press(t, expect(t, us[0], "Your participation"), "all time")
		doc := us[0].next(t)
		if !strings.HasPrefix(doc.name, "Справка об участии") {
			t.Errorf("file name %q", doc.name)
		}
		inOrder(t, docxText(t, doc), "СПРАВКА №", "Настоящая справка подтверждает, что Кузнецова Ирина Павловна", "принимала участие",
			"Наставничество | участник | 1,5")
	})
}
