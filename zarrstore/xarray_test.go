package zarrstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/zagg-go/zagg/zarrstore"
)

// needVenv returns the python of the pinned venv of scripts/python
// (xarray, zarr 3, xdggs): $ZAGG_VENV, else .venv at the repo root, which
// scripts/ci.d/xdggs.sh creates (scripts/python/venv.sh). The test skips
// when there is none.
func needVenv(t *testing.T) string {
	t.Helper()
	venv := os.Getenv("ZAGG_VENV")
	if venv == "" {
		venv = filepath.Join("..", ".venv")
	}
	py, err := filepath.Abs(filepath.Join(venv, "bin", "python"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(py); err != nil {
		t.Skipf("no Python venv at %s (bash scripts/python/venv.sh makes it; or set ZAGG_VENV): %v", venv, err)
	}
	return py
}

func runPython(t *testing.T, py string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(py, append([]string{"testdata/time_xarray.py"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("time_xarray.py %v: %v\n%s\n%s", args, err, out, stderr.Bytes())
	}
	return out
}

// finiteValues returns one chunk of a's type with distinct finite values
// (JSON carries no infinities) and the fill value in every fifth cell.
func finiteValues(a *zarrstore.Array, k int) any {
	data := a.FillChunk()
	for i := range int(a.ChunkElems()) {
		if i%5 == 0 {
			continue
		}
		v := float64(k*1000+i) * 0.25
		switch d := data.(type) {
		case []float32:
			d[i] = float32(v)
		case []float64:
			d[i] = v - 1e6
		case []int32:
			d[i] = int32(k*1000 + i)
		}
	}
	return data
}

// cfTime formats CF seconds since 2018-01-01 as numpy prints datetime64[s].
func cfTime(sec float64) string {
	return time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Second).Format("2006-01-02T15:04:05")
}

// TestXarrayTimeStore: xr.open_zarr(store, group="4") on a store with a
// time dimension (after a window append) gives [time, cells] variables,
// time and time_bnds decoded to datetime64, every value written, and
// xdggs decodes the group.
func TestXarrayTimeStore(t *testing.T) {
	py := needVenv(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "time.zarr")
	s, err := zarrstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	l := timeLayout(2)
	l.Orders = []int{4}
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	want := map[string]*ndExpected{}
	for name, fill := range map[string]string{"h_mean": "NaN", "count": "0", "h_sigma": "NaN", "h_trend": "NaN"} {
		a, err := s.OpenArray(ctx, "4/"+name)
		if err != nil {
			t.Fatal(err)
		}
		want[name] = newNDExpected(a, fill)
		if a.Rank() == 1 {
			want[name].write(t, ctx, a, []int64{1}, finiteValues(a, 9))
			continue
		}
		for k, idx := range [][]int64{{0, 0}, {1, 0}, {1, 2}} {
			want[name].write(t, ctx, a, idx, finiteValues(a, k))
		}
	}
	l.Time = testAxis(3)
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := s.Consolidate(ctx); err != nil {
		t.Fatal(err)
	}
	req := map[string]any{"store": dir, "group": "4"}
	var times []string
	var bnds [][]string
	for w, m := range l.Time.Mid {
		times = append(times, cfTime(m))
		bnds = append(bnds, []string{cfTime(l.Time.Bounds[w][0]), cfTime(l.Time.Bounds[w][1])})
	}
	req["time"], req["time_bnds"] = times, bnds
	vars := map[string]any{}
	for name, e := range want {
		shape := e.shape
		if len(shape) == 2 {
			shape = []int64{3, shape[1]} // the appended window reads as fill
		}
		dims := []string{"cells"}
		if len(shape) == 2 {
			dims = []string{"time", "cells"}
		}
		vals := make([]any, 0, len(e.values))
		for _, v := range e.values {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			if math.IsNaN(f) {
				vals = append(vals, nil)
				continue
			}
			vals = append(vals, f)
		}
		// The appended window reads as fill: NaN, or the integer fill
		// (xarray does not mask a Zarr v3 fill_value).
		f, _ := strconv.ParseFloat(e.fill, 64)
		for range int(shape[0]-e.shape[0]) * int(e.shape[len(e.shape)-1]) {
			if math.IsNaN(f) {
				vals = append(vals, nil)
			} else {
				vals = append(vals, f)
			}
		}
		vars[name] = map[string]any{"dims": dims, "shape": shape, "values": vals}
	}
	req["vars"] = vars
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	reqFile := filepath.Join(t.TempDir(), "request.json")
	if err := os.WriteFile(reqFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := runPython(t, py, "read", reqFile)
	if string(bytes.TrimSpace(out)) != "ok" {
		t.Errorf("time_xarray.py read: %s", out)
	}
}

// TestReadZarrPythonShards reads sharded [time, cells] arrays written by
// zarr-python (shards [1, 32] of [1, 8]; shards [4, 16] of [2, 8], whose
// inner chunks are not contiguous) and compares with the values written.
func TestReadZarrPythonShards(t *testing.T) {
	py := needVenv(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "zarr-python.zarr")
	out := runPython(t, py, "write", dir)
	var written struct {
		Arrays map[string]struct {
			DType  string     `json:"dtype"`
			Fill   *float64   `json:"fill"`
			Shape  []int64    `json:"shape"`
			Chunks []int64    `json:"chunks"`
			Inner  []int64    `json:"inner"`
			Data   []*float64 `json:"data"`
		} `json:"arrays"`
	}
	if err := json.Unmarshal(out, &written); err != nil {
		t.Fatalf("time_xarray.py write: %v\n%s", err, out)
	}
	if len(written.Arrays) != 2 {
		t.Fatalf("zarr-python wrote %d arrays, want 2", len(written.Arrays))
	}
	s, err := zarrstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for path, w := range written.Arrays {
		a, err := s.OpenArray(ctx, path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		m := a.Metadata()
		if string(a.DataType()) != w.DType || !slices.Equal(a.Shape(), w.Shape) || !slices.Equal(a.ChunkShape(), w.Chunks) ||
			len(m.Codecs) != 1 || m.Codecs[0].Name != "sharding_indexed" || !slices.Equal(m.DimensionNames, []string{"time", "cells"}) {
			t.Errorf("%s: %s %v chunks %v codecs %v dims %v", path, a.DataType(), a.Shape(), a.ChunkShape(), m.Codecs, m.DimensionNames)
			continue
		}
		got := make([]float64, len(w.Data))
		grid := a.ChunkGrid()
		cs := a.ChunkShape()
		for ct := range grid[0] {
			for cc := range grid[1] {
				v, err := a.ReadChunkFloat64At(ctx, []int64{ct, cc})
				if err != nil {
					t.Fatalf("%s chunk (%d, %d): %v", path, ct, cc, err)
				}
				for k, x := range v {
					r, c := ct*cs[0]+int64(k)/cs[1], cc*cs[1]+int64(k)%cs[1]
					if r < w.Shape[0] && c < w.Shape[1] {
						got[r*w.Shape[1]+c] = x
					}
				}
			}
		}
		bad := 0
		for i, x := range w.Data {
			want := math.NaN()
			if x != nil && (w.Fill == nil || *x != *w.Fill) {
				want = *x // ReadChunkFloat64At reads the fill value as NaN
			}
			if !(got[i] == want || math.IsNaN(got[i]) && math.IsNaN(want)) {
				if bad++; bad <= 3 {
					t.Errorf("%s[%d] = %v, zarr-python wrote %v", path, i, got[i], want)
				}
			}
		}
	}
}
