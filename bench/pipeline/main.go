// Command pipeline-bench measures pipeline.Run on one dense Antarctic parent
// cell: 20 synthetic ATL06-like granules × 6 beams × 150,000 segments whose
// tracks all cross the same order-6 cell (made on demand by
// internal/sampledata/mksample.py --dense), read from local files and from a
// loopback S3 server (gofakes3, in this process).
//
// Each measurement runs in a child process (this program with -child), so its
// peak RSS counts the pipeline alone, not the S3 server holding the granules
// in memory. Reported per source: wall time, CPU time (user + system), peak
// RSS, requests and bytes fetched, points, and the per-phase split (read,
// decode, bin, aggregate, write; summed over the goroutines reading granules,
// so read + decode may exceed the wall time). Target: peak RSS ≤ 256 MB.
//
// Four modes are measured side by side, each in its own child (see
// index.go): floor (decode the whole latitude and longitude of every beam of
// the 20 granules, nothing else: the least the design without an index
// pays), build (build and store the granules' chunk indexes,
// pipeline/chunkindex), plain (the cell without indexes) and indexed (the
// cell through the indexes). It checks that plain and indexed write the same
// chunks, and prints the ratios docs/performance.md reports (targets:
// indexed ≤ 0.25× the floor's CPU, peak RSS ≤ 128 MB, build ≤ 1× the floor).
// Two more measure the one-pass map step (mapstep.go): mapbuild (map the 20
// granules into one object each, pipeline/cellmap) and mapped (the cell from
// those objects); mapped must write the same chunks as plain too.
//
// Usage:
//
//	go run ./bench/pipeline [-dir /tmp/zagg-dense] [-source both|local|s3] [-rounds 1]
//	    [-modes floor,build,plain,indexed,mapbuild,mapped] [-codec none|zstd] [-granule-workers 4] [-granules 20 -segments 150000]
//
// With no data in -dir it runs Debian's /usr/bin/python3 (h5py, healpy,
// numpy) to make it first (a few minutes, ~1 GB of files).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/internal/humanize"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/cellmap"
	"github.com/zagg-go/zagg/pipeline/chunkindex"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// measurement is what a child reports.
type measurement struct {
	Source     string               `json:"source"`
	WallS      float64              `json:"wall_s"`
	CPUS       float64              `json:"cpu_s"`
	PeakRSSMB  float64              `json:"peak_rss_mb"`
	PeakHeapMB float64              `json:"peak_heap_mb"` // largest Go heap in use seen (sampled every 5 ms)
	Points     int64                `json:"points"`
	GoMaxProcs int                  `json:"gomaxprocs"`
	Result     *dispatch.CellResult `json:"result"`

	Mode string `json:"mode"`
	// Requests, BytesFetched and BytesUsed are h5read's counters (for the
	// cell modes, the Result's); Rows the coordinate rows decoded (floor).
	Requests     int64  `json:"requests"`
	BytesFetched int64  `json:"bytes_fetched"`
	BytesUsed    int64  `json:"bytes_used"`
	Rows         int64  `json:"rows,omitempty"`
	Digest       string `json:"digest,omitempty"`      // of the chunks written (cell modes)
	IndexBytes   int64  `json:"index_bytes,omitempty"` // build, mapbuild: bytes of the indexes or cell maps stored
	Indexes      int    `json:"indexes,omitempty"`     // build, mapbuild: indexes or cell maps stored
}

func main() {
	dir := flag.String("dir", filepath.Join(os.TempDir(), "zagg-dense"), "dense cell folder (catalog.json, granules/)")
	source := flag.String("source", "both", "local, s3 or both")
	rounds := flag.Int("rounds", 1, "measurements per source; each line is reported")
	granuleWorkers := flag.Int("granule-workers", 4, "granules read at once")
	ngranules := flag.Int("granules", 20, "granules to generate when -dir is empty")
	nseg := flag.Int("segments", 150000, "segments per beam to generate when -dir is empty")
	modes := flag.String("modes", "floor,build,plain,indexed,mapbuild,mapped", "what to measure, in order (indexed needs build first, mapped mapbuild)")
	codec := flag.String("codec", "none", "mapbuild: the cell maps' codec, none or zstd")
	mode := flag.String("mode", modePlain, "internal: the child's mode")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of each child's measured run to this prefix + mode")
	child := flag.Bool("child", false, "internal: measure one run in this process")
	endpoint := flag.String("endpoint", "", "internal: S3 endpoint of the parent's server")
	flag.Parse()
	if *child {
		if *cpuProfile != "" {
			stop, err := startProfile(*cpuProfile + "." + *source + "." + *mode)
			if err != nil {
				fmt.Fprintln(os.Stderr, "child:", err)
				os.Exit(1)
			}
			defer stop()
		}
		if err := runChild(*dir, *source, *endpoint, *granuleWorkers, *mode, *codec); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		return
	}
	if err := ensureData(*dir, *ngranules, *nseg); err != nil {
		fmt.Fprintln(os.Stderr, "pipeline-bench:", err)
		os.Exit(1)
	}
	var sources []string
	switch *source {
	case "both":
		sources = []string{"local", "s3"}
	case "local", "s3":
		sources = []string{*source}
	default:
		fmt.Fprintln(os.Stderr, "pipeline-bench: -source must be local, s3 or both")
		os.Exit(2)
	}
	var results []measurement
	for _, src := range sources {
		ep := ""
		var stop func()
		if src == "s3" {
			var err error
			if ep, stop, err = startS3(*dir); err != nil {
				fmt.Fprintln(os.Stderr, "pipeline-bench: s3:", err)
				os.Exit(1)
			}
		}
		for r := 0; r < *rounds; r++ {
			for _, md := range strings.Split(*modes, ",") {
				m, err := spawn(*dir, src, ep, *granuleWorkers, strings.TrimSpace(md), *cpuProfile, *codec)
				if err != nil {
					fmt.Fprintln(os.Stderr, "pipeline-bench:", err)
					os.Exit(1)
				}
				results = append(results, *m)
				report(m)
			}
		}
		if stop != nil {
			stop()
		}
		summarize(src, results)
	}
	// The ratio of the best (least CPU) plain measurement of each source.
	best := map[string]measurement{}
	for _, m := range results {
		if m.Mode != modePlain {
			continue
		}
		if b, ok := best[m.Source]; !ok || m.CPUS < b.CPUS {
			best[m.Source] = m
		}
	}
	if l, ok := best["local"]; ok {
		if s, ok := best["s3"]; ok {
			fmt.Printf("s3/local (best of each): wall %.2fx, cpu %.2fx, peak RSS %.2fx, bytes fetched %.2fx\n",
				s.WallS/l.WallS, s.CPUS/l.CPUS, s.PeakRSSMB/l.PeakRSSMB, float64(s.Result.BytesFetched)/float64(l.Result.BytesFetched))
		}
	}
}

func report(m *measurement) {
	if m.Result == nil {
		fmt.Printf("%-5s %-7s wall %6.2fs  cpu %6.2fs  peak RSS %6.1f MB (Go heap %.1f MB)  %d requests  %s fetched (%s used)",
			m.Source, m.Mode, m.WallS, m.CPUS, m.PeakRSSMB, m.PeakHeapMB, m.Requests, humanize.Bytes(m.BytesFetched), humanize.Bytes(m.BytesUsed))
		if m.Rows > 0 {
			fmt.Printf("  %d coordinate rows", m.Rows)
		}
		if m.Indexes > 0 {
			fmt.Printf("  %d indexes, %s", m.Indexes, humanize.Bytes(m.IndexBytes))
		}
		fmt.Println()
		return
	}
	r := m.Result
	p := r.Phases
	fmt.Printf("%-5s %-7s wall %6.2fs  cpu %6.2fs  peak RSS %6.1f MB (Go heap %.1f MB)  %d requests  %s fetched (%s used)  %d points (%.2f Mpts/s)  GOMAXPROCS %d\n",
		m.Source, m.Mode, m.WallS, m.CPUS, m.PeakRSSMB, m.PeakHeapMB, r.Requests, humanize.Bytes(r.BytesFetched), humanize.Bytes(r.BytesUsed),
		m.Points, float64(m.Points)/m.WallS/1e6, m.GoMaxProcs)
	fmt.Printf("              phases: read %.2fs  decode %.2fs  bin %.2fs  aggregate %.2fs  write %.2fs  (%d granules, %d child cells with data)  %s\n",
		p.Read, p.Decode, p.Bin, p.Aggregate, p.Write, r.FilesProcessed, r.CellsWithData, m.Digest)
	if r.Error != nil {
		fmt.Printf("      error: %s\n", *r.Error)
	}
}

// ensureData makes the dense cell if dir has no catalog.
func ensureData(dir string, ngranules, nseg int) error {
	if _, err := os.Stat(filepath.Join(dir, "catalog.json")); err == nil {
		return nil
	}
	script := filepath.Join("internal", "sampledata", "mksample.py")
	if _, err := os.Stat(script); err != nil {
		return fmt.Errorf("no dense data in %s and %s not found (run from the repository root)", dir, script)
	}
	fmt.Fprintf(os.Stderr, "making the dense cell in %s (python3 %s --dense)…\n", dir, script)
	cmd := exec.Command("/usr/bin/python3", script, "--dense", dir,
		"--granules", fmt.Sprint(ngranules), "--segments", fmt.Sprint(nseg))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// startS3 serves the dense granules from an in-memory S3 server under the
// keys the catalog names.
func startS3(dir string) (string, func(), error) {
	faker := gofakes3.New(s3mem.New())
	srv := httptest.NewServer(faker.Server())
	c := client(srv.URL)
	ctx := context.Background()
	cat, err := cmr.LoadCatalog(filepath.Join(dir, "catalog.json"))
	if err != nil {
		srv.Close()
		return "", nil, err
	}
	made := map[string]bool{}
	for _, cell := range cat.Cells {
		for _, u := range cell.Granules {
			bucket, key, err := pipeline.SplitS3URL(u)
			if err != nil {
				srv.Close()
				return "", nil, err
			}
			for _, b := range []string{bucket, "out"} {
				if !made[b] {
					if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
						srv.Close()
						return "", nil, err
					}
					made[b] = true
				}
			}
			data, err := os.ReadFile(filepath.Join(dir, "granules", filepath.Base(key)))
			if err != nil {
				srv.Close()
				return "", nil, err
			}
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
				srv.Close()
				return "", nil, err
			}
		}
	}
	return srv.URL, srv.Close, nil
}

func client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("bench", "bench", ""),
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// spawn runs one measurement in a child process.
func spawn(dir, source, endpoint string, granuleWorkers int, mode, cpuProfile, codec string) (*measurement, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-child", "-dir", dir, "-source", source, "-endpoint", endpoint,
		"-granule-workers", fmt.Sprint(granuleWorkers), "-mode", mode, "-cpuprofile", cpuProfile, "-codec", codec)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s child: %w", source, mode, err)
	}
	var m measurement
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("%s child output: %w", source, err)
	}
	return &m, nil
}

// runChild measures one mode once and prints a measurement.
func runChild(dir, source, endpoint string, granuleWorkers int, mode, codec string) error {
	ctx := context.Background()
	cfg, err := config.Builtin("atl06")
	if err != nil {
		return err
	}
	cat, err := cmr.LoadCatalog(filepath.Join(dir, "catalog.json"))
	if err != nil {
		return err
	}
	if len(cat.Cells) != 1 {
		return fmt.Errorf("the dense catalog has %d cells, want 1", len(cat.Cells))
	}
	conv, err := pipeline.Convention(cat, cfg)
	if err != nil {
		return err
	}
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		return err
	}
	var (
		opener pipeline.Opener
		z      *zarrstore.Store
	)
	tmp, err := os.MkdirTemp("", "zagg-bench-store")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	switch source {
	case "local":
		opener = pipeline.DirOpener(filepath.Join(dir, "granules"))
		z = zarrstore.New(zarrstore.NewFSBackend(filepath.Join(tmp, "dense.zarr"), false))
	case "s3":
		c := client(endpoint)
		opener = pipeline.S3Opener(c)
		if z, err = openS3Store("s3://out/dense-"+fmt.Sprint(time.Now().UnixNano())+".zarr", endpoint); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown source %q", source)
	}
	st, err := pipeline.NewStore(z, cfg, a, cat.Metadata.ParentOrder, conv)
	if err != nil {
		return err
	}
	if err := st.Setup(ctx, []morton.Cell{cat.Cells[0].Cell}, pipeline.NewProvenance(cat.Metadata, cat.Cells[:1])); err != nil {
		return err
	}
	rd := pipeline.NewCellReader(cfg, a.Columns(), opener)
	rd.Concurrency = granuleWorkers
	rd.Convention = conv
	cell := cat.Cells[0]
	var ixStore *chunkindex.Store
	if mode == modeBuild || mode == modeIndexed {
		if ixStore, err = indexStore(dir, source, endpoint); err != nil {
			return err
		}
	}
	if mode == modeIndexed {
		rd.Index = pipeline.StoreIndexes(ixStore)
	}
	var cmStore *cellmap.Store
	if mode == modeMapBuild || mode == modeMapped {
		if cmStore, err = mapStore(dir, source, endpoint); err != nil {
			return err
		}
	}
	if mode == modeMapped {
		rd.CellMap = pipeline.NewCellMaps(cmStore)
	}
	cd, err := cellmap.ParseCodec(codec)
	if err != nil {
		return err
	}

	peakHeap := make(chan uint64)
	stopSampling := make(chan struct{})
	go func() {
		var peak uint64
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopSampling:
				peakHeap <- peak
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	m := measurement{Source: source, Mode: mode, GoMaxProcs: runtime.GOMAXPROCS(0)}
	cpu0 := cpuTime()
	t0 := time.Now()
	switch mode {
	case modeFloor:
		var fs h5read.Stats
		fs, m.Rows, err = decodeFloor(ctx, rd.Source, opener, cell.Granules, granuleWorkers)
		m.Requests, m.BytesFetched, m.BytesUsed = fs.Requests, fs.BytesFetched, fs.BytesUsed
	case modeBuild:
		var spec chunkindex.Spec
		if spec, err = rd.IndexSpec(cat.Metadata.ParentOrder); err != nil {
			break
		}
		b := &chunkindex.Builder{Spec: spec, Opener: opener, Store: ixStore, Concurrency: granuleWorkers, Overwrite: true, Options: floorReadOptions()}
		var rep *chunkindex.BuildReport
		if rep, err = b.BuildAll(ctx, cell.Granules); err == nil && len(rep.Failed) > 0 {
			err = &rep.Failed[0]
		}
		if rep != nil {
			m.Requests, m.BytesFetched, m.BytesUsed, m.IndexBytes, m.Indexes = rep.Requests, rep.BytesFetched, rep.BytesUsed, rep.IndexBytes, rep.Built
		}
	case modeMapBuild:
		b := &cellmap.Builder{Store: cmStore, Concurrency: granuleWorkers, Overwrite: true,
			Map: func(ctx context.Context, url string) ([]byte, cellmap.BuildStats, error) {
				return rd.MapGranule(ctx, url, cat.Metadata.ParentOrder, cd)
			}}
		var rep *cellmap.BuildReport
		if rep, err = b.BuildAll(ctx, cell.Granules); err == nil && len(rep.Failed) > 0 {
			err = &rep.Failed[0]
		}
		if rep != nil {
			m.Requests, m.BytesFetched, m.BytesUsed, m.IndexBytes, m.Indexes = rep.Requests, rep.BytesFetched, rep.BytesUsed, rep.ObjectBytes, rep.Built
		}
	case modePlain, modeIndexed, modeMapped:
		m.Result, err = pipeline.Run(ctx, dispatch.Job{Cell: cell.Cell, Granules: cell.Granules}, rd, a, st)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	wall := time.Since(t0)
	cpu := cpuTime() - cpu0
	close(stopSampling)
	heap := <-peakHeap
	if err != nil {
		return err
	}
	m.WallS, m.CPUS = wall.Seconds(), cpu.Seconds()
	m.PeakRSSMB, m.PeakHeapMB = peakRSSMB(), float64(heap)/(1<<20)
	if res := m.Result; res != nil {
		m.Points, m.Requests, m.BytesFetched, m.BytesUsed = res.TotalObs, res.Requests, res.BytesFetched, res.BytesUsed
		if m.Digest, err = chunkDigest(ctx, z.Backend()); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(&m)
}

// peakRSSMB returns the process's peak resident set: VmHWM from
// /proc/self/status, which belongs to this program's address space
// (getrusage's ru_maxrss survives exec and would report the parent's peak,
// which holds the S3 server's objects).
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kb float64
				if _, err := fmt.Sscanf(strings.TrimSpace(v), "%g kB", &kb); err == nil {
					return kb / 1024
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // KiB on Linux
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// openS3Store opens a store on the loopback S3 server.
func openS3Store(loc, endpoint string) (*zarrstore.Store, error) {
	return zarrstore.Open(loc, s3store.WithClient(client(endpoint), s3store.Options{}))
}

// summarize prints the ratios of the best (least CPU) measurement of each
// mode of a source.
func summarize(source string, results []measurement) {
	best := map[string]measurement{}
	for _, m := range results {
		if m.Source != source {
			continue
		}
		if b, ok := best[m.Mode]; !ok || m.CPUS < b.CPUS {
			best[m.Mode] = m
		}
	}
	floor, hasFloor := best[modeFloor]
	plain, hasPlain := best[modePlain]
	ix, hasIx := best[modeIndexed]
	if build, ok := best[modeBuild]; ok && hasFloor {
		fmt.Printf("%s: build/floor: cpu %.2fx, wall %.2fx\n", source, build.CPUS/floor.CPUS, build.WallS/floor.WallS)
	}
	if hasPlain && hasFloor {
		fmt.Printf("%s: plain/floor: cpu %.2fx, wall %.2fx\n", source, plain.CPUS/floor.CPUS, plain.WallS/floor.WallS)
	}
	if hasIx && hasFloor {
		fmt.Printf("%s: indexed/floor: cpu %.3fx (target <= 0.25), wall %.3fx; indexed peak RSS %.1f MB (target <= 128)\n",
			source, ix.CPUS/floor.CPUS, ix.WallS/floor.WallS, ix.PeakRSSMB)
	}
	if hasIx && hasPlain {
		fmt.Printf("%s: indexed/plain: cpu %.3fx, wall %.3fx, requests %.2fx, bytes fetched %.3fx, bytes used %.3fx, peak RSS %.2fx\n",
			source, ix.CPUS/plain.CPUS, ix.WallS/plain.WallS, float64(ix.Requests)/float64(plain.Requests),
			float64(ix.BytesFetched)/float64(plain.BytesFetched), float64(ix.BytesUsed)/float64(plain.BytesUsed), ix.PeakRSSMB/plain.PeakRSSMB)
		same := "the same chunks"
		if ix.Digest != plain.Digest || ix.Points != plain.Points {
			same = "DIFFERENT chunks: " + ix.Digest + " vs " + plain.Digest
		}
		fmt.Printf("%s: indexed and plain wrote %s (%d points)\n", source, same, ix.Points)
	}
	mp, hasMapped := best[modeMapped]
	if mb, ok := best[modeMapBuild]; ok && hasFloor {
		fmt.Printf("%s: mapbuild/floor: cpu %.2fx, wall %.2fx (%d objects, %s)\n", source, mb.CPUS/floor.CPUS, mb.WallS/floor.WallS, mb.Indexes, humanize.Bytes(mb.IndexBytes))
	}
	if hasMapped && hasFloor {
		fmt.Printf("%s: mapped/floor: cpu %.3fx, wall %.3fx; mapped peak RSS %.1f MB\n", source, mp.CPUS/floor.CPUS, mp.WallS/floor.WallS, mp.PeakRSSMB)
	}
	if hasMapped && hasIx {
		fmt.Printf("%s: mapped/indexed: cpu %.3fx, wall %.3fx, requests %.2fx, bytes fetched %.3fx, bytes used %.3fx\n", source,
			mp.CPUS/ix.CPUS, mp.WallS/ix.WallS, float64(mp.Requests)/float64(ix.Requests), float64(mp.BytesFetched)/float64(ix.BytesFetched), float64(mp.BytesUsed)/float64(ix.BytesUsed))
	}
	if hasMapped && hasPlain {
		same := "the same chunks"
		if mp.Digest != plain.Digest || mp.Points != plain.Points {
			same = "DIFFERENT chunks: " + mp.Digest + " vs " + plain.Digest
		}
		fmt.Printf("%s: mapped and plain wrote %s (%d points)\n", source, same, mp.Points)
	}
}

// startProfile starts a CPU profile written to path.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
