package chat

import (
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
)

// verbDigestRemind reminds an association's leader of a document the
// digest says is due: aid, "p" plan | "r" report, school year.
const verbDigestRemind = "dl"

// maxDigestRows keeps the digest's keyboard within what a phone shows.
const maxDigestRows = 30

// digestButtons turn the digest's lines into what the coordinator can do
// from the message: open each association named, remind a leader of a
// document due (once a day), open each request waiting; and the overview
// as a spreadsheet.
func (b *Engine) digestButtons(r *Request, l loc, d *mmo.Digest) [][]Button {
	var kb [][]Button
	seen := map[uint64]bool{}
	open := func(a *mmo.Association) {
		if !seen[a.ID] {
			seen[a.ID] = true
			kb = append(kb, []Button{r.Button(l.T("conv_coord.open_association", "Name", a.Name), verbAssocCard, aid(a))})
		}
	}
	for _, x := range d.Docs {
		open(x.Association)
		kind := "p"
		if x.Kind == mmo.DocReport {
			kind = "r"
		}
		if x.Association.LeaderID != 0 {
			kb = append(kb, []Button{r.Button(l.T("conv_coord.remind_leader", "Name", x.Association.Name), verbDigestRemind,
				aid(x.Association), kind, strconv.Itoa(x.Year))})
		}
	}
	for _, x := range d.Members {
		open(x.Association)
	}
	for _, x := range d.Meetings {
		open(x.Association)
	}
	for _, x := range d.Consults {
		kb = append(kb, []Button{r.Button(l.T("conv_coord.open_request", "N", x.Consultation.ID), verbConsult, cid(x.Consultation))})
	}
	if len(kb) > maxDigestRows {
		kb = kb[:maxDigestRows]
	}
	return append(kb, []Button{r.Button(l.T("digest.overview_button"), verbOverviewXLSX)})
}

// onDigestRemind sends the leader a reminder of a document due, from the
// coordinator, at most once a day per document.
func (b *Engine) onDigestRemind(r *Request) error {
	a, ok, err := r.association(0)
	if !ok {
		return err
	}
	kind := mmo.DocPlan
	if r.Press.Arg(1) == "r" {
		kind = mmo.DocReport
	}
	year, err := strconv.Atoi(r.Press.Arg(2))
	if err != nil {
		return r.stale()
	}
	leader, err := r.Tx.User(a.LeaderID)
	if a.LeaderID == 0 || err != nil {
		r.Answer(r.T("conv_coord.no_leader"), true)
		return nil
	}
	owed, err := b.pendingDocs(r, a)
	if err != nil {
		return err
	}
	var due *mmo.DocDue
	for i := range owed {
		if owed[i].Kind == kind && owed[i].Year == year {
			due = &owed[i]
		}
	}
	if due == nil {
		r.Answer(r.T("conv_coord.nothing_due"), true)
		return nil
	}
	key := "digest_remind:" + aid(a) + ":" + kind + ":" + strconv.Itoa(year)
	today := r.Now.In(b.opt.Location).Format("02.01.2006")
	if string(r.Tx.Meta(key)) == today {
		r.Answer(r.T("conv_coord.reminded_already", "Date", today), true)
		return nil
	}
	if err := r.Tx.PutMeta(key, []byte(today)); err != nil {
		return err
	}
	ll := r.locOf(leader)
	what := ll.T("deadline.plan", "From", year, "To", year+1)
	verb := verbPlan
	if kind == mmo.DocReport {
		what = ll.T("deadline.report", "From", year, "To", year+1)
		verb = verbReport
	}
	if !leader.Blocked {
		r.Send(leader.ID, ll.T("conv_coord.leader_nudge", "What", rawArg(what), "Name", a.Name, "Date", due.Due.Format("02.01.2006")),
			[]Button{r.Button(ll.T("conv_coord.open_doc"), verb, aid(a), strconv.Itoa(year))})
	}
	r.Answer(r.T("conv_coord.reminded", "Name", a.Name), false)
	return nil
}
