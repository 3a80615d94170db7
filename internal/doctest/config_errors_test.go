package doctest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/pipeline/config"
)

// baseConfig is a valid ATL06-like config the error cases change.
const baseConfig = `data_source:
  reader: h5coro
  driver: s3
  groups: [gt1l, gt1r]
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
  coordinates:
    cell_ids: {dtype: uint64, fill_value: 0}
    morton: {dtype: int64, fill_value: 0}
  variables:
    count: {function: len, source: h_li, dtype: int32, fill_value: 0}
    h_min: {function: min, source: h_li, dtype: float32}
    h_mean: {function: average, source: h_li, params: {weights: "1.0 / s_li**2"}, dtype: float32}
    h_sigma: {expression: "1.0 / np.sqrt(np.sum(1.0 / s_li**2))", dtype: float32}
    h_variance: {function: var, source: h_li, dtype: float32}
    h_q25: {function: quantile, source: h_li, params: {q: 0.25}, dtype: float32}
output:
  grid: {type: healpix, indexing_scheme: nested, child_order: 12}
`

// TestConfigErrors feeds broken configs to config.Parse and checks that the
// message is the one docs/config.md shows (in backquotes), so the page's
// error tables cannot drift from the code.
func TestConfigErrors(t *testing.T) {
	if _, err := config.Parse("base.yaml", []byte(baseConfig)); err != nil {
		t.Fatalf("the base config does not load: %v", err)
	}
	page, err := os.ReadFile(filepath.Join(root(t), "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	const grid = "  grid: {type: healpix, indexing_scheme: nested, child_order: 12}\n"
	const dsEnd = "  quality_filter:\n"
	// tVar adds the time column the output.time cases use.
	const tVar = "    s_li: \"/{group}/land_ice_segments/h_li_sigma\"\n"
	cases := []struct {
		old, new string // replace old by new in baseConfig ("" old: new is the whole document)
		want     string
	}{
		{"output:\n", "outptu: 1\noutput:\n", "unknown top-level key 'outptu' (allowed: data_source, aggregation, output, catalog, bounds, store)"},
		{"", "data_source: {}\n", "Missing required section: data_source"},
		{"output:\n", "store: a.zarr\noutput:\n  store: b.zarr\n", "top-level store 'a.zarr' differs from output.store 'b.zarr' (keep one: output.store)"},
		{"output:\n", "bounds:\n  temporal: {start_date: 2024-13-01, end_date: 2024-12-01}\noutput:\n", "date '2024-13-01' is not YYYY-MM-DD"},
		{"output:\n", "catalog: &x cat.json\nstore: *x\noutput:\n", "YAML aliases (*x) are not supported in configs"},
		{"  reader: h5coro\n", "  reader: h5coro\n  readr: x\n", "unknown key 'readr' (allowed: reader, driver, groups, coordinates, variables, quality_filter, filters, on_granule_error)"},
		{"driver: s3", "driver: ftp", "unknown driver 'ftp' (allowed: s3, https, file)"},
		{"reader: h5coro", "reader: netcdf", "unknown reader 'netcdf' (allowed: h5coro, h5read; both mean this package's HDF5 reader)"},
		{"  reader: h5coro\n", "  reader: h5coro\n  on_granule_error: ignore\n", "must be 'fail' or 'skip', got 'ignore'"},
		{"groups: [gt1l, gt1r]", "groups: gt1l", "must be a list of group names"},
		{"groups: [gt1l, gt1r]", "groups: [gt1l, a/b]", "bad group name 'a/b'"},
		{"groups: [gt1l, gt1r]", "groups: [gt1l, gt1l]", "duplicate group 'gt1l'"},
		{"  coordinates:\n    latitude: \"/{group}/land_ice_segments/latitude\"\n    longitude: \"/{group}/land_ice_segments/longitude\"\n", "", "data_source.coordinates is required (latitude and longitude)"},
		{"    longitude: \"/{group}/land_ice_segments/longitude\"\n", "", "data_source.coordinates needs both latitude and longitude"},
		{"    longitude: \"/{group}/land_ice_segments/longitude\"\n", "    longitude: \"/{group}/land_ice_segments/longitude\"\n    height: \"/{group}/h\"\n", "unknown coordinate 'height' (keys must be exactly latitude and longitude)"},
		{"latitude: \"/{group}/land_ice_segments/latitude\"", "latitude: \"/{group}/lat[:, 0]\"", "the coordinates must be 1-D datasets: no column selector ('/{group}/lat[:, 0]')"},
		{"  variables:\n    h_li: \"/{group}/land_ice_segments/h_li\"\n    s_li: \"/{group}/land_ice_segments/h_li_sigma\"\n", "", "data_source.variables is required (column name: dataset path)"},
		{"    s_li: \"/{group}", "    s-li: \"/{group}", "column name 's-li' must be an identifier (letters, digits, _), usable in expressions"},
		{"h_li: \"/{group}/land_ice_segments/h_li\"", "h_li: \"{group}/land_ice_segments/h_li\"", "dataset path '{group}/land_ice_segments/h_li' must be absolute (start with '/')"},
		{"h_li: \"/{group}/land_ice_segments/h_li\"", "h_li: \"/{beam}/land_ice_segments/h_li\"", "unknown placeholder {beam} in '/{beam}/land_ice_segments/h_li' (only {group} is substituted)"},
		{"  groups: [gt1l, gt1r]\n", "", "'/{group}/land_ice_segments/latitude' uses {group} but data_source.groups is empty"},
		{"h_li: \"/{group}/land_ice_segments/h_li\"", "h_li: \"/{group}/land_ice_segments/h_li[3]\"", "bad column selector in '/{group}/land_ice_segments/h_li[3]': end a dataset path with [:, k] to read column k (counted from 0) of a 2-D dataset"},
		{"    value: 0\n", "", "quality_filter needs both dataset and value"},
		{dsEnd, "  filters:\n    - {variable: h_li, op: '~', value: 1}\n" + dsEnd, "unknown operator '~' (allowed: ==, !=, <, <=, >, >=, in, not_in, between)"},
		{dsEnd, "  filters:\n    - {variable: h_lx, op: '<', value: 1}\n" + dsEnd, "variable 'h_lx' not in data_source.variables (available: [h_li, s_li])"},
		{dsEnd, "  filters:\n    - {variable: h_li, op: between, value: 1}\n" + dsEnd, "between takes two values [lo, hi] with lo <= hi"},
		{dsEnd, "  filters:\n    - {variable: h_li, value: 1}\n" + dsEnd, "a filter needs an op"},
		{dsEnd, "  filters:\n    - {variable: h_li, op: '<'}\n" + dsEnd, "a filter needs a value"},
		{dsEnd, "  filters:\n    - {op: '<', value: 1}\n" + dsEnd, "a filter needs exactly one of variable and dataset"},
		{"source: h_li, dtype: float32}\n    h_mean", "source: h_li, dtype: float32, unit: m}\n    h_mean", "unknown key 'unit' (allowed: function, source, params, expression, dtype, fill_value, units, long_name)"},
		{"function: min,", "function: mni,", "Cannot resolve 'mni' as numpy function"},
		{"{function: min, source: h_li,", "{function: min,", "Variable 'h_min': function 'min' needs a 'source' column"},
		{"{function: min, source: h_li,", "{function: min, source: h_lx,", "Variable 'h_min': source 'h_lx' not in data_source.variables"},
		{"{expression:", "{function: sum, source: h_li, expression:", "Variable 'h_sigma': 'function' and 'expression' are mutually exclusive"},
		{"{function: min, source: h_li, dtype: float32}", "{function: min, source: h_li, dtype: float16}", "unsupported dtype \"float16\" (want one of float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64)"},
		{"dtype: int32, fill_value: 0}", "dtype: int32, fill_value: NaN}", "fill_value NaN cannot be stored as int32"},
		{"params: {q: 0.25}", "params: {p: 0.25}", "Variable 'h_q25': unknown param 'p' (allowed: weights, ddof, q, method)"},
		{"{function: var, source: h_li,", "{function: var, source: h_li, params: {weights: s_li},", "Variable 'h_variance': function 'var' takes no param 'weights'"},
		{"params: {q: 0.25}", "params: {}", "Variable 'h_q25': function 'quantile' needs params.q"},
		{"params: {q: 0.25}", "params: {q: 1.5}", "Variable 'h_q25': q = 1.5 outside [0, 1]"},
		{"{function: var, source: h_li,", "{function: var, source: h_li, params: {ddof: -1},", "Variable 'h_variance': ddof must be a non-negative integer, got -1"},
		{`weights: "1.0 / s_li**2"`, `weights: "1.0 / s_xx**2"`, "Variable 'h_mean': param value '1.0 / s_xx**2' references unknown column (available: [h_li, s_li])"},
		{"    morton: {dtype: int64, fill_value: 0}\n", "    lat: {dtype: float64}\n", "unknown coordinate 'lat' (allowed: cell_ids, morton)"},
		{"cell_ids: {dtype: uint64", "cell_ids: {dtype: int64", "cell_ids must be uint64 (HEALPix NESTED ids), not int64"},
		{"morton: {dtype: int64", "morton: {dtype: float32", "morton must be int64 (legacy decimal ids, orders up to 18) or uint64 (packed words), not float32"},
		{"child_order: 12}", "child_order: 20}", "legacy int64 morton ids stop at order 18; set aggregation.coordinates.morton.dtype: uint64 for order 20"},
		{"", strings.Split(baseConfig, "  variables:\n    count")[0] + "  variables: {}\n" + "output:\n" + grid, "no variables"},
		{`"1.0 / np.sqrt(np.sum(1.0 / s_li**2))"`, `"1.0 / np.sqrt(np.sum(1.0 / s_li**2)"`, "expression \"1.0 / np.sqrt(np.sum(1.0 / s_li**2)\": column 14: unclosed '('"},
		{`"1.0 / np.sqrt(np.sum(1.0 / s_li**2))"`, `"1.0 / np.sqrt(np.sum(1.0 / s_x**2))"`, "Variable 'h_sigma': expression references 's_x' which is not in data_source.variables or numpy namespace"},
		{`"1.0 / np.sqrt(np.sum(1.0 / s_li**2))"`, `"1.0 / s_li**2"`, "expression \"1.0 / s_li**2\": column 1: gives one value per point; a cell statistic must reduce them (np.sum, np.mean, ...)"},
		{grid, grid + "  format: zarr\n", "unknown key 'format' (allowed: grid, store, codec, inner_chunk_order, latitude, orders, time, trend)"},
		{grid, "  store: x.zarr\n", "output.grid must be a mapping (e.g. type: healpix, child_order: 12)"},
		{"type: healpix", "type: h3", "unsupported grid type 'h3' (only healpix)"},
		{"type: healpix, ", "", "output.grid.type is required"},
		{"indexing_scheme: nested", "indexing_scheme: ring", "unsupported indexing_scheme 'ring' (only nested)"},
		{"child_order: 12", "child_order: 30", "child_order 30 outside 0..29"},
		{", child_order: 12", "", "output.grid.child_order is required for healpix grid"},
		{"child_order: 12", "child_order: 12, parent_order: 13", "child_order (12) must be >= parent_order (13)"},
		{"child_order: 12", "child_order: 29, parent_order: 2", "child_order (29) - parent_order (2) exceeds 10"},
		{grid, grid + "  latitude: geocentric\n", "unknown latitude convention 'geocentric' (allowed: authalic, geodetic)"},
		{grid, grid + "  orders: [13, 6]\n", "order 13 is finer than child_order 12"},
		{grid, grid + "  orders: [12, 12]\n", "order 12 listed twice"},
		{grid, grid + "  orders: [31]\n", "order 31 outside 0..29"},
		{grid, grid + "  codec: lz4\n", "unknown codec 'lz4' (allowed: none, gzip, zstd, crc32c)"},
		{grid, grid + "  codec: {name: zstd, level: 99}\n", "zstd level 99 outside -131072…22"},
		{grid, grid + "  codec: {name: crc32c, level: 1}\n", "codec crc32c takes no level"},
		{grid, grid + "  codec: {name: gzip, level: 0}\n", "gzip level 0 stores chunks uncompressed; use codec: none"},
		{"child_order: 12}", "child_order: 12, parent_order: 6}\n  inner_chunk_order: 5", "inner_chunk_order 5 outside 7..12 (parent_order+1..child_order)"},
		// output.time and output.trend (t is added as a variable).
		{grid, grid + "  time: {cycles: 3-22}\n", "output.time.source is required: the data_source variable holding each point's time (e.g. delta_time)"},
		{grid, grid + "  time: {source: delta_time, cycles: 3-22}\n", "'delta_time' is not a data_source variable (add it, e.g. t: \"/{group}/land_ice_segments/delta_time\")"},
		{grid, grid + "  time: {source: t}\n", "output.time needs its windows: one of cycles (e.g. 3-22), every (day, month, quarter, year, with start and end) or ranges"},
		{grid, grid + "  time: {source: t, cycles: 3-22, every: month}\n", "give one of cycles, every and ranges, not cycles and every"},
		{grid, grid + "  time: {source: t, cycles: 22-3}\n", "timewin: bad cycle range: cycles \"22-3\" (want 1 ≤ first ≤ last ≤ 99)"},
		{grid, grid + "  time: {source: t, every: month}\n", "every: month needs start and end (YYYY-MM-DD, end excluded)"},
		{grid, grid + "  time: {source: t, every: week, start: 2019-01-01, end: 2020-01-01}\n", "unknown period 'week' (allowed: day, month, quarter, year; for cycles use cycles: first-last)"},
		{grid, grid + "  time: {source: t, every: month, start: 2019-01-32, end: 2020-01-01}\n", "'2019-01-32' is not a date (YYYY-MM-DD) or an RFC 3339 time"},
		{grid, grid + "  time: {source: t, cycles: 3-22, start: 2019-01-01}\n", "start and end go with every; cycles windows carry their own dates"},
		{grid, grid + "  time: {source: t, epoch: tai, cycles: 3}\n", "unknown epoch 'tai' (allowed: atlas_sdp, gps, unix)"},
		{grid, grid + "  time: {source: t, cycles: 3, cycle_definition: nominal}\n", "unknown cycle_definition 'nominal' (allowed: true, zagg-0.1.0)"},
		{grid, grid + "  time: {source: t, ranges: [2019-01-01/2019-03-01, 2019-02-01/2019-04-01]}\n", "timewin: windows overlap or are out of order: window 1 2019-02-01T00:00:00Z/2019-04-01T00:00:00Z [2019-02-01T00:00:00Z, 2019-04-01T00:00:00Z) starts before window 0 2019-01-01T00:00:00Z/2019-03-01T00:00:00Z [2019-01-01T00:00:00Z, 2019-03-01T00:00:00Z) ends"},
		{grid, grid + "  time: {source: t, cycles: 3, step: 1}\n", "unknown key 'step' (allowed: source, epoch, cycles, cycle_definition, every, start, end, ranges, chunk)"},
		{grid, grid + "  time: {source: t, cycles: 3, chunk: 0}\n", "chunk 0 outside 1..65536 (windows per chunk)"},
		{grid, grid + "  trend: {value: h_mean}\n", "output.trend needs output.time (the windows to fit over)"},
		{grid, grid + "  time: {source: t, cycles: 3-22}\n  trend: {sigma: h_sigma}\n", "output.trend.value is required: the aggregation variable whose per-window values are fitted (e.g. h_mean)"},
		{grid, grid + "  time: {source: t, cycles: 3-22}\n  trend: {value: h_median}\n", "'h_median' is not an aggregation variable"},
		{grid, grid + "  time: {source: t, cycles: 3-22}\n  trend: {value: count}\n", "'count' has dtype int32; a trend fits float32 or float64 values"},
		{grid, grid + "  time: {source: t, cycles: 3-22}\n  trend: {value: h_mean, name: h_variance}\n", "the trend array 'h_variance' collides with an array of the same name (set output.trend.name)"},
		{grid, grid + "  time: {source: t, cycles: 3-22}\n  trend: {value: h_mean, min_windows: 1}\n", "min_windows 1 outside 2..65536 (a line needs two windows)"},
		{grid, grid + "  time: {source: t, cycles: 3-22}\n  trend: {value: h_mean, min_span: -1}\n", "min_span -1 must be a number of years >= 0"},
		{grid, grid + "  time: {source: t, cycles: 3-22}\n  trend: {value: h_mean, errors: robust}\n", "unknown error model 'robust' (allowed: max, formal, scaled)"},
		{grid, grid + "  time: {source: t, cycles: 3-22}\n  trend: {value: h_mean, weights: h_sigma}\n", "unknown key 'weights' (allowed: value, sigma, min_windows, min_span, errors, name)"},
	}
	for i, c := range cases {
		doc := c.new
		if strings.Contains(doc, "time:") || strings.Contains(doc, "trend:") {
			doc = strings.Replace(baseConfig, c.old, c.new, 1)
			doc = strings.Replace(doc, tVar, tVar+"    t: \"/{group}/land_ice_segments/delta_time\"\n", 1)
			c.old = ""
		}
		if c.old != "" {
			if !strings.Contains(baseConfig, c.old) {
				t.Errorf("case %d: %q not in the base config", i, c.old)
				continue
			}
			doc = strings.Replace(baseConfig, c.old, c.new, 1)
		}
		_, err := config.Parse("my.yaml", []byte(doc))
		var ce *config.Error
		if !errors.As(err, &ce) || !errors.Is(err, config.ErrInvalid) {
			t.Errorf("case %d (%s): error %v, want a *config.Error matching ErrInvalid", i, c.want, err)
			continue
		}
		if got := ce.Err.Error(); got != c.want {
			t.Errorf("case %d: config.Parse says\n\t%s\nwant\n\t%s", i, got, c.want)
		}
		if !strings.Contains(string(page), "`"+c.want+"`") {
			t.Errorf("case %d: docs/config.md does not show the message `%s`", i, c.want)
		}
	}
	_, err = config.Builtin("atl09")
	want := "No built-in config named 'atl09' (have: " + strings.Join(config.BuiltinNames(), ", ") + ")"
	if err == nil || !strings.HasSuffix(err.Error(), want) || !strings.Contains(string(page), "`"+want+"`") {
		t.Errorf("config.Builtin(atl09) = %v; docs/config.md must show `%s`", err, want)
	}
}
