// Command mmobot runs the Telegram bot of municipal methodological
// associations of teachers (ММО).
//
//	mmobot [run] [-config FILE] [-init]  run the bot
//	mmobot backup -o FILE [-config FILE] write a consistent copy of the database
//	mmobot restore FILE [-config FILE]   put a backup in the place of the database
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
	"time"

	"github.com/mmobot/mmobot/internal/app"
	"github.com/mmobot/mmobot/internal/config"
)

const usage = `usage:
  mmobot [run] [-config FILE] [-init]  run the bot
  mmobot backup -o FILE [-config FILE] write a consistent copy of the database
  mmobot restore FILE [-config FILE]   put a backup in the place of the database (the bot stopped)
  mmobot sandbox [-demo] [-addr A]     try the bot in a browser, without Telegram
`

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
	var out *string
	initDB := new(bool)
	switch cmd {
	case "run":
		initDB = fs.Bool("init", false, "start a new, empty database where the file is empty, or missing beside other files (as data.init)")
	case "backup":
		out = fs.String("o", "", "the file to write")
	case "restore":
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "mmobot: unknown command %q\n%s", cmd, usage)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var from string
	if cmd == "restore" {
		// The backup may come before the flags or after them.
		if fs.NArg() > 0 {
			from = fs.Arg(0)
			if err := fs.Parse(fs.Args()[1:]); err != nil {
				return 2
			}
		}
		if from == "" || fs.NArg() > 0 {
			fmt.Fprintln(stderr, "usage: mmobot restore BACKUP_FILE [-config FILE]")
			return 2
		}
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mmobot %s: unexpected argument %q\n", cmd, fs.Arg(0))
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
	if cmd != "run" {
		load = config.LoadWithoutToken // backup and restore do not talk to Telegram
	}
	cfg, err := load(path, os.Environ())
	if err != nil {
		fmt.Fprintln(stderr, "mmobot:", err)
		return 2
	}
	cfg.Data.Init = cfg.Data.Init || *initDB

	if cmd == "restore" {
		r, err := app.Restore(cfg.Data.Path, from, cfg.Data.OpenTimeout, time.Now())
		if err != nil {
			fmt.Fprintln(stderr, "mmobot:", err)
			return 1
		}
		fmt.Fprintf(stdout, "restored %s from %s (%d bytes, schema version %d, users: %d)\n",
			cfg.Data.Path, from, r.Size, r.SchemaVersion, r.Users)
		if r.Replaced != "" {
			fmt.Fprintf(stdout, "the database it replaced is kept as %s; delete it once the bot runs well\n", r.Replaced)
		}
		return 0
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
