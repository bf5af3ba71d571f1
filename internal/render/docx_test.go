package render

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"testing"

	"github.com/gomutex/godocx/packager"
)

var minutesLabelsRU = MinutesLabels{
	DraftMark:     "ЧЕРНОВИК",
	Version:       "Редакция %d",
	Chair:         "Председатель",
	Secretary:     "Секретарь",
	Present:       "Присутствовали",
	Absent:        "Отсутствовали:", // a colon in the label is not doubled
	Agenda:        "ПОВЕСТКА ДНЯ",
	Heard:         "СЛУШАЛИ",
	Spoke:         "ВЫСТУПИЛИ",
	Decided:       "РЕШИЛИ",
	Votes:         "Голосовали: за — %d, против — %d, воздержались — %d",
	SignChair:     "Председатель",
	SignSecretary: "Секретарь",
}

// presentNames are 40 distinct teachers' names.
func presentNames() []string {
	first := []string{"Абрамова", "Белов", "Васильева", "Григорьев", "Дмитриева", "Ёлкин", "Жукова", "Зайцев"}
	initials := []string{"А. А.", "Б. Б.", "В. В.", "Г. Г.", "Д. Д."}
	var names []string
	for _, f := range first {
		for _, i := range initials {
			names = append(names, f+" "+i)
		}
	}
	return names
}

func minutesSample() MinutesDoc {
	return MinutesDoc{
		Labels:      minutesLabelsRU,
		Org:         "Муниципальное методическое объединение учителей математики",
		Title:       "ПРОТОКОЛ № 2",
		Subtitle:    "заседания ММО учителей математики",
		Date:        "25.12.2026",
		City:        "г. Екатеринбург",
		Chair:       "Иванова М. П.",
		Present:     40,
		Absent:      2,
		PresentList: presentNames(),
		AbsentList:  []string{"Юдина Я. Я.", "Щукин Щ. Щ."},
		Agenda: []string{
			"Об итогах муниципального этапа всероссийской олимпиады школьников.",
			"Функциональная грамотность на уроках математики: опыт школ № 5 и № 12.",
			"Разное.",
		},
		Items: []MinutesItem{
			{
				Heard: "Иванову М. П. — об итогах олимпиады.\nВ олимпиаде участвовали 312 школьников 7–11 классов.",
				Spoke: []string{"Петров П. П.: предложил провести разбор заданий.", "Сидорова С. С.: поддержала."},
				Decided: "1. Принять информацию к сведению.\r\n" +
					"2. Провести разбор заданий олимпиады до 20.01.2027.",
				Votes: &Votes{For: 10, Against: 0, Abstained: 1},
			},
			{
				Heard:   "Кузнецову Е. В. — о формировании функциональной грамотности.",
				Decided: "Рекомендовать опыт школ № 5 и № 12 к распространению.",
			},
			{
				Heard:   "Иванову М. П. — о графике открытых уроков.",
				Spoke:   []string{"Орлов О. О.: предложил перенести урок на февраль."},
				Decided: "Утвердить график с изменениями.",
			},
		},
		Draft:   true,
		Version: 2,
	}
}

// docxLinesOf returns the DOCXText of data as lines.
func docxLinesOf(t *testing.T, data []byte) []string {
	t.Helper()
	text, err := DOCXText(data)
	if err != nil {
		t.Fatalf("DOCXText: %v", err)
	}
	if !strings.HasSuffix(text, "\n") {
		t.Fatalf("text does not end in a line break: %q", text)
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// assertLinesInOrder checks that want are lines of got, in this order (other
// lines may come between them).
func assertLinesInOrder(t *testing.T, got []string, want ...string) {
	t.Helper()
	i := 0
	for _, w := range want {
		for i < len(got) && got[i] != w {
			i++
		}
		if i == len(got) {
			t.Fatalf("line %q missing or out of order; text:\n%s", w, strings.Join(got, "\n"))
		}
		i++
	}
}

func hasLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func TestMinutesText(t *testing.T) {
	m := minutesSample()
	data, err := Minutes(m)
	if err != nil {
		t.Fatal(err)
	}
	lines := docxLinesOf(t, data)

	want := []string{
		"ЧЕРНОВИК",
		"Редакция 2",
		m.Org,
		"ПРОТОКОЛ № 2",
		"заседания ММО учителей математики",
		"25.12.2026\tг. Екатеринбург",
		"Председатель: Иванова М. П.",
		"Присутствовали (40):",
	}
	for i, name := range m.PresentList {
		want = append(want, fmt.Sprintf("%d.\t%s", i+1, name))
	}
	want = append(want,
		"Отсутствовали (2):",
		"1.\tЮдина Я. Я.",
		"2.\tЩукин Щ. Щ.",
		"ПОВЕСТКА ДНЯ:",
		"1.\tОб итогах муниципального этапа всероссийской олимпиады школьников.",
		"2.\tФункциональная грамотность на уроках математики: опыт школ № 5 и № 12.",
		"3.\tРазное.",
		"1. СЛУШАЛИ: Иванову М. П. — об итогах олимпиады.",
		"В олимпиаде участвовали 312 школьников 7–11 классов.",
		"ВЫСТУПИЛИ: Петров П. П.: предложил провести разбор заданий.",
		"Сидорова С. С.: поддержала.",
		"РЕШИЛИ: 1. Принять информацию к сведению.",
		"2. Провести разбор заданий олимпиады до 20.01.2027.",
		"Голосовали: за — 10, против — 0, воздержались — 1",
		"2. СЛУШАЛИ: Кузнецову Е. В. — о формировании функциональной грамотности.",
		"РЕШИЛИ: Рекомендовать опыт школ № 5 и № 12 к распространению.",
		"3. СЛУШАЛИ: Иванову М. П. — о графике открытых уроков.",
		"ВЫСТУПИЛИ: Орлов О. О.: предложил перенести урок на февраль.",
		"РЕШИЛИ: Утвердить график с изменениями.",
		"Председатель\t______________ /Иванова М. П./",
	)
	assertLinesInOrder(t, lines, want...)

	if got := strings.Count(strings.Join(lines, "\n"), "Голосовали"); got != 1 {
		t.Errorf("%d votes lines, want 1 (only the first item was voted)", got)
	}
	if hasLine(lines, "Секретарь") {
		t.Errorf("secretary line without a secretary:\n%s", strings.Join(lines, "\n"))
	}
	if last := lines[len(lines)-1]; last != "Председатель\t______________ /Иванова М. П./" {
		t.Errorf("last line %q, want the chair's signature", last)
	}
}

func TestMinutesSecretaryAndMarks(t *testing.T) {
	m := minutesSample()
	m.Secretary = "Петрова А. С."
	m.Draft, m.Version = false, 1
	m.Absent, m.AbsentList = 0, nil
	m.Present, m.PresentList = 12, nil
	data, err := Minutes(m)
	if err != nil {
		t.Fatal(err)
	}
	lines := docxLinesOf(t, data)
	assertLinesInOrder(t, lines,
		m.Org,
		"Председатель: Иванова М. П.",
		"Секретарь: Петрова А. С.",
		"Присутствовали: 12",
		"ПОВЕСТКА ДНЯ:",
		"Председатель\t______________ /Иванова М. П./",
		"Секретарь\t______________ /Петрова А. С./",
	)
	for _, absent := range []string{"ЧЕРНОВИК", "Редакция", "Отсутствовали"} {
		if hasLine(lines, absent) {
			t.Errorf("unexpected %q line:\n%s", absent, strings.Join(lines, "\n"))
		}
	}
}

func TestMinutesMinimal(t *testing.T) {
	// Nothing but labels: no empty list blocks, a place to sign without a
	// name, and a document Word can open (it ends with a paragraph).
	data, err := Minutes(MinutesDoc{Labels: minutesLabelsRU, Title: "ПРОТОКОЛ № 1"})
	if err != nil {
		t.Fatal(err)
	}
	lines := docxLinesOf(t, data)
	if len(lines) != 2 || lines[0] != "ПРОТОКОЛ № 1" || lines[1] != "Председатель\t______________" {
		t.Errorf("lines %q", lines)
	}
}

func TestMinutesItemParts(t *testing.T) {
	// The item number goes before whatever part comes first; empty parts
	// are left out.
	m := MinutesDoc{Labels: minutesLabelsRU, Items: []MinutesItem{
		{Spoke: []string{"Петров П. П.: за.", "  ", "Сидорова С. С.: против.\nПо двум причинам."}},
		{Votes: &Votes{For: 3}},
		{Heard: "  \n  ", Decided: "Отложить."},
		{},
	}}
	data, err := Minutes(m)
	if err != nil {
		t.Fatal(err)
	}
	got := docxLinesOf(t, data)
	want := []string{
		"1. ВЫСТУПИЛИ: Петров П. П.: за.",
		"Сидорова С. С.: против.",
		"По двум причинам.",
		"2. Голосовали: за — 3, против — 0, воздержались — 0",
		"3. РЕШИЛИ: Отложить.",
		"Председатель\t______________",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMinutesBadPatterns(t *testing.T) {
	m := minutesSample()
	m.Labels.Votes = "Голосовали единогласно"
	if _, err := Minutes(m); err == nil || !strings.Contains(err.Error(), "Labels.Votes") {
		t.Errorf("votes pattern without numbers: err %v", err)
	}
	m = minutesSample()
	m.Labels.Version = ""
	if _, err := Minutes(m); err == nil || !strings.Contains(err.Error(), "Labels.Version") {
		t.Errorf("empty version pattern: err %v", err)
	}
	m.Version = 1 // not printed, so not needed
	if _, err := Minutes(m); err != nil {
		t.Errorf("version 1: %v", err)
	}
}

func recordSample() RecordDoc {
	return RecordDoc{
		Title: "Справка об участии в работе методических объединений",
		Lines: []string{
			"Выдана: Иванова Мария Петровна, учитель математики, МБОУ СОШ № 5",
			"за период с 01.09.2026 по 31.12.2026",
		},
		Headers: []string{"№", "Дата", "Объединение", "Форма", "Тема"},
		Rows: [][]string{
			{"1", "25.09.2026", "ММО учителей математики", "выступление", "Функциональная грамотность на уроках математики в 5–9 классах"},
			{"2", "25.12.2026", "ММО учителей математики", "слушатель", "Итоги олимпиады"},
			{"3", "15.12.2026"},
		},
		Footer: []string{"Всего: 3 мероприятия", "Сформировано 22.01.2027"},
	}
}

func TestRecordText(t *testing.T) {
	d := recordSample()
	data, err := Record(d)
	if err != nil {
		t.Fatal(err)
	}
	lines := docxLinesOf(t, data)
	assertLinesInOrder(t, lines,
		d.Title,
		d.Lines[0],
		d.Lines[1],
		"№ | Дата | Объединение | Форма | Тема",
		"1 | 25.09.2026 | ММО учителей математики | выступление | Функциональная грамотность на уроках математики в 5–9 классах",
		"2 | 25.12.2026 | ММО учителей математики | слушатель | Итоги олимпиады",
		"3 | 15.12.2026 |  |  | ", // short rows are padded
		"Всего: 3 мероприятия",
		"Сформировано 22.01.2027",
	)
	if len(lines) != 9 {
		t.Errorf("%d lines, want 9:\n%s", len(lines), strings.Join(lines, "\n"))
	}

	// Without footer the table is followed by an empty paragraph, as Word
	// wants a paragraph at the end of the body.
	d.Footer = nil
	data, err = Record(d)
	if err != nil {
		t.Fatal(err)
	}
	lines = docxLinesOf(t, data)
	if got := lines[len(lines)-1]; got != "" {
		t.Errorf("last line %q, want the empty closing paragraph", got)
	}
}

func TestDOCXColumnWidths(t *testing.T) {
	d := recordSample()
	ws := docxColumnWidths(d.Headers, d.Rows)
	sum := 0
	for _, w := range ws {
		sum += w
	}
	if sum != docxTextWidth {
		t.Errorf("widths %v add up to %d, want the text width %d", ws, sum, docxTextWidth)
	}
	// No word is broken: "25.09.2026", "Объединение", "выступление" and
	// "Функциональная" fit their columns.
	for c, word := range []string{"№", "25.09.2026", "Объединение", "выступление", "Функциональная"} {
		if need := len([]rune(word))*docxCharWidth + docxCellPad; ws[c] < need {
			t.Errorf("column %d is %d wide, %q needs %d", c, ws[c], word, need)
		}
	}
	if ws[4] <= ws[2] || ws[2] <= ws[3] {
		t.Errorf("widths %v: the longest texts should get the most room", ws)
	}

	// Short texts: every line fits, the rest is shared in proportion.
	ws = docxColumnWidths([]string{"a", "bbbb"}, nil)
	if ws[0]+ws[1] != docxTextWidth || ws[0] >= ws[1] {
		t.Errorf("short columns %v", ws)
	}
	// Too many long words: scaled down to the page, never wider.
	long := strings.Repeat("ы", 80)
	ws = docxColumnWidths([]string{long, long, "x"}, nil)
	if ws[0]+ws[1]+ws[2] != docxTextWidth || ws[2] <= 0 {
		t.Errorf("overfull columns %v", ws)
	}
}

func TestRecordErrors(t *testing.T) {
	if _, err := Record(RecordDoc{Title: "x"}); err == nil {
		t.Error("no headers: no error")
	}
	d := recordSample()
	d.Rows = append(d.Rows, []string{"1", "2", "3", "4", "5", "6"})
	if _, err := Record(d); err == nil || !strings.Contains(err.Error(), "Rows[3]") {
		t.Errorf("long row: err %v", err)
	}
}

// docxParts returns the parts of a .docx by name, failing on a broken zip.
func docxParts(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		parts[f.Name] = b
	}
	return parts
}

// checkXML fails unless b is well-formed XML.
func checkXML(t *testing.T, name string, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
	}
}

// checkPackage checks that the package is consistent: every XML part is
// well-formed, every relationship points to a part that exists, every part
// has a content type, and no template leftovers remain.
func checkPackage(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	parts := docxParts(t, data)
	for name, b := range parts {
		if strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") {
			checkXML(t, name, b)
		}
	}
	for _, gone := range []string{"docProps/thumbnail.jpeg", "word/stylesWithEffects.xml"} {
		if _, ok := parts[gone]; ok {
			t.Errorf("template part %s is still there", gone)
		}
	}
	var types struct {
		Default []struct {
			Extension string `xml:",attr"`
		}
		Override []struct {
			PartName string `xml:",attr"`
		}
	}
	if err := xml.Unmarshal(parts["[Content_Types].xml"], &types); err != nil {
		t.Fatal(err)
	}
	typed := map[string]bool{}
	for _, d := range types.Default {
		typed["."+d.Extension] = true
	}
	for _, o := range types.Override {
		if _, ok := parts[strings.TrimPrefix(o.PartName, "/")]; !ok {
			t.Errorf("content type for missing part %s", o.PartName)
		}
		typed[strings.TrimPrefix(o.PartName, "/")] = true
	}
	for name := range parts {
		if name != "[Content_Types].xml" && !typed[name] && !typed[path.Ext(name)] {
			t.Errorf("part %s has no content type", name)
		}
	}
	for name, b := range parts {
		if !strings.HasSuffix(name, ".rels") {
			continue
		}
		var rels struct {
			Rel []struct {
				Target     string `xml:",attr"`
				TargetMode string `xml:",attr"`
			} `xml:"Relationship"`
		}
		if err := xml.Unmarshal(b, &rels); err != nil {
			t.Fatal(err)
		}
		base := path.Dir(path.Dir(name)) // "word/_rels/document.xml.rels" → "word"
		for _, r := range rels.Rel {
			if r.TargetMode == "External" {
				continue
			}
			target := strings.TrimPrefix(path.Join(base, r.Target), "/")
			if _, ok := parts[target]; !ok {
				t.Errorf("%s: relationship to missing part %s", name, target)
			}
		}
	}
	return parts
}

func TestDOCXPackage(t *testing.T) {
	minutes, err := Minutes(minutesSample())
	if err != nil {
		t.Fatal(err)
	}
	record, err := Record(recordSample())
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"minutes": minutes, "record": record} {
		t.Run(name, func(t *testing.T) {
			parts := checkPackage(t, data)
			doc := string(parts["word/document.xml"])
			for _, want := range []string{
				`<w:pgSz w:w="11906" w:h="16838" w:orient="portrait">`, // A4
				`<w:pgMar w:left="1701" w:right="1134" w:gutter="0" w:header="709" w:top="1134" w:footer="709" w:bottom="1134">`,
				`w:ascii="Times New Roman" w:hAnsi="Times New Roman"`,
				`<w:sz w:val="28">`,
			} {
				if !strings.Contains(doc, want) {
					t.Errorf("document.xml has no %s", want)
				}
			}
			styles := string(parts["word/styles.xml"])
			for _, want := range []string{`w:ascii="Times New Roman"`, `<w:sz w:val="28">`, `<w:lang w:val="ru-RU"`} {
				if !strings.Contains(styles, want) {
					t.Errorf("styles.xml defaults have no %s", want)
				}
			}
			core := string(parts["docProps/core.xml"])
			if strings.Contains(core, "godocx") || strings.Contains(core, "gomutex") {
				t.Errorf("core.xml names the library: %s", core)
			}
		})
	}

	// The title is centered and bold; table cells are 12 pt and the header
	// row repeats on every page.
	doc := string(docxParts(t, minutes)["word/document.xml"])
	if !strings.Contains(doc, `<w:jc w:val="center"></w:jc>`) || !strings.Contains(doc, `<w:b></w:b>`) {
		t.Error("minutes have no centered bold paragraph")
	}
	doc = string(docxParts(t, record)["word/document.xml"])
	for _, want := range []string{`<w:sz w:val="24">`, `<w:tblHeader>`, `<w:insideV w:val="single"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("record document.xml has no %s", want)
		}
	}
	if !strings.Contains(string(docxParts(t, record)["docProps/core.xml"]), "<dc:title>Справка об участии") {
		t.Error("record title is not the document title")
	}
}

func TestDOCXSpecialCharacters(t *testing.T) {
	nasty := `<b>"Школа" & 'дети'</b> 😀 ]]> &amp; C:\путь`
	m := minutesSample()
	m.Org = nasty
	m.Chair = "O'Брайен <Иван>"
	m.Items[0].Heard = nasty + "\x00\x1b\x7f\ufffe"
	m.Items[1].Spoke = []string{"a\tb"}
	m.Agenda[0] = "x\xffy" // invalid UTF-8
	data, err := Minutes(m)
	if err != nil {
		t.Fatal(err)
	}
	checkPackage(t, data)
	lines := docxLinesOf(t, data)
	assertLinesInOrder(t, lines,
		nasty,
		"Председатель: O'Брайен <Иван>",
		"1.\tx\uFFFDy",
		"1. СЛУШАЛИ: "+nasty,
		"ВЫСТУПИЛИ: a\tb",
		"Председатель\t______________ /O'Брайен <Иван>/",
	)

	d := recordSample()
	d.Headers[4] = "Тема <&>"
	d.Rows[0][4] = "line 1\nline 2 \"q\" & <x>"
	d.Footer = []string{nasty}
	data, err = Record(d)
	if err != nil {
		t.Fatal(err)
	}
	checkPackage(t, data)
	lines = docxLinesOf(t, data)
	assertLinesInOrder(t, lines,
		"№ | Дата | Объединение | Форма | Тема <&>",
		"1 | 25.09.2026 | ММО учителей математики | выступление | line 1",
		"line 2 \"q\" & <x>",
		nasty,
	)
}

func TestDOCXLanguage(t *testing.T) {
	data, err := Record(RecordDoc{Title: "Participation", Headers: []string{"No", "Topic"}, Rows: [][]string{{"1", "Algebra"}}})
	if err != nil {
		t.Fatal(err)
	}
	if styles := string(docxParts(t, data)["word/styles.xml"]); !strings.Contains(styles, `<w:lang w:val="en-US"`) {
		t.Error("an English document is not marked en-US")
	}
}

// docxSamples are the sample documents of every kind, for the tests that
// hold for all of them; minBody is how many body elements godocx must read
// back at least.
var docxSamples = []struct {
	name    string
	render  func() ([]byte, error)
	minBody int
}{
	{"minutes", func() ([]byte, error) { return Minutes(minutesSample()) }, 5},
	{"record", func() ([]byte, error) { return Record(recordSample()) }, 5},
	{"plan", func() ([]byte, error) { return Form(planSample()) }, 10},
	{"report", func() ([]byte, error) { return Form(reportSample()) }, 10},
}

func TestDOCXDeterministic(t *testing.T) {
	for _, s := range docxSamples {
		t.Run(s.name, func(t *testing.T) {
			a, err := s.render()
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.render()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Error("the same document gave different files")
			}
		})
	}
}

func TestDOCXOpensWithGodocx(t *testing.T) {
	for _, s := range docxSamples {
		t.Run(s.name, func(t *testing.T) {
			data, err := s.render()
			if err != nil {
				t.Fatal(err)
			}
			rd, err := packager.Unpack(&data)
			if err != nil {
				t.Fatalf("godocx cannot open the output: %v", err)
			}
			if n := len(rd.Document.Body.Children); n < s.minBody {
				t.Errorf("godocx reads %d body elements, want at least %d", n, s.minBody)
			}
		})
	}
}

// docxFromBody builds a minimal .docx around a hand-written body, to test
// DOCXText independently of the writer.
func docxFromBody(t *testing.T, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := map[string]string{
		"_rels/.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/main.xml"/></Relationships>`,
		"word/main.xml": `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			body + `</w:body></w:document>`,
	}
	for name, content := range files {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDOCXTextReader(t *testing.T) {
	body := `<w:p><w:pPr><w:tabs><w:tab w:val="right" w:pos="9000"/></w:tabs></w:pPr>` +
		`<w:r><w:t>A</w:t><w:tab/><w:t xml:space="preserve">B </w:t></w:r><w:r><w:br/><w:t>C&amp;&lt;</w:t></w:r></w:p>` +
		`<w:p/>` +
		`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>` +
		`<w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p><w:p><w:r><w:t>y</w:t></w:r></w:p></w:tc>` +
		`<w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>in1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>in2</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:tc>` +
		`</w:tr></w:tbl>` +
		`<w:p><w:r><w:delText>deleted</w:delText><w:instrText>PAGE</w:instrText><w:t>end</w:t></w:r></w:p>`
	got, err := DOCXText(docxFromBody(t, body))
	if err != nil {
		t.Fatal(err)
	}
	want := "A\tB \nC&<\n\n1 | x\ny | in1 | in2\n\nend\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}

	if _, err := DOCXText([]byte("not a zip")); err == nil {
		t.Error("not a zip: no error")
	}
	if _, err := DOCXText(docxFromBody(t, `<w:p><w:r><w:t>broken</w:r></w:p>`)); err == nil {
		t.Error("broken XML: no error")
	}
}

// BenchmarkRecord measures one participation record, most of which used
// to be reading godocx's template.
func BenchmarkRecord(b *testing.B) {
	d := recordSample()
	for b.Loop() {
		if _, err := Record(d); err != nil {
			b.Fatal(err)
		}
	}
}
