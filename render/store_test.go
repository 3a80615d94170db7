package render

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/zarrstore"
)

// Small synthetic store: order 5 cells in order-3 chunks (16 cells each).
const (
	tsOrder  = 5
	tsParent = 3
)

// tsValue is the synthetic h_mean of a cell: NaN for every 7th cell (an
// empty cell inside a written chunk), else a value in [0, 100).
func tsValue(c uint64) float64 {
	if c%7 == 3 {
		return math.NaN()
	}
	return float64((c * 37) % 100)
}

// tsChunks are the written parent cells: the south polar cap (base cells
// 8–11, centres south of 60°S) except every 5th parent, left unwritten.
func tsChunks() []uint64 {
	var out []uint64
	for p := uint64(8) << (2 * tsParent); p < healpix.NPix(tsParent); p++ {
		lat, _ := healpix.NestCenter(tsParent, p)
		if lat < -60 && p%5 != 0 {
			out = append(out, p)
		}
	}
	return out
}

// testStore returns a memory store with h_mean (float32, units m), count
// (int32, fill 0) and flag (uint8, fill 255) at order tsOrder, and a time
// window in the group's project attribute.
func testStore(t testing.TB, lat zarrstore.Latitude, codecs zarrstore.Codecs) (*zarrstore.Store, map[uint64]float64) {
	t.Helper()
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	_, err := s.Setup(ctx, zarrstore.Layout{
		ParentOrder: tsParent,
		Orders:      []int{tsOrder, 4},
		Latitude:    lat,
		Codecs:      codecs,
		Variables: []zarrstore.Variable{
			{Name: "h_mean", DataType: zarrstore.Float32, Attributes: map[string]any{"units": "m", "long_name": "mean height"}},
			{Name: "count", DataType: zarrstore.Int32, Fill: 0},
			{Name: "flag", DataType: zarrstore.Uint8, Fill: 255},
		},
		Project: map[string]any{"start_date": "2024-01-06", "end_date": "2024-04-06T00:00:00Z"},
		Parents: tsChunks(),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]float64{}
	n := int(healpix.NPix(tsOrder) / healpix.NPix(tsParent))
	for i, p := range tsChunks() {
		h := make([]float32, n)
		cnt := make([]int32, n)
		flag := make([]uint8, n)
		for k := range n {
			c := p*uint64(n) + uint64(k)
			v := tsValue(c)
			h[k] = float32(v)
			if !math.IsNaN(v) {
				want[c] = v
				cnt[k] = int32(c%5) + 1
				flag[k] = uint8(c % 2)
			} else {
				flag[k] = 255
			}
		}
		for path, data := range map[string]any{"5/h_mean": h, "5/count": cnt, "5/flag": flag} {
			if err := s.WriteChunk(ctx, path, int64(i), data); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s, want
}

func TestReadLayer(t *testing.T) {
	ctx := context.Background()
	for _, cc := range []struct {
		name string
		c    zarrstore.Codecs
	}{
		{"zstd", zarrstore.Codecs{}},
		{"sharded-gzip", zarrstore.Codecs{Compressor: zarrstore.Gzip, ShardInner: 4}},
	} {
		t.Run(cc.name, func(t *testing.T) {
			s, want := testStore(t, zarrstore.LatitudeAuthalic, cc.c)
			l, err := ReadLayer(ctx, s, "h_mean", -1, ReadOptions{Workers: 3})
			if err != nil {
				t.Fatal(err)
			}
			if l.Order() != tsOrder || l.Latitude() != healpix.Authalic {
				t.Errorf("order %d latitude %v, want %d authalic (the finest order)", l.Order(), l.Latitude(), tsOrder)
			}
			if l.Name != "h_mean" || l.Units != "m" || l.LongName != "mean height" || l.Time != "2024-01-06 – 2024-04-06" {
				t.Errorf("metadata %q %q %q %q", l.Name, l.Units, l.LongName, l.Time)
			}
			if l.Len() != len(want) {
				t.Errorf("Len() = %d, want %d", l.Len(), len(want))
			}
			for c, v := range want {
				if got := l.Value(c); got != v {
					t.Fatalf("Value(%d) = %g, want %g", c, got, v)
				}
			}
			for c := range l.All() {
				if _, ok := want[c]; !ok {
					t.Fatalf("cell %d has a value, want none", c)
				}
			}
		})
	}
}

func TestReadLayerFillValues(t *testing.T) {
	ctx := context.Background()
	s, want := testStore(t, zarrstore.LatitudeGeodetic, zarrstore.Codecs{})
	for _, v := range []string{"count", "flag"} {
		l, err := ReadLayer(ctx, s, v, tsOrder, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if l.Latitude() != healpix.Geodetic {
			t.Errorf("%s: latitude %v, want geodetic", v, l.Latitude())
		}
		if l.Len() != len(want) {
			t.Errorf("%s: Len() = %d, want %d (fill elements hold no value)", v, l.Len(), len(want))
		}
		for c := range want {
			var w float64
			if v == "count" {
				w = float64(c%5) + 1
			} else {
				w = float64(c % 2)
			}
			if got := l.Value(c); got != w {
				t.Fatalf("%s: Value(%d) = %g, want %g", v, c, got, w)
			}
		}
	}
	// An order without any chunk gives an empty layer.
	l, err := ReadLayer(ctx, s, "h_mean", 4, ReadOptions{})
	if err != nil || l.Len() != 0 {
		t.Errorf("ReadLayer(order 4) = %d cells, %v; want empty", l.Len(), err)
	}
	orders, err := Orders(ctx, s)
	if err != nil || len(orders) != 2 || orders[0] != 4 || orders[1] != 5 {
		t.Errorf("Orders() = %v, %v, want [4 5]", orders, err)
	}
}

func TestReadLayerErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := testStore(t, zarrstore.LatitudeAuthalic, zarrstore.Codecs{})
	if _, err := ReadLayer(ctx, s, "nope", tsOrder, ReadOptions{}); !errors.Is(err, zarrstore.ErrNotFound) {
		t.Errorf("missing variable: %v, want ErrNotFound", err)
	}
	if _, err := ReadLayer(ctx, s, "h_mean", 7, ReadOptions{}); !errors.Is(err, zarrstore.ErrNotFound) {
		t.Errorf("missing order: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "5/h_mean", `a\b`} {
		if _, err := ReadLayer(ctx, s, bad, tsOrder, ReadOptions{}); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("variable %q: %v, want ErrInvalidOptions", bad, err)
		}
	}
	if _, err := ReadLayer(ctx, s, "h_mean", 30, ReadOptions{}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("order 30: %v, want ErrInvalidOptions", err)
	}
	if _, err := ReadLayer(ctx, s, "h_mean", tsOrder, ReadOptions{MaxCells: 100}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxCells: %v, want ErrTooLarge", err)
	}
	// A corrupt chunk is reported with its index.
	a, err := s.OpenArray(ctx, "5/h_mean")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Backend().Put(ctx, a.ChunkKey(3), []byte("not zstd")); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLayer(ctx, s, "h_mean", tsOrder, ReadOptions{}); !errors.Is(err, zarrstore.ErrCorruptChunk) {
		t.Errorf("corrupt chunk: %v, want ErrCorruptChunk", err)
	}
	// A cancelled context stops the read.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ReadLayer(cctx, s, "count", tsOrder, ReadOptions{}); err == nil {
		t.Errorf("cancelled context: no error")
	}

	// Not a HEALPix layout: a group without DGGS attributes, and an array
	// of the wrong length.
	plain := zarrstore.New(zarrstore.NewMemBackend())
	if err := plain.CreateGroup(ctx, "", zarrstore.GroupMetadata{}); err != nil {
		t.Fatal(err)
	}
	if err := plain.CreateGroup(ctx, "5", zarrstore.GroupMetadata{Attributes: map[string]any{"x": 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLayer(ctx, plain, "h_mean", 5, ReadOptions{}); !errors.Is(err, ErrNotHEALPix) {
		t.Errorf("plain group: %v, want ErrNotHEALPix", err)
	}
	grid := zarrstore.Grid{Order: 2, ParentOrder: 1, Latitude: zarrstore.LatitudeAuthalic}
	if err := plain.CreateGroup(ctx, "2", zarrstore.GroupMetadata{Attributes: grid.GroupAttributes(nil)}); err != nil {
		t.Fatal(err)
	}
	fv, _ := zarrstore.FillValue(zarrstore.Float32, nil)
	if _, err := plain.CreateArray(ctx, "2/v", zarrstore.ArrayMetadata{
		Shape: []int64{100}, DataType: zarrstore.Float32, ChunkShape: []int64{10},
		FillValue: fv, Codecs: []zarrstore.Codec{zarrstore.BytesCodec()},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLayer(ctx, plain, "v", 2, ReadOptions{}); !errors.Is(err, ErrNotHEALPix) {
		t.Errorf("wrong length: %v, want ErrNotHEALPix", err)
	}
	// A group declaring another order than its name.
	if err := plain.CreateGroup(ctx, "3", zarrstore.GroupMetadata{Attributes: grid.GroupAttributes(nil)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLayer(ctx, plain, "v", 3, ReadOptions{}); !errors.Is(err, ErrNotHEALPix) {
		t.Errorf("mislabelled group: %v, want ErrNotHEALPix", err)
	}
	empty := zarrstore.New(zarrstore.NewMemBackend())
	if _, err := ReadLayer(ctx, empty, "v", -1, ReadOptions{}); !errors.Is(err, ErrNotHEALPix) {
		t.Errorf("empty store: %v, want ErrNotHEALPix", err)
	}
}

func TestTimeWindow(t *testing.T) {
	tests := []struct {
		m    map[string]any
		want string
	}{
		{map[string]any{"time_coverage_start": "2019-01-01T00:00:00Z", "time_coverage_end": "2019-03-31T12:00:00Z"}, "2019-01-01 – 2019-03-31T12:00:00Z"},
		{map[string]any{"start_date": "2024-01-06"}, "from 2024-01-06"},
		{map[string]any{"time_end": "2024-04-06"}, "until 2024-04-06"},
		{map[string]any{"temporal": map[string]any{"start_date": "a", "end_date": "b"}}, "a – b"},
		{map[string]any{"cycle": float64(22)}, "cycle 22"},
		{map[string]any{"cycle": "22"}, "cycle 22"},
		{map[string]any{"other": 1}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := timeWindow(tt.m); got != tt.want {
			t.Errorf("timeWindow(%v) = %q, want %q", tt.m, got, tt.want)
		}
	}
	// The first map with a window wins.
	if got := timeWindow(map[string]any{}, map[string]any{"cycle": "3"}, map[string]any{"cycle": "4"}); got != "cycle 3" {
		t.Errorf("precedence: %q", got)
	}
}
