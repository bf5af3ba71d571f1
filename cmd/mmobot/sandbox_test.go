package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmobot/mmobot/internal/telegram/telegramtest"
)

func TestSandboxRefusesAddressesOtherMachinesReach(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, addr := range []string{"0.0.0.0:8088", ":8088", "192.168.0.10:8088", "8.8.8.8:8088"} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"sandbox", "-addr", addr}, &stdout, &stderr); code != 2 {
			t.Errorf("%s: exit code %d, want 2", addr, code)
		}
		if !strings.Contains(stderr.String(), "loopback") {
			t.Errorf("%s: the error does not explain: %s", addr, stderr.String())
		}
	}
	if _, err := os.Stat("data"); !os.IsNotExist(err) {
		t.Error("a refused sandbox left a database behind")
	}
}

func TestSandboxServesThePageAndStopsOnCtrlC(t *testing.T) {
	t.Chdir(t.TempDir())
	stdout, stderr := &telegramtest.LogBuffer{}, &telegramtest.LogBuffer{}
	exited := make(chan int, 1)
	go func() { exited <- run([]string{"sandbox", "-demo", "-addr", "127.0.0.1:0"}, stdout, stderr) }()

	// The address is printed once the page is served.
	re := regexp.MustCompile(`open (http://127\.0\.0\.1:\d+) in a browser`)
	var url string
	deadline := time.Now().Add(20 * time.Second)
	for url == "" {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case code := <-exited:
			t.Fatalf("exited with %d: %s%s", code, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no address printed: %s%s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stdout.String(), "demo data seeded") {
		t.Errorf("stdout: %s", stdout.String())
	}
	res, err := http.Get(url + "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Personas []struct {
			Registered bool `json:"registered"`
		} `json:"personas"`
	}
	json.NewDecoder(res.Body).Decode(&st)
	res.Body.Close()
	if len(st.Personas) == 0 || !st.Personas[0].Registered {
		t.Errorf("state %+v", st)
	}
	res, err = http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Contains(page, []byte("<title>")) || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("the page: %s %.100s", res.Header.Get("Content-Type"), page)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("exit code after Ctrl-C: %d\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the sandbox did not stop on Ctrl-C")
	}
	if !strings.Contains(stdout.String(), "Sandbox: stopped") {
		t.Errorf("stdout: %s", stdout.String())
	}
	if _, err := os.Stat("data/sandbox.db"); err != nil {
		t.Errorf("the sandbox database: %v", err)
	}
}
