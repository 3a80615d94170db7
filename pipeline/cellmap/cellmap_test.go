package cellmap_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/zagg-go/zagg/pipeline/cellmap"
	"github.com/zagg-go/zagg/zarrstore"
)

func sampleMeta() *cellmap.Meta {
	m := &cellmap.Meta{Size: 12345, ParentOrder: 6, Columns: []cellmap.Column{{Name: "h_li", F32: true}, {Name: "quality", F32: false}}}
	m.Digest[0], m.Spec[1] = 7, 9
	return m
}

func sampleFrags() []*cellmap.Fragment {
	var out []*cellmap.Fragment
	for i, n := range []int{3, 0, 1000} {
		nest := uint64(100 + 7*i)
		fr := &cellmap.Fragment{Nest: nest, Counts: cellmap.Counts{Rows: int64(n + 10), Inside: int64(n + 2), FillDropped: 2},
			F32: make([][]float32, 2), F64: make([][]float64, 2)}
		for k := range n {
			fr.Cells = append(fr.Cells, nest<<46|uint64(k*k))
			fr.F32[0] = append(fr.F32[0], float32(k)/3)
			fr.F64[1] = append(fr.F64[1], math.Sqrt(float64(k)))
		}
		if n == 0 {
			fr.F32[0], fr.F64[1] = []float32{}, []float64{}
		}
		out = append(out, fr)
	}
	out[0].F64[1][1] = math.NaN()
	return out
}

func TestRoundTrip(t *testing.T) {
	for _, codec := range []cellmap.Codec{cellmap.None, cellmap.Zstd} {
		t.Run(codec.String(), func(t *testing.T) {
			frags := sampleFrags()
			obj, err := cellmap.Encode(nil, sampleMeta(), codec, frags)
			if err != nil {
				t.Fatal(err)
			}
			f, got, err := cellmap.Decode(obj, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.Meta.Columns, sampleMeta().Columns) || f.Meta.Size != 12345 || f.ParentOrder != 6 || f.Codec != codec || f.Digest[0] != 7 || f.Spec[1] != 9 {
				t.Errorf("footer %+v", f.Meta)
			}
			if len(got) != len(frags) {
				t.Fatalf("%d fragments, want %d", len(got), len(frags))
			}
			for i, fr := range frags {
				g := got[i]
				if g.Nest != fr.Nest || g.Counts != fr.Counts || !reflect.DeepEqual(g.Cells, fr.Cells) && len(fr.Cells) > 0 {
					t.Errorf("fragment %d: %+v", i, g)
				}
				for k := range fr.F32[0] {
					if math.Float32bits(g.F32[0][k]) != math.Float32bits(fr.F32[0][k]) || math.Float64bits(g.F64[1][k]) != math.Float64bits(fr.F64[1][k]) {
						t.Fatalf("fragment %d point %d differs", i, k)
					}
				}
			}
			if f.Cell(107) == nil || f.Cell(108) != nil {
				t.Error("Footer.Cell does not find the cells")
			}
			if _, _, err := cellmap.Decode(obj, 999); !errors.Is(err, cellmap.ErrLimit) {
				t.Errorf("a cell of 1000 points under a limit of 999: %v, want ErrLimit", err)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	frags := sampleFrags()
	frags[1], frags[2] = frags[2], frags[1]
	if _, err := cellmap.Encode(nil, sampleMeta(), cellmap.None, frags); !errors.Is(err, cellmap.ErrSpec) {
		t.Errorf("cells out of order: %v, want ErrSpec", err)
	}
	frags = sampleFrags()
	frags[0].F32[0] = frags[0].F32[0][:2]
	if _, err := cellmap.Encode(nil, sampleMeta(), cellmap.None, frags); !errors.Is(err, cellmap.ErrSpec) {
		t.Errorf("a short column: %v, want ErrSpec", err)
	}
}

// TestHostile truncates and corrupts an object: every damaged footer or
// cell is an ErrFormat or ErrVersion error, never a panic.
func TestHostile(t *testing.T) {
	for _, codec := range []cellmap.Codec{cellmap.None, cellmap.Zstd} {
		obj, err := cellmap.Encode(nil, sampleMeta(), codec, sampleFrags())
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(obj) {
			if _, _, err := cellmap.Decode(obj[:n], 1<<20); !errors.Is(err, cellmap.ErrFormat) && !errors.Is(err, cellmap.ErrVersion) {
				t.Fatalf("%v: truncated to %d bytes: %v", codec, n, err)
			}
		}
		for i := range obj {
			bad := append([]byte(nil), obj...)
			bad[i] ^= 0x41
			if _, _, err := cellmap.Decode(bad, 1<<20); !errors.Is(err, cellmap.ErrFormat) && !errors.Is(err, cellmap.ErrVersion) {
				t.Fatalf("%v: byte %d flipped: %v", codec, i, err)
			}
		}
	}
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	s := &cellmap.Store{Backend: zarrstore.NewMemBackend()}
	const url = "s3://bucket/dir/ATL06_x.h5?sig=1"
	if _, err := s.Footer(ctx, url, nil); !errors.Is(err, cellmap.ErrNotFound) {
		t.Fatalf("no map: %v, want ErrNotFound", err)
	}
	obj, err := cellmap.Encode(nil, sampleMeta(), cellmap.Zstd, sampleFrags())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, url, obj); err != nil {
		t.Fatal(err)
	}
	if key, _ := cellmap.Key(url); key != "zagg-cellmap/ATL06_x.h5.zcm" {
		t.Errorf("Key = %q", key)
	}
	var st cellmap.Stats
	f, err := s.Footer(ctx, url, &st)
	if err != nil || st.Requests != 1 {
		t.Fatalf("Footer: %v after %d requests", err, st.Requests)
	}
	if f2, _ := s.Footer(ctx, url, &st); f2 != f || st.Requests != 1 {
		t.Errorf("the footer is not cached (%d requests)", st.Requests)
	}
	c := f.Cell(114)
	fr, err := s.ReadCell(ctx, url, f, c, 1<<20, &st)
	if err != nil || len(fr.Cells) != 1000 || st.Requests != 2 || st.Bytes != int64(len(obj))+c.Len() {
		t.Fatalf("ReadCell: %v, %d requests, %d bytes (object %d)", err, st.Requests, st.Bytes, len(obj))
	}
	if _, err := s.ReadCell(ctx, url, f, c, 10, &st); !errors.Is(err, cellmap.ErrLimit) {
		t.Errorf("limit: %v", err)
	}
	// A replaced object: the cached footer no longer fits and is dropped.
	other := sampleFrags()
	other[2].F32[0][0] = 42
	obj2, _ := cellmap.Encode(nil, sampleMeta(), cellmap.None, other)
	if err := s.Backend.Put(ctx, "zagg-cellmap/ATL06_x.h5.zcm", obj2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadCell(ctx, url, f, c, 1<<20, &st); !errors.Is(err, cellmap.ErrFormat) {
		t.Errorf("a replaced object read through the old footer: %v, want ErrFormat", err)
	}
	if f3, err := s.Footer(ctx, url, &st); err != nil || f3 == f || f3.Codec != cellmap.None {
		t.Errorf("the footer was not read again: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, codec := range []cellmap.Codec{cellmap.None, cellmap.Zstd} {
		obj, err := cellmap.Encode(nil, sampleMeta(), codec, sampleFrags())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(obj)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ft, frags, err := cellmap.Decode(b, 1<<16)
		if err != nil {
			if !errors.Is(err, cellmap.ErrFormat) && !errors.Is(err, cellmap.ErrVersion) && !errors.Is(err, cellmap.ErrLimit) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		// What decodes encodes again to the same footer and points.
		again, err := cellmap.Encode(nil, &ft.Meta, ft.Codec, frags)
		if err != nil {
			t.Fatalf("re-encoding a decoded object: %v", err)
		}
		ft2, frags2, err := cellmap.Decode(again, 1<<16)
		if err != nil || len(frags2) != len(frags) || !reflect.DeepEqual(ft2.Meta, ft.Meta) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
