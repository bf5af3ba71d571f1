// Package render turns tabular reports (association member lists, attendance
// sheets, yearly overviews) into files a teacher can open in Excel or
// LibreOffice, and invitation links into printable QR codes.
//
// The package is presentation only: it holds no user-facing text of its own.
// Callers pass already localized strings (Russian or English), so the same
// renderer serves every language the bot speaks.
//
// Cell values are typed (see [Cell]) rather than plain strings so that the
// XLSX output contains real numbers and dates that sort, filter and sum
// correctly, while the CSV output shows the same values in the fixed formats
// Russian users expect (dd.mm.yyyy).
//
// Every text is cleaned before it is written, by the rule typed text
// passes on its way into the bot (mmo.CleanText): control characters but
// tab and line feed, bidirectional controls, U+FFFE and U+FFFF are
// removed, line ends become line breaks and invalid UTF-8 becomes U+FFFD.
// So a text put into a document comes out of it equal to its cleaned self
// (give or take the spaces each format trims), and no text can make a
// document invalid.
//
// Formula injection: member names, school names and other texts come from
// users and end up in spreadsheets opened by other people. A text starting
// with '=', '+', '-', '@', tab or CR (or a line break, which a CR becomes
// once cleaned) could be executed as a formula by a
// spreadsheet program. XLSX output therefore writes every text as a string
// cell (never as a formula), and CSV output prefixes such texts with a single
// quote, as recommended by OWASP ("CSV Injection"). Numbers created with
// [Int], [Float] and [Percent] are never prefixed, so "-5" stays a number.
package render

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmobot/mmobot/internal/mmo"
)

// Table is a sheet: a title block, a header row and data rows.
//
// Layout (both XLSX and CSV): the title, then the subtitle lines, then an
// empty row (only when there is a title block), then the header row and the
// data rows, then the footer lines. In XLSX an empty row also separates the
// data from the footer, so that totals stay outside the autofilter range and
// are not sorted or filtered together with the data.
type Table struct {
	// Sheet is the sheet name. Excel limits it to 31 characters and forbids
	// : \ / ? * [ ] and leading or trailing apostrophes, so the name is
	// sanitized (forbidden characters become '_', apostrophes become ’,
	// duplicate names get " (2)") instead of failing a whole export on a
	// user-provided name. Empty means "Sheet1".
	Sheet string
	// Title is the first row: bold, larger font, merged across the table width.
	Title string
	// Subtitle holds the following rows, one line each (e.g. the head of the
	// association, the generation time).
	Subtitle []string
	// Headers is the header row. It must not be empty: it defines the table
	// width. In XLSX it is bold, filled, bordered, frozen (the view scrolls
	// under it) and carries an autofilter over the data range.
	Headers []string
	// Rows are the data rows. A row may be shorter than Headers (the missing
	// cells are empty) but not longer.
	Rows [][]Cell
	// Footer holds rows after the data (e.g. totals), one line each, italic
	// in XLSX.
	Footer []string
	// Widths are optional column widths in characters. Columns without a
	// positive width (including all columns when Widths is nil) get a width
	// computed from the header and data, clamped to 6..60 characters, with
	// one character per rune so Cyrillic text is measured like Latin text.
	Widths []float64
}

// kind tells which constructor built a Cell. The zero value is kindEmpty so
// that a zero Cell is a valid empty cell.
type kind uint8

const (
	kindEmpty kind = iota
	kindText
	kindInt
	kindFloat
	kindPercent
	kindDate
	kindDateTime
)

// Cell is one value. Exactly one constructor is used per cell; the zero
// Cell is the same as [Empty]. Keeping the type lets XLSX store real
// numbers and dates instead of text.
type Cell struct {
	kind kind
	s    string
	i    int
	f    float64
	dec  int
	t    time.Time // wall clock in the requested location, stored as UTC
}

// Text is a string cell. It is never interpreted as a formula (see the
// package documentation on formula injection).
func Text(s string) Cell { return Cell{kind: kindText, s: s} }

// Int is an integer number cell.
func Int(n int) Cell { return Cell{kind: kindInt, i: n} }

// Float is a number cell shown with the given number of decimals (clamped to
// 0..10). XLSX keeps the full value and only formats it, so sums stay exact.
func Float(f float64, decimals int) Cell {
	return Cell{kind: kindFloat, f: f, dec: min(max(decimals, 0), 10)}
}

// Percent is a fraction shown as a percentage with one decimal: 0.875 is
// shown as 87.5%. XLSX stores the real number 0.875 with a percent format,
// so it can be used in formulas; CSV writes "87.5%".
func Percent(f float64) Cell { return Cell{kind: kindPercent, f: f} }

// Date is a calendar date, taken from t as seen in loc (nil loc means t's own
// location). The bot stores instants, but a report must show the date the
// association lives in, not the server's. XLSX writes a real date cell
// formatted dd.mm.yyyy; CSV writes "02.01.2006".
func Date(t time.Time, loc *time.Location) Cell {
	w := wall(t, loc)
	return Cell{kind: kindDate, t: time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)}
}

// DateTime is a date and time, taken from t as seen in loc (nil loc means
// t's own location). XLSX writes a real date-time cell formatted
// dd.mm.yyyy hh:mm; CSV writes "02.01.2006 15:04".
func DateTime(t time.Time, loc *time.Location) Cell {
	return Cell{kind: kindDateTime, t: wall(t, loc)}
}

// Empty is an empty cell, for gaps inside a row.
func Empty() Cell { return Cell{} }

// wall returns the wall clock of t in loc as a UTC time, so that spreadsheet
// serial numbers (which have no time zone) show exactly that wall clock.
func wall(t time.Time, loc *time.Location) time.Time {
	if loc != nil {
		t = t.In(loc)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// String returns the cell as displayed in CSV. Text is returned unchanged;
// the formula-injection guard is applied by the CSV writer.
func (c Cell) String() string {
	switch c.kind {
	case kindText:
		return c.s
	case kindInt:
		return strconv.Itoa(c.i)
	case kindFloat:
		return roundFormat(c.f, c.dec)
	case kindPercent:
		return roundFormat(c.f*100, 1) + "%"
	case kindDate:
		return c.t.Format("02.01.2006")
	case kindDateTime:
		return c.t.Format("02.01.2006 15:04")
	}
	return ""
}

// roundFormat formats f with dec decimals, rounding halves away from zero
// as spreadsheets display them (strconv would round 4.25 to "4.2", Excel
// shows 4.3), so CSV and XLSX agree.
func roundFormat(f float64, dec int) string {
	p := math.Pow10(dec)
	if r := math.Round(f*p) / p; !math.IsInf(r, 0) && !math.IsNaN(r) {
		f = r
	}
	return strconv.FormatFloat(f, 'f', dec, 64)
}

// clean is the cleaning of every text the renderers print: mmo.CleanText,
// the rule typed text passes on its way in (control characters but tab and
// line feed, bidirectional controls, U+FFFE and U+FFFF removed, line ends
// made "\n", invalid UTF-8 shown as U+FFFD). It is applied again here so
// that a record stored before that rule, or a text that was never typed,
// prints the same, and no document can be made invalid XML.
func clean(s string) string { return mmo.CleanText(s) }

// cleaned returns a copy of t with every text cleaned (see clean).
func (t Table) cleaned() Table {
	cs := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = clean(s)
		}
		return out
	}
	t.Sheet, t.Title = clean(t.Sheet), clean(t.Title)
	t.Subtitle, t.Headers, t.Footer = cs(t.Subtitle), cs(t.Headers), cs(t.Footer)
	rows := make([][]Cell, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]Cell, len(r))
		for j, c := range r {
			if c.kind == kindText {
				c.s = clean(c.s)
			}
			rows[i][j] = c
		}
	}
	t.Rows = rows
	return t
}

// validate reports the caller's mistakes before anything is written, so a
// broken export fails loudly instead of producing a shifted table.
func validate(t Table) error {
	return checkRows(fmt.Sprintf("render: table %q", t.Sheet), "no headers", "Rows", t.Headers, t.Rows)
}

// checkRows reports a table that has no headers, which define its columns,
// or a row with more cells than headers, which would have no column. The
// tables of spreadsheets, records and forms share it; the messages start
// with where and name the failure noHeaders and the rows rowsName, so that
// each says where it was found.
func checkRows[C any](where, noHeaders, rowsName string, headers []string, rows [][]C) error {
	if len(headers) == 0 {
		return fmt.Errorf("%s: %s", where, noHeaders)
	}
	for i, r := range rows {
		if len(r) > len(headers) {
			return fmt.Errorf("%s: %s[%d] has %d cells, but there are only %d headers",
				where, rowsName, i, len(r), len(headers))
		}
	}
	return nil
}

// Column width limits, in characters.
const (
	minWidth = 6
	maxWidth = 60
)

// columnWidths returns the width of every column: the caller's width when
// positive, otherwise the longest line among the header and the cells plus
// a little padding, clamped to minWidth..maxWidth.
func columnWidths(t Table) []float64 {
	ws := make([]float64, len(t.Headers))
	for c := range ws {
		if c < len(t.Widths) && t.Widths[c] > 0 {
			ws[c] = t.Widths[c]
			continue
		}
		n := textWidth(t.Headers[c])
		for _, r := range t.Rows {
			if c < len(r) {
				n = max(n, textWidth(r[c].String()))
			}
		}
		ws[c] = float64(min(max(n+2, minWidth), maxWidth))
	}
	return ws
}

// textWidth is the rune count of the longest line of s.
func textWidth(s string) int {
	n := 0
	for line := range strings.SplitSeq(s, "\n") {
		n = max(n, utf8.RuneCountInString(line))
	}
	return n
}

// errNoTables is returned by XLSX when called without tables: a workbook
// needs at least one sheet.
var errNoTables = errors.New("render: no tables")
