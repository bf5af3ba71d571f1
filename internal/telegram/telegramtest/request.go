package telegramtest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// bufPool holds the buffers of request bodies and JSON answers, which
// live for one request: reused, they spare the allocations of growing a
// new one per request.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuf is the largest buffer put back in bufPool: an unusually
// large body or answer is not kept alive for the small ones.
const maxPooledBuf = 1 << 20

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuf {
		b.Reset()
		bufPool.Put(b)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	// An Encoder writes the JSON json.Marshal would return, HTML escaped
	// the same way, into the pooled buffer instead of a new slice; the
	// newline it adds is not sent.
	var b []byte
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error: ` + strings.ReplaceAll(err.Error(), `"`, `'`) + `"}`)
	} else {
		b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// upload is a file part of a multipart request.
type upload struct {
	name, contentType string
	data              []byte
}

// call is one parsed API call.
type call struct {
	method string
	params url.Values
	files  map[string]*upload
}

func (c *call) get(key string) string { return c.params.Get(key) }

// parseRequest reads the parameters from the query string and the body
// (form, multipart form or JSON object).
func parseRequest(r *http.Request) (url.Values, map[string]*upload, error) {
	vals := r.URL.Query() // a new map each call
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return vals, nil, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		files := map[string]*upload{}
		mr, err := r.MultipartReader()
		if err != nil {
			return vals, nil, err
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return vals, files, err
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return vals, files, err
			}
			name := part.FormName()
			if part.FileName() != "" {
				files[name] = &upload{name: part.FileName(), contentType: part.Header.Get("Content-Type"), data: data}
			} else {
				vals.Add(name, string(data))
			}
		}
		return vals, files, nil
	case "application/json":
		var obj map[string]json.RawMessage
		buf, err := readBody(r)
		defer putBuf(buf)
		if err != nil {
			return vals, nil, err
		}
		body := buf.Bytes()
		if len(bytes.TrimSpace(body)) == 0 {
			return vals, nil, nil
		}
		if err := json.Unmarshal(body, &obj); err != nil {
			return vals, nil, err
		}
		for k, raw := range obj {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				vals.Set(k, str)
			} else if string(raw) != "null" {
				vals.Set(k, string(raw))
			}
		}
		return vals, nil, nil
	default:
		buf, err := readBody(r)
		defer putBuf(buf)
		if err != nil {
			return vals, nil, err
		}
		q, err := url.ParseQuery(buf.String())
		if err != nil {
			return vals, nil, err
		}
		if len(vals) == 0 {
			return q, nil, nil // nothing to merge with: the usual POST
		}
		for k, v := range q {
			vals[k] = append(vals[k], v...)
		}
		return vals, nil, nil
	}
}

// readBody reads the body of r into a pooled buffer, to be put back with
// putBuf once the body is parsed (what is kept of it copied). The buffer
// is grown to the Content-Length first, so that it does not grow while
// reading.
func readBody(r *http.Request) (*bytes.Buffer, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	if n := r.ContentLength; n > 0 && n <= maxPooledBuf {
		buf.Grow(int(n) + bytes.MinRead) // MinRead: room for the read that finds EOF
	}
	_, err := buf.ReadFrom(r.Body)
	return buf, err
}

// recordParams copies the parameters for the record and adds the names of
// uploaded files.
func recordParams(params url.Values, files map[string]*upload) url.Values {
	n := 0
	for _, v := range params {
		n += len(v)
	}
	// One array holds every value; each parameter's slice is capped at its
	// own values, so that appending to one does not overwrite the next.
	all := make([]string, 0, n)
	out := make(url.Values, len(params)+len(files))
	for k, v := range params {
		if len(v) == 0 {
			out[k] = nil
			continue
		}
		start := len(all)
		all = append(all, v...)
		out[k] = all[start:len(all):len(all)]
	}
	for k, f := range files {
		out.Set(k, f.name)
	}
	return out
}
