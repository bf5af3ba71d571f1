package maxtest

import (
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// FaultKind is the kind of an injected fault.
type FaultKind int

const (
	// TooManyRequests answers 429 {"code":"too.many.requests",…} with a
	// Retry-After header of Fault.RetryAfter seconds (1 if 0; no header
	// if negative: MAX documents none, so a client must cope without).
	TooManyRequests FaultKind = iota + 1
	// InternalError answers a JSON 500 {"code":"internal.error",…}.
	InternalError
	// Unavailable answers a JSON 503 {"code":"service.unavailable",…},
	// with Retry-After like TooManyRequests when RetryAfter > 0.
	Unavailable
	// BadGateway answers 502 with a non-JSON HTML body, like a failing
	// reverse proxy in front of the API.
	BadGateway
	// Drop closes the connection without answering.
	Drop
	// Slow sleeps Fault.Delay, then answers normally.
	Slow
	// NotReady answers 400 {"code":"attachment.not.ready",…}, as MAX does
	// when a message attaches a file it is still processing.
	NotReady
)

// String returns the name of the kind.
func (k FaultKind) String() string {
	switch k {
	case TooManyRequests:
		return "TooManyRequests"
	case InternalError:
		return "InternalError"
	case Unavailable:
		return "Unavailable"
	case BadGateway:
		return "BadGateway"
	case Drop:
		return "Drop"
	case Slow:
		return "Slow"
	case NotReady:
		return "NotReady"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is an injected failure of the next matching calls.
type Fault struct {
	// Op is the operation it hits ("POST /messages", "GET /updates");
	// "" means any API call (not the upload host or file downloads).
	Op string
	// UserID restricts it to calls with that user_id; 0 means any.
	UserID int64
	// ChatID restricts it to calls with that chat_id; 0 means any.
	ChatID int64
	// Kind is what happens to the call.
	Kind FaultKind
	// RetryAfter is the Retry-After of a TooManyRequests or Unavailable
	// fault, in seconds.
	RetryAfter int
	// Delay is the delay of a Slow fault.
	Delay time.Duration
	// Count is how many calls it hits; values below 1 mean 1.
	Count int
}

// Inject adds a fault. Faults are consumed in order of injection by the
// matching calls. Except for Slow, a faulted call has no effect: nothing
// is sent, edited or committed. A faulted call does not count against the
// rate limit.
func (s *Server) Inject(f Fault) {
	if f.Count < 1 {
		f.Count = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// takeFault consumes the first fault matching the call, if any. s.mu must
// be held.
func (s *Server) takeFault(c *apiCall) *Fault {
	for i, f := range s.faults {
		if f.Op != "" && f.Op != c.op {
			continue
		}
		if f.UserID != 0 && c.get("user_id") != strconv.FormatInt(f.UserID, 10) {
			continue
		}
		if f.ChatID != 0 && c.get("chat_id") != strconv.FormatInt(f.ChatID, 10) {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		s.stats.Faults++
		hit := *f
		return &hit
	}
	return nil
}

const badGatewayHTML = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// applyFault carries out a fault; it reports whether the call is over
// (false for a Slow fault whose delay elapsed: the call goes on).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, req *Request, f *Fault) bool {
	retry := func() int {
		if f.RetryAfter < 0 {
			return 0
		}
		return max(f.RetryAfter, 1)
	}
	switch f.Kind {
	case Slow:
		if !s.watch.Sleep(r.Context(), f.Delay) {
			req.Description = "slow fault interrupted"
			s.record(req)
			return true
		}
		return false
	case TooManyRequests:
		s.answer(w, req, nil, &apiError{status: http.StatusTooManyRequests, code: "too.many.requests", msg: "Too many requests", retryAfter: retry()})
	case InternalError:
		s.answer(w, req, nil, &apiError{status: http.StatusInternalServerError, code: "internal.error", msg: "Internal error"})
	case Unavailable:
		ra := 0
		if f.RetryAfter > 0 {
			ra = f.RetryAfter
		}
		s.answer(w, req, nil, &apiError{status: http.StatusServiceUnavailable, code: "service.unavailable", msg: "Service unavailable", retryAfter: ra})
	case NotReady:
		s.answer(w, req, nil, &apiError{status: http.StatusBadRequest, code: "attachment.not.ready", msg: "Key: errors.process.attachment.file.not.processed"})
	case BadGateway:
		req.Status = http.StatusBadGateway
		req.Description = "502 Bad Gateway (HTML)"
		req.Response = []byte(badGatewayHTML)
		s.record(req)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, badGatewayHTML)
	case Drop:
		req.Description = "dropped"
		s.record(req)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	default:
		s.answer(w, req, nil, &apiError{status: http.StatusInternalServerError, code: "internal.error", msg: "maxtest: unknown fault kind " + f.Kind.String()})
	}
	return true
}

// EnforceRateLimit makes the server answer 429 to API calls beyond rps
// per second (a sliding window; GET /updates, the upload host and file
// downloads not counted), with Retry-After in whole seconds, at least 1.
// A refused call has no effect. 0 lifts the limit; DefaultRateLimit is
// MAX's reported limit.
func (s *Server) EnforceRateLimit(rps float64) {
	s.mu.Lock()
	s.rateLimit = rps
	s.mu.Unlock()
}

// checkRate counts a call at now against the rate limit, or returns the
// 429 that refuses it. s.mu must be held.
func (s *Server) checkRate(now time.Time) *apiError {
	if s.rateLimit <= 0 {
		return nil
	}
	capacity := int(math.Ceil(s.rateLimit))
	window := time.Duration(float64(capacity) / s.rateLimit * float64(time.Second))
	i := 0
	for i < len(s.recent) && !s.recent[i].Add(window).After(now) {
		i++
	}
	s.recent = s.recent[i:]
	if len(s.recent) >= capacity {
		wait := s.recent[len(s.recent)-capacity].Add(window).Sub(now)
		return &apiError{
			status: http.StatusTooManyRequests, code: "too.many.requests", msg: "Too many requests",
			retryAfter: max(1, int(math.Ceil(wait.Seconds()))),
		}
	}
	s.recent = append(s.recent, now)
	return nil
}

// Stats are counters of the server's activity.
type Stats struct {
	// Sent is the number of messages the bot sent successfully.
	Sent int
	// TooMany is the number of 429 answers (rate limit and faults).
	TooMany int
	// Faults is the number of calls hit by an injected fault.
	Faults int
	// ByOp is the number of successful (200) calls per operation.
	ByOp map[string]int
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByOp = make(map[string]int, len(s.stats.ByOp))
	for k, v := range s.stats.ByOp {
		st.ByOp[k] = v
	}
	return st
}
