package config

import "testing"

func TestBiyskPreset(t *testing.T) {
	c := Default()
	c.Telegram.Token = "1:x"
	c.Regulation.Preset = "biysk"
	c.Regulation.ReportDue = "12-25" // set by hand: stays
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	r := c.Regulation
	if r.SchoolYearStart != "01-01" || r.PlanDue != "01-20" || r.ReportDue != "12-25" || r.MinMembers != 0 || r.MinMeetings != 0 {
		t.Errorf("biysk preset: %+v", r)
	}
	c = Default()
	c.Telegram.Token = "1:x"
	c.Regulation.Preset = "omsk"
	if err := c.Validate(); err == nil {
		t.Error("an unknown preset was accepted")
	}
}

// TestParentConsultationsByPreset: Biysk's regulation (4.4) consults
// parents, so its associations take their requests from the start;
// Ivanovo's does not; either can be set by hand.
func TestParentConsultationsByPreset(t *testing.T) {
	for _, c := range []struct {
		preset, value string
		want          bool
		valid         bool
	}{
		{"ivanovo", "", false, true},
		{"biysk", "", true, true},
		{"biysk", "off", false, true},
		{"ivanovo", "on", true, true},
		{"biysk", "yes", false, false},
	} {
		cfg := Default()
		cfg.Telegram.Token = "1:x"
		cfg.Regulation.Preset, cfg.Regulation.ParentConsultations = c.preset, c.value
		err := cfg.Validate()
		if (err == nil) != c.valid {
			t.Errorf("%s/%q: valid %v, want %v (%v)", c.preset, c.value, err == nil, c.valid, err)
			continue
		}
		if got := cfg.Regulation.Profile().ParentsOn; c.valid && got != c.want {
			t.Errorf("%s/%q: parents on %v, want %v", c.preset, c.value, got, c.want)
		}
	}
}
