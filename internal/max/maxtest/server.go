package maxtest

import (
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

	"github.com/mmobot/mmobot/internal/fakechat"
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
	once    sync.Once

	mu sync.Mutex
	// watch is what tests wait on, under mu: the state changing, the
	// server going quiet, its closing.
	watch *fakechat.Watch

	passOver func(before, after Message) bool // see PassOver

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

	inflight int
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
		opts:      opts,
		nextSeq:   opts.FirstMarker,
		committed: opts.FirstMarker - 1,
		instance:  uint32(time.Now().UnixNano() >> 10),
		users:     make(map[int64]*userState),
		chats:     make(map[int64]*chatState),
		callbacks: make(map[string]*callbackState),
		uploads:   make(map[string]*uploadSlot),
		files:     make(map[string]*storedFile),
		filesByID: make(map[string]*storedFile),
		calls:     make(map[string]int),
		stats:     Stats{ByOp: make(map[string]int)},
	}
	s.watch = fakechat.NewWatch(&s.mu, DefaultWaitTimeout, DefaultQuiet)
	s.handler = http.HandlerFunc(s.serveHTTP)
	return s
}

// Close stops the server: pending long polls answer at once, waiting
// helpers give up. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.watch.Close()
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
	s.watch.WaitTimeout = d
	s.mu.Unlock()
}

// SetQuiet sets the quiet period Settle requires; default DefaultQuiet.
func (s *Server) SetQuiet(d time.Duration) {
	s.mu.Lock()
	s.watch.Quiet = d
	s.mu.Unlock()
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
		s.watch.Last = at
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inflight--
			s.watch.Last = time.Now()
			s.watch.Broadcast()
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
		s.watch.Broadcast()
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
	s.watch.Broadcast()
}
