package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestParseColumn covers the selector syntax: numpy's [:, k] after the
// dataset path, spaces allowed, k from 0 to MaxColumn.
func TestParseColumn(t *testing.T) {
	for _, tc := range []struct {
		in, path string
		column   int
		err      string // "" for none
	}{
		{"/{group}/heights/h_ph", "/{group}/heights/h_ph", -1, ""},
		{"/{group}/heights/signal_conf_ph[:, 3]", "/{group}/heights/signal_conf_ph", 3, ""},
		{"/{group}/heights/signal_conf_ph[:,3]", "/{group}/heights/signal_conf_ph", 3, ""},
		{"/{group}/heights/signal_conf_ph [ : , 0 ]", "/{group}/heights/signal_conf_ph", 0, ""},
		{"/a[:, 065535]", "/a", MaxColumn, ""},
		{"/a[:, 65536]", "", -1, "column 65536 in '/a[:, 65536]' is larger than 65535"},
		{"/a[:, 99999999999999999999999]", "", -1, "is larger than 65535"},
		{"/a[:, -1]", "", -1, "column -1 in '/a[:, -1]' is negative: columns count from 0"},
		{"/a[3]", "", -1, "bad column selector in '/a[3]': end a dataset path with [:, k]"},
		{"/a[:, 3", "", -1, "bad column selector"},
		{"/a[:, x]", "", -1, "bad column selector"},
		{"/a[0, :]", "", -1, "bad column selector"},
		{"/a[:, 1][:, 2]", "", -1, "bad column selector"},
		{"/a[:, 1]/b", "", -1, "bad column selector"},
		{"/a]", "", -1, "bad column selector"},
		{"[:, 1]", "", -1, "has no dataset path before it"},
	} {
		path, c, err := ParseColumn(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrInvalidValue) {
				t.Errorf("ParseColumn(%q) error = %v, want %q (ErrInvalidValue)", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || path != tc.path || c != tc.column {
			t.Errorf("ParseColumn(%q) = %q, %d, %v; want %q, %d", tc.in, path, c, err, tc.path, tc.column)
		}
	}
}

// columnsBase is a config reading one column of a 2-D dataset, as a
// variable and as a filter; the invalid cases edit one line of it.
const columnsBase = `data_source:
  groups: [gt1l, gt2l]
  coordinates:
    latitude: "/{group}/heights/lat_ph"
    longitude: "/{group}/heights/lon_ph"
  variables:
    h: "/{group}/heights/h_ph"
    conf: "/{group}/heights/signal_conf_ph[:, 3]"
  filters:
    - {dataset: "/{group}/heights/signal_conf_ph[:, 4]", op: ">=", value: 3}
aggregation:
  variables:
    count: {function: len, source: h, dtype: int32, fill_value: 0}
    h_mean: {function: mean, source: h}
    conf_mean: {function: mean, source: conf}
output:
  grid: {type: healpix, child_order: 12}
`

func TestColumnSelectorConfig(t *testing.T) {
	c, err := Parse("c.yaml", []byte(columnsBase))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := c.DataSource.PathOf("conf"); !ok || p != "/{group}/heights/signal_conf_ph[:, 3]" {
		t.Errorf("PathOf(conf) = %q, %v", p, ok)
	}
	fs := c.Filters()
	if len(fs) != 1 || fs[0].Column != "/{group}/heights/signal_conf_ph[:, 4]" {
		t.Fatalf("filters %+v", fs)
	}
	if p, ok := c.DataSource.PathOf(fs[0].Column); !ok || p != fs[0].Column {
		t.Errorf("PathOf(filter column) = %q, %v", p, ok)
	}
	// Every place a dataset is named takes a selector, but the coordinates.
	for _, doc := range []string{
		strings.Replace(columnsBase, "  filters:", "  quality_filter: {dataset: \"/{group}/heights/signal_conf_ph[:,0]\", value: 4}\n  filters:", 1),
		strings.Replace(columnsBase, "signal_conf_ph[:, 4]", "signal_conf_ph [ : , 4 ]", 1),
	} {
		if _, err := Parse("c.yaml", []byte(doc)); err != nil {
			t.Errorf("%v\n%s", err, doc)
		}
	}

	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"column out of range", "signal_conf_ph[:, 4]", "signal_conf_ph[:, 70000]",
			"c.yaml:10:17: data_source.filters[0].dataset: column 70000 in '/{group}/heights/signal_conf_ph[:, 70000]' is larger than 65535"},
		{"negative column", "signal_conf_ph[:, 3]", "signal_conf_ph[:, -1]",
			"c.yaml:8:11: data_source.variables.conf: column -1 in '/{group}/heights/signal_conf_ph[:, -1]' is negative: columns count from 0"},
		{"malformed selector", "signal_conf_ph[:, 4]", "signal_conf_ph[4]",
			"c.yaml:10:17: data_source.filters[0].dataset: bad column selector in '/{group}/heights/signal_conf_ph[4]': end a dataset path with [:, k] to read column k (counted from 0) of a 2-D dataset"},
		{"selector on a coordinate", `lat_ph"`, `lat_ph[:, 0]"`,
			"c.yaml:4:15: data_source.coordinates.latitude: the coordinates must be 1-D datasets: no column selector ('/{group}/heights/lat_ph[:, 0]')"},
		{"column key with a number", `{dataset: "/{group}/heights/signal_conf_ph[:, 4]", op:`, `{dataset: "/{group}/heights/signal_conf_ph", column: 4, op:`,
			`c.yaml:10:60: data_source.filters[0].column: column names a data_source variable; to select column 4 of a 2-D dataset, end its path with [:, 4] (dataset: "/{group}/heights/signal_conf_ph[:, 4]")`},
		{"quality filter selector", "  filters:", "  quality_filter: {dataset: \"/{group}/x[:, a]\", value: 1}\n  filters:",
			"c.yaml:9:29: data_source.quality_filter.dataset: bad column selector in '/{group}/x[:, a]'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(columnsBase, tc.old) {
				t.Fatalf("base has no %q", tc.old)
			}
			doc := strings.Replace(columnsBase, tc.old, tc.new, 1)
			_, err := Parse("c.yaml", []byte(doc))
			var ce *Error
			if !errors.As(err, &ce) || !errors.Is(err, ErrInvalid) || !errors.Is(err, ErrInvalidValue) {
				t.Fatalf("err = %v, want a *Error matching ErrInvalid and ErrInvalidValue", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %q\nwant %q", err, tc.want)
			}
		})
	}
}

// FuzzParseColumn: any string parses without a panic; an accepted selector
// names a column in range and a path without brackets, and formatting it
// back parses to the same.
func FuzzParseColumn(f *testing.F) {
	for _, s := range []string{"/a", "/a[:, 3]", "/a[:,3]", "/a [ : , 0 ]", "/a[:, -1]", "/a[3]", "[:, 1]", "/a[:, 1][:, 2]", "/a[:, 99999999999999999999]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		path, c, err := ParseColumn(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidValue) {
				t.Fatalf("ParseColumn(%q) error %v does not match ErrInvalidValue", s, err)
			}
			return
		}
		if c < 0 {
			if path != s {
				t.Fatalf("ParseColumn(%q) without a selector changed the path to %q", s, path)
			}
			return
		}
		if c > MaxColumn || strings.ContainsAny(path, "[]") {
			t.Fatalf("ParseColumn(%q) = %q, %d", s, path, c)
		}
		p2, c2, err := ParseColumn(fmt.Sprintf("%s[:, %d]", path, c))
		if err != nil || p2 != path || c2 != c {
			t.Fatalf("round trip of %q: %q, %d, %v", s, p2, c2, err)
		}
	})
}
