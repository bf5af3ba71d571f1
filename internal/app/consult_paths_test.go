package app

import (
	"strings"
	"testing"
)

// TestConsultationGivenWithoutPhone: a phone request filed without a
// number, handed by the leader to a consultant; the card shows the
// conversation, the list is one tap back, and a closed card asks for a
// rating.
func TestConsultationGivenWithoutPhone(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	asker, consultant := us[0], us[1]
	addConsultant(t, leader, consultant, "Борисов Борис Борисович")

	asker.Send("/ask")
	press(t, asker, next(t, asker, "Выберите тему"), "Аттестация")
	next(t, asker, "Тема: Аттестация")
	next(t, asker, "Опишите вопрос")
	asker.Send("Когда подавать документы на первую категорию?")
	press(t, asker, next(t, asker, "Как вам удобнее"), "Телефонный звонок")
	next(t, asker, "Форма ответа: 📞 Телефонный звонок")
	if m := next(t, asker, "поделитесь номером"); !strings.Contains(m.ReplyMarkup, `"request_contact":true`) {
		t.Errorf("no contact button: %s", m.ReplyMarkup)
	}
	optional := next(t, asker, "Или продолжите без номера")
	press(t, asker, optional, "Продолжить без номера")
	if m := next(t, asker, "Без номера."); m.ID != optional.ID || len(m.Buttons()) != 0 {
		t.Errorf("the choice was not marked in place: %s", m)
	}
	if m := next(t, asker, "Хорошо, без номера."); !strings.Contains(m.ReplyMarkup, `"remove_keyboard":true`) {
		t.Errorf("the contact keyboard stays: %s", m.ReplyMarkup)
	}
	next(t, asker, "Обращение № 1 принято")
	if d := h.dialog(asker.ID); d != nil {
		t.Errorf("the form is still open: %+v", d)
	}
	note := next(t, consultant, "Новое обращение", "Форма ответа: 📞 Телефонный звонок")
	if strings.Contains(note.Text, "тел.") {
		t.Errorf("a phone number without one: %q", note.Text)
	}
	leaderNote := next(t, leader, "Новое обращение", "Обращение № 1")

	// The leader hands it to the consultant.
	press(t, leader, leaderNote, "Открыть обращение")
	card := next(t, leader, "Обращение № 1", "Статус: новое")
	press(t, leader, card, "Передать консультанту")
	give := next(t, leader, "Кому передать обращение № 1?")
	if m := missingButtons(give, "Лидерова Ольга Ивановна", "Борисов Борис Борисович"); len(m) != 0 || len(give.Buttons()) != 3 {
		t.Fatalf("give to: %v", give.Buttons())
	}
	press(t, leader, give, "Борисов Борис Борисович")
	if card = next(t, leader, "Статус: в работе · консультант Борисов Б. Б."); card.ID != give.ID {
		t.Error("the card was not shown again in place")
	}
	given := next(t, consultant, "📥 <b>Вам передано обращение</b>", "Обращение № 1", "Когда подавать документы")
	retired(t, consultant, note, "Новое обращение", "Взять в работу")
	next(t, asker, "Ваше обращение № 1 взято в работу, отвечает Борисов Б. Б.")
	if a := press(t, consultant, note, "Взять в работу"); !a.ShowAlert || a.Text != "Обращение уже взято в работу." {
		t.Errorf("taking a given request: %+v", a)
	}

	// A conversation.
	press(t, consultant, given, "Открыть обращение")
	ccard := next(t, consultant, "Статус: в работе")
	press(t, consultant, ccard, "Ответить")
	next(t, consultant, "Напишите ответ по обращению № 1")
	consultant.Send("До 1 октября, через портал аттестации.")
	next(t, consultant, "Отправлено")
	answer := next(t, asker, "Ответ по обращению № 1", "До 1 октября")
	press(t, asker, answer, "Уточнить")
	next(t, asker, "Напишите уточнение")
	asker.Send("А портфолио прикладывать сразу?")
	next(t, asker, "Отправлено")
	follow := next(t, consultant, "Уточнение по обращению № 1", "А портфолио прикладывать сразу?")

	// The asker reopens the request: the conversation is on the card.
	asker.Send("/requests")
	list := next(t, asker, "Ваши обращения", "№ 1 · Аттестация · в работе («ММО учителей математики»)")
	press(t, asker, list, "№ 1 · Аттестация")
	view := next(t, asker, "Обращение № 1")
	inOrder(t, view.Text, "<b>Вопрос:</b>\nКогда подавать документы на первую категорию?",
		"Статус: в работе · консультант Борисов Б. Б.",
		"<b>Ответ</b> (23.11.2026 12:00):\nДо 1 октября, через портал аттестации.",
		"<b>Вопрос</b> (23.11.2026 12:00):\nА портфолио прикладывать сразу?")
	if view.ID != list.ID {
		t.Error("the card did not open in place of the list")
	}
	if m := missingButtons(view, "✍️ Ответить", "✅ Закрыть обращение", "⬅️ К обращениям"); len(m) != 0 {
		t.Errorf("the asker's card lacks %v: %v", m, view.Buttons())
	}
	if _, ok := view.Button("Передать консультанту"); ok {
		t.Error("the asker may hand the request over")
	}
	press(t, asker, view, "⬅️ К обращениям")
	if back := next(t, asker, "Ваши обращения", "№ 1 · Аттестация"); back.ID != list.ID || strings.Contains(back.Text, "портфолио") {
		t.Errorf("back to the list: %s", back)
	}

	// Closed without a rating: the card offers one.
	press(t, asker, list, "№ 1 · Аттестация")
	press(t, asker, next(t, asker, "Обращение № 1"), "Закрыть обращение")
	press(t, asker, next(t, asker, "Закрыть обращение № 1?"), "Да, закрыть")
	next(t, asker, "Обращение № 1 закрыто.")
	next(t, asker, "Оцените, пожалуйста, ответ по обращению № 1")
	next(t, consultant, "Автор закрыл обращение № 1")
	// No dead button stays: the notice, the answer and the follow-up say
	// the request is closed and only open it.
	retired(t, consultant, note, "Обращение № 1 закрыто", "Взять в работу")
	retired(t, asker, answer, "Обращение № 1 закрыто", "Уточнить", "Вопрос решён")
	retired(t, consultant, follow, "Обращение № 1 закрыто", "Ответить")
	asker.Send("/requests")
	list = next(t, asker, "№ 1 · Аттестация · закрыто")
	press(t, asker, list, "№ 1 · Аттестация")
	closed := next(t, asker, "Статус: закрыто · консультант Борисов Б. Б.", "До 1 октября")
	if m := missingButtons(closed, "1⭐", "2⭐", "3⭐", "4⭐", "5⭐", "⬅️ К обращениям"); len(m) != 0 {
		t.Fatalf("the closed card lacks %v: %v", m, closed.Buttons())
	}
	for _, b := range []string{"Ответить", "Закрыть обращение"} {
		if _, ok := closed.Button(b); ok {
			t.Errorf("a closed card offers %q", b)
		}
	}
	press(t, asker, closed, "4⭐")
	next(t, asker, "Спасибо! Обращение № 1: ⭐⭐⭐⭐")
	next(t, consultant, "Обращение № 1 оценено: ⭐⭐⭐⭐")
	asker.Send("/requests")
	press(t, asker, next(t, asker, "Ваши обращения"), "№ 1 · Аттестация")
	rated := next(t, asker, "Статус: закрыто · консультант Борисов Б. Б. · оценка ⭐⭐⭐⭐")
	if _, ok := rated.Button("1⭐"); ok {
		t.Errorf("a rated card asks again: %v", rated.Buttons())
	}
}
