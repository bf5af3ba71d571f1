package render

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Product is the application name the documents carry in their
// properties (docProps/app.xml), where the libraries that write them put
// their own name or «Microsoft Macintosh Word».
const Product = "mmobot"

// Properties are the document properties a methodist sees under File →
// Properties: who made the document (the organisation), the company, the
// application, and when it was made.
type Properties struct {
	Creator string    // «МБУ «Методический центр в системе образования»»; "" is Product
	Company string    // the organisation; may be empty
	Created time.Time // zero: no date (rather than a library's fixed one)
}

const (
	coreProps = "docProps/core.xml"
	appProps  = "docProps/app.xml"
)

var titleRE = regexp.MustCompile(`(?s)<dc:title>(.*?)</dc:title>`)

// WithProperties returns the OOXML package (DOCX or XLSX) data with its
// core and extended properties replaced by p: creator and last modified
// by, application, company, the dates, and the title it had. Every other
// part is copied unchanged. The libraries that write the documents name
// themselves there («xuri», «Go Excelize», «Microsoft Macintosh Word»)
// and date them 2006 or 2013, which an official paper must not.
func WithProperties(data []byte, p Properties) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("render: properties: %w", err)
	}
	title := ""
	for _, f := range zr.File {
		if f.Name != coreProps {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("render: properties: %w", err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("render: properties: %w", err)
		}
		if m := titleRE.FindSubmatch(b); m != nil {
			title = string(m[1]) // already escaped
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		var part []byte
		switch f.Name {
		case coreProps:
			part = corePropsXML(title, p)
		case appProps:
			part = appPropsXML(p)
		default:
			if err := zw.Copy(f); err != nil {
				return nil, fmt.Errorf("render: properties: %w", err)
			}
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err == nil {
			_, err = w.Write(part)
		}
		if err != nil {
			return nil, fmt.Errorf("render: properties: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("render: properties: %w", err)
	}
	return buf.Bytes(), nil
}

// xmlText escapes a property's text, cleaned and on one line.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(strings.Join(strings.Fields(clean(s)), " ")))
	return b.String()
}

// corePropsXML is the core properties part: the title (escaped already),
// the creator as creator and last modifier, and the dates when known.
func corePropsXML(title string, p Properties) []byte {
	creator := xmlText(p.Creator)
	if creator == "" {
		creator = Product
	}
	var sb strings.Builder
	sb.WriteString(xml.Header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"` +
		` xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	if title != "" {
		sb.WriteString(`<dc:title>` + title + `</dc:title>`)
	}
	sb.WriteString(`<dc:creator>` + creator + `</dc:creator><cp:lastModifiedBy>` + creator + `</cp:lastModifiedBy>`)
	if !p.Created.IsZero() {
		at := p.Created.UTC().Format(time.RFC3339)
		sb.WriteString(`<dcterms:created xsi:type="dcterms:W3CDTF">` + at + `</dcterms:created>` +
			`<dcterms:modified xsi:type="dcterms:W3CDTF">` + at + `</dcterms:modified>`)
	}
	sb.WriteString(`</cp:coreProperties>`)
	return []byte(sb.String())
}

// appPropsXML is the extended properties part: the application and the
// company, nothing a library left behind (its template's page and word
// counts were false anyway).
func appPropsXML(p Properties) []byte {
	s := xml.Header + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"` +
		` xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>` + Product + `</Application>`
	if c := xmlText(p.Company); c != "" {
		s += `<Company>` + c + `</Company>`
	}
	return []byte(s + `</Properties>`)
}
