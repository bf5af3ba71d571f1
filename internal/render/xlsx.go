package render

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// XLSX renders tables as sheets of one workbook (the first is active).
// All tables are validated before anything is written; calling it without
// tables is an error, since a workbook needs a sheet. Text cells are always
// written as strings, never as formulas.
func XLSX(tables ...Table) ([]byte, error) {
	if len(tables) == 0 {
		return nil, errNoTables
	}
	clean := make([]Table, len(tables)) // the caller's slice stays as it was
	for i, t := range tables {
		if err := validate(t); err != nil {
			return nil, err
		}
		clean[i] = t.cleaned()
	}
	tables = clean
	f := excelize.NewFile()
	defer f.Close()
	w := &workbook{f: f, styles: map[string]int{}}
	var used []string
	for i, t := range tables {
		name := uniqueSheetName(sanitizeSheetName(t.Sheet), used)
		used = append(used, name)
		var err error
		if i == 0 {
			// NewFile already has "Sheet1"; renaming keeps it first and active.
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err == nil {
			err = w.writeTable(name, t)
		}
		if err != nil {
			return nil, fmt.Errorf("render: sheet %q: %w", name, err)
		}
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("render: write xlsx: %w", err)
	}
	// excelize signs its files «xuri», «Go Excelize», 2006-09-16.
	return WithProperties(buf.Bytes(), Properties{})
}

// workbook caches styles so that identical styles are registered once.
type workbook struct {
	f      *excelize.File
	styles map[string]int
}

// Number formats of typed cells. Excel stores them in en-US notation and
// shows them in the reader's locale (decimal comma in Russian Excel).
const (
	fmtDate     = "dd.mm.yyyy"
	fmtDateTime = "dd.mm.yyyy hh:mm"
	fmtPercent  = "0.0%"
)

var thinBorder = []excelize.Border{
	{Type: "left", Color: "#808080", Style: 1},
	{Type: "right", Color: "#808080", Style: 1},
	{Type: "top", Color: "#808080", Style: 1},
	{Type: "bottom", Color: "#808080", Style: 1},
}

// style returns the id of a named style, creating it on first use.
// Names: "title", "header", "footer", or "data:<number format>".
func (w *workbook) style(name string) (int, error) {
	if id, ok := w.styles[name]; ok {
		return id, nil
	}
	var s excelize.Style
	switch name {
	case "title":
		s.Font = &excelize.Font{Bold: true, Size: 14}
	case "header":
		s.Font = &excelize.Font{Bold: true}
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#D9E1F2"}}
		s.Border = thinBorder
		s.Alignment = &excelize.Alignment{Vertical: "center", WrapText: true}
	case "footer":
		s.Font = &excelize.Font{Italic: true}
	default:
		s.Border = thinBorder
		s.Alignment = &excelize.Alignment{Vertical: "top"}
		if nf := strings.TrimPrefix(name, "data:"); nf != "" {
			s.CustomNumFmt = &nf
		}
	}
	id, err := w.f.NewStyle(&s)
	if err != nil {
		return 0, err
	}
	w.styles[name] = id
	return id, nil
}

// setStyle applies a named style to one cell or a range.
func (w *workbook) setStyle(sheet, from, to, name string) error {
	id, err := w.style(name)
	if err != nil {
		return err
	}
	return w.f.SetCellStyle(sheet, from, to, id)
}

// writeTable fills one sheet following the layout described on Table.
func (w *workbook) writeTable(sheet string, t Table) error {
	f := w.f
	ncol := len(t.Headers)
	lastCol, err := excelize.ColumnNumberToName(ncol)
	if err != nil {
		return err
	}
	row := 1
	if t.Title != "" {
		a1 := "A" + strconv.Itoa(row)
		if err := setText(f, sheet, a1, t.Title); err != nil {
			return err
		}
		if ncol > 1 {
			if err := f.MergeCell(sheet, a1, lastCol+strconv.Itoa(row)); err != nil {
				return err
			}
		}
		if err := w.setStyle(sheet, a1, a1, "title"); err != nil {
			return err
		}
		row++
	}
	for _, s := range t.Subtitle {
		if err := setText(f, sheet, "A"+strconv.Itoa(row), s); err != nil {
			return err
		}
		row++
	}
	if row > 1 {
		row++ // empty row between the title block and the header
	}

	header := row
	for c, h := range t.Headers {
		cell, _ := excelize.CoordinatesToCellName(c+1, header)
		if err := setText(f, sheet, cell, h); err != nil {
			return err
		}
	}
	hs := strconv.Itoa(header)
	if err := w.setStyle(sheet, "A"+hs, lastCol+hs, "header"); err != nil {
		return err
	}

	for i, r := range t.Rows {
		row = header + 1 + i
		for c := range ncol {
			var v Cell
			if c < len(r) {
				v = r[c]
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, row)
			if err := w.writeCell(sheet, cell, v); err != nil {
				return err
			}
		}
	}

	last := header + len(t.Rows)
	if err := f.AutoFilter(sheet, "A"+hs+":"+lastCol+strconv.Itoa(last), nil); err != nil {
		return err
	}
	top := "A" + strconv.Itoa(header+1)
	if err := f.SetPanes(sheet, &excelize.Panes{
		Freeze:      true,
		YSplit:      header,
		TopLeftCell: top,
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}

	row = last + 2 // keep an empty row between data and footer
	for _, s := range t.Footer {
		a := "A" + strconv.Itoa(row)
		if err := setText(f, sheet, a, s); err != nil {
			return err
		}
		if err := w.setStyle(sheet, a, a, "footer"); err != nil {
			return err
		}
		row++
	}

	for c, width := range columnWidths(t) {
		name, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(sheet, name, name, width); err != nil {
			return err
		}
	}
	return nil
}

// writeCell writes one typed value with its border and number format.
func (w *workbook) writeCell(sheet, cell string, v Cell) error {
	f := w.f
	var err error
	numFmt := ""
	switch v.kind {
	case kindText:
		err = setText(f, sheet, cell, v.s)
	case kindInt:
		err = f.SetCellInt(sheet, cell, int64(v.i))
	case kindFloat:
		err = f.SetCellFloat(sheet, cell, v.f, -1, 64)
		numFmt = "0"
		if v.dec > 0 {
			numFmt += "." + strings.Repeat("0", v.dec)
		}
	case kindPercent:
		err = f.SetCellFloat(sheet, cell, v.f, -1, 64)
		numFmt = fmtPercent
	case kindDate:
		err = f.SetCellValue(sheet, cell, v.t)
		numFmt = fmtDate
	case kindDateTime:
		err = f.SetCellValue(sheet, cell, v.t)
		numFmt = fmtDateTime
	}
	if err != nil {
		return err
	}
	return w.setStyle(sheet, cell, cell, "data:"+numFmt)
}

// setText writes a text cell. Spreadsheet strings have an escape of
// their own (ECMA-376 Part 1, 22.9.2.19): "_x0041_" is read as "A" by
// Excel and excelize alike, so a text that holds such a sequence must
// escape its underscore as "_x005F_". excelize escapes inline strings but
// not the shared strings SetCellStr writes, so it is done here.
func setText(f *excelize.File, sheet, cell, s string) error {
	return f.SetCellStr(sheet, cell, escapeXstring(s))
}

// xstringEscape matches the escape sequences of ST_Xstring.
var xstringEscape = regexp.MustCompile(`^_x[0-9A-Fa-f]{4}_$`)

// escapeXstring escapes each underscore that starts an escape sequence in
// s, the overlapping ones too ("_x005F_x0041_" holds two), so that a
// reader decoding from left to right gets s back.
func escapeXstring(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := strings.Index(s, "_x"); i >= 0; {
		if xstringEscape.MatchString(s[i:min(i+7, len(s))]) {
			b.WriteString(s[last:i])
			b.WriteString("_x005F")
			last = i // the underscore itself is written with what follows
		}
		j := strings.Index(s[i+1:], "_x")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	b.WriteString(s[last:])
	return b.String()
}

// sanitizeSheetName makes name acceptable to Excel: forbidden characters
// and control characters become '_', and the name is cut to 31 UTF-16 units
// (Excel's limit). An apostrophe becomes a typographic one (’): Excel
// forbids it at either end, and excelize does not escape it inside the
// sheet reference of the autofilter, which would corrupt the workbook.
// Empty means "Sheet1".
func sanitizeSheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`:\/?*[]`, r) || r < ' ':
			return '_'
		case r == '\'':
			return '’'
		}
		return r
	}, name)
	name = truncateUTF16(strings.TrimSpace(name), excelize.MaxSheetNameLength)
	if strings.TrimSpace(name) == "" {
		return "Sheet1"
	}
	return name
}

// uniqueSheetName appends " (2)", " (3)"... when name is already used;
// Excel compares sheet names case-insensitively.
func uniqueSheetName(name string, used []string) string {
	taken := func(n string) bool {
		return slices.ContainsFunc(used, func(u string) bool { return strings.EqualFold(u, n) })
	}
	candidate := name
	for i := 2; taken(candidate); i++ {
		suffix := " (" + strconv.Itoa(i) + ")"
		candidate = truncateUTF16(name, excelize.MaxSheetNameLength-len(suffix)) + suffix
	}
	return candidate
}

// truncateUTF16 cuts s to at most n UTF-16 code units without splitting a
// character.
func truncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}
