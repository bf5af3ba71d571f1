package max

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"sort"
)

// Upload types (schema UploadType).
const (
	UploadImage = "image"
	UploadVideo = "video"
	UploadAudio = "audio"
	UploadFile  = "file"
)

// UploadEndpoint is where to upload the bytes of a file (schema
// UploadEndpoint).
type UploadEndpoint struct {
	// URL receives the bytes. It is on an upload host, not the API host.
	URL string `json:"url"`
	// Token is the token of a video or audio, known before the upload.
	Token string `json:"token,omitempty"`
}

// PhotoToken is the token of one uploaded image (schema PhotoToken).
type PhotoToken struct {
	// Token identifies the image.
	Token string `json:"token"`
}

// Uploaded is a file whose bytes MAX has: attach it with Attachment.
type Uploaded struct {
	// Type is the upload type (UploadFile, UploadImage, …).
	Type string
	// Token identifies a file, video or audio.
	Token string
	// Photos are the tokens of an image, as the upload host answered.
	Photos map[string]PhotoToken
}

// Attachment is the attachment that sends the uploaded file.
func (u *Uploaded) Attachment() AttachmentRequest {
	if u.Type == UploadImage {
		if len(u.Photos) > 0 {
			return AttachmentRequest{Type: AttachImage, Payload: photosPayload{Photos: u.Photos}}
		}
		return ImageAttachment(u.Token)
	}
	return AttachmentRequest{Type: u.Type, Payload: tokenPayload{Token: u.Token}}
}

// UploadURL asks where to upload a file of the given type (the first of
// the two steps Upload takes).
func (c *Client) UploadURL(ctx context.Context, typ string) (*UploadEndpoint, error) {
	k := call{method: http.MethodPost, path: "/uploads", query: url.Values{"type": {typ}}}
	switch typ {
	case UploadImage, UploadVideo, UploadAudio, UploadFile:
	default:
		return nil, c.fail(k, fmt.Errorf("upload type %q", typ))
	}
	var ep UploadEndpoint
	if err := c.do(ctx, k, &ep); err != nil {
		return nil, err
	}
	if ep.URL == "" {
		return nil, c.fail(k, errors.New("answer without upload URL"))
	}
	return &ep, nil
}

// Upload sends a file's bytes to MAX and returns what attaches it: it gets
// an upload URL, then posts the bytes there as multipart form data (part
// "data", with the file name). The bytes are in memory so that the request
// carries its length, which the upload host wants. MAX may still be
// processing a large file when the message that attaches it is sent: that
// send then fails with CodeAttachmentNotReady and is worth repeating.
func (c *Client) Upload(ctx context.Context, typ, name string, data []byte) (*Uploaded, error) {
	ep, err := c.UploadURL(ctx, typ)
	if err != nil {
		return nil, err
	}
	k := call{method: http.MethodPost, path: "upload"}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	name = path.Base("/" + name)
	if name == "/" || name == "." {
		name = "file"
	}
	part, err := mw.CreateFormFile("data", name)
	if err != nil {
		return nil, c.fail(k, err)
	}
	if _, err := part.Write(data); err != nil {
		return nil, c.fail(k, err)
	}
	if err := mw.Close(); err != nil {
		return nil, c.fail(k, err)
	}

	ctx, cancel := context.WithTimeout(ctx, c.opts.UploadTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, &body)
	if err != nil {
		return nil, c.fail(k, errors.New("bad upload URL"))
	}
	// No Authorization: the upload host is not the API and has no use
	// for the token.
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("User-Agent", c.opts.UserAgent)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.fail(k, stripURL(err))
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, c.fail(k, fmt.Errorf("read answer: %w", stripURL(err)))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.apiError(k.method, k.path, resp, answer)
	}

	up := &Uploaded{Type: typ}
	switch typ {
	case UploadVideo, UploadAudio:
		// The token came with the URL; the upload host's answer is not
		// JSON.
		up.Token = ep.Token
	case UploadImage:
		var res struct {
			Token  string                `json:"token"`
			Photos map[string]PhotoToken `json:"photos"`
		}
		if err := json.Unmarshal(answer, &res); err != nil {
			return nil, c.fail(k, fmt.Errorf("decode answer: %w", err))
		}
		up.Token, up.Photos = res.Token, res.Photos
		if up.Token == "" && len(up.Photos) > 0 {
			keys := make([]string, 0, len(up.Photos))
			for key := range up.Photos {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			up.Token = up.Photos[keys[0]].Token
		}
	default:
		var res struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(answer, &res); err != nil {
			return nil, c.fail(k, fmt.Errorf("decode answer: %w", err))
		}
		up.Token = res.Token
	}
	if up.Token == "" {
		return nil, c.fail(k, errors.New("upload answered without a token"))
	}
	return up, nil
}

// Download fetches the bytes of a file a user sent (FilePayload.URL,
// ImagePayload.URL), at most limit bytes (an error beyond). The file host
// is not the API: the token is not sent.
func (c *Client) Download(ctx context.Context, fileURL string, limit int64) ([]byte, error) {
	k := call{method: http.MethodGet, path: "download"}
	u, err := url.Parse(fileURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, c.fail(k, errors.New("bad file URL"))
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.UploadTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, c.fail(k, errors.New("bad file URL"))
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.fail(k, stripURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		return nil, c.apiError(k.method, k.path, resp, data)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, c.fail(k, fmt.Errorf("read file: %w", stripURL(err)))
	}
	if int64(len(data)) > limit {
		return nil, c.fail(k, fmt.Errorf("file larger than %d bytes", limit))
	}
	return data, nil
}

// stripURL drops the URL from a net/http error: upload and file URLs
// carry signatures that have no place in a log.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
