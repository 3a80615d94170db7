package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/zagg-go/zagg/internal/humanize"
)

func init() { commands["report"] = cmdReport }

// cmdReport prints the table of run.sh from the JSON files of one run:
// result-today-local.json (every cell), and optionally
// result-today-sample.json (the sampled cells, one cell at a time),
// py061.json and py010.json (Python zagg on the same sampled cells),
// py061-all.json and py010-all.json (Python zagg on every cell, if run) and
// result-today-http.json and result-today-http0.json (the sampled cells
// through the loopback server, with and without the added latency).
func cmdReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dir := fs.String("dir", filepath.Join(os.TempDir(), "zagg-cycle"), "benchmark folder holding the result files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return report(os.Stdout, *dir)
}

func loadJSON(path string, v any) (bool, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

func report(w io.Writer, dir string) error {
	var all measurement
	ok, err := loadJSON(filepath.Join(dir, "result-today-local.json"), &all)
	if err != nil {
		return err
	}
	if !ok || all.Floor == nil {
		return fmt.Errorf("no result-today-local.json with floors in %s (run `run` first)", dir)
	}
	t, f := all.Totals, all.Floor
	gb := func(n int64) string { return humanize.Bytes(n) }
	fmt.Fprintf(w, "\n## Whole simulated run: %d granules, %d parent cells (order 6), %d (cell, granule) reads, %d points\n\n",
		all.Granules, t.Cells, t.GranuleReads, t.Points)
	fmt.Fprintf(w, "| measure | today's design | one-pass floor | per-cell floor | today / one-pass | today / per-cell |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|\n")
	fmt.Fprintf(w, "| CPU (s) | %.1f | %.2f (lat/lon decode) | – | %.0f× | – |\n", all.CPUS, f.OnePassCPUS, ratio(all.CPUS, f.OnePassCPUS))
	fmt.Fprintf(w, "| wall (s), %d cells × %d granules at once | %.1f | – | – | – | – |\n", all.Workers, all.GranuleWorkers, all.WallS)
	fmt.Fprintf(w, "| coordinate bytes decoded (stored) | %s | %s | %s | %.1f× | %.1f× |\n", gb(f.DesignCoordStored), gb(f.OnePassStored), gb(f.PerCellStored),
		ratio(float64(f.DesignCoordStored), float64(f.OnePassStored)), ratio(float64(f.DesignCoordStored), float64(f.PerCellStored)))
	fmt.Fprintf(w, "| all bytes decoded or parsed (stored) | %s | – | – | %.1f× | %.1f× |\n", gb(t.BytesUsed),
		ratio(float64(t.BytesUsed), float64(f.OnePassStored)), ratio(float64(t.BytesUsed), float64(f.PerCellStored)))
	fmt.Fprintf(w, "| bytes fetched | %s | – | – | – | – |\n", gb(t.BytesFetched))
	fmt.Fprintf(w, "| requests (reads issued) | %d (%.1f per (cell, granule)) | – | – | – | – |\n", t.Requests, ratio(float64(t.Requests), float64(t.GranuleReads)))
	fmt.Fprintf(w, "\nFloors: %d coordinate chunks (lat + lon), %s stored, %s inflated; %d (chunk pair, cell) pairs, %.2f cells per chunk pair; per-cell floor = %.2f× one-pass.\n",
		f.Chunks, gb(f.OnePassStored), gb(f.OnePassRaw), f.ChunkCellPairs, ratio(float64(f.ChunkCellPairs), float64(f.Chunks/2)), ratio(float64(f.PerCellStored), float64(f.OnePassStored)))

	var sample measurement
	haveSample, err := loadJSON(filepath.Join(dir, "result-today-sample.json"), &sample)
	if err != nil {
		return err
	}
	if haveSample {
		st := sample.Totals
		scale := 0.0
		if sample.Floor != nil {
			scale = ratio(float64(f.DesignCoordStored), float64(sample.Floor.DesignCoordStored))
		}
		fmt.Fprintf(w, "\n## Sampled cells, one cell at a time: %d cells, %d (cell, granule) reads\n\n", st.Cells, st.GranuleReads)
		// Two estimates of a whole run from the sample: scaled by the
		// coordinate bytes every design that reads whole coordinates per
		// cell must decode, and by our own whole-run / sample CPU.
		byCPU := ratio(all.CPUS, sample.CPUS)
		fmt.Fprintf(w, "| implementation | CPU (s) | wall (s) | CPU per cell (s) | wall per cell (s) | CPU / ours | wall / ours | whole run CPU (s) |\n")
		fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|\n")
		n := float64(max(st.Cells, 1))
		fmt.Fprintf(w, "| zagg-go (today's design) | %.2f | %.2f | %.3f | %.3f | 1 | 1 | %.1f (measured) |\n", sample.CPUS, sample.WallS, sample.CPUS/n, st.CellWallS/n, all.CPUS)
		for _, name := range []string{"py061.json", "py010.json"} {
			var py pyResult
			ok, err := loadJSON(filepath.Join(dir, name), &py)
			if err != nil {
				return err
			}
			if !ok {
				fmt.Fprintf(w, "| Python zagg (%s) | not run | | | | | | |\n", name)
				continue
			}
			same := len(py.Cells) == st.Cells
			for i, c := range py.Cells {
				if i < len(sample.Cells) && fmt.Sprint(sample.Cells[i].ParentMorton) != c.Key {
					same = false
				}
			}
			note := ""
			if !same {
				note = " (DIFFERENT CELLS)"
			}
			pn := float64(max(len(py.Cells), 1))
			whole := fmt.Sprintf("est. %.0f–%.0f (× %.0f coordinate bytes, × %.0f our CPU)", min(py.CPUS*scale, py.CPUS*byCPU), max(py.CPUS*scale, py.CPUS*byCPU), scale, byCPU)
			var full pyResult
			if ok, err := loadJSON(filepath.Join(dir, strings.TrimSuffix(name, ".json")+"-all.json"), &full); err != nil {
				return err
			} else if ok && len(full.Cells) == t.Cells {
				whole = fmt.Sprintf("**%.0f measured** (%.1f× ours; wall %.0f s one cell at a time)", full.CPUS, ratio(full.CPUS, all.CPUS), full.WallS)
			}
			lib := "h5coro " + py.Versions["h5coro"]
			if v := py.Versions["h5coro-hidefix"]; v != "" {
				lib += ", h5coro-hidefix " + v
			}
			fmt.Fprintf(w, "| Python zagg %s (Python %s, %s)%s | %.1f | %.1f | %.2f | %.2f | %.1f× | %.1f× | %s |\n",
				py.Zagg, py.Python, lib, note, py.CPUS, py.WallS, py.CPUS/pn, py.WallS/pn,
				ratio(py.CPUS, sample.CPUS), ratio(py.WallS, sample.WallS), whole)
		}
	}

	var h measurement
	haveHTTP, err := loadJSON(filepath.Join(dir, "result-today-http.json"), &h)
	if err != nil {
		return err
	}
	if haveHTTP {
		ht := h.Totals
		n := float64(max(ht.Cells, 1))
		gpc := ratio(float64(ht.GranuleReads), n)
		rtt := h.LatencyMS / 1000
		bound := ht.DecodeS/n + 4*rtt*gpc/float64(max(h.GranuleWorkers, 1))
		fmt.Fprintf(w, "\n## Loopback HTTP, +%.0f ms per request (sampled cells, one cell at a time, %d granules at once)\n\n", h.LatencyMS, h.GranuleWorkers)
		fmt.Fprintf(w, "| cells | granules per cell | requests per granule | wall per cell (s) | decode per cell (s) | target: decode + 4 round trips × granules / parallelism (s) | wall / target |\n")
		fmt.Fprintf(w, "|---|---|---|---|---|---|---|\n")
		fmt.Fprintf(w, "| %d | %.1f | %.1f | %.3f | %.3f | %.3f | %.1f× |\n", ht.Cells, gpc, ratio(float64(ht.Requests), float64(ht.GranuleReads)),
			ht.CellWallS/n, ht.DecodeS/n, bound, ratio(ht.CellWallS/n, bound))
		if haveSample {
			fmt.Fprintf(w, "\nSame cells from local files: wall per cell %.3f s.\n", sample.Totals.CellWallS/float64(max(sample.Totals.Cells, 1)))
		}
		// Without the delay: the slope gives the round trips a cell waits
		// for one after another.
		var h0 measurement
		if ok, err := loadJSON(filepath.Join(dir, "result-today-http0.json"), &h0); err != nil {
			return err
		} else if ok && h0.Totals.Cells == ht.Cells && rtt > 0 {
			w0 := h0.Totals.CellWallS / n
			seq := (ht.CellWallS/n - w0) / rtt
			fmt.Fprintf(w, "Same server without the delay: wall per cell %.3f s; so a cell waits for %.1f round trips one after another (%.1f per granule read, of %.1f requests).\n",
				w0, seq, seq/gpc, ratio(float64(ht.Requests), float64(ht.GranuleReads)))
		}
	}
	return nil
}
