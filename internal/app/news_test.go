package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// twoAssociations sets up mathematics (a leader and two members) and
// physics (a leader and one member), and a teacher in neither.
func twoAssociations(t *testing.T, h *harness) (c, leader1, leader2 *telegramtest.User, math []*telegramtest.User, physicist, outsider *telegramtest.User) {
	t.Helper()
	leader1, math = meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	c = h.user(adminID, "Админ")
	c.Drain()
	card := createAssociation(t, c, "ММО учителей физики", "физика", false)
	leader2 = h.teacher(302, "Физикова Полина Петровна")
	appoint(t, c, card, leader2, "Физикова", "Физикова Полина Петровна")
	payload, _ := inviteLink(t, leader2)
	physicist = h.teacher(320, "Ньютонов Исаак Исаакович")
	physicist.Send("/start " + payload)
	next(t, physicist, "Добро пожаловать")
	next(t, leader2, "вступил(а)")
	outsider = h.teacher(330, "Сам-по-себе Семён Семёнович")
	return c, leader1, leader2, math, physicist, outsider
}

func TestAnnouncementToTwoAssociations(t *testing.T) {
	h := newHarness(t)
	c, leader1, leader2, math, physicist, outsider := twoAssociations(t, h)

	// A member cannot announce.
	math[0].Send("/announce")
	next(t, math[0], "Эта команда вам недоступна")

	c.Send("/announce")
	next(t, c, "Текст объявления?")
	c.Send("Смотрите приказ: http://edu.example.ru/prikaz")
	next(t, c, "Ссылка должна начинаться с https://")
	c.Send("Опубликован приказ о муниципальной олимпиаде по математике и физике.")
	next(t, c, "Добавьте ссылку", "Ссылка: нет", "Прикреплено: 0 файлов")
	c.Send("http://edu.example.ru/prikaz.pdf")
	next(t, c, "Ссылка должна начинаться с https://")
	c.Send("edu.example.ru")
	next(t, c, "Не похоже на ссылку")
	c.Send("https://edu.example.ru/prikaz.pdf")
	next(t, c, "Ссылка: https://edu.example.ru/prikaz.pdf", "Прикреплено: 0 файлов")
	c.SendDocument("большой.pdf", bytes.Repeat([]byte("x"), 20<<20+1), "")
	next(t, c, "Файл больше 20 МБ")
	c.SendDocument("положение.pdf", []byte("%PDF-1.4 положение"), "")
	extra := next(t, c, "Прикреплено: 1 файл")
	press(t, c, extra, "Готово")
	next(t, c, "Файлов: 1 файл")
	aud := next(t, c, "Кому отправить объявление")
	press(t, c, aud, "ММО учителей математики")
	press(t, c, next(t, c, "Кому отправить объявление"), "ММО учителей физики")
	press(t, c, next(t, c, "Кому отправить объявление"), "Далее")
	next(t, c, "Получатели: «ММО учителей математики», «ММО учителей физики»")
	confirm := next(t, c, "Опубликован приказ", "Отправить объявление?", "— 5 получателей", "Файлов: 1 файл")
	press(t, c, confirm, "Отправить")
	next(t, c, "Объявление отправлено: 5 получателей")

	// Members of both, their leaders among them; nobody else.
	for _, u := range []*telegramtest.User{math[0], math[1], physicist, leader1, leader2} {
		m := next(t, u, "Объявление", "Координаторова Анна Петровна", "Опубликован приказ", "https://edu.example.ru/prikaz.pdf")
		if b, ok := m.Button("Открыть ссылку"); !ok || b.URL != "https://edu.example.ru/prikaz.pdf" {
			t.Errorf("link button %v", m.Buttons())
		}
		doc := u.Next(t)
		if doc.Document == nil || doc.Document.Name != "положение.pdf" {
			t.Errorf("file %s", doc)
		}
	}
	h.quiet()
	for _, m := range outsider.Drain() {
		if strings.Contains(m.Text, "Опубликован приказ") {
			t.Errorf("the outsider got the announcement")
		}
	}

	// The author sees the delivery; a member finds it in /news, files too.
	c.Send("/news")
	next(t, c, "Опубликован приказ", "Доставлено: 5 из 5")
	math[1].Send("/news")
	item := next(t, math[1], "Опубликован приказ")
	if strings.Contains(item.Text, "Доставлено") {
		t.Errorf("a member sees the delivery: %q", item.Text)
	}
	press(t, math[1], item, "1 файл")
	if doc := math[1].Next(t); doc.Document == nil || doc.Document.Name != "положение.pdf" {
		t.Errorf("file from /news: %s", doc)
	}
	outsider.Send("/news")
	next(t, outsider, "Объявлений пока нет")
	// The home screen's «Новости» opens the same list.
	math[1].Send("/help")
	home := next(t, math[1], "Главное")
	press(t, math[1], home, "📰 Новости")
	next(t, math[1], "Опубликован приказ")

	// A coordinator's announcement to every teacher is confirmed with
	// their number.
	c.Send("/announce")
	next(t, c, "Текст объявления?")
	c.Send("Курсы повышения квалификации: запись до пятницы.")
	press(t, c, next(t, c, "Добавьте ссылку"), "Готово")
	next(t, c, "Файлов: 0 файлов")
	press(t, c, next(t, c, "Кому отправить объявление"), "Все педагоги")
	press(t, c, next(t, c, "Кому отправить объявление"), "Далее")
	next(t, c, "Получатели: Все педагоги")
	press(t, c, next(t, c, "Объявление получат все педагоги: 6 получателей"), "Отправить")
	next(t, c, "Объявление отправлено: 6 получателей")
	for _, u := range []*telegramtest.User{outsider, leader1, leader2, physicist, math[0], math[1]} {
		nextWith(t, u, "Курсы повышения квалификации")
	}
	outsider.Send("/news")
	next(t, outsider, "Курсы повышения квалификации")
}
