package morton

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/zagg-go/zagg/healpix"
)

// mortonVectors is testdata/morton_vectors.json (mortie's published goldens,
// copied from ../shared/testdata).
type mortonVectors struct {
	GoldenPoints []struct {
		Lat, Lon          float64
		Geodetic          goldenConv        `json:"geodetic_spherical"`
		Authalic          goldenConv        `json:"authalic"`
		HealpixGeoAuthNst map[string]uint64 `json:"healpix_geo_authalic_nested"`
	} `json:"golden_points"`
	Interchange struct {
		Lats, Lons     []float64
		NestedGeo      []uint64 `json:"nested_geodetic_spherical"`
		NestedAuth     []uint64 `json:"nested_authalic"`
		LegacyGeo      []int64  `json:"legacy_i64_geodetic_spherical"`
		LegacyAuthalic []int64  `json:"legacy_i64_authalic"`
	} `json:"interchange_doc_o14"`
	Misc  map[string]json.RawMessage `json:"interchange_doc_misc"`
	Edges struct {
		Cases []struct {
			Lat, Lon   float64
			LonSignbit bool     `json:"lon_signbit"`
			Geodetic   edgeConv `json:"geodetic_spherical"`
			Authalic   edgeConv `json:"authalic"`
		}
	} `json:"edge_cases_o18"`
	CrateVsHealpy struct {
		Cases []struct {
			Lat, Lon     float64
			CrateNested  uint64 `json:"crate_nested_o18"`
			CrateLegacy  int64  `json:"crate_legacy_o18"`
			HealpyNested uint64 `json:"healpy_nested_o18"`
			HealpyLegacy int64  `json:"healpy_legacy_o18"`
		}
	} `json:"healpix_crate_vs_healpy_o18"`
	LegacyOps struct {
		Clip []struct {
			ClipOrder int   `json:"clip_order"`
			In        int64 `json:"in_o18"`
			Out       int64 `json:"out"`
		} `json:"clip2order"`
		Children []struct {
			Parent      int64
			TargetOrder int `json:"target_order"`
			Out         []int64
		} `json:"generate_morton_children"`
		Mort2Healpix []struct {
			Morton int64
			Nested uint64
			Order  int
		} `json:"mort2healpix"`
		LeadDigit map[string]int `json:"base_cell_lead_digit"`
	} `json:"legacy_ops"`
}

type goldenArea struct {
	Packed uint64 `json:"packed_u64"`
	Nested uint64 `json:"nested"`
	Legacy int64  `json:"legacy_i64"`
}

type goldenConv struct {
	O6, O12, O18 goldenArea
	O29Point     struct {
		Packed  uint64 `json:"packed_u64"`
		Nested  uint64 `json:"nested"`
		Decimal string `json:"decimal"`
	} `json:"o29_point"`
	Centre struct {
		Lat, Lon float64
		TolDeg   float64 `json:"tol_deg"`
	} `json:"mort2geo_o12"`
}

type edgeConv struct {
	Nested uint64 `json:"nested_o18"`
	Legacy int64  `json:"legacy_i64_o18"`
}

func loadMortonVectors(t testing.TB) *mortonVectors {
	t.Helper()
	b, err := os.ReadFile("testdata/morton_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v mortonVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.GoldenPoints) != 10 || len(v.Edges.Cases) == 0 || len(v.CrateVsHealpy.Cases) != 4 {
		t.Fatalf("morton vectors incomplete: %d golden points, %d edge cases", len(v.GoldenPoints), len(v.Edges.Cases))
	}
	return &v
}

// healpyCells maps (lat, lon bits, convention, order) to healpy's nested
// index, from testdata/healpy_cells.json (make_healpy_cells.py).
type cellKey struct {
	lat, lon uint64
	conv     healpix.LatitudeConvention
	order    int
}

func loadHealpyCells(t testing.TB) map[cellKey]uint64 {
	t.Helper()
	b, err := os.ReadFile("testdata/healpy_cells.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []struct {
			Lat, Lon float64
			Conv     string
			Order    int
			Nested   uint64
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	m := make(map[cellKey]uint64, len(f.Cases))
	for _, c := range f.Cases {
		conv, err := healpix.ParseLatitudeConvention(c.Conv)
		if err != nil {
			t.Fatal(err)
		}
		m[cellKey{math.Float64bits(c.Lat), math.Float64bits(c.Lon), conv, c.Order}] = c.Nested
	}
	return m
}

// mortieDivergence lists every vector point where mortie's kernel (the
// healpix-rs hash) and healpy, hence this package, put the point in
// different cells, with the reason. Every other vector must match mortie
// exactly, and every listed point must really diverge, so the list cannot
// go stale. The package documentation explains both kinds.
var mortieDivergence = map[divKey]string{}

type divKey struct {
	lat, lon uint64
	conv     healpix.LatitudeConvention
}

// diverge lists (lat, lon) as a divergence under the given conventions.
func diverge(lat, lon float64, reason string, convs ...healpix.LatitudeConvention) {
	for _, c := range convs {
		mortieDivergence[divKey{math.Float64bits(lat), math.Float64bits(lon), c}] = reason
	}
}

func init() {
	geo, auth := healpix.Geodetic, healpix.Authalic
	negZero := math.Copysign(0, -1)
	// healpix-rs truncates √6 to 2.449489743; healpy uses the exact value.
	diverge(-66.0490745, 73.3739709, "sqrt6", geo)
	diverge(-63.5647972, 34.8382589, "sqrt6", geo)
	diverge(-78.9490306, -11.5718221, "sqrt6", geo)
	diverge(-79.6590116, 132.998038, "sqrt6", geo)
	// Points exactly on a cell edge: the two kernels break the tie
	// differently. On the equator at ±180° (the corner of four cells) healpy
	// picks the eastern cell, mortie the northern one.
	diverge(0, 180, "tie", geo, auth)
	diverge(0, -180, "tie", geo, auth)
	// A negative zero or negative multiple of 180° on a polar base-cell
	// edge: mortie reads the sign bit and picks the western base cell,
	// healpy reduces the longitude to [0°, 360°) and picks the eastern one.
	diverge(-75, negZero, "tie", geo, auth)
	diverge(-75, -180, "tie", geo, auth)
	diverge(-75, -360, "tie", geo, auth)
	diverge(60, negZero, "tie", geo, auth)
	// Exactly at the south transition latitude −asin(2/3) (geodetic only:
	// the authalic conversion moves the point off the boundary): healpy's
	// z = cos θ rounds to the other side of the cap/belt boundary.
	diverge(-41.810314895778596, 45, "tie", geo)
}

// checkCell compares a computed cell with mortie's and healpy's nested index
// for one vector. healpy must always match; mortie must match unless the
// point is listed in mortieDivergence (then healpy's value is the one kept,
// and mortie's must differ from it).
func checkCell(t *testing.T, what string, got Cell, lat, lon float64, conv healpix.LatitudeConvention, order int, mortie uint64, healpy map[cellKey]uint64, diverged map[string]int) {
	t.Helper()
	hp, ok := healpy[cellKey{math.Float64bits(lat), math.Float64bits(lon), conv, order}]
	if !ok {
		t.Fatalf("%s: no healpy value for (%v, %v, %v, o%d)", what, lat, lon, conv, order)
	}
	if got.Nest() != hp {
		t.Errorf("%s: FromLatLon(%v, %v, %d, %v).Nest() = %d, healpy %d", what, lat, lon, order, conv, got.Nest(), hp)
	}
	reason, listed := mortieDivergence[divKey{math.Float64bits(lat), math.Float64bits(lon), conv}]
	// The reference kernel must reproduce mortie's value, and explain each
	// divergence: a √6 one disappears with the exact √6, a tie does not.
	if ref := mortieRef(order, lat, lon, conv, mortieSqrt6); ref != mortie {
		t.Errorf("%s: mortie reference kernel gives %d for (%v, %v) o%d %v, mortie %d", what, ref, lat, lon, order, conv, mortie)
	}
	exact := mortieRef(order, lat, lon, conv, math.Sqrt(6))
	if listed && (reason == "sqrt6") != (exact == hp) {
		t.Errorf("%s: (%v, %v) o%d %v listed as %q, but the exact-√6 mortie kernel gives %d (healpy %d)", what, lat, lon, order, conv, reason, exact, hp)
	}
	switch {
	case !listed && got.Nest() != mortie:
		t.Errorf("%s: FromLatLon(%v, %v, %d, %v).Nest() = %d, mortie %d (healpy %d)", what, lat, lon, order, conv, got.Nest(), mortie, hp)
	case listed && hp == mortie:
		t.Errorf("%s: (%v, %v) o%d %v is listed as a mortie divergence (%s) but mortie agrees with healpy", what, lat, lon, order, conv, reason)
	case listed && hp != mortie:
		diverged[reason]++
		t.Logf("%s: (%v, %v) o%d %v: mortie %d, healpy and we %d (%s)", what, lat, lon, order, conv, mortie, hp, reason)
	}
}

func TestMortieGoldenPoints(t *testing.T) {
	v := loadMortonVectors(t)
	healpy := loadHealpyCells(t)
	diverged := map[string]int{}
	convs := []struct {
		conv healpix.LatitudeConvention
		get  func(k int) *goldenConv
	}{
		{healpix.Geodetic, func(k int) *goldenConv { return &v.GoldenPoints[k].Geodetic }},
		{healpix.Authalic, func(k int) *goldenConv { return &v.GoldenPoints[k].Authalic }},
	}
	for k, p := range v.GoldenPoints {
		for _, cv := range convs {
			g := cv.get(k)
			for _, a := range []struct {
				order int
				want  goldenArea
			}{{6, g.O6}, {12, g.O12}, {18, g.O18}} {
				c := FromLatLon(p.Lat, p.Lon, a.order, cv.conv)
				checkCell(t, "golden", c, p.Lat, p.Lon, cv.conv, a.order, a.want.Nested, healpy, diverged)
				if c.Nest() != a.want.Nested {
					continue
				}
				if c != Cell(a.want.Packed) {
					t.Errorf("FromLatLon(%v, %v, %d, %v) = %#x, want packed %#x", p.Lat, p.Lon, a.order, cv.conv, uint64(c), a.want.Packed)
				}
				if m, err := c.Legacy(); err != nil || m != a.want.Legacy {
					t.Errorf("%#x.Legacy() = %d, %v, want %d", uint64(c), m, err, a.want.Legacy)
				}
				if s := c.String(); s != strconv.FormatInt(a.want.Legacy, 10) {
					t.Errorf("%#x.String() = %q, want %d", uint64(c), s, a.want.Legacy)
				}
			}
			pt := PointFromLatLon(p.Lat, p.Lon, cv.conv)
			checkCell(t, "golden o29 point", pt, p.Lat, p.Lon, cv.conv, 29, g.O29Point.Nested, healpy, diverged)
			if pt.Nest() == g.O29Point.Nested {
				if pt != Cell(g.O29Point.Packed) {
					t.Errorf("PointFromLatLon(%v, %v, %v) = %#x, want %#x", p.Lat, p.Lon, cv.conv, uint64(pt), g.O29Point.Packed)
				}
				if pt.String() != g.O29Point.Decimal {
					t.Errorf("%#x.String() = %q, want %q", uint64(pt), pt.String(), g.O29Point.Decimal)
				}
			}
			// Centre of the order-12 cell, back on the ellipsoid. mortie's
			// tolerance assumes its truncated √6; polar-cap centres move by up
			// to 4.2e-9° with the exact one.
			c12 := Cell(g.O12.Packed)
			lat, lon := healpix.NestCenter(12, c12.Nest())
			lat = cv.conv.FromSphere(lat)
			if math.Abs(lat-g.Centre.Lat) > 1e-8 || math.Abs(lon-g.Centre.Lon) > 1e-8 {
				t.Errorf("centre of %s (%v) = (%.15g, %.15g), mortie (%.15g, %.15g)", c12, cv.conv, lat, lon, g.Centre.Lat, g.Centre.Lon)
			}
		}
		for ks, want := range p.HealpixGeoAuthNst {
			o, _ := strconv.Atoi(ks)
			if got := FromLatLon(p.Lat, p.Lon, o, healpix.Authalic).Nest(); got != want {
				t.Errorf("FromLatLon(%v, %v, %d, authalic) = %d, healpix-geo %d", p.Lat, p.Lon, o, got, want)
			}
		}
	}
	if len(diverged) != 0 {
		t.Errorf("golden points diverge from mortie: %v", diverged)
	}
}

func TestMortieInterchange(t *testing.T) {
	v := loadMortonVectors(t)
	healpy := loadHealpyCells(t)
	diverged := map[string]int{}
	d := v.Interchange
	for k := range d.Lats {
		for _, c := range []struct {
			conv   healpix.LatitudeConvention
			nested uint64
			legacy int64
		}{{healpix.Geodetic, d.NestedGeo[k], d.LegacyGeo[k]}, {healpix.Authalic, d.NestedAuth[k], d.LegacyAuthalic[k]}} {
			cell := FromLatLon(d.Lats[k], d.Lons[k], 14, c.conv)
			checkCell(t, "interchange", cell, d.Lats[k], d.Lons[k], c.conv, 14, c.nested, healpy, diverged)
			if len(diverged) != 0 {
				t.Errorf("interchange point diverges from mortie: %v", diverged)
			}
			if m, err := cell.Legacy(); cell.Nest() == c.nested && (err != nil || m != c.legacy) {
				t.Errorf("%s.Legacy() = %d, %v, want %d", cell, m, err, c.legacy)
			}
		}
	}
	var misc struct {
		Packed uint64 `json:"packed_u64"`
		Nested uint64
		Normed uint64
		Base   int
		Legacy int64 `json:"legacy_i64"`
	}
	if err := json.Unmarshal(v.Misc["geo2mort(-80,120,order=6)"], &misc); err != nil {
		t.Fatal(err)
	}
	c := FromLatLon(-80, 120, 6, healpix.Geodetic)
	if uint64(c) != misc.Packed || c.Nest() != misc.Nested || c.Base() != misc.Base {
		t.Errorf("FromLatLon(-80, 120, 6, geodetic) = %#x (nest %d, base %d), want %#x (%d, %d)", uint64(c), c.Nest(), c.Base(), misc.Packed, misc.Nested, misc.Base)
	}
	if m, _ := c.Legacy(); m != misc.Legacy {
		t.Errorf("legacy %d, want %d", m, misc.Legacy)
	}
	if err := json.Unmarshal(v.Misc["geo2mort(-80,120,order=3) authalic"], &misc); err != nil {
		t.Fatal(err)
	}
	if c := FromLatLon(-80, 120, 3, healpix.Authalic); uint64(c) != misc.Packed || c.Nest() != misc.Nested {
		t.Errorf("FromLatLon(-80, 120, 3, authalic) = %#x (nest %d), want %#x (%d)", uint64(c), c.Nest(), misc.Packed, misc.Nested)
	}
	if err := json.Unmarshal(v.Misc["geo2mort(-80,120) bare -> o29 point, authalic"], &misc); err != nil {
		t.Fatal(err)
	}
	if c := PointFromLatLon(-80, 120, healpix.Authalic); c.Nest() != misc.Nested || !c.IsPoint() {
		t.Errorf("PointFromLatLon(-80, 120, authalic) = %s (nest %d), want nest %d", c, c.Nest(), misc.Nested)
	}
}

func TestMortieEdgeCases(t *testing.T) {
	v := loadMortonVectors(t)
	healpy := loadHealpyCells(t)
	diverged := map[string]int{}
	for _, e := range v.Edges.Cases {
		lon := e.Lon
		if e.LonSignbit && lon == 0 {
			lon = math.Copysign(0, -1)
		}
		for _, c := range []struct {
			conv healpix.LatitudeConvention
			want edgeConv
		}{{healpix.Geodetic, e.Geodetic}, {healpix.Authalic, e.Authalic}} {
			cell := FromLatLon(e.Lat, lon, 18, c.conv)
			checkCell(t, "edge", cell, e.Lat, lon, c.conv, 18, c.want.Nested, healpy, diverged)
			if cell.Nest() == c.want.Nested {
				if m, err := cell.Legacy(); err != nil || m != c.want.Legacy {
					t.Errorf("%s.Legacy() = %d, %v, want %d", cell, m, err, c.want.Legacy)
				}
			}
		}
	}
	if diverged["tie"] != 13 || len(diverged) != 1 {
		t.Errorf("edge cases: divergences from mortie %v, want exactly the 13 listed ties", diverged)
	}
}

func TestMortieSqrt6Witnesses(t *testing.T) {
	v := loadMortonVectors(t)
	healpy := loadHealpyCells(t)
	diverged := map[string]int{}
	for _, c := range v.CrateVsHealpy.Cases {
		cell := FromLatLon(c.Lat, c.Lon, 18, healpix.Geodetic)
		checkCell(t, "sqrt6 witness", cell, c.Lat, c.Lon, healpix.Geodetic, 18, c.CrateNested, healpy, diverged)
		if cell.Nest() != c.HealpyNested {
			t.Errorf("FromLatLon(%v, %v, 18, geodetic) = %d, healpy %d (mortie's crate %d)", c.Lat, c.Lon, cell.Nest(), c.HealpyNested, c.CrateNested)
		}
		if m, err := cell.Legacy(); err != nil || m != c.HealpyLegacy {
			t.Errorf("%s.Legacy() = %d, %v, want healpy's %d", cell, m, err, c.HealpyLegacy)
		}
		if c.CrateNested == c.HealpyNested {
			t.Errorf("witness (%v, %v) does not witness anything", c.Lat, c.Lon)
		}
	}
	if diverged["sqrt6"] != 4 || len(diverged) != 1 {
		t.Errorf("√6 witnesses: divergences %v, want 4 sqrt6", diverged)
	}
}

func TestMortieLegacyOps(t *testing.T) {
	v := loadMortonVectors(t)
	ops := v.LegacyOps
	for _, c := range ops.Clip {
		in, err := FromLegacy(c.In)
		if err != nil {
			t.Fatalf("FromLegacy(%d): %v", c.In, err)
		}
		if got, err := in.Parent(c.ClipOrder).Legacy(); err != nil || got != c.Out {
			t.Errorf("FromLegacy(%d).Parent(%d).Legacy() = %d, %v, want %d", c.In, c.ClipOrder, got, err, c.Out)
		}
	}
	for _, c := range ops.Children {
		p, err := FromLegacy(c.Parent)
		if err != nil {
			t.Fatalf("FromLegacy(%d): %v", c.Parent, err)
		}
		var got []int64
		for ch := range p.ChildrenAt(c.TargetOrder) {
			m, err := ch.Legacy()
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, m)
		}
		if len(got) != len(c.Out) {
			t.Fatalf("children of %d at %d: %v, want %v", c.Parent, c.TargetOrder, got, c.Out)
		}
		for k := range got {
			if got[k] != c.Out[k] {
				t.Errorf("children of %d at %d: [%d] = %d, want %d", c.Parent, c.TargetOrder, k, got[k], c.Out[k])
			}
		}
	}
	for _, c := range ops.Mort2Healpix {
		cell, err := FromLegacy(c.Morton)
		if err != nil {
			t.Fatalf("FromLegacy(%d): %v", c.Morton, err)
		}
		if cell.Nest() != c.Nested || cell.Order() != c.Order {
			t.Errorf("FromLegacy(%d) = order %d nest %d, want %d %d", c.Morton, cell.Order(), cell.Nest(), c.Order, c.Nested)
		}
	}
	for ks, lead := range ops.LeadDigit {
		base, _ := strconv.Atoi(ks)
		c := FromNest(1, uint64(base)*4)
		m, err := c.Legacy()
		if err != nil {
			t.Fatal(err)
		}
		if got := m / 10; got != int64(lead) {
			t.Errorf("base %d: legacy %d has lead %d, want %d", base, m, got, lead)
		}
	}
}
