package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/internal/safefile"
	"github.com/zagg-go/zagg/render"
	"github.com/zagg-go/zagg/zarrstore"
	"github.com/zagg-go/zagg/zarrstore/s3store"
)

func init() { commands["render"] = runRender }

const renderUsage = `usage: go run ./examples/local render --store S --var NAME [flags]

Draw one variable of a zagg store as a PNG map. Each pixel shows the cell that
contains its centre: pixel → inverse projection → the store's latitude
convention → HEALPix hash → value, so the map matches the binning exactly.
Cells without a value are transparent.

By default the projection follows the data (EPSG:3031 when all of it lies
south of 50°S, EPSG:3413 north of 50°N, else equirectangular), the extent is
the data's, pixels are 2 km (coarser if the longest side would pass
--max-size, finer for small regions), the colours are viridis between the 2nd
and 98th percentiles (a symmetric cool-warm map for signed data), and the
title shows the variable, order and time window; the colorbar shows the units.
With --catalog, the catalog's region is outlined and its dates fill in the
time window when the store records none.

flags:
`

func runRender(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, renderUsage)
		fs.PrintDefaults()
	}
	var (
		store       = fs.String("store", "", "store location: folder, file:///path or s3://bucket/prefix (required)")
		variable    = fs.String("var", "", "variable (array) to draw, e.g. h_mean (required)")
		order       = fs.Int("order", -1, "HEALPix order group (default: the finest in the store)")
		out         = fs.String("out", "", "output PNG file (default <var>_order<N>.png)")
		projection  = fs.String("projection", "auto", "auto, EPSG:3031 (south), EPSG:3413 (north) or equirectangular")
		spacing     = fs.Float64("spacing", 0, "pixel size in metres (default 2000, adapted to --max-size and small regions)")
		width       = fs.Int("width", 0, "map width in pixels (instead of --spacing)")
		height      = fs.Int("height", 0, "map height in pixels (instead of --spacing)")
		maxSize     = fs.Int("max-size", render.DefaultMaxSize, "longest side of the map in pixels")
		extent      = fs.String("extent", "", "projected extent xmin,ymin,xmax,ymax in metres (default: the data's)")
		colormap    = fs.String("colormap", "auto", "auto, viridis, coolwarm or rdbu; add _r to reverse")
		vmin        = fs.Float64("vmin", math.NaN(), "value at the low end of the colormap (with --vmax)")
		vmax        = fs.Float64("vmax", math.NaN(), "value at the high end of the colormap (with --vmin)")
		percentiles = fs.String("percentiles", "2,98", "robust colour limits as low,high percentiles when --vmin/--vmax are not set")
		title       = fs.String("title", "", "title (default: variable · order · time window)")
		noTitle     = fs.Bool("no-title", false, "draw no title")
		noColorbar  = fs.Bool("no-colorbar", false, "draw no colorbar")
		outline     = fs.String("outline", "auto", "region outline: auto (the --catalog's region, else none), none, antarctica (drainage basins), catalog, or a GeoJSON file")
		catalog     = fs.String("catalog", "", "catalog JSON the store was made from: its region is the default outline and its dates the title's time window when the store records none")
		workers     = fs.Int("workers", 0, "goroutines reading chunks and drawing (default: all CPUs)")
		region      = fs.String("region", "", regionHelp)
		s3Endpoint  = fs.String("s3-endpoint", "", "S3-compatible endpoint URL for s3:// stores")
		timeout     = fs.Duration("timeout", 30*time.Minute, "give up after this long")
		window      = fs.String("window", "-1", windowHelp)
	)
	// Long-form aliases, as other commands spell them.
	fs.StringVar(variable, "variable", "", "alias of --var")
	fs.StringVar(out, "output", "", "alias of --out")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "render: "+format+"\n", a...)
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "render: "+format+"\n", a...)
		return 1
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected arguments %q", fs.Args())
	}
	if *store == "" || *variable == "" {
		return usageErr("--store and --var are required (see -h)")
	}
	opts := render.Options{
		Spacing:    *spacing,
		Width:      *width,
		Height:     *height,
		MaxSize:    *maxSize,
		Title:      *title,
		NoTitle:    *noTitle,
		NoColorbar: *noColorbar,
		Workers:    *workers,
	}
	var err error
	if opts.Projection, err = render.ParseProjection(*projection); err != nil {
		return usageErr("--projection: %v", err)
	}
	if opts.Colormap, err = render.ParseColormap(*colormap); err != nil {
		return usageErr("--colormap: %v", err)
	}
	if *extent != "" {
		v, err := renderFloats(*extent, 4)
		if err != nil {
			return usageErr("--extent: %v", err)
		}
		opts.Extent = render.Extent{MinX: v[0], MinY: v[1], MaxX: v[2], MaxY: v[3]}
		if err := opts.Extent.Validate(); err != nil {
			return usageErr("--extent: %v", err)
		}
	}
	switch {
	case math.IsNaN(*vmin) != math.IsNaN(*vmax):
		return usageErr("--vmin and --vmax go together")
	case !math.IsNaN(*vmin):
		if !(*vmin <= *vmax) {
			return usageErr("--vmin %g is above --vmax %g", *vmin, *vmax)
		}
		opts.Limits = render.Range{Lo: *vmin, Hi: *vmax}
		if opts.Limits.IsZero() {
			return usageErr("--vmin = --vmax = 0 is not a colour range")
		}
	default:
		v, err := renderFloats(*percentiles, 2)
		if err != nil || v[0] < 0 || v[1] > 100 || v[0] > v[1] {
			return usageErr("--percentiles %q: want low,high in 0…100", *percentiles)
		}
		opts.Percentiles = render.Range{Lo: v[0], Hi: v[1]}
	}
	var cat *cmr.Catalog
	if *catalog != "" {
		var err error
		if cat, err = cmr.LoadCatalog(*catalog); err != nil { // bounded read
			return usageErr("--catalog: %v", err)
		}
	}
	switch o := strings.ToLower(*outline); {
	case o == "none", o == "auto" && cat == nil:
	case o == "antarctica":
		opts.Outline = cmr.Antarctica().Polygons
	case o == "auto" || o == "catalog":
		if cat == nil {
			return usageErr("--outline catalog needs --catalog")
		}
		r, err := renderCatalogRegion(cat, *catalog)
		if err != nil {
			return usageErr("--catalog: %v", err)
		}
		opts.Outline = r.Polygons
	default:
		r, err := cmr.LoadRegion(*outline)
		if err != nil {
			return usageErr("--outline: %v", err)
		}
		opts.Outline = r.Polygons
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	start := time.Now()
	z, err := renderOpenStore(ctx, *store, *region, *s3Endpoint)
	if err != nil {
		return fail("%v", err)
	}
	ro := render.ReadOptions{Workers: *workers}
	if *window != "-1" {
		// A date or an index: the window it names (render.ReadOptions takes
		// an index, counted from the end when negative).
		if ro.Window, err = windowIndex(ctx, z, *order, *window); err != nil {
			return fail("%v", err)
		}
	} else {
		ro.Window = -1
	}
	layer, err := render.ReadLayer(ctx, z, *variable, *order, ro)
	if err != nil {
		return fail("%v", err)
	}
	if layer.Len() == 0 {
		return fail("%s at order %d holds no value (no chunk written yet?)", *variable, layer.Order())
	}
	if layer.Time == "" && cat != nil && (cat.Metadata.StartDate != "" || cat.Metadata.EndDate != "") {
		layer.Time = strings.TrimSpace(cat.Metadata.StartDate + " – " + cat.Metadata.EndDate)
	}
	read := time.Since(start)
	m, err := render.Render(layer, opts)
	if err != nil {
		return fail("%v", err)
	}
	drawn := time.Since(start) - read
	path := *out
	if path == "" {
		path = fmt.Sprintf("%s_order%d.png", *variable, layer.Order())
	}
	if err := renderWritePNG(path, m); err != nil {
		return fail("%v", err)
	}
	g := m.Grid
	fmt.Fprintf(stdout, "wrote %s: %d×%d px (map %d×%d, %s, %.0f m pixels)\n",
		path, m.Image.Bounds().Dx(), m.Image.Bounds().Dy(), g.Width, g.Height, g.Projection, g.Spacing)
	fmt.Fprintf(stdout, "%s order %d: %d cells, colours %s from %.6g to %.6g; read %v, drawn %v\n",
		*variable, layer.Order(), layer.Len(), m.Colormap.Name(), m.Limits.Lo, m.Limits.Hi,
		read.Round(time.Millisecond), drawn.Round(time.Millisecond))
	if m.Title != "" {
		fmt.Fprintf(stdout, "title: %s\n", m.Title)
	}
	return 0
}

// renderCatalogRegion returns the region a catalog was built for: its
// --polygon file (looked up as written, then next to the catalog), or the
// default Antarctic basins when it records none.
func renderCatalogRegion(cat *cmr.Catalog, catalogPath string) (cmr.Region, error) {
	p := cat.Metadata.Polygon
	if p == "" {
		return cmr.Antarctica(), nil
	}
	r, err := cmr.LoadRegion(p)
	if err != nil && !filepath.IsAbs(p) {
		if r2, err2 := cmr.LoadRegion(filepath.Join(filepath.Dir(catalogPath), p)); err2 == nil {
			return r2, nil
		}
	}
	return r, err
}

// renderFloats parses n comma-separated numbers.
func renderFloats(s string, n int) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, fmt.Errorf("%q: want %d comma-separated numbers", s, n)
	}
	out := make([]float64, n)
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%q: %q is not a finite number", s, p)
		}
		out[i] = v
	}
	return out, nil
}

// renderOpenStore opens a store; s3:// locations get a client from the
// default AWS credential chain (or an S3-compatible endpoint).
func renderOpenStore(ctx context.Context, loc, region, endpoint string) (*zarrstore.Store, error) {
	if !strings.HasPrefix(loc, "s3://") {
		if _, err := os.Stat(strings.TrimPrefix(loc, "file://")); err != nil {
			return nil, fmt.Errorf("store %s: %w", loc, err)
		}
		return zarrstore.Open(loc)
	}
	cfg, err := awsConfig(ctx, region, endpoint)
	if err != nil {
		return nil, err
	}
	client := s3.NewFromConfig(cfg, s3store.Endpoint(endpoint))
	return zarrstore.Open(loc, s3store.WithClient(client, s3store.Options{}))
}

// renderWritePNG writes the map to path with safefile.Write: a regular
// file is replaced through a temporary file, so a failed write leaves no
// partial PNG; a symbolic link is followed; a device or FIFO is written to.
func renderWritePNG(path string, m *render.Map) error {
	return safefile.Write(path, 0o644, func(f io.Writer) error {
		w := bufio.NewWriter(f)
		enc := png.Encoder{CompressionLevel: png.DefaultCompression}
		if err := enc.Encode(w, m.Image); err != nil {
			return err
		}
		return w.Flush()
	})
}
