package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
)

// TestReadMalformedGranules reads small granules with one defect each
// (testdata/hostile/mkhostile.py): the reader reports the dataset and the
// problem, or skips an absent beam, and never panics.
func TestReadMalformedGranules(t *testing.T) {
	cfg := atl06(t)
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rd := pipeline.NewCellReader(cfg, a.Columns(), pipeline.DirOpener("testdata/hostile"))
	parent := morton.FromNest(6, 37036)
	for _, tc := range []struct {
		file   string
		points int // points expected when there is no error
		err    string
		is     error
	}{
		{file: "ok.h5", points: 6 * 50},
		{file: "nobeam.h5", points: 50},
		{file: "hliint.h5", points: 6 * 50},
		{file: "fillzero.h5", points: 6*50 - 10}, // a defined fill of 0 drops; the default one does not
		{file: "lonshort.h5", err: "/gt2l/land_ice_segments/latitude has 50 rows but /gt2l/land_ice_segments/longitude has 47"},
		{file: "hli2d.h5", err: "/gt1l/land_ice_segments/h_li: 2-dimensional dataset"},
		{file: "hlishort.h5", err: "/gt1l/land_ice_segments/h_li", is: h5read.ErrSelection},
		{file: "nohli.h5", err: "group gt3r: ", is: h5read.ErrNotFound},
	} {
		t.Run(tc.file, func(t *testing.T) {
			pts, st, err := rd.ReadCell(context.Background(), parent, []string{"s3://bucket/" + tc.file})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, pipeline.ErrGranule) {
					t.Fatalf("ReadCell = %v, want an ErrGranule naming %q", err, tc.err)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("ReadCell = %v, want it to match %v", err, tc.is)
				}
				if !strings.Contains(err.Error(), tc.file) {
					t.Errorf("the error does not name the granule: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pts.Len() != tc.points || st.GranulesRead != 1 {
				t.Errorf("%d points from %d granules, want %d from 1", pts.Len(), st.GranulesRead, tc.points)
			}
		})
	}
}
