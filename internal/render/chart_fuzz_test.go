package render

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

// FuzzBarCharts feeds survey answers' labels and counts as users type
// them: the chart is always a PNG that decodes, never a panic; a chart
// with labels and counts that do not pair is refused.
func FuzzBarCharts(f *testing.F) {
	f.Add("Какие затруднения вы испытываете?", "Работа с одарёнными детьми\nФГОС\n", 3, 0)
	f.Add("", "", 0, 0)
	f.Add("\u202eперевёрнуто", "a\x00b\n\u200f\n"+strings.Repeat("длинный вариант ответа ", 20), -5, 1<<30)
	f.Add("Оценка 1–5", "1\n2\n3\n4\n5", 7, 2)
	f.Fuzz(func(t *testing.T, title, labels string, first, second int) {
		ls := strings.Split(labels, "\n")
		if len(ls) > 30 {
			ls = ls[:30]
		}
		counts := make([]int, len(ls))
		for i := range counts {
			counts[i] = first + i*second
		}
		data, err := BarCharts(Bars{Title: title, Labels: ls, Counts: counts})
		if err != nil {
			return // refused cleanly
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			t.Fatalf("the chart is not a PNG: %v", err)
		}
		if _, err := BarCharts(Bars{Title: title, Labels: ls, Counts: counts[:len(counts)-1]}); err == nil {
			t.Fatal("labels without their counts are drawn")
		}
	})
}
