package main

import (
	"context"
	"fmt"
	"time"

	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

func init() {
	designs["index"] = design{
		Doc: "the chunk index (issue #19): one index per granule built first (pipeline.IndexBuild), then pipeline.Runner with UseIndexes, each cell decoding only the blocks of rows that can touch it",
		Run: runIndex,
	}
}

// runIndex builds the chunk indexes of every granule of the run into the
// output store's sidecar folder, then runs the cells through them. The
// build's requests and bytes are reported with the run's (env.Build).
func runIndex(ctx context.Context, env *runEnv) ([]*dispatch.CellResult, error) {
	store := env.newStore()
	cpu0, t0 := cpuTime(), time.Now()
	rep, err := (&pipeline.IndexBuild{
		Config: env.Config, Catalog: env.Catalog, Store: store, Opener: env.Opener,
		Cells: env.Cells, Concurrency: env.Workers * env.GranuleWorkers,
	}).Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("index build: %w", err)
	}
	if len(rep.Failed) > 0 {
		return nil, fmt.Errorf("index build: %d granules failed, first %s: %v", len(rep.Failed), rep.Failed[0].URL, rep.Failed[0].Err)
	}
	env.Build = &buildTotals{Granules: rep.Built, Requests: rep.Requests, BytesFetched: rep.BytesFetched, BytesUsed: rep.BytesUsed,
		CPUS: (cpuTime() - cpu0).Seconds(), WallS: time.Since(t0).Seconds()}
	r := &pipeline.Runner{
		Config: env.Config, Catalog: env.Catalog, Store: store, Opener: env.Opener,
		Workers: env.Workers, GranuleConcurrency: env.GranuleWorkers,
		Cells: env.Cells, Overwrite: true, UseIndexes: true,
	}
	run, err := r.Run(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*dispatch.CellResult, 0, len(run.Results))
	for _, rec := range run.Results {
		if rec.Result == nil {
			return nil, fmt.Errorf("cell %s: no result (%s)", rec.Cell, rec.Error)
		}
		out = append(out, rec.Result)
	}
	return out, nil
}
