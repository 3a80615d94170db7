package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// TestMapCommand maps the sample granules into a store, skips them on a
// second map, runs the catalog from the maps (run --cellmap) and checks
// the order-12 export against a run without them, and that the run read
// fewer bytes.
func TestMapCommand(t *testing.T) {
	catalog, granules := sampleFiles(t)
	store := filepath.Join(t.TempDir(), "out.zarr")
	args := []string{"map", "--config", "atl06", "--catalog", catalog, "--store", store,
		"--driver", "file", "--granule-dir", granules, "--codec", "zstd"}
	code, out, errs := cli(t, args...)
	if code != 0 || !strings.Contains(out, "3 granules: 3 mapped (3 objects") {
		t.Fatalf("map = %d\n%s\n%s", code, out, errs)
	}
	names, err := filepath.Glob(filepath.Join(store, "zagg-cellmap", "ATL06_*.h5.zcm"))
	if err != nil || len(names) != 3 {
		t.Fatalf("map files %v (%v), want 3", names, err)
	}
	code, out, errs = cli(t, args...)
	if code != 0 || !strings.Contains(out, "0 mapped") || !strings.Contains(out, "3 already mapped") {
		t.Fatalf("second map = %d\n%s\n%s", code, out, errs)
	}
	mappedResults, plainResults := filepath.Join(t.TempDir(), "mapped.json"), filepath.Join(t.TempDir(), "plain.json")
	code, out, errs = cli(t, "run", "--config", "atl06", "--catalog", catalog, "--store", store, "--cellmap",
		"--driver", "file", "--granule-dir", granules, "--quiet", "--results", mappedResults)
	if code != 0 || !strings.Contains(out, "Done: 8 cells with data") {
		t.Fatalf("run --cellmap after map = %d\n%s\n%s", code, out, errs)
	}
	plain := filepath.Join(t.TempDir(), "plain.zarr")
	code, _, errs = cli(t, "run", "--config", "atl06", "--catalog", catalog, "--store", plain,
		"--driver", "file", "--granule-dir", granules, "--quiet", "--results", plainResults)
	if code != 0 {
		t.Fatalf("plain run = %d\n%s", code, errs)
	}
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
	if a, b := used(mappedResults), used(plainResults); a <= 0 || a >= b {
		t.Errorf("bytes used: run from the maps %d, plain run %d; want fewer from the maps", a, b)
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
		t.Errorf("the run from the maps exports other order-12 values than the plain run (%d and %d bytes)", len(exports[0]), len(exports[1]))
	}
	if code, _, errs = cli(t, "map", "--config", "atl06", "--catalog", catalog, "--store", store, "--codec", "lz4"); code != 2 {
		t.Errorf("map --codec lz4 = %d, want 2 (usage)\n%s", code, errs)
	}
}
