package chat

import (
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// errStaleChoice is a protocol chosen that is no longer among those to
// choose from: the button is stale.
var errStaleChoice = errors.New("the protocol chosen is not among the signed ones")

// maxConsidered is how many signed protocols the leader chooses from:
// the newest; a plan or report is discussed at a recent заседание.
const maxConsidered = 8

// signedProtocols are the association's signed protocols from since to
// now, newest first, at most maxConsidered: the заседания a plan or
// report can have been discussed at.
func (b *Engine) signedProtocols(r *Request, a *mmo.Association, since time.Time) ([]mmo.Considered, error) {
	events, err := r.Tx.AssociationEvents(a.ID, since, r.Now)
	if err != nil {
		return nil, err
	}
	var out []mmo.Considered
	for _, e := range events {
		if e.Format != mmo.FormatMeeting {
			continue
		}
		vs, err := r.Tx.MinutesVersions(e.ID)
		if err != nil {
			return nil, err
		}
		for i := len(vs) - 1; i >= 0; i-- {
			if vs[i].Status == mmo.MinutesFinal && vs[i].Number > 0 {
				out = append(out, mmo.Considered{EventID: e.ID, Number: vs[i].Number, Date: e.Start})
				break
			}
		}
	}
	slices.SortStableFunc(out, func(x, y mmo.Considered) int { return y.Date.Compare(x.Date) })
	return out[:min(len(out), maxConsidered)], nil
}

// considered is the leader's answer to «Рассматривался ли … на заседании
// ММО?» carried by the pressed button's fourth argument: the signed
// protocol chosen, or «не рассматривался» ("0"). When the button carries
// no answer yet and there are signed protocols to choose from, it asks
// (what is "plan" or "report", verb the sending verb) and reports asked;
// with none to choose from, nothing is chosen (nil) and the line stays
// to fill in by hand.
func (b *Engine) considered(r *Request, a *mmo.Association, year int, since time.Time, what, verb string) (c *mmo.Considered, asked bool, err error) {
	protocols, err := b.signedProtocols(r, a, since)
	if err != nil {
		return nil, false, err
	}
	arg := r.Press.Arg(3)
	if arg == "" {
		if len(protocols) == 0 {
			return nil, false, nil
		}
		id, y := aid(a), strconv.Itoa(year)
		var kb [][]Button
		for _, p := range protocols {
			kb = append(kb, []Button{r.Button(r.T("doc_wave3.considered_protocol", "N", p.Number, "Date", b.date(p.Date)),
				verb, id, y, "y", strconv.FormatUint(p.EventID, 10))})
		}
		kb = append(kb, []Button{r.Button(r.T("doc_wave3.considered_none"), verb, id, y, "y", "0")})
		r.Reply(r.T("doc_wave3.considered_ask_"+what), kb...)
		return nil, true, nil
	}
	if arg == "0" {
		return &mmo.Considered{}, false, nil
	}
	for _, p := range protocols {
		if strconv.FormatUint(p.EventID, 10) == arg {
			return &p, false, nil
		}
	}
	return nil, false, errStaleChoice
}

// consideredLine is how a plan or report prints its Considered: the
// protocol chosen, or nothing for a document not discussed at a
// заседание; blank is printed when nothing was chosen.
func (b *Engine) consideredLine(l loc, c *mmo.Considered, blank string) []string {
	switch {
	case c == nil:
		if blank == "" {
			return nil
		}
		return []string{blank}
	case c.Discussed():
		return []string{l.T("doc_plan.considered", "N", c.Number, "Date", b.date(c.Date))}
	}
	return nil
}
