package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/chunkindex"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/zarrstore"
)

// productExpected is testdata/products/<config>.expected.json, written by
// testdata/products/mkproducts.py (h5py + numpy + healpy on the fixture
// granules it writes).
type productExpected struct {
	Config      string          `json:"config"`
	Granule     string          `json:"granule"`
	ParentOrder int             `json:"parent_order"`
	ChildOrder  int             `json:"child_order"`
	Rows        int64           `json:"rows"`
	FillDropped int64           `json:"fill_dropped"`
	Filtered    int64           `json:"filtered"`
	Kept        int64           `json:"kept"`
	Stats       []string        `json:"stats"` // the float32 statistics, each checked
	Catalog     json.RawMessage `json:"catalog"`
	// Orders maps an order to its columns: cell_ids (NESTED), count and one
	// column per statistic, one row per cell with data.
	Orders map[string]map[string][]float64 `json:"orders"`
}

const productsDir = "testdata/products"

func loadProductExpected(t *testing.T, name string) *productExpected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(productsDir, name+".expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp productExpected
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	if exp.Config != name || exp.Kept == 0 || exp.FillDropped == 0 || exp.Filtered == 0 ||
		len(exp.Orders[strconv.Itoa(exp.ChildOrder)]["cell_ids"]) < 2 || len(exp.Stats) == 0 {
		t.Fatalf("%s.expected.json tests too little: %d rows kept, %d at a fill value, %d filtered, stats %v",
			name, exp.Kept, exp.FillDropped, exp.Filtered, exp.Stats)
	}
	return &exp
}

// TestBuiltinProductConfigs runs each built-in product config end to end
// (catalog → CellReader → Aggregator → store, the file driver) on its
// fixture granule and compares the count and every statistic of every cell
// at every order from the child order down to the parent order with what
// h5py + numpy + healpy compute (testdata/products/mkproducts.py), and the
// rows read, dropped at a fill value and filtered.
func TestBuiltinProductConfigs(t *testing.T) {
	for _, name := range []string{"atl03", "atl08", "atl10", "gedi_l2a"} {
		t.Run(name, func(t *testing.T) {
			exp := loadProductExpected(t, name)
			cfg, err := config.Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Output.Grid.ChildOrder != exp.ChildOrder {
				t.Fatalf("config child order %d, expected.json %d", cfg.Output.Grid.ChildOrder, exp.ChildOrder)
			}
			cat, err := cmr.ParseCatalog(exp.Catalog)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()

			// The reader's counts, cell by cell.
			a, err := pipeline.NewAggregator(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var rows, fill, inside, requests, fetched int64
			for _, c := range cat.Cells {
				r := pipeline.NewCellReader(cfg, a.Columns(), pipeline.DirOpener(productsDir))
				_, st, err := r.ReadCell(ctx, c.Cell, c.Granules)
				if err != nil {
					t.Fatal(err)
				}
				rows += st.Rows
				fill += st.FillDropped
				inside += st.Inside
				requests += st.Requests
				fetched += st.BytesFetched
			}
			if inside != exp.Rows || fill != exp.FillDropped {
				t.Errorf("read %d rows inside the cells (%d in row ranges), %d at a fill value; want %d and %d",
					inside, rows, fill, exp.Rows, exp.FillDropped)
			}

			z := zarrstore.New(zarrstore.NewMemBackend())
			run := &pipeline.Runner{Config: cfg, Catalog: cat, Store: z, Opener: pipeline.DirOpener(productsDir)}
			rep, err := run.Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Summary.TotalObs != exp.Kept || rep.Summary.CellsError != 0 {
				t.Errorf("summary %+v, want %d observations", rep.Summary, exp.Kept)
			}
			compared, cells := compareStore(t, z, exp)
			if compared == 0 {
				t.Fatal("nothing compared")
			}
			t.Logf("%s: %d rows, %d at a fill value, %d filtered, %d kept; %d cells with data over orders %d..%d, %d statistics compared; reading the %d parent cells took %d requests, %d bytes",
				exp.Granule, exp.Rows, exp.FillDropped, exp.Filtered, exp.Kept, cells, exp.ChildOrder, exp.ParentOrder, compared, len(cat.Cells), requests, fetched)
		})
	}
}

// compareStore checks every cell of every order of the store against exp.
func compareStore(t *testing.T, z *zarrstore.Store, exp *productExpected) (compared, cells int) {
	t.Helper()
	ctx := context.Background()
	parents, po, err := z.Parents(ctx)
	if err != nil || po != exp.ParentOrder {
		t.Fatalf("parent list: %v, order %d, want %d", err, po, exp.ParentOrder)
	}
	chunkOf := map[uint64]int64{}
	for i, p := range parents {
		chunkOf[p] = int64(i)
	}
	for o := exp.ChildOrder; o >= exp.ParentOrder; o-- {
		table := exp.Orders[strconv.Itoa(o)]
		shift := 2 * (o - exp.ParentOrder)
		per := uint64(1) << shift
		want := map[uint64]map[uint64]int{} // parent → offset in the chunk → row
		for row, f := range table["cell_ids"] {
			id := uint64(f)
			p := id >> shift
			if want[p] == nil {
				want[p] = map[uint64]int{}
			}
			want[p][id-p*per] = row
		}
		var wantChunks []int64
		for p := range want {
			i, ok := chunkOf[p]
			if !ok {
				t.Fatalf("order %d: parent %d has data but is not in the store's parent list %v", o, p, parents)
			}
			wantChunks = append(wantChunks, i)
		}
		slices.Sort(wantChunks)
		got, err := z.ListChunks(ctx, fmt.Sprintf("%d/count", o))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, wantChunks) {
			t.Errorf("order %d: chunks written %v, want %v", o, got, wantChunks)
		}
		for p, offsets := range want {
			ci := chunkOf[p]
			counts, err := zarrstore.ReadChunkAs[int32](ctx, mustArray(t, z, fmt.Sprintf("%d/count", o)), ci)
			if err != nil {
				t.Fatal(err)
			}
			values := map[string][]float32{}
			for _, name := range exp.Stats {
				v, err := zarrstore.ReadChunkAs[float32](ctx, mustArray(t, z, fmt.Sprintf("%d/%s", o, name)), ci)
				if err != nil {
					t.Fatal(err)
				}
				values[name] = v
			}
			for k := range per {
				row, has := offsets[k]
				first := values[exp.Stats[0]][k]
				if !has {
					if counts[k] != 0 || !math.IsNaN(float64(first)) {
						t.Errorf("order %d cell %d: count %d, %s %v; want an empty cell", o, p*per+k, counts[k], exp.Stats[0], first)
					}
					continue
				}
				cells++
				if wc := int32(table["count"][row]); counts[k] != wc {
					t.Errorf("order %d cell %d: count = %d, want %d", o, p*per+k, counts[k], wc)
				}
				for _, name := range exp.Stats {
					compared++
					if g, w := values[name][k], table[name][row]; !closeF32(g, w) {
						t.Errorf("order %d cell %d: %s = %v, want %v (numpy)", o, p*per+k, name, g, w)
					}
				}
			}
		}
	}
	return compared, cells
}

// TestColumnSelectorReadErrors: a column selector on a 1-D dataset, or past
// the last column of a 2-D one, fails the granule with an error naming the
// dataset, the selector and the shape (h5read.ErrSelection), not a panic
// or a silent wrong read; a 2-D dataset without a selector is refused with
// a hint to use one.
func TestColumnSelectorReadErrors(t *testing.T) {
	exp := loadProductExpected(t, "atl03")
	cat, err := cmr.ParseCatalog(exp.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	c := cat.Cells[0]
	base, err := config.Builtin("atl03")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, template, want string
		selection            bool // the error matches h5read.ErrSelection
	}{
		{"1-D dataset", "/{group}/heights/h_ph[:, 0]", "needs a 2-D dataset, this one has shape [1000]", true},
		{"column past the end", "/{group}/heights/signal_conf_ph[:, 5]", "column 5 of the selector [:, 5] is out of range: the dataset has 5 columns (shape [1000 5])", true},
		{"2-D dataset without a selector", "/{group}/heights/signal_conf_ph", "2-dimensional dataset (shape [1000 5]), want one dimension (rows); a column of a 2-D dataset is read with a selector, path[:, k]", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := *base
			cfg.DataSource.Filters = []config.FilterSpec{{Dataset: tc.template, Op: base.DataSource.Filters[0].Op, Values: []float64{3}}}
			a, err := pipeline.NewAggregator(&cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := pipeline.NewCellReader(&cfg, a.Columns(), pipeline.DirOpener(productsDir))
			_, _, err = r.ReadCell(context.Background(), c.Cell, c.Granules)
			if errors.Is(err, h5read.ErrSelection) != tc.selection || !errors.Is(err, pipeline.ErrGranule) {
				t.Fatalf("err = %v, want ErrGranule (and ErrSelection: %v)", err, tc.selection)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) {
				t.Errorf("err = %q, want it to say %q", msg, tc.want)
			}
		})
	}
}

// TestBuiltinProductConfigsIndexed builds the chunk indexes of each product
// fixture and reads every cell of its catalog with and without them: the
// points are the same, and every granule is read through its index. The
// chunk index holds 1-D datasets only: the build of a granule whose config
// reads a column of a 2-D dataset (atl03) fails with chunkindex.ErrSpec,
// and its cells are read without an index, with the same points.
func TestBuiltinProductConfigsIndexed(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"atl03", "atl08", "atl10", "gedi_l2a"} {
		t.Run(name, func(t *testing.T) {
			exp := loadProductExpected(t, name)
			cfg, err := config.Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			cat, err := cmr.ParseCatalog(exp.Catalog)
			if err != nil {
				t.Fatal(err)
			}
			a, err := pipeline.NewAggregator(cfg)
			if err != nil {
				t.Fatal(err)
			}
			opener := pipeline.DirOpener(productsDir)
			plain := pipeline.NewCellReader(cfg, a.Columns(), opener)
			spec, err := plain.IndexSpec(exp.ParentOrder)
			if err != nil {
				t.Fatal(err)
			}
			store := &chunkindex.Store{Backend: zarrstore.NewMemBackend()}
			rep, err := (&chunkindex.Builder{Spec: spec, Opener: opener, Store: store}).BuildAll(ctx, []string{cat.Cells[0].Granules[0]})
			twoD := name == "atl03"
			switch {
			case err != nil:
				t.Fatal(err)
			case twoD && (rep.Built != 0 || len(rep.Failed) != 1 || !errors.Is(rep.Failed[0].Err, chunkindex.ErrSpec) ||
				!strings.Contains(rep.Failed[0].Err.Error(), "signal_conf_ph is 2-dimensional")):
				t.Fatalf("index build of a granule with a 2-D dataset: %+v, want one failure (ErrSpec)", rep)
			case !twoD && (rep.Built != 1 || len(rep.Failed) != 0):
				t.Fatalf("index build: %+v", rep)
			}
			indexed := *plain
			indexed.Index = pipeline.StoreIndexes(store)
			var n int
			for _, cell := range cat.Cells {
				want, _, err := plain.ReadCell(ctx, cell.Cell, cell.Granules)
				if err != nil {
					t.Fatal(err)
				}
				got, st, err := indexed.ReadCell(ctx, cell.Cell, cell.Granules)
				if err != nil {
					t.Fatal(err)
				}
				samePoints(t, cell.Cell.String(), want, got)
				if want := len(cell.Granules); twoD && st.Indexed != 0 || !twoD && st.Indexed != want {
					t.Errorf("%v: %d of %d granules read through their index", cell.Cell, st.Indexed, len(cell.Granules))
				}
				n += got.Len()
			}
			if n == 0 {
				t.Fatal("no point read")
			}
		})
	}
}
