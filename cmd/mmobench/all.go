package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/config"
)

// runAll is `mmobench all`: every benchmark on one seeded store, with the
// scheduler live, and a table of the figures at the end.
func runAll(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	dbPath := fs.String("db", "", "a store seeded by `mmobench seed` (default: seed the region into a temporary directory)")
	city := fs.Bool("city", false, "seed a city instead of the region (without -db)")
	scan := fs.Duration("scan", 5*time.Second, "the due scan's interval during the latency runs (the bot's default is 30 s)")
	dur := fs.Duration("duration", 30*time.Second, "how long each latency run sends its trivial command")
	users := fs.Int("users", 200, "burst: users sending updates")
	updates := fs.Int("updates", 10000, "burst: updates in the burst")
	rounds := fs.Int("rounds", 3, "burst: bot rounds, each between two echo rounds")
	workers := fs.Int("workers", config.Default().Telegram.Workers, "bot workers, and the echo loop's")
	members := fs.Int("members", 1000, "broadcast: members of the association")
	only := fs.String("only", "startup,scan,answer,latency,burst,broadcast,size", "the benchmarks to run, comma-separated")
	latency := fs.Duration("latency", 100*time.Millisecond, "broadcast: the network's delay to the server")
	jitter := fs.Duration("jitter", 50*time.Millisecond, "broadcast: how much the delay varies either way")
	fs.StringVar(&profile, "cpuprofile", "", "write a CPU profile of the bot's burst to this file (and its allocations to F.allocs0, F.allocs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var rows []row
	add := func(what, figure, note string) {
		rows = append(rows, row{what, figure, note})
		fmt.Fprintf(w, "  %-52s %s %s\n", what, figure, note)
	}
	dir, err := os.MkdirTemp("", "mmobench-all-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *dbPath == "" {
		*dbPath = filepath.Join(dir, "seeded.db")
		cfg := seedConfig(*city)
		fmt.Fprintf(w, "seeding %s ...\n", *dbPath)
		st, err := seedFile(*dbPath, cfg)
		if err != nil {
			return err
		}
		printSeed(w, *dbPath, cfg, st)
		add("seeding", st.Elapsed.Round(time.Second).String(), "")
		var prev int64
		for i, s := range st.YearSize {
			add(fmt.Sprintf("DB size, school year %d", i+1), fmt.Sprintf("+%.0f MiB", float64(s-prev)/(1<<20)), fmt.Sprintf("(%.0f MiB in all)", float64(s)/(1<<20)))
			prev = s
		}
	}
	fi, err := os.Stat(*dbPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nstore %s: %.0f MiB; GOMAXPROCS %d\n\n", *dbPath, float64(fi.Size())/(1<<20), runtime.GOMAXPROCS(0))

	work := filepath.Join(dir, "work.db")
	fresh := func() error { return copyFile(*dbPath, work) }
	steps := map[string]func() error{}
	order := []string{"startup", "scan", "answer", "latency", "burst", "broadcast", "size"}
	steps["size"] = func() error { return sizeStep(work, dir, fresh, add) }
	steps["answer"] = func() error { return answerStep(work, fresh, add) }
	steps["scan"] = func() error { return scanStep(work, dir, fresh, add) }

	// Start-up: a new process opens the store, starts the bot and answers
	// /help: from a cold page cache, again warm, and from a new copy of
	// the store warm, where the menus of the leaders and coordinators
	// (none set yet) are queued at start.
	steps["startup"] = func() error {
		for i, name := range []string{"first start, cold", "second start", "first start, warm"} {
			if i != 1 {
				if err := fresh(); err != nil {
					return err
				}
			}
			if i == 0 {
				dropCaches()
			}
			st, err := startupOnce(work)
			if err != nil {
				return fmt.Errorf("start-up: %w", err)
			}
			add("start-up, "+name+": store open", st.Open.Round(time.Millisecond).String(), "")
			add("start-up, "+name+": first answer", st.First.Round(time.Millisecond).String(), "(from the process start)")
			add("start-up, "+name+": resident memory", fmt.Sprintf("%.0f MiB", st.RSSAnon/1024), fmt.Sprintf("(anonymous; file pages mapped %.0f MiB)", st.RSSFile/1024))
		}
		return nil
	}

	// A trivial command's latency, idle and under load, with due scans.
	steps["latency"] = func() error {
		for _, load := range []string{"scans only", "another user's /history"} {
			if err := fresh(); err != nil {
				return err
			}
			res, err := latencyRun(work, *scan, *dur, load != "scans only")
			if err != nil {
				return fmt.Errorf("latency (%s): %w", load, err)
			}
			add("/help latency, "+load+": p50 / p99 / max", fmt.Sprintf("%v / %v / %v", ms(res.l.p50), ms(res.l.p99), ms(res.l.max)),
				fmt.Sprintf("(%d samples, %d scans, %d /history answered)", res.samples, res.scans, res.histories))
		}
		return nil
	}

	// The burst: the bot against an echo loop of the same concurrency.
	steps["burst"] = func() error {
		echo, bot, ratio, err := mixedBurst(work, *users, *updates, *workers, *rounds, fresh)
		if err != nil {
			return fmt.Errorf("burst: %w", err)
		}
		add(fmt.Sprintf("burst, echo loop of %d workers: updates/s, p50 / p99", *workers), fmt.Sprintf("%.0f, %v / %v", echo.rate, ms(echo.p50), ms(echo.p99)), echo.note)
		add(fmt.Sprintf("burst, mmobot of %d workers: updates/s, p50 / p99", *workers), fmt.Sprintf("%.0f, %v / %v", bot.rate, ms(bot.p50), ms(bot.p99)), bot.note)
		add("burst, mmobot / echo loop", fmt.Sprintf("%.3f", ratio), "(median of each bot round over the echo rounds either side; /help, /meetings, /history, answers to invitations)")
		return nil
	}

	// The broadcast over a jittery network, and replies during it.
	steps["broadcast"] = func() error {
		net := network{latency: *latency, jitter: *jitter}
		b, err := runBroadcast(*members, net)
		if err != nil {
			return fmt.Errorf("broadcast: %w", err)
		}
		add(fmt.Sprintf("broadcast to %d (%v): ratio to 30/s", *members, net), fmt.Sprintf("%.4f", b.rate/telegramLimit),
			fmt.Sprintf("(%d × 429, %d lost, %d duplicated; %d sends, %d edits)", b.tooMany, b.lost, b.duplicate, b.sends, b.edits))
		rep, err := runReplyLatency(*members, 50, network{})
		if err != nil {
			return fmt.Errorf("replies during a broadcast: %w", err)
		}
		add(fmt.Sprintf("/start latency during a broadcast to %d: p50 / p99", *members), fmt.Sprintf("%v / %v", ms(rep.during.p50), ms(rep.during.p99)),
			fmt.Sprintf("(idle %v / %v)", ms(rep.idle.p50), ms(rep.idle.p99)))
		return nil
	}

	for _, name := range order {
		if !slices.Contains(strings.Split(*only, ","), name) {
			continue
		}
		if err := steps[name](); err != nil {
			add(name, "failed", err.Error())
		}
	}

	fmt.Fprintf(w, "\n| what | figure | |\n|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s |\n", r.what, r.figure, r.note)
	}
	return nil
}

type row struct{ what, figure, note string }

func ms(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Microsecond).String()
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	// On disk before the bot opens it: otherwise the bot's first commit
	// syncs the file while a gigabyte of the copy is still being written
	// back, and the start measures the copy.
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
