package zarrstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// OrderGroup is one order group of a zagg store opened for reading: its
// grid, attributes, coordinate arrays and statistic arrays. It reads the
// stores this package writes and those written by Python zagg 0.1.0 (dense
// packing, no "zagg" project attribute, geodetic cells).
type OrderGroup struct {
	// Grid is the group's grid.
	Grid Grid
	// Attributes are the group's attributes.
	Attributes map[string]any
	// CellIDs is the cell_ids array: every stored chunk holds the NESTED ids
	// of its cells.
	CellIDs *Array
	// Morton is the morton array, nil when the group has none.
	Morton *Array
	// Time is the time coordinate array (1-D, [time]) of a group with
	// per-window arrays, nil otherwise; TimeBounds is time_bnds ([time, 2]),
	// nil when the group has none. [Store.TimeAxis] reads their values.
	Time, TimeBounds *Array
	// Names lists the statistic arrays: "count" first, then by name.
	Names []string
	// Arrays holds the statistic arrays by name. An array of rank 2 is per
	// window, [time, cells] ([Array.Rank], [OrderGroup.PerWindow]); read its
	// chunks with [Array.ReadChunkAt] at (window, chunk).
	Arrays map[string]*Array
	// Legacy is set for a store written by Python zagg 0.1.0, whose grid is
	// derived from the chunk length and assumed geodetic.
	Legacy bool

	s *Store
}

// ChunkOf returns the chunk of the group holding the children of parent (a
// NESTED cell id at the grid's parent order): from the store's parent list,
// or, for a store without one (Python zagg 0.1.0), by reading the first cell
// id of each stored chunk. ok is false when the store has no such chunk.
func (g *OrderGroup) ChunkOf(ctx context.Context, parent uint64) (i int64, ok bool, err error) {
	if list, po, err := g.s.Parents(ctx); err == nil && po == g.Grid.ParentOrder {
		i := slices.Index(list, parent)
		return int64(i), i >= 0, nil
	}
	chunks, err := g.Chunks(ctx)
	if err != nil {
		return 0, false, err
	}
	shift := 2 * uint(g.Grid.Order-g.Grid.ParentOrder)
	for _, i := range chunks {
		ids, err := g.ReadCellIDs(ctx, i)
		if err != nil {
			return 0, false, err
		}
		if len(ids) > 0 && ids[0]>>shift == parent {
			return i, true, nil
		}
	}
	return 0, false, nil
}

// Orders returns the HEALPix orders of a store's order groups (sub-groups
// of the root named by an integer 0…29 that exist as groups), ascending.
func (s *Store) Orders(ctx context.Context) ([]int, error) {
	_, dirs, err := s.b.ListDir(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("listing the store root: %w", err)
	}
	var orders []int
	for _, d := range dirs {
		o, err := strconv.Atoi(d)
		if err != nil || o < 0 || o > MaxOrder || strconv.Itoa(o) != d {
			continue
		}
		if _, err := s.OpenGroup(ctx, d); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue
			}
			return nil, err
		}
		orders = append(orders, o)
	}
	slices.Sort(orders)
	return orders, nil
}

// OpenOrder opens the order group of order with its arrays. A group that is
// not a HEALPix NESTED DGGS group, or has no cell_ids array, is an error
// wrapping [ErrInvalidMetadata].
func (s *Store) OpenOrder(ctx context.Context, order int) (*OrderGroup, error) {
	gp := strconv.Itoa(order)
	gm, err := s.OpenGroup(ctx, gp)
	if err != nil {
		return nil, fmt.Errorf("order %d: %w", order, err)
	}
	g := &OrderGroup{Attributes: gm.Attributes, Arrays: map[string]*Array{}, s: s}
	if _, err := dggsOrder(gm.Attributes); err != nil {
		return nil, fmt.Errorf("order %d: %w", order, err)
	}
	g.CellIDs, err = s.OpenArray(ctx, gp+"/"+CellIDsArray)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: order %d: the group has no cell_ids array", ErrInvalidMetadata, order)
	}
	if err != nil {
		return nil, fmt.Errorf("order %d: %w", order, err)
	}
	if g.CellIDs.DataType() != Uint64 {
		return nil, fmt.Errorf("%w: order %d: cell_ids has data type %s, want uint64", ErrInvalidMetadata, order, g.CellIDs.DataType())
	}
	if _, ok := gm.Attributes[ProjectAttribute]; ok {
		if g.Grid, err = GridFromAttributes(gm.Attributes); err != nil {
			return nil, fmt.Errorf("order %d: %w", order, err)
		}
	} else {
		// Python zagg 0.1.0: chunk = the 4^Δ children of one parent.
		o, err := dggsOrder(gm.Attributes)
		if err != nil {
			return nil, fmt.Errorf("order %d: %w", order, err)
		}
		d, cl := 0, g.CellIDs.ChunkLen()
		for cl > 1 && cl%4 == 0 {
			cl /= 4
			d++
		}
		if cl != 1 || d > o {
			return nil, fmt.Errorf("%w: order %d: cell_ids chunk length %d is not 4^k with k ≤ %d", ErrInvalidMetadata, order, g.CellIDs.ChunkLen(), o)
		}
		g.Grid = Grid{Order: o, ParentOrder: o - d, Latitude: LatitudeGeodetic}
		g.Legacy = true
	}
	if g.Grid.Order != order {
		return nil, fmt.Errorf("%w: group %q declares refinement level %d", ErrInvalidMetadata, gp, g.Grid.Order)
	}
	_, dirs, err := s.b.ListDir(ctx, gp+"/")
	if err != nil {
		return nil, fmt.Errorf("order %d: %w", order, err)
	}
	if g.CellIDs.Rank() != 1 {
		return nil, fmt.Errorf("%w: order %d: cell_ids is %d-D, want 1-D", ErrInvalidMetadata, order, g.CellIDs.Rank())
	}
	// The time coordinates are the arrays time and time_bnds along the
	// dimension "time" (a store without time may have a statistic named
	// "time", along "cells").
	for _, name := range []string{TimeArray, TimeBoundsArray} {
		a, err := s.OpenArray(ctx, gp+"/"+name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("order %d: %w", order, err)
		}
		if dims := a.Metadata().DimensionNames; len(dims) == 0 || dims[0] != TimeDimension {
			continue
		}
		if name == TimeArray {
			g.Time = a
		} else {
			g.TimeBounds = a
		}
	}
	if g.Time != nil && g.Time.Rank() != 1 {
		return nil, fmt.Errorf("%w: %s/%s is %d-D, want 1-D", ErrInvalidMetadata, gp, TimeArray, g.Time.Rank())
	}
	if g.TimeBounds != nil && (g.Time == nil || g.TimeBounds.Rank() != 2 || g.TimeBounds.Shape()[0] != g.Time.Len() || g.TimeBounds.Shape()[1] != 2) {
		return nil, fmt.Errorf("%w: %s/%s has shape %v, want [time, 2] with a time array", ErrInvalidMetadata, gp, TimeBoundsArray, g.TimeBounds.Shape())
	}
	for _, d := range dirs {
		if d == CellIDsArray || g.Time != nil && d == TimeArray || g.TimeBounds != nil && d == TimeBoundsArray {
			continue
		}
		a, err := s.OpenArray(ctx, gp+"/"+d)
		if err != nil {
			continue // not an array (a stray folder)
		}
		if a.Len() != g.CellIDs.Len() || a.ChunkLen() != g.CellIDs.ChunkLen() {
			return nil, fmt.Errorf("%w: %s/%s has %d elements in chunks of %d, cell_ids %d in chunks of %d",
				ErrInvalidMetadata, gp, d, a.Len(), a.ChunkLen(), g.CellIDs.Len(), g.CellIDs.ChunkLen())
		}
		switch {
		case a.Rank() == 1:
		case a.Rank() == 2 && d != MortonArray && g.Time != nil:
			if sh, cs := a.Shape(), a.ChunkShape(); sh[0] != g.Time.Len() || cs[0] < 1 {
				return nil, fmt.Errorf("%w: %s/%s has shape %v in chunks of %v, want [%d, cells] in chunks of [windows, %d]",
					ErrInvalidMetadata, gp, d, sh, cs, g.Time.Len(), g.CellIDs.ChunkLen())
			}
		default:
			return nil, fmt.Errorf("%w: %s/%s has shape %v: only 1-D [cells] arrays and, in a group with a time array, [time, cells] statistics",
				ErrInvalidMetadata, gp, d, a.Shape())
		}
		if d == MortonArray {
			g.Morton = a
			continue
		}
		g.Arrays[d] = a
		g.Names = append(g.Names, d)
	}
	slices.SortFunc(g.Names, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "count":
			return -1
		case b == "count":
			return 1
		case a < b:
			return -1
		}
		return 1
	})
	return g, nil
}

// PerWindow reports whether the statistic array name is per window: 2-D,
// [time, cells].
func (g *OrderGroup) PerWindow(name string) bool {
	a, ok := g.Arrays[name]
	return ok && a.Rank() == 2
}

// Windows returns the length of the group's time dimension (0 without a
// time array).
func (g *OrderGroup) Windows() int64 {
	if g.Time == nil {
		return 0
	}
	return g.Time.Len()
}

// Chunks lists the chunks of the group that hold cells: the stored chunks
// of cell_ids, ascending. (Every chunk of a store written by this package is
// stored; a zagg 0.1.0 store leaves the chunks of parents without data out.)
func (g *OrderGroup) Chunks(ctx context.Context) ([]int64, error) {
	return g.CellIDs.ListChunks(ctx)
}

// ReadCellIDs returns the cell ids of chunk i, without the padding of a
// last partial chunk. An id that is not a cell of the group's order is an
// error wrapping [ErrCorruptChunk].
func (g *OrderGroup) ReadCellIDs(ctx context.Context, i int64) ([]uint64, error) {
	ids, err := ReadChunkAs[uint64](ctx, g.CellIDs, i)
	if err != nil {
		return nil, err
	}
	if rest := g.CellIDs.Len() - i*g.CellIDs.ChunkLen(); rest < int64(len(ids)) {
		ids = ids[:max(rest, 0)]
	}
	n := g.Grid.NumCells()
	for k, id := range ids {
		if id >= n {
			return nil, fmt.Errorf("%w: %s chunk %d element %d: %d is not a cell of order %d", ErrCorruptChunk, g.CellIDs.Path(), i, k, id, g.Grid.Order)
		}
	}
	return ids, nil
}
