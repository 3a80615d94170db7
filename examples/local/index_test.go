package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// TestIndexCommand builds the indexes of the sample granules into a store,
// skips them on a second build, and runs the catalog into the same store
// (the sidecar folder does not disturb the run or info).
func TestIndexCommand(t *testing.T) {
	catalog, granules := sampleFiles(t)
	store := filepath.Join(t.TempDir(), "out.zarr")
	args := []string{"index", "--config", "atl06", "--catalog", catalog, "--store", store,
		"--driver", "file", "--granule-dir", granules}
	code, out, errs := cli(t, args...)
	if code != 0 || !strings.Contains(out, "3 granules: 3 indexed") {
		t.Fatalf("index = %d\n%s\n%s", code, out, errs)
	}
	names, err := filepath.Glob(filepath.Join(store, "zagg-index", "ATL06_*.h5.idx"))
	if err != nil || len(names) != 3 {
		t.Fatalf("index files %v (%v), want 3", names, err)
	}
	code, out, errs = cli(t, args...)
	if code != 0 || !strings.Contains(out, "0 indexed") || !strings.Contains(out, "3 already indexed") {
		t.Fatalf("second index = %d\n%s\n%s", code, out, errs)
	}
	indexedResults, plainResults := filepath.Join(t.TempDir(), "indexed.json"), filepath.Join(t.TempDir(), "plain.json")
	code, out, errs = cli(t, "run", "--config", "atl06", "--catalog", catalog, "--store", store, "--index",
		"--driver", "file", "--granule-dir", granules, "--quiet", "--results", indexedResults)
	if code != 0 || !strings.Contains(out, "Done: 8 cells with data") {
		t.Fatalf("run --index after index = %d\n%s\n%s", code, out, errs)
	}
	// The same run without indexes into another store: every order-12
	// value is the same.
	plain := filepath.Join(t.TempDir(), "plain.zarr")
	code, out, errs = cli(t, "run", "--config", "atl06", "--catalog", catalog, "--store", plain,
		"--driver", "file", "--granule-dir", granules, "--quiet", "--results", plainResults)
	if code != 0 {
		t.Fatalf("plain run = %d\n%s\n%s", code, out, errs)
	}
	// The indexed run read fewer bytes: the indexes were used.
	used := func(path string) (n int64) {
		var rep dispatch.Report
		b, err := os.ReadFile(path)
		if err != nil || json.Unmarshal(b, &rep) != nil {
			t.Fatalf("results %s: %v", path, err)
		}
		for _, r := range rep.Results {
			if r.Result != nil {
				n += r.Result.BytesUsed
			}
		}
		return n
	}
	if a, b := used(indexedResults), used(plainResults); a <= 0 || a >= b {
		t.Errorf("bytes used: indexed run %d, plain run %d; want fewer through the indexes", a, b)
	}
	exports := [2]string{}
	for i, st := range []string{store, plain} {
		code, out, errs := cli(t, "export", "--store", st, "--order", "12")
		if code != 0 {
			t.Fatalf("export %s = %d\n%s", st, code, errs)
		}
		exports[i] = out
	}
	if exports[0] != exports[1] || strings.Count(exports[0], "\n") < 100 {
		t.Errorf("the indexed run's order-12 export differs from the plain run's (%d and %d bytes)", len(exports[0]), len(exports[1]))
	}
	if code, out, errs = cli(t, "info", "--store", store); code != 0 {
		t.Fatalf("info = %d\n%s\n%s", code, out, errs)
	}

	// A missing granule folder fails the granules, not the command's
	// parsing; a missing config is a usage error.
	code, _, errs = cli(t, "index", "--config", "atl06", "--catalog", catalog, "--store", store,
		"--driver", "file", "--granule-dir", filepath.Join(t.TempDir(), "none"), "--overwrite")
	if code != 1 || !strings.Contains(errs, "index ") {
		t.Errorf("index of missing granules = %d\n%s", code, errs)
	}
	if code, _, _ = cli(t, "index", "--catalog", catalog); code != 2 {
		t.Errorf("index without --config = %d, want 2", code)
	}
	if _, err := os.Stat(filepath.Join(store, "zarr.json")); err != nil {
		t.Errorf("the run's store: %v", err)
	}
}
