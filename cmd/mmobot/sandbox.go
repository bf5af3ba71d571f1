package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mmobot/mmobot/internal/sandbox"
)

// runSandbox runs `mmobot sandbox`: the real bot against an in-process
// fake Telegram Bot API server, with a chat page on a loopback address
// where one acts as the coordinator, a leader, a teacher or a parent. It
// needs no token and reads no config file: the sandbox is its own
// installation with its own database.
func runSandbox(c *command, args []string, stdout, stderr io.Writer) int {
	fs := c.flags()
	addr := fs.String("addr", sandbox.DefaultAddr, "where to serve the chat page; loopback addresses only")
	data := fs.String("data", sandbox.DefaultDataPath, "the sandbox's database (not the bot's own)")
	demo := fs.Bool("demo", false, "seed a city with two associations, members, events and a consultation into a new database")
	verbose := fs.Bool("v", false, "log what the bot does")
	if code, ok := c.parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mmobot sandbox: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	// The address is checked before anything is written, so a refused one
	// leaves no database behind.
	l, err := sandbox.Listen(*addr)
	if err != nil {
		fmt.Fprintln(stderr, "mmobot:", err)
		return 2
	}
	defer l.Close()

	level := "warn"
	if *verbose {
		level = "info"
	}
	sb, err := sandbox.New(sandbox.Options{DataPath: *data, Demo: *demo, Log: stderr, LogLevel: level})
	if err != nil {
		fmt.Fprintln(stderr, "mmobot:", err)
		return 1
	}
	if sb.Seeded {
		fmt.Fprintf(stdout, "Sandbox: demo data seeded into %s\n", *data)
	}
	if sb.Notice != "" {
		fmt.Fprintf(stdout, "Sandbox: %s\n", sb.Notice)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	fmt.Fprintf(stdout, "Sandbox: open http://%s in a browser (Ctrl-C stops it)\n", l.Addr())

	runErr := make(chan error, 1)
	go func() { runErr <- sb.Run(ctx) }()
	var result error
	select {
	case result = <-runErr:
		stop()
	case err := <-served:
		stop()
		result = fmt.Errorf("serve the page: %w", err)
		<-runErr
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	if err := sb.Close(); result == nil {
		result = err
	}
	if result != nil {
		fmt.Fprintln(stderr, "mmobot sandbox:", result)
		return 1
	}
	fmt.Fprintln(stdout, "Sandbox: stopped")
	return 0
}
