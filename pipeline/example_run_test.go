package pipeline_test

import (
	"context"
	"fmt"
	"io/fs"
	"log"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

// Process one parent cell of the built-in sample catalog with the composable
// types: a CellReader over the sample granules, the ATL06 Aggregator, and a
// Store in memory.
func ExampleRun() {
	ctx := context.Background()
	cfg, err := config.Builtin("atl06")
	if err != nil {
		log.Fatal(err)
	}
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		log.Fatal(err)
	}
	conv, err := pipeline.Convention(cat, cfg) // the catalog and the config agree on authalic latitude
	if err != nil {
		log.Fatal(err)
	}
	aggr, err := pipeline.NewAggregator(cfg)
	if err != nil {
		log.Fatal(err)
	}
	store, err := pipeline.NewStore(zarrstore.New(zarrstore.NewMemBackend()), cfg, aggr, cat.Metadata.ParentOrder, conv)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Setup(ctx, pipeline.ParentCells(cat.Cells), pipeline.NewProvenance(cat.Metadata, cat.Cells)); err != nil {
		log.Fatal(err)
	}
	granules, _ := fs.Sub(sampledata.FS(), "granules")
	reader := pipeline.NewCellReader(cfg, aggr.Columns(), pipeline.FSOpener(granules))

	cell := cat.Cells[0]
	res, err := pipeline.Run(ctx, dispatch.Job{Cell: cell.Cell, Granules: cell.Granules}, reader, aggr, store)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("cell %d: %d granules read, %d observations in %d order-12 cells\n",
		res.ParentMorton, res.FilesProcessed, res.TotalObs, res.CellsWithData)
	fmt.Println("orders written:", store.Orders())
	// Output:
	// cell -4131121: 2 granules read, 3603 observations in 248 order-12 cells
	// orders written: [12 11 10 9 8 7 6]
}

// Run every cell of the sample catalog with the local runner: four cells at
// a time, cells already in the store skipped.
func ExampleRunner() {
	cfg, err := config.Builtin("atl06")
	if err != nil {
		log.Fatal(err)
	}
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		log.Fatal(err)
	}
	granules, _ := fs.Sub(sampledata.FS(), "granules")
	z := zarrstore.New(zarrstore.NewMemBackend())
	r := &pipeline.Runner{Config: cfg, Catalog: cat, Store: z, Opener: pipeline.FSOpener(granules), Workers: 4}
	for range 2 {
		rep, err := r.Run(context.Background())
		if err != nil {
			log.Fatal(err)
		}
		s := rep.Summary
		fmt.Printf("%d cells: %d written, %d skipped, %d observations\n", s.TotalCells, s.CellsWithData, s.CellsSkipped, s.TotalObs)
	}
	// Output:
	// 8 cells: 8 written, 0 skipped, 30925 observations
	// 8 cells: 0 written, 8 skipped, 0 observations
}

// Aggregate one parent cell of the multi-window sample (ICESat-2 cycles
// 19–22 on a surface falling 0.8 m a year): the statistics of each cycle,
// and the trend of h_mean over the cycles (config output.time and
// output.trend).
func ExampleAggregator_Aggregate_timeWindows() {
	ctx := context.Background()
	cfg, err := config.Parse("cycles.yaml", sampledata.CyclesConfig())
	if err != nil {
		log.Fatal(err)
	}
	cat, err := cmr.ParseCatalog(sampledata.CyclesCatalog())
	if err != nil {
		log.Fatal(err)
	}
	aggr, err := pipeline.NewAggregator(cfg)
	if err != nil {
		log.Fatal(err)
	}
	granules, _ := fs.Sub(sampledata.FS(), "cycles/granules")
	reader := pipeline.NewCellReader(cfg, aggr.Columns(), pipeline.FSOpener(granules))
	cell := cat.Cells[0]
	pts, _, err := reader.ReadCell(ctx, cell.Cell, cell.Granules)
	if err != nil {
		log.Fatal(err)
	}
	st, err := aggr.Aggregate(cell.Cell, pts)
	if err != nil {
		log.Fatal(err)
	}
	parent := cell.Cell.Order()
	for k, w := range cfg.Output.Time.Windows {
		lv := st.Windows[k].Level(parent)
		fmt.Printf("%s: %d points, h_mean %.2f m\n", w.Label, lv.Counts[0], lv.Values[3][0])
	}
	tr := st.Trend[len(st.Trend)-1].Fits[0] // the parent order
	fmt.Printf("dh/dt %.3f ± %.3f m/yr over %d windows\n", tr.Slope, tr.SlopeErr, tr.Windows)
	// Output:
	// cycle 19: 723 points, h_mean 3021.24 m
	// cycle 20: 723 points, h_mean 3021.05 m
	// cycle 21: 723 points, h_mean 3020.85 m
	// cycle 22: 723 points, h_mean 3020.65 m
	// dh/dt -0.797 ± 0.004 m/yr over 4 windows
}
