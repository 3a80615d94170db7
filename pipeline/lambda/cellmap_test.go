package lambda

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/cellmap"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// TestWorkerCellMap maps the granules of a cell into the output store's
// sidecar folder, then processes the cell with cell_map set: the result is
// the one without maps, and a second (warm) invocation reads each
// granule's cell with one range read.
func TestWorkerCellMap(t *testing.T) {
	w, srv, key, urls := workerFixture(t)
	ctx := context.Background()
	cfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	process := func(store string, cellMap bool) dispatch.CellResult {
		t.Helper()
		r := w.Handle(ctx, &Event{ParentMorton: CellKey(key), ParentOrder: 6, ChildOrder: 12, GranuleURLs: urls,
			StorePath: store, S3Credentials: srv.Credentials(), CellMap: cellMap})
		var res dispatch.CellResult
		if r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &res) != nil || res.Error != nil {
			t.Fatalf("process (cell_map %v): %d %s", cellMap, r.StatusCode, r.Body)
		}
		return res
	}
	stores := [2]string{outStore(t, "plain.zarr"), outStore(t, "mapped.zarr")}
	for _, s := range stores {
		if r := w.Handle(ctx, &Event{Mode: ModeSetup, StorePath: s, ParentOrder: 6, ChildOrder: 12, Parents: []CellKey{CellKey(key)}}); r.StatusCode != 200 {
			t.Fatalf("setup: %d %s", r.StatusCode, r.Body)
		}
	}
	z, err := zarrstore.Open(stores[1], s3store.WithClient(srv.Client, s3store.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	data, err := w.DataS3(srv.Credentials())
	if err != nil {
		t.Fatal(err)
	}
	rd := pipeline.NewCellReader(cfg, a.Columns(), pipeline.S3Opener(data))
	maps := pipeline.CellMapStore(z)
	for _, u := range urls {
		obj, _, err := rd.MapGranule(ctx, u, 6, cellmap.Zstd)
		if err != nil {
			t.Fatal(err)
		}
		if err := maps.Put(ctx, u, obj); err != nil {
			t.Fatal(err)
		}
	}
	plain := process(stores[0], false)
	cold := process(stores[1], true)
	warm := process(stores[1], true)
	for _, r := range []dispatch.CellResult{cold, warm} {
		if r.TotalObs != plain.TotalObs || r.CellsWithData != plain.CellsWithData || r.FilesProcessed != plain.FilesProcessed {
			t.Errorf("from the maps: %d points in %d cells from %d granules; without: %d in %d from %d",
				r.TotalObs, r.CellsWithData, r.FilesProcessed, plain.TotalObs, plain.CellsWithData, plain.FilesProcessed)
		}
	}
	// Cold: footer, identity and cell per granule; warm: the cell alone.
	// The sample granules fit in h5read's first read, so the plain read
	// also makes one request per granule, but of the whole file.
	if cold.Requests != 3*int64(len(urls)) || warm.Requests != int64(len(urls)) || warm.BytesFetched*4 > plain.BytesFetched {
		t.Errorf("requests: %d without maps (%d bytes), %d from the maps, %d warm (%d bytes) for %d granules",
			plain.Requests, plain.BytesFetched, cold.Requests, warm.Requests, warm.BytesFetched, len(urls))
	}
}
