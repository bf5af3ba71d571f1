package chat

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/mmo"
	"github.com/mmobot/mmobot/internal/render"
)

// The coordinator's overview: a short summary of the school year in the
// chat, every association in the XLSX. Both are drawn from the current
// year's records only (its events and requests, through the indexes),
// and the routes run in a read transaction (see engine_read.go).

// overviewRow is one association in the coordinator's overview.
type overviewRow struct {
	a                 *mmo.Association
	v                 assocView
	held, scheduled   int
	plan, report      mmo.DocStatus
	planYear, repYear int
	lastActivity      time.Time
}

// overview draws up a row per association of the current school year.
// The summary (full false) reads the associations and what the store
// keeps counted for them: members by state, each event's state and
// format in the association's event index, the documents' statuses; no
// membership, event or request is decoded. The XLSX (full) adds each
// leader's name and the last activity, which read the associations'
// members, this year's events and requests.
func (b *Engine) overview(r *Request, full bool) ([]overviewRow, error) {
	reg := b.opt.Regulation
	year := reg.SchoolYearOf(r.Now, b.opt.Location)
	from, to := reg.YearSpan(year, b.opt.Location)
	all, err := r.Tx.Associations()
	if err != nil {
		return nil, err
	}
	byAssoc := map[uint64][]*mmo.Consultation{}
	if full {
		// This year's requests, once, through the time index.
		consults, err := r.Tx.ConsultationsCreated(from, to)
		if err != nil {
			return nil, err
		}
		for _, c := range consults {
			byAssoc[c.AssociationID] = append(byAssoc[c.AssociationID], c)
		}
	}
	var rows []overviewRow
	for _, a := range all {
		if a.Archived() {
			continue
		}
		v := assocView{a: a}
		var ms []*mmo.Membership
		if full {
			if ms, err = r.Tx.Members(a.ID); err != nil {
				return nil, err
			}
			for _, m := range ms {
				if m.State == mmo.MemberActive {
					v.members++
				} else {
					v.pending++
				}
			}
			if a.LeaderID != 0 {
				if u, err := r.Tx.User(a.LeaderID); err == nil {
					v.leader = u
				}
			}
		} else if v.members, v.pending, err = r.Tx.CountMembers(a.ID); err != nil {
			return nil, err
		}
		v.status = mmo.AssociationStatus(a, v.members, reg.MinMembers)
		row := overviewRow{a: a, v: v, planYear: b.planYear(r.Now)}
		if row.repYear, err = b.reportYear(r, a); err != nil {
			return nil, err
		}
		var events []*mmo.Event
		if full {
			events, err = r.Tx.AssociationEvents(a.ID, from, to)
		} else {
			events, err = r.Tx.AssociationEventBriefs(a.ID, from, to)
		}
		if err != nil {
			return nil, err
		}
		row.held, row.scheduled = mmo.CountMeetings(events, r.Now)
		if full {
			row.lastActivity = mmo.LastActivity(a, events, ms, byAssoc[a.ID], r.Now)
		}
		if row.plan, err = b.docState(r, mmo.DocPlan, a, row.planYear); err != nil {
			return nil, err
		}
		if row.report, err = b.docState(r, mmo.DocReport, a, row.repYear); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// docStatusShort is the one word for where a plan or report is, the same
// everywhere: a plan is «черновик / на согласовании / согласован /
// возвращён», a report «черновик / сдан / принят / возвращён». A document
// nobody has saved yet is a draft too, as its leader sees it
// (docStatusLine): she opens it and finds «Черновик».
func docStatusShort(l loc, kind string, s mmo.DocStatus) string {
	switch s {
	case mmo.DocSubmitted:
		return l.T("doc_status." + kind + "_submitted")
	case mmo.DocApproved:
		return l.T("doc_status." + kind + "_approved")
	case mmo.DocReturned:
		return l.T("overview.returned")
	}
	return l.T("overview.draft")
}

// docCounts counts documents by status; one never saved counts as a
// draft, as docStatusShort names it.
type docCounts struct{ approved, submitted, returned, draft int }

func (c *docCounts) add(s mmo.DocStatus) {
	switch s {
	case mmo.DocApproved:
		c.approved++
	case mmo.DocSubmitted:
		c.submitted++
	case mmo.DocReturned:
		c.returned++
	default:
		c.draft++
	}
}

// cmdOverview shows the coordinator the school year at a glance: how many
// associations stand where, the meetings, the plans and the reports; the
// table of every association is the XLSX behind the button.
func (b *Engine) cmdOverview(r *Request) error {
	rows, err := b.overview(r, false)
	if err != nil {
		return err
	}
	l := r.loc()
	year := b.opt.Regulation.SchoolYearOf(r.Now, b.opt.Location)
	var active, forming, leaderless, held, scheduled, enough int
	var plans, reports docCounts
	for _, row := range rows {
		switch row.v.status {
		case mmo.StatusForming:
			forming++
		default:
			active++
		}
		if row.a.LeaderID == 0 {
			leaderless++
		}
		held += row.held
		scheduled += row.scheduled
		if row.held >= b.opt.Regulation.MinMeetings {
			enough++
		}
		plans.add(row.plan)
		reports.add(row.report)
	}
	var sb strings.Builder
	sb.WriteString(l.T("overview_summary.title", "From", year, "To", year+1))
	if len(rows) == 0 {
		sb.WriteString("\n\n" + l.T("assoc.catalog_empty"))
		r.Reply(sb.String(), r.homeRow())
		return nil
	}
	docs := func(key string, c docCounts) string {
		return l.T(key, "Approved", c.approved, "Submitted", c.submitted, "Returned", c.returned, "Draft", c.draft)
	}
	sb.WriteString("\n\n" + l.T("overview_summary.associations", "All", len(rows), "Active", active, "Forming", forming, "NoLeader", leaderless))
	sb.WriteString("\n" + l.T("overview_summary.meetings", "Held", held, "Scheduled", scheduled, "Min", b.opt.Regulation.MinMeetings, "Enough", enough, "All", len(rows)))
	sb.WriteString("\n" + docs("overview_summary.plans", plans))
	sb.WriteString("\n" + docs("overview_summary.reports", reports))
	sb.WriteString("\n\n" + l.T("overview_summary.more"))
	// The associations open from here, those that need the coordinator
	// first (no leader, a document waiting or missing), so that she acts
	// from the message; the rest are in the XLSX.
	slices.SortStableFunc(rows, func(x, y overviewRow) int { return cmp.Compare(attention(x), attention(y)) })
	var kb [][]Button
	for _, row := range rows[:min(len(rows), maxDigestRows)] {
		kb = append(kb, []Button{r.Button(assocLabel(l, row.a), verbAssocCard, aid(row.a))})
	}
	r.Reply(sb.String(), append(kb, []Button{r.Button(l.T("overview.xlsx"), verbOverviewXLSX)}, r.homeRow())...)
	return nil
}

// attention ranks an association for the overview's buttons: lower needs
// the coordinator sooner.
func attention(row overviewRow) int {
	switch {
	case row.a.LeaderID == 0:
		return 0
	case row.plan == mmo.DocSubmitted || row.report == mmo.DocSubmitted:
		return 1
	case row.plan != mmo.DocApproved:
		return 2
	}
	return 3
}

// onOverviewXLSX exports the overview: every association, one row each.
// A region's is a quarter of a second of reading and writing the table:
// it is built beside the update, in a read transaction of its own (see
// Engine.after), so that the transport's next updates, everyone's, do
// not wait for it. The press is answered at once.
func (b *Engine) onOverviewXLSX(r *Request) error {
	var name, caption string
	var data []byte
	r.followUps = append(r.followUps, followUp{
		reply: true,
		prepare: func() error {
			return b.db.View(func(tx *boltdb.Tx) error {
				var err error
				name, data, caption, err = b.overviewXLSX(b.besideRequest(tx, r))
				return err
			})
		},
		queue: func(q *Request) { q.ReplyDocument(name, data, caption) },
	})
	r.Answer(r.T("export.sending"), false)
	return nil
}

// overviewXLSX builds the overview's XLSX for r's reader in r's
// transaction: its file name, its bytes and its caption.
func (b *Engine) overviewXLSX(r *Request) (name string, data []byte, caption string, err error) {
	rows, err := b.overview(r, true)
	if err != nil {
		return "", nil, "", err
	}
	l := r.loc()
	t := render.Table{
		Sheet:    l.T("overview.sheet"),
		Title:    l.T("overview.xlsx_title"),
		Subtitle: []string{l.T("export.generated", "Date", b.dateTime(r.Now))},
		Headers: []string{l.T("overview.col_name"), l.T("overview.col_leader"), l.T("overview.col_members"), l.T("overview.col_status"),
			l.T("overview.col_held"), l.T("overview.col_scheduled"), l.T("overview.col_plan"), l.T("overview.col_report"), l.T("overview.col_activity")},
	}
	for _, row := range rows {
		leader := ""
		if row.v.leader != nil {
			leader = row.v.leader.Name
		}
		t.Rows = append(t.Rows, []render.Cell{render.Text(row.a.Name), render.Text(leader), render.Int(row.v.members),
			render.Text(plain(b.statusText(r, row.v))), render.Int(row.held), render.Int(row.scheduled),
			render.Text(plain(docStatusShort(l, mmo.DocPlan, row.plan))), render.Text(plain(docStatusShort(l, mmo.DocReport, row.report))),
			render.Date(row.lastActivity, b.opt.Location)})
	}
	plainTable(&t)
	if data, err = render.XLSX(t); err != nil {
		return "", nil, "", err
	}
	name = docFileName(l.T("doc_wave3.overview_file", "Date", b.date(r.Now))) + ".xlsx"
	return name, data, l.T("overview.caption"), nil
}
