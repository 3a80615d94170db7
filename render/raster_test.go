package render

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/zagg-go/zagg/healpix"
)

// sampleSlow samples every pixel without empty-region skipping.
func sampleSlow(g Grid, l *Layer) []float32 {
	s := newSampler(g, l)
	s.skip = false
	out := make([]float32, g.Width*g.Height)
	for py := range g.Height {
		s.span(out[py*g.Width:(py+1)*g.Width], 0, py)
	}
	return out
}

// TestSkipIsExact compares the tiled sampler with per-pixel sampling on
// layers built to defeat the skipping: isolated single cells, thin lines of
// cells, and data touching block corners, in every projection, at spacings
// from a fraction of a cell to many cells.
func TestSkipIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	eq0, _ := NewEquirectangular(0, 0)
	eq60, _ := NewEquirectangular(-100, 60)
	type tc struct {
		p      Projection
		ext    Extent
		latMin float64
		latMax float64
	}
	cases := []tc{
		{EPSG3031(), Extent{-3e6, -3e6, 3e6, 3e6}, -90, -55},
		{EPSG3413(), Extent{-2e6, -2e6, 2e6, 2e6}, 60, 90},
		{eq0, Extent{-2e6, -1e6, 2e6, 1e6}, -15, 15},
		{eq60, Extent{-1e6, 5.8e6, 1e6, 7.5e6}, 50, 70},
	}
	skipped := 0
	for ci, c := range cases {
		for _, order := range []int{7, 9, 12} {
			var cells []uint64
			var vals []float64
			seen := map[uint64]bool{}
			add := func(lat, lon float64) {
				cell := healpix.LatLonToNest(order, healpix.AuthalicFromGeodetic(lat), lon)
				if cell != healpix.Invalid && !seen[cell] {
					seen[cell] = true
					cells = append(cells, cell)
					vals = append(vals, float64(len(vals)%50))
				}
			}
			for range 40 { // isolated cells
				add(c.latMin+rng.Float64()*(c.latMax-c.latMin), -180+rng.Float64()*360)
			}
			for range 3 { // lines along a meridian and a parallel
				lon := -180 + rng.Float64()*360
				lat := c.latMin + rng.Float64()*(c.latMax-c.latMin)
				for k := range 400 {
					f := float64(k) / 400
					add(c.latMin+f*(c.latMax-c.latMin), lon)
					add(lat, -180+f*360)
				}
			}
			l, err := FromCells(order, healpix.Authalic, cells, vals)
			if err != nil {
				t.Fatal(err)
			}
			for _, spacing := range []float64{1500, 6000, 25000} {
				// A 200×200 window around a data cell, clipped to the case's
				// extent.
				lat, lon := healpix.NestCenter(order, cells[rng.IntN(len(cells))])
				cx, cy := c.p.Forward(healpix.GeodeticFromAuthalic(lat), lon)
				h := 100 * spacing
				e := Extent{max(cx-h, c.ext.MinX), max(cy-h, c.ext.MinY), min(cx+h, c.ext.MaxX), min(cy+h, c.ext.MaxY)}
				if e.Validate() != nil {
					continue // the cell lies outside the case's extent
				}
				g, err := NewGrid(c.p, e, spacing)
				if err != nil {
					t.Fatal(err)
				}
				s := newSampler(g, l)
				if s.skip {
					skipped++
				}
				fast, err := Sample(nil, g, l, 2)
				if err != nil {
					t.Fatal(err)
				}
				slow := sampleSlow(g, l)
				for i := range fast {
					if math.Float32bits(fast[i]) != math.Float32bits(slow[i]) && !(fast[i] != fast[i] && slow[i] != slow[i]) {
						t.Fatalf("case %d order %d spacing %g (tile %d): pixel %d = %g, per-pixel %g", ci, order, spacing, s.tile, i, fast[i], slow[i])
					}
				}
			}
		}
	}
	if skipped < 10 {
		t.Errorf("skipping enabled in only %d configurations; the test does not exercise it", skipped)
	}
}

// TestSkipSaves checks that skipping skips: a layer with one cell draws
// almost every tile without sampling pixels.
func TestSkipSaves(t *testing.T) {
	l, _ := FromCells(12, healpix.Authalic, []uint64{180000000}, []float64{1})
	g, _ := NewGrid(EPSG3031(), Extent{-3e6, -3e6, 3e6, 3e6}, 2000)
	s := newSampler(g, l)
	if !s.skip || s.tile < 8 {
		t.Fatalf("skip %v tile %d", s.skip, s.tile)
	}
	empty, total := 0, 0
	for y0 := 0; y0 < g.Height; y0 += s.tile {
		for x0 := 0; x0 < g.Width; x0 += s.tile {
			total++
			if s.emptyTile(x0, y0, min(x0+s.tile, g.Width), min(y0+s.tile, g.Height)) {
				empty++
			}
		}
	}
	if empty < total*99/100 {
		t.Errorf("%d of %d tiles skipped", empty, total)
	}
	// Unknown projections and sparse layers are sampled per pixel.
	if s := newSampler(Grid{Projection: wrapped{EPSG3031()}, Spacing: 2000, Width: 10, Height: 10}, l); s.skip {
		t.Errorf("skipping with a foreign projection")
	}
	sparse, _ := FromCells(20, healpix.Authalic, []uint64{5}, []float64{1})
	if s := newSampler(g, sparse); s.skip {
		t.Errorf("skipping with a sparse layer")
	}
}

// wrapped hides a projection's type.
type wrapped struct{ Projection }
