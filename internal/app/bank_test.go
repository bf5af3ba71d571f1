package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

func TestMaterialSharedApprovedFoundDownloaded(t *testing.T) {
	h := newHarness(t)
	leader, us := meetingSetup(t, h, "Антонова Анна Антоновна", "Борисов Борис Борисович")
	anna, boris := us[0], us[1]
	draft := scheduleEvent(t, leader, "Заседание", "Итоги первой четверти", "23.11 12:10", "23 ноября 2026 (понедельник), 12:10")
	press(t, leader, draft, "Опубликовать")
	next(t, leader, "Объявлено")
	h.settle()
	for _, u := range []*telegramtest.User{leader, anna, boris} {
		u.Drain()
	}

	// Anna shares the theses of her talk, tied to an agenda item.
	anna.Send("/share")
	next(t, anna, "Материал для банка «ММО учителей математики»")
	anna.Send("http://school.example.ru/tezisy")
	next(t, anna, "Ссылка должна начинаться с https://")
	anna.SendDocument("огромный.pdf", bytes.Repeat([]byte("x"), 20<<20+1), "")
	next(t, anna, "Файл больше 20 МБ")
	anna.SendDocument("tezisy.docx", []byte("PK тезисы"), "")
	next(t, anna, "Название материала?")
	anna.Send("Формирующее оценивание на уроках алгебры")
	press(t, anna, next(t, anna, "Что это за материал?"), "Тезисы выступления")
	next(t, anna, "Вид: Тезисы выступления")
	press(t, anna, next(t, anna, "На каком заседании"), "Итоги первой четверти")
	press(t, anna, next(t, anna, "К какому пункту повестки"), "1. Итоги олимпиады")
	next(t, anna, "пункт: Итоги олимпиады")
	press(t, anna, next(t, anna, "Предмет?"), "математика")
	next(t, anna, "Предмет: математика")
	next(t, anna, "Ключевые слова")
	anna.Send("оценивание, ФГОС")
	next(t, anna, "отправлен руководителю «ММО учителей математики» на проверку")
	card := next(t, leader, "Новый материал в банк", "Антонова Анна Антоновна", "Формирующее оценивание на уроках алгебры", "#оценивание #фгос")

	// Not visible before the leader approves it.
	boris.Send("/bank")
	next(t, boris, "Банк материалов")
	boris.Send("оценивание")
	next(t, boris, "Ничего не найдено")

	press(t, leader, card, "Одобрить")
	next(t, leader, "одобрен и виден в банке")
	next(t, anna, "Ваш материал «Формирующее оценивание на уроках алгебры» одобрен")
	if a := press(t, leader, card, "Отклонить"); !strings.Contains(a.Text, "уже решено") {
		t.Errorf("a second decision: %q", a.Text)
	}

	// The report's attachment «Тезисы выступлений» lists them.
	var theses []string
	err := h.m.DB.View(func(tx *boltdb.Tx) error {
		var err error
		theses, err = h.m.Engine.ReportTheses(tx, "ru", associationID(t, h, "ММО учителей математики"), 2026)
		return err
	})
	if err != nil || len(theses) != 1 || theses[0] != "1. Антонова Анна Антоновна. «Формирующее оценивание на уроках алгебры» — Итоги первой четверти, 23.11.2026, пункт 1 «Итоги олимпиады»." {
		t.Errorf("theses for the report: %q %v", theses, err)
	}

	boris.Send("алгебры ФГОС")
	found := next(t, boris, "Найдено: 1", "1. Формирующее оценивание на уроках алгебры — Тезисы выступления, математика")
	press(t, boris, found, "1")
	if doc := boris.Next(t); doc.Document == nil || doc.Document.Name != "tezisy.docx" {
		t.Fatalf("file %s", doc)
	}

	// The leader's own share needs no approval; a search by kind finds it.
	leader.Send("/share")
	next(t, leader, "Материал для банка")
	leader.Send("https://edu.example.ru/prikaz-olimpiada.pdf")
	next(t, leader, "Название материала?")
	leader.Send("Приказ о муниципальной олимпиаде")
	press(t, leader, next(t, leader, "Что это за материал?"), "Нормативный документ")
	next(t, leader, "Вид: Нормативный документ")
	next(t, leader, "Предмет?")
	leader.Send("математика")
	next(t, leader, "Ключевые слова")
	leader.Send("-")
	next(t, leader, "добавлен в банк")

	boris.Send("/bank")
	kinds := next(t, boris, "Банк материалов")
	press(t, boris, kinds, "Нормативный документ")
	found = next(t, boris, "Найдено: 1", "Приказ о муниципальной олимпиаде")
	press(t, boris, found, "1")
	link := next(t, boris, "https://edu.example.ru/prikaz-olimpiada.pdf")
	if b, ok := link.Button("Открыть ссылку"); !ok || b.URL != "https://edu.example.ru/prikaz-olimpiada.pdf" {
		t.Errorf("link %v", link.Buttons())
	}
	// Words narrow the kind chosen.
	boris.Send("алгебры")
	next(t, boris, "Ничего не найдено")
}
