package zarrstore

import (
	"encoding/json"
	"fmt"
)

// MaxOrder is the finest HEALPix order (refinement level) a [Grid] accepts.
const MaxOrder = 29

// Latitude names the latitude convention cells were computed with. It is
// recorded in the project attribute "zagg" of every order group (never
// inside "dggs"), so that a run refuses to add to a store made with the
// other convention.
type Latitude string

// Latitude conventions.
const (
	// LatitudeAuthalic: geodetic latitude converted to authalic latitude on
	// the WGS84 ellipsoid before hashing (the default).
	LatitudeAuthalic Latitude = "authalic-wgs84"
	// LatitudeGeodetic: geodetic latitude used as if spherical (zagg 0.1.0).
	LatitudeGeodetic Latitude = "geodetic"
)

// The DGGS convention's identifiers (zarr-conventions/dggs v1).
const (
	DGGSConventionUUID      = "7b255807-140c-42ca-97f6-7a1cfecdbc38"
	DGGSConventionSchemaURL = "https://raw.githubusercontent.com/zarr-conventions/dggs/refs/tags/v1/schema.json"
	DGGSConventionSpecURL   = "https://github.com/zarr-conventions/dggs/blob/v1/README.md"
)

// Array names inside every order group besides the statistics.
const (
	CellIDsArray = "cell_ids"
	MortonArray  = "morton"
	// Dimension is the name of the single spatial dimension.
	Dimension = "cells"
	// ProjectAttribute is the group attribute key holding zagg's own
	// metadata (parent order, latitude convention, …).
	ProjectAttribute = "zagg"
)

// Grid describes one order group: HEALPix NESTED cells at Order covering the
// sphere, chunked by parent cells at ParentOrder.
//
// For Order ≥ ParentOrder a chunk holds the 4^(Order−ParentOrder) children
// of one parent cell and its chunk index is the parent's NESTED id. For
// Order < ParentOrder (coarse orders produced by a finalize step) the whole
// array of 12·4^Order cells is a single chunk with index 0.
type Grid struct {
	Order       int
	ParentOrder int
	Latitude    Latitude
}

// Validate checks the orders and the latitude convention.
func (g Grid) Validate() error {
	if g.Order < 0 || g.Order > MaxOrder || g.ParentOrder < 0 || g.ParentOrder > MaxOrder {
		return fmt.Errorf("%w: orders %d/%d outside 0…%d", ErrInvalidLayout, g.Order, g.ParentOrder, MaxOrder)
	}
	switch g.Latitude {
	case LatitudeAuthalic, LatitudeGeodetic:
	default:
		return fmt.Errorf("%w: latitude convention %q (want %q or %q)", ErrInvalidLayout, g.Latitude, LatitudeAuthalic, LatitudeGeodetic)
	}
	return nil
}

// Len returns the number of cells, 12·4^Order.
func (g Grid) Len() int64 { return 12 << (2 * g.Order) }

// ChunkLen returns the cells per chunk.
func (g Grid) ChunkLen() int64 {
	if g.Order < g.ParentOrder {
		return g.Len()
	}
	return 1 << (2 * (g.Order - g.ParentOrder))
}

// NumChunks returns the number of chunks, 12·4^ParentOrder (or 1).
func (g Grid) NumChunks() int64 { return g.Len() / g.ChunkLen() }

// CellIDs appends to dst the NESTED ids of the cells of chunk i, which are
// the values of the cell_ids array in that chunk.
func (g Grid) CellIDs(dst []uint64, i int64) []uint64 {
	n := g.ChunkLen()
	for c := i * n; c < (i+1)*n; c++ {
		dst = append(dst, uint64(c))
	}
	return dst
}

// dggsConvention is the convention entry of "zarr_conventions".
func dggsConvention() map[string]any {
	return map[string]any{
		"schema_url":  DGGSConventionSchemaURL,
		"spec_url":    DGGSConventionSpecURL,
		"uuid":        DGGSConventionUUID,
		"name":        "dggs",
		"description": "Discrete Global Grid Systems convention for zarr",
	}
}

// GroupAttributes returns the attributes of the order group: the DGGS
// convention entry, the "dggs" block (HEALPix, NESTED, refinement level,
// WGS84, coordinate cell_ids, no compression, and nothing else, because
// xdggs rejects unknown keys there), and the project attribute "zagg" with
// parent_order, latitude and the entries of extra.
func (g Grid) GroupAttributes(extra map[string]any) map[string]any {
	project := map[string]any{}
	for k, v := range extra {
		project[k] = v
	}
	project["parent_order"] = g.ParentOrder
	project["latitude"] = string(g.Latitude)
	return map[string]any{
		"zarr_conventions": []any{dggsConvention()},
		"dggs": map[string]any{
			"name":              "healpix",
			"refinement_level":  g.Order,
			"indexing_scheme":   "nested",
			"spatial_dimension": Dimension,
			"ellipsoid": map[string]any{
				"name":               "WGS84",
				"semimajor_axis":     json.Number("6378137.0"),
				"inverse_flattening": json.Number("298.257223563"),
			},
			"coordinate":  CellIDsArray,
			"compression": "none",
		},
		ProjectAttribute: project,
	}
}

// CellIDAttributes returns the attributes of the cell_ids array that older
// xdggs releases (< 0.6, convention "xdggs") read.
func (g Grid) CellIDAttributes() map[string]any {
	return map[string]any{"grid_name": "healpix", "level": g.Order, "indexing_scheme": "nested"}
}

// GridFromAttributes reads a Grid back from an order group's attributes (as
// returned by [Store.OpenGroup]). It checks that the group carries the DGGS
// convention with a HEALPix NESTED grid.
func GridFromAttributes(attrs map[string]any) (Grid, error) {
	bad := func(what string) (Grid, error) {
		return Grid{}, fmt.Errorf("%w: group attributes: %s", ErrInvalidMetadata, what)
	}
	d, ok := attrs["dggs"].(map[string]any)
	if !ok {
		return bad(`no "dggs" object`)
	}
	if d["name"] != "healpix" || d["indexing_scheme"] != "nested" {
		return bad(fmt.Sprintf("dggs %v/%v, want healpix/nested", d["name"], d["indexing_scheme"]))
	}
	order, ok := intAttr(d["refinement_level"])
	if !ok {
		return bad(fmt.Sprintf("refinement_level %v", d["refinement_level"]))
	}
	p, ok := attrs[ProjectAttribute].(map[string]any)
	if !ok {
		return bad(fmt.Sprintf("no %q object", ProjectAttribute))
	}
	parent, ok := intAttr(p["parent_order"])
	if !ok {
		return bad(fmt.Sprintf("parent_order %v", p["parent_order"]))
	}
	lat, _ := p["latitude"].(string)
	g := Grid{Order: order, ParentOrder: parent, Latitude: Latitude(lat)}
	if err := g.Validate(); err != nil {
		return Grid{}, err
	}
	return g, nil
}

func intAttr(v any) (int, bool) {
	switch x := v.(type) {
	case json.Number:
		i, err := x.Int64()
		return int(i), err == nil && i >= 0 && i <= MaxOrder
	case float64:
		return int(x), x == float64(int(x)) && x >= 0 && x <= MaxOrder
	case int:
		return x, x >= 0 && x <= MaxOrder
	}
	return 0, false
}
