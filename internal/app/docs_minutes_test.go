package app

import (
	"testing"
	"time"

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
		"Ноябрь | Итоги первой четверти | Заседание | выполнено (23.11.2026)", "Март | Итоги полугодия | Заседание | не выполнено")
}
