package render

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

// icsSample is a meeting as the bot exports it: 15:30–17:00 in Moscow.
func icsSample() ICSEvent {
	start := time.Date(2026, 12, 25, 15, 30, 0, 0, moscow)
	return ICSEvent{
		UID:      "event-42@mmobot",
		Sequence: 3,
		Start:    start,
		End:      start.Add(90 * time.Minute),
		Summary:  "Заседание ММО учителей математики: Функциональная грамотность, 5–9 классы; итоги",
		Description: "Повестка:\n1. Функциональная грамотность на уроках математики, опыт школ №5, №12.\n" +
			"2. Подготовка к ОГЭ; разбор заданий 20–25.\n3. Разное: C:\\папка\\файл.docx",
		Location:  "МБОУ СОШ №5, каб. 214; г. Екатеринбург, ул. Ленина, 1",
		URL:       "https://telemost.yandex.ru/j/12345678?pwd=a,b;c",
		Organizer: `Иванова Мария Петровна, руководитель ММО "Математика"`,
		Created:   time.Date(2026, 11, 22, 7, 5, 9, 123, time.UTC),
	}
}

func icsParse(t *testing.T, data []byte) (*ics.Calendar, *ics.VEvent) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse back: %v\n%s", err, data)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events, want 1\n%s", len(events), data)
	}
	return cal, events[0]
}

func icsProp(t *testing.T, ev *ics.VEvent, p ics.ComponentProperty) string {
	t.Helper()
	prop := ev.GetProperty(p)
	if prop == nil {
		t.Fatalf("no %s", p)
	}
	return prop.Value
}

// icsUnfold joins folded lines (RFC 5545 3.1).
func icsUnfold(data []byte) string {
	s := strings.ReplaceAll(string(data), "\r\n ", "")
	return strings.ReplaceAll(s, "\r\n\t", "")
}

func TestICSRoundTrip(t *testing.T) {
	e := icsSample()
	data, err := ICS(e)
	if err != nil {
		t.Fatal(err)
	}
	cal, ev := icsParse(t, data)

	calProps := map[string]string{}
	for _, p := range cal.CalendarProperties {
		calProps[p.IANAToken] = p.Value
	}
	for k, want := range map[string]string{"VERSION": "2.0", "PRODID": "-//mmobot//RU", "METHOD": "PUBLISH"} {
		if calProps[k] != want {
			t.Errorf("%s = %q, want %q", k, calProps[k], want)
		}
	}

	if ev.Id() != e.UID {
		t.Errorf("UID = %q, want %q", ev.Id(), e.UID)
	}
	if got := icsProp(t, ev, ics.ComponentPropertySequence); got != "3" {
		t.Errorf("SEQUENCE = %q, want 3", got)
	}
	start, err := ev.GetStartAt()
	if err != nil || !start.Equal(e.Start) {
		t.Errorf("DTSTART = %v, %v; want %v", start, err, e.Start)
	}
	end, err := ev.GetEndAt()
	if err != nil || !end.Equal(e.End) {
		t.Errorf("DTEND = %v, %v; want %v", end, err, e.End)
	}
	stamp, err := ev.GetDtStampTime()
	if err != nil || !stamp.Equal(e.Created.Truncate(time.Second)) {
		t.Errorf("DTSTAMP = %v, %v; want %v", stamp, err, e.Created)
	}
	for p, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertySummary:     e.Summary,
		ics.ComponentPropertyDescription: e.Description,
		ics.ComponentPropertyLocation:    e.Location,
		ics.ComponentPropertyUrl:         e.URL,
		ics.ComponentPropertyStatus:      "CONFIRMED",
	} {
		if got := icsProp(t, ev, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	org := ev.GetProperty(ics.ComponentPropertyOrganizer)
	if org == nil {
		t.Fatal("no ORGANIZER")
	}
	if cn := org.ICalParameters["CN"]; len(cn) != 1 || cn[0] != "Иванова Мария Петровна руководитель ММО ”Математика”" {
		t.Errorf("ORGANIZER CN = %q", cn)
	}
	if org.Value != "mailto:noreply@mmobot.invalid" {
		t.Errorf("ORGANIZER = %q", org.Value)
	}

	// The raw text: UTC times with Z, escaped texts.
	raw := icsUnfold(data)
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n",
		"\r\nMETHOD:PUBLISH\r\n",
		"\r\nBEGIN:VEVENT\r\n",
		"\r\nDTSTART:20261225T123000Z\r\n",
		"\r\nDTEND:20261225T140000Z\r\n",
		"\r\nDTSTAMP:20261122T070509Z\r\n",
		"\r\nSEQUENCE:3\r\n",
		"\r\nSUMMARY:Заседание ММО учителей математики: Функциональная грамотность\\, 5–9 классы\\; итоги\r\n",
		"\r\nDESCRIPTION:Повестка:\\n1. Функциональная грамотность",
		"\\n3. Разное: C:\\\\папка\\\\файл.docx\r\n",
		"\r\nLOCATION:МБОУ СОШ №5\\, каб. 214\\; г. Екатеринбург\\, ул. Ленина\\, 1\r\n",
		"\r\nURL:https://telemost.yandex.ru/j/12345678?pwd=a,b;c\r\n",
		"\r\nSTATUS:CONFIRMED\r\n",
		"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("output lacks %q:\n%s", want, raw)
		}
	}
}

func TestICSLines(t *testing.T) {
	e := icsSample()
	// Long lines of two-byte letters, so that folding has to split them.
	e.Description = strings.Repeat("Функциональная грамотность, читательская и математическая; ", 8) +
		"\n" + strings.Repeat("ж", 200) + "\n" + strings.Repeat("x", 200)
	e.Summary = strings.Repeat("Очень длинное название заседания ", 5)
	data, err := ICS(e)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Error("output does not end in CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n")
	folded := 0
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a character: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") {
			folded++
		}
	}
	if folded < 10 {
		t.Errorf("only %d continuation lines; folding not exercised", folded)
	}
	_, ev := icsParse(t, data)
	if got := icsProp(t, ev, ics.ComponentPropertyDescription); got != e.Description {
		t.Errorf("DESCRIPTION after folding = %q, want %q", got, e.Description)
	}
	if got, want := icsProp(t, ev, ics.ComponentPropertySummary), strings.TrimSpace(e.Summary); got != want {
		t.Errorf("SUMMARY after folding = %q, want %q", got, want)
	}
}

func TestICSCancelled(t *testing.T) {
	e := icsSample()
	e.Cancelled = true
	e.Sequence = 4
	data, err := ICS(e)
	if err != nil {
		t.Fatal(err)
	}
	_, ev := icsParse(t, data)
	if got := icsProp(t, ev, ics.ComponentPropertyStatus); got != "CANCELLED" {
		t.Errorf("STATUS = %q, want CANCELLED", got)
	}
	if got := icsProp(t, ev, ics.ComponentPropertySequence); got != "4" {
		t.Errorf("SEQUENCE = %q, want 4", got)
	}
	if ev.Id() != e.UID {
		t.Errorf("UID = %q, want %q", ev.Id(), e.UID)
	}
	if !strings.Contains(string(data), "\r\nSTATUS:CANCELLED\r\n") {
		t.Errorf("no STATUS:CANCELLED line:\n%s", data)
	}
}

func TestICSOptionalAndCleaned(t *testing.T) {
	start := time.Date(2026, 12, 25, 12, 30, 0, 0, time.UTC)
	e := ICSEvent{
		UID:         "event-7@mmobot",
		Start:       start,
		End:         start.Add(time.Hour),
		Summary:     "Семинар\r\nпо ФГОС",
		Description: "Строка 1\r\nСтрока 2\rСтрока 3\x00\x07\tконец",
		Created:     start.Add(-time.Hour),
	}
	data, err := ICS(e)
	if err != nil {
		t.Fatal(err)
	}
	_, ev := icsParse(t, data)
	for _, p := range []ics.ComponentProperty{ics.ComponentPropertyLocation, ics.ComponentPropertyUrl, ics.ComponentPropertyOrganizer} {
		if ev.GetProperty(p) != nil {
			t.Errorf("%s written for an empty field", p)
		}
	}
	if got := icsProp(t, ev, ics.ComponentPropertySummary); got != "Семинар по ФГОС" {
		t.Errorf("SUMMARY = %q", got)
	}
	if got := icsProp(t, ev, ics.ComponentPropertyDescription); got != "Строка 1\nСтрока 2\nСтрока 3\tконец" {
		t.Errorf("DESCRIPTION = %q", got)
	}
	if got := icsProp(t, ev, ics.ComponentPropertySequence); got != "0" {
		t.Errorf("SEQUENCE = %q, want 0", got)
	}
}

func TestICSErrors(t *testing.T) {
	// Each case breaks one field only, and the error must name that field:
	// a case that broke two could pass on the check of the other.
	tests := []struct {
		name   string
		change func(e *ICSEvent)
		want   string
	}{
		{"no uid", func(e *ICSEvent) { e.UID = " \n" }, "no UID"},
		{"no start", func(e *ICSEvent) { e.Start = time.Time{} }, "no start"},
		{"end = start", func(e *ICSEvent) { e.End = e.Start }, "is not after start"},
		{"end < start", func(e *ICSEvent) { e.End = e.Start.Add(-time.Minute) }, "is not after start"},
		{"no end", func(e *ICSEvent) { e.End = time.Time{} }, "is not after start"},
		{"negative seq", func(e *ICSEvent) { e.Sequence = -1 }, "negative sequence -1"},
		{"no created", func(e *ICSEvent) { e.Created = time.Time{} }, "no DTSTAMP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := icsSample()
			tt.change(&e)
			data, err := ICS(e)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ICS error = %v, want %q\n%s", err, tt.want, data)
			}
		})
	}
}
