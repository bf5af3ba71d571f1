package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestDocumentProperties: neither a DOCX nor an XLSX names the library
// that wrote it or «Microsoft Macintosh Word», or carries its dates; with
// Properties they name the organisation and mmobot, keep the title, and
// still open.
func TestDocumentProperties(t *testing.T) {
	docx, err := Form(FormDoc{Title: "План деятельности", Subtitle: []string{"учителей математики"}})
	if err != nil {
		t.Fatal(err)
	}
	xlsx, err := XLSX(Table{Sheet: "Лист", Headers: []string{"№"}, Rows: [][]Cell{{Int(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	org := "МБУ «Методический центр» & Ко"
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for name, data := range map[string][]byte{"docx": docx, "xlsx": xlsx} {
		for _, stamped := range []bool{false, true} {
			d := data
			if stamped {
				if d, err = WithProperties(data, Properties{Creator: org, Company: org, Created: at}); err != nil {
					t.Fatal(err)
				}
			}
			parts := docxParts(t, d)
			props := string(parts["docProps/core.xml"]) + string(parts["docProps/app.xml"])
			for _, bad := range []string{"xuri", "Excelize", "excelize", "Macintosh", "Microsoft", "godocx", "2006-09-16", "2013"} {
				if strings.Contains(props, bad) {
					t.Errorf("%s (stamped %v) properties name %q:\n%s", name, stamped, bad, props)
				}
			}
			want := []string{"<Application>mmobot</Application>"}
			if stamped {
				want = append(want, "<dc:creator>МБУ «Методический центр» &amp; Ко</dc:creator>",
					"<cp:lastModifiedBy>МБУ «Методический центр» &amp; Ко</cp:lastModifiedBy>",
					"<Company>МБУ «Методический центр» &amp; Ко</Company>", "2026-11-23T09:00:00Z")
			} else {
				want = append(want, "<dc:creator>mmobot</dc:creator>")
			}
			if name == "docx" {
				want = append(want, "<dc:title>План деятельности учителей математики</dc:title>")
			}
			for _, w := range want {
				if !strings.Contains(props, w) {
					t.Errorf("%s (stamped %v) properties lack %q:\n%s", name, stamped, w, props)
				}
			}
			if name == "docx" {
				if text, err := DOCXText(d); err != nil || !strings.Contains(text, "План деятельности") {
					t.Errorf("stamped docx does not read: %v %q", err, text)
				}
			} else if f, err := excelize.OpenReader(bytes.NewReader(d)); err != nil {
				t.Errorf("stamped xlsx does not open: %v", err)
			} else {
				f.Close()
			}
		}
	}
	if _, err := WithProperties([]byte("not a zip"), Properties{}); err == nil {
		t.Error("a file that is not a package was stamped")
	}
}
