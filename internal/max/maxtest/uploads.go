package maxtest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

type uploadSlot struct {
	id    string
	typ   string
	token string // of a video or audio, known in advance
	used  bool
}

type storedFile struct {
	token   string
	typ     string // "file", "image", "video", "audio"
	name    string
	mime    string
	data    []byte
	photoID int64
	id      string // download path id
}

func (f *storedFile) document() *Document {
	return &Document{Name: f.name, Bytes: append([]byte(nil), f.data...), MIME: f.mime, Token: f.token}
}

// wUploadEndpoint is the schema's UploadEndpoint.
type wUploadEndpoint struct {
	URL   string  `json:"url"`
	Token *string `json:"token,omitempty"`
}

func (s *Server) uploadURL(c *apiCall) (any, *apiError) {
	typ := c.get("type")
	switch typ {
	case "file", "image", "video", "audio":
	default:
		return nil, badRequest("type: unknown upload type %q", typ)
	}
	s.nextUpload++
	slot := &uploadSlot{id: strconv.FormatInt(s.nextUpload, 10), typ: typ}
	s.uploads[slot.id] = slot
	ep := wUploadEndpoint{URL: fmt.Sprintf("%s/upload/%s?sig=%x", s.base, slot.id, s.nextUpload*7919)}
	if typ == "video" || typ == "audio" {
		slot.token = fmt.Sprintf("%s.tok.%08x.%06d", typ, s.instance, s.nextUpload)
		ep.Token = &slot.token
	}
	return ep, nil
}

// storeFile keeps bytes under a new token. s.mu must be held.
func (s *Server) storeFile(typ, name string, data []byte) *storedFile {
	s.nextFile++
	n := s.nextFile
	f := &storedFile{
		token: fmt.Sprintf("f%08x%06dTOKEN%s", s.instance, n, typ), typ: typ, name: name,
		mime: mimeFor(name, data), data: append([]byte(nil), data...),
		id: strconv.FormatInt(n, 10),
	}
	if typ == "image" {
		f.photoID = 770000000 + n
	}
	s.files[f.token] = f
	s.filesByID[f.id] = f
	return f
}

// fileURL is where a stored file is downloaded. s.mu must be held.
func (s *Server) fileURL(f *storedFile) string {
	if f.id == "" {
		return "https://example.org/external/" + url.PathEscape(f.name)
	}
	return s.base + "/files/" + f.id + "/" + url.PathEscape(f.name)
}

// serveUpload is the upload host: POST /upload/<slot> with the bytes as
// multipart form data (part "data"), once per slot.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, req *Request, body []byte, readErr error) {
	s.mu.Lock()
	s.calls[req.Op()]++
	if r.Header.Get("Authorization") != "" {
		s.unexpected = append(s.unexpected, req.Op()+": the Authorization header was sent to the upload host")
		s.mu.Unlock()
		s.answer(w, req, nil, &apiError{status: http.StatusForbidden, code: "access.denied", msg: "maxtest: the upload host is not the API: do not send it the token"})
		return
	}
	c := &apiCall{op: req.Op(), query: req.Query}
	fault := s.takeFault(c)
	slot := s.uploads[strings.TrimPrefix(r.URL.Path, "/upload/")]
	s.mu.Unlock()
	if fault != nil && s.applyFault(w, r, req, fault) {
		return
	}
	switch {
	case r.Method != http.MethodPost:
		s.answer(w, req, nil, &apiError{status: http.StatusMethodNotAllowed, code: "method.not.allowed", msg: "use POST"})
		return
	case slot == nil:
		s.answer(w, req, nil, notFound("not.found", "unknown upload URL"))
		return
	case readErr != nil || len(body) > maxBody:
		s.answer(w, req, nil, badRequest("cannot read the upload"))
		return
	}
	name, data, err := multipartFile(r.Header.Get("Content-Type"), body)
	if err != nil {
		s.answer(w, req, nil, badRequest("maxtest: %v", err))
		return
	}
	req.Description = fmt.Sprintf("upload of %q, %d bytes", name, len(data))
	s.mu.Lock()
	if slot.used {
		s.mu.Unlock()
		s.answer(w, req, nil, badRequest("maxtest: upload URL already used"))
		return
	}
	slot.used = true
	f := s.storeFile(slot.typ, name, data)
	if slot.token != "" {
		delete(s.files, f.token)
		f.token = slot.token
		s.files[f.token] = f
	}
	s.watch.Broadcast()
	s.mu.Unlock()
	switch slot.typ {
	case "image":
		s.answer(w, req, map[string]any{"photos": map[string]any{strconv.FormatInt(f.photoID, 10): map[string]string{"token": f.token}}}, nil)
	case "file":
		s.answer(w, req, map[string]string{"token": f.token}, nil)
	default:
		// Video and audio: the token came with the URL; the upload host
		// answers something that is not JSON.
		req.Status, req.Response = http.StatusOK, []byte("<retval>1</retval>")
		s.record(req)
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(req.Response)
	}
}

// multipartFile reads the "data" file part of a multipart body.
func multipartFile(contentType string, body []byte) (string, []byte, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		return "", nil, fmt.Errorf("want multipart/form-data, got %q", contentType)
	}
	mr := newMultipartReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err != nil {
			return "", nil, fmt.Errorf("no file part \"data\" in the upload")
		}
		if part.FormName() != "data" {
			continue
		}
		data, err := readAll(part, maxFileSize)
		if err != nil {
			return "", nil, err
		}
		if len(data) == 0 {
			return "", nil, fmt.Errorf("empty file")
		}
		name := part.FileName()
		if name == "" {
			return "", nil, fmt.Errorf("the data part has no file name")
		}
		return name, data, nil
	}
}

// serveFile serves GET /files/<id>/<name>: the bytes of a stored file.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, req *Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/files/")
	id, _, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	s.calls[req.Op()]++
	f := s.filesByID[id]
	c := &apiCall{op: req.Op(), query: req.Query}
	fault := s.takeFault(c)
	s.mu.Unlock()
	if fault != nil && s.applyFault(w, r, req, fault) {
		return
	}
	if f == nil || r.Method != http.MethodGet {
		s.answer(w, req, nil, notFound("not.found", "no such file"))
		return
	}
	req.Status = http.StatusOK
	req.Description = fmt.Sprintf("%d bytes", len(f.data))
	s.record(req)
	w.Header().Set("Content-Type", f.mime)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	_, _ = w.Write(f.data)
}

// mimeTypes are the MIME types of common extensions; a fixed table keeps
// the answers independent of the system's mime.types.
var mimeTypes = map[string]string{
	".txt": "text/plain", ".csv": "text/csv", ".json": "application/json",
	".pdf": "application/pdf", ".zip": "application/zip", ".png": "image/png",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".ics":  "text/calendar",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

func mimeFor(name string, data []byte) string {
	if t, ok := mimeTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	if len(data) > 0 {
		return http.DetectContentType(data)
	}
	return "application/octet-stream"
}

func newMultipartReader(body []byte, boundary string) *multipart.Reader {
	return multipart.NewReader(bytes.NewReader(body), boundary)
}

// readAll reads at most limit bytes, failing beyond.
func readAll(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file larger than %d bytes", limit)
	}
	return data, nil
}
