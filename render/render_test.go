package render

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/zarrstore"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenOptions renders the small synthetic store at a fixed size, extent
// and colour range, so that the golden image depends on nothing else.
var goldenOptions = Options{
	Projection: EPSG3031(),
	Extent:     Extent{-3.6e6, -3.6e6, 3.6e6, 3.6e6},
	Width:      120,
	Height:     120,
	Colormap:   Viridis(),
	Limits:     Range{0, 100},
	TextScale:  1,
	Workers:    3,
	// The pixel check below knows nothing of a graticule
	// (TestGraticule checks it).
	NoGraticule: true,
}

// TestGoldenSmallStore renders the synthetic store of store_test.go and
// compares every pixel with testdata/golden_small.png (go test -run Golden
// -update rewrites it). It also checks the pixels independently: each map
// pixel is transparent exactly when the cell containing its centre has no
// value, and otherwise has that value's colour; and the pixel holding the
// centre of each written cell shows that cell's value.
func TestGoldenSmallStore(t *testing.T) {
	s, want := testStore(t, zarrstore.LatitudeAuthalic, zarrstore.Codecs{})
	l, err := ReadLayer(context.Background(), s, "h_mean", tsOrder, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Render(l, goldenOptions)
	if err != nil {
		t.Fatal(err)
	}
	g := m.Grid
	if g.Width != 120 || g.Height != 120 || m.MapBounds.Dx() != 120 {
		t.Fatalf("map %d×%d at %v, want 120×120", g.Width, g.Height, m.MapBounds)
	}
	if m.Title != "h_mean · order 5 · 2024-01-06 – 2024-04-06" {
		t.Errorf("title %q", m.Title)
	}

	// Independent check of every map pixel.
	transparent, coloured := 0, 0
	for py := range g.Height {
		for px := range g.Width {
			got := m.Image.NRGBAAt(m.MapBounds.Min.X+px, m.MapBounds.Min.Y+py)
			lat, lon := g.LatLon(px, py)
			c := healpix.LatLonToNest(tsOrder, healpix.AuthalicFromGeodetic(lat), lon)
			v, ok := want[c]
			if math.IsNaN(lat) || !ok {
				if got.A != 0 {
					t.Fatalf("pixel (%d, %d), cell %d without value: %v, want transparent", px, py, c, got)
				}
				transparent++
				continue
			}
			if w := Viridis().lut[colourIndex(v, 0, 100)]; got != w {
				t.Fatalf("pixel (%d, %d), cell %d = %g: %v, want %v", px, py, c, v, got, w)
			}
			coloured++
		}
	}
	if transparent < 1000 || coloured < 1000 {
		t.Errorf("%d transparent and %d coloured pixels; the test store does not exercise both", transparent, coloured)
	}
	// Pixel values at known cells: the pixel containing a cell's centre.
	hits := 0
	for c, v := range want {
		lat, lon := healpix.NestCenter(tsOrder, c)
		x, y := g.Projection.Forward(healpix.GeodeticFromAuthalic(lat), lon)
		px, py, ok := g.Pixel(x, y)
		if !ok {
			continue
		}
		got := m.Image.NRGBAAt(m.MapBounds.Min.X+px, m.MapBounds.Min.Y+py)
		plat, plon := g.LatLon(px, py)
		if healpix.LatLonToNest(tsOrder, healpix.AuthalicFromGeodetic(plat), plon) != c {
			continue // the pixel centre lies in a neighbouring cell
		}
		hits++
		if w := Viridis().At(v / 100); got != w {
			t.Errorf("cell %d (value %g) at pixel (%d, %d): %v, want %v", c, v, px, py, got, w)
		}
	}
	if hits < len(want)/2 {
		t.Errorf("only %d of %d cells checked at their centre pixel", hits, len(want))
	}

	golden := filepath.Join("testdata", "golden_small.png")
	if *update {
		var buf bytes.Buffer
		if err := png.Encode(&buf, m.Image); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	defer f.Close()
	gimg, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if gimg.Bounds() != m.Image.Bounds() {
		t.Fatalf("golden %v, rendered %v", gimg.Bounds(), m.Image.Bounds())
	}
	diff := 0
	for y := range m.Image.Bounds().Dy() {
		for x := range m.Image.Bounds().Dx() {
			if color.NRGBAModel.Convert(gimg.At(x, y)) != m.Image.NRGBAAt(x, y) {
				diff++
			}
		}
	}
	if diff != 0 {
		t.Errorf("%d pixels differ from %s (rerun with -update after checking the change)", diff, golden)
	}
}

func TestSampleMatchesValueAt(t *testing.T) {
	s, _ := testStore(t, zarrstore.LatitudeGeodetic, zarrstore.Codecs{})
	l, err := ReadLayer(context.Background(), s, "h_mean", tsOrder, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGrid(EPSG3031(), Extent{-4e6, -3e6, 4e6, 3e6}, 50e3)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := Sample(nil, g, l, 1)
	if err != nil {
		t.Fatal(err)
	}
	par, _ := Sample(make([]float32, 3), g, l, 4)
	for py := range g.Height {
		for px := range g.Width {
			v := vals[py*g.Width+px]
			w := l.ValueAt(g.LatLon(px, py))
			if !(float64(v) == w || math.IsNaN(float64(v)) && math.IsNaN(w)) {
				t.Fatalf("Sample (%d, %d) = %g, ValueAt = %g", px, py, v, w)
			}
			if math.Float32bits(par[py*g.Width+px]) != math.Float32bits(v) && !(v != v && par[py*g.Width+px] != par[py*g.Width+px]) {
				t.Fatalf("parallel Sample differs at (%d, %d)", px, py)
			}
		}
	}
	if _, err := Sample(nil, Grid{}, l, 1); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("Sample(zero grid) error = %v", err)
	}
	if _, err := Sample(nil, g, nil, 1); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("Sample(nil layer) error = %v", err)
	}
}

// TestConventionChangesPixels: the same cells read under the other latitude
// convention draw differently, because the pull hashes with the layer's
// convention.
func TestConventionChangesPixels(t *testing.T) {
	var cells []uint64
	var vals []float64
	for c := range healpix.NPix(7) {
		lat, _ := healpix.NestCenter(7, c)
		if lat > 40 && lat < 60 {
			cells = append(cells, c)
			vals = append(vals, float64(c%97))
		}
	}
	la, _ := FromCells(7, healpix.Authalic, cells, vals)
	lg, _ := FromCells(7, healpix.Geodetic, cells, vals)
	p, _ := NewEquirectangular(0, 50)
	g, err := NewGrid(p, Extent{-1e6, 5e6, 1e6, 6e6}, 10e3)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Sample(nil, g, la, 0)
	b, _ := Sample(nil, g, lg, 0)
	differ := 0
	for i := range a {
		if a[i] != b[i] {
			differ++
		}
	}
	if differ < len(a)/4 {
		t.Errorf("only %d of %d pixels change with the latitude convention", differ, len(a))
	}
}

func TestRasterize(t *testing.T) {
	l, err := FromCells(3, healpix.Authalic, []uint64{700, 701, 702, 703}, []float64{-5, 0, 5, 10})
	if err != nil {
		t.Fatal(err)
	}
	g, err := MapGrid(l, Options{Width: 40, Height: 40})
	if err != nil {
		t.Fatal(err)
	}
	img, err := Rasterize(g, l, RdBu(), 0, 5, 2)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[color.NRGBA]int{}
	for py := range 40 {
		for px := range 40 {
			counts[img.NRGBAAt(px, py)]++
		}
	}
	// −5 clamps to the low end, 10 to the high end, 0 and 5 are the ends.
	for _, c := range []color.NRGBA{RdBu().At(0), RdBu().At(1), {}} {
		if counts[c] == 0 {
			t.Errorf("colour %v missing from the raster: %v", c, counts)
		}
	}
	if len(counts) != 3 {
		t.Errorf("%d colours, want 3 (two ends and transparent): %v", len(counts), counts)
	}
	// Equal limits map every value to the middle colour.
	img, _ = Rasterize(g, l, RdBu(), 2, 2, 1)
	for py := range 40 {
		for px := range 40 {
			if c := img.NRGBAAt(px, py); c.A != 0 && c != RdBu().lut[128] {
				t.Fatalf("lo = hi: pixel %v, want the middle colour", c)
			}
		}
	}
	for _, lim := range [][2]float64{{1, 0}, {math.NaN(), 1}, {0, math.Inf(1)}} {
		if _, err := Rasterize(g, l, Viridis(), lim[0], lim[1], 1); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("limits %v: error = %v, want ErrInvalidOptions", lim, err)
		}
	}
	if _, err := Rasterize(g, l, nil, 0, 1, 1); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("nil colormap: error = %v", err)
	}
}

func TestGrid(t *testing.T) {
	g, err := NewGrid(EPSG3031(), Extent{-1000, -500, 1000, 500}, 300)
	if err != nil {
		t.Fatal(err)
	}
	if g.Width != 7 || g.Height != 4 {
		t.Errorf("grid %d×%d, want 7×4", g.Width, g.Height)
	}
	e := g.Extent()
	if math.Abs((e.MinX+e.MaxX)/2) > 1e-9 || math.Abs((e.MinY+e.MaxY)/2) > 1e-9 || e.Width() != 2100 || e.Height() != 1200 {
		t.Errorf("extent %v, want centred 2100×1200", e)
	}
	for py := range g.Height {
		for px := range g.Width {
			x, y := g.Center(px, py)
			qx, qy, ok := g.Pixel(x, y)
			if !ok || qx != px || qy != py {
				t.Errorf("Pixel(Center(%d, %d)) = %d, %d, %v", px, py, qx, qy, ok)
			}
		}
	}
	if _, _, ok := g.Pixel(e.MaxX+1, 0); ok {
		t.Errorf("Pixel outside the grid reported inside")
	}
	if _, _, ok := g.Pixel(math.NaN(), 0); ok {
		t.Errorf("Pixel(NaN) reported inside")
	}
	// Exact multiples do not gain a pixel.
	if g, _ := NewGrid(EPSG3031(), Extent{0, 0, 3000, 1000}, 1000); g.Width != 3 || g.Height != 1 {
		t.Errorf("exact grid %d×%d, want 3×1", g.Width, g.Height)
	}
	bad := []struct {
		e    Extent
		s    float64
		want error
	}{
		{Extent{0, 0, 0, 1}, 1, ErrInvalidOptions},
		{Extent{0, 0, 1, math.Inf(1)}, 1, ErrInvalidOptions},
		{Extent{0, 0, 1, 1}, 0, ErrInvalidOptions},
		{Extent{0, 0, 1, 1}, math.NaN(), ErrInvalidOptions},
		{Extent{0, 0, 1e7, 1e7}, 1, ErrTooLarge},
	}
	for _, b := range bad {
		if _, err := NewGrid(EPSG3031(), b.e, b.s); !errors.Is(err, b.want) {
			t.Errorf("NewGrid(%v, %g) error = %v, want %v", b.e, b.s, err, b.want)
		}
	}
	if err := (Grid{Projection: EPSG3031(), Spacing: 1, Width: 1 << 14, Height: 1 << 14}).Validate(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge grid: %v, want ErrTooLarge", err)
	}
}

// southLayer is a layer of the order-6 cells south of 70°S with values
// from −10 to 30.
func southLayer(t testing.TB) *Layer {
	var cells []uint64
	var vals []float64
	for c := range healpix.NPix(6) {
		lat, _ := healpix.NestCenter(6, c)
		if lat < -70 {
			cells = append(cells, c)
			vals = append(vals, float64(len(cells)%41)-10)
		}
	}
	l, err := FromCells(6, healpix.Authalic, cells, vals)
	if err != nil {
		t.Fatal(err)
	}
	l.Name = "dhdt"
	return l
}

func TestMapGridChoices(t *testing.T) {
	l := southLayer(t)
	g, err := MapGrid(l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Projection.String() != "EPSG:3031" || g.Spacing != DefaultSpacing {
		t.Errorf("south data: %v at %g m, want EPSG:3031 at 2 km", g.Projection, g.Spacing)
	}
	// The extent holds the data: 70°S is ~2,200 km from the pole.
	e := g.Extent()
	if e.MaxX < 2.2e6 || e.MinY > -2.2e6 || e.MaxX > 2.7e6 {
		t.Errorf("extent %v, want about ±2,300 km", e)
	}

	// North data: EPSG:3413.
	north, _ := FromCells(4, healpix.Authalic, []uint64{255, 511, 767, 1023, 254, 253}, []float64{1, 2, 3, 4, 5, 6})
	if g, _ := MapGrid(north, Options{}); g.Projection.String() != "EPSG:3413" {
		t.Errorf("north data: %v, want EPSG:3413", g.Projection)
	}
	// Data straddling the antimeridian near the equator: equirectangular
	// centred near 180°.
	var cells []uint64
	for _, lonlat := range [][2]float64{{175, 5}, {-175, -5}, {179, 0}, {-179, 2}} {
		c := healpix.LatLonToNest(7, lonlat[1], lonlat[0])
		if !slices.Contains(cells, c) {
			cells = append(cells, c)
		}
	}
	eq, _ := FromCells(7, healpix.Authalic, cells, make([]float64, len(cells)))
	g, err = MapGrid(eq, Options{})
	if err != nil {
		t.Fatal(err)
	}
	q, ok := g.Projection.(*Equirectangular)
	if !ok || math.Abs(wrapLon(q.CentralMeridian()-180)) > 3 {
		t.Errorf("antimeridian data: %v, want equirectangular centred near 180°", g.Projection)
	}
	// ~1,100 km at a quarter of an order-7 cell (12.7 km): under 100 px,
	// where the whole world would be thousands.
	if g.Width > 200 {
		t.Errorf("antimeridian data: %d px wide; the extent should be the small data region", g.Width)
	}

	// Sizes.
	if g, _ := MapGrid(l, Options{Width: 300, Height: 200}); g.Width != 300 || g.Height != 200 {
		t.Errorf("Width/Height: %d×%d", g.Width, g.Height)
	}
	if g, _ := MapGrid(l, Options{Width: 300}); g.Width != 300 {
		t.Errorf("Width only: %d", g.Width)
	}
	if g, _ := MapGrid(l, Options{MaxSize: 500}); max(g.Width, g.Height) > 500 {
		t.Errorf("MaxSize 500: %d×%d", g.Width, g.Height)
	}
	if _, err := MapGrid(l, Options{Spacing: 10}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("10 m spacing of a continent: %v, want ErrTooLarge", err)
	}
	if _, err := MapGrid(l, Options{Width: 5000}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Width 5000: %v, want ErrTooLarge", err)
	}
	for _, o := range []Options{{Spacing: -1}, {Width: -3}, {MaxSize: -1}, {Spacing: math.NaN()}, {Extent: Extent{1, 1, 0, 0}}} {
		if _, err := MapGrid(l, o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("MapGrid(%+v) error = %v, want ErrInvalidOptions", o, err)
		}
	}
	// A small region is refined, but not below a quarter of a cell.
	small, _ := FromCells(12, healpix.Authalic, []uint64{200000000, 200000001}, []float64{1, 2})
	g, _ = MapGrid(small, Options{})
	if g.Spacing >= DefaultSpacing || g.Spacing < healpix.Resolution(12)*earthRadius/4-1e-6 {
		t.Errorf("small region spacing %g m", g.Spacing)
	}
}

func TestColours(t *testing.T) {
	l := southLayer(t) // values −10 … 30
	cm, lim, err := colours(l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Robust limits of opposite signs: diverging, symmetric.
	if cm != CoolWarm() || lim.Lo != -lim.Hi || lim.Hi < 29 {
		t.Errorf("auto: %s %v, want coolwarm, symmetric", cm.Name(), lim)
	}
	cm, lim, _ = colours(l, Options{Limits: Range{-1, 3}})
	if cm != CoolWarm() || lim != (Range{-1, 3}) {
		t.Errorf("explicit limits: %s %v, kept as given", cm.Name(), lim)
	}
	cm, lim, _ = colours(l, Options{Colormap: Viridis(), Percentiles: Range{0, 100}})
	if cm != Viridis() || lim != (Range{-10, 30}) {
		t.Errorf("viridis 0–100 %%: %s %v", cm.Name(), lim)
	}
	pos, _ := FromCells(3, healpix.Authalic, []uint64{1, 2, 3}, []float64{-0.1, 50, 100})
	if cm, _, _ := colours(pos, Options{Percentiles: Range{0, 100}}); cm != Viridis() {
		t.Errorf("mostly positive data: %s, want viridis", cm.Name())
	}
	for _, o := range []Options{{Limits: Range{2, 1}}, {Limits: Range{math.NaN(), 1}}, {Percentiles: Range{90, 10}}, {Percentiles: Range{-5, 10}}} {
		if _, _, err := colours(l, o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("colours(%+v) error = %v, want ErrInvalidOptions", o, err)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 100, []float64{0, 20, 40, 60, 80, 100}},
		{-1464.1, 1464.1, []float64{-1000, -500, 0, 500, 1000}},
		{0.013, 0.087, []float64{0.02, 0.04, 0.06, 0.08}},
		{0.013, 0.051, []float64{0.02, 0.03, 0.04, 0.05}},
		{3, 3, []float64{3}},
		{-2.5, 2.5, []float64{-2, -1, 0, 1, 2}},
		{-0.3, 2.2, []float64{0, 0.5, 1, 1.5, 2}},
	}
	for _, tt := range tests {
		got := niceTicks(tt.lo, tt.hi, 6)
		if len(got) != len(tt.want) {
			t.Errorf("niceTicks(%g, %g) = %v, want %v", tt.lo, tt.hi, got, tt.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-12 {
				t.Errorf("niceTicks(%g, %g) = %v, want %v", tt.lo, tt.hi, got, tt.want)
				break
			}
		}
	}
	for _, tt := range []struct {
		v    float64
		lim  Range
		want string
	}{
		{500, Range{-1464, 1464}, "500"}, {math.Copysign(0, -1), Range{-1, 1}, "0"}, {0.25, Range{0, 1}, "0.25"},
		{0.03, Range{0.013, 0.087}, "0.03"}, {2e7, Range{0, 3e7}, "2e+07"}, {1e-5, Range{0, 5e-5}, "1e-05"},
	} {
		if got := formatTick(tt.v, tt.lim); got != tt.want {
			t.Errorf("formatTick(%g, %v) = %q, want %q", tt.v, tt.lim, got, tt.want)
		}
	}
}

func TestRenderDecorations(t *testing.T) {
	l := southLayer(t)
	l.Units = "m/yr"
	plain, err := Render(l, Options{Width: 200, Height: 200, NoTitle: true, NoColorbar: true})
	if err != nil {
		t.Fatal(err)
	}
	full, err := Render(l, Options{Width: 200, Height: 200})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Title != "" || full.Title != "dhdt · order 6" {
		t.Errorf("titles %q, %q", plain.Title, full.Title)
	}
	if full.Image.Bounds().Dy() <= plain.Image.Bounds().Dy()+20 {
		t.Errorf("title and colorbar add no height: %v vs %v", full.Image.Bounds(), plain.Image.Bounds())
	}
	// The map pixels are the same with or without decorations.
	for py := range 200 {
		for px := range 200 {
			a := plain.Image.NRGBAAt(plain.MapBounds.Min.X+px, plain.MapBounds.Min.Y+py)
			b := full.Image.NRGBAAt(full.MapBounds.Min.X+px, full.MapBounds.Min.Y+py)
			if a != b {
				t.Fatalf("map pixel (%d, %d) differs: %v vs %v", px, py, a, b)
			}
		}
	}
	// The colorbar row shows the colormap from end to end.
	f := layout(full.Grid, full.Title, Options{})
	row := f.barTop + f.barH/2
	if c := full.Image.NRGBAAt(f.barX, row); c != full.Colormap.At(0) {
		t.Errorf("colorbar start %v, want %v", c, full.Colormap.At(0))
	}
	if c := full.Image.NRGBAAt(f.barX+f.barW-1, row); c != full.Colormap.At(1) {
		t.Errorf("colorbar end %v, want %v", c, full.Colormap.At(1))
	}
	// Panels are opaque background, text is ink.
	bg := color.NRGBA{255, 255, 255, 255}
	if c := full.Image.NRGBAAt(0, 0); c != bg {
		t.Errorf("corner %v, want white", c)
	}
	ink := 0
	for y := 0; y < full.MapBounds.Min.Y; y++ {
		for x := range full.Image.Bounds().Dx() {
			if full.Image.NRGBAAt(x, y) == (color.NRGBA{30, 30, 30, 255}) {
				ink++
			}
		}
	}
	if ink < 50 {
		t.Errorf("title has %d ink pixels", ink)
	}
	// A background colour and a custom title.
	red := color.NRGBA{200, 0, 0, 255}
	m, _ := Render(l, Options{Width: 100, Height: 100, Background: red, Title: "X"})
	if m.Image.NRGBAAt(0, 0) != red || m.Title != "X" {
		t.Errorf("background %v title %q", m.Image.NRGBAAt(0, 0), m.Title)
	}
	if _, err := Render(nil, Options{}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("Render(nil): %v", err)
	}
}

func TestOutline(t *testing.T) {
	l := southLayer(t)
	// A square around the pole at 80°S and a ring cut along the
	// antimeridian, whose cut edges must not be drawn.
	ring := orb.Ring{{-45, -80}, {45, -80}, {135, -80}, {-135, -80}, {-45, -80}}
	cut := orb.Ring{{-180, -75}, {-180, -90}, {180, -90}, {180, -75}, {-180, -75}}
	ink := color.NRGBA{255, 0, 255, 255}
	m, err := Render(l, Options{Width: 300, Height: 300, NoTitle: true, NoColorbar: true,
		Outline: orb.MultiPolygon{{ring}, {cut}}, OutlineColor: ink})
	if err != nil {
		t.Fatal(err)
	}
	g := m.Grid
	// Points along the great-circle edge between (−45, −80) and (45, −80)
	// are inked; the pole and the 180° meridian are not.
	for _, p := range densify(orb.Ring{{-45, -80}, {45, -80}}, 1) {
		x, y := g.Projection.Forward(p[1], p[0])
		px, py, ok := g.Pixel(x, y)
		if !ok {
			t.Fatal("outline point outside the map")
		}
		if c := m.Image.NRGBAAt(m.MapBounds.Min.X+px, m.MapBounds.Min.Y+py); c != ink {
			t.Errorf("outline pixel (%d, %d) = %v, want ink", px, py, c)
		}
	}
	for _, lat := range []float64{-87, -84} {
		x, y := g.Projection.Forward(lat, 180)
		px, py, _ := g.Pixel(x, y)
		if c := m.Image.NRGBAAt(m.MapBounds.Min.X+px, m.MapBounds.Min.Y+py); c == ink {
			t.Errorf("cut edge drawn at %g°S on the antimeridian", -lat)
		}
	}
}

func TestDensify(t *testing.T) {
	pts := densify(orb.Ring{{0, 0}, {90, 0}}, 10)
	if len(pts) != 10 {
		t.Fatalf("%d points, want 10", len(pts))
	}
	for i, p := range pts {
		if math.Abs(p[1]) > 1e-9 || math.Abs(p[0]-float64(i)*10) > 1e-9 {
			t.Errorf("point %d = %v, want (%d, 0)", i, p, i*10)
		}
	}
	// Great circle, not rhumb line: the midpoint of a high-latitude edge
	// bulges poleward.
	pts = densify(orb.Ring{{-60, 60}, {60, 60}}, 200)
	if len(pts) != 2 {
		t.Fatalf("%d points, want 2", len(pts))
	}
	mid := densify(orb.Ring{{-60, 60}, {60, 60}}, 30)[1]
	if mid[1] <= 60 || math.Abs(mid[0]) > 1e-9 {
		t.Errorf("midpoint %v, want on 0° north of 60°", mid)
	}
}

func TestFont(t *testing.T) {
	for r := rune(32); r < 127; r++ {
		if _, ok := glyphs[r]; !ok {
			t.Errorf("no glyph for %q", r)
		}
	}
	if glyph('−') != glyphs['-'] || glyph('☃') != glyphs['?'] {
		t.Errorf("fallback glyphs wrong")
	}
	// Distinct printable glyphs look different.
	seen := map[[glyphH]uint8]rune{}
	for r := rune(33); r < 127; r++ {
		if o, dup := seen[glyphs[r]]; dup {
			t.Errorf("glyphs %q and %q are identical", o, r)
		}
		seen[glyphs[r]] = r
	}
	img := image.NewNRGBA(image.Rect(0, 0, 40, 10))
	drawText(img, 1, 1, "1-", 1, color.NRGBA{0, 0, 0, 255})
	// '1' has its stem at column 2; '-' is row 3 of the next cell.
	if img.NRGBAAt(3, 4).A == 0 || img.NRGBAAt(7, 4).A == 0 || img.NRGBAAt(7, 1).A != 0 {
		t.Errorf("text pixels wrong")
	}
	if textWidth("abc", 2) != (3*6-1)*2 || textWidth("", 3) != 0 {
		t.Errorf("textWidth wrong")
	}
	// Drawing off the image is clipped, not a panic.
	drawText(img, 35, 5, "WWW", 4, color.NRGBA{0, 0, 0, 255})
	drawText(img, -100, -100, "x", 1, color.NRGBA{0, 0, 0, 255})
}

// TestRenderConcurrent renders one layer from several goroutines (run with
// -race): the percentile and outline caches are shared.
func TestRenderConcurrent(t *testing.T) {
	l := southLayer(t)
	errs := make(chan error, 4)
	imgs := make(chan *Map, 4)
	for range 4 {
		go func() {
			m, err := Render(l, Options{Width: 64, Height: 64})
			errs <- err
			imgs <- m
		}()
	}
	var first *Map
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		m := <-imgs
		if first == nil {
			first = m
			continue
		}
		if !bytes.Equal(m.Image.Pix, first.Image.Pix) {
			t.Errorf("concurrent renders differ")
		}
	}
}

func TestRenderTooLarge(t *testing.T) {
	l := southLayer(t)
	long := string(bytes.Repeat([]byte("x"), 20000))
	if _, err := Render(l, Options{Width: 4000, Height: 4000, Title: long, TextScale: 8}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge title: %v, want ErrTooLarge", err)
	}
}

// TestGraticule checks that every graticule pixel lies on a parallel or a
// meridian at the chosen round spacing, that there are some, and the
// labels' formats.
func TestGraticule(t *testing.T) {
	s, _ := testStore(t, zarrstore.LatitudeAuthalic, zarrstore.Codecs{})
	l, err := ReadLayer(context.Background(), s, "h_mean", tsOrder, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o := goldenOptions
	o.NoGraticule = false
	o.Width, o.Height = 400, 400
	m, err := Render(l, o)
	if err != nil {
		t.Fatal(err)
	}
	g := m.Grid
	latLo, latHi, _, lonSpan, ok := visibleRange(g)
	if !ok {
		t.Fatal("no visible range")
	}
	latStep, lonStep := graticuleStep(latHi-latLo, 5), graticuleStep(lonSpan, 6)
	line := color.NRGBA{150, 150, 150, 255}
	n := 0
	for py := range g.Height {
		for px := range g.Width {
			if m.Image.NRGBAAt(m.MapBounds.Min.X+px, m.MapBounds.Min.Y+py) != line {
				continue
			}
			n++
			lat, lon := g.LatLon(px, py)
			dLat := math.Abs(lat-math.Round(lat/latStep)*latStep) * 111e3
			dLon := math.Abs(lon-math.Round(lon/lonStep)*lonStep) * 111e3 * math.Cos(lat*math.Pi/180)
			if math.Min(dLat, dLon) > 2*g.Spacing {
				t.Fatalf("graticule pixel (%d, %d) at %.4f, %.4f is %.0f m from a %g° parallel and %.0f m from a %g° meridian (pixel %.0f m)",
					px, py, lat, lon, dLat, latStep, dLon, lonStep, g.Spacing)
			}
		}
	}
	if n < g.Width {
		t.Errorf("%d graticule pixels, want at least a line's worth (%d)", n, g.Width)
	}
	for _, tc := range []struct {
		got, want string
	}{
		{latLabel(-76), "76°S"}, {latLabel(12.5), "12.5°N"}, {latLabel(0), "0°"},
		{lonLabel(-120), "120°W"}, {lonLabel(45), "45°E"}, {lonLabel(180), "180°"}, {lonLabel(-180), "180°"}, {lonLabel(360), "0°"},
	} {
		if tc.got != tc.want {
			t.Errorf("label %q, want %q", tc.got, tc.want)
		}
	}
	if s := graticuleStep(3.2, 5); s != 1 {
		t.Errorf("graticuleStep(3.2, 5) = %g, want 1", s)
	}
}
