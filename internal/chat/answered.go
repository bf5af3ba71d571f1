package chat

import "sync"

// answeredSet remembers the latest updates whose reply was sent at once
// (see Engine.sendNow), which have no handled mark in the store: a batch
// the messenger delivers again (after a full disk held it, say) must not
// answer them twice. It keeps the last answeredKeep, far more than a
// batch of updates, so an update is remembered until it is confirmed.
type answeredSet struct {
	mu   sync.Mutex
	set  map[answeredKey]bool
	ring []answeredKey // the set's keys, oldest overwritten first
	next int
}

type answeredKey struct {
	messenger string
	id        uint64
}

// answeredKeep is how many answered updates the set keeps.
const answeredKeep = 4096

func (s *answeredSet) add(messenger string, id uint64) {
	k := answeredKey{messenger, id}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set == nil {
		s.set = make(map[answeredKey]bool, answeredKeep)
		s.ring = make([]answeredKey, 0, answeredKeep)
	}
	if s.set[k] {
		return
	}
	if len(s.ring) < answeredKeep {
		s.ring = append(s.ring, k)
	} else {
		delete(s.set, s.ring[s.next])
		s.ring[s.next] = k
		s.next = (s.next + 1) % answeredKeep
	}
	s.set[k] = true
}

func (s *answeredSet) has(messenger string, id uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set[answeredKey{messenger, id}]
}
