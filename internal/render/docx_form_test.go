package render

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var planTasks = []string{
	"Совершенствовать методическое мастерство учителей математики.",
	"Обобщать и распространять эффективный педагогический опыт.",
	"Организовать работу с одарёнными детьми и подготовку к олимпиадам.",
	"Повысить качество подготовки к ОГЭ и ЕГЭ по математике.",
	"Внедрять в практику задания на формирование функциональной грамотности.",
	"Оказывать методическую помощь молодым педагогам.",
	"Организовать взаимопосещение уроков и открытые уроки.",
	"Анализировать результаты ВПР и диагностических работ.",
}

var planMonths = []string{
	"Сентябрь", "Октябрь", "Ноябрь", "Декабрь", "Январь", "Февраль",
	"Март", "Апрель", "Май", "Июнь", "Июль", "Август",
}

func planRows() [][]string {
	var rows [][]string
	for i, m := range planMonths {
		rows = append(rows, []string{
			m,
			fmt.Sprintf("Тема заседания № %d: анализ и планирование", i+1),
			"семинар-практикум",
			"Иванова М. П.",
		})
	}
	return rows
}

func planSample() FormDoc {
	return FormDoc{
		Header: []string{"Приложение 1", "к Положению о ММО"},
		Approval: []string{
			"УТВЕРЖДАЮ",
			"Директор МБУ МЦ",
			"________ /И. О. Фамилия/",
			"«__» ________ 2026 г.",
		},
		Title:    "План деятельности муниципального методического объединения",
		Subtitle: []string{"учителей математики", "на 2026/2027 учебный год"},
		Fields: []FormField{
			{Label: "Руководитель", Value: "Иванова Мария Петровна"},
			{Label: "Методическая тема:", Value: "Функциональная грамотность на уроках математики"},
		},
		Sections: []FormSection{
			{Number: "1.", Heading: "Цель деятельности ММО",
				Paragraphs: []string{"Создание условий для профессионального роста учителей математики."}},
			{Number: "2.", Heading: "Задачи", List: planTasks},
			{Number: "3.", Heading: "Мероприятия", Table: &FormTable{
				Headers: []string{"Месяц", "Тема", "Форма", "Ответственный"},
				Rows:    planRows(),
				Widths:  []int{2, 5, 3, 3},
			}},
		},
	}
}

func reportSample() FormDoc {
	return FormDoc{
		Draft:    "ЧЕРНОВИК",
		Header:   []string{"Приложение 2", "к Положению о ММО"},
		Approval: []string{"Согласовано 22.11.2026, Иванова А. П."},
		Title:    "Отчёт о деятельности муниципального методического объединения",
		Subtitle: []string{"учителей математики", "за 2026/2027 учебный год"},
		Fields:   []FormField{{Label: "Руководитель", Value: "Иванова Мария Петровна"}},
		Sections: []FormSection{
			{Number: "1.", Heading: "Методическая тема", Paragraphs: []string{"Функциональная грамотность на уроках математики."}, Empty: "—"},
			{Number: "2.", Heading: "Цель и задачи", Empty: "не заполнено"},
			{Number: "3.", Heading: "Состав ММО", Paragraphs: []string{"В ММО 42 учителя из 18 школ."}, Empty: "—"},
			{Number: "4.", Heading: "Проведённые заседания", Empty: "—", Table: &FormTable{
				Headers: []string{"№", "Дата", "Тема", "Участников"},
				Rows: [][]string{
					{"1", "25.09.2026", "Планирование работы на год", "38"},
					{"2", "25.12.2026", "Итоги муниципального этапа олимпиады", "40"},
					{"3", "25.03.2027"},
				},
			}},
			{Number: "5.", Heading: "Открытые уроки и мастер-классы", Empty: "—"},
			{Number: "6.", Heading: "Итоги работы",
				Paragraphs: []string{
					"Все запланированные заседания проведены.\nКачество знаний по итогам ВПР выросло на 4 %.",
					"",
					"Опыт школ № 5 и № 12 обобщён на муниципальном уровне.",
				},
				Empty: "—"},
			{Number: "7.", Heading: "Проблемы", Paragraphs: []string{"  ", "\n"}, Empty: "не заполнено"},
			{Number: "8.", Heading: "Предложения", List: []string{"Провести выездной семинар.", " "}, Empty: "—"},
			{Number: "9.", Heading: "Задачи на следующий год", Empty: "—"},
		},
		Footer: []string{"Руководитель ММО ________ /Иванова М. П./", "Дата: 20.06.2027"},
	}
}

func TestFormPlanText(t *testing.T) {
	d := planSample()
	data, err := Form(d)
	if err != nil {
		t.Fatal(err)
	}
	lines := docxLinesOf(t, data)
	want := []string{
		"Приложение 1",
		"к Положению о ММО",
		"УТВЕРЖДАЮ",
		"Директор МБУ МЦ",
		"________ /И. О. Фамилия/",
		"«__» ________ 2026 г.",
		"План деятельности муниципального методического объединения",
		"учителей математики",
		"на 2026/2027 учебный год",
		"Руководитель: Иванова Мария Петровна",
		"Методическая тема: Функциональная грамотность на уроках математики", // the colon is not doubled
		"1. Цель деятельности ММО",
		"Создание условий для профессионального роста учителей математики.",
		"2. Задачи",
	}
	for _, task := range planTasks {
		want = append(want, "–\t"+task)
	}
	want = append(want, "3. Мероприятия", "Месяц | Тема | Форма | Ответственный")
	for i, m := range planMonths {
		want = append(want, fmt.Sprintf("%s | Тема заседания № %d: анализ и планирование | семинар-практикум | Иванова М. П.", m, i+1))
	}
	assertLinesInOrder(t, lines, want...)
	if lines[0] != "Приложение 1" {
		t.Errorf("first line %q, want the header", lines[0])
	}
	// want and the closing empty paragraph after the final table: nothing
	// else.
	if len(lines) != len(want)+1 || lines[len(lines)-1] != "" {
		t.Errorf("%d lines, want %d:\n%s", len(lines), len(want)+1, strings.Join(lines, "\n"))
	}
	if hasLine(lines, "ЧЕРНОВИК") {
		t.Error("a draft mark without Draft")
	}
}

func TestFormReportText(t *testing.T) {
	d := reportSample()
	data, err := Form(d)
	if err != nil {
		t.Fatal(err)
	}
	lines := docxLinesOf(t, data)
	want := []string{
		"ЧЕРНОВИК",
		"Приложение 2",
		"к Положению о ММО",
		"Согласовано 22.11.2026, Иванова А. П.",
		"Отчёт о деятельности муниципального методического объединения",
		"учителей математики",
		"за 2026/2027 учебный год",
		"Руководитель: Иванова Мария Петровна",
		"1. Методическая тема",
		"Функциональная грамотность на уроках математики.",
		"2. Цель и задачи",
		"не заполнено",
		"3. Состав ММО",
		"В ММО 42 учителя из 18 школ.",
		"4. Проведённые заседания",
		"№ | Дата | Тема | Участников",
		"1 | 25.09.2026 | Планирование работы на год | 38",
		"2 | 25.12.2026 | Итоги муниципального этапа олимпиады | 40",
		"3 | 25.03.2027 |  | ", // short rows are padded
		"5. Открытые уроки и мастер-классы",
		"—",
		"6. Итоги работы",
		"Все запланированные заседания проведены.",
		"Качество знаний по итогам ВПР выросло на 4 %.",
		"Опыт школ № 5 и № 12 обобщён на муниципальном уровне.",
		"7. Проблемы",
		"не заполнено", // blank paragraphs are no content
		"8. Предложения",
		"–\tПровести выездной семинар.",
		"9. Задачи на следующий год",
		"—",
		"Руководитель ММО ________ /Иванова М. П./",
		"Дата: 20.06.2027",
	}
	// The lines are exactly these: the draft mark first, the blank
	// paragraph and list item left out, no Empty text for sections with
	// content (the table counts), and the footer last.
	if got := strings.Join(lines, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\n\nwant\n%s", got, strings.Join(want, "\n"))
	}

	// The Empty text is in italics; the draft mark is the first paragraph,
	// centered and bold.
	doc := string(checkPackage(t, data)["word/document.xml"])
	if !regexp.MustCompile(`<w:i></w:i>(<w:iCs></w:iCs>)?.*?<w:t xml:space="preserve">не заполнено</w:t>`).MatchString(doc) {
		t.Error("the Empty text is not in italics")
	}
	body := doc[strings.Index(doc, "<w:body>"):]
	firstPara := body[:strings.Index(body, "</w:p>")]
	for _, want := range []string{`<w:jc w:val="center">`, `<w:b></w:b>`, `>ЧЕРНОВИК<`} {
		if !strings.Contains(firstPara, want) {
			t.Errorf("the first paragraph has no %s: %s", want, firstPara)
		}
	}
}

func TestFormMinimal(t *testing.T) {
	// Nothing but a title and an empty section: no blank paragraphs, no
	// Empty text where there is none.
	data, err := Form(FormDoc{Title: "План", Sections: []FormSection{{Heading: "Задачи"}, {Number: "2.", Empty: "—"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(docxLinesOf(t, data), "\n"); got != "План\nЗадачи\n2.\n—" {
		t.Errorf("lines %q", got)
	}
	data, err = Form(FormDoc{})
	if err != nil {
		t.Fatal(err)
	}
	checkPackage(t, data)
	if got := docxLinesOf(t, data); len(got) != 1 || got[0] != "" {
		t.Errorf("empty form: lines %q, want one empty paragraph", got)
	}
}

func TestFormDOCXPackage(t *testing.T) {
	for name, d := range map[string]FormDoc{"plan": planSample(), "report": reportSample()} {
		t.Run(name, func(t *testing.T) {
			data, err := Form(d)
			if err != nil {
				t.Fatal(err)
			}
			parts := checkPackage(t, data)
			doc := string(parts["word/document.xml"])
			for _, want := range []string{
				`<w:pgSz w:w="11906" w:h="16838" w:orient="portrait">`, // A4
				`<w:pgMar w:left="1701" w:right="1134" w:gutter="0" w:header="709" w:top="1134" w:footer="709" w:bottom="1134">`,
				`w:ascii="Times New Roman" w:hAnsi="Times New Roman"`,
				`<w:sz w:val="28">`,              // 14 pt text
				`<w:sz w:val="24">`,              // 12 pt tables
				`<w:jc w:val="right"></w:jc>`,    // header
				`<w:jc w:val="center"></w:jc>`,   // title
				`<w:tblHeader>`, `<w:cantSplit>`, // table rows
				`<w:insideV w:val="single"`, // borders
			} {
				if !strings.Contains(doc, want) {
					t.Errorf("document.xml has no %s", want)
				}
			}
			styles := string(parts["word/styles.xml"])
			if !strings.Contains(styles, `<w:lang w:val="ru-RU"`) {
				t.Error("styles.xml is not marked ru-RU")
			}
			core := string(parts["docProps/core.xml"])
			if !strings.Contains(core, "<dc:title>"+d.Title+" учителей математики") {
				t.Errorf("core.xml title: %s", core)
			}
			// That godocx opens the file is checked by
			// TestDOCXOpensWithGodocx.
		})
	}
}

var (
	tblGridRe = regexp.MustCompile(`<w:tblGrid>(.*?)</w:tblGrid>`)
	gridColRe = regexp.MustCompile(`<w:gridCol w:w="(\d+)"`)
)

// gridWidths returns the widths of the w:gridCol of the first table.
func gridWidths(t *testing.T, doc string) []int {
	t.Helper()
	grid := tblGridRe.FindStringSubmatch(doc)
	if grid == nil {
		t.Fatal("no table grid")
	}
	var ws []int
	for _, m := range gridColRe.FindAllStringSubmatch(grid[1], -1) {
		w, _ := strconv.Atoi(m[1])
		ws = append(ws, w)
	}
	return ws
}

func TestFormTableWidths(t *testing.T) {
	data, err := Form(planSample()) // Widths {2, 5, 3, 3}
	if err != nil {
		t.Fatal(err)
	}
	doc := string(docxParts(t, data)["word/document.xml"])
	ws := gridWidths(t, doc)
	share := func(w int) int { return w * docxTextWidth / 13 }
	if len(ws) != 4 || ws[0] != share(2) || ws[1] != share(5) || ws[2] != share(3) || ws[0]+ws[1]+ws[2]+ws[3] != docxTextWidth {
		t.Errorf("grid %v, want 2:5:3:3 of %d", ws, docxTextWidth)
	}
	// The cells have the widths of their columns, in every row.
	if n := strings.Count(doc, `<w:tcW w:w="`+strconv.Itoa(share(5))+`" w:type="dxa">`); n != 13 {
		t.Errorf("%d cells %d wide, want 13 (header and 12 rows)", n, share(5))
	}

	// Without Widths, the widths come from the texts, as in a Record.
	d := reportSample()
	data, err = Form(d)
	if err != nil {
		t.Fatal(err)
	}
	tbl := d.Sections[3].Table
	want := docxColumnWidths(tbl.Headers, tbl.Rows)
	if got := gridWidths(t, string(docxParts(t, data)["word/document.xml"])); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("grid %v, want %v", got, want)
	}
}

func TestFormErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		table *FormTable
		err   string
	}{
		"no headers":  {&FormTable{Rows: [][]string{{"1"}}}, "no headers"},
		"long row":    {&FormTable{Headers: []string{"a", "b"}, Rows: [][]string{{"1"}, {"1", "2", "3"}}}, "Rows[1] has 3 cells"},
		"widths":      {&FormTable{Headers: []string{"a", "b"}, Widths: []int{1}}, "1 widths for 2 headers"},
		"zero width":  {&FormTable{Headers: []string{"a", "b"}, Widths: []int{1, 0}}, "Widths[1] is 0"},
		"huge width":  {&FormTable{Headers: []string{"a"}, Widths: []int{1 << 40}}, "Widths[0]"},
		"empty table": {&FormTable{}, "no headers"},
	} {
		d := planSample()
		d.Sections[2].Table = tc.table
		_, err := Form(d)
		if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "Sections[2] (3. Мероприятия)") {
			t.Errorf("%s: err %v, want one naming the section and %q", name, err, tc.err)
		}
	}
	// A table with headers and no rows is fine.
	d := planSample()
	d.Sections[2].Table.Rows = nil
	if _, err := Form(d); err != nil {
		t.Errorf("table without rows: %v", err)
	}
}

func TestFormSpecialCharacters(t *testing.T) {
	nasty := `<b>"Школа" & 'дети'</b> 😀 ]]> &amp; C:\путь`
	d := reportSample()
	d.Draft = "ЧЕРНОВИК <&>"
	d.Header[0] = nasty
	d.Title = "Отчёт \x00\x1b\ufffe& <план>"
	d.Fields[0].Value = "O'Брайен <Иван>"
	d.Sections[0].Paragraphs = []string{"a\tb\r\nc\rd", "x\xffy"}
	d.Sections[1].List = []string{nasty}
	d.Sections[3].Table.Headers[2] = "Тема <&>"
	d.Sections[3].Table.Rows[0][2] = "line 1\nline 2 \"q\" & <x>"
	d.Footer = []string{"Руководитель ММО\t________ /O'Брайен/"}
	data, err := Form(d)
	if err != nil {
		t.Fatal(err)
	}
	parts := checkPackage(t, data)
	lines := docxLinesOf(t, data)
	assertLinesInOrder(t, lines,
		"ЧЕРНОВИК <&>",
		nasty,
		"Отчёт & <план>",
		"Руководитель: O'Брайен <Иван>",
		"a\tb",
		"c",
		"d",
		"x\uFFFDy",
		"–\t"+nasty,
		"№ | Дата | Тема <&> | Участников",
		"1 | 25.09.2026 | line 1",
		"line 2 \"q\" & <x> | 38",
		"Руководитель ММО\t________ /O'Брайен/",
	)
	if !strings.Contains(string(parts["docProps/core.xml"]), "<dc:title>Отчёт &amp; &lt;план&gt; учителей") {
		t.Errorf("core.xml: %s", parts["docProps/core.xml"])
	}
}
