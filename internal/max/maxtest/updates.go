package maxtest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// wUpdateList is the schema's UpdateList.
type wUpdateList struct {
	Updates []json.RawMessage `json:"updates"`
	Marker  int64             `json:"marker"`
}

// getUpdates answers GET /updates, long polling without holding the lock.
// gone reports that the client went away and nothing must be answered.
func (s *Server) getUpdates(ctx context.Context, c *apiCall) (result any, aerr *apiError, gone bool) {
	limit, timeout := 100, 30
	var marker int64
	hasMarker := c.query.Has("marker") && c.get("marker") != ""
	var err error
	if v := c.get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			return nil, badRequest("limit must be from 1 to 1000"), false
		}
	}
	if v := c.get("timeout"); v != "" {
		if timeout, err = strconv.Atoi(v); err != nil || timeout < 0 || timeout > 90 {
			return nil, badRequest("timeout must be from 0 to 90"), false
		}
	}
	if hasMarker {
		if marker, err = strconv.ParseInt(c.get("marker"), 10, 64); err != nil {
			return nil, badRequest("marker must be an integer"), false
		}
	}
	var types map[string]bool
	if v := c.get("types"); v != "" {
		types = map[string]bool{}
		for _, t := range strings.Split(v, ",") {
			types[strings.TrimSpace(t)] = true
		}
	}

	s.mu.Lock()
	if hasMarker {
		s.commit(marker)
	}
	start := s.committed + 1
	if hasMarker && marker > start {
		start = marker
	}
	var timer *time.Timer
	var tc <-chan time.Time
	for {
		if types != nil {
			s.dropUnwanted(start, types)
		}
		ups, next := s.collect(start, limit)
		if len(ups) > 0 || timeout == 0 || s.opts.NoLongPoll || s.watch.Closed() {
			if len(ups) > 0 {
				s.watch.Last = time.Now()
			}
			s.mu.Unlock()
			if timer != nil {
				timer.Stop()
			}
			return wUpdateList{Updates: ups, Marker: next}, nil, false
		}
		if timer == nil {
			timer = time.NewTimer(time.Duration(timeout) * time.Second)
			tc = timer.C
		}
		ch := s.watch.Changed()
		s.mu.Unlock()
		select {
		case <-ch:
		case <-tc:
			// An update may have come as the timer fired: answer it, as
			// the marker returned is past it and would commit it unseen.
			s.mu.Lock()
			if types != nil {
				s.dropUnwanted(start, types)
			}
			ups, next := s.collect(start, limit)
			s.mu.Unlock()
			return wUpdateList{Updates: ups, Marker: next}, nil, false
		case <-ctx.Done():
			timer.Stop()
			return nil, nil, true
		case <-s.watch.Done():
		}
		s.mu.Lock()
	}
}

// commit drops the updates before a marker. s.mu must be held.
func (s *Server) commit(marker int64) {
	i := 0
	for i < len(s.updates) && s.updates[i].seq < marker {
		i++
	}
	if i == 0 && marker-1 <= s.committed {
		return
	}
	s.updates = s.updates[i:]
	if marker-1 > s.committed {
		s.committed = min(marker-1, s.nextSeq-1)
	}
	s.watch.Last = time.Now()
	s.watch.Broadcast()
}

// dropUnwanted drops the updates a types filter excludes: MAX does not
// deliver them. s.mu must be held.
func (s *Server) dropUnwanted(start int64, types map[string]bool) {
	kept := s.updates[:0]
	for _, u := range s.updates {
		if u.seq < start || types[u.typ] {
			kept = append(kept, u)
		}
	}
	if len(kept) != len(s.updates) {
		clear(s.updates[len(kept):])
		s.updates = kept
		s.watch.Broadcast()
	}
}

// collect returns the pending updates from start on, at most limit, and
// the marker of the next one. s.mu must be held.
func (s *Server) collect(start int64, limit int) ([]json.RawMessage, int64) {
	out := []json.RawMessage{} // "updates":[] even when empty: the schema wants an array
	next := max(start, s.nextSeq)
	for _, u := range s.updates {
		if u.seq < start {
			continue
		}
		if len(out) == limit {
			next = u.seq
			break
		}
		out = append(out, u.data)
	}
	return out, next
}

// enqueue queues an update and returns its sequence number. s.mu must be
// held.
func (s *Server) enqueue(typ string, u any) int64 {
	data, err := json.Marshal(u)
	if err != nil {
		panic("maxtest: marshal update: " + err.Error())
	}
	seq := s.nextSeq
	s.nextSeq++
	s.updates = append(s.updates, queuedUpdate{seq: seq, typ: typ, data: data})
	s.watch.Broadcast()
	return seq
}
