// Command lambda is zagg's AWS Lambda worker and its dispatcher.
//
// Built as "bootstrap" for the provided.al2023 runtime (see build.sh), it
// serves worker events — process one parent cell, set a store up, finalize a
// store — with lambda.Worker. Events and replies are zagg 0.1.0's (see
// lambda.Event and lambda.Response).
//
// Run on a workstation, "dispatch" processes a catalog on the deployed
// function with lambda.Runner and writes a results JSON:
//
//	go run ./examples/lambda dispatch --catalog catalog.json --store s3://bucket/out.zarr
//
// Environment of the worker: AWS_REGION (the store's region), ZAGG_DATA_REGION
// (the granules' region; default us-west-2, NSIDC's, or the configured
// region when ZAGG_S3_ENDPOINT is set), ZAGG_S3_ENDPOINT (an S3-compatible
// endpoint for both, path-style; for tests, versitygw, MinIO),
// ZAGG_LOG_FORMAT (json, the default, or text), ZAGG_TIMEOUT_MARGIN (the time
// a cell keeps free before the function's deadline, default 15s).
// Deployment: docs/lambda.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	lambdart "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/progress"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/lambda"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "dispatch" {
		os.Exit(runDispatch(os.Args[2:], os.Stdout, os.Stderr))
	}
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		fmt.Fprint(os.Stderr, "zagg lambda: not running inside AWS Lambda (AWS_LAMBDA_RUNTIME_API is not set)\n\n"+
			"usage: bootstrap                        (as a Lambda function)\n"+
			"       go run ./examples/lambda dispatch -h   (process a catalog on the deployed function)\n")
		os.Exit(2)
	}
	serve()
}

// s3Endpoint returns client options for ZAGG_S3_ENDPOINT, if set.
func s3Endpoint() []func(*s3.Options) {
	ep := os.Getenv("ZAGG_S3_ENDPOINT")
	if ep == "" {
		return nil
	}
	return []func(*s3.Options){s3store.Endpoint(ep)}
}

// dataRegion is the region of the granules' S3 client: ZAGG_DATA_REGION if
// set; else, with a custom endpoint (which checks its own region), the
// configured region; else us-west-2, where NSIDC's bucket and credentials
// live.
func dataRegion(configured string) string {
	if r := os.Getenv("ZAGG_DATA_REGION"); r != "" {
		return r
	}
	if os.Getenv("ZAGG_S3_ENDPOINT") != "" && configured != "" {
		return configured
	}
	return "us-west-2"
}

// newLogger returns the worker's logger for ZAGG_LOG_FORMAT: "json" (the
// default; CloudWatch Logs Insights parses it) or "text".
func newLogger(format string) (*slog.Logger, error) {
	switch strings.ToLower(format) {
	case "", "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, nil)), nil
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, nil)), nil
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, nil)), fmt.Errorf("ZAGG_LOG_FORMAT %q: want json or text", format)
}

// timeoutMargin parses ZAGG_TIMEOUT_MARGIN (a Go duration such as "15s");
// empty or invalid means 0, the Worker's default.
func timeoutMargin(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("ZAGG_TIMEOUT_MARGIN %q: want a duration such as 15s", v)
	}
	return d, nil
}

// serve runs the Lambda handler loop. Clients are created once per container.
func serve() {
	log, err := newLogger(os.Getenv("ZAGG_LOG_FORMAT"))
	if err != nil {
		log.Warn("using json logs", "error", err)
	}
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}
	margin, err := timeoutMargin(os.Getenv("ZAGG_TIMEOUT_MARGIN"))
	if err != nil {
		log.Warn("using the default timeout margin", "error", err)
	}
	w := &lambda.Worker{
		Margin:       margin,
		StoreOptions: []zarrstore.Option{s3store.WithClient(s3.NewFromConfig(cfg, s3Endpoint()...), s3store.Options{})},
		DataS3:       lambda.NewDataS3(dataRegion(cfg.Region), s3Endpoint()...),
		Log:          log,
	}
	lambdart.Start(handler{w})
}

// handler decodes events itself (rather than letting aws-lambda-go do it), so
// that an event that is not valid JSON gets zagg's 400 answer instead of a
// function error.
type handler struct{ w *lambda.Worker }

// Invoke implements lambda.Handler.
func (h handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var ev lambda.Event
	var resp lambda.Response
	if err := json.Unmarshal(payload, &ev); err != nil {
		b, _ := json.Marshal(map[string]string{"error": "Invalid event: " + err.Error()})
		resp = lambda.Response{StatusCode: 400, Body: string(b)}
	} else {
		resp = h.w.Handle(ctx, &ev)
	}
	return json.Marshal(resp)
}

// dispatch is the orchestrator: it processes a catalog on the deployed
// function and writes a results JSON.
func runDispatch(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dispatch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		configPath = fs.String("config", "", "pipeline config YAML (default: the built-in ATL06 config)")
		catalog    = fs.String("catalog", "", "catalog JSON (required)")
		store      = fs.String("store", "", "output store, s3://bucket/prefix (required)")
		function   = fs.String("function-name", envOr("ZAGG_LAMBDA_FUNCTION_NAME", "zagg-cell"), "worker function name or ARN")
		region     = fs.String("region", envOr("AWS_REGION", "us-west-2"), "AWS region of the function")
		workers    = fs.Int("workers", 1700, "invokes in flight (clamped to the function's reserved concurrency, or to the account's unreserved concurrency)")
		maxCells   = fs.Int("max-cells", 0, "process only the first N cells (0: all)")
		cells      = fs.String("cell", "", "process only these catalog keys (comma-separated)")
		overwrite  = fs.Bool("overwrite", false, "process cells already written")
		useIndexes = fs.Bool("index", false, "workers read granules through the chunk indexes in the store (built with examples/local index)")
		useCellMap = fs.Bool("cellmap", false, "workers read each cell's points from the granules' cell maps in the store (built with examples/local map)")
		noResume   = fs.Bool("no-resume", false, "do not read the store to skip written cells (the caller lacks s3:GetObject on it)")
		dryRun     = fs.Bool("dry-run", false, "print the plan and exit")
		memoryMB   = fs.Int("memory-mb", 0, "function memory for the cost estimate (0: read from the function)")
		fnTimeout  = fs.Duration("function-timeout", 900*time.Second, "function timeout (the HTTP timeout is one minute more)")
		results    = fs.String("results", "", "results JSON path (default zagg-results-<UTC time>.json in the current folder)")
		endpoint   = fs.String("lambda-endpoint", "", "Lambda API endpoint (LocalStack, the Runtime Interface Emulator, tests)")
		dataCreds  = fs.String("data-credentials", "earthdata", "where the workers' data credentials come from: earthdata (NSIDC's temporary S3 credentials from your Earthdata login) or aws (this process's AWS credentials, e.g. AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY with or without a session token, for data in your own bucket or an S3-compatible server)")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./examples/lambda dispatch --catalog FILE --store s3://bucket/prefix [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *catalog == "" || *store == "" {
		fmt.Fprintln(stderr, "zagg dispatch: --catalog and --store are required")
		fs.Usage()
		return 2
	}
	fail := func(err error) int { fmt.Fprintln(stderr, "zagg dispatch:", err); return 1 }
	if *dataCreds != "earthdata" && *dataCreds != "aws" {
		fmt.Fprintf(stderr, "zagg dispatch: --data-credentials %q: want earthdata or aws\n", *dataCreds)
		return 2
	}

	cfg, err := config.Open(*configPath)
	if err != nil {
		return fail(err)
	}
	cat, err := cmr.LoadCatalog(*catalog)
	if err != nil {
		return fail(err)
	}
	var keys []string
	if *cells != "" {
		keys = strings.Split(*cells, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(*region))
	if err != nil {
		return fail(err)
	}
	var z *zarrstore.Store
	if !*noResume {
		if z, err = zarrstore.Open(*store, s3store.WithClient(s3.NewFromConfig(awsCfg, s3Endpoint()...), s3store.Options{})); err != nil {
			return fail(err)
		}
	}
	if *dryRun {
		plan, err := (&pipeline.Runner{Config: cfg, Catalog: cat, Store: orMemory(z), Cells: keys, MaxCells: *maxCells, Overwrite: *overwrite}).Plan(ctx)
		if err != nil {
			return fail(err)
		}
		if plan.DoneError != "" {
			// Never "0 already written" when the store could not be read
			// (no such bucket, refused credentials).
			fmt.Fprintf(stdout, "[DRY RUN] Would process up to %d cells on %s; could not check the store for cells already written: %s\n", plan.Cells, *function, plan.DoneError)
		} else {
			fmt.Fprintf(stdout, "[DRY RUN] Would process %d cells (%d already written) on %s\n", plan.Cells-plan.Done, plan.Done, *function)
		}
		fmt.Fprintf(stdout, "Granules per cell: min=%d, max=%d, avg=%.1f (%d granules, %d cell-granule reads)\n",
			plan.GranulesMin, plan.GranulesMax, plan.GranulesMean, plan.Granules, plan.Pairs)
		return 0
	}

	lr := &lambda.Runner{
		Config: cfg, Catalog: cat, StorePath: *store, FunctionName: *function,
		Client: lambda.NewClient(awsCfg, *fnTimeout, min(*workers, 4096), func(o *awslambda.Options) {
			if *endpoint != "" {
				o.BaseEndpoint = aws.String(*endpoint)
			}
		}),
		Workers: *workers, Cells: keys, MaxCells: *maxCells, Store: z, Overwrite: *overwrite, UseIndexes: *useIndexes, UseCellMap: *useCellMap,
		MemoryMB: *memoryMB, Log: stderr,
	}
	bar := progress.New(stderr)
	lr.OnStart, lr.OnRecord = bar.Start, bar.Record
	defer bar.Finish()
	switch {
	case cfg.DataSource.Driver == config.DriverS3 && *dataCreds == "aws":
		lr.Credentials = awsCfg.Credentials
	case cfg.DataSource.Driver == config.DriverS3:
		login, err := cmr.FindLogin(cmr.LoginOptions{})
		if err != nil {
			return fail(fmt.Errorf("earthdata login for NSIDC's S3 credentials: %w", err))
		}
		lr.Credentials = cmr.NewNSIDCS3Credentials(login)
	case cfg.DataSource.Driver == config.DriverHTTPS:
		login, err := cmr.FindLogin(cmr.LoginOptions{})
		if err != nil {
			return fail(fmt.Errorf("earthdata login: %w", err))
		}
		tok, err := (&cmr.TokenSource{Login: login}).Token(ctx)
		if err != nil {
			return fail(err)
		}
		lr.EDLToken = string(tok)
	}
	start := time.Now()
	rep, runErr := lr.Run(ctx)
	if rep == nil {
		return fail(runErr)
	}
	path := *results
	if path == "" {
		path = pipeline.ResultsPath(*store, start)
	}
	if err := rep.WriteFile(path); err != nil {
		return fail(err)
	}
	s := rep.Summary
	fmt.Fprintf(stdout, "Done: %d cells with data, %d empty, %d skipped, %d obs, %d errors, %d timeouts, %.1fs\n",
		s.CellsWithData, s.CellsEmpty, s.CellsSkipped, s.TotalObs, s.CellsError, s.CellsTimeout, s.WallTimeS)
	fmt.Fprintf(stdout, "Lambda compute: %.1fs total, %.1f GB-s, ~$%.4f (at $%.10f/GB-s)\n",
		s.ComputeTimeS, s.GBSeconds, s.EstimatedCostUSD, s.PricePerGBSecond)
	fmt.Fprintf(stdout, "Output: %s\nResults: %s\n", *store, path)
	if runErr != nil {
		return fail(runErr)
	}
	if s.CellsError+s.CellsTimeout > 0 {
		return 1
	}
	return 0
}

func orMemory(z *zarrstore.Store) *zarrstore.Store {
	if z != nil {
		return z
	}
	return zarrstore.New(zarrstore.NewMemBackend())
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
