package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/zarrstore"
)

// base is a small valid config; the invalid cases edit one line of it.
const base = `data_source:
  driver: s3
  groups: [gt1l, gt2l]
  coordinates:
    latitude: "/{group}/land_ice_segments/latitude"
    longitude: "/{group}/land_ice_segments/longitude"
  variables:
    h_li: "/{group}/land_ice_segments/h_li"
    s_li: "/{group}/land_ice_segments/h_li_sigma"
  quality_filter:
    dataset: "/{group}/land_ice_segments/atl06_quality_summary"
    value: 0
aggregation:
  variables:
    count: {function: len, source: h_li, dtype: int32, fill_value: 0}
    h_mean: {function: average, source: h_li, params: {weights: "1.0 / s_li**2"}}
    h_q50: {function: quantile, source: h_li, params: {q: 0.5}}
    h_sigma: {expression: "1.0 / np.sqrt(np.sum(1.0 / s_li**2))"}
output:
  grid: {type: healpix, indexing_scheme: nested, child_order: 12}
`

// edit replaces the first occurrence of old in base (which must exist).
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(base, old) {
		t.Fatalf("base has no %q", old)
	}
	return strings.Replace(base, old, new, 1)
}

func TestConfigBaseIsValid(t *testing.T) {
	if _, err := Parse("base.yaml", []byte(base)); err != nil {
		t.Fatal(err)
	}
}

func TestConfigInvalid(t *testing.T) {
	type tc struct {
		name     string
		old, new string // edit of base; old == "" means doc is the whole document
		doc      string
		want     string
		sentinel error
	}
	cases := []tc{
		{name: "empty document", doc: "", want: "x.yaml: Missing required section: data_source", sentinel: ErrMissingKey},
		{name: "not yaml", doc: "data_source: [\n", want: "x.yaml:1: did not find expected node content", sentinel: ErrSyntax},
		{name: "top-level list", doc: "- 1\n", want: "x.yaml:1:1: config must be a mapping with data_source, aggregation and output", sentinel: ErrInvalidValue},
		{name: "unknown top-level key", old: "output:\n", new: "outptu: {}\noutput:\n", want: "x.yaml:19:1: outptu: unknown top-level key 'outptu' (allowed: data_source, aggregation, output, catalog, bounds, store)", sentinel: ErrUnknownKey},
		{name: "missing output", old: "output:\n  grid: {type: healpix, indexing_scheme: nested, child_order: 12}\n", new: "", want: "x.yaml: output: Missing required section: output", sentinel: ErrMissingKey},
		{name: "empty aggregation", doc: "data_source: {a: 1}\naggregation:\noutput: {grid: {}}\n", want: "x.yaml:2:13: aggregation: Missing required section: aggregation", sentinel: ErrMissingKey},
		{name: "grid not a mapping", old: "grid: {type: healpix, indexing_scheme: nested, child_order: 12}", new: "grid: healpix", want: "x.yaml:20:9: output.grid: output.grid must be a mapping (e.g. type: healpix, child_order: 12)", sentinel: ErrInvalidValue},
		{name: "grid type missing", old: "{type: healpix, indexing_scheme: nested, child_order: 12}", new: "{child_order: 12}", want: "x.yaml:20:9: output.grid.type: output.grid.type is required", sentinel: ErrMissingKey},
		{name: "child_order missing", old: "{type: healpix, indexing_scheme: nested, child_order: 12}", new: "{type: healpix}", want: "x.yaml:20:9: output.grid.child_order: output.grid.child_order is required for healpix grid", sentinel: ErrMissingKey},
		{name: "child_order out of range", old: "child_order: 12}", new: "child_order: 30}", want: "x.yaml:20:63: output.grid.child_order: child_order 30 outside 0..29", sentinel: ErrInvalidValue},
		{name: "child_order not an integer", old: "child_order: 12}", new: "child_order: twelve}", want: "x.yaml:20:63: output.grid.child_order: must be an integer, got 'twelve'", sentinel: ErrInvalidValue},
		{name: "child below parent", old: "child_order: 12}", new: "child_order: 5, parent_order: 6}", want: "x.yaml:20:63: output.grid.child_order: child_order (5) must be >= parent_order (6)", sentinel: ErrInvalidValue},
		{name: "depth above agg.MaxDepth", old: "child_order: 12}", new: "child_order: 20, parent_order: 6}", want: "x.yaml:20:63: output.grid.child_order: child_order (20) - parent_order (6) exceeds 10", sentinel: ErrInvalidValue},
		{name: "inner chunk order", old: "  grid:", new: "  inner_chunk_order: 13\n  grid:", want: "x.yaml:20:22: output.inner_chunk_order: inner_chunk_order 13 outside 0..12 (parent_order+1..child_order)", sentinel: ErrInvalidValue},
		{name: "ring indexing", old: "indexing_scheme: nested", new: "indexing_scheme: ring", want: "x.yaml:20:42: output.grid.indexing_scheme: unsupported indexing_scheme 'ring' (only nested)", sentinel: ErrInvalidValue},
		{name: "unknown grid type", old: "type: healpix", new: "type: s2", want: "x.yaml:20:16: output.grid.type: unsupported grid type 's2' (only healpix)", sentinel: ErrInvalidValue},
		{name: "unknown codec", old: "  grid:", new: "  codec: lz4\n  grid:", want: "x.yaml:20:10: output.codec: unknown codec 'lz4' (allowed: none, gzip, zstd, crc32c)", sentinel: ErrInvalidValue},
		{name: "gzip level 0", old: "  grid:", new: "  codec: {name: gzip, level: 0}\n  grid:", want: "x.yaml:20:30: output.codec.level: gzip level 0 stores chunks uncompressed; use codec: none", sentinel: ErrInvalidValue},
		{name: "zstd level", old: "  grid:", new: "  codec: {name: zstd, level: 99}\n  grid:", want: "x.yaml:20:30: output.codec.level: zstd level 99 outside -131072…22", sentinel: ErrInvalidValue},
		{name: "unknown latitude", old: "  grid:", new: "  latitude: planetocentric\n  grid:", want: "x.yaml:20:13: output.latitude: unknown latitude convention 'planetocentric' (allowed: authalic, geodetic)", sentinel: ErrInvalidValue},
		{name: "order finer than child", old: "  grid:", new: "  orders: [12, 13]\n  grid:", want: "x.yaml:20:16: output.orders[1]: order 13 is finer than child_order 12", sentinel: ErrInvalidValue},
		{name: "unknown output key", old: "  grid:", new: "  stroe: x.zarr\n  grid:", want: "x.yaml:20:3: output.stroe: unknown key 'stroe' (allowed: grid, store, codec, inner_chunk_order, latitude, orders, time, trend)", sentinel: ErrUnknownKey},
		{name: "unknown driver", old: "driver: s3", new: "driver: ftp", want: "x.yaml:2:11: data_source.driver: unknown driver 'ftp' (allowed: s3, https, file)", sentinel: ErrInvalidValue},
		{name: "bad coordinate key", old: "    longitude:", new: "    lon:", want: "x.yaml:6:5: data_source.coordinates.lon: unknown coordinate 'lon' (keys must be exactly latitude and longitude)", sentinel: ErrUnknownKey},
		{name: "unknown placeholder", old: "land_ice_segments/h_li\"", new: "land_ice_segments/{beam}/h_li\"", want: "x.yaml:8:11: data_source.variables.h_li: unknown placeholder {beam} in '/{group}/land_ice_segments/{beam}/h_li' (only {group} is substituted)", sentinel: ErrInvalidValue},
		{name: "group template without groups", old: "  groups: [gt1l, gt2l]\n", new: "", want: "x.yaml:4:15: data_source.coordinates.latitude: '/{group}/land_ice_segments/latitude' uses {group} but data_source.groups is empty", sentinel: ErrMissingKey},
		{name: "relative path", old: "\"/{group}/land_ice_segments/h_li_sigma\"", new: "\"h_li_sigma\"", want: "x.yaml:9:11: data_source.variables.s_li: dataset path 'h_li_sigma' must be absolute (start with '/')", sentinel: ErrInvalidValue},
		{name: "quality_filter without value", old: "    value: 0\n", new: "", want: "x.yaml:11:5: data_source.quality_filter: quality_filter needs both dataset and value", sentinel: ErrMissingKey},
		{name: "filter unknown op", old: "  quality_filter:", new: "  filters:\n    - {variable: h_li, op: '~=', value: 1}\n  quality_filter:", want: "x.yaml:11:28: data_source.filters[0].op: unknown operator '~=' (allowed: ==, !=, <, <=, >, >=, in, not_in, between)", sentinel: agg.ErrBadFilter},
		{name: "filter unknown variable", old: "  quality_filter:", new: "  filters:\n    - {variable: h_ll, op: '<', value: 1}\n  quality_filter:", want: "x.yaml:11:18: data_source.filters[0].variable: variable 'h_ll' not in data_source.variables (available: [h_li, s_li])", sentinel: agg.ErrUnknownColumn},
		{name: "filter between one value", old: "  quality_filter:", new: "  filters:\n    - {variable: h_li, op: between, value: [1]}\n  quality_filter:", want: "x.yaml:11:44: data_source.filters[0].value: between takes two values [lo, hi] with lo <= hi", sentinel: agg.ErrBadFilter},
		{name: "on_granule_error", old: "driver: s3", new: "driver: s3\n  on_granule_error: ignore", want: "x.yaml:3:21: data_source.on_granule_error: must be 'fail' or 'skip', got 'ignore'", sentinel: ErrInvalidValue},
		{name: "unknown function", old: "function: len", new: "function: lenn", want: "x.yaml:15:23: aggregation.variables.count.function: Cannot resolve 'lenn' as numpy function", sentinel: agg.ErrUnknownFunction},
		{name: "unknown source", old: "function: average, source: h_li", new: "function: average, source: h_lii", want: "x.yaml:16:41: aggregation.variables.h_mean.source: Variable 'h_mean': source 'h_lii' not in data_source.variables", sentinel: agg.ErrUnknownColumn},
		{name: "function and expression", old: "{expression:", new: "{function: sum, source: s_li, expression:", want: "x.yaml:18:5: aggregation.variables.h_sigma: Variable 'h_sigma': 'function' and 'expression' are mutually exclusive", sentinel: agg.ErrInvalid},
		{name: "neither function nor expression", old: "{function: quantile, source: h_li, params: {q: 0.5}}", new: "{source: h_li}", want: "x.yaml:17:5: aggregation.variables.h_q50: Variable 'h_q50': must specify 'function' or 'expression'", sentinel: agg.ErrInvalid},
		{name: "bad dtype", old: "dtype: int32", new: "dtype: int128", want: "x.yaml:15:49: aggregation.variables.count.dtype: unsupported dtype \"int128\" (want one of float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64)", sentinel: agg.ErrBadDType},
		{name: "NaN fill for int", old: "fill_value: 0}", new: "fill_value: NaN}", want: "x.yaml:15:68: aggregation.variables.count.fill_value: fill_value NaN cannot be stored as int32", sentinel: agg.ErrBadDType},
		{name: "unknown param", old: "params: {q: 0.5}", new: "params: {q: 0.5, interpolation: linear}", want: "x.yaml:17:64: aggregation.variables.h_q50.params.interpolation: Variable 'h_q50': unknown param 'interpolation' (allowed: weights, ddof, q, method)", sentinel: agg.ErrBadParam},
		{name: "q out of range", old: "params: {q: 0.5}", new: "params: {q: 50}", want: "x.yaml:17:59: aggregation.variables.h_q50.params.q: Variable 'h_q50': q = 50 outside [0, 1]", sentinel: agg.ErrBadParam},
		{name: "param the function does not take", old: "{function: len, source: h_li,", new: "{function: len, source: h_li, params: {q: 0.5},", want: "x.yaml:15:54: aggregation.variables.count.params.q: Variable 'count': function 'len' takes no param 'q'", sentinel: agg.ErrBadParam},
		{name: "expression unknown name", old: "np.sum(1.0 / s_li**2)", new: "np.sum(1.0 / sigma**2)", want: "x.yaml:18:27: aggregation.variables.h_sigma.expression: Variable 'h_sigma': expression references 'sigma' which is not in data_source.variables or numpy namespace", sentinel: agg.ErrUnknownColumn},
		{name: "expression syntax", old: "np.sum(1.0 / s_li**2))", new: "np.sum(1.0 / s_li**2)", want: "x.yaml:18:27: aggregation.variables.h_sigma.expression: expression \"1.0 / np.sqrt(np.sum(1.0 / s_li**2)\": column 14: unclosed '('", sentinel: agg.ErrExpression},
		{name: "expression without reduction", old: "\"1.0 / np.sqrt(np.sum(1.0 / s_li**2))\"", new: "\"1.0 / s_li**2\"", want: "x.yaml:18:27: aggregation.variables.h_sigma.expression: expression \"1.0 / s_li**2\": column 1: gives one value per point; a cell statistic must reduce them (np.sum, np.mean, ...)", sentinel: agg.ErrExpression},
		{name: "weights unknown column", old: "weights: \"1.0 / s_li**2\"", new: "weights: \"1.0 / sigma**2\"", want: "x.yaml:16:65: aggregation.variables.h_mean.params.weights: Variable 'h_mean': param value '1.0 / sigma**2' references unknown column (available: [h_li, s_li])", sentinel: agg.ErrUnknownColumn},
		{name: "unknown variable key", old: "{function: len, source: h_li,", new: "{function: len, sourc: h_li,", want: "x.yaml:15:28: aggregation.variables.count.sourc: unknown key 'sourc' (allowed: function, source, params, expression, dtype, fill_value, units, long_name)", sentinel: agg.ErrUnknownKey},
		{name: "unknown bounds key", old: "output:\n", new: "bounds: {temporal: {start_date: 2024-01-06, end_date: 2024-04-06}, area: x}\noutput:\n", want: "x.yaml:19:68: bounds: Unknown bounds keys: {'area'} (allowed: {'temporal', 'spatial'})", sentinel: ErrUnknownKey},
		{name: "bounds temporal incomplete", old: "output:\n", new: "bounds: {temporal: {start_date: 2024-01-06}}\noutput:\n", want: "x.yaml:19:20: bounds.temporal: bounds.temporal requires start_date and end_date", sentinel: ErrMissingKey},
		{name: "duplicate key", old: "    s_li:", new: "    h_li:", want: "x.yaml:9:5: data_source.variables.h_li: duplicate key 'h_li'", sentinel: ErrInvalidValue},
		{name: "alias", old: "output:\n", new: "catalog: &c cat.json\nx: *c\noutput:\n", want: "x.yaml:20:4: YAML aliases (*c) are not supported in configs", sentinel: ErrInvalidValue},
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := c.doc
			if c.old != "" {
				doc = edit(t, c.old, c.new)
			}
			cfg, err := Parse("x.yaml", []byte(doc))
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", cfg, c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got: %s\nwant: %s", err, c.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not match ErrInvalid")
			}
			if !errors.Is(err, c.sentinel) {
				t.Errorf("error does not match %v", c.sentinel)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "x.yaml" {
				t.Errorf("error is not a *Error for x.yaml: %#v", err)
			}
		})
	}
}

// full uses every key of the schema.
const full = `data_source:
  reader: h5read
  driver: https
  groups: [gt1l]
  coordinates: {latitude: "/{group}/lat", longitude: "/{group}/lon"}
  variables: {h_li: "/{group}/h_li", s_li: "/{group}/s_li", dh: "/{group}/dh_fit_dx"}
  quality_filter: {dataset: "/{group}/q", value: 0}
  filters:
    - {variable: h_li, op: between, value: [-500, 9000]}
    - {dataset: "/{group}/flag", op: in, value: [0, 2]}
    - {column: s_li, op: lt, value: 1}
  on_granule_error: skip
aggregation:
  coordinates: {cell_ids: {dtype: uint64, fill_value: 0}}
  variables:
    z_count: {function: count, dtype: uint32}
    a_mean: {function: nanmean, source: h_li, dtype: float64, fill_value: -9999}
    m_std: {function: std, source: dh, params: {ddof: 1}}
    b_p90: {function: np.percentile, source: h_li, params: {q: 90}}
    c_expr: {expression: "np.sqrt(np.mean(dh**2))", fill_value: -Infinity}
output:
  grid: {type: healpix, indexing_scheme: nested, child_order: 12, parent_order: 6}
  store: s3://bucket/out.zarr
  codec: {name: gzip, level: 4}
  inner_chunk_order: 9
  latitude: geodetic
  orders: [12, 8, 6, 3]
catalog: catalog.json
bounds:
  temporal: {start_date: 2024-01-06, end_date: 2024-04-06}
  spatial: {bbox: [-180, -90, 180, -60]}
`

func TestConfigFull(t *testing.T) {
	c, err := Parse("full.yaml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	d := c.DataSource
	if d.Reader != "h5read" || d.Driver != DriverHTTPS || d.OnGranuleError != SkipGranuleError || len(d.Filters) != 3 {
		t.Errorf("data_source %+v", d)
	}
	if d.Filters[2].Variable != "s_li" || d.Filters[2].Op != agg.OpLt || d.Filters[1].Dataset != "/{group}/flag" {
		t.Errorf("filters %+v", d.Filters)
	}
	o := c.Output
	if o.Grid.ParentOrder != 6 || o.Codec != (zarrstore.Codecs{Compressor: zarrstore.Gzip, Level: 4}) || o.InnerChunkOrder != 9 ||
		o.Latitude.String() != "geodetic" || o.Store != "s3://bucket/out.zarr" {
		t.Errorf("output %+v", o)
	}
	if c.Catalog != "catalog.json" || c.Bounds == nil || c.Bounds.StartDate != "2024-01-06" || c.Bounds.Spatial == nil {
		t.Errorf("catalog %q bounds %+v", c.Catalog, c.Bounds)
	}
	if got := c.WriteOrders(6); !slices.Equal(got, []int{12, 8, 6, 3}) {
		t.Errorf("WriteOrders = %v", got)
	}
	if p, err := c.ParentOrder(5); err != nil || p != 6 {
		t.Errorf("ParentOrder(5) = %d, %v; want the override 6", p, err)
	}
	a, err := c.CompileAggregation()
	if err != nil {
		t.Fatal(err)
	}
	// YAML order is output order.
	var names []string
	for i := 0; i < a.NumVariables(); i++ {
		names = append(names, a.Variable(i).Name)
	}
	if !slices.Equal(names, []string{"z_count", "a_mean", "m_std", "b_p90", "c_expr"}) {
		t.Errorf("variables in order %v", names)
	}
	// Columns: the used variables, then the filter columns.
	if got := a.Columns(); !slices.Equal(got, []string{"h_li", "dh", "/{group}/q", "/{group}/flag", "s_li"}) {
		t.Errorf("Columns() = %v", got)
	}
	for _, col := range a.Columns() {
		if p, ok := c.DataSource.PathOf(col); !ok || !strings.HasPrefix(p, "/{group}/") {
			t.Errorf("PathOf(%q) = %q, %v", col, p, ok)
		}
	}
	if ExpandPath("/{group}/h_li", "gt2r") != "/gt2r/h_li" {
		t.Error("ExpandPath")
	}
	if _, ok := c.DataSource.PathOf("nope"); ok {
		t.Error("PathOf(nope) resolved")
	}
}

func TestConfigDefaultsAndParentOrder(t *testing.T) {
	c, err := Builtin("atl06")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "atl06" || c.DataSource.Driver != DriverS3 || c.DataSource.OnGranuleError != FailOnGranuleError ||
		c.Output.Codec != (zarrstore.Codecs{Compressor: zarrstore.Zstd, Level: 3}) || c.Output.Latitude.String() != "authalic" || c.Output.Grid.ParentOrder != -1 {
		t.Errorf("defaults: %+v %+v", c.DataSource, c.Output)
	}
	if got := c.WriteOrders(6); !slices.Equal(got, []int{12, 11, 10, 9, 8, 7, 6}) {
		t.Errorf("WriteOrders(6) = %v", got)
	}
	if p, err := c.ParentOrder(6); err != nil || p != 6 {
		t.Errorf("ParentOrder(6) = %d, %v", p, err)
	}
	for _, bad := range []int{13, -1, -2} {
		if _, err := c.ParentOrder(bad); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("ParentOrder(%d) = %v, want ErrInvalidValue", bad, err)
		}
	}
	if p, err := c.ParentOrder(2); err != nil || p != 2 {
		t.Errorf("ParentOrder(2) for child 12 (depth 10 = agg.MaxDepth) = %d, %v", p, err)
	}
	if _, err := c.ParentOrder(1); !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "exceeds 10") {
		t.Errorf("ParentOrder(1) for child 12: %v", err)
	}
	if !slices.Contains(BuiltinNames(), "atl06") {
		t.Errorf("BuiltinNames() = %v", BuiltinNames())
	}
	_, err = Builtin("atl99")
	if !errors.Is(err, ErrNoBuiltin) || err.Error() != "atl99: No built-in config named 'atl99' (have: atl03, atl06, atl07, atl08, atl10, gedi_l2a)" {
		t.Errorf("Builtin(atl99) = %v", err)
	}
	if _, err := Builtin("../builtin/atl06"); !errors.Is(err, ErrNoBuiltin) {
		t.Errorf("Builtin(path) = %v", err)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(p, []byte(edit(t, "function: len", "function: sum")), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "mine.yaml" || c.Aggregation.Variables[0].Function != "sum" {
		t.Errorf("loaded %q %+v", c.Name(), c.Aggregation.Variables[0])
	}
	_, err = Load(filepath.Join(dir, "missing.yaml"))
	var ce *Error
	if !errors.As(err, &ce) || !errors.Is(err, ErrInvalid) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v", err)
	}
}

func TestConfigJSONRoundTrip(t *testing.T) {
	srcs := []string{full, base, string(sampledata.CyclesConfig())}
	for _, out := range []string{
		"  time: {source: t, every: month, start: 2019-01-01, end: 2019-07-01}\n  trend: {value: h_mean, errors: scaled, min_span: 0.25}\n",
		"  time: {source: t, epoch: unix, ranges: [\"melt=2019-06-01/2019-09-01\", 2020-06-01/2020-09-01]}\n",
	} {
		srcs = append(srcs, string(timeConfig(out)))
	}
	for _, src := range srcs {
		c, err := Parse("a.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		j, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(j) {
			t.Fatalf("invalid JSON %s", j)
		}
		c2, err := Parse("a.json", j)
		if err != nil {
			t.Fatalf("JSON does not load back: %v\n%s", err, j)
		}
		j2, _ := json.Marshal(c2)
		if string(j) != string(j2) {
			t.Errorf("round trip changed the config:\n%s\n%s", j, j2)
		}
	}
	c, _ := Builtin("atl06")
	j, _ := json.Marshal(c)
	want := `"h_mean":{"function":"average","source":"h_li","params":{"weights":"1.0 / s_li**2"},"dtype":"float32","fill_value":"NaN"}`
	if !strings.Contains(string(j), want) {
		t.Errorf("atl06 JSON lacks %s:\n%s", want, j)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte(full))
	f.Add(sampledata.CyclesConfig())
	f.Add([]byte(`{"data_source": {}, "aggregation": {}, "output": {}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := Parse("f.yaml", doc)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not a Error", err)
			}
			return
		}
		if _, err := c.CompileAggregation(); err != nil {
			t.Fatalf("loaded config does not compile: %v", err)
		}
		j, _ := json.Marshal(c)
		if _, err := Parse("f.json", j); err != nil {
			t.Fatalf("JSON form does not load: %v\n%s", err, j)
		}
	})
}

// TestConfigPythonNulls: a config dumped from Python (a Lambda event's
// "config") may carry null for absent keys; null means absent.
func TestConfigPythonNulls(t *testing.T) {
	doc := `{"data_source": {"reader": "h5coro", "driver": null, "groups": ["gt1l"],
  "coordinates": {"latitude": "/{group}/lat", "longitude": "/{group}/lon"},
  "variables": {"h_li": "/{group}/h_li", "s_li": "/{group}/s"}, "quality_filter": null, "filters": null},
 "aggregation": {"coordinates": null, "variables": {
  "count": {"function": "len", "source": "h_li", "params": null, "expression": null, "dtype": "int32", "fill_value": 0},
  "h_sigma": {"function": null, "source": "h_li", "params": {}, "expression": "1.0 / np.sqrt(np.sum(1.0 / s_li**2))", "dtype": "float32", "fill_value": "NaN"}}},
 "output": {"grid": {"type": "healpix", "indexing_scheme": "nested", "child_order": 12, "parent_order": null}, "store": null},
 "catalog": null, "bounds": null}`
	c, err := Parse("event", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if c.DataSource.Driver != DriverS3 || c.DataSource.QualityFilter != nil || c.Output.Grid.ParentOrder != -1 || c.Catalog != "" || c.Bounds != nil {
		t.Errorf("nulls not read as absent: %+v %+v", c.DataSource, c.Output)
	}
	if v := c.Aggregation.Variables[1]; v.Function != "" || v.Expression == "" {
		t.Errorf("h_sigma %+v", v)
	}
	// A null under an unknown key is still an unknown key.
	_, err = Parse("event", []byte(strings.Replace(doc, `"filters": null`, `"filterz": null`, 1)))
	if !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown key with null value: %v", err)
	}
}

// TestOpen: a command's --config is a built-in name, a file, or nothing
// (the built-in atl06); a file named like a built-in wins.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("builtin/atl07.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if err := os.WriteFile("atl06", src, 0o644); err != nil { // a file called atl06 holding ATL07's config
		t.Fatal(err)
	}
	for _, tc := range []struct{ arg, want string }{
		{"", "atl06"}, {"atl07", "atl07"}, {file, "mine.yaml"}, {"atl06", "atl06"},
	} {
		c, err := Open(tc.arg)
		if err != nil || c.Name() != tc.want {
			t.Errorf("Open(%q) = %v, %v; want %s", tc.arg, c.Name(), err, tc.want)
		}
	}
	if c, _ := Open("atl06"); len(c.DataSource.Groups) == 6 && c.DataSource.Latitude == "/{group}/land_ice_segments/latitude" {
		t.Error("Open(atl06) took the built-in over a file of that name")
	}
	if _, err := Open(filepath.Join(dir, "missing.yaml")); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing file: %v", err)
	}
}
