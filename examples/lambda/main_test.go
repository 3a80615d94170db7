package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/internal/sampletest"
	"github.com/zagg-go/zagg/pipeline/dispatch"
	"github.com/zagg-go/zagg/pipeline/lambda"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

// runtimeAPI is a loopback stand-in for the Lambda Runtime API (2018-06-01):
// it hands out queued events on GET .../invocation/next and records what the
// function posts back.
type runtimeAPI struct {
	mu      sync.Mutex
	queue   [][]byte
	replies map[string]reply
	done    chan struct{}
	want    int
	next    int
	first   time.Time
}

type reply struct {
	kind string // "response" or "error"
	body []byte
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const base = "/2018-06-01/runtime/"
	path := strings.TrimPrefix(r.URL.Path, base)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		a.mu.Lock()
		if len(a.queue) == 0 {
			a.mu.Unlock()
			<-r.Context().Done() // no more events: hold the poll until the function dies
			return
		}
		ev := a.queue[0]
		a.queue = a.queue[1:]
		id := fmt.Sprintf("req-%d", a.next)
		a.next++
		a.mu.Unlock()
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", id)
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(2*time.Minute).UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-west-2:123456789012:function:zagg-cell")
		w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
		w.Write(ev)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		rest := strings.TrimPrefix(path, "invocation/")
		id, kind, _ := strings.Cut(rest, "/")
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		if len(a.replies) == 0 {
			a.first = time.Now()
		}
		a.replies[id] = reply{kind, body}
		if len(a.replies) == a.want {
			close(a.done)
		}
		a.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && path == "init/error":
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.replies["init"] = reply{"init-error", body}
		a.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// buildBootstrap builds the real handler binary for the host architecture
// with the flags of build.sh; ZAGG_TEST_BOOTSTRAP names a prebuilt one
// instead (CI passes build.sh's linux/arm64 binary, run under qemu-user
// named by ZAGG_TEST_BOOTSTRAP_EXEC).
func buildBootstrap(t testing.TB) string {
	t.Helper()
	if b := os.Getenv("ZAGG_TEST_BOOTSTRAP"); b != "" {
		return b
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building bootstrap: %v\n%s", err, out)
	}
	return bin
}

// startBootstrap runs bin against api with the worker's environment: the
// store and the granules on srv, with srv's credentials and region (no
// ZAGG_DATA_REGION: with an endpoint, the data region is the configured one).
func startBootstrap(t testing.TB, bin string, api *httptest.Server, srv *s3test.Server) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin)
	if wrapper := os.Getenv("ZAGG_TEST_BOOTSTRAP_EXEC"); wrapper != "" {
		cmd = exec.Command(wrapper, bin)
	}
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(api.URL, "http://"),
		"AWS_LAMBDA_FUNCTION_NAME=zagg-cell",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512",
		"AWS_REGION=" + srv.Region,
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true",
		"ZAGG_S3_ENDPOINT=" + srv.URL,
	}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logged := make(chan struct{})
	go func() { // keep the worker's log lines in the test log
		defer close(logged)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Logf("bootstrap: %s", sc.Text())
		}
	}()
	// Cleanups run last-registered first: the process dies before the
	// Runtime API server (registered earlier) closes, so the server is not
	// left waiting on the function's pending long poll.
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-logged
		cmd.Wait()
	})
	return cmd
}

// peakRSS reads a live process's peak resident set (VmHWM) in MiB (Linux).
func peakRSS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func TestBootstrapAgainstRuntimeAPI(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("needs a Unix host to run the built binary")
	}
	bin := buildBootstrap(t)
	srv := sampletest.Serve(t, "out")
	key, urls := sampletest.LargestCell(t)
	store := "s3://out/" + s3test.Prefix(t) + "/bootstrap.zarr"
	creds := srv.Credentials()
	events := []any{
		lambda.Event{Mode: lambda.ModeSetup, StorePath: store, ParentOrder: 6, ChildOrder: 12, Parents: []lambda.CellKey{lambda.CellKey(key)}},
		// zagg 0.1.0 form: numeric parent_morton, chunk_idx, camelCase credentials.
		map[string]any{"chunk_idx": 0, "parent_morton": json.Number(key), "parent_order": 6, "child_order": 12,
			"granule_urls": urls, "store_path": store, "s3_credentials": creds},
		json.RawMessage(`{"parent_morton": [1, 2]}`),
		json.RawMessage(`{"mode": "process"}`),
		lambda.Event{Mode: lambda.ModeFinalize, StorePath: store},
	}
	api := &runtimeAPI{replies: map[string]reply{}, done: make(chan struct{}), want: len(events) + 1}
	for _, ev := range events {
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		api.queue = append(api.queue, b)
	}
	api.queue = append(api.queue, []byte("{not json"))
	ts := httptest.NewServer(api)
	t.Cleanup(ts.Close)

	start := time.Now()
	cmd := startBootstrap(t, bin, ts, srv)
	select {
	case <-api.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("timed out; replies so far: %v", api.replies)
	}
	rss := peakRSS(cmd.Process.Pid)
	t.Logf("cold start to first result %v; %d events in %v; peak RSS %.1f MiB", api.first.Sub(start), len(events)+1, time.Since(start), rss)

	// Replies come back keyed by request id in queue order.
	api.mu.Lock()
	defer api.mu.Unlock()
	var got []lambda.Response
	for i := 0; i < len(events)+1; i++ {
		rp, ok := api.replies[fmt.Sprintf("req-%d", i)]
		if !ok {
			t.Fatalf("no reply to event %d: %v", i, api.replies)
		}
		if rp.kind != "response" {
			t.Fatalf("event %d: the function answered %s %s; want a clean response", i, rp.kind, rp.body)
		}
		var r lambda.Response
		if err := json.Unmarshal(rp.body, &r); err != nil {
			t.Fatalf("event %d: reply %s: %v", i, rp.body, err)
		}
		got = append(got, r)
	}
	wantStatus := []int{200, 200, 400, 400, 200, 400}
	for i, r := range got {
		if r.StatusCode != wantStatus[i] {
			t.Errorf("event %d: status %d (%s), want %d", i, r.StatusCode, r.Body, wantStatus[i])
		}
		if strings.Contains(r.Body, srv.SecretKey) {
			t.Errorf("event %d: credentials in the reply", i)
		}
	}
	var res dispatch.CellResult
	if err := json.Unmarshal([]byte(got[1].Body), &res); err != nil {
		t.Fatal(err)
	}
	if res.CellsWithData == 0 || res.FilesProcessed != len(urls) || fmt.Sprint(res.ParentMorton) != key {
		t.Errorf("process result %+v", res)
	}
	if !strings.Contains(got[3].Body, "Missing required parameters: parent_morton") || !strings.Contains(got[5].Body, "Invalid event") {
		t.Errorf("invalid events: %s / %s", got[3].Body, got[5].Body)
	}
	z, err := zarrstore.Open(store, s3store.WithClient(srv.Client, s3store.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := z.ChunkExists(context.Background(), "12/h_mean", 0); !ok || err != nil {
		t.Errorf("h_mean chunk of cell %s not in the store: %v %v", key, ok, err)
	}
	root, err := z.Backend().Get(context.Background(), "zarr.json")
	if err != nil || !strings.Contains(string(root), "consolidated_metadata") {
		t.Errorf("store not consolidated by finalize: %v", err)
	}
}

func TestNotInLambda(t *testing.T) {
	if os.Getenv("ZAGG_TEST_BOOTSTRAP") != "" {
		t.Skip("checked on the host binary")
	}
	bin := buildBootstrap(t)
	out, err := exec.Command(bin).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "not running inside AWS Lambda") {
		t.Errorf("outside Lambda: %v\n%s", err, out)
	}
}

func TestDispatchFlags(t *testing.T) {
	var out, errb strings.Builder
	if code := runDispatch([]string{"--store", "s3://b/x"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--catalog and --store are required") {
		t.Errorf("missing --catalog: code %d, %q", code, errb.String())
	}
}

// BenchmarkColdStart measures, per op, a fresh bootstrap process from exec
// to its answer for one sample cell (process event, granules and store on
// loopback S3), and reports the process's peak resident memory.
//
//	go test -run '^$' -bench ColdStart ./examples/lambda
func BenchmarkColdStart(b *testing.B) {
	bin := buildBootstrap(b)
	srv := sampletest.Serve(b, "out")
	key, urls := sampletest.LargestCell(b)
	store := "s3://out/" + s3test.Prefix(b) + "/bench.zarr"
	ev, err := json.Marshal(lambda.Event{ParentMorton: lambda.CellKey(key), ParentOrder: 6, ChildOrder: 12,
		GranuleURLs: urls, StorePath: store, S3Credentials: srv.Credentials()})
	if err != nil {
		b.Fatal(err)
	}
	w := &lambda.Worker{StoreOptions: []zarrstore.Option{s3store.WithClient(srv.Client, s3store.Options{})}}
	if r := w.Handle(context.Background(), &lambda.Event{Mode: lambda.ModeSetup, StorePath: store, ParentOrder: 6, ChildOrder: 12, Parents: []lambda.CellKey{lambda.CellKey(key)}}); r.StatusCode != 200 {
		b.Fatalf("setup: %s", r.Body)
	}
	var peak float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		api := &runtimeAPI{replies: map[string]reply{}, done: make(chan struct{}), want: 1, queue: [][]byte{ev}}
		ts := httptest.NewServer(api)
		b.StartTimer()
		cmd := startBootstrap(b, bin, ts, srv)
		select {
		case <-api.done:
		case <-time.After(time.Minute):
			b.Fatal("no answer within a minute")
		}
		b.StopTimer()
		if r := api.replies["req-0"]; !strings.Contains(string(r.body), `"statusCode":200`) {
			b.Fatalf("reply %s", r.body)
		}
		peak = max(peak, peakRSS(cmd.Process.Pid))
		cmd.Process.Kill()
		cmd.Wait()
		ts.Close()
		b.StartTimer()
	}
	b.ReportMetric(peak, "peak-MiB")
}

func TestWorkerEnvironment(t *testing.T) {
	for _, tc := range []struct {
		endpoint, dataRegion, configured, want string
	}{
		{"", "", "eu-west-1", "us-west-2"},                               // NSIDC's region on AWS
		{"http://127.0.0.1:7070", "", "zagg-ci-1", "zagg-ci-1"},          // the endpoint's configured region
		{"http://127.0.0.1:7070", "", "", "us-west-2"},                   // nothing configured
		{"http://127.0.0.1:7070", "us-east-2", "zagg-ci-1", "us-east-2"}, // explicit wins
	} {
		t.Setenv("ZAGG_S3_ENDPOINT", tc.endpoint)
		t.Setenv("ZAGG_DATA_REGION", tc.dataRegion)
		if got := dataRegion(tc.configured); got != tc.want {
			t.Errorf("endpoint %q, ZAGG_DATA_REGION %q, configured %q: data region %q, want %q", tc.endpoint, tc.dataRegion, tc.configured, got, tc.want)
		}
	}
	for _, tc := range []struct {
		format string
		ok     bool
	}{{"", true}, {"json", true}, {"JSON", true}, {"text", true}, {"xml", false}} {
		l, err := newLogger(tc.format)
		if l == nil || (err == nil) != tc.ok {
			t.Errorf("ZAGG_LOG_FORMAT %q: logger %v, error %v; want ok=%v", tc.format, l, err, tc.ok)
		}
	}
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{{"", 0, true}, {"2s", 2 * time.Second, true}, {"soon", 0, false}, {"-1s", 0, false}} {
		if got, err := timeoutMargin(tc.v); got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ZAGG_TIMEOUT_MARGIN %q = %v, %v; want %v, ok=%v", tc.v, got, err, tc.want, tc.ok)
		}
	}
	var out, errb strings.Builder
	if code := runDispatch([]string{"--catalog", "c.json", "--store", "s3://b/x", "--data-credentials", "ftp"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "want earthdata or aws") {
		t.Errorf("--data-credentials ftp: code %d, %q", code, errb.String())
	}
}

// TestDispatchDryRunStoreErrors: a dry run whose store cannot be read (a
// missing bucket, refused credentials) says so instead of reporting
// "0 already written".
func TestDispatchDryRunStoreErrors(t *testing.T) {
	srv := sampletest.Serve(t, "out")
	dir := t.TempDir()
	catalog := dir + "/catalog.json"
	if err := os.WriteFile(catalog, sampledata.Catalog(), 0o644); err != nil {
		t.Fatal(err)
	}
	srv.SetEnv(t)
	t.Setenv("AWS_CONFIG_FILE", dir+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/none")
	t.Setenv("ZAGG_S3_ENDPOINT", srv.URL)
	tests := []struct {
		name, store, want string
	}{
		{"existing store prefix", "s3://out/" + s3test.Prefix(t) + "/x.zarr", "(0 already written)"},
		{"missing bucket", "s3://zagg-no-such-bucket/x.zarr", "does not exist"},
	}
	if srv.External() {
		// Only a real server checks signatures.
		tests = append(tests, struct{ name, store, want string }{"unknown access key", "s3://out/" + s3test.Prefix(t) + "/y.zarr", "access denied"})
	}
	for _, tc := range tests {
		if tc.name == "unknown access key" {
			t.Setenv("AWS_ACCESS_KEY_ID", "zagg-unknown-key")
		}
		var out, errb strings.Builder
		code := runDispatch([]string{"--catalog", catalog, "--store", tc.store, "--region", srv.Region, "--dry-run"}, &out, &errb)
		if code != 0 || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %q", tc.name, code, out.String(), errb.String(), tc.want)
		}
	}
}
