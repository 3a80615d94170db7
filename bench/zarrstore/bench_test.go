package zarrstorebench

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

func chunkData() []float32 {
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

func open(b *testing.B, backend string, c zarrstore.Codecs) *zarrstore.Array {
	ctx := context.Background()
	var s *zarrstore.Store
	var err error
	switch backend {
	case "fs":
		s, err = zarrstore.Open(filepath.Join(b.TempDir(), "bench.zarr"))
	case "s3":
		srv := s3test.New(b, "bench")
		s, err = zarrstore.Open("s3://bench/run.zarr", s3store.WithClient(srv.Client, s3store.Options{MaxBackoff: 10 * time.Millisecond}))
	case "memory":
		s, err = zarrstore.Open("memory:")
	}
	if err != nil {
		b.Fatal(err)
	}
	_, err = s.Setup(ctx, zarrstore.Layout{ParentOrder: 6, Orders: []int{12}, Codecs: c,
		Variables: []zarrstore.Variable{{Name: "h_mean", DataType: zarrstore.Float32}}})
	if err != nil {
		b.Fatal(err)
	}
	a, err := s.OpenArray(ctx, "12/h_mean")
	if err != nil {
		b.Fatal(err)
	}
	return a
}

var codecs = []struct {
	name string
	c    zarrstore.Codecs
}{
	{"none", zarrstore.Codecs{Compressor: zarrstore.None}},
	{"zstd", zarrstore.Codecs{}},
	{"shard256-zstd", zarrstore.Codecs{ShardInner: 256}},
}

func BenchmarkWriteChunk(b *testing.B) {
	data := chunkData()
	for _, backend := range []string{"memory", "fs", "s3"} {
		for _, c := range codecs {
			b.Run(backend+"/"+c.name, func(b *testing.B) {
				a := open(b, backend, c.c)
				stored, _ := a.EncodeChunk(nil, data)
				var next atomic.Int64
				ctx := context.Background()
				b.SetBytes(int64(4 * len(data)))
				b.ReportAllocs()
				b.SetParallelism(4)
				b.ResetTimer()
				cpu0 := cpuTime()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := next.Add(1) % a.NumChunks()
						if err := a.WriteChunk(ctx, i, data); err != nil {
							b.Error(err)
							return
						}
					}
				})
				cpu := cpuTime() - cpu0
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
				b.ReportMetric(float64(len(stored)), "stored-bytes/chunk")
				// CPU per chunk is steadier than wall time on a shared machine.
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/chunk")
			})
		}
	}
}

func BenchmarkReadChunk(b *testing.B) {
	data := chunkData()
	ctx := context.Background()
	for _, backend := range []string{"fs", "s3"} {
		for _, c := range codecs {
			b.Run(backend+"/"+c.name, func(b *testing.B) {
				a := open(b, backend, c.c)
				const written = 64
				for i := range int64(written) {
					if err := a.WriteChunk(ctx, i, data); err != nil {
						b.Fatal(err)
					}
				}
				var next atomic.Int64
				b.SetBytes(int64(4 * len(data)))
				b.ReportAllocs()
				b.SetParallelism(4)
				b.ResetTimer()
				cpu0 := cpuTime()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						v, err := zarrstore.ReadChunkAs[float32](ctx, a, next.Add(1)%written)
						if err != nil || len(v) != len(data) {
							b.Error(err)
							return
						}
					}
				})
				cpu := cpuTime() - cpu0
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/chunk")
			})
		}
	}
}
