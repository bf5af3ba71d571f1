package render

import (
	"bytes"
	"image/png"
	"testing"

	"gonum.org/v1/plot/font"
)

func TestBarCharts(t *testing.T) {
	data, err := BarCharts(
		Bars{Title: "Какие затруднения вы испытываете?", Labels: []string{"ФГОС", "Цифровые инструменты", "Работа с родителями"}, Counts: []int{3, 0, 1}},
		Bars{Title: "Оценка 1–5", Labels: []string{"1", "2", "3", "4", "5"}, Counts: []int{0, 0, 1, 2, 5}},
	)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < b.Dx()/2 {
		t.Errorf("picture %v: too small for two charts", b)
	}
	if _, err := BarCharts(); err == nil {
		t.Error("no charts: no error")
	}
	if _, err := BarCharts(Bars{Title: "x", Labels: []string{"a"}, Counts: []int{1, 2}}); err == nil {
		t.Error("labels and counts of different lengths: no error")
	}
}

// The chart font must draw Cyrillic: a face without the glyphs would
// draw boxes in place of every Russian label.
func TestChartFontCyrillic(t *testing.T) {
	face := font.DefaultCache.Lookup(ChartFont, 12)
	if face.Face == nil {
		t.Fatal("no chart font")
	}
	if face.Font.Variant != "Sans" {
		t.Errorf("font %v, want Liberation Sans", face.Font)
	}
	for _, r := range "АБВЖЩЯабвжщяЁё–…" {
		if i, err := face.Face.GlyphIndex(nil, r); err != nil || i == 0 {
			t.Errorf("no glyph for %q", r)
		}
	}
}
