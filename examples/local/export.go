package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/internal/safefile"
	"github.com/zagg-go/zagg/morton"
)

func init() { commands["export"] = runExport }

const exportUsage = `usage: go run ./examples/local export --store DIR|s3://bucket/prefix --order N [flags]

Write the cells with data of one order of a store (optionally of one parent
cell) as CSV or GeoJSON, one row or feature per cell: the NESTED cell id,
the morton id, the cell centre (geodetic latitude, longitude in -180..180),
and every statistic. Empty values (NaN) are empty CSV fields or JSON nulls.
GeoJSON features are the cell outlines (polygons along the true HEALPix
edges, counter-clockwise; longitudes are kept continuous across the
antimeridian, so they may exceed 180) or, with --geometry point, the centres.
In a multi-window store (config output.time) the per-window statistics are
those of one time window (--window, default the last); the trend arrays have
one value per cell.

flags:
`

func runExport(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("export", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, exportUsage)
		fl.PrintDefaults()
	}
	var f runFlags
	fl.StringVar(&f.store, "store", "", "the store: a folder or s3://bucket/prefix")
	fl.StringVar(&f.s3Endpoint, "s3-endpoint", "", "S3-compatible endpoint (default AWS credentials)")
	fl.StringVar(&f.region, "region", "", regionHelp)
	order := fl.Int("order", -1, "the order to export (required)")
	cell := fl.String("cell", "", "only this parent cell (catalog key: legacy morton id at the parent order)")
	format := fl.String("format", "csv", "csv or geojson")
	geometry := fl.String("geometry", "polygon", "GeoJSON geometry: polygon (cell outline) or point (centre)")
	output := fl.String("output", "-", "output file (- for standard output)")
	window := fl.String("window", "-1", windowHelp)
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usage := func(msg string) int {
		fmt.Fprintf(stderr, "export: %s\n", msg)
		return 2
	}
	switch {
	case fl.NArg() > 0:
		return usage(fmt.Sprintf("unexpected arguments %q", fl.Args()))
	case f.store == "":
		return usage("--store is required")
	case *order < 0 || *order > healpix.MaxOrder:
		return usage("--order is required (0-29)")
	case *format != "csv" && *format != "geojson":
		return usage("--format must be csv or geojson")
	case *geometry != "polygon" && *geometry != "point":
		return usage("--geometry must be polygon or point")
	}
	ctx, stop := signalContext()
	defer stop()
	var n int
	export := func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		var err error
		if n, err = doExport(ctx, &f, *order, *cell, *window, *format, *geometry == "polygon", bw, stderr); err != nil {
			return err
		}
		return bw.Flush()
	}
	var err error
	if *output == "-" {
		err = export(stdout)
	} else {
		// A regular file is replaced only once the export succeeded; a
		// device or FIFO is written to, never replaced or removed.
		err = safefile.Write(*output, 0o644, export)
	}
	if err != nil {
		fmt.Fprintf(stderr, "export: %v\n", err)
		return 1
	}
	if *output != "-" {
		fmt.Fprintf(stderr, "export: %d cells of order %d written to %s\n", n, *order, *output)
	}
	return 0
}

// doExport writes the cells with data and returns how many.
func doExport(ctx context.Context, f *runFlags, order int, cellKey, window, format string, polygons bool, w, log io.Writer) (int, error) {
	z, err := openStore(ctx, f.store, f)
	if err != nil {
		return 0, err
	}
	g, err := openOrder(ctx, z, order)
	if err != nil {
		return 0, err
	}
	if name, err := g.selectWindow(ctx, z, order, window); err != nil {
		return 0, err
	} else if name != "" {
		fmt.Fprintf(log, "export: %s\n", name)
	}
	var chunks []int64
	if cellKey != "" && order < g.Grid.ParentOrder {
		return 0, fmt.Errorf("--cell selects a parent cell; order %d is coarser than the parent order %d", order, g.Grid.ParentOrder)
	}
	if cellKey != "" {
		m, err := strconv.ParseInt(cellKey, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("--cell %q is not a legacy morton id", cellKey)
		}
		c, err := morton.FromLegacy(m)
		if err != nil {
			return 0, fmt.Errorf("--cell %q: %w", cellKey, err)
		}
		if c.Order() != g.Grid.ParentOrder {
			return 0, fmt.Errorf("--cell %q has order %d; the store's parent order is %d", cellKey, c.Order(), g.Grid.ParentOrder)
		}
		i, ok, err := g.ChunkOf(ctx, c.Nest())
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, fmt.Errorf("--cell %q: the store holds no such parent cell", cellKey)
		}
		chunks = []int64{i}
	} else if chunks, err = g.Chunks(ctx); err != nil {
		return 0, err
	}
	conv := g.Grid.Latitude.Convention()
	var out cellWriter
	if format == "csv" {
		out = newCSVWriter(w, g.Names)
	} else {
		out = &geojsonWriter{w: w, names: g.Names, order: order, conv: conv, polygons: polygons}
	}
	if err := out.begin(); err != nil {
		return 0, err
	}
	n := 0
	for _, i := range chunks {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		c, err := g.readChunk(ctx, i)
		if err != nil {
			return n, err
		}
		for k, id := range c.ids {
			if !g.hasData(c, k) {
				continue
			}
			lat, lon := centre(order, id, conv)
			m := ""
			if c.morton != nil {
				m = c.morton[k]
			}
			if err := out.cell(id, m, lat, lon, c, k); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, out.end()
}

// cellWriter writes one export format.
type cellWriter interface {
	begin() error
	cell(id uint64, morton string, lat, lon float64, c *chunk, k int) error
	end() error
}

type csvWriter struct {
	w     *csv.Writer
	names []string
	row   []string
}

func newCSVWriter(w io.Writer, names []string) *csvWriter {
	return &csvWriter{w: csv.NewWriter(w), names: names}
}

func (c *csvWriter) begin() error {
	return c.w.Write(append([]string{"cell_id", "morton", "lat", "lon"}, c.names...))
}

func (c *csvWriter) cell(id uint64, m string, lat, lon float64, ch *chunk, k int) error {
	c.row = append(c.row[:0], strconv.FormatUint(id, 10), m,
		strconv.FormatFloat(lat, 'f', 6, 64), strconv.FormatFloat(lon, 'f', 6, 64))
	for _, name := range c.names {
		c.row = append(c.row, csvNum(ch.values[name][k]))
	}
	return c.w.Write(c.row)
}

func (c *csvWriter) end() error {
	c.w.Flush()
	return c.w.Error()
}

// csvNum formats a value with the fewest digits that read back the same
// float32 (statistics are float32), empty for NaN.
func csvNum(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	if float64(float32(v)) == v {
		return strconv.FormatFloat(v, 'g', -1, 32)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

type geojsonWriter struct {
	w        io.Writer
	names    []string
	order    int
	conv     healpix.LatitudeConvention
	polygons bool
	n        int
	buf      [][2]float64
}

func (g *geojsonWriter) begin() error {
	_, err := io.WriteString(g.w, `{"type":"FeatureCollection","features":[`)
	return err
}

func (g *geojsonWriter) cell(id uint64, m string, lat, lon float64, c *chunk, k int) error {
	props := map[string]any{"cell_id": jsonID(id), "morton": m, "lat": round6(lat), "lon": round6(lon), "order": g.order}
	for _, name := range g.names {
		v := c.values[name][k]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			props[name] = nil
		} else {
			props[name] = json.Number(csvNum(v))
		}
	}
	var geom map[string]any
	if g.polygons {
		g.buf = healpix.NestBoundary(g.buf[:0], g.order, id, 4)
		ring := make([][2]float64, 0, len(g.buf)+1)
		for _, p := range g.buf {
			plon := wrapLon(p[1])
			// Keep the outline continuous around the centre's longitude.
			for plon-lon > 180 {
				plon -= 360
			}
			for lon-plon > 180 {
				plon += 360
			}
			ring = append(ring, [2]float64{round6(plon), round6(g.conv.FromSphere(p[0]))})
		}
		ring = append(ring, ring[0])
		geom = map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}
	} else {
		geom = map[string]any{"type": "Point", "coordinates": [2]float64{round6(lon), round6(lat)}}
	}
	b, err := json.Marshal(map[string]any{"type": "Feature", "geometry": geom, "properties": props})
	if err != nil {
		return err
	}
	if g.n > 0 {
		if _, err := io.WriteString(g.w, ",\n"); err != nil {
			return err
		}
	} else if _, err := io.WriteString(g.w, "\n"); err != nil {
		return err
	}
	g.n++
	_, err = g.w.Write(b)
	return err
}

func (g *geojsonWriter) end() error {
	_, err := io.WriteString(g.w, "\n]}\n")
	return err
}

// jsonID writes cell ids as JSON numbers while JavaScript can hold them
// exactly (below 2^53), as strings beyond.
func jsonID(id uint64) any {
	if id < 1<<53 {
		return id
	}
	return strconv.FormatUint(id, 10)
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
