package s3store_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

func openS3(t *testing.T, srv *s3test.Server, opts s3store.Options) *zarrstore.Store {
	t.Helper()
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 5 * time.Millisecond
	}
	s, err := zarrstore.Open("s3://bucket/"+s3test.Prefix(t)+"/out.zarr", s3store.WithClient(srv.Client, opts))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3StoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "bucket")
	s := openS3(t, srv, s3store.Options{})
	if _, err := s.Setup(ctx, testLayout()); err != nil {
		t.Fatal(err)
	}
	if !srv.External() {
		srv.Reset()
	}
	if err := s.WriteChunk(ctx, "4/h_mean", 6, chunkValues(6)); err != nil {
		t.Fatal(err)
	}
	// The first write reads the array metadata once, then one PUT.
	if got := srv.Stats(); !srv.External() && (got.Requests != 2 || got.Gets != 1) {
		t.Errorf("first WriteChunk made %d requests (%d GETs), want 2 (1 GET)", got.Requests, got.Gets)
	}
	srv.Reset()
	if err := s.WriteChunk(ctx, "4/h_mean", 7, chunkValues(7)); err != nil {
		t.Fatal(err)
	}
	if got := srv.Stats(); !srv.External() && (got.Requests != 1 || got.Gets != 0) {
		t.Errorf("second WriteChunk made %d requests, want exactly 1 PUT", got.Requests)
	}
	if err := s.Consolidate(ctx); err != nil {
		t.Fatal(err)
	}
	// A second process reads it back.
	r := zarrstore.New(s.Backend())
	g, err := r.OpenGroup(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g.Consolidated["4/h_sigma"]; !ok {
		t.Errorf("consolidated metadata lacks 4/h_sigma: %v", g.Consolidated)
	}
	chunks, err := r.ListChunks(ctx, "4/h_mean")
	if err != nil || !slices.Equal(chunks, []int64{6, 7}) {
		t.Errorf("ListChunks = %v, %v; want [6 7]", chunks, err)
	}
	v, err := r.ReadChunk(ctx, "4/h_mean", 7)
	if err != nil || !slices.Equal(v.([]float32), chunkValues(7)) {
		t.Errorf("ReadChunk(7) = %v, %v", v, err)
	}
	if ok, err := r.ChunkExists(ctx, "4/h_mean", 5); ok || err != nil {
		t.Errorf("ChunkExists(5) = %v, %v; want false", ok, err)
	}
}

func TestS3Retries(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "bucket")
	srv.RequireInProcess(t)
	s := openS3(t, srv, s3store.Options{MaxAttempts: 4})
	if _, err := s.Setup(ctx, testLayout()); err != nil {
		t.Fatal(err)
	}
	a, err := s.OpenArray(ctx, "4/count")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		fault    s3test.Fault
		requests int64
	}{
		{"503 SlowDown twice", s3test.Fault{Method: http.MethodPut, Status: 503, Times: 2}, 3},
		{"500 once", s3test.Fault{Method: http.MethodPut, Status: 500}, 2},
		{"connection dropped", s3test.Fault{Method: http.MethodPut, Drop: true}, 2},
		{"429 three times", s3test.Fault{Method: http.MethodPut, Status: 429, Times: 3}, 4},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunk := int64(i)
			tt.fault.PathSuffix = a.ChunkKey(chunk)
			srv.Inject(t, tt.fault)
			srv.Reset()
			if err := a.WriteChunk(ctx, chunk, chunkCounts(chunk)); err != nil {
				t.Fatalf("WriteChunk with %s: %v", tt.name, err)
			}
			if got := srv.Stats().Requests; got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
			v, err := zarrstore.ReadChunkAs[int32](ctx, a, chunk)
			if err != nil || !slices.Equal(v, chunkCounts(chunk)) {
				t.Errorf("ReadChunk after retries = %v, %v", v, err)
			}
		})
	}
	t.Run("GET 503", func(t *testing.T) {
		srv.Inject(t, s3test.Fault{Method: http.MethodGet, PathSuffix: a.ChunkKey(0), Status: 503, Times: 2})
		if _, err := a.ReadChunk(ctx, 0); err != nil {
			t.Errorf("ReadChunk after two 503s: %v", err)
		}
	})
	t.Run("exhausted", func(t *testing.T) {
		srv.Inject(t, s3test.Fault{Method: http.MethodPut, PathSuffix: a.ChunkKey(5), Status: 503, Times: 10})
		srv.Reset()
		err := a.WriteChunk(ctx, 5, chunkCounts(5))
		if err == nil {
			t.Fatal("WriteChunk succeeded through 10 injected 503s with 4 attempts")
		}
		if got := srv.Stats().Requests; got != 4 {
			t.Errorf("%d requests, want MaxAttempts = 4", got)
		}
		if ok, _ := a.ChunkExists(ctx, 5); ok {
			t.Errorf("a failed write left a chunk behind")
		}
		srv.Inject(t, s3test.Fault{Method: http.MethodPut, PathSuffix: a.ChunkKey(5), Status: 403})
		if err := a.WriteChunk(ctx, 5, chunkCounts(5)); err == nil {
			t.Errorf("403 was not reported")
		}
	})
}

func TestS3ChecksumModes(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "bucket")
	for _, mode := range []struct {
		name string
		req  aws.RequestChecksumCalculation
		resp aws.ResponseChecksumValidation
	}{
		{"when-required", aws.RequestChecksumCalculationWhenRequired, aws.ResponseChecksumValidationWhenRequired},
		{"when-supported", aws.RequestChecksumCalculationWhenSupported, aws.ResponseChecksumValidationWhenSupported},
	} {
		t.Run(mode.name, func(t *testing.T) {
			s := openS3(t, srv, s3store.Options{RequestChecksum: mode.req, ResponseChecksum: mode.resp})
			if _, err := s.Setup(ctx, testLayout()); err != nil {
				t.Fatal(err)
			}
			if err := s.WriteChunk(ctx, "4/h_mean", 3, chunkValues(3)); err != nil {
				t.Fatal(err)
			}
			v, err := s.ReadChunk(ctx, "4/h_mean", 3)
			if err != nil || !slices.Equal(v.([]float32), chunkValues(3)) {
				t.Errorf("ReadChunk = %v, %v", v, err)
			}
		})
	}
}

func TestS3MaxObjectSize(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "bucket")
	s := openS3(t, srv, s3store.Options{MaxObjectSize: 100})
	if err := s.Backend().Put(ctx, "big", make([]byte, 101)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backend().Get(ctx, "big"); err == nil {
		t.Errorf("Get of a 101-byte object with MaxObjectSize 100 succeeded")
	}
	if err := s.Backend().Put(ctx, "ok", make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	if b, err := s.Backend().Get(ctx, "ok"); err != nil || len(b) != 100 {
		t.Errorf("Get(100 bytes) = %d, %v", len(b), err)
	}
	if _, err := s3store.New(nil, "b", "", s3store.Options{}); err == nil {
		t.Errorf("NewS3Backend(nil client) succeeded")
	}
	if _, err := s.Backend().Get(ctx, "missing"); !errors.Is(err, zarrstore.ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
}

// TestS3GetBodyCut: a GET whose answer breaks off after the headers (the SDK
// call has returned; the body is read later) is sent again, within
// MaxAttempts in all.
func TestS3GetBodyCut(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "bucket")
	srv.RequireInProcess(t)
	s := openS3(t, srv, s3store.Options{MaxAttempts: 3})
	b := s.Backend()
	want := make([]byte, 10000)
	for i := range want {
		want[i] = byte(i * 7)
	}
	if err := b.Put(ctx, "obj", want); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		cuts     int
		ok       bool
		requests int64
	}{
		{"one cut", 1, true, 2},
		{"two cuts", 2, true, 3},
		{"cut on every attempt", 3, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Inject(t, s3test.Fault{Method: http.MethodGet, PathSuffix: "/obj", CutBody: true, CutAfter: 1234, Times: tt.cuts})
			srv.Reset()
			got, err := b.Get(ctx, "obj")
			if tt.ok && (err != nil || !slices.Equal(got, want)) {
				t.Errorf("Get after %d cut bodies = %d bytes, %v; want the object", tt.cuts, len(got), err)
			}
			if !tt.ok && (err == nil || !errors.Is(err, io.ErrUnexpectedEOF)) {
				t.Errorf("Get with every body cut = %v; want an unexpected-EOF error", err)
			}
			if n := srv.Stats().Gets; n != tt.requests {
				t.Errorf("%d GETs, want %d", n, tt.requests)
			}
		})
	}
}

// TestS3ErrorKinds: a missing object, a missing bucket and refused
// credentials are three different answers, never "not written yet" for the
// last two.
func TestS3ErrorKinds(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "bucket")
	s := openS3(t, srv, s3store.Options{MaxAttempts: 2})
	if err := s.Backend().Put(ctx, "present", []byte("x")); err != nil {
		t.Fatal(err)
	}
	noBucket, err := s3store.New(srv.Client, "zagg-no-such-bucket", "p", s3store.Options{MaxAttempts: 2, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backend().Get(ctx, "absent"); !errors.Is(err, zarrstore.ErrNotFound) {
		t.Errorf("Get(absent) = %v, want ErrNotFound", err)
	}
	if ok, err := s.Backend().Exists(ctx, "absent"); ok || err != nil {
		t.Errorf("Exists(absent) = %v, %v; want false, nil", ok, err)
	}
	if _, err := noBucket.Get(ctx, "k"); !errors.Is(err, s3store.ErrNoBucket) || errors.Is(err, zarrstore.ErrNotFound) {
		t.Errorf("Get in a missing bucket = %v, want ErrNoBucket (not ErrNotFound)", err)
	}
	if ok, err := noBucket.Exists(ctx, "k"); ok || !errors.Is(err, s3store.ErrNoBucket) {
		t.Errorf("Exists in a missing bucket = %v, %v; want ErrNoBucket", ok, err)
	}
	if _, _, err := noBucket.ListDir(ctx, ""); !errors.Is(err, s3store.ErrNoBucket) {
		t.Errorf("ListDir of a missing bucket = %v, want ErrNoBucket", err)
	}
	if srv.External() {
		// A real server checks signatures: a wrong secret is refused.
		bad := s3test.NewClient(srv.URL, srv.Region, srv.AccessKey, srv.SecretKey+"x")
		bb, err := s3store.New(bad, "bucket", "", s3store.Options{MaxAttempts: 2, MaxBackoff: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bb.Get(ctx, "absent"); !errors.Is(err, s3store.ErrAccessDenied) {
			t.Errorf("Get with a wrong secret = %v, want ErrAccessDenied", err)
		}
		if ok, err := bb.Exists(ctx, "absent"); ok || !errors.Is(err, s3store.ErrAccessDenied) {
			t.Errorf("Exists with a wrong secret = %v, %v; want ErrAccessDenied", ok, err)
		}
		unknown := s3test.NewClient(srv.URL, srv.Region, "no-such-access-key", srv.SecretKey)
		ub, _ := s3store.New(unknown, "bucket", "", s3store.Options{MaxAttempts: 2, MaxBackoff: time.Millisecond})
		if ok, err := ub.Exists(ctx, "absent"); ok || !errors.Is(err, s3store.ErrAccessDenied) {
			t.Errorf("Exists with an unknown access key = %v, %v; want ErrAccessDenied", ok, err)
		}
		return
	}
	// In process: 403 answers (with and without a body) are access denied
	// and not retried.
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		srv.Inject(t, s3test.Fault{Method: m, PathSuffix: "/present", Status: http.StatusForbidden})
	}
	srv.Reset()
	if _, err := s.Backend().Get(ctx, "present"); !errors.Is(err, s3store.ErrAccessDenied) {
		t.Errorf("Get answered 403 = %v, want ErrAccessDenied", err)
	}
	if ok, err := s.Backend().Exists(ctx, "present"); ok || !errors.Is(err, s3store.ErrAccessDenied) {
		t.Errorf("Exists answered 403 = %v, %v; want ErrAccessDenied", ok, err)
	}
	if n := srv.Stats().Requests; n != 2 {
		t.Errorf("%d requests for two 403s, want 2 (no retries)", n)
	}
}

// testLayout is the small layout of the zarrstore tests: order 4 and 2
// groups under parent order 1, three variables, eight parents.
func testLayout() zarrstore.Layout {
	return zarrstore.Layout{
		ParentOrder: 1,
		Orders:      []int{4, 2},
		Latitude:    zarrstore.LatitudeAuthalic,
		Variables: []zarrstore.Variable{
			{Name: "h_mean", DataType: zarrstore.Float32, Attributes: map[string]any{"units": "m"}},
			{Name: "count", DataType: zarrstore.Int32},
			{Name: "h_sigma", DataType: zarrstore.Float64, Codecs: &zarrstore.Codecs{Compressor: zarrstore.Gzip, ShardInner: 4}},
		},
		Attributes: map[string]any{"title": "test"},
		Parents:    []uint64{3, 7, 40, 0, 1, 2, 45, 47},
		Project:    map[string]any{"version": "test"},
	}
}

// chunkCounts is the content of count chunk i in the tests: i, i+1, ….
func chunkCounts(chunk int64) []int32 {
	v := make([]int32, 64)
	for i := range v {
		v[i] = int32(chunk) + int32(i)
	}
	return v
}

// chunkValues is the content of h_mean chunk i in the tests.
func chunkValues(chunk int64) []float32 {
	v := make([]float32, 64)
	for i := range v {
		v[i] = float32(chunk)*1000 + float32(i)
	}
	return v
}
