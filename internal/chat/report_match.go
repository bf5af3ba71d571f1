package chat

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mmobot/mmobot/internal/mmo"
)

// verbReportMatch shows how the year's held events meet the plan, for the
// leader to confirm: aid, year, "y" to confirm the automatic matches.
const verbReportMatch = "rm"

// reportWarnings are what the leader confirms before sending the report:
// fewer заседания than the regulation asks, заседания without signed
// minutes, plan items of months already over that nothing fulfilled (a
// month still to come is not a failure, as in the document) and events
// held beyond the plan.
func (b *Engine) reportWarnings(l loc, f *yearFacts, now time.Time) []string {
	var out []string
	if min := b.opt.Regulation.MinMeetings; min > 0 && len(f.meetings) < min {
		out = append(out, l.T("doc_report.warn_meetings", "Held", len(f.meetings), "Min", min))
	}
	var unsigned []string
	for _, m := range f.meetings {
		if mn, ok := f.minutes[m.e.ID]; !ok || mn.Status != mmo.MinutesFinal {
			unsigned = append(unsigned, l.T("doc_report.meeting_ref", "N", m.number, "Date", b.date(m.e.Start)))
		}
	}
	if len(unsigned) > 0 {
		out = append(out, l.T("doc_report.warn_unsigned", "List", strings.Join(unsigned, ", ")))
	}
	if f.plan != nil {
		var items []string
		for _, it := range f.match.Unmatched {
			if b.itemDue(f, it, now) {
				items = append(items, monthName(l, it.Month)+" — "+it.Topic)
			}
		}
		if len(items) > 0 {
			out = append(out, l.T("doc_report.warn_unmatched", "List", esc(strings.Join(items, "; "))))
		}
		var events []string
		for _, e := range f.match.Unplanned {
			events = append(events, b.date(e.Start)+" «"+e.Topic+"»")
		}
		if len(events) > 0 {
			out = append(out, l.T("doc_report.warn_unplanned", "List", esc(strings.Join(events, "; "))))
		}
	}
	return out
}

// itemDue tells whether a plan item's month is over, so that nothing
// fulfilling it counts as a failure.
func (b *Engine) itemDue(f *yearFacts, it mmo.PlanItem, now time.Time) bool {
	return b.opt.Regulation.MonthOver(f.plan.Year, it.Month, now, b.opt.Location)
}

// onReportMatch shows the plan's fulfilment as the bot matched it, and on
// the leader's confirmation links the automatically matched events to
// their items, so the match holds whatever is added later. A wrong match
// is changed from the event's card («План»), which links it by hand.
func (b *Engine) onReportMatch(r *Request) error {
	a, year, ok, err := r.managedYear()
	if !ok {
		return err
	}
	f, err := b.facts(r, a, year)
	if err != nil {
		return err
	}
	if f.plan == nil {
		return r.stale()
	}
	l := r.loc()
	if r.Press.Arg(2) == "y" {
		for id := range f.match.Auto {
			e := f.match.Event[id]
			e.PlanItem = id
			if err := r.Tx.PutEvent(e); err != nil {
				return fmt.Errorf("save event %d: %w", e.ID, err)
			}
		}
		r.Answer(l.T("doc_report.match_confirmed"), false)
		if f, err = b.facts(r, a, year); err != nil {
			return err
		}
	}
	var sb strings.Builder
	sb.WriteString(l.T("doc_report.match_title", "Done", len(f.done), "Total", len(f.plan.Items)))
	for _, it := range f.plan.Items {
		e := f.match.Event[it.ID]
		line := monthName(l, it.Month) + " — " + esc(it.Topic)
		switch {
		case e == nil && !b.itemDue(f, it, r.Now):
			sb.WriteString("\n⏳ " + line)
		case e == nil:
			sb.WriteString("\n❌ " + line)
		case f.match.Auto[it.ID]:
			sb.WriteString("\n🔹 " + line + " ← " + b.date(e.Start) + " «" + esc(e.Topic) + "» " + l.T("doc_report.auto_mark"))
		default:
			sb.WriteString("\n✅ " + line + " ← " + b.date(e.Start) + " «" + esc(e.Topic) + "»")
		}
	}
	for _, e := range f.match.Unplanned {
		sb.WriteString("\n➕ " + b.date(e.Start) + " «" + esc(e.Topic) + "» " + l.T("doc_report.unplanned_mark"))
	}
	sb.WriteString("\n\n" + l.T("doc_report.match_hint"))
	id, y := aid(a), strconv.Itoa(year)
	var kb [][]Button
	if len(f.match.Auto) > 0 {
		kb = append(kb, []Button{r.Button(l.T("doc_report.match_confirm"), verbReportMatch, id, y, "y")})
	}
	kb = append(kb, []Button{r.Button(l.T("report.back"), verbReport, id, y)})
	r.Edit(sb.String(), kb...)
	return nil
}
