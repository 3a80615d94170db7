package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/healpix"
)

// fakeCMR serves the cmr package's recorded replies on loopback: three
// pages chained by CMR-Search-After, with one 500 on the second page.
func fakeCMR(t *testing.T) (*httptest.Server, *[]*http.Request) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "cmr", "testdata", "cmr"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reqs []*http.Request
	failed := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		r.ParseForm()
		reqs = append(reqs, r)
		page, next := "page1.json", "sa-1"
		switch r.Header.Get("CMR-Search-After") {
		case "sa-1":
			if !failed {
				failed = true
				w.WriteHeader(500)
				w.Write([]byte(`{"errors":["boom"]}`))
				return
			}
			page, next = "page2.json", "sa-2"
		case "sa-2":
			page, next = "page3.json", ""
		}
		body, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Error(err)
		}
		if next != "" {
			w.Header().Set("CMR-Search-After", next)
		}
		w.Header().Set("CMR-Took", "12")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &reqs
}

func TestCatalogCommand(t *testing.T) {
	srv, reqs := fakeCMR(t)
	out := filepath.Join(t.TempDir(), "cat.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{"catalog", "--cycle", "22", "--cmr-url", srv.URL, "--page-size", "2", "--output", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{
		"page 1: 2 granules (2 of 5)", "page 2: 2 granules (4 of 5)", "page 3: 1 granules (5 of 5)",
		"granules: 5 (", "skipped 2: footprint outside the region", "skipped 1: no footprint polygon (Orbit-only record)",
		"Granules per cell: min=", "wrote " + out,
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "retry 1") || !strings.Contains(stderr.String(), "HTTP 500") {
		t.Errorf("retry not reported on stderr: %s", stderr.String())
	}
	c, err := cmr.LoadCatalog(out)
	if err != nil {
		t.Fatal(err)
	}
	md := c.Metadata
	if md.Cycle != 22 || md.StartDate != "2024-01-06" || md.EndDate != "2024-04-06" || md.ParentOrder != 6 ||
		md.Latitude != healpix.Authalic || md.CycleDefinition != "zagg-0.1.0" || md.TotalGranules != 5 || len(c.Cells) == 0 {
		t.Errorf("metadata %+v, %d cells", md, len(c.Cells))
	}
	if md.BBox[0] != -180 || md.BBox[1] != -90 || md.BBox[2] != 180 || md.BBox[3] > -63 {
		t.Errorf("bbox %v, want the Antarctic box", md.BBox)
	}
	q := (*reqs)[0].Form
	if q.Get("temporal") != "2024-01-06T00:00:00Z,2024-04-06T23:59:59Z" || !strings.HasPrefix(q.Get("bounding_box"), "-180,-90,180,-63.") {
		t.Errorf("query %v", q)
	}
	if len(*reqs) != 4 {
		t.Errorf("%d CMR requests, want 4 (3 pages + 1 retry)", len(*reqs))
	}
}

func TestCatalogCommandOptions(t *testing.T) {
	srv, reqs := fakeCMR(t)
	dir := t.TempDir()
	region := filepath.Join(dir, "ross.geojson")
	// A polygon across the antimeridian around the antimeridian swath.
	os.WriteFile(region, []byte(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[170,-75],[-170,-75],[-170,-45],[170,-45],[170,-75]]]}}`), 0o644)
	t.Chdir(dir) // the default output name lands here
	var stdout, stderr bytes.Buffer
	code := run([]string{"catalog", "--start-date", "2024-01-05", "--end-date", "2024-01-07", "--polygon", region,
		"--latitude", "geodetic", "--parent-order", "5", "--cmr-url", srv.URL, "--page-size", "2"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if bb := (*reqs)[0].Form.Get("bounding_box"); !strings.HasPrefix(bb, "169.") || !strings.Contains(bb, ",-169.") {
		t.Errorf("bounding_box %q: want a box across the antimeridian", bb)
	}
	c, err := cmr.LoadCatalog(filepath.Join(dir, "catalog_ATL06_2024-01-05_2024-01-07_order5.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Metadata.Latitude != healpix.Geodetic || c.Metadata.Polygon != region || len(c.Cells) == 0 {
		t.Errorf("catalog %+v", c.Metadata)
	}
	for _, e := range c.Cells {
		for _, g := range e.Granules {
			if !strings.Contains(g, "02772210") {
				t.Errorf("cell %s lists %s, only the antimeridian swath is in the region", e.Key(), g)
			}
		}
	}
}

func TestCatalogCommandErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--start-date", "2024-01-01"},
		{"--cycle", "100"},
		{"--start-date", "2024-02-01", "--end-date", "2024-01-01"},
		{"--start-date", "2024/01/01", "--end-date", "2024-01-02"},
		{"--cycle", "22", "--latitude", "mercator"},
		{"--cycle", "22", "--parent-order", "19"},
		{"--cycle", "22", "--bbox", "1,2,3"},
		{"--cycle", "22", "--polygon", "/nonexistent.geojson"},
		{"--start-date", "2024-01-01", "--end-date", "2024-01-02", "--true-cycle"},
		{"--cycles", "22-19"},
		{"--cycles", "3-x"},
		{"--cycles", "3-5", "--cycle", "3"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"catalog"}, args...), &stdout, &stderr); code == 0 {
			t.Errorf("catalog %q: exit 0", args)
		} else if stderr.Len() == 0 {
			t.Errorf("catalog %q: no message", args)
		}
	}
	var stdout, stderr bytes.Buffer
	run([]string{"catalog"}, &stdout, &stderr)
	if !strings.Contains(stderr.String(), "Provide either --cycle, --cycles or both --start-date and --end-date") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestCatalogCommandTrueCycle(t *testing.T) {
	srv, reqs := fakeCMR(t)
	var stdout, stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "c.json")
	if code := run([]string{"catalog", "--cycle", "22", "--true-cycle", "--cmr-url", srv.URL, "--page-size", "2", "--output", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	q := (*reqs)[0].Form
	if got := q["readable_granule_name[]"]; len(got) != 1 || got[0] != "ATL06*_??????????????_????22??_007_*" {
		t.Errorf("readable_granule_name[] = %q", got)
	}
	if q.Get("options[readable_granule_name][pattern]") != "true" {
		t.Error("pattern option missing")
	}
	// A loose window around the true cycle 22 (2023-12-18 … 2024-03-18).
	if tmp := q.Get("temporal"); tmp != "2023-12-17T00:00:00Z,2024-03-19T23:59:59Z" {
		t.Errorf("temporal = %q", tmp)
	}
	c, err := cmr.LoadCatalog(out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Metadata.CycleDefinition != "true" || c.Metadata.Cycle != 22 {
		t.Errorf("metadata %+v", c.Metadata)
	}
}

// TestCatalogCommandCycles: --cycles A-B asks CMR for the granules of every
// true cycle of the range and records the range.
func TestCatalogCommandCycles(t *testing.T) {
	srv, reqs := fakeCMR(t)
	var stdout, stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "c.json")
	if code := run([]string{"catalog", "--cycles", "21-22", "--true-cycle", "--cmr-url", srv.URL, "--page-size", "2", "--output", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	q := (*reqs)[0].Form
	if got := q["readable_granule_name[]"]; len(got) != 2 || got[0] != "ATL06*_??????????????_????21??_007_*" || got[1] != "ATL06*_??????????????_????22??_007_*" {
		t.Errorf("readable_granule_name[] = %q", got)
	}
	// From the start of true cycle 21 (2023-09-19) to the end of 22 (2024-03-18), loosely.
	if tmp := q.Get("temporal"); tmp != "2023-09-18T00:00:00Z,2024-03-19T23:59:59Z" {
		t.Errorf("temporal = %q", tmp)
	}
	c, err := cmr.LoadCatalog(out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Metadata.Cycle != 21 || c.Metadata.LastCycle != 22 || c.Metadata.CycleDefinition != "true" {
		t.Errorf("metadata %+v", c.Metadata)
	}
}
