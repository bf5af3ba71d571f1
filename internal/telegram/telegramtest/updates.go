package telegramtest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

type queuedUpdate struct {
	id   int
	data json.RawMessage
}

// getUpdates answers getUpdates, long polling without holding the lock.
// gone reports that the client went away and nothing must be answered.
func (s *Server) getUpdates(ctx context.Context, c *call) (result any, aerr *apiError, gone bool) {
	offset, err1 := optInt(c.get("offset"))
	limit, err2 := optInt(c.get("limit"))
	timeoutSec, err3 := optFloat(c.get("timeout"))
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, badRequest("wrong parameter in getUpdates request"), false
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout := time.Duration(timeoutSec * float64(time.Second))

	s.mu.Lock()
	s.pollGen++
	gen := s.pollGen
	s.watch.Broadcast() // a waiting earlier poll is terminated with 409
	s.applyOffset(offset)
	var timer *time.Timer
	var tc <-chan time.Time
	for {
		if s.pollGen != gen {
			s.mu.Unlock()
			return nil, &apiError{code: 409, desc: descConflict}, false
		}
		ups := s.collect(offset, limit)
		if len(ups) > 0 || timeout <= 0 || s.opts.NoLongPoll || s.watch.Closed() {
			if len(ups) > 0 {
				s.watch.Last = time.Now()
			}
			s.mu.Unlock()
			if timer != nil {
				timer.Stop()
			}
			return ups, nil, false
		}
		if timer == nil {
			timer = time.NewTimer(timeout)
			tc = timer.C
		}
		ch := s.watch.Changed()
		s.mu.Unlock()
		select {
		case <-ch:
		case <-tc:
			return []json.RawMessage{}, nil, false
		case <-ctx.Done():
			timer.Stop()
			return nil, nil, true
		case <-s.watch.Done():
		}
		s.mu.Lock()
	}
}

// applyOffset forgets the updates an offset confirms. s.mu must be held.
func (s *Server) applyOffset(offset int) {
	switch {
	case offset > 0:
		i := 0
		for i < len(s.updates) && s.updates[i].id < offset {
			i++
		}
		s.updates = s.updates[i:]
		if offset-1 > s.confirmed {
			s.confirmed = offset - 1
		}
	case offset < 0:
		keep := -offset
		if len(s.updates) > keep {
			drop := len(s.updates) - keep
			if id := s.updates[drop-1].id; id > s.confirmed {
				s.confirmed = id
			}
			s.updates = s.updates[drop:]
		}
	default:
		return
	}
	s.watch.Last = time.Now()
	s.watch.Broadcast()
}

// collect returns the pending updates an offset selects. s.mu must be held.
func (s *Server) collect(offset, limit int) []json.RawMessage {
	var sel []queuedUpdate
	if offset < 0 {
		keep := -offset
		sel = s.updates
		if len(sel) > keep {
			sel = sel[len(sel)-keep:]
		}
	} else {
		for i, u := range s.updates {
			if u.id >= offset {
				sel = s.updates[i:]
				break
			}
		}
	}
	if len(sel) > limit {
		sel = sel[:limit]
	}
	out := make([]json.RawMessage, len(sel))
	for i, u := range sel {
		out[i] = u.data
	}
	return out
}

func optInt(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.Atoi(strings.TrimSpace(s))
}

func optFloat(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseFloat(strings.TrimSpace(s), 64)
}

// enqueue assigns the next update_id to u, queues it and returns the id.
// s.mu must be held.
func (s *Server) enqueue(u wUpdate) int {
	u.UpdateID = s.nextUpdateID
	s.nextUpdateID++
	data, err := json.Marshal(u)
	if err != nil {
		panic("telegramtest: marshal update: " + err.Error())
	}
	s.updates = append(s.updates, queuedUpdate{id: u.UpdateID, data: data})
	s.watch.Broadcast()
	return u.UpdateID
}
