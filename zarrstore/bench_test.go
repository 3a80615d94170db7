package zarrstore

import (
	"math"
	"math/rand/v2"
	"testing"
)

// benchChunk is one order-12 chunk of an order-6 parent (4096 cells) of
// float32 elevations, 60% empty (NaN) like a sparse ICESat-2 cell.
func benchChunk() []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	v := make([]float32, 4096)
	for i := range v {
		if r.Float64() < 0.6 {
			v[i] = float32(math.NaN())
			continue
		}
		v[i] = float32(2000 + 50*math.Sin(float64(i)/64) + r.NormFloat64())
	}
	return v
}

var benchCodecs = []struct {
	name string
	c    Codecs
}{
	{"none", Codecs{Compressor: None}},
	{"zstd", Codecs{}},
	{"gzip", Codecs{Compressor: Gzip}},
	{"crc32c", Codecs{Compressor: None, Checksum: true}},
	{"shard256-zstd", Codecs{ShardInner: 256}},
}

func benchArray(b *testing.B, c Codecs) *Array {
	codecs, err := c.List(4096)
	if err != nil {
		b.Fatal(err)
	}
	a, err := newArray(New(NewMemBackend()), "12/h", ArrayMetadata{
		Shape: []int64{12 << 24}, DataType: Float32, ChunkShape: []int64{4096},
		FillValue: []byte(`"NaN"`), Codecs: codecs,
	})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func BenchmarkEncodeChunk(b *testing.B) {
	data := benchChunk()
	for _, bc := range benchCodecs {
		b.Run(bc.name, func(b *testing.B) {
			a := benchArray(b, bc.c)
			var buf []byte
			b.SetBytes(int64(4 * len(data)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				var err error
				if buf, err = a.EncodeChunk(buf[:0], data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(buf)), "stored-bytes/chunk")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/chunk")
		})
	}
}

func BenchmarkDecodeChunk(b *testing.B) {
	data := benchChunk()
	for _, bc := range benchCodecs {
		b.Run(bc.name, func(b *testing.B) {
			a := benchArray(b, bc.c)
			enc, err := a.EncodeChunk(nil, data)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(4 * len(data)))
			b.ReportAllocs()
			var sink any
			cpu0 := cpuTime()
			for b.Loop() {
				if sink, err = a.DecodeChunk(enc); err != nil {
					b.Fatal(err)
				}
			}
			if len(sink.([]float32)) != len(data) {
				b.Fatal("wrong length")
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/chunk")
		})
	}
}

// TestEncodeChunkAllocs pins the promise that encoding into a caller's
// buffer does not allocate in steady state (codec objects are reused).
func TestEncodeChunkAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items); checked by go test without -race")
	}
	data := benchChunk()
	for _, bc := range benchCodecs {
		codecs, _ := bc.c.List(4096)
		a, err := newArray(New(NewMemBackend()), "a", ArrayMetadata{Shape: []int64{4096 * 4}, DataType: Float32,
			ChunkShape: []int64{4096}, FillValue: []byte(`"NaN"`), Codecs: codecs})
		if err != nil {
			t.Fatal(err)
		}
		buf, _ := a.EncodeChunk(nil, data)
		allocs := testing.AllocsPerRun(50, func() {
			buf, _ = a.EncodeChunk(buf[:0], data)
		})
		t.Logf("%s: %.1f allocs per EncodeChunk", bc.name, allocs)
		if limit := allocLimit(bc.name); allocs > limit {
			t.Errorf("%s: EncodeChunk allocates %.1f times per call, want ≤ %.0f", bc.name, allocs, limit)
		}
	}
}

// allocLimit is the allocation budget per EncodeChunk call: the one
// allocation is the slice boxed into the data argument; gzip's pooled
// writer needs a bytes.Buffer; sharding builds its index.
func allocLimit(codec string) float64 {
	switch codec {
	case "gzip":
		return 2
	case "shard256-zstd":
		return 5
	}
	return 1
}

// TestDecodeChunkAllocs pins decoding allocations: the result slice and the
// raw buffer, plus the codec's own (gzip resets its inflater). A pooled
// buffer that shrinks shows up here as extra allocations.
func TestDecodeChunkAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items); checked by go test without -race")
	}
	data := benchChunk()
	limits := map[string]float64{"none": 2, "zstd": 2, "crc32c": 2, "shard256-zstd": 3, "gzip": 12}
	for _, bc := range benchCodecs {
		codecs, _ := bc.c.List(4096)
		a, err := newArray(New(NewMemBackend()), "a", ArrayMetadata{Shape: []int64{4096 * 4}, DataType: Float32,
			ChunkShape: []int64{4096}, FillValue: []byte(`"NaN"`), Codecs: codecs})
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := a.EncodeChunk(nil, data)
		allocs := testing.AllocsPerRun(50, func() {
			if _, err := a.DecodeChunk(enc); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%s: %.1f allocs per DecodeChunk", bc.name, allocs)
		if allocs > limits[bc.name] {
			t.Errorf("%s: DecodeChunk allocates %.1f times per call, want ≤ %.0f", bc.name, allocs, limits[bc.name])
		}
	}
}

// BenchmarkSetupParents measures what Setup costs per parent cell of a new
// store (orders 6..12, the coordinates cell_ids and morton of every parent:
// 14 chunks of up to 4096 ids each), on a folder: the up-front cost of the
// data-sized layout. Reported as ms per parent and chunks per parent.
func BenchmarkSetupParents(b *testing.B) {
	const n = 200
	parents := make([]uint64, n)
	for i := range parents {
		parents[i] = uint64(45000 + i)
	}
	l := Layout{ParentOrder: 6, Orders: []int{12, 11, 10, 9, 8, 7, 6}, Parents: parents,
		Variables: []Variable{{Name: "h_mean", DataType: Float32}, {Name: "count", DataType: Int32}}}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := New(NewFSBackend(b.TempDir()+"/s.zarr", false))
		b.StartTimer()
		if _, err := s.Setup(b.Context(), l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/n, "ms/parent")
}

// BenchmarkWriteChunkAt writes one [1, 4096] chunk of a per-window
// [time, cells] float32 array (24 windows of an order-12 store with an
// order-6 parent per chunk) to a memory backend: encoding plus one Put.
// "1-D" is WriteChunk on the 1-D array of the same cells, for comparison.
func BenchmarkWriteChunkAt(b *testing.B) {
	data := benchChunk()
	for _, bc := range benchCodecs {
		for _, rank := range []int{1, 2} {
			name := bc.name + "/2-D"
			if rank == 1 {
				name = bc.name + "/1-D"
			}
			b.Run(name, func(b *testing.B) {
				shape, chunk := []int64{12 << 12}, []int64{4096}
				if rank == 2 {
					shape, chunk = []int64{24, 12 << 12}, []int64{1, 4096}
				}
				codecs, err := bc.c.ListShape(chunk)
				if err != nil {
					b.Fatal(err)
				}
				a, err := newArray(New(NewMemBackend()), "12/h", ArrayMetadata{
					Shape: shape, DataType: Float32, ChunkShape: chunk, FillValue: []byte(`"NaN"`), Codecs: codecs,
				})
				if err != nil {
					b.Fatal(err)
				}
				ctx := b.Context()
				b.SetBytes(int64(4 * len(data)))
				b.ReportAllocs()
				i := int64(0)
				for b.Loop() {
					i = (i + 1) % 12
					if rank == 2 {
						err = a.WriteChunkAt(ctx, []int64{i % 24, i}, data)
					} else {
						err = a.WriteChunk(ctx, i, data)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
			})
		}
	}
}

// BenchmarkSetupAppendWindow measures appending one window to a store of
// 200 parents (orders 6..12, two per-window statistics) on a folder: the
// metadata of every per-window array and the time coordinates are
// rewritten, no statistic chunk. Reported as ms per append.
func BenchmarkSetupAppendWindow(b *testing.B) {
	const n = 200
	parents := make([]uint64, n)
	for i := range parents {
		parents[i] = uint64(45000 + i)
	}
	axis := func(t int) *TimeAxis {
		ax := &TimeAxis{Attributes: map[string]any{"units": "seconds since 2018-01-01 00:00:00", "calendar": "standard"}}
		for w := range t {
			ax.Mid = append(ax.Mid, float64(w)*86400+43200)
			ax.Bounds = append(ax.Bounds, [2]float64{float64(w) * 86400, float64(w+1) * 86400})
		}
		return ax
	}
	l := Layout{ParentOrder: 6, Orders: []int{12, 11, 10, 9, 8, 7, 6}, Parents: parents,
		Variables: []Variable{{Name: "h_mean", DataType: Float32, PerWindow: true}, {Name: "count", DataType: Int32, PerWindow: true}}}
	s := New(NewFSBackend(b.TempDir()+"/s.zarr", false))
	l.Time = axis(1)
	if _, err := s.Setup(b.Context(), l); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	w := 1
	for b.Loop() {
		w++
		l.Time = axis(w)
		if _, err := s.Setup(b.Context(), l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/append")
}
