package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/config"
	"github.com/mmobot/mmobot/internal/seed"
	"github.com/mmobot/mmobot/internal/telegram"
	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// dropCaches empties the page cache where the process may (root on
// Linux), so the first start reads the store from the disk.
func dropCaches() {
	exec.Command("sync").Run()
	os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o644)
}

// startup is what one start measured.
type startup struct {
	Open, First      time.Duration
	RSSAnon, RSSFile float64 // KiB
}

// startupOnce runs `mmobench startup-child` on the store and reads its
// figures.
func startupOnce(path string) (startup, error) {
	self, err := os.Executable()
	if err != nil {
		return startup{}, err
	}
	cmd := exec.Command(self, "startup-child", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return startup{}, fmt.Errorf("%w: %s", err, stderr.String())
	}
	var st startup
	return st, json.Unmarshal(out, &st)
}

// runStartupChild is the child of startupOnce: from its own start, it
// opens the store as the bot does, starts the bot against a fake server,
// has a teacher send /help and prints when the answer came, and its
// resident memory then.
func runStartupChild(path string) error {
	begin := time.Now()
	// Update ids above any the store confirmed in an earlier start.
	srv := telegramtest.Start(telegramtest.Options{FirstUpdateID: int(begin.UnixMilli() % 1_000_000_000)})
	defer srv.Close()
	db, err := boltdb.Open(path, boltdb.Options{Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	opened := time.Since(begin)
	d := config.Default().Limits
	stop, err := startBotWith(db, srv, func(o *botOptions) {
		o.tg.Limits = telegram.Limits{Global: d.GlobalPerSecond, Private: d.PrivatePerSecond, PrivateBurst: d.PrivateBurst, GroupPerMinute: d.GroupPerMinute}
	})
	if err != nil {
		return err
	}
	u := srv.NewUser(seed.TelegramID(3), "U", "ru")
	u.Send("/help")
	if _, ok := u.NextWithin(2 * time.Minute); !ok {
		return fmt.Errorf("no answer to /help within 2 minutes")
	}
	st := startup{Open: opened, First: time.Since(begin)}
	st.RSSAnon, st.RSSFile = rss()
	stop()
	db.Close()
	return json.NewEncoder(os.Stdout).Encode(st)
}

// rss reads the process's anonymous and file-backed resident memory, KiB.
func rss() (anon, file float64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		v, _ := strconv.ParseFloat(fields[1], 64)
		switch fields[0] {
		case "RssAnon:":
			anon = v
		case "RssFile:":
			file = v
		}
	}
	return anon, file
}
