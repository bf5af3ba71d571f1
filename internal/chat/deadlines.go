package chat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/boltdb"
	"github.com/mmobot/mmobot/internal/i18n"
	"github.com/mmobot/mmobot/internal/mmo"
)

// Callback verbs of the coordinator's overview and retention.
const (
	verbOverviewXLSX = "ox" // the overview as XLSX
	verbArchive      = "oa" // export a school year's records before removal: year
)

// dailyMark is the prefix of the mark of a day's daily jobs, followed by
// the day (2006-01-02): the latest tells when the bot last ran them.
const dailyMark = "daily:"

// dailyIfDue runs the daily jobs once a day, after the alert time: the
// coordinators' digest (drawn up beforehand, see draftDigest) and
// retention. The deadline reminders went just before, in transactions of
// their own (see actDue), each rung marked once.
func (b *Engine) dailyIfDue(r *Request, digest *digestDraft, warn *retentionDraft) (bool, error) {
	today, ok := mmo.DailyDue(r.Now, b.alerts.Hour(), b.alerts.Minute(), b.opt.Location)
	if !ok {
		return false, nil
	}
	day := today.Format("2006-01-02")
	if r.Tx.Marked(dailyMark + day) {
		return false, nil
	}
	if err := r.Tx.Mark(dailyMark + day); err != nil {
		return false, err
	}
	n := len(r.out)
	if err := b.sendDigest(r, digest); err != nil {
		return false, err
	}
	if err := b.retention(r, warn); err != nil {
		return false, err
	}
	return len(r.out) > n, nil
}

// systemRequest is a request with no user and nothing to answer, for
// scheduled jobs.
func (b *Engine) systemRequest(tx *boltdb.Tx) *Request {
	return &Request{bot: b, Tx: tx, Now: b.now(), Update: &Update{Messenger: b.opt.Transports[0].Messenger}, User: &mmo.User{}, Lang: i18n.Default}
}

// docState is a plan's or report's status for one association and year,
// from the documents index (read once per kind and year for a request).
func (b *Engine) docState(r *Request, kind string, a *mmo.Association, year int) (mmo.DocStatus, error) {
	k := docYear{kind, year}
	all, ok := r.docs[k]
	if !ok {
		var err error
		if all, err = r.Tx.DocumentStatuses(kind, year); err != nil {
			return "", err
		}
		if r.docs == nil {
			r.docs = map[docYear]map[uint64]mmo.DocStatus{}
		}
		r.docs[k] = all
	}
	return all[a.ID], nil
}

// docYear names the documents of one kind and school year.
type docYear struct {
	kind string
	year int
}

// pendingDocs lists the plans and reports an association still owes: those
// the deadline rules watch that are not yet submitted or approved.
func (b *Engine) pendingDocs(r *Request, a *mmo.Association) ([]mmo.DocDue, error) {
	var out []mmo.DocDue
	for _, d := range b.opt.Regulation.DocsWatched(a, r.Now, b.opt.Location) {
		st, err := b.docState(r, d.Kind, a, d.Year)
		if err != nil {
			return nil, err
		}
		if !st.Done() {
			out = append(out, d)
		}
	}
	return out, nil
}

// ladderReminders reminds leaders of plans and reports due: each rung of
// the ladder once, the latest one only after a downtime.
func (b *Engine) ladderReminders(r *Request, ids []uint64) error {
	today := mmo.Today(r.Now, b.opt.Location)
	for _, id := range ids {
		a, err := r.Tx.Association(id)
		if errors.Is(err, mmo.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if a.Archived() || a.LeaderID == 0 {
			continue
		}
		docs, err := b.pendingDocs(r, a)
		if err != nil {
			return err
		}
		for _, d := range docs {
			rung, ok := b.opt.Regulation.DueRung(d.Due, today)
			if !ok {
				continue
			}
			key := fmt.Sprintf("ladder:%s:%d:%d:%s", d.Kind, a.ID, d.Year, rung.Name)
			if r.Tx.Marked(key) {
				continue
			}
			if err := r.Tx.Mark(key); err != nil {
				return err
			}
			leader, err := r.Tx.User(a.LeaderID)
			if err != nil || leader.Blocked {
				continue
			}
			l := r.locOf(leader)
			verb, what := verbPlan, l.T("deadline.plan", "From", d.Year, "To", d.Year+1)
			if d.Kind == mmo.DocReport {
				verb, what = verbReport, l.T("deadline.report", "From", d.Year, "To", d.Year+1)
			}
			r.Send(leader.ID, l.T("deadline.reminder", "What", rawArg(what), "Name", a.Name, "Date", d.Due.Format("02.01.2006"), "When", rawArg(dueText(l, d.DaysLeft))),
				[]Button{r.Button(l.T("doc.open"), verb, aid(a), strconv.Itoa(d.Year))})
		}
	}
	return nil
}

// docDueLine is a plan's or a report's «Срок: …» on its card, with
// «сегодня» or «просрочен на N дней» while the document is owed, in the
// digest's words.
func (b *Engine) docDueLine(l loc, key string, due time.Time, status mmo.DocStatus, now time.Time) string {
	line := l.T(key, "Date", due.Format("02.01.2006"))
	if status.Done() {
		return line
	}
	if left := mmo.DaysBetween(mmo.Today(now, b.opt.Location), due, b.opt.Location); left <= 0 {
		line += " — " + dueText(l, left)
	}
	return line
}

// dueText is "in 7 days", "today", "3 days overdue".
func dueText(l loc, left int) string {
	switch {
	case left > 0:
		return l.N("deadline.in_days", left)
	case left == 0:
		return l.T("deadline.today")
	}
	return l.N("deadline.overdue_days", -left)
}

// digestDraft is the coordinators' digest drawn up for the day: to whom,
// and what; nil when there is nobody to send it to or nothing to say.
type digestDraft struct {
	to []*mmo.User
	d  mmo.Digest
}

// draftDigest draws up the digest. It reads every association's year, so
// the due scan runs it in a read transaction of its own, before the write
// transaction that sends it.
func (b *Engine) draftDigest(r *Request) (*digestDraft, error) {
	coords, err := b.coordinators(r.Tx)
	if err != nil || len(coords) == 0 {
		return nil, err
	}
	d, err := b.digestData(r)
	if err != nil || d.Empty() {
		return nil, err
	}
	return &digestDraft{to: coords, d: d}, nil
}

// sendDigest sends the coordinators one message a day with what needs
// their attention; nothing to say, nothing is sent. It runs among the
// daily jobs, whose mark keeps it to once a day. Each coordinator's
// digest is kept (see keepDigest), so that a reminder sent from it takes
// its button off.
func (b *Engine) sendDigest(r *Request, dd *digestDraft) error {
	if dd == nil {
		return nil
	}
	texts := map[string]string{} // the digest depends on the language only
	for _, c := range dd.to {
		l := r.locOf(c)
		text, ok := texts[l.lang]
		if !ok {
			text = b.digestText(l, &dd.d)
			texts[l.lang] = text
		}
		kb := b.digestButtons(r, l, &dd.d)
		if err := keepDigest(r, c.ID, text, kb); err != nil {
			return err
		}
		r.SendKept(c.ID, digestKey(c.ID), text, kb...)
	}
	return nil
}

// digestData loads what the digest is decided from and decides it.
func (b *Engine) digestData(r *Request) (mmo.Digest, error) {
	reg := b.opt.Regulation
	all, err := r.Tx.Associations()
	if err != nil {
		return mmo.Digest{}, err
	}
	from, to := reg.YearSpan(reg.SchoolYearOf(r.Now, b.opt.Location), b.opt.Location)
	// The digest lists the requests raised to the coordinators: those
	// still waiting after an escalation, from the deadline index.
	escalated, err := r.Tx.EscalatedConsultations()
	if err != nil {
		return mmo.Digest{}, err
	}
	byAssoc := map[uint64][]*mmo.Consultation{}
	for _, c := range escalated {
		byAssoc[c.AssociationID] = append(byAssoc[c.AssociationID], c)
	}
	var facts []mmo.AssociationFacts
	for _, a := range all {
		if a.Archived() {
			continue
		}
		f := mmo.AssociationFacts{Association: a}
		if f.Owed, err = b.pendingDocs(r, a); err != nil {
			return mmo.Digest{}, err
		}
		if f.Members, _, err = r.Tx.CountMembers(a.ID); err != nil {
			return mmo.Digest{}, err
		}
		if f.Events, err = r.Tx.AssociationEvents(a.ID, from, to); err != nil {
			return mmo.Digest{}, err
		}
		f.Consultations = byAssoc[a.ID]
		facts = append(facts, f)
	}
	return mmo.BuildDigest(facts, reg, r.Now, b.opt.Location), nil
}

// digestText renders the digest in one language.
func (b *Engine) digestText(l loc, d *mmo.Digest) string {
	var docs, members, meetings, consults []string
	for _, x := range d.Docs {
		what := l.T("deadline.plan", "From", x.Year, "To", x.Year+1)
		if x.Kind == mmo.DocReport {
			what = l.T("deadline.report", "From", x.Year, "To", x.Year+1)
		}
		docs = append(docs, l.T("digest.doc", "Name", x.Association.Name, "What", rawArg(what), "Date", x.Due.Format("02.01.2006"), "When", rawArg(dueText(l, x.DaysLeft))))
	}
	for _, x := range d.Members {
		members = append(members, l.T("digest.members", "Name", x.Association.Name, "Members", rawArg(l.N("count.members", x.Members)), "Min", b.opt.Regulation.MinMembers))
	}
	for _, x := range d.Meetings {
		meetings = append(meetings, l.T("digest.meetings", "Name", x.Association.Name, "Held", x.Held, "Scheduled", x.Scheduled, "Min", b.opt.Regulation.MinMeetings))
	}
	for _, x := range d.Consults {
		consults = append(consults, l.N("conv_wave3.digest_consult", x.Days, "N", x.Consultation.ID, "Name", x.Association.Name))
	}
	var sb strings.Builder
	sb.WriteString(l.T("digest.title", "Date", d.Day.Format("02.01.2006")))
	section := func(key string, lines []string) {
		if len(lines) == 0 {
			return
		}
		sb.WriteString("\n\n<b>" + l.T(key) + "</b>")
		for _, line := range lines {
			sb.WriteString("\n• " + line)
		}
	}
	section("digest.docs_title", docs)
	section("digest.members_title", members)
	section("digest.meetings_title", meetings)
	section("digest.consults_title", consults)
	return sb.String()
}

// retention warns the coordinators a week before a school year's records
// are removed, sending each the archive of the associations' year, then
// removes them. A year whose expiry passed while the bot was down is
// warned about first and removed a week after the warning; marks keep
// each step to once.
func (b *Engine) retention(r *Request, warn *retentionDraft) error {
	for _, due := range b.opt.Regulation.RetentionActions(r.Now, b.opt.Location) {
		year := due.Year
		warnKey, doneKey := "retention:warn:"+yearKey(year), "retention:done:"+yearKey(year)
		if r.Tx.Marked(doneKey) {
			continue
		}
		warnedAt, warned := r.Tx.MarkedAt(warnKey)
		if !warned {
			if err := r.Tx.Mark(warnKey); err != nil {
				return err
			}
			warnedAt = r.Now
			if err := b.retentionWarn(r, year, retentionRemoval(due.Expiry, warnedAt), warn); err != nil {
				return err
			}
		}
		if due.Action == mmo.RetentionRemove && !r.Now.Before(retentionRemoval(due.Expiry, warnedAt)) {
			if err := r.Tx.Mark(doneKey); err != nil {
				return err
			}
			// The removal itself runs after this transaction, in short
			// steps (purgeSome); the mark says what is left to remove, so a
			// restart resumes it.
			if err := r.Tx.PutMeta(metaPurge, []byte(strconv.Itoa(year))); err != nil {
				return err
			}
		}
	}
	return nil
}

// retentionDraft is what the daily job's warnings of retention send: the
// archives of each school year about to be warned of, built in a read
// transaction before the daily job's write (draftRetention), and, once
// the write warned, the coordinators to send them to, a share per
// transaction (sendRetentionArchives).
type retentionDraft struct {
	archives map[int][]yearArchiveFile // by school year
	send     []archiveSend             // filled by the warning
}

// archiveSend is a year's archive to send to one coordinator.
type archiveSend struct {
	to    *mmo.User
	files []yearArchiveFile
}

// draftRetention builds the archives of the school years whose warning is
// due and not yet given: the daily job's write then only queues them.
func (b *Engine) draftRetention(r *Request) (*retentionDraft, error) {
	d := &retentionDraft{archives: map[int][]yearArchiveFile{}}
	for _, due := range b.opt.Regulation.RetentionActions(r.Now, b.opt.Location) {
		year := due.Year
		if r.Tx.Marked("retention:done:"+yearKey(year)) || r.Tx.Marked("retention:warn:"+yearKey(year)) {
			continue
		}
		if has, err := b.hasYearRecords(r, year); err != nil || !has {
			if err != nil {
				return nil, err
			}
			continue
		}
		files, err := b.yearArchives(r, year)
		if err != nil {
			return nil, err
		}
		d.archives[year] = files
	}
	return d, nil
}

// sendRetentionArchives queues the archives the warnings promised, each
// part stored as a blob first (a chunk per transaction) and queued by it
// in a transaction of its own. A restart in
// between loses the rest of them, not the warning: its button builds the
// archive again on request.
func (b *Engine) sendRetentionArchives(warn *retentionDraft, act func(func(r *Request) (bool, error)) error) error {
	for _, s := range warn.send {
		for i := range s.files {
			// s.files is the year's, shared by its coordinators: the
			// part is stored once.
			if err := b.storeArchive(&s.files[i]); err != nil {
				return err
			}
			if err := act(func(r *Request) (bool, error) {
				r.queueArchives(s.to, s.files[i:i+1])
				return true, nil
			}); err != nil {
				return err
			}
		}
	}
	warn.send = nil
	return nil
}

// retentionWarn tells every coordinator that a year's records go on the
// day of removal, with the archive of the associations' year (drafted
// before the transaction, sent after it: see retentionDraft).
func (b *Engine) retentionWarn(r *Request, year int, removal time.Time, warn *retentionDraft) error {
	has, err := b.hasYearRecords(r, year)
	if err != nil || !has {
		return err
	}
	coords, err := b.coordinators(r.Tx)
	if err != nil {
		return err
	}
	for _, c := range coords {
		l := r.locOf(c)
		r.Send(c.ID, l.T("retention.warning", "From", year, "To", year+1, "Date", removal.In(b.opt.Location).Format("02.01.2006"),
			"Years", rawArg(l.N("doc_archive.years", b.opt.Regulation.RetentionYears))),
			[]Button{r.Button(l.T("retention.export_button", "From", year, "To", year+1), verbArchive, strconv.Itoa(year))})
		if warn != nil && warn.archives[year] != nil {
			warn.send = append(warn.send, archiveSend{to: c, files: warn.archives[year]})
		}
	}
	return nil
}

func (b *Engine) hasYearRecords(r *Request, year int) (bool, error) {
	from, to := b.opt.Regulation.YearSpan(year, b.opt.Location)
	return r.Tx.AnyEventBetween(from, to) || r.Tx.AnyConsultationCreated(from, to), nil
}

// metaPurge holds the school year whose removal is under way.
const metaPurge = "retention_purge"

// purgeSlice is how long one due scan spends removing an expired school
// year: a region's year is over a thousand steps of a few tens of
// milliseconds each, so it goes over some scans, each step a short
// transaction that others' updates interleave with.
const purgeSlice = 2 * time.Second

// purgeStepTime bounds the removals of one step (its commit comes on
// top): on a loaded machine a hundred scattered records took up to a few
// hundred milliseconds, and every user's update waits for the step.
const purgeStepTime = 20 * time.Millisecond

// purgeSome goes on removing the school year retention expired (see
// retention) for up to slice: everything before the year's end, each
// step a transaction of at most boltdb.PurgeLimit records and
// purgeStepTime of removing. It says in
// the log when the year is gone. It reports whether it wrote.
func (b *Engine) purgeSome(slice time.Duration) (bool, error) {
	var year int
	if err := b.db.View(func(tx *boltdb.Tx) error {
		if v := tx.Meta(metaPurge); len(v) > 0 {
			year, _ = strconv.Atoi(string(v))
		}
		return nil
	}); err != nil || year == 0 {
		return false, err
	}
	_, end := b.opt.Regulation.YearSpan(year, b.opt.Location)
	cut := boltdb.PurgeCut{Before: end, LastYear: year}
	var total boltdb.PurgeStats
	for stop := time.Now().Add(slice); ; {
		st, more, err := b.db.PurgeStepFor(cut, 0, purgeStepTime)
		if err != nil {
			return true, fmt.Errorf("remove school year %d: %w", year, err)
		}
		total.Records += st.Records
		if !more {
			break
		}
		if time.Now().After(stop) {
			return true, nil
		}
	}
	if err := b.db.Update(func(tx *boltdb.Tx) error { return tx.PutMeta(metaPurge, nil) }); err != nil {
		return true, err
	}
	b.log.Info("retention: removed a school year's records", "year", year, "last_records", total.Records)
	return true, nil
}

// onArchive sends the coordinator the archive of a school year again
// (see yearArchives), before the year is removed.
func (b *Engine) onArchive(r *Request) error {
	year, err := strconv.Atoi(r.Press.Arg(0))
	if err != nil {
		return r.stale()
	}
	sent, err := b.sendArchives(r, r.User, year)
	if err != nil {
		return err
	}
	if !sent {
		r.Answer(r.T("doc_archive.nothing"), true)
		return nil
	}
	r.Answer(r.T("export.sending"), false)
	return nil
}
