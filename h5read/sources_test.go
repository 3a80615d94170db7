package h5read_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zagg-go/zagg/h5read"
)

var beamVars = []string{"latitude", "longitude", "h_li", "h_li_sigma", "atl06_quality_summary"}

// readBeam reads the five ATL06 variables of one beam, rows [start,
// start+count), planning all five first and fetching them together.
func readBeam(ctx context.Context, t testing.TB, f *h5read.File, beam string, start, count int) [][]float64 {
	t.Helper()
	var plans []*h5read.Plan
	var dss []*h5read.Dataset
	for _, v := range beamVars {
		d, err := f.Dataset(ctx, "/"+beam+"/land_ice_segments/"+v)
		if err != nil {
			t.Fatal(err)
		}
		p, err := d.PlanRows(ctx, start, count)
		if err != nil {
			t.Fatal(err)
		}
		dss = append(dss, d)
		plans = append(plans, p)
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

// TestHTTPSource covers the bearer token, ranged GETs, short reads and
// status handling against a loopback server.
func TestHTTPSource(t *testing.T) {
	body, err := os.ReadFile(granule(t))
	if err != nil {
		t.Fatal(err)
	}
	var reqs, short, fail atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		if r.Header.Get("Authorization") != "Bearer edl-token" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		if fail.Add(-1) >= 0 {
			http.Error(w, "busy", http.StatusBadGateway)
			return
		}
		if short.Add(-1) >= 0 {
			// Promise the range, deliver half of it, hang up.
			w.Header().Set("Content-Range", "bytes 0-99/"+itoa(len(body)))
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusPartialContent)
			w.Write(body[:50])
			return
		}
		http.ServeContent(w, r, "g.h5", time.Time{}, bytes.NewReader(body))
	}))
	defer srv.Close()
	ctx := context.Background()
	want := localBeam(t, "gt2r", 0, 254)
	fast := h5read.WithRetries(3, time.Millisecond)

	fail.Store(1)
	short.Store(1)
	f, err := h5read.OpenHTTP(ctx, srv.Client(), srv.URL+"/g.h5", "edl-token", fast)
	if err != nil {
		t.Fatal(err)
	}
	got := readBeam(ctx, t, f, "gt2r", 0, 254)
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("%s over HTTP differs from the local read", beamVars[i])
		}
	}
	if st := f.Stats(); st.Retries != 2 || st.Requests != reqs.Load() {
		t.Errorf("Stats = %+v; server saw %d requests; want 2 retries", st, reqs.Load())
	}

	reqs.Store(0)
	_, err = h5read.OpenHTTP(ctx, srv.Client(), srv.URL+"/g.h5", "wrong", fast)
	var se *h5read.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
		t.Errorf("wrong token: err = %v, want a 401 StatusError", err)
	}
	if reqs.Load() != 1 {
		t.Errorf("401 was retried: %d requests", reqs.Load())
	}
}

func itoa(n int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

// TestCacheBounded reads every dataset of the granule through tiny caches
// and checks the caches never exceed their caps.
func TestCacheBounded(t *testing.T) {
	ctx := context.Background()
	fh, err := os.Open(granule(t))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	fi, _ := fh.Stat()
	const metaCap, chunkCap = 64 << 10, 128 << 10
	f, err := h5read.Open(ctx, fh, fi.Size(), h5read.WithHeadSize(0), h5read.WithBlockSize(4096),
		h5read.WithCacheSize(metaCap, chunkCap))
	if err != nil {
		t.Fatal(err)
	}
	g := loadGolden(t, "atl06_golden.json", "mkgolden_atl06.py", granule(t))
	for name, gd := range g.Datasets {
		d, err := f.Dataset(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.ReadRaw(ctx, make([]int, len(gd.Shape)), gd.Shape); err != nil {
			t.Fatal(err)
		}
		if c := f.Stats().CachedBytes; c > metaCap+chunkCap {
			t.Fatalf("caches hold %d bytes, caps %d + %d", c, metaCap, chunkCap)
		}
	}
}

// TestHTTPRedirect mimics NASA Earthdata: the data URL checks the bearer
// token and redirects to a short-lived signed URL on another host, which
// must not receive the token. Later ranges go straight to the signed URL
// until it expires (403), then the source asks the original URL again.
func TestHTTPRedirect(t *testing.T) {
	body, err := os.ReadFile(granule(t))
	if err != nil {
		t.Fatal(err)
	}
	var sig, dataReqs, authReqs atomic.Int64
	data := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dataReqs.Add(1)
		if r.Header.Get("Authorization") != "" {
			http.Error(w, "token leaked to the signed URL", http.StatusBadRequest)
			return
		}
		if r.URL.Query().Get("sig") != itoa(int(sig.Load())) {
			http.Error(w, "expired", http.StatusForbidden)
			return
		}
		http.ServeContent(w, r, "g.h5", time.Time{}, bytes.NewReader(body))
	}))
	defer data.Close()
	dataURL := strings.Replace(data.URL, "127.0.0.1", "localhost", 1)
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authReqs.Add(1)
		if r.Header.Get("Authorization") != "Bearer edl-token" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, dataURL+"/g.h5?sig="+itoa(int(sig.Load())), http.StatusTemporaryRedirect)
	}))
	defer auth.Close()

	ctx := context.Background()
	f, err := h5read.OpenHTTP(ctx, nil, auth.URL+"/g.h5", "edl-token", h5read.WithHeadSize(64<<10), h5read.WithBlockSize(4096))
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.Dataset(ctx, "/gt1l/land_ice_segments/h_li")
	if err != nil {
		t.Fatal(err)
	}
	if authReqs.Load() != 1 {
		t.Errorf("%d requests to the auth URL before expiry, want 1 (later ranges go to the signed URL)", authReqs.Load())
	}
	sig.Add(1) // the signed URL expires
	v := make([]float64, 330)
	if err := d.ReadFloat64(ctx, v, 0, 330); err != nil {
		t.Fatal(err)
	}
	want := localBeam(t, "gt1l", 0, 330)[2]
	if !slices.Equal(v, want) {
		t.Error("h_li over the redirect differs from the local read")
	}
	if authReqs.Load() != 2 {
		t.Errorf("%d requests to the auth URL, want 2 (one more after expiry)", authReqs.Load())
	}
	t.Logf("auth requests %d, signed-URL requests %d, File requests %d", authReqs.Load(), dataReqs.Load(), f.Stats().Requests)
}

func TestHTTPWrongRange(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Range", "bytes 100-4195/9999")
		w.WriteHeader(http.StatusPartialContent)
		w.Write(make([]byte, 4096))
	}))
	defer srv.Close()
	_, err := h5read.OpenHTTP(context.Background(), srv.Client(), srv.URL, "", h5read.WithHeadSize(4096), h5read.WithRetries(0, 0))
	if err == nil || !strings.Contains(err.Error(), "starting at 100") {
		t.Errorf("err = %v, want a wrong-range error", err)
	}
}
