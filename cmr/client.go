package cmr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/zagg-go/zagg/internal/retry"
)

// Defaults of a search, matching zagg 0.1.0.
const (
	DefaultBaseURL   = "https://cmr.earthdata.nasa.gov/search"
	DefaultProvider  = "NSIDC_CPRD"
	DefaultShortName = "ATL06"
	DefaultVersion   = "007"

	// MaxPageSize is CMR's largest page; searches use it by default.
	MaxPageSize = 2000

	// maxGetURL is the URL length above which the query is POSTed.
	maxGetURL = 6000
	// DefaultMaxBodyBytes bounds one reply body.
	DefaultMaxBodyBytes = 256 << 20
)

// BBox is a longitude/latitude box in degrees, CMR's bounding_box. West >
// East means the box crosses the antimeridian.
type BBox struct {
	West, South, East, North float64
}

// CrossesAntimeridian reports whether the box wraps through ±180°.
func (b BBox) CrossesAntimeridian() bool { return b.West > b.East }

// String formats the box as CMR's "W,S,E,N".
func (b BBox) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return f(b.West) + "," + f(b.South) + "," + f(b.East) + "," + f(b.North)
}

// Validate checks ranges: longitudes in [−180, 180], latitudes in
// [−90, 90] with South ≤ North, all finite.
func (b BBox) Validate() error {
	for _, v := range []float64{b.West, b.East} {
		if !(v >= -180 && v <= 180) {
			return fmt.Errorf("%w: bounding box %v: longitude %v outside [-180, 180]", ErrQuery, b, v)
		}
	}
	for _, v := range []float64{b.South, b.North} {
		if !(v >= -90 && v <= 90) {
			return fmt.Errorf("%w: bounding box %v: latitude %v outside [-90, 90]", ErrQuery, b, v)
		}
	}
	if b.South > b.North {
		return fmt.Errorf("%w: bounding box %v: south %v > north %v", ErrQuery, b, b.South, b.North)
	}
	return nil
}

// ParseBBox parses "W,S,E,N" (zagg's --bbox "lon_min,lat_min,lon_max,lat_max").
func ParseBBox(s string) (BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return BBox{}, fmt.Errorf("%w: bounding box %q: want 4 comma-separated numbers", ErrQuery, s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return BBox{}, fmt.Errorf("%w: bounding box %q: %q is not a number", ErrQuery, s, p)
		}
		v[i] = f
	}
	b := BBox{West: v[0], South: v[1], East: v[2], North: v[3]}
	return b, b.Validate()
}

// Query is a granule search. The zero value of each field means "no
// constraint" except where a default is stated.
type Query struct {
	ShortName string // collection short name; required
	Version   string // collection version ("007"); optional
	Provider  string // CMR provider; optional

	// Temporal keeps granules whose time range intersects it (inclusive).
	// A zero Start and End means no temporal constraint.
	Temporal TimeRange

	// BoundingBoxes keeps granules that intersect any of the boxes.
	BoundingBoxes []BBox

	// Polygons keeps granules that intersect any of the rings ([lon, lat],
	// counter-clockwise; closed automatically).
	Polygons []orb.Ring

	// Cycle, if > 0, keeps only granules whose name carries this cycle
	// number (readable_granule_name pattern
	// "<short>*_??????????????_????CC??_<version>_*"; the "*" admits the
	// hemisphere suffix of ATL07-01_/ATL10-02_ names): the exact ICESat-2
	// cycle, unlike a temporal window.
	Cycle int
	// LastCycle, if > Cycle, extends Cycle to the range Cycle–LastCycle
	// (one name pattern per cycle, any of which matches).
	LastCycle int

	// GranuleNames keeps granules whose name matches any pattern (CMR
	// wildcards ? and *).
	GranuleNames []string

	// PageSize is the number of granules per page, 1–2000 (default 2000).
	PageSize int
}

// Values encodes the query as CMR search parameters.
func (q Query) Values() (url.Values, error) {
	if q.ShortName == "" {
		return nil, fmt.Errorf("%w: no short name", ErrQuery)
	}
	ps := q.PageSize
	if ps == 0 {
		ps = MaxPageSize
	}
	if ps < 1 || ps > MaxPageSize {
		return nil, fmt.Errorf("%w: page size %d outside 1–%d", ErrQuery, ps, MaxPageSize)
	}
	v := url.Values{}
	v.Set("short_name", q.ShortName)
	if q.Version != "" {
		v.Set("version", q.Version)
	}
	if q.Provider != "" {
		v.Set("provider", q.Provider)
	}
	if !q.Temporal.Start.IsZero() || !q.Temporal.End.IsZero() {
		if q.Temporal.Start.IsZero() || q.Temporal.End.IsZero() {
			return nil, fmt.Errorf("%w: temporal range needs both start and end", ErrQuery)
		}
		if q.Temporal.End.Before(q.Temporal.Start) {
			return nil, fmt.Errorf("%w: temporal range ends (%s) before it starts (%s)", ErrQuery,
				q.Temporal.End.Format(time.RFC3339), q.Temporal.Start.Format(time.RFC3339))
		}
		v.Set("temporal", q.Temporal.Temporal())
	}
	for _, b := range q.BoundingBoxes {
		if err := b.Validate(); err != nil {
			return nil, err
		}
	}
	switch len(q.BoundingBoxes) {
	case 0:
	case 1:
		v.Set("bounding_box", q.BoundingBoxes[0].String())
	default:
		for _, b := range q.BoundingBoxes {
			v.Add("bounding_box[]", b.String())
		}
		v.Set("options[bounding_box][or]", "true")
	}
	if len(q.Polygons) > 0 {
		key := "polygon"
		if len(q.Polygons) > 1 {
			key = "polygon[]"
			v.Set("options[polygon][or]", "true")
		}
		for i, r := range q.Polygons {
			s, err := polygonParam(r)
			if err != nil {
				return nil, fmt.Errorf("%w: polygon %d: %v", ErrQuery, i, err)
			}
			v.Add(key, s)
		}
	}
	names := append([]string(nil), q.GranuleNames...)
	if q.Cycle != 0 {
		if q.Cycle < 1 || q.Cycle > MaxCycle {
			return nil, fmt.Errorf("%w: %w: %d", ErrQuery, ErrCycle, q.Cycle)
		}
		last := max(q.Cycle, q.LastCycle)
		if last > MaxCycle {
			return nil, fmt.Errorf("%w: %w: last cycle %d", ErrQuery, ErrCycle, last)
		}
		ver := q.Version
		if ver == "" {
			ver = "???"
		}
		for c := q.Cycle; c <= last; c++ {
			names = append(names, fmt.Sprintf("%s*_??????????????_????%02d??_%s_*", q.ShortName, c, ver))
		}
	}
	for _, n := range names {
		v.Add("readable_granule_name[]", n)
	}
	if len(names) > 0 {
		v.Set("options[readable_granule_name][pattern]", "true")
	}
	v.Set("page_size", strconv.Itoa(ps))
	v.Set("sort_key", "start_date")
	return v, nil
}

// polygonParam formats a ring as CMR's "lon1,lat1,…,lon1,lat1".
func polygonParam(r orb.Ring) (string, error) {
	if len(r) < 3 {
		return "", fmt.Errorf("%d points, want ≥ 3", len(r))
	}
	if !r.Closed() {
		r = append(r[:len(r):len(r)], r[0])
	}
	var b strings.Builder
	for i, p := range r {
		if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
			return "", fmt.Errorf("point %d (%v, %v) out of range", i, p[0], p[1])
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(p[0], 'f', -1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(p[1], 'f', -1, 64))
	}
	return b.String(), nil
}

// RetryPolicy says how failed requests are retried: 429 (after the
// Retry-After delay when given), 500/502/503/504, a CMR time-out header and
// transport errors are retried with exponential backoff and jitter; other
// statuses fail at once.
type RetryPolicy struct {
	// MaxAttempts is the number of tries per request (default 5).
	MaxAttempts int
	// BaseDelay is the first backoff (default 1 s); attempt k waits a random
	// time in [0, d] with d = BaseDelay·2^(k−1), capped at MaxDelay (zagg's
	// one backoff: exponential with full jitter).
	BaseDelay time.Duration
	// MaxDelay caps a backoff and a Retry-After value (default 2 min).
	MaxDelay time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 2 * time.Minute
	}
	return p
}

func (p RetryPolicy) backoff(attempt int) time.Duration {
	return retry.Backoff{Base: p.BaseDelay, Max: p.MaxDelay}.Delay(attempt)
}

// Page is one page of search results, handed to the callback of
// [Client.SearchPages].
type Page struct {
	Number    int           // 1-based page number
	Hits      int           // total hits CMR reports for the query
	Granules  []Granule     // the page's granules, in CMR order
	Collected int           // granules received so far, including this page
	Took      time.Duration // CMR's own processing time (CMR-Took)
	RequestID string        // CMR-Request-Id
	Retries   int           // retries this page needed
}

// Client searches CMR. The zero value is usable: it talks to
// [DefaultBaseURL] with a 200 s per-request time-out and the default
// [RetryPolicy]. A Client is safe for concurrent use if its fields are not
// changed.
type Client struct {
	// BaseURL is the search root, default DefaultBaseURL.
	BaseURL string
	// HTTPClient sends the requests (default: a client with a 200 s time-out;
	// CMR itself stops a search at 180 s).
	HTTPClient *http.Client
	// ClientID is sent as the Client-Id header (default "zagg-go").
	ClientID string
	// Token, if set, is sent as a bearer token. It never appears in errors.
	Token Secret
	// Retry is the retry policy.
	Retry RetryPolicy
	// MaxBodyBytes bounds a reply body (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// OnRetry, if set, is called before each retry with the attempt just
	// failed (1-based), the wait and the reason.
	OnRetry func(attempt int, wait time.Duration, reason error)
	// Sleep waits d or until ctx is done (returning ctx's error); nil means
	// a timer. Tests inject one to run retries without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

var defaultHTTPClient = &http.Client{Timeout: 200 * time.Second}

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return defaultHTTPClient
}

// Search runs the query and returns every granule, in CMR order (sorted by
// start date). Use SearchPages for progress reports.
func (c *Client) Search(ctx context.Context, q Query) ([]Granule, error) {
	var all []Granule
	err := c.SearchPages(ctx, q, func(p *Page) error {
		all = append(all, p.Granules...)
		return nil
	})
	return all, err
}

// SearchPages runs the query page by page with CMR's Search-After paging
// (never offsets), calling fn after each page. It stops after the last page,
// when fn returns an error (which it returns), or when ctx is done. Each
// request is retried according to c.Retry.
func (c *Client) SearchPages(ctx context.Context, q Query, fn func(*Page) error) error {
	vals, err := q.Values()
	if err != nil {
		return err
	}
	pageSize, _ := strconv.Atoi(vals.Get("page_size"))
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	endpoint := strings.TrimRight(base, "/") + "/granules.umm_json"
	if _, err := url.Parse(endpoint); err != nil {
		return fmt.Errorf("%w: base URL: %v", ErrQuery, err)
	}
	searchAfter := ""
	collected := 0
	for n := 1; ; n++ {
		body, hdr, retries, err := c.fetch(ctx, endpoint, vals.Encode(), searchAfter)
		if err != nil {
			return fmt.Errorf("cmr: page %d: %w", n, err)
		}
		hits, granules, err := ParseUMMResults(body)
		if err != nil {
			return fmt.Errorf("cmr: page %d: %w", n, err)
		}
		collected += len(granules)
		took, _ := strconv.Atoi(hdr.Get("CMR-Took"))
		p := &Page{
			Number: n, Hits: hits, Granules: granules, Collected: collected,
			Took: time.Duration(took) * time.Millisecond, RequestID: hdr.Get("CMR-Request-Id"), Retries: retries,
		}
		if err := fn(p); err != nil {
			return err
		}
		next := hdr.Get("CMR-Search-After")
		if len(granules) == 0 || next == "" || len(granules) < pageSize || collected >= hits {
			return nil
		}
		if next == searchAfter {
			return fmt.Errorf("cmr: page %d: %w: CMR-Search-After did not advance", n, ErrResponse)
		}
		searchAfter = next
	}
}

// fetch sends one search request with retries and returns the body.
func (c *Client) fetch(ctx context.Context, endpoint, form, searchAfter string) ([]byte, http.Header, int, error) {
	pol := c.Retry.withDefaults()
	var lastErr error
	for attempt := 1; ; attempt++ {
		body, hdr, wait, err := c.once(ctx, endpoint, form, searchAfter)
		if err == nil {
			return body, hdr, attempt - 1, nil
		}
		if ctx.Err() != nil {
			return nil, nil, attempt - 1, fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		}
		var herr *HTTPError
		if errors.As(err, &herr) {
			herr.Attempts = attempt
		}
		lastErr = err
		if !retryable(err) || attempt >= pol.MaxAttempts {
			if attempt > 1 && herr == nil {
				return nil, nil, attempt - 1, fmt.Errorf("after %d attempts: %w", attempt, lastErr)
			}
			return nil, nil, attempt - 1, lastErr
		}
		if wait <= 0 {
			wait = pol.backoff(attempt)
		}
		wait = min(wait, pol.MaxDelay)
		if c.OnRetry != nil {
			c.OnRetry(attempt, wait, err)
		}
		sleep := c.Sleep
		if sleep == nil {
			sleep = retry.Sleep
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, nil, attempt, fmt.Errorf("%w (waiting to retry after: %v)", err, lastErr)
		}
	}
}

// transportError marks transport failures (retryable).
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

func retryable(err error) bool {
	var herr *HTTPError
	if errors.As(err, &herr) {
		switch herr.StatusCode {
		case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	if errors.Is(err, ErrTimedOut) {
		return true
	}
	var terr *transportError
	return errors.As(err, &terr)
}

// once sends one request. wait is the server-requested delay (Retry-After).
func (c *Client) once(ctx context.Context, endpoint, form, searchAfter string) (body []byte, hdr http.Header, wait time.Duration, err error) {
	var req *http.Request
	if len(endpoint)+1+len(form) > maxGetURL {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+form, nil)
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("%w: %v", ErrQuery, err)
	}
	req.Header.Set("Accept", "application/vnd.nasa.cmr.umm_results+json; version=1.6.6")
	id := c.ClientID
	if id == "" {
		id = "zagg-go"
	}
	req.Header.Set("Client-Id", id)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+string(c.Token))
	}
	if searchAfter != "" {
		req.Header.Set("CMR-Search-After", searchAfter)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, nil, 0, &transportError{fmt.Errorf("cmr: %s %s: %w", req.Method, redactURL(req.URL), unwrapURLError(err))}
	}
	defer resp.Body.Close()
	limit := c.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, 0, &transportError{fmt.Errorf("cmr: %s %s: reading body: %w", req.Method, redactURL(req.URL), err)}
	}
	if int64(len(body)) > limit {
		return nil, nil, 0, fmt.Errorf("%w: %s %s: body larger than %d bytes", ErrResponse, req.Method, redactURL(req.URL), limit)
	}
	if resp.StatusCode != http.StatusOK {
		herr := &HTTPError{
			Method: req.Method, URL: redactURL(req.URL), StatusCode: resp.StatusCode,
			Messages: errorMessages(body), RequestID: resp.Header.Get("CMR-Request-Id"),
		}
		return nil, nil, retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), herr
	}
	if timedOut(resp.Header) {
		return nil, nil, 0, fmt.Errorf("%w (%s %s, CMR-Request-Id %q)", ErrTimedOut, req.Method, redactURL(req.URL), resp.Header.Get("CMR-Request-Id"))
	}
	return body, resp.Header, 0, nil
}

// timedOut reports CMR's partial-result flag; the header is documented both
// as CMR-Time-Out and CMR-Timed-Out.
func timedOut(h http.Header) bool {
	for _, k := range []string{"CMR-Time-Out", "CMR-Timed-Out"} {
		if strings.EqualFold(strings.TrimSpace(h.Get(k)), "true") {
			return true
		}
	}
	return false
}

// errorMessages extracts CMR's {"errors": […]} (at most 5 messages of at
// most 300 bytes each).
func errorMessages(body []byte) []string {
	var e struct {
		Errors []json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return nil
	}
	var out []string
	for _, m := range e.Errors {
		var s string
		if json.Unmarshal(m, &s) != nil {
			s = string(m)
		}
		if len(s) > 300 {
			s = s[:300] + "…"
		}
		out = append(out, s)
		if len(out) == 5 {
			break
		}
	}
	return out
}

// redactURL keeps scheme, host and path: no query, no user info.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// unwrapURLError drops *url.Error's own URL (which carries the query).
func unwrapURLError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}
