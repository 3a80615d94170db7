package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/pipeline/timewin"
	"github.com/zagg-go/zagg/zarrstore"
)

// orderGroup is one order group of a zagg store, opened for reading
// (zarrstore.OpenOrder, which also reads Python zagg 0.1.0 stores), with
// the commands' chunk reading.
type orderGroup struct {
	*zarrstore.OrderGroup
	// window is the time window read from per-window arrays.
	window int64
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
	return &orderGroup{OrderGroup: og}, nil
}

// windowHelp is the help of the --window flag.
const windowHelp = "time window of a multi-window store: its index (0 = first, -1 = last) or a date (YYYY-MM-DD) inside it"

// selectWindow sets the window g reads per-window arrays from: spec is an
// index (negative from the end) or a date inside the window; a store
// without time windows ignores it. It returns a description of the window
// ("" without time).
func (g *orderGroup) selectWindow(ctx context.Context, z *zarrstore.Store, order int, spec string) (string, error) {
	nw := g.Windows()
	if nw == 0 {
		return "", nil
	}
	ax, err := z.TimeAxis(ctx, order)
	if err != nil {
		return "", err
	}
	k, err := strconv.ParseInt(spec, 10, 64)
	if err != nil {
		t, perr := timewin.ParseTime(spec)
		if perr != nil {
			return "", fmt.Errorf("--window %q is neither a window index nor a date (YYYY-MM-DD)", spec)
		}
		v := timewin.CFValue(t)
		k = -1
		for i, b := range ax.Bounds {
			if v >= b[0] && v < b[1] {
				k = int64(i)
			}
		}
		if k < 0 {
			return "", fmt.Errorf("--window %s: no time window of the store holds that date (info lists them)", spec)
		}
	} else if k < 0 {
		k += nw
	}
	if k < 0 || k >= nw {
		return "", fmt.Errorf("--window %s: the store has %d time windows (0-%d)", spec, nw, nw-1)
	}
	g.window = k
	return windowName(ax, int(k)), nil
}

// windowName describes window k of a time axis.
func windowName(ax *zarrstore.TimeAxis, k int) string {
	if ax == nil || k >= len(ax.Bounds) {
		return fmt.Sprintf("window %d", k)
	}
	b := ax.Bounds[k]
	return fmt.Sprintf("window %d [%s, %s)", k, timewin.CFTime(b[0]).Format(time.RFC3339), timewin.CFTime(b[1]).Format(time.RFC3339))
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
		var v []float64
		var err error
		if a.Rank() == 2 {
			v, err = a.ReadWindowFloat64(ctx, g.window, i)
		} else {
			v, err = a.ReadChunkFloat64(ctx, i)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Path(), err)
		}
		c.values[name] = v[:min(len(v), len(ids))] // a last partial chunk is padded
	}
	return c, nil
}

// hasData reports whether cell k of the chunk holds an observation (in the
// selected window): its count is positive, or (without a count array) a
// statistic is not fill.
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

// windowIndex resolves a --window spec for the order group order (the
// finest when negative) of z to a window index.
func windowIndex(ctx context.Context, z *zarrstore.Store, order int, spec string) (int, error) {
	if order < 0 {
		orders, err := listOrders(ctx, z)
		if err != nil {
			return 0, err
		}
		order = orders[0]
	}
	g, err := openOrder(ctx, z, order)
	if err != nil {
		return 0, err
	}
	if _, err := g.selectWindow(ctx, z, order, spec); err != nil {
		return 0, err
	}
	return int(g.window), nil
}
