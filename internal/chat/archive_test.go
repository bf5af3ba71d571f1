package chat

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"slices"
	"testing"
	"time"
)

// folderOf is a folder of files of the given sizes, random bytes that
// deflate cannot shrink (as documents that are ZIPs already).
func folderOf(dir string, sizes ...int) archiveFolder {
	f := archiveFolder{name: dir, dir: dir}
	for i, n := range sizes {
		data := make([]byte, n)
		rand.Read(data)
		f.files = append(f.files, archiveFile{name: "Протокол № " + string(rune('1'+i)) + ".docx", data: data})
	}
	return f
}

// TestPackArchive: folders go into parts in their order, each part at
// most the limit as written by archive/zip (the estimate bounds the real
// size), a folder over the limit in a part of its own.
func TestPackArchive(t *testing.T) {
	const limit = 100 << 10
	for _, c := range []struct {
		name    string
		folders []archiveFolder
		want    []int // folders per part
	}{
		{"none", nil, nil},
		{"one small", []archiveFolder{folderOf("А", 1000)}, []int{1}},
		{"three that fit", []archiveFolder{folderOf("А", 30<<10), folderOf("Б", 30<<10), folderOf("В", 30<<10)}, []int{3}},
		{"the third spills", []archiveFolder{folderOf("А", 40<<10), folderOf("Б", 40<<10), folderOf("В", 40<<10)}, []int{2, 1}},
		{"a folder over the limit alone", []archiveFolder{folderOf("А", 10<<10), folderOf("Б", 60<<10, 60<<10), folderOf("В", 10<<10)}, []int{1, 1, 1}},
		{"many files, names counted", []archiveFolder{folderOf("Очень длинное название объединения учителей", slices.Repeat([]int{1 << 10}, 45)...),
			folderOf("Другое объединение с длинным названием", slices.Repeat([]int{1 << 10}, 45)...)}, []int{1, 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			parts := packArchive(c.folders, limit)
			var got []int
			var order []string
			for i, p := range parts {
				got = append(got, len(p))
				var buf bytes.Buffer
				zw := zip.NewWriter(&buf)
				for _, f := range p {
					order = append(order, f.dir)
					for _, file := range f.files {
						w, err := zw.CreateHeader(&zip.FileHeader{Name: f.dir + "/" + file.name, Method: zip.Deflate, Modified: time.Now()})
						if err != nil {
							t.Fatal(err)
						}
						w.Write(file.data)
					}
				}
				zw.Close()
				if len(p) > 1 && buf.Len() > limit {
					t.Errorf("part %d of %d folders is %d bytes, over the limit of %d", i+1, len(p), buf.Len(), limit)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("folders per part %v, want %v", got, c.want)
			}
			var want []string
			for _, f := range c.folders {
				want = append(want, f.dir)
			}
			if !slices.Equal(order, want) {
				t.Errorf("folders in the order %q, want %q", order, want)
			}
		})
	}
}

// TestUniqueDirs: associations named alike, or alike but for case, get
// folders of their own; a name that happens to look numbered stays.
func TestUniqueDirs(t *testing.T) {
	folders := []archiveFolder{{dir: "ММО физики"}, {dir: "ММО физики"}, {dir: "ммо ФИЗИКИ"}, {dir: "ММО физики (2)"}, {dir: "ММО химии"}}
	uniqueDirs(folders)
	var got []string
	for _, f := range folders {
		got = append(got, f.dir)
	}
	want := []string{"ММО физики", "ММО физики (2)", "ммо ФИЗИКИ (3)", "ММО физики (2) (2)", "ММО химии"}
	if !slices.Equal(got, want) {
		t.Errorf("folders %q, want %q", got, want)
	}
}
