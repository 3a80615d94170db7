package cmr

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCatalogRequestPlan checks the query and metadata of a request and the
// error of each bad field.
func TestCatalogRequestPlan(t *testing.T) {
	p, err := CatalogRequest{Cycle: 22}.Plan()
	if err != nil {
		t.Fatal(err)
	}
	md := p.Metadata
	if md.ShortName != DefaultShortName || md.Cycle != 22 || md.StartDate != "2024-01-06" || md.CycleDefinition != "zagg-0.1.0" ||
		p.Order != 6 || len(p.Query.BoundingBoxes) != 1 || md.CMRQuery == "" || p.Region.Name == "" {
		t.Errorf("plan of cycle 22: %+v, metadata %+v", p, md)
	}
	// A range of true cycles: one name pattern per cycle, the window from
	// the first's start to the last's end, and the range recorded.
	p, err = CatalogRequest{Cycle: 3, LastCycle: 5, TrueCycle: true}.Plan()
	if err != nil {
		t.Fatal(err)
	}
	t3, _ := TrueCycleRange(3)
	t5, _ := TrueCycleRange(5)
	v, _ := p.Query.Values()
	if pats := names(v); len(pats) != 3 || !strings.Contains(pats[2], "????05??") ||
		p.Metadata.Cycle != 3 || p.Metadata.LastCycle != 5 ||
		p.Metadata.StartDate != t3.Start.AddDate(0, 0, -1).Format("2006-01-02") || p.Metadata.EndDate != t5.End.AddDate(0, 0, 1).Format("2006-01-02") {
		t.Errorf("plan of true cycles 3-5: query %v, temporal %v, metadata %+v", names(v), p.Query.Temporal, p.Metadata)
	}
	z3, _ := ZaggCycleRange(3)
	z4, _ := ZaggCycleRange(4)
	p, err = CatalogRequest{Cycle: 3, LastCycle: 4}.Plan()
	if err != nil || p.Metadata.StartDate != z3.Start.Format("2006-01-02") || p.Metadata.EndDate != z4.End.Format("2006-01-02") || p.Metadata.LastCycle != 4 {
		t.Errorf("plan of zagg cycles 3-4: %+v, %v", p.Metadata, err)
	}
	box := BBox{West: -10, South: -80, East: 10, North: -70}
	p, err = CatalogRequest{StartDate: "2024-01-01", EndDate: "2024-01-31", BBox: &box, ParentOrder: 4, ShortName: "ATL07"}.Plan()
	if err != nil || p.Query.BoundingBoxes[0] != box || p.Metadata.ShortName != "ATL07" || p.Order != 4 || p.Metadata.EndDate != "2024-01-31" {
		t.Errorf("plan of dates: %+v, %v", p, err)
	}
	for _, tc := range []struct {
		name string
		r    CatalogRequest
		want string
	}{
		{"no window", CatalogRequest{}, "either a cycle or both"},
		{"one date", CatalogRequest{StartDate: "2024-01-01"}, "either a cycle or both"},
		{"both", CatalogRequest{Cycle: 3, StartDate: "2024-01-01", EndDate: "2024-02-01"}, "not both"},
		{"cycle range", CatalogRequest{Cycle: -1}, "cycle -1"},
		{"bad date", CatalogRequest{StartDate: "2024-13-01", EndDate: "2024-12-01"}, "YYYY-MM-DD"},
		{"reversed", CatalogRequest{StartDate: "2024-02-01", EndDate: "2024-01-01"}, "before"},
		{"order", CatalogRequest{Cycle: 3, ParentOrder: 19}, "parent order 19"},
		{"true cycle without cycle", CatalogRequest{TrueCycle: true, StartDate: "2024-01-01", EndDate: "2024-01-02"}, "needs a cycle"},
		{"reversed cycles", CatalogRequest{Cycle: 5, LastCycle: 3}, "cycles 5-3"},
		{"last cycle alone", CatalogRequest{LastCycle: 3}, "needs a first cycle"},
	} {
		if _, err := tc.r.Plan(); !errors.Is(err, ErrQuery) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrQuery saying %q", tc.name, err, tc.want)
		}
	}
}

// names returns the granule name patterns of a query's values.
func names(v map[string][]string) []string { return v["readable_granule_name[]"] }

// TestBuildCatalog builds a catalog through recorded CMR pages served on
// loopback, and reports an empty search as ErrNoGranules.
func TestBuildCatalog(t *testing.T) {
	pages := map[string]string{"": "page1.json", "sa-1": "page2.json", "sa-2": "page3.json"}
	next := map[string]string{"": "sa-1", "sa-1": "sa-2"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sa := r.Header.Get("CMR-Search-After")
		b, err := os.ReadFile(filepath.Join("testdata", "cmr", pages[sa]))
		if err != nil {
			t.Error(err)
		}
		if n := next[sa]; n != "" {
			w.Header().Set("CMR-Search-After", n)
		}
		w.Write(b)
	}))
	defer srv.Close()
	var regionCells, nPages int
	cat, stats, err := BuildCatalog(context.Background(), &Client{BaseURL: srv.URL}, CatalogRequest{Cycle: 22, PageSize: 2},
		CatalogProgress{Region: func(_ *Region, cells int, _ time.Duration) { regionCells = cells }, Page: func(*Page) { nPages++ }})
	if err != nil {
		t.Fatal(err)
	}
	if regionCells == 0 || nPages != 3 || stats.Granules != 5 || stats.Cells == 0 || len(cat.Cells) != stats.Cells || cat.Metadata.Created == "" || cat.Metadata.Cycle != 22 {
		t.Errorf("region cells %d, pages %d, stats %+v, %d catalog cells", regionCells, nPages, stats, len(cat.Cells))
	}
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"hits": 0, "took": 1, "items": []}`))
	}))
	defer empty.Close()
	if _, _, err := BuildCatalog(context.Background(), &Client{BaseURL: empty.URL}, CatalogRequest{Cycle: 22}, CatalogProgress{}); !errors.Is(err, ErrNoGranules) {
		t.Errorf("empty search: %v, want ErrNoGranules", err)
	}
}
