package boltdb_test

import (
	"io"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if regionDir != "" {
		os.RemoveAll(regionDir)
	}
	os.Exit(code)
}

func osMkdirTemp() (string, error) { return os.MkdirTemp("", "mmobot-seeded-") }

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
