package pipeline_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

// cellKeys returns the keys of backend b that hold something of the parent
// cell with nested id nest: its chunk of an array chunked by parent cell,
// or its partial states.
func cellKeys(t *testing.T, b zarrstore.Backend, parentOrder int, nest uint64) []string {
	t.Helper()
	parents, _, err := zarrstore.New(b).Parents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.Index(parents, nest)
	if i < 0 {
		t.Fatalf("parent %d is not in the store's parent list", nest)
	}
	// The cell's statistics (its coordinates stay) and partial states (its
	// cell object stays, saying whether it is empty).
	chunk := regexp.MustCompile(`^[0-9]+/[^/]+/c/` + strconv.Itoa(i) + `$`)
	partial := fmt.Sprintf("%s%d/%d", pipeline.PartialsPrefix, parentOrder, nest)
	var keys []string
	for k, err := range b.List(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		coord := strings.Contains(k, "/cell_ids/") || strings.Contains(k, "/morton/")
		order, _, _ := strings.Cut(k, "/")
		fine := false
		if o, err := strconv.Atoi(order); err == nil && o >= parentOrder {
			fine = true
		}
		if chunk.MatchString(k) && fine && !coord || k == partial {
			keys = append(keys, k)
		}
	}
	return keys
}

// coarseConfig is the ATL06 config with the given output orders (some
// coarser than the parent, so that cells also leave partial states); keep
// replaces the quality filter's value.
func coarseConfig(t *testing.T, orders, keep string) *config.Config {
	t.Helper()
	src, err := os.ReadFile("config/builtin/atl06.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("    value: 0\n"), []byte("    value: "+keep+"\n"), 1)
	cfg, err := config.Parse("coarse.yaml", append(src, "  orders: "+orders+"\n"...))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestRunClearsCellThatBecameEmpty reruns a cell with no granules, then
// the whole catalog with --overwrite and a quality filter that keeps no
// row: each cell that turns out empty must lose every chunk and partial
// state the first run stored for it (a cell must not keep the values of an
// earlier run), the other cells must keep theirs, and the coarse orders
// must be recomputed without it.
func TestRunClearsCellThatBecameEmpty(t *testing.T) {
	ctx := context.Background()
	backend := zarrstore.NewMemBackend()
	z := zarrstore.New(backend)
	cfg := coarseConfig(t, "[12, 6, 2, 0]", "0")
	r := newRunner(t, z)
	r.Config = cfg
	rep, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := rep.Summary.TotalObs
	cat := sampleCatalog(t)
	po := cat.Metadata.ParentOrder

	// One cell rerun with no granules.
	conv, err := pipeline.Convention(cat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	aggr, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := pipeline.NewStore(z, cfg, aggr, po, conv)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(sampledata.FS(), "granules")
	if err != nil {
		t.Fatal(err)
	}
	reader := pipeline.NewCellReader(cfg, aggr.Columns(), pipeline.FSOpener(sub))
	target := cat.Cells[0]
	cell := target.Cell
	before := cellKeys(t, backend, po, cell.Nest())
	if len(before) == 0 {
		t.Fatalf("cell %s: the first run stored nothing", target.Key())
	}
	others := map[morton.Cell]int{}
	for _, c := range cat.Cells[1:] {
		others[c.Cell] = len(cellKeys(t, backend, po, c.Cell.Nest()))
	}
	full, err := pipeline.Run(ctx, dispatch.Job{Cell: target.Cell, Granules: target.Granules}, reader, aggr, st)
	if err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.Run(ctx, dispatch.Job{Cell: target.Cell}, reader, aggr, st)
	if err != nil || res.ErrorKind != dispatch.KindEmpty {
		t.Fatalf("empty rerun: %+v, %v", res, err)
	}
	if left := cellKeys(t, backend, po, cell.Nest()); len(left) != 0 {
		t.Errorf("cell %s emptied: %d of its %d keys are still stored: %v", target.Key(), len(left), len(before), left)
	}
	// The cell is committed as empty: a resume from the same input skips it.
	if stat, err := st.Status(ctx, cell); err != nil || stat.State != "empty" {
		t.Errorf("cell %s emptied: status %+v, %v; want empty", target.Key(), stat, err)
	}
	for c, n := range others {
		if got := len(cellKeys(t, backend, po, c.Nest())); got != n {
			t.Errorf("cell %v (not rerun): %d keys, had %d", c, got, n)
		}
	}
	if _, err := st.Finalize(ctx); err != nil {
		t.Fatal(err)
	}
	if got := orderZeroCount(t, z); got != total-full.TotalObs {
		t.Errorf("order 0 counts sum to %d after emptying a cell of %d points, want %d", got, full.TotalObs, total-full.TotalObs)
	}

	// A stored partial that decodes but has another config's shape (here:
	// no state for any variable) is an error naming it, not a panic.
	key := fmt.Sprintf("%s%d/%d", pipeline.PartialsPrefix, po, cell.Nest())
	bad := binary.LittleEndian.AppendUint32([]byte("ZGP1"), uint32(len(cfg.Aggregation.Variables)))
	for range cfg.Aggregation.Variables {
		bad = binary.LittleEndian.AppendUint32(bad, 0)
	}
	if err := backend.Put(ctx, key, bad); err != nil {
		t.Fatal(err)
	}
	// Finalize merges only complete cells: give it a marker.
	mkey := fmt.Sprintf("%s%d/%d", pipeline.MarkersPrefix, po, cell.Nest())
	if err := backend.Put(ctx, mkey, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Finalize(ctx); !errors.Is(err, pipeline.ErrStore) || !strings.Contains(err.Error(), key) {
		t.Errorf("Finalize with a partial of another shape: %v, want ErrStore naming %s", err, key)
	}
	if err := backend.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := backend.Delete(ctx, mkey); err != nil {
		t.Fatal(err)
	}

	// Every cell rerun with --overwrite and a filter that keeps nothing.
	r.Config = coarseConfig(t, "[12, 6, 2, 0]", "99")
	r.Overwrite = true
	rep, err = r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.TotalObs != 0 {
		t.Fatalf("rerun kept %d points", rep.Summary.TotalObs)
	}
	for _, c := range cat.Cells {
		if left := cellKeys(t, backend, po, c.Cell.Nest()); len(left) != 0 {
			t.Errorf("cell %s, empty after --overwrite: still stored %v", c.Key(), left)
		}
	}
	if got := orderZeroCount(t, z); got != 0 {
		t.Errorf("order 0 counts sum to %d after every cell emptied", got)
	}
}

// orderZeroCount sums the order-0 count array.
func orderZeroCount(t *testing.T, z *zarrstore.Store) int64 {
	t.Helper()
	a, err := z.OpenArray(context.Background(), "0/count")
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() == 0 {
		return 0 // no cell has data
	}
	counts, err := zarrstore.ReadChunkAs[int32](context.Background(), a, 0)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, c := range counts {
		sum += int64(c)
	}
	return sum
}
