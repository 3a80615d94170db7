package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
)

// pyResult is what pyzagg_bench.py writes.
type pyResult struct {
	Zagg     string            `json:"zagg"`
	Python   string            `json:"python"`
	Versions map[string]string `json:"versions"`
	// Latitude is the convention that zagg version hashes with: "geodetic"
	// (0.1.0, mortie 0.8) or "authalic".
	Latitude string   `json:"latitude"`
	Cells    []pyCell `json:"cells"`
	CPUS     float64  `json:"cpu_s"`
	WallS    float64  `json:"wall_s"`
}

// pyCell is one cell Python zagg processed.
type pyCell struct {
	Key           string   `json:"key"`
	CPUS          float64  `json:"cpu_s"`
	WallS         float64  `json:"wall_s"`
	TotalObs      int64    `json:"total_obs"`
	CellsWithData int      `json:"cells_with_data"`
	Granules      int      `json:"granules"`
	Error         *string  `json:"error"`
	Check         *pyCheck `json:"check,omitempty"`
}

// pyCheck are the child cells with data of a checked cell.
type pyCheck struct {
	CellIDs []uint64  `json:"cell_ids"` // NESTED at the child order
	Count   []int64   `json:"count"`
	HMean   []float64 `json:"h_mean"`
	HMax    []float64 `json:"h_max"`
}

func cmdCheck(args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	dir := fs.String("dir", filepath.Join(os.TempDir(), "zagg-cycle"), "benchmark folder")
	py := fs.String("python", "", "pyzagg_bench.py result JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*py)
	if err != nil {
		return err
	}
	var r pyResult
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("%s: %w", *py, err)
	}
	bad, err := checkPython(context.Background(), *dir, &r)
	if err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("zagg %s: %d checked cells differ from ours", r.Zagg, bad)
	}
	return nil
}

// checkPython recomputes the checked cells with our reader and aggregator,
// in Python zagg's latitude convention, and compares the count and the
// weighted mean of every child cell. zagg 0.1.0 does not drop rows whose
// h_li is the HDF5 fill value (we do): its child cells holding one (h_max ≥
// 1e38) are left out of the comparison and counted. Returns the number of
// parent cells that differ.
func checkPython(ctx context.Context, dir string, r *pyResult) (int, error) {
	conv, err := healpix.ParseLatitudeConvention(r.Latitude)
	if err != nil {
		return 0, fmt.Errorf("python result latitude %q: %w", r.Latitude, err)
	}
	cat, err := cmr.LoadCatalog(filepath.Join(dir, catalogName))
	if err != nil {
		return 0, err
	}
	cfg, err := config.Builtin("atl06")
	if err != nil {
		return 0, err
	}
	cfg = cfg.WithLatitude(conv)
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		return 0, err
	}
	vMean := -1
	for i := range a.Compiled().NumVariables() {
		if a.Compiled().Variable(i).Name == "h_mean" {
			vMean = i
		}
	}
	if vMean < 0 {
		return 0, fmt.Errorf("the atl06 config has no h_mean")
	}
	rd := pipeline.NewCellReader(cfg, a.Columns(), pipeline.DirOpener(filepath.Join(dir, granuleSubdir)))
	rd.Convention = conv
	bad := 0
	for _, pc := range r.Cells {
		if pc.Check == nil {
			continue
		}
		cc, ok := cat.Lookup(pc.Key)
		if !ok {
			return 0, fmt.Errorf("python cell %s is not in the catalog", pc.Key)
		}
		pts, _, err := rd.ReadCell(ctx, cc.Cell, cc.Granules)
		if err != nil {
			return 0, err
		}
		res, err := a.Aggregate(cc.Cell, pts)
		if err != nil {
			return 0, err
		}
		lv := res.Windows[0].Level(a.ChildOrder())
		shift := uint(2 * (a.ChildOrder() - cc.Cell.Order()))
		base := cc.Cell.Nest() << shift
		ours := map[uint64]int{} // child nest → index
		for j, n := range lv.Counts {
			if n > 0 {
				ours[base+uint64(j)] = j
			}
		}
		var compared, fillCells, countDiff, meanDiff int
		seen := map[uint64]bool{}
		for i, id := range pc.Check.CellIDs {
			if pc.Check.Count[i] == 0 {
				continue
			}
			seen[id] = true
			if len(pc.Check.HMax) > i && pc.Check.HMax[i] >= 1e38 {
				fillCells++
				continue
			}
			j, ok := ours[id]
			compared++
			if !ok || lv.Counts[j] != pc.Check.Count[i] {
				countDiff++
				continue
			}
			got, want := lv.Values[vMean][j], pc.Check.HMean[i]
			if math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
				meanDiff++
			}
		}
		missing := 0
		for id := range ours {
			if !seen[id] {
				missing++
			}
		}
		status := "equal"
		if countDiff+meanDiff+missing > 0 {
			status = "DIFFERENT"
			bad++
		}
		fmt.Printf("check zagg %s cell %s (%s latitude): %d child cells compared, %d count differences, %d h_mean differences (rel > 1e-5), %d of ours absent from Python's, %d left out (hold an h_li fill value zagg %s keeps): %s\n",
			r.Zagg, pc.Key, conv, compared, countDiff, meanDiff, missing, fillCells, r.Zagg, status)
	}
	return bad, nil
}
