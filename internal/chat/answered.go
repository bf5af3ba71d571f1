package chat

import "github.com/mmobot/mmobot/internal/recent"

// answeredSet remembers the latest updates whose reply was sent at once
// (see Engine.sendNow), which have no handled mark in the store: a batch
// the messenger delivers again (after a full disk held it, say) must not
// answer them twice. It keeps the last answeredKeep, far more than a
// batch of updates, so an update is remembered until it is confirmed.
type answeredSet struct {
	keys *recent.Map[answeredKey, struct{}]
}

type answeredKey struct {
	messenger string
	id        uint64
}

// answeredKeep is how many answered updates the set keeps.
const answeredKeep = 4096

func newAnsweredSet() answeredSet {
	return answeredSet{recent.New[answeredKey, struct{}](answeredKeep)}
}

func (s answeredSet) add(messenger string, id uint64) {
	s.keys.Put(answeredKey{messenger, id}, struct{}{})
}

func (s answeredSet) has(messenger string, id uint64) bool {
	_, ok := s.keys.Get(answeredKey{messenger, id})
	return ok
}
