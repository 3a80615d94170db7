package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
)

// Layout of a benchmark folder.
const (
	granuleSubdir = "granules"
	catalogName   = "catalog.json"
	manifestName  = "manifest.jsonl"
	bucket        = "zagg-cycle-bench"
	keyPrefix     = "ATLAS/ATL06/007/cycle22/"
	parentOrder   = 6
)

// beams are ATL06's beam groups, in the built-in config's order.
var beams = []string{"gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"}

// genOptions are the generator's settings.
type genOptions struct {
	Dir      string  // benchmark folder: granules/ and catalog.json
	Granules int     // granules wanted: 3 per RGT, rounded up to a multiple of 3
	Seed     int     // random seed of the values
	LatMax   float64 // rows south of this latitude
	Only     int     // write only the first N granules (tests)
	BeamRows int     // cap rows per beam (tests)
	Jobs     int     // generator processes at once
	Python   string  // interpreter with h5py and numpy
}

// scriptPath is mkcycle.py beside this source file (go run and go test both
// know where the source is).
func scriptPath(name string) string {
	_, self, _, ok := runtime.Caller(0)
	if ok {
		if p := filepath.Join(filepath.Dir(self), name); fileExists(p) {
			return p
		}
	}
	return filepath.Join("bench", "cycle", name)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// havePython reports whether python can import h5py and numpy, and why not.
func havePython(python string) error {
	out, err := exec.Command(python, "-c", "import h5py, numpy").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s cannot import h5py and numpy (apt-get install -y python3-h5py): %v: %s", python, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func cmdGen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	var o genOptions
	fs.StringVar(&o.Dir, "dir", filepath.Join(os.TempDir(), "zagg-cycle"), "benchmark folder (granules/, catalog.json)")
	fs.IntVar(&o.Granules, "n", 150, "granules: 3 per RGT (regions 10, 11, 12), RGTs spread evenly over the 1387")
	fs.IntVar(&o.Seed, "seed", 22, "random seed of the values (the geometry is fixed)")
	fs.Float64Var(&o.LatMax, "lat-max", -60, "keep rows south of this latitude")
	fs.IntVar(&o.Jobs, "j", 1, "generator processes at once")
	fs.StringVar(&o.Python, "python", "/usr/bin/python3", "Python with h5py and numpy (Debian python3-h5py)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	t0 := time.Now()
	if err := generate(context.Background(), o); err != nil {
		return err
	}
	cat, err := buildCatalog(context.Background(), o.Dir)
	if err != nil {
		return err
	}
	fmt.Printf("%d granules, %d parent cells (order %d) in %s, %.0fs\n",
		cat.Metadata.TotalGranules, len(cat.Cells), parentOrder, o.Dir, time.Since(t0).Seconds())
	return nil
}

// generate writes the granules with mkcycle.py (skipped when the folder
// already holds as many granules as asked for).
func generate(ctx context.Context, o genOptions) error {
	if o.Granules < 3 {
		return fmt.Errorf("-n %d: want at least 3 (one RGT)", o.Granules)
	}
	if err := havePython(o.Python); err != nil {
		return err
	}
	rgts := (o.Granules + 2) / 3
	want := rgts * 3
	if o.Only > 0 {
		want = min(want, o.Only)
	}
	gdir := filepath.Join(o.Dir, granuleSubdir)
	if have, _ := filepath.Glob(filepath.Join(gdir, "*.h5")); len(have) == want {
		fmt.Fprintf(os.Stderr, "%s already holds %d granules\n", gdir, want)
		return nil
	} else if len(have) > 0 {
		return fmt.Errorf("%s holds %d granules, want %d: remove it or choose another -dir", gdir, len(have), want)
	}
	jobs := max(o.Jobs, 1)
	var wg sync.WaitGroup
	errs := make([]error, jobs)
	var mu sync.Mutex
	done := 0
	var lines []string // mkcycle.py's JSON line per granule
	for p := range jobs {
		args := []string{scriptPath("mkcycle.py"), gdir, "--rgts", fmt.Sprint(rgts), "--seed", fmt.Sprint(o.Seed),
			"--lat-max", fmt.Sprint(o.LatMax), "--part", fmt.Sprint(p), "--parts", fmt.Sprint(jobs)}
		if o.Only > 0 {
			args = append(args, "--only", fmt.Sprint(o.Only))
		}
		if o.BeamRows > 0 {
			args = append(args, "--beam-rows", fmt.Sprint(o.BeamRows))
		}
		cmd := exec.CommandContext(ctx, o.Python, args...)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				mu.Lock()
				lines = append(lines, sc.Text())
				done++
				if o.Only == 0 {
					fmt.Fprintf(os.Stderr, "\rgranule %d/%d", done, want)
				}
				mu.Unlock()
			}
			errs[p] = cmd.Wait()
		}()
	}
	wg.Wait()
	if o.Only == 0 {
		fmt.Fprintln(os.Stderr)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	slices.Sort(lines)
	return os.WriteFile(filepath.Join(o.Dir, manifestName), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// manifestEntry is one line of manifest.jsonl: what mkcycle.py wrote.
type manifestEntry struct {
	Name        string `json:"name"`
	RGT         int    `json:"rgt"`
	Region      int    `json:"region"`
	RowsPerBeam int    `json:"rows_per_beam"`
	ValidRows   int64  `json:"valid_rows"` // rows whose quality flag is 0 (counted by numpy)
}

// granuleURL is the catalog URL of a granule file name.
func granuleURL(name string) string { return "s3://" + bucket + "/" + keyPrefix + name }

// granuleFiles lists the granules of a benchmark folder, sorted by name.
func granuleFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, granuleSubdir, "*.h5"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no granules in %s (run gen first)", filepath.Join(dir, granuleSubdir))
	}
	slices.Sort(files)
	return files, nil
}

// buildCatalog maps each order-6 parent cell to the granules with at least
// one row in it (authalic latitude, as the built-in config), from the
// granules' own coordinates: the exact cover, where a CMR catalog matches
// footprint polygons (a superset). Writes catalog.json in dir.
func buildCatalog(ctx context.Context, dir string) (*cmr.Catalog, error) {
	files, err := granuleFiles(dir)
	if err != nil {
		return nil, err
	}
	cells := map[uint64][]string{}
	for _, path := range files {
		parents, err := granuleParents(ctx, path, healpix.Authalic, parentOrder)
		if err != nil {
			return nil, err
		}
		for p := range parents {
			cells[p] = append(cells[p], granuleURL(filepath.Base(path)))
		}
	}
	cat := &cmr.Catalog{Metadata: cmr.Metadata{
		ShortName: "ATL06", Version: "007", Provider: "NSIDC_CPRD",
		StartDate: "2024-01-06", EndDate: "2024-04-06",
		ParentOrder: parentOrder, TotalGranules: len(files), TotalCells: len(cells),
		Created: time.Now().UTC().Format("2006-01-02T15:04:05.000000"), S3Base: "s3://" + bucket,
		Cycle: 22, Latitude: healpix.Authalic, LatitudeRecorded: true,
		ZaggVersion: "zagg-go " + pipeline.Version + " (bench/cycle gen: synthetic granules)",
	}}
	for nest, urls := range cells {
		cat.Cells = append(cat.Cells, cmr.CatalogCell{Cell: morton.FromNest(parentOrder, nest), Granules: urls})
	}
	slices.SortFunc(cat.Cells, func(a, b cmr.CatalogCell) int {
		x, _ := a.Cell.Legacy()
		y, _ := b.Cell.Legacy()
		return cmpInt(x, y)
	})
	for i := range cat.Cells {
		slices.Sort(cat.Cells[i].Granules)
	}
	if err := cat.WriteFile(filepath.Join(dir, catalogName)); err != nil {
		return nil, err
	}
	return cat, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// granuleParents returns the parent cells (NESTED ids at order) holding at
// least one row of the granule, with the number of rows in each.
func granuleParents(ctx context.Context, path string, conv healpix.LatitudeConvention, order int) (map[uint64]int, error) {
	f, err := h5read.OpenFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[uint64]int{}
	for _, b := range beams {
		lat, lon, err := readCoords(ctx, f, b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, p := range parentsOf(lat, lon, conv, order) {
			out[p]++
		}
	}
	return out, nil
}

// readCoords decodes a beam's latitude and longitude.
func readCoords(ctx context.Context, f *h5read.File, beam string) (lat, lon []float64, err error) {
	ds, err := f.OpenDatasets(ctx, "/"+beam+"/land_ice_segments/latitude", "/"+beam+"/land_ice_segments/longitude")
	if err != nil {
		return nil, nil, err
	}
	n := ds[0].Len()
	if ds[1].Len() != n {
		return nil, nil, fmt.Errorf("%s: latitude has %d rows, longitude %d", beam, n, ds[1].Len())
	}
	lat, lon = make([]float64, n), make([]float64, n)
	if err := ds[0].ReadFloat64(ctx, lat, 0, n); err != nil {
		return nil, nil, err
	}
	if err := ds[1].ReadFloat64(ctx, lon, 0, n); err != nil {
		return nil, nil, err
	}
	return lat, lon, nil
}

// parentsOf hashes points to their NESTED cells at order, as the pipeline's
// reader does: at the finest order, then truncated.
func parentsOf(lat, lon []float64, conv healpix.LatitudeConvention, order int) []uint64 {
	slat := make([]float64, len(lat))
	conv.ToSphereSlice(slat, lat)
	out := make([]uint64, len(lat))
	healpix.LatLonToNestSlice(out, healpix.MaxOrder, slat, lon)
	shift := uint(2 * (healpix.MaxOrder - order))
	for i := range out {
		out[i] >>= shift
	}
	return out
}
