package seed

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

func testRegulation() mmo.Regulation {
	return mmo.Regulation{YearStart: mmo.MonthDay{Month: time.September, Day: 1}, PlanDue: mmo.MonthDay{Month: time.September, Day: 15},
		ReportDue: mmo.MonthDay{Month: time.June, Day: 20}, MinMeetings: 3, MinMembers: 10, RetentionYears: 3}
}

// TestBuildWritesWhatItCounts: a small region written through the store's
// API holds what the stats say, with every index in agreement, and a
// second seed into the same file is refused.
func TestBuildWritesWhatItCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.db")
	db, clk, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	cfg := Config{Users: 120, Associations: 4, Members: 10, Big: 40, Years: 2, EventsPerYear: 4, Consultations: 30,
		Now: now, Location: time.UTC, Regulation: testRegulation(), Seed: 9}
	st, err := Build(db, clk, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Associations != 5 || st.Memberships != 4*10+40 || st.Events != 5*2*4 || st.Consultations != 30 || len(st.YearSize) != 2 {
		t.Errorf("stats %+v", st)
	}
	if st.YearSize[1] < st.YearSize[0] {
		t.Errorf("the store shrank: %v", st.YearSize)
	}
	err = db.View(func(tx *boltdb.Tx) error {
		if err := tx.CheckIndexes(); err != nil {
			return err
		}
		events, answers, marks := 0, 0, 0
		if err := tx.Events(func(e *mmo.Event) bool {
			events++
			rs, _ := tx.RSVPs(e)
			answers += len(rs)
			as, _ := tx.EventAttendance(e.ID)
			marks += len(as)
			return true
		}); err != nil {
			return err
		}
		if events != st.Events || answers != st.Answers || marks != st.Attendance {
			t.Errorf("the store holds %d events, %d answers, %d marks; the stats say %d, %d, %d",
				events, answers, marks, st.Events, st.Answers, st.Attendance)
		}
		// The store stamped the broadcasts with the simulated time.
		from := now.AddDate(-3, 0, 0)
		bs, err := tx.BroadcastsCreated(from, now.Add(time.Second))
		if err == nil && len(bs) != st.Broadcasts {
			t.Errorf("%d broadcasts created in the simulated years, want %d", len(bs), st.Broadcasts)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(path); err == nil {
		t.Error("a second seed into an existing file was not refused")
	}
}
