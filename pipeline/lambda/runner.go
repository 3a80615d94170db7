package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

// PriceARM64 is the Lambda price per GB-second of arm64 functions in
// us-west-2 (USD, the AWS price list of 2025; check the current one) that
// Runner's cost estimate uses unless its Dispatcher sets another.
const PriceARM64 = 0.0000133334

// Runner processes the cells of a catalog on AWS Lambda, the way
// zagg 0.1.0's Lambda backend does: one invoke in setup mode (the store's
// metadata is written inside Lambda, so the caller needs only
// lambda:InvokeFunction), one invoke per cell through a Dispatcher with a
// Executor, and one invoke in finalize mode (the orders coarser than
// the parent, merged from the cells' partial states, and the consolidated
// metadata), also after an interruption.
//
// Re-running is safe: every cell writes whole chunks under fixed keys. With
// Store set (the caller can read the output bucket), cells an earlier run
// finished are skipped unless Overwrite is set.
type Runner struct {
	// Config is the pipeline config sent to every worker. Required.
	Config *config.Config
	// Catalog lists the cells and their granules. Required.
	Catalog *cmr.Catalog
	// StorePath is the output store, "s3://bucket/prefix". Required.
	StorePath string
	// Client invokes the function (see NewClient). Required.
	Client *awslambda.Client
	// FunctionName is the worker function's name or ARN. Required.
	FunctionName string
	// Credentials supply the temporary credentials the workers read NASA's
	// bucket with (cmr.NewNSIDCS3Credentials), retrieved for every event so
	// they are renewed during long runs. Required for the s3 driver.
	Credentials aws.CredentialsProvider
	// EDLToken is sent instead for the https driver.
	EDLToken string

	// Workers bounds the invokes in flight. Default 1700 (zagg's), clamped
	// to the function's reserved concurrency, or without one to the
	// account's unreserved concurrency, when it can be read
	// (ConcurrencyLimit).
	Workers int
	// Cells, if set, restricts the run to these catalog keys; MaxCells, if
	// > 0, to the first MaxCells cells selected.
	Cells    []string
	MaxCells int
	// Store, if set, is read to skip cells already written (resume).
	Store *zarrstore.Store
	// Overwrite processes every selected cell even if it was written.
	Overwrite bool
	// UseIndexes has the workers read granules through the chunk indexes in
	// the store's sidecar folder (Event.ChunkIndex), built before the run.
	UseIndexes bool
	// UseCellMap has the workers read each cell's points from the cell
	// maps in the store's sidecar folder (Event.CellMap), written before
	// the run (pipeline.MapBuild, examples/local map).
	UseCellMap bool
	// MemoryMB is the function's memory for the cost estimate; 0 reads it
	// from the function's configuration.
	MemoryMB int
	// Dispatcher, if set, supplies the retry policy and ordering (its
	// Executor, Workers, Skip, OnStart, OnRecord and MemoryMB are replaced).
	Dispatcher *dispatch.Dispatcher
	// OnStart and OnRecord are passed to the Dispatcher.
	OnStart  func(total int)
	OnRecord func(dispatch.CellRecord)
	// Log, if set, receives the setup/finalize steps and warnings.
	Log io.Writer
	// Sleep, if set, replaces the executor's wait after a dropped invoke
	// (Executor.Sleep); tests inject it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Run processes the selected cells and returns the report (one record per
// cell and totals with GB-seconds and the cost estimate). When cells failed
// or timed out, Run returns the whole report with a *CellsFailedError
// (ErrCellsFailed). Credentials in URLs are redacted from the report and
// from what OnRecord sees.
func (r *Runner) Run(ctx context.Context) (*dispatch.Report, error) {
	if r.Config == nil || r.Catalog == nil || r.Client == nil || r.FunctionName == "" || r.StorePath == "" {
		return nil, errors.New("pipeline: Runner needs Config, Catalog, Client, FunctionName and StorePath")
	}
	if _, _, err := pipeline.SplitS3URL(r.StorePath); err != nil {
		return nil, fmt.Errorf("%w: the Lambda backend needs an s3:// store: %v", pipeline.ErrStore, err)
	}
	if r.Config.DataSource.Driver == config.DriverS3 && r.Credentials == nil {
		return nil, fmt.Errorf("%w: the s3 driver needs data credentials (an Earthdata login)", pipeline.ErrDriver)
	}
	if r.Config.DataSource.Driver == config.DriverFile {
		return nil, fmt.Errorf("%w: the file driver cannot run on Lambda", pipeline.ErrDriver)
	}
	po, conv, cells, err := pipeline.SelectCells(r.Config, r.Catalog, r.Cells, r.MaxCells)
	if err != nil {
		return nil, err
	}
	cfgJSON, err := json.Marshal(r.Config.WithLatitude(conv))
	if err != nil {
		return nil, fmt.Errorf("pipeline: encoding the config for the workers: %w", err)
	}
	fnMemory, fnTimeout := r.functionConfig(ctx)
	memory := r.MemoryMB
	if memory == 0 {
		memory = fnMemory
	}
	workers := r.Workers
	if workers <= 0 {
		workers = 1700
	}
	if limit, what, err := ConcurrencyLimit(ctx, r.Client, r.FunctionName); err == nil && limit > 0 && workers > limit {
		r.logf("clamping workers from %d to %s %d", workers, what, limit)
		workers = limit
	}

	// With the store readable here, take its lease (one run at a time,
	// and this run's generation fences every earlier run's late writes)
	// and resume from its cell objects.
	var st *pipeline.Store
	generation := 0
	runID := pipeline.NewRunID()
	if r.Store != nil {
		cfg := r.Config.WithLatitude(conv)
		a, err := pipeline.NewAggregator(cfg)
		if err != nil {
			return nil, err
		}
		if st, err = pipeline.NewStore(r.Store, cfg, a, po, conv); err != nil {
			return nil, err
		}
		lease, err := st.AcquireLease(ctx, runID, 0)
		if err != nil {
			return nil, err
		}
		generation = lease.Generation()
		lctx, lost := context.WithCancelCause(ctx)
		defer lost(nil)
		go lease.Hold(lctx, lost)
		ctx = lctx
		defer func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			_ = lease.Release(rctx)
		}()
	}
	prov := pipeline.NewProvenance(r.Catalog.Metadata, cells)
	r.logf("setup: writing the store metadata of %s through %s", r.StorePath, r.FunctionName)
	setup := &Event{Mode: ModeSetup, StorePath: r.StorePath, ParentOrder: po,
		ChildOrder: r.Config.Output.Grid.ChildOrder, NParentCells: len(cells), Overwrite: r.Overwrite, Config: cfgJSON,
		Parents: cellKeys(cells), Provenance: &prov}
	if g := pipeline.FirstGranule(cells); g != "" {
		if creds, err := r.eventCredentials(ctx); err == nil {
			setup.SourceGranule, setup.S3Credentials = g, creds
		}
	}
	if err := r.invokeAdmin(ctx, setup); err != nil {
		return nil, err
	}

	d := dispatch.Dispatcher{}
	if r.Dispatcher != nil {
		d = *r.Dispatcher
	}
	d.Workers, d.OnStart, d.OnRecord, d.MemoryMB = workers, r.OnStart, dispatch.RedactedOnRecord(r.OnRecord), memory
	if d.PricePerGBSecond == 0 {
		d.PricePerGBSecond = PriceARM64
	}
	d.Executor = &Executor{Client: r.Client, FunctionName: r.FunctionName, FunctionTimeout: fnTimeout, Sleep: r.Sleep, Event: func(ctx context.Context, job dispatch.Job) (*Event, error) {
		creds, err := r.eventCredentials(ctx)
		if err != nil {
			return nil, err
		}
		return &Event{ParentMorton: CellKey(job.Cell.String()), ParentOrder: po, ChildOrder: r.Config.Output.Grid.ChildOrder,
			GranuleURLs: job.Granules, StorePath: r.StorePath, S3Credentials: creds, Config: cfgJSON,
			RunID: job.Run, Attempt: job.Attempt, Generation: job.Generation, ChunkIndex: r.UseIndexes, CellMap: r.UseCellMap}, nil
	}}
	d.Skip = nil
	if st != nil && !r.Overwrite {
		d.Skip = st.Skipper()
	}
	rep, runErr := d.Run(ctx, pipeline.Jobs(cells, runID, generation))

	// Finalize even after an interruption, so what was written is readable.
	fctx := ctx
	if ctx.Err() != nil {
		fctx = context.WithoutCancel(ctx)
	}
	r.logf("finalize: building coarser orders (if any) and consolidating the metadata of %s", r.StorePath)
	if err := r.invokeAdmin(fctx, &Event{Mode: ModeFinalize, StorePath: r.StorePath, ParentOrder: po,
		ChildOrder: r.Config.Output.Grid.ChildOrder, Config: cfgJSON}); err != nil {
		rep, runErr = dispatch.Finish(rep, runErr)
		return rep, errors.Join(runErr, err)
	}
	return dispatch.Finish(rep, runErr)
}

// eventCredentials returns the data credentials of one event.
func (r *Runner) eventCredentials(ctx context.Context) (map[string]string, error) {
	if r.Config.DataSource.Driver == config.DriverHTTPS {
		if r.EDLToken == "" {
			return nil, fmt.Errorf("%w: the https driver needs an Earthdata token", pipeline.ErrDriver)
		}
		return map[string]string{"edl_token": r.EDLToken}, nil
	}
	c, err := r.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: data credentials: %v", dispatch.ErrTransient, err)
	}
	return map[string]string{"accessKeyId": c.AccessKeyID, "secretAccessKey": c.SecretAccessKey, "sessionToken": c.SessionToken}, nil
}

// invokeAdmin runs a setup or finalize event and checks its answer.
func (r *Runner) invokeAdmin(ctx context.Context, ev *Event) error {
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	out, err := r.Client.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String(r.FunctionName),
		InvocationType: types.InvocationTypeRequestResponse, Payload: payload})
	if err != nil {
		return fmt.Errorf("pipeline: Lambda %s failed: %w", ev.Mode, err)
	}
	if out.FunctionError != nil {
		return fmt.Errorf("pipeline: Lambda %s failed: function error %s: %s", ev.Mode, *out.FunctionError, out.Payload)
	}
	var resp Response
	if err := json.Unmarshal(out.Payload, &resp); err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("pipeline: Lambda %s error: %s", ev.Mode, out.Payload)
	}
	return nil
}

// functionConfig reads the function's memory size (MB) and timeout with
// one GetFunctionConfiguration; each is 0 when it cannot be read.
func (r *Runner) functionConfig(ctx context.Context) (int, time.Duration) {
	out, err := r.Client.GetFunctionConfiguration(ctx, &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(r.FunctionName)})
	if err != nil {
		out = &awslambda.GetFunctionConfigurationOutput{}
	}
	memory, timeout := 0, time.Duration(0)
	if out.MemorySize == nil {
		if r.MemoryMB == 0 {
			r.logf("warning: cannot read the function's memory size (%v); no cost estimate", err)
		}
	} else {
		memory = int(*out.MemorySize)
	}
	if out.Timeout == nil {
		r.logf("warning: cannot read the function's timeout (%v); a dropped invoke is retried without waiting it out", err)
	} else {
		timeout = time.Duration(*out.Timeout) * time.Second
	}
	return memory, timeout
}

func (r *Runner) logf(format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, "zagg: "+format+"\n", args...)
	}
}

// cellKeys returns the catalog keys of entries.
func cellKeys(entries []cmr.CatalogCell) []CellKey {
	out := make([]CellKey, len(entries))
	for i, e := range entries {
		out[i] = CellKey(e.Key())
	}
	return out
}
