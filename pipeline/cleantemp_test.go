package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zagg-go/zagg/zarrstore"
)

// TestRunCleansStaleTemp: a run into a folder store removes the temporary
// files a killed run left (older than zarrstore.TempGrace) and keeps a
// young one, which may be a live writer's.
func TestRunCleansStaleTemp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s.zarr")
	sub := filepath.Join(dir, "12", "count", "c")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(sub, ".zarrstore-tmp-killed")
	young := filepath.Join(dir, ".zarrstore-tmp-live")
	for _, p := range []string{stale, young} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-zarrstore.TempGrace - time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, zarrstore.New(zarrstore.NewFSBackend(dir, false)))
	r.MaxCells = 1
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file kept: %v", err)
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("young temp file removed: %v", err)
	}
}
