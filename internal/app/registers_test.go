package app

import (
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// record fills one entry of a register: texts are typed, a level pressed.
func record(t *testing.T, u *telegramtest.User, register string, answers ...string) telegramtest.Message {
	t.Helper()
	return recordAs(t, &tgPerson{u: u}, register, answers...).tg
}

// recordAs fills one entry of a register in either messenger: texts are
// typed, a level pressed.
func recordAs(t *testing.T, u person, register string, answers ...string) msg {
	t.Helper()
	u.send("/registers")
	u.press(t, expect(t, u, "Реестры «ММО учителей математики»"), register)
	expect(t, u, register+" — запись")
	for _, a := range answers {
		m := u.next(t)
		if lvl, ok := strings.CutPrefix(a, "level:"); ok {
			u.press(t, m, lvl)
			expect(t, u, "Уровень: "+lvl)
			continue
		}
		u.send(a)
	}
	return expect(t, u, "Записано:")
}

func TestRegistersFeedTheReport(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	anna, boris := us[0], us[1]

	// A member records a contest; no award proposals for members.
	anna.Send("/registers")
	menu := next(t, anna, "Реестры «ММО учителей математики»")
	if _, ok := menu.Button("Представление к награде"); ok {
		t.Error("a member is offered award proposals")
	}
	press(t, anna, menu, "Профессиональный конкурс")
	next(t, anna, "Профессиональный конкурс — запись")
	next(t, anna, "Название конкурса?")
	anna.Send("Учитель года — 2027")
	level := next(t, anna, "Уровень конкурса?")
	anna.Send("областной")
	next(t, anna, "Выберите вариант кнопкой")
	press(t, anna, level, "муниципальный")
	next(t, anna, "Уровень: муниципальный")
	next(t, anna, "Результат?")
	anna.Send("призёр")
	next(t, anna, "Записано: «Учитель года — 2027» (муниципальный уровень) — призёр")

	// Open events count from the municipal level up: no school level.
	anna.Send("/registers")
	press(t, anna, next(t, anna, "Реестры"), "Открытый урок")
	next(t, anna, "Открытый урок, мастер-класс — запись")
	next(t, anna, "Тема открытого урока")
	anna.Send("Функции и графики")
	next(t, anna, "Форма и для кого?")
	anna.Send("мастер-класс для учителей района")
	lv := next(t, anna, "Уровень мероприятия?")
	if _, ok := lv.Button("школьный"); ok {
		t.Error("an open event of the school level offered")
	}
	press(t, anna, lv, "региональный")
	next(t, anna, "Уровень: региональный")
	next(t, anna, "Записано:", "региональный уровень")

	// A wrong entry is removed.
	record(t, anna, "Публикация", "по ошибке", "Ошибочная запись")
	anna.Send("/registers")
	press(t, anna, next(t, anna, "Реестры"), "Мои записи")
	list := next(t, anna, "Ваши записи", "1. Профессиональный конкурс", "3. Публикация")
	press(t, anna, list, "Удалить 3")
	next(t, anna, "Запись удалена: «Ошибочная запись»")

	record(t, boris, "Публикация", "сборник МБУ МЦ «Методический вестник»", "Смысловое чтение на уроках геометрии")
	record(t, leader, "Наставничество: молодой специалист", "Борисов Борис Борисович", "Антонова Анна Антоновна", "планирование уроков, взаимопосещение")
	record(t, leader, "Представление к награде", "Антонова Анна Антоновна", "Почётная грамота управления образования", "за подготовку призёров олимпиады")

	// The report's sections start from the registers; the leader takes
	// them with "+".
	leader.Send("/report")
	rep := next(t, leader, "Отчёт «ММО учителей математики»")
	for _, s := range []struct{ button, line, want string }{
		{"4. Конкурсы", "4. Участие", "Антонова Анна Антоновна: «Учитель года — 2027» (муниципальный уровень) — призёр"},
		{"6. Публикации", "6. Публикации", "Борисов Борис Борисович: «Смысловое чтение на уроках геометрии» — сборник МБУ МЦ «Методический вестник»"},
		{"7. Молодые специалисты", "7. Работа", "Борисов Борис Борисович — наставник Антонова Анна Антоновна: планирование уроков, взаимопосещение"},
	} {
		press(t, leader, rep, s.button)
		next(t, leader, "Из реестров объединения", s.want)
		leader.Send("+")
		next(t, leader, "Сохранено")
		rep = next(t, leader, "✅ "+s.line)
	}
	press(t, leader, rep, "DOCX")
	text := docText(t, leader.Next(t))
	inOrder(t, text,
		"4.", "Участие в профессиональных конкурсах", "• Антонова Анна Антоновна: «Учитель года — 2027» (муниципальный уровень) — призёр",
		"6.", "Публикации", "• Борисов Борис Борисович: «Смысловое чтение на уроках геометрии»",
		"7.", "Работа с молодыми специалистами", "• Борисов Борис Борисович — наставник Антонова Анна Антоновна")
	if strings.Contains(text, "Ошибочная") || strings.Contains(text, "Почётная грамота") {
		t.Errorf("the report holds a removed entry or an award proposal:\n%s", text)
	}

	// Anna's participation record gets her own entries.
	var mine []string
	err := h.m.DB.View(func(tx *boltdb.Tx) error {
		var err error
		mine, err = h.m.Engine.ParticipationEntries(tx, "ru", h.uid(310), 2026)
		return err
	})
	if err != nil || len(mine) != 2 || !strings.HasPrefix(mine[0], "Профессиональный конкурс: «Учитель года — 2027»") || !strings.Contains(mine[1], "Функции и графики") {
		t.Errorf("participation entries %q %v", mine, err)
	}
}
