package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/zagg-go/zagg/internal/humanize"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/chunkindex"
	"github.com/zagg-go/zagg/pipeline/config"
)

func init() { commands["index"] = runIndex }

const indexUsage = `usage: go run ./examples/local index --config FILE --catalog FILE --store DIR|s3://bucket/prefix [flags]

Build the chunk index of every granule of a catalog (the cells run would
process) and store each as a small sidecar object in the store, under
` + chunkindex.Prefix + `<granule>.idx. An index lists, for each beam and each
block of rows, the parent cells its points fall in, and where the chunks of
the datasets the config reads lie in the file: a cell reader with the index
fetches and decodes only the blocks that can hold points of its cell.
Granules already indexed are skipped unless --overwrite. Indexes are
optional: a granule without one is read whole.

Granules are read as run reads them (--driver, --granule-dir, --s3-endpoint).

flags:
`

func runIndex(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, indexUsage)
		fs.PrintDefaults()
	}
	var f runFlags
	fs.StringVar(&f.config, "config", "", "pipeline config YAML, or a built-in name ("+strings.Join(config.BuiltinNames(), ", ")+")")
	fs.StringVar(&f.catalog, "catalog", "", "catalog JSON (default: the config's catalog key)")
	fs.StringVar(&f.store, "store", "", "store the indexes go into: a folder or s3://bucket/prefix (default: the config's output.store)")
	fs.IntVar(&f.maxCells, "max-cells", 0, "index only the granules of the first N cells")
	fs.Var(&f.cells, "cell", "index only the granules of this catalog cell (legacy morton id; repeatable or comma-separated)")
	fs.IntVar(&f.granuleConc, "workers", 4, "granules indexed at once")
	fs.BoolVar(&f.overwrite, "overwrite", false, "rebuild indexes already stored")
	fs.StringVar(&f.driver, "driver", "", "granule driver: s3, https or file (default: the config's data_source.driver)")
	fs.StringVar(&f.granuleDir, "granule-dir", "", "folder holding the granules (file driver)")
	fs.StringVar(&f.s3Endpoint, "s3-endpoint", "", "S3-compatible endpoint for granules and store (default AWS credentials, path-style)")
	fs.StringVar(&f.region, "region", "", regionHelp)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "index: unexpected arguments %q\n", fs.Args())
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "index: %v\n", err)
		return 1
	}
	if f.config == "" {
		fmt.Fprintln(stderr, "index: --config is required")
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	in, err := loadInputs(ctx, &f, nil)
	if err != nil {
		return fail(err)
	}
	cfg, cat, z := in.cfg, in.cat, in.z
	opener, err := granuleOpener(ctx, in.driver, cat, &f)
	if err != nil {
		return fail(err)
	}
	b := &pipeline.IndexBuild{Config: cfg, Catalog: cat, Store: z, Opener: opener,
		Cells: f.cells, MaxCells: f.maxCells, Concurrency: f.granuleConc, Overwrite: f.overwrite}
	rep, err := b.Run(ctx)
	if rep != nil {
		fmt.Fprintf(stdout, "%d granules: %d indexed (%s of indexes, %d requests, %s fetched), %d already indexed, %d failed\n",
			rep.Granules, rep.Built, humanize.Bytes(rep.IndexBytes), rep.Requests, humanize.Bytes(rep.BytesFetched), rep.Existing, len(rep.Failed))
		for i := range rep.Failed {
			fmt.Fprintf(stderr, "index: %v\n", &rep.Failed[i])
		}
	}
	if err != nil {
		return fail(err)
	}
	if len(rep.Failed) > 0 {
		return 1
	}
	fmt.Fprintf(stdout, "Indexes: %s/%s\n", strings.TrimSuffix(in.storeLoc, "/"), strings.TrimSuffix(chunkindex.Prefix, "/"))
	return 0
}
