package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/h5read/s3src"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/zarrstore"
)

// Worker handles worker events — process one cell, set a store up, finalize
// a store — and answers with zagg 0.1.0's {statusCode, body}. It is the
// library side of examples/lambda, and serves equally behind any other
// trigger (a queue consumer, an HTTP endpoint, a batch job). Create one per
// process and reuse it: its clients are shared by every event.
//
// Status codes: 200 success; 400 an invalid event (missing keys, a config
// that does not load, an unknown mode); 500 a cell that failed or had no
// data (zagg 0.1.0 semantics; the body's error_kind tells which), or a setup
// or finalize that failed.
type Worker struct {
	// StoreOptions are passed to zarrstore.Open for the output store, e.g.
	// s3store.WithClient with a client using the function's role.
	StoreOptions []zarrstore.Option
	// DataS3 returns the S3 client that reads granules with an event's
	// credentials, for the s3 driver: NSIDC's temporary s3credentials
	// (accessKeyId, secretAccessKey, sessionToken) or static credentials
	// without a token (an S3-compatible server). NewDataS3 makes one that
	// caches a client per access key.
	DataS3 func(creds map[string]string) (s3src.GetObjectAPI, error)
	// HTTP is the client of the https driver; nil means http.DefaultClient.
	HTTP *http.Client
	// Opener, if set, replaces the driver's opener for every event (local
	// data, tests).
	Opener pipeline.Opener
	// ReaderOptions are passed to every h5read open.
	ReaderOptions []h5read.Option
	// Margin is the time kept free before the invocation's deadline: a cell
	// still running then stops, writes nothing, and is reported with
	// ErrorKind KindTimeout. Default 15 s. When less than Margin is left as
	// the event arrives, the cell runs to the deadline itself, and a cell
	// cut off there is also reported as KindTimeout.
	Margin time.Duration
	// Log, if set, receives one line per event (never credentials).
	Log *slog.Logger
}

// cellMapKey names the cell maps of one store as one Worker reads them.
type cellMapKey struct {
	w     *Worker
	store string
}

// workerCellMaps keeps, for the life of the process (a warm Lambda
// container), the cell maps each Worker read from each store: their
// footers and identity checks then serve every later invocation, so a
// granule's map costs one range read per cell instead of three.
var workerCellMaps sync.Map // cellMapKey → *pipeline.CellMaps

// cellMaps returns the process's cell maps of the store at path (st).
func (w *Worker) cellMaps(path string, st *pipeline.Store) *pipeline.CellMaps {
	k := cellMapKey{w, path}
	if cm, ok := workerCellMaps.Load(k); ok {
		return cm.(*pipeline.CellMaps)
	}
	cm, _ := workerCellMaps.LoadOrStore(k, pipeline.NewCellMaps(pipeline.CellMapStore(st.Zarr())))
	return cm.(*pipeline.CellMaps)
}

// The keys zagg 0.1.0 requires in a process event.
var processKeys = []string{"parent_morton", "parent_order", "child_order", "granule_urls", "store_path", "s3_credentials"}

// Handle runs one event. It never returns an error for a bad event or a
// failed cell: both are answers (400, 500), so a Lambda function error always
// means a crash or a timeout.
func (w *Worker) Handle(ctx context.Context, ev *Event) Response {
	start := time.Now()
	mode := ev.Mode
	if mode == "" {
		mode = ModeProcess
	}
	var resp Response
	switch mode {
	case ModeProcess:
		resp = w.process(ctx, ev)
	case ModeSetup, ModeFinalize:
		resp = w.admin(ctx, mode, ev)
	default:
		resp = answer(http.StatusBadRequest, map[string]any{"error": fmt.Sprintf("Unknown mode %q (expected process, setup or finalize)", ev.Mode)})
	}
	if w.Log != nil {
		w.Log.Info("zagg event", "event", ev.String(), "status", resp.StatusCode, "duration_s", time.Since(start).Seconds())
	}
	return resp
}

func answer(status int, body any) Response {
	b, err := json.Marshal(body)
	if err != nil {
		b = []byte(fmt.Sprintf(`{"error":%q}`, "encoding the reply: "+err.Error()))
		status = http.StatusInternalServerError
	}
	return Response{StatusCode: status, Body: string(b)}
}

func badRequest(format string, args ...any) Response {
	return answer(http.StatusBadRequest, map[string]any{"error": fmt.Sprintf(format, args...)})
}

// eventConfig loads the event's config, or the built-in ATL06 config.
func eventConfig(ev *Event) (*config.Config, error) {
	if len(ev.Config) == 0 || string(ev.Config) == "null" {
		return config.Builtin("atl06")
	}
	return config.Parse("event config", ev.Config)
}

func (w *Worker) process(ctx context.Context, ev *Event) Response {
	var missing []string
	for _, k := range processKeys {
		switch {
		case k == "parent_morton" && ev.ParentMorton == "",
			k == "parent_order" && ev.ParentOrder == 0,
			k == "child_order" && ev.ChildOrder == 0,
			k == "granule_urls" && ev.GranuleURLs == nil,
			k == "store_path" && ev.StorePath == "":
			missing = append(missing, k)
		}
	}
	cfg, err := eventConfig(ev)
	if err != nil {
		return badRequest("Invalid config: %v", err)
	}
	if cfg.DataSource.Driver == config.DriverS3 && w.Opener == nil && ev.S3Credentials == nil {
		missing = append(missing, "s3_credentials")
	}
	if len(missing) > 0 {
		return badRequest("Missing required parameters: %s", strings.Join(missing, ", "))
	}
	if ev.ChildOrder != cfg.Output.Grid.ChildOrder {
		return badRequest("child_order %d differs from the config's output.grid.child_order %d", ev.ChildOrder, cfg.Output.Grid.ChildOrder)
	}
	po, err := cfg.ParentOrder(ev.ParentOrder)
	if err != nil {
		return badRequest("%v", err)
	}
	opener, resp, ok := w.opener(cfg, ev)
	if !ok {
		return resp
	}
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		return badRequest("Invalid config: %v", err)
	}
	conv := cfg.Output.Latitude
	st, err := pipeline.OpenStore(ev.StorePath, cfg, a, po, conv, w.StoreOptions...)
	if err != nil {
		return badRequest("%v", err)
	}
	rd := pipeline.NewCellReader(cfg, a.Columns(), opener)
	rd.Convention = conv
	rd.Options = w.ReaderOptions
	if ev.ChunkIndex {
		rd.Index = pipeline.StoreIndexes(pipeline.IndexStore(st.Zarr()))
	}
	if ev.CellMap {
		rd.CellMap = w.cellMaps(ev.StorePath, st)
	}

	runCtx, cancel := w.withMargin(ctx)
	defer cancel()
	var res *dispatch.CellResult
	if parent, err := ev.ParentMorton.Cell(); err != nil {
		res = &dispatch.CellResult{GranuleCount: len(ev.GranuleURLs)}
		res.SetError(dispatch.KindDeterministic, fmt.Sprintf("cell %q: %v: %v", string(ev.ParentMorton), dispatch.ErrDeterministic, err))
	} else {
		res, _ = pipeline.Run(runCtx, dispatch.Job{Cell: parent, Granules: ev.GranuleURLs, Run: ev.RunID, Attempt: ev.Attempt, Generation: ev.Generation}, rd, a, st)
	}
	switch {
	case runCtx.Err() != nil && ctx.Err() == nil:
		res.SetError(dispatch.KindTimeout, fmt.Sprintf("stopped %s before the invocation deadline with the cell unfinished (nothing written): give the function more memory or time", w.margin()))
	case res.Error != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		// The deadline itself passed (it was closer than Margin when the
		// event came): the same timeout, told as such and not as whatever
		// the cancelled read or write said.
		res.SetError(dispatch.KindTimeout, "the invocation deadline passed with the cell unfinished: give the function more memory or time")
	}
	status := http.StatusOK
	if res.Error != nil {
		status = http.StatusInternalServerError
	}
	return answer(status, res)
}

// opener returns the granule opener for the event's driver.
func (w *Worker) opener(cfg *config.Config, ev *Event) (pipeline.Opener, Response, bool) {
	if w.Opener != nil {
		return w.Opener, Response{}, true
	}
	switch cfg.DataSource.Driver {
	case config.DriverS3:
		if missing := missingCredentialKeys(ev.S3Credentials); len(missing) > 0 {
			return nil, badRequest("Missing s3_credentials keys: %s", strings.Join(missing, ", ")), false
		}
		if w.DataS3 == nil {
			return nil, answer(http.StatusInternalServerError, map[string]any{"error": "worker has no S3 client factory for granules"}), false
		}
		c, err := w.DataS3(ev.S3Credentials)
		if err != nil {
			return nil, badRequest("s3_credentials: %v", err), false
		}
		return pipeline.S3Opener(c), Response{}, true
	case config.DriverHTTPS:
		tok := ev.S3Credentials["edl_token"]
		if tok == "" {
			return nil, badRequest("Missing s3_credentials keys: edl_token (required by the https driver)"), false
		}
		return pipeline.HTTPSOpener(w.HTTP, nil, func(context.Context) (string, error) { return tok, nil }), Response{}, true
	}
	return nil, badRequest("data_source.driver %q cannot run in a worker without a local data directory", cfg.DataSource.Driver), false
}

// missingCredentialKeys names the S3 credential keys absent from creds,
// accepting zagg's camelCase or snake_case names. The session token is
// optional: NSIDC's temporary credentials carry one, but static credentials
// of an S3-compatible server (no STS) have none, and such a server rejects
// any token.
func missingCredentialKeys(creds map[string]string) []string {
	var missing []string
	for _, k := range [][2]string{{"accessKeyId", "access_key_id"}, {"secretAccessKey", "secret_access_key"}} {
		if creds[k[0]] == "" && creds[k[1]] == "" {
			missing = append(missing, k[0])
		}
	}
	return missing
}

func credential(creds map[string]string, camel, snake string) string {
	if v := creds[camel]; v != "" {
		return v
	}
	return creds[snake]
}

func (w *Worker) margin() time.Duration {
	if w.Margin > 0 {
		return w.Margin
	}
	return 15 * time.Second
}

// withMargin derives a context that ends Margin before ctx's deadline (or is
// ctx itself when there is no deadline or not even Margin left).
func (w *Worker) withMargin(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok || time.Until(dl) <= w.margin() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl.Add(-w.margin()))
}

// admin runs setup (write the store's metadata once) and finalize (build
// the orders coarser than the parent from the cells' partial states, when
// the event carries the parent order and config, then consolidate the
// metadata).
func (w *Worker) admin(ctx context.Context, mode string, ev *Event) Response {
	fail := func(err error) Response {
		return answer(http.StatusInternalServerError, map[string]any{"error": err.Error(), "mode": mode})
	}
	if ev.StorePath == "" {
		return badRequest("Missing required parameters: store_path")
	}
	if mode == ModeFinalize && ev.ParentOrder == 0 {
		// zagg 0.1.0's finalize event names only the store: consolidate.
		if err := w.consolidate(ctx, ev.StorePath); err != nil {
			return fail(err)
		}
		return answer(http.StatusOK, map[string]any{"ok": true, "mode": mode})
	}
	cfg, err := eventConfig(ev)
	if err != nil {
		return badRequest("Invalid config: %v", err)
	}
	if ev.ParentOrder == 0 {
		return badRequest("Missing required parameters: parent_order")
	}
	po, err := cfg.ParentOrder(ev.ParentOrder)
	if err != nil {
		return badRequest("%v", err)
	}
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		return badRequest("Invalid config: %v", err)
	}
	st, err := pipeline.OpenStore(ev.StorePath, cfg, a, po, cfg.Output.Latitude, w.StoreOptions...)
	if err != nil {
		return fail(err)
	}
	if mode == ModeSetup {
		parents := make([]morton.Cell, 0, len(ev.Parents))
		for _, k := range ev.Parents {
			c, err := k.Cell()
			if err != nil {
				return badRequest("Invalid parents: %v", err)
			}
			parents = append(parents, c)
		}
		var prov pipeline.Provenance
		if ev.Provenance != nil {
			prov = *ev.Provenance
		}
		// Describe the arrays from the source datasets' attributes of one
		// granule (best effort: without it they say what the config says).
		if ev.SourceGranule != "" {
			if opener, _, ok := w.opener(cfg, ev); ok {
				st.DescribeFrom(ctx, opener, ev.SourceGranule)
			}
		}
		if err := st.Setup(ctx, parents, prov); err != nil {
			return fail(err)
		}
		return answer(http.StatusOK, map[string]any{"ok": true, "mode": mode})
	}
	// Finalize with the config: merge the parent cells' partial states into
	// the orders coarser than the parent (if the config lists any), then
	// consolidate.
	merged, err := st.Finalize(ctx)
	if err != nil {
		return fail(err)
	}
	if err := st.Consolidate(ctx); err != nil {
		return fail(err)
	}
	return answer(http.StatusOK, map[string]any{"ok": true, "mode": mode, "cells_merged": merged, "coarse_orders": st.CoarseOrders()})
}

func (w *Worker) consolidate(ctx context.Context, location string) error {
	z, err := zarrstore.Open(location, w.StoreOptions...)
	if err != nil {
		return err
	}
	return z.Consolidate(ctx)
}

// NewDataS3 returns a DataS3 factory: S3 clients for region (NSIDC's data is
// in us-west-2; an S3-compatible server checks its own region) built from an
// event's credentials — with or without a session token — one per access
// key and token, reused across the events of a warm container. optFns adjust
// the clients (e.g. an endpoint for an S3-compatible server).
func NewDataS3(region string, optFns ...func(*s3.Options)) func(map[string]string) (s3src.GetObjectAPI, error) {
	var mu sync.Mutex
	clients := map[string]*s3.Client{}
	return func(creds map[string]string) (s3src.GetObjectAPI, error) {
		ak := credential(creds, "accessKeyId", "access_key_id")
		sk := credential(creds, "secretAccessKey", "secret_access_key")
		tok := credential(creds, "sessionToken", "session_token")
		if ak == "" || sk == "" {
			return nil, errors.New("no access key id or secret access key")
		}
		mu.Lock()
		defer mu.Unlock()
		key := ak + "\x00" + tok
		if c, ok := clients[key]; ok {
			return c, nil
		}
		if len(clients) >= 8 { // credentials rotate about hourly; keep few
			clear(clients)
		}
		opts := slices.Clone(optFns)
		c := s3.New(s3.Options{
			Region:      region,
			Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(ak, sk, tok)),
		}, opts...)
		clients[key] = c
		return c, nil
	}
}
