package render

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gomutex/godocx"
	"github.com/gomutex/godocx/docx"
	"github.com/gomutex/godocx/packager"
	"github.com/gomutex/godocx/wml/ctypes"
	"github.com/gomutex/godocx/wml/stypes"
)

// Page and type of the .docx documents: A4 portrait, Times New Roman 14 pt
// (12 pt in tables), single line spacing, margins 20 mm and 30 mm on the
// left, the usual Russian office format (ГОСТ Р 7.0.97). Lengths are in
// twentieths of a point (twips): 1 mm ≈ 56.7.
const (
	docxFont         = "Times New Roman"
	docxBodySize     = 14 // points
	docxTableSize    = 12 // points
	docxPageWidth    = 11906
	docxPageHeight   = 16838
	docxMarginTop    = 1134 // 20 mm
	docxMarginBottom = 1134 // 20 mm
	docxMarginLeft   = 1701 // 30 mm
	docxMarginRight  = 1134 // 20 mm
	docxTextWidth    = docxPageWidth - docxMarginLeft - docxMarginRight
	docxIndent       = 709  // 12.5 mm: first-line indent, list hanging indent
	docxSignTab      = 2835 // 50 mm: where the places to sign start
)

type docxAlign = stypes.Justification

const (
	alignLeft   docxAlign = "" // the default: no w:jc
	alignCenter           = stypes.JustificationCenter
	alignRight            = stypes.JustificationRight
	alignBoth             = stypes.JustificationBoth
)

// docxPara is the layout of a paragraph. The zero value is a left-aligned
// paragraph in the body size with no spacing.
type docxPara struct {
	align         docxAlign
	before, after uint64 // spacing, twips
	left, hanging int    // indents, twips
	firstLine     int
	keepNext      bool // keep on the same page as the next paragraph
	keepLines     bool // do not split the paragraph between pages
	tabs          []docxTab
	size          uint64 // font size in points; 0 means docxBodySize
}

// docxTab is a tab stop, left-aligned unless right is set.
type docxTab struct {
	pos   int
	right bool
}

// docxSpan is a piece of text with one formatting. "\n" in the text is a
// line break and "\t" a tab.
type docxSpan struct {
	text         string
	bold, italic bool
	color        string // RRGGBB, "" for automatic
}

// docxBuilder writes a document with godocx, starting from its default
// template with the page, fonts and package metadata set for office papers.
type docxBuilder struct {
	root     *docx.RootDoc
	cyrillic bool // some text is Cyrillic: the document language is Russian
}

// docxTemplate is godocx's template without what dropTemplateParts and
// dropTemplateStyles remove and without its body, written once: reading
// the full template's 160 styles took three quarters of the time of every
// document.
var docxTemplate = sync.OnceValues(func() ([]byte, error) {
	root, err := godocx.NewDocument()
	if err != nil {
		return nil, err
	}
	b := &docxBuilder{root: root}
	b.dropTemplateParts()
	b.dropTemplateStyles()
	root.Document.Body.Children = nil
	var buf bytes.Buffer
	if err := root.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
})

func newDocxBuilder() (*docxBuilder, error) {
	tpl, err := docxTemplate()
	if err != nil {
		return nil, fmt.Errorf("render: docx template: %w", err)
	}
	tpl = bytes.Clone(tpl) // Unpack may keep slices of it in the parts it returns
	root, err := packager.Unpack(&tpl)
	if err != nil {
		return nil, fmt.Errorf("render: docx template: %w", err)
	}
	b := &docxBuilder{root: root}
	root.Document.Body.Children = nil
	width, height := uint64(docxPageWidth), uint64(docxPageHeight)
	root.Document.Body.SectPr = &ctypes.SectionProp{
		PageSize: &ctypes.PageSize{Width: &width, Height: &height, Orient: stypes.PageOrientPortrait},
		PageMargin: &ctypes.PageMargin{
			Top: docxPtr(docxMarginTop), Bottom: docxPtr(docxMarginBottom),
			Left: docxPtr(docxMarginLeft), Right: docxPtr(docxMarginRight),
			Header: docxPtr(709), Footer: docxPtr(709), Gutter: docxPtr(0),
		},
	}
	return b, nil
}

// dropTemplateParts removes what the template carries but these documents
// must not: the picture of the template's first page (file managers show it
// as the preview of the document) and the Word 2010 copy of the styles
// (stylesWithEffects.xml), which would keep the template's Calibri for the
// programs that read it.
func (b *docxBuilder) dropTemplateParts() {
	drop := map[string]bool{}
	keep := func(rels *docx.Relationships, base string) {
		var kept []*docx.Relationship
		for _, r := range rels.Relationships {
			if strings.HasSuffix(r.Type, "/thumbnail") || strings.HasSuffix(r.Type, "/stylesWithEffects") {
				drop[base+r.Target] = true
				continue
			}
			kept = append(kept, r)
		}
		rels.Relationships = kept
	}
	keep(&b.root.RootRels, "")
	keep(&b.root.Document.DocRels, "word/")
	for name := range drop {
		b.root.FileMap.Delete(name)
	}
	var overrides []docx.Override
	for _, o := range b.root.ContentType.Override {
		if !drop[strings.TrimPrefix(o.PartName, "/")] {
			overrides = append(overrides, o)
		}
	}
	b.root.ContentType.Override = overrides
}

// dropTemplateStyles keeps only the default styles of the template (Normal
// and the defaults for characters, tables and lists). The documents set
// their formatting directly, and the template's 160 styles in Calibri and
// Cambria would make up most of every file and of the time to write it.
func (b *docxBuilder) dropTemplateStyles() {
	st := b.root.DocStyles
	if st == nil {
		return
	}
	var kept []ctypes.Style
	for _, s := range st.StyleList {
		if s.Default != nil && (*s.Default == stypes.OnOffTrue || *s.Default == stypes.OnOffOne || *s.Default == stypes.OnOffOn) {
			kept = append(kept, s)
		}
	}
	st.StyleList = kept
}

// runProps returns the properties of a run of sp in the given size.
func runProps(sp docxSpan, size uint64) *ctypes.RunProperty {
	p := &ctypes.RunProperty{
		Fonts:  &ctypes.RunFonts{Ascii: docxFont, HAnsi: docxFont, CS: docxFont, EastAsia: docxFont},
		Size:   ctypes.NewFontSize(size * 2),
		SizeCs: ctypes.NewFontSizeCS(size * 2),
	}
	if sp.bold {
		p.Bold, p.BoldCS = docxOn(), docxOn()
	}
	if sp.italic {
		p.Italic, p.ItalicCS = docxOn(), docxOn()
	}
	if sp.color != "" {
		p.Color = ctypes.NewColor(sp.color)
	}
	return p
}

// fill sets the layout of p and appends the spans as runs.
func (b *docxBuilder) fill(p *ctypes.Paragraph, st docxPara, spans []docxSpan) {
	size := st.size
	if size == 0 {
		size = docxBodySize
	}
	line := 240
	rule := stypes.LineSpacingRuleAuto
	pp := &ctypes.ParagraphProp{
		Spacing: &ctypes.Spacing{Before: &st.before, After: &st.after, Line: &line, LineRule: &rule},
		// The paragraph mark has the size of the text, so that an empty
		// paragraph or a line ending in a break is as high as the others.
		RunProperty: runProps(docxSpan{}, size),
	}
	if st.align != alignLeft {
		pp.Justification = ctypes.NewGenSingleStrVal(st.align)
	}
	if st.left != 0 || st.hanging != 0 || st.firstLine != 0 {
		ind := &ctypes.Indent{Left: docxPtr(st.left)}
		if st.hanging > 0 {
			ind.Hanging = docxPtr(uint64(st.hanging))
		}
		if st.firstLine > 0 {
			ind.FirstLine = docxPtr(uint64(st.firstLine))
		}
		pp.Indent = ind
	}
	if st.keepNext {
		pp.KeepNext = docxOn()
	}
	if st.keepLines {
		pp.KeepLines = docxOn()
	}
	for _, t := range st.tabs {
		val := stypes.CustTabStopLeft
		if t.right {
			val = stypes.CustTabStopRight
		}
		pp.Tabs.Tab = append(pp.Tabs.Tab, ctypes.Tab{Val: val, Position: t.pos})
	}
	p.Property = pp

	for _, sp := range spans {
		text := clean(sp.text)
		if text == "" {
			continue
		}
		b.cyrillic = b.cyrillic || strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) })
		run := &ctypes.Run{Property: runProps(sp, size)}
		for i, line := range strings.Split(text, "\n") {
			if i > 0 {
				run.Children = append(run.Children, ctypes.RunChild{Break: &ctypes.Break{}})
			}
			for j, piece := range strings.Split(line, "\t") {
				if j > 0 {
					run.Children = append(run.Children, ctypes.RunChild{Tab: &ctypes.Empty{}})
				}
				if piece != "" {
					preserve := ctypes.TextSpacePreserve
					run.Children = append(run.Children, ctypes.RunChild{Text: &ctypes.Text{Text: piece, Space: &preserve}})
				}
			}
		}
		p.Children = append(p.Children, ctypes.ParagraphChild{Run: run})
	}
}

// para appends a paragraph to the body.
func (b *docxBuilder) para(st docxPara, spans ...docxSpan) {
	b.fill(b.root.AddEmptyParagraph().GetCT(), st, spans)
}

// numbered appends one paragraph per item, "1.<tab>item", with a hanging
// indent so that wrapped lines start under the text, not under the number.
func (b *docxBuilder) numbered(items []string, st docxPara) {
	st.left, st.hanging = docxIndent, docxIndent
	for i, it := range items {
		b.para(st, docxSpan{text: fmt.Sprintf("%d.\t%s", i+1, strings.TrimSpace(clean(it)))})
	}
}

// table appends a table with single borders, a bold header row repeated on
// every page and rows in the table font size. Rows shorter than the header
// are padded with empty cells. The text width is shared between the
// columns in proportion to rel (one positive number per header) or, when
// rel is empty, by docxColumnWidths from the texts.
func (b *docxBuilder) table(headers []string, rows [][]string, rel []int) {
	var widths []int
	if len(rel) > 0 {
		widths = docxRelativeWidths(rel)
	} else {
		widths = docxColumnWidths(headers, rows)
	}
	t := b.root.AddTable()
	t.Width(docxTextWidth, stypes.TableWidthDxa).Layout(stypes.TableLayoutFixed)
	for _, w := range widths {
		t.Grid(uint64(w))
	}
	border := func() *ctypes.Border { return ctypes.NewCellBorder(stypes.BorderStyleSingle, "auto", "0", 4) }
	ct := t.GetCT()
	ct.TableProp.Borders = &ctypes.TableBorders{
		Top: border(), Left: border(), Bottom: border(), Right: border(),
		InsideH: border(), InsideV: border(),
	}

	addRow := func(cells []string, header bool) {
		row := t.AddRow()
		props := ct.RowContents[len(ct.RowContents)-1].Row.Property
		props.CantSplit = docxOn()
		if header {
			props.Header = docxOn()
		}
		for i, w := range widths {
			text := ""
			if i < len(cells) {
				text = cells[i]
			}
			cell := row.AddCell().Width(w, stypes.TableWidthDxa).BackgroundColor("auto")
			st := docxPara{size: docxTableSize}
			if header {
				cell.VerticalAlign("center")
				st.align = alignCenter
			}
			b.fill(cell.AddEmptyPara().GetCT(), st, []docxSpan{{text: strings.TrimSpace(clean(text)), bold: header}})
		}
	}
	addRow(headers, true)
	for _, r := range rows {
		addRow(r, false)
	}
}

// docxRelativeWidths shares docxTextWidth between the columns in proportion
// to rel, which is not empty and holds positive numbers (FormDoc.check
// bounds them, so that the products cannot overflow).
func docxRelativeWidths(rel []int) []int {
	sum := 0
	for _, w := range rel {
		sum += w
	}
	widths := make([]int, len(rel))
	used := 0
	for i, w := range rel {
		widths[i] = w * docxTextWidth / sum
		used += widths[i]
	}
	widths[len(widths)-1] += docxTextWidth - used // rounding
	return widths
}

// Estimates for column widths in table text (12 pt Times New Roman): the
// width of a character, on the wide side for bold and capital Cyrillic
// letters, and the left and right cell margins plus a little air.
const (
	docxCharWidth = 130 // twips
	docxCellPad   = 2*108 + 40
)

// docxColumnWidths shares docxTextWidth between the columns. Each column
// gets the width of its longest word, so that words are not broken inside;
// what is left goes to the columns whose longest line does not fit yet, in
// proportion to what they miss, and once all lines fit, in proportion to
// the widths. When even the words do not fit, the widths are scaled down.
func docxColumnWidths(headers []string, rows [][]string) []int {
	n := len(headers)
	minW, maxW := make([]int, n), make([]int, n)
	for c := range n {
		texts := []string{headers[c]}
		for _, r := range rows {
			if c < len(r) {
				texts = append(texts, r[c])
			}
		}
		word, line := 1, 1
		for _, t := range texts {
			for l := range strings.SplitSeq(clean(t), "\n") {
				line = max(line, utf8.RuneCountInString(strings.TrimSpace(l)))
				for _, w := range strings.Fields(l) {
					word = max(word, utf8.RuneCountInString(w))
				}
			}
		}
		minW[c] = word*docxCharWidth + docxCellPad
		maxW[c] = line*docxCharWidth + docxCellPad
	}
	widths := make([]int, n)
	sumMin, sumMax, want := 0, 0, 0
	for c := range n {
		sumMin += minW[c]
		sumMax += maxW[c]
		want += maxW[c] - minW[c]
	}
	extra := docxTextWidth - sumMin
	for c := range n {
		switch {
		case extra <= 0:
			widths[c] = minW[c] * docxTextWidth / sumMin
		case want > extra:
			widths[c] = minW[c] + (maxW[c]-minW[c])*extra/want
		default:
			widths[c] = maxW[c] * docxTextWidth / sumMax
		}
	}
	used := 0
	for _, w := range widths {
		used += w
	}
	widths[n-1] += docxTextWidth - used // rounding
	return widths
}

// bytes finishes the document (language, metadata, a paragraph after a
// final table) and writes it.
func (b *docxBuilder) bytes(title string) ([]byte, error) {
	children := b.root.Document.Body.Children
	if len(children) == 0 || children[len(children)-1].Table != nil {
		b.para(docxPara{})
	}
	lang := "en-US"
	if b.cyrillic {
		lang = "ru-RU"
	}
	b.root.DocStyles.DocDefaults = &ctypes.DocDefault{
		RunProp: &ctypes.RunPropDefault{RunProp: &ctypes.RunProperty{
			Fonts:  &ctypes.RunFonts{Ascii: docxFont, HAnsi: docxFont, CS: docxFont, EastAsia: docxFont},
			Size:   ctypes.NewFontSize(docxBodySize * 2),
			SizeCs: ctypes.NewFontSizeCS(docxBodySize * 2),
			Lang:   &ctypes.Lang{Val: &lang, EastAsia: &lang, Bidi: docxPtr("ar-SA")},
		}},
		ParaProp: &ctypes.ParaPropDefault{ParaProp: &ctypes.ParagraphProp{
			Spacing: &ctypes.Spacing{After: docxPtr(uint64(0)), Line: docxPtr(240), LineRule: docxPtr(stypes.LineSpacingRuleAuto)},
		}},
	}
	b.root.FileMap.Store("docProps/core.xml", docxCoreProps(title))

	var buf bytes.Buffer
	if err := b.root.Write(&buf); err != nil {
		return nil, fmt.Errorf("render: write docx: %w", err)
	}
	// The template's app.xml says «Microsoft Macintosh Word».
	return WithProperties(buf.Bytes(), Properties{})
}

// docxCoreProps is the core properties part with the document title and
// nothing else (the template's says it was made by godocx in 2013).
func docxCoreProps(title string) []byte {
	var t strings.Builder
	_ = xml.EscapeText(&t, []byte(strings.Join(strings.Fields(clean(title)), " ")))
	return []byte(xml.Header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"` +
		` xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + t.String() + `</dc:title></cp:coreProperties>`)
}

func docxOn() *ctypes.OnOff { return &ctypes.OnOff{} }

func docxPtr[T any](v T) *T { return &v }
