package boltdb_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/seed"
)

// The tests below run store operations on a seeded store, a small region
// after three school years, and fail when an operation decodes more
// records than its answer holds: the cost of what the scheduler and the
// per-user commands read must follow the answer, not the history.

var (
	regionOnce sync.Once
	regionDir  string
	regionErr  error
	regionCfg  seed.Config
)

// seededRegion seeds the region once per test binary into a directory of
// its own and returns a copy for the test to open.
func seededRegion(t *testing.T) (*boltdb.DB, seed.Config) {
	t.Helper()
	regionOnce.Do(func() {
		regionDir, regionErr = osMkdirTemp()
		if regionErr != nil {
			return
		}
		reg := config.Default().Regulation.Profile()
		regionCfg = seed.Config{Users: 900, Associations: 40, Members: 22, Big: 300, Years: 3, EventsPerYear: 8,
			Consultations: 600, Regulation: reg, Seed: 3, Now: time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)}
		db, clk, err := seed.Open(filepath.Join(regionDir, "region.db"))
		if err != nil {
			regionErr = err
			return
		}
		_, regionErr = seed.Build(db, clk, regionCfg)
		if err := db.Close(); regionErr == nil {
			regionErr = err
		}
	})
	if regionErr != nil {
		t.Fatal(regionErr)
	}
	path := filepath.Join(t.TempDir(), "region.db")
	if err := copyFile(filepath.Join(regionDir, "region.db"), path); err != nil {
		t.Fatal(err)
	}
	now := regionCfg.Now
	db, err := boltdb.Open(path, boltdb.Options{Timeout: time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, regionCfg
}

// decoded runs fn in a read transaction and returns the records it decoded.
func decoded(t *testing.T, db *boltdb.DB, fn func(*boltdb.Tx) error) int {
	t.Helper()
	var n int
	if err := db.View(func(tx *boltdb.Tx) error {
		err := fn(tx)
		n = tx.Decoded()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSeededDueWindowReadsOnlyWhatCanFallDue(t *testing.T) {
	db, cfg := seededRegion(t)
	now := cfg.Now
	// What the due scan needs: events live within the longest reminder
	// (24 h) or whose check-in window is open (it opens 15 minutes before
	// the start and closes 30 minutes after).
	from, to := now.Add(-time.Hour), now.Add(25*time.Hour)
	want := map[uint64]bool{}
	total := 0
	db.View(func(tx *boltdb.Tx) error {
		return tx.Events(func(e *mmo.Event) bool {
			total++
			if e.State == mmo.EventPublished && !e.Start.Before(from) && e.Start.Before(to) {
				want[e.ID] = true
			}
			return true
		})
	})
	if len(want) == 0 {
		t.Fatal("the seeded store has no event in the window: the test would prove nothing")
	}
	var got []*mmo.Event
	n := decoded(t, db, func(tx *boltdb.Tx) (err error) {
		got, err = tx.EventsBetween(from, to, mmo.EventPublished)
		return err
	})
	if len(got) != len(want) {
		t.Errorf("%d events in the window, want %d", len(got), len(want))
	}
	for _, e := range got {
		if !want[e.ID] {
			t.Errorf("event %d (%v) is not in the window", e.ID, e.Start)
		}
	}
	if n > len(want) {
		t.Errorf("the window's %d events took %d decodes (of %d events stored)", len(want), n, total)
	}
}

func TestSeededHistoryReadsOnlyTheUsersEvents(t *testing.T) {
	db, cfg := seededRegion(t)
	reg, loc := cfg.Regulation, time.UTC
	year := reg.SchoolYearOf(cfg.Now, loc) - 1
	from, to := reg.YearSpan(year, loc)
	for _, uid := range []int64{2, 25, 450} {
		want := 0
		db.View(func(tx *boltdb.Tx) error {
			return tx.Events(func(e *mmo.Event) bool {
				if e.Start.Before(from) || !e.Start.Before(to) {
					return true
				}
				if a, err := tx.Attendance(e.ID, uid); err == nil && a.Mark == mmo.MarkPresent {
					want++
				}
				return true
			})
		})
		var got []*mmo.Event
		n := decoded(t, db, func(tx *boltdb.Tx) (err error) {
			got, err = tx.AttendedEvents(uid, from, to)
			return err
		})
		if want == 0 {
			t.Fatalf("user %d attended nothing in %d: the test would prove nothing", uid, year)
		}
		if len(got) != want || n != want {
			t.Errorf("user %d: %d attended events in %d, %d decoded; want %d and %d", uid, len(got), year, n, want, want)
		}
	}
}

func TestSeededAssociationYearReadsOnlyItsEvents(t *testing.T) {
	db, cfg := seededRegion(t)
	reg, loc := cfg.Regulation, time.UTC
	year := reg.SchoolYearOf(cfg.Now, loc) - 1
	from, to := reg.YearSpan(year, loc)
	var got []*mmo.Event
	n := decoded(t, db, func(tx *boltdb.Tx) (err error) {
		got, err = tx.AssociationEvents(7, from, to)
		return err
	})
	if len(got) != cfg.EventsPerYear || n != cfg.EventsPerYear {
		t.Errorf("association 7 in %d: %d events, %d decoded; want %d", year, len(got), n, cfg.EventsPerYear)
	}
}

func TestSeededDeadlinesReadOnlyWhatIsNearlyDue(t *testing.T) {
	db, cfg := seededRegion(t)
	now, loc := cfg.Now, time.UTC
	const days = 2
	quiet := 7 * 24 * time.Hour
	due, open := 0, 0
	db.View(func(tx *boltdb.Tx) error {
		return tx.Consultations(func(c *mmo.Consultation) bool {
			if c.Open() {
				open++
			}
			if _, ok := mmo.NextEscalation(c, 1, days, now, loc); ok || mmo.AutoCloseDue(c, quiet, now) {
				due++
			}
			return true
		})
	})
	if due == 0 {
		t.Fatal("nothing is due in the seeded store: the test would prove nothing")
	}
	found := 0
	n := decoded(t, db, func(tx *boltdb.Tx) error {
		for level := 0; level < 3; level++ {
			cs, err := tx.WaitingConsultations(level, boltdb.ConsultWatchFrom(level, days, now))
			if err != nil {
				return err
			}
			for _, c := range cs {
				if _, ok := mmo.NextEscalation(c, 1, days, now, loc); ok {
					found++
				}
			}
		}
		cs, err := tx.QuietConsultations(now.Add(-quiet))
		found += len(cs)
		return err
	})
	if found != due {
		t.Errorf("found %d requests due, the rules say %d", found, due)
	}
	// A few requests waiting over a weekend may be read and not be due
	// yet; the closed ones, the bulk of the history, never are.
	if n > due+due/2+5 {
		t.Errorf("%d requests due (of %d open) took %d decodes", due, open, n)
	}
}

func TestSeededDocumentsReadNoRecord(t *testing.T) {
	db, cfg := seededRegion(t)
	year := cfg.Regulation.SchoolYearOf(cfg.Now, time.UTC)
	var plans map[uint64]mmo.DocStatus
	n := decoded(t, db, func(tx *boltdb.Tx) (err error) {
		plans, err = tx.DocumentStatuses(mmo.DocPlan, year)
		return err
	})
	if len(plans) != cfg.Associations+1 || n != 0 {
		t.Errorf("plans of %d: %d statuses, %d decoded; want %d and 0", year, len(plans), n, cfg.Associations+1)
	}
}

func TestSeededPurgeOfAYear(t *testing.T) {
	db, cfg := seededRegion(t)
	reg, loc := cfg.Regulation, time.UTC
	first := reg.SchoolYearOf(cfg.Now, loc) - cfg.Years + 1
	_, end := reg.YearSpan(first, loc)
	steps, max := 0, 0
	var total boltdb.PurgeStats
	for {
		st, more, err := db.PurgeStep(boltdb.PurgeCut{Before: end, LastYear: first}, 0)
		if err != nil {
			t.Fatal(err)
		}
		steps++
		max = maxInt(max, st.Records)
		total.Records += st.Records
		total.Events += st.Events
		if !more {
			break
		}
	}
	if max > boltdb.PurgeLimit {
		t.Errorf("a step removed %d records, more than %d", max, boltdb.PurgeLimit)
	}
	if total.Events != (cfg.Associations+1)*cfg.EventsPerYear {
		t.Errorf("removed %d events, want a year's %d", total.Events, (cfg.Associations+1)*cfg.EventsPerYear)
	}
	if err := db.View(func(tx *boltdb.Tx) error { return tx.CheckIndexes() }); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *boltdb.Tx) error {
		if es, _ := tx.EventsBetween(time.Time{}, end); len(es) != 0 {
			t.Errorf("%d events of the purged year are left", len(es))
		}
		if bs, _ := tx.BroadcastsCreated(time.Time{}, end); len(bs) != 0 {
			t.Errorf("%d broadcasts of the purged year are left", len(bs))
		}
		return nil
	})
	t.Logf("%d records in %d steps", total.Records, steps)
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
