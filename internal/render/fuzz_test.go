package render

import (
	"bytes"
	"fmt"
	"image/png"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmobot/mmobot/internal/mmo"
	qrcode "github.com/skip2/go-qrcode"
	"github.com/xuri/excelize/v2"
)

// The fuzz targets of this file feed arbitrary user strings into every
// field of every document and check that the document opens (every XML
// part of a DOCX or XLSX is well-formed, an ICS has lines of at most 75
// octets that split no character, a CSV parses) and that each text comes
// back out equal to its cleaned self (mmo.CleanText), give or take the
// spaces the format trims or collapses.

// fuzzSeeds are texts people type, and texts that once broke something.
var fuzzSeeds = []string{
	"Иванова Мария Петровна",
	"МБОУ «СОШ № 5» & <лицей>",
	"1. Итоги олимпиады\n2. Разное",
	"Лидерову О. И. — об итогах школьного этапа\r\nАнтонова А. А.: предложила",
	"=HYPERLINK(\"http://x\";\"y\")",
	"-5", "@cmd", "\tтаб", "\r=1+1",
	"Итоги \u202Eолимпиады\u202C \u2066x\u2069 \u200F",
	"a\x00b\x07c\x1b\x7f\u0085\uFFFE\uFFFF",
	"x\xffy\xc3",
	"]]> <!-- --> <![CDATA[ &amp; &#0; &#x1;",
	"_x0041_ _x005F_x0041_ _xD800_",
	"👩\u200D💻 emoji and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
	"  пробелы   по краям  ",
	"C:\\папка\\файл.docx; a,b;c",
	strings.Repeat("Функциональная грамотность, читательская; ", 6),
	strings.Repeat("ж", 80),
	"",
}

// fuzzMax bounds one fuzzed text: the bot's longest field holds 8000
// characters, and XLSX cuts a cell at 32767.
const fuzzMax = 8000

func addSeeds(f *testing.F, n int) {
	for i := range fuzzSeeds {
		args := make([]any, n)
		for j := range args {
			args[j] = fuzzSeeds[(i+j*5)%len(fuzzSeeds)]
		}
		f.Add(args...)
	}
}

// watchdog fails the process when one input takes over 10 s: the fuzzer
// has no time limit of its own and would wait for a hung worker in
// silence. The panic comes with every goroutine's stack, and the fuzzer
// keeps the input.
func watchdog() (stop func() bool) {
	return time.AfterFunc(10*time.Second, func() {
		buf := make([]byte, 1<<20)
		panic(fmt.Sprintf("one input took over 10 s:\n%s", buf[:runtime.Stack(buf, true)]))
	}).Stop
}

func tooLong(ss ...string) bool {
	for _, s := range ss {
		if len(s) > fuzzMax {
			return true
		}
	}
	return false
}

// words is s cleaned, with runs of white space as single spaces and none
// at the ends: what a document shows of s, whatever layout it gives it.
func words(s string) string { return strings.Join(strings.Fields(mmo.CleanText(s)), " ") }

// hasWords checks that the document text got holds each text of want.
func hasWords(t *testing.T, what, got string, want ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(got), " ")
	for _, w := range want {
		if ww := words(w); !strings.Contains(flat, ww) {
			t.Errorf("%s lost a text: %q (cleaned %q) is not in\n%q", what, w, ww, flat)
		}
	}
}

// checkDOCX opens a DOCX as Word would need it, checks every XML part and
// returns its text.
func checkDOCX(t *testing.T, data []byte) string {
	t.Helper()
	parts := checkPackage(t, data)
	for name, b := range parts {
		if bytes.ContainsFunc(b, func(r rune) bool { return r != '\r' && r != 0xFFFD && mmo.UnsafeRune(r) }) && strings.HasSuffix(name, ".xml") {
			t.Errorf("%s holds a character the cleaning removes", name)
		}
	}
	text, err := DOCXText(data)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func FuzzMinutes(f *testing.F) {
	addSeeds(f, 3)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		if tooLong(a, b, c) {
			t.Skip()
		}
		defer watchdog()()
		m := MinutesDoc{
			Labels: minutesLabelsRU, Org: a, Title: b, Subtitle: c, Date: a, City: b,
			Chair: c, Secretary: a, Present: 2, PresentList: []string{a, b}, AbsentList: []string{c},
			Agenda: []string{b, c},
			Items: []MinutesItem{
				{Heard: a, Spoke: []string{b, c}, Decided: c, Votes: &Votes{For: 2, Against: 0, Abstained: 1}},
				{Heard: c, Decided: b},
			},
			Draft: true, Version: 2,
		}
		data, err := Minutes(m)
		if err != nil {
			t.Fatal(err)
		}
		hasWords(t, "minutes", checkDOCX(t, data), a, b, c)
	})
}

func FuzzRecord(f *testing.F) {
	addSeeds(f, 3)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		if tooLong(a, b, c) {
			t.Skip()
		}
		defer watchdog()()
		d := RecordDoc{
			Title:   a,
			Lines:   []string{b, c},
			Headers: []string{"№", a, b},
			Rows:    [][]string{{"1", c, a}, {"2", b}},
			Footer:  []string{c},
		}
		data, err := Record(d)
		if err != nil {
			t.Fatal(err)
		}
		hasWords(t, "record", checkDOCX(t, data), a, b, c)
	})
}

func FuzzForm(f *testing.F) {
	addSeeds(f, 3)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		if tooLong(a, b, c) {
			t.Skip()
		}
		defer watchdog()()
		d := FormDoc{
			Header: []string{a}, Approval: []string{b, c}, Title: c, Subtitle: []string{a},
			Fields: []FormField{{Label: "Руководитель", Value: b}, {Label: "", Value: c}},
			Sections: []FormSection{
				{Number: "1.", Heading: a, Paragraphs: []string{b}, List: []string{c, a}},
				{Number: "2.", Heading: "Таблица", Table: &FormTable{Headers: []string{a, b}, Rows: [][]string{{c, a}, {b}}, Widths: []int{1, 3}}},
				{Number: "3.", Heading: b, Empty: c},
			},
			Footer: []string{c}, Draft: a,
		}
		data, err := Form(d)
		if err != nil {
			t.Fatal(err)
		}
		hasWords(t, "form", checkDOCX(t, data), a, b, c)
	})
}

// fuzzTable puts the texts in every text place of a table.
func fuzzTable(a, b, c string) Table {
	return Table{
		Sheet:    a,
		Title:    b,
		Subtitle: []string{c, a},
		Headers:  []string{"№", a, b},
		Rows:     [][]Cell{{Int(1), Text(b), Text(c)}, {Int(2), Text(a)}, {Text(c), Percent(0.5), Date(time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC), nil)}},
		Footer:   []string{c},
	}
}

// csvRecords is what CSV must write for t, each text passed through
// guard, leaving out the rows that have no text at all (encoding/csv
// skips a line with a single empty field).
func csvRecords(t Table, guard func(string) string) [][]string {
	var out [][]string
	add := func(r []string) {
		for _, s := range r {
			if s != "" {
				out = append(out, r)
				return
			}
		}
	}
	if t.Title != "" {
		add([]string{guard(t.Title)})
	}
	for _, s := range t.Subtitle {
		add([]string{guard(s)})
	}
	var header []string
	for _, h := range t.Headers {
		header = append(header, guard(h))
	}
	add(header)
	for _, r := range t.Rows {
		row := make([]string, len(t.Headers))
		for i, c := range r {
			if c.kind == kindText {
				row[i] = guard(c.s)
			} else {
				row[i] = c.String()
			}
		}
		add(row)
	}
	for _, s := range t.Footer {
		add([]string{guard(s)})
	}
	return out
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, 3)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		if tooLong(a, b, c) {
			t.Skip()
		}
		defer watchdog()()
		tbl := fuzzTable(a, b, c)
		data, err := CSV(tbl)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for _, r := range readCSV(t, data) {
			if strings.Join(r, "") != "" {
				got = append(got, r)
			}
		}
		// Every text cleaned, then guarded against formulas.
		want := csvRecords(tbl.cleaned(), safeText)
		if !equalRecords(got, want) {
			t.Errorf("CSV did not round-trip:\ngot  %q\nwant %q", got, want)
		}
	})
}

func equalRecords(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

func FuzzXLSX(f *testing.F) {
	addSeeds(f, 3)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		if tooLong(a, b, c) {
			t.Skip()
		}
		defer watchdog()()
		tbl := fuzzTable(a, b, c)
		second := fuzzTable(c, a, b)
		data, err := XLSX(tbl, second)
		if err != nil {
			t.Fatal(err)
		}
		parts := docxParts(t, data)
		for name, p := range parts {
			if strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") {
				checkXML(t, name, p)
			}
		}
		x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("open xlsx: %v", err)
		}
		defer x.Close()
		sheets := x.GetSheetList()
		if len(sheets) != 2 {
			t.Fatalf("sheets %q", sheets)
		}
		for i, tb := range []Table{tbl, second} {
			tb = tb.cleaned()
			// The layout of writeTable, cell by cell.
			want := map[string]string{}
			row := 1
			if tb.Title != "" {
				want[cellName(1, row)] = tb.Title
				row++
			}
			for _, s := range tb.Subtitle {
				want[cellName(1, row)] = s
				row++
			}
			if row > 1 {
				row++
			}
			for j, h := range tb.Headers {
				want[cellName(j+1, row)] = h
			}
			for _, r := range tb.Rows {
				row++
				for j, c := range r {
					if c.kind == kindText {
						want[cellName(j+1, row)] = c.s
					}
				}
			}
			row += 2
			for _, s := range tb.Footer {
				want[cellName(1, row)] = s
				row++
			}
			for cell, w := range want {
				got, err := x.GetCellValue(sheets[i], cell)
				if err != nil {
					t.Fatal(err)
				}
				if got != w {
					t.Errorf("sheet %d %s = %q, want %q", i+1, cell, got, w)
				}
			}
		}
	})
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

// icsLine is one unfolded content line: its name, parameters and value.
type icsLine struct{ name, params, value string }

// icsLines unfolds an iCalendar file (RFC 5545 3.1) and splits its lines,
// independently of the library that wrote it.
func icsLines(t *testing.T, data []byte) []icsLine {
	t.Helper()
	s := string(data)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("the file does not end in CRLF")
	}
	var out []icsLine
	for i, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a character: %q", i+1, l)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(out) == 0 {
				t.Fatal("the file starts with a continuation line")
			}
			out[len(out)-1].value += l[1:]
			continue
		}
		out = append(out, icsLine{value: l})
	}
	for i, l := range out {
		// The name and parameters end at the first colon outside quotes.
		quoted := false
		cut := -1
		for j, r := range l.value {
			if r == '"' {
				quoted = !quoted
			}
			if r == ':' && !quoted {
				cut = j
				break
			}
		}
		if cut < 0 {
			t.Fatalf("line without a colon: %q", l.value)
		}
		head := l.value[:cut]
		name, params, _ := strings.Cut(head, ";")
		out[i] = icsLine{name: name, params: params, value: l.value[cut+1:]}
	}
	return out
}

// icsUnescape reads a TEXT value (RFC 5545 3.3.11).
func icsUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// icsBareSpecial finds a comma, semicolon or backslash that a TEXT value
// left unescaped.
var icsBareSpecial = regexp.MustCompile(`(^|[^\\])(\\\\)*[,;]`)

func FuzzICS(f *testing.F) {
	addSeeds(f, 4)
	f.Fuzz(func(t *testing.T, summary, description, location, organizer string) {
		if tooLong(summary, description, location, organizer) {
			t.Skip()
		}
		defer watchdog()()
		start := time.Date(2026, 12, 25, 12, 30, 0, 0, time.UTC)
		e := ICSEvent{
			UID: "event-42@mmobot", Sequence: 1, Start: start, End: start.Add(time.Hour),
			Summary: summary, Description: description, Location: location, URL: location,
			Organizer: organizer, Created: start.Add(-time.Hour),
		}
		data, err := ICS(e)
		if err != nil {
			t.Fatal(err)
		}
		props := map[string]icsLine{}
		for _, l := range icsLines(t, data) {
			if l.name == "BEGIN" || l.name == "END" {
				continue
			}
			if _, dup := props[l.name]; dup && l.name != "BEGIN" {
				t.Errorf("%s twice", l.name)
			}
			props[l.name] = l
		}
		text := func(name string) (string, bool) {
			l, ok := props[name]
			if ok && icsBareSpecial.MatchString(l.value) {
				t.Errorf("%s has an unescaped comma or semicolon: %q", name, l.value)
			}
			return icsUnescape(l.value), ok
		}
		if got, _ := text("SUMMARY"); got != icsOneLine(summary) {
			t.Errorf("SUMMARY = %q, want %q", got, icsOneLine(summary))
		}
		for name, in := range map[string]string{"DESCRIPTION": description, "LOCATION": location} {
			want := strings.TrimSpace(mmo.CleanText(in))
			got, ok := text(name)
			if ok != (want != "") || got != want {
				t.Errorf("%s = %q (%v), want %q", name, got, ok, want)
			}
		}
		if url := strings.Join(strings.Fields(mmo.CleanText(location)), ""); url != "" && props["URL"].value != url {
			t.Errorf("URL = %q, want %q", props["URL"].value, url)
		}
		if cn := icsParamText(organizer); cn != "" {
			l := props["ORGANIZER"]
			if got := strings.Trim(strings.TrimPrefix(l.params, "CN="), `"`); got != cn || l.value != icsOrganizerAddress {
				t.Errorf("ORGANIZER = %q:%q, want CN=%q", l.params, l.value, cn)
			}
		}
	})
}

func FuzzQR(f *testing.F) {
	for _, s := range []string{"https://t.me/mmobot?start=j_AbCdEfGhIjKlMnOpQrSt", "https://t.me/mmobot?start=c_xyz", "Иванова", "", strings.Repeat("9", 3000)} {
		f.Add(s, 512)
		f.Add(s, 300)
	}
	f.Fuzz(func(t *testing.T, content string, size int) {
		if size > 2048 || len(content) > 4096 {
			t.Skip() // the bot draws 512 px codes of short links
		}
		data, err := QRPNG(content, size)
		q, qerr := qrcode.New(content, qrcode.Medium)
		if qerr != nil || size < len(q.Bitmap()) {
			if err == nil {
				t.Fatalf("no error for content the library refuses (%v) or size %d", qerr, size)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("decode png: %v", err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Fatalf("size %dx%d, want %d", b.Dx(), b.Dy(), size)
		}
		// Every module is a square of the same whole number of pixels, in
		// the right colour: sample each module at its corners.
		bm := q.Bitmap()
		scale := size / len(bm)
		off := (size - scale*len(bm)) / 2
		for y, line := range bm {
			for x, black := range line {
				for _, d := range [][2]int{{0, 0}, {scale - 1, 0}, {0, scale - 1}, {scale - 1, scale - 1}} {
					r, _, _, _ := img.At(off+x*scale+d[0], off+y*scale+d[1]).RGBA()
					if (r == 0) != black {
						t.Fatalf("module %d,%d pixel %v: black %v, want %v", x, y, d, r == 0, black)
					}
				}
			}
		}
		if r, _, _, _ := img.At(0, 0).RGBA(); r == 0 {
			t.Error("no quiet zone")
		}
	})
}
