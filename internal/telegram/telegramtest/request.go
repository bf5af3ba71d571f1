package telegramtest

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error: ` + strings.ReplaceAll(err.Error(), `"`, `'`) + `"}`)
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
	vals := url.Values{}
	for k, v := range r.URL.Query() {
		vals[k] = append([]string(nil), v...)
	}
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
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return vals, nil, err
		}
		if len(strings.TrimSpace(string(body))) == 0 {
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
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return vals, nil, err
		}
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return vals, nil, err
		}
		for k, v := range q {
			vals[k] = append(vals[k], v...)
		}
		return vals, nil, nil
	}
}

// recordParams copies the parameters for the record and adds the names of
// uploaded files.
func recordParams(params url.Values, files map[string]*upload) url.Values {
	out := make(url.Values, len(params)+len(files))
	for k, v := range params {
		out[k] = append([]string(nil), v...)
	}
	for k, f := range files {
		out.Set(k, f.name)
	}
	return out
}
