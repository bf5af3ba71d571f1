package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/seed"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// scanResult is what the scan benchmark measured on one store.
type scanResult struct {
	catchUp      time.Duration // the first scan, with the daily jobs
	catchUpWrite time.Duration // its longest write transaction
	catchUpBy    string        // who ran it
	floor        latency       // a write transaction that writes one key: the disk's floor
	idle         time.Duration // an idle scan, mean
	idleAlloc    float64       // bytes allocated by an idle scan, mean
	idleDecoded  float64       // records decoded by an idle scan, mean
	idleCPU      float64       // CPU of idle scans every 30 s, share of a core
	history      time.Duration // /history answered
	historyDoc   time.Duration // the history DOCX of all time answered
	overview     time.Duration // /overview answered
	overviewCPU  time.Duration // the process's CPU time meanwhile
	overviewXLSX time.Duration // the overview XLSX answered
	longestWrite time.Duration // the longest write transaction during the views
	archives     int           // documents of a year's archive sent with the catch-up
	archiveNames int           // its parts (the same parts go to every coordinator)
}

// afterAlerts is a clock at least a minute past today's time of the daily
// jobs, so that the catch-up scan runs them (and a retention warning then
// due) at whatever hour the benchmark runs.
func afterAlerts() func() time.Time {
	c := config.Default()
	at, err := time.Parse("15:04", c.Regulation.AlertsAt)
	if err != nil {
		return time.Now
	}
	loc := c.Location // as startEngine gives it to the engine: nil is UTC
	if loc == nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	due := time.Date(now.Year(), now.Month(), now.Day(), at.Hour(), at.Minute()+1, 0, 0, loc)
	shift := max(0, due.Sub(now))
	return func() time.Time { return time.Now().Add(shift) }
}

// idleScans is how many idle scans the benchmark times.
const idleScans = 50

// scanRun measures the due scan on the store at path: the catch-up scan at
// start (which runs the daily jobs), then idle scans at the same moment,
// each finding nothing new; with views, /history and its DOCX of a
// seeded teacher and /overview and its XLSX of the seeded coordinator.
func scanRun(path string, views bool) (scanResult, error) {
	var res scanResult
	clock := afterAlerts()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: 5 * time.Second, Now: clock})
	if err != nil {
		return res, err
	}
	defer db.Close()
	srv := telegramtest.Start(telegramtest.Options{})
	defer srv.Close()
	srv.SetWaitTimeout(time.Minute)
	engine, stop, err := startEngine(db, srv, func(o *botOptions) {
		o.noSchedule = true
		o.chat.Now = clock
		o.tg.Limits = telegram.Limits{Global: 1e6, Private: 1e6, PrivateBurst: 1000, GroupPerMinute: 1e6}
	})
	if err != nil {
		return res, err
	}
	defer stop()
	// The floor of any write transaction on this disk at this moment: a
	// commit of one key (two fsyncs), as the other helpers' load allows.
	var floor []time.Duration
	for i := range 21 {
		t := time.Now()
		if err := db.Update(func(tx *boltdb.Tx) error { return tx.PutMeta("x:bench", []byte(strconv.Itoa(i))) }); err != nil {
			return res, err
		}
		floor = append(floor, time.Since(t))
	}
	slices.Sort(floor)
	res.floor = latency{p50: floor[len(floor)/2], max: floor[len(floor)-1]}
	db.WriteStats()
	if profile != "" && views {
		f, err := os.Create(profile + ".scan")
		if err != nil {
			return res, err
		}
		pprof.StartCPUProfile(f)
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	// The seeded coordinator's chat, open before the catch-up: the
	// retention warning and the year's archive go there.
	coord := srv.NewUser(seed.TelegramID(1), "C", "ru")
	began := time.Now()
	for range 4 { // requests left waiting are raised one level a scan
		if _, _, _, err := engine.Due(); err != nil {
			return res, err
		}
		if res.catchUp == 0 {
			res.catchUp = time.Since(began)
			_, res.catchUpWrite = db.WriteStats()
			res.catchUpBy = db.LongestWriteBy()
		}
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	decoded := db.Decoded()
	cpu := cpuTime()
	began = time.Now()
	for range idleScans {
		if _, _, _, err := engine.Due(); err != nil {
			return res, err
		}
	}
	res.idle = time.Since(began) / idleScans
	spent := cpuTime() - cpu
	runtime.ReadMemStats(&after)
	res.idleAlloc = float64(after.TotalAlloc-before.TotalAlloc) / idleScans
	res.idleDecoded = float64(db.Decoded()-decoded) / idleScans
	res.idleCPU = float64(spent) / idleScans / float64(30*time.Second)
	if !views {
		return res, nil
	}
	// What the scans sent is delivered first, and read: the answers
	// timed below are the next messages in their chats.
	srv.SettleWithin(2 * time.Minute)
	names := map[string]bool{}
	for _, q := range srv.Requests() {
		if name := q.Params.Get("document"); q.Method == "sendDocument" && q.Status == 200 && strings.HasPrefix(name, "Архив ММО") {
			res.archives++
			names[name] = true
		}
	}
	res.archiveNames = len(names)
	db.WriteStats()
	teacher := srv.NewUser(seed.TelegramID(historyUser), "H", "ru")
	teacher.Drain()
	timed := func(u *telegramtest.User, send func()) (time.Duration, *telegramtest.Message, error) {
		began := time.Now()
		send()
		m, ok := u.NextWithin(time.Minute)
		if !ok {
			return 0, nil, fmt.Errorf("user %d: no answer within a minute", u.ID)
		}
		return time.Since(began), &m, nil
	}
	var m *telegramtest.Message
	if res.history, m, err = timed(teacher, func() { teacher.Send("/history") }); err != nil {
		return res, err
	}
	// The record of all time: the last button but the way home.
	if res.historyDoc, _, err = timed(teacher, func() { teacher.Press(m, lastBut(m.Buttons(), "Домой").Text) }); err != nil {
		return res, err
	}
	coord.Drain()
	cpu = cpuTime()
	if res.overview, m, err = timed(coord, func() { coord.Send("/overview") }); err != nil {
		return res, err
	}
	res.overviewCPU = cpuTime() - cpu
	// The XLSX button is the last but the way home: the associations
	// that need the coordinator come first.
	xlsx := lastBut(m.Buttons(), "Домой")
	if !strings.Contains(xlsx.Text, "XLSX") {
		return res, fmt.Errorf("the overview has no XLSX button last: %v", m.Buttons())
	}
	if res.overviewXLSX, _, err = timed(coord, func() { coord.Press(m, xlsx.Text) }); err != nil {
		return res, err
	}
	_, res.longestWrite = db.WriteStats()
	return res, nil
}

// lastBut is the last of bs whose label does not contain skip (the home
// row that ends a screen); the zero button if there is none.
func lastBut(bs []telegramtest.Button, skip string) telegramtest.Button {
	for i := len(bs) - 1; i >= 0; i-- {
		if !strings.Contains(bs[i].Text, skip) {
			return bs[i]
		}
	}
	return telegramtest.Button{}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// scanStep adds the scan benchmark's rows: on the seeded store, and on an
// empty store, the baseline of an idle scan.
func scanStep(work, dir string, fresh func() error, add func(what, figure, note string)) error {
	if err := fresh(); err != nil {
		return err
	}
	r, err := scanRun(work, true)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	// A new installation in a directory of its own: an empty store.
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o700); err != nil {
		return err
	}
	empty, err := scanRun(filepath.Join(dir, "empty", "mmo.db"), false)
	if err != nil {
		return fmt.Errorf("scan on an empty store: %w", err)
	}
	add("due scan at start (daily jobs, catch-up)", ms(r.catchUp), fmt.Sprintf("(longest write transaction %v, by %s; a one-key write transaction: p50 %v, max %v)",
		ms(r.catchUpWrite), r.catchUpBy, ms(r.floor.p50), ms(r.floor.max)))
	add("a year's archive sent with the catch-up", fmt.Sprintf("%d parts", r.archiveNames),
		fmt.Sprintf("(%d documents to the coordinators; none when no retention warning fell due)", r.archives))
	add("due scan, idle: time / allocated / records read", fmt.Sprintf("%v / %.0f KiB / %.0f", ms(r.idle), r.idleAlloc/1024, r.idleDecoded),
		fmt.Sprintf("(empty store: %v / %.0f KiB / %.0f)", ms(empty.idle), empty.idleAlloc/1024, empty.idleDecoded))
	add("due scan every 30 s, idle: CPU", fmt.Sprintf("%.4f %% of a core", 100*r.idleCPU), fmt.Sprintf("(empty store: %.4f %%)", 100*empty.idleCPU))
	add("/history; its DOCX of all time", fmt.Sprintf("%v; %v", ms(r.history), ms(r.historyDoc)), "(from the send to the answer)")
	add("/overview; its XLSX", fmt.Sprintf("%v; %v", ms(r.overview), ms(r.overviewXLSX)),
		fmt.Sprintf("(/overview used %v of CPU, the fake server's included; longest write transaction meanwhile %v)", ms(r.overviewCPU), ms(r.longestWrite)))
	return nil
}
