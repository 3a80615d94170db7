package cmr

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/morton"
)

// CatalogRequest is what a catalog is made from: a time window (an
// ICESat-2 cycle, or dates), a region, a CMR collection and the parent
// order of the cells. The zero values of the optional fields are the
// defaults noted. Use [BuildCatalog] to make the catalog, or
// [CatalogRequest.Plan] to check the request and see the CMR query it sends.
type CatalogRequest struct {
	// Cycle, if > 0, is the ICESat-2 cycle: zagg 0.1.0's dates (start
	// 2018-10-13 + 91·(cycle−1) days) or, with TrueCycle, the granules whose
	// names carry the cycle number.
	Cycle     int
	TrueCycle bool
	// LastCycle, if > Cycle, makes the window the cycles Cycle–LastCycle
	// (--cycles A-B): from the start of the first to the end of the last,
	// and with TrueCycle the granules whose names carry any of them. A
	// multi-window run (config output.time) bins their points by cycle.
	LastCycle int
	// StartDate and EndDate (YYYY-MM-DD, inclusive) are the window when
	// Cycle is 0; both are required then.
	StartDate, EndDate string
	// Region is the region of interest (nil: Antarctica, the drainage
	// basins). RegionPath, if set, is recorded in the catalog as its
	// "polygon".
	Region     *Region
	RegionPath string
	// BBox, if set, replaces the CMR bounding box derived from the region
	// (its box with a 0.1° margin).
	BBox *BBox
	// The collection (defaults DefaultShortName, DefaultVersion,
	// DefaultProvider).
	ShortName, Version, Provider string
	// ParentOrder is the HEALPix order of the catalog cells, 1–18 (legacy
	// catalog keys); 0 means 6.
	ParentOrder int
	// Latitude is the cells' latitude convention (the zero value is
	// healpix.Authalic).
	Latitude healpix.LatitudeConvention
	// PageSize is the number of granules per CMR page (0: MaxPageSize).
	PageSize int
	// ZaggVersion is recorded in the catalog ("zagg_version").
	ZaggVersion string
}

// CatalogPlan is a checked [CatalogRequest]: the CMR query it sends, the
// catalog metadata it records, and the region.
type CatalogPlan struct {
	Query    Query
	Metadata Metadata
	Region   *Region
	Order    int
	Latitude healpix.LatitudeConvention
}

// Plan checks the request and returns what BuildCatalog would search for.
// Errors wrap ErrQuery and name the field.
func (r CatalogRequest) Plan() (*CatalogPlan, error) {
	bad := func(format string, a ...any) (*CatalogPlan, error) {
		return nil, fmt.Errorf("%w: %s", ErrQuery, fmt.Sprintf(format, a...))
	}
	p := &CatalogPlan{Order: r.ParentOrder, Latitude: r.Latitude, Region: r.Region}
	if p.Order == 0 {
		p.Order = 6
	}
	if p.Order < 1 || p.Order > morton.MaxLegacyOrder {
		return bad("parent order %d: want 1-%d (legacy catalog keys)", p.Order, morton.MaxLegacyOrder)
	}
	short, version, provider := r.ShortName, r.Version, r.Provider
	if short == "" {
		short = DefaultShortName
	}
	if version == "" {
		version = DefaultVersion
	}
	if provider == "" {
		provider = DefaultProvider
	}
	pageSize := r.PageSize
	if pageSize == 0 {
		pageSize = MaxPageSize
	}
	md := Metadata{ShortName: short, Version: version, Provider: provider, ZaggVersion: r.ZaggVersion}
	q := Query{ShortName: short, Version: version, Provider: provider, PageSize: pageSize}
	switch {
	case r.Cycle != 0:
		if r.Cycle < 0 || r.Cycle > MaxCycle {
			return bad("cycle %d: want 1-%d", r.Cycle, MaxCycle)
		}
		if r.StartDate != "" || r.EndDate != "" {
			return bad("give a cycle or dates, not both")
		}
		last := r.Cycle
		if r.LastCycle != 0 {
			if r.LastCycle < r.Cycle || r.LastCycle > MaxCycle {
				return bad("cycles %d-%d: want first <= last <= %d", r.Cycle, r.LastCycle, MaxCycle)
			}
			last = r.LastCycle
			if last > r.Cycle {
				md.LastCycle = last
			}
		}
		md.Cycle = r.Cycle
		if r.TrueCycle {
			tr, err := TrueCycleRange(r.Cycle)
			if err != nil {
				return bad("%v", err)
			}
			te, err := TrueCycleRange(last)
			if err != nil {
				return bad("%v", err)
			}
			// A loose window; the name pattern makes the selection exact.
			q.Temporal = DateRange(tr.Start.AddDate(0, 0, -1), te.End.AddDate(0, 0, 1))
			q.Cycle = r.Cycle
			if last > r.Cycle {
				q.LastCycle = last
			}
			md.CycleDefinition = "true"
		} else {
			q.Temporal, _ = ZaggCycleRange(r.Cycle)
			te, _ := ZaggCycleRange(last)
			q.Temporal.End = te.End
			md.CycleDefinition = "zagg-0.1.0"
		}
		md.StartDate = q.Temporal.Start.Format("2006-01-02")
		md.EndDate = q.Temporal.End.Format("2006-01-02")
	case r.LastCycle != 0:
		return bad("a last cycle needs a first cycle")
	case r.StartDate != "" && r.EndDate != "":
		if r.TrueCycle {
			return bad("a true cycle needs a cycle")
		}
		s, err1 := time.Parse("2006-01-02", r.StartDate)
		e, err2 := time.Parse("2006-01-02", r.EndDate)
		if err := errors.Join(err1, err2); err != nil {
			return bad("dates must be YYYY-MM-DD: %v", err)
		}
		if e.Before(s) {
			return bad("end date %s is before start date %s", r.EndDate, r.StartDate)
		}
		q.Temporal = DateRange(s, e)
		md.StartDate, md.EndDate = r.StartDate, r.EndDate
	default:
		return bad("give either a cycle or both a start and an end date")
	}
	if p.Region == nil {
		ant := Antarctica()
		p.Region = &ant
	}
	md.Polygon = r.RegionPath
	box := BBox{}
	if r.BBox != nil {
		box = *r.BBox
	} else {
		var err error
		if box, err = p.Region.BBox(0.1); err != nil {
			return bad("region %s: %v", p.Region.Name, err)
		}
	}
	q.BoundingBoxes = []BBox{box}
	md.BBox = []float64{box.West, box.South, box.East, box.North}
	vals, err := q.Values()
	if err != nil {
		return nil, err
	}
	md.CMRQuery = vals.Encode()
	p.Query, p.Metadata = q, md
	return p, nil
}

// CatalogProgress receives what BuildCatalog does, for a progress display;
// every field may be nil.
type CatalogProgress struct {
	// Region is called once the region is covered by cells.
	Region func(region *Region, cells int, elapsed time.Duration)
	// Page is called for each CMR page.
	Page func(*Page)
}

// BuildCatalog makes the catalog of a request: it covers the region with
// cells at the parent order, searches CMR with client for every granule of
// the window and collection, and maps each granule to the cells its
// footprint touches (Build). The catalog's "created" time is now; write it
// with Catalog.WriteFile. A search that finds no granule, or granules that
// touch no cell of the region, is an error wrapping ErrNoGranules (the
// stats say why).
func BuildCatalog(ctx context.Context, client *Client, r CatalogRequest, progress CatalogProgress) (*Catalog, BuildStats, error) {
	p, err := r.Plan()
	if err != nil {
		return nil, BuildStats{}, err
	}
	t0 := time.Now()
	cov, err := NewCoverer(p.Order, p.Latitude)
	if err != nil {
		return nil, BuildStats{}, err
	}
	cells, err := cov.Cover(p.Region.Polygons)
	if err != nil {
		return nil, BuildStats{}, fmt.Errorf("region %s: %w", p.Region.Name, err)
	}
	if progress.Region != nil {
		progress.Region(p.Region, len(cells), time.Since(t0))
	}
	if client == nil {
		client = &Client{}
	}
	var granules []Granule
	err = client.SearchPages(ctx, p.Query, func(pg *Page) error {
		granules = append(granules, pg.Granules...)
		if progress.Page != nil {
			progress.Page(pg)
		}
		return nil
	})
	if err != nil {
		return nil, BuildStats{}, err
	}
	if len(granules) == 0 {
		return nil, BuildStats{}, fmt.Errorf("%w: CMR found no granule of %s %s from %s to %s", ErrNoGranules,
			p.Metadata.ShortName, p.Metadata.Version, p.Metadata.StartDate, p.Metadata.EndDate)
	}
	cat, stats, err := Build(granules, BuildOptions{Coverer: cov, Region: cells, Metadata: p.Metadata})
	if err != nil {
		return nil, stats, err
	}
	cat.Metadata.Created = time.Now().Format("2006-01-02T15:04:05.000000")
	if stats.Cells == 0 {
		return nil, stats, fmt.Errorf("%w: no granule touches the region (%d skipped)", ErrNoGranules, len(stats.Skipped))
	}
	return cat, stats, nil
}
