package pipeline

import (
	"fmt"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// Jobs returns the Dispatcher jobs of catalog entries, in their order, for
// the run with id run (NewRunID) and lease generation generation
// (Lease.Generation; 0 for a write outside a leased run).
func Jobs(cells []cmr.CatalogCell, run string, generation int) []dispatch.Job {
	jobs := make([]dispatch.Job, len(cells))
	for i, cell := range cells {
		jobs[i] = dispatch.Job{Cell: cell.Cell, Granules: cell.Granules, Run: run, Generation: generation}
	}
	return jobs
}

// Convention returns the latitude convention of a run with a catalog and a
// config: the catalog's when the config does not state output.latitude
// (every zagg 0.1.0 config), else the config's, or an error wrapping
// ErrConvention when the two disagree. A zagg 0.1.0 catalog has no latitude
// key, which means geodetic.
func Convention(c *cmr.Catalog, cfg *config.Config) (healpix.LatitudeConvention, error) {
	if !cfg.Output.LatitudeSet {
		return c.Metadata.Latitude, nil
	}
	want := cfg.Output.Latitude
	if c.Metadata.Latitude != want {
		how := "records"
		if !c.Metadata.LatitudeRecorded {
			how = "has no latitude key, which means"
		}
		return 0, fmt.Errorf("%w: the catalog %s %s latitude, the config %q uses %s (set output.latitude to match, or rebuild the catalog)",
			ErrConvention, how, c.Metadata.Latitude, cfg.Name(), want)
	}
	return want, nil
}

// ParentCells returns the cells of catalog entries, the parents a run over
// them passes to Store.Setup.
func ParentCells(entries []cmr.CatalogCell) []morton.Cell {
	out := make([]morton.Cell, len(entries))
	for i, e := range entries {
		out[i] = e.Cell
	}
	return out
}
