package pipeline_test

import (
	"context"
	"os"
	"testing"
	"testing/fstest"
	"time"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
)

// FuzzReadCell reads a cell from arbitrary granule bytes (seeded with a
// small valid granule): the reader must return points or an error, never
// panic or hang, and the points it returns must be inside the parent cell
// with one value per column.
func FuzzReadCell(f *testing.F) {
	for _, name := range []string{"ok.h5", "nobeam.h5", "hli2d.h5"} {
		b, err := os.ReadFile("testdata/hostile/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	cfg, err := config.Builtin("atl06")
	if err != nil {
		f.Fatal(err)
	}
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		f.Fatal(err)
	}
	parent := morton.FromNest(6, 37036)
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := pipeline.NewCellReader(cfg, a.Columns(), pipeline.FSOpener(fstest.MapFS{"g.h5": {Data: data}}))
		rd.Attempts = 1
		rd.Options = []h5read.Option{h5read.WithRetries(0, time.Millisecond), h5read.WithMaxAlloc(16 << 20)}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		pts, _, err := rd.ReadCell(ctx, parent, []string{"s3://b/g.h5"})
		if err != nil {
			return
		}
		shift := uint(2 * (29 - parent.Order()))
		for _, c := range pts.Cells {
			if c>>shift != parent.Nest() {
				t.Fatalf("point cell %d outside parent %d", c, parent.Nest())
			}
		}
		for i, c := range pts.Columns {
			if c.Len() != pts.Len() {
				t.Fatalf("column %d has %d values for %d points", i, c.Len(), pts.Len())
			}
		}
	})
}
