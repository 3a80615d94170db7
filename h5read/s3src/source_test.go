package s3src_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/h5read/s3src"
	"github.com/zagg-go/zagg/internal/s3test"
)

// atl06Path is the real granule of the h5read tests, in the shared folder
// beside the repository.
const atl06Path = "../../../shared/testdata/granules/ATL06_20181013235645_02340114_209_01.h5"

func granule(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(atl06Path); err != nil {
		t.Skipf("ATL06 granule not available (%v); it lives in the shared folder beside the repository", err)
	}
	return atl06Path
}

var beamVars = []string{"latitude", "longitude", "h_li", "h_li_sigma", "atl06_quality_summary"}

// readBeam reads the five ATL06 variables of one beam, rows [start,
// start+count), planning all five first and fetching them together.
func readBeam(ctx context.Context, t testing.TB, f *h5read.File, beam string, start, count int) [][]float64 {
	t.Helper()
	paths := make([]string, len(beamVars))
	for i, v := range beamVars {
		paths[i] = "/" + beam + "/land_ice_segments/" + v
	}
	dss, plans, err := f.PlanRows(ctx, start, count, paths...)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Fetch(ctx, plans...); err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(dss))
	for i, d := range dss {
		out[i] = make([]float64, count)
		if err := d.ReadFloat64(ctx, out[i], start, count); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func localBeam(t testing.TB, beam string, start, count int) [][]float64 {
	t.Helper()
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, granule(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readBeam(ctx, t, f, beam, start, count)
}

func putGranule(t testing.TB) (*s3test.Server, []byte) {
	t.Helper()
	b, err := os.ReadFile(granule(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := s3test.New(t, "nsidc")
	srv.Put(t, "nsidc", "ATL06/g.h5", b)
	srv.Reset()
	return srv, b
}

func TestS3ReadsEqualLocal(t *testing.T) {
	srv, _ := putGranule(t)
	ctx := context.Background()
	want := localBeam(t, "gt1l", 0, 330)
	f, err := s3src.Open(ctx, srv.Client, "nsidc", "ATL06/g.h5")
	if err != nil {
		t.Fatal(err)
	}
	got := readBeam(ctx, t, f, "gt1l", 0, 330)
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("%s over S3 differs from the local read", beamVars[i])
		}
	}
	st := f.Stats()
	if srv.External() {
		return
	}
	// (The server's byte counter is updated after the client may already
	// have the bytes, so only requests are compared.)
	if s := srv.Stats(); s.Gets != st.Requests {
		t.Errorf("server saw %d GETs, File counted %d requests", s.Gets, st.Requests)
	}
}

// TestS3RequestCount is the target: the five variables of one beam
// for a row range cost at most 3 metadata requests with the default head
// (2 MiB), and their chunks are coalesced into few requests. Smaller heads
// show the cost of metadata outside the head: each level of the dependency
// chain (root group heap, group heap, continuation blocks, B-tree nodes) is
// one batched round, so they are held to a looser bound.
func TestS3RequestCount(t *testing.T) {
	srv, _ := putGranule(t)
	if srv.External() {
		t.Skip("request counting needs the in-process server")
	}
	ctx := context.Background()
	for _, tc := range []struct {
		head     int64
		maxMeta  int64
		maxData  int64
		maxBeams int64 // metadata requests for all six beams
	}{{512 << 10, 6, 2, 8}, {1 << 20, 4, 2, 5}, {2 << 20, 3, 2, 3}} {
		head := tc.head
		srv.Reset()
		f, err := s3src.Open(ctx, srv.Client, "nsidc", "ATL06/g.h5", h5read.WithHeadSize(head))
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, v := range beamVars {
			paths = append(paths, "/gt2l/land_ice_segments/"+v)
		}
		dss, plans, err := f.PlanRows(ctx, 100, 100, paths...)
		if err != nil {
			t.Fatal(err)
		}
		meta := f.Stats().Requests
		if err := f.Fetch(ctx, plans...); err != nil {
			t.Fatal(err)
		}
		data := f.Stats().Requests - meta
		v := make([]float64, 100)
		for _, d := range dss {
			if err := d.ReadFloat64(ctx, v, 100, 100); err != nil {
				t.Fatal(err)
			}
		}
		st := f.Stats()
		t.Logf("head %4d KiB: %d metadata requests, %d data requests (%d chunks), %d after reads; %d bytes fetched, %d used",
			head>>10, meta, data, len(plans), st.Requests, st.BytesFetched, st.BytesUsed)
		if meta > tc.maxMeta {
			t.Errorf("head %d KiB: %d metadata requests, want ≤ %d", head>>10, meta, tc.maxMeta)
		}
		if st.Requests != meta+data {
			t.Errorf("reads after Fetch issued %d more requests", st.Requests-meta-data)
		}
		if data > tc.maxData {
			t.Errorf("head %d KiB: %d data requests for 5 chunks, want ≤ %d (coalesced)", head>>10, data, tc.maxData)
		}
		if s := srv.Stats(); s.Gets != st.Requests {
			t.Errorf("server saw %d GETs, File counted %d", s.Gets, st.Requests)
		}

		// All six beams at once: the rounds are shared.
		f, err = s3src.Open(ctx, srv.Client, "nsidc", "ATL06/g.h5", h5read.WithHeadSize(head))
		if err != nil {
			t.Fatal(err)
		}
		paths = paths[:0]
		for _, b := range []string{"gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"} {
			for _, v := range beamVars {
				paths = append(paths, "/"+b+"/land_ice_segments/"+v)
			}
		}
		_, plans, err = f.PlanRows(ctx, 0, 100, paths...)
		if err != nil {
			t.Fatal(err)
		}
		meta = f.Stats().Requests
		if err := f.Fetch(ctx, plans...); err != nil {
			t.Fatal(err)
		}
		t.Logf("head %4d KiB, 6 beams × 5 variables: %d metadata requests, %d data requests",
			head>>10, meta, f.Stats().Requests-meta)
		if meta > tc.maxBeams {
			t.Errorf("head %d KiB, 6 beams: %d metadata requests, want ≤ %d", head>>10, meta, tc.maxBeams)
		}
	}
}

// BenchmarkS3Beam opens the real granule on the loopback S3 server and
// reads rows [100, 200) of the five variables of one beam: the per-cell
// access pattern of zagg. It reports requests and bytes per granule.
func BenchmarkS3Beam(b *testing.B) {
	srv, _ := putGranule(b)
	if srv.External() {
		b.Skip("request counting needs the in-process server")
	}
	ctx := context.Background()
	var paths []string
	for _, v := range beamVars {
		paths = append(paths, "/gt1r/land_ice_segments/"+v)
	}
	for _, head := range []int64{512 << 10, 2 << 20} {
		b.Run(fmt.Sprintf("head=%dKiB", head>>10), func(b *testing.B) {
			b.ReportAllocs()
			var meta, reqs, fetched int64
			v := make([]float64, 100)
			for b.Loop() {
				f, err := s3src.Open(ctx, srv.Client, "nsidc", "ATL06/g.h5", h5read.WithHeadSize(head))
				if err != nil {
					b.Fatal(err)
				}
				ds, plans, err := f.PlanRows(ctx, 100, 100, paths...)
				if err != nil {
					b.Fatal(err)
				}
				meta += f.Stats().Requests
				if err := f.Fetch(ctx, plans...); err != nil {
					b.Fatal(err)
				}
				for _, d := range ds {
					if err := d.ReadFloat64(ctx, v, 100, 100); err != nil {
						b.Fatal(err)
					}
				}
				st := f.Stats()
				reqs += st.Requests
				fetched += st.BytesFetched
			}
			b.ReportMetric(float64(meta)/float64(b.N), "meta-requests/op")
			b.ReportMetric(float64(reqs)/float64(b.N), "requests/op")
			b.ReportMetric(float64(fetched)/float64(b.N), "bytes-fetched/op")
		})
	}
}

func TestS3Retries(t *testing.T) {
	srv, _ := putGranule(t)
	if srv.External() {
		t.Skip("fault injection needs the in-process server")
	}
	ctx := context.Background()
	want := localBeam(t, "gt3r", 0, 177)
	fast := h5read.WithRetries(3, time.Millisecond)
	srv.Inject(t, s3test.Fault{Method: "GET", Status: 503, Times: 2}, s3test.Fault{Method: "GET", Drop: true})
	f, err := s3src.Open(ctx, srv.Client, "nsidc", "ATL06/g.h5", fast, h5read.WithHeadSize(256<<10))
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(t, s3test.Fault{Method: "GET", Status: 500}, s3test.Fault{Method: "GET", Status: 429})
	got := readBeam(ctx, t, f, "gt3r", 0, 177)
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("%s differs after retries", beamVars[i])
		}
	}
	// The dropped connection may be retried by net/http itself (an
	// idempotent GET on a reused connection), so count at least the four
	// status failures.
	if st := f.Stats(); st.Retries < 4 {
		t.Errorf("Retries = %d, want ≥ 4", st.Retries)
	}

	// Permanent failures are not retried.
	srv.Reset()
	_, err = s3src.Open(ctx, srv.Client, "nsidc", "missing.h5", fast)
	if err == nil {
		t.Fatal("opening a missing key succeeded")
	}
	if s := srv.Stats(); s.Gets != 1 {
		t.Errorf("missing key: %d GETs, want 1 (no retries)", s.Gets)
	}
	// Retries give up.
	srv.Inject(t, s3test.Fault{Method: "GET", Status: 503, Times: 10})
	_, err = s3src.Open(ctx, srv.Client, "nsidc", "ATL06/g.h5", fast)
	if err == nil {
		t.Fatal("open succeeded through 10 injected 503s with 3 retries")
	}
}

// TestS3MissingContentRange: a 200 answer without Content-Range to a ranged
// GetObject (the range was ignored) is the whole object, right only for a
// read from offset 0; at any other offset it is ErrBadRange, not retried,
// as HTTPSource does.
func TestS3MissingContentRange(t *testing.T) {
	srv, body := putGranule(t)
	ctx := context.Background()
	src := s3src.NewSource(srv.Client, "nsidc", "ATL06/g.h5")
	tests := []struct {
		name string
		off  int64
		ok   bool
	}{
		{"offset 0", 0, true},
		{"offset 1000", 1000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Inject(t, s3test.Fault{Method: "GET", IgnoreRange: true})
			p := make([]byte, 64)
			n, err := src.ReadAtContext(ctx, p, tt.off)
			if tt.ok && (err != nil || n != 64 || !bytes.Equal(p, body[:64])) {
				t.Errorf("read at 0 of the whole object = %d, %v", n, err)
			}
			if !tt.ok && !errors.Is(err, h5read.ErrBadRange) {
				t.Errorf("read at %d answered without Content-Range = %d bytes, %v; want ErrBadRange", tt.off, n, err)
			}
		})
	}
	t.Run("through a File, not retried", func(t *testing.T) {
		f, err := s3src.Open(ctx, srv.Client, "nsidc", "ATL06/g.h5", h5read.WithRetries(3, time.Millisecond), h5read.WithHeadSize(4096))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		srv.Inject(t, s3test.Fault{Method: "GET", IgnoreRange: true, Times: 100})
		srv.Reset()
		_, err = f.Dataset(ctx, "/gt1l/land_ice_segments/h_li")
		if !errors.Is(err, h5read.ErrBadRange) {
			t.Fatalf("Dataset with ranges ignored = %v, want ErrBadRange", err)
		}
		if g := srv.Stats().Gets; g != 1 {
			t.Errorf("%d GETs, want 1 (ErrBadRange is not retried)", g)
		}
	})
}
