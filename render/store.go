package render

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/zarrstore"
)

// DefaultMaxCells bounds the cells ReadLayer holds by default: 2^28 (1 GiB
// of float32), more than every order-12 cell of both polar caps.
const DefaultMaxCells = 1 << 28

// ReadOptions configures ReadLayer. The zero value is valid.
type ReadOptions struct {
	// Workers bounds concurrent chunk reads and decodes (default 8).
	Workers int
	// MaxCells bounds the stored chunks' cells (chunks × chunk length)
	// read into memory (default DefaultMaxCells); a larger variable is an
	// error wrapping ErrTooLarge, found before any chunk is read.
	MaxCells int64
	// Window selects the time window of a per-window ([time, cells])
	// array: 0 is the first; a negative value counts from the end (−1 is
	// the last). It is ignored for arrays without a time dimension.
	Window int
}

// Orders returns the HEALPix orders of the store's order groups (the root's
// sub-groups named by an integer 0…29), ascending.
func Orders(ctx context.Context, s *zarrstore.Store) ([]int, error) {
	orders, err := s.Orders(ctx)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return orders, nil
}

// ReadLayer reads variable (e.g. "h_mean") of the order group order of a
// zagg store (zarrstore.Store.OpenOrder: stores of this zagg and of Python
// zagg 0.1.0) into a Layer; order < 0 means the finest order in the store.
// It reads the group's grid and latitude convention, the array's "units"
// and "long_name" attributes, and the time window from the group's "zagg"
// attribute or the root attributes (keys time_coverage_start/time_coverage_end,
// start_date/end_date, time_start/time_end, or an object "temporal" holding
// start_date and end_date; or else "cycle"). Only stored chunks are read,
// concurrently, each with its cell_ids chunk; elements equal to the array's
// fill value (and NaN) are cells without a value. Metadata that is not a
// zagg HEALPix layout gives an error wrapping ErrNotHEALPix; store errors
// are wrapped as zarrstore returns them.
func ReadLayer(ctx context.Context, s *zarrstore.Store, variable string, order int, opt ReadOptions) (*Layer, error) {
	if variable == "" || strings.ContainsAny(variable, "/\\") {
		return nil, fmt.Errorf("%w: variable name %q", ErrInvalidOptions, variable)
	}
	if order > healpix.MaxOrder {
		return nil, fmt.Errorf("%w: order %d outside 0…%d", ErrInvalidOptions, order, healpix.MaxOrder)
	}
	if order < 0 {
		orders, err := Orders(ctx, s)
		if err != nil {
			return nil, err
		}
		if len(orders) == 0 {
			return nil, fmt.Errorf("%w: the store has no order group", ErrNotHEALPix)
		}
		order = orders[len(orders)-1]
	}
	group := strconv.Itoa(order)
	og, err := s.OpenOrder(ctx, order)
	if errors.Is(err, zarrstore.ErrInvalidMetadata) {
		return nil, fmt.Errorf("%w: group %q: %w", ErrNotHEALPix, group, err)
	}
	if err != nil {
		return nil, fmt.Errorf("render: order group %q: %w", group, err)
	}
	conv := og.Grid.Latitude.Convention() // OpenOrder checked it is one of the two
	path := group + "/" + variable
	a := og.Arrays[variable]
	if a == nil {
		if _, err := s.OpenArray(ctx, path); err != nil {
			return nil, fmt.Errorf("render: variable %q: %w", path, err)
		}
		return nil, fmt.Errorf("render: variable %q: %w", path, zarrstore.ErrNotFound)
	}
	l, err := newLayer(order, conv)
	if err != nil {
		return nil, err
	}
	md := a.Metadata()
	l.Name = variable
	l.Units = stringAttr(md.Attributes, "units")
	l.LongName = stringAttr(md.Attributes, "long_name")
	root, err := s.OpenGroup(ctx, "")
	if err != nil && !errors.Is(err, zarrstore.ErrNotFound) {
		return nil, fmt.Errorf("render: root group: %w", err)
	}
	project, _ := og.Attributes[zarrstore.ProjectAttribute].(map[string]any)
	l.Time = timeWindow(project, root.Attributes, md.Attributes)
	window := int64(-1)
	if a.Rank() == 2 {
		nw := og.Windows()
		window = int64(opt.Window)
		if window < 0 {
			window += nw
		}
		if window < 0 || window >= nw {
			return nil, fmt.Errorf("%w: window %d: %q has %d time windows", ErrInvalidOptions, opt.Window, path, nw)
		}
		ax, err := s.TimeAxis(ctx, order)
		if err != nil {
			return nil, fmt.Errorf("render: time of %q: %w", group, err)
		}
		if ax != nil && int(window) < len(ax.Bounds) {
			b := ax.Bounds[window]
			l.Time = fmt.Sprintf("window %d: %v – %v", window, b[0], b[1])
			if u, _ := ax.Attributes["units"].(string); u == cfUnits {
				l.Time = fmt.Sprintf("window %d: %s – %s", window, cfDate(b[0]), cfDate(b[1]))
			}
		}
	}

	chunks, err := og.Chunks(ctx)
	if err != nil {
		return nil, fmt.Errorf("render: listing chunks of %q: %w", path, err)
	}
	maxCells := opt.MaxCells
	if maxCells <= 0 {
		maxCells = DefaultMaxCells
	}
	if n := int64(len(chunks)) * a.ChunkLen(); n > maxCells || n < 0 {
		return nil, fmt.Errorf("%w: %q has %d stored chunks of %d cells, more than %d cells", ErrTooLarge, path, len(chunks), a.ChunkLen(), maxCells)
	}
	if err := readChunks(ctx, og, a, window, chunks, l, opt.Workers); err != nil {
		return nil, err
	}
	return l, nil
}

// cfDate formats a time coordinate value (CF seconds since 2018-01-01, the
// unit zagg writes) as a UTC date and time.
func cfDate(v float64) string {
	t := cfEpoch.Add(time.Duration(math.Round(v)) * time.Second)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04")
}

var cfEpoch = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)

// cfUnits is the units attribute of the time coordinate zagg writes
// (pipeline/timewin.CFUnits; render does not import the pipeline).
const cfUnits = "seconds since 2018-01-01 00:00:00"

// readChunks reads and decodes the chunks with a pool of workers and stores
// their values in l (from this goroutine only).
func readChunks(ctx context.Context, og *zarrstore.OrderGroup, a *zarrstore.Array, window int64, chunks []int64, l *Layer, workers int) error {
	if workers <= 0 {
		workers = 8
	}
	type result struct {
		i    int64
		ids  []uint64
		vals []float32
		err  error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int64)
	results := make(chan result)
	var wg sync.WaitGroup
	for range min(workers, max(len(chunks), 1)) {
		wg.Go(func() {
			for i := range jobs {
				ids, err := og.ReadCellIDs(ctx, i)
				var vals []float32
				if err == nil {
					var v64 []float64
					if window >= 0 {
						v64, err = a.ReadWindowFloat64(ctx, window, i)
					} else {
						v64, err = a.ReadChunkFloat64(ctx, i)
					}
					if err == nil {
						vals = make([]float32, len(v64))
						for k, v := range v64 {
							vals[k] = float32(v)
						}
					}
				}
				if err != nil {
					err = fmt.Errorf("render: chunk %d of %q: %w", i, a.Path(), err)
				}
				select {
				case results <- result{i, ids, vals, err}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		defer close(jobs)
		for _, i := range chunks {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	var firstErr error
	for r := range results {
		if firstErr != nil {
			continue
		}
		if r.err != nil {
			firstErr = r.err
			cancel()
			continue
		}
		l.setCells(r.ids, r.vals[:min(len(r.vals), len(r.ids))])
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

func stringAttr(attrs map[string]any, key string) string {
	s, _ := attrs[key].(string)
	return strings.TrimSpace(s)
}

// timeWindow finds a time window in the first attribute map that has one.
func timeWindow(maps ...map[string]any) string {
	for _, m := range maps {
		if m == nil {
			continue
		}
		for _, keys := range [][2]string{
			{"time_coverage_start", "time_coverage_end"},
			{"start_date", "end_date"},
			{"time_start", "time_end"},
		} {
			if a, b := stringAttr(m, keys[0]), stringAttr(m, keys[1]); a != "" || b != "" {
				return joinWindow(a, b)
			}
		}
		if t, ok := m["temporal"].(map[string]any); ok {
			if a, b := stringAttr(t, "start_date"), stringAttr(t, "end_date"); a != "" || b != "" {
				return joinWindow(a, b)
			}
		}
		switch c := m["cycle"].(type) {
		case float64:
			return "cycle " + strconv.FormatFloat(c, 'f', -1, 64)
		case string:
			if c != "" {
				return "cycle " + c
			}
		case fmt.Stringer:
			return "cycle " + c.String()
		}
	}
	return ""
}

func joinWindow(a, b string) string {
	a, b = shortDate(a), shortDate(b)
	switch {
	case a == "":
		return "until " + b
	case b == "":
		return "from " + a
	}
	return a + " – " + b
}

// shortDate drops a midnight time of day from an RFC 3339 timestamp.
func shortDate(s string) string {
	for _, suffix := range []string{"T00:00:00Z", "T00:00:00", "T00:00:00.000Z", " 00:00:00"} {
		if d, ok := strings.CutSuffix(s, suffix); ok {
			return d
		}
	}
	return s
}
