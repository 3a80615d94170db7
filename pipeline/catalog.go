package pipeline

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/morton"
)

// Catalog maps parent cells to the granules whose footprints touch them:
// the file the catalog command writes (zagg 0.1.0's JSON layout, read and
// validated by package cmr, whose errors wrap cmr.ErrCatalog). Keys are
// legacy signed decimal morton ids at Metadata.ParentOrder; Cells keep the
// file's order. A file without a latitude key is a zagg 0.1.0 catalog, made
// with geodetic latitude.
type Catalog struct {
	*cmr.Catalog
	index map[string]int
}

// LoadCatalog reads and validates the catalog file at path.
func LoadCatalog(path string) (*Catalog, error) {
	c, err := cmr.LoadCatalog(path)
	if err != nil {
		return nil, err
	}
	return NewCatalog(c), nil
}

// ParseCatalog parses and validates a catalog document.
func ParseCatalog(data []byte) (*Catalog, error) {
	c, err := cmr.ParseCatalog(data)
	if err != nil {
		return nil, err
	}
	return NewCatalog(c), nil
}

// NewCatalog wraps a catalog built or read by package cmr.
func NewCatalog(c *cmr.Catalog) *Catalog {
	cat := &Catalog{Catalog: c, index: make(map[string]int, len(c.Cells))}
	for i, cell := range c.Cells {
		cat.index[cell.Key()] = i
	}
	return cat
}

// ParentOrder returns metadata.parent_order.
func (c *Catalog) ParentOrder() int { return c.Metadata.ParentOrder }

// parseCellKey decodes a catalog key: the decimal legacy morton id.
func parseCellKey(key string) (morton.Cell, error) {
	m, err := strconv.ParseInt(strings.TrimSpace(key), 10, 64)
	if err != nil {
		return morton.Null, fmt.Errorf("cell key %q is not a legacy morton id", key)
	}
	return morton.FromLegacy(m)
}

// Lookup returns the entry of a catalog key.
func (c *Catalog) Lookup(key string) (cmr.CatalogCell, bool) {
	i, ok := c.index[strings.TrimSpace(key)]
	if !ok {
		return cmr.CatalogCell{}, false
	}
	return c.Cells[i], true
}

// Jobs returns one Dispatcher job per cell, in file order.
func (c *Catalog) Jobs() []Job {
	return Jobs(c.Cells)
}

// Jobs returns the Dispatcher jobs of catalog entries.
func Jobs(cells []cmr.CatalogCell) []Job {
	jobs := make([]Job, len(cells))
	for i, cell := range cells {
		jobs[i] = Job{Key: cell.Key(), Granules: cell.Granules}
	}
	return jobs
}

// Select returns the cells to process: the cells named by keys (in the order
// given; ErrUnknownCell for a key the catalog lacks), or every cell when keys
// is empty; then at most maxCells of them when maxCells > 0 (zagg 0.1.0's
// --max-cells takes the first ones).
func (c *Catalog) Select(keys []string, maxCells int) ([]cmr.CatalogCell, error) {
	var out []cmr.CatalogCell
	if len(keys) == 0 {
		out = append(out, c.Cells...)
	}
	seen := map[string]bool{}
	for _, k := range keys {
		k = strings.TrimSpace(k)
		cell, ok := c.Lookup(k)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownCell, k)
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, cell)
		}
	}
	if maxCells > 0 && len(out) > maxCells {
		out = out[:maxCells]
	}
	return out, nil
}

// NumGranules returns the number of distinct granule URLs of the catalog.
func (c *Catalog) NumGranules() int {
	seen := map[string]struct{}{}
	for _, cell := range c.Cells {
		for _, u := range cell.Granules {
			seen[u] = struct{}{}
		}
	}
	return len(seen)
}

// HTTPSURL turns an s3:// granule URL into its HTTPS twin: the catalog's
// metadata.https_urls entry for it, else the URL with metadata.s3_base
// replaced by metadata.https_base (zagg 0.1.0's https driver). URLs that are
// already http(s):// are returned unchanged.
func (c *Catalog) HTTPSURL(u string) (string, error) {
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return u, nil
	}
	m := &c.Metadata
	if h, ok := m.HTTPSURLs[u]; ok && h != "" {
		return h, nil
	}
	if m.S3Base == "" || m.HTTPSBase == "" {
		return "", fmt.Errorf("%w: the catalog has no https_urls entry or s3_base/https_base to turn %s into an HTTPS URL", ErrDriver, u)
	}
	base := strings.TrimSuffix(m.S3Base, "/") + "/"
	if !strings.HasPrefix(u, base) {
		return "", fmt.Errorf("%w: %s is not under the catalog's s3_base %s", ErrDriver, u, m.S3Base)
	}
	return strings.TrimSuffix(m.HTTPSBase, "/") + "/" + strings.TrimPrefix(u, base), nil
}

// Convention returns the latitude convention of a run with this catalog and
// config: the catalog's when the config does not state output.latitude
// (every zagg 0.1.0 config), else the config's, or an error wrapping
// ErrConvention when the two disagree. A zagg 0.1.0 catalog has no latitude
// key, which means geodetic.
func (c *Catalog) Convention(cfg *Config) (healpix.LatitudeConvention, error) {
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
