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

// twoAssociationsOn sets up, all in messenger on, mathematics (a leader
// and two members) and physics (a leader and one member), and a teacher
// in neither.
func twoAssociationsOn(t *testing.T, h *harness, on string) (c, leader1, leader2 person, math []person, physicist, outsider person) {
	t.Helper()
	c = adminOn(t, h, on)
	join := func(leader person, payload string, id int64, name string) person {
		u := teacherOn(t, h, on, id, name)
		u.start(payload)
		expect(t, u, "Добро пожаловать")
		expect(t, leader, "вступил(а)")
		return u
	}
	card := createAs(t, c, "ММО учителей математики", "математика", false)
	leader1 = teacherOn(t, h, on, 301, "Лидерова Ольга Ивановна")
	appointAs(t, c, card, leader1, "Лидерова", "Лидерова Ольга Ивановна")
	_, payload, _ := invitationOf(t, leader1)
	math = []person{
		join(leader1, payload, 310, "Антонова Анна Антоновна"),
		join(leader1, payload, 311, "Борисов Борис Борисович"),
	}
	card = createAs(t, c, "ММО учителей физики", "физика", false)
	leader2 = teacherOn(t, h, on, 302, "Физикова Полина Петровна")
	appointAs(t, c, card, leader2, "Физикова", "Физикова Полина Петровна")
	_, payload, _ = invitationOf(t, leader2)
	physicist = join(leader2, payload, 320, "Ньютонов Исаак Исаакович")
	outsider = teacherOn(t, h, on, 330, "Сам-по-себе Семён Семёнович")
	return c, leader1, leader2, math, physicist, outsider
}

func TestAnnouncementToTwoAssociations(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		c, leader1, leader2, math, physicist, outsider := twoAssociationsOn(t, h, on)

		// A member cannot announce.
		math[0].send("/announce")
		expect(t, math[0], "Эта команда вам недоступна")

		c.send("/announce")
		expect(t, c, "Текст объявления?")
		c.send("Смотрите приказ: http://edu.example.ru/prikaz")
		expect(t, c, "Ссылка должна начинаться с https://")
		c.send("Опубликован приказ о муниципальной олимпиаде по математике и физике.")
		expect(t, c, "Добавьте ссылку", "Ссылка: нет", "Прикреплено: 0 файлов")
		c.send("http://edu.example.ru/prikaz.pdf")
		expect(t, c, "Ссылка должна начинаться с https://")
		c.send("edu.example.ru")
		expect(t, c, "Не похоже на ссылку")
		c.send("https://edu.example.ru/prikaz.pdf")
		expect(t, c, "Ссылка: https://edu.example.ru/prikaz.pdf", "Прикреплено: 0 файлов")
		c.sendDocument("большой.pdf", bytes.Repeat([]byte("x"), 20<<20+1), "")
		expect(t, c, "Файл больше 20 МБ")
		c.sendDocument("положение.pdf", []byte("%PDF-1.4 положение"), "")
		extra := expect(t, c, "Прикреплено: 1 файл")
		c.press(t, extra, "Готово")
		expect(t, c, "Файлов: 1 файл")
		aud := expect(t, c, "Кому отправить объявление")
		c.press(t, aud, "ММО учителей математики")
		c.press(t, expect(t, c, "Кому отправить объявление"), "ММО учителей физики")
		c.press(t, expect(t, c, "Кому отправить объявление"), "Далее")
		expect(t, c, "Получатели: «ММО учителей математики», «ММО учителей физики»")
		confirm := expect(t, c, "Опубликован приказ", "Отправить объявление?", "— 5 получателей", "Файлов: 1 файл")
		c.press(t, confirm, "Отправить")
		expect(t, c, "Объявление отправлено: 5 получателей")

		// Members of both, their leaders among them; nobody else.
		for _, u := range []person{math[0], math[1], physicist, leader1, leader2} {
			m := expect(t, u, "Объявление", "Координаторова Анна Петровна", "Опубликован приказ", "https://edu.example.ru/prikaz.pdf")
			if url, ok := m.url("Открыть ссылку"); !ok || url != "https://edu.example.ru/prikaz.pdf" {
				t.Errorf("link button %v %q", m.buttons, url)
			}
			if doc := u.next(t); doc.name != "положение.pdf" || string(doc.file) != "%PDF-1.4 положение" {
				t.Errorf("file %q %q", doc.name, doc.file)
			}
		}
		h.quiet()
		for _, m := range outsider.unread() {
			if strings.Contains(m, "Опубликован приказ") {
				t.Errorf("the outsider got the announcement")
			}
		}

		// The author sees the delivery; a member finds it in /news, files too.
		c.send("/news")
		expect(t, c, "Опубликован приказ", "Доставлено: 5 из 5")
		math[1].send("/news")
		item := expect(t, math[1], "Опубликован приказ")
		if strings.Contains(item.text, "Доставлено") {
			t.Errorf("a member sees the delivery: %q", item.text)
		}
		math[1].press(t, item, "1 файл")
		if doc := math[1].next(t); doc.name != "положение.pdf" || string(doc.file) != "%PDF-1.4 положение" {
			t.Errorf("file from /news: %q %q", doc.name, doc.file)
		}
		outsider.send("/news")
		expect(t, outsider, "Объявлений пока нет")
		// The home screen's «Новости» opens the same list.
		math[1].send("/help")
		home := expect(t, math[1], "Главное")
		math[1].press(t, home, "📰 Новости")
		expect(t, math[1], "Опубликован приказ")

		// A coordinator's announcement to every teacher is confirmed with
		// their number.
		c.send("/announce")
		expect(t, c, "Текст объявления?")
		c.send("Курсы повышения квалификации: запись до пятницы.")
		c.press(t, expect(t, c, "Добавьте ссылку"), "Готово")
		expect(t, c, "Файлов: 0 файлов")
		c.press(t, expect(t, c, "Кому отправить объявление"), "Все педагоги")
		c.press(t, expect(t, c, "Кому отправить объявление"), "Далее")
		expect(t, c, "Получатели: Все педагоги")
		c.press(t, expect(t, c, "Объявление получат все педагоги: 6 получателей"), "Отправить")
		expect(t, c, "Объявление отправлено: 6 получателей")
		for _, u := range []person{outsider, leader1, leader2, physicist, math[0], math[1]} {
			expectSkipping(t, u, "Курсы повышения квалификации")
		}
		outsider.send("/news")
		expect(t, outsider, "Курсы повышения квалификации")
	})
}
