package mmo

import "testing"

func TestValidateNewsLink(t *testing.T) {
	tests := []struct {
		in   string
		want Code
	}{
		{"https://edu.example.ru/docs/plan.pdf", ""},
		{"  HTTPS://Example.ru  ", ""},
		{"http://example.ru", CodeInsecureLink},
		{"ftp://example.ru/a", CodeInsecureLink},
		{"example.ru", CodeInvalid},
		{"https://", CodeInvalid},
		{"https://a.ru/x y", CodeInvalid},
	}
	for _, tt := range tests {
		_, err := ValidateNewsLink(tt.in)
		if tt.want == "" && err != nil || tt.want != "" && ErrorCode(err) != tt.want {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestValidateNewsText(t *testing.T) {
	tests := []struct {
		in   string
		want Code
	}{
		{"Приказ о проведении олимпиады: https://edu.example.ru/1", ""},
		{"Смотрите http://edu.example.ru/1", CodeInsecureLink},
		{"Кратко", ""},
		{"Да", CodeTooShort},
	}
	for _, tt := range tests {
		_, err := ValidateNewsText(tt.in)
		if tt.want == "" && err != nil || tt.want != "" && ErrorCode(err) != tt.want {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestAddNewsFile(t *testing.T) {
	var files []NewsFile
	var err error
	for i := range NewsFiles {
		files, err = AddNewsFile(files, NewsFile{Size: int64(i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := AddNewsFile(files, NewsFile{}); ErrorCode(err) != CodeTooManyFiles {
		t.Errorf("a sixth file: %v", err)
	}
	if got, err := AddNewsFile(nil, NewsFile{Size: NewsFileMax + 1}); ErrorCode(err) != CodeFileTooLarge || len(got) != 0 {
		t.Errorf("a large file: %v %v", got, err)
	}
	if _, err := AddNewsFile(nil, NewsFile{Size: NewsFileMax}); err != nil {
		t.Errorf("a file of the limit: %v", err)
	}
}

func TestNewsFor(t *testing.T) {
	n := &News{AuthorID: 1, AssociationIDs: []uint64{5, 7}}
	if !n.For(1, nil) || !n.For(2, []uint64{3, 7}) || n.For(2, []uint64{3}) {
		t.Error("readers of an association's news")
	}
	all := &News{All: true}
	if !all.For(9, nil) {
		t.Error("news to all")
	}
}
