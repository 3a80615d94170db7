package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/internal/s3test"
	"github.com/zagg-go/zagg/zarrstore"
)

// renderTestStore writes a small order-6 store (order-4 chunks) with h_mean
// on the cells around 75°S, 0–90°E, and returns its folder.
func renderTestStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "s.zarr")
	s, err := zarrstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	l := zarrstore.Layout{
		ParentOrder: 4,
		Orders:      []int{6},
		Variables: []zarrstore.Variable{
			{Name: "h_mean", DataType: zarrstore.Float32, Attributes: map[string]any{"units": "m"}},
		},
		Project: map[string]any{"start_date": "2024-01-06", "end_date": "2024-04-06"},
	}
	const per = 16 // order-6 cells per order-4 chunk
	var parents []uint64
	for p := range healpix.NPix(4) {
		lat, lon := healpix.NestCenter(4, p)
		if lat > -80 && lat < -70 && lon < 90 {
			parents = append(parents, p)
		}
	}
	l.Parents = parents
	if _, err := s.Setup(ctx, l); err != nil {
		t.Fatal(err)
	}
	for i := range parents {
		vals := make([]float32, per)
		for k := range vals {
			vals[k] = float32(1000 + 10*k)
		}
		if err := s.WriteChunk(ctx, "6/h_mean", int64(i), vals); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRenderCommand(t *testing.T) {
	dir := renderTestStore(t)
	out := filepath.Join(t.TempDir(), "map.png")
	var stdout, stderr bytes.Buffer
	code := run([]string{"render", "--store", dir, "--var", "h_mean", "--out", out, "--width", "240", "--outline", "antarctica"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"wrote " + out, "map 240×", "EPSG:3031", "h_mean order 6", "viridis"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() < 240 {
		t.Errorf("image %v narrower than the 240 px map", img.Bounds())
	}
	// Transparent (no data) and opaque (data) pixels both occur.
	var clear, opaque int
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a == 0 {
				clear++
			} else {
				opaque++
			}
		}
	}
	if clear == 0 || opaque == 0 {
		t.Errorf("%d transparent, %d opaque pixels", clear, opaque)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("output mode %v, %v", st.Mode(), err)
	}

	// Explicit limits, projection, colormap, default output name.
	t.Chdir(t.TempDir())
	stdout.Reset()
	code = run([]string{"render", "--store", dir, "--variable", "h_mean", "--order", "6", "--projection", "equirectangular",
		"--colormap", "rdbu_r", "--vmin", "1000", "--vmax", "1150", "--spacing", "20000", "--no-title", "--no-colorbar"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat("h_mean_order6.png"); err != nil {
		t.Errorf("default output name: %v", err)
	}
	// --output is an alias of --out.
	if code := run([]string{"render", "--store", dir, "--var", "h_mean", "--output", "alias.png", "--width", "50"}, &stdout, &stderr); code != 0 {
		t.Fatalf("--output: exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat("alias.png"); err != nil {
		t.Errorf("--output: %v", err)
	}
	if !strings.Contains(stdout.String(), "rdbu_r from 1000 to 1150") || !strings.Contains(stdout.String(), "equirectangular") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}

func TestRenderCommandCatalog(t *testing.T) {
	dir := renderTestStore(t)
	tmp := t.TempDir()
	// The store records its own window; a catalog's dates are used only when
	// it records none, so drop the store's project attribute dates first.
	grp := filepath.Join(dir, "6", "zarr.json")
	b, err := os.ReadFile(grp)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte(`"start_date"`), []byte(`"x_start"`))
	b = bytes.ReplaceAll(b, []byte(`"end_date"`), []byte(`"x_end"`))
	if err := os.WriteFile(grp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	region := `{"type": "Polygon", "coordinates": [[[0, -80], [90, -80], [90, -70], [0, -70], [0, -80]]]}`
	if err := os.WriteFile(filepath.Join(tmp, "region.geojson"), []byte(region), 0o644); err != nil {
		t.Fatal(err)
	}
	cat := `{"metadata": {"short_name": "ATL06", "parent_order": 4, "start_date": "2019-03-29", "end_date": "2019-06-28", "polygon": "region.geojson", "total_cells": 0}, "catalog": {}}`
	catPath := filepath.Join(tmp, "catalog.json")
	if err := os.WriteFile(catPath, []byte(cat), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	out := filepath.Join(tmp, "m.png")
	if code := run([]string{"render", "--store", dir, "--var", "h_mean", "--catalog", catPath, "--out", out, "--width", "240"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "title: h_mean · order 6 · 2019-03-29 – 2019-06-28") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	// The outline (near-black) is drawn: compare with --outline none.
	count := func(path string) int {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				if r, g, b, a := img.At(x, y).RGBA(); a == 0xffff && r>>8 == 20 && g>>8 == 20 && b>>8 == 20 {
					n++
				}
			}
		}
		return n
	}
	plain := filepath.Join(tmp, "plain.png")
	if code := run([]string{"render", "--store", dir, "--var", "h_mean", "--catalog", catPath, "--outline", "none", "--out", plain, "--width", "240"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if with, without := count(out), count(plain); with < without+40 {
		t.Errorf("outline pixels: %d with the catalog region, %d without", with, without)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--outline", "catalog"}, "needs --catalog"},
		{[]string{"--catalog", filepath.Join(tmp, "missing.json")}, "--catalog"},
		{[]string{"--catalog", filepath.Join(tmp, "region.geojson")}, "--catalog"},
	} {
		stderr.Reset()
		args := append([]string{"render", "--store", dir, "--var", "h_mean", "--width", "50"}, tt.args...)
		if code := run(args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%q: exit %d, %q", tt.args, code, stderr.String())
		}
	}
}

// TestRenderCommandS3 draws a store held by a loopback S3 server.
func TestRenderCommandS3(t *testing.T) {
	dir := renderTestStore(t)
	srv := s3test.New(t, "maps")
	prefix := s3test.Prefix(t)
	// Copy the folder store into the bucket.
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		srv.Put(t, "maps", prefix+"/run.zarr/"+filepath.ToSlash(rel), b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetEnv(t)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	out := filepath.Join(t.TempDir(), "s3.png")
	var stdout, stderr bytes.Buffer
	code := run([]string{"render", "--store", "s3://maps/" + prefix + "/run.zarr", "--var", "h_mean", "--s3-endpoint", srv.URL,
		"--region", srv.Region, "--out", out, "--width", "200"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "h_mean order 6") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}

func TestRenderCommandErrors(t *testing.T) {
	dir := renderTestStore(t)
	geo := filepath.Join(t.TempDir(), "bad.geojson")
	if err := os.WriteFile(geo, []byte(`{"type": "Point"`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{}, 2, "--store and --var are required"},
		{[]string{"--store", dir}, 2, "required"},
		{[]string{"--store", dir, "--var", "h_mean", "extra"}, 2, "unexpected arguments"},
		{[]string{"--store", dir, "--var", "h_mean", "--projection", "mercator"}, 2, "--projection"},
		{[]string{"--store", dir, "--var", "h_mean", "--colormap", "jet"}, 2, "--colormap"},
		{[]string{"--store", dir, "--var", "h_mean", "--vmin", "1"}, 2, "go together"},
		{[]string{"--store", dir, "--var", "h_mean", "--vmin", "2", "--vmax", "1"}, 2, "above"},
		{[]string{"--store", dir, "--var", "h_mean", "--percentiles", "98,2"}, 2, "--percentiles"},
		{[]string{"--store", dir, "--var", "h_mean", "--extent", "1,2,3"}, 2, "--extent"},
		{[]string{"--store", dir, "--var", "h_mean", "--extent", "3,0,1,1"}, 2, "--extent"},
		{[]string{"--store", dir, "--var", "h_mean", "--outline", geo}, 2, "--outline"},
		{[]string{"--store", dir, "--var", "nope"}, 1, "not found"},
		{[]string{"--store", dir, "--var", "h_mean", "--order", "9"}, 1, "not found"},
		{[]string{"--store", filepath.Join(dir, "missing"), "--var", "h_mean"}, 1, "store"},
		{[]string{"--store", dir, "--var", "h_mean", "--spacing", "1", "--out", filepath.Join(t.TempDir(), "x.png")}, 1, "too large"},
		{[]string{"--store", dir, "--var", "h_mean", "--width", "50", "--out", filepath.Join(dir, "no", "such", "dir", "x.png")}, 1, "render:"},
		{[]string{"--bogus"}, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"render"}, tt.args...), &stdout, &stderr)
		if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("render %q: exit %d, stderr %q; want exit %d with %q", tt.args, code, stderr.String(), tt.code, tt.want)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"render", "-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "usage: go run ./examples/local render") {
		t.Errorf("-h: exit %d, %q", code, stderr.String())
	}
}
