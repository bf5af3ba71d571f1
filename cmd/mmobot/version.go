package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/mmobot/mmobot/internal/metrics"
)

// version and commit are set at build time:
//
//	go build -ldflags "-X main.version=1.2.0 -X main.commit=$(git rev-parse --short HEAD)" ./cmd/mmobot
//
// (the Dockerfile does). Left empty, they are read from the build
// information Go records: the module's version for `go install …@v1.2.0`,
// the VCS revision for a build inside a clone.
var version, commit string

// buildInfo names this build: the -ldflags values, else what Go recorded,
// else "devel" and "unknown".
func buildInfo() metrics.Build {
	b := metrics.Build{Version: version, Commit: commit}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		if b.Commit == "" {
			dirty := false
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					b.Commit = s.Value[:min(12, len(s.Value))]
				case "vcs.modified":
					dirty = s.Value == "true"
				}
			}
			if dirty && b.Commit != "" {
				b.Commit += "-dirty"
			}
		}
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}

// runVersion is `mmobot version`.
func runVersion(c *command, args []string, stdout, stderr io.Writer) int {
	fs := c.flags()
	if code, ok := c.parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if !c.noArgs(fs, stderr) {
		return 2
	}
	b := buildInfo()
	fmt.Fprintf(stdout, "mmobot %s\ncommit %s\n%s %s/%s\n", b.Version, b.Commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}
