package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/zarrstore"
)

// atl07Expected is testdata/atl07/expected.json, written by
// testdata/atl07/mkexpected.py (h5py + numpy + healpy on the real granule).
type atl07Expected struct {
	Granule     string          `json:"granule"`
	ParentOrder int             `json:"parent_order"`
	ChildOrder  int             `json:"child_order"`
	Segments    int64           `json:"segments"`
	FillDropped int64           `json:"fill_dropped"`
	Filtered    int64           `json:"filtered"`
	Kept        int64           `json:"kept"`
	Catalog     json.RawMessage `json:"catalog"`
	// Orders maps an order to its columns: cell_ids (NESTED), count and one
	// column per statistic, one row per cell with data.
	Orders map[string]map[string][]float64 `json:"orders"`
}

// atl07Stats are the float32 statistics of the built-in atl07 config.
var atl07Stats = []string{"h_min", "h_max", "h_mean", "h_std", "h_median", "rms_mean", "lead_fraction"}

// ulps32 is the distance between two finite float32 values in units in the
// last place.
func ulps32(a, b float32) int64 {
	key := func(f float32) int64 {
		u := int64(math.Float32bits(f))
		if u&(1<<31) != 0 {
			return -(u &^ (1 << 31))
		}
		return u
	}
	d := key(a) - key(b)
	if d < 0 {
		d = -d
	}
	return d
}

// TestATL07ConfigRealGranule runs the built-in atl07 config end to end on a
// real ATL07 granule (the Arctic subset in the shared test folder, read with
// the file driver) into a memory store and compares every statistic of every
// cell at every order from the child order down to the parent order with
// what h5py + numpy + healpy compute on the same granule.
func TestATL07ConfigRealGranule(t *testing.T) {
	const dir = "../../shared/testdata/granules"
	b, err := os.ReadFile("testdata/atl07/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var exp atl07Expected
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, exp.Granule)); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the shared test data is missing: %v", err)
		}
		t.Skipf("the shared test data is missing: %v", err)
	}
	if exp.Kept == 0 || len(exp.Orders[strconv.Itoa(exp.ChildOrder)]["cell_ids"]) < 2 {
		t.Fatalf("expected.json holds too little to test: %d rows kept", exp.Kept)
	}
	cfg, err := config.Builtin("atl07")
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
	z := zarrstore.New(zarrstore.NewMemBackend())
	r := &pipeline.Runner{Config: cfg, Catalog: cat, Store: z, Opener: pipeline.DirOpener(dir)}
	rep, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.TotalObs != exp.Kept || rep.Summary.CellsError != 0 {
		t.Errorf("summary %+v, want %d observations", rep.Summary, exp.Kept)
	}

	parents, po, err := z.Parents(ctx)
	if err != nil || po != exp.ParentOrder {
		t.Fatalf("parent list: %v, order %d, want %d", err, po, exp.ParentOrder)
	}
	chunkOf := map[uint64]int64{}
	for i, p := range parents {
		chunkOf[p] = int64(i)
	}
	var compared, cells int
	var worst int64
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
			ids, err := zarrstore.ReadChunkAs[uint64](ctx, mustArray(t, z, fmt.Sprintf("%d/cell_ids", o)), ci)
			if err != nil {
				t.Fatal(err)
			}
			values := map[string][]float32{}
			for _, name := range atl07Stats {
				v, err := zarrstore.ReadChunkAs[float32](ctx, mustArray(t, z, fmt.Sprintf("%d/%s", o, name)), ci)
				if err != nil {
					t.Fatal(err)
				}
				values[name] = v
			}
			for k := range per {
				cell := p*per + k
				if ids[k] != cell {
					t.Fatalf("order %d chunk %d: cell_ids[%d] = %d, want %d", o, ci, k, ids[k], cell)
				}
				row, has := offsets[k]
				if !has {
					if counts[k] != 0 || !math.IsNaN(float64(values["h_mean"][k])) {
						t.Errorf("order %d cell %d: count %d, h_mean %v; want an empty cell", o, cell, counts[k], values["h_mean"][k])
					}
					continue
				}
				cells++
				if wc := int32(table["count"][row]); counts[k] != wc {
					t.Errorf("order %d cell %d: count = %d, want %d", o, cell, counts[k], wc)
				}
				for _, name := range atl07Stats {
					g, w := values[name][k], table[name][row]
					compared++
					if !closeF32(g, w) {
						t.Errorf("order %d cell %d: %s = %v, want %v (numpy)", o, cell, name, g, w)
						continue
					}
					worst = max(worst, ulps32(g, float32(w)))
				}
			}
		}
	}
	if compared == 0 {
		t.Fatal("nothing compared")
	}
	t.Logf("%d segments, %d at a fill value, %d filtered, %d kept; %d cells with data over orders %d..%d, %d statistics compared, worst %d ulp",
		exp.Segments, exp.FillDropped, exp.Filtered, exp.Kept, cells, exp.ChildOrder, exp.ParentOrder, compared, worst)
}
