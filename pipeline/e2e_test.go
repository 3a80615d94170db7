package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/internal/sampletest"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// sampleCatalog returns the built-in sample catalog.
func sampleCatalog(t testing.TB) *cmr.Catalog {
	t.Helper()
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// sampleServer starts a loopback S3 server holding the sample granules under
// the keys the sample catalog names, plus an empty "out" bucket for stores.
func sampleServer(t testing.TB) *s3test.Server {
	t.Helper()
	return sampletest.Serve(t, "out")
}

// worker builds the reader, aggregator and store of the ATL06 config over the
// sample catalog, the store on z.
type worker struct {
	cfg    *config.Config
	cat    *cmr.Catalog
	reader *pipeline.CellReader
	aggr   *pipeline.Aggregator
	store  *pipeline.Store
}

func newWorker(t testing.TB, opener pipeline.Opener, z *zarrstore.Store) *worker {
	t.Helper()
	cfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	cat := sampleCatalog(t)
	conv, err := pipeline.Convention(cat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	po, err := cfg.ParentOrder(cat.Metadata.ParentOrder)
	if err != nil {
		t.Fatal(err)
	}
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pipeline.NewStore(z, cfg, a, po, conv)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Setup(context.Background(), pipeline.ParentCells(cat.Cells), pipeline.NewProvenance(cat.Metadata, cat.Cells)); err != nil {
		t.Fatal(err)
	}
	return &worker{cfg: cfg, cat: cat, reader: pipeline.NewCellReader(cfg, a.Columns(), opener), aggr: a, store: s}
}

// TestRunSampleS3 runs every sample cell from granules on a loopback S3
// server into a store on the S3 server (cell by cell with Run) and into a
// folder (with the Runner), and checks every statistic at every order against
// numpy's (expected.json), the folder store also through zarrita, an
// independent Zarr v3 reader.
func TestRunSampleS3(t *testing.T) {
	srv := sampleServer(t)
	ctx := context.Background()

	t.Run("s3-store", func(t *testing.T) {
		z, err := zarrstore.Open("s3://out/"+s3test.Prefix(t)+"/sample.zarr", s3store.WithClient(srv.Client, s3store.Options{}))
		if err != nil {
			t.Fatal(err)
		}
		w := newWorker(t, pipeline.S3Opener(srv.Client), z)
		var obs int64
		for _, cell := range w.cat.Cells {
			res, err := pipeline.Run(ctx, dispatch.Job{Cell: cell.Cell, Granules: cell.Granules}, w.reader, w.aggr, w.store)
			if err != nil {
				t.Fatalf("Run(%s) = %v", cell.Key(), err)
			}
			if res.Error != nil {
				t.Fatalf("Run(%s): result error %q (%s)", cell.Key(), *res.Error, res.ErrorKind)
			}
			if res.FilesProcessed != len(cell.Granules) || res.Requests == 0 || res.BytesFetched == 0 {
				t.Errorf("Run(%s): files %d/%d, %d requests, %d bytes", cell.Key(), res.FilesProcessed, len(cell.Granules), res.Requests, res.BytesFetched)
			}
			obs += res.TotalObs
		}
		if err := w.store.Consolidate(ctx); err != nil {
			t.Fatal(err)
		}
		exp := checkExpected(t, z, w.store.ParentOrder())
		if obs != int64(exp.PointsKept) {
			t.Errorf("total observations %d, want %d", obs, exp.PointsKept)
		}
	})

	t.Run("folder-store", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "sample.zarr")
		z := zarrstore.New(zarrstore.NewFSBackend(dir, false))
		r := &pipeline.Runner{Config: atl06(t), Catalog: sampleCatalog(t), Store: z,
			Opener: pipeline.S3Opener(srv.Client), Workers: 4}
		rep, err := r.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		exp := checkExpected(t, z, 6)
		if rep.Summary.CellsWithData != 8 || rep.Summary.TotalObs != int64(exp.PointsKept) {
			t.Errorf("summary %+v, want 8 cells and %d observations", rep.Summary, exp.PointsKept)
		}
		checkZarrita(t, dir, exp)
	})
}

// checkZarrita reads the folder store with zarrita (npm) and compares the
// statistics of orders 12, 9 and 6 with numpy's.
func checkZarrita(t *testing.T, store string, exp *sampledata.Expected) {
	node := needZarrita(t)
	if node == "" {
		return
	}
	type read struct {
		Array string `json:"array"`
		Start int64  `json:"start"`
		Stop  int64  `json:"stop"`
	}
	names := []string{"cell_ids", "count", "h_min", "h_max", "h_mean", "h_sigma", "h_variance", "h_q25", "h_q50", "h_q75"}
	parents, _, err := zarrstore.New(zarrstore.NewFSBackend(store, false)).Parents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var reads []read
	for _, o := range []int{12, 9, 6} {
		per := int64(1) << (2 * (o - exp.ParentOrder))
		chunks := map[int64]bool{} // chunk indices: positions in the parent list
		for _, id := range exp.Orders[strconv.Itoa(o)]["cell_ids"] {
			chunks[int64(slices.Index(parents, uint64(id)>>(2*(o-exp.ParentOrder))))] = true
		}
		for c := range chunks {
			for _, n := range names {
				reads = append(reads, read{Array: fmt.Sprintf("%d/%s", o, n), Start: c * per, Stop: (c + 1) * per})
			}
		}
	}
	var out struct {
		Contents []string `json:"contents"`
		Reads    []struct {
			Array string   `json:"array"`
			DType string   `json:"dtype"`
			Data  []string `json:"data"`
		} `json:"reads"`
	}
	runNode(t, node, map[string]any{"store": store, "reads": reads}, &out)
	if !slices.Contains(out.Contents, "array:/12/h_mean") || !slices.Contains(out.Contents, "group:/6") {
		t.Errorf("zarrita sees %v", out.Contents)
	}
	// Index zarrita's values by order, array and cell id.
	got := map[string]map[uint64]string{}
	for i, r := range out.Reads {
		o := strings.Split(r.Array, "/")[0]
		ids := out.Reads[i-slices.Index(names, strings.Split(r.Array, "/")[1])].Data // the cell_ids read of this chunk
		if got[r.Array] == nil {
			got[r.Array] = map[uint64]string{}
		}
		for k, v := range r.Data {
			id, err := strconv.ParseUint(ids[k], 10, 64)
			if err != nil {
				t.Fatalf("zarrita %s/cell_ids[%d] = %q", o, k, ids[k])
			}
			got[r.Array][id] = v
		}
	}
	n := 0
	for _, o := range []int{12, 9, 6} {
		table := exp.Orders[strconv.Itoa(o)]
		for row, id := range table["cell_ids"] {
			for _, name := range names[1:] {
				s, ok := got[fmt.Sprintf("%d/%s", o, name)][uint64(id)]
				if !ok {
					t.Fatalf("zarrita did not return %d/%s of cell %d", o, name, uint64(id))
				}
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatalf("zarrita %d/%s[%d] = %q", o, name, uint64(id), s)
				}
				want := table[name][row]
				if name == "count" && v != want || name != "count" && !closeF32(float32(v), want) {
					t.Errorf("zarrita: order %d cell %d %s = %v, numpy %v", o, uint64(id), name, v, want)
				}
				n++
			}
		}
	}
	t.Logf("zarrita read %d values equal to numpy's", n)
}

// zarritaModules is where scripts/setup.d/zarrita.sh installs zarrita.
const zarritaModules = "../zarrstore/testdata/zarrita/node_modules"

// needZarrita returns the node binary, or "" after skipping the test when
// node or zarrita is missing. Under CI (env CI set) it fails instead: CI must
// never skip the independent-reader check.
func needZarrita(t *testing.T) string {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("CI") != "" {
		fail = t.Fatalf
	}
	node, err := exec.LookPath("node")
	if err != nil {
		fail("node not found (%v); install Node.js >= 18 for the zarrita cross-check", err)
		return ""
	}
	if _, err := os.Stat(filepath.Join(zarritaModules, "zarrita")); err != nil {
		fail("zarrita is not installed; run: bash scripts/setup.d/zarrita.sh  [%v]", err)
		return ""
	}
	return node
}

// runNode runs testdata/zarrita/read_chunks.mjs with the request req. The
// script is copied next to a link to zarrstore's node_modules so that node
// resolves zarrita from there.
func runNode(t *testing.T, node string, req any, out any) {
	t.Helper()
	dir := t.TempDir()
	mods, err := filepath.Abs(zarritaModules)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(mods, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("testdata/zarrita/read_chunks.mjs")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(req)
	for name, data := range map[string][]byte{"read_chunks.mjs": script, "request.json": b} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(node, "read_chunks.mjs", "request.json")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node read_chunks.mjs: %v\n%s", err, stderr.Bytes())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("node read_chunks.mjs output: %v\n%.2000s", err, stdout)
	}
}

// checkExpected compares the store with expected.json at every order: the
// counts exactly, the statistics to float32 rounding, and every other cell
// of every chunk written as empty (count 0, NaN).
func checkExpected(t *testing.T, z *zarrstore.Store, parentOrder int) *sampledata.Expected {
	t.Helper()
	exp, err := sampledata.LoadExpected()
	if err != nil {
		t.Fatal(err)
	}
	checkAgainst(t, z, parentOrder, exp)
	return exp
}

// checkAgainst compares the store with expected values (expected.json's
// layout).
func checkAgainst(t *testing.T, z *zarrstore.Store, parentOrder int, exp *sampledata.Expected) {
	t.Helper()
	ctx := context.Background()
	if exp.ParentOrder != parentOrder {
		t.Fatalf("expected.json parent order %d, store %d", exp.ParentOrder, parentOrder)
	}
	stats := []string{"h_min", "h_max", "h_mean", "h_sigma", "h_variance", "h_q25", "h_q50", "h_q75"}
	parents, po, err := z.Parents(ctx)
	if err != nil || po != parentOrder {
		t.Fatalf("parent list: %v, order %d", err, po)
	}
	chunkOf := map[int64]int64{} // parent NESTED id → chunk
	for i, p := range parents {
		chunkOf[int64(p)] = int64(i)
	}
	for o := exp.ChildOrder; o >= exp.ParentOrder; o-- {
		table := exp.Orders[strconv.Itoa(o)]
		ids := table["cell_ids"]
		shift := 2 * (o - parentOrder)
		per := int64(1) << shift
		// Chunks the expected cells fall in, and the rows of each.
		want := map[int64]map[int64]int{}
		for row, f := range ids {
			id := int64(f)
			c := id >> shift
			if want[c] == nil {
				want[c] = map[int64]int{}
			}
			want[c][id-c*per] = row
		}
		got, err := z.ListChunks(ctx, fmt.Sprintf("%d/count", o))
		if err != nil {
			t.Fatal(err)
		}
		var wantChunks, wantParents []int64
		for c := range want {
			i, ok := chunkOf[c]
			if !ok {
				t.Fatalf("order %d: parent %d has data but is not in the store's parent list %v", o, c, parents)
			}
			wantChunks = append(wantChunks, i)
			wantParents = append(wantParents, c)
		}
		slices.Sort(wantChunks)
		slices.Sort(wantParents)
		if !slices.Equal(got, wantChunks) {
			t.Errorf("order %d: chunks written %v, want %v", o, got, wantChunks)
		}
		if n := mustArray(t, z, fmt.Sprintf("%d/cell_ids", o)).Len(); n != int64(len(parents))*per {
			t.Errorf("order %d: %d cells, want %d parents × %d", o, n, len(parents), per)
		}
		for _, c := range wantParents {
			c, ci := c, chunkOf[c]
			counts, err := zarrstore.ReadChunkAs[int32](ctx, mustArray(t, z, fmt.Sprintf("%d/count", o)), ci)
			if err != nil {
				t.Fatal(err)
			}
			cellIDs, err := zarrstore.ReadChunkAs[uint64](ctx, mustArray(t, z, fmt.Sprintf("%d/cell_ids", o)), ci)
			if err != nil {
				t.Fatal(err)
			}
			values := map[string][]float32{}
			for _, name := range stats {
				v, err := zarrstore.ReadChunkAs[float32](ctx, mustArray(t, z, fmt.Sprintf("%d/%s", o, name)), ci)
				if err != nil {
					t.Fatal(err)
				}
				values[name] = v
			}
			for k := int64(0); k < per; k++ {
				if cellIDs[k] != uint64(c*per+k) {
					t.Fatalf("order %d chunk %d: cell_ids[%d] = %d, want %d", o, c, k, cellIDs[k], c*per+k)
				}
				row, has := want[c][k]
				if !has {
					if counts[k] != 0 || !math.IsNaN(float64(values["h_mean"][k])) {
						t.Errorf("order %d cell %d: count %d, h_mean %v; want an empty cell", o, c*per+k, counts[k], values["h_mean"][k])
					}
					continue
				}
				if wc := int32(table["count"][row]); counts[k] != wc {
					t.Errorf("order %d cell %d: count = %d, want %d", o, c*per+k, counts[k], wc)
				}
				for _, name := range stats {
					g, w := values[name][k], table[name][row]
					if !closeF32(g, w) {
						t.Errorf("order %d cell %d: %s = %v, want %v (numpy)", o, c*per+k, name, g, w)
					}
				}
			}
		}
	}
}

// closeF32 reports whether a stored float32 equals numpy's float64 value
// rounded to float32, within 2 float32 ulps (sums in another order).
func closeF32(got float32, want float64) bool {
	w := float32(want)
	if math.IsNaN(float64(w)) || math.IsNaN(float64(got)) {
		return math.IsNaN(float64(w)) && math.IsNaN(float64(got))
	}
	if got == w {
		return true
	}
	lo, hi := w, w
	for range 2 {
		lo = math.Nextafter32(lo, float32(math.Inf(-1)))
		hi = math.Nextafter32(hi, float32(math.Inf(1)))
	}
	return got >= lo && got <= hi
}

func mustArray(t *testing.T, z *zarrstore.Store, path string) *zarrstore.Array {
	t.Helper()
	a, err := z.OpenArray(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestRunRealGranule runs the cells of a real ATL06 granule (NASA data from
// the shared test folder, read with the file driver) and compares every
// statistic with h5py + healpy + numpy (testdata/real/mkreal.py).
func TestRunRealGranule(t *testing.T) {
	const dir = "../../shared/testdata/granules"
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the shared test data is missing: %v", err)
		}
		t.Skipf("the shared test data is missing: %v", err)
	}
	b, err := os.ReadFile("testdata/real/real_expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		sampledata.Expected
		Catalog json.RawMessage `json:"catalog"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	cat, err := cmr.ParseCatalog(exp.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	z := zarrstore.New(zarrstore.NewMemBackend())
	r := &pipeline.Runner{Config: atl06(t), Catalog: cat, Store: z, Opener: pipeline.DirOpener(dir)}
	rep, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.TotalObs != int64(exp.PointsKept) || rep.Summary.CellsError != 0 {
		t.Errorf("summary %+v, want %d observations", rep.Summary, exp.PointsKept)
	}
	checkAgainst(t, z, exp.ParentOrder, &exp.Expected)
}
