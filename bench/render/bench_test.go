package renderbench

import (
	"context"
	"math"
	"sync"
	"testing"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/render"
	"github.com/zagg-go/zagg/zarrstore"
)

const (
	parentOrder = 6
	childOrder  = 12
)

var (
	setupOnce sync.Once
	store     *zarrstore.Store
	nChunks   int
	layer     *render.Layer
	setupErr  error
)

// antarcticStore writes the benchmark store (once per process).
func antarcticStore(b *testing.B) (*zarrstore.Store, *render.Layer) {
	b.Helper()
	setupOnce.Do(func() {
		ctx := context.Background()
		cov, err := cmr.NewCoverer(parentOrder, healpix.Authalic)
		if err != nil {
			setupErr = err
			return
		}
		parents, err := cov.Cover(cmr.Antarctica().Polygons)
		if err != nil {
			setupErr = err
			return
		}
		store = zarrstore.New(zarrstore.NewMemBackend())
		if _, err := store.Setup(ctx, zarrstore.Layout{
			ParentOrder: parentOrder,
			Orders:      []int{childOrder},
			Variables:   []zarrstore.Variable{{Name: "h_mean", DataType: zarrstore.Float32, Attributes: map[string]any{"units": "m"}}},
			Parents:     parents,
		}); err != nil {
			setupErr = err
			return
		}
		const per = 1 << (2 * (childOrder - parentOrder))
		vals := make([]float32, per)
		for i, p := range parents {
			lat, lon := healpix.NestCenter(parentOrder, p)
			for k := range vals {
				// A smooth ice-sheet-like surface with some texture.
				vals[k] = float32(4000*math.Cos((lat+90)*math.Pi/50) + 200*math.Sin(lon*math.Pi/30) + float64(k%64))
			}
			if err := store.WriteChunk(ctx, "12/h_mean", int64(i), vals); err != nil {
				setupErr = err
				return
			}
		}
		nChunks = len(parents)
		layer, setupErr = render.ReadLayer(ctx, store, "h_mean", childOrder, render.ReadOptions{})
	})
	if setupErr != nil {
		b.Fatal(setupErr)
	}
	return store, layer
}

func BenchmarkReadLayer(b *testing.B) {
	s, _ := antarcticStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	cells := 0
	cpu0 := cpuTime()
	for b.Loop() {
		l, err := render.ReadLayer(ctx, s, "h_mean", childOrder, render.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		cells = l.Len()
	}
	b.SetBytes(int64(cells) * 4)
	b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mcells/s")
	b.ReportMetric(float64(nChunks), "chunks")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

func BenchmarkRender(b *testing.B) {
	_, l := antarcticStore(b)
	// Percentiles are cached by the layer: compute them outside the loop
	// so every iteration costs the same (the cold cost is reported by
	// BenchmarkPercentiles in package render).
	if _, _, err := l.Percentiles(2, 98); err != nil {
		b.Fatal(err)
	}
	b.Run("3000x3000", func(b *testing.B) {
		b.ReportAllocs()
		var m *render.Map
		cpu0 := cpuTime()
		for b.Loop() {
			var err error
			m, err = render.Render(l, render.Options{Width: 3000, Height: 3000, Projection: render.EPSG3031()})
			if err != nil {
				b.Fatal(err)
			}
		}
		px := float64(m.Grid.Width * m.Grid.Height)
		b.SetBytes(int64(px) * 4)
		b.ReportMetric(px*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpixel/s")
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/map")
		b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/map")
	})
}

func BenchmarkRasterize(b *testing.B) {
	_, l := antarcticStore(b)
	g, err := render.MapGrid(l, render.Options{Width: 3000, Height: 3000, Projection: render.EPSG3031()})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("3000x3000", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			if _, err := render.Rasterize(g, l, render.Viridis(), 0, 4000, 0); err != nil {
				b.Fatal(err)
			}
		}
		px := float64(g.Width * g.Height)
		b.SetBytes(int64(px) * 4)
		b.ReportMetric(px*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpixel/s")
		b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/map")
	})
}
