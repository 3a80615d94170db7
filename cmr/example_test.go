package cmr_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/paulmach/orb"
	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/morton"
)

func ExampleParseGranuleName() {
	g, err := cmr.ParseGranuleName("s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/007/2024/01/05/ATL06_20240105235929_02772210_007_01.h5")
	if err != nil {
		panic(err)
	}
	fmt.Println(g.Product, g.Start, "RGT", g.RGT, "cycle", g.Cycle, "region", g.Region, "release", g.Release)
	// Output: ATL06 2024-01-05 23:59:29 +0000 UTC RGT 277 cycle 22 region 10 release 007
}

func ExampleZaggCycleDates() {
	start, end, _ := cmr.ZaggCycleDates(22)
	fmt.Println("zagg 0.1.0:", start.Format("2006-01-02"), "…", end.Format("2006-01-02"))
	r, _ := cmr.TrueCycleRange(22)
	fmt.Println("true cycle:", r.Start.Format("2006-01-02 15:04"), "…", r.End.Format("2006-01-02 15:04"))
	// Output:
	// zagg 0.1.0: 2024-01-06 … 2024-04-06
	// true cycle: 2023-12-18 21:16 … 2024-03-18 16:55
}

// A footprint that crosses the antimeridian next to the South Pole (the
// southern turn of an ICESat-2 track) gets a box with West > East that
// reaches poleward of every vertex, because the edges are great circles.
func ExampleRegion_BBox() {
	swath := orb.Ring{{-101.93, -78.99}, {-126.65, -86.40}, {-156.37, -87.72}, {152.37, -87.72}, {122.65, -86.40},
		{97.93, -78.99}, {97.35, -79.01}, {121.15, -86.47}, {151.09, -87.82}, {-155.08, -87.82}, {-125.15, -86.47},
		{-101.35, -79.01}, {-101.93, -78.99}}
	box, err := cmr.Region{Polygons: orb.MultiPolygon{{swath}}}.BBox(0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.2f %.2f %.2f %.2f crosses=%v\n", box.West, box.South, box.East, box.North, box.CrossesAntimeridian())
	fmt.Println("naive:", cmr.NaiveBBox(orb.MultiPolygon{{swath}}))
	// Output:
	// 97.35 -88.06 -101.35 -78.99 crosses=true
	// naive: -156.37,-87.82,152.37,-78.99
}

func ExampleCoverer_Cover() {
	cov, err := cmr.NewCoverer(3, healpix.Authalic)
	if err != nil {
		panic(err)
	}
	// A triangle around the South Pole touches the pole corner cell of each
	// of the four southern base cells.
	cells, err := cov.Cover(orb.MultiPolygon{{{{0, -85}, {120, -85}, {-120, -85}, {0, -85}}}})
	if err != nil {
		panic(err)
	}
	for _, n := range cells {
		fmt.Print(morton.FromNest(3, n), " ")
	}
	fmt.Println()
	// Output: -3111 -4111 -5111 -6111
}

func ExampleClient_SearchPages() {
	// A stand-in for CMR with one page (tests never touch the network).
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"hits": 1, "took": 5, "items": [{"meta": {"concept-id": "G1-NSIDC_CPRD"}, "umm": {
			"GranuleUR": "ATL06_20240106000405_02772211_007_01.h5",
			"TemporalExtent": {"RangeDateTime": {"BeginningDateTime": "2024-01-06T00:04:05Z", "EndingDateTime": "2024-01-06T00:10:36Z"}},
			"RelatedUrls": [{"URL": "s3://bucket/ATL06_20240106000405_02772211_007_01.h5", "Type": "GET DATA VIA DIRECT ACCESS"}]}}]}`)
	}))
	defer srv.Close()
	c := &cmr.Client{BaseURL: srv.URL}
	start, end, _ := cmr.ZaggCycleDates(22)
	q := cmr.Query{ShortName: "ATL06", Version: "007", Temporal: cmr.DateRange(start, end),
		BoundingBoxes: []cmr.BBox{{West: -180, South: -90, East: 180, North: -60}}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := c.SearchPages(ctx, q, func(p *cmr.Page) error {
		for _, g := range p.Granules {
			fmt.Println(p.Number, g.GranuleUR, g.S3URL)
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// 1 ATL06_20240106000405_02772211_007_01.h5 s3://bucket/ATL06_20240106000405_02772211_007_01.h5
	// <nil>
}

func ExampleSecret() {
	login := cmr.Login{Username: "glaciologist", Password: "hunter2", Source: "netrc"}
	fmt.Printf("%v\n%+v\n", login.Password, login)
	// Output:
	// [redacted]
	// {Token: Username:glaciologist Password:[redacted] Source:netrc}
}

func ExampleBuild() {
	cov, _ := cmr.NewCoverer(6, healpix.Geodetic)
	granules := []cmr.Granule{{
		GranuleUR: "ATL06_20240106000405_02772211_007_01.h5",
		S3URL:     "s3://bucket/ATL06_20240106000405_02772211_007_01.h5",
		Footprint: orb.MultiPolygon{{{{-60.0, -75.0}, {-59.9, -75.0}, {-59.9, -74.5}, {-60.0, -74.5}, {-60.0, -75.0}}}},
	}}
	cat, stats, err := cmr.Build(granules, cmr.BuildOptions{Coverer: cov, Metadata: cmr.Metadata{ShortName: "ATL06"}})
	if err != nil {
		panic(err)
	}
	fmt.Println(stats.Cells, "cells,", stats.Pairs, "pairs")
	out, _ := cat.Encode()
	fmt.Println(string(out))
	// Output:
	// 4 cells, 4 pairs
	// {
	//   "metadata": {
	//     "short_name": "ATL06",
	//     "parent_order": 6,
	//     "total_granules": 1,
	//     "total_cells": 4,
	//     "latitude": "geodetic"
	//   },
	//   "catalog": {
	//     "-6113442": [
	//       "s3://bucket/ATL06_20240106000405_02772211_007_01.h5"
	//     ],
	//     "-6113441": [
	//       "s3://bucket/ATL06_20240106000405_02772211_007_01.h5"
	//     ],
	//     "-6113424": [
	//       "s3://bucket/ATL06_20240106000405_02772211_007_01.h5"
	//     ],
	//     "-6113423": [
	//       "s3://bucket/ATL06_20240106000405_02772211_007_01.h5"
	//     ]
	//   }
	// }
}

// Temporary S3 credentials from a DAAC's s3credentials endpoint, renewed
// before they expire (a loopback stand-in plays NSIDC here).
func ExampleNewS3CredentialsProvider() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer my-edl-token" {
			http.Redirect(w, r, "https://urs.earthdata.nasa.gov/oauth/authorize", http.StatusTemporaryRedirect)
			return
		}
		exp := time.Now().Add(time.Hour).UTC().Format("2006-01-02 15:04:05-07:00")
		fmt.Fprintf(w, `{"accessKeyId":"ASIAEXAMPLE","secretAccessKey":"s","sessionToken":"t","expiration":%q}`, exp)
	}))
	defer srv.Close()
	login, err := cmr.FindLogin(cmr.LoginOptions{Getenv: func(k string) string {
		return map[string]string{cmr.EnvToken: "my-edl-token"}[k]
	}})
	if err != nil {
		panic(err)
	}
	provider := cmr.NewS3CredentialsProvider(&cmr.S3Credentials{
		Endpoint: srv.URL, Token: &cmr.TokenSource{Login: login},
	}, 0)
	creds, err := provider.Retrieve(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(login.Source, creds.AccessKeyID, creds.CanExpire, time.Until(creds.Expires) > 30*time.Minute)
	// Output: EARTHDATA_TOKEN ASIAEXAMPLE true true
}

func ExampleParseCatalog() {
	data := []byte(`{
  "metadata": {
    "short_name": "ATL06",
    "parent_order": 6,
    "bbox": [
      -180.0,
      -90.0,
      180.0,
      -60.0
    ]
  },
  "catalog": {
    "-4211322": [
      "s3://nsidc-cumulus-prod-protected/ATLAS/ATL06/007/2024/01/06/ATL06_20240106003512_02772211_007_01.h5"
    ]
  }
}`)
	c, err := cmr.ParseCatalog(data)
	if err != nil {
		panic(err)
	}
	e := c.Cells[0]
	fmt.Println(e.Key(), e.Cell.Order(), e.Cell.Nest(), c.Metadata.Latitude, len(e.Granules))
	out, _ := c.Encode()
	fmt.Println(string(out) == string(data))
	// Output:
	// -4211322 6 37925 geodetic 1
	// true
}
