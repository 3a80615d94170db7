// Command windows-bench measures what time windows cost a worker (issue
// #17): one dense parent cell (synthetic ATL06-like granules whose tracks all
// cross it, spread over ICESat-2 cycles 3–22; made on demand by
// internal/sampledata/mksample.py --dense DIR --spread) read and aggregated
// with zagg's ATL06 config as one window, and with the same config plus
// output.time (cycles 3–22, 20 windows) and output.trend (dh/dt of h_mean):
// the granules are read once, each point binned by window in the same pass,
// each window aggregated, and the trend fitted at every order.
//
// It reports, per configuration, the CPU time (user + system) and wall time
// of reading the cell (pipeline.CellReader.ReadCell), of aggregating it
// (Aggregator.Aggregate) and of writing it into an in-memory store
// (Store.WriteCell), the best of -rounds rounds, and the ratios of the
// multi-window configuration to the one-window one (also with all 20
// windows in one chunk, output.time.chunk 20). Target: read + aggregate ≤
// 1.2× one window's.
//
// Usage (from the repository root):
//
//	go run ./bench/windows [-dir /tmp/zagg-dense-windows] [-granules 20 -segments 50000] [-rounds 3]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/zarrstore"
)

// phases is the cost of one cell under one configuration.
type phases struct {
	readCPU, aggCPU, writeCPU    time.Duration
	readWall, aggWall, writeWall time.Duration
	points                       int
	windows                      int
	chunks                       int // chunks written
}

func main() {
	dir := flag.String("dir", "/tmp/zagg-dense-windows", "dense cell folder (made when missing)")
	ngranules := flag.Int("granules", 20, "granules to make")
	nseg := flag.Int("segments", 50000, "segments per beam to make")
	rounds := flag.Int("rounds", 3, "rounds (the best is reported)")
	flag.Parse()
	if err := run(*dir, *ngranules, *nseg, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "windows-bench:", err)
		os.Exit(1)
	}
}

func run(dir string, ngranules, nseg, rounds int) error {
	if err := ensureData(dir, ngranules, nseg); err != nil {
		return err
	}
	cat, err := cmr.LoadCatalog(filepath.Join(dir, "catalog.json"))
	if err != nil {
		return err
	}
	if len(cat.Cells) != 1 {
		return fmt.Errorf("%s: want one cell, the catalog has %d", dir, len(cat.Cells))
	}
	one, err := config.Builtin("atl06")
	if err != nil {
		return err
	}
	multi, err := windowed(1)
	if err != nil {
		return err
	}
	packed, err := windowed(20)
	if err != nil {
		return err
	}
	opener := pipeline.DirOpener(filepath.Join(dir, "granules"))
	cell := cat.Cells[0]
	fmt.Printf("dense cell %s: %d granules; best of %d rounds; GOMAXPROCS=%d\n", cell.Cell, len(cell.Granules), rounds, runtime.GOMAXPROCS(0))
	best := map[string]*phases{}
	for r := range rounds {
		for _, c := range []struct {
			name string
			cfg  *config.Config
		}{{"one window", one}, {"20 windows + dh/dt", multi}, {"same, chunk: 20", packed}} {
			p, err := measure(cell, c.cfg, opener)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			fmt.Fprintf(os.Stderr, "round %d %s: read %.2fs agg %.2fs write %.2fs CPU\n", r+1, c.name, p.readCPU.Seconds(), p.aggCPU.Seconds(), p.writeCPU.Seconds())
			if b := best[c.name]; b == nil || p.readCPU+p.aggCPU < b.readCPU+b.aggCPU {
				best[c.name] = p
			}
		}
	}
	a, b := best["one window"], best["20 windows + dh/dt"]
	fmt.Printf("\n%-20s %8s %10s %9s %9s %9s %9s %8s\n", "configuration", "points", "read CPU", "agg CPU", "write CPU", "read+agg", "wall r+a", "chunks")
	for _, x := range []struct {
		name string
		p    *phases
	}{{"one window", a}, {"20 windows + dh/dt", b}, {"same, chunk: 20", best["same, chunk: 20"]}} {
		p := x.p
		fmt.Printf("%-20s %8d %9.3fs %8.3fs %8.3fs %8.3fs %8.3fs %8d\n", x.name, p.points, p.readCPU.Seconds(), p.aggCPU.Seconds(), p.writeCPU.Seconds(),
			(p.readCPU + p.aggCPU).Seconds(), (p.readWall + p.aggWall).Seconds(), p.chunks)
	}
	ratio := float64(b.readCPU+b.aggCPU) / float64(a.readCPU+a.aggCPU)
	fmt.Printf("\nread + aggregate, %d windows / one window: %.2f× CPU (target ≤ 1.2×), %.2f× wall; read alone %.2f×, aggregate alone %.2f×\n",
		b.windows, ratio, float64(b.readWall+b.aggWall)/float64(a.readWall+a.aggWall),
		float64(b.readCPU)/float64(a.readCPU), float64(b.aggCPU)/float64(a.aggCPU))
	fmt.Printf("write: %.2f× CPU for %.1f× the chunks (each window's chunk of every statistic at every order, and the trend)\n",
		float64(b.writeCPU)/float64(a.writeCPU), float64(b.chunks)/float64(a.chunks))
	c := best["same, chunk: 20"]
	fmt.Printf("with output.time.chunk 20 (all windows in one chunk): %.2f× one window's chunks, write %.2f× its CPU\n",
		float64(c.chunks)/float64(a.chunks), float64(c.writeCPU)/float64(a.writeCPU))
	return nil
}

// windowed is the ATL06 config with delta_time, 20 cycle windows (chunk
// windows per chunk) and dh/dt.
func windowed(chunk int) (*config.Config, error) {
	y, err := os.ReadFile(filepath.Join("pipeline", "config", "builtin", "atl06.yaml"))
	if err != nil {
		return nil, fmt.Errorf("%w (run from the repository root)", err)
	}
	y = bytes.Replace(y, []byte(`    s_li: "/{group}/land_ice_segments/h_li_sigma"`),
		[]byte(`    s_li: "/{group}/land_ice_segments/h_li_sigma"`+"\n"+`    t: "/{group}/land_ice_segments/delta_time"`), 1)
	y = append(y, []byte(fmt.Sprintf("  time: {source: t, cycles: 3-22, chunk: %d}\n  trend: {value: h_mean, sigma: h_sigma, min_windows: 3}\n", chunk))...)
	return config.Parse("atl06+time", y)
}

// measure reads, aggregates and writes the cell once under cfg.
func measure(cell cmr.CatalogCell, cfg *config.Config, opener pipeline.Opener) (*phases, error) {
	ctx := context.Background()
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		return nil, err
	}
	rd := pipeline.NewCellReader(cfg, a.Columns(), opener)
	p := &phases{windows: a.NumWindows()}
	c0, w0 := cpuTime(), time.Now()
	pts, _, err := rd.ReadCell(ctx, cell.Cell, cell.Granules)
	if err != nil {
		return nil, err
	}
	c1, w1 := cpuTime(), time.Now()
	st, err := a.Aggregate(cell.Cell, pts)
	if err != nil {
		return nil, err
	}
	c2, w2 := cpuTime(), time.Now()
	mem := zarrstore.NewMemBackend()
	s, err := pipeline.NewStore(zarrstore.New(mem), cfg, a, cell.Cell.Order(), cfg.Output.Latitude)
	if err != nil {
		return nil, err
	}
	if err := s.Setup(ctx, []morton.Cell{cell.Cell}, pipeline.Provenance{}); err != nil {
		return nil, err
	}
	before := countChunks(ctx, mem)
	c3, w3 := cpuTime(), time.Now()
	if err := s.Write(ctx, cell.Cell, st); err != nil {
		return nil, err
	}
	c4, w4 := cpuTime(), time.Now()
	p.chunks = countChunks(ctx, mem) - before
	p.points = pts.Len()
	p.readCPU, p.aggCPU, p.writeCPU = c1-c0, c2-c1, c4-c3
	p.readWall, p.aggWall, p.writeWall = w1.Sub(w0), w2.Sub(w1), w4.Sub(w3)
	return p, nil
}

// countChunks counts the statistic chunk objects of a store.
func countChunks(ctx context.Context, b *zarrstore.MemBackend) int {
	n := 0
	for k, err := range b.List(ctx, "") {
		if err == nil && bytes.Contains([]byte(k), []byte("/c/")) {
			n++
		}
	}
	return n
}

func ensureData(dir string, ngranules, nseg int) error {
	if _, err := os.Stat(filepath.Join(dir, "catalog.json")); err == nil {
		return nil
	}
	script := filepath.Join("internal", "sampledata", "mksample.py")
	fmt.Fprintf(os.Stderr, "making the dense cell in %s (python3 %s --dense --spread)…\n", dir, script)
	cmd := exec.Command("/usr/bin/python3", script, "--dense", dir, "--spread",
		"--granules", fmt.Sprint(ngranules), "--segments", fmt.Sprint(nseg))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
