package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/humanize"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

// runEnv is what a design is given: the whole simulated run.
type runEnv struct {
	Config         *config.Config
	Catalog        *cmr.Catalog
	Opener         pipeline.Opener
	StoreDir       string       // an empty folder for the output store
	Workers        int          // cells at once
	GranuleWorkers int          // granules of a cell at once
	Cells          []string     // catalog keys to process (nil: every cell)
	Build          *buildTotals // set by a design with a build step
	MemStore       bool         // the output store in memory, not in StoreDir
	Codec          string       // the cell maps' codec (design map)
	// SidecarLatency delays every read of a sidecar object (chunk index,
	// cell map) as the granule server delays its answers: with -source
	// http, the sidecars cost round trips like the granules on S3.
	SidecarLatency time.Duration

	counter *countingBackend // the store's, set by newStore
}

// newStore returns the run's output store: a folder (StoreDir), or memory
// when the benchmark isolates the read path from the file system's cost of
// creating ~70 chunk files per cell (the same in every design).
// Its requests are counted (storeCounts).
func (e *runEnv) newStore() *zarrstore.Store {
	var b zarrstore.Backend = zarrstore.NewFSBackend(e.StoreDir, false)
	if e.MemStore {
		b = zarrstore.NewMemBackend()
	}
	e.counter = &countingBackend{Backend: b, sidecarLatency: e.SidecarLatency}
	return zarrstore.New(e.counter)
}

// design is one way of processing every cell of a run. Run returns one
// CellResult per processed cell (its Requests, BytesFetched and BytesUsed
// are what the totals add up); the benchmark measures its CPU and wall
// around the call.
type design struct {
	Doc string
	Run func(ctx context.Context, env *runEnv) ([]*dispatch.CellResult, error)
}

// buildTotals is what a design spends outside its cells (the index build):
// its requests and bytes are added to the run's totals, its CPU is in the
// run's.
type buildTotals struct {
	Granules                          int
	Requests, BytesFetched, BytesUsed int64
	CPUS, WallS                       float64
	// Objects written (cell maps) and their bytes, cells and points.
	Objects, ObjectBytes, Cells, Points int64 `json:",omitempty"`
}

// designs are the designs -design selects. A new read path (the per-granule
// chunk index of issue #19) registers itself here from a file of its own,
// e.g. designs["index"] = design{Doc: ..., Run: runIndex}, and is then
// measured by the same run, floors and table.
var designs = map[string]design{
	"today": {Doc: "pipeline.Runner as examples/local runs it: every cell reads the whole coordinates of each of its granules", Run: runToday},
}

// runToday is the pipeline as it is: pipeline.Runner over the catalog.
func runToday(ctx context.Context, env *runEnv) ([]*dispatch.CellResult, error) {
	r := &pipeline.Runner{
		Config: env.Config, Catalog: env.Catalog,
		Store:   env.newStore(),
		Opener:  env.Opener,
		Workers: env.Workers, GranuleConcurrency: env.GranuleWorkers,
		Cells: env.Cells, Overwrite: true,
	}
	rep, err := r.Run(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*dispatch.CellResult, 0, len(rep.Results))
	for _, rec := range rep.Results {
		if rec.Result == nil {
			return nil, fmt.Errorf("cell %s: no result (%s)", rec.Cell, rec.Error)
		}
		out = append(out, rec.Result)
	}
	return out, nil
}

// runOptions are the settings of cmdRun.
type runOptions struct {
	Dir            string
	Design         string
	Source         string // local or http
	Latency        time.Duration
	Workers        int
	GranuleWorkers int
	Cells          []string
	MaxCells       int
	Sample         int
	Floors         bool
	Out            string
	CPUProfile     string
	Store          string // fs or mem
	Codec          string // cell maps: none or zstd
}

// totals sum a design's cell results.
type totals struct {
	Cells, CellsWithData, Failed int
	Points                       int64
	Requests                     int64
	BytesFetched, BytesUsed      int64
	GranuleReads                 int64   // (cell, granule) pairs read
	CellWallS                    float64 // sum of the cells' wall times
	DecodeS                      float64 // sum of the cells' decode phases
}

func sum(res []*dispatch.CellResult) totals {
	var t totals
	for _, r := range res {
		t.Cells++
		if r.Failed() {
			t.Failed++
		}
		if r.TotalObs > 0 {
			t.CellsWithData++
		}
		t.Points += r.TotalObs
		t.Requests += r.Requests
		t.BytesFetched += r.BytesFetched
		t.BytesUsed += r.BytesUsed
		t.GranuleReads += int64(r.FilesProcessed)
		t.CellWallS += r.DurationS
		if r.Phases != nil {
			t.DecodeS += r.Phases.Decode
		}
	}
	return t
}

// measurement is what cmdRun reports (and writes as JSON).
type measurement struct {
	Design         string                 `json:"design"`
	Store          string                 `json:"store,omitempty"`
	Source         string                 `json:"source"`
	LatencyMS      float64                `json:"latency_ms,omitempty"`
	Workers        int                    `json:"workers"`
	GranuleWorkers int                    `json:"granule_workers"`
	Granules       int                    `json:"granules"`
	CPUS           float64                `json:"cpu_s"`
	WallS          float64                `json:"wall_s"`
	Totals         totals                 `json:"totals"`
	Floor          *floors                `json:"floors,omitempty"`
	Build          *buildTotals           `json:"build,omitempty"`
	StoreRequests  *storeCounts           `json:"store_requests,omitempty"`
	Codec          string                 `json:"codec,omitempty"`
	Cells          []*dispatch.CellResult `json:"cells"`
}

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var o runOptions
	var cells stringList
	fs.StringVar(&o.Dir, "dir", filepath.Join(os.TempDir(), "zagg-cycle"), "benchmark folder made by gen")
	fs.StringVar(&o.Design, "design", "today", "design to measure: "+strings.Join(designNames(), ", "))
	fs.StringVar(&o.Source, "source", "local", "granules from local files, or http: a loopback HTTP server (another process) adding -latency per request")
	fs.DurationVar(&o.Latency, "latency", 20*time.Millisecond, "with -source http: delay added to every request")
	fs.IntVar(&o.Workers, "workers", 2, "cells at once")
	fs.IntVar(&o.GranuleWorkers, "granule-workers", 4, "granules of a cell at once")
	fs.Var(&cells, "cell", "only these catalog keys (repeatable, comma-separated)")
	fs.IntVar(&o.MaxCells, "max-cells", 0, "only the first N catalog cells")
	fs.IntVar(&o.Sample, "sample", 0, "only N cells spread over the catalog: entries i·len/N (pyzagg_bench.py --sample picks the same)")
	fs.BoolVar(&o.Floors, "floors", true, "measure the one-pass and per-cell floors after the run")
	fs.StringVar(&o.Out, "out", "", "write the measurement as JSON here (default DIR/result-DESIGN-SOURCE.json)")
	fs.StringVar(&o.Store, "store", "fs", "output store: fs (a temporary folder) or mem (in memory: the read path without the file system's per-file cost)")
	fs.StringVar(&o.Codec, "codec", "none", "design map: the cell maps' blocks, none or zstd (shuffled)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the design's run (not the floors) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.Cells = cells
	m, err := measure(context.Background(), o)
	if err != nil {
		return err
	}
	printMeasurement(os.Stdout, m)
	out := o.Out
	if out == "" {
		out = filepath.Join(o.Dir, fmt.Sprintf("result-%s-%s.json", o.Design, o.Source))
	}
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

func designNames() []string {
	var n []string
	for k := range designs {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// measure runs one design over the benchmark folder and, in the same
// process, the floors.
func measure(ctx context.Context, o runOptions) (*measurement, error) {
	d, ok := designs[o.Design]
	if !ok {
		return nil, fmt.Errorf("-design %q: want one of %v", o.Design, designNames())
	}
	cat, err := cmr.LoadCatalog(filepath.Join(o.Dir, catalogName))
	if err != nil {
		return nil, err
	}
	cfg, err := config.Builtin("atl06")
	if err != nil {
		return nil, err
	}
	keys := o.Cells
	if o.Sample > 0 {
		keys = sampleKeys(cat, o.Sample)
	}
	if o.MaxCells > 0 {
		sel, err := cat.Select(keys, o.MaxCells)
		if err != nil {
			return nil, err
		}
		keys = nil
		for _, c := range sel {
			keys = append(keys, c.Key())
		}
	}
	env := &runEnv{Config: cfg, Catalog: cat, Workers: o.Workers, GranuleWorkers: o.GranuleWorkers, Cells: keys, Codec: o.Codec}
	switch o.Store {
	case "fs", "":
	case "mem":
		env.MemStore = true
	default:
		return nil, fmt.Errorf("-store %q: want fs or mem", o.Store)
	}
	m := &measurement{Design: o.Design, Store: o.Store, Source: o.Source, Workers: o.Workers, GranuleWorkers: o.GranuleWorkers}
	switch o.Source {
	case "local":
		env.Opener = pipeline.DirOpener(filepath.Join(o.Dir, granuleSubdir))
	case "http":
		base, stop, err := startServer(o.Dir, o.Latency)
		if err != nil {
			return nil, err
		}
		defer stop()
		m.LatencyMS = float64(o.Latency) / float64(time.Millisecond)
		env.SidecarLatency = o.Latency
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		env.Opener = pipeline.HTTPSOpener(client, func(u string) (string, error) {
			return base + "/" + u[strings.LastIndexByte(u, '/')+1:], nil
		}, nil)
	default:
		return nil, fmt.Errorf("-source %q: want local or http", o.Source)
	}
	tmp, err := os.MkdirTemp("", "zagg-cycle-store")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	env.StoreDir = filepath.Join(tmp, "cycle.zarr")

	if o.CPUProfile != "" {
		pf, err := os.Create(o.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return nil, err
		}
	}
	cpu0, t0 := cpuTime(), time.Now()
	res, err := d.Run(ctx, env)
	m.WallS, m.CPUS = time.Since(t0).Seconds(), (cpuTime() - cpu0).Seconds()
	if o.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return nil, err
	}
	m.Cells = res
	m.Totals = sum(res)
	if env.counter != nil {
		m.StoreRequests = env.counter.counts()
	}
	if o.Design == "map" {
		m.Codec = o.Codec
	}
	if b := env.Build; b != nil {
		m.Build = b
		m.Totals.Requests += b.Requests
		m.Totals.BytesFetched += b.BytesFetched
		m.Totals.BytesUsed += b.BytesUsed
	}
	m.Granules = len(granulesOf(cat, keys))
	if o.Floors {
		f, err := measureFloors(ctx, o.Dir, cat, keys)
		if err != nil {
			return nil, err
		}
		m.Floor = f
	}
	return m, nil
}

// sampleKeys returns the keys of catalog entries i·len/n, i < n (every
// entry when n ≥ len).
func sampleKeys(cat *cmr.Catalog, n int) []string {
	var keys []string
	for i := range min(n, len(cat.Cells)) {
		keys = append(keys, cat.Cells[i*len(cat.Cells)/min(n, len(cat.Cells))].Key())
	}
	return keys
}

// granulesOf returns the distinct granules of the selected cells (every cell
// when keys is nil).
func granulesOf(cat *cmr.Catalog, keys []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cat.Cells {
		if keys != nil && !slices.Contains(keys, c.Key()) {
			continue
		}
		for _, g := range c.Granules {
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	slices.Sort(out)
	return out
}

func printMeasurement(w io.Writer, m *measurement) {
	t := m.Totals
	src := m.Source
	if m.Source == "http" {
		src = fmt.Sprintf("http +%.0fms/request", m.LatencyMS)
	}
	fmt.Fprintf(w, "design %s (store %s), %s, %d cells (%d with data, %d failed), %d granules, %d (cell, granule) reads, workers %d × granule-workers %d\n",
		m.Design, m.Store, src, t.Cells, t.CellsWithData, t.Failed, m.Granules, t.GranuleReads, m.Workers, m.GranuleWorkers)
	fmt.Fprintf(w, "  CPU %.2fs  wall %.2fs  points %d  requests %d  fetched %s  decoded/parsed %s\n",
		m.CPUS, m.WallS, t.Points, t.Requests, humanize.Bytes(t.BytesFetched), humanize.Bytes(t.BytesUsed))
	if t.Cells > 0 {
		fmt.Fprintf(w, "  per cell: wall %.3fs (decode %.3fs)  %.1f requests per granule read\n",
			t.CellWallS/float64(t.Cells), t.DecodeS/float64(t.Cells), float64(t.Requests)/float64(max(t.GranuleReads, 1)))
	}
	if b := m.Build; b != nil {
		step := "index build"
		if m.Design == "map" {
			step = "map step (codec " + m.Codec + ")"
		}
		fmt.Fprintf(w, "  %s (included above): %d granules, CPU %.2fs, wall %.2fs, %d requests, fetched %s, decoded/parsed %s\n",
			step, b.Granules, b.CPUS, b.WallS, b.Requests, humanize.Bytes(b.BytesFetched), humanize.Bytes(b.BytesUsed))
		if b.Objects > 0 {
			fmt.Fprintf(w, "    %d objects written, %s (%d (cell, granule) fragments, %d points)\n", b.Objects, humanize.Bytes(b.ObjectBytes), b.Cells, b.Points)
		}
	}
	if c := m.StoreRequests; c != nil {
		fmt.Fprintf(w, "  store requests: %d PUTs (%s), %d GETs, %d HEADs, %d LISTs; sidecar: %d PUTs (%s), %d GETs, %d HEADs\n",
			c.Puts, humanize.Bytes(c.PutBytes), c.Gets, c.Heads, c.Lists, c.SidecarPuts, humanize.Bytes(c.SidecarPutBytes), c.SidecarGets, c.SidecarHeads)
	}
	f := m.Floor
	if f == nil {
		return
	}
	fmt.Fprintf(w, "  one-pass floor (lat/lon of every granule decoded once): CPU %.2fs, %s stored (%s raw), %d chunks\n",
		f.OnePassCPUS, humanize.Bytes(f.OnePassStored), humanize.Bytes(f.OnePassRaw), f.Chunks)
	fmt.Fprintf(w, "  per-cell floor (each chunk once per cell it touches): %s stored (%.2f× one-pass), %d (chunk, cell) pairs\n",
		humanize.Bytes(f.PerCellStored), ratio(float64(f.PerCellStored), float64(f.OnePassStored)), f.ChunkCellPairs)
	if m.Design == "today" {
		fmt.Fprintf(w, "  this design's coordinate reads (whole lat/lon per (cell, granule)): %s stored (%.2f× one-pass)\n",
			humanize.Bytes(f.DesignCoordStored), ratio(float64(f.DesignCoordStored), float64(f.OnePassStored)))
	}
	fmt.Fprintf(w, "  ratios: CPU %.1f× the one-pass floor CPU; decoded/parsed bytes %.1f× one-pass floor, %.1f× per-cell floor\n",
		ratio(m.CPUS, f.OnePassCPUS), ratio(float64(t.BytesUsed), float64(f.OnePassStored)), ratio(float64(t.BytesUsed), float64(f.PerCellStored)))
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// cpuTime is the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// stringList is a repeatable, comma-separated flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}
