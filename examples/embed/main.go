// Command embed is the smallest program that embeds zagg's pipeline: it
// aggregates the granules of a catalog into a Zarr store with
// pipeline.Runner, then reads one statistic back. With no flags it runs the
// built-in ATL06 config over the repository's sample data (run it from the
// repository's root): docs/embedding.md walks through it.
//
//	go run ./examples/embed
//	go run ./examples/embed -config my.yaml -catalog catalog.json -granules /data/atl06 -store out.zarr
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

func main() {
	configName := flag.String("config", "atl06", "built-in config name or YAML file")
	catalogPath := flag.String("catalog", "internal/sampledata/catalog.json", "catalog JSON (the catalog command writes one)")
	granuleDir := flag.String("granules", "internal/sampledata/granules", "folder holding the catalog's granules")
	storePath := flag.String("store", "embed.zarr", "output store folder")
	flag.Parse()

	// Ctrl-C stops the run cleanly: finished cells stay written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	cfg, err := config.Open(*configName) // validated: a config that loads does not fail later
	if err != nil {
		log.Fatal(err) // e.g. my.yaml:26:23: aggregation.variables.h_min.function: Cannot resolve 'mni' as numpy function
	}
	cat, err := cmr.LoadCatalog(*catalogPath)
	if err != nil {
		log.Fatal(err)
	}
	store, err := zarrstore.Open(*storePath) // a folder; s3:// needs s3store.WithClient
	if err != nil {
		log.Fatal(err)
	}

	runner := &pipeline.Runner{
		Config:  cfg,
		Catalog: cat,
		Store:   store,
		Opener:  pipeline.DirOpener(*granuleDir), // or NSIDCOpener, HTTPSOpener, S3Opener
		Workers: 4,
		OnRecord: func(rec dispatch.CellRecord) { // called concurrently, once per cell
			log.Printf("cell %v: %s", rec.Cell, rec.Outcome)
		},
	}
	rep, err := runner.Run(ctx)
	if errors.Is(err, dispatch.ErrCellsFailed) {
		log.Printf("some cells failed: %v", err) // rep lists every cell; rerunning redoes only those
	} else if err != nil {
		log.Fatal(err)
	}
	s := rep.Summary
	fmt.Printf("%d cells: %d with data, %d skipped (already written), %d failed; %d observations\n",
		s.TotalCells, s.CellsWithData, s.CellsSkipped, s.CellsError, s.TotalObs)

	// Read h_mean of the first parent cell's order-12 children back.
	group, err := store.OpenOrder(ctx, 12)
	if err != nil {
		log.Fatal(err)
	}
	values, err := group.Arrays["h_mean"].ReadChunkFloat64(ctx, 0)
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for _, v := range values {
		if v == v { // not NaN: a cell with data
			n++
		}
	}
	fmt.Printf("order 12, first parent cell: %d of %d cells have an h_mean\n", n, len(values))
}
