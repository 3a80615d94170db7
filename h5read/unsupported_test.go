package h5read_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/h5read"
)

// TestUnsupported: valid HDF5 outside the supported subset fails with
// ErrUnsupported and a message naming the object, never wrong data.
func TestUnsupported(t *testing.T) {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "testdata/fx_unsupported.h5")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Dataset(ctx, "/ok"); err != nil {
		t.Fatalf("/ok: %v", err)
	}
	for _, p := range []string{"/soft", "/ext"} {
		_, err := f.Dataset(ctx, p)
		if !errors.Is(err, h5read.ErrUnsupported) || !strings.Contains(err.Error(), strings.TrimPrefix(p, "/")) {
			t.Errorf("Dataset(%q): err = %v, want ErrUnsupported naming the link", p, err)
		}
	}
	for _, p := range []string{"/compound", "/vlen_str"} {
		d, err := f.Dataset(ctx, p)
		if err != nil {
			t.Fatalf("Dataset(%q): %v (metadata of any class must open)", p, err)
		}
		if _, err := d.ReadRaw(ctx, []int{0}, []int{1}); !errors.Is(err, h5read.ErrUnsupported) {
			t.Errorf("%s ReadRaw: err = %v, want ErrUnsupported", p, err)
		}
		if err := h5read.Read(ctx, d, make([]float64, 1), []int{0}, []int{1}); !errors.Is(err, h5read.ErrType) {
			t.Errorf("%s Read: err = %v, want ErrType", p, err)
		}
	}

}

// TestUserBlock reads a file with a 512-byte user block (h5py
// userblock_size=512): addresses are relative to the superblock.
func TestUserBlock(t *testing.T) {
	ctx := context.Background()
	for _, head := range []int64{0, 256, 4096} {
		f, err := h5read.OpenFile(ctx, "testdata/fx_userblock.h5", h5read.WithHeadSize(head))
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.Dataset(ctx, "/x")
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float64, 5)
		if err := d.ReadFloat64(ctx, got, 0, 5); err != nil {
			t.Fatal(err)
		}
		if want := []float64{0, 0.5, 1, 1.5, 2}; !slices.Equal(got, want) {
			t.Errorf("head %d: x = %v, want %v", head, got, want)
		}
		f.Close()
	}
}
