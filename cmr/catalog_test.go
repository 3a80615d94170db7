package cmr

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/morton"
)

func TestPyJSONGolden(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "pyjson_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Floats []struct {
			Hex  string `json:"hex"`
			JSON string `json:"json"`
		} `json:"floats"`
		Strings []struct {
			Codepoints []rune `json:"codepoints"`
			JSON       string `json:"json"`
		} `json:"strings"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, f := range g.Floats {
		v, err := strconv.ParseFloat(f.Hex, 64)
		if err != nil {
			t.Fatalf("%s: %v", f.Hex, err)
		}
		if got := string(appendPyFloat(nil, v)); got != f.JSON {
			t.Errorf("appendPyFloat(%s) = %s, Python writes %s", f.Hex, got, f.JSON)
		}
	}
	for _, s := range g.Strings {
		in := string(s.Codepoints)
		if got := string(appendPyString(nil, in)); got != s.JSON {
			t.Errorf("appendPyString(%q) = %s, Python writes %s", in, got, s.JSON)
		}
	}
	if len(g.Floats) < 50 || len(g.Strings) < 5 {
		t.Fatal("golden file too small")
	}
}

// TestCatalogRoundTrip loads a catalog written by zagg 0.1.0's json.dump and
// writes it back byte for byte.
func TestCatalogRoundTrip(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("testdata", "catalog_v010.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{"as written": orig, "with newline": append(bytes.Clone(orig), '\n')}
	// The repository's sample catalog (written by internal/sampledata's
	// generator with json.dump(indent=2) and a newline) must round-trip too.
	if sample, err := os.ReadFile(filepath.Join("..", "internal", "sampledata", "catalog.json")); err == nil {
		cases["internal/sampledata"] = sample
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := ParseCatalog(data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, data) {
				t.Errorf("round trip differs:\n%s\nwant:\n%s", out, data)
			}
		})
	}
	c, _ := ParseCatalog(orig)
	md := c.Metadata
	if md.ParentOrder != 6 || md.Cycle != 22 || md.TotalGranules != 4103 || md.Polygon != `régions/antarctique "sud".geojson` ||
		len(md.BBox) != 4 || md.BBox[1] != -88.4 || md.LatitudeRecorded || md.Latitude != healpix.Geodetic {
		t.Errorf("metadata = %+v", md)
	}
	if len(c.Cells) != 6 || c.Cells[0].Key() != "-5113313" {
		t.Errorf("cells = %v", c.Cells)
	}
	// Changing a value rewrites only that value; new keys go after zagg's.
	c.Metadata.Latitude, c.Metadata.LatitudeRecorded = healpix.Authalic, true
	c.Metadata.TotalGranules = 4104
	out, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(orig), `"total_granules": 4103`, `"total_granules": 4104`, 1)
	want = strings.Replace(want, `.geojson"
  },`, `.geojson",
    "latitude": "authalic"
  },`, 1)
	if string(out) != want {
		t.Errorf("modified catalog:\n%s\nwant:\n%s", out, want)
	}
}

func TestCatalogWriteFile(t *testing.T) {
	cell := morton.FromNest(6, 37010)
	c := &Catalog{Metadata: Metadata{ShortName: "ATL06", ParentOrder: 6, TotalCells: 1, TotalGranules: 1,
		Latitude: healpix.Authalic, LatitudeRecorded: true, BBox: []float64{-180, -90, 180, -60},
		HTTPSURLs: map[string]string{"s3://b/x.h5": "https://h/b/x.h5"},
		Skipped:   []SkippedGranule{{"SC:ATL06.005:1", "no footprint polygon"}}},
		Cells: []CatalogCell{{Cell: cell, Granules: []string{"s3://b/x.h5"}}}}
	path := filepath.Join(t.TempDir(), "c.json")
	if err := c.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Cells[0].Key() != "-4113213" || got.Metadata.HTTPSURLs["s3://b/x.h5"] != "https://h/b/x.h5" ||
		got.Metadata.Skipped[0].Reason != "no footprint polygon" || got.Metadata.Latitude != healpix.Authalic {
		t.Errorf("loaded %+v", got)
	}
	data, _ := os.ReadFile(path)
	if !bytes.Contains(data, []byte(`"bbox": [
      -180.0,`)) || bytes.HasSuffix(data, []byte("\n")) {
		t.Errorf("not in Python's json.dump layout:\n%s", data)
	}
	// Encoding refuses what it cannot write.
	bad := *c
	bad.Cells = []CatalogCell{{Cell: morton.FromNest(7, 1)}}
	if _, err := bad.Encode(); !errors.Is(err, ErrCatalog) {
		t.Errorf("wrong-order cell: err = %v", err)
	}
	bad.Cells = []CatalogCell{{Cell: cell}, {Cell: cell}}
	if _, err := bad.Encode(); !errors.Is(err, ErrCatalog) {
		t.Errorf("duplicate cell: err = %v", err)
	}
}

func TestParseCatalogErrors(t *testing.T) {
	md := `"metadata": {"parent_order": 6}`
	tests := []struct {
		name, doc, mention string
	}{
		{"not JSON", `{`, ""},
		{"array", `[]`, "not a JSON object"},
		{"no metadata", `{"catalog": {}}`, "metadata"},
		{"no catalog", `{` + md + `}`, "catalog"},
		{"unknown top key", `{` + md + `, "catalog": {}, "x": 1}`, `"x"`},
		{"no parent order", `{"metadata": {}, "catalog": {}}`, "parent_order"},
		{"parent order 19", `{"metadata": {"parent_order": 19}, "catalog": {}}`, "parent_order"},
		{"parent order text", `{"metadata": {"parent_order": "6"}, "catalog": {}}`, "parent_order"},
		{"bad latitude", `{"metadata": {"parent_order": 6, "latitude": "mercator"}, "catalog": {}}`, "latitude"},
		{"bad bbox", `{"metadata": {"parent_order": 6, "bbox": [1, 2]}, "catalog": {}}`, "bbox"},
		{"key not a number", `{` + md + `, "catalog": {"abc": []}}`, `"abc"`},
		{"key not legacy", `{` + md + `, "catalog": {"-7113213": []}}`, `"-7113213"`},
		{"key wrong order", `{` + md + `, "catalog": {"-41132131": []}}`, `"-41132131"`},
		{"repeated key", `{` + md + `, "catalog": {"-4113213": [], "-4113213": []}}`, "repeated"},
		{"value not list", `{` + md + `, "catalog": {"-4113213": "s3://x"}}`, `"-4113213"`},
		{"null value", `{` + md + `, "catalog": {"-4113213": null}}`, `"-4113213"`},
		{"empty URL", `{` + md + `, "catalog": {"-4113213": ["s3://a", ""]}}`, `"-4113213"`},
		{"total cells", `{"metadata": {"parent_order": 6, "total_cells": 2}, "catalog": {"-4113213": []}}`, "total_cells"},
		{"trailing data", `{` + md + `, "catalog": {}} {}`, "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCatalog([]byte(tt.doc))
			if !errors.Is(err, ErrCatalog) {
				t.Fatalf("err = %v, want ErrCatalog", err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %s", err, tt.mention)
			}
		})
	}
}

func FuzzParseCatalog(f *testing.F) {
	orig, err := os.ReadFile(filepath.Join("testdata", "catalog_v010.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(orig)
	f.Add([]byte(`{"metadata": {"parent_order": 6, "x": [1.50, "\u00e9"]}, "catalog": {"-4113213": ["s3://a"]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCatalog(b)
		if err != nil {
			return
		}
		out, err := c.Encode()
		if err != nil {
			return // e.g. a NaN cannot be read, so this is rare; never a panic
		}
		c2, err := ParseCatalog(out)
		if err != nil {
			t.Fatalf("re-parse of encoded catalog: %v\n%s", err, out)
		}
		out2, err := c2.Encode()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("encoding not stable: %v\n%s\n%s", err, out, out2)
		}
	})
}
