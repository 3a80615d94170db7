package cmr

import (
	"fmt"
	"strings"
)

// Lookup returns the entry of a catalog key (the decimal legacy morton id,
// CatalogCell.Key; surrounding spaces are ignored).
func (c *Catalog) Lookup(key string) (CatalogCell, bool) {
	key = strings.TrimSpace(key)
	for _, e := range c.Cells {
		if e.Key() == key {
			return e, true
		}
	}
	return CatalogCell{}, false
}

// Select returns the cells to process: the cells named by keys (in the order
// given, each once; an error wrapping ErrUnknownCell for a key the catalog
// lacks), or every cell when keys is empty; then at most maxCells of them
// when maxCells > 0 (zagg 0.1.0's --max-cells takes the first ones).
func (c *Catalog) Select(keys []string, maxCells int) ([]CatalogCell, error) {
	var out []CatalogCell
	if len(keys) == 0 {
		out = append(out, c.Cells...)
	} else {
		index := make(map[string]int, len(c.Cells))
		for i, e := range c.Cells {
			index[e.Key()] = i
		}
		seen := map[string]bool{}
		for _, k := range keys {
			k = strings.TrimSpace(k)
			i, ok := index[k]
			if !ok {
				return nil, fmt.Errorf("%w: %q", ErrUnknownCell, k)
			}
			if !seen[k] {
				seen[k] = true
				out = append(out, c.Cells[i])
			}
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
// already http(s):// are returned unchanged. Other errors wrap
// ErrNoHTTPSURL.
func (c *Catalog) HTTPSURL(u string) (string, error) {
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return u, nil
	}
	m := &c.Metadata
	if h, ok := m.HTTPSURLs[u]; ok && h != "" {
		return h, nil
	}
	if m.S3Base == "" || m.HTTPSBase == "" {
		return "", fmt.Errorf("%w: the catalog has no https_urls entry or s3_base/https_base to turn %s into an HTTPS URL", ErrNoHTTPSURL, u)
	}
	base := strings.TrimSuffix(m.S3Base, "/") + "/"
	if !strings.HasPrefix(u, base) {
		return "", fmt.Errorf("%w: %s is not under the catalog's s3_base %s", ErrNoHTTPSURL, u, m.S3Base)
	}
	return strings.TrimSuffix(m.HTTPSBase, "/") + "/" + strings.TrimPrefix(u, base), nil
}
