package h5read_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/zagg-go/zagg/h5read"
)

// openBytes opens an in-memory copy of a fixture.
func openBytes(t *testing.T, b []byte) *h5read.File {
	t.Helper()
	f, err := h5read.Open(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestChunkCorruption damages one stored chunk and checks that the data
// checksums catch it and the error names the dataset and the chunk offset.
func TestChunkCorruption(t *testing.T) {
	ctx := context.Background()
	orig, err := os.ReadFile("testdata/fx_edge.h5")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ds   string
		want error
	}{
		{"/old_style/fletcher", h5read.ErrChecksum},      // Fletcher-32 over the deflated bytes
		{"/old_style/fletcher_only", h5read.ErrChecksum}, // Fletcher-32 over raw data
		{"/old_style/multilevel", h5read.ErrCorrupt},     // deflate stream damaged (or Adler-32)
	}
	for _, tt := range tests {
		t.Run(tt.ds, func(t *testing.T) {
			f := openBytes(t, orig)
			d, err := f.Dataset(ctx, tt.ds)
			if err != nil {
				t.Fatal(err)
			}
			p, err := d.PlanRows(ctx, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			c := p.Chunks[0]
			b := bytes.Clone(orig)
			b[c.Addr+c.Size/2] ^= 0x40
			f = openBytes(t, b)
			d, err = f.Dataset(ctx, tt.ds)
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.ReadRaw(ctx, []int{0}, []int{1})
			if !errors.Is(err, tt.want) && !errors.Is(err, h5read.ErrChecksum) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var fe *h5read.FormatError
			if !errors.As(err, &fe) || fe.Offset != c.Addr {
				t.Errorf("error %v does not carry the chunk offset %d", err, c.Addr)
			}
			if !bytes.Contains([]byte(err.Error()), []byte(tt.ds)) {
				t.Errorf("error %q does not name %s", err, tt.ds)
			}
		})
	}
}

func TestContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, err := h5read.OpenFile(ctx, "testdata/fx_v0.h5", h5read.WithHeadSize(0))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cancel()
	_, err = f.Dataset(ctx, "/gt1l/land_ice_segments/h_li")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Dataset after cancel: err = %v, want context.Canceled", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	ctx := context.Background()
	for _, o := range []h5read.Option{
		h5read.WithHeadSize(-1), h5read.WithBlockSize(10), h5read.WithCacheSize(-1, 0),
		h5read.WithCoalesce(0, 0), h5read.WithConcurrency(0), h5read.WithRetries(-1, 0),
		h5read.WithMaxAlloc(1), h5read.WithMetadataGap(1 << 40),
	} {
		if _, err := h5read.OpenFile(ctx, "testdata/fz_tiny_v0.h5", o); err == nil {
			t.Errorf("an invalid option was accepted")
		}
	}
}

func TestNotHDF5(t *testing.T) {
	b := bytes.Repeat([]byte("not an HDF5 file "), 200)
	_, err := h5read.Open(context.Background(), bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, h5read.ErrNotHDF5) {
		t.Errorf("err = %v, want ErrNotHDF5", err)
	}
}
