package h5read

import (
	"bytes"
	"compress/flate"
	"context"
	"io"
	"os"
	"testing"
)

// benchChunks returns the stored (compressed) chunks of a few datasets: from
// the ATL06-sized file named by H5READ_BENCH_FILE (bench/h5read/run.sh)
// when set, else from the fx_v0 fixture.
func benchChunks(b *testing.B) (chunks [][]byte, rawSize []int, names []string) {
	path, ds := "testdata/fx_v0.h5", "/gt1l/land_ice_segments/"
	if p := os.Getenv("H5READ_BENCH_FILE"); p != "" {
		path = p
	}
	ctx := context.Background()
	f, err := OpenFile(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for _, v := range []string{"latitude", "h_li", "atl06_quality_summary"} {
		d, err := f.Dataset(ctx, ds+v)
		if err != nil {
			b.Fatal(err)
		}
		p, err := d.PlanRows(ctx, 0, int(d.layout.chunk[0]))
		if err != nil {
			b.Fatal(err)
		}
		raw, _, err := f.fetchChunks(ctx, p.refs[:1], true)
		if err != nil {
			b.Fatal(err)
		}
		if len(d.filters) > 1 {
			continue // shuffled: the raw stream is not the element data
		}
		chunks = append(chunks, raw[0])
		rawSize = append(rawSize, int(d.chunkBytes))
		names = append(names, v)
	}
	return
}

// BenchmarkInflate compares the whole-buffer decoder (used), klauspost/
// compress/flate (the fallback) and the standard library on ATL06-like
// chunks (without the Adler-32, which all paths share).
func BenchmarkInflate(b *testing.B) {
	chunks, sizes, names := benchChunks(b)
	for i, c := range chunks {
		dst := make([]byte, sizes[i])
		b.Run(names[i]+"/wholebuffer", func(b *testing.B) {
			b.SetBytes(int64(len(dst)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := inflateInto(dst, c[2:]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(names[i]+"/klauspost", func(b *testing.B) {
			b.SetBytes(int64(len(dst)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := inflateStream(dst, c[2:]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(names[i]+"/stdlib", func(b *testing.B) {
			b.SetBytes(int64(len(dst)))
			b.ReportAllocs()
			r := flate.NewReader(bytes.NewReader(c[2:]))
			for b.Loop() {
				r.(flate.Resetter).Reset(bytes.NewReader(c[2:]), nil)
				if _, err := io.ReadFull(r, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUnshuffle(b *testing.B) {
	src := make([]byte, 80000)
	for i := range src {
		src[i] = byte(i * 7)
	}
	dst := make([]byte, len(src))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		unshuffle(dst, src, 8)
	}
}

func BenchmarkFletcher32(b *testing.B) {
	src := make([]byte, 40000)
	for i := range src {
		src[i] = byte(i * 13)
	}
	b.SetBytes(int64(len(src)))
	var sink uint32
	for b.Loop() {
		sink += fletcher32(src)
	}
	if sink == 1 {
		b.Log(sink)
	}
}
