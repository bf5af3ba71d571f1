package chat

import "math"

// Views that name people — the leader's card names everyone who
// answered, the check-in view everyone marked — outgrow one message in a
// large association: 4,096 characters hold about 250 short names. An
// edit cannot be split as a new message is, and the messenger refuses
// one too long, so such a view stopped changing at all once its lists
// grew. It is drawn with its lists cut instead, each to its first names
// and «и ещё N», as many as fit.

// nameCaps are the most names a view's list shows, tried in turn until
// the view fits: all of them first.
var nameCaps = []int{math.MaxInt, 200, 100, 50, 20, 10, 5, 0}

// fitNames draws a view with draw, its lists cut to at most n names each,
// with the most names that fit in max (textLen); with none, should even
// that not fit, which the messenger then refuses as before.
func fitNames(max int, draw func(n int) string) string {
	var text string
	for _, n := range nameCaps {
		if text = draw(n); textLen(text) <= max {
			break
		}
	}
	return text
}

// firstNames is at most n of names, and how many are left out.
func firstNames[T any](names []T, n int) ([]T, int) {
	if len(names) <= n {
		return names, 0
	}
	return names[:n], len(names) - n
}
