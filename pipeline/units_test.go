package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/zarrstore"
)

func TestCatalogSelect(t *testing.T) {
	cat := sampleCatalog(t)
	keys := make([]string, len(cat.Cells))
	for i, c := range cat.Cells {
		keys[i] = c.Key()
	}
	for _, tc := range []struct {
		name string
		keys []string
		max  int
		want []string
		err  error
	}{
		{"all", nil, 0, keys, nil},
		{"max", nil, 3, keys[:3], nil},
		{"max-over", nil, 100, keys, nil},
		{"named", []string{keys[5], " " + keys[1]}, 0, []string{keys[5], keys[1]}, nil},
		{"named-dup", []string{keys[2], keys[2]}, 0, []string{keys[2]}, nil},
		{"named-max", []string{keys[5], keys[1]}, 1, []string{keys[5]}, nil},
		{"unknown", []string{"-4111111"}, 0, nil, cmr.ErrUnknownCell},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cells, err := cat.Select(tc.keys, tc.max)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Select = %v, want %v", err, tc.err)
			}
			var got []string
			for _, c := range cells {
				got = append(got, c.Key())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Select(%v, %d) = %v, want %v", tc.keys, tc.max, got, tc.want)
			}
		})
	}
	if n := cat.NumGranules(); n != len(sampledata.GranuleNames()) {
		t.Errorf("NumGranules = %d", n)
	}
	if jobs := pipeline.Jobs(cat.Cells, "", 0); len(jobs) != len(keys) || jobs[0].Cell.String() != keys[0] || len(jobs[0].Granules) == 0 {
		t.Errorf("Jobs = %v", jobs)
	}
}

func TestCatalogHTTPSURL(t *testing.T) {
	cat := sampleCatalog(t)
	const s3u = "s3://zagg-sample/ATLAS/ATL06/007/2024/01/06/x.h5"
	if _, err := cat.HTTPSURL(s3u); !errors.Is(err, cmr.ErrNoHTTPSURL) {
		t.Errorf("no https_base: %v", err)
	}
	cat.Metadata.HTTPSBase = "https://data.example/zagg-sample/"
	got, err := cat.HTTPSURL(s3u)
	if want := "https://data.example/zagg-sample/ATLAS/ATL06/007/2024/01/06/x.h5"; err != nil || got != want {
		t.Errorf("HTTPSURL = %q, %v; want %q", got, err, want)
	}
	cat.Metadata.HTTPSURLs = map[string]string{s3u: "https://twin.example/x.h5"}
	if got, _ := cat.HTTPSURL(s3u); got != "https://twin.example/x.h5" {
		t.Errorf("https_urls twin: %q", got)
	}
	if got, _ := cat.HTTPSURL("https://a/b.h5"); got != "https://a/b.h5" {
		t.Errorf("an https URL changed: %q", got)
	}
	if _, err := cat.HTTPSURL("s3://other-bucket/x.h5"); !errors.Is(err, cmr.ErrNoHTTPSURL) {
		t.Errorf("URL outside s3_base: %v", err)
	}
}

func TestLoadCatalogErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"metadata": {"parent_order": 6}, "catalog": {"12": ["s3://b/k"]}}`), 0o644)
	if _, err := cmr.LoadCatalog(bad); !errors.Is(err, cmr.ErrCatalog) || !strings.Contains(err.Error(), "12") {
		t.Errorf("a key of the wrong order: %v", err)
	}
	if _, err := cmr.LoadCatalog(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing file loaded")
	}
	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, []byte(`{"metadata": {"parent_order": 6, "latitude": "authalic"}, "catalog": {}}`), 0o644)
	cat, err := cmr.LoadCatalog(empty)
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, zarrstore.New(zarrstore.NewMemBackend()))
	r.Catalog = cat
	if _, err := r.Run(context.Background()); !errors.Is(err, pipeline.ErrEmptyCatalog) {
		t.Errorf("run over an empty catalog: %v", err)
	}
}

func TestSplitS3URL(t *testing.T) {
	for _, tc := range []struct {
		in, bucket, key string
		ok              bool
	}{
		{"s3://b/k/x.h5", "b", "k/x.h5", true},
		{"s3://b/", "", "", false},
		{"s3://b", "", "", false},
		{"https://b/k", "", "", false},
		{"s3:///k", "", "", false},
	} {
		b, k, err := pipeline.SplitS3URL(tc.in)
		if (err == nil) != tc.ok || b != tc.bucket || k != tc.key {
			t.Errorf("SplitS3URL(%q) = %q, %q, %v", tc.in, b, k, err)
		}
	}
}

// TestOpeners reads a sample granule through every driver: a folder with
// the bucket's layout, a flat folder, an fs.FS, and HTTPS with a bearer
// token.
func TestOpeners(t *testing.T) {
	ctx := context.Background()
	cell := sampleCatalog(t).Cells[0]
	url := cell.Granules[0]
	key, _ := sampledata.Key(url)
	data, err := sampledata.Granule(url)
	if err != nil {
		t.Fatal(err)
	}
	nested := t.TempDir()
	os.MkdirAll(filepath.Join(nested, filepath.Dir(key)), 0o755)
	os.WriteFile(filepath.Join(nested, key), data, 0o644)
	flat := t.TempDir()
	os.WriteFile(filepath.Join(flat, filepath.Base(key)), data, 0o644)

	var gotAuth string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		http.ServeContent(w, r, "g.h5", time.Time{}, strings.NewReader(string(data)))
	}))
	defer hs.Close()
	https := pipeline.HTTPSOpener(hs.Client(), func(u string) (string, error) {
		return hs.URL + "/" + strings.TrimPrefix(u, "s3://"), nil
	}, func(context.Context) (string, error) { return "tok123", nil })

	for name, op := range map[string]pipeline.Opener{
		"dir-nested": pipeline.DirOpener(nested),
		"dir-flat":   pipeline.DirOpener(flat),
		"dir-file":   pipeline.DirOpener("/nonexistent"),
		"fs":         sampleGranules(t),
		"https":      https,
	} {
		t.Run(name, func(t *testing.T) {
			u := url
			if name == "dir-file" {
				u = "file://" + filepath.Join(flat, filepath.Base(key))
			}
			f, err := op.Open(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Size() != int64(len(data)) {
				t.Errorf("size %d, want %d", f.Size(), len(data))
			}
			if _, err := f.Dataset(ctx, "/gt1l/land_ice_segments/h_li"); err != nil {
				t.Error(err)
			}
		})
	}
	if gotAuth != "Bearer tok123" {
		t.Errorf("Authorization = %q", gotAuth)
	}
	for name, op := range map[string]pipeline.Opener{
		"dir":   pipeline.DirOpener(t.TempDir()),
		"fs":    sampleGranules(t),
		"s3nil": pipeline.S3Opener(nil),
		"https": pipeline.HTTPSOpener(nil, nil, nil),
	} {
		if _, err := op.Open(ctx, "s3://zagg-sample/none.h5"); err == nil {
			t.Errorf("%s opened a missing granule", name)
		}
	}
}

// TestStoreOptions checks the codec, sharding, orders and morton choices a
// config makes for the store.
func TestStoreOptions(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		yaml   string
		orders []int
		codecs string
		err    string
	}{
		{name: "default", orders: []int{12, 11, 10, 9, 8, 7, 6}, codecs: "bytes+zstd"},
		{name: "gzip+orders", yaml: "  codec: gzip\n  orders: [12, 9, 6]\n", orders: []int{12, 9, 6}, codecs: "bytes+gzip"},
		{name: "crc32c", yaml: "  codec: crc32c\n", orders: []int{12, 11, 10, 9, 8, 7, 6}, codecs: "bytes+crc32c"},
		{name: "sharded", yaml: "  inner_chunk_order: 10\n", orders: []int{12, 11, 10, 9, 8, 7, 6}, codecs: "sharding_indexed"},
		{name: "coarse", yaml: "  orders: [12, 4]\n", orders: []int{12}, codecs: "bytes+zstd"},
		{name: "only-coarse", yaml: "  orders: [4]\n", err: "no order at or above the parent order"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := os.ReadFile("config/builtin/atl06.yaml")
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Parse("test.yaml", append(src, []byte(tc.yaml)...))
			if err != nil {
				t.Fatal(err)
			}
			a, err := pipeline.NewAggregator(cfg)
			if err != nil {
				t.Fatal(err)
			}
			z := zarrstore.New(zarrstore.NewMemBackend())
			s, err := pipeline.NewStore(z, cfg, a, 6, cfg.Output.Latitude)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("NewStore = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Orders(), tc.orders) {
				t.Errorf("orders %v, want %v", s.Orders(), tc.orders)
			}
			if err := s.Setup(ctx, pipeline.ParentCells(sampleCatalog(t).Cells), pipeline.Provenance{}); err != nil {
				t.Fatal(err)
			}
			arr, err := z.OpenArray(ctx, "12/h_mean")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range arr.Metadata().Codecs {
				names = append(names, c.Name)
			}
			if got := strings.Join(names, "+"); got != tc.codecs {
				t.Errorf("codecs %s, want %s", got, tc.codecs)
			}
			// A cell written with these options reads back.
			job := twoGranuleCell(t)
			rd := pipeline.NewCellReader(cfg, a.Columns(), sampleGranules(t))
			res, err := pipeline.Run(ctx, job, rd, a, s)
			if err != nil || res.Error != nil {
				t.Fatalf("Run = %v, %v", err, res)
			}
			cell, _ := sampleCatalog(t).Lookup(job.Cell.String())
			done, err := s.Done(ctx, cell.Cell)
			if err != nil || !done {
				t.Errorf("Done = %v, %v after Run", done, err)
			}
			ci, err := s.Chunk(ctx, cell.Cell)
			if err != nil {
				t.Fatal(err)
			}
			counts, err := zarrstore.ReadChunkAs[int32](ctx, mustArray(t, z, "12/count"), ci)
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			for _, c := range counts {
				total += int64(c)
			}
			if total != res.TotalObs {
				t.Errorf("stored counts sum to %d, result says %d", total, res.TotalObs)
			}
		})
	}
}

// TestFinalizeCoarseOrders writes orders below the parent order from the
// parent cells' partial states, over two runs (the second resumes the
// first), and checks them against numpy on all the points (expected.json):
// mergeable statistics to float32 rounding, the median from the merged
// quantile sketches (exact up to 500 points, close beyond).
func TestFinalizeCoarseOrders(t *testing.T) {
	ctx := context.Background()
	cfg := coarseConfig(t, "[12, 6, 5, 4, 2, 1, 0]", "0")
	backend := zarrstore.NewMemBackend()
	z := zarrstore.New(backend)
	r := newRunner(t, z)
	r.Config = cfg
	r.MaxCells = 3
	if _, err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	r.MaxCells = 0
	rep, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.CellsSkipped != 3 {
		t.Errorf("second run: %+v", rep.Summary)
	}
	exp, err := sampledata.LoadExpected()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []int{5, 4, 2, 1, 0} {
		table := exp.Orders[strconv.Itoa(o)]
		counts, err := zarrstore.ReadChunkAs[int32](ctx, mustArray(t, z, fmt.Sprintf("%d/count", o)), 0)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := zarrstore.ReadChunkAs[uint64](ctx, mustArray(t, z, fmt.Sprintf("%d/cell_ids", o)), 0)
		if err != nil {
			t.Fatal(err)
		}
		n := int(mustArray(t, z, fmt.Sprintf("%d/count", o)).Len())
		if n != len(table["cell_ids"]) {
			t.Fatalf("order %d: %d cells stored, numpy has %d with data", o, n, len(table["cell_ids"]))
		}
		counts, ids = counts[:n], ids[:n]
		at := map[uint64]int{}
		for k, id := range ids {
			at[id] = k
		}
		var total int64
		for _, c := range counts {
			total += int64(c)
		}
		if total != int64(exp.PointsKept) {
			t.Errorf("order %d: counts sum to %d, want %d", o, total, exp.PointsKept)
		}
		for _, name := range []string{"count", "h_min", "h_max", "h_mean", "h_sigma", "h_variance", "h_q50"} {
			vals, err := zarrstore.ReadChunkAs[float32](ctx, mustArray(t, z, fmt.Sprintf("%d/%s", o, name)), 0)
			if name == "count" {
				vals = make([]float32, len(counts))
				for i, c := range counts {
					vals[i] = float32(c)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			for row, id := range table["cell_ids"] {
				k, ok := at[uint64(id)]
				if !ok {
					t.Fatalf("order %d: cell %v not stored", o, id)
				}
				got, want := vals[k], table[name][row]
				if name == "h_q50" && table["count"][row] > 500 {
					// From the merged quantile sketches: within 1 % of the
					// cell's range of heights (exact up to 500 points).
					tol := 0.01 * (table["h_max"][row] - table["h_min"][row])
					t.Logf("order %d cell %d: %d points, median %v, numpy %v: error %.3g %% of the range",
						o, int(id), int(table["count"][row]), got, want, 100*math.Abs(float64(got)-want)/(table["h_max"][row]-table["h_min"][row]))
					if !(math.Abs(float64(got)-want) <= tol) {
						t.Errorf("order %d cell %d: %s = %v, want %v ± %.3g", o, int(id), name, got, want, tol)
					}
					continue
				}
				if !closeF32(got, want) {
					t.Errorf("order %d cell %d: %s = %v, want %v", o, int(id), name, got, want)
				}
			}
		}
	}
	// Each array says how its coarse orders were made.
	for name, want := range map[string]string{"h_mean": "exact", "h_q50": "estimated", "count": "exact"} {
		got, _ := mustArray(t, z, "0/"+name).Metadata().Attributes["zagg_coarse_orders"].(string)
		if !strings.HasPrefix(got, want) {
			t.Errorf("0/%s: zagg_coarse_orders %q, want %s…", name, got, want)
		}
	}
	// The partial states are invisible to Zarr readers: no zarr.json.
	if _, err := z.OpenGroup(ctx, "zagg-partials"); err == nil {
		t.Error("zagg-partials is a Zarr node")
	}
}
