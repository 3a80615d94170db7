package h5readbench

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/h5read/s3src"
	"github.com/zagg-go/zagg/internal/s3test"
)

// BenchmarkS3Cell serves the ATL06-sized file from the loopback S3 server
// and reads one cell's worth of rows (10,000 rows straddling a chunk
// boundary) of the five variables of one beam, then of all six beams. It
// reports metadata and data requests per granule.
func BenchmarkS3Cell(b *testing.B) {
	path := benchFile(b)
	body, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	srv := s3test.New(b, "bench")
	if srv.External() {
		b.Skip("request counting needs the in-process server")
	}
	srv.Put(b, "bench", "g.h5", body)
	ctx := context.Background()
	for _, nb := range []int{1, 6} {
		for _, head := range []int64{512 << 10, 2 << 20} {
			b.Run(fmt.Sprintf("beams=%d/head=%dKiB", nb, head>>10), func(b *testing.B) {
				var paths []string
				for _, beam := range beams[:nb] {
					for _, v := range vars {
						paths = append(paths, "/"+beam+"/land_ice_segments/"+v)
					}
				}
				var meta, data, fetched int64
				dst := make([]float64, 10_000)
				for b.Loop() {
					f, err := s3src.Open(ctx, srv.Client, "bench", "g.h5", h5read.WithHeadSize(head))
					if err != nil {
						b.Fatal(err)
					}
					ds, plans, err := f.PlanRows(ctx, 55_000, 10_000, paths...)
					if err != nil {
						b.Fatal(err)
					}
					m := f.Stats().Requests
					if err := f.Fetch(ctx, plans...); err != nil {
						b.Fatal(err)
					}
					for _, d := range ds {
						if err := d.ReadFloat64(ctx, dst, 55_000, 10_000); err != nil {
							b.Fatal(err)
						}
					}
					st := f.Stats()
					meta += m
					data += st.Requests - m
					fetched += st.BytesFetched
				}
				b.ReportMetric(float64(meta)/float64(b.N), "meta-req/op")
				b.ReportMetric(float64(data)/float64(b.N), "data-req/op")
				b.ReportMetric(float64(fetched)/float64(b.N)/1e6, "MB-fetched/op")
			})
		}
	}
}
