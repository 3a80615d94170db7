package cmr

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zagg-go/zagg/morton"
)

// BuildOptions configures [Build].
type BuildOptions struct {
	// Coverer sets the parent order (1–18) and the latitude convention of
	// the catalog cells. Required.
	Coverer *Coverer
	// Region, if not nil, restricts the catalog to these cells (nested
	// indices at the parent order, ascending), usually the Cover of the
	// region of interest. Granules outside it are reported as skipped.
	Region []uint64
	// Workers is the number of goroutines that cover footprints (default
	// GOMAXPROCS).
	Workers int
	// Metadata is copied into the catalog; Build fills parent_order,
	// total_granules, total_cells, latitude, s3_base, https_base and
	// https_urls, and appends to Skipped.
	Metadata Metadata
}

// BuildStats summarises a [Build].
type BuildStats struct {
	Granules int // granules given
	Mapped   int // granules in at least one cell
	Cells    int // cells with at least one granule
	Pairs    int // (cell, granule) pairs
	// Granules per cell.
	PerCellMin, PerCellMedian, PerCellMax int
	// Skipped lists the granules in no cell and why (also in the metadata).
	Skipped []SkippedGranule
	// Elapsed is the time spent covering footprints.
	Elapsed time.Duration
}

// Build maps every granule to the parent cells its footprint touches, on
// the sphere (see [Coverer]), and returns the catalog: cells in ascending
// legacy-id order, each with its granules' URLs sorted by granule start time
// (then URL). A granule's URL is its S3 URL, or its HTTPS URL when it has no
// S3 link. Granules without a footprint polygon, without a data link, with
// an invalid footprint or outside the region are skipped and reported, never
// silently dropped.
func Build(granules []Granule, opts BuildOptions) (*Catalog, BuildStats, error) {
	cov := opts.Coverer
	if cov == nil {
		return nil, BuildStats{}, fmt.Errorf("%w: Build needs a Coverer", ErrQuery)
	}
	if cov.Order() < 1 || cov.Order() > morton.MaxLegacyOrder {
		return nil, BuildStats{}, fmt.Errorf("%w: parent order %d outside 1–%d (legacy catalog keys)", ErrQuery, cov.Order(), morton.MaxLegacyOrder)
	}
	if opts.Region != nil && !slices.IsSorted(opts.Region) {
		return nil, BuildStats{}, fmt.Errorf("%w: region cells are not sorted", ErrQuery)
	}
	start := time.Now()
	type result struct {
		cells []uint64
		skip  string
	}
	results := make([]result, len(granules))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				g := &granules[i]
				switch {
				case g.S3URL == "" && g.HTTPSURL == "":
					results[i].skip = "no data link (neither S3 nor HTTPS)"
					continue
				case len(g.Footprint) == 0 && g.HasOrbit:
					results[i].skip = "no footprint polygon (Orbit-only record)"
					continue
				case len(g.Footprint) == 0:
					results[i].skip = "no footprint polygon"
					continue
				}
				cells, err := cov.CoverWithin(g.Footprint, opts.Region)
				switch {
				case err != nil:
					results[i].skip = "invalid footprint: " + err.Error()
				case len(cells) == 0 && opts.Region != nil:
					results[i].skip = "footprint outside the region"
				case len(cells) == 0:
					results[i].skip = "footprint touches no cell"
				default:
					results[i].cells = cells
				}
			}
		}()
	}
	for i := range granules {
		next <- i
	}
	close(next)
	wg.Wait()

	md := opts.Metadata
	md.ParentOrder = cov.Order()
	md.Latitude, md.LatitudeRecorded = cov.Convention(), true
	md.TotalGranules = len(granules)
	stats := BuildStats{Granules: len(granules), Elapsed: time.Since(start)}
	byCell := map[uint64][]int{}
	for i, r := range results {
		g := &granules[i]
		if r.skip != "" {
			s := SkippedGranule{Granule: g.GranuleUR, Reason: r.skip}
			md.Skipped = append(md.Skipped, s)
			stats.Skipped = append(stats.Skipped, s)
			continue
		}
		stats.Mapped++
		for _, c := range r.cells {
			byCell[c] = append(byCell[c], i)
		}
		if g.S3URL != "" && g.HTTPSURL != "" {
			if md.HTTPSURLs == nil {
				md.HTTPSURLs = map[string]string{}
			}
			md.HTTPSURLs[g.S3URL] = g.HTTPSURL
			if md.S3Base == "" && md.HTTPSBase == "" {
				md.S3Base, md.HTTPSBase = baseURLs(g.S3URL, g.HTTPSURL)
			}
		}
	}
	url := func(i int) string {
		if granules[i].S3URL != "" {
			return granules[i].S3URL
		}
		return granules[i].HTTPSURL
	}
	cat := &Catalog{Cells: make([]CatalogCell, 0, len(byCell))}
	counts := make([]int, 0, len(byCell))
	for nest, idx := range byCell {
		slices.SortFunc(idx, func(a, b int) int {
			if c := granules[a].Temporal.Start.Compare(granules[b].Temporal.Start); c != 0 {
				return c
			}
			return strings.Compare(url(a), url(b))
		})
		urls := make([]string, 0, len(idx))
		seen := make(map[string]bool, len(idx))
		for _, i := range idx {
			if u := url(i); !seen[u] {
				seen[u] = true
				urls = append(urls, u)
			}
		}
		cat.Cells = append(cat.Cells, CatalogCell{Cell: morton.FromNest(cov.Order(), nest), Granules: urls})
		counts = append(counts, len(urls))
		stats.Pairs += len(urls)
	}
	slices.SortFunc(cat.Cells, func(a, b CatalogCell) int {
		ma, _ := a.Cell.Legacy()
		mb, _ := b.Cell.Legacy()
		return cmp.Compare(ma, mb)
	})
	md.TotalCells = len(cat.Cells)
	cat.Metadata = md
	stats.Cells = len(cat.Cells)
	if len(counts) > 0 {
		slices.Sort(counts)
		stats.PerCellMin, stats.PerCellMax = counts[0], counts[len(counts)-1]
		stats.PerCellMedian = counts[len(counts)/2]
		if len(counts)%2 == 0 {
			stats.PerCellMedian = (counts[len(counts)/2-1] + counts[len(counts)/2]) / 2
		}
	}
	return cat, stats, nil
}

// baseURLs derives zagg 0.1.0's s3_base ("s3://<bucket>") and https_base
// ("https://<host>/<bucket>") from a granule's two URLs, or "" if the HTTPS
// URL does not contain the bucket as a path element.
func baseURLs(s3URL, httpsURL string) (s3Base, httpsBase string) {
	rest, ok := strings.CutPrefix(s3URL, "s3://")
	if !ok {
		return "", ""
	}
	bucket, _, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return "", ""
	}
	i := strings.Index(httpsURL, "/"+bucket+"/")
	if i < 0 || !strings.HasPrefix(httpsURL, "https://") {
		return "", ""
	}
	return "s3://" + bucket, httpsURL[:i+1+len(bucket)]
}
