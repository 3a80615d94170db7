package h5read_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/h5read"
)

var update = flag.Bool("update", false, "regenerate the golden files with the committed h5py scripts (needs /usr/bin/python3 with h5py)")

const atl06Path = "../../shared/testdata/granules/ATL06_20181013235645_02340114_209_01.h5"

func granule(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(atl06Path); err != nil {
		t.Skipf("ATL06 granule not available (%v); it lives in the shared folder beside the repository", err)
	}
	return atl06Path
}

type goldenDataset struct {
	Shape   []int          `json:"shape"`
	Dtype   string         `json:"dtype"`
	Chunks  []int          `json:"chunks"`
	Filters []string       `json:"filters"`
	Fill    any            `json:"fill"`
	Attrs   map[string]any `json:"attrs"`
	SHA256  string         `json:"sha256"`
	Head    []any          `json:"head"`
	Tail    []any          `json:"tail"`
	NFill   int            `json:"nfill"`
	Error   string         `json:"error"`
	Table   [][]any        `json:"chunk_table"`
	FillSet *bool          `json:"fill_defined"`
}

type golden struct {
	File     string                    `json:"file"`
	HDF5     string                    `json:"hdf5"`
	Datasets map[string]goldenDataset  `json:"datasets"`
	Groups   map[string]map[string]any `json:"groups"`
	Others   map[string]goldenDataset  `json:"other_datasets"`
}

func loadGolden(t *testing.T, name, script string, args ...string) golden {
	t.Helper()
	var g golden
	loadJSON(t, name, script, append(args, "testdata/"+name), &g)
	return g
}

// loadJSON decodes testdata/name; with -update it first reruns the h5py
// script that writes it.
func loadJSON(t *testing.T, name, script string, args []string, v any) {
	t.Helper()
	if *update {
		cmd := exec.Command("/usr/bin/python3", append([]string{"testdata/" + script}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
	}
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// goldenNum converts a golden number (float64, or "nan"/"inf"/"-inf").
func goldenNum(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case string:
		switch x {
		case "nan":
			return math.NaN()
		case "inf":
			return math.Inf(1)
		case "-inf":
			return math.Inf(-1)
		}
	}
	return math.Inf(1) // never equal to a finite value read
}

func sameNum(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// walk lists every dataset below group path.
func walk(ctx context.Context, t *testing.T, f *h5read.File, path string, out *[]string) {
	t.Helper()
	if path == "" {
		path = "/"
	}
	g, err := f.Group(ctx, path)
	if err != nil {
		t.Fatalf("Group(%q): %v", path, err)
	}
	names, err := g.Members(ctx)
	if err != nil {
		t.Fatalf("Members(%q): %v", path, err)
	}
	for _, n := range names {
		p := strings.TrimSuffix(path, "/") + "/" + n
		if _, err := f.Dataset(ctx, p); err == nil {
			*out = append(*out, p)
			continue
		} else if !errors.Is(err, h5read.ErrNotDataset) {
			t.Fatalf("Dataset(%q): %v", p, err)
		}
		walk(ctx, t, f, p, out)
	}
}

// TestATL06Golden reads every dataset under /gt*/land_ice_segments of the
// real granule and compares it with libhdf5's answer (h5py).
func TestATL06Golden(t *testing.T) {
	path := granule(t)
	g := loadGolden(t, "atl06_golden.json", "mkgolden_atl06.py", path)
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	root, err := f.Group(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	top, err := root.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, b := range top {
		if strings.HasPrefix(b, "gt") {
			walk(ctx, t, f, "/"+b+"/land_ice_segments", &found)
		}
	}
	var want []string
	for k := range g.Datasets {
		want = append(want, k)
	}
	slices.Sort(want)
	slices.Sort(found)
	if !slices.Equal(found, want) {
		t.Fatalf("found %d datasets, golden has %d", len(found), len(want))
	}
	if len(want) < 300 {
		t.Fatalf("golden lists only %d datasets", len(want))
	}

	for _, name := range want {
		gd := g.Datasets[name]
		t.Run(strings.TrimPrefix(name, "/"), func(t *testing.T) {
			checkDataset(ctx, t, f, name, gd)
			checkChunkTable(ctx, t, f, name, gd)
		})
	}
}

// TestATL06OtherDatasets reads every other dataset of the granule
// (ancillary data, orbit info, quality assessment, METADATA): compact,
// contiguous and chunked layouts, scalars and fixed-length strings.
func TestATL06OtherDatasets(t *testing.T) {
	path := granule(t)
	g := loadGolden(t, "atl06_golden.json", "mkgolden_atl06.py", path)
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if len(g.Others) < 150 {
		t.Fatalf("golden lists %d other datasets", len(g.Others))
	}
	layouts := map[h5read.Layout]int{}
	for name, gd := range g.Others {
		t.Run(strings.TrimPrefix(name, "/"), func(t *testing.T) {
			checkDataset(ctx, t, f, name, gd)
			if gd.Table != nil {
				checkChunkTable(ctx, t, f, name, gd)
			}
			if d, err := f.Dataset(ctx, name); err == nil {
				layouts[d.Layout()]++
			}
		})
	}
	if layouts[h5read.Compact] == 0 || layouts[h5read.Contiguous] == 0 || layouts[h5read.Chunked] == 0 {
		t.Errorf("layouts seen %v, want all three", layouts)
	}
}

// TestATL06GroupAttrs compares the attributes of every group of the
// granule (the root's 49 are in dense storage) with libhdf5's.
func TestATL06GroupAttrs(t *testing.T) {
	path := granule(t)
	g := loadGolden(t, "atl06_golden.json", "mkgolden_atl06.py", path)
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if len(g.Groups) < 100 {
		t.Fatalf("golden lists %d groups", len(g.Groups))
	}
	for p, want := range g.Groups {
		grp, err := f.Group(ctx, p)
		if err != nil {
			t.Errorf("Group(%q): %v", p, err)
			continue
		}
		attrs, err := grp.Attrs(ctx)
		if err != nil {
			t.Errorf("%s: Attrs: %v", p, err)
			continue
		}
		t.Run(p, func(t *testing.T) { checkAttrs(t, attrs, want) })
	}
}

func checkDataset(ctx context.Context, t *testing.T, f *h5read.File, name string, gd goldenDataset) {
	d, err := f.Dataset(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Shape(), gd.Shape) {
		t.Errorf("Shape() = %v, want %v", d.Shape(), gd.Shape)
	}
	if got := d.Dtype().String(); got != gd.Dtype {
		t.Errorf("Dtype() = %s, want %s", got, gd.Dtype)
	}
	if !slices.Equal(d.ChunkShape(), gd.Chunks) {
		t.Errorf("ChunkShape() = %v, want %v", d.ChunkShape(), gd.Chunks)
	}
	var filters []string
	for _, fl := range d.Filters() {
		switch fl.ID {
		case 1, 4, 32000: // deflate, szip, lzf: h5py's "compression"
			filters = append(filters, "compression")
		case 2:
			filters = append(filters, "shuffle")
		case 3:
			filters = append(filters, "fletcher32")
		}
	}
	slices.Sort(filters)
	slices.Sort(gd.Filters)
	if !slices.Equal(filters, gd.Filters) {
		t.Errorf("Filters() = %v, want %v", filters, gd.Filters)
	}
	checkAttrs(t, d.Attrs(), gd.Attrs)
	if gd.FillSet != nil && d.FillDefined() != *gd.FillSet {
		t.Errorf("FillDefined() = %v, libhdf5 says user-defined = %v", d.FillDefined(), *gd.FillSet)
	}
	if unsupportedFilter(d) {
		// A filter this reader does not implement (libhdf5 may): the read
		// must fail loudly and name it, never return undecoded bytes.
		_, err := d.ReadRaw(ctx, make([]int, len(gd.Shape)), gd.Shape)
		var ufe *h5read.UnsupportedFilterError
		if !errors.Is(err, h5read.ErrUnsupportedFilter) || !errors.As(err, &ufe) || ufe.Dataset != name {
			t.Errorf("ReadRaw error = %v, want an UnsupportedFilterError for %s", err, name)
		}
		return
	}
	if d.Dtype().Class == h5read.ClassString {
		raw, err := d.ReadRaw(ctx, make([]int, len(gd.Shape)), gd.Shape)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); got != gd.SHA256 {
			t.Errorf("sha256 of data = %s, want %s", got, gd.SHA256)
		}
		return
	}
	var fill float64
	switch v := d.FillValue().(type) {
	case float64:
		fill = v
	case int64:
		fill = float64(v)
	case uint64:
		fill = float64(v)
	default:
		t.Fatalf("FillValue() = %T", v)
	}
	if want := goldenNum(gd.Fill); !sameNum(fill, want) || !sameNum(d.FillFloat64(), want) {
		t.Errorf("FillValue() = %v, FillFloat64() = %v, want %v", fill, d.FillFloat64(), want)
	}

	start := make([]int, len(gd.Shape))
	raw, err := d.ReadRaw(ctx, start, gd.Shape)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != gd.SHA256 {
		t.Errorf("sha256 of data = %s, want %s", got, gd.SHA256)
	}
	fb := d.FillBytes()
	nfill := 0
	for i := 0; i+len(fb) <= len(raw); i += len(fb) {
		if string(raw[i:i+len(fb)]) == string(fb) {
			nfill++
		}
	}
	if nfill != gd.NFill {
		t.Errorf("%d elements equal the fill value, want %d", nfill, gd.NFill)
	}
	n := d.Len()
	all := make([]float64, n)
	if err := h5read.Read(ctx, d, all, start, gd.Shape); err != nil {
		t.Fatal(err)
	}
	for i, w := range gd.Head {
		if !sameNum(all[i], goldenNum(w)) {
			t.Errorf("value[%d] = %v, want %v", i, all[i], w)
		}
	}
	for i, w := range gd.Tail {
		k := n - len(gd.Tail) + i
		if !sameNum(all[k], goldenNum(w)) {
			t.Errorf("value[%d] = %v, want %v", k, all[k], w)
		}
	}
}

func checkAttrs(t *testing.T, got []h5read.Attribute, want map[string]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d attributes, want %d", len(got), len(want))
	}
	for _, a := range got {
		w, ok := want[a.Name]
		if !ok {
			t.Errorf("unexpected attribute %q", a.Name)
			continue
		}
		if !attrEqual(a.Value, w) {
			t.Errorf("attribute %q = %.200v, want %.200v", a.Name, a.Value, w)
		}
	}
}

func attrEqual(got, want any) bool {
	if dg, ok := want.(map[string]any); ok {
		return digestEqual(got, dg)
	}
	switch g := got.(type) {
	case nil:
		return want == nil
	case string:
		return g == want
	case float64:
		return sameNum(g, goldenNum(want))
	case int64:
		return sameNum(float64(g), goldenNum(want))
	case uint64:
		return sameNum(float64(g), goldenNum(want))
	case []string:
		w, ok := want.([]any)
		if !ok || len(w) != len(g) {
			return false
		}
		for i := range g {
			if g[i] != w[i] {
				return false
			}
		}
		return true
	}
	v := reflect.ValueOf(got)
	w, ok := want.([]any)
	if v.Kind() != reflect.Slice || !ok || v.Len() != len(w) {
		return false
	}
	for i := range w {
		var x float64
		switch e := v.Index(i).Interface().(type) {
		case float64:
			x = e
		case int64:
			x = float64(e)
		case uint64:
			x = float64(e)
		}
		if !sameNum(x, goldenNum(w[i])) {
			return false
		}
	}
	return true
}

func unsupportedFilter(d *h5read.Dataset) bool {
	for _, f := range d.Filters() {
		if f.ID > 3 {
			return true
		}
	}
	return false
}

// digestEqual compares a long attribute with the golden digest: sha256 of
// the string, or of the integers in decimal joined by commas (the scripts
// only digest integer and string values).
func digestEqual(got any, want map[string]any) bool {
	var text string
	n := 0
	switch g := got.(type) {
	case string:
		text, n = g, len(g)
	case []int64:
		parts := make([]string, len(g))
		for i, x := range g {
			parts[i] = strconv.FormatInt(x, 10)
		}
		text, n = strings.Join(parts, ","), len(g)
	case []uint64:
		parts := make([]string, len(g))
		for i, x := range g {
			parts[i] = strconv.FormatUint(x, 10)
		}
		text, n = strings.Join(parts, ","), len(g)
	default:
		return false
	}
	sum := sha256.Sum256([]byte(text))
	return float64(n) == want["len"] && hex.EncodeToString(sum[:]) == want["sha256"]
}

// TestATL06BytesUsed checks Stats.BytesUsed: it never exceeds
// BytesFetched, and reading the same datasets again (metadata parsed again,
// chunks from the cache) does not count their bytes again.
func TestATL06BytesUsed(t *testing.T) {
	path := granule(t)
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	read := func() {
		for _, v := range []string{"latitude", "longitude", "h_li", "h_li_sigma", "atl06_quality_summary"} {
			d, err := f.Dataset(ctx, "/gt1l/land_ice_segments/"+v)
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]float64, d.Len())
			if err := d.ReadFloat64(ctx, dst, 0, len(dst)); err != nil {
				t.Fatal(err)
			}
		}
	}
	read()
	first := f.Stats()
	read()
	second := f.Stats()
	t.Logf("first read: %d bytes fetched, %d used; second: %d, %d", first.BytesFetched, first.BytesUsed, second.BytesFetched, second.BytesUsed)
	if first.BytesUsed <= 0 || first.BytesUsed > first.BytesFetched {
		t.Errorf("first read: BytesUsed %d, BytesFetched %d", first.BytesUsed, first.BytesFetched)
	}
	if second.BytesUsed-first.BytesUsed > second.BytesFetched-first.BytesFetched {
		t.Errorf("second read counted %d more bytes used for %d more fetched", second.BytesUsed-first.BytesUsed, second.BytesFetched-first.BytesFetched)
	}
}
