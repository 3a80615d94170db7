package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/zagg-go/zagg/zarrstore"
)

func init() { commands["info"] = runInfo }

const infoUsage = `usage: go run ./examples/local info --store DIR|s3://bucket/prefix [flags]

Summarise a zagg store: its orders, latitude convention and parent order, and
for every order the arrays (dtype, codecs, chunk length, fill value), the
chunks written, the cells with data and each statistic's range. The ranges
read every chunk written; --no-values skips them. A multi-window store also
lists its time windows; the ranges of per-window statistics are over all
windows.

flags:
`

func runInfo(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("info", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, infoUsage)
		fl.PrintDefaults()
	}
	var f runFlags
	fl.StringVar(&f.store, "store", "", "the store: a folder or s3://bucket/prefix")
	fl.StringVar(&f.s3Endpoint, "s3-endpoint", "", "S3-compatible endpoint (default AWS credentials)")
	fl.StringVar(&f.region, "region", "", regionHelp)
	noValues := fl.Bool("no-values", false, "do not read chunks (no cell counts or value ranges)")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if f.store == "" || fl.NArg() > 0 {
		fmt.Fprintln(stderr, "info: --store is required (and takes no other arguments)")
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	if err := doInfo(ctx, &f, !*noValues, stdout); err != nil {
		fmt.Fprintf(stderr, "info: %v\n", err)
		return 1
	}
	return 0
}

// arrayStats accumulates an array's range over the cells with data.
type arrayStats struct {
	min, max float64
	n, nan   int64
}

func (s *arrayStats) add(v float64) {
	if math.IsNaN(v) {
		s.nan++
		return
	}
	if s.n == 0 || v < s.min {
		s.min = v
	}
	if s.n == 0 || v > s.max {
		s.max = v
	}
	s.n++
}

func doInfo(ctx context.Context, f *runFlags, values bool, w io.Writer) error {
	z, err := openStore(ctx, f.store, f)
	if err != nil {
		return err
	}
	orders, err := listOrders(ctx, z)
	if err != nil {
		return err
	}
	root, err := z.OpenGroup(ctx, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Store: %s\n", f.store)
	fmt.Fprintf(w, "Consolidated metadata: %v\n", root.Consolidated != nil)
	fmt.Fprintf(w, "Orders: %v\n", orders)
	for _, o := range orders {
		g, err := openOrder(ctx, z, o)
		if err != nil {
			return err
		}
		kind := fmt.Sprintf("chunk i = the children of parent cell i (parent order %d)", g.Grid.ParentOrder)
		if g.Grid.Coarse() {
			kind = "the cells with data, merged from the parent cells"
		}
		fmt.Fprintf(w, "\nOrder %d: %d cells (%s), latitude %s\n",
			o, g.CellIDs.Len(), kind, g.Grid.Latitude)
		if g.Legacy {
			fmt.Fprintf(w, "  written by Python zagg 0.1.0 (no zagg attributes; cells assumed geodetic)\n")
		}
		chunks, err := g.Chunks(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  chunks written: %d of %d (%d cells each)\n", len(chunks), g.CellIDs.NumChunks(), g.CellIDs.ChunkLen())
		nw := g.Windows()
		if nw > 0 {
			ax, err := z.TimeAxis(ctx, o)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "  time windows: %d (statistics are [time, cells]; time in %v)\n", nw, ax.Attributes["units"])
			for k := range int(nw) {
				if k == 6 && nw > 12 {
					fmt.Fprintf(w, "    … %d more …\n", int(nw)-12)
					k = int(nw) - 6
				}
				if k >= 6 && k < int(nw)-6 && nw > 12 {
					continue
				}
				fmt.Fprintf(w, "    %s\n", windowName(ax, k))
			}
		}
		stats := map[string]*arrayStats{}
		var withData int64
		if values {
			for _, name := range g.Names {
				stats[name] = &arrayStats{}
			}
			for _, i := range chunks {
				var has []bool // cells with data in any window
				for k := range max(nw, 1) {
					g.window = k
					c, err := g.readChunk(ctx, i)
					if err != nil {
						return err
					}
					if has == nil {
						has = make([]bool, len(c.ids))
					}
					for j := range c.ids {
						if !g.hasData(c, j) {
							continue
						}
						has[j] = true
						for _, name := range g.Names {
							if k == 0 || g.PerWindow(name) {
								stats[name].add(c.values[name][j])
							}
						}
					}
				}
				for _, h := range has {
					if h {
						withData++
					}
				}
			}
			fmt.Fprintf(w, "  cells with data: %d\n", withData)
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  array\tdtype\tcodecs\tchunk\tfill\tmin\tmax\tNaN cells")
		all := append([]string{zarrstore.CellIDsArray, zarrstore.MortonArray}, g.Names...)
		for _, name := range all {
			a := g.array(name)
			if a == nil {
				continue
			}
			m := a.Metadata()
			var codecs []string
			for _, c := range m.Codecs {
				codecs = append(codecs, c.Name)
			}
			lo, hi, nan := "", "", ""
			if s := stats[name]; s != nil && s.n > 0 {
				lo, hi = fmtNum(s.min), fmtNum(s.max)
			}
			if s := stats[name]; s != nil {
				nan = fmt.Sprint(s.nan)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", name, m.DataType, strings.Join(codecs, "+"),
				a.ChunkLen(), string(m.FillValue), lo, hi, nan)
		}
		tw.Flush()
	}
	return nil
}

// fmtNum prints a value compactly (float32 statistics keep ~7 digits).
func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.7g", v)
}
