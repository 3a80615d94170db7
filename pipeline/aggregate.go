package pipeline

import (
	"fmt"
	"slices"
	"sync"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline/config"
)

// Aggregator computes the configured statistics of one parent cell's points
// at every order from the config's child order down to the parent order
// (package agg, compiled once from the config's aggregation section). It is
// safe for concurrent use: each call borrows its own clone of the compiled
// statistics and their scratch buffers.
type Aggregator struct {
	compiled   *agg.Aggregator
	childOrder int
	orders     []int     // output.orders, if set
	pool       sync.Pool // of *agg.Aggregator clones
}

// NewAggregator compiles cfg's aggregation section against its data source.
func NewAggregator(cfg *config.Config) (*Aggregator, error) {
	a, err := cfg.CompileAggregation()
	if err != nil {
		return nil, err
	}
	return &Aggregator{compiled: a, childOrder: cfg.Output.Grid.ChildOrder, orders: slices.Clone(cfg.Output.Orders)}, nil
}

// Columns returns the columns the statistics and filters need, in the order
// Points.Columns must follow (see agg.Aggregator.Columns).
func (a *Aggregator) Columns() []string { return a.compiled.Columns() }

// Compiled returns the compiled statistics, for their names, dtypes and
// fill values. Do not call its Aggregate method concurrently.
func (a *Aggregator) Compiled() *agg.Aggregator { return a.compiled }

// ChildOrder returns the finest order computed.
func (a *Aggregator) ChildOrder() int { return a.childOrder }

// Aggregate computes every statistic of the points of parent at every order
// from the child order down to parent's order. Points outside parent are
// counted in Result.Outside and ignored; the filters' rejects are counted in
// Result.Filtered.
func (a *Aggregator) Aggregate(parent morton.Cell, pts *Points) (*agg.Result, error) {
	if !parent.IsValid() {
		return nil, fmt.Errorf("pipeline: aggregate: invalid parent cell %v", parent)
	}
	if len(pts.Columns) != len(a.compiled.Columns()) {
		return nil, fmt.Errorf("pipeline: aggregate: %d columns given, the config needs %d (%v)",
			len(pts.Columns), len(a.compiled.Columns()), a.compiled.Columns())
	}
	for i, c := range pts.Columns {
		if c.Len() != len(pts.Cells) {
			return nil, fmt.Errorf("pipeline: aggregate: column %q has %d values for %d points",
				a.compiled.Columns()[i], c.Len(), len(pts.Cells))
		}
	}
	c, _ := a.pool.Get().(*agg.Aggregator)
	if c == nil {
		c = a.compiled.Clone()
	}
	defer a.pool.Put(c)
	res := &agg.Result{}
	err := c.Aggregate(res, agg.Input{
		ParentOrder: parent.Order(),
		Parent:      parent.Nest(),
		ChildOrder:  a.childOrder,
		Cells:       pts.Cells,
		Columns:     pts.Columns,
		// Quantile sketches only when Store.Finalize will need them.
		Sketches: a.compiled.NumSketches() > 0 && slices.ContainsFunc(a.orders, func(o int) bool { return o < parent.Order() }),
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
