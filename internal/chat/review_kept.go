package chat

// No dead buttons on a document sent for agreement: each coordinator's
// notice of a submitted plan or report, with «Согласовать / Принять /
// Вернуть», is recorded in the registry of sent messages under
// decisionKey, and once any coordinator decides, every such notice of
// that submission is redrawn to say what was decided, with only the
// button that opens the document. A submitted document cannot be sent
// again before a decision, so a decision is also what supersedes a
// version.

import (
	"strconv"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// decisionKey names coordinator uid's notice of the submission at sent of
// the kind's document of association a for year.
func decisionKey(kind string, a *mmo.Association, year int, sent time.Time, uid int64) string {
	return "dd:" + kind + ":" + aid(a) + ":" + strconv.Itoa(year) + ":" + strconv.FormatInt(sent.Unix(), 36) + ":" + strconv.FormatInt(uid, 10)
}

// retireDecision redraws every coordinator's notice of the submission
// just decided with the outcome: who decided, when, and the comment of a
// return.
func (b *Engine) retireDecision(r *Request, d yearDoc, a *mmo.Association, year int) error {
	coords, err := b.coordinators(r.Tx)
	if err != nil {
		return err
	}
	by := ""
	if r.User != nil {
		by = shortName(r.User.Name)
	}
	for _, c := range coords {
		text, kb := b.decisionView(r, r.locOf(c), d, a, year, by)
		r.editKeptElse(decisionKey(d.kind, a, year, d.state.SubmittedAt, c.ID), text, kb)
	}
	return nil
}

// decisionView is a coordinator's notice of a decided submission: the
// outcome, who decided and when, and the button that opens the document.
func (b *Engine) decisionView(r *Request, l loc, d yearDoc, a *mmo.Association, year int, by string) (string, []Button) {
	text := l.T(d.done, "Name", a.Name, "From", year, "To", year+1)
	if d.state.Status == mmo.DocReturned {
		text = l.T(d.returned, "Name", a.Name, "From", year, "To", year+1, "Comment", d.state.Comment)
	}
	text += "\n" + l.T("conv_wave3.decided_by", "Name", by, "Date", b.dateIn(l.lang, d.state.DecidedAt))
	return text, []Button{r.Button(l.T("doc.open"), d.verb, aid(a), strconv.Itoa(year))}
}
