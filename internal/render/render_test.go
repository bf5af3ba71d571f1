package render

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/xuri/excelize/v2"
)

var moscow = time.FixedZone("MSK", 3*3600)

// sample is a members list as the bot exports it.
func sample() Table {
	// 11:00 UTC is 14:00 in Moscow.
	at := time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)
	return Table{
		Sheet:    "Участники",
		Title:    "ММО учителей математики",
		Subtitle: []string{"Руководитель: Иванова Мария Петровна", "Сформировано: 22.11.2026 14:00"},
		Headers:  []string{"№", "ФИО", "Школа", "Вступил", "Последний вход", "Посещаемость", "Балл"},
		Rows: [][]Cell{
			{Int(1), Text("Петров Пётр"), Text("Школа №5"), Date(at, moscow), DateTime(at, moscow), Percent(0.875), Float(4.25, 1)},
			{Int(2), Text("Сидорова Анна"), Empty(), Date(time.Date(2026, 1, 31, 22, 30, 0, 0, time.UTC), moscow), Empty(), Percent(1), Float(5, 1)},
		},
		Footer: []string{"Всего: 2"},
	}
}

func openXLSX(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestXLSX(t *testing.T) {
	tbl := sample()
	second := Table{Sheet: "Итоги: 2026/2027 [год]", Headers: []string{"A"}, Rows: [][]Cell{{Text("=1+1")}}}
	data, err := XLSX(tbl, second)
	if err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, data)

	if got, want := f.GetSheetList(), []string{"Участники", "Итоги_ 2026_2027 _год_"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet = %d, want 0", f.GetActiveSheetIndex())
	}
	sh := "Участники"

	// Title block: title, two subtitles, empty row, header on row 5.
	for cell, want := range map[string]string{
		"A1": tbl.Title,
		"A2": tbl.Subtitle[0],
		"A3": tbl.Subtitle[1],
		"A4": "",
		"A9": "Всего: 2", // data rows 6..7, empty row 8, footer 9
	} {
		if got, _ := f.GetCellValue(sh, cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	merged, err := f.GetMergeCells(sh)
	if err != nil || len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "G1" {
		t.Errorf("merged cells = %v, %v; want A1:G1", merged, err)
	}
	rows, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[4]; strings.Join(got, "|") != strings.Join(tbl.Headers, "|") {
		t.Errorf("header = %q, want %q", got, tbl.Headers)
	}

	// Every data cell: displayed value and stored type.
	// number: the cell has no string type and its stored value is numeric.
	const number = excelize.CellType(255)
	tests := []struct {
		cell, value string
		typ         excelize.CellType
	}{
		{"A6", "1", number},
		{"B6", "Петров Пётр", excelize.CellTypeSharedString},
		{"C6", "Школа №5", excelize.CellTypeSharedString},
		{"D6", "22.11.2026", number},
		{"E6", "22.11.2026 14:00", number},
		{"F6", "87.5%", number},
		{"G6", "4.3", number},
		{"A7", "2", number},
		{"B7", "Сидорова Анна", excelize.CellTypeSharedString},
		{"C7", "", excelize.CellTypeUnset},
		{"D7", "01.02.2026", number}, // 22:30 UTC is the next day in Moscow
		{"E7", "", excelize.CellTypeUnset},
		{"F7", "100.0%", number},
		{"G7", "5.0", number},
	}
	for _, tt := range tests {
		got, err := f.GetCellValue(sh, tt.cell)
		if err != nil || got != tt.value {
			t.Errorf("%s = %q (%v), want %q", tt.cell, got, err, tt.value)
		}
		typ, _ := f.GetCellType(sh, tt.cell)
		if tt.typ == number {
			raw, _ := f.GetCellValue(sh, tt.cell, excelize.Options{RawCellValue: true})
			if _, err := strconv.ParseFloat(raw, 64); err != nil || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
				t.Errorf("%s: type %v, raw %q; want a number", tt.cell, typ, raw)
			}
		} else if typ != tt.typ {
			t.Errorf("%s type = %v, want %v", tt.cell, typ, tt.typ)
		}
	}
	// Dates are serial numbers with a date format, not text.
	raw, _ := f.GetCellValue(sh, "D6", excelize.Options{RawCellValue: true})
	if raw != "46348" {
		t.Errorf("D6 raw = %q, want Excel serial 46348", raw)
	}
	styleID, _ := f.GetCellStyle(sh, "D6")
	if st, err := f.GetStyle(styleID); err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "dd.mm.yyyy" {
		t.Errorf("D6 style = %+v, %v; want number format dd.mm.yyyy", st, err)
	}

	panes, err := f.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 5 || panes.TopLeftCell != "A6" {
		t.Errorf("panes = %+v, %v; want frozen below row 5", panes, err)
	}
	if !hasAutoFilter(f, sh, "$A$5:$G$7") {
		t.Errorf("no autofilter on %s!A5:G7; defined names: %+v", sh, f.GetDefinedName())
	}

	// Widths: computed from content, clamped to minWidth.
	if w, _ := f.GetColWidth(sh, "A"); w != minWidth {
		t.Errorf("width A = %v, want %v", w, minWidth)
	}
	if w, _ := f.GetColWidth(sh, "B"); w != float64(len([]rune("Сидорова Анна"))+2) {
		t.Errorf("width B = %v, want rune count + 2", w)
	}

	// Second sheet: text that looks like a formula stays a string.
	sh2 := f.GetSheetList()[1]
	if formula, _ := f.GetCellFormula(sh2, "A2"); formula != "" {
		t.Errorf("A2 has formula %q", formula)
	}
	if v, _ := f.GetCellValue(sh2, "A2"); v != "=1+1" {
		t.Errorf("A2 = %q, want =1+1", v)
	}
	if !hasAutoFilter(f, sh2, "$A$1:$A$2") {
		t.Errorf("no autofilter on second sheet; defined names: %+v", f.GetDefinedName())
	}
}

func hasAutoFilter(f *excelize.File, sheet, ref string) bool {
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" && dn.Scope == sheet && strings.HasSuffix(dn.RefersTo, "!"+ref) {
			return true
		}
	}
	return false
}

func TestXLSXNoRowsAndWidths(t *testing.T) {
	data, err := XLSX(Table{Headers: []string{"a", "b"}, Widths: []float64{20}})
	if err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, data)
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Sheet1" {
		t.Errorf("sheets = %q, want [Sheet1]", got)
	}
	if w, _ := f.GetColWidth("Sheet1", "A"); w != 20 {
		t.Errorf("width A = %v, want 20", w)
	}
	if w, _ := f.GetColWidth("Sheet1", "B"); w != minWidth {
		t.Errorf("width B = %v, want %v", w, minWidth)
	}
	if v, _ := f.GetCellValue("Sheet1", "A1"); v != "a" {
		t.Errorf("A1 = %q, want header a", v)
	}
}

func TestSheetNames(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "Sheet1"},
		{"Участники", "Участники"},
		{"a:b\\c/d?e*f[g]h", "a_b_c_d_e_f_g_h"},
		{"'quoted'", "’quoted’"},
		{"Members' list", "Members’ list"},
		{"a\tb", "a_b"},
		{strings.Repeat("Ж", 40), strings.Repeat("Ж", 31)},
	}
	for _, tt := range tests {
		if got := sanitizeSheetName(tt.in); got != tt.want {
			t.Errorf("sanitizeSheetName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := strings.Repeat("Ж", 31)
	if got := uniqueSheetName(long, []string{long}); got != strings.Repeat("Ж", 27)+" (2)" {
		t.Errorf("uniqueSheetName = %q", got)
	}
	if got := uniqueSheetName("ИТОГИ", []string{"итоги", "Итоги (2)"}); got != "ИТОГИ (3)" {
		t.Errorf("uniqueSheetName = %q, want ИТОГИ (3)", got)
	}
	// Same names end up as distinct sheets.
	data, err := XLSX(Table{Headers: []string{"x"}}, Table{Headers: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := openXLSX(t, data).GetSheetList(); strings.Join(got, "|") != "Sheet1|Sheet1 (2)" {
		t.Errorf("sheets = %q", got)
	}
	data, err = XLSX(Table{Sheet: "Members' list", Headers: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if f := openXLSX(t, data); !hasAutoFilter(f, "Members’ list", "$A$1:$A$1") {
		t.Errorf("apostrophe sheet: defined names %+v", f.GetDefinedName())
	}
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(bom)) {
		t.Fatalf("no BOM: % x", data[:min(len(data), 8)])
	}
	r := csv.NewReader(bytes.NewReader(data[len(bom):]))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse csv: %v", err)
	}
	return recs
}

func TestCSV(t *testing.T) {
	tbl := sample()
	data, err := CSV(tbl)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("\r\n")) || bytes.Count(data, []byte("\n")) != bytes.Count(data, []byte("\r\n")) {
		t.Error("line ends are not CRLF")
	}
	want := [][]string{
		{"ММО учителей математики"},
		{"Руководитель: Иванова Мария Петровна"},
		{"Сформировано: 22.11.2026 14:00"},
		{"", "", "", "", "", "", ""},
		{"№", "ФИО", "Школа", "Вступил", "Последний вход", "Посещаемость", "Балл"},
		{"1", "Петров Пётр", "Школа №5", "22.11.2026", "22.11.2026 14:00", "87.5%", "4.3"},
		{"2", "Сидорова Анна", "", "01.02.2026", "", "100.0%", "5.0"},
		{"Всего: 2"},
	}
	got := readCSV(t, data)
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") || len(got[i]) != len(want[i]) {
			t.Errorf("record %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestCSVFormulaInjection(t *testing.T) {
	tests := []struct {
		cell Cell
		want string
	}{
		{Text("=1+1"), "'=1+1"},
		{Text("+7 999"), "'+7 999"},
		{Text("-5"), "'-5"},
		{Text("@x"), "'@x"},
		{Text("\tx"), "'\tx"},
		{Text("Иванов"), "Иванов"},
		{Text("a=b"), "a=b"},
		{Text(""), ""},
		{Int(-5), "-5"},
		{Float(-1.5, 1), "-1.5"},
	}
	for _, tt := range tests {
		data, err := CSV(Table{Headers: []string{"h"}, Rows: [][]Cell{{tt.cell}}})
		if err != nil {
			t.Fatal(err)
		}
		recs := readCSV(t, data)
		// A lone empty field is written as an empty line, which the reader skips.
		if tt.want == "" {
			if len(recs) != 1 {
				t.Errorf("%q: records %q", tt.want, recs)
			}
			continue
		}
		if len(recs) != 2 || recs[1][0] != tt.want {
			t.Errorf("cell %+v: records %q, want value %q", tt.cell, recs, tt.want)
		}
	}
	// A leading CR is cleaned into a line break, which spreadsheets may
	// skip like the CR: the prefix must still be there.
	data, err := CSV(Table{Headers: []string{"h"}, Rows: [][]Cell{{Text("\r=1+1")}}})
	if recs := readCSV(t, data); err != nil || len(recs) != 2 || recs[1][0] != "'\n=1+1" {
		t.Errorf("CR: %q, %v; want quoted and prefixed", data, err)
	}
	// Title, headers and footer are guarded too.
	data, err = CSV(Table{Title: "=cmd", Headers: []string{"@h", "b"}, Footer: []string{"-x"}})
	if err != nil {
		t.Fatal(err)
	}
	got := readCSV(t, data)
	want := "'=cmd\n|\n'@h|b\n'-x\n"
	var flat strings.Builder
	for _, r := range got {
		flat.WriteString(strings.Join(r, "|") + "\n")
	}
	if flat.String() != want {
		t.Errorf("records = %q, want %q", flat.String(), want)
	}
}

func TestErrors(t *testing.T) {
	tooLong := Table{Sheet: "S", Headers: []string{"a"}, Rows: [][]Cell{{Int(1)}, {Int(1), Int(2)}}}
	tests := []struct {
		name string
		tbl  Table
		want string
	}{
		{"row too long", tooLong, "Rows[1] has 2 cells"},
		{"no headers", Table{Sheet: "S"}, "no headers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := XLSX(tt.tbl); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("XLSX error = %v, want %q", err, tt.want)
			}
			if _, err := CSV(tt.tbl); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CSV error = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := XLSX(); err == nil {
		t.Error("XLSX() without tables: no error")
	}
}

func TestQRPNG(t *testing.T) {
	for _, size := range []int{256, 300, 512} {
		data, err := QRPNG("https://t.me/mmobot?start=inv_4f9c2a1b7d", size)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("decode png: %v", err)
		}
		b := img.Bounds()
		if b.Dx() != size || b.Dy() != size {
			t.Errorf("size = %dx%d, want %dx%d", b.Dx(), b.Dy(), size, size)
		}
		var black, white int
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if r, _, _, _ := img.At(x, y).RGBA(); r == 0 {
					black++
				} else {
					white++
				}
			}
		}
		if black == 0 || white == 0 {
			t.Errorf("size %d: black=%d white=%d, want both", size, black, white)
		}
		// The quiet zone: the border is white.
		if r, _, _, _ := img.At(0, 0).RGBA(); r == 0 {
			t.Errorf("size %d: top-left pixel is black, no quiet zone", size)
		}
	}

	if _, err := QRPNG(strings.Repeat("x", 5000), 512); err == nil {
		t.Error("over-long content: no error")
	}
	if _, err := QRPNG("https://t.me/mmobot", 10); err == nil {
		t.Error("size too small: no error")
	}
}

// TestEveryFormatCleans checks that a bidi override and a control
// character, which mmo.CleanText removes from typed text, are removed by
// every renderer too, for records stored before that rule.
func TestEveryFormatCleans(t *testing.T) {
	const dirty = "Иванова \u202EМария\u2066\x01"
	const want = "Иванова Мария"
	tbl := Table{Title: dirty, Headers: []string{"ФИО"}, Rows: [][]Cell{{Text(dirty)}}}
	csvData, err := CSV(tbl)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range readCSV(t, csvData) {
		if r[0] != want && r[0] != "ФИО" && r[0] != "" {
			t.Errorf("CSV field %q, want %q", r[0], want)
		}
	}
	x, err := XLSX(tbl)
	if err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, x)
	for _, cell := range []string{"A1", "A4"} {
		if got, _ := f.GetCellValue("Sheet1", cell); got != want {
			t.Errorf("XLSX %s = %q, want %q", cell, got, want)
		}
	}
	d, err := Record(RecordDoc{Title: dirty, Headers: []string{"ФИО"}, Rows: [][]string{{dirty}}})
	if err != nil {
		t.Fatal(err)
	}
	text, err := DOCXText(d)
	if err != nil {
		t.Fatal(err)
	}
	if text != want+"\nФИО\n"+want+"\n\n" {
		t.Errorf("DOCX text %q", text)
	}
	e := icsSample()
	e.Summary = dirty
	ic, err := ICS(e)
	if err != nil {
		t.Fatal(err)
	}
	if _, ev := icsParse(t, ic); icsProp(t, ev, ics.ComponentPropertySummary) != want {
		t.Errorf("ICS summary %q", icsProp(t, ev, ics.ComponentPropertySummary))
	}
}

// TestXLSXKeepsEscapeLikeText checks texts that look like the escapes of
// spreadsheet strings: Excel would show "_x0041_" as "A" unless escaped.
func TestXLSXKeepsEscapeLikeText(t *testing.T) {
	for _, s := range []string{"_x0041_", "_x005F_x0041_", "a_x00e9_b _xD800_", "_x0041", "__x0041__", "_x_x0041_"} {
		data, err := XLSX(Table{Headers: []string{s}})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := openXLSX(t, data).GetCellValue("Sheet1", "A1"); got != s {
			t.Errorf("%q came back as %q", s, got)
		}
	}
	for in, want := range map[string]string{
		"_x0041_":       "_x005F_x0041_",
		"_x005F_x0041_": "_x005F_x005F_x005F_x0041_",
		"no escape":     "no escape",
	} {
		if got := escapeXstring(in); got != want {
			t.Errorf("escapeXstring(%q) = %q, want %q", in, got, want)
		}
	}
}
