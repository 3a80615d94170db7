package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/humanize"
	"github.com/zagg-go/zagg/internal/progress"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

func init() { commands["run"] = runRun }

// signalContext returns the context of a command: cancelled by Ctrl-C or
// SIGTERM. Tests replace it.
var signalContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

const runUsage = `usage: go run ./examples/local run --config FILE --catalog FILE --store DIR|s3://bucket/prefix [flags]

Process the parent cells of a catalog into a Zarr v3 store: for every cell,
read the rows of its granules that fall inside it, compute the config's
statistics at every order from the child order down to the parent order, and
write the cell's chunks. Cells already written are skipped (an interrupted run
resumes) unless --overwrite. Ctrl-C stops cleanly: finished cells stay
written and the store's metadata is consolidated.

Granules are read with the config's data_source.driver (or --driver):
  s3     NSIDC's bucket (run in us-west-2) with temporary credentials from an
         Earthdata login (EARTHDATA_TOKEN, EARTHDATA_USERNAME/PASSWORD or
         ~/.netrc); with --s3-endpoint, any S3-compatible server and the
         default AWS credentials instead
  https  Earthdata HTTPS with a bearer token (URLs from the catalog's
         https_urls or s3_base/https_base)
  file   a local folder (--granule-dir) holding the granules, as the bucket's
         key layout or flat
An s3:// store uses the default AWS credential chain (and --s3-endpoint).

flags:
`

// stringList is a repeatable, comma-separated flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// runFlags are the flags of run (demo reuses some of them).
type runFlags struct {
	config, catalog, store, results string
	driver, granuleDir, s3Endpoint  string
	region                          string
	maxCells, workers, granuleConc  int
	overwrite, dryRun, quiet        bool
	useIndexes, useCellMap          bool
	cells                           stringList
	timeout                         time.Duration
	memoryBudget                    byteSize
}

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, runUsage)
		fs.PrintDefaults()
	}
	var f runFlags
	fs.StringVar(&f.config, "config", "", "pipeline config YAML, or a built-in name ("+strings.Join(config.BuiltinNames(), ", ")+")")
	fs.StringVar(&f.catalog, "catalog", "", "catalog JSON (default: the config's catalog key)")
	fs.StringVar(&f.store, "store", "", "output store: a folder or s3://bucket/prefix (default: the config's output.store)")
	fs.IntVar(&f.maxCells, "max-cells", 0, "process only the first N cells")
	fs.Var(&f.cells, "cell", "process only this catalog cell (legacy morton id; repeatable or comma-separated)")
	fs.IntVar(&f.workers, "workers", 4, "cells processed at once")
	fs.IntVar(&f.granuleConc, "granule-workers", 4, "granules of one cell read at once")
	fs.BoolVar(&f.overwrite, "overwrite", false, "process cells whose chunks already exist")
	fs.BoolVar(&f.useIndexes, "index", false, "read granules through the chunk indexes in the store (built with the index command)")
	fs.BoolVar(&f.useCellMap, "cellmap", false, "read each cell's points from the granules' cell maps in the store (built with the map command)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the plan (cells, granules, estimated bytes) and exit")
	fs.StringVar(&f.results, "results", "", "results JSON file (default: zagg-results-<time>.json beside a local store, or in the current folder)")
	fs.StringVar(&f.driver, "driver", "", "granule driver: s3, https or file (default: the config's data_source.driver)")
	fs.StringVar(&f.granuleDir, "granule-dir", "", "folder holding the granules (file driver)")
	fs.StringVar(&f.s3Endpoint, "s3-endpoint", "", "S3-compatible endpoint for granules and store (default AWS credentials, path-style)")
	fs.StringVar(&f.region, "region", "", regionHelp)
	fs.BoolVar(&f.quiet, "quiet", false, "no progress display")
	fs.DurationVar(&f.timeout, "timeout", 0, "stop after this long (0: no limit)")
	fs.Var(&f.memoryBudget, "memory-budget", "memory the cells in flight may use to read granules, split over --workers, e.g. 2GiB (default: half of the machine's memory, or 3/4 of a Lambda function's)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "run: unexpected arguments %q\n", fs.Args())
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	return doRun(ctx, &f, stdout, stderr)
}

func doRun(ctx context.Context, f *runFlags, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "run: %v\n", err)
		return 1
	}
	if f.config == "" {
		fmt.Fprintln(stderr, "run: --config is required")
		return 2
	}
	in, err := loadInputs(ctx, f, stderr)
	if err != nil {
		return fail(err)
	}
	cfg, cat, storeLoc, driver, z := in.cfg, in.cat, in.storeLoc, in.driver, in.z
	r := &pipeline.Runner{
		Config: cfg, Catalog: cat, Store: z,
		Workers: f.workers, GranuleConcurrency: f.granuleConc,
		Cells: f.cells, MaxCells: f.maxCells, Overwrite: f.overwrite, UseIndexes: f.useIndexes, UseCellMap: f.useCellMap,
		MemoryBudget: int64(f.memoryBudget),
	}
	if f.dryRun {
		// No Earthdata credentials and no writes: sizes come from local
		// files, or from HEAD requests to an S3-compatible endpoint.
		switch {
		case driver == config.DriverFile:
			r.GranuleSize = localSize(f.granuleDir)
		case driver == config.DriverS3 && f.s3Endpoint != "":
			c, err := s3Client(ctx, f)
			if err != nil {
				return fail(err)
			}
			r.GranuleSize = s3Size(c)
		}
		plan, err := r.Plan(ctx)
		if err != nil {
			return fail(err)
		}
		writePlan(stdout, plan)
		fmt.Fprintf(stdout, "Store: %s\n", storeLoc)
		return 0
	}
	if r.Opener, err = granuleOpener(ctx, driver, cat, f); err != nil {
		return fail(err)
	}
	if out := pipeline.WindowsOutside(cfg, cat); len(out) > 0 {
		fmt.Fprintf(stderr, "run: warning: %d of the config's %d time windows lie outside the catalog's dates (%s to %s) and will be empty, e.g. %s\n",
			len(out), len(cfg.Output.Time.Windows), cat.Metadata.StartDate, cat.Metadata.EndDate, out[0])
	}
	bar := progress.New(stderr)
	if f.quiet {
		bar = nil
	}
	r.OnStart, r.OnRecord = bar.Start, bar.Record
	start := time.Now()
	rep, runErr := r.Run(ctx)
	bar.Finish()
	if rep == nil {
		return fail(runErr)
	}
	resultsPath := f.results
	if resultsPath == "" {
		resultsPath = pipeline.ResultsPath(storeLoc, start)
	}
	if err := rep.WriteFile(resultsPath); err != nil {
		fmt.Fprintf(stderr, "run: results: %v\n", err)
	}
	printSummary(stdout, rep, storeLoc, resultsPath)
	switch {
	case errors.Is(runErr, context.Canceled):
		fmt.Fprintln(stderr, "run: interrupted; finished cells are kept, run again to resume")
		return 130
	case runErr != nil:
		return fail(runErr)
	case rep.Summary.CellsError+rep.Summary.CellsTimeout > 0:
		return 1
	}
	return 0
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// awsConfig returns the AWS configuration of the default credential chain.
// regionHelp documents every --region flag.
const regionHelp = "AWS region (default us-west-2, NSIDC's; with --s3-endpoint the configured one: AWS_REGION or the profile)"

// awsConfig loads the default AWS configuration in region: the flag when
// given; else, for an S3-compatible endpoint, the configured region (the
// server's own, e.g. AWS_REGION), or us-east-1 when none is configured;
// else us-west-2, where NSIDC's data is.
func awsConfig(ctx context.Context, region, endpoint string) (aws.Config, error) {
	if region == "" && endpoint == "" {
		region = "us-west-2"
	}
	var opts []func(*awsconfig.LoadOptions) error
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err == nil && cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg, err
}

// s3Client returns a client for the default chain, or for an S3-compatible
// endpoint (path-style addressing, checksums only when required).
func s3Client(ctx context.Context, f *runFlags) (*s3.Client, error) {
	cfg, err := awsConfig(ctx, f.region, f.s3Endpoint)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, s3store.Endpoint(f.s3Endpoint)), nil
}

// openStore opens the output store; s3:// locations get a client.
func openStore(ctx context.Context, loc string, f *runFlags) (*zarrstore.Store, error) {
	if !strings.HasPrefix(loc, "s3://") {
		return zarrstore.Open(loc)
	}
	c, err := s3Client(ctx, f)
	if err != nil {
		return nil, err
	}
	return zarrstore.Open(loc, s3store.WithClient(c, s3store.Options{}))
}

// granuleOpener builds the reader of the configured driver.
// inputs is what run, index and map load from their flags.
type inputs struct {
	cfg      *config.Config
	cat      *cmr.Catalog
	storeLoc string
	driver   config.Driver
	z        *zarrstore.Store
}

// loadInputs loads the config (printing its notes to notes, when not nil),
// the catalog (--catalog or the config's catalog key) and opens the store
// (--store or the config's output.store), and resolves the granule driver.
func loadInputs(ctx context.Context, f *runFlags, notes io.Writer) (*inputs, error) {
	cfg, err := config.Open(f.config)
	if err != nil {
		return nil, err
	}
	if notes != nil {
		for _, n := range cfg.Notes {
			fmt.Fprintf(notes, "note: %s: %s\n", f.config, n)
		}
	}
	catPath := firstNonEmpty(f.catalog, cfg.Catalog)
	if catPath == "" {
		return nil, errors.New("no catalog specified (pass --catalog or set catalog: in the config)")
	}
	cat, err := cmr.LoadCatalog(catPath)
	if err != nil {
		return nil, err
	}
	storeLoc := firstNonEmpty(f.store, cfg.Output.Store)
	if storeLoc == "" {
		return nil, errors.New("no store specified (pass --store or set output.store in the config)")
	}
	driver := config.Driver(firstNonEmpty(f.driver, string(cfg.DataSource.Driver), string(config.DriverS3)))
	z, err := openStore(ctx, storeLoc, f)
	if err != nil {
		return nil, err
	}
	return &inputs{cfg: cfg, cat: cat, storeLoc: storeLoc, driver: driver, z: z}, nil
}

func granuleOpener(ctx context.Context, driver config.Driver, cat *cmr.Catalog, f *runFlags) (pipeline.Opener, error) {
	switch driver {
	case config.DriverFile:
		if f.granuleDir == "" {
			return nil, errors.New("the file driver needs --granule-dir")
		}
		return pipeline.DirOpener(f.granuleDir), nil
	case config.DriverHTTPS:
		login, err := cmr.FindLogin(cmr.LoginOptions{})
		if err != nil {
			return nil, fmt.Errorf("https driver: %w", err)
		}
		return pipeline.EarthdataHTTPSOpener(cat, login, nil), nil
	case config.DriverS3:
		if f.s3Endpoint != "" {
			c, err := s3Client(ctx, f)
			if err != nil {
				return nil, err
			}
			return pipeline.S3Opener(c), nil
		}
		login, err := cmr.FindLogin(cmr.LoginOptions{})
		if err != nil {
			return nil, fmt.Errorf("s3 driver: NSIDC credentials need an Earthdata login: %w", err)
		}
		return pipeline.NSIDCOpener(login, f.region), nil
	}
	return nil, fmt.Errorf("unknown driver %q (want s3, https or file)", driver)
}

// localSize returns the size of a granule in a local folder.
func localSize(root string) func(context.Context, string) (int64, error) {
	op := pipeline.DirOpener(root)
	return func(ctx context.Context, u string) (int64, error) {
		f, err := op.Open(ctx, u)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		return f.Size(), nil
	}
}

// s3Size returns the size of an s3:// granule with a HEAD request.
func s3Size(c *s3.Client) func(context.Context, string) (int64, error) {
	return func(ctx context.Context, u string) (int64, error) {
		bucket, key, err := pipeline.SplitS3URL(u)
		if err != nil {
			return 0, err
		}
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return 0, err
		}
		return aws.ToInt64(out.ContentLength), nil
	}
}

func printSummary(w io.Writer, rep *dispatch.Report, store, results string) {
	s := rep.Summary
	fmt.Fprintf(w, "Done: %d cells with data, %d obs, %d empty, %d errors, %d skipped (already written), %d canceled, %.1fs\n",
		s.CellsWithData, s.TotalObs, s.CellsEmpty, s.CellsError+s.CellsTimeout, s.CellsSkipped, s.CellsCanceled, s.WallTimeS)
	var req, fetched int64
	var ph dispatch.Phases
	skipped, skippedCells := 0, 0
	for _, r := range rep.Results {
		if r.Result == nil {
			continue
		}
		if n := len(r.Result.GranuleErrors); n > 0 && r.Outcome != dispatch.OutcomeFailed {
			skipped += n
			skippedCells++
		}
		req += r.Result.Requests
		fetched += r.Result.BytesFetched
		if p := r.Result.Phases; p != nil {
			ph.Read += p.Read
			ph.Decode += p.Decode
			ph.Bin += p.Bin
			ph.Aggregate += p.Aggregate
			ph.Write += p.Write
		}
	}
	if req > 0 {
		fmt.Fprintf(w, "Read: %d requests, %s fetched; time in read %.2fs, decode %.2fs, bin %.2fs, aggregate %.2fs, write %.2fs\n",
			req, humanize.Bytes(fetched), ph.Read, ph.Decode, ph.Bin, ph.Aggregate, ph.Write)
	}
	for _, r := range rep.Results {
		if r.Outcome == dispatch.OutcomeFailed || r.Outcome == dispatch.OutcomeTimeout {
			fmt.Fprintf(w, "  cell %s %s: %s\n", r.Cell, r.Outcome, r.Error)
		}
	}
	if skipped > 0 {
		fmt.Fprintf(w, "Skipped granules: %d unreadable granule reads in %d cells were skipped (on_granule_error: skip); the results file lists them under granule_errors\n", skipped, skippedCells)
	}
	fmt.Fprintf(w, "Output: %s\n", store)
	if results != "" {
		fmt.Fprintf(w, "Results: %s\n", results)
	}
}

// byteSize is a flag holding a byte count written as a number with an
// optional unit: B, KB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB/TiB (powers
// of 1024); K, M, G and T alone are binary.
type byteSize int64

func (b *byteSize) String() string {
	if b == nil || *b == 0 {
		return "0"
	}
	return humanize.Bytes(int64(*b))
}

func (b *byteSize) Set(v string) error {
	n, err := parseByteSize(v)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

// parseByteSize parses a byteSize flag value.
func parseByteSize(v string) (int64, error) {
	s := strings.TrimSpace(v)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || x < 0 {
		return 0, fmt.Errorf("invalid size %q (want e.g. 512MiB or 2GB)", v)
	}
	mult := map[string]float64{"": 1, "b": 1,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q", v, s[i:])
	}
	x *= mult
	if x >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: too large", v)
	}
	return int64(x), nil
}

// writePlan prints a dry run's plan for people.
func writePlan(w io.Writer, p *pipeline.Plan) {
	fmt.Fprintf(w, "[DRY RUN] Would process %d cells (%d already written, skipped unless --overwrite)\n", p.Cells, p.Done)
	if p.DoneError != "" {
		fmt.Fprintf(w, "Could not check the store for finished cells: %s\n", p.DoneError)
	}
	fmt.Fprintf(w, "Orders: %v (parent order %d, %s latitude)\n", p.Orders, p.ParentOrder, p.Latitude)
	if len(p.Windows) > 0 {
		fmt.Fprintf(w, "Time windows: %d, from %s to %s (each granule read once per cell, its points binned by window)\n", len(p.Windows), p.Windows[0], p.Windows[len(p.Windows)-1])
	}
	if len(p.EmptyWindows) > 0 {
		fmt.Fprintf(w, "Warning: %d time windows lie outside the catalog's dates and will be empty, e.g. %s\n", len(p.EmptyWindows), p.EmptyWindows[0])
	}
	fmt.Fprintf(w, "Granules: %d distinct, %d cell-granule reads\n", p.Granules, p.Pairs)
	fmt.Fprintf(w, "Granules per cell: min=%d, max=%d, avg=%.1f\n", p.GranulesMin, p.GranulesMax, p.GranulesMean)
	if p.SizesKnown > 0 {
		fmt.Fprintf(w, "Granule bytes: %s over %d granules; bytes fetched at most %s (coordinates plus the rows inside each cell: usually far less)\n",
			humanize.Bytes(p.GranuleBytes), p.SizesKnown, humanize.Bytes(p.MaxBytes))
	}
}
