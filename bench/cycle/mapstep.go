package main

import (
	"context"
	"fmt"
	"time"

	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/cellmap"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

func init() {
	designs["map"] = design{
		Doc: "the one-pass map step (issue #19): each granule read once and its points written to one object grouped by parent cell (pipeline.MapBuild), then pipeline.Runner with UseCellMap, each cell reading only its fragment of each granule's object",
		Run: runMap,
	}
}

// runMap maps every granule of the run into the output store's sidecar
// folder, then runs the cells from the maps. The map step's requests and
// bytes are reported with the run's (env.Build), with the objects written.
func runMap(ctx context.Context, env *runEnv) ([]*dispatch.CellResult, error) {
	codec, err := cellmap.ParseCodec(env.Codec)
	if err != nil {
		return nil, err
	}
	store := env.newStore()
	cpu0, t0 := cpuTime(), time.Now()
	rep, err := (&pipeline.MapBuild{
		Config: env.Config, Catalog: env.Catalog, Store: store, Opener: env.Opener,
		Cells: env.Cells, Concurrency: env.Workers * env.GranuleWorkers, Codec: codec,
	}).Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("map step: %w", err)
	}
	if len(rep.Failed) > 0 {
		return nil, fmt.Errorf("map step: %d granules failed, first %s: %v", len(rep.Failed), rep.Failed[0].URL, rep.Failed[0].Err)
	}
	env.Build = &buildTotals{Granules: rep.Built, Requests: rep.Requests, BytesFetched: rep.BytesFetched, BytesUsed: rep.BytesUsed,
		CPUS: (cpuTime() - cpu0).Seconds(), WallS: time.Since(t0).Seconds(),
		Objects: rep.Objects, ObjectBytes: rep.ObjectBytes, Cells: rep.Cells, Points: rep.Points}
	r := &pipeline.Runner{
		Config: env.Config, Catalog: env.Catalog, Store: store, Opener: env.Opener,
		Workers: env.Workers, GranuleConcurrency: env.GranuleWorkers,
		Cells: env.Cells, Overwrite: true, UseCellMap: true,
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
