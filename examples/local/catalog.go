package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/timewin"
)

func init() { commands["catalog"] = runCatalog }

const catalogUsage = `usage: go run ./examples/local catalog [flags]

Query NASA CMR for the granules of a time window and region and write a
catalog mapping each parent cell (HEALPix, --parent-order) to the granules
whose footprints touch it, matched on the sphere. The file is zagg 0.1.0's
catalog JSON plus metadata keys (latitude, cmr_query, https_urls, ...).

Time window: --cycle N, --cycles A-B, or --start-date and --end-date (YYYY-MM-DD).
  --cycle uses zagg 0.1.0's dates (2018-10-13 + 91·(N−1) days, 91 days long),
  which lag the real ICESat-2 cycle by 14–20 days. Add --true-cycle to select
  exactly the granules of cycle N (by the cycle number in their names).
  --cycles A-B spans cycles A to B for a multi-window run (a config with
  output.time, e.g. cycles: A-B): one catalog, each granule read once per
  cell, its points binned by window.
Product: --product NAME picks the CMR collection of a built-in config's
  product (atl03, atl06, atl07, atl08, atl10, gedi_l2a): its short name,
  version and provider, each overridden by --short-name, --version or
  --provider when given. The default is ATL06.
Region: --polygon GeoJSON (Polygon/MultiPolygon/Feature/FeatureCollection);
  default the Antarctic grounded-ice drainage basins (Zwally et al. 2012).
  The region decides the catalog cells and, unless --bbox is given, the CMR
  bounding box (computed on the sphere).

flags:
`

func runCatalog(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("catalog", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, catalogUsage)
		fs.PrintDefaults()
	}
	var (
		cycle       = fs.Int("cycle", 0, "ICESat-2 cycle (zagg 0.1.0 dates unless --true-cycle)")
		cycles      = fs.String("cycles", "", "ICESat-2 cycles A-B (inclusive) for a multi-window run; like --cycle otherwise")
		trueCycle   = fs.Bool("true-cycle", false, "with --cycle or --cycles: only granules whose names carry the cycle numbers")
		startDate   = fs.String("start-date", "", "first day, YYYY-MM-DD")
		endDate     = fs.String("end-date", "", "last day (inclusive), YYYY-MM-DD")
		polygon     = fs.String("polygon", "", "GeoJSON region (default: Antarctic drainage basins)")
		bbox        = fs.String("bbox", "", "CMR bounding box lon_min,lat_min,lon_max,lat_max (default: from the region)")
		product     = fs.String("product", "", "product of a built-in config (atl03, atl06, atl07, atl08, atl10, gedi_l2a): its CMR short name, version and provider")
		shortName   = fs.String("short-name", cmr.DefaultShortName, "CMR collection short name")
		version     = fs.String("version", cmr.DefaultVersion, "CMR collection version")
		provider    = fs.String("provider", cmr.DefaultProvider, "CMR provider")
		parentOrder = fs.Int("parent-order", 6, "HEALPix order of the catalog cells (1-18)")
		output      = fs.String("output", "", "output file (default catalog_{short}_cycle{N}_order{P}.json or catalog_{short}_{start}_{end}_order{P}.json)")
		latitude    = fs.String("latitude", "authalic", "latitude convention of the cells: authalic or geodetic (zagg 0.1.0)")
		cmrURL      = fs.String("cmr-url", cmr.DefaultBaseURL, "CMR search endpoint")
		pageSize    = fs.Int("page-size", cmr.MaxPageSize, "granules per CMR page (1-2000)")
		timeout     = fs.Duration("timeout", time.Hour, "give up after this long")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "catalog: unexpected arguments %q\n", fs.Args())
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "catalog: "+format+"\n", a...)
		return 1
	}
	if *product != "" {
		p, err := cmr.LookupProduct(*product)
		if err != nil {
			return fail("--product: %v", err)
		}
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		for _, f := range []struct {
			name     string
			dst      *string
			fromProd string
		}{{"short-name", shortName, p.ShortName}, {"version", version, p.Version}, {"provider", provider, p.Provider}} {
			if !given[f.name] {
				*f.dst = f.fromProd
			}
		}
		if *cycle != 0 || *cycles != "" {
			if err := p.CheckCycle(*trueCycle); err != nil {
				return fail("--product %s: %v", p.Name, err)
			}
		}
	}
	conv, err := healpix.ParseLatitudeConvention(*latitude)
	if err != nil {
		return fail("--latitude: %v", err)
	}
	lastCycle := 0
	if *cycles != "" {
		if *cycle != 0 {
			return fail("give --cycle or --cycles, not both")
		}
		first, last, err := timewin.ParseCycles(*cycles)
		if err != nil {
			return fail("--cycles: %v", err)
		}
		*cycle, lastCycle = first, last
	}
	switch {
	case *cycle == 0 && (*startDate == "" || *endDate == ""):
		return fail("Provide either --cycle, --cycles or both --start-date and --end-date")
	case *trueCycle && *cycle == 0:
		return fail("--true-cycle needs --cycle or --cycles")
	case *parentOrder < 1 || *parentOrder > 18:
		return fail("--parent-order %d: want 1-18 (legacy catalog keys)", *parentOrder)
	}
	req := cmr.CatalogRequest{Cycle: *cycle, LastCycle: lastCycle, TrueCycle: *trueCycle, ShortName: *shortName, Version: *version,
		Provider: *provider, ParentOrder: *parentOrder, Latitude: conv, PageSize: *pageSize,
		ZaggVersion: "zagg-go " + pipeline.Version + " (examples/local catalog)"}
	if *cycle == 0 {
		req.StartDate, req.EndDate = *startDate, *endDate
	}
	if *polygon != "" {
		region, err := cmr.LoadRegion(*polygon)
		if err != nil {
			return fail("%v", err)
		}
		req.Region, req.RegionPath = &region, *polygon
	}
	if *bbox != "" {
		box, err := cmr.ParseBBox(*bbox)
		if err != nil {
			return fail("--bbox: %v", err)
		}
		req.BBox = &box
	}
	plan, err := req.Plan()
	if err != nil {
		return fail("%v", err)
	}
	md := plan.Metadata
	outPath := *output
	if outPath == "" {
		switch {
		case lastCycle > *cycle:
			outPath = fmt.Sprintf("catalog_%s_cycles%d-%d_order%d.json", md.ShortName, *cycle, lastCycle, *parentOrder)
		case *cycle != 0:
			outPath = fmt.Sprintf("catalog_%s_cycle%d_order%d.json", md.ShortName, *cycle, *parentOrder)
		default:
			outPath = fmt.Sprintf("catalog_%s_%s_%s_order%d.json", md.ShortName, md.StartDate, md.EndDate, *parentOrder)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	client := &cmr.Client{BaseURL: *cmrURL, OnRetry: func(attempt int, wait time.Duration, reason error) {
		fmt.Fprintf(stderr, "  retry %d in %.1fs: %v\n", attempt, wait.Seconds(), reason)
	}}
	t1 := time.Now()
	collected := 0
	cat, stats, err := cmr.BuildCatalog(ctx, client, req, cmr.CatalogProgress{
		Region: func(r *cmr.Region, cells int, took time.Duration) {
			fmt.Fprintf(stdout, "region %s: %d cells at order %d (%s latitude), %.1fs\n", r.Name, cells, *parentOrder, conv, took.Seconds())
			fmt.Fprintf(stdout, "CMR %s %s %s, %s, bounding box %s\n", md.ShortName, md.Version, md.Provider,
				plan.Query.Temporal.Temporal(), plan.Query.BoundingBoxes[0])
			t1 = time.Now()
		},
		Page: func(p *cmr.Page) {
			collected = p.Collected
			fmt.Fprintf(stdout, "page %d: %d granules (%d of %d), CMR took %.2fs\n", p.Number, len(p.Granules), p.Collected, p.Hits, p.Took.Seconds())
		},
	})
	if errors.Is(err, cmr.ErrNoGranules) {
		if stats.Granules == 0 {
			fmt.Fprintf(stdout, "search: %d granules in %.1fs\n", collected, time.Since(t1).Seconds())
			fmt.Fprintln(stdout, "No granules found!")
		} else {
			fmt.Fprintf(stdout, "No granule touches the region (%d skipped).\n", len(stats.Skipped))
		}
		return 1
	}
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(stdout, "search: %d granules in %.1fs\n", stats.Granules, (time.Since(t1) - stats.Elapsed).Seconds())
	if err := cat.WriteFile(outPath); err != nil {
		return fail("%v", err)
	}
	skipped := map[string]int{}
	for _, s := range stats.Skipped {
		skipped[s.Reason]++
	}
	fmt.Fprintf(stdout, "granules: %d (%d in the catalog, %d skipped)\n", stats.Granules, stats.Mapped, len(stats.Skipped))
	for _, reason := range slices.Sorted(maps.Keys(skipped)) {
		fmt.Fprintf(stdout, "  skipped %d: %s\n", skipped[reason], reason)
	}
	fmt.Fprintf(stdout, "cells: %d, (cell, granule) pairs: %d, matched in %.1fs\n", stats.Cells, stats.Pairs, stats.Elapsed.Seconds())
	fmt.Fprintf(stdout, "Granules per cell: min=%d, median=%d, max=%d\n", stats.PerCellMin, stats.PerCellMedian, stats.PerCellMax)
	fmt.Fprintf(stdout, "wrote %s\n", outPath)
	return 0
}
