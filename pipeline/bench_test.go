package pipeline_test

import (
	"context"
	"testing"

	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

// BenchmarkRunSampleCell runs the busiest sample cell (two granules) end to
// end from the embedded granules into a memory store. The dense-cell
// benchmark with peak RSS and the S3 comparison is bench/pipeline.
func BenchmarkRunSampleCell(b *testing.B) {
	ctx := context.Background()
	w := newWorker(b, sampleGranules(b), zarrstore.New(zarrstore.NewMemBackend()))
	var job dispatch.Job
	for _, c := range w.cat.Cells {
		if len(c.Granules) > len(job.Granules) {
			job = dispatch.Job{Cell: c.Cell, Granules: c.Granules}
		}
	}
	b.ReportAllocs()
	var obs, fetched, reqs int64
	var ph dispatch.Phases
	for b.Loop() {
		res, err := pipeline.Run(ctx, job, w.reader, w.aggr, w.store)
		if err != nil {
			b.Fatal(err)
		}
		obs += res.TotalObs
		fetched += res.BytesFetched
		reqs += res.Requests
		ph.Read += res.Phases.Read
		ph.Decode += res.Phases.Decode
		ph.Bin += res.Phases.Bin
		ph.Aggregate += res.Phases.Aggregate
		ph.Write += res.Phases.Write
	}
	n := float64(b.N)
	b.SetBytes(fetched / int64(b.N))
	b.ReportMetric(float64(obs)/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(float64(reqs)/n, "requests/op")
	for name, s := range map[string]float64{"read": ph.Read, "decode": ph.Decode, "bin": ph.Bin, "aggregate": ph.Aggregate, "write": ph.Write} {
		b.ReportMetric(s/n*1e3, name+"-ms/op")
	}
}
