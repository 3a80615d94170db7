package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/chunkindex"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/zarrstore"
)

// The modes a child measures:
//
//	floor    decode the whole latitude and longitude of every beam of the
//	         cell's granules, nothing else: what every worker of the
//	         current design pays at least, per granule touching its cell
//	build    build and store the chunk indexes of the cell's granules
//	plain    process the cell (pipeline.Run) without indexes
//	indexed  process the cell through the indexes the build stored
const (
	modeFloor   = "floor"
	modeBuild   = "build"
	modePlain   = "plain"
	modeIndexed = "indexed"
)

// floorReadOptions are the h5read options of the floor: the ones
// pipeline.CellReader opens granules with (8 MiB metadata and 16 MiB chunk
// caches, 64 KiB metadata blocks merged within 256 KiB).
func floorReadOptions() []h5read.Option {
	return []h5read.Option{
		h5read.WithCacheSize(8<<20, 16<<20),
		h5read.WithBlockSize(64 << 10),
		h5read.WithMetadataGap(256 << 10),
	}
}

// decodeFloor reads the whole coordinates of every group of every granule,
// workers granules at a time, and returns the summed h5read counters and
// the rows decoded.
func decodeFloor(ctx context.Context, src *config.DataSource, opener pipeline.Opener, granules []string, workers int) (h5read.Stats, int64, error) {
	var (
		mu    sync.Mutex
		total h5read.Stats
		rows  int64
		first error
	)
	next := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat, lon []float64
			for url := range next {
				st, n, err := decodeGranule(ctx, src, opener, url, &lat, &lon)
				mu.Lock()
				total.Requests += st.Requests
				total.BytesFetched += st.BytesFetched
				total.BytesUsed += st.BytesUsed
				rows += n
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, u := range granules {
		next <- u
	}
	close(next)
	wg.Wait()
	return total, rows, first
}

func decodeGranule(ctx context.Context, src *config.DataSource, opener pipeline.Opener, url string, lat, lon *[]float64) (h5read.Stats, int64, error) {
	f, err := opener.Open(ctx, url, floorReadOptions()...)
	if err != nil {
		return h5read.Stats{}, 0, err
	}
	defer f.Close()
	var rows int64
	for _, g := range src.Groups {
		ds, err := f.OpenDatasets(ctx, config.ExpandPath(src.Latitude, g), config.ExpandPath(src.Longitude, g))
		if err != nil {
			return f.Stats(), rows, err
		}
		n := ds[0].Len()
		var plans []*h5read.Plan
		for _, d := range ds {
			p, err := d.PlanRows(ctx, 0, n)
			if err != nil {
				return f.Stats(), rows, err
			}
			plans = append(plans, p)
		}
		if err := f.Fetch(ctx, plans...); err != nil {
			return f.Stats(), rows, err
		}
		*lat, *lon = grow(*lat, n), grow(*lon, n)
		if err := ds[0].ReadFloat64(ctx, *lat, 0, n); err != nil {
			return f.Stats(), rows, err
		}
		if err := ds[1].ReadFloat64(ctx, *lon, 0, n); err != nil {
			return f.Stats(), rows, err
		}
		rows += int64(n)
	}
	return f.Stats(), rows, nil
}

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// chunkDigest hashes the chunk objects of a store (keys and bytes, sorted
// by key; metadata documents left out, they carry timestamps), so that two
// runs can be checked to have written the same statistics.
func chunkDigest(ctx context.Context, b zarrstore.Backend) (string, error) {
	var keys []string
	for k, err := range b.List(ctx, "") {
		if err != nil {
			return "", err
		}
		if strings.Contains(k, "/c/") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		v, err := b.Get(ctx, k)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", k, len(v))
		h.Write(v)
	}
	return fmt.Sprintf("%d chunks, sha256 %s", len(keys), hex.EncodeToString(h.Sum(nil))[:16]), nil
}

// indexStore returns the sidecar index store of a source: a folder for
// local runs, an S3 prefix on the loopback server for s3 runs (so the
// indexed run pays the requests that fetch them).
func indexStore(dir, source, endpoint string) (*chunkindex.Store, error) {
	if source == "s3" {
		z, err := openS3Store("s3://out/dense-index", endpoint)
		if err != nil {
			return nil, err
		}
		return &chunkindex.Store{Backend: z.Backend()}, nil
	}
	return &chunkindex.Store{Backend: zarrstore.NewFSBackend(dir+"/index-store", false)}, nil
}
