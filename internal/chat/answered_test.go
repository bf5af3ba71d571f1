package chat

import "testing"

// TestAnsweredSet: the set remembers the latest answeredKeep updates, per
// messenger, and forgets the oldest first.
func TestAnsweredSet(t *testing.T) {
	s := newAnsweredSet()
	for id := uint64(1); id <= answeredKeep+10; id++ {
		s.add("telegram", id)
	}
	s.add("telegram", answeredKeep+10) // again: nothing forgotten for it
	for _, c := range []struct {
		messenger string
		id        uint64
		want      bool
	}{
		{"telegram", 1, false},
		{"telegram", 11, true},
		{"telegram", answeredKeep + 10, true},
		{"max", 11, false},
	} {
		if got := s.has(c.messenger, c.id); got != c.want {
			t.Errorf("has(%s, %d) = %v, want %v", c.messenger, c.id, got, c.want)
		}
	}
	if n := s.keys.Len(); n != answeredKeep {
		t.Errorf("%d kept, want %d", n, answeredKeep)
	}
}
