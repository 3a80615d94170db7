package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	code, out, errs = cli(t, "run", "--config", "atl06", "--catalog", catalog, "--store", store,
		"--driver", "file", "--granule-dir", granules, "--quiet", "--results", filepath.Join(t.TempDir(), "r.json"))
	if code != 0 || !strings.Contains(out, "Done: 8 cells with data") {
		t.Fatalf("run after index = %d\n%s\n%s", code, out, errs)
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
