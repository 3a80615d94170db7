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
)

func init() { commands["catalog"] = runCatalog }

const catalogUsage = `usage: go run ./examples/local catalog [flags]

Query NASA CMR for the granules of a time window and region and write a
catalog mapping each parent cell (HEALPix, --parent-order) to the granules
whose footprints touch it, matched on the sphere. The file is zagg 0.1.0's
catalog JSON plus metadata keys (latitude, cmr_query, https_urls, ...).

Time window: --cycle N, or --start-date and --end-date (YYYY-MM-DD).
  --cycle uses zagg 0.1.0's dates (2018-10-13 + 91·(N−1) days, 91 days long),
  which lag the real ICESat-2 cycle by 14–20 days. Add --true-cycle to select
  exactly the granules of cycle N (by the cycle number in their names).
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
		trueCycle   = fs.Bool("true-cycle", false, "with --cycle: only granules whose names carry the cycle number")
		startDate   = fs.String("start-date", "", "first day, YYYY-MM-DD")
		endDate     = fs.String("end-date", "", "last day (inclusive), YYYY-MM-DD")
		polygon     = fs.String("polygon", "", "GeoJSON region (default: Antarctic drainage basins)")
		bbox        = fs.String("bbox", "", "CMR bounding box lon_min,lat_min,lon_max,lat_max (default: from the region)")
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
	conv, err := healpix.ParseLatitudeConvention(*latitude)
	if err != nil {
		return fail("--latitude: %v", err)
	}
	if *parentOrder < 1 || *parentOrder > 18 {
		return fail("--parent-order %d: want 1-18 (legacy catalog keys)", *parentOrder)
	}

	// Time window.
	md := cmr.Metadata{ShortName: *shortName, Version: *version, Provider: *provider, ZaggVersion: "zagg-go (examples/local catalog)"}
	q := cmr.Query{ShortName: *shortName, Version: *version, Provider: *provider, PageSize: *pageSize}
	switch {
	case *cycle != 0:
		if *cycle < 0 || *cycle > cmr.MaxCycle {
			return fail("--cycle %d: want 1-%d", *cycle, cmr.MaxCycle)
		}
		md.Cycle = *cycle
		if *trueCycle {
			r, err := cmr.TrueCycleRange(*cycle)
			if err != nil {
				return fail("%v", err)
			}
			// A loose window; the name pattern makes the selection exact.
			q.Temporal = cmr.DateRange(r.Start.AddDate(0, 0, -1), r.End.AddDate(0, 0, 1))
			q.Cycle = *cycle
			md.CycleDefinition = "true"
		} else {
			q.Temporal, _ = cmr.ZaggCycleRange(*cycle)
			md.CycleDefinition = "zagg-0.1.0"
		}
		md.StartDate = q.Temporal.Start.Format("2006-01-02")
		md.EndDate = q.Temporal.End.Format("2006-01-02")
	case *startDate != "" && *endDate != "":
		s, err1 := time.Parse("2006-01-02", *startDate)
		e, err2 := time.Parse("2006-01-02", *endDate)
		if err := errors.Join(err1, err2); err != nil {
			return fail("dates must be YYYY-MM-DD: %v", err)
		}
		if e.Before(s) {
			return fail("--end-date %s is before --start-date %s", *endDate, *startDate)
		}
		q.Temporal = cmr.DateRange(s, e)
		md.StartDate, md.EndDate = *startDate, *endDate
	default:
		return fail("Provide either --cycle or both --start-date and --end-date")
	}
	if *trueCycle && *cycle == 0 {
		return fail("--true-cycle needs --cycle")
	}

	// Region and CMR box.
	region := cmr.Antarctica()
	if *polygon != "" {
		if region, err = cmr.LoadRegion(*polygon); err != nil {
			return fail("%v", err)
		}
		md.Polygon = *polygon
	}
	var box cmr.BBox
	if *bbox != "" {
		if box, err = cmr.ParseBBox(*bbox); err != nil {
			return fail("--bbox: %v", err)
		}
	} else if box, err = region.BBox(0.1); err != nil {
		return fail("region %s: %v", region.Name, err)
	}
	q.BoundingBoxes = []cmr.BBox{box}
	md.BBox = []float64{box.West, box.South, box.East, box.North}
	if vals, err := q.Values(); err == nil {
		md.CMRQuery = vals.Encode()
	} else {
		return fail("%v", err)
	}

	outPath := *output
	if outPath == "" {
		if *cycle != 0 {
			outPath = fmt.Sprintf("catalog_%s_cycle%d_order%d.json", *shortName, *cycle, *parentOrder)
		} else {
			outPath = fmt.Sprintf("catalog_%s_%s_%s_order%d.json", *shortName, md.StartDate, md.EndDate, *parentOrder)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	t0 := time.Now()
	cov, err := cmr.NewCoverer(*parentOrder, conv)
	if err != nil {
		return fail("%v", err)
	}
	cells, err := cov.Cover(region.Polygons)
	if err != nil {
		return fail("region %s: %v", region.Name, err)
	}
	fmt.Fprintf(stdout, "region %s: %d cells at order %d (%s latitude), %.1fs\n", region.Name, len(cells), *parentOrder, conv, time.Since(t0).Seconds())
	fmt.Fprintf(stdout, "CMR %s %s %s, %s, bounding box %s\n", *shortName, *version, *provider, q.Temporal.Temporal(), box)

	client := &cmr.Client{BaseURL: *cmrURL, OnRetry: func(attempt int, wait time.Duration, reason error) {
		fmt.Fprintf(stderr, "  retry %d in %.1fs: %v\n", attempt, wait.Seconds(), reason)
	}}
	var granules []cmr.Granule
	t1 := time.Now()
	err = client.SearchPages(ctx, q, func(p *cmr.Page) error {
		granules = append(granules, p.Granules...)
		fmt.Fprintf(stdout, "page %d: %d granules (%d of %d), CMR took %.2fs\n", p.Number, len(p.Granules), p.Collected, p.Hits, p.Took.Seconds())
		return nil
	})
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(stdout, "search: %d granules in %.1fs\n", len(granules), time.Since(t1).Seconds())
	if len(granules) == 0 {
		fmt.Fprintln(stdout, "No granules found!")
		return 1
	}

	cat, stats, err := cmr.Build(granules, cmr.BuildOptions{Coverer: cov, Region: cells, Metadata: md})
	if err != nil {
		return fail("%v", err)
	}
	cat.Metadata.Created = time.Now().Format("2006-01-02T15:04:05.000000")
	if stats.Cells == 0 {
		fmt.Fprintf(stdout, "No granule touches the region (%d skipped).\n", len(stats.Skipped))
		return 1
	}
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
