package lambda_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/pipeline/lambda"
)

// The function side of a run, called directly: a setup event adds the
// parent cell to a new store, a process event aggregates the cell's
// granules into it (here the built-in sample granules, read through an
// Opener instead of S3).
func ExampleWorker() {
	dir, err := os.MkdirTemp("", "zagg-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	store := filepath.Join(dir, "out.zarr")
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		fmt.Println(err)
		return
	}
	cell := cat.Cells[0]
	key := lambda.CellKey(cell.Key())

	granules, err := fs.Sub(sampledata.FS(), "granules")
	if err != nil {
		fmt.Println(err)
		return
	}
	w := &lambda.Worker{Opener: pipeline.FSOpener(granules)}
	ctx := context.Background()
	r := w.Handle(ctx, &lambda.Event{Mode: lambda.ModeSetup, StorePath: store, ParentOrder: 6, ChildOrder: 12,
		Parents: []lambda.CellKey{key}})
	fmt.Println("setup:", r.StatusCode)
	r = w.Handle(ctx, &lambda.Event{ParentMorton: key, ParentOrder: 6, ChildOrder: 12,
		GranuleURLs: cell.Granules, StorePath: store})
	var res dispatch.CellResult
	if err := json.Unmarshal([]byte(r.Body), &res); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("process:", r.StatusCode, "granules read:", res.FilesProcessed == len(cell.Granules), "error:", res.Error)
	// Output:
	// setup: 200
	// process: 200 granules read: true error: <nil>
}
