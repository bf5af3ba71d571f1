package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/seed"
)

// runSeed is `mmobench seed`: it writes a region (or a city) after five
// school years into a new store file, through the store's own API.
func runSeed(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	out := fs.String("out", "region.db", "the new store file")
	city := fs.Bool("city", false, "a city (3,000 users, 40 associations) instead of the region")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := seedConfig(*city)
	st, err := seedFile(*out, cfg)
	if err != nil {
		return err
	}
	printSeed(w, *out, cfg, st)
	return nil
}

// seedConfig is the region or the city, on the default regulation.
func seedConfig(city bool) seed.Config {
	reg := config.Default().Regulation.Profile()
	if city {
		return seed.City(reg)
	}
	return seed.Region(reg)
}

// seedFile seeds a new store file.
func seedFile(path string, cfg seed.Config) (seed.Stats, error) {
	db, clk, err := seed.Open(path)
	if err != nil {
		return seed.Stats{}, err
	}
	st, err := seed.Build(db, clk, cfg)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return st, err
}

func printSeed(w io.Writer, path string, cfg seed.Config, st seed.Stats) {
	fi, _ := os.Stat(path)
	var size int64
	if fi != nil {
		size = fi.Size()
	}
	fmt.Fprintf(w, "seeded %s in %v: %d users, %d associations (%d memberships), %d school years\n",
		path, st.Elapsed.Round(time.Second), st.Users, st.Associations, st.Memberships, cfg.Years)
	fmt.Fprintf(w, "  %d events, %d answers, %d attendance marks, %d minutes, %d broadcasts\n",
		st.Events, st.Answers, st.Attendance, st.Minutes, st.Broadcasts)
	fmt.Fprintf(w, "  %d consultations (%d messages), %d plans and reports, %d proposals\n",
		st.Consultations, st.Messages, st.Documents, st.Proposal)
	fmt.Fprintf(w, "  file %.0f MiB\n", float64(size)/(1<<20))
	var prev int64
	for i, s := range st.YearSize {
		fmt.Fprintf(w, "  after school year %d: %.0f MiB in use (+%.0f MiB)\n", i+1, float64(s)/(1<<20), float64(s-prev)/(1<<20))
		prev = s
	}
}
