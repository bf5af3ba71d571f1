package max

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the API host of the official client. The schema's
// prose still names botapi.max.ru and platform-api.max.ru is deprecated;
// make the host a setting rather than trusting this constant forever.
const DefaultBaseURL = "https://platform-api2.max.ru"

// Default deadlines of the calls.
const (
	DefaultRequestTimeout = 15 * time.Second
	DefaultUploadTimeout  = 2 * time.Minute
)

// maxResponse caps how much of an API answer is read: a page of 1,000
// updates is far below it, a misbehaving server cannot exhaust memory.
const maxResponse = 32 << 20

// Options configures a Client.
type Options struct {
	// BaseURL is the API root without a trailing slash; default
	// DefaultBaseURL. Tests point it at a fake server.
	BaseURL string
	// Token is the bot token from @MasterBot. Required.
	Token string
	// HTTPClient sends the requests; default one on NewTransport. Its
	// Timeout, if any, must exceed the longest poll: each call sets its
	// own deadline.
	HTTPClient *http.Client
	// RequestTimeout is the deadline of each call other than a long poll
	// or a file transfer; default DefaultRequestTimeout. A long poll gets
	// its poll timeout plus this.
	RequestTimeout time.Duration
	// UploadTimeout is the deadline of an upload or download of file
	// bytes; default DefaultUploadTimeout.
	UploadTimeout time.Duration
	// UserAgent is sent with every request; default "mmobot".
	UserAgent string
}

// Client calls the MAX Bot API. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	hc    *http.Client
	opts  Options
}

// NewTransport returns the HTTP transport the client uses by default:
// bounded connection set-up, keep-alive, and enough idle connections per
// host that a broadcast does not reopen them (the standard 2 would).
// Response headers are not bounded here: a long poll answers only when an
// update comes or its timeout passes; each call's context bounds it.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          128,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
}

// New returns a client. It makes no call; use Me to check the token.
func New(opts Options) (*Client, error) {
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("max: no bot token")
	}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("max: base URL %q: want http(s)://host", redact(opts.BaseURL, opts.Token))
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: NewTransport()}
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.UploadTimeout <= 0 {
		opts.UploadTimeout = DefaultUploadTimeout
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "mmobot"
	}
	return &Client{base: base, token: opts.Token, hc: opts.HTTPClient, opts: opts}, nil
}

// call is one API request.
type call struct {
	method, path string
	query        url.Values
	body         any           // JSON-encoded when not nil
	timeout      time.Duration // 0: RequestTimeout
}

// do sends an API call and decodes a 200 answer into out (unless nil).
func (c *Client) do(ctx context.Context, k call, out any) error {
	timeout := k.timeout
	if timeout <= 0 {
		timeout = c.opts.RequestTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var body io.Reader
	if k.body != nil {
		b, err := json.Marshal(k.body)
		if err != nil {
			return c.fail(k, fmt.Errorf("encode request: %w", err))
		}
		body = bytes.NewReader(b)
	}
	u := *c.base
	u.Path = c.base.Path + k.path
	u.RawQuery = k.query.Encode()
	req, err := http.NewRequestWithContext(ctx, k.method, u.String(), body)
	if err != nil {
		return c.fail(k, err)
	}
	req.Header.Set("Authorization", c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.fail(k, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return c.fail(k, fmt.Errorf("read answer: %w", err))
	}
	if len(data) > maxResponse {
		return c.fail(k, fmt.Errorf("answer longer than %d bytes", maxResponse))
	}
	if resp.StatusCode != http.StatusOK {
		return c.apiError(k.method, k.path, resp, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return c.fail(k, fmt.Errorf("decode answer: %w", err))
	}
	return nil
}

// fail wraps a transport or encoding error with the call's name, the
// token removed from its text.
func (c *Client) fail(k call, err error) error {
	return &redacted{err: fmt.Errorf("max: %s %s: %w", k.method, k.path, err), secret: c.token}
}

// apiError builds the Error of an answer other than 200.
func (c *Client) apiError(method, path string, resp *http.Response, data []byte) *Error {
	e := &Error{Method: method, Path: path, StatusCode: resp.StatusCode}
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Code = redact(body.Code, c.token)
		e.Message = body.Message
		if e.Message == "" {
			e.Message = body.Error
		}
		e.Message = redact(e.Message, c.token)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = retryAfter(resp.Header, time.Now())
	}
	return e
}

// simpleResult is the schema's SimpleQueryResult, the answer of edits,
// deletions and callback answers.
type simpleResult struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// doSimple sends a call answered by a SimpleQueryResult and turns a
// reported failure into an Error.
func (c *Client) doSimple(ctx context.Context, k call) error {
	var res simpleResult
	if err := c.do(ctx, k, &res); err != nil {
		return err
	}
	if !res.Success {
		return &Error{Method: k.method, Path: k.path, StatusCode: http.StatusOK, Message: redact(res.Message, c.token)}
	}
	return nil
}

// Me returns the bot's own user, and checks the token (an Error with
// Unauthorized true when MAX refuses it).
func (c *Client) Me(ctx context.Context) (*BotInfo, error) {
	var me BotInfo
	if err := c.do(ctx, call{method: http.MethodGet, path: "/me"}, &me); err != nil {
		return nil, err
	}
	return &me, nil
}
