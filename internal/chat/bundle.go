package chat

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// Bundle, on a document, makes its file a ZIP archive of several files,
// some of which the bot has as bytes and some only as a messenger's id of
// a file a person sent. The conversation cannot fetch those while it
// handles an update (that would hold the store's transaction across a
// network call), so it queues the bundle and the transport packs it when
// it delivers the message (see Message.Pack), fetching each file then. A
// file that cannot be fetched does not fail the archive: the index says
// it is missing.
type Bundle struct {
	// Index is the name of the archive's index file, Head its first
	// lines; Missing follows the line of a file that could not be fetched,
	// TooLarge that of one left out for the archive's size.
	Index    string       `json:"i"`
	Head     string       `json:"h,omitempty"`
	Missing  string       `json:"m"`
	TooLarge string       `json:"tl"`
	Parts    []BundlePart `json:"p"`
}

// BundlePart is one file of a bundle, or a line of its index alone (a
// material that is a link, with no Name).
type BundlePart struct {
	// Name is its path in the archive ("" for a line alone); Line its line
	// in the index.
	Name string `json:"n,omitempty"`
	Line string `json:"l"`
	// Data are its bytes, or FileID (of messenger From) names the file
	// to fetch.
	Data   []byte `json:"d,omitempty"`
	FileID string `json:"id,omitempty"`
	From   string `json:"ff,omitempty"`
}

// MaxBundle bounds the archive: the messengers take a bot's file of up to
// 50 MB; files that would take it over are left out and said so.
const MaxBundle = 45 << 20

// fetchTimeout bounds the fetch of one file of a bundle, so that a
// messenger that does not answer delays the archive, never blocks it.
const fetchTimeout = 2 * time.Minute

// Pack makes the message's file the ZIP archive its Bundle describes,
// fetching the files it names by id with fetch. It is for a transport,
// on delivery, outside any store transaction. It returns how many files
// could not be fetched; the archive is made in any case.
func (m *Message) Pack(ctx context.Context, fetch FileFetcher) (missing int, err error) {
	if m.Bundle == nil {
		return 0, nil
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	index := []string{}
	if m.Bundle.Head != "" {
		index = append(index, m.Bundle.Head, "")
	}
	total := 0
	used := map[string]bool{}
	var files []BundlePart
	for _, p := range m.Bundle.Parts {
		line := p.Line
		if p.Name == "" {
			index = append(index, line)
			continue
		}
		data := p.Data
		if data == nil && p.FileID != "" {
			var ferr error
			if fetch == nil {
				ferr = fmt.Errorf("no fetcher of %s files", p.From)
			} else {
				fctx, cancel := context.WithTimeout(ctx, fetchTimeout)
				data, ferr = fetch(fctx, p.From, p.FileID)
				cancel()
			}
			if ferr != nil {
				if ctx.Err() != nil {
					return 0, ctx.Err() // cut by a shutdown: the message stays for the next start
				}
				data = nil
			}
		}
		switch {
		case data == nil:
			missing++
			index = append(index, line+" — "+m.Bundle.Missing)
			continue
		case total+len(data) > MaxBundle:
			missing++
			index = append(index, line+" — "+m.Bundle.TooLarge)
			continue
		}
		total += len(data)
		p.Name = uniqueName(used, p.Name)
		p.Data = data
		files = append(files, p)
		index = append(index, line)
	}
	if m.Bundle.Index != "" {
		// CRLF and a BOM: the index is read in Windows' Notepad as often
		// as anywhere.
		text := "\ufeff" + strings.Join(index, "\r\n") + "\r\n"
		if err := addZipFile(z, m.Bundle.Index, []byte(text)); err != nil {
			return 0, err
		}
	}
	for _, f := range files {
		if err := addZipFile(z, f.Name, f.Data); err != nil {
			return 0, err
		}
	}
	if err := z.Close(); err != nil {
		return 0, fmt.Errorf("close the archive: %w", err)
	}
	m.File, m.FileID, m.FileFrom, m.Bundle = buf.Bytes(), "", "", nil
	return missing, nil
}

// addZipFile adds a file; Go marks a name that is not ASCII as UTF-8,
// which every current unzipper reads as such, so Russian names stay.
func addZipFile(z *zip.Writer, name string, data []byte) error {
	w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, NonUTF8: false})
	if err != nil {
		return fmt.Errorf("add %q to the archive: %w", name, err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("add %q to the archive: %w", name, err)
	}
	return nil
}

// uniqueName returns name, or name with a number before its extension if
// an earlier file took it.
func uniqueName(used map[string]bool, name string) string {
	out := name
	ext := path.Ext(name)
	for i := 2; used[out]; i++ {
		out = strings.TrimSuffix(name, ext) + " (" + strconv.Itoa(i) + ")" + ext
	}
	used[out] = true
	return out
}

// archiveName makes a person's file name or a title safe as a file name
// inside an archive: no folders, no characters Windows refuses, not too
// long.
func archiveName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '/', '\\', ':', '*', '?', '"', '<', '>', '|':
			return '_'
		}
		if r < 0x20 {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100])
	}
	if s == "" || s == "." || s == ".." {
		s = "file"
	}
	return s
}
