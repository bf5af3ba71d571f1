package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mmobot/mmobot/internal/app"
	"github.com/mmobot/mmobot/internal/config"
)

// runBot is `mmobot run`.
func runBot(c *command, args []string, stdout, stderr io.Writer) int {
	fs := c.flags()
	cfgPath := configFlag(fs)
	initDB := fs.Bool("init", false, "start a new, empty database where the file is empty, or missing beside other files (as data.init)")
	if code, ok := c.parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if !c.noArgs(fs, stderr) {
		return 2
	}
	cfg, err := config.Load(configPath(*cfgPath), os.Environ())
	if err != nil {
		fmt.Fprintln(stderr, "mmobot:", err)
		return 2
	}
	cfg.Data.Init = cfg.Data.Init || *initDB

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &app.Main{Config: cfg, Log: app.NewLogger(cfg, stderr), Build: buildInfo()}
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

// loadOffline loads the config of a command that does not talk to
// Telegram: a missing token is no error there.
func loadOffline(cfgPath string, stderr io.Writer) (config.Config, bool) {
	cfg, err := config.LoadWithoutToken(configPath(cfgPath), os.Environ())
	if err != nil {
		fmt.Fprintln(stderr, "mmobot:", err)
		return cfg, false
	}
	return cfg, true
}

// runBackup is `mmobot backup`.
func runBackup(c *command, args []string, stdout, stderr io.Writer) int {
	fs := c.flags()
	cfgPath := configFlag(fs)
	out := fs.String("o", "", "the file to write (required)")
	if code, ok := c.parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if !c.noArgs(fs, stderr) {
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "mmobot backup: -o FILE is required")
		return 2
	}
	cfg, ok := loadOffline(*cfgPath, stderr)
	if !ok {
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

// runRestore is `mmobot restore`.
func runRestore(c *command, args []string, stdout, stderr io.Writer) int {
	fs := c.flags()
	cfgPath := configFlag(fs)
	if code, ok := c.parse(fs, args, stdout, stderr); !ok {
		return code
	}
	// The backup may come before the flags or after them.
	var from string
	if fs.NArg() > 0 {
		from = fs.Arg(0)
		if code, ok := c.parse(fs, fs.Args()[1:], stdout, stderr); !ok {
			return code
		}
	}
	if from == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: mmobot restore BACKUP_FILE [-config FILE]")
		return 2
	}
	cfg, ok := loadOffline(*cfgPath, stderr)
	if !ok {
		return 2
	}
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

// runCompact is `mmobot compact`.
func runCompact(c *command, args []string, stdout, stderr io.Writer) int {
	fs := c.flags()
	cfgPath := configFlag(fs)
	if code, ok := c.parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if !c.noArgs(fs, stderr) {
		return 2
	}
	cfg, ok := loadOffline(*cfgPath, stderr)
	if !ok {
		return 2
	}
	r, err := app.Compact(cfg.Data.Path, cfg.Data.OpenTimeout, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "mmobot:", err)
		return 1
	}
	fmt.Fprintf(stdout, "compacted %s: %d bytes before, %d after\n", cfg.Data.Path, r.Before, r.After)
	fmt.Fprintf(stdout, "the database as it was is kept as %s; delete it once the bot runs well\n", r.Kept)
	return 0
}
