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
