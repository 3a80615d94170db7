package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/zarrstore"
)

// orderGroup is one order group of a zagg store, opened for reading
// (zarrstore.OpenOrder, which also reads Python zagg 0.1.0 stores), with
// the commands' chunk reading.
type orderGroup struct {
	*zarrstore.OrderGroup
}

// array returns the group's array called name: a statistic, cell_ids or
// morton (nil when absent).
func (g *orderGroup) array(name string) *zarrstore.Array {
	switch name {
	case zarrstore.CellIDsArray:
		return g.CellIDs
	case zarrstore.MortonArray:
		return g.Morton
	}
	return g.Arrays[name]
}

// listOrders returns the order groups of a store, finest first.
func listOrders(ctx context.Context, z *zarrstore.Store) ([]int, error) {
	if _, err := z.OpenGroup(ctx, ""); err != nil {
		return nil, fmt.Errorf("not a zarr store: %w", err)
	}
	orders, err := z.Orders(ctx)
	if err != nil {
		return nil, err
	}
	slices.Reverse(orders)
	if len(orders) == 0 {
		return nil, fmt.Errorf("the store has no order group (0/ … 29/)")
	}
	return orders, nil
}

// openOrder opens the group of one order and its arrays.
func openOrder(ctx context.Context, z *zarrstore.Store, o int) (*orderGroup, error) {
	og, err := z.OpenOrder(ctx, o)
	if err != nil {
		return nil, err
	}
	return &orderGroup{og}, nil
}

// chunkOf returns the chunk of g holding the children of parent (a cell
// at the grid's parent order), from the store's parent list, or for a
// store without one (zagg 0.1.0) by reading each chunk's first cell id.
func (g *orderGroup) chunkOf(ctx context.Context, z *zarrstore.Store, parent uint64) (int64, bool, error) {
	if list, po, err := z.Parents(ctx); err == nil && po == g.Grid.ParentOrder {
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

// chunk is one chunk of every array of an order group, as float64 (int64
// values beyond 2^53 lose precision; cell ids and mortons are kept exact).
type chunk struct {
	index  int64
	ids    []uint64
	morton []string
	values map[string][]float64
	fills  map[string]float64
}

// readChunk reads chunk i of every array of g.
func (g *orderGroup) readChunk(ctx context.Context, i int64) (*chunk, error) {
	c := &chunk{index: i, values: map[string][]float64{}, fills: map[string]float64{}}
	ids, err := g.ReadCellIDs(ctx, i)
	if err != nil {
		return nil, err
	}
	c.ids = ids
	if m := g.Morton; m != nil {
		data, err := m.ReadChunk(ctx, i)
		if err != nil {
			return nil, err
		}
		c.morton = make([]string, len(ids))
		switch d := data.(type) {
		case []int64:
			for k, v := range d[:min(len(d), len(ids))] {
				c.morton[k] = strconv.FormatInt(v, 10)
			}
		case []uint64:
			for k, v := range d[:min(len(d), len(ids))] {
				c.morton[k] = strconv.FormatUint(v, 10)
			}
		}
	}
	for _, name := range g.Names {
		a := g.Arrays[name]
		data, err := a.ReadChunk(ctx, i)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Path(), err)
		}
		v := toFloat64(data)
		c.values[name] = v[:min(len(v), len(ids))] // a last partial chunk is padded
		c.fills[name] = toFloat64(a.FillChunk())[0]
	}
	return c, nil
}

// hasData reports whether cell k of the chunk holds an observation: its
// count is positive, or (without a count array) a statistic is not fill.
func (g *orderGroup) hasData(c *chunk, k int) bool {
	if v, ok := c.values["count"]; ok {
		return v[k] > 0
	}
	for _, name := range g.Names {
		v, f := c.values[name][k], c.fills[name]
		if !math.IsNaN(v) && v != f {
			return true
		}
	}
	return false
}

// toFloat64 converts a chunk slice to float64.
func toFloat64(data any) []float64 {
	switch d := data.(type) {
	case []float32:
		return conv(d)
	case []float64:
		return d
	case []int8:
		return conv(d)
	case []int16:
		return conv(d)
	case []int32:
		return conv(d)
	case []int64:
		return conv(d)
	case []uint8:
		return conv(d)
	case []uint16:
		return conv(d)
	case []uint32:
		return conv(d)
	case []uint64:
		return conv(d)
	case []bool:
		out := make([]float64, len(d))
		for i, b := range d {
			if b {
				out[i] = 1
			}
		}
		return out
	}
	return nil
}

func conv[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32](d []T) []float64 {
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = float64(v)
	}
	return out
}

// centre returns the geodetic centre of a cell, longitude in (−180, 180].
func centre(o int, id uint64, conv healpix.LatitudeConvention) (lat, lon float64) {
	lat, lon = healpix.NestCenter(o, id)
	return conv.FromSphere(lat), wrapLon(lon)
}

func wrapLon(lon float64) float64 {
	if lon > 180 {
		lon -= 360
	}
	return lon
}

// convention returns the latitude convention a grid's cells were made with.
func convention(g zarrstore.Grid) healpix.LatitudeConvention {
	if g.Latitude == zarrstore.LatitudeGeodetic {
		return healpix.Geodetic
	}
	return healpix.Authalic
}
