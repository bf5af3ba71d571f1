package chat

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"

	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// attended is an event the user was present at.
type attended struct {
	e *mmo.Event
	a *mmo.Association
}

// presence returns the user's marks of presence at events held by now
// with a start in [from, to) (zero from: since the first), from the
// user's attendance index and the start-time index alone: nothing is
// decoded, so counting a teacher's years costs their marks, not every
// event ever stored.
func (b *Engine) presence(r *Request, from, to time.Time) ([]boltdb.AttendanceRef, error) {
	if to.IsZero() || to.After(r.Now) {
		to = r.Now.Add(time.Second) // the index counts in seconds
	}
	refs, err := r.Tx.UserAttendance(r.User.ID, from, to)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(refs, func(x boltdb.AttendanceRef) bool {
		return x.Mark != mmo.MarkPresent || x.Start.After(r.Now) || r.Tx.EventState(x.Start, x.EventID) != mmo.EventPublished
	}), nil
}

// attendedEvents returns the events the user was marked present at with a
// start in [from, to) (zero from: since the first), in every association,
// by date; it decodes those events and their associations only.
func (b *Engine) attendedEvents(r *Request, from, to time.Time) ([]attended, error) {
	refs, err := b.presence(r, from, to)
	if err != nil {
		return nil, err
	}
	var out []attended
	assoc := map[uint64]*mmo.Association{}
	for _, x := range refs {
		e, err := r.Tx.Event(x.EventID)
		if err != nil {
			return nil, err
		}
		a, ok := assoc[e.AssociationID]
		if !ok {
			if a, err = r.Tx.Association(e.AssociationID); err != nil {
				return nil, err
			}
			assoc[e.AssociationID] = a
		}
		out = append(out, attended{e, a})
	}
	return out, nil
}

// cmdHistory shows how many events the user attended in each school year,
// with buttons for the participation record of a year or of all time.
func (b *Engine) cmdHistory(r *Request) error {
	list, err := b.presence(r, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		r.Reply(r.T("history.none"))
		return nil
	}
	years := map[int]int{}
	for _, x := range list {
		years[b.opt.Regulation.SchoolYearOf(x.Start, b.opt.Location)]++
	}
	keys := make([]int, 0, len(years))
	for y := range years {
		keys = append(keys, y)
	}
	slices.Sort(keys)
	slices.Reverse(keys)
	var sb strings.Builder
	sb.WriteString(r.T("history.title"))
	var kb [][]Button
	for _, y := range keys {
		sb.WriteString("\n• " + r.T("history.year", "From", y, "To", y+1) + " — " + r.N("history.events", years[y]))
		kb = append(kb, []Button{r.Button(r.T("history.year_button", "From", y, "To", y+1), verbHistory, strconv.Itoa(y))})
	}
	kb = append(kb, []Button{r.Button(r.N("history.all_button", len(list)), verbHistory, "all")})
	r.Reply(sb.String(), kb...)
	return nil
}

// onHistory sends the participation record as a DOCX for the portfolio
// of certification (аттестация).
func (b *Engine) onHistory(r *Request) error {
	l := r.loc()
	period := l.T("history.period_all")
	var from, to time.Time
	if arg := r.Press.Arg(0); arg != "all" {
		year, err := strconv.Atoi(arg)
		if err != nil {
			return r.stale()
		}
		from, to = b.opt.Regulation.YearSpan(year, b.opt.Location)
		period = l.T("history.period_year", "From", year, "To", year+1)
	}
	list, err := b.attendedEvents(r, from, to)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return r.stale()
	}
	doc := render.RecordDoc{
		Title: l.T("history.doc_title"),
		Lines: []string{
			l.T("history.doc_person", "Name", r.User.Name, "Position", r.User.Position, "School", r.User.School),
			l.T("history.doc_period", "Period", rawArg(period)),
		},
		Headers: []string{l.T("export.col_n"), l.T("history.col_date"), l.T("history.col_association"), l.T("history.col_format"), l.T("history.col_topic")},
		Footer: []string{
			l.N("history.doc_total", len(list)),
			l.T("history.doc_generated", "Date", b.dateTime(r.Now)),
		},
	}
	for i, x := range list {
		doc.Rows = append(doc.Rows, []string{strconv.Itoa(i + 1), x.e.Start.In(b.opt.Location).Format("02.01.2006"),
			x.a.Name, formatName(l, x.e.Format), x.e.Topic})
	}
	plainRecord(&doc)
	data, err := render.Record(doc)
	if err != nil {
		return err
	}
	r.ReplyDocument("participation-"+strings.ReplaceAll(r.Press.Arg(0), "all", "all-time")+".docx", data, l.T("history.caption"))
	r.Answer(r.T("export.sending"), false)
	return nil
}
