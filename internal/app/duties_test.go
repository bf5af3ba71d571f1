package app

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// The regulations' other duties, wave 3 (issue 18): the report with the
// theses as one archive, files of news and the bank across messengers, a
// coordinator's registers.

// publishMeeting has the leader publish a заседание on 23.11 at 12:10
// with a two-item agenda, through the form.
func publishMeeting(t *testing.T, l person, topic string) {
	t.Helper()
	l.send("/newevent")
	l.press(t, expect(t, l, "Выберите формат"), "Заседание")
	expect(t, l, "Формат: Заседание")
	expect(t, l, "Тема мероприятия?")
	l.send(topic)
	expect(t, l, "Когда?")
	l.send("23.11 12:10")
	l.press(t, expect(t, l, "Правильно"), "Да, верно")
	expect(t, l, "23 ноября 2026")
	l.press(t, expect(t, l, "Сколько продлится?"), "1,5 ч")
	expect(t, l, "Длительность")
	expect(t, l, "Где пройдёт?")
	l.send("МБОУ СОШ № 5")
	expect(t, l, "Ссылка на онлайн")
	l.send("-")
	expect(t, l, "Повестка")
	l.send("1. Итоги олимпиады\n2. Разное")
	expect(t, l, "Черновик сохранён")
	l.press(t, expect(t, l, "Черновик: участники его ещё не видят"), "Опубликовать")
	expect(t, l, "Объявлено")
}

// shareTheses has a member share a file as the theses of a talk under the
// first agenda item of the meeting topic, and the leader approve it.
func shareTheses(t *testing.T, u, leader person, name string, data []byte, title, topic string) {
	t.Helper()
	u.send("/share")
	expect(t, u, "Материал для банка")
	u.sendDocument(name, data, "")
	expect(t, u, "Название материала?")
	u.send(title)
	u.press(t, expect(t, u, "Что это за материал?"), "Тезисы выступления")
	expect(t, u, "Вид: Тезисы выступления")
	u.press(t, expect(t, u, "На каком заседании"), topic)
	u.press(t, expect(t, u, "К какому пункту повестки"), "1. Итоги олимпиады")
	expect(t, u, "пункт: Итоги олимпиады")
	u.press(t, expect(t, u, "Предмет?"), "математика")
	expect(t, u, "Предмет: математика")
	expect(t, u, "Ключевые слова")
	u.send("-")
	expect(t, u, "на проверку")
	leader.press(t, expect(t, leader, "Новый материал в банк", title), "Одобрить")
	expect(t, leader, "одобрен и виден в банке")
	expect(t, u, "одобрен")
}

// TestReportWithThesesAsZIP: the leader downloads the annual report with
// the theses of the year's talks as one ZIP. The theses are files members
// sent, one through Telegram and one through MAX; the bot fetches them
// from each messenger when it delivers the archive. Telegram fails to
// give one: the archive still comes, its index saying which file is
// missing. Names are Russian inside the archive.
func TestReportWithThesesAsZIP(t *testing.T) {
	h := newHarnessOn(t, true, true, nil)
	tm := newTeam(t, h, "telegram", "telegram", "max")
	l, anna, boris := tm.leader, tm.members[0], tm.members[1]
	publishMeeting(t, l, "Итоги первой четверти")
	h.settle()
	for _, p := range []person{l, anna, boris} {
		p.drain()
	}
	annaFile := []byte("PK тезисы Антоновой")
	borisFile := []byte("%PDF-1.4 тезисы Борисова")
	shareTheses(t, anna, l, "tezisy.docx", annaFile, "Формирующее оценивание", "Итоги первой четверти")
	shareTheses(t, boris, l, "тезисы.pdf", borisFile, "Олимпиадные задачи", "Итоги первой четверти")

	l.send("/report")
	view := expect(t, l, "Отчёт")
	if !view.has("ZIP: отчёт и тезисы (2)") {
		t.Fatalf("no ZIP button: %q", view.buttons)
	}
	// Telegram cannot give Anna's file now.
	h.srv.Inject(telegramtest.Fault{Method: "getFile", Kind: telegramtest.BadGateway})
	if a := l.press(t, view, "ZIP"); !strings.Contains(a, "Собираю архив") {
		t.Errorf("answer %q", a)
	}
	doc := expect(t, l, "с тезисами выступлений (2)")
	if !strings.HasSuffix(doc.name, ".zip") || !strings.Contains(doc.name, "Отчёт ММО") {
		t.Fatalf("archive name %q", doc.name)
	}
	z, err := zip.NewReader(bytes.NewReader(doc.file), int64(len(doc.file)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = data
	}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	index := string(files["Опись.txt"])
	if index == "" {
		t.Fatalf("no index in %q", names)
	}
	borisName := "Тезисы выступлений/02. Борисов Б. Б. — Олимпиадные задачи.pdf"
	if got := files[borisName]; !bytes.Equal(got, borisFile) {
		t.Errorf("Boris's theses from MAX: %q in %q", got, names)
	}
	if len(files) != 3 {
		t.Errorf("files %q, want the index, the report and Boris's theses", names)
	}
	var report []byte
	for n, d := range files {
		if strings.HasPrefix(n, "Отчёт ММО") && strings.HasSuffix(n, ".docx") {
			report = d
		}
	}
	if text, err := render.DOCXText(report); err != nil || !strings.Contains(text, "Формирующее оценивание") || !strings.Contains(text, "Олимпиадные задачи") {
		t.Errorf("the report's attachment lacks the theses: %q %v", text, err)
	}
	for _, want := range []string{
		"Тезисы выступлений (папка «Тезисы выступлений»):",
		"1. Антонова Анна Антоновна. «Формирующее оценивание» — Итоги первой четверти, 23.11.2026, пункт 1 «Итоги олимпиады». Файл: 01. Антонова А. А. — Формирующее оценивание.docx — ФАЙЛ НЕ ВЛОЖЕН",
		"2. Борисов Борис Борисович. «Олимпиадные задачи» — Итоги первой четверти, 23.11.2026, пункт 1 «Итоги олимпиады». Файл: 02. Борисов Б. Б. — Олимпиадные задачи.pdf\r\n",
	} {
		if !strings.Contains(index, want) {
			t.Errorf("index lacks %q:\n%s", want, index)
		}
	}
}

// TestNewsAndBankFilesCrossMessengers: a file sent on Telegram with an
// announcement reaches the members on MAX, fetched from Telegram and
// uploaded to MAX once, then sent by MAX's token of the copy; a file
// shared to the bank on Telegram reaches a member on MAX, and one shared
// on MAX a member on Telegram, each fetched once however often it is
// sent.
func TestNewsAndBankFilesCrossMessengers(t *testing.T) {
	h := newHarnessOn(t, true, true, nil)
	tm := newTeam(t, h, "telegram", "max", "max", "telegram")
	l, anna, boris, vera := tm.leader, tm.members[0], tm.members[1], tm.members[2]

	l.send("/announce")
	expect(t, l, "Текст объявления?")
	l.send("Положение о конкурсе методических разработок.")
	expect(t, l, "Прикреплено: 0 файлов")
	rules := []byte("%PDF-1.4 положение о конкурсе")
	l.sendDocument("положение.pdf", rules, "")
	l.press(t, expect(t, l, "Прикреплено: 1 файл"), "Готово")
	expect(t, l, "Файлов: 1 файл")
	l.press(t, expect(t, l, "Кому отправить объявление"), "ММО учителей математики")
	l.press(t, expect(t, l, "Кому отправить объявление"), "Далее")
	expect(t, l, "Получатели: «ММО учителей математики»")
	m := expect(t, l, "Отправить объявление?")
	l.press(t, m, "Отправить")
	expect(t, l, "Объявление отправлено")
	for _, p := range []person{anna, boris, vera} {
		expect(t, p, "Объявление", "Положение о конкурсе")
		if f := p.next(t); !bytes.Equal(f.file, rules) || f.name != "положение.pdf" {
			t.Errorf("%s: the announcement's file %q %q", p.on(), f.name, f.file)
		}
	}
	if n := h.srv.Calls("getFile"); n != 1 {
		t.Errorf("the announcement's file fetched from Telegram %d times, want once", n)
	}
	if n := h.mx.Calls("POST /upload"); n != 1 {
		t.Errorf("the announcement's file uploaded to MAX %d times, want once", n)
	}

	// The bank: the leader's file from Telegram, to both members on MAX.
	plan := []byte("PK конспект урока")
	l.send("/share")
	expect(t, l, "Материал для банка")
	l.sendDocument("конспект.docx", plan, "")
	expect(t, l, "Название материала?")
	l.send("Конспект урока геометрии")
	l.press(t, expect(t, l, "Что это за материал?"), "Конспект урока")
	expect(t, l, "Вид: Конспект урока")
	l.press(t, expect(t, l, "Предмет?"), "математика")
	expect(t, l, "Предмет: математика")
	expect(t, l, "Ключевые слова")
	l.send("-")
	expect(t, l, "добавлен в банк")
	for _, p := range []person{anna, boris} {
		p.send("/bank")
		expect(t, p, "Банк материалов")
		p.send("геометрии")
		p.press(t, expect(t, p, "Найдено: 1"), "1")
		if f := p.next(t); !bytes.Equal(f.file, plan) || f.name != "конспект.docx" {
			t.Errorf("%s: the bank's file %q %q", p.on(), f.name, f.file)
		}
	}
	if n := h.srv.Calls("getFile"); n != 2 {
		t.Errorf("files fetched from Telegram %d times, want twice (one per file)", n)
	}

	// And back: Anna's file from MAX, to Vera and the leader on Telegram.
	talk := []byte("%PDF-1.4 презентация")
	anna.send("/share")
	expect(t, anna, "Материал для банка")
	anna.sendDocument("презентация.pdf", talk, "")
	expect(t, anna, "Название материала?")
	anna.send("Презентация к уроку алгебры")
	anna.press(t, expect(t, anna, "Что это за материал?"), "Презентация")
	expect(t, anna, "Вид: Презентация")
	anna.press(t, expect(t, anna, "Предмет?"), "математика")
	expect(t, anna, "Предмет: математика")
	expect(t, anna, "Ключевые слова")
	anna.send("-")
	expect(t, anna, "на проверку")
	l.press(t, expect(t, l, "Новый материал в банк"), "Одобрить")
	expect(t, l, "одобрен и виден в банке")
	expect(t, anna, "одобрен")
	downloads := h.mx.Calls("GET /files")
	for _, p := range []person{vera, l} {
		p.send("/bank")
		expect(t, p, "Банк материалов")
		p.send("алгебры")
		p.press(t, expect(t, p, "Найдено: 1"), "1")
		if f := p.next(t); !bytes.Equal(f.file, talk) || f.name != "презентация.pdf" {
			t.Errorf("%s: the bank's file from MAX %q %q", p.on(), f.name, f.file)
		}
	}
	if n := h.mx.Calls("GET /files") - downloads; n != 1 {
		t.Errorf("the MAX file fetched %d times, want once", n)
	}
}

// TestCoordinatorKeepsAnyRegisters: a coordinator who is a member of no
// association opens /registers, picks the association first, sees every
// entry of its year with their authors, and adds one.
func TestCoordinatorKeepsAnyRegisters(t *testing.T) {
	h := newHarness(t)
	c, _, _, math, _, _ := twoAssociations(t, h)
	anna := math[0]
	record(t, anna, "Публикация", "сборник «Методический вестник»", "Смысловое чтение")

	c.Send("/registers")
	pick := next(t, c, "Реестры какого объединения открыть?")
	if _, ok := pick.Button("ММО учителей физики"); !ok {
		t.Errorf("the coordinator is not offered every association: %v", pick.Buttons())
	}
	press(t, c, pick, "ММО учителей математики")
	menu := next(t, c, "Реестры «ММО учителей математики»")
	press(t, c, menu, "Все записи")
	next(t, c, "Записи в реестрах «ММО учителей математики»", "Публикация", "Антонова Анна Антоновна: ", "Смысловое чтение")

	press(t, c, menu, "Представление к награде")
	next(t, c, "Представление к награде — запись")
	for _, a := range []string{"Антонова Анна Антоновна", "Почётная грамота управления образования", "за подготовку призёров олимпиады"} {
		c.Next(t)
		c.Send(a)
	}
	next(t, c, "Записано:", "Почётная грамота")
	press(t, c, menu, "Все записи")
	next(t, c, "Представление к награде", "Почётная грамота", "Смысловое чтение")

	// A member still opens only their own association's registers.
	anna.Send("/registers")
	if m := next(t, anna, "Реестры «ММО учителей математики»"); strings.Contains(strings.Join(buttonTexts(m), " "), "Все записи") {
		t.Errorf("a member is offered the association's entries")
	}
}

func buttonTexts(m telegramtest.Message) []string {
	var out []string
	for _, b := range m.Buttons() {
		out = append(out, b.Text)
	}
	return out
}

// TestSlowFetchHoldsNobodyUp: while the theses of a ZIP are fetched from
// a messenger that does not answer, the bot's other messages keep going;
// the archive follows once the files are in. The overall rate is
// Telegram's own, so that one message's turn is all that is booked ahead,
// and a fetch that held it would hold every chat.
func TestSlowFetchHoldsNobodyUp(t *testing.T) {
	h := newHarnessOn(t, true, false, func(c *config.Config) {
		c.Limits.GlobalPerSecond = 30
		c.Telegram.RequestTimeout = 30 * time.Second // the hanging fetch outlasts a person's patience
	})
	tm := newTeam(t, h, "telegram", "telegram", "telegram")
	l, anna, boris := tm.leader, tm.members[0], tm.members[1]
	publishMeeting(t, l, "Итоги первой четверти")
	h.settle()
	for _, p := range []person{l, anna, boris} {
		p.drain()
	}
	shareTheses(t, anna, l, "tezisy.docx", []byte("PK тезисы"), "Формирующее оценивание", "Итоги первой четверти")
	l.send("/report")
	view := expect(t, l, "Отчёт")
	h.srv.Inject(telegramtest.Fault{Method: "getFile", Kind: telegramtest.Hang})
	l.press(t, view, "ZIP")
	waitUntil(t, "the fetch to hang", func() bool { return h.srv.Hanging("getFile") == 1 })
	boris.send("/help")
	expect(t, boris, "")
	h.srv.Release("getFile")
	if doc := expect(t, l, "с тезисами выступлений (1)"); !strings.HasSuffix(doc.name, ".zip") {
		t.Errorf("archive %q", doc.name)
	}
}

// TestLostFileCopyIsUploadedAgain: when MAX no longer knows the token of
// a file's copy, the copy is forgotten and the file uploaded afresh: the
// person gets it all the same.
func TestLostFileCopyIsUploadedAgain(t *testing.T) {
	h := newHarnessOn(t, true, true, nil)
	tm := newTeam(t, h, "telegram", "max")
	l, anna := tm.leader, tm.members[0]
	plan := []byte("PK конспект урока")
	l.send("/share")
	expect(t, l, "Материал для банка")
	l.sendDocument("конспект.docx", plan, "")
	expect(t, l, "Название материала?")
	l.send("Конспект урока геометрии")
	l.press(t, expect(t, l, "Что это за материал?"), "Конспект урока")
	expect(t, l, "Вид: Конспект урока")
	l.press(t, expect(t, l, "Предмет?"), "математика")
	expect(t, l, "Предмет: математика")
	expect(t, l, "Ключевые слова")
	l.send("-")
	expect(t, l, "добавлен в банк")
	var fileID string
	err := h.m.DB.View(func(tx *boltdb.Tx) error {
		return tx.Materials(func(m *mmo.Material) bool {
			fileID = m.File.FileID
			return false
		})
	})
	if err != nil || fileID == "" {
		t.Fatalf("the material's file: %q %v", fileID, err)
	}
	if err := h.m.DB.PutFileCopy("telegram", fileID, "max", "lost-token"); err != nil {
		t.Fatal(err)
	}
	download := func() msg {
		anna.send("/bank")
		expect(t, anna, "Банк материалов")
		anna.send("геометрии")
		anna.press(t, expect(t, anna, "Найдено: 1"), "1")
		return anna.next(t)
	}
	if f := download(); !bytes.Equal(f.file, plan) {
		t.Errorf("the file after the lost copy: %q %q", f.name, f.file)
	}
	if id, _ := h.m.DB.FileCopy("telegram", fileID, "max"); id == "" || id == "lost-token" {
		t.Errorf("the copy recorded: %q", id)
	}
}
