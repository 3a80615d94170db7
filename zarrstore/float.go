package zarrstore

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// ReadChunkFloat64 reads chunk i of a numeric or bool array as float64, for
// display and export: elements equal to the array's fill value, and NaN,
// become NaN (the missing cells, as xarray masks them); bools are 0 or 1.
// Integers beyond 2^53 lose precision. A chunk not stored reads as all NaN.
func (a *Array) ReadChunkFloat64(ctx context.Context, i int64) ([]float64, error) {
	data, err := a.ReadChunk(ctx, i)
	if err != nil {
		return nil, err
	}
	return a.float64s(data)
}

// ReadChunkFloat64At is [Array.ReadChunkFloat64] for the chunk at grid
// coordinates idx of an array of any rank: ChunkElems values in C order,
// fill values and NaN as NaN.
func (a *Array) ReadChunkFloat64At(ctx context.Context, idx []int64) ([]float64, error) {
	data, err := a.ReadChunkAt(ctx, idx)
	if err != nil {
		return nil, err
	}
	return a.float64s(data)
}

// float64s converts a decoded chunk to float64, fill values to NaN.
func (a *Array) float64s(data any) ([]float64, error) {
	fill := fromRaw(a.meta.DataType, slices.Clone(a.chain.fill)) // one element
	switch d := data.(type) {
	case []float32:
		return toFloat64(d, fill.([]float32)), nil
	case []float64:
		return toFloat64(d, fill.([]float64)), nil
	case []int8:
		return toFloat64(d, fill.([]int8)), nil
	case []int16:
		return toFloat64(d, fill.([]int16)), nil
	case []int32:
		return toFloat64(d, fill.([]int32)), nil
	case []int64:
		return toFloat64(d, fill.([]int64)), nil
	case []uint8:
		return toFloat64(d, fill.([]uint8)), nil
	case []uint16:
		return toFloat64(d, fill.([]uint16)), nil
	case []uint32:
		return toFloat64(d, fill.([]uint32)), nil
	case []uint64:
		return toFloat64(d, fill.([]uint64)), nil
	case []bool:
		f := fill.([]bool)
		out := make([]float64, len(d))
		for k, v := range d {
			switch {
			case len(f) > 0 && v == f[0]:
				out[k] = math.NaN()
			case v:
				out[k] = 1
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: array %q: chunk of Go type %T", ErrDataType, a.path, data)
}

type number interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64
}

func toFloat64[T number](d, fill []T) []float64 {
	out := make([]float64, len(d))
	var f T
	hasFill := len(fill) > 0
	if hasFill {
		f = fill[0]
	}
	for k, v := range d {
		if v != v || hasFill && v == f {
			out[k] = math.NaN()
		} else {
			out[k] = float64(v)
		}
	}
	return out
}
