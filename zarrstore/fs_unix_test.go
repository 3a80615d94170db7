//go:build unix

package zarrstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/zagg-go/zagg/zarrstore"
)

// TestFSGetFIFO: a FIFO where an object should be is refused at once
// (opening it would block until a writer came).
func TestFSGetFIFO(t *testing.T) {
	dir := t.TempDir()
	b := zarrstore.NewFSBackend(dir, false)
	if err := syscall.Mkfifo(filepath.Join(dir, "zarr.json"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, err := b.Get(context.Background(), "zarr.json"); !errors.Is(err, zarrstore.ErrNotFound) {
		t.Errorf("Get(FIFO) = %v, want ErrNotFound", err)
	}
}
