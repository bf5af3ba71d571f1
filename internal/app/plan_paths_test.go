package app

import (
	"strings"
	"testing"
	"time"
)

// TestPlanEditAndProposals: the leader rewrites the goal and the tasks,
// deletes an item, and declines the members' proposals; the members are
// told.
func TestPlanEditAndProposals(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	leader.Send("/plan")
	plan := next(t, leader, "План работы «ММО учителей математики» на 2026/2027 учебный год", "Задач: 8")

	press(t, leader, plan, "✏️ Цель")
	next(t, leader, "Сейчас цель такая:", "Создание условий для непрерывного профессионального образования", "Напишите новую")
	leader.Send("Цель")
	next(t, leader, "Слишком коротко: нужно хотя бы 10 символов")
	leader.Send("Повышение качества математического образования через развитие функциональной грамотности.")
	next(t, leader, "Сохранено")
	plan = next(t, leader, "<b>Цель:</b> Повышение качества математического образования через развитие функциональной грамотности.", "Задач: 8")

	press(t, leader, plan, "✏️ Задачи")
	next(t, leader, "Сейчас задачи такие:", "мотивации педагогов к непрерывному профессиональному образованию", "каждую с новой строки")
	leader.Send("- Провести разбор заданий ОГЭ\n• Организовать взаимопосещение уроков\n\n* Поддержать молодых учителей")
	next(t, leader, "Сохранено")
	plan = next(t, leader, "Задач: 3", "Повышение качества")
	if h.dialog(leader.ID) != nil {
		t.Error("a dialog is left after the tasks were saved")
	}

	plan = addPlanItem(t, leader, plan, "Декабрь", "Функциональная грамотность", "Семинар")
	plan = addPlanItem(t, leader, plan, "Январь", "Проектная деятельность", "Круглый стол")
	plan = addPlanItem(t, leader, plan, "Март", "Итоги полугодия", "Заседание")
	inOrder(t, plan.Text, "1. Декабрь — Функциональная грамотность (Семинар)", "2. Январь — Проектная деятельность (Круглый стол)", "3. Март — Итоги полугодия (Заседание)")

	// The delete menu; "back" returns to the plan unchanged.
	press(t, leader, plan, "Удалить мероприятие")
	menu := next(t, leader, "Какое мероприятие удалить из плана?")
	if m := missingButtons(menu, "✖️ 1. Декабрь — Функциональная грамотность", "✖️ 2. Январь — Проектная деятельность",
		"✖️ 3. Март — Итоги полугодия", "⬅️ К плану"); len(m) != 0 {
		t.Fatalf("the delete menu lacks %v: %v", m, menu.Buttons())
	}
	press(t, leader, menu, "⬅️ К плану")
	next(t, leader, "2. Январь — Проектная деятельность")
	press(t, leader, plan, "Удалить мероприятие")
	menu = next(t, leader, "Какое мероприятие удалить из плана?")
	press(t, leader, menu, "✖️ 2. Январь")
	after := next(t, leader, "1. Декабрь — Функциональная грамотность (Семинар)", "2. Март — Итоги полугодия (Заседание)")
	if after.ID != plan.ID || strings.Contains(after.Text, "Январь") || strings.Contains(after.Text, "3. ") {
		t.Errorf("the plan after deleting item 2: %s", after)
	}
	if a := press(t, leader, menu, "✖️ 2. Январь"); !a.ShowAlert || !strings.Contains(a.Text, "устарела") {
		t.Errorf("deleting the same item twice: %+v", a)
	}

	// Two members propose; the leader declines both.
	proposals := []string{"Мастер-класс по геометрическим задачам с параметром", "Семинар о цифровых тренажёрах для устного счёта"}
	for i, u := range us {
		u.Send("/propose")
		next(t, u, "Ваше предложение в план работы «ММО учителей математики» на 2026/2027 учебный год")
		u.Send(proposals[i])
		next(t, u, "Предложение передано руководителю «ММО учителей математики»")
		next(t, leader, "Предложение в план", proposals[i])
	}
	leader.Send("/plan")
	plan = next(t, leader, "План работы")
	press(t, leader, plan, "📥 2 предложения")
	first := next(t, leader, "Предложение в план", "от Антонова Анна Антоновна", proposals[0])
	second := next(t, leader, "Предложение в план", "от Борисов Борис Борисович", proposals[1])

	press(t, leader, first, "Отклонить")
	if m := next(t, leader, "Предложение отклонено: «"+proposals[0]+"»"); m.ID != first.ID || len(m.Buttons()) != 0 {
		t.Errorf("the declined proposal: %s", m)
	}
	next(t, us[0], "Руководитель «ММО учителей математики» не включил в план ваше предложение: «"+proposals[0]+"». Спасибо за идею!")
	for _, b := range []string{"Включить в план", "Отклонить"} {
		if a := press(t, leader, first, b); !a.ShowAlert || a.Text != "По этому предложению уже решено." {
			t.Errorf("%q on a declined proposal: %+v", b, a)
		}
	}
	leader.Send("/plan")
	plan = next(t, leader, "План работы")
	if _, ok := plan.Button("📥 1 предложение"); !ok {
		t.Errorf("one proposal left, buttons %v", plan.Buttons())
	}
	press(t, leader, second, "Отклонить")
	next(t, leader, "Предложение отклонено: «"+proposals[1]+"»")
	next(t, us[1], "не включил в план ваше предложение: «"+proposals[1]+"»")
	if a := press(t, leader, plan, "📥 1 предложение"); a.ShowAlert || a.Text != "Новых предложений нет." {
		t.Errorf("the proposals once all are declined: %+v", a)
	}
	h.quiet()
	for _, u := range append(us, leader) {
		if extra := u.Drain(); len(extra) != 0 {
			t.Errorf("user %d: unexpected messages %v", u.ID, extra)
		}
	}

	// The file has the new goal and tasks, and what is left of the items.
	leader.Send("/plan")
	plan = next(t, leader, "План работы")
	if _, ok := plan.Button("предложени"); ok {
		t.Errorf("declined proposals still offered: %v", plan.Buttons())
	}
	press(t, leader, plan, "DOCX")
	text := docText(t, leader.Next(t))
	inOrder(t, text, "Цель деятельности ММО", "Повышение качества математического образования через развитие функциональной грамотности.",
		"Задачи ММО", "Провести разбор заданий ОГЭ", "Организовать взаимопосещение уроков", "Поддержать молодых учителей",
		"Мероприятия", "Функциональная грамотность | Семинар | Декабрь", "Итоги полугодия | Заседание | Март")
	for _, gone := range []string{"Создание условий", "мотивации педагогов", "Январь", "- Провести", "• Организовать", "* Поддержать", proposals[0], proposals[1]} {
		if strings.Contains(text, gone) {
			t.Errorf("the plan DOCX has %q:\n%s", gone, text)
		}
	}
}

// TestEventLinkedToPlan: an event linked to a plan item marks the item done
// once it is held, in the plan and in the annual report.
func TestEventLinkedToPlan(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна")
	draft := scheduleEvent(t, leader, "Заседание", "Итоги первой четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	card := next(t, leader, "Объявлено")
	next(t, us[0], "Новое мероприятие")
	here := next(t, us[0], "Открыта отметка")

	// No plan yet.
	if a := press(t, leader, card, "Пункт плана"); !a.ShowAlert || a.Text != "В плане на этот учебный год нет мероприятий: сначала составьте план (/plan)." {
		t.Errorf("linking without a plan: %+v", a)
	}
	leader.Send("/plan")
	plan := next(t, leader, "План работы")
	plan = addPlanItem(t, leader, plan, "Ноябрь", "Итоги первой четверти", "Заседание")
	plan = addPlanItem(t, leader, plan, "Март", "Итоги полугодия", "Заседание")

	press(t, leader, card, "Пункт плана")
	menu := next(t, leader, "К какому пункту плана относится мероприятие?")
	if menu.ID != card.ID {
		t.Error("the link menu did not replace the card")
	}
	if m := missingButtons(menu, "1. Ноябрь — Итоги первой четверти", "2. Март — Итоги полугодия", "Не связано с планом"); len(m) != 0 {
		t.Fatalf("the link menu lacks %v: %v", m, menu.Buttons())
	}
	if a := press(t, leader, menu, "1. Ноябрь"); a.Text != "Связь с планом сохранена" {
		t.Errorf("link answer %+v", a)
	}
	card = next(t, leader, "Итоги первой четверти", "🔗 Пункт плана № 1: Итоги первой четверти")
	press(t, leader, card, "Пункт плана")
	menu = next(t, leader, "К какому пункту плана")
	if _, ok := menu.Button("✓ 1. Ноябрь — Итоги первой четверти"); !ok {
		t.Errorf("the linked item is not marked: %v", menu.Buttons())
	}
	press(t, leader, menu, "Не связано с планом")
	if card = next(t, leader, "Итоги первой четверти"); strings.Contains(card.Text, "Пункт плана №") {
		t.Errorf("still linked after unlinking: %q", card.Text)
	}
	press(t, leader, card, "Пункт плана")
	press(t, leader, next(t, leader, "К какому пункту плана"), "1. Ноябрь")
	next(t, leader, "🔗 Пункт плана № 1: Итоги первой четверти")

	// Not held yet: nothing is done.
	leader.Send("/plan")
	if plan = next(t, leader, "1. Ноябрь — Итоги первой четверти (Заседание)"); strings.Contains(plan.Text, "✅") {
		t.Errorf("an item is done before its event: %q", plan.Text)
	}
	press(t, us[0], here, "Я на месте")
	next(t, us[0], "Вы отмечены")
	h.clock.Add(3 * time.Hour)
	h.quiet()
	leader.Drain()

	leader.Send("/plan")
	plan = next(t, leader, "1. Ноябрь — Итоги первой четверти (Заседание) ✅", "2. Март — Итоги полугодия (Заседание)")
	if n := strings.Count(plan.Text, "✅"); n != 1 {
		t.Errorf("%d items done, want 1: %q", n, plan.Text)
	}
	leader.Send("/report")
	rep := next(t, leader, "Отчёт «ММО учителей математики» за 2026/2027 учебный год", "заседаний — 1", "Выполнение плана: 1 из 2 мероприятий.")
	press(t, leader, rep, "DOCX")
	text := docText(t, leader.Next(t))
	inOrder(t, text, "1 | 23.11.2026 | Итоги первой четверти | 2",
		"Выполнение плана работы: 1 из 2", "Месяц | Тема | Форма | Выполнено",
		"Ноябрь | Итоги первой четверти | Заседание | выполнено", "Март | Итоги полугодия | Заседание | срок не наступил")
}
