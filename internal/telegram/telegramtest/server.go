package telegramtest

import (
	"io"
	"math/rand/v2"
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
const Token = "123456:TEST-token_secret"

// Defaults of the bot identity answered by getMe.
const (
	DefaultBotID        int64 = 1000000001
	DefaultBotUsername        = "mmo_test_bot"
	DefaultBotFirstName       = "MMO Test Bot"
)

// Default durations of the synchronisation helpers.
const (
	DefaultWaitTimeout = 10 * time.Second
	DefaultQuiet       = 150 * time.Millisecond
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Token is the bot token accepted in request paths; default Token.
	Token string
	// NoLongPoll makes getUpdates answer at once even when there is no
	// update and a timeout was asked for (like the npm telegram-test-api),
	// to test that a bot does not spin.
	NoLongPoll bool
	// BotID is the bot's user id; default DefaultBotID.
	BotID int64
	// BotUsername is the bot's username; default DefaultBotUsername.
	BotUsername string
	// BotFirstName is the bot's first name; default DefaultBotFirstName.
	BotFirstName string
	// Now is the clock used for message dates; default time.Now. Waiting,
	// long polling and flood limits always use the real clock.
	Now func() time.Time
	// FirstUpdateID is the update_id of the first update; default 1.
	FirstUpdateID int
}

// Request is one recorded HTTP request to the Bot API.
type Request struct {
	// Method is the canonical method name ("sendMessage"), or the name as
	// requested for unknown methods; "file" for file downloads.
	Method string
	// Params are the request parameters (query, form or JSON body). For a
	// multipart file part the parameter holds the file name.
	Params url.Values
	// At is when the request arrived.
	At time.Time
	// Status is the HTTP status answered, 0 when no answer was given (Drop
	// fault, client gone before the answer).
	Status int
	// Description is the error description of a refused call.
	Description string
}

// BotCommand is one command of the bot's command menu, as set by
// setMyCommands.
type BotCommand struct {
	// Command is the command without the slash, e.g. "start".
	Command string `json:"command"`
	// Description is the text shown in the menu.
	Description string `json:"description"`
}

// cmdKey identifies a command list: scope type, the scope's chat and user
// (0 when the scope type has none) and language code.
type cmdKey struct {
	scope          string
	chatID, userID int64
	lang           string
}

type cmdEntry struct {
	cmds []BotCommand
	seq  int // order of setting
}

type storedFile struct {
	id, uniqueID, path string
	name, mime         string
	data               []byte
	width, height      int
}

type callbackState struct {
	id       string
	chatID   int64
	answered bool
	answer   CallbackAnswer
}

// Server is a fake Telegram Bot API server. Create it with NewServer or
// Start. All methods are safe for concurrent use.
type Server struct {
	opts    Options
	ts      *httptest.Server
	handler http.Handler
	once    sync.Once

	mu sync.Mutex
	// watch is what tests wait on, under mu: the state changing, the
	// server going quiet, its closing.
	watch *fakechat.Watch

	passOver func(before, after Message) bool // see PassOver

	updates      []queuedUpdate // not yet confirmed, in id order
	nextUpdateID int
	confirmed    int
	pollGen      uint64

	chats map[int64]*chatState

	files       map[string]*storedFile // by file_id
	filesByPath map[string]*storedFile
	nextFile    int

	callbacks    map[string]*callbackState
	nextCallback int64

	commands map[cmdKey]cmdEntry
	cmdSeq   int

	calls      map[string]int
	requests   []Request
	unexpected []string

	faults      []*Fault
	hanging     map[string]int           // calls hanging now, per method
	release     map[string]chan struct{} // closed by Release, per method
	limits      Limits
	latency     Latency
	latencyRnd  *rand.Rand
	globalSends []time.Time
	chatSends   map[int64][]time.Time
	stats       Stats

	inflight int
}

// NewServer starts a Server for a test or benchmark and closes it when the
// test ends. At most one Options may be given.
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
			tb.Logf("telegramtest: the bot called unimplemented methods: %v", u)
		}
	})
	return s
}

// Start starts a Server without a testing.TB (sandbox, benchmarks run by
// hand). The caller must Close it.
func Start(opts Options) *Server {
	s := newServer(opts)
	s.ts = httptest.NewServer(s.handler)
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
	if opts.BotFirstName == "" {
		opts.BotFirstName = DefaultBotFirstName
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FirstUpdateID <= 0 {
		opts.FirstUpdateID = 1
	}
	s := &Server{
		opts:         opts,
		nextUpdateID: opts.FirstUpdateID,
		confirmed:    opts.FirstUpdateID - 1,
		chats:        make(map[int64]*chatState),
		files:        make(map[string]*storedFile),
		filesByPath:  make(map[string]*storedFile),
		callbacks:    make(map[string]*callbackState),
		commands:     make(map[cmdKey]cmdEntry),
		calls:        make(map[string]int),
		chatSends:    make(map[int64][]time.Time),
		hanging:      make(map[string]int),
		release:      make(map[string]chan struct{}),
		stats:        Stats{ByMethod: make(map[string]int)},
	}
	s.watch = fakechat.NewWatch(&s.mu, DefaultWaitTimeout, DefaultQuiet)
	s.handler = http.HandlerFunc(s.serveHTTP)
	return s
}

// Close stops the server: pending long polls answer at once, waiting helpers
// give up. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.watch.Close()
		if s.ts != nil {
			s.ts.Close()
		}
	})
}

// URL is the base URL of the server, e.g. http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.ts.URL }

// Endpoint is the API endpoint format URL()+"/bot%s/%s" that
// tgbotapi.NewBotAPIWithClient wants.
func (s *Server) Endpoint() string { return s.ts.URL + "/bot%s/%s" }

// FileEndpoint is the file download format URL()+"/file/bot%s/%s" (token,
// file_path). Note that tgbotapi's File.Link always uses api.telegram.org.
func (s *Server) FileEndpoint() string { return s.ts.URL + "/file/bot%s/%s" }

// Handler is the server's HTTP handler, to mount it in another server (a
// sandbox). It serves /bot<token>/<method> and /file/bot<token>/<path>.
func (s *Server) Handler() http.Handler { return s.handler }

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

// --- HTTP -------------------------------------------------------------

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/file/bot"):
		s.serveFile(w, r, strings.TrimPrefix(p, "/file/bot"))
	case strings.HasPrefix(p, "/bot"):
		s.serveAPI(w, r, strings.TrimPrefix(p, "/bot"))
	default:
		writeJSON(w, http.StatusNotFound, wResponse{ErrorCode: 404, Description: "Not Found"})
	}
}

// methodHandlers are the implemented methods except getUpdates, which
// waits without holding the lock. They run with s.mu held.
var methodHandlers = map[string]func(*Server, *call) (any, *apiError){
	"getMe":                  (*Server).getMe,
	"sendMessage":            (*Server).sendMessage,
	"editMessageText":        (*Server).editMessageText,
	"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
	"deleteMessage":          (*Server).deleteMessage,
	"answerCallbackQuery":    (*Server).answerCallbackQuery,
	"sendDocument":           (*Server).sendDocument,
	"sendPhoto":              (*Server).sendPhoto,
	"getFile":                (*Server).getFile,
	"setMyCommands":          (*Server).setMyCommands,
	"deleteMyCommands":       (*Server).deleteMyCommands,
	"sendChatAction":         (*Server).sendChatAction,
}

// canonicalMethods maps lower-case method names to their canonical
// spelling: like Telegram, method names are case-insensitive.
var canonicalMethods = func() map[string]string {
	m := map[string]string{"getupdates": "getUpdates"}
	for name := range methodHandlers {
		m[strings.ToLower(name)] = name
	}
	return m
}()

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	at := time.Now()
	token, method, _ := strings.Cut(rest, "/")
	params, files, perr := parseRequest(r)
	name := canonicalMethods[strings.ToLower(method)]
	req := Request{Method: name, Params: recordParams(params, files), At: at}
	if name == "" {
		req.Method = method
	}

	s.mu.Lock()
	s.calls[req.Method]++
	if token != s.opts.Token {
		s.mu.Unlock()
		s.answer(w, &req, nil, &apiError{code: 401, desc: descUnauthorized})
		return
	}
	if name == "" {
		s.unexpected = append(s.unexpected, method)
		s.mu.Unlock()
		s.answer(w, &req, nil, &apiError{code: 404, desc: descNotFound})
		return
	}
	if perr != nil {
		s.mu.Unlock()
		s.answer(w, &req, nil, badRequest("can't parse request: %v", perr))
		return
	}
	c := &call{method: name, params: params, files: files}
	fault := s.takeFault(c)
	activity := name != "getUpdates"
	if activity {
		s.inflight++
		s.watch.Last = at
	}
	s.mu.Unlock()
	if activity {
		defer func() {
			s.mu.Lock()
			s.inflight--
			s.watch.Last = time.Now()
			s.watch.Broadcast()
			s.mu.Unlock()
		}()
	}

	if fault != nil {
		switch fault.Kind {
		case Slow:
			if !s.watch.Sleep(r.Context(), fault.Delay) {
				req.Description = "slow fault interrupted"
				s.record(&req)
				return
			}
		case Hang:
			if !s.hang(r.Context(), name, activity) {
				req.Description = "hanging call abandoned"
				s.record(&req)
				return
			}
		case TooManyRequests:
			s.answer(w, &req, nil, tooManyRequests(fault.RetryAfter))
			return
		case BadGateway:
			s.answer(w, &req, nil, &apiError{code: 500, desc: "Internal Server Error"})
			return
		case ServerError:
			req.Status = http.StatusBadGateway
			req.Description = "502 Bad Gateway (HTML)"
			s.record(&req)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, badGatewayHTML)
			return
		case Drop:
			req.Description = "dropped"
			s.record(&req)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
	}

	if name != "getUpdates" {
		there, back := s.delays()
		if !s.watch.Sleep(r.Context(), there) {
			req.Description = "client gone on the way"
			s.record(&req)
			return
		}
		if back > 0 {
			// The answer is small and goes out when the handler returns:
			// held here, it reaches the client the way back later.
			defer s.watch.Sleep(r.Context(), back)
		}
	}

	if name == "getUpdates" {
		res, aerr, gone := s.getUpdates(r.Context(), c)
		if gone {
			req.Description = "client gone"
			s.record(&req)
			return
		}
		s.answer(w, &req, res, aerr)
		return
	}
	res, aerr := s.handle(name, c)
	s.answer(w, &req, res, aerr)
}

// handle runs a method handler under the lock.
func (s *Server) handle(name string, c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, aerr := methodHandlers[name](s, c)
	if aerr == nil {
		s.watch.Broadcast()
	}
	return res, aerr
}

const badGatewayHTML = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"

// answer records the request and writes the Bot API answer.
func (s *Server) answer(w http.ResponseWriter, req *Request, result any, aerr *apiError) {
	var resp wResponse
	status := http.StatusOK
	if aerr != nil {
		status = aerr.code
		resp = wResponse{ErrorCode: aerr.code, Description: aerr.desc}
		if aerr.retryAfter > 0 {
			resp.Parameters = &wResponseParameters{RetryAfter: aerr.retryAfter}
		}
		req.Description = aerr.desc
	} else {
		resp = wResponse{OK: true, Result: result}
	}
	req.Status = status
	s.record(req)
	writeJSON(w, status, resp)
}

// record stores a finished request and updates the statistics.
func (s *Server) record(req *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, *req)
	switch {
	case req.Status == http.StatusOK:
		s.stats.ByMethod[req.Method]++
	case req.Status == http.StatusTooManyRequests:
		s.stats.TooMany++
	}
	s.watch.Broadcast()
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	req := Request{Method: "file", Params: url.Values{"file_path": {path}}, At: time.Now()}
	s.mu.Lock()
	s.calls["file"]++
	f := s.filesByPath[path]
	s.mu.Unlock()
	if token != s.opts.Token {
		s.answer(w, &req, nil, &apiError{code: 401, desc: descUnauthorized})
		return
	}
	if f == nil {
		s.answer(w, &req, nil, &apiError{code: 404, desc: "Not Found"})
		return
	}
	req.Status = http.StatusOK
	s.record(&req)
	w.Header().Set("Content-Type", f.mime)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(f.data)
	}
}
