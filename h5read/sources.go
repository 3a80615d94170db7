package h5read

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// ErrBadRange means a server's answer to a range request does not carry the
// range asked for: no Content-Range (the Range header was ignored and the
// whole object sent; accepted only for a read from offset 0), a range
// starting elsewhere, or a malformed header. Not retried: it would repeat.
var ErrBadRange = errors.New("h5read: answer does not match the requested range")

// StatusError is an HTTP answer other than 206/200 to a range request.
// Status 5xx and 429 are retried.
type StatusError struct {
	Status int
	URL    string
}

// Error names the URL and the status.
func (e *StatusError) Error() string {
	return fmt.Sprintf("h5read: GET %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// HTTPStatusCode returns the status (the interface the AWS SDK errors share).
func (e *StatusError) HTTPStatusCode() int { return e.Status }

var (
	_ io.ReaderAt     = (*HTTPSource)(nil)
	_ ReaderAtContext = (*HTTPSource)(nil)
)

// HTTPSource reads a URL with ranged GET requests, optionally with a bearer
// token (NASA Earthdata). Redirects are followed by the client; the token is
// only sent to the original host (net/http drops Authorization on a
// redirect to another host).
//
// NASA Earthdata answers with a redirect to a short-lived signed URL. The
// source remembers the final URL and sends later ranges straight to it
// (one round trip instead of two); when that URL stops working (401, 403
// or 404: expired) it goes back to the original URL once.
type HTTPSource struct {
	client *http.Client
	url    string
	token  string

	mu     sync.Mutex
	direct string // last redirect target, "" if none
}

// NewHTTPSource returns a source for url. A nil client means
// http.DefaultClient; an empty token sends no Authorization header.
func NewHTTPSource(client *http.Client, url, token string) *HTTPSource {
	if client == nil {
		client = http.DefaultClient
	}
	return &HTTPSource{client: client, url: url, token: token}
}

// ReadAt implements io.ReaderAt with a background context.
func (h *HTTPSource) ReadAt(p []byte, off int64) (int, error) {
	return h.ReadAtContext(context.Background(), p, off)
}

// ReadAtContext reads len(p) bytes at off with one ranged GET.
func (h *HTTPSource) ReadAtContext(ctx context.Context, p []byte, off int64) (int, error) {
	n, _, err := h.get(ctx, p, off)
	return n, err
}

func (h *HTTPSource) get(ctx context.Context, p []byte, off int64) (int, int64, error) {
	if len(p) == 0 {
		return 0, -1, nil
	}
	h.mu.Lock()
	direct := h.direct
	h.mu.Unlock()
	if direct != "" {
		n, total, err := h.getURL(ctx, p, off, direct, false)
		var se *StatusError
		if !errors.As(err, &se) || (se.Status != 401 && se.Status != 403 && se.Status != 404) {
			return n, total, err
		}
		h.mu.Lock()
		if h.direct == direct {
			h.direct = ""
		}
		h.mu.Unlock()
	}
	return h.getURL(ctx, p, off, h.url, true)
}

func (h *HTTPSource) getURL(ctx context.Context, p []byte, off int64, url string, original bool) (int, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, -1, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+int64(len(p))-1))
	if h.token != "" && original {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, -1, err
	}
	defer resp.Body.Close()
	if original && resp.Request != nil && resp.Request.URL.String() != url &&
		(resp.StatusCode == http.StatusPartialContent || resp.StatusCode == http.StatusOK) {
		h.mu.Lock()
		h.direct = resp.Request.URL.String()
		h.mu.Unlock()
	}
	total := int64(-1)
	switch resp.StatusCode {
	case http.StatusPartialContent:
		if total, err = CheckContentRange(resp.Header.Get("Content-Range"), "GET "+redact(url), off); err != nil {
			return 0, -1, err
		}
	case http.StatusOK:
		// The server ignored the range: usable only when it sent the
		// whole file and we asked from the start.
		if off != 0 {
			return 0, -1, fmt.Errorf("%w: GET %s: server ignored the Range header (HTTP 200 to a read at offset %d)", ErrBadRange, redact(url), off)
		}
		total = resp.ContentLength
	default:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return 0, -1, &StatusError{Status: resp.StatusCode, URL: redact(url)}
	}
	n, err := io.ReadFull(resp.Body, p)
	if errors.Is(err, io.EOF) && total >= 0 && off+int64(n) == total {
		err = nil // read reached the end of the file
	}
	return n, total, err
}

// OpenHTTP opens the HDF5 file at url (see [HTTPSource]). Its first request
// fetches the head and learns the size from Content-Range.
func OpenHTTP(ctx context.Context, client *http.Client, url, token string, opts ...Option) (*File, error) {
	src := NewHTTPSource(client, url, token)
	return openProbing(ctx, src, src.get, opts)
}

// redact drops the query (signatures of presigned URLs) from a URL for
// error messages.
func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}

// parseContentRange parses "bytes a-b/total" (total may be "*", -1);
// ok is false if the header is malformed.
func parseContentRange(s string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(s, "bytes ")
	i := strings.LastIndexByte(rest, '/')
	j := strings.IndexByte(rest, '-')
	if !found || i < 0 || j < 0 || j > i {
		return 0, -1, false
	}
	start, err := strconv.ParseInt(rest[:j], 10, 64)
	if err != nil || start < 0 {
		return 0, -1, false
	}
	total = -1
	if t := rest[i+1:]; t != "*" {
		if total, err = strconv.ParseInt(t, 10, 64); err != nil || total < 0 {
			return 0, -1, false
		}
	}
	return start, total, true
}

// CheckContentRange verifies that the Content-Range header of a 206 answer
// to a read at off ("bytes a-b/total") starts at off, and returns the total
// size it reports (-1 for "*"). A malformed header or another start is an
// error wrapping [ErrBadRange] that names what (the object read). Sources
// outside this package (such as h5read/s3src) use it.
func CheckContentRange(header, what string, off int64) (int64, error) {
	start, total, ok := parseContentRange(header)
	if !ok {
		return -1, fmt.Errorf("%w: %s: malformed Content-Range %q", ErrBadRange, what, header)
	}
	if start != off {
		return -1, fmt.Errorf("%w: %s: asked for offset %d, got a range starting at %d", ErrBadRange, what, off, start)
	}
	return total, nil
}

// ProbeFunc reads len(p) bytes at off like [ReaderAtContext.ReadAtContext]
// and also returns the total size of the object the answer reports (from
// Content-Range, or the length of a whole-object answer), or -1 if it
// reports none.
type ProbeFunc func(ctx context.Context, p []byte, off int64) (n int, size int64, err error)

// OpenProbing opens a File on src whose size is not known in advance: its
// first request, made with probe, fetches the head of the object and learns
// the size from the answer, so no separate HEAD request is needed.
// Transient failures of that request are retried as [WithRetries] says.
// [OpenHTTP] and h5read/s3src.Open are built on it.
func OpenProbing(ctx context.Context, src io.ReaderAt, probe ProbeFunc, opts ...Option) (*File, error) {
	return openProbing(ctx, src, probe, opts)
}

// openProbing fetches the head with a range request that also reports the
// object size, then opens the File with that head already in place.
func openProbing(ctx context.Context, src io.ReaderAt, get ProbeFunc, opts []Option) (*File, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	probe := max(cfg.headSize, 4096)
	buf := make([]byte, probe)
	var (
		n, total int64
		err      error
		retries  int64
	)
	for attempt := 0; ; attempt++ {
		var got int
		got, total, err = get(ctx, buf, 0)
		n = int64(got)
		if err == nil || total >= 0 && n == min(total, probe) {
			err = nil
			break
		}
		if attempt >= cfg.retries || !isTransient(err) {
			return nil, err
		}
		retries++
		if werr := sleepBackoff(ctx, cfg.backoff, attempt); werr != nil {
			return nil, werr
		}
	}
	if total < 0 {
		return nil, fmt.Errorf("h5read: the server did not report the object size (no Content-Range total)")
	}
	head := buf[:min(n, total, cfg.headSize)]
	opts = append(opts, func(c *config) error { c.seedHead = head; c.seedRequests = 1 + retries; c.seedFetched = n; return nil })
	return Open(ctx, src, total, opts...)
}
