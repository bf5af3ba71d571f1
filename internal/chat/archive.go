package chat

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// archiveFile is one file of a year's archive.
type archiveFile struct {
	name string
	data []byte
}

// yearArchive builds the archive of one association's school year: every
// document the retention warning promises — the plan, the report, every
// version of every protocol, the registration sheet of every held event,
// the year's attendance and the consultations. It returns nil when the
// association has nothing of that year.
func (b *Engine) yearArchive(r *Request, a *mmo.Association, year int) ([]byte, error) {
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
	if len(files) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	seen := map[string]int{}
	for _, f := range files {
		name := f.name
		if n := seen[name]; n > 0 { // two sheets of a day, say
			name = fmt.Sprintf("%s (%d)", name, n+1)
		}
		seen[f.name]++
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: r.Now.In(b.opt.Location)})
		if err != nil {
			return nil, fmt.Errorf("archive of association %d for %d: %w", a.ID, year, err)
		}
		if _, err := w.Write(b.stamp(f.name, f.data, r.Now)); err != nil {
			return nil, fmt.Errorf("archive of association %d for %d: %w", a.ID, year, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("archive of association %d for %d: %w", a.ID, year, err)
	}
	return buf.Bytes(), nil
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
// school year, one ZIP each; it tells whether there was any.
func (b *Engine) sendArchives(r *Request, to *mmo.User, year int) (bool, error) {
	files, err := b.yearArchives(r, year)
	if err != nil {
		return false, err
	}
	r.queueArchives(to, files)
	return len(files) > 0, nil
}

// yearArchiveFile is one association's archive of a school year, ready to
// send.
type yearArchiveFile struct {
	name, assoc string
	year        int
	data        []byte
}

// yearArchives builds the archive of every association's school year that
// has records. It reads and renders a region's year (over a minute on the
// benchmarks' region), so the due scan runs it in a read transaction.
func (b *Engine) yearArchives(r *Request, year int) ([]yearArchiveFile, error) {
	if b.testHookArchives != nil {
		b.testHookArchives(r.Tx.Writable())
	}
	all, err := r.Tx.Associations()
	if err != nil {
		return nil, err
	}
	l := r.docLoc()
	var out []yearArchiveFile
	for _, a := range all {
		data, err := b.yearArchive(r, a, year)
		if err != nil {
			return nil, err
		}
		if data == nil {
			continue
		}
		name := docFileName(l.T("doc_archive.file", "Name", mmo.OfficialName(a.Name), "Period", b.yearLabel(l, "sheet", year))) + ".zip"
		out = append(out, yearArchiveFile{name: name, assoc: a.Name, year: year, data: data})
	}
	return out, nil
}

// queueArchives sends the archives to a user.
func (r *Request) queueArchives(to *mmo.User, files []yearArchiveFile) {
	for _, f := range files {
		r.out = append(r.out, Message{Kind: KindDocument, to: to.ID, FileName: f.name, File: f.data,
			Text: r.TFor(to, "doc_archive.caption", "Name", f.assoc, "From", f.year, "To", f.year+1)})
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
