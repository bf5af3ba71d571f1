package render

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// MinutesDoc is the minutes (протокол) of a meeting, on the form of school
// documents. All texts are printed as given; Heard and Decided may hold
// several paragraphs separated by "\n".
type MinutesDoc struct {
	Labels MinutesLabels
	// Org is the organisation, centered and bold at the top, e.g.
	// "Муниципальное методическое объединение учителей математики".
	Org string
	// Title is centered and bold, e.g. "ПРОТОКОЛ № 2".
	Title string
	// Subtitle is centered under the title, e.g. "заседания ММО учителей
	// математики".
	Subtitle string
	// Date is printed on the left ("25.12.2026") and City, when set, on the
	// right of the same line.
	Date string
	City string
	// Chair is the chairperson (председатель), printed after Labels.Chair
	// and in the signature line.
	Chair string
	// Secretary may be empty: then neither the secretary line nor the
	// secretary's signature line is printed.
	Secretary string
	// Present and Absent are the counts. The printed count is Present (or
	// Absent) when positive, otherwise the length of the list.
	Present int
	Absent  int
	// PresentList and AbsentList are names, printed as numbered lists
	// under "Присутствовали (12):" and "Отсутствовали (1):". The absent
	// block is left out when there is no one absent.
	PresentList []string
	AbsentList  []string
	// Topic, when set, is the meeting's topic, printed as «Тема: …»
	// (Labels.Topic) above the agenda.
	Topic string
	// Agenda is printed as a numbered list under Labels.Agenda.
	Agenda []string
	// Items are the agenda items' records, numbered like the agenda.
	Items []MinutesItem
	// OrgLines, when set, are printed centered at the very top, above Org:
	// the organisation and the city of a centre's protocol.
	OrgLines []string
	// Details are the lines under the date: time, place, form.
	Details []string
	// PresentHeading and AbsentHeading, when set, replace the label and
	// count of the attendance blocks: "Присутствовали: 8 чел. из 11".
	PresentHeading string
	AbsentHeading  string
	// Guests, under GuestsHeading, are the invited, numbered.
	GuestsHeading string
	Guests        []string
	// ChairSign and SecretarySign, when set, are the names on the
	// signature lines ("Е. В. Смирнова"), which Chair and Secretary are
	// otherwise.
	ChairSign     string
	SecretarySign string
	// Draft prints Labels.DraftMark above everything.
	Draft bool
	// Version, when greater than 1, prints fmt.Sprintf(Labels.Version,
	// Version) above the header, e.g. "Редакция 2".
	Version int
}

// MinutesItem is the record of one agenda item. Empty parts are left out.
type MinutesItem struct {
	// Heard is who reported and on what: "Иванову М. П. — об итогах
	// олимпиады".
	Heard string
	// Spoke are the speakers, each "Петров П. П.: …", one paragraph each.
	Spoke []string
	// Decided is the decision text.
	Decided string
	// Votes, when set, prints fmt.Sprintf(Labels.Votes, For, Against,
	// Abstained) after the decision.
	Votes *Votes
}

// Votes is the result of a vote.
type Votes struct{ For, Against, Abstained int }

// MinutesLabels are the localized headings of the minutes.
//
// Chair, Secretary, Present, Absent, Agenda, Heard, Spoke and Decided are
// printed followed by a colon (a trailing colon in the label is not
// doubled). Version and Votes are fmt patterns (one %d, and three %d for
// for, against and abstained); a pattern that does not take its numbers is
// reported as an error rather than printed garbled. DraftMark, SignChair and
// SignSecretary are printed as they are; an empty SignChair or
// SignSecretary falls back to Chair or Secretary.
type MinutesLabels struct {
	DraftMark     string // "ЧЕРНОВИК"
	Version       string // "Редакция %d"
	Chair         string // "Председатель"
	Secretary     string // "Секретарь"
	Present       string // "Присутствовали"
	Absent        string // "Отсутствовали"
	Agenda        string // "ПОВЕСТКА ДНЯ"
	Topic         string // "Тема"
	Heard         string // "СЛУШАЛИ"
	Spoke         string // "ВЫСТУПИЛИ"
	Decided       string // "РЕШИЛИ"
	Votes         string // "Голосовали: за — %d, против — %d, воздержались — %d"
	SignChair     string // "Председатель"
	SignSecretary string // "Секретарь"
}

// signLine is what a signature line holds after the label and a tab: the
// place to sign and the name.
const signLine = "______________"

// Minutes renders the minutes as a .docx: the draft and version marks, the
// header (organisation, title, subtitle, date and city), the chair and the
// secretary, attendance (counts and numbered lists), the numbered agenda,
// then for each item a block "1. СЛУШАЛИ: … / ВЫСТУПИЛИ: … / РЕШИЛИ: … /
// Голосовали: …", and at the end the signature lines
// "Председатель<tab>______________ /Иванова М. П./" and the same for the
// secretary (only if Secretary is set).
func Minutes(m MinutesDoc) ([]byte, error) {
	l := m.Labels
	var version string
	if m.Version > 1 {
		var err error
		if version, err = docxSprintf("Version", l.Version, m.Version); err != nil {
			return nil, err
		}
	}
	var votes []string
	for _, it := range m.Items {
		s := ""
		if it.Votes != nil {
			var err error
			s, err = docxSprintf("Votes", l.Votes, it.Votes.For, it.Votes.Against, it.Votes.Abstained)
			if err != nil {
				return nil, err
			}
		}
		votes = append(votes, s)
	}

	b, err := newDocxBuilder()
	if err != nil {
		return nil, err
	}
	center := docxPara{align: alignCenter}
	if m.Draft {
		b.para(docxPara{align: alignCenter, after: 120}, docxSpan{text: l.DraftMark, bold: true, color: "C00000"})
	}
	if version != "" {
		b.para(docxPara{align: alignRight, after: 120}, docxSpan{text: version, italic: true})
	}
	for i, line := range m.OrgLines {
		st := docxPara{align: alignCenter}
		if i == len(m.OrgLines)-1 && m.Org == "" {
			st.after = 240
		}
		b.para(st, docxSpan{text: line})
	}
	if m.Org != "" {
		b.para(docxPara{align: alignCenter, after: 240}, docxSpan{text: m.Org, bold: true})
	}
	if m.Title != "" {
		b.para(docxPara{align: alignCenter, before: 120, keepNext: true}, docxSpan{text: m.Title, bold: true})
	}
	if m.Subtitle != "" {
		b.para(center, docxSpan{text: m.Subtitle})
	}
	if m.Date != "" || m.City != "" {
		spans := []docxSpan{{text: m.Date}}
		if m.City != "" {
			spans = append(spans, docxSpan{text: "\t" + m.City})
		}
		after := uint64(240)
		if len(m.Details) > 0 {
			after = 0
		}
		b.para(docxPara{before: 240, after: after, tabs: []docxTab{{pos: docxTextWidth, right: true}}}, spans...)
	}
	for i, line := range m.Details {
		st := docxPara{}
		if i == len(m.Details)-1 {
			st.after = 240
		}
		b.para(st, docxSpan{text: line})
	}

	if m.Chair != "" {
		b.para(docxPara{}, docxSpan{text: docxJoin(docxLabel(l.Chair), m.Chair)})
	}
	if m.Secretary != "" {
		b.para(docxPara{}, docxSpan{text: docxJoin(docxLabel(l.Secretary), m.Secretary)})
	}
	if m.PresentHeading != "" {
		b.headedList(m.PresentHeading, m.PresentList)
	} else {
		b.attendance(l.Present, m.Present, m.PresentList)
	}
	if m.AbsentHeading != "" {
		b.headedList(m.AbsentHeading, m.AbsentList)
	} else {
		b.attendance(l.Absent, m.Absent, m.AbsentList)
	}
	if len(m.Guests) > 0 {
		b.headedList(m.GuestsHeading, m.Guests)
	}

	if m.Topic != "" {
		b.para(docxPara{before: 240, keepNext: true}, docxSpan{text: docxLabel(l.Topic), bold: true},
			docxSpan{text: " " + m.Topic})
	}
	if len(m.Agenda) > 0 {
		b.para(docxPara{align: alignCenter, before: 240, after: 120, keepNext: true},
			docxSpan{text: docxLabel(l.Agenda), bold: true})
		b.numbered(m.Agenda, docxPara{})
	}

	for i, it := range m.Items {
		b.item(i+1, l, it, votes[i])
	}

	b.signatures([][2]string{
		{cmp.Or(l.SignChair, l.Chair), cmp.Or(m.ChairSign, m.Chair)},
		{cmp.Or(l.SignSecretary, l.Secretary), cmp.Or(m.SecretarySign, m.Secretary)},
	}, m.Secretary != "")

	return b.bytes(cmp.Or(strings.TrimSpace(m.Title+" "+m.Subtitle), m.Org))
}

// attendance prints "Присутствовали (3):" and the numbered names, or
// "Присутствовали: 3" without names. Nothing is printed when both the count
// and the list are empty.
func (b *docxBuilder) attendance(label string, n int, names []string) {
	if n <= 0 {
		n = len(names)
	}
	if n <= 0 {
		return
	}
	if len(names) == 0 {
		b.para(docxPara{before: 120}, docxSpan{text: docxJoin(docxLabel(label), strconv.Itoa(n))})
		return
	}
	label = strings.TrimSuffix(docxLabel(label), ":")
	b.para(docxPara{before: 120, keepNext: true}, docxSpan{text: docxJoin(label, "("+strconv.Itoa(n)+"):")})
	b.numbered(names, docxPara{})
}

// headedList prints a heading as given and the numbered names under it;
// nothing when the heading is empty.
func (b *docxBuilder) headedList(heading string, names []string) {
	if heading == "" {
		return
	}
	b.para(docxPara{before: 120, keepNext: len(names) > 0}, docxSpan{text: heading})
	if len(names) > 0 {
		b.numbered(names, docxPara{})
	}
}

// item prints the record of agenda item n. The number goes before the
// first part that is there, which also gets more space above.
func (b *docxBuilder) item(n int, l MinutesLabels, it MinutesItem, votes string) {
	first := true
	part := func(label string, lines []string, before uint64) {
		if len(lines) == 0 {
			return
		}
		s := docxLabel(label)
		if first {
			s = docxJoin(strconv.Itoa(n)+".", s)
			before = 240
			first = false
		}
		var spans []docxSpan
		if s != "" {
			spans = []docxSpan{{text: s, bold: true}}
		}
		b.block(spans, lines, before)
	}
	part(l.Heard, docxLines(it.Heard), 0)
	var spoke []string
	for _, s := range it.Spoke {
		spoke = append(spoke, docxLines(s)...)
	}
	part(l.Spoke, spoke, 120)
	part(l.Decided, docxLines(it.Decided), 120)
	if votes != "" {
		if first { // nothing but the vote
			part("", []string{votes}, 0)
		} else {
			b.para(docxPara{align: alignBoth, before: 60}, docxSpan{text: votes})
		}
	}
}

// block prints the label and the first line in one justified paragraph, and
// the other lines as paragraphs of their own with a first-line indent.
func (b *docxBuilder) block(label []docxSpan, lines []string, before uint64) {
	text := lines[0]
	if len(label) > 0 {
		text = " " + text
	}
	spans := append(label, docxSpan{text: text})
	b.para(docxPara{align: alignBoth, before: before}, spans...)
	for _, line := range lines[1:] {
		b.para(docxPara{align: alignBoth, firstLine: docxIndent}, docxSpan{text: line})
	}
}

// signatures prints the signature lines, "label<tab>______________ /name/";
// the second one only when withSecond is set. All lines share one tab stop so
// that the places to sign are one under the other.
func (b *docxBuilder) signatures(lines [][2]string, withSecond bool) {
	if !withSecond {
		lines = lines[:1]
	}
	for i, ln := range lines {
		text := ln[0] + "\t" + signLine
		if ln[1] != "" {
			text += " /" + ln[1] + "/"
		}
		st := docxPara{before: 240, tabs: []docxTab{{pos: docxSignTab}}, keepLines: true}
		if i == 0 {
			st.before = 600
		}
		if i < len(lines)-1 {
			st.keepNext = true
		}
		b.para(st, docxSpan{text: text})
	}
}

// RecordDoc is a participation record (справка): a title block, a table and
// the lines after it.
type RecordDoc struct {
	// Header holds centered lines above the title: the issuing
	// organisation and its city.
	Header []string
	// Title is centered and bold: "Справка об участии в работе методических
	// объединений".
	Title string
	// Lines are the paragraphs under the title: "Выдана: Иванова Мария
	// Петровна, учитель математики, МБОУ СОШ № 5", the period, etc.
	Lines []string
	// Headers is the table header ("№", "Дата", "Объединение", "Форма",
	// "Тема"): bold, repeated at the top of every page. It must not be empty:
	// it defines the table width.
	Headers []string
	// Rows are the table rows. A row may be shorter than Headers (the missing
	// cells are empty) but not longer.
	Rows [][]string
	// Footer holds the paragraphs after the table ("Всего: 7 мероприятий",
	// "Сформировано …").
	Footer []string
	// Sections follow the footer: a bold heading, then numbered items
	// (e.g. the teacher's own entries in the association's registers).
	// A section without items is left out.
	Sections []RecordSection
	// Closing holds the paragraphs after the sections ("Справка выдана
	// для представления по месту требования.").
	Closing []string
	// Sign holds the signature lines at the end, "Директор МБУ МЦ\t
	// ____________ /И. О. Фамилия/": the tab goes to the stop the
	// minutes' signature lines use.
	Sign []string
}

// RecordSection is a headed, numbered list of a record.
type RecordSection struct {
	Heading string
	Items   []string
}

// Record renders a participation record as a .docx. The table takes the
// width of the text; each column is at least as wide as its longest word and
// the rest is shared according to the length of the texts.
func Record(d RecordDoc) ([]byte, error) {
	if err := checkRows(fmt.Sprintf("render: record %q", d.Title), "no headers", "Rows", d.Headers, d.Rows); err != nil {
		return nil, err
	}
	b, err := newDocxBuilder()
	if err != nil {
		return nil, err
	}
	for i, line := range d.Header {
		st := docxPara{align: alignCenter}
		if i == len(d.Header)-1 {
			st.after = 240
		}
		b.para(st, docxSpan{text: line})
	}
	if d.Title != "" {
		b.para(docxPara{align: alignCenter, after: 240, keepNext: true}, docxSpan{text: d.Title, bold: true})
	}
	for i, line := range d.Lines {
		st := docxPara{align: alignBoth}
		if i == len(d.Lines)-1 {
			st.after = 240
		}
		b.para(st, docxSpan{text: line})
	}
	b.table(d.Headers, d.Rows, nil)
	for i, line := range d.Footer {
		st := docxPara{align: alignBoth}
		if i == 0 {
			st.before = 240
		}
		b.para(st, docxSpan{text: line})
	}
	for _, sec := range d.Sections {
		if len(sec.Items) == 0 {
			continue
		}
		b.para(docxPara{before: 240, after: 120, keepNext: true}, docxSpan{text: sec.Heading, bold: true})
		b.numbered(sec.Items, docxPara{align: alignBoth})
	}
	for i, line := range d.Closing {
		st := docxPara{align: alignBoth}
		if i == 0 {
			st.before = 240
		}
		b.para(st, docxSpan{text: line})
	}
	for i, line := range d.Sign {
		st := docxPara{before: 120, keepLines: true, keepNext: i < len(d.Sign)-1, tabs: []docxTab{{pos: docxSignTab + docxIndent*2}}}
		if i == 0 {
			st.before = 600
		}
		b.para(st, docxSpan{text: line})
	}
	return b.bytes(d.Title)
}

// docxLabel is label followed by a colon, or "" for an empty label.
func docxLabel(label string) string {
	label = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(label), ":"))
	if label == "" {
		return ""
	}
	return label + ":"
}

// docxJoin joins the non-empty strings with spaces.
func docxJoin(ss ...string) string {
	var parts []string
	for _, s := range ss {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// docxLines splits a text into its non-blank-edged lines: the text is
// cleaned and trimmed, inner empty lines are kept (they separate paragraphs).
func docxLines(s string) []string {
	s = strings.TrimSpace(clean(s))
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		lines[i] = strings.TrimRight(line, " \t")
	}
	return lines
}

// docxSprintf formats a label pattern and reports a pattern that does not
// match its arguments (fmt would print "%!d(MISSING)" into the document).
func docxSprintf(name, pattern string, args ...any) (string, error) {
	s := fmt.Sprintf(pattern, args...)
	if strings.Contains(s, "%!") {
		return "", fmt.Errorf("render: minutes: Labels.%s %q does not take %d numbers", name, pattern, len(args))
	}
	return s, nil
}
