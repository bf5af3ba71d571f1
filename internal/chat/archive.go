package chat

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// archiveFile is one file of a year's archive.
type archiveFile struct {
	name string
	data []byte
}

// yearArchive builds the files of one association's school year: every
// document the retention warning promises — the plan, the report, every
// version of every protocol, the registration sheet of every held event,
// the year's attendance and the consultations — stamped, each under a
// name of its own. It returns nil when the association has nothing of
// that year.
func (b *Engine) yearArchive(r *Request, a *mmo.Association, year int) ([]archiveFile, error) {
	var files []archiveFile
	add := func(dir, name string, data []byte) {
		files = append(files, archiveFile{dir + name, data})
	}
	l := r.docLoc()
	if p, err := r.Tx.Plan(a.ID, year); err == nil {
		name, data, err := b.planFile(r, a, p)
		if err != nil {
			return nil, err
		}
		add("", name, data)
	} else if !errors.Is(err, mmo.ErrNotFound) {
		return nil, err
	}
	if _, err := r.Tx.Report(a.ID, year); err == nil {
		name, data, err := b.reportFile(r, a, year)
		if err != nil {
			return nil, err
		}
		add("", name, data)
	} else if !errors.Is(err, mmo.ErrNotFound) {
		return nil, err
	}
	from, to := b.opt.Regulation.YearSpan(year, b.opt.Location)
	events, err := r.Tx.AssociationEvents(a.ID, from, to)
	if err != nil {
		return nil, err
	}
	held := 0
	for _, e := range events {
		if !e.Held(r.Now) {
			continue
		}
		held++
		vs, err := r.Tx.MinutesVersions(e.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range vs {
			name, data, _, err := b.minutesFile(r, e, a, m)
			if err != nil {
				return nil, err
			}
			add(l.T("doc_archive.dir_minutes")+"/", name, data)
		}
		name, data, _, err := b.sheetFile(r, e, a)
		if err != nil {
			return nil, err
		}
		add(l.T("doc_archive.dir_sheets")+"/", name, data)
	}
	if held > 0 {
		name, data, err := b.yearSheetFile(r, a, year)
		if err != nil {
			return nil, err
		}
		add("", name, data)
	}
	if data, err := b.archiveConsultations(r, l, a, year); err != nil {
		return nil, err
	} else if data != nil {
		add("", docFileName(l.T("doc_archive.consultations", "Name", mmo.OfficialName(a.Name)))+".xlsx", data)
	}
	seen := map[string]int{}
	for i, f := range files {
		if n := seen[f.name]; n > 0 { // two sheets of a day, say
			files[i].name = fmt.Sprintf("%s (%d)", f.name, n+1)
		}
		seen[f.name]++
		files[i].data = b.stamp(f.name, f.data, r.Now)
	}
	return files, nil
}

// archiveConsultations is the list of an association's requests of the
// year, or nil when there were none.
func (b *Engine) archiveConsultations(r *Request, l loc, a *mmo.Association, year int) ([]byte, error) {
	all, err := r.Tx.AssociationConsultations(a.ID)
	if err != nil {
		return nil, err
	}
	t := render.Table{Sheet: l.T("consultx.sheet_list"), Title: l.T("doc_archive.consultations", "Name", mmo.OfficialName(a.Name)),
		Subtitle: []string{b.yearLabel(l, "sheet", year)},
		Headers: []string{l.T("consultx.col_n"), l.T("consultx.col_date"), l.T("doc_archive.col_asker"), l.T("consultx.col_category"),
			l.T("consultx.col_status"), l.T("doc_archive.col_question")}}
	for _, c := range all {
		if b.opt.Regulation.SchoolYearOf(c.CreatedAt, b.opt.Location) != year {
			continue
		}
		who := l.T("doc_archive.asker_other")
		if c.Member {
			who = l.T("doc_archive.asker_teacher")
		}
		t.Rows = append(t.Rows, []render.Cell{render.Int(int(c.ID)), render.Date(c.CreatedAt, b.opt.Location), render.Text(who),
			render.Text(categoryName(l, c.Category)), render.Text(statusName(l, c.Status)), render.Text(c.Question)})
	}
	if len(t.Rows) == 0 {
		return nil, nil
	}
	plainTable(&t)
	return render.XLSX(t)
}

// sendArchives sends a coordinator the archive of every association's
// school year (see yearArchives), each part stored as a blob and queued
// in transactions of its own beside the update; it tells whether there
// was any.
func (b *Engine) sendArchives(r *Request, to *mmo.User, year int) (bool, error) {
	parts, err := b.yearArchives(r, year)
	if err != nil || len(parts) == 0 {
		return false, err
	}
	for i := range parts {
		part := &parts[i]
		r.followUps = append(r.followUps, followUp{
			prepare: func() error { return b.storeArchive(part) },
			queue:   func(q *Request) { q.queueArchives(to, parts[i:i+1]) },
		})
	}
	return true, nil
}

// storeArchive stores a part's bytes as a blob, a chunk per transaction,
// once: the coordinators it goes to share it.
func (b *Engine) storeArchive(part *yearArchiveFile) error {
	if part.blob != 0 {
		return nil
	}
	id, err := b.db.PutBlob(part.data)
	if err != nil {
		return fmt.Errorf("store part %d of the %d archive: %w", part.part, part.year, err)
	}
	part.blob = id
	return nil
}

// archivePart is the most a part of a year's archive holds. A region's
// year is some 200 MB of documents: sent as one ZIP per association it
// was 1,500 messages to each coordinator. In parts of this size it is a
// few dozen, each within what every messenger accepts as a document, and
// each part's transaction in the outbox stays short.
const archivePart = 8 << 20

// yearArchiveFile is one part of a school year's archive, ready to send:
// a ZIP with a folder per association, from first to last by name.
type yearArchiveFile struct {
	name         string
	year         int
	part, parts  int
	associations int
	first, last  string // the associations' names
	data         []byte
	blob         uint64 // the data stored (storeArchive); 0 until then
}

// yearArchives builds the archive of a school year: every association
// that has records of it, a folder each, in ZIPs of at most archivePart
// (an association larger than that has a part of its own). It reads and
// renders a region's year (over a minute on the benchmarks' region), so
// the due scan runs it in a read transaction.
func (b *Engine) yearArchives(r *Request, year int) ([]yearArchiveFile, error) {
	if b.testHookArchives != nil {
		b.testHookArchives(r.Tx.Writable())
	}
	all, err := r.Tx.Associations()
	if err != nil {
		return nil, err
	}
	l := r.docLoc()
	var folders []archiveFolder
	for _, a := range all {
		files, err := b.yearArchive(r, a, year)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			continue
		}
		name := l.T("doc_archive.folder", "Name", mmo.OfficialName(a.Name))
		folders = append(folders, archiveFolder{name: name, dir: docFileName(name), files: files})
	}
	// In the order a person looks for a name: alphabetical in the
	// documents' language, «№ 7» before «№ 17».
	order := collate.New(language.Make(l.lang), collate.Numeric)
	slices.SortStableFunc(folders, func(x, y archiveFolder) int { return order.CompareString(x.dir, y.dir) })
	uniqueDirs(folders)
	groups := packArchive(folders, b.archivePart)
	period := b.yearLabel(l, "sheet", year)
	out := make([]yearArchiveFile, 0, len(groups))
	for i, g := range groups {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range g {
			for _, file := range f.files {
				w, err := zw.CreateHeader(&zip.FileHeader{Name: f.dir + "/" + file.name, Method: zip.Deflate, Modified: r.Now.In(b.opt.Location)})
				if err != nil {
					return nil, fmt.Errorf("archive of %d, part %d: %w", year, i+1, err)
				}
				if _, err := w.Write(file.data); err != nil {
					return nil, fmt.Errorf("archive of %d, part %d: %w", year, i+1, err)
				}
			}
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("archive of %d, part %d: %w", year, i+1, err)
		}
		name := l.T("doc_archive.file", "Period", period)
		if len(groups) > 1 {
			name = l.T("doc_archive.file_part", "Period", period, "Part", i+1, "Parts", len(groups))
		}
		out = append(out, yearArchiveFile{name: docFileName(name) + ".zip", year: year, part: i + 1, parts: len(groups),
			associations: len(g), first: g[0].name, last: g[len(g)-1].name, data: buf.Bytes()})
	}
	return out, nil
}

// archiveFolder is one association's files in a year's archive, under
// dir; name is the association as the caption names it.
type archiveFolder struct {
	name, dir string
	files     []archiveFile
}

// size is at least what the folder adds to a ZIP (see zipEntrySize).
func (f archiveFolder) size() int {
	n := 0
	for _, file := range f.files {
		n += zipEntrySize(f.dir+"/"+file.name, len(file.data))
	}
	return n
}

// zipEntrySize bounds what a file of n bytes under path adds to a ZIP:
// the data deflated (documents that are ZIPs already may grow a little),
// the path in the local header and again in the central directory, and
// the headers' fixed parts, the data descriptor and the timestamps.
func zipEntrySize(path string, n int) int { return n + n/100 + 2*len(path) + zipEntryOverhead }

// zipEntryOverhead is what a ZIP spends on an entry besides its path and
// data: local header 30 bytes, central directory record 46, data
// descriptor 16 (24 in ZIP64), an extended timestamp in each header 9,
// rounded up; zipEndOverhead is the end of the central directory.
const (
	zipEntryOverhead = 128
	zipEndOverhead   = 22
)

// packArchive groups folders, in their order, into parts of at most
// limit bytes each (by archiveFolder.size); a folder larger than limit
// is a part of its own.
func packArchive(folders []archiveFolder, limit int) [][]archiveFolder {
	var parts [][]archiveFolder
	size := 0
	for _, f := range folders {
		n := f.size()
		if len(parts) == 0 || size+n > limit {
			parts, size = append(parts, nil), zipEndOverhead
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], f)
		size += n
	}
	return parts
}

// uniqueDirs gives folders of one name (two associations named alike,
// or alike but for case, which Windows does not tell apart) names of
// their own: «Name (2)», «Name (3)».
func uniqueDirs(folders []archiveFolder) {
	used := map[string]bool{}
	for i, f := range folders {
		dir := f.dir
		for n := 2; used[strings.ToLower(dir)]; n++ {
			dir = fmt.Sprintf("%s (%d)", f.dir, n)
		}
		used[strings.ToLower(dir)] = true
		folders[i].dir = dir
	}
}

// queueArchives sends the parts of a year's archive to a user, each by
// its blob (see storeArchive): the transport reads the bytes when it
// sends, so no transaction carries them.
func (r *Request) queueArchives(to *mmo.User, parts []yearArchiveFile) {
	for _, f := range parts {
		l := r.locOf(to)
		count := rawArg(l.N("doc_archive.associations", f.associations))
		text := l.T("doc_archive.caption", "From", f.year, "To", f.year+1, "Associations", count)
		if f.parts > 1 {
			text = l.T("doc_archive.caption_part", "From", f.year, "To", f.year+1, "Part", f.part, "Parts", f.parts,
				"Associations", count, "First", f.first, "Last", f.last)
		}
		r.out = append(r.out, Message{Kind: KindDocument, to: to.ID, FileName: f.name,
			FileID: strconv.FormatUint(f.blob, 10), FileFrom: StoreFiles, Text: text})
	}
}

// retentionRemoval is when a school year's records go: at their expiry,
// but never sooner than a week after the coordinators were warned, so a
// bot that was down through the warning week still warns first.
func retentionRemoval(expiry, warnedAt time.Time) time.Time {
	if later := warnedAt.AddDate(0, 0, mmo.RetentionWarnDays); later.After(expiry) {
		return later
	}
	return expiry
}

// yearKey is a school year as the marks name it.
func yearKey(year int) string { return strconv.Itoa(year) }
