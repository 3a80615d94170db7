package cmr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// reply is one scripted answer of the fake CMR.
type reply struct {
	status      int
	file        string // body from testdata/cmr
	searchAfter string // CMR-Search-After header to send
	headers     map[string]string
}

// fakeCMR replays recorded replies on loopback. Each Search-After value (""
// for the first page) has a queue of replies; the last one repeats.
type fakeCMR struct {
	t      *testing.T
	mu     sync.Mutex
	script map[string][]reply
	calls  []*http.Request
	forms  []string
	srv    *httptest.Server
}

func newFakeCMR(t *testing.T, script map[string][]reply) *fakeCMR {
	f := &fakeCMR{t: t, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeCMR) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/search/granules.umm_json" {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	key := r.Header.Get("CMR-Search-After")
	f.mu.Lock()
	f.calls = append(f.calls, r)
	f.forms = append(f.forms, r.Form.Encode())
	q := f.script[key]
	if len(q) == 0 {
		f.mu.Unlock()
		f.t.Errorf("unexpected CMR-Search-After %q", key)
		http.Error(w, "unexpected", 400)
		return
	}
	rep := q[0]
	if len(q) > 1 {
		f.script[key] = q[1:]
	}
	f.mu.Unlock()
	body, err := os.ReadFile(filepath.Join("testdata", "cmr", rep.file))
	if err != nil {
		f.t.Error(err)
	}
	w.Header().Set("Content-Type", "application/vnd.nasa.cmr.umm_results+json;version=1.6.6; charset=utf-8")
	w.Header().Set("CMR-Request-Id", fmt.Sprintf("req-%d", len(f.calls)))
	w.Header().Set("CMR-Took", "42")
	w.Header().Set("CMR-Hits", "5")
	if rep.searchAfter != "" {
		w.Header().Set("CMR-Search-After", rep.searchAfter)
	}
	for k, v := range rep.headers {
		w.Header().Set(k, v)
	}
	status := rep.status
	if status == 0 {
		status = 200
	}
	w.WriteHeader(status)
	w.Write(body)
}

func (f *fakeCMR) client() *Client {
	return &Client{
		BaseURL:    f.srv.URL + "/search",
		HTTPClient: f.srv.Client(),
		Retry:      RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 3 * time.Second},
		// Retries do not wait on the wall clock: the waits are checked
		// through OnRetry, and a cancelled context still ends the search.
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
}

const (
	sa1 = `["ATL06",1704499169000,2910450002]`
	sa2 = `["ATL06",1735951000000,3367045310]`
)

var pagedQuery = Query{
	ShortName: "ATL06", Version: "007", Provider: "NSIDC_CPRD",
	Temporal:      DateRange(time.Date(2024, 1, 6, 0, 0, 0, 0, time.UTC), time.Date(2024, 4, 6, 0, 0, 0, 0, time.UTC)),
	BoundingBoxes: []BBox{{-180, -90, 180, -60}},
	PageSize:      2,
}

// TestSearchPagingRetries replays three pages with Search-After, a 429 with
// Retry-After, a 500, and a timed-out page, and checks nothing is lost.
func TestSearchPagingRetries(t *testing.T) {
	f := newFakeCMR(t, map[string][]reply{
		"": {{file: "page1.json", searchAfter: sa1}},
		sa1: {
			{status: 429, file: "error429.json", headers: map[string]string{"Retry-After": "1"}},
			{file: "page2.json", searchAfter: sa2},
		},
		sa2: {
			{status: 500, file: "error500.json"},
			{file: "page3_timedout.json", headers: map[string]string{"CMR-Time-Out": "true"}},
			{file: "page3.json"}, // last page: no CMR-Search-After header
		},
	})
	c := f.client()
	var retries []string
	var waits []time.Duration
	c.OnRetry = func(attempt int, wait time.Duration, reason error) {
		retries = append(retries, fmt.Sprintf("%d %v", attempt, reason))
		waits = append(waits, wait)
	}
	var pages []Page
	err := c.SearchPages(context.Background(), pagedQuery, func(p *Page) error {
		pages = append(pages, *p)
		return nil
	})
	if err != nil {
		t.Fatalf("SearchPages: %v", err)
	}
	if len(pages) != 3 {
		t.Fatalf("got %d pages, want 3", len(pages))
	}
	var names []string
	for _, p := range pages {
		for _, g := range p.Granules {
			names = append(names, g.GranuleUR)
		}
	}
	want := []string{
		"ATL06_20240105235929_02772210_007_01.h5", "ATL06_20240106000405_02772211_007_01.h5",
		"ATL06_20240106001031_02772212_007_01.h5", "ATL06_20250104003608_02892602_007_01.h5",
		"SC:ATL06.005:228825416",
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("granules = %v, want %v", names, want)
	}
	if got := []int{pages[0].Retries, pages[1].Retries, pages[2].Retries}; fmt.Sprint(got) != "[0 1 2]" {
		t.Errorf("retries per page = %v, want [0 1 2]", got)
	}
	if pages[2].Collected != 5 || pages[2].Hits != 5 {
		t.Errorf("last page collected %d of %d, want 5 of 5", pages[2].Collected, pages[2].Hits)
	}
	if len(f.calls) != 6 {
		t.Errorf("%d requests, want 6", len(f.calls))
	}
	if len(waits) == 0 || waits[0] != time.Second {
		t.Errorf("waits %v; the retry after the 429 must wait its Retry-After: 1s", waits)
	}
	if len(retries) != 3 || !strings.Contains(retries[0], "429") || !strings.Contains(retries[1], "500") ||
		!strings.Contains(retries[2], "timed-out") {
		t.Errorf("retries = %q", retries)
	}
	// Every request carried the same query; paging never used offsets.
	for i, form := range f.forms {
		if form != f.forms[0] {
			t.Errorf("request %d query %q differs from the first %q", i, form, f.forms[0])
		}
		if strings.Contains(form, "offset") || strings.Contains(form, "page_num") || strings.Contains(form, "scroll") {
			t.Errorf("request %d uses deprecated paging: %q", i, form)
		}
	}
	first := f.calls[0]
	for k, v := range map[string]string{
		"short_name": "ATL06", "version": "007", "provider": "NSIDC_CPRD", "page_size": "2",
		"sort_key": "start_date", "temporal": "2024-01-06T00:00:00Z,2024-04-06T23:59:59Z",
		"bounding_box": "-180,-90,180,-60",
	} {
		if got := first.Form.Get(k); got != v {
			t.Errorf("parameter %s = %q, want %q", k, got, v)
		}
	}
	if first.Header.Get("Client-Id") == "" {
		t.Error("no Client-Id header")
	}
}

func TestSearchParsesGranules(t *testing.T) {
	f := newFakeCMR(t, map[string][]reply{
		"":  {{file: "page1.json", searchAfter: sa1}},
		sa1: {{file: "page2.json", searchAfter: sa2}},
		sa2: {{file: "page3.json"}},
	})
	gs, err := f.client().Search(context.Background(), pagedQuery)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 5 {
		t.Fatalf("%d granules, want 5", len(gs))
	}
	anti, polar, noS3, ringA, orbit := gs[0], gs[1], gs[2], gs[3], gs[4]
	if anti.ConceptID != "G2910450001-NSIDC_CPRD" || anti.ProviderID != "NSIDC_CPRD" || anti.RevisionID != 1 {
		t.Errorf("meta = %q %q %d", anti.ConceptID, anti.ProviderID, anti.RevisionID)
	}
	wantS3 := "s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/007/2024/01/05/ATL06_20240105235929_02772210_007_01.h5"
	if anti.S3URL != wantS3 {
		t.Errorf("S3URL = %q, want %q", anti.S3URL, wantS3)
	}
	wantHTTPS := "https://data.nsidc.earthdatacloud.nasa.gov/nsidc-cumulus-prod-protected/ATLAS/ATL06/007/2024/01/05/ATL06_20240105235929_02772210_007_01.h5"
	if anti.HTTPSURL != wantHTTPS {
		t.Errorf("HTTPSURL = %q, want %q", anti.HTTPSURL, wantHTTPS)
	}
	if anti.SizeBytes != 38523911 {
		t.Errorf("SizeBytes = %d", anti.SizeBytes)
	}
	if want := time.Date(2024, 1, 5, 23, 59, 29, 0, time.UTC); !anti.Temporal.Start.Equal(want) {
		t.Errorf("start = %v, want %v", anti.Temporal.Start, want)
	}
	if len(anti.Footprint) != 1 || len(anti.Footprint[0]) != 1 || len(anti.Footprint[0][0]) != 25 {
		t.Errorf("antimeridian footprint shape wrong: %v", anti.Footprint)
	}
	if len(polar.Footprint) != 1 || polar.Footprint[0][0][6] != (orb.Point{152.3662, -87.72027}) {
		t.Errorf("polar footprint wrong: %v", polar.Footprint)
	}
	if noS3.S3URL != "" || noS3.HTTPSURL == "" {
		t.Errorf("granule without S3 link: S3URL %q HTTPSURL %q", noS3.S3URL, noS3.HTTPSURL)
	}
	if ringA.RevisionID != 2 || ringA.Footprint[0][0][0] != (orb.Point{30.33127, 59.54486}) {
		t.Errorf("ring A granule: rev %d first point %v", ringA.RevisionID, ringA.Footprint[0][0][0])
	}
	if !orbit.HasOrbit || len(orbit.Footprint) != 0 || orbit.S3URL != "" {
		t.Errorf("orbit record: HasOrbit %v footprint %v S3 %q", orbit.HasOrbit, orbit.Footprint, orbit.S3URL)
	}
	if orbit.SizeBytes != 3690987 {
		t.Errorf("orbit record size %d", orbit.SizeBytes)
	}
	n, err := polar.Name()
	if err != nil || n.RGT != 277 || n.Cycle != 22 || n.Region != 11 {
		t.Errorf("polar Name() = %+v, %v", n, err)
	}
}

func TestSearchErrors(t *testing.T) {
	tests := []struct {
		name     string
		script   map[string][]reply
		wantIs   error
		wantCode int
		calls    int
	}{
		{"500 forever", map[string][]reply{"": {{status: 500, file: "error500.json"}}}, ErrHTTP, 500, 4},
		{"400 not retried", map[string][]reply{"": {{status: 400, file: "error400.json"}}}, ErrHTTP, 400, 1},
		{"413 not retried", map[string][]reply{"": {{status: 413, file: "error400.json"}}}, ErrHTTP, 413, 1},
		{"timed out forever", map[string][]reply{"": {{file: "page3_timedout.json",
			headers: map[string]string{"cmr-timed-out": "TRUE"}}}}, ErrTimedOut, 0, 4},
		{"bad JSON", map[string][]reply{"": {{file: "error429.json"}}}, ErrResponse, 0, 1},
		{"search-after does not advance", map[string][]reply{
			"":  {{file: "page1.json", searchAfter: sa1}},
			sa1: {{file: "page1.json", searchAfter: sa1}},
		}, ErrResponse, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCMR(t, tt.script)
			_, err := f.client().Search(context.Background(), pagedQuery)
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("err = %v, want %v", err, tt.wantIs)
			}
			var herr *HTTPError
			if tt.wantCode != 0 {
				if !errors.As(err, &herr) || herr.StatusCode != tt.wantCode {
					t.Fatalf("err = %v, want HTTP %d", err, tt.wantCode)
				}
				if len(herr.Messages) == 0 {
					t.Errorf("CMR error messages not reported: %v", err)
				}
			}
			if len(f.calls) != tt.calls {
				t.Errorf("%d requests, want %d", len(f.calls), tt.calls)
			}
		})
	}
}

func TestSearchContextDeadline(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	c := &Client{BaseURL: srv.URL, HTTPClient: srv.Client()}
	_, err := c.Search(ctx, pagedQuery)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestSearchPostsLongQueries(t *testing.T) {
	f := newFakeCMR(t, map[string][]reply{"": {{file: "page3.json"}}})
	q := pagedQuery
	for i := range 400 {
		q.GranuleNames = append(q.GranuleNames, fmt.Sprintf("ATL06_*_%04d????_007_*", i+1))
	}
	if _, err := f.client().Search(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	r := f.calls[0]
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("long query sent as %s %q, want a form POST", r.Method, r.Header.Get("Content-Type"))
	}
	if got := len(r.PostForm["readable_granule_name[]"]); got != 400 {
		t.Errorf("POST form has %d name patterns, want 400", got)
	}
	// A short query is a GET.
	f2 := newFakeCMR(t, map[string][]reply{"": {{file: "page3.json"}}})
	if _, err := f2.client().Search(context.Background(), pagedQuery); err != nil {
		t.Fatal(err)
	}
	if m := f2.calls[0].Method; m != http.MethodGet {
		t.Errorf("short query sent as %s", m)
	}
}

func TestQueryValues(t *testing.T) {
	q := Query{ShortName: "ATL06", Version: "007", Cycle: 22,
		BoundingBoxes: []BBox{{170, -80, -170, -60}, {0, -90, 10, -80}},
		Polygons:      []orb.Ring{{{0, 0}, {1, 0}, {1, 1}}}}
	v, err := q.Values()
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"readable_granule_name[]":                 "ATL06*_??????????????_????22??_007_*",
		"options[readable_granule_name][pattern]": "true",
		"options[bounding_box][or]":               "true",
		"polygon":                                 "0,0,1,0,1,1,0,0",
		"page_size":                               "2000",
	} {
		if got := v.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if got := v["bounding_box[]"]; len(got) != 2 || got[0] != "170,-80,-170,-60" {
		t.Errorf("bounding_box[] = %q", got)
	}
	bad := []Query{
		{},
		{ShortName: "ATL06", PageSize: 2001},
		{ShortName: "ATL06", BoundingBoxes: []BBox{{0, 10, 1, -10}}},
		{ShortName: "ATL06", BoundingBoxes: []BBox{{-181, 0, 1, 1}}},
		{ShortName: "ATL06", Cycle: 100},
		{ShortName: "ATL06", Temporal: TimeRange{Start: time.Now(), End: time.Now().Add(-time.Hour)}},
		{ShortName: "ATL06", Polygons: []orb.Ring{{{0, 0}, {1, 1}}}},
	}
	for i, q := range bad {
		if _, err := q.Values(); !errors.Is(err, ErrQuery) {
			t.Errorf("bad query %d: err = %v, want ErrQuery", i, err)
		}
	}
}

func TestParseBBox(t *testing.T) {
	b, err := ParseBBox("-180,-90,180,-60")
	if err != nil || b != (BBox{-180, -90, 180, -60}) || b.String() != "-180,-90,180,-60" {
		t.Errorf("ParseBBox = %v, %v", b, err)
	}
	if b, _ := ParseBBox("170, -80, -170, -60"); !b.CrossesAntimeridian() {
		t.Errorf("%v should cross the antimeridian", b)
	}
	for _, s := range []string{"", "1,2,3", "a,b,c,d", "0,0,0,91", "0,10,0,0", "NaN,0,0,0"} {
		if _, err := ParseBBox(s); !errors.Is(err, ErrQuery) {
			t.Errorf("ParseBBox(%q) err = %v", s, err)
		}
	}
}

func FuzzParseUMMResults(f *testing.F) {
	for _, name := range []string{"page1.json", "page2.json", "page3.json", "page3_timedout.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "cmr", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"hits":1,"items":[{"umm":{"GranuleUR":"x","TemporalExtent":{"SingleDateTime":"2020-01-01"}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		hits, gs, err := ParseUMMResults(b)
		if err != nil {
			return
		}
		if hits < 0 && len(gs) > 0 {
			t.Logf("negative hits %d", hits)
		}
		for _, g := range gs {
			if g.GranuleUR == "" {
				t.Fatal("granule without GranuleUR accepted")
			}
		}
	})
}

func TestSearchStopsOnCallbackError(t *testing.T) {
	f := newFakeCMR(t, map[string][]reply{"": {{file: "page1.json", searchAfter: sa1}}})
	stop := errors.New("enough")
	err := f.client().SearchPages(context.Background(), pagedQuery, func(*Page) error { return stop })
	if !errors.Is(err, stop) || len(f.calls) != 1 {
		t.Errorf("err = %v after %d requests, want the callback's error after 1", err, len(f.calls))
	}
}

// A Retry-After is honoured (up to MaxDelay) and waited with the caller's
// context: when the deadline comes during the wait, the search ends with
// it, naming the 429 it was waiting out, and sends no further request.
func TestRetryAfterRespectsDeadline(t *testing.T) {
	f := newFakeCMR(t, map[string][]reply{"": {{status: 429, file: "error429.json", headers: map[string]string{"Retry-After": "30"}}}})
	c := f.client()
	c.Retry.MaxDelay = time.Minute
	var waits []time.Duration
	c.Sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return context.DeadlineExceeded // the deadline passes during the wait
	}
	_, err := c.Search(context.Background(), pagedQuery)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "429") {
		t.Errorf("err = %v, want the deadline, mentioning the 429", err)
	}
	if len(waits) != 1 || waits[0] != 30*time.Second || len(f.calls) != 1 {
		t.Errorf("waits %v after %d requests; want one wait of 30s after 1", waits, len(f.calls))
	}
	c.Retry.MaxDelay = 10 * time.Second
	waits = nil
	c.Search(context.Background(), pagedQuery)
	if len(waits) != 1 || waits[0] != 10*time.Second {
		t.Errorf("Retry-After above MaxDelay: waits %v, want [10s]", waits)
	}
}

// TestTrueCyclePatternMatchesHemisphericNames: the true-cycle name pattern
// matches ATL06 names and the hemisphere-suffixed ATL07/ATL10 names (CMR's
// "*" and "?" wildcards are path.Match's), and not another cycle's.
func TestTrueCyclePatternMatchesHemisphericNames(t *testing.T) {
	for _, tc := range []struct {
		short, version, name string
		cycle                int
		want                 bool
	}{
		{"ATL06", "006", "ATL06_20181013235645_02340114_006_01.h5", 1, true},
		{"ATL07", "003", "ATL07-01_20190222003738_08490201_003_02.h5", 2, true},
		{"ATL10", "006", "ATL10-02_20190222003738_08490201_006_01.h5", 2, true},
		{"ATL07", "003", "ATL07-01_20190222003738_08490201_003_02.h5", 3, false},
	} {
		q := Query{ShortName: tc.short, Version: tc.version, Cycle: tc.cycle}
		form, err := q.Values()
		if err != nil {
			t.Fatal(err)
		}
		pat := form["readable_granule_name[]"]
		if len(pat) != 1 {
			t.Fatalf("%s cycle %d: patterns %v", tc.short, tc.cycle, pat)
		}
		if ok, err := path.Match(pat[0], tc.name); err != nil || ok != tc.want {
			t.Errorf("pattern %q on %s = %v, %v; want %v", pat[0], tc.name, ok, err, tc.want)
		}
	}
}
