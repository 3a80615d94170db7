package zarrstore_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zagg-go/zagg/zarrstore"
)

// TestFSGetBounded: objects over the limit (a 3 GB sparse chunk, a 65 MiB
// sparse zarr.json) are refused from their size with ErrTooLarge, having
// allocated almost nothing; objects at the limit are read; a FIFO at a key
// is refused without blocking.
func TestFSGetBounded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b := zarrstore.NewFSBackend(dir, false)
	sparse := func(key string, size int64) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
	}
	sparse("12/h_mean/c/7", 3<<30)
	sparse("12/h_mean/zarr.json", zarrstore.MaxMetadataSize+1)
	sparse("zarr.json", zarrstore.MaxMetadataSize+1)
	for _, key := range []string{"12/h_mean/c/7", "12/h_mean/zarr.json", "zarr.json"} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := b.Get(ctx, key)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, zarrstore.ErrTooLarge) {
			t.Errorf("Get(%s) = %v, want ErrTooLarge", key, err)
		}
		if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
			t.Errorf("Get(%s) allocated %d bytes before refusing", key, d)
		}
	}

	// A smaller limit: at the limit read, one byte over refused.
	b.SetMaxObjectSize(4096)
	data := bytes.Repeat([]byte{7}, 4096)
	if err := b.Put(ctx, "a/c/0", data); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Get(ctx, "a/c/0"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get at the limit = %d bytes, %v", len(got), err)
	}
	if err := b.Put(ctx, "a/c/1", append(data, 8)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "a/c/1"); !errors.Is(err, zarrstore.ErrTooLarge) {
		t.Errorf("Get over the limit = %v", err)
	}
	if err := b.Put(ctx, "a/c/2", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Get(ctx, "a/c/2"); err != nil || len(got) != 0 {
		t.Errorf("Get(empty) = %v, %v", got, err)
	}
	b.SetMaxObjectSize(0)
	if _, err := b.Get(ctx, "a/c/1"); err != nil {
		t.Errorf("Get after restoring the default limit: %v", err)
	}

}

// TestFSCleanTemp: temporary files older than the cutoff are removed
// anywhere under the root; younger ones (a live writer's), objects and
// other files are kept.
func TestFSCleanTemp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b := zarrstore.NewFSBackend(dir, false)
	if err := b.Put(ctx, "12/h/c/0", []byte("chunk")); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	files := map[string]time.Time{
		".zarrstore-tmp-old1":        now.Add(-2 * time.Hour),
		"12/h/c/.zarrstore-tmp-old2": now.Add(-zarrstore.TempGrace - time.Second),
		"12/h/c/.zarrstore-tmp-live": now.Add(-time.Minute),
		"12/h/c/1":                   now.Add(-48 * time.Hour), // an object, however old
		"notes.txt":                  now.Add(-48 * time.Hour),
	}
	for name, mt := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	n, err := b.CleanTemp(ctx, now.Add(-zarrstore.TempGrace))
	if err != nil || n != 2 {
		t.Fatalf("CleanTemp = %d, %v; want 2 removed", n, err)
	}
	for name := range files {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		gone := errors.Is(err, os.ErrNotExist)
		if gone != strings.Contains(name, "old") {
			t.Errorf("%s: removed %v", name, gone)
		}
	}
	if n, err := zarrstore.NewFSBackend(filepath.Join(dir, "missing"), false).CleanTemp(ctx, now); n != 0 || err != nil {
		t.Errorf("missing root: %d, %v", n, err)
	}
}
