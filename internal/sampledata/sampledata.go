// Package sampledata embeds zagg's built-in sample data: three small synthetic
// ATL06-like granules, a catalog mapping eight order-6 parent cells to them, and
// the statistics numpy computes on the same points (expected.json).
//
// The demo command runs the whole pipeline on it with no network, and the
// end-to-end tests serve the granules from a loopback S3 server under the URLs
// the catalog names (bucket "zagg-sample"). Everything here is made by
// mksample.py (see its doc string for the exact construction and filters);
// rerun it with Debian's /usr/bin/python3 after changing it. The granules are
// synthetic, not NASA data.
package sampledata

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

//go:embed catalog.json expected.json granules/*.h5 cycles/catalog.json cycles/expected.json cycles/config.yaml cycles/granules/*.h5
var files embed.FS

// Bucket is the S3 bucket the sample catalog's URLs name.
const Bucket = "zagg-sample"

// FS returns the sample files: catalog.json, expected.json and granules/*.h5,
// and the multi-window sample under cycles/ (Cycles).
func FS() fs.FS { return files }

// Catalog returns the sample catalog JSON (zagg 0.1.0 layout).
func Catalog() []byte { return mustRead("catalog.json") }

// GranuleNames returns the base names of the sample granules, sorted.
func GranuleNames() []string { return names("granules") }

func names(dir string) []string {
	ents, err := files.ReadDir(dir)
	if err != nil {
		panic("sampledata: " + err.Error())
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// Granule returns the bytes of the sample granule with the given base name or
// URL (only the last path element is used).
func Granule(nameOrURL string) ([]byte, error) {
	name := path.Base(nameOrURL)
	b, err := files.ReadFile("granules/" + name)
	if err != nil {
		if b, err = files.ReadFile("cycles/granules/" + name); err == nil {
			return b, nil
		}
		return nil, fmt.Errorf("sampledata: no sample granule %q", name)
	}
	return b, nil
}

// Key returns the S3 object key of a sample URL "s3://zagg-sample/<key>".
func Key(url string) (string, error) {
	const prefix = "s3://" + Bucket + "/"
	if !strings.HasPrefix(url, prefix) {
		return "", fmt.Errorf("sampledata: %q is not under %s", url, prefix)
	}
	return strings.TrimPrefix(url, prefix), nil
}

// Expected is the content of expected.json: per order, the numpy statistics of
// zagg 0.1.0's atl06.yaml for every cell that has data.
type Expected struct {
	ParentOrder int    `json:"parent_order"`
	ChildOrder  int    `json:"child_order"`
	Latitude    string `json:"latitude"`
	PointsTotal int    `json:"points_total"`
	PointsKept  int    `json:"points_kept"`
	// Orders maps the decimal order ("6" … "12") to a table of columns:
	// "cell_ids" (NESTED ids at that order, ascending) and one column per
	// statistic, all of the same length.
	Orders map[string]map[string][]float64 `json:"orders"`
}

// LoadExpected parses expected.json.
func LoadExpected() (*Expected, error) {
	var e Expected
	if err := json.Unmarshal(mustRead("expected.json"), &e); err != nil {
		return nil, fmt.Errorf("sampledata: expected.json: %w", err)
	}
	return &e, nil
}

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("sampledata: " + err.Error())
	}
	return b
}

// The multi-window sample (cycles/, made by mksample.py --cycles): the three
// sample tracks repeated in ICESat-2 cycles 19–22 (twelve granules) on a
// surface whose height falls by a known rate, ExpectedCycles.TrendPerYear
// metres a year, everywhere; each track samples the same places with the
// same quality flags in every cycle, so the window means differ by the trend
// and the noise only. Its config (cycles/config.yaml) computes the ATL06
// statistics per cycle and the trend of h_mean over them.

// CyclesCatalog returns the multi-window sample's catalog (cycles 19–22).
func CyclesCatalog() []byte { return mustRead("cycles/catalog.json") }

// CyclesConfig returns the multi-window sample's config YAML.
func CyclesConfig() []byte { return mustRead("cycles/config.yaml") }

// CyclesGranuleNames returns the base names of the multi-window sample's
// granules, sorted.
func CyclesGranuleNames() []string { return names("cycles/granules") }

// ExpectedCycles is the content of cycles/expected.json: per order (12, 9,
// 6 and 4), numpy's statistics of every window for every cell with data in
// it, and numpy's fit of the trend of h_mean (np.polyfit with weights
// 1/h_sigma; standard error the larger of its unscaled and scaled ones) for
// every cell with at least three windows.
type ExpectedCycles struct {
	ParentOrder  int       `json:"parent_order"`
	ChildOrder   int       `json:"child_order"`
	Latitude     string    `json:"latitude"`
	Cycles       []int     `json:"cycles"`
	TrendPerYear float64   `json:"trend_m_per_year"`
	WindowYears  []float64 `json:"window_mid_years"`
	PointsTotal  int       `json:"points_total"`
	PointsKept   int       `json:"points_kept"`
	// Orders maps the decimal order to its tables: Windows[k] is window k's
	// table (as Expected.Orders), Trend the columns cell_ids, dhdt,
	// dhdt_sigma, dhdt_windows and dhdt_span.
	Orders map[string]struct {
		Windows []map[string][]float64 `json:"windows"`
		Trend   map[string][]float64   `json:"trend"`
	} `json:"orders"`
}

// LoadExpectedCycles parses cycles/expected.json.
func LoadExpectedCycles() (*ExpectedCycles, error) {
	var e ExpectedCycles
	if err := json.Unmarshal(mustRead("cycles/expected.json"), &e); err != nil {
		return nil, fmt.Errorf("sampledata: cycles/expected.json: %w", err)
	}
	return &e, nil
}
