package chat

import (
	"fmt"
	"path"
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
)

// verbReportZIP sends the annual report with the theses of the year's
// talks as one ZIP archive: aid, year.
const verbReportZIP = "rz"

// onReportZIP queues the report DOCX and the files of its attachment
// «Тезисы выступлений» as one archive. The theses are files members sent
// through a messenger, which the bot has only by the messenger's id: the
// transport fetches them when it delivers the archive (see Bundle), not
// here, inside the update's transaction.
func (b *Engine) onReportZIP(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	name, data, err := b.reportFile(r, a, year)
	if err != nil {
		return err
	}
	list, _, err := b.ReportThesesMaterials(r.Tx, a.ID, year)
	if err != nil {
		return err
	}
	lines, err := b.ReportTheses(r.Tx, r.docLoc().lang, a.ID, year)
	if err != nil {
		return err
	}
	l := r.docLoc()
	bundle := &Bundle{
		Index:    l.T("duties_wave3.zip_index") + ".txt",
		Head:     l.T("duties_wave3.zip_head", "Name", mmo.OfficialName(a.Name), "Period", b.yearLabel(l, "report", year)),
		Missing:  l.T("duties_wave3.zip_missing"),
		TooLarge: l.T("duties_wave3.zip_too_large"),
		Parts:    []BundlePart{{Name: name, Line: l.T("duties_wave3.zip_report", "File", name), Data: b.stamp(name, data, r.Now)}},
	}
	dir := l.T("duties_wave3.zip_theses_dir")
	if len(list) == 0 {
		bundle.Parts = append(bundle.Parts, BundlePart{Line: l.T("duties_wave3.zip_no_theses")})
	} else {
		bundle.Parts = append(bundle.Parts, BundlePart{Line: l.T("duties_wave3.zip_theses_head", "Dir", dir)})
	}
	for i, m := range list {
		line := lines[i]
		switch {
		case m.File != nil:
			from := m.File.Messenger
			if from == "" {
				from = "telegram"
			}
			file := thesesFileName(r, i+1, m, l.T("audit.deleted_user"))
			bundle.Parts = append(bundle.Parts, BundlePart{
				Name: dir + "/" + file, Line: line + " " + l.T("duties_wave3.zip_file", "File", file),
				FileID: m.File.FileID, From: from,
			})
		case m.Link != "":
			bundle.Parts = append(bundle.Parts, BundlePart{Line: line + " " + l.T("duties_wave3.zip_link", "Link", m.Link)})
		default:
			bundle.Parts = append(bundle.Parts, BundlePart{Line: line})
		}
	}
	r.out = append(r.out, Message{Kind: KindDocument, Chat: r.Update.Chat, messenger: r.Update.Messenger,
		FileName: docFileName(l.T("duties_wave3.zip_file_name", "Name", mmo.OfficialName(a.Name), "Period", b.yearLabel(l, "report", year))) + ".zip",
		Text:     r.T("duties_wave3.zip_caption", "Name", a.Name, "From", year, "To", year+1, "N", len(list)),
		Bundle:   bundle})
	r.Answer(r.T("duties_wave3.zip_sending"), false)
	return nil
}

// thesesFileName names a theses file in the archive: its number in the
// attachment, the author and the title, with the extension of the file
// the member sent.
func thesesFileName(r *Request, n int, m *mmo.Material, deleted string) string {
	author := deleted
	if u, err := r.Tx.User(m.AuthorID); err == nil && u.Name != "" {
		author = shortName(u.Name)
	}
	ext := path.Ext(m.File.Name)
	if len(ext) > 10 {
		ext = ""
	}
	return archiveName(fmt.Sprintf("%02d. %s — %s", n, author, m.Title)) + ext
}

// reportZIPButton is the report view's button for the archive, shown
// when the year has theses to go with the report.
func (b *Engine) reportZIPButton(r *Request, a *mmo.Association, year int) ([]Button, error) {
	list, _, err := b.ReportThesesMaterials(r.Tx, a.ID, year)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return []Button{r.Button(r.T("duties_wave3.zip_button", "N", len(list)), verbReportZIP, aid(a), strconv.Itoa(year))}, nil
}
