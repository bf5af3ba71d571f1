package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/metrics"
)

// runStatus is `mmobot status`: the running bot's readiness and figures,
// read from its HTTP listener, in a few lines, for someone without
// Prometheus; with -q the exit code alone, for Docker's HEALTHCHECK.
// Docker reads 0 as healthy and 1 as unhealthy (2 is reserved), so every
// failure to learn that the bot is ready is 1.
func runStatus(c *command, args []string, stdout, stderr io.Writer) int {
	fs := c.flags()
	cfgPath := configFlag(fs)
	addrFlag := fs.String("addr", "", "the bot's listener, host:port (default: http.addr of the config)")
	quiet := fs.Bool("q", false, "print nothing: exit code 0 when ready, 1 otherwise")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the bot's answers")
	if code, ok := c.parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if !c.noArgs(fs, stderr) {
		return 2
	}
	if *quiet {
		stdout, stderr = io.Discard, io.Discard
	}
	addr := *addrFlag
	if addr == "" {
		cfg, ok := loadOffline(*cfgPath, stderr)
		if !ok {
			return 1
		}
		if cfg.HTTP.Addr == "" {
			fmt.Fprintln(stderr, "mmobot status: http.addr is empty, so the bot serves no status; set it (e.g. 127.0.0.1:9090), or give -addr")
			return 1
		}
		addr = cfg.HTTP.Addr
	}
	target, err := dialAddr(addr)
	if err != nil {
		fmt.Fprintln(stderr, "mmobot status:", err)
		return 1
	}
	client := &http.Client{Timeout: *timeout}
	base := "http://" + target
	code, ready, err := get(client, base+"/readyz")
	if err != nil {
		fmt.Fprintf(stderr, "mmobot status: cannot reach the bot at %s (is it running, with http.addr set?): %v\n", target, err)
		return 1
	}
	if *quiet {
		if code == http.StatusOK {
			return 0
		}
		return 1
	}
	// "ready", or "not ready" and the reasons, one a line; then the figures.
	fmt.Fprint(stdout, indentReasons(ready))
	_, text, err := get(client, base+"/metrics")
	var f metrics.Figures
	if err == nil {
		f, err = metrics.Read(strings.NewReader(text))
	}
	if err != nil {
		fmt.Fprintf(stderr, "mmobot status: read the metrics: %v\n", err)
	} else {
		printFigures(stdout, f, target, time.Now())
	}
	if code != http.StatusOK {
		return 1
	}
	return 0
}

// dialAddr turns a listen address into one to connect to: a listener
// on all interfaces is reached on the loopback one.
func dialAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("bad address %q: want host:port", addr)
	}
	if port == "0" {
		return "", fmt.Errorf("http.addr %q lets the system choose the port; give the one it chose with -addr", addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port), nil
}

func get(client *http.Client, url string) (int, string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, string(body), err
}

func indentReasons(body string) string {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] = "  " + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

// printFigures writes the figures of /metrics in a few lines.
func printFigures(w io.Writer, f metrics.Figures, target string, now time.Time) {
	ago := func(unix float64) string {
		if unix == 0 {
			return "never"
		}
		at := time.Unix(int64(unix), 0)
		return fmt.Sprintf("%s (%s ago)", at.UTC().Format("2006-01-02 15:04 UTC"), now.Sub(at).Round(time.Second))
	}
	up := ""
	if start := f.Value("process_start_time_seconds"); start > 0 {
		up = fmt.Sprintf(", up %s", now.Sub(time.Unix(int64(start), 0)).Round(time.Second))
	}
	fmt.Fprintf(w, "mmobot %s (commit %s) at %s%s\n", f.Label(metrics.NameBuildInfo, "version"), f.Label(metrics.NameBuildInfo, "commit"), target, up)

	codes := f.ByLabel(metrics.NameRequests, "code")
	var total, failed float64
	for code, n := range codes {
		total += n
		if code != "200" && code != "429" {
			failed += n
		}
	}
	fmt.Fprintf(w, "telegram: last successful poll %s; %.0f requests, %.0f answered 429 (asked to wait %.0f s in all), %.0f refused or failed\n",
		ago(f.Value(metrics.NameLastPoll)), total, codes["429"], f.Value(metrics.NameRetryAfter), failed)

	updates := f.Value(metrics.NameUpdates)
	avg := 0.0
	if updates > 0 {
		avg = f.Sum(metrics.NameUpdateSeconds) / updates * 1000
	}
	fmt.Fprintf(w, "updates: %.0f handled, %.1f ms each on average\n", updates, avg)

	fmt.Fprintf(w, "messages sent: %.0f replies, %.0f notices, %.0f of broadcasts; outbox: %.0f waiting, oldest %.0f s; broadcasts in progress: %.0f\n",
		f.Value(metrics.NameSent, "kind", "reply"), f.Value(metrics.NameSent, "kind", "notice"), f.Value(metrics.NameSent, "kind", "broadcast"),
		f.Value(metrics.NameOutboxItems), maxValue(f.ByLabel(metrics.NameOutboxOldest, "priority")), f.Value(metrics.NameBroadcasts))

	fmt.Fprintf(w, "store: %s; last backup %s, %s; backups since start: %.0f written, %.0f failed\n",
		bytesText(f.Value(metrics.NameStoreSize)), ago(f.Value(metrics.NameLastBackup)), bytesText(f.Value(metrics.NameLastBackupBytes)),
		f.Value(metrics.NameBackups, "result", "ok"), f.Value(metrics.NameBackups, "result", "failed"))
}

// bytesText is a size as people read it: 512 KiB, 12.3 MiB, 1.2 GiB.
func bytesText(n float64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", n/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", n/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", n/(1<<10))
}

func maxValue(m map[string]float64) float64 {
	v := 0.0
	for _, x := range m {
		v = max(v, x)
	}
	return v
}
