package render

import (
	"fmt"
	"strings"
)

// FormDoc is an official form, such as the yearly work plan of an
// association (Приложение 1 of the regulation) or its annual report
// (Приложение 2): a header block, then numbered or plain sections, each with
// paragraphs, a list and/or a table.
//
// In every []string field and in paragraphs, "\n" starts a new paragraph;
// blank lines are left out (the spacing between paragraphs is the form's).
type FormDoc struct {
	// Header holds right-aligned lines at the top, e.g. "Приложение 1",
	// "к Положению о ММО". It may be empty.
	Header []string
	// Approval is the optional approval block, right-aligned, under the
	// header: "УТВЕРЖДАЮ", "Директор МБУ МЦ", "________ /И. О. Фамилия/",
	// "«__» ________ 2026 г.", or once approved "Согласовано 22.11.2026,
	// Иванова А. П.".
	Approval []string
	// Title is centered and bold: "План деятельности муниципального
	// методического объединения".
	Title string
	// Subtitle holds centered lines under the title: "учителей математики",
	// "на 2026/2027 учебный год".
	Subtitle []string
	// Fields are "Руководитель: Иванова Мария Петровна", one paragraph each,
	// the label bold (followed by a colon that is not doubled) and the value
	// plain. A field with neither label nor value is left out.
	Fields   []FormField
	Sections []FormSection
	// Footer holds the paragraphs at the end, e.g. "Руководитель ММО
	// ________ /Иванова М. П./", "Дата: 20.06.2027". A tab in them goes to
	// the same stop as in the signature lines of the minutes.
	Footer []string
	// Draft, when not empty, is printed first as a centered bold mark, e.g.
	// "ЧЕРНОВИК".
	Draft string
}

// FormField is a labelled value of a form.
type FormField struct{ Label, Value string }

// FormSection is a section of a form: the heading, then the paragraphs, the
// list and the table, in this order; Empty when there is none of these.
type FormSection struct {
	// Number, e.g. "1.", is printed before the heading; it may be empty.
	Number string
	// Heading is bold.
	Heading string
	// Paragraphs are plain justified paragraphs; "\n" inside one starts a
	// new paragraph.
	Paragraphs []string
	// List is a bulleted list, one paragraph per item, "–" before each.
	List []string
	// Table is an optional table after the paragraphs and the list.
	Table *FormTable
	// Empty is printed in italics when the section has no paragraphs, no
	// list items and no table, e.g. "—" or "не заполнено". When it is empty
	// too, the section is only its heading.
	Empty string
}

// FormTable is a table of a form, laid out like the table of a Record:
// single borders, the bold header row repeated on every page, rows that do
// not break across pages.
type FormTable struct {
	// Headers must not be empty: it defines the number of columns.
	Headers []string
	// Rows may be shorter than Headers (the missing cells are empty) but
	// not longer.
	Rows [][]string
	// Widths are optional relative column widths, e.g. {1, 4, 2, 2}: when
	// set, there is one positive number per header and the text width is
	// shared in proportion; when not, the widths are worked out from the
	// texts as for a Record.
	Widths []int
}

// Form renders a form as a .docx: the draft mark, the header and approval
// blocks on the right, the centered title and subtitle, the fields, the
// sections and the footer.
func Form(d FormDoc) ([]byte, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	b, err := newDocxBuilder()
	if err != nil {
		return nil, err
	}
	if s := formText(d.Draft); s != "" {
		b.para(docxPara{align: alignCenter, after: 120}, docxSpan{text: s, bold: true, color: "C00000"})
	}
	above := false // something is printed above the current block
	for _, line := range formLines(d.Header) {
		b.para(docxPara{align: alignRight}, docxSpan{text: line})
		above = true
	}
	for i, line := range formLines(d.Approval) {
		st := docxPara{align: alignRight, keepLines: true, keepNext: true}
		if i == 0 && above {
			st.before = 240
		}
		b.para(st, docxSpan{text: line})
		above = true
	}
	title := formText(d.Title)
	if title != "" {
		st := docxPara{align: alignCenter, keepNext: true}
		if above {
			st.before = 360
		}
		b.para(st, docxSpan{text: title, bold: true})
		above = true
	}
	subtitle := formLines(d.Subtitle)
	for i, line := range subtitle {
		st := docxPara{align: alignCenter, keepNext: true}
		if i == 0 && title == "" && above {
			st.before = 360
		}
		b.para(st, docxSpan{text: line})
		above = true
	}
	first := true
	for _, f := range d.Fields {
		label, value := docxLabel(clean(f.Label)), formText(f.Value)
		if label == "" && value == "" {
			continue
		}
		var spans []docxSpan
		if label != "" {
			spans = append(spans, docxSpan{text: label, bold: true})
			if value != "" {
				value = " " + value
			}
		}
		spans = append(spans, docxSpan{text: value})
		st := docxPara{}
		if first && above {
			st.before = 240
		}
		first = false
		b.para(st, spans...)
		above = true
	}
	for _, s := range d.Sections {
		b.formSection(s, above)
		above = true
	}
	// The signature block stays together: every footer paragraph but the
	// last keeps with the next.
	footer := formLines(d.Footer)
	for i, line := range footer {
		st := docxPara{before: 120, keepLines: true, keepNext: i < len(footer)-1, tabs: []docxTab{{pos: docxSignTab}}}
		if i == 0 && above {
			st.before = 480
		}
		b.para(st, docxSpan{text: line})
	}
	return b.bytes(strings.TrimSpace(title + " " + strings.Join(subtitle, " ")))
}

// check reports the tables that cannot be laid out.
func (d FormDoc) check() error {
	for i, s := range d.Sections {
		t := s.Table
		if t == nil {
			continue
		}
		where := fmt.Sprintf("render: form %q: Sections[%d] (%s)", formText(d.Title), i, formText(docxJoin(s.Number, s.Heading)))
		if err := checkRows(where, "the table has no headers", "table Rows", t.Headers, t.Rows); err != nil {
			return err
		}
		if len(t.Widths) == 0 {
			continue
		}
		if len(t.Widths) != len(t.Headers) {
			return fmt.Errorf("%s: the table has %d widths for %d headers", where, len(t.Widths), len(t.Headers))
		}
		for j, w := range t.Widths {
			if w <= 0 || w > formMaxWidth {
				return fmt.Errorf("%s: table Widths[%d] is %d, not in 1…%d", where, j, w, formMaxWidth)
			}
		}
	}
	return nil
}

// formMaxWidth bounds a relative column width, so that the shares cannot
// overflow.
const formMaxWidth = 1 << 20

// formSection prints a section: the heading with its number, then the
// content, or the Empty text in italics.
func (b *docxBuilder) formSection(s FormSection, above bool) {
	heading := formText(docxJoin(strings.TrimSpace(s.Number), strings.TrimSpace(s.Heading)))
	if heading != "" {
		st := docxPara{align: alignBoth, after: 120, keepNext: true, keepLines: true}
		if above {
			st.before = 240
		}
		b.para(st, docxSpan{text: heading, bold: true})
	}

	type line struct {
		text   string
		bullet bool
	}
	var lines []line
	for _, p := range formLines(s.Paragraphs) {
		lines = append(lines, line{text: p})
	}
	for _, it := range s.List {
		// An item is one paragraph; a line break inside stays a line
		// break, under the text of the item.
		if text := formText(it); text != "" {
			lines = append(lines, line{text: text, bullet: true})
		}
	}
	if len(lines) == 0 && s.Table == nil {
		if empty := formText(s.Empty); empty != "" {
			b.para(docxPara{align: alignBoth, firstLine: docxIndent}, docxSpan{text: empty, italic: true})
		}
		return
	}
	for i, ln := range lines {
		st := docxPara{align: alignBoth, firstLine: docxIndent}
		text := ln.text
		if ln.bullet {
			st = docxPara{align: alignBoth, left: docxIndent, hanging: docxIndent}
			text = "–\t" + text
		}
		if i == len(lines)-1 && s.Table != nil {
			st.after = 120
		}
		b.para(st, docxSpan{text: text})
	}
	if t := s.Table; t != nil {
		b.table(t.Headers, t.Rows, t.Widths)
	}
}

// formText is s cleaned and trimmed, with its line breaks.
func formText(s string) string {
	return strings.Join(docxLines(s), "\n")
}

// formLines splits the texts into paragraphs at "\n" and leaves out the
// blank ones.
func formLines(texts []string) []string {
	var out []string
	for _, t := range texts {
		for _, line := range docxLines(t) {
			if strings.TrimSpace(line) != "" {
				out = append(out, line)
			}
		}
	}
	return out
}
