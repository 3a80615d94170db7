package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/zarrstore"
)

// sampleGranules serves the embedded sample granules to FSOpener.
func sampleGranules(t testing.TB) pipeline.Opener {
	t.Helper()
	sub, err := fs.Sub(sampledata.FS(), "granules")
	if err != nil {
		t.Fatal(err)
	}
	return pipeline.FSOpener(sub)
}

func atl06(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func newRunner(t testing.TB, z *zarrstore.Store) *pipeline.Runner {
	return &pipeline.Runner{
		Config:  atl06(t),
		Catalog: sampleCatalog(t),
		Store:   z,
		Opener:  sampleGranules(t),
		Workers: 2,
	}
}

// killBackend stands for a process that dies during a run: after `after`
// chunk writes it cancels the run and fails every later write, so the cell
// in flight is left half written.
type killBackend struct {
	zarrstore.Backend
	after  int64
	n      atomic.Int64
	cancel context.CancelFunc
	once   sync.Once
}

func (k *killBackend) Put(ctx context.Context, key string, data []byte) error {
	// Count the cells' writes: chunks of statistics, partials, markers (not
	// the coordinates Setup writes).
	cellWrite := strings.Contains(key, "/c/") && !strings.Contains(key, "/cell_ids/") && !strings.Contains(key, "/morton/") ||
		strings.HasPrefix(key, pipeline.MarkersPrefix) || strings.HasPrefix(key, pipeline.PartialsPrefix)
	if cellWrite && k.n.Add(1) > k.after {
		k.once.Do(k.cancel)
		return fmt.Errorf("killed before writing %s", key)
	}
	return k.Backend.Put(ctx, key, data)
}

func (k *killBackend) GetVersion(ctx context.Context, key string) ([]byte, string, error) {
	return k.Backend.(zarrstore.Versioned).GetVersion(ctx, key)
}

func (k *killBackend) PutIfVersion(ctx context.Context, key string, data []byte, version string) (string, error) {
	if strings.HasPrefix(key, pipeline.MarkersPrefix) && k.n.Add(1) > k.after {
		k.once.Do(k.cancel)
		return "", fmt.Errorf("killed before writing %s", key)
	}
	return k.Backend.(zarrstore.Versioned).PutIfVersion(ctx, key, data, version)
}

func (k *killBackend) List(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return k.Backend.List(ctx, prefix)
}

// TestKillAndResume interrupts runs at several points, in the middle of a
// cell's writes among them, resumes each, and checks the final store is byte
// for byte the store of an uninterrupted run, on a folder and in memory.
func TestKillAndResume(t *testing.T) {
	ctx := context.Background()
	cleanStore := zarrstore.NewMemBackend() // objects are the same bytes on any backend
	rep, err := newRunner(t, zarrstore.New(cleanStore)).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.CellsWithData != 8 {
		t.Fatalf("clean run: %+v", rep.Summary)
	}
	want := readBackend(t, cleanStore)
	// A cell writes 77 chunks: 7 orders × (9 statistics + morton + cell_ids);
	// 80 stops in the middle of the second cell.
	for _, tc := range []struct {
		after  int64
		folder bool
	}{{80, true}, {0, false}, {300, false}} {
		t.Run(fmt.Sprintf("after%d/folder=%v", tc.after, tc.folder), func(t *testing.T) {
			var (
				backend zarrstore.Backend
				dir     string
			)
			if tc.folder {
				dir = filepath.Join(t.TempDir(), "resumed.zarr")
				backend = zarrstore.NewFSBackend(dir, false)
			} else {
				backend = zarrstore.NewMemBackend()
			}
			kctx, cancel := context.WithCancel(ctx)
			defer cancel()
			kb := &killBackend{Backend: backend, after: tc.after, cancel: cancel}
			rep, err := newRunner(t, zarrstore.New(kb)).Run(kctx)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted run: err = %v, want context.Canceled", err)
			}
			if rep == nil || rep.Summary.CellsWithData == 8 {
				t.Fatalf("interrupted run finished: %+v", rep)
			}
			firstOK := rep.Summary.CellsWithData
			rep2, err := newRunner(t, zarrstore.New(backend)).Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep2.Summary.CellsSkipped != firstOK || rep2.Summary.CellsWithData != 8-firstOK {
				t.Errorf("resumed run: %d skipped, %d processed; want %d and %d",
					rep2.Summary.CellsSkipped, rep2.Summary.CellsWithData, firstOK, 8-firstOK)
			}
			var got map[string][]byte
			if tc.folder {
				got = readTree(t, dir)
			} else {
				got = readBackend(t, backend)
			}
			compareTrees(t, got, want)
		})
	}
}

// readBackend reads every object of a backend.
func readBackend(t *testing.T, b zarrstore.Backend) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	out := map[string][]byte{}
	for k, err := range b.List(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		v, err := b.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

// readTree reads every file under dir, keyed by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Cell objects (pipeline.MarkersPrefix) name the run and attempt that wrote
// the cell, so they differ between runs: they must agree on the state, the
// chunk and the digest of the cell's input.
func compareTrees(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("missing %s", k)
			continue
		}
		if k == pipeline.LeaseKey {
			if !bytes.Contains(g, []byte(`"released":true`)) {
				t.Errorf("%s: %s, want a released lease", k, g)
			}
			continue
		}
		if strings.HasPrefix(k, pipeline.MarkersPrefix) {
			var a, b struct {
				State, Digest string
				Chunk         int64
			}
			if json.Unmarshal(g, &a) != nil || json.Unmarshal(w, &b) != nil || a != b || a.State != "done" && a.State != "empty" {
				t.Errorf("%s: %s, want %s", k, g, w)
			}
			continue
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs (%d bytes, want %d)", k, len(g), len(w))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("extra file %s", k)
		}
	}
}

// TestResumeWithRenamedConfig resumes a run with the same config loaded from
// a file of another name: the store does not depend on the config's name.
func TestResumeWithRenamedConfig(t *testing.T) {
	ctx := context.Background()
	backend := zarrstore.NewMemBackend()
	r := newRunner(t, zarrstore.New(backend))
	r.MaxCells = 2
	if _, err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("config/builtin/atl06.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("my-copy.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	r = newRunner(t, zarrstore.New(backend))
	r.Config = cfg
	rep, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.CellsSkipped != 2 || rep.Summary.CellsWithData != 6 {
		t.Errorf("resumed: %+v", rep.Summary)
	}
}

// deniedBackend refuses every read, as a store without credentials does.
type deniedBackend struct{ zarrstore.Backend }

func (deniedBackend) Exists(context.Context, string) (bool, error) {
	return false, errors.New("403 access denied")
}

func (deniedBackend) Get(context.Context, string) ([]byte, error) {
	return nil, errors.New("403 access denied")
}

// TestPlan checks the dry run: the cells, granules and byte bound, the cells
// already done, and a store it cannot read.
func TestPlan(t *testing.T) {
	ctx := context.Background()
	backend := zarrstore.NewMemBackend()
	r := newRunner(t, zarrstore.New(backend))
	r.GranuleSize = func(context.Context, string) (int64, error) { return 1000, nil }
	p, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Cells != 8 || p.Granules != 3 || p.Pairs != 12 || p.GranulesMin != 1 || p.GranulesMax != 2 ||
		p.Done != 0 || p.GranuleBytes != 3000 || p.MaxBytes != 12000 || len(p.Keys) != 8 {
		t.Errorf("plan %+v", p)
	}
	if n := len(readBackend(t, backend)); n != 0 {
		t.Errorf("the plan wrote %d objects", n)
	}
	r.MaxCells = 3
	if _, err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	r.MaxCells = 0
	var left int64
	for _, c := range r.Catalog.Cells[3:] {
		left += 1000 * int64(len(c.Granules))
	}
	if p, err = r.Plan(ctx); err != nil || p.Done != 3 || p.MaxBytes != left {
		t.Errorf("plan after 3 cells: %+v, %v", p, err)
	}
	r.Store = zarrstore.New(deniedBackend{backend})
	p, err = r.Plan(ctx)
	if err != nil || p.DoneError == "" || p.Cells != 8 {
		t.Errorf("plan on an unreadable store: %+v, %v", p, err)
	}
}

// TestStoreSizedByCells checks the data-sized layout: a run over P parent
// cells writes a cells dimension of exactly P·4^(order−parent) at every
// order from the parent to the child order, every cell_ids value is a
// child of its chunk's parent, and a later run that adds cells extends the
// store without rewriting what the first run wrote; the result equals one
// run over all cells in the same parent order.
func TestStoreSizedByCells(t *testing.T) {
	ctx := context.Background()
	check := func(z *zarrstore.Store, want int) []uint64 {
		t.Helper()
		parents, po, err := z.Parents(ctx)
		if err != nil || len(parents) != want || po != 6 {
			t.Fatalf("parent list %v (order %d), %v; want %d parents", parents, po, err, want)
		}
		for o := 12; o >= 6; o-- {
			g, err := z.OpenOrder(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			per := int64(1) << (2 * (o - 6))
			for _, a := range append([]*zarrstore.Array{g.CellIDs, g.Morton}, g.Arrays["count"], g.Arrays["h_mean"]) {
				if a.Len() != int64(want)*per {
					t.Errorf("order %d %s: %d cells, want %d·4^%d = %d", o, a.Path(), a.Len(), want, o-6, int64(want)*per)
				}
			}
			for i, p := range parents {
				ids, err := g.ReadCellIDs(ctx, int64(i))
				if err != nil {
					t.Fatal(err)
				}
				for k, id := range ids {
					if id != p*uint64(per)+uint64(k) {
						t.Fatalf("order %d chunk %d: cell_ids[%d] = %d, want child %d of parent %d", o, i, k, id, k, p)
					}
				}
			}
		}
		return parents
	}
	cat := sampleCatalog(t)
	b := zarrstore.NewMemBackend()
	r := newRunner(t, zarrstore.New(b))
	r.MaxCells = 3
	if _, err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	first := check(zarrstore.New(b), 3)
	before := readBackend(t, b)
	r = newRunner(t, zarrstore.New(b))
	if _, err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	all := check(zarrstore.New(b), len(cat.Cells))
	if !slices.Equal(all[:3], first) {
		t.Errorf("extending moved the first parents: %v, then %v", first, all)
	}
	after := readBackend(t, b)
	for k, v := range before {
		if strings.Contains(k, "/c/") && !bytes.Equal(after[k], v) {
			t.Errorf("extending rewrote chunk %s", k)
		}
	}
	// One run over every cell gives the same chunks.
	one := zarrstore.NewMemBackend()
	if _, err := newRunner(t, zarrstore.New(one)).Run(ctx); err != nil {
		t.Fatal(err)
	}
	for k, v := range readBackend(t, one) {
		if strings.Contains(k, "/c/") && !bytes.Equal(after[k], v) {
			t.Errorf("chunk %s differs from a single run's", k)
		}
	}
}
