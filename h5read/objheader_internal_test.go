package h5read

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestSharedMessageRejected marks the datatype message of a real v1 object
// header as shared (flag bit 1) and expects ErrUnsupported naming it.
func TestSharedMessageRejected(t *testing.T) {
	ctx := context.Background()
	orig, err := os.ReadFile("testdata/fz_tiny_v0.h5")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(ctx, bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		t.Fatal(err)
	}
	_, addr, err := f.resolve(ctx, "/old")
	if err != nil {
		t.Fatal(err)
	}
	h, err := f.readObjHeader(ctx, addr, "/old")
	if err != nil {
		t.Fatal(err)
	}
	m := h.find(msgDatatype)
	if m == nil || h.version != 1 {
		t.Fatalf("want a v1 header with a datatype message, got version %d", h.version)
	}
	b := bytes.Clone(orig)
	b[m.addr-4] |= 0x02 // v1 message header: type(2) size(2) flags(1) reserved(3)
	g, err := Open(ctx, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Dataset(ctx, "/old")
	var fe *FormatError
	if !errors.Is(err, ErrUnsupported) || !errors.As(err, &fe) || !strings.Contains(fe.Msg, "shared message") || fe.Offset != m.addr {
		t.Errorf("err = %v, want ErrUnsupported about a shared message at %d", err, m.addr)
	}
}

// TestUnsupportedAttributeListed marks an attribute's datatype as shared:
// the dataset must still open, with that attribute's Value nil.
func TestUnsupportedAttributeListed(t *testing.T) {
	ctx := context.Background()
	orig, err := os.ReadFile("testdata/fz_tiny_v0.h5")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(ctx, bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		t.Fatal(err)
	}
	_, addr, err := f.resolve(ctx, "/g/c")
	if err != nil {
		t.Fatal(err)
	}
	h, err := f.readObjHeader(ctx, addr, "/g/c")
	if err != nil {
		t.Fatal(err)
	}
	m := h.find(msgAttribute)
	if m == nil {
		t.Fatal("no attribute message")
	}
	b := bytes.Clone(orig)
	b[m.addr+1] |= 1 // attribute message flags: datatype shared
	g, err := Open(ctx, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	d, err := g.Dataset(ctx, "/g/c")
	if err != nil {
		t.Fatalf("dataset with an unsupported attribute: %v", err)
	}
	nilCount := 0
	for _, a := range d.Attrs() {
		if a.Value == nil {
			nilCount++
			if a.Name == "" {
				t.Error("unsupported attribute listed without its name")
			}
		}
	}
	if nilCount != 1 || len(d.Attrs()) != 2 {
		t.Errorf("attrs = %+v, want 2 with one Value nil", d.Attrs())
	}
}

// TestChunkSizeBoundedByStoredSize enlarges a chunk's declared dimensions
// (800 MB decoded, under the 1 GiB allocation limit) while its stored bytes
// stay ~15 kB: the read must fail before allocating a decode buffer.
func TestChunkSizeBoundedByStoredSize(t *testing.T) {
	ctx := context.Background()
	orig, err := os.ReadFile("testdata/fx_v0.h5")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(ctx, bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		t.Fatal(err)
	}
	const p = "/gt1l/land_ice_segments/latitude"
	_, addr, err := f.resolve(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := f.readObjHeader(ctx, addr, p)
	if err != nil {
		t.Fatal(err)
	}
	m := h.find(msgLayout)
	// Layout v3 chunked: version, class, dimensionality, address (8), then
	// the chunk dimensions (4 bytes each).
	if m == nil || m.data[0] != 3 || m.data[1] != 2 {
		t.Fatalf("unexpected layout message % x", m.data[:4])
	}
	dimOff := m.addr + 3 + 8
	b := bytes.Clone(orig)
	b[dimOff], b[dimOff+1], b[dimOff+2], b[dimOff+3] = 0x00, 0xe1, 0xf5, 0x05 // 100,000,000
	g, err := Open(ctx, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	d, err := g.Dataset(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if d.ChunkShape()[0] != 100_000_000 {
		t.Fatalf("chunk shape %v: the edit missed", d.ChunkShape())
	}
	_, err = d.ReadRaw(ctx, []int{0}, []int{10})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "cannot decode") {
		t.Errorf("err = %v, want ErrCorrupt about the stored size", err)
	}
}
