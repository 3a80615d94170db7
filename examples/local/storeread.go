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

// chunk is one chunk of every array of an order group, as float64 with NaN
// for fill values (zarrstore.Array.ReadChunkFloat64; int64 values beyond
// 2^53 lose precision; cell ids and mortons are kept exact).
type chunk struct {
	index  int64
	ids    []uint64
	morton []string
	values map[string][]float64
}

// readChunk reads chunk i of every array of g.
func (g *orderGroup) readChunk(ctx context.Context, i int64) (*chunk, error) {
	c := &chunk{index: i, values: map[string][]float64{}}
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
		v, err := a.ReadChunkFloat64(ctx, i)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Path(), err)
		}
		c.values[name] = v[:min(len(v), len(ids))] // a last partial chunk is padded
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
		if !math.IsNaN(c.values[name][k]) {
			return true
		}
	}
	return false
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
