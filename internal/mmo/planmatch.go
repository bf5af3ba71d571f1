package mmo

import (
	"strings"
	"time"
	"unicode"
)

// PlanMatch is how the held events of a year meet the items of its plan.
type PlanMatch struct {
	// Event maps an item's ID to the held event that fulfilled it.
	Event map[int]*Event
	// Auto holds the items matched by the rule rather than linked by the
	// leader: the leader is asked to confirm them.
	Auto map[int]bool
	// Unmatched are the items no held event fulfilled; Unplanned the held
	// events that fulfil no item.
	Unmatched []PlanItem
	Unplanned []*Event
}

// MatchPlan matches held events (in date order) to plan items: an event
// the leader linked to an item fulfils it; then an item is fulfilled by
// a held event of the same month and format, or else by one whose topic
// is close to the item's (most of the item's words in it). Each event
// fulfils one item at most.
func MatchPlan(items []PlanItem, held []*Event, loc *time.Location) PlanMatch {
	m := PlanMatch{Event: map[int]*Event{}, Auto: map[int]bool{}}
	used := map[uint64]bool{}
	ids := map[int]bool{}
	for _, it := range items {
		ids[it.ID] = true
	}
	for _, e := range held {
		if e.PlanItem != 0 && ids[e.PlanItem] && m.Event[e.PlanItem] == nil {
			m.Event[e.PlanItem], used[e.ID] = e, true
		}
	}
	pick := func(it PlanItem, ok func(e *Event) bool) bool {
		for _, e := range held {
			if !used[e.ID] && e.PlanItem == 0 && ok(e) {
				m.Event[it.ID], m.Auto[it.ID], used[e.ID] = e, true, true
				return true
			}
		}
		return false
	}
	for _, it := range items {
		if m.Event[it.ID] != nil {
			continue
		}
		pick(it, func(e *Event) bool { return int(e.Start.In(loc).Month()) == it.Month && e.Format == it.Format })
	}
	for _, it := range items {
		if m.Event[it.ID] != nil {
			continue
		}
		pick(it, func(e *Event) bool { return TopicsClose(it.Topic, e.Topic) })
	}
	for _, it := range items {
		if m.Event[it.ID] == nil {
			m.Unmatched = append(m.Unmatched, it)
		}
	}
	for _, e := range held {
		if !used[e.ID] {
			m.Unplanned = append(m.Unplanned, e)
		}
	}
	return m
}

// TopicsClose reports whether most significant words of the planned
// topic (of four letters or more, compared by their first five letters,
// so «грамотность» meets «грамотности») are in the held one.
func TopicsClose(planned, held string) bool {
	stems := func(s string) map[string]bool {
		out := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			rs := []rune(w)
			if len(rs) < 4 {
				continue
			}
			out[string(rs[:min(5, len(rs))])] = true
		}
		return out
	}
	p, h := stems(planned), stems(held)
	if len(p) == 0 {
		return false
	}
	n := 0
	for w := range p {
		if h[w] {
			n++
		}
	}
	return n*2 > len(p) || n >= 3
}
