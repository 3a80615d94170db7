package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// TestLambdaRunnerFailedCells: workers (a loopback stand-in) that fail
// every cell with a message holding URL credentials make Run return
// ErrCellsFailed, with the credentials redacted from the error, the report
// and the records OnRecord sees.
func TestLambdaRunnerFailedCells(t *testing.T) {
	ls := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var ev Event
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&ev) != nil {
			rw.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			rw.WriteHeader(http.StatusNotFound)
			fmt.Fprint(rw, `{"message":"not here"}`)
			return
		}
		if ev.Mode == ModeSetup || ev.Mode == ModeFinalize {
			json.NewEncoder(rw).Encode(Response{StatusCode: 200, Body: "{}"})
			return
		}
		res := &dispatch.CellResult{GranuleCount: len(ev.GranuleURLs),
			GranuleErrors: []dispatch.GranuleError{{URL: "https://u:hunter2@h/g.h5?X-Amz-Signature=deadbeef", Error: "Get \"https://u:hunter2@h/g.h5\": refused"}}}
		res.SetError(dispatch.KindDeterministic, `granule https://u:hunter2@h/g.h5?X-Amz-Signature=deadbeef: corrupt`)
		body, _ := json.Marshal(res)
		json.NewEncoder(rw).Encode(Response{StatusCode: 500, Body: string(body)})
	}))
	defer ls.Close()
	client := NewClient(aws.Config{Region: "us-west-2", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")},
		time.Minute, 4, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(ls.URL) })
	cfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	var (
		seen   strings.Builder
		seenMu sync.Mutex // OnRecord is called from the dispatcher's workers
	)
	lr := &Runner{Config: cfg, Catalog: cat, StorePath: "s3://out/x.zarr", Client: client, FunctionName: "zagg-cell",
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "c"), Workers: 2, MemoryMB: 1024,
		OnRecord: func(rec dispatch.CellRecord) {
			seenMu.Lock()
			defer seenMu.Unlock()
			fmt.Fprintf(&seen, "%+v %+v\n", rec, rec.Result)
		}}
	rep, err := lr.Run(context.Background())
	var cf *dispatch.CellsFailedError
	if !errors.Is(err, dispatch.ErrCellsFailed) || !errors.As(err, &cf) || cf.Failed != len(cat.Cells) {
		t.Fatalf("Run = %v, want dispatch.ErrCellsFailed for every cell", err)
	}
	var out strings.Builder
	if err := rep.WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(seen.String(), "REDACTED") {
		t.Errorf("OnRecord saw no redacted record:\n%s", seen.String())
	}
	all := err.Error() + out.String() + seen.String()
	if strings.Contains(all, "hunter2") || strings.Contains(all, "deadbeef") || !strings.Contains(all, "X-Amz-Signature=REDACTED") {
		t.Errorf("credentials not redacted:\n%s", all)
	}
}
