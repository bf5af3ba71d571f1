package maxtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the bot token a Server accepts unless Options.Token says
// otherwise.
const Token = "maxtest-token_0123456789abcdefSECRET"

// Defaults of the bot identity answered by GET /me.
const (
	DefaultBotID       int64 = 9000001
	DefaultBotUsername       = "mmo_test_bot"
	DefaultBotName           = "MMO Test Bot"
)

// Default durations of the synchronisation helpers.
const (
	DefaultWaitTimeout = 10 * time.Second
	DefaultQuiet       = 150 * time.Millisecond
)

// DefaultRateLimit is the request rate MAX is reported to allow a bot, per
// second; EnforceRateLimit takes it or any other.
const DefaultRateLimit = 30

// Options configures a Server. The zero value is usable.
type Options struct {
	// Token is the bot token expected in the Authorization header;
	// default Token.
	Token string
	// BotID is the bot's user id; default DefaultBotID.
	BotID int64
	// BotUsername is the bot's username, used in deep links; default
	// DefaultBotUsername.
	BotUsername string
	// BotName is the bot's first name; default DefaultBotName.
	BotName string
	// Now is the clock of timestamps; default time.Now. Waiting, long
	// polling and the rate limit always use the real clock.
	Now func() time.Time
	// NoLongPoll makes GET /updates answer at once even when there is
	// nothing and a timeout was asked for, to test that a bot does not
	// spin.
	NoLongPoll bool
	// FirstMarker is the sequence number of the first update; default 1.
	FirstMarker int64
}

// Request is one recorded HTTP request.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the URL path ("/messages", "/upload/3", "/files/2/a.pdf").
	Path string
	// Query is the query string.
	Query url.Values
	// ContentType is the Content-Type header.
	ContentType string
	// Body is the request body; nil for an upload of file bytes (see
	// Description).
	Body []byte
	// Authorized reports that the Authorization header held the token.
	Authorized bool
	// At is when the request arrived.
	At time.Time
	// Status is the HTTP status answered, 0 when none was (a Drop fault,
	// a client gone before the answer).
	Status int
	// Code is MAX's error code of a refused call ("chat.denied").
	Code string
	// Description is the error message of a refused call, or a note.
	Description string
	// Response is the body answered.
	Response []byte
}

// Op is the method and path, e.g. "POST /messages"; the upload host and
// file downloads are "POST /upload" and "GET /files" whatever the rest.
func (r Request) Op() string { return opOf(r.Method, r.Path) }

func opOf(method, path string) string {
	switch {
	case strings.HasPrefix(path, "/upload/"):
		path = "/upload"
	case strings.HasPrefix(path, "/files/"):
		path = "/files"
	}
	return method + " " + path
}

type queuedUpdate struct {
	seq  int64
	typ  string
	data json.RawMessage
}

// Server is a fake MAX Bot API server. Create it with NewServer or Start.
// All methods are safe for concurrent use.
type Server struct {
	opts    Options
	ts      *httptest.Server
	handler http.Handler
	base    string // URL of the server as clients reach it
	done    chan struct{}
	once    sync.Once

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change

	updates   []queuedUpdate // not committed, in order
	nextSeq   int64
	committed int64 // every update up to this one is committed

	users      map[int64]*userState
	chats      map[int64]*chatState
	instance   uint32 // in message ids, so that two runs never share one
	nextMsg    int64
	callbacks  map[string]*callbackState
	nextCB     int64
	uploads    map[string]*uploadSlot // by slot id
	nextUpload int64
	files      map[string]*storedFile // by token
	filesByID  map[string]*storedFile // by download path id
	nextFile   int64

	commands []BotCommand // the bot's menu, as PATCH /me set it

	calls      map[string]int
	requests   []Request
	unexpected []string

	faults    []*Fault
	rateLimit float64
	recent    []time.Time // calls counted by the rate limit
	stats     Stats

	lastActivity time.Time
	inflight     int
	waitTimeout  time.Duration
	quiet        time.Duration
}

// NewServer starts a Server for a test or benchmark and closes it when the
// test ends, failing the test if the bot made calls the fake does not
// implement. At most one Options may be given.
func NewServer(tb testing.TB, opts ...Options) *Server {
	tb.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s := Start(o)
	tb.Cleanup(func() {
		s.Close()
		if u := s.Unexpected(); len(u) > 0 {
			tb.Errorf("maxtest: unexpected calls: %s", strings.Join(u, "; "))
		}
	})
	return s
}

// Start starts a Server without a testing.TB (sandbox, benchmarks run by
// hand). The caller must Close it.
func Start(opts Options) *Server {
	s := newServer(opts)
	s.ts = httptest.NewServer(s.handler)
	s.base = s.ts.URL
	return s
}

func newServer(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = Token
	}
	if opts.BotID == 0 {
		opts.BotID = DefaultBotID
	}
	if opts.BotUsername == "" {
		opts.BotUsername = DefaultBotUsername
	}
	if opts.BotName == "" {
		opts.BotName = DefaultBotName
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FirstMarker <= 0 {
		opts.FirstMarker = 1
	}
	s := &Server{
		opts:        opts,
		done:        make(chan struct{}),
		changed:     make(chan struct{}),
		nextSeq:     opts.FirstMarker,
		committed:   opts.FirstMarker - 1,
		instance:    uint32(time.Now().UnixNano() >> 10),
		users:       make(map[int64]*userState),
		chats:       make(map[int64]*chatState),
		callbacks:   make(map[string]*callbackState),
		uploads:     make(map[string]*uploadSlot),
		files:       make(map[string]*storedFile),
		filesByID:   make(map[string]*storedFile),
		calls:       make(map[string]int),
		stats:       Stats{ByOp: make(map[string]int)},
		waitTimeout: DefaultWaitTimeout,
		quiet:       DefaultQuiet,
	}
	s.handler = http.HandlerFunc(s.serveHTTP)
	return s
}

// Close stops the server: pending long polls answer at once, waiting
// helpers give up. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		if s.ts != nil {
			s.ts.Close()
		}
	})
}

// URL is the base URL of the API, e.g. http://127.0.0.1:PORT: the client's
// BaseURL.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base
}

// Handler is the server's HTTP handler, to mount it in another server (a
// sandbox). Upload and file URLs it hands out use SetBaseURL's value.
func (s *Server) Handler() http.Handler { return s.handler }

// SetBaseURL sets the URL under which clients reach the server, for upload
// and file URLs, when Handler is mounted elsewhere.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	s.base = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// Token is the token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// BotID is the bot's user id.
func (s *Server) BotID() int64 { return s.opts.BotID }

// BotUsername is the bot's username.
func (s *Server) BotUsername() string { return s.opts.BotUsername }

// DeepLink is the start link of the bot with a payload,
// https://max.ru/<bot>/start/<payload>.
func (s *Server) DeepLink(payload string) string {
	return "https://max.ru/" + s.opts.BotUsername + "/start/" + payload
}

// SetWaitTimeout sets how long the waiting helpers (Next, Answer,
// WaitConfirmed, Settle) wait before failing; default DefaultWaitTimeout.
func (s *Server) SetWaitTimeout(d time.Duration) {
	s.mu.Lock()
	s.waitTimeout = d
	s.mu.Unlock()
}

// SetQuiet sets the quiet period Settle requires; default DefaultQuiet.
func (s *Server) SetQuiet(d time.Duration) {
	s.mu.Lock()
	s.quiet = d
	s.mu.Unlock()
}

func (s *Server) getWaitTimeout() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waitTimeout
}

// broadcast wakes every waiter. s.mu must be held.
func (s *Server) broadcast() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitUntil waits until cond, called with s.mu held, reports true; or until
// the timeout elapses or the server closes. It reports whether cond held.
func (s *Server) waitUntil(timeout time.Duration, cond func() bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return true
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			s.mu.Lock()
			defer s.mu.Unlock()
			return cond()
		case <-s.done:
			s.mu.Lock()
			defer s.mu.Unlock()
			return cond()
		}
	}
}

// sleep sleeps d unless ctx is done or the server closes first; it reports
// whether the whole delay elapsed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.done:
	}
	return false
}

func (s *Server) isClosed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// nowMillis is the time of timestamps (Options.Now), in milliseconds.
func (s *Server) nowMillis() int64 { return s.opts.Now().UnixMilli() }

// --- HTTP ---------------------------------------------------------------

// apiError is an unsuccessful answer.
type apiError struct {
	status     int
	code, msg  string
	retryAfter int // seconds; 0 none
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "proto.payload", msg: fmt.Sprintf(format, args...)}
}

func notFound(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, code: code, msg: fmt.Sprintf(format, args...)}
}

// handlerFunc handles an API call with s.mu held.
type handlerFunc func(*Server, *apiCall) (any, *apiError)

// routes are the implemented API calls except GET /updates, which waits
// without holding the lock.
var routes = map[string]handlerFunc{
	"GET /me":          (*Server).me,
	"PATCH /me":        (*Server).patchMe,
	"POST /messages":   (*Server).sendMessage,
	"PUT /messages":    (*Server).editMessage,
	"DELETE /messages": (*Server).deleteMessage,
	"POST /answers":    (*Server).answerCallback,
	"POST /uploads":    (*Server).uploadURL,
}

// knownPaths are the API paths of the schema the fake serves, for telling
// a wrong method (405) from an unknown path (404).
var knownPaths = map[string]bool{"/me": true, "/updates": true, "/messages": true, "/answers": true, "/uploads": true}

// apiCall is one parsed API call.
type apiCall struct {
	op    string
	query url.Values
	body  []byte
}

func (c *apiCall) get(key string) string { return c.query.Get(key) }

const maxBody = 8 << 20

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	req := Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), ContentType: r.Header.Get("Content-Type"),
		Authorized: r.Header.Get("Authorization") == s.opts.Token, At: at,
	}
	op := req.Op()
	// Every call but a poll is activity: Settle waits for it to end.
	activity := op != "GET /updates"
	if activity {
		s.mu.Lock()
		s.inflight++
		s.lastActivity = at
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inflight--
			s.lastActivity = time.Now()
			s.broadcast()
			s.mu.Unlock()
		}()
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		s.serveUpload(w, r, &req, body, err)
		return
	case strings.HasPrefix(r.URL.Path, "/files/"):
		s.serveFile(w, r, &req)
		return
	}
	req.Body = body

	s.mu.Lock()
	s.calls[op]++
	if !req.Authorized || req.Query.Has("access_token") {
		s.mu.Unlock()
		msg := "Invalid access_token"
		if req.Query.Has("access_token") {
			msg = "maxtest: the token belongs in the Authorization header, not in the URL"
		}
		s.answer(w, &req, nil, &apiError{status: http.StatusUnauthorized, code: "verify.token", msg: msg})
		return
	}
	_, implemented := routes[op]
	if !implemented && op != "GET /updates" {
		s.unexpected = append(s.unexpected, op)
		s.mu.Unlock()
		if knownPaths[r.URL.Path] {
			s.answer(w, &req, nil, &apiError{status: http.StatusMethodNotAllowed, code: "method.not.allowed", msg: "Method " + r.Method + " is not allowed"})
		} else {
			s.answer(w, &req, nil, notFound("not.found", "maxtest: %s is not implemented", op))
		}
		return
	}
	if err != nil || len(body) > maxBody {
		s.mu.Unlock()
		s.answer(w, &req, nil, badRequest("cannot read the request body"))
		return
	}
	c := &apiCall{op: op, query: req.Query, body: body}
	fault := s.takeFault(c)
	var limited *apiError
	if activity && fault == nil {
		limited = s.checkRate(at)
	}
	s.mu.Unlock()
	if fault != nil && s.applyFault(w, r, &req, fault) {
		return
	}
	if limited != nil {
		s.answer(w, &req, nil, limited)
		return
	}
	if op == "GET /updates" {
		res, aerr, gone := s.getUpdates(r.Context(), c)
		if gone {
			req.Description = "client gone"
			s.record(&req)
			return
		}
		s.answer(w, &req, res, aerr)
		return
	}
	s.mu.Lock()
	res, aerr := routes[op](s, c)
	if aerr == nil {
		s.broadcast()
	}
	s.mu.Unlock()
	s.answer(w, &req, res, aerr)
}

// wError is the schema's Error.
type wError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// answer writes a JSON answer (the result, or the error) and records the
// request.
func (s *Server) answer(w http.ResponseWriter, req *Request, result any, aerr *apiError) {
	status := http.StatusOK
	var v any = result
	if aerr != nil {
		status = aerr.status
		v = wError{Code: aerr.code, Message: aerr.msg}
		req.Code, req.Description = aerr.code, aerr.msg
		if aerr.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(aerr.retryAfter))
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(wError{Code: "internal.error", Message: "maxtest: " + err.Error()})
	}
	req.Status, req.Response = status, b
	s.record(req)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// record stores a finished request and updates the statistics.
func (s *Server) record(req *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, *req)
	switch {
	case req.Status == http.StatusOK:
		s.stats.ByOp[req.Op()]++
	case req.Status == http.StatusTooManyRequests:
		s.stats.TooMany++
	}
	s.broadcast()
}

// --- GET /updates ---------------------------------------------------------

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
		if len(ups) > 0 || timeout == 0 || s.opts.NoLongPoll || s.isClosed() {
			if len(ups) > 0 {
				s.lastActivity = time.Now()
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
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-tc:
			s.mu.Lock()
			_, next := s.collect(start, limit)
			s.mu.Unlock()
			return wUpdateList{Updates: []json.RawMessage{}, Marker: next}, nil, false
		case <-ctx.Done():
			timer.Stop()
			return nil, nil, true
		case <-s.done:
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
	s.lastActivity = time.Now()
	s.broadcast()
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
		s.broadcast()
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
	s.broadcast()
	return seq
}

// --- synchronisation and inspection --------------------------------------

// Pending is the number of updates not yet committed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Committed is the sequence number of the last committed update: every
// update up to it has been passed by a marker.
func (s *Server) Committed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed
}

// WaitConfirmed waits until the bot committed update seq (polled with a
// marker past it) and fails the test on timeout.
func (s *Server) WaitConfirmed(tb testing.TB, seq int64) {
	tb.Helper()
	if !s.waitUntil(s.getWaitTimeout(), func() bool { return s.committed >= seq }) {
		tb.Fatalf("maxtest: update %d not committed after %v\n%s", seq, s.getWaitTimeout(), s.summary())
	}
}

// Settle waits until every update is committed, no call other than GET
// /updates is in progress, and none has arrived for the quiet period
// (SetQuiet). It fails the test on timeout.
func (s *Server) Settle(tb testing.TB) {
	tb.Helper()
	if !s.SettleWithin(s.getWaitTimeout()) {
		tb.Fatalf("maxtest: Settle timed out after %v\n%s", s.getWaitTimeout(), s.summary())
	}
}

// SettleWithin is Settle without a testing.TB: it reports whether the
// server settled within d.
func (s *Server) SettleWithin(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		s.mu.Lock()
		now := time.Now()
		quietFor := now.Sub(s.lastActivity)
		busy := len(s.updates) > 0 || s.inflight > 0
		if !busy && quietFor >= s.quiet {
			s.mu.Unlock()
			return true
		}
		ch := s.changed
		wait := deadline.Sub(now)
		if !busy && s.quiet-quietFor < wait {
			wait = s.quiet - quietFor
		}
		s.mu.Unlock()
		if wait <= 0 {
			return false
		}
		t := time.NewTimer(wait)
		select {
		case <-ch:
		case <-t.C:
		case <-s.done:
			t.Stop()
			return false
		}
		t.Stop()
	}
}

// Calls is the number of calls of an operation ("POST /messages", "GET
// /updates", "POST /upload", "GET /files"), refused and faulted ones
// included.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Requests returns every finished request, in the order they finished.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Query = cloneValues(r.Query)
		r.Body = append([]byte(nil), r.Body...)
		r.Response = append([]byte(nil), r.Response...)
		out[i] = r
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Unexpected returns the calls the fake does not implement or model, one
// entry per call: an unknown path or method, an attachment or button kind
// it does not model, the token sent where it does not belong.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

// UnansweredCallbacks returns the ids of the button presses the bot has
// not answered yet, in the order of the presses.
func (s *Server) UnansweredCallbacks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*callbackState
	for _, c := range s.callbacks {
		if !c.answered {
			out = append(out, c)
		}
	}
	ids := make([]string, len(out))
	sortCallbacks(out)
	for i, c := range out {
		ids[i] = c.id
	}
	return ids
}

// summary describes the server state for failure messages.
func (s *Server) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	s.writeQueue(&b)
	s.writeFailures(&b, 0, false)
	return b.String()
}

// writeQueue describes the update queue and the calls in progress. s.mu
// must be held.
func (s *Server) writeQueue(b *strings.Builder) {
	fmt.Fprintf(b, "pending updates: %d, committed up to %d, next update %d, GET /updates calls: %d, calls in progress: %d\n",
		len(s.updates), s.committed, s.nextSeq, s.calls["GET /updates"], s.inflight)
	if len(s.unexpected) > 0 {
		fmt.Fprintf(b, "unexpected calls: %v\n", s.unexpected)
	}
}

// writeFailures lists the last refused calls: those to chatID when
// oneChat, else all. s.mu must be held.
func (s *Server) writeFailures(b *strings.Builder, chatID int64, oneChat bool) {
	var lines []string
	for i := len(s.requests) - 1; i >= 0 && len(lines) < 10; i-- {
		r := s.requests[i]
		if r.Status == http.StatusOK || (r.Op() == "GET /updates" && r.Status == 0) {
			continue
		}
		if oneChat && !s.concerns(r, chatID) {
			continue
		}
		lines = append(lines, fmt.Sprintf("  %s %s -> %d %s %s", r.At.Format("15:04:05.000"), r.Op(), r.Status, r.Code, r.Description))
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString("last refused calls:\n")
	for i := len(lines) - 1; i >= 0; i-- {
		b.WriteString(lines[i])
		b.WriteByte('\n')
	}
}

// concerns reports whether a request was addressed to a chat. s.mu must
// be held.
func (s *Server) concerns(r Request, chatID int64) bool {
	if r.Query.Get("chat_id") == strconv.FormatInt(chatID, 10) {
		return true
	}
	if uid, err := strconv.ParseInt(r.Query.Get("user_id"), 10, 64); err == nil {
		if u := s.users[uid]; u != nil && u.chatID == chatID {
			return true
		}
	}
	if mid := r.Query.Get("message_id"); mid != "" {
		if c := s.chats[chatID]; c != nil && c.byMID[mid] != nil {
			return true
		}
	}
	return false
}
