package h5read_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/zagg-go/zagg/h5read"
)

// TestHyperslabs reads many sub-boxes, including ones that start and end
// exactly on chunk boundaries (h5coro's off-by-one), and checks each
// against the matching part of the full read (itself checked against
// libhdf5 in TestFixtures).
func TestHyperslabs(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		file, ds string
		boxes    [][2][]int // start, count
	}{
		{"fx_v0.h5", "/gt1l/land_ice_segments/h_li", [][2][]int{
			{{10000}, {1}}, {{9999}, {2}}, {{10000}, {10000}}, {{20000}, {5000}}, {{0}, {25000}}, {{24999}, {1}}, {{5}, {0}},
		}},
		{"fx_v0.h5", "/gt2r/land_ice_segments/atl06_quality_summary", [][2][]int{{{10000}, {10000}}, {{19999}, {2}}}},
		{"fx_edge.h5", "/grid/d2", [][2][]int{
			{{7, 5}, {7, 5}}, {{0, 0}, {30, 23}}, {{6, 4}, {2, 2}}, {{28, 20}, {2, 3}}, {{13, 0}, {1, 23}}, {{0, 22}, {30, 1}},
		}},
		{"fx_edge.h5", "/grid/d3", [][2][]int{{{4, 3, 5}, {5, 5, 2}}, {{1, 2, 3}, {3, 4, 4}}, {{8, 7, 6}, {1, 1, 1}}}},
		{"fx_edge.h5", "/old_style/contig_f8", [][2][]int{{{10}, {20}}, {{99}, {1}}}},
		{"fx_edge.h5", "/old_style/compact_i4", [][2][]int{{{3}, {4}}}},
		{"fx_edge.h5", "/old_style/sparse", [][2][]int{{{19999}, {2}}, {{29999}, {2}}, {{0}, {10}}}},
		{"fx_edge.h5", "/old_style/multilevel", [][2][]int{{{6400}, {200}}, {{9999}, {4}}, {{100}, {100}}}},
		{"fx_v4idx.h5", "/btree2", [][2][]int{{{10, 10}, {10, 10}}, {{5, 15}, {30, 3}}}},
		{"fx_v4idx.h5", "/fixed2d", [][2][]int{{{6, 7}, {6, 7}}, {{19, 29}, {1, 1}}, {{2, 3}, {17, 20}}}},
		{"fx_v4idx.h5", "/earray2d", [][2][]int{{{3, 4}, {3, 4}}, {{0, 47}, {6, 3}}}},
		{"fx_v4idx.h5", "/earray_big", [][2][]int{{{39950}, {50}}, {{12345}, {678}}}},
		{"fx_v4idx.h5", "/fixed_paged", [][2][]int{{{4096}, {8}}, {{4999}, {1}}}},
		{"fx_v4idx.h5", "/implicit", [][2][]int{{{100}, {100}}}},
		{"fx_v4idx.h5", "/sparse_ea", [][2][]int{{{299}, {3}}, {{399}, {2}}}},
		{"fx_v4idx.h5", "/edge_unfiltered", [][2][]int{{{899}, {51}}, {{900}, {50}}, {{0}, {950}}}},
		{"fx_edge.h5", "/old_style/masked", [][2][]int{{{99}, {3}}, {{100}, {100}}, {{150}, {100}}}},
	}
	for _, tt := range tests {
		f, err := h5read.OpenFile(ctx, "testdata/"+tt.file)
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.Dataset(ctx, tt.ds)
		if err != nil {
			t.Fatal(err)
		}
		shape := d.Shape()
		full := make([]float64, d.Len())
		if err := h5read.Read(ctx, d, full, make([]int, len(shape)), shape); err != nil {
			t.Fatal(err)
		}
		for _, box := range tt.boxes {
			start, count := box[0], box[1]
			t.Run(fmt.Sprint(tt.file, tt.ds, start, count), func(t *testing.T) {
				n := 1
				for _, c := range count {
					n *= c
				}
				got := make([]float64, n)
				if err := h5read.Read(ctx, d, got, start, count); err != nil {
					t.Fatal(err)
				}
				want := extract(full, shape, start, count)
				if !slices.Equal(got, want) {
					t.Errorf("Read(%v, %v) = %v..., want %v...", start, count, head(got), head(want))
				}
			})
		}
		f.Close()
	}
}

func head(v []float64) []float64 { return v[:min(len(v), 6)] }

// extract is the reference hyperslab: a plain row-major walk.
func extract(full []float64, shape, start, count []int) []float64 {
	var out []float64
	idx := slices.Clone(start)
	n := 1
	for _, c := range count {
		n *= c
	}
	for range n {
		lin := 0
		for k := range shape {
			lin = lin*shape[k] + idx[k]
		}
		out = append(out, full[lin])
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < start[k]+count[k] {
				break
			}
			idx[k] = start[k]
		}
	}
	return out
}

func TestPlanChunkBoundary(t *testing.T) {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "testdata/fx_v0.h5")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset(ctx, "/gt1l/land_ice_segments/latitude")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		start, count int
		want         []int // first coordinate of each chunk
	}{
		{0, 10000, []int{0}},
		{10000, 1, []int{10000}},
		{9999, 1, []int{0}},
		{9999, 2, []int{0, 10000}},
		{10000, 10000, []int{10000}},
		{20000, 5000, []int{20000}},
		{0, 25000, []int{0, 10000, 20000}},
		{3, 0, nil},
	}
	for _, tt := range tests {
		p, err := d.PlanRows(ctx, tt.start, tt.count)
		if err != nil {
			t.Fatalf("PlanRows(%d, %d): %v", tt.start, tt.count, err)
		}
		var got []int
		for _, c := range p.Chunks {
			got = append(got, c.Coord[0])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("PlanRows(%d, %d) chunks = %v, want %v", tt.start, tt.count, got, tt.want)
		}
	}
}

func TestSelectionErrors(t *testing.T) {
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, "testdata/fx_edge.h5")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset(ctx, "/grid/d2")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		start, count []int
		n            int
	}{
		{"rank", []int{0}, []int{1}, 1},
		{"past end", []int{29, 0}, []int{2, 1}, 2},
		{"negative", []int{-1, 0}, []int{1, 1}, 1},
		{"dst length", []int{0, 0}, []int{2, 2}, 3},
	}
	for _, tt := range tests {
		err := h5read.Read(ctx, d, make([]float64, tt.n), tt.start, tt.count)
		if !errorsIs(err, h5read.ErrSelection) {
			t.Errorf("%s: err = %v, want ErrSelection", tt.name, err)
		}
	}
	if err := h5read.Read(ctx, d, make([]int64, 1), []int{0, 0}, []int{1, 1}); !errorsIs(err, h5read.ErrType) {
		t.Errorf("float into int64: err = %v, want ErrType", err)
	}
	i2, err := f.Dataset(ctx, "/types/le_u2")
	if err != nil {
		t.Fatal(err)
	}
	if err := h5read.Read(ctx, i2, make([]int16, 1), []int{0}, []int{1}); !errorsIs(err, h5read.ErrType) {
		t.Errorf("u2 into int16: err = %v, want ErrType", err)
	}
	if err := h5read.Read(ctx, i2, make([]int32, 1), []int{0}, []int{1}); err != nil {
		t.Errorf("u2 into int32: %v", err)
	}
	if _, err := f.Dataset(ctx, "/grid/nope"); !errorsIs(err, h5read.ErrNotFound) {
		t.Errorf("missing dataset: err = %v, want ErrNotFound", err)
	}
	if _, err := f.Dataset(ctx, "/grid"); !errorsIs(err, h5read.ErrNotDataset) {
		t.Errorf("group as dataset: err = %v, want ErrNotDataset", err)
	}
}
func errorsIs(err, target error) bool { return errors.Is(err, target) }
