package main

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

// Docker cannot run where the tests run, so the image is checked through
// what it is made of: the Dockerfile's own go build line builds the
// binary here, with its flags as they stand, and the binary then runs as
// the image would run it, HEALTHCHECK included.

// dockerfile is the Dockerfile's instructions, continuation lines joined.
func dockerfile(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if s, ok := strings.CutSuffix(strings.TrimRight(line, " "), "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	return out
}

// words splits a shell command line into words, honouring double quotes
// (all the Dockerfile's build line uses) and expanding ${NAME} from vars.
func words(line string, vars map[string]string) []string {
	for k, v := range vars {
		line = strings.ReplaceAll(line, "${"+k+"}", v)
	}
	var out []string
	var w strings.Builder
	quoted, any := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, any = !quoted, true
		case r == ' ' && !quoted:
			if any {
				out = append(out, w.String())
				w.Reset()
				any = false
			}
		default:
			w.WriteRune(r)
			any = true
		}
	}
	if any {
		out = append(out, w.String())
	}
	return out
}

func TestDockerBuildFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary as the Dockerfile does")
	}
	var build, healthcheck []string
	env := map[string]string{}
	for _, ins := range dockerfile(t) {
		switch {
		case strings.HasPrefix(ins, "RUN ") && strings.Contains(ins, "go build"):
			cmd, _, _ := strings.Cut(strings.TrimPrefix(ins, "RUN "), "&&")
			build = words(cmd, map[string]string{"VERSION": "9.9.9-test", "COMMIT": "cafe123"})
		case strings.HasPrefix(ins, "ENV "):
			for _, kv := range words(strings.TrimPrefix(ins, "ENV "), nil) {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
		case strings.HasPrefix(ins, "HEALTHCHECK "):
			_, js, ok := strings.Cut(ins, " CMD ")
			if !ok || json.Unmarshal([]byte(js), &healthcheck) != nil {
				t.Fatalf("HEALTHCHECK is not CMD [json array]: %s", ins)
			}
		}
	}
	if len(build) == 0 || len(healthcheck) == 0 {
		t.Fatalf("the Dockerfile has no go build line (%v) or no HEALTHCHECK (%v)", build, healthcheck)
	}
	// CGO_ENABLED=0 go build -trimpath -ldflags=... -o /out/mmobot ./cmd/mmobot
	var buildEnv []string
	for len(build) > 0 && strings.Contains(build[0], "=") {
		buildEnv = append(buildEnv, build[0])
		build = build[1:]
	}
	joined := strings.Join(build, " ")
	for _, want := range []string{"-trimpath", "-X main.version=9.9.9-test", "-X main.commit=cafe123"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the build line lacks %s: %s", want, joined)
		}
	}
	if strings.Join(buildEnv, " ") != "CGO_ENABLED=0" || build[0] != "go" || build[1] != "build" {
		t.Fatalf("unexpected build line: %v %v", buildEnv, build)
	}
	bin := filepath.Join(t.TempDir(), "mmobot")
	for i, w := range build {
		if w == "-o" {
			build[i+1] = bin
		}
	}
	cmd := exec.Command(build[0], build[1:]...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), buildEnv...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", build, err, out)
	}

	// Static: no interpreter, no shared libraries.
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is not static: it has a %v program header", p.Type)
		}
	}
	f.Close()

	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "mmobot 9.9.9-test\ncommit cafe123\ngo") {
		t.Errorf("version of the image's binary: %v\n%s", err, out)
	}

	// The binary runs as the image runs it: the image's environment, a
	// working directory on the volume; its HEALTHCHECK says unhealthy
	// until the bot is ready, healthy once it is, and unhealthy again
	// once it stopped.
	srv := telegramtest.NewServer(t)
	data := t.TempDir()
	addr := freeAddr(t)
	runEnv := append(os.Environ(), "MMOBOT_TELEGRAM_TOKEN="+telegramtest.Token, "MMOBOT_TELEGRAM_API_ENDPOINT="+srv.Endpoint())
	for k, v := range env {
		v = strings.ReplaceAll(v, "/data", data)
		if k == "MMOBOT_HTTP_ADDR" {
			if v != ":9090" {
				t.Errorf("the image listens on %q, the README says :9090", v)
			}
			v = addr // not 9090: another program may use it here
		}
		runEnv = append(runEnv, k+"="+v)
	}
	health := func() int {
		c := exec.Command(bin, healthcheck[1:]...)
		c.Env, c.Dir = runEnv, data
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		err := c.Run()
		if out.Len() > 0 {
			t.Errorf("HEALTHCHECK printed %q", out.String())
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	if code := health(); code != 1 {
		t.Errorf("HEALTHCHECK before the bot runs: exit %d, want 1", code)
	}
	bot := exec.Command(bin, "run")
	bot.Env, bot.Dir = runEnv, data
	logs := &telegramtest.LogBuffer{}
	bot.Stdout, bot.Stderr = logs, logs
	if err := bot.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- bot.Wait() }()
	t.Cleanup(func() { bot.Process.Kill() })
	deadline := time.Now().Add(30 * time.Second)
	for health() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("HEALTHCHECK not healthy after 30 s; the bot's log:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The backup of the start is taken in the background; a SIGTERM
	// before it is written abandons it, as it should, so wait for it.
	for {
		if have, _ := filepath.Glob(filepath.Join(data, "backups", "mmo-*.db")); len(have) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no backup on the volume after 30 s; the bot's log:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	bot.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the bot's exit on SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the bot did not stop on SIGTERM")
	}
	if code := health(); code != 1 {
		t.Errorf("HEALTHCHECK after the bot stopped: exit %d, want 1", code)
	}
	if have, _ := filepath.Glob(filepath.Join(data, "backups", "mmo-*.db")); len(have) != 1 {
		t.Errorf("backups on the volume after the stop: %v, want the one of the start", have)
	}
	if !strings.Contains(logs.String(), "version=9.9.9-test commit=cafe123") {
		t.Errorf("the start is not logged with the version:\n%s", logs.String())
	}
}
