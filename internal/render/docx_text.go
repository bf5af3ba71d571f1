package render

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// docxTextLimit bounds the uncompressed main document part DOCXText reads,
// so that a hostile archive cannot exhaust memory.
const docxTextLimit = 64 << 20

// DOCXText extracts the text of a .docx for tests and checks: paragraphs and
// table rows in document order, one per line, each line ending in "\n".
// The cells of a row are separated by " | "; the paragraphs of one cell by
// "\n". Tabs come back as "\t" and line breaks as "\n". Text boxes inside a
// paragraph come before that paragraph. It uses only the standard library,
// so it does not depend on the library that wrote the file.
func DOCXText(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("render: docx text: %w", err)
	}
	name := docxMainPart(zr)
	f, err := zr.Open(name)
	if err != nil {
		return "", fmt.Errorf("render: docx text: %w", err)
	}
	defer f.Close()
	w := &docxWalker{}
	if err := w.walk(f); err != nil {
		return "", fmt.Errorf("render: docx text: %s: %w", name, err)
	}
	var sb strings.Builder
	for _, line := range w.out {
		sb.WriteString(line)
		sb.WriteByte('\n')
	}
	return sb.String(), nil
}

// docxMainPart is the name of the main document part, found through the
// package relationships, or the usual "word/document.xml".
func docxMainPart(zr *zip.Reader) string {
	const fallback = "word/document.xml"
	f, err := zr.Open("_rels/.rels")
	if err != nil {
		return fallback
	}
	defer f.Close()
	var rels struct {
		Rel []struct {
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if xml.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&rels) != nil {
		return fallback
	}
	for _, r := range rels.Rel {
		if strings.HasSuffix(r.Type, "/officeDocument") && r.Target != "" {
			return strings.TrimPrefix(path.Clean("/"+r.Target), "/")
		}
	}
	return fallback
}

// WordprocessingML namespaces: transitional (what Word writes) and strict.
const (
	docxNS       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	docxStrictNS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
)

// docxWalker collects the lines of a document part.
type docxWalker struct {
	out    []string
	paras  []*docxParaText  // open paragraphs, innermost last
	tables []*docxTableText // open tables, innermost last
	inText int              // depth inside w:t
}

type docxParaText struct {
	text  strings.Builder
	inRun int // depth of w:r elements of this very paragraph
}

type docxTableText struct {
	cells []string // the finished cells of the current row
	cell  []string // the lines of the current cell
	open  bool     // inside a w:tc
}

// emit adds a finished line to the innermost open table cell, or to the
// output when there is none below table level depth.
func (w *docxWalker) emit(depth int, line string) {
	for i := depth - 1; i >= 0; i-- {
		if t := w.tables[i]; t.open {
			t.cell = append(t.cell, line)
			return
		}
	}
	w.out = append(w.out, line)
}

func (w *docxWalker) walk(r io.Reader) error {
	lr := &io.LimitedReader{R: r, N: docxTextLimit + 1}
	dec := xml.NewDecoder(lr)
	for {
		tok, err := dec.Token()
		if err != nil && lr.N <= 0 {
			return fmt.Errorf("larger than %d bytes", docxTextLimit)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Space != docxNS && tok.Name.Space != docxStrictNS {
				continue
			}
			w.start(tok)
		case xml.EndElement:
			if tok.Name.Space != docxNS && tok.Name.Space != docxStrictNS {
				continue
			}
			w.end(tok)
		case xml.CharData:
			if w.inText > 0 && len(w.paras) > 0 {
				w.paras[len(w.paras)-1].text.Write(tok)
			}
		}
	}
}

// inRun tells whether the innermost paragraph has an open run: w:tab and
// w:br mean characters only there (w:tab is also a tab stop in w:tabs).
func (w *docxWalker) inRun() bool {
	return len(w.paras) > 0 && w.paras[len(w.paras)-1].inRun > 0
}

func (w *docxWalker) write(s string) {
	if w.inRun() {
		w.paras[len(w.paras)-1].text.WriteString(s)
	}
}

func (w *docxWalker) start(tok xml.StartElement) {
	switch tok.Name.Local {
	case "p":
		w.paras = append(w.paras, &docxParaText{})
	case "r":
		if len(w.paras) > 0 {
			w.paras[len(w.paras)-1].inRun++
		}
	case "t":
		if w.inRun() {
			w.inText++
		}
	case "tab", "ptab":
		w.write("\t")
	case "br", "cr":
		w.write("\n")
	case "noBreakHyphen":
		w.write("-")
	case "tbl":
		w.tables = append(w.tables, &docxTableText{})
	case "tr":
		if len(w.tables) > 0 {
			w.tables[len(w.tables)-1].cells = nil
		}
	case "tc":
		if len(w.tables) > 0 {
			t := w.tables[len(w.tables)-1]
			t.cell, t.open = nil, true
		}
	}
}

func (w *docxWalker) end(tok xml.EndElement) {
	switch tok.Name.Local {
	case "p":
		if n := len(w.paras); n > 0 {
			p := w.paras[n-1]
			w.paras = w.paras[:n-1]
			w.emit(len(w.tables), p.text.String())
		}
	case "r":
		if len(w.paras) > 0 && w.paras[len(w.paras)-1].inRun > 0 {
			w.paras[len(w.paras)-1].inRun--
		}
	case "t":
		if w.inText > 0 {
			w.inText--
		}
	case "tc":
		if len(w.tables) > 0 {
			t := w.tables[len(w.tables)-1]
			t.cells = append(t.cells, strings.Join(t.cell, "\n"))
			t.cell, t.open = nil, false
		}
	case "tr":
		if n := len(w.tables); n > 0 {
			t := w.tables[n-1]
			w.emit(n-1, strings.Join(t.cells, " | "))
			t.cells = nil
		}
	case "tbl":
		if n := len(w.tables); n > 0 {
			w.tables = w.tables[:n-1]
		}
	}
}
