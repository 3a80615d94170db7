//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/internal/sampletest"
	"github.com/zagg-go/zagg/morton"
	"github.com/zagg-go/zagg/pipeline"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/pipeline/lambda"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// EnvRIE names the Runtime Interface Emulator binary (aws-lambda-rie) the RIE
// tests run the real bootstrap under; scripts/ci.d/lambda-rie.sh installs it,
// sets it, and fails if these tests skip. Without it they skip.
const EnvRIE = "ZAGG_TEST_RIE"

// rie is a running aws-lambda-rie serving the bootstrap on loopback.
type rie struct {
	url string // the invoke endpoint's base, http://127.0.0.1:PORT
	cmd *exec.Cmd
	mu  sync.Mutex
	log bytes.Buffer
}

// lockedWriter appends to the rie's log under its lock.
type lockedWriter struct{ r *rie }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.log.Write(p)
}

// Log returns what the emulator and the bootstrap printed so far.
func (r *rie) Log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

// rieBinary returns the emulator's path or skips the test.
func rieBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv(EnvRIE)
	if bin == "" {
		t.Skipf("%s is not set (scripts/ci.d/lambda-rie.sh installs the emulator and sets it)", EnvRIE)
	}
	return bin
}

// freePort returns a loopback port nobody listened on a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRIE runs the emulator with bootstrap on explicit 127.0.0.1 addresses
// (its default is 0.0.0.0:8080), the worker's environment pointing at srv,
// plus env; its process group is killed by PID when the test ends.
//
// concurrency > 0 runs the emulator's concurrent mode
// (AWS_LAMBDA_MAX_CONCURRENCY, Lambda Managed Instances). That mode only
// looks for the bootstrap at /var/runtime, /var/task or /opt, so the emulator
// runs in its own mount namespace (unshare -m, as root: it starts the
// bootstrap as its own user) with a folder holding task/bootstrap
// bind-mounted over /var; nothing outside changes.
func startRIE(t *testing.T, emulator, bootstrap string, srv *s3test.Server, concurrency int, env ...string) *rie {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	api := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	args := []string{emulator, "--runtime-interface-emulator-address", addr, "--runtime-api-address", api}
	if concurrency > 0 {
		if os.Geteuid() != 0 {
			t.Skip("the emulator's concurrent mode needs root (it runs the bootstrap as its own user, in a private mount namespace)")
		}
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			t.Skipf("the emulator's concurrent mode needs unshare(1): %v", err)
		}
		// A private /var holding task/bootstrap: the folder must be
		// readable by the user the emulator runs the bootstrap as.
		root := t.TempDir()
		if out, err := exec.Command(unshare, "-m", "sh", "-c", `mount --bind "$0" /var`, root).CombinedOutput(); err != nil {
			t.Skipf("the emulator's concurrent mode needs a private mount namespace (unshare -m, mount --bind): %v %s", err, out)
		}
		if err := os.MkdirAll(root+"/var/task", 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(bootstrap)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(root+"/var/task/bootstrap", b, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{root, root + "/var"} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		args = append([]string{unshare, "-m", "sh", "-c", `mount --bind "$0" /var && exec "$@"`, root + "/var"}, append(args, "/var/task/bootstrap")...)
		env = append(env, envInt("AWS_LAMBDA_MAX_CONCURRENCY", concurrency))
	} else {
		args = append(args, bootstrap)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + cmd.Dir,
		"AWS_REGION=" + srv.Region,
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_LAMBDA_FUNCTION_NAME=zagg-cell",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512",
		"ZAGG_S3_ENDPOINT=" + srv.URL,
		"ZAGG_LOG_FORMAT=text",
	}, env...)
	r := &rie{url: "http://" + addr, cmd: cmd}
	cmd.Stdout, cmd.Stderr = lockedWriter{r}, lockedWriter{r}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The emulator and the bootstrap it started share the group.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		if t.Failed() {
			t.Logf("emulator log:\n%s", r.Log())
		}
	})
	// Wait for the listener: bounded by attempts, not by a time budget.
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if i == 500 {
			t.Fatalf("the emulator does not listen on %s: %v\n%s", addr, err, r.Log())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return r
}

// invokeRaw posts one event to the emulator as a synchronous invoke and
// returns the HTTP status, the headers and the payload.
func (r *rie) invokeRaw(t *testing.T, payload []byte) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Post(r.url+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(payload))
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, r.Log())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// envInt is strconv.Itoa for env lines.
func envInt(k string, v int) string { return k + "=" + strconv.Itoa(v) }

// decodeJSON decodes b into v or fails the test.
func decodeJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}

// rieCase is one event sent through the emulator and what must come back.
type rieCase struct {
	name   string
	event  []byte
	status int    // the worker's statusCode
	want   string // in the body
}

// TestBootstrapUnderRIE serves setup, process, finalize and malformed
// events with the real bootstrap under the Runtime Interface Emulator
// (classic mode: one invoke at a time), the granules and the store on the
// S3 fixture, and checks the store after finalize.
func TestBootstrapUnderRIE(t *testing.T) {
	emu := rieBinary(t)
	bin := buildBootstrap(t)
	srv := sampletest.Serve(t, "out")
	key, urls := sampletest.LargestCell(t)
	store := "s3://out/" + s3test.Prefix(t) + "/rie.zarr"
	r := startRIE(t, emu, bin, srv, 0, "AWS_LAMBDA_FUNCTION_TIMEOUT=120")
	mustJSON := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []rieCase{
		// "parents": the run's parent cells (a store sized by the data).
		{"setup", mustJSON(map[string]any{"mode": lambda.ModeSetup, "store_path": store, "parent_order": 6, "child_order": 12,
			"parents": []json.Number{json.Number(key)}}), 200, `"mode":"setup"`},
		{"process", mustJSON(map[string]any{"chunk_idx": 0, "parent_morton": json.Number(key), "parent_order": 6, "child_order": 12,
			"granule_urls": urls, "store_path": store, "s3_credentials": srv.Credentials()}), 200, `"cells_with_data"`},
		{"finalize", mustJSON(lambda.Event{Mode: lambda.ModeFinalize, StorePath: store, ParentOrder: 6, ChildOrder: 12}), 200, `"mode":"finalize"`},
		{"malformed: not JSON", []byte("{not json"), 400, "Invalid event"},
		{"malformed: wrong type", []byte(`{"parent_morton": [1, 2]}`), 400, "Invalid event"},
		{"malformed: missing keys", []byte(`{"mode": "process"}`), 400, "Missing required parameters: parent_morton"},
		{"malformed: unknown mode", []byte(`{"mode": "explode"}`), 400, "Unknown mode"},
	}
	for _, tc := range cases {
		status, hdr, body := r.invokeRaw(t, tc.event)
		if status != http.StatusOK || hdr.Get("X-Amz-Function-Error") != "" || hdr.Get("Error-Type") != "" {
			t.Fatalf("%s: emulator answered HTTP %d %v %s; want a clean 200", tc.name, status, hdr, body)
		}
		var resp lambda.Response
		decodeJSON(t, body, &resp)
		if resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.want) {
			t.Errorf("%s: statusCode %d body %s; want %d containing %q", tc.name, resp.StatusCode, resp.Body, tc.status, tc.want)
		}
		if strings.Contains(resp.Body, srv.SecretKey) {
			t.Errorf("%s: credentials in the reply", tc.name)
		}
		t.Logf("rie: %-24s → statusCode %d %.90s", tc.name, resp.StatusCode, resp.Body)
	}
	// The store after finalize: the cell is written (every chunk of it, as
	// the store itself decides) and the metadata consolidated, read back
	// with the fixture's own client.
	cfg, err := config.Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	a, err := pipeline.NewAggregator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := pipeline.OpenStore(store, cfg, a, 6, cfg.Output.Latitude, s3store.WithClient(srv.Client, s3store.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	cell, err := morton.Parse(key)
	if err != nil {
		t.Fatal(err)
	}
	if done, err := st.Done(context.Background(), cell); !done || err != nil {
		t.Errorf("store after finalize: cell %s not written: %v", key, err)
	}
	z, err := zarrstore.Open(store, s3store.WithClient(srv.Client, s3store.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	root, err := z.Backend().Get(context.Background(), "zarr.json")
	if err != nil || !strings.Contains(string(root), "consolidated_metadata") {
		t.Errorf("store after finalize: root metadata not consolidated: %v", err)
	}
	t.Logf("rie: store %s checked after finalize: chunks of cell %s present, metadata consolidated", store, key)
}

// TestDispatchUnderRIE drives the dispatch command against the emulator's
// concurrent mode (AWS_LAMBDA_MAX_CONCURRENCY=3, three invokes in flight)
// for the sample catalog, with timeouts injected: reads of a granule hang,
// the worker stops at its margin and reports the cell as timed out, the
// dispatcher tries it once more. Every cell must end exactly once — with
// data, or as a timeout where every attempt hung — and the store must hold
// the observations of the cells that ended with data.
func TestDispatchUnderRIE(t *testing.T) {
	emu := rieBinary(t)
	bin := buildBootstrap(t)
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	// The one granule of the single-granule cells; the two-granule cells
	// do not read it.
	var single string
	for _, c := range cat.Cells {
		if len(c.Granules) == 1 {
			single = c.Granules[0]
		}
	}
	skey, err := sampledata.Key(single)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		hangTimes int // reads of the granule that hang
		outcome   func(granules int) dispatch.Outcome
	}{
		// One read hangs: one cell's first attempt times out, its retry
		// succeeds.
		{"one timeout", 1, func(int) dispatch.Outcome { return dispatch.OutcomeOK }},
		// Every read hangs: the cells of that granule time out on both
		// attempts and end as timeouts; the others are unaffected.
		{"every attempt times out", 1000, func(n int) dispatch.Outcome {
			if n == 1 {
				return dispatch.OutcomeTimeout
			}
			return dispatch.OutcomeOK
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := sampletest.Serve(t, "out") // fresh: no faults left from another case
			store := "s3://out/" + s3test.Prefix(t) + "/dispatch.zarr"
			r := startRIE(t, emu, bin, srv, 3, "AWS_LAMBDA_FUNCTION_TIMEOUT=4", "ZAGG_TIMEOUT_MARGIN=2s")
			var hangs atomic.Int32
			srv.Inject(t, s3test.Fault{Method: http.MethodGet, PathSuffix: skey, Hang: true, Times: tt.hangTimes, OnHang: func() { hangs.Add(1) }})

			dir := t.TempDir()
			catalog := filepath.Join(dir, "catalog.json")
			if err := os.WriteFile(catalog, sampledata.Catalog(), 0o644); err != nil {
				t.Fatal(err)
			}
			results := filepath.Join(dir, "results.json")
			srv.SetEnv(t) // the dispatcher's own AWS configuration: data credentials (--data-credentials aws) and the resume reads
			t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			t.Setenv("ZAGG_S3_ENDPOINT", srv.URL)
			var out, errb strings.Builder
			code := runDispatch([]string{"--catalog", catalog, "--store", store, "--function-name", "function",
				"--lambda-endpoint", r.url, "--region", srv.Region, "--workers", "3", "--memory-mb", "512",
				"--function-timeout", "4s", "--data-credentials", "aws", "--results", results}, &out, &errb)
			t.Logf("dispatch exit %d\n%s", code, out.String())
			b, err := os.ReadFile(results)
			if err != nil {
				t.Fatalf("no results (exit %d): %v\n%s", code, err, errb.String())
			}
			var rep dispatch.Report
			decodeJSON(t, b, &rep)
			seen := map[string]int{}
			attempts, timeouts := 0, 0
			var obs int64
			want := map[string]dispatch.Outcome{}
			for _, c := range cat.Cells {
				want[c.Key()] = tt.outcome(len(c.Granules))
			}
			for _, rec := range rep.Results {
				seen[rec.Cell.String()]++
				attempts += rec.Attempts
				if rec.Outcome != want[rec.Cell.String()] {
					t.Errorf("cell %s: %s after %d attempts (%s); want %s", rec.Cell, rec.Outcome, rec.Attempts, rec.Error, want[rec.Cell.String()])
				}
				if rec.Outcome == dispatch.OutcomeTimeout {
					timeouts++
					// Two timed-out attempts (one retry); more only for
					// invokes that found no free runtime.
					if rec.Attempts < 2 {
						t.Errorf("cell %s timed out after %d attempts, want ≥ 2 (one retry)", rec.Cell, rec.Attempts)
					}
				}
				if rec.Outcome == dispatch.OutcomeOK && rec.Result != nil {
					obs += rec.Result.TotalObs
				}
				t.Logf("rie dispatch (%s): cell %s %s, %d attempts", tt.name, rec.Cell, rec.Outcome, rec.Attempts)
			}
			for _, c := range cat.Cells {
				if seen[c.Key()] != 1 {
					t.Errorf("cell %s ended %d times in the results, want once", c.Key(), seen[c.Key()])
				}
			}
			if len(rep.Results) != len(cat.Cells) {
				t.Errorf("%d records for %d cells", len(rep.Results), len(cat.Cells))
			}
			if hangs.Load() == 0 || attempts <= len(cat.Cells) {
				t.Errorf("%d injected hangs, %d attempts for %d cells: want the hung attempts retried", hangs.Load(), attempts, len(cat.Cells))
			}
			if (timeouts > 0) != (code != 0) {
				t.Errorf("exit %d with %d cells timed out: want a failure exit exactly when cells time out", code, timeouts)
			}
			if rep.Summary.TotalObs != obs || rep.Summary.CellsTimeout != timeouts {
				t.Errorf("summary %+v; want %d observations, %d timeouts", rep.Summary, obs, timeouts)
			}
			if tt.hangTimes == 1 {
				exp, err := sampledata.LoadExpected()
				if err != nil {
					t.Fatal(err)
				}
				if obs != int64(exp.PointsKept) {
					t.Errorf("%d observations, want every one of the sample (%d)", obs, exp.PointsKept)
				}
			}
			z, err := zarrstore.Open(store, s3store.WithClient(srv.Client, s3store.Options{}))
			if err != nil {
				t.Fatal(err)
			}
			root, err := z.Backend().Get(context.Background(), "zarr.json")
			if err != nil || !strings.Contains(string(root), "consolidated_metadata") {
				t.Errorf("store not consolidated by the finalize invoke: %v", err)
			}
			t.Logf("rie dispatch (%s): %d cells each ended once (%d timed out), %d attempts, %d hung reads, %d observations",
				tt.name, len(rep.Results), timeouts, attempts, hangs.Load(), obs)
		})
	}
}

// TestRuntimeRepliesUnderRIE checks the executor's reading of the
// emulator's own replies in concurrent mode with one runtime: an invoke
// while the runtime is busy gets Runtime.Unavailable (transient), and an
// invoke that outlives the function timeout gets the emulator's timeout
// reply (HTTP 200, Error-Type Sandbox.Timedout, no X-Amz-Function-Error),
// which is a timeout, not a deterministic failure.
func TestRuntimeRepliesUnderRIE(t *testing.T) {
	emu := rieBinary(t)
	bin := buildBootstrap(t)
	srv := sampletest.Serve(t, "out")
	key, urls := sampletest.LargestCell(t)
	cell := mustCell(t, key)
	store := "s3://out/" + s3test.Prefix(t) + "/replies.zarr"
	// The default margin (15 s) exceeds the 2 s timeout: the worker runs to
	// the deadline, and the emulator's timer answers.
	r := startRIE(t, emu, bin, srv, 1, "AWS_LAMBDA_FUNCTION_TIMEOUT=2")
	if st, _, body := r.invokeRaw(t, []byte(`{"mode":"setup","store_path":"`+store+`","parent_order":6,"child_order":12,"parents":[`+key+`]}`)); st != 200 || !strings.Contains(string(body), `\"ok\":true`) {
		t.Fatalf("setup: %d %s", st, body)
	}
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion("us-west-2"),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("rie", "rie", "")))
	if err != nil {
		t.Fatal(err)
	}
	client := lambda.NewClient(cfg, 30*time.Second, 2, func(o *awslambda.Options) { o.BaseEndpoint = aws.String(r.url) })
	ex := &lambda.Executor{Client: client, FunctionName: "function", Event: func(_ context.Context, j dispatch.Job) (*lambda.Event, error) {
		return &lambda.Event{ParentMorton: lambda.CellKey(j.Cell.String()), ParentOrder: 6, ChildOrder: 12, GranuleURLs: j.Granules,
			StorePath: store, S3Credentials: srv.Credentials()}, nil
	}}
	hung := make(chan struct{})
	var once sync.Once
	gkey, err := sampledata.Key(urls[0])
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(t, s3test.Fault{Method: http.MethodGet, PathSuffix: gkey, Hang: true, OnHang: func() { once.Do(func() { close(hung) }) }})
	type outcome struct {
		exec *dispatch.Execution
		err  error
	}
	first := make(chan outcome, 1)
	go func() {
		exec, err := ex.Execute(context.Background(), dispatch.Job{Cell: cell, Granules: urls})
		first <- outcome{exec, err}
	}()
	<-hung // the only runtime is busy with the first invoke
	_, err = ex.Execute(context.Background(), dispatch.Job{Cell: cell, Granules: urls})
	if !errors.Is(err, dispatch.ErrTransient) {
		t.Errorf("invoke with no free runtime: %v; want ErrTransient (Runtime.Unavailable)", err)
	}
	t.Logf("rie: busy runtime → %v", err)
	o := <-first
	// The worker's own answer at the deadline races the emulator's timer;
	// either way the attempt must read as a timeout.
	switch {
	case errors.Is(o.err, dispatch.ErrTimeout):
		t.Logf("rie: overrun → %v", o.err)
	case o.err == nil && o.exec.Result != nil && o.exec.Result.ErrorKind == dispatch.KindTimeout:
		t.Logf("rie: overrun → the worker's own timeout result (it answered before the emulator's timer)")
	default:
		t.Errorf("invoke past the function timeout: %+v, %v; want a timeout", o.exec, o.err)
	}
}

// mustCell parses a catalog key.
func mustCell(t *testing.T, key string) morton.Cell {
	t.Helper()
	c, err := morton.Parse(key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
