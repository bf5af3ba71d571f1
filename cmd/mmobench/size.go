package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
)

// sizeStep reports what the store takes on disk: the seeded file, a
// compacted copy of it, and how much of the compacted store the oldest
// school year is, by removing it as retention does (in steps of at most
// boltdb.PurgeLimit records and purgeStepTime of removing) and
// compacting again.
// purgeStepTime is the due scan's bound on a purge step's removing
// (chat's purgeStepTime).
const purgeStepTime = 20 * time.Millisecond

func sizeStep(work, dir string, fresh func() error, add func(what, figure, note string)) error {
	if err := fresh(); err != nil {
		return err
	}
	mib := func(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }
	fi, err := os.Stat(work)
	if err != nil {
		return err
	}
	db, err := boltdb.Open(work, boltdb.Options{Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	inUse, err := db.Size()
	db.Close()
	if err != nil {
		return err
	}
	began := time.Now()
	all, err := boltdb.CompactFile(work, filepath.Join(dir, "compacted-all.db"), 5*time.Second)
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	took := time.Since(began)
	os.Remove(filepath.Join(dir, "compacted-all.db"))
	add("DB size, five school years: file / pages in use / compacted", fmt.Sprintf("%s / %s / %s", mib(fi.Size()), mib(inUse), mib(all)),
		fmt.Sprintf("(compacting took %v)", took.Round(100*time.Millisecond)))

	db, err = boltdb.Open(work, boltdb.Options{Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	c := config.Default()
	reg := c.Regulation.Profile()
	first := reg.SchoolYearOf(time.Now(), time.UTC) - 4
	_, end := reg.YearSpan(first, time.UTC)
	// Step by step, as the due scan does, each step timed.
	db.WriteStats()
	began = time.Now()
	var st boltdb.PurgeStats
	var steps []time.Duration
	for {
		t := time.Now()
		s, more, err := db.PurgeStepFor(boltdb.PurgeCut{Before: end, LastYear: first}, 0, purgeStepTime)
		if err != nil {
			db.Close()
			return fmt.Errorf("purge: %w", err)
		}
		steps = append(steps, time.Since(t))
		st.Records += s.Records
		if !more {
			break
		}
	}
	took = time.Since(began)
	_, longest := db.WriteStats()
	by := db.LongestWriteBy()
	db.Close()
	slices.Sort(steps)
	over := len(steps) - sort.Search(len(steps), func(i int) bool { return steps[i] > 50*time.Millisecond })
	add(fmt.Sprintf("retention: school year %d/%d removed", first, first+1), fmt.Sprintf("%d records in %v", st.Records, took.Round(100*time.Millisecond)),
		fmt.Sprintf("(%d transactions of at most %d records or %v of removing: p50 %v, p99 %v, the longest %v; %d over 50 ms)", len(steps), boltdb.PurgeLimit, purgeStepTime,
			ms(steps[len(steps)/2]), ms(steps[len(steps)*99/100]), ms(steps[len(steps)-1]), over))
	add("retention: the longest write transaction", ms(longest), "(by "+by+")")
	rest, err := boltdb.CompactFile(work, filepath.Join(dir, "compacted-rest.db"), 5*time.Second)
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	os.Remove(filepath.Join(dir, "compacted-rest.db"))
	fi, _ = os.Stat(work)
	add("DB size, the four school years left: file / compacted", fmt.Sprintf("%s / %s", mib(fi.Size()), mib(rest)),
		fmt.Sprintf("(the oldest year was %s of the compacted store)", mib(all-rest)))
	return nil
}
