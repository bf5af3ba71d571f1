package main

import (
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/mmobot/mmobot/internal/config"
)

// runCheckConfig is `mmobot check-config`: the config as `run` would
// load it, every value in effect, the token masked.
func runCheckConfig(c *command, args []string, stdout, stderr io.Writer) int {
	fs := c.flags()
	cfgPath := configFlag(fs)
	if code, ok := c.parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if !c.noArgs(fs, stderr) {
		return 2
	}
	path := configPath(*cfgPath)
	source := "file " + path + ", then MMOBOT_* variables"
	if path == "" {
		source = "no file: the defaults, then MMOBOT_* variables"
	}
	cfg, err := config.Load(path, os.Environ())
	if err != nil {
		fmt.Fprintf(stderr, "mmobot check-config: the config is not valid (%s):\n%v\n", source, err)
		return 1
	}
	fmt.Fprintf(stdout, "# The config is valid. Values in effect (%s); the token is masked.\n", source)
	fmt.Fprintf(stdout, "# Scheduled backups go to %s.\n", cfg.BackupDir())
	enc := yaml.NewEncoder(stdout)
	enc.SetIndent(2)
	if err := enc.Encode(cfg.Redacted()); err != nil {
		fmt.Fprintln(stderr, "mmobot check-config:", err)
		return 1
	}
	enc.Close()
	return 0
}
