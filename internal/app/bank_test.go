package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mmobot/mmobot/internal/boltdb"
)

func TestMaterialSharedApprovedFoundDownloaded(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on, on)
		leader, anna, boris := tm.leader, tm.members[0], tm.members[1]
		publishEvent(t, leader, eventForm{format: "Заседание", topic: "Итоги первой четверти", when: "23.11 12:10",
			date: "23 ноября 2026 (понедельник), 12:10", agenda: "1. Итоги олимпиады\n2. Разное"})
		expect(t, leader, "Объявлено")
		h.settle()
		for _, u := range []person{leader, anna, boris} {
			u.drain()
		}

		// Anna shares the theses of her talk, tied to an agenda item.
		anna.send("/share")
		expect(t, anna, "Материал для банка «ММО учителей математики»")
		anna.send("http://school.example.ru/tezisy")
		expect(t, anna, "Ссылка должна начинаться с https://")
		anna.sendDocument("огромный.pdf", bytes.Repeat([]byte("x"), 20<<20+1), "")
		expect(t, anna, "Файл больше 20 МБ")
		anna.sendDocument("tezisy.docx", []byte("PK тезисы"), "")
		expect(t, anna, "Название материала?")
		anna.send("Формирующее оценивание на уроках алгебры")
		anna.press(t, expect(t, anna, "Что это за материал?"), "Тезисы выступления")
		expect(t, anna, "Вид: Тезисы выступления")
		anna.press(t, expect(t, anna, "На каком заседании"), "Итоги первой четверти")
		anna.press(t, expect(t, anna, "К какому пункту повестки"), "1. Итоги олимпиады")
		expect(t, anna, "пункт: Итоги олимпиады")
		anna.press(t, expect(t, anna, "Предмет?"), "математика")
		expect(t, anna, "Предмет: математика")
		expect(t, anna, "Ключевые слова")
		anna.send("оценивание, ФГОС")
		expect(t, anna, "отправлен руководителю «ММО учителей математики» на проверку")
		card := expect(t, leader, "Новый материал в банк", "Антонова Анна Антоновна", "Формирующее оценивание на уроках алгебры", "#оценивание #фгос")

		// Not visible before the leader approves it.
		boris.send("/bank")
		expect(t, boris, "Банк материалов")
		boris.send("оценивание")
		expect(t, boris, "Ничего не найдено")

		leader.press(t, card, "Одобрить")
		expect(t, leader, "одобрен и виден в банке")
		expect(t, anna, "Ваш материал «Формирующее оценивание на уроках алгебры» одобрен")
		if a := leader.pressRefused(t, card, "Отклонить"); !strings.Contains(a, "уже решено") {
			t.Errorf("a second decision: %q", a)
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

		boris.send("алгебры ФГОС")
		found := expect(t, boris, "Найдено: 1", "1. Формирующее оценивание на уроках алгебры — Тезисы выступления, математика")
		boris.press(t, found, "1")
		if doc := boris.next(t); doc.name != "tezisy.docx" || string(doc.file) != "PK тезисы" {
			t.Fatalf("file %q %q", doc.name, doc.file)
		}

		// The leader's own share needs no approval; a search by kind finds it.
		leader.send("/share")
		expect(t, leader, "Материал для банка")
		leader.send("https://edu.example.ru/prikaz-olimpiada.pdf")
		expect(t, leader, "Название материала?")
		leader.send("Приказ о муниципальной олимпиаде")
		leader.press(t, expect(t, leader, "Что это за материал?"), "Нормативный документ")
		expect(t, leader, "Вид: Нормативный документ")
		expect(t, leader, "Предмет?")
		leader.send("математика")
		expect(t, leader, "Ключевые слова")
		leader.send("-")
		expect(t, leader, "добавлен в банк")

		boris.send("/bank")
		kinds := expect(t, boris, "Банк материалов")
		boris.press(t, kinds, "Нормативный документ")
		found = expect(t, boris, "Найдено: 1", "Приказ о муниципальной олимпиаде")
		boris.press(t, found, "1")
		link := expect(t, boris, "https://edu.example.ru/prikaz-olimpiada.pdf")
		if url, ok := link.url("Открыть ссылку"); !ok || url != "https://edu.example.ru/prikaz-olimpiada.pdf" {
			t.Errorf("link %v %q", link.buttons, url)
		}
		// Words narrow the kind chosen.
		boris.send("алгебры")
		expect(t, boris, "Ничего не найдено")
	})
}
