package pipeline_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/cellmap"
	"github.com/zagg-go/zagg/zarrstore"
)

// buildMaps maps every granule of cat with r into a memory store.
func buildMaps(t *testing.T, r *pipeline.CellReader, cat *cmr.Catalog, codec cellmap.Codec) *cellmap.Store {
	t.Helper()
	store := &cellmap.Store{Backend: zarrstore.NewMemBackend()}
	var urls []string
	for _, cell := range cat.Cells {
		urls = append(urls, cell.Granules...)
	}
	b := &cellmap.Builder{Store: store, Map: func(ctx context.Context, url string) ([]byte, cellmap.BuildStats, error) {
		return r.MapGranule(ctx, url, cat.Metadata.ParentOrder, codec)
	}}
	rep, err := b.BuildAll(context.Background(), urls)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Built != numGranules(cat) || len(rep.Failed) != 0 {
		t.Fatalf("mapped %d of %d granules, failures %v", rep.Built, numGranules(cat), rep.Failed)
	}
	return store
}

// TestReadCellMapped maps the sample granules and the real ATL06 granule
// once, then reads every cell of their catalogs from the maps and from the
// files: the points are the same, bit for bit and in the same order, and
// so are the reader's counters; every granule is read from its map.
func TestReadCellMapped(t *testing.T) {
	ctx := context.Background()
	cfg := atl06(t)
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range indexCases(t) {
		for _, codec := range []cellmap.Codec{cellmap.None, cellmap.Zstd} {
			t.Run(c.name+"/"+codec.String(), func(t *testing.T) {
				conv, err := pipeline.Convention(c.cat, cfg)
				if err != nil {
					t.Fatal(err)
				}
				plain := pipeline.NewCellReader(cfg, a.Columns(), pipeline.DirOpener(c.dir))
				plain.Convention = conv
				mapped := *plain
				mapped.CellMap = pipeline.NewCellMaps(buildMaps(t, plain, c.cat, codec))
				for _, cell := range c.cat.Cells {
					want, st0, err := plain.ReadCell(ctx, cell.Cell, cell.Granules)
					if err != nil {
						t.Fatal(err)
					}
					got, st1, err := mapped.ReadCell(ctx, cell.Cell, cell.Granules)
					if err != nil {
						t.Fatal(err)
					}
					samePoints(t, cell.Cell.String(), want, got)
					if st1.Mapped != len(cell.Granules) || st1.MapMissed != 0 || st0.Mapped != 0 {
						t.Errorf("%v: %d of %d granules read from their map, %d missed (%d without maps)", cell.Cell, st1.Mapped, len(cell.Granules), st1.MapMissed, st0.Mapped)
					}
					if st1.Inside != st0.Inside || st1.FillDropped != st0.FillDropped || st1.Rows != st0.Rows || st1.GranulesRead != st0.GranulesRead {
						t.Errorf("%v: rows %d, inside %d, fill %d, granules %d from maps; %d, %d, %d, %d without", cell.Cell,
							st1.Rows, st1.Inside, st1.FillDropped, st1.GranulesRead, st0.Rows, st0.Inside, st0.FillDropped, st0.GranulesRead)
					}
				}
			})
		}
	}
}

// TestReadCellMapFallback serves cell maps that do not fit — another
// granule's (stale), corrupt bytes, another parent order, other reader
// settings, none — and checks the reader then reads the granules from the
// files, with the same points, counting the misses.
func TestReadCellMapFallback(t *testing.T) {
	ctx := context.Background()
	cfg := atl06(t)
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cat := sampleCatalog(t)
	conv, err := pipeline.Convention(cat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	plain := pipeline.NewCellReader(cfg, a.Columns(), pipeline.DirOpener("../internal/sampledata/granules"))
	plain.Convention = conv
	cell := cat.Cells[0]
	for _, c := range cat.Cells {
		if len(c.Granules) > len(cell.Granules) {
			cell = c
		}
	}
	g0 := cell.Granules[0]
	other := ""
	for _, c := range cat.Cells {
		for _, u := range c.Granules {
			if u != g0 {
				other = u
			}
		}
	}
	mapOf := func(r *pipeline.CellReader, url string, order int) []byte {
		obj, _, err := r.MapGranule(ctx, url, order, cellmap.None)
		if err != nil {
			t.Fatal(err)
		}
		return obj
	}
	good := mapOf(plain, g0, cat.Metadata.ParentOrder)
	fewer := *plain
	fewer.Columns = fewer.Columns[:1]
	// Flip a byte of the cell's own fragment.
	f, err := cellmap.DecodeFooter(good, int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Cell(cell.Cell.Nest())
	if c == nil || c.Len() == 0 {
		t.Fatalf("the map of %s has no point in %v", g0, cell.Cell)
	}
	corrupt := slices.Clone(good)
	corrupt[c.Offset+c.Len()/2] ^= 1
	cases := map[string][]byte{
		"stale":          mapOf(plain, other, cat.Metadata.ParentOrder),
		"corrupt cell":   corrupt,
		"truncated":      good[:len(good)/2],
		"other order":    mapOf(plain, g0, cat.Metadata.ParentOrder+1),
		"other settings": mapOf(&fewer, g0, cat.Metadata.ParentOrder),
		"none":           nil,
	}
	want, st0, err := plain.ReadCell(ctx, cell.Cell, cell.Granules)
	if err != nil {
		t.Fatal(err)
	}
	key, err := cellmap.Key(g0)
	if err != nil {
		t.Fatal(err)
	}
	for name, obj := range cases {
		t.Run(name, func(t *testing.T) {
			b := zarrstore.NewMemBackend()
			if obj != nil {
				if err := b.Put(ctx, key, obj); err != nil {
					t.Fatal(err)
				}
			}
			r := *plain
			r.CellMap = pipeline.NewCellMaps(&cellmap.Store{Backend: b})
			got, st, err := r.ReadCell(ctx, cell.Cell, cell.Granules)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mapped != 0 || st.MapMissed != len(cell.Granules) {
				t.Errorf("%d granules read from a map that does not fit, %d misses of %d", st.Mapped, st.MapMissed, len(cell.Granules))
			}
			if st.Inside != st0.Inside || st.FillDropped != st0.FillDropped {
				t.Errorf("counters differ: %+v, want %+v", st, st0)
			}
			samePoints(t, name, want, got)
		})
	}
}

// TestRunCellMap runs the sample catalog with and without cell maps
// (MapBuild, then Runner.UseCellMap): the stores hold the same bytes —
// every statistic of every order, the partial states — the sidecar maps
// and the run's names in the cell markers and lease apart.
func TestRunCellMap(t *testing.T) {
	ctx := context.Background()
	plainB := zarrstore.NewMemBackend()
	if _, err := newRunner(t, zarrstore.New(plainB)).Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, codec := range []cellmap.Codec{cellmap.None, cellmap.Zstd} {
		t.Run(codec.String(), func(t *testing.T) {
			mapB := zarrstore.NewMemBackend()
			z := zarrstore.New(mapB)
			r := newRunner(t, z)
			rep, err := (&pipeline.MapBuild{Config: r.Config, Catalog: r.Catalog, Store: z, Opener: r.Opener, Codec: codec}).Run(ctx)
			if err != nil || rep.Built != numGranules(r.Catalog) || len(rep.Failed) > 0 {
				t.Fatalf("MapBuild: %v, %+v", err, rep)
			}
			if rep.Objects != int64(rep.Built) || rep.ObjectBytes == 0 || rep.Points == 0 {
				t.Errorf("report %+v", rep)
			}
			// A second build skips what is stored.
			if rep2, err := (&pipeline.MapBuild{Config: r.Config, Catalog: r.Catalog, Store: z, Opener: r.Opener}).Run(ctx); err != nil || rep2.Existing != rep.Built {
				t.Errorf("rebuild: %v, %+v", err, rep2)
			}
			r.UseCellMap = true
			if _, err := r.Run(ctx); err != nil {
				t.Fatal(err)
			}
			want, got := readBackend(t, plainB), readBackend(t, mapB)
			n := 0
			for k := range got {
				if strings.HasPrefix(k, cellmap.Prefix) {
					delete(got, k)
					n++
				}
			}
			if n != rep.Built {
				t.Errorf("%d cell maps in the store, %d built", n, rep.Built)
			}
			compareTrees(t, got, want)
		})
	}
}
