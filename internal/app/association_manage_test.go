package app

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The management of associations, through both messengers (see
// forEachMessenger): members removed and exported, an association
// archived, a coordinator granted, a leader leaving the bot.

func TestMembersRemoveAndExport(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		card := createAs(t, c, "ММО учителей биологии", "биология", false)
		leader := teacherOn(t, h, on, 61, "Биологова Анна Ивановна")
		appointAs(t, c, card, leader, "Биологова", "Биологова Анна Ивановна")
		at, _, _ := invitationOf(t, leader)
		var teachers []person
		for i, name := range []string{"Яковлев Яков Яковлевич", "Формулов Иван Иванович", "Антонова Антонина Антоновна"} {
			u := teacherOn(t, h, on, int64(62+i), name)
			u.open(t, at)
			expect(t, u, "Добро пожаловать")
			expect(t, leader, "вступил(а) "+name)
			teachers = append(teachers, u)
		}
		leader.send("/members")
		list := expect(t, leader, "Участники «ММО учителей биологии»", "4 участника",
			"1. Антонова Антонина Антоновна — Школа № 64, учитель, с 23.11.2026", "2. Биологова Анна Ивановна", "(руководитель)")
		if list.has("Биологова") {
			t.Error("the leader has a remove button")
		}

		leader.press(t, list, "Яковлев Я. Я.")
		expect(t, leader, "Напишите причину")
		leader.send("да")
		expect(t, leader, "Слишком коротко")
		leader.send("переехал в другой город")
		expect(t, leader, "Яковлев Яков Яковлевич исключён(а)")
		expect(t, teachers[0], "Вы исключены из объединения «ММО учителей биологии»", "переехал в другой город")
		if a := leader.pressRefused(t, list, "Яковлев Я. Я."); !strings.Contains(a, "уже не участник") {
			t.Errorf("removing twice: %q", a)
		}

		leader.press(t, list, "XLSX")
		doc := leader.next(t)
		if doc.name != "Список участников ММО учителей биологии 23.11.2026.xlsx" {
			t.Fatalf("no XLSX named for a Russian reader: %q %q", doc.name, doc.text)
		}
		f, err := excelize.OpenReader(bytes.NewReader(doc.file))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		header := -1
		for i, r := range rows {
			if len(r) > 1 && r[1] == "ФИО" {
				header = i
			}
			if header >= 0 && i > header && len(r) >= 5 {
				names = append(names, r[1]+"|"+r[2]+"|"+r[4])
			}
		}
		want := []string{"Антонова Антонина Антоновна|Школа № 64|23.11.2026", "Биологова Анна Ивановна|Школа № 61|23.11.2026", "Формулов Иван Иванович|Школа № 63|23.11.2026"}
		if strings.Join(names, ";") != strings.Join(want, ";") {
			t.Errorf("XLSX rows %v, want %v", names, want)
		}
		if !strings.Contains(rows[0][0], "Список участников: ММО учителей биологии") {
			t.Errorf("XLSX title %q", rows[0])
		}

		leader.press(t, list, "CSV")
		doc = leader.next(t)
		if doc.name != "Список участников ММО учителей биологии 23.11.2026.csv" {
			t.Fatalf("no CSV named for a Russian reader: %q %q", doc.name, doc.text)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(doc.file, []byte("\xef\xbb\xbf"))))
		r.Comma = ';'
		r.FieldsPerRecord = -1
		records, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, rec := range records {
			if len(rec) >= 2 && rec[1] == "Формулов Иван Иванович" {
				found = true
			}
		}
		if !found {
			t.Errorf("CSV lacks a member: %v", records)
		}
		checkStore(t, h)
	})
}

func TestArchiveAndLog(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		card := createAs(t, c, "ММО учителей ИЗО", "изобразительное искусство", true)
		leader := teacherOn(t, h, on, 71, "Художникова Анна Ивановна")
		appointAs(t, c, card, leader, "Художникова", "Художникова Анна Ивановна")
		at, _, _ := invitationOf(t, leader)
		member := teacherOn(t, h, on, 72, "Рисовалов Иван Иванович")
		member.open(t, at)
		expect(t, member, "отправлена")
		leader.press(t, expect(t, leader, "Рисовалов"), "Принять")
		expect(t, leader, "принят(а)")
		expect(t, member, "принята")
		cand := teacherOn(t, h, on, 73, "Ждунов Пётр Петрович")
		cand.open(t, at)
		expect(t, cand, "отправлена")
		expect(t, leader, "Ждунов")

		card = cardOf(t, c, "ММО учителей ИЗО")
		c.press(t, card, "Журнал")
		expect(t, c, "Журнал «ММО учителей ИЗО»", "создал(а) объединение", "назначил(а) руководителем Художникова А. И.",
			"Рисовалов И. И. подал(а) заявку", "Художникова А. И. принял(а) Рисовалов И. И.", "Ждунов П. П. подал(а) заявку")

		c.press(t, card, "В архив")
		c.press(t, expect(t, c, "Перевести «ММО учителей ИЗО» в архив?"), "Да, в архив")
		archived := expect(t, c, "в архиве с 23.11.2026", "Художникова Анна Ивановна (до перевода в архив)")
		if archived.has("Вступить") {
			t.Error("an archived card offers joining")
		}
		expect(t, member, "переведено координатором в архив")
		expect(t, cand, "ваша заявка закрыта")
		expect(t, leader, "которым вы руководили, переведено")

		c.send("/associations")
		c.press(t, expect(t, c, "Действующих: 0, формирующихся: 0"), "Архив (1 объединение)")
		expect(t, c, "Архив объединений", "ММО учителей ИЗО — с 23.11.2026")

		member.open(t, at)
		expect(t, member, "отозвана")
		leader.send("/members")
		expect(t, leader, "недоступна") // leads nothing any more
		member.send("/my")
		expect(t, member, "ММО учителей ИЗО — участник, в архиве")
		checkStore(t, h)
	})
}

func TestGrantedCoordinatorManages(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		a := adminOn(t, h, on)
		coord := teacherOn(t, h, on, 81, "Методистова Елена Викторовна")
		a.send("/coordinators")
		a.press(t, expect(t, a, "Координаторы"), "Назначить координатора")
		expect(t, a, "часть фамилии")
		a.send("Методистова")
		a.press(t, expect(t, a, "Нашёлся 1 человек"), "Методистова")
		expect(t, a, "теперь координатор")
		expect(t, coord, "роль <b>координатора</b>")
		createAs(t, coord, "ММО учителей географии", "география", false)
		coord.send("/my")
		expect(t, coord, "управляете всеми объединениями")
		// An ordinary member cannot create one.
		m := teacherOn(t, h, on, 82, "Обычнов Иван Иванович")
		m.send("/newassociation")
		expect(t, m, "недоступна")
	})
}

func TestLeaderDeletesTheirData(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		c := adminOn(t, h, on)
		card := createAs(t, c, "ММО учителей труда", "технология", false)
		leader := teacherOn(t, h, on, 91, "Трудова Анна Ивановна")
		appointAs(t, c, card, leader, "Трудова", "Трудова Анна Ивановна")
		leader.send("/settings")
		leader.press(t, expect(t, leader, "Ваш профиль"), "Удалить мои данные")
		leader.press(t, expect(t, leader, "Удалить ваши персональные данные?"), "Да, удалить")
		expect(t, leader, "данные удалены")
		expect(t, c, "Руководитель объединения «ММО учителей труда» удалил свои данные")
		if card := cardOf(t, c, "ММО учителей труда"); !strings.Contains(card.text, "не назначен") || !strings.Contains(card.text, "0 участников") {
			t.Errorf("card after the leader left: %q", card.text)
		}
		checkStore(t, h)
	})
}
