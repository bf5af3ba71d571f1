// Command mmobot runs the Telegram and MAX bot of municipal methodological
// associations of teachers (ММО), and the commands that operate it: see
// `mmobot help`, or the commands table below.
//
// The config file is -config, else $MMOBOT_CONFIG, else ./config.yaml if
// present; every key can also come from MMOBOT_* environment variables.
//
// Exit codes: 0 success; 1 the command failed (or, for status, the bot is
// not ready or cannot be reached); 2 a usage or configuration error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mmobot/mmobot/internal/config"
)

// command is one of mmobot's commands.
type command struct {
	name    string
	args    string // what follows the name in its usage line
	summary string // one line for `mmobot help`
	about   string // what its -h says besides; may be empty
	run     func(c *command, args []string, stdout, stderr io.Writer) int
}

// commands is every command, in the order help lists them.
var commands []*command

func init() {
	commands = []*command{
		{name: "run", args: "[-config FILE] [-init]", summary: "run the bot (the default command)", run: runBot,
			about: "Runs the bot until SIGTERM or Ctrl-C. With -init it starts a new, empty database where the file is\n" +
				"empty, or missing beside other files, both of which it otherwise refuses as a lost database."},
		{name: "backup", args: "-o FILE [-config FILE]", summary: "write a compacted, checked copy of the database", run: runBackup,
			about: "Asks the running bot for a copy over its socket, or copies the file of a stopped bot. The copy is\n" +
				"compacted (no free pages), written through a temporary file and opened to check it before it\n" +
				"takes its name."},
		{name: "restore", args: "BACKUP_FILE [-config FILE]", summary: "put a backup in the place of the database (bot stopped)", run: runRestore,
			about: "Checks the backup, refuses while the bot runs, keeps the database it replaces as\n" +
				"<data>.replaced-<time>, and puts the backup in place in one rename."},
		{name: "compact", args: "[-config FILE]", summary: "shrink the database of a stopped bot to its data", run: runCompact,
			about: "Writes a compacted copy beside the database, checks it, keeps the file as it was as\n" +
				"<data>.before-compact-<time> and puts the copy in its place in one rename. The bot must be\n" +
				"stopped; `mmobot backup` writes a compacted copy while it runs."},
		{name: "sandbox", args: "[-demo] [-addr A] [-data FILE] [-v]", summary: "try the bot in a browser, without Telegram", run: runSandbox,
			about: "Runs the real bot against a fake Telegram and a fake MAX on this machine and serves a chat page to try it."},
		{name: "status", args: "[-q] [-config FILE] [-addr HOST:PORT]", summary: "say whether the running bot is ready, with its figures", run: runStatus,
			about: "Reads /readyz and /metrics of the running bot (http.addr of the config, or -addr). Exit code\n" +
				"0 when it is ready, 1 when it is not or cannot be reached: with -q, that is all it says (the\n" +
				"Docker image's HEALTHCHECK)."},
		{name: "version", summary: "print the version, commit and Go version", run: runVersion},
		{name: "check-config", args: "[-config FILE]", summary: "check a config and print the effective values, secrets masked", run: runCheckConfig,
			about: "Loads the config as `run` would (defaults, the file, MMOBOT_* variables) and prints every value\n" +
				"in effect, the token masked, or every problem found. Exit code 1 when there is one."},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelp(args[0]) {
		return runBot(find("run"), args, stdout, stderr) // flags of run, as before commands existed
	}
	name, rest := args[0], args[1:]
	if isHelp(name) || name == "help" {
		if len(rest) > 0 {
			if c := find(rest[0]); c != nil {
				return c.run(c, []string{"-h"}, stdout, stderr)
			}
			fmt.Fprintf(stderr, "mmobot help: unknown command %q\n\n", rest[0])
			usage(stderr)
			return 2
		}
		usage(stdout)
		return 0
	}
	c := find(name)
	if c == nil {
		fmt.Fprintf(stderr, "mmobot: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	return c.run(c, rest, stdout, stderr)
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

func find(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usage lists the commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "mmobot runs the Telegram and MAX bot of methodological associations of teachers (ММО).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: mmobot <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "`mmobot <command> -h` (or `mmobot help <command>`) tells more of each. The config file is -config,")
	fmt.Fprintln(w, "else $MMOBOT_CONFIG, else ./config.yaml if present; MMOBOT_* variables override it.")
}

// flags returns the command's flag set; its -h prints help.
func (c *command) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("mmobot "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and help are printed by parse
	return fs
}

// parse parses a command's flags. -h prints its help and exit code 0; a
// bad flag its error, the help, and 2. ok is false when the command is
// to stop with code.
func (c *command) parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		c.printHelp(fs, stdout)
		return 0, false
	}
	fmt.Fprintf(stderr, "mmobot %s: %v\n\n", c.name, err)
	c.printHelp(fs, stderr)
	return 2, false
}

func (c *command) printHelp(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\n%s.\n", strings.TrimSpace("mmobot "+c.name+" "+c.args), upperFirst(c.summary))
	if c.about != "" {
		fmt.Fprintf(w, "%s\n", c.about)
	}
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(w, "\nflags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// noArgs refuses arguments left after the flags.
func (c *command) noArgs(fs *flag.FlagSet, stderr io.Writer) bool {
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mmobot %s: unexpected argument %q (see mmobot %s -h)\n", c.name, fs.Arg(0), c.name)
		return false
	}
	return true
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// configFlag adds -config to a command's flags.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "config file (default $MMOBOT_CONFIG, else ./config.yaml if present)")
}

// configPath is the file to read: -config, else $MMOBOT_CONFIG, else
// ./config.yaml if present, else none (defaults and variables only).
func configPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if p := os.Getenv(config.EnvConfigPath); p != "" {
		return p
	}
	if _, err := os.Stat("config.yaml"); err == nil {
		return "config.yaml"
	}
	return ""
}
