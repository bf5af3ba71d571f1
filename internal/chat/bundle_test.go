package chat

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestPack: the archive holds the bytes given and the files fetched, a
// file that cannot be fetched or would make it too large is said so in
// the index, and names taken twice are told apart.
func TestPack(t *testing.T) {
	big := make([]byte, MaxBundle-10)
	m := Message{Kind: KindDocument, Bundle: &Bundle{
		Index: "Опись.txt", Head: "Заголовок", Missing: "нет", TooLarge: "велик",
		Parts: []BundlePart{
			{Name: "Отчёт.docx", Line: "отчёт", Data: []byte("docx")},
			{Line: "строка без файла"},
			{Name: "Т/a.pdf", Line: "первый", FileID: "ok1", From: "telegram"},
			{Name: "Т/a.pdf", Line: "второй", FileID: "ok2", From: "max"},
			{Name: "Т/b.pdf", Line: "третий", FileID: "gone", From: "telegram"},
			{Name: "Т/c.pdf", Line: "четвёртый", FileID: "big", From: "max"},
		},
	}}
	fetched := map[string]int{}
	fetch := func(_ context.Context, messenger, id string) ([]byte, error) {
		fetched[messenger+":"+id]++
		switch id {
		case "gone":
			return nil, errors.New("gone")
		case "big":
			return big, nil
		}
		return []byte(messenger + " " + id), nil
	}
	missing, err := m.Pack(context.Background(), fetch)
	if err != nil || missing != 2 {
		t.Fatalf("Pack = %d, %v; want 2 missing", missing, err)
	}
	if m.Bundle != nil || m.FileID != "" {
		t.Errorf("the message still names a bundle or a file id")
	}
	z, err := zip.NewReader(bytes.NewReader(m.File), int64(len(m.File)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range z.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = string(data)
		if f.NonUTF8 {
			t.Errorf("%q not marked UTF-8", f.Name)
		}
	}
	want := map[string]string{
		"Отчёт.docx": "docx", "Т/a.pdf": "telegram ok1", "Т/a (2).pdf": "max ok2",
		"Опись.txt": "\ufeffЗаголовок\r\n\r\nотчёт\r\nстрока без файла\r\nпервый\r\nвторой\r\nтретий — нет\r\nчетвёртый — велик\r\n",
	}
	if len(got) != len(want) {
		t.Errorf("files %q, want %q", got, want)
	}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s = %q, want %q", n, got[n], w)
		}
	}
	if len(fetched) != 4 {
		t.Errorf("fetched %v", fetched)
	}
}

// TestPackCutByShutdown: a fetch cut by the transport's shutdown fails
// the packing, so that the message stays queued for the next start
// instead of going out with files marked missing.
func TestPackCutByShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	m := Message{Kind: KindDocument, Bundle: &Bundle{Parts: []BundlePart{{Name: "a", Line: "a", FileID: "x", From: "telegram"}}}}
	_, err := m.Pack(ctx, func(ctx context.Context, _, _ string) ([]byte, error) {
		cancel()
		return nil, ctx.Err()
	})
	if err == nil || m.Bundle == nil {
		t.Errorf("Pack = %v, bundle %v; want the context's error and the bundle kept", err, m.Bundle)
	}
}

func TestArchiveName(t *testing.T) {
	for in, want := range map[string]string{
		"01. Иванова — «Тезисы»": "01. Иванова — «Тезисы»",
		"a/b\\c:d?":              "a_b_c_d_",
		"..":                     "file",
		" \x01x ":                "x",
		strings.Repeat("я", 150): strings.Repeat("я", 100),
	} {
		if got := archiveName(in); got != want {
			t.Errorf("archiveName(%q) = %q, want %q", in, got, want)
		}
	}
}
