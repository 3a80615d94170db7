// Package sampletest serves zagg's built-in sample data (internal/sampledata)
// to tests: the sample granules on a loopback S3 server under the URLs the
// sample catalog names, and the sample cell with the most granules. It is
// kept apart from sampledata so the demo binary does not link test servers.
package sampletest

import (
	"encoding/json"
	"testing"

	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/internal/sampledata"
)

// Catalog returns the sample catalog's cells: legacy morton key → granule URLs.
func Catalog(tb testing.TB) map[string][]string {
	tb.Helper()
	var cat struct {
		Catalog map[string][]string `json:"catalog"`
	}
	if err := json.Unmarshal(sampledata.Catalog(), &cat); err != nil {
		tb.Fatalf("sampletest: sample catalog: %v", err)
	}
	return cat.Catalog
}

// CyclesCatalog returns the multi-window sample catalog's cells.
func CyclesCatalog(tb testing.TB) map[string][]string {
	tb.Helper()
	var cat struct {
		Catalog map[string][]string `json:"catalog"`
	}
	if err := json.Unmarshal(sampledata.CyclesCatalog(), &cat); err != nil {
		tb.Fatalf("sampletest: multi-window sample catalog: %v", err)
	}
	return cat.Catalog
}

// Serve starts a loopback S3 server holding every sample granule (of both
// sample catalogs) under the key its catalog URL names (bucket
// sampledata.Bucket), plus the extra, empty buckets. Its counters start at
// zero.
func Serve(tb testing.TB, buckets ...string) *s3test.Server {
	tb.Helper()
	srv := s3test.New(tb, append([]string{sampledata.Bucket}, buckets...)...)
	put := map[string]bool{}
	cells := Catalog(tb)
	for k, urls := range CyclesCatalog(tb) {
		cells["cycles/"+k] = urls
	}
	for _, urls := range cells {
		for _, u := range urls {
			if put[u] {
				continue
			}
			put[u] = true
			key, err := sampledata.Key(u)
			if err != nil {
				tb.Fatal(err)
			}
			b, err := sampledata.Granule(u)
			if err != nil {
				tb.Fatal(err)
			}
			srv.Put(tb, sampledata.Bucket, key, b)
		}
	}
	srv.Reset()
	return srv
}

// LargestCell returns the sample cell with the most granules (the smallest
// key among ties, so the choice is stable) and its granule URLs.
func LargestCell(tb testing.TB) (key string, urls []string) {
	tb.Helper()
	cells := Catalog(tb)
	for k, u := range cells {
		if key == "" || len(u) > len(cells[key]) || (len(u) == len(cells[key]) && k < key) {
			key = k
		}
	}
	return key, cells[key]
}
