package chat

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/mmobot/mmobot/internal/mmo"
)

// verbDigestRemind reminds an association's leader of a document the
// digest says is due: aid, "p" plan | "r" report, school year.
const verbDigestRemind = "dl"

// verbDigestRemindRequest reminds whoever owes the answer to a request the
// digest lists (its consultant, else the leader): cid.
const verbDigestRemindRequest = "dq"

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
			kb = append(kb, []Button{r.Button(assocLabel(l, a), verbAssocCard, aid(a))})
		}
	}
	for _, x := range d.Docs {
		open(x.Association)
		kind, what := "p", l.T("conv_coord2.what_plan")
		if x.Kind == mmo.DocReport {
			kind, what = "r", l.T("conv_coord2.what_report")
		}
		if x.Association.LeaderID != 0 {
			label := nameLabel(l, x.Association.Name, "conv_coord.remind_leader", "What", what)
			kb = append(kb, []Button{r.Button(label, verbDigestRemind, aid(x.Association), kind, strconv.Itoa(x.Year))})
		}
	}
	for _, x := range d.Members {
		open(x.Association)
	}
	for _, x := range d.Meetings {
		open(x.Association)
	}
	for _, x := range d.Consults {
		kb = append(kb, []Button{r.Button(l.T("conv_coord.open_request", "N", x.Consultation.ID), verbConsult, cid(x.Consultation)),
			r.Button(l.T("conv_coord2.remind_request"), verbDigestRemindRequest, cid(x.Consultation))})
	}
	if len(kb) > maxDigestRows {
		kb = kb[:maxDigestRows]
	}
	return append(kb, []Button{r.Button(l.T("digest.overview_button"), verbOverviewXLSX)})
}

// digestKey names a coordinator's latest digest among the messages the
// bot keeps a handle on.
func digestKey(uid int64) string { return "digest:" + strconv.FormatInt(uid, 10) }

// digestMeta names what a coordinator's latest digest shows.
func digestMeta(uid int64) string { return "digest_view:" + strconv.FormatInt(uid, 10) }

// digestView is what a coordinator's latest digest shows, kept as it was
// sent: the digest is decided from the store at the time of the daily
// job, which changes during the day, so it cannot be drawn again to
// look the same; its text is kept instead, to redraw it with a button
// fewer.
type digestView struct {
	Text    string     `json:"t"`
	Buttons [][]Button `json:"kb"`
}

// keepDigest keeps what the digest sent to uid shows, in place of the
// day before's.
func keepDigest(r *Request, uid int64, text string, kb [][]Button) error {
	data, err := json.Marshal(digestView{Text: text, Buttons: kb})
	if err != nil {
		return fmt.Errorf("keep the digest: %w", err)
	}
	return r.Tx.PutMeta(digestMeta(uid), data)
}

// dropDigestButton takes the pressed reminder button off the digest it
// was on, the rest kept, once the press was answered: reminded, or
// nothing left to remind of. Only the coordinator's latest digest is
// redrawn; a press on an older one is answered and changes nothing.
func (b *Engine) dropDigestButton(r *Request) error {
	p := r.Update.Press
	rec, err := r.Tx.Sent(digestKey(r.User.ID))
	if err != nil {
		return ignoreGone(err)
	}
	if !r.onPressed(rec) {
		return nil
	}
	var v digestView
	if err := json.Unmarshal(r.Tx.Meta(digestMeta(r.User.ID)), &v); err != nil {
		return nil // nothing kept (a digest of an older version): left as it is
	}
	dropped := false
	var kb [][]Button
	for _, row := range v.Buttons {
		row = slices.DeleteFunc(slices.Clone(row), func(x Button) bool {
			if x.Verb == p.Verb && slices.Equal(x.Args, p.Args) {
				dropped = true
				return true
			}
			return false
		})
		if len(row) > 0 {
			kb = append(kb, row)
		}
	}
	if !dropped {
		return nil
	}
	if err := keepDigest(r, r.User.ID, v.Text, kb); err != nil {
		return err
	}
	// A digest too long for one message went in parts: the last one,
	// which carries the buttons, is the one redrawn.
	parts := splitText(v.Text, b.transport(r.Update.Messenger).MaxText)
	r.Edit(parts[len(parts)-1], kb...)
	return nil
}

// onDigestRemind reminds the leader of a document due and takes the
// button off the digest.
func (b *Engine) onDigestRemind(r *Request) error {
	if err := b.digestRemind(r); err != nil {
		return err
	}
	return b.dropDigestButton(r)
}

// digestRemind sends the leader a reminder of a document due, from the
// coordinator, at most once a day per document.
func (b *Engine) digestRemind(r *Request) error {
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
	if ok, err := b.remindOnceToday(r, "digest_remind:"+aid(a)+":"+kind+":"+strconv.Itoa(year)); !ok {
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

// remindOnceToday marks a coordinator's reminder under key as sent today,
// or, when one already went today, tells her so and returns false: a
// leader hears of one item from the coordinators at most once a day.
func (b *Engine) remindOnceToday(r *Request, key string) (bool, error) {
	today := r.Now.In(b.opt.Location).Format("02.01.2006")
	if string(r.Tx.Meta(key)) == today {
		r.Answer(r.T("conv_coord.reminded_already", "Date", today), true)
		return false, nil
	}
	return true, r.Tx.PutMeta(key, []byte(today))
}

// onDigestRemindRequest reminds of a request waiting and takes the
// button off the digest.
func (b *Engine) onDigestRemindRequest(r *Request) error {
	if err := b.digestRemindRequest(r); err != nil {
		return err
	}
	return b.dropDigestButton(r)
}

// digestRemindRequest reminds whoever owes the answer to a request still
// waiting for one: the consultant who has it, else the leader; at most
// once a day per request, with a word to the coordinator of whom she
// reminded.
func (b *Engine) digestRemindRequest(r *Request) error {
	c, a, _, ok, err := r.consultation(0)
	if !ok {
		return err
	}
	if !c.Open() || c.WaitingSince.IsZero() {
		r.Answer(r.T("conv_coord2.request_answered", "N", c.ID), true)
		return nil
	}
	to := c.AssigneeID
	if to == 0 {
		to = a.LeaderID
	}
	u, err := r.Tx.User(to)
	if to == 0 || err != nil || u.Blocked {
		r.Answer(r.T("conv_coord2.request_nobody", "N", c.ID), true)
		return nil
	}
	if ok, err := b.remindOnceToday(r, "digest_remind:q:"+cid(c)); !ok {
		return err
	}
	ll := r.locOf(u)
	days := mmo.WorkingDaysBetween(c.WaitingSince, r.Now, b.opt.Location)
	r.Send(u.ID, ll.T("conv_coord2.request_nudge", "N", c.ID, "Name", a.Name, "Days", rawArg(ll.N("conv_coord2.working_days", days))),
		[]Button{r.Button(ll.T("consult.open_button"), verbConsult, cid(c))})
	r.Answer(r.T("conv_coord2.request_reminded", "N", c.ID, "Who", shortName(u.Name)), false)
	return nil
}

// fromDigest reports whether the pressed button is on the coordinators'
// digest or overview, which stay as they are for their other lines: what
// opens from them opens below.
func (r *Request) fromDigest() bool {
	return r.Update.Press != nil && (r.hasButton(verbDigestRemind) || r.hasButton(verbOverviewXLSX))
}

// assocLabel is the button opening an association, its name shortened to
// what a phone shows.
func assocLabel(l loc, a *mmo.Association) string {
	return nameLabel(l, a.Name, "conv_coord.open_association")
}

// nameLabel renders the label key with a name shortened at a word
// boundary so that the whole label fits on a phone's button.
func nameLabel(l loc, name, key string, args ...any) string {
	fixed := l.T(key, append([]any{"Name", ""}, args...)...)
	return l.T(key, append([]any{"Name", labelName(fixed, name)}, args...)...)
}
