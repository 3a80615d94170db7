package render

import (
	"fmt"
	"image"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/zagg-go/zagg/healpix"
)

// rowsPerTask is how many grid rows a worker takes at a time.
const rowsPerTask = 8

// Sample stores in dst (resized to Width·Height, row-major from the top-left
// pixel) the value of the cell that contains the centre of each pixel of g,
// NaN where the cell holds no value or the pixel lies outside the
// projection's domain, and returns dst. It pulls, as the pipeline bins:
// pixel centre → inverse projection (geodetic latitude) → the layer's
// latitude convention → HEALPix hash at the layer's order → lookup. Rows
// are spread over workers goroutines (≤ 0 means GOMAXPROCS).
func Sample(dst []float32, g Grid, l *Layer, workers int) ([]float32, error) {
	if err := g.Validate(); err != nil {
		return dst, err
	}
	if l == nil {
		return dst, fmt.Errorf("%w: nil layer", ErrInvalidOptions)
	}
	n := g.Width * g.Height
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	parallelRows(g.Height, workers, func(py int) {
		sampleRow(dst[py*g.Width:(py+1)*g.Width], g, l, py)
	})
	return dst, nil
}

// Rasterize draws layer l on grid g with colormap cm: each pixel takes the
// colour of the value of the cell containing its centre (see Sample),
// normalised as t = (v − lo)/(hi − lo) and clamped to [0, 1] (t = 0.5 when
// lo = hi); pixels without a value are transparent. The image's bounds are
// (0, 0)–(Width, Height). workers ≤ 0 means GOMAXPROCS.
func Rasterize(g Grid, l *Layer, cm *Colormap, lo, hi float64, workers int) (*image.NRGBA, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	img := image.NewNRGBA(image.Rect(0, 0, g.Width, g.Height))
	if err := rasterizeInto(img, image.Point{}, g, l, cm, lo, hi, workers); err != nil {
		return nil, err
	}
	return img, nil
}

// rasterizeInto draws the map with its top-left pixel at off in dst.
func rasterizeInto(dst *image.NRGBA, off image.Point, g Grid, l *Layer, cm *Colormap, lo, hi float64, workers int) error {
	if l == nil || cm == nil {
		return fmt.Errorf("%w: nil layer or colormap", ErrInvalidOptions)
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return fmt.Errorf("%w: colour limits [%g, %g]", ErrInvalidOptions, lo, hi)
	}
	if !image.Rect(off.X, off.Y, off.X+g.Width, off.Y+g.Height).In(dst.Bounds()) {
		return fmt.Errorf("%w: map of %d×%d at %v outside the image %v", ErrInvalidOptions, g.Width, g.Height, off, dst.Bounds())
	}
	var pool sync.Pool
	parallelRows(g.Height, workers, func(py int) {
		row, _ := pool.Get().(*[]float32)
		if row == nil {
			r := make([]float32, g.Width)
			row = &r
		}
		sampleRow(*row, g, l, py)
		i := dst.PixOffset(off.X, off.Y+py)
		pix := dst.Pix[i : i+4*g.Width]
		for px, v := range *row {
			p := pix[4*px : 4*px+4 : 4*px+4]
			if v != v {
				p[0], p[1], p[2], p[3] = 0, 0, 0, 0
				continue
			}
			k := colourIndex(float64(v), lo, hi)
			c := cm.lut[k]
			p[0], p[1], p[2], p[3] = c.R, c.G, c.B, c.A
		}
		pool.Put(row)
	})
	return nil
}

// colourIndex is the lookup-table index of value v (not NaN) between the
// colour limits lo ≤ hi: ⌊256·(v − lo)/(hi − lo)⌋ clamped to [0, 255], or
// the middle entry when lo = hi.
func colourIndex(v, lo, hi float64) int {
	if hi == lo {
		return 128
	}
	return lutIndex((v - lo) / (hi - lo))
}

// sampleRow fills row (Width values) with the values of grid row py.
func sampleRow(row []float32, g Grid, l *Layer, py int) {
	y := g.MaxY - (float64(py)+0.5)*g.Spacing
	inv := g.Projection.Inverse
	order, conv := l.order, l.conv
	shift, mask := l.shift, l.mask
	dense, sparse := l.dense, l.sparse
	nan := float32(math.NaN())
	var lastBlock uint64 = math.MaxUint64
	var blk []float32
	for px := range row {
		x := g.MinX + (float64(px)+0.5)*g.Spacing
		lat, lon := inv(x, y)
		if lat != lat {
			row[px] = nan
			continue
		}
		c := healpix.LatLonToNest(order, conv.ToSphere(lat), lon)
		if c == healpix.Invalid {
			row[px] = nan
			continue
		}
		if bi := c >> shift; bi != lastBlock {
			lastBlock = bi
			if dense != nil {
				blk = dense[bi]
			} else {
				blk = sparse[bi]
			}
		}
		if blk == nil {
			row[px] = nan
			continue
		}
		row[px] = blk[c&mask]
	}
}

// parallelRows calls f for every row 0…n−1, spread over workers goroutines
// (≤ 0 means GOMAXPROCS) in tasks of rowsPerTask rows.
func parallelRows(n, workers int, f func(row int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, (n+rowsPerTask-1)/rowsPerTask)
	if workers <= 1 {
		for r := range n {
			f(r)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(rowsPerTask)) - rowsPerTask
				if start >= n {
					return
				}
				for r := start; r < min(start+rowsPerTask, n); r++ {
					f(r)
				}
			}
		})
	}
	wg.Wait()
}
