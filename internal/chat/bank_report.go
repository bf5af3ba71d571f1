package chat

import (
	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
)

// ReportTheses returns the lines of the annual report's attachment
// «Тезисы выступлений» of an association for a school year, in language
// lang: every approved theses material tied to one of its events of that
// year, by event and agenda item. The materials themselves are in the
// bank (ReportThesesMaterials gives them, for an archive with the report).
func (b *Engine) ReportTheses(tx *boltdb.Tx, lang string, aid uint64, year int) ([]string, error) {
	list, events, err := b.ReportThesesMaterials(tx, aid, year)
	if err != nil {
		return nil, err
	}
	l := loc{b.cat, lang}
	var out []string
	for i, m := range list {
		e := events[m.EventID]
		author := l.T("audit.deleted_user")
		if u, err := tx.User(m.AuthorID); err == nil {
			author = u.Name
		}
		item := ""
		if items := mmo.AgendaItems(e.Agenda); m.AgendaItem >= 1 && m.AgendaItem <= len(items) {
			item = l.T("bank.report_item", "N", m.AgendaItem, "Item", items[m.AgendaItem-1])
		}
		out = append(out, l.T("bank.report_line", "N", i+1, "Author", author, "Title", m.Title,
			"Topic", e.Topic, "Date", b.date(e.Start), "Item", rawArg(item)))
	}
	return out, nil
}

// ReportThesesMaterials returns the theses of ReportTheses as materials,
// with the events they refer to.
func (b *Engine) ReportThesesMaterials(tx *boltdb.Tx, aid uint64, year int) ([]*mmo.Material, map[uint64]*mmo.Event, error) {
	from, to := b.opt.Regulation.YearSpan(year, b.opt.Location)
	var all []*mmo.Material
	events := map[uint64]*mmo.Event{}
	err := tx.Materials(func(m *mmo.Material) bool {
		if m.Kind == mmo.MaterialTheses && m.AssociationID == aid && m.EventID != 0 {
			all = append(all, m)
		}
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	for _, m := range all {
		if _, ok := events[m.EventID]; ok {
			continue
		}
		e, err := tx.Event(m.EventID)
		if err != nil {
			continue // an event removed with its year: its theses are out of the report
		}
		events[e.ID] = e
	}
	list := mmo.ReportTheses(all, events, aid, from, to)
	if list == nil {
		return nil, events, nil
	}
	return list, events, nil
}
