// Command mmobot runs the Telegram bot of municipal methodological
// associations of teachers (ММО).
//
//	mmobot [run] [-config FILE]          run the bot
//	mmobot backup -o FILE [-config FILE] write a consistent copy of the database
//	mmobot sandbox [-demo] [-addr A]     try the bot in a browser, without Telegram
//
// The config file is -config, else $MMOBOT_CONFIG, else ./config.yaml if
// present; every key can also come from MMOBOT_* environment variables.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/mmobot/mmobot/internal/app"
	"github.com/mmobot/mmobot/internal/config"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	if cmd == "sandbox" {
		return runSandbox(args, stdout, stderr) // it has flags of its own
	}
	fs := flag.NewFlagSet("mmobot "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "config file (default $MMOBOT_CONFIG, else ./config.yaml if present)")
	out := fs.String("o", "", "backup: the file to write")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch cmd {
	case "run", "backup":
	case "help":
		fs.Usage()
		return 0
	default:
		fmt.Fprintf(stderr, "mmobot: unknown command %q; use \"run\" or \"backup\"\n", cmd)
		return 2
	}
	path := *cfgPath
	if path == "" {
		path = os.Getenv(config.EnvConfigPath)
	}
	if path == "" {
		if _, err := os.Stat("config.yaml"); err == nil {
			path = "config.yaml"
		}
	}
	load := config.Load
	if cmd == "backup" {
		load = config.LoadWithoutToken // a backup does not talk to Telegram
	}
	cfg, err := load(path, os.Environ())
	if err != nil {
		fmt.Fprintln(stderr, "mmobot:", err)
		return 2
	}

	if cmd == "backup" {
		if *out == "" {
			fmt.Fprintln(stderr, "mmobot backup: -o FILE is required")
			return 2
		}
		n, err := app.Backup(cfg.Data.Path, *out, cfg.Data.OpenTimeout)
		if err != nil {
			fmt.Fprintln(stderr, "mmobot:", err)
			return 1
		}
		fmt.Fprintf(stdout, "backup written to %s (%d bytes)\n", *out, n)
		return 0
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &app.Main{Config: cfg, Log: app.NewLogger(cfg, stderr)}
	if err := m.Open(ctx); err != nil {
		m.Log.Error("start failed", "error", err)
		m.Close()
		if ctx.Err() != nil {
			return 0
		}
		return 1
	}
	err = m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		m.Log.Error("stopped with an error", "error", err)
		return 1
	}
	return 0
}
