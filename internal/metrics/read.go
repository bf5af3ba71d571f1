package metrics

import (
	"fmt"
	"io"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Figures are metrics read back from Prometheus's text format: what
// `mmobot status` shows, and what tests compare with what happened.
type Figures map[string]*dto.MetricFamily

// Read parses the text format, as served by Metrics.Handler.
func Read(r io.Reader) (Figures, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	return Figures(fams), nil
}

// Has reports whether the metric is present at all.
func (f Figures) Has(name string) bool { return f[name] != nil }

// Value is the sum of the counters or gauges named name whose labels
// include the given name/value pairs; for a histogram, of its sample
// counts. Absent metrics count 0.
func (f Figures) Value(name string, labels ...string) float64 {
	var sum float64
	f.each(name, labels, func(m *dto.Metric) {
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Untyped != nil:
			sum += m.Untyped.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	})
	return sum
}

// Sum is the sum of the observations of the histograms named name whose
// labels include the given pairs.
func (f Figures) Sum(name string, labels ...string) float64 {
	var sum float64
	f.each(name, labels, func(m *dto.Metric) {
		if m.Histogram != nil {
			sum += m.Histogram.GetSampleSum()
		}
	})
	return sum
}

// Label returns the value of a label of the first metric named name, ""
// if there is none: the version of mmobot_build_info, say.
func (f Figures) Label(name, label string) string {
	fam := f[name]
	if fam == nil || len(fam.Metric) == 0 {
		return ""
	}
	for _, l := range fam.Metric[0].Label {
		if l.GetName() == label {
			return l.GetValue()
		}
	}
	return ""
}

// ByLabel sums the metrics named name by the value of one label.
func (f Figures) ByLabel(name, label string) map[string]float64 {
	out := map[string]float64{}
	f.each(name, nil, func(m *dto.Metric) {
		for _, l := range m.Label {
			if l.GetName() == label {
				v := 0.0
				switch {
				case m.Counter != nil:
					v = m.Counter.GetValue()
				case m.Gauge != nil:
					v = m.Gauge.GetValue()
				}
				out[l.GetValue()] += v
			}
		}
	})
	return out
}

func (f Figures) each(name string, labels []string, fn func(*dto.Metric)) {
	fam := f[name]
	if fam == nil {
		return
	}
next:
	for _, m := range fam.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
					break
				}
			}
			if !found {
				continue next
			}
		}
		fn(m)
	}
}
