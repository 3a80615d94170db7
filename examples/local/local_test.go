package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/internal/sampledata"
	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// cli runs a command and returns its exit code and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// sampleFiles writes the sample catalog and granules (flat) to a folder.
func sampleFiles(t *testing.T) (catalog, granules string) {
	t.Helper()
	dir := t.TempDir()
	catalog = filepath.Join(dir, "catalog.json")
	if err := os.WriteFile(catalog, sampledata.Catalog(), 0o644); err != nil {
		t.Fatal(err)
	}
	granules = filepath.Join(dir, "granules")
	if err := os.Mkdir(granules, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range sampledata.GranuleNames() {
		b, err := sampledata.Granule(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(granules, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return catalog, granules
}

func expectedCells(t *testing.T, order int) int {
	t.Helper()
	exp, err := sampledata.LoadExpected()
	if err != nil {
		t.Fatal(err)
	}
	return len(exp.Orders[strconv.Itoa(order)]["cell_ids"])
}

// TestDemoInfoExport runs the demo, then summarises and exports its store.
func TestDemoInfoExport(t *testing.T) {
	store := filepath.Join(t.TempDir(), "demo.zarr")
	code, out, errs := cli(t, "demo", "--store", store, "--quiet")
	if code != 0 {
		t.Fatalf("demo = %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"Done: 8 cells with data, 30925 obs", "against numpy", "Next, try:", "info --store " + store} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// A second demo replaces the store.
	if code, out, errs := cli(t, "demo", "--store", store, "--quiet"); code != 0 {
		t.Fatalf("second demo = %d\n%s\n%s", code, out, errs)
	}
	// The demo never deletes a folder that is not a store.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("keep"), 0o644)
	if code, _, errs := cli(t, "demo", "--store", other, "--quiet"); code != 1 || !strings.Contains(errs, "not a zarr store") {
		t.Errorf("demo into a non-store folder = %d, %q", code, errs)
	}

	code, out, errs = cli(t, "info", "--store", store)
	if code != 0 {
		t.Fatalf("info = %d\n%s", code, errs)
	}
	for _, want := range []string{
		"Orders: [12 11 10 9 8 7 6]",
		"cells with data: " + strconv.Itoa(expectedCells(t, 12)),
		"cells with data: " + strconv.Itoa(expectedCells(t, 6)),
		"chunks written: 8 of 8 (4096 cells each)",
		"h_mean      float32  bytes+zstd",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("info output lacks %q:\n%s", want, out)
		}
	}

	code, out, errs = cli(t, "export", "--store", store, "--order", "12")
	if code != 0 {
		t.Fatalf("export = %d\n%s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != expectedCells(t, 12)+1 {
		t.Errorf("csv has %d rows, want %d cells + header", len(rows), expectedCells(t, 12))
	}
	if h := strings.Join(rows[0], ","); h != "cell_id,morton,lat,lon,count,h_max,h_mean,h_min,h_q25,h_q50,h_q75,h_sigma,h_variance" {
		t.Errorf("csv header %s", h)
	}
	for _, r := range rows[1:] {
		if lat, _ := strconv.ParseFloat(r[2], 64); lat > -75 || lat < -80 {
			t.Fatalf("cell %s centre latitude %s outside the sample tracks", r[0], r[2])
		}
	}

	gj := filepath.Join(t.TempDir(), "o9.geojson")
	if code, _, errs := cli(t, "export", "--store", store, "--order", "9", "--format", "geojson", "--output", gj); code != 0 {
		t.Fatalf("export geojson = %d\n%s", code, errs)
	}
	var fc struct {
		Type     string
		Features []struct {
			Geometry struct {
				Type        string
				Coordinates [][][2]float64
			}
			Properties map[string]any
		}
	}
	b, _ := os.ReadFile(gj)
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("geojson: %v", err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != expectedCells(t, 9) {
		t.Fatalf("geojson: %s with %d features, want %d", fc.Type, len(fc.Features), expectedCells(t, 9))
	}
	f0 := fc.Features[0]
	if ring := f0.Geometry.Coordinates[0]; f0.Geometry.Type != "Polygon" || len(ring) != 17 || ring[0] != ring[16] {
		t.Errorf("first feature geometry %s with %d points", f0.Geometry.Type, len(f0.Geometry.Coordinates[0]))
	}
	if _, ok := f0.Properties["h_mean"].(float64); !ok {
		t.Errorf("properties %v", f0.Properties)
	}

	// One parent cell only.
	cat, _ := cmr.ParseCatalog(sampledata.Catalog())
	key := cat.Cells[0].Key()
	code, out, _ = cli(t, "export", "--store", store, "--order", "12", "--cell", key)
	if code != 0 || strings.Count(out, "\n") < 2 || strings.Count(out, "\n") >= len(rows) {
		t.Errorf("export --cell %s = %d with %d lines", key, code, strings.Count(out, "\n"))
	}
	for _, bad := range [][]string{
		{"export", "--store", store},
		{"export", "--store", store, "--order", "12", "--format", "xls"},
		{"info"},
	} {
		if code, _, _ := cli(t, bad...); code != 2 {
			t.Errorf("%v = %d, want 2", bad, code)
		}
	}
	if code, _, _ := cli(t, "export", "--store", store, "--order", "12", "--cell", "-4"); code != 1 {
		t.Errorf("export with a cell of the wrong order = %d, want 1", code)
	}
}

// TestRunFileDriver runs the run command on local granules, resumes, and
// checks the dry run and the errors.
func TestRunFileDriver(t *testing.T) {
	catalog, granules := sampleFiles(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "out.zarr")
	results := filepath.Join(dir, "results.json")
	args := []string{"run", "--config", "atl06", "--catalog", catalog, "--store", store,
		"--driver", "file", "--granule-dir", granules, "--quiet", "--results", results}

	code, out, errs := cli(t, append(args, "--dry-run")...)
	if code != 0 || !strings.Contains(out, "[DRY RUN] Would process 8 cells (0 already written") ||
		!strings.Contains(out, "Granules: 3 distinct, 12 cell-granule reads") {
		t.Fatalf("dry run = %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(store); err == nil {
		t.Fatal("the dry run wrote the store")
	}

	code, out, errs = cli(t, append(args, "--max-cells", "3")...)
	if code != 0 || !strings.Contains(out, "Done: 3 cells with data") {
		t.Fatalf("run --max-cells 3 = %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = cli(t, args...)
	if code != 0 || !strings.Contains(out, "Done: 5 cells with data, ") || !strings.Contains(out, "3 skipped") {
		t.Fatalf("resumed run = %d\n%s\n%s", code, out, errs)
	}
	var rep dispatch.Report
	b, err := os.ReadFile(results)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.TotalCells != 8 || rep.Summary.CellsSkipped != 3 || len(rep.Results) != 8 {
		t.Errorf("results summary %+v", rep.Summary)
	}
	code, out, _ = cli(t, append(args, "--dry-run")...)
	if code != 0 || !strings.Contains(out, "(8 already written") {
		t.Errorf("dry run after the run:\n%s", out)
	}
	code, out, _ = cli(t, append(args, "--overwrite", "--cell", "-4113342")...)
	if code != 0 || !strings.Contains(out, "Done: 1 cells with data") {
		t.Errorf("--overwrite --cell:\n%s", out)
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run"}, 2, "--config is required"},
		{append(args[:len(args):len(args)], "--cell", "-4111111"), 1, "cell not in catalog"},
		{[]string{"run", "--config", "atl06", "--store", store}, 1, "no catalog specified"},
		{[]string{"run", "--config", "atl06", "--catalog", catalog}, 1, "no store specified"},
		{[]string{"run", "--config", "no-such.yaml", "--catalog", catalog, "--store", store}, 1, "no-such.yaml"},
		{[]string{"run", "--config", "atl06", "--catalog", catalog, "--store", store, "--driver", "file"}, 1, "--granule-dir"},
		{[]string{"run", "--config", "atl06", "--catalog", catalog, "--store", store, "--driver", "ftp"}, 1, "unknown driver"},
	} {
		code, _, errs := cli(t, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v = %d, %q; want %d and %q", tc.args[1:], code, errs, tc.code, tc.msg)
		}
	}
}

// TestRunS3 reads granules from a loopback S3 server and writes the store
// there, as a run on AWS does.
func TestRunS3(t *testing.T) {
	srv := s3test.New(t, sampledata.Bucket, "out")
	cat, err := cmr.ParseCatalog(sampledata.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cat.Cells {
		for _, u := range c.Granules {
			key, _ := sampledata.Key(u)
			b, err := sampledata.Granule(u)
			if err != nil {
				t.Fatal(err)
			}
			srv.Put(t, sampledata.Bucket, key, b)
		}
	}
	catalog, _ := sampleFiles(t)
	srv.SetEnv(t)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	results := filepath.Join(t.TempDir(), "r.json")
	store := "s3://out/" + s3test.Prefix(t) + "/run.zarr"
	code, out, errs := cli(t, "run", "--config", "atl06", "--catalog", catalog, "--store", store,
		"--s3-endpoint", srv.URL, "--region", srv.Region, "--dry-run")
	if code != 0 || !strings.Contains(out, "over 3 granules") {
		t.Fatalf("dry run = %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = cli(t, "run", "--config", "atl06", "--catalog", catalog, "--store", store,
		"--s3-endpoint", srv.URL, "--region", srv.Region, "--quiet", "--results", results)
	if code != 0 || !strings.Contains(out, "Done: 8 cells with data, 30925 obs") {
		t.Fatalf("run = %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = cli(t, "info", "--store", store, "--s3-endpoint", srv.URL, "--region", srv.Region)
	if code != 0 || !strings.Contains(out, "cells with data: "+strconv.Itoa(expectedCells(t, 12))) {
		t.Fatalf("info = %d\n%s\n%s", code, out, errs)
	}
}

// TestRunInterrupted stops a run as Ctrl-C does once the first cell is
// written, and checks that the next run resumes.
func TestRunInterrupted(t *testing.T) {
	catalog, granules := sampleFiles(t)
	store := filepath.Join(t.TempDir(), "out.zarr")
	args := []string{"run", "--config", "atl06", "--catalog", catalog, "--store", store,
		"--driver", "file", "--granule-dir", granules, "--quiet", "--workers", "1",
		"--results", filepath.Join(t.TempDir(), "r.json")}
	old := signalContext
	defer func() { signalContext = old }()
	signalContext = func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			defer cancel()
			for ctx.Err() == nil {
				if m, _ := filepath.Glob(filepath.Join(store, "zagg-cells", "*", "*")); len(m) > 0 {
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		return ctx, cancel
	}
	code, out, errs := cli(t, args...)
	if code != 130 || !strings.Contains(errs, "interrupted") {
		t.Fatalf("interrupted run = %d\n%s\n%s", code, out, errs)
	}
	signalContext = old
	code, out, errs = cli(t, args...)
	if code != 0 || !strings.Contains(out, "skipped") {
		t.Fatalf("resumed run = %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "0 canceled") {
		t.Errorf("resumed run: %s", out)
	}
}

// TestZagg010FilesUnchanged runs zagg 0.1.0's files as they are: its
// atl06.yaml in the quickstart form (top-level store, no output.latitude)
// with a 0.1.0 catalog (no latitude key, none of our metadata keys). The
// run follows the catalog's geodetic convention, the store declares the
// sphere, and info and export read it.
func TestZagg010FilesUnchanged(t *testing.T) {
	_, granules := sampleFiles(t)
	dir := t.TempDir()
	var cat map[string]any
	if err := json.Unmarshal(sampledata.Catalog(), &cat); err != nil {
		t.Fatal(err)
	}
	md := cat["metadata"].(map[string]any)
	for k := range md {
		switch k {
		case "short_name", "version", "provider", "start_date", "end_date", "parent_order",
			"total_granules", "total_cells", "created", "s3_base", "https_base", "cycle", "bbox", "polygon":
		default:
			delete(md, k) // our additions, latitude among them
		}
	}
	b, _ := json.MarshalIndent(cat, "", "  ")
	catalog := filepath.Join(dir, "catalog.json")
	if err := os.WriteFile(catalog, b, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/zagg010-quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "output.zarr")
	config := filepath.Join(dir, "atl06.yaml")
	if err := os.WriteFile(config, []byte(strings.Replace(string(src), "store: STORE", "store: "+store, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, "run", "--config", config, "--catalog", catalog, "--driver", "file",
		"--granule-dir", granules, "--quiet", "--results", filepath.Join(dir, "r.json"))
	if code != 0 || !strings.Contains(errs, "top-level store: read as output.store") {
		t.Fatalf("run = %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = cli(t, "info", "--store", store)
	if code != 0 || !strings.Contains(out, "latitude geodetic") {
		t.Fatalf("info = %d\n%s\n%s", code, out, errs)
	}
	g, err := os.ReadFile(filepath.Join(store, "12", "zarr.json"))
	if err != nil || strings.Contains(string(g), "WGS84") {
		t.Errorf("geodetic store's group declares WGS84 (or cannot be read: %v):\n%s", err, g)
	}
	csv := filepath.Join(dir, "out.csv")
	if code, out, errs = cli(t, "export", "--store", store, "--order", "12", "--format", "csv", "--output", csv); code != 0 {
		t.Fatalf("export = %d\n%s\n%s", code, out, errs)
	}
	if b, _ := os.ReadFile(csv); strings.Count(string(b), "\n") < 100 {
		t.Errorf("export wrote %d lines", strings.Count(string(b), "\n"))
	}
}

// TestReadsZagg010Store reads the store the real Python zagg 0.1.0 wrote
// (internal/sampledata/zagg010, made by its make.py): info recognises it
// and export gives its 320 cells with data and 31,563 observations.
func TestReadsZagg010Store(t *testing.T) {
	store := filepath.Join("..", "..", "internal", "sampledata", "zagg010", "store.zarr")
	code, out, errs := cli(t, "info", "--store", store)
	if code != 0 || !strings.Contains(out, "written by Python zagg 0.1.0") || !strings.Contains(out, "cells with data: 320") {
		t.Fatalf("info = %d\n%s\n%s", code, out, errs)
	}
	csvPath := filepath.Join(t.TempDir(), "o10.csv")
	if code, out, errs = cli(t, "export", "--store", store, "--order", "10", "--format", "csv", "--output", csvPath); code != 0 {
		t.Fatalf("export = %d\n%s\n%s", code, out, errs)
	}
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(b)), "\n")
	header := strings.Split(rows[0], ",")
	col := slices.Index(header, "count")
	if len(rows) != 321 || col < 0 {
		t.Fatalf("export: %d rows, header %v", len(rows), header)
	}
	total := 0
	for _, r := range rows[1:] {
		n, err := strconv.Atoi(strings.Split(r, ",")[col])
		if err != nil {
			t.Fatalf("row %q: %v", r, err)
		}
		total += n
	}
	if total != 31563 {
		t.Errorf("counts sum to %d, zagg 0.1.0 aggregated 31563 observations", total)
	}
}

// TestRendersZagg010Store draws a map of the store Python zagg 0.1.0 wrote.
func TestRendersZagg010Store(t *testing.T) {
	store := filepath.Join("..", "..", "internal", "sampledata", "zagg010", "store.zarr")
	out := filepath.Join(t.TempDir(), "m.png")
	code, stdout, errs := cli(t, "render", "--store", store, "--variable", "h_mean", "--output", out)
	if code != 0 || !strings.Contains(stdout, "h_mean order 10: 320 cells") {
		t.Fatalf("render = %d\n%s\n%s", code, stdout, errs)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Errorf("no map written: %v", err)
	}
}

// TestDemoTrend runs the multi-window demo (every window and trend checked
// against numpy inside it), then reads its store back per window.
func TestDemoTrend(t *testing.T) {
	store := filepath.Join(t.TempDir(), "trend.zarr")
	code, out, errs := cli(t, "demo", "--trend", "--store", store, "--quiet")
	if code != 0 {
		t.Fatalf("demo --trend = %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"4 time windows (cycle 19 … cycle 22)", "Checked ", "trends at orders 12, 9, 6 and 4 against numpy",
		"Imposed trend -0.80 m/yr", "order 12:  802 cells", "--variable dhdt"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo --trend output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = cli(t, "info", "--store", store)
	if code != 0 || !strings.Contains(out, "time windows: 4") || !strings.Contains(out, "window 3 [2023-12-18T21:16:05Z, 2024-03-18T16:55:54Z)") ||
		!strings.Contains(out, "dhdt_windows  int16") {
		t.Errorf("info = %d\n%s\n%s", code, out, errs)
	}
	csvOut := filepath.Join(t.TempDir(), "w.csv")
	for _, tc := range []struct {
		window, want string
		code         int
	}{
		{"0", "window 0 [2023-03-21T10:16:39Z", 0},
		{"2023-10-01", "window 2 [2023-09-19T01:36:16Z", 0},
		{"-1", "window 3 [", 0},
		{"4", "the store has 4 time windows (0-3)", 1},
		{"2019-01-01", "no time window of the store holds that date", 1},
		{"last", "neither a window index nor a date", 1},
	} {
		code, _, errs := cli(t, "export", "--store", store, "--order", "9", "--window", tc.window, "--output", csvOut)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("export --window %s = %d, %q; want %d saying %q", tc.window, code, errs, tc.code, tc.want)
		}
	}
	png := filepath.Join(t.TempDir(), "dhdt.png")
	code, out, errs = cli(t, "render", "--store", store, "--order", "9", "--variable", "h_mean", "--window", "1", "--output", png)
	if _, err := os.Stat(png); code != 0 || err != nil || !strings.Contains(out+errs, "window 1: 2023-06-20 05:56 – 2023-09-19 01:36") {
		t.Errorf("render --window 1 = %d, %v:\n%s\n%s", code, err, out, errs)
	}
}
