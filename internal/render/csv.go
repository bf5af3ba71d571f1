package render

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
)

// bom makes Excel detect UTF-8; without it Cyrillic opens as mojibake.
const bom = "\uFEFF"

// CSV renders one table: UTF-8 with BOM (so Excel opens Cyrillic right),
// ';' separator (Excel's default in the Russian locale), CRLF line ends,
// quoting as encoding/csv does. Texts are cleaned first (see clean), so a
// line break inside a field is "\n", written as CRLF inside the quotes and
// read back as "\n". The title, subtitle and footer lines are included as
// single-cell rows, with an empty row between the title block and the
// header, so the file is self-describing.
//
// Every text (title, subtitles, headers, Text cells, footer) that starts
// with '=', '+', '-', '@', tab, CR or a line break (what a CR becomes once
// cleaned) is prefixed with a single quote so that spreadsheet programs do
// not run it as a formula. Numbers and dates are written as they are.
func CSV(t Table) ([]byte, error) {
	if err := validate(t); err != nil {
		return nil, err
	}
	t = t.cleaned()
	var buf bytes.Buffer
	buf.WriteString(bom)
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true

	var records [][]string
	if t.Title != "" {
		records = append(records, []string{safeText(t.Title)})
	}
	for _, s := range t.Subtitle {
		records = append(records, []string{safeText(s)})
	}
	if len(records) > 0 {
		// A full-width row of empty fields rather than an empty line, which
		// CSV readers (encoding/csv included) silently skip.
		records = append(records, make([]string, len(t.Headers)))
	}
	header := make([]string, len(t.Headers))
	for i, h := range t.Headers {
		header[i] = safeText(h)
	}
	records = append(records, header)
	for _, r := range t.Rows {
		rec := make([]string, len(t.Headers))
		for i, c := range r {
			if c.kind == kindText {
				rec[i] = safeText(c.s)
			} else {
				rec[i] = c.String()
			}
		}
		records = append(records, rec)
	}
	for _, s := range t.Footer {
		records = append(records, []string{safeText(s)})
	}
	if err := w.WriteAll(records); err != nil {
		return nil, fmt.Errorf("render: write csv: %w", err)
	}
	return buf.Bytes(), nil
}

// safeText neutralizes a text that a spreadsheet would take for a formula
// (OWASP CSV injection guidance): a leading single quote makes it text.
func safeText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\n", rune(s[0])) {
		return "'" + s
	}
	return s
}
