package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/chunkindex"
	"github.com/zagg-go/zagg/zarrstore"
)

// indexCase is a catalog and the folder holding its granules.
type indexCase struct {
	name  string
	cat   *cmr.Catalog
	dir   string
	saves bool // beams of several chunks: the index skips some
}

func indexCases(t *testing.T) []indexCase {
	t.Helper()
	sample := sampleCatalog(t)
	cases := []indexCase{{"sample", sample, "../internal/sampledata/granules", true}}
	const real = "../../shared/testdata/granules"
	if _, err := os.Stat(real); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the shared test data is missing: %v", err)
		}
		t.Logf("real granule skipped: %v", err)
		return cases
	}
	b, err := os.ReadFile("testdata/real/real_expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Catalog json.RawMessage `json:"catalog"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	cat, err := cmr.ParseCatalog(exp.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	return append(cases, indexCase{"real ATL06", cat, real, false}) // one chunk per beam
}

// samePoints fails unless a and b hold the same points in the same order,
// bit for bit.
func samePoints(t *testing.T, what string, a, b *pipeline.Points) {
	t.Helper()
	if a.Len() != b.Len() || len(a.Columns) != len(b.Columns) {
		t.Fatalf("%s: %d points in %d columns, want %d in %d", what, b.Len(), len(b.Columns), a.Len(), len(a.Columns))
	}
	for i := range a.Cells {
		if a.Cells[i] != b.Cells[i] {
			t.Fatalf("%s: point %d in cell %d, want %d", what, i, b.Cells[i], a.Cells[i])
		}
	}
	for c := range a.Columns {
		x, y := a.Columns[c], b.Columns[c]
		if len(x.F32) != len(y.F32) || len(x.F64) != len(y.F64) {
			t.Fatalf("%s: column %d has other types", what, c)
		}
		for i := range x.F32 {
			if math.Float32bits(x.F32[i]) != math.Float32bits(y.F32[i]) {
				t.Fatalf("%s: column %d point %d: %v, want %v", what, c, i, y.F32[i], x.F32[i])
			}
		}
		for i := range x.F64 {
			if math.Float64bits(x.F64[i]) != math.Float64bits(y.F64[i]) {
				t.Fatalf("%s: column %d point %d: %v, want %v", what, c, i, y.F64[i], x.F64[i])
			}
		}
	}
}

// TestReadCellIndexed builds the indexes of the sample granules (beams of
// two chunks crossing several parent cells) and of the real ATL06 granule,
// then reads every cell of their catalogs with and without them: the
// points are the same, every granule is read through its index, and, for
// the sample, the indexed reads use fewer bytes over the catalog.
func TestReadCellIndexed(t *testing.T) {
	ctx := context.Background()
	cfg := atl06(t)
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range indexCases(t) {
		t.Run(c.name, func(t *testing.T) {
			conv, err := pipeline.Convention(c.cat, cfg)
			if err != nil {
				t.Fatal(err)
			}
			opener := pipeline.DirOpener(c.dir)
			plain := pipeline.NewCellReader(cfg, a.Columns(), opener)
			plain.Convention = conv
			spec, err := plain.IndexSpec(c.cat.Metadata.ParentOrder)
			if err != nil {
				t.Fatal(err)
			}
			store := &chunkindex.Store{Backend: zarrstore.NewMemBackend()}
			var urls []string
			for _, cell := range c.cat.Cells {
				urls = append(urls, cell.Granules...)
			}
			rep, err := (&chunkindex.Builder{Spec: spec, Opener: opener, Store: store}).BuildAll(ctx, urls)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Built != numGranules(c.cat) || len(rep.Failed) != 0 {
				t.Fatalf("built %d indexes of %d granules, failures %v", rep.Built, numGranules(c.cat), rep.Failed)
			}
			indexed := *plain
			indexed.Index = pipeline.StoreIndexes(store)
			var usedPlain, usedIndexed int64
			for _, cell := range c.cat.Cells {
				want, st0, err := plain.ReadCell(ctx, cell.Cell, cell.Granules)
				if err != nil {
					t.Fatal(err)
				}
				got, st1, err := indexed.ReadCell(ctx, cell.Cell, cell.Granules)
				if err != nil {
					t.Fatal(err)
				}
				samePoints(t, cell.Cell.String(), want, got)
				if st1.Indexed != len(cell.Granules) || st0.Indexed != 0 {
					t.Errorf("%v: %d of %d granules read through their index (%d without)", cell.Cell, st1.Indexed, len(cell.Granules), st0.Indexed)
				}
				if st1.Inside != st0.Inside || st1.FillDropped != st0.FillDropped {
					t.Errorf("%v: %d inside, %d fill with the index; %d, %d without", cell.Cell, st1.Inside, st1.FillDropped, st0.Inside, st0.FillDropped)
				}
				usedPlain += st0.BytesUsed
				usedIndexed += st1.BytesUsed
			}
			if c.saves && usedIndexed >= usedPlain {
				t.Errorf("indexed reads used %d bytes, plain reads %d", usedIndexed, usedPlain)
			}
			t.Logf("bytes used: %d plain, %d indexed (%.2fx)", usedPlain, usedIndexed, float64(usedIndexed)/float64(usedPlain))
		})
	}
}

// TestReadCellIndexFallback serves indexes that do not fit — another
// granule's (stale), undecodable bytes, another latitude convention, none
// — and checks the reader then reads the granules whole, with the same
// points.
func TestReadCellIndexFallback(t *testing.T) {
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
	opener := pipeline.DirOpener("../internal/sampledata/granules")
	plain := pipeline.NewCellReader(cfg, a.Columns(), opener)
	plain.Convention = conv
	spec, err := plain.IndexSpec(cat.Metadata.ParentOrder)
	if err != nil {
		t.Fatal(err)
	}
	build := func(url string, spec chunkindex.Spec) *chunkindex.Index {
		f, err := opener.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ix, err := chunkindex.Build(ctx, f, spec)
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}
	var cell = cat.Cells[0]
	for _, c := range cat.Cells {
		if len(c.Granules) > len(cell.Granules) {
			cell = c
		}
	}
	other := ""
	for _, c := range cat.Cells {
		for _, u := range c.Granules {
			if u != cell.Granules[0] {
				other = u
			}
		}
	}
	stale := build(other, spec)
	geo := spec
	geo.Convention = 1 - spec.Convention
	foreign := build(cell.Granules[0], geo)
	sources := map[string]pipeline.IndexSource{
		"stale": func(context.Context, string) (*chunkindex.Index, error) { return stale, nil },
		"foreign convention": func(context.Context, string) (*chunkindex.Index, error) {
			return foreign, nil
		},
		"undecodable": func(context.Context, string) (*chunkindex.Index, error) {
			return chunkindex.Decode([]byte("ZGIX\x01garbage!"))
		},
		"none": pipeline.StoreIndexes(&chunkindex.Store{Backend: zarrstore.NewMemBackend()}),
	}
	want, _, err := plain.ReadCell(ctx, cell.Cell, cell.Granules)
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			if name == "undecodable" {
				if _, err := src(ctx, ""); !errors.Is(err, chunkindex.ErrFormat) {
					t.Fatalf("decoding garbage: %v", err)
				}
			}
			r := *plain
			r.Index = src
			got, st, err := r.ReadCell(ctx, cell.Cell, cell.Granules)
			if err != nil {
				t.Fatal(err)
			}
			if st.Indexed != 0 {
				t.Errorf("%d granules read through an index that does not fit", st.Indexed)
			}
			samePoints(t, name, want, got)
		})
	}
}

// TestReadCellIndexOtherOrder reads the sample cells through indexes built
// at a coarser and a finer parent order than the catalog's: the blocks
// they select are a superset (coarser) or the union of the children's
// (finer), so the points are the same.
func TestReadCellIndexOtherOrder(t *testing.T) {
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
	opener := pipeline.DirOpener("../internal/sampledata/granules")
	plain := pipeline.NewCellReader(cfg, a.Columns(), opener)
	plain.Convention = conv
	var urls []string
	for _, cell := range cat.Cells {
		urls = append(urls, cell.Granules...)
	}
	for _, order := range []int{cat.Metadata.ParentOrder - 2, cat.Metadata.ParentOrder + 3} {
		spec, err := plain.IndexSpec(order)
		if err != nil {
			t.Fatal(err)
		}
		store := &chunkindex.Store{Backend: zarrstore.NewMemBackend()}
		if rep, err := (&chunkindex.Builder{Spec: spec, Opener: opener, Store: store}).BuildAll(ctx, urls); err != nil || len(rep.Failed) > 0 {
			t.Fatalf("order %d: %v %v", order, err, rep)
		}
		indexed := *plain
		indexed.Index = pipeline.StoreIndexes(store)
		for _, cell := range cat.Cells {
			want, _, err := plain.ReadCell(ctx, cell.Cell, cell.Granules)
			if err != nil {
				t.Fatal(err)
			}
			got, st, err := indexed.ReadCell(ctx, cell.Cell, cell.Granules)
			if err != nil {
				t.Fatal(err)
			}
			if st.Indexed != len(cell.Granules) {
				t.Errorf("order %d, %v: %d of %d granules indexed", order, cell.Cell, st.Indexed, len(cell.Granules))
			}
			samePoints(t, fmt.Sprintf("index order %d, cell %v", order, cell.Cell), want, got)
		}
	}
}

// numGranules counts the distinct granules of a catalog.
func numGranules(c *cmr.Catalog) int {
	seen := map[string]bool{}
	for _, cell := range c.Cells {
		for _, u := range cell.Granules {
			seen[u] = true
		}
	}
	return len(seen)
}
