package cmr

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang/geo/s2"
	"github.com/paulmach/orb"

	"github.com/zagg-go/zagg/healpix"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func fixtureGranules(t testing.TB) []Granule {
	t.Helper()
	var all []Granule
	for _, f := range []string{"page1.json", "page2.json", "page3.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "cmr", f))
		if err != nil {
			t.Fatal(err)
		}
		_, gs, err := ParseUMMResults(b)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, gs...)
	}
	return all
}

var antarcticaMemo sync.Map // [2]int{order, conv} → []uint64

func antarcticaCells(t testing.TB, order int, conv healpix.LatitudeConvention) []uint64 {
	t.Helper()
	key := [2]int{order, int(conv)}
	if v, ok := antarcticaMemo.Load(key); ok {
		return v.([]uint64)
	}
	c, err := NewCoverer(order, conv)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := c.Cover(Antarctica().Polygons)
	if err != nil {
		t.Fatal(err)
	}
	antarcticaMemo.Store(key, cells)
	return cells
}

// TestAntarcticaGolden pins the order-6 cells of the default region (both
// conventions) to golden files; -update rewrites them.
func TestAntarcticaGolden(t *testing.T) {
	for _, conv := range []healpix.LatitudeConvention{healpix.Authalic, healpix.Geodetic} {
		cells := antarcticaCells(t, 6, conv)
		if len(cells) < 1000 || len(cells) > 2000 {
			t.Errorf("%v: %d order-6 cells, zagg expects 1,000–2,000", conv, len(cells))
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "# order-6 nested ids of the cells touching cmr.Antarctica(), %s latitude (%d cells)\n", conv, len(cells))
		for _, c := range cells {
			fmt.Fprintln(&b, c)
		}
		path := filepath.Join("testdata", "antarctica_o6_"+conv.String()+".txt")
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%v cells differ from %s (run with -update after checking why)", conv, path)
		}
	}
}

// TestAntarcticaAgainstBruteForce samples the basins: every cell holding a
// vertex or a point of a basin edge must be covered.
func TestAntarcticaAgainstBruteForce(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	cells := antarcticaCells(t, 6, healpix.Authalic)
	s, err := newShape(Antarctica().Polygons, healpix.Authalic)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]bool{}
	for _, poly := range s.polys {
		for e := range poly.NumEdges() {
			edge := poly.Edge(e)
			for k := 0; k <= 8; k++ {
				ll := s2.LatLngFromPoint(s2.Interpolate(float64(k)/8, edge.V0, edge.V1))
				want[healpix.LatLonToNest(6, ll.Lat.Degrees(), ll.Lng.Degrees())] = true
			}
		}
	}
	for n := range want {
		if _, ok := slices.BinarySearch(cells, n); !ok {
			t.Errorf("cell %d holds a basin boundary point but is not covered", n)
		}
	}
	// The interior is filled: cells with centres inside a basin are covered.
	inside := 0
	for n := range healpix.NPix(6) {
		lat, lon := healpix.NestCenter(6, n)
		if lat > -60 {
			continue
		}
		if s.containsPoint(llPoint(lat, lon)) {
			inside++
			if _, ok := slices.BinarySearch(cells, n); !ok {
				t.Errorf("cell %d has its centre inside a basin but is not covered", n)
			}
		}
	}
	t.Logf("%d cells: %d hold boundary samples, %d have centres inside", len(cells), len(want), inside)
}

func TestBuild(t *testing.T) {
	gs := fixtureGranules(t)
	region := antarcticaCells(t, 6, healpix.Authalic)
	cov, _ := NewCoverer(6, healpix.Authalic)
	cat, stats, err := Build(gs, BuildOptions{Coverer: cov, Region: region, Metadata: Metadata{ShortName: "ATL06", Cycle: 22}})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, s := range stats.Skipped {
		reasons[s.Granule] = s.Reason
	}
	if r := reasons["ATL06_20250104003608_02892602_007_01.h5"]; r != "footprint outside the region" {
		t.Errorf("ring A granule: %q", r)
	}
	if r := reasons["SC:ATL06.005:228825416"]; !strings.Contains(r, "Orbit-only") {
		t.Errorf("orbit granule: %q", r)
	}
	if stats.Granules != 5 || stats.Mapped+len(stats.Skipped) != 5 || stats.Mapped < 1 {
		t.Errorf("stats %+v", stats)
	}
	md := cat.Metadata
	if md.TotalGranules != 5 || md.TotalCells != len(cat.Cells) || md.ParentOrder != 6 || md.Latitude != healpix.Authalic ||
		!md.LatitudeRecorded || md.Cycle != 22 || len(md.Skipped) != len(stats.Skipped) {
		t.Errorf("metadata %+v", md)
	}
	if md.S3Base != "s3://nsidc-cumulus-prod-protected" || md.HTTPSBase != "https://data.nsidc.earthdatacloud.nasa.gov/nsidc-cumulus-prod-protected" {
		t.Errorf("bases %q %q", md.S3Base, md.HTTPSBase)
	}
	// Each mapped granule is in exactly the cells its footprint covers
	// within the region; cells ascend by legacy id; granules by start time.
	var last int64 = -1 << 62
	pairs := 0
	for _, c := range cat.Cells {
		m, _ := c.Cell.Legacy()
		if m <= last {
			t.Errorf("cells not in ascending legacy order: %d after %d", m, last)
		}
		last = m
		pairs += len(c.Granules)
		if _, ok := slices.BinarySearch(region, c.Cell.Nest()); !ok {
			t.Errorf("cell %d outside the region", m)
		}
	}
	if pairs != stats.Pairs {
		t.Errorf("pairs %d, stats %d", pairs, stats.Pairs)
	}
	for _, g := range gs {
		if reasons[g.GranuleUR] != "" {
			continue
		}
		want, _ := cov.CoverWithin(g.Footprint, region)
		u := g.S3URL
		if u == "" {
			u = g.HTTPSURL
		}
		var got []uint64
		for _, c := range cat.Cells {
			if slices.Contains(c.Granules, u) {
				got = append(got, c.Cell.Nest())
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s in cells %v, footprint covers %v", g.GranuleUR, got, want)
		}
	}
	// Deterministic regardless of parallelism.
	a, _ := cat.Encode()
	for _, w := range []int{1, 3} {
		cat2, _, _ := Build(gs, BuildOptions{Coverer: cov, Region: region, Workers: w, Metadata: Metadata{ShortName: "ATL06", Cycle: 22}})
		b, _ := cat2.Encode()
		if !bytes.Equal(a, b) {
			t.Errorf("workers=%d changes the catalog", w)
		}
	}
	// Round trip of a built catalog.
	c2, err := ParseCatalog(a)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := c2.Encode(); !bytes.Equal(a, b) {
		t.Error("built catalog does not round-trip")
	}
	if _, _, err := Build(gs, BuildOptions{}); err == nil {
		t.Error("Build without a Coverer accepted")
	}
	c19, _ := NewCoverer(19, healpix.Authalic)
	if _, _, err := Build(gs, BuildOptions{Coverer: c19}); err == nil {
		t.Error("order 19 accepted (no legacy keys)")
	}
}

func TestBaseURLs(t *testing.T) {
	for _, tc := range [][4]string{
		{"s3://nsidc-cumulus-prod-protected/ATLAS/x.h5", "https://data.nsidc.earthdatacloud.nasa.gov/nsidc-cumulus-prod-protected/ATLAS/x.h5",
			"s3://nsidc-cumulus-prod-protected", "https://data.nsidc.earthdatacloud.nasa.gov/nsidc-cumulus-prod-protected"},
		{"s3://b/x.h5", "https://host/other/x.h5", "", ""},
		{"https://b/x.h5", "https://host/b/x.h5", "", ""},
	} {
		s, h := baseURLs(tc[0], tc[1])
		if s != tc[2] || h != tc[3] {
			t.Errorf("baseURLs(%q, %q) = %q, %q", tc[0], tc[1], s, h)
		}
	}
}

// Two records of one file (e.g. two revisions) are listed once per cell,
// and granules are ordered by start time whatever the input order.
func TestBuildDuplicatesAndOrder(t *testing.T) {
	cov, _ := NewCoverer(6, healpix.Geodetic)
	box := orb.MultiPolygon{{{{-60.0, -75.0}, {-59.9, -75.0}, {-59.9, -74.5}, {-60.0, -74.5}, {-60.0, -75.0}}}}
	t0 := time.Date(2024, 1, 6, 0, 0, 0, 0, time.UTC)
	gs := []Granule{
		{GranuleUR: "late", S3URL: "s3://b/late.h5", Temporal: TimeRange{Start: t0.Add(2 * time.Hour)}, Footprint: box},
		{GranuleUR: "early", S3URL: "s3://b/early.h5", Temporal: TimeRange{Start: t0}, Footprint: box},
		{GranuleUR: "early-rev2", S3URL: "s3://b/early.h5", Temporal: TimeRange{Start: t0.Add(3 * time.Hour)}, Footprint: box},
	}
	cat, stats, err := Build(gs, BuildOptions{Coverer: cov})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cat.Cells {
		if !slices.Equal(c.Granules, []string{"s3://b/early.h5", "s3://b/late.h5"}) {
			t.Errorf("cell %s: %v", c.Key(), c.Granules)
		}
	}
	if stats.Pairs != 2*len(cat.Cells) || stats.PerCellMin != 2 || stats.PerCellMax != 2 {
		t.Errorf("stats %+v", stats)
	}
}
