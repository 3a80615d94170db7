package pipeline

import (
	"context"
	"fmt"

	"github.com/zagg-go/zagg/h5read"
)

// Reading one column of a 2-D dataset (a template ending in a column
// selector, see config.ParseColumn): the rows [lo, lo+cnt) of column c are
// the hyperslab start [lo, c], count [cnt, 1], so only the chunks holding
// them are fetched and only that column is converted.

// rowsOf returns the rows of the dataset a read uses: a 1-D dataset's
// length when column < 0, else the first dimension of a 2-D dataset that
// has that column.
func rowsOf(d *h5read.Dataset, column int) (int, error) {
	if column < 0 {
		return rows1D(d)
	}
	sh := d.Shape()
	if len(sh) != 2 {
		return 0, fmt.Errorf("%w: %s: the column selector [:, %d] needs a 2-D dataset, this one has shape %v", h5read.ErrSelection, d.Path(), column, sh)
	}
	if column >= sh[1] {
		return 0, fmt.Errorf("%w: %s: column %d of the selector [:, %d] is out of range: the dataset has %d columns (shape %v)", h5read.ErrSelection, d.Path(), column, column, sh[1], sh)
	}
	return sh[0], nil
}

// planRows plans rows [lo, lo+cnt) of every dataset (whole rows of the 1-D
// ones, batched as File.PlanRows does; one column of the others).
func (g *granuleReader) planRows(ctx context.Context, f *h5read.File, dsets []*h5read.Dataset, paths []string, lo, cnt int) ([]*h5read.Plan, error) {
	plans := make([]*h5read.Plan, len(dsets))
	var rowPaths []string
	var rowIdx []int
	for i := range dsets {
		if c := g.plan.reads[i].column; c >= 0 {
			p, err := planColumn(ctx, dsets[i], lo, cnt, c)
			if err != nil {
				return nil, err
			}
			plans[i] = p
			continue
		}
		rowPaths = append(rowPaths, paths[i])
		rowIdx = append(rowIdx, i)
	}
	if len(rowPaths) > 0 {
		_, ps, err := f.PlanRows(ctx, lo, cnt, rowPaths...)
		if err != nil {
			return nil, err
		}
		for j, i := range rowIdx {
			plans[i] = ps[j]
		}
	}
	return plans, nil
}

// planColumn plans rows [lo, lo+cnt) of a 1-D dataset (column < 0) or of
// one column of a 2-D dataset.
func planColumn(ctx context.Context, d *h5read.Dataset, lo, cnt, column int) (*h5read.Plan, error) {
	if column < 0 {
		return d.PlanRows(ctx, lo, cnt)
	}
	return d.Plan(ctx, []int{lo, column}, []int{cnt, 1})
}

// readColumn reads rows [lo, lo+cnt) of a 1-D dataset (column < 0) or of
// one column of a 2-D dataset into dst.
func readColumn[T float32 | float64](ctx context.Context, d *h5read.Dataset, dst []T, lo, cnt, column int) error {
	if column < 0 {
		return h5read.ReadRows(ctx, d, dst, lo, cnt)
	}
	return h5read.Read(ctx, d, dst, []int{lo, column}, []int{cnt, 1})
}
