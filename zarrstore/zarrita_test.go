package zarrstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/zagg-go/zagg/zarrstore"
)

const zarritaDir = "testdata/zarrita"

// needZarrita returns the node binary, or skips the test when node or the
// npm packages are missing. Under CI (env CI set) it fails instead: CI must
// never silently skip the independent-reader check.
func needZarrita(t *testing.T) string {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("CI") != "" {
		fail = t.Fatalf
	}
	node, err := exec.LookPath("node")
	if err != nil {
		fail("node not found (%v); install Node.js >= 18 to run the zarrita cross-check", err)
		return ""
	}
	if _, err := os.Stat(filepath.Join(zarritaDir, "node_modules", "zarrita")); err != nil {
		fail("zarrita is not installed; run: (cd zarrstore/%s && npm ci)  [%v]", zarritaDir, err)
		return ""
	}
	return node
}

type zarritaOut struct {
	Contents []string `json:"contents"`
	Groups   map[string]struct {
		Attrs  map[string]any  `json:"attrs"`
		Valid  bool            `json:"valid"`
		Errors json.RawMessage `json:"errors"`
	} `json:"groups"`
	Arrays map[string]struct {
		DType     string         `json:"dtype"`
		Shape     []int64        `json:"shape"`
		FillValue string         `json:"fill_value"`
		Attrs     map[string]any `json:"attrs"`
		Data      []string       `json:"data"`
	} `json:"arrays"`
}

func runZarrita(t *testing.T, node, store string, consolidated bool, groups, arrays []string) zarritaOut {
	t.Helper()
	schema, err := filepath.Abs("testdata/dggs-convention-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := json.Marshal(map[string]any{
		"store": store, "schema": schema, "consolidated": consolidated, "groups": groups, "arrays": arrays,
	})
	reqFile := filepath.Join(t.TempDir(), "request.json")
	if err := os.WriteFile(reqFile, req, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "read.mjs", reqFile)
	cmd.Dir = zarritaDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node read.mjs: %v\n%s", err, stderr.Bytes())
	}
	var out zarritaOut
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("node read.mjs output: %v\n%.2000s", err, stdout)
	}
	return out
}

// expected tracks what an array should contain: the fill value everywhere
// except the chunks written.
type expected struct {
	dt       zarrstore.DataType
	fill     string // zarrita's String() of the fill value
	chunkLen int
	values   []string // zarrita-style strings per element
}

func newExpected(a *zarrstore.Array, fill string) *expected {
	e := &expected{dt: a.DataType(), fill: fill, chunkLen: int(a.ChunkLen())}
	fc := toStrings(a.FillChunk())
	for range a.NumChunks() {
		e.values = append(e.values, fc...)
	}
	e.values = e.values[:a.Len()]
	return e
}

func (e *expected) write(t *testing.T, ctx context.Context, a *zarrstore.Array, i int64, data any) {
	t.Helper()
	if err := a.WriteChunk(ctx, i, data); err != nil {
		t.Fatalf("%s chunk %d: %v", a.Path(), i, err)
	}
	copy(e.values[int(i)*e.chunkLen:], toStrings(data))
}

// toStrings formats values the way read.mjs does (JavaScript String()).
func toStrings(data any) []string {
	var out []string
	add := func(s string) { out = append(out, s) }
	jsFloat := func(f float64) string {
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	switch s := data.(type) {
	case []bool:
		for _, v := range s {
			add(strconv.FormatBool(v))
		}
	case []int8:
		for _, v := range s {
			add(strconv.Itoa(int(v)))
		}
	case []int16:
		for _, v := range s {
			add(strconv.Itoa(int(v)))
		}
	case []int32:
		for _, v := range s {
			add(strconv.Itoa(int(v)))
		}
	case []int64:
		for _, v := range s {
			add(strconv.FormatInt(v, 10))
		}
	case []uint8:
		for _, v := range s {
			add(strconv.Itoa(int(v)))
		}
	case []uint16:
		for _, v := range s {
			add(strconv.Itoa(int(v)))
		}
	case []uint32:
		for _, v := range s {
			add(strconv.FormatUint(uint64(v), 10))
		}
	case []uint64:
		for _, v := range s {
			add(strconv.FormatUint(v, 10))
		}
	case []float32:
		for _, v := range s {
			add(jsFloat(float64(v)))
		}
	case []float64:
		for _, v := range s {
			add(jsFloat(v))
		}
	default:
		panic(fmt.Sprintf("toStrings(%T)", data))
	}
	return out
}

// sameValue compares a zarrita string with an expected one, numerically
// for floats (JavaScript prints the shortest float64 form; float32 values
// widen exactly).
func sameValue(dt zarrstore.DataType, got, want string) bool {
	if got == want {
		return true
	}
	if dt != zarrstore.Float32 && dt != zarrstore.Float64 {
		return false
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	return err1 == nil && err2 == nil && (g == w || math.IsNaN(g) && math.IsNaN(w))
}

// typedValues makes n values of data type dt with a pattern that has
// negative numbers, extremes and (for floats) NaN/±Inf, plus a run of fill
// values so that sharded arrays get empty inner chunks.
func typedValues(dt zarrstore.DataType, n int, seed uint64, fill func(i int) bool) any {
	r := rand.New(rand.NewPCG(seed, 1))
	switch dt {
	case zarrstore.Bool:
		s := make([]bool, n)
		for i := range s {
			s[i] = !fill(i) && r.IntN(2) == 1
		}
		return s
	case zarrstore.Int8:
		return gen(n, fill, func(i int) int8 { return int8(r.IntN(256) - 128) })
	case zarrstore.Int16:
		return gen(n, fill, func(i int) int16 { return int16(r.IntN(65536) - 32768) })
	case zarrstore.Int32:
		return gen(n, fill, func(i int) int32 { return int32(r.Uint32()) })
	case zarrstore.Int64:
		return gen(n, fill, func(i int) int64 { return int64(r.Uint64()) })
	case zarrstore.Uint8:
		return gen(n, fill, func(i int) uint8 { return uint8(r.Uint32()) })
	case zarrstore.Uint16:
		return gen(n, fill, func(i int) uint16 { return uint16(r.Uint32()) })
	case zarrstore.Uint32:
		return gen(n, fill, func(i int) uint32 { return r.Uint32() })
	case zarrstore.Uint64:
		return gen(n, fill, func(i int) uint64 { return r.Uint64() })
	case zarrstore.Float32:
		return gen(n, func(i int) bool { return false }, func(i int) float32 {
			switch {
			case fill(i):
				return float32(math.NaN())
			case i%11 == 5:
				return float32(math.Inf(-1))
			}
			return float32(r.NormFloat64() * 100)
		})
	case zarrstore.Float64:
		return gen(n, func(i int) bool { return false }, func(i int) float64 {
			switch {
			case fill(i):
				return math.NaN()
			case i%13 == 6:
				return math.MaxFloat64
			}
			return r.NormFloat64() * 1e9
		})
	}
	panic(dt)
}

func gen[T any](n int, fill func(int) bool, f func(int) T) []T {
	s := make([]T, n)
	for i := range s {
		if !fill(i) {
			s[i] = f(i)
		}
	}
	return s
}

func TestZarritaReadsWhatWeWrite(t *testing.T) {
	node := needZarrita(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "out.zarr")
	s, err := zarrstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// 1. The project layout: zstd default, a sharded gzip statistic, missing
	// chunks, consolidated metadata.
	if _, err := s.Setup(ctx, testLayout()); err != nil {
		t.Fatal(err)
	}
	want := map[string]*expected{}
	open := func(path, fill string) *zarrstore.Array {
		a, err := s.OpenArray(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		want[path] = newExpected(a, fill)
		return a
	}
	grid := zarrstore.Grid{Order: 4, ParentOrder: 1, Latitude: zarrstore.LatitudeAuthalic}
	cells, mean, count, sigma := open("4/cell_ids", "3072"), open("4/h_mean", "NaN"), open("4/count", "0"), open("4/h_sigma", "NaN")
	// Setup wrote the coordinates of the three parents (3, 7, 40 → chunks
	// 0, 1, 2); writing them again is idempotent.
	for i, parent := range testLayout().Parents {
		want["4/cell_ids"].write(t, ctx, cells, int64(i), grid.CellIDs(nil, parent))
	}
	for _, i := range []int64{0, 1} {
		inner := func(i int) bool { return i/4%3 == 1 } // some all-fill inner chunks
		want["4/h_mean"].write(t, ctx, mean, i, typedValues(zarrstore.Float32, 64, uint64(i), inner))
		want["4/count"].write(t, ctx, count, i, typedValues(zarrstore.Int32, 64, uint64(i), inner))
		want["4/h_sigma"].write(t, ctx, sigma, i, typedValues(zarrstore.Float64, 64, uint64(i), inner))
	}
	// A shard whose inner chunks are all fill: stored as an index only.
	want["4/h_sigma"].write(t, ctx, sigma, 2, typedValues(zarrstore.Float64, 64, 46, func(int) bool { return true }))
	if ok, err := sigma.ChunkExists(ctx, 2); !ok || err != nil {
		t.Fatalf("all-fill shard not stored: %v, %v", ok, err)
	}
	c2 := open("2/count", "0")
	want["2/count"].write(t, ctx, c2, 1, []int32{1, 2, 3, 4})
	if err := s.Consolidate(ctx); err != nil {
		t.Fatal(err)
	}

	// 2. Every data type × codec, with the first chunk missing and a fill
	// value that is not the default.
	codecs := map[string]zarrstore.Codecs{
		"none":       {Compressor: zarrstore.None},
		"zstd":       {},
		"gzip":       {Compressor: zarrstore.Gzip, Level: 9},
		"crc32c":     {Compressor: zarrstore.None, Checksum: true},
		"zstd_crc":   {Checksum: true},
		"shard":      {Compressor: zarrstore.None, ShardInner: 8},
		"shard_zstd": {ShardInner: 16, Checksum: true},
	}
	types := []zarrstore.DataType{zarrstore.Bool, zarrstore.Int8, zarrstore.Int16, zarrstore.Int32, zarrstore.Int64,
		zarrstore.Uint8, zarrstore.Uint16, zarrstore.Uint32, zarrstore.Uint64, zarrstore.Float32, zarrstore.Float64}
	for _, dt := range types {
		for name, c := range codecs {
			path := fmt.Sprintf("types/%s_%s", dt, name)
			fill, fillStr := any(7), "7"
			switch dt {
			case zarrstore.Bool:
				fill, fillStr = false, "false"
			case zarrstore.Float32, zarrstore.Float64:
				fill, fillStr = "-Infinity", "-Infinity"
			}
			fv, err := zarrstore.FillValue(dt, fill)
			if err != nil {
				t.Fatal(err)
			}
			list, err := c.List(64)
			if err != nil {
				t.Fatal(err)
			}
			a, err := s.CreateArray(ctx, path, zarrstore.ArrayMetadata{
				Shape: []int64{200}, DataType: dt, ChunkShape: []int64{64}, FillValue: fv,
				Codecs: list, DimensionNames: []string{"x"},
			})
			if err != nil {
				t.Fatal(err)
			}
			e := newExpected(a, fillStr)
			want[path] = e
			e.write(t, ctx, a, 1, typedValues(dt, 64, 1, func(i int) bool { return i < 8 }))
			e.write(t, ctx, a, 3, typedValues(dt, 8, 3, func(i int) bool { return false })) // edge chunk
		}
	}
	if err := s.CreateGroup(ctx, "types", zarrstore.GroupMetadata{}); err != nil {
		t.Fatal(err)
	}
	// A group whose convention entry lacks every identifier: the schema
	// must reject it (proves the validator runs).
	bad := testLayout().Project
	if err := s.CreateGroup(ctx, "bad", zarrstore.GroupMetadata{Attributes: map[string]any{
		"zarr_conventions": []any{map[string]any{"name": "dggs"}},
		"dggs":             map[string]any{"name": "healpix", "refinement_level": 1, "spatial_dimension": "cells"},
		"zagg":             bad,
	}}); err != nil {
		t.Fatal(err)
	}

	paths := make([]string, 0, len(want))
	for p := range want {
		paths = append(paths, p)
	}
	slices.Sort(paths)

	for _, consolidated := range []bool{true, false} {
		groups := []string{"4", "2", "bad"}
		arrays := paths
		if consolidated {
			groups, arrays = []string{"4", "2"}, []string{"4/cell_ids", "4/h_mean", "4/count", "4/h_sigma", "2/count"}
		}
		t.Run(fmt.Sprintf("consolidated=%v", consolidated), func(t *testing.T) {
			out := runZarrita(t, node, dir, consolidated, groups, arrays)
			for _, p := range arrays {
				got, ok := out.Arrays[p]
				if !ok {
					t.Errorf("%s: not read", p)
					continue
				}
				e := want[p]
				if got.FillValue != e.fill {
					t.Errorf("%s: zarrita fill %q, want %q", p, got.FillValue, e.fill)
				}
				if len(got.Data) != len(e.values) {
					t.Errorf("%s: zarrita read %d values, want %d", p, len(got.Data), len(e.values))
					continue
				}
				bad := 0
				for i := range e.values {
					if !sameValue(e.dt, got.Data[i], e.values[i]) {
						if bad++; bad <= 3 {
							t.Errorf("%s[%d]: zarrita %s, want %s", p, i, got.Data[i], e.values[i])
						}
					}
				}
			}
			for _, order := range []int{4, 2} {
				g := out.Groups[strconv.Itoa(order)]
				if !g.Valid {
					t.Errorf("group %d does not validate against the DGGS schema: %s", order, g.Errors)
				}
				wantAttrs := jsonValue(t, zarrstore.Grid{Order: order, ParentOrder: 1, Latitude: zarrstore.LatitudeAuthalic}.GroupAttributes(testLayout().Project))
				if gotAttrs := jsonValue(t, g.Attrs); !reflect.DeepEqual(gotAttrs, wantAttrs) {
					t.Errorf("group %d attributes via zarrita:\n got %v\nwant %v", order, gotAttrs, wantAttrs)
				}
			}
			if ca := out.Arrays["4/cell_ids"].Attrs; ca["grid_name"] != "healpix" || ca["level"] != 4.0 || ca["indexing_scheme"] != "nested" {
				t.Errorf("4/cell_ids attributes via zarrita = %v", ca)
			}
			if consolidated {
				for _, node := range []string{"group:/", "group:/4", "array:/4/h_sigma", "array:/2/morton"} {
					if !slices.Contains(out.Contents, node) {
						t.Errorf("consolidated contents lack %s: %v", node, out.Contents)
					}
				}
			} else if g := out.Groups["bad"]; g.Valid {
				t.Errorf("group without convention identifiers validated; the schema check is not working")
			}
		})
	}
}

func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReadZarritaStore reads a store written by zarrita (big-endian bytes,
// zstd with a content checksum, the "." chunk key separator, a partial edge
// chunk, a missing chunk) and compares with the values zarrita reports.
func TestReadZarritaStore(t *testing.T) {
	node := needZarrita(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "zarrita.zarr")
	cmd := exec.Command(node, "write.mjs", dir)
	cmd.Dir = zarritaDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node write.mjs: %v\n%s", err, stderr.Bytes())
	}
	var written struct {
		Arrays map[string]struct {
			DType string   `json:"dtype"`
			Fill  string   `json:"fill"`
			Data  []string `json:"data"`
		} `json:"arrays"`
	}
	if err := json.Unmarshal(stdout, &written); err != nil {
		t.Fatalf("write.mjs output: %v", err)
	}
	if len(written.Arrays) < 5 {
		t.Fatalf("write.mjs wrote %d arrays, want 5", len(written.Arrays))
	}
	s, err := zarrstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.OpenGroup(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	if g.Attributes["note"] != "written by zarrita" {
		t.Errorf("group attributes = %v", g.Attributes)
	}
	nodes, err := s.Nodes(ctx)
	if err != nil || len(nodes) != 1+len(written.Arrays) {
		t.Errorf("Nodes = %v, %v; want g and %d arrays", nodes, err, len(written.Arrays))
	}
	for path, w := range written.Arrays {
		a, err := s.OpenArray(ctx, path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if string(a.DataType()) != w.DType {
			t.Errorf("%s: data type %s, want %s", path, a.DataType(), w.DType)
		}
		if fill := toStrings(a.FillChunk())[0]; !sameValue(a.DataType(), fill, w.Fill) {
			t.Errorf("%s: fill %s, want %s", path, fill, w.Fill)
		}
		chunks, err := a.ListChunks(ctx)
		if err != nil || !slices.Equal(chunks, []int64{1, 2}) {
			t.Errorf("%s: ListChunks = %v, %v; want [1 2]", path, chunks, err)
		}
		var got []string
		for i := range a.NumChunks() {
			v, err := a.ReadChunk(ctx, i)
			if err != nil {
				t.Fatalf("%s chunk %d: %v", path, i, err)
			}
			got = append(got, toStrings(v)...)
		}
		got = got[:a.Len()]
		for i := range w.Data {
			if !sameValue(a.DataType(), got[i], w.Data[i]) {
				t.Errorf("%s[%d] = %s, zarrita wrote %s", path, i, got[i], w.Data[i])
				break
			}
		}
	}
}
