package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

// secretCatalog is the sample catalog with granule URLs that carry
// credentials: userinfo and a presigned signature.
func secretCatalog(t *testing.T) *cmr.Catalog {
	t.Helper()
	js := strings.ReplaceAll(string(sampledata.Catalog()), `.h5"`, `.h5?X-Amz-Credential=AKIDSECRET&X-Amz-Signature=deadbeef"`)
	cat, err := cmr.ParseCatalog([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestRunFailedCellsAndRedaction: a run in which every cell fails returns
// an error matching ErrCellsFailed with the counts, and neither the error,
// the report, its JSON nor the records OnRecord sees hold the credentials
// of the granule URLs or of the URLs inside the failures.
func TestRunFailedCellsAndRedaction(t *testing.T) {
	secrets := []string{"hunter2", "deadbeef", "AKIDSECRET", "alice"}
	for _, skip := range []bool{false, true} {
		t.Run(fmt.Sprintf("skip=%v", skip), func(t *testing.T) {
			cfg := atl06(t)
			if skip {
				cfg.DataSource.OnGranuleError = config.SkipGranuleError
			}
			opener := pipeline.OpenerFunc(func(ctx context.Context, u string, _ ...h5read.Option) (*h5read.File, error) {
				return nil, fmt.Errorf(`Get "https://alice:hunter2@data.example/g.h5?X-Amz-Signature=deadbeef": %w (%s)`, h5read.ErrNotHDF5, u)
			})
			var mu sync.Mutex
			var seen []dispatch.CellRecord
			r := &pipeline.Runner{Config: cfg, Catalog: secretCatalog(t), Store: zarrstore.New(zarrstore.NewMemBackend()),
				Opener: opener, Workers: 2,
				OnRecord: func(rec dispatch.CellRecord) { mu.Lock(); seen = append(seen, rec); mu.Unlock() }}
			rep, err := r.Run(context.Background())
			if rep == nil {
				t.Fatalf("no report: %v", err)
			}
			var buf bytes.Buffer
			if err := rep.WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			for _, rec := range seen {
				fmt.Fprintf(&buf, "%+v %+v\n", rec, rec.Result)
			}
			// Under skip too: a cell whose every granule failed fails.
			var cf *dispatch.CellsFailedError
			if !errors.Is(err, dispatch.ErrCellsFailed) || !errors.As(err, &cf) {
				t.Fatalf("err = %v, want dispatch.ErrCellsFailed", err)
			}
			if cf.Failed != 8 || cf.Total != 8 || cf.First == morton.Null {
				t.Errorf("CellsFailedError = %+v, want 8 of 8 failed", cf)
			}
			fmt.Fprintln(&buf, err.Error())
			if !strings.Contains(buf.String(), "X-Amz-Signature=REDACTED") {
				t.Errorf("report names no redacted granule URL:\n%s", buf.String())
			}
			if len(seen) != 8 {
				t.Errorf("OnRecord saw %d records, want 8", len(seen))
			}
			for _, s := range secrets {
				if strings.Contains(buf.String(), s) {
					t.Errorf("%q leaked:\n%s", s, buf.String())
				}
			}
		})
	}
}

// TestGranuleReadErrorRedacts: the error of an unreadable granule names its
// URL without credentials and keeps its chain.
func TestGranuleReadErrorRedacts(t *testing.T) {
	e := &pipeline.GranuleReadError{URL: "https://bob:pw@h/g.h5?X-Amz-Signature=s1",
		Err: fmt.Errorf(`Get "https://bob:pw@h/g.h5?X-Amz-Signature=s1": %w`, h5read.ErrCorrupt)}
	got := e.Error()
	want := `granule https://REDACTED@h/g.h5?X-Amz-Signature=REDACTED: Get "https://REDACTED@h/g.h5?X-Amz-Signature=REDACTED": ` + h5read.ErrCorrupt.Error()
	if got != want {
		t.Errorf("Error() = %q\nwant %q", got, want)
	}
	if !errors.Is(e, h5read.ErrCorrupt) || !errors.Is(e, pipeline.ErrGranule) {
		t.Error("chain lost")
	}
}
