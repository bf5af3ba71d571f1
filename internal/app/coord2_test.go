package app

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The coordinator's messages, second round (issue 12): the digest stays
// where it is when its lines open, reminds of a request too, and its
// labels end at a word; the plan's summary is in words.

// TestDigestOpensBelowAndRemindsOfRequests: pressing a request of the
// digest opens it below, the digest staying for its other lines; its
// «🔔 Напомнить» reminds the leader once a day and tells the coordinator.
func TestDigestOpensBelowAndRemindsOfRequests(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on, on)
		l, c, asker := tm.leader, tm.admin, tm.members[0]
		quietTeam(h, tm)
		// Monday 23.11 12:00 in Moscow: a question nobody takes.
		askAs(t, asker, "Программное обеспечение", "Где взять лицензию на офисный пакет?")
		quietTeam(h, tm)
		// Wednesday 12:00: two working days; the leader is reminded.
		h.clock.Add(48*time.Hour + time.Minute)
		expect(t, l, "Обращение № 1", "ждёт ответа уже 2 рабочих дня")
		quietTeam(h, tm)
		// Thursday 26.11 09:00: the digest lists it as waiting.
		h.clock.Add(time.Date(2026, 11, 26, 6, 1, 0, 0, time.UTC).Sub(h.clock.Now()))
		d := expectSkipping(t, c, "Сводка на 26.11.2026", "№ 1 в «ММО учителей математики»")
		quietTeam(h, tm)

		c.press(t, d, "📨 Обращение № 1")
		if card := expect(t, c, "Обращение № 1", "Где взять лицензию"); card.id == d.id {
			t.Fatal("the request took the digest's place")
		}
		if a := c.press(t, d, "🔔 Напомнить"); !strings.Contains(a, "Напомнили об обращении № 1") || !strings.Contains(a, "Лидерова О. И.") {
			t.Errorf("the coordinator's confirmation: %q", a)
		}
		if now := expect(t, c, "Сводка на 26.11.2026"); now.id != d.id || now.has("🔔 Напомнить") || !now.has("📨 Обращение № 1") {
			t.Errorf("the digest after the reminder: #%s %v", now.id, now.buttons)
		}
		nudge := expect(t, l, "Координатор напоминает: обращение № 1", "ждёт ответа 2 рабочих дня")
		if !nudge.has("Открыть") {
			t.Errorf("the leader's reminder has no way to the request: %v", nudge.buttons)
		}
		if a := c.press(t, d, "🔔 Напомнить"); !strings.Contains(a, "уже напоминали") {
			t.Errorf("a second reminder the same day: %q", a)
		}
		h.quiet()
		if n := l.drain(); n != 0 {
			t.Errorf("the leader was reminded of the request twice in a day (%d extra)", n)
		}
		// Answered, the request needs no reminder any more.
		l.press(t, nudge, "Открыть")
		l.press(t, expect(t, l, "Обращение № 1"), "Взять в работу")
		card := expect(t, l, "в работе")
		l.press(t, card, "Ответить")
		expectSkipping(t, l, "Напишите ответ")
		l.send("Лицензии выдаёт управление образования.")
		expectSkipping(t, l, "Отправлено")
		h.clock.Add(24 * time.Hour)
		quietTeam(h, tm)
		if a := c.press(t, d, "🔔 Напомнить"); !strings.Contains(a, "уже ответили") {
			t.Errorf("a reminder of an answered request: %q", a)
		}
	})
}

// TestDigestLabelsEndAtAWord: a long association name is shortened in the
// digest's buttons at a word boundary, with «…», never mid-word.
func TestDigestLabelsEndAtAWord(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		const long = "Муниципальное методическое объединение учителей русского языка и литературы"
		c := h.person(on, adminID, "Админ")
		enrol(t, c, "Координаторова Анна Петровна", "Методический центр", "методист")
		c.send("/newassociation")
		expect(t, c, "Новое объединение")
		c.send(long)
		expect(t, c, "Предмет или направление")
		c.send("русский язык")
		expect(t, c, "Коротко опишите")
		c.send("-")
		c.press(t, expect(t, c, "Как вступать"), "Свободно")
		expect(t, c, "создано")
		h.quiet()
		c.drain()
		// The next morning's digest: too few members.
		h.clock.Add(24 * time.Hour)
		d := expectSkipping(t, c, "Сводка на", "Меньше минимума участников")
		var label string
		for _, b := range d.buttons {
			if strings.HasPrefix(b, "🏛") {
				label = b
			}
		}
		if label == "" {
			t.Fatalf("no button opens the association: %v", d.buttons)
		}
		if n := utf8.RuneCountInString(label); n > 44 {
			t.Errorf("the label %q is %d characters long", label, n)
		}
		head, ok := strings.CutSuffix(label, "…")
		head = strings.TrimPrefix(head, "🏛 ")
		if !ok || !strings.HasPrefix(long, head+" ") {
			t.Errorf("the label %q does not end at a word of %q with «…»", label, long)
		}
		c.press(t, d, label)
		expect(t, c, "<b>"+long+"</b>")
	})
}

// TestPlanSummaryInWords: the summary of a plan sent for agreement says
// each month in words and warns of fewer заседания than the regulation's
// minimum.
func TestPlanSummaryInWords(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on)
		l, c := tm.leader, tm.admin
		quietTeam(h, tm)
		l.send("/plan")
		plan := expect(t, l, "План работы")
		plan = addItem(t, l, plan, "Январь", "Итоги полугодия", "Заседание")
		plan = addItem(t, l, plan, "Март", "Открытые уроки", "Мастер-класс")
		plan = addItem(t, l, plan, "Март", "Разбор заданий ОГЭ", "Заседание")
		l.press(t, plan, "Отправить на согласование")
		l.press(t, expect(t, l, "В плане заседаний: 2"), "Да, отправить")
		notice := expect(t, c, "отправлен на согласование")
		for _, want := range []string{"Январь: 1 заседание, мероприятий нет", "Март: 1 заседание, 1 мероприятие",
			"⚠ Заседаний 2 — меньше минимума (3)"} {
			if !strings.Contains(notice.text, want) {
				t.Errorf("the summary lacks %q: %q", want, notice.text)
			}
		}
		if strings.Contains(notice.text, "+ 0") {
			t.Errorf("the summary still counts in ciphers: %q", notice.text)
		}
	})
}

// TestParentTeacherCommands: a parent who types a teacher's command
// (/associations, /meetings, /newevent, /link) gets her own home with a
// word that it is for teachers, never «register first», which would make
// her a teacher; nothing of hers changes.
func TestParentTeacherCommands(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on)
		parent := h.person(on, 501, "Родитель")
		askAsParent(t, tm.leader, parent, "Родителева Римма", "Даю согласие", "Олимпиады и конкурсы", "Встреча лично")
		for _, cmd := range []string{"/associations", "/meetings", "/newevent", "/link"} {
			parent.send(cmd)
			home := expect(t, parent, "для педагогов", "ваши обращения", "Последнее — № 1")
			if strings.Contains(home.text, "регистр") {
				t.Errorf("%s: a parent is told to register: %q", cmd, home.text)
			}
			if !home.has("Обращение № 1") {
				t.Errorf("%s: no way to her request: %v", cmd, home.buttons)
			}
		}
		if u := h.stored(parent); u.Registered() || !u.Parent() {
			t.Errorf("the parent became someone else: registered %v, parent %v", u.Registered(), u.Parent())
		}
	})
}

// TestOverviewSaysWhatLeadersSee: a plan the leader sees as «Черновик»
// is a draft in the coordinator's overview and its XLSX too, not «нет».
func TestOverviewSaysWhatLeadersSee(t *testing.T) {
	forEachMessenger(t, func(t *testing.T, h *harness, on string) {
		tm := newTeam(t, h, on)
		l, c := tm.leader, tm.admin
		quietTeam(h, tm)
		l.send("/plan")
		expect(t, l, "План работы", "📝 Черновик")
		l.send("/report")
		expectSkipping(t, l, "Отчёт", "📝 Черновик")
		c.send("/overview")
		ov := expect(t, c, "Обзор объединений")
		for _, want := range []string{"Планы: согласовано 0, на согласовании 0, возвращено 0, черновиков 1",
			"Отчёты: принято 0, сдано и ждут решения 0, возвращено 0, черновиков 1"} {
			if !strings.Contains(ov.text, want) {
				t.Errorf("the overview lacks %q: %q", want, ov.text)
			}
		}
		if strings.Contains(ov.text, ", нет ") {
			t.Errorf("the overview says «нет» of a draft: %q", ov.text)
		}
		c.press(t, ov, "XLSX")
		rows := xlsxOf(t, c.next(t))
		var found bool
		for _, r := range rows {
			if len(r) > 7 && r[0] == "ММО учителей математики" {
				found = true
				if r[6] != "черновик" || r[7] != "черновик" {
					t.Errorf("the XLSX names the plan %q and the report %q, the leader sees «Черновик»", r[6], r[7])
				}
			}
		}
		if !found {
			t.Errorf("no row of the association in %q", rows)
		}
	})
}
