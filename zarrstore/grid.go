package zarrstore

import (
	"encoding/json"
	"fmt"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/morton"
)

// MaxOrder is the finest HEALPix order (refinement level) a [Grid] accepts:
// healpix.MaxOrder.
const MaxOrder = healpix.MaxOrder

// Latitude names the latitude convention cells were computed with. It is
// recorded in the project attribute "zagg" of the root and of every order
// group (never inside "dggs"), so that a run refuses to add to a store made
// with the other convention, and it decides how the grid is declared.
type Latitude string

// Latitude conventions.
const (
	// LatitudeAuthalic: geodetic latitude converted to authalic latitude on
	// the WGS84 ellipsoid before hashing (the default). The grid is declared
	// on the WGS84 ellipsoid, so xdggs returns geodetic cell centres.
	LatitudeAuthalic Latitude = "authalic-wgs84"
	// LatitudeGeodetic: geodetic latitude used as if spherical (zagg 0.1.0).
	// The grid is declared on a sphere (no ellipsoid), so cell centres come
	// back as the geodetic latitudes the points were hashed with.
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

// CoarseChunkLen is the chunk length of the arrays of orders coarser than
// the parent order, whose cells dimension holds only the cells with data.
const CoarseChunkLen = 4096

// WGS84 ellipsoid parameters, as declared in the DGGS attributes.
const (
	WGS84SemimajorAxis     = 6378137.0
	WGS84InverseFlattening = 298.257223563
)

// Grid describes one order group: HEALPix NESTED cells at Order, packed by
// parent cells at ParentOrder.
//
// For Order ≥ ParentOrder chunk i holds the 4^(Order−ParentOrder) children
// of the i-th parent cell of the store's parent list, in NESTED order
// ([Grid.CellIDs]); the array has len(parents)·4^(Order−ParentOrder)
// elements. For Order < ParentOrder (coarse orders written by a finalize
// step) the array holds only the cells with data, in ascending NESTED
// order, in chunks of [CoarseChunkLen].
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

// Coarse reports whether the order is coarser than the parent order.
func (g Grid) Coarse() bool { return g.Order < g.ParentOrder }

// ChunkLen returns the cells per chunk: 4^(Order−ParentOrder), or
// [CoarseChunkLen] for a coarse order.
func (g Grid) ChunkLen() int64 {
	if g.Coarse() {
		return CoarseChunkLen
	}
	return 1 << (2 * (g.Order - g.ParentOrder))
}

// Len returns the number of cells of an order at or finer than the parent
// order in a store of nParents parent cells, nParents·4^(Order−ParentOrder).
func (g Grid) Len(nParents int) int64 {
	if g.Coarse() {
		return 0
	}
	return int64(nParents) * g.ChunkLen()
}

// NumCells returns 12·4^Order, the number of HEALPix cells of the order;
// it is also the cell_ids fill value, one past the last valid id.
func (g Grid) NumCells() uint64 { return 12 << (2 * g.Order) }

// CellIDs appends to dst the NESTED ids at g.Order of the children of
// parent (a NESTED id at g.ParentOrder): the values of the cell_ids array in
// that parent's chunk. It must not be called for a coarse order.
func (g Grid) CellIDs(dst []uint64, parent uint64) []uint64 {
	n := uint64(g.ChunkLen())
	for c := parent * n; c < (parent+1)*n; c++ {
		dst = append(dst, c)
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

// Convention returns the healpix latitude convention l records.
func (l Latitude) Convention() healpix.LatitudeConvention {
	if l == LatitudeGeodetic {
		return healpix.Geodetic
	}
	return healpix.Authalic
}

// LatitudeOf returns the Latitude that records the convention c.
func LatitudeOf(c healpix.LatitudeConvention) Latitude {
	if c == healpix.Geodetic {
		return LatitudeGeodetic
	}
	return LatitudeAuthalic
}

// ellipsoid returns the declared ellipsoid: WGS84 for authalic latitudes,
// nil (the convention's default sphere) for geodetic latitudes hashed as if
// spherical.
func (g Grid) ellipsoid() map[string]any {
	if g.Latitude == LatitudeGeodetic {
		return nil
	}
	return map[string]any{
		"name":               "WGS84",
		"semimajor_axis":     json.Number("6378137.0"),
		"inverse_flattening": json.Number("298.257223563"),
	}
}

// GroupAttributes returns the attributes of the order group: the DGGS
// convention entry, the "dggs" block (HEALPix, NESTED, refinement level,
// the WGS84 ellipsoid in authalic mode and none — a sphere — in geodetic
// mode, coordinate cell_ids, no compression, and nothing else, because
// xdggs rejects unknown keys there), and the project attribute "zagg" with
// parent_order, latitude and the entries of extra.
func (g Grid) GroupAttributes(extra map[string]any) map[string]any {
	project := map[string]any{}
	for k, v := range extra {
		project[k] = v
	}
	project["parent_order"] = g.ParentOrder
	project["latitude"] = string(g.Latitude)
	dggs := map[string]any{
		"name":              "healpix",
		"refinement_level":  g.Order,
		"indexing_scheme":   "nested",
		"spatial_dimension": Dimension,
		"coordinate":        CellIDsArray,
		"compression":       "none",
	}
	if e := g.ellipsoid(); e != nil {
		dggs["ellipsoid"] = e
	}
	return map[string]any{
		"zarr_conventions": []any{dggsConvention()},
		"dggs":             dggs,
		ProjectAttribute:   project,
	}
}

// CellIDAttributes returns the attributes of the cell_ids array that xdggs
// reads with its default ("xdggs") convention: grid name, level, indexing
// scheme and, in authalic mode, the WGS84 ellipsoid. Nothing else: xdggs
// passes every attribute to its grid class, which rejects unknown ones.
func (g Grid) CellIDAttributes() map[string]any {
	a := map[string]any{"grid_name": "healpix", "level": g.Order, "indexing_scheme": "nested"}
	if e := g.ellipsoid(); e != nil {
		a["ellipsoid"] = e
	}
	return a
}

// MortonIDs appends to dst the morton ids of the cells ids at order: legacy
// signed decimal ids when dt is Int64 (order 0, which has none, gets 0),
// packed words when dt is Uint64.
func MortonIDs(dst any, dt DataType, order int, ids []uint64) (any, error) {
	switch dt {
	case Uint64:
		m, _ := dst.([]uint64)
		for _, id := range ids {
			m = append(m, uint64(morton.FromNest(order, id)))
		}
		return m, nil
	case Int64:
		m, _ := dst.([]int64)
		for _, id := range ids {
			if order == 0 {
				m = append(m, 0)
				continue
			}
			l, err := morton.FromNest(order, id).Legacy()
			if err != nil {
				return nil, fmt.Errorf("%w: morton id at order %d: %v", ErrInvalidLayout, order, err)
			}
			m = append(m, l)
		}
		return m, nil
	}
	return nil, fmt.Errorf("%w: morton type %q", ErrInvalidLayout, dt)
}

// GridFromAttributes reads a Grid back from an order group's attributes (as
// returned by [Store.OpenGroup]). It checks that the group carries the DGGS
// convention with a HEALPix NESTED grid. Stores written by Python zagg
// 0.1.0 have no "zagg" project attribute; use [Store.OpenOrder], which
// derives their grid from the chunk length.
func GridFromAttributes(attrs map[string]any) (Grid, error) {
	bad := func(what string) (Grid, error) {
		return Grid{}, fmt.Errorf("%w: group attributes: %s", ErrInvalidMetadata, what)
	}
	order, err := dggsOrder(attrs)
	if err != nil {
		return Grid{}, err
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

// dggsOrder checks the "dggs" block of group attributes and returns its
// refinement level.
func dggsOrder(attrs map[string]any) (int, error) {
	d, ok := attrs["dggs"].(map[string]any)
	if !ok {
		return 0, fmt.Errorf("%w: group attributes: no \"dggs\" object", ErrInvalidMetadata)
	}
	if d["name"] != "healpix" || d["indexing_scheme"] != "nested" {
		return 0, fmt.Errorf("%w: group attributes: dggs %v/%v, want healpix/nested", ErrInvalidMetadata, d["name"], d["indexing_scheme"])
	}
	order, ok := intAttr(d["refinement_level"])
	if !ok {
		return 0, fmt.Errorf("%w: group attributes: refinement_level %v", ErrInvalidMetadata, d["refinement_level"])
	}
	return order, nil
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
