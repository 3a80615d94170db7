package zarrstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/zagg-go/zagg/internal/retry"
)

// Compressor names the bytes→bytes compression of a [Codecs] choice.
type Compressor string

// Compressors.
const (
	Zstd Compressor = "zstd" // the default
	Gzip Compressor = "gzip"
	None Compressor = "none"
)

// Codecs is the codec choice for an array: bytes (little endian), then the
// compressor, then optionally crc32c; or, with ShardInner > 0, a
// sharding_indexed codec whose inner chunks use that chain. The zero value
// is bytes + zstd level 3.
type Codecs struct {
	// Compressor is Zstd (default when empty), Gzip or None.
	Compressor Compressor
	// Level is the compression level; 0 means the default (DefaultZstdLevel,
	// DefaultGzipLevel). zstd accepts -131072…22 (the encoder maps it to its
	// four speed classes), gzip 1…9.
	Level int
	// Checksum appends a crc32c codec.
	Checksum bool
	// ShardInner, when > 0, stores each chunk as a shard of inner chunks of
	// this many elements; it must divide the chunk length. Inner chunks
	// that hold only the fill value are not stored. Chunks no longer than
	// ShardInner (coarse orders) are stored unsharded.
	ShardInner int64
}

// The compression levels of a Codecs whose Level is 0.
const (
	DefaultZstdLevel = 3
	DefaultGzipLevel = 5
)

// Resolved returns c with the default level of its compressor filled in
// (what List writes), so a recorded choice states its level.
func (c Codecs) Resolved() Codecs {
	if c.Level == 0 {
		switch c.Compressor {
		case "", Zstd:
			c.Compressor, c.Level = Zstd, DefaultZstdLevel
		case Gzip:
			c.Level = DefaultGzipLevel
		}
	}
	return c
}

// Name returns the short name of the choice as configs spell it: "zstd",
// "gzip", "none", or "crc32c" for no compressor with a checksum; a
// compressor with a checksum is "zstd+crc32c" or "gzip+crc32c".
func (c Codecs) Name() string {
	name := string(c.Compressor)
	if name == "" {
		name = string(Zstd)
	}
	if c.Checksum {
		if name == string(None) {
			return "crc32c"
		}
		return name + "+crc32c"
	}
	return name
}

// ParseCodecs parses a configuration string: "zstd", "gzip", "none",
// "crc32c" (bytes + crc32c), or a compressor followed by "+crc32c", e.g.
// "zstd+crc32c". An optional ":level" follows the compressor ("zstd:5").
func ParseCodecs(s string) (Codecs, error) {
	var c Codecs
	s = strings.TrimSpace(s)
	if s == "" {
		return c, nil
	}
	parts := strings.Split(s, "+")
	if last := parts[len(parts)-1]; last == "crc32c" {
		c.Checksum = true
		parts = parts[:len(parts)-1]
		if len(parts) == 0 {
			c.Compressor = None
			return c, nil
		}
	}
	if len(parts) != 1 {
		return c, fmt.Errorf("%w: codecs %q (want zstd, gzip, none or crc32c, optionally +crc32c)", ErrInvalidLayout, s)
	}
	name, level, hasLevel := strings.Cut(parts[0], ":")
	c.Compressor = Compressor(name)
	if hasLevel {
		l, err := strconv.Atoi(level)
		if err != nil {
			return c, fmt.Errorf("%w: codecs %q: level %q", ErrInvalidLayout, s, level)
		}
		c.Level = l
	}
	return c, c.Validate()
}

// Validate checks the choice: a known compressor, a level in its range (0
// is the default), no level without a compressor, a non-negative
// ShardInner. Errors wrap ErrInvalidLayout.
func (c Codecs) Validate() error {
	switch c.Compressor {
	case "", Zstd:
		if c.Level < -131072 || c.Level > 22 {
			return fmt.Errorf("%w: zstd level %d outside -131072…22", ErrInvalidLayout, c.Level)
		}
	case Gzip:
		if c.Level < 0 || c.Level > 9 {
			return fmt.Errorf("%w: gzip level %d outside 0…9", ErrInvalidLayout, c.Level)
		}
	case None:
		if c.Level != 0 {
			return fmt.Errorf("%w: level %d without a compressor", ErrInvalidLayout, c.Level)
		}
	default:
		return fmt.Errorf("%w: compressor %q (want zstd, gzip or none)", ErrInvalidLayout, c.Compressor)
	}
	if c.ShardInner < 0 {
		return fmt.Errorf("%w: negative shard inner chunk %d", ErrInvalidLayout, c.ShardInner)
	}
	return nil
}

// ListShape returns the codec list for chunks of the given shape (one
// extent per dimension). With ShardInner the shard is split along the last
// dimension only: a [1, 4096] chunk with ShardInner 256 gets inner chunks
// of [1, 256].
func (c Codecs) ListShape(chunk []int64) ([]Codec, error) {
	if len(chunk) == 0 {
		return nil, fmt.Errorf("%w: empty chunk shape", ErrInvalidLayout)
	}
	last := chunk[len(chunk)-1]
	list, err := Codecs{Compressor: c.Compressor, Level: c.Level, Checksum: c.Checksum}.List(last)
	if err != nil {
		return nil, err
	}
	if c.ShardInner > 0 && c.ShardInner < last {
		if last%c.ShardInner != 0 {
			return nil, fmt.Errorf("%w: shard inner chunk %d does not divide the chunk of %d", ErrInvalidLayout, c.ShardInner, last)
		}
		// Inner chunks of one row along the leading dimensions (one time
		// window), ShardInner long along the last.
		inner := make([]int64, len(chunk))
		for i := range inner {
			inner[i] = 1
		}
		inner[len(inner)-1] = c.ShardInner
		return []Codec{ShardingCodecShape(inner, list)}, nil
	}
	return list, nil
}

// List returns the codec list for chunks of chunkLen elements.
func (c Codecs) List(chunkLen int64) ([]Codec, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	list := []Codec{BytesCodec()}
	switch c.Compressor {
	case "", Zstd:
		list = append(list, ZstdCodec(c.Resolved().Level))
	case Gzip:
		list = append(list, GzipCodec(c.Resolved().Level))
	}
	if c.Checksum {
		list = append(list, CRC32CCodec())
	}
	if c.ShardInner > 0 && c.ShardInner < chunkLen {
		if chunkLen%c.ShardInner != 0 {
			return nil, fmt.Errorf("%w: shard inner chunk %d does not divide the chunk of %d", ErrInvalidLayout, c.ShardInner, chunkLen)
		}
		return []Codec{ShardingCodec(c.ShardInner, list)}, nil
	}
	return list, nil
}

// Variable is one statistic array written in every order group.
type Variable struct {
	// Name is the array name: letters, digits, "-", "_", "."; not only dots,
	// not starting with "__", not cell_ids or morton.
	Name string
	// DataType is the stored type.
	DataType DataType
	// Fill is the fill value, as accepted by [FillValue]; nil means NaN for
	// floats and 0 for integers.
	Fill any
	// Codecs overrides Layout.Codecs when non-nil.
	Codecs *Codecs
	// Attributes are extra array attributes (e.g. units, long_name).
	// "coordinates": "cell_ids" is added so that xarray shows cell_ids as a
	// coordinate.
	Attributes map[string]any
	// PerWindow makes the array 2-D, [time, cells], with one chunk per
	// TimeAxis.Chunk windows and parent ([Chunk, ChunkLen], by default
	// [1, ChunkLen]); it needs Layout.Time. Otherwise the array is 1-D,
	// [cells] (e.g. a trend over all windows).
	PerWindow bool
}

// TimeAxis is the time coordinate of a store with per-window arrays: one
// entry per window, in the order of the time dimension.
type TimeAxis struct {
	// Mid are the time values (e.g. CF seconds since 2018-01-01), one per
	// window, finite and strictly increasing.
	Mid []float64
	// Bounds are the [start, end) of each window, finite with start < end,
	// as many as Mid.
	Bounds [][2]float64
	// Attributes are the attributes of the "time" array (units, calendar,
	// standard_name, axis, …); "bounds": "time_bnds" is added when absent.
	Attributes map[string]any
	// BoundsAttributes are the attributes of the "time_bnds" array.
	BoundsAttributes map[string]any
	// Chunk is the number of windows in one chunk of a per-window array
	// (its chunk shape along time); 0 means 1. A larger Chunk writes Chunk×
	// fewer objects, but a window added later rewrites the last,
	// partly filled chunk of the windows before it.
	Chunk int
}

// WindowsPerChunk returns the number of windows in one chunk of a
// per-window array (Chunk, at least 1).
func (t *TimeAxis) WindowsPerChunk() int64 { return int64(max(1, t.Chunk)) }

// Names of the time coordinate arrays and dimensions of a store with
// per-window arrays.
const (
	// TimeArray is the time coordinate, float64 [time].
	TimeArray = "time"
	// TimeBoundsArray holds the window bounds, float64 [time, nv].
	TimeBoundsArray = "time_bnds"
	// TimeDimension is the leading dimension of per-window arrays.
	TimeDimension = "time"
	// BoundsDimension is the second dimension of time_bnds (2: start, end).
	BoundsDimension = "nv"
)

// TimeChunkLen is the chunk length along time of the time and time_bnds
// arrays ([TimeChunkLen] and [TimeChunkLen, 2]): a store of up to 1024
// windows keeps each coordinate in one chunk, which Setup rewrites when
// windows are added.
const TimeChunkLen = 1024

// maxWindows bounds the time axis Setup writes and TimeAxis reads.
const maxWindows = 1 << 20

// Validate checks the axis: at most 2^20 windows, as many bounds as
// values, finite values, Mid strictly increasing, every start before its
// end.
func (t *TimeAxis) Validate() error {
	if len(t.Mid) > maxWindows {
		return fmt.Errorf("%w: %d windows (at most %d)", ErrInvalidLayout, len(t.Mid), maxWindows)
	}
	if len(t.Bounds) != len(t.Mid) {
		return fmt.Errorf("%w: time axis has %d values and %d bounds", ErrInvalidLayout, len(t.Mid), len(t.Bounds))
	}
	if t.Chunk < 0 || t.Chunk > maxWindows {
		return fmt.Errorf("%w: %d windows per chunk (want 1…%d)", ErrInvalidLayout, t.Chunk, maxWindows)
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	for i, m := range t.Mid {
		b := t.Bounds[i]
		if !finite(m) || !finite(b[0]) || !finite(b[1]) || b[0] >= b[1] {
			return fmt.Errorf("%w: window %d: time %v, bounds %v (want finite values, start < end)", ErrInvalidLayout, i, m, b)
		}
		if i > 0 && m <= t.Mid[i-1] {
			return fmt.Errorf("%w: window %d: time %v not after window %d's %v", ErrInvalidLayout, i, m, i-1, t.Mid[i-1])
		}
	}
	return nil
}

// timeAttributes returns the attributes of the time array.
func (t *TimeAxis) timeAttributes() map[string]any {
	a := map[string]any{}
	for k, v := range t.Attributes {
		a[k] = v
	}
	if _, ok := a["bounds"]; !ok {
		a["bounds"] = TimeBoundsArray
	}
	return a
}

// Layout describes a whole zagg store: one group per order, each with
// cell_ids, morton and one array per statistic, sized by the parent cells
// written (see [Grid]).
type Layout struct {
	// ParentOrder is the HEALPix order of the parent cells (one chunk each).
	ParentOrder int
	// Orders lists the order groups to create.
	Orders []int
	// Latitude is the latitude convention (LatitudeAuthalic when empty).
	Latitude Latitude
	// MortonType is Int64 (the legacy decimal form zagg 0.1.0 stores; the
	// default, orders ≤ 18 only) or Uint64 (the packed word).
	MortonType DataType
	// Variables are the statistics.
	Variables []Variable
	// Codecs is the codec choice for every array (default bytes + zstd).
	Codecs Codecs
	// Parents are the parent cells (NESTED ids at ParentOrder) a run
	// writes. Setup appends those the store does not hold yet to its parent
	// list, in the order given; chunk i of every order at or finer than the
	// parent order belongs to the i-th parent of that list.
	Parents []uint64
	// Attributes are root group attributes, laid over those of an existing
	// store (after MergeAttributes, when set).
	Attributes map[string]any
	// MergeAttributes, when set, computes the root attributes from those
	// of an existing store (nil for a new one) before Attributes are laid
	// over them; use it for attributes that accumulate across runs.
	MergeAttributes func(old map[string]any) map[string]any
	// Project holds extra entries of each order group's "zagg" attribute
	// (e.g. the child order); parent_order and latitude are set from the
	// layout.
	Project map[string]any
	// Time, when set, gives every Variable with PerWindow a leading time
	// dimension and each order group the coordinate arrays "time" and
	// "time_bnds". Setup appends the windows an existing store does not
	// hold yet; the store's windows must be a prefix of Time.
	Time *TimeAxis
}

// The root attribute "zagg" holds these keys, set by Setup: the layout
// name and version, the parent order, the latitude convention, the parent
// list and, for a store with a time dimension, "windows": the number of
// windows committed.
const (
	LayoutName    = "dense"
	LayoutVersion = 1
)

// validName checks a node name against the Zarr v3 rules (restricted to the
// portable character set).
func validName(n string) bool {
	if n == "" || strings.Trim(n, ".") == "" || strings.HasPrefix(n, "__") || n == MetadataKey {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func (l Layout) withDefaults() Layout {
	if l.Latitude == "" {
		l.Latitude = LatitudeAuthalic
	}
	if l.MortonType == "" {
		l.MortonType = Int64
	}
	return l
}

// Nodes returns every node's metadata document that Setup writes for a
// new store holding exactly l.Parents, keyed by path ("" for the root). It
// validates the layout.
func (l Layout) Nodes() (map[string][]byte, error) {
	l = l.withDefaults()
	parents, err := mergeParents(nil, l.Parents, l.ParentOrder)
	if err != nil {
		return nil, err
	}
	nodes, err := l.nodes(len(parents))
	if err != nil {
		return nil, err
	}
	root, err := json.Marshal(GroupMetadata{Attributes: l.rootAttributes(nil, parents)})
	if err != nil {
		return nil, fmt.Errorf("%w: root attributes: %v", ErrInvalidLayout, err)
	}
	nodes[""] = root
	return nodes, nil
}

// rootAttributes returns the root attributes for a store holding parents,
// given those of the existing store (nil for a new one).
func (l Layout) rootAttributes(old map[string]any, parents []uint64) map[string]any {
	attrs := map[string]any{}
	if l.MergeAttributes != nil {
		attrs = l.MergeAttributes(old)
		if attrs == nil {
			attrs = map[string]any{}
		}
	} else {
		for k, v := range old {
			attrs[k] = v
		}
	}
	for k, v := range l.Attributes {
		attrs[k] = v
	}
	project := map[string]any{}
	if p, ok := attrs[ProjectAttribute].(map[string]any); ok {
		for k, v := range p {
			project[k] = v
		}
	}
	for k, v := range l.Project {
		project[k] = v
	}
	project["layout"] = LayoutName
	project["layout_version"] = LayoutVersion
	project["parent_order"] = l.ParentOrder
	project["latitude"] = string(l.Latitude)
	ps := make([]any, len(parents))
	for i, p := range parents {
		ps[i] = p
	}
	project["parents"] = ps
	delete(project, windowsKey)
	if l.Time != nil {
		project[windowsKey] = len(l.Time.Mid)
	}
	attrs[ProjectAttribute] = project
	return attrs
}

// windowsKey is the root "zagg" attribute with the number of committed
// windows of a store with a time dimension.
const windowsKey = "windows"

// mergeParents appends to old the parents of add it does not hold, after
// checking each is a cell of the parent order.
func mergeParents(old, add []uint64, parentOrder int) ([]uint64, error) {
	if parentOrder < 0 || parentOrder > MaxOrder {
		return nil, fmt.Errorf("%w: parent order %d outside 0…%d", ErrInvalidLayout, parentOrder, MaxOrder)
	}
	n := Grid{Order: parentOrder}.NumCells()
	seen := make(map[uint64]bool, len(old)+len(add))
	out := slices.Clone(old)
	for _, p := range old {
		seen[p] = true
	}
	for _, p := range add {
		if p >= n {
			return nil, fmt.Errorf("%w: parent cell %d is not a cell of order %d", ErrInvalidLayout, p, parentOrder)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// nodes returns the metadata of every group and array (not the root) of a
// store holding nParents parent cells.
func (l Layout) nodes(nParents int) (map[string][]byte, error) {
	if l.MortonType != Int64 && l.MortonType != Uint64 {
		return nil, fmt.Errorf("%w: morton type %q (want int64 or uint64)", ErrInvalidLayout, l.MortonType)
	}
	if len(l.Orders) == 0 {
		return nil, fmt.Errorf("%w: no orders", ErrInvalidLayout)
	}
	nodes := map[string][]byte{}
	put := func(path string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalidLayout, path, err)
		}
		nodes[path] = b
		return nil
	}
	seen := map[string]bool{}
	for _, v := range l.Variables {
		reserved := v.Name == CellIDsArray || v.Name == MortonArray ||
			l.Time != nil && (v.Name == TimeArray || v.Name == TimeBoundsArray)
		if !validName(v.Name) || reserved || seen[v.Name] {
			return nil, fmt.Errorf("%w: variable name %q (invalid, reserved or repeated)", ErrInvalidLayout, v.Name)
		}
		seen[v.Name] = true
		if !v.DataType.Valid() {
			return nil, fmt.Errorf("%w: variable %q: data type %q", ErrInvalidLayout, v.Name, v.DataType)
		}
		if v.PerWindow && l.Time == nil {
			return nil, fmt.Errorf("%w: variable %q is per window but the layout has no time axis", ErrInvalidLayout, v.Name)
		}
	}
	windows := int64(0)
	if l.Time != nil {
		if err := l.Time.Validate(); err != nil {
			return nil, err
		}
		windows = int64(len(l.Time.Mid))
	}
	// The time coordinates are never sharded (one chunk holds 1024 windows).
	timeCodecs := l.Codecs
	timeCodecs.ShardInner = 0
	for _, order := range l.Orders {
		g := Grid{Order: order, ParentOrder: l.ParentOrder, Latitude: l.Latitude}
		if err := g.Validate(); err != nil {
			return nil, err
		}
		if l.MortonType == Int64 && order > 18 {
			return nil, fmt.Errorf("%w: legacy int64 morton ids stop at order 18, got order %d", ErrInvalidLayout, order)
		}
		gp := strconv.Itoa(order)
		if _, dup := nodes[gp]; dup {
			return nil, fmt.Errorf("%w: order %d repeated", ErrInvalidLayout, order)
		}
		if err := put(gp, GroupMetadata{Attributes: g.GroupAttributes(l.Project)}); err != nil {
			return nil, err
		}
		arrShape := func(name string, dt DataType, fill any, c Codecs, attrs map[string]any, shape, chunk []int64, dims []string) error {
			fv, err := FillValue(dt, fill)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", gp, name, err)
			}
			codecs, err := c.ListShape(chunk)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", gp, name, err)
			}
			return put(gp+"/"+name, ArrayMetadata{
				Shape: shape, DataType: dt, ChunkShape: chunk,
				FillValue: fv, Codecs: codecs, Attributes: attrs, DimensionNames: dims,
			})
		}
		arr := func(name string, dt DataType, fill any, c Codecs, attrs map[string]any) error {
			return arrShape(name, dt, fill, c, attrs, []int64{g.Len(nParents)}, []int64{g.ChunkLen()}, []string{Dimension})
		}
		if l.Time != nil {
			if err := arrShape(TimeArray, Float64, nil, timeCodecs, l.Time.timeAttributes(),
				[]int64{windows}, []int64{TimeChunkLen}, []string{TimeDimension}); err != nil {
				return nil, err
			}
			if err := arrShape(TimeBoundsArray, Float64, nil, timeCodecs, l.Time.BoundsAttributes,
				[]int64{windows, 2}, []int64{TimeChunkLen, 2}, []string{TimeDimension, BoundsDimension}); err != nil {
				return nil, err
			}
		}
		// The cell_ids fill value is 12·4^order, one past the last cell:
		// no valid id is ever the fill value.
		if err := arr(CellIDsArray, Uint64, g.NumCells(), l.Codecs, g.CellIDAttributes()); err != nil {
			return nil, err
		}
		mortonAttrs := map[string]any{"coordinates": CellIDsArray,
			"long_name": "morton id (mortie " + map[DataType]string{Int64: "legacy signed decimal", Uint64: "packed word"}[l.MortonType] + ")"}
		if err := arr(MortonArray, l.MortonType, 0, l.Codecs, mortonAttrs); err != nil {
			return nil, err
		}
		for _, v := range l.Variables {
			c := l.Codecs
			if v.Codecs != nil {
				c = *v.Codecs
			}
			attrs := map[string]any{"coordinates": CellIDsArray}
			for k, x := range v.Attributes {
				attrs[k] = x
			}
			var err error
			if v.PerWindow {
				err = arrShape(v.Name, v.DataType, v.Fill, c, attrs, []int64{windows, g.Len(nParents)},
					[]int64{l.Time.WindowsPerChunk(), g.ChunkLen()}, []string{TimeDimension, Dimension})
			} else {
				err = arr(v.Name, v.DataType, v.Fill, c, attrs)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return nodes, nil
}

// setupWorkers bounds the concurrent metadata and coordinate writes of
// Setup.
const setupWorkers = 16

// Setup creates the store, or extends an existing one, for l and returns
// the store's parent list (chunk i of the orders at or finer than the
// parent order belongs to parent i).
//
// For a new store it writes every group and array, the coordinate chunks
// (cell_ids and morton) of every parent, with l.Time the time and
// time_bnds chunks of every window, and the root group last, so a store
// with a root zarr.json is completely set up. For an existing store it
// checks that every node matches the layout (ignoring array shapes and
// consolidated metadata; a difference is [ErrLayoutMismatch]), that the
// store has a time dimension exactly when l.Time is set and that its
// windows are a prefix of l.Time's (else [ErrLayoutMismatch] naming the
// first window that differs); it appends the parents of l.Parents that the
// store does not hold yet and writes their coordinate chunks, appends the
// new windows (rewriting the time and time_bnds chunks that hold them),
// grows the arrays (cells of the orders at or finer than the parent order,
// time of the per-window arrays of every order), and rewrites the root (its
// attributes merged as [Layout] says, without consolidated metadata) last:
// the root's parent list and window count are the commit point, so a Setup
// interrupted anywhere is completed by the next (array shapes it grew but
// did not commit are put back to those of the layout). Statistic chunks
// are never rewritten or moved: a new window only changes array shapes.
//
// Setup is not meant to run concurrently with workers or another Setup of
// different parents: run it once per run, before the workers. Concurrent
// calls with the same layout write the same bytes and are harmless.
func (s *Store) Setup(ctx context.Context, l Layout) ([]uint64, error) {
	l = l.withDefaults()
	root, err := s.OpenGroup(ctx, "")
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("setup: %w", err)
	}
	var old []uint64
	oldWindows := 0
	if exists {
		if old, err = parentsOf(root.Attributes, l); err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
		if oldWindows, err = windowsOf(root.Attributes, l); err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
	}
	parents, err := mergeParents(old, l.Parents, l.ParentOrder)
	if err != nil {
		return nil, err
	}
	nodes, err := l.nodes(len(parents))
	if err != nil {
		return nil, err
	}
	var stored map[string][]int64
	if exists {
		if stored, err = s.verify(ctx, nodes); err != nil {
			return nil, err
		}
		if err := s.checkExtraArrays(ctx, l.Orders, nodes); err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
		if l.Time != nil {
			for _, o := range l.Orders {
				if err := s.checkWindows(ctx, o, oldWindows, l.Time); err != nil {
					return nil, fmt.Errorf("setup: %w", err)
				}
			}
		}
	}
	newParents := !exists || len(parents) != len(old)
	newWindows := l.Time != nil && (!exists || len(l.Time.Mid) != oldWindows)
	perWindow := map[string]bool{TimeArray: true, TimeBoundsArray: true}
	for _, v := range l.Variables {
		if v.PerWindow {
			perWindow[v.Name] = true
		}
	}
	// Coordinates of the new parents and windows, then the metadata that
	// makes them part of the arrays, then the root.
	var writes []func(context.Context) error
	metas := map[string][]byte{}
	for _, o := range l.Orders {
		g := Grid{Order: o, ParentOrder: l.ParentOrder, Latitude: l.Latitude}
		gp := strconv.Itoa(o)
		if !exists {
			metas[gp] = nodes[gp]
		}
		for p, doc := range nodes {
			name, ok := strings.CutPrefix(p, gp+"/")
			if !ok {
				continue
			}
			switch {
			case !exists:
				metas[p] = doc
			case newParents && !g.Coarse():
				metas[p] = doc
			case newWindows && perWindow[name] && g.Coarse() && name != TimeArray && name != TimeBoundsArray:
				// Finalize sizes the cells of coarse orders: keep them.
				doc, err := s.withStoredCells(ctx, p, doc)
				if err != nil {
					return nil, fmt.Errorf("setup: %w", err)
				}
				metas[p] = doc
			case newWindows && perWindow[name]:
				metas[p] = doc
			case staleShape(stored[p], doc, g.Coarse()):
				// Left by a Setup interrupted before its commit: back to
				// the committed parents and windows.
				if g.Coarse() {
					if doc, err = s.withStoredCells(ctx, p, doc); err != nil {
						return nil, fmt.Errorf("setup: %w", err)
					}
				}
				metas[p] = doc
			}
		}
		if newWindows {
			w, err := timeWrites(s, gp, nodes, l.Time, oldWindows)
			if err != nil {
				return nil, err
			}
			writes = append(writes, w...)
		}
		if g.Coarse() || !newParents {
			continue
		}
		var ids, mortons *Array
		for _, name := range []string{CellIDsArray, MortonArray} {
			a, err := arrayOf(s, gp+"/"+name, nodes)
			if err != nil {
				return nil, err
			}
			if name == CellIDsArray {
				ids = a
			} else {
				mortons = a
			}
		}
		for i := len(old); i < len(parents); i++ {
			cells := g.CellIDs(nil, parents[i])
			m, err := MortonIDs(nil, l.MortonType, o, cells)
			if err != nil {
				return nil, err
			}
			writes = append(writes,
				func(ctx context.Context) error { return ids.WriteChunk(ctx, int64(i), cells) },
				func(ctx context.Context) error { return mortons.WriteChunk(ctx, int64(i), m) })
		}
	}
	if err := retry.ForEach(ctx, len(writes), setupWorkers, func(ctx context.Context, k int) error {
		return writes[k](ctx)
	}); err != nil {
		return nil, fmt.Errorf("setup: coordinates: %w", err)
	}
	paths := make([]string, 0, len(metas))
	for p := range metas {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	if err := retry.ForEach(ctx, len(paths), setupWorkers, func(ctx context.Context, k int) error {
		return s.b.Put(ctx, metaKey(paths[k]), metas[paths[k]])
	}); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	s.forget()
	var oldAttrs map[string]any
	if exists {
		oldAttrs = root.Attributes
	}
	rb, err := json.Marshal(GroupMetadata{Attributes: l.rootAttributes(oldAttrs, parents)})
	if err != nil {
		return nil, fmt.Errorf("%w: root attributes: %v", ErrInvalidLayout, err)
	}
	if exists && !newParents && !newWindows {
		ob, err := json.Marshal(GroupMetadata{Attributes: oldAttrs})
		if err == nil {
			if same, err := sameNode(ob, rb); err == nil && same {
				return parents, nil // nothing changed: keep the consolidated metadata
			}
		}
	}
	if err := s.b.Put(ctx, MetadataKey, rb); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	return parents, nil
}

// arrayOf returns a handle on the array at path with the metadata of nodes
// (not yet stored).
func arrayOf(s *Store, path string, nodes map[string][]byte) (*Array, error) {
	var m ArrayMetadata
	if err := m.UnmarshalJSON(nodes[path]); err != nil {
		return nil, err
	}
	return newArray(s, path, m)
}

// timeWrites returns the writes of the time and time_bnds chunks of group
// gp that hold windows from windows on (all when windows is 0).
func timeWrites(s *Store, gp string, nodes map[string][]byte, t *TimeAxis, from int) ([]func(context.Context) error, error) {
	tm, err := arrayOf(s, gp+"/"+TimeArray, nodes)
	if err != nil {
		return nil, err
	}
	tb, err := arrayOf(s, gp+"/"+TimeBoundsArray, nodes)
	if err != nil {
		return nil, err
	}
	var writes []func(context.Context) error
	n := len(t.Mid)
	for c := from / TimeChunkLen; c*TimeChunkLen < n; c++ {
		mid := make([]float64, TimeChunkLen)
		bnds := make([]float64, 2*TimeChunkLen)
		for k := range TimeChunkLen {
			w := c*TimeChunkLen + k
			if w >= n {
				mid[k], bnds[2*k], bnds[2*k+1] = math.NaN(), math.NaN(), math.NaN()
				continue
			}
			mid[k], bnds[2*k], bnds[2*k+1] = t.Mid[w], t.Bounds[w][0], t.Bounds[w][1]
		}
		writes = append(writes,
			func(ctx context.Context) error { return tm.WriteChunkAt(ctx, []int64{int64(c)}, mid) },
			func(ctx context.Context) error { return tb.WriteChunkAt(ctx, []int64{int64(c), 0}, bnds) })
	}
	return writes, nil
}

// withStoredCells returns the metadata document doc of the per-window
// array at path with the cells extent of the stored array (a coarse
// order's, which Finalize sizes) and doc's number of windows.
func (s *Store) withStoredCells(ctx context.Context, path string, doc []byte) ([]byte, error) {
	var m ArrayMetadata
	if err := m.UnmarshalJSON(doc); err != nil {
		return nil, err
	}
	b, err := s.b.Get(ctx, metaKey(path))
	if err != nil {
		return nil, fmt.Errorf("array %q: %w", path, err)
	}
	var stored ArrayMetadata
	if err := stored.UnmarshalJSON(b); err != nil {
		return nil, fmt.Errorf("array %q: %w", path, err)
	}
	if len(stored.Shape) != len(m.Shape) {
		return nil, fmt.Errorf("%w: array %q has shape %v, want %d dimensions", ErrLayoutMismatch, path, stored.Shape, len(m.Shape))
	}
	m.Shape[len(m.Shape)-1] = stored.Shape[len(stored.Shape)-1]
	return json.Marshal(m)
}

// windowsOf reads the number of committed windows from the root attributes
// of an existing store (0 for a store without time) and checks that the
// store has a time dimension exactly when l has a time axis.
func windowsOf(attrs map[string]any, l Layout) (int, error) {
	p, _ := attrs[ProjectAttribute].(map[string]any)
	v, has := p[windowsKey]
	switch {
	case !has && l.Time != nil:
		return 0, fmt.Errorf("%w: the store has no time dimension (its statistics are [cells]); this run writes per-window [time, cells] arrays: write to a new store", ErrLayoutMismatch)
	case has && l.Time == nil:
		return 0, fmt.Errorf("%w: the store has a time dimension (%v windows; per-window [time, cells] arrays); this run writes no time axis", ErrLayoutMismatch, v)
	case !has:
		return 0, nil
	}
	n, ok := windowCount(v)
	if !ok {
		return 0, fmt.Errorf("%w: root attribute zagg.windows = %v is not a window count", ErrInvalidMetadata, v)
	}
	return n, nil
}

func windowCount(v any) (int, bool) {
	var n int64
	switch x := v.(type) {
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return 0, false
		}
		n = i
	case float64:
		if x != math.Trunc(x) || x > maxWindows {
			return 0, false
		}
		n = int64(x)
	case int:
		n = int64(x)
	default:
		return 0, false
	}
	if n < 0 || n > maxWindows {
		return 0, false
	}
	return int(n), true
}

// checkWindows checks that the first n windows stored in the order group
// are those of t.
func (s *Store) checkWindows(ctx context.Context, order, n int, t *TimeAxis) error {
	if len(t.Mid) < n {
		return fmt.Errorf("%w: the store has %d windows, the layout only %d (a layout must list every stored window, then the new ones)", ErrLayoutMismatch, n, len(t.Mid))
	}
	stored, err := s.readTimeAxis(ctx, strconv.Itoa(order), n)
	if err != nil {
		return err
	}
	if stored == nil || len(stored.Mid) < n {
		return fmt.Errorf("%w: order %d: the time array holds fewer than the %d committed windows", ErrInvalidMetadata, order, n)
	}
	// Setup's node check ignores arrays' units; for time they give the
	// values their meaning.
	want := t.timeAttributes()
	for _, k := range []string{"units", "calendar"} {
		if a, b := fmt.Sprint(stored.Attributes[k]), fmt.Sprint(want[k]); a != b {
			return fmt.Errorf("%w: order %d: the store's time %s is %q, the layout's %q", ErrLayoutMismatch, order, k, a, b)
		}
	}
	for w := range n {
		var b [2]float64
		if w < len(stored.Bounds) {
			b = stored.Bounds[w]
		}
		if stored.Mid[w] != t.Mid[w] || len(stored.Bounds) <= w || b != t.Bounds[w] {
			return fmt.Errorf("%w: order %d window %d differs: the store has time %v bounds %v, the layout time %v bounds %v (new windows can only be appended)",
				ErrLayoutMismatch, order, w, stored.Mid[w], b, t.Mid[w], t.Bounds[w])
		}
	}
	return nil
}

// TimeAxis returns the time axis of an order group: the values and bounds
// of its committed windows (those the root's window count holds, when it
// has one) and the attributes of time and time_bnds; nil, nil when the
// group has no time array. Bounds is nil when the group has no time_bnds.
func (s *Store) TimeAxis(ctx context.Context, order int) (*TimeAxis, error) {
	if _, err := s.OpenGroup(ctx, strconv.Itoa(order)); err != nil {
		return nil, fmt.Errorf("order %d: %w", order, err)
	}
	limit := -1
	if root, err := s.OpenGroup(ctx, ""); err == nil {
		p, _ := root.Attributes[ProjectAttribute].(map[string]any)
		if v, ok := p[windowsKey]; ok {
			n, ok := windowCount(v)
			if !ok {
				return nil, fmt.Errorf("%w: root attribute zagg.windows = %v is not a window count", ErrInvalidMetadata, v)
			}
			limit = n
		}
	}
	t, err := s.readTimeAxis(ctx, strconv.Itoa(order), limit)
	if err != nil {
		return nil, fmt.Errorf("order %d: %w", order, err)
	}
	return t, nil
}

// readTimeAxis reads the time axis of group gp, at most limit windows
// (all when limit < 0); nil when the group has no time array.
func (s *Store) readTimeAxis(ctx context.Context, gp string, limit int) (*TimeAxis, error) {
	tm, err := s.OpenArray(ctx, gp+"/"+TimeArray)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if dims := tm.Metadata().DimensionNames; len(dims) == 0 || dims[0] != TimeDimension {
		return nil, nil // not a time coordinate (e.g. a statistic named "time" along cells)
	}
	if tm.Rank() != 1 {
		return nil, fmt.Errorf("%w: %s is %d-D, want 1-D", ErrInvalidMetadata, tm.Path(), tm.Rank())
	}
	n := tm.Len()
	if limit >= 0 && int64(limit) < n {
		n = int64(limit)
	}
	if n > maxWindows {
		return nil, fmt.Errorf("%w: %s has %d windows (at most %d)", ErrUnsupported, tm.Path(), n, maxWindows)
	}
	t := &TimeAxis{Attributes: tm.Metadata().Attributes}
	if t.Mid, err = readColumn(ctx, tm, n, 0); err != nil {
		return nil, err
	}
	tb, err := s.OpenArray(ctx, gp+"/"+TimeBoundsArray)
	if errors.Is(err, ErrNotFound) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	if sh := tb.Shape(); len(sh) != 2 || sh[1] != 2 || sh[0] < n {
		return nil, fmt.Errorf("%w: %s has shape %v, want [%d, 2]", ErrInvalidMetadata, tb.Path(), sh, n)
	}
	t.BoundsAttributes = tb.Metadata().Attributes
	starts, err := readColumn(ctx, tb, n, 0)
	if err != nil {
		return nil, err
	}
	ends, err := readColumn(ctx, tb, n, 1)
	if err != nil {
		return nil, err
	}
	t.Bounds = make([][2]float64, n)
	for w := range t.Bounds {
		t.Bounds[w] = [2]float64{starts[w], ends[w]}
	}
	return t, nil
}

// readColumn reads elements [0, n) along the first dimension of a 1-D
// array, or of column col of a 2-D array, as float64 (fill as NaN), one
// chunk at a time.
func readColumn(ctx context.Context, a *Array, n int64, col int64) ([]float64, error) {
	out := make([]float64, 0, n)
	cs := a.ChunkShape()
	rows := cs[0]
	for c := int64(0); c*rows < n; c++ {
		idx := []int64{c}
		stride, off := int64(1), int64(0)
		if a.Rank() == 2 {
			idx = append(idx, col/cs[1])
			stride, off = cs[1], col%cs[1]
		}
		v, err := a.ReadChunkFloat64At(ctx, idx)
		if err != nil {
			return nil, err
		}
		for r := int64(0); r < rows && c*rows+r < n; r++ {
			out = append(out, v[r*stride+off])
		}
	}
	return out, nil
}

// forget drops the cached array handles (their metadata may have changed).
func (s *Store) forget() {
	s.mu.Lock()
	clear(s.arrays)
	s.mu.Unlock()
}

// parentsOf reads the parent list from the root attributes of an existing
// store and checks that the store has the dense layout, l's parent order
// and latitude convention.
func parentsOf(attrs map[string]any, l Layout) ([]uint64, error) {
	p, _ := attrs[ProjectAttribute].(map[string]any)
	if p == nil || p["layout"] != LayoutName {
		return nil, fmt.Errorf("%w: the root has no zagg %q layout attributes (a store written by an older zagg with whole-sphere arrays, or not a zagg store): write to a new store", ErrLayoutMismatch, LayoutName)
	}
	if v, ok := intAttr(p["layout_version"]); !ok || v != LayoutVersion {
		return nil, fmt.Errorf("%w: layout version %v, this zagg writes %d", ErrLayoutMismatch, p["layout_version"], LayoutVersion)
	}
	if lat, _ := p["latitude"].(string); lat != string(l.Latitude) {
		return nil, fmt.Errorf("%w: the store was made with %s latitude, this run uses %s", ErrLayoutMismatch, lat, l.Latitude)
	}
	if po, ok := intAttr(p["parent_order"]); !ok || po != l.ParentOrder {
		return nil, fmt.Errorf("%w: the store's parent order is %v, this run uses %d", ErrLayoutMismatch, p["parent_order"], l.ParentOrder)
	}
	return ParentList(attrs, l.ParentOrder)
}

// ParentList reads the parent list (NESTED ids at parentOrder, in chunk
// order) from a zagg store's root attributes.
func ParentList(attrs map[string]any, parentOrder int) ([]uint64, error) {
	p, _ := attrs[ProjectAttribute].(map[string]any)
	list, ok := p["parents"].([]any)
	if !ok {
		return nil, fmt.Errorf("%w: root attribute zagg.parents is not a list", ErrInvalidMetadata)
	}
	n := Grid{Order: parentOrder}.NumCells()
	out := make([]uint64, 0, len(list))
	seen := make(map[uint64]bool, len(list))
	for i, v := range list {
		var id uint64
		var err error
		switch x := v.(type) {
		case json.Number:
			id, err = strconv.ParseUint(string(x), 10, 64)
		case float64:
			id = uint64(x)
			if float64(id) != x {
				err = fmt.Errorf("not an integer")
			}
		case uint64:
			id = x
		default:
			err = fmt.Errorf("%T", v)
		}
		if err != nil || id >= n || seen[id] {
			return nil, fmt.Errorf("%w: root attribute zagg.parents[%d] = %v is not a new cell of order %d", ErrInvalidMetadata, i, v, parentOrder)
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, nil
}

// Parents returns the parent list of a zagg store (see [Store.Setup]).
func (s *Store) Parents(ctx context.Context) ([]uint64, int, error) {
	root, err := s.OpenGroup(ctx, "")
	if err != nil {
		return nil, 0, err
	}
	p, _ := root.Attributes[ProjectAttribute].(map[string]any)
	po, ok := intAttr(p["parent_order"])
	if !ok || p["layout"] != LayoutName {
		return nil, 0, fmt.Errorf("%w: the root has no zagg %q layout attributes", ErrInvalidMetadata, LayoutName)
	}
	list, err := ParentList(root.Attributes, po)
	return list, po, err
}

// Resize rewrites the metadata of the array at path with n elements along
// its last dimension (the cells; a [time, cells] array keeps its windows)
// and returns the new handle. Chunks wholly beyond the new length are
// deleted. Finalize uses it for the coarse orders; it is not safe while
// others write the array.
func (s *Store) Resize(ctx context.Context, path string, n int64) (*Array, error) {
	a, err := s.OpenArray(ctx, path)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("%w: array %q: resize to %d elements", ErrInvalidLayout, a.Path(), n)
	}
	m := a.Metadata()
	m.Shape[len(m.Shape)-1] = n
	na, err := s.CreateArray(ctx, path, m)
	if err != nil {
		return nil, err
	}
	chunks, err := a.ListChunksAt(ctx)
	if err != nil {
		return nil, err
	}
	for _, idx := range chunks {
		if idx[len(idx)-1] >= na.NumChunks() {
			if err := s.b.Delete(ctx, a.ChunkKeyAt(idx...)); err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
	}
	return na, nil
}

// verify checks that every node of nodes is stored and matches (see
// sameNode), and returns the stored shapes of the arrays.
func (s *Store) verify(ctx context.Context, nodes map[string][]byte) (map[string][]int64, error) {
	paths := make([]string, 0, len(nodes))
	for p := range nodes {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var mu sync.Mutex
	shapes := map[string][]int64{}
	err := retry.ForEach(ctx, len(paths), setupWorkers, func(ctx context.Context, i int) error {
		p := paths[i]
		got, err := s.b.Get(ctx, metaKey(p))
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("%w: node %q is missing", ErrLayoutMismatch, p)
		}
		if err != nil {
			return err
		}
		same, err := sameNode(got, nodes[p])
		if err != nil {
			return fmt.Errorf("node %q: %w", p, err)
		}
		if !same {
			return fmt.Errorf("%w: node %q differs:\n have %s\n want %s", ErrLayoutMismatch, p, got, nodes[p])
		}
		var head struct {
			NodeType string  `json:"node_type"`
			Shape    []int64 `json:"shape"`
		}
		if json.Unmarshal(got, &head) == nil && head.NodeType == "array" {
			mu.Lock()
			shapes[p] = head.Shape
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return shapes, nil
}

// checkExtraArrays refuses a store whose order groups hold arrays the
// layout does not list: a run with fewer statistics would leave them with
// an earlier run's values beside its own.
func (s *Store) checkExtraArrays(ctx context.Context, orders []int, nodes map[string][]byte) error {
	for _, o := range orders {
		g := strconv.Itoa(o)
		_, dirs, err := s.b.ListDir(ctx, g+"/")
		if err != nil {
			return err
		}
		for _, d := range dirs {
			p := g + "/" + d
			if _, ok := nodes[p]; ok {
				continue
			}
			if ok, err := s.b.Exists(ctx, metaKey(p)); err != nil {
				return err
			} else if ok {
				return fmt.Errorf("%w: the store has an array %q this run does not write (its config has other statistics): its values would stay an earlier run's; write to a new store, or use a config with the same statistics", ErrLayoutMismatch, p)
			}
		}
	}
	return nil
}

// staleShape reports whether the stored shape of the array at path (of an
// order group) differs from the one its layout document doc gives: after a
// Setup interrupted between its metadata writes and its root commit. For
// coarse orders only the leading (time) extent counts: Finalize sizes
// their cells.
func staleShape(stored []int64, doc []byte, coarse bool) bool {
	var head struct {
		Shape []int64 `json:"shape"`
	}
	if json.Unmarshal(doc, &head) != nil || stored == nil {
		return false
	}
	if len(stored) != len(head.Shape) {
		return true
	}
	if coarse {
		return !slices.Equal(stored[:len(stored)-1], head.Shape[:len(head.Shape)-1])
	}
	return !slices.Equal(stored, head.Shape)
}

// sameNode compares two metadata documents as JSON values, ignoring
// consolidated metadata, array shapes (which grow as parents are added and
// as Finalize writes coarse orders) and the arrays' units and long_name
// (which a run derives from what it can read).
func sameNode(a, b []byte) (bool, error) {
	decode := func(x []byte) (map[string]any, error) {
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(x))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidMetadata, err)
		}
		delete(m, "consolidated_metadata")
		delete(m, "shape")
		if a, ok := m["attributes"].(map[string]any); ok && m["node_type"] == "array" {
			// Descriptions may be derived from what a run could read.
			delete(a, "units")
			delete(a, "long_name")
		}
		return m, nil
	}
	ma, err := decode(a)
	if err != nil {
		return false, err
	}
	mb, err := decode(b)
	if err != nil {
		return false, err
	}
	return reflect.DeepEqual(ma, mb), nil
}

// Consolidate writes the consolidated metadata of the whole hierarchy into
// the root zarr.json, the way zarr-python's consolidate_metadata does: a
// flat map from every node path to its metadata document (child groups with
// an empty inline block), keys sorted by depth then name. It walks the
// hierarchy by listing directories (never the chunks) and keeps the root's
// attributes. Call it once, after the last node is created; chunk writes do
// not invalidate it.
func (s *Store) Consolidate(ctx context.Context) error {
	root, err := s.OpenGroup(ctx, "")
	if err != nil {
		return fmt.Errorf("consolidate: %w", err)
	}
	meta := map[string]json.RawMessage{}
	if err := s.collect(ctx, "", meta); err != nil {
		return fmt.Errorf("consolidate: %w", err)
	}
	root.Consolidated = meta
	b, err := json.Marshal(root)
	if err != nil {
		return fmt.Errorf("consolidate: %w", err)
	}
	return s.b.Put(ctx, MetadataKey, b)
}

// collect adds the nodes below the group at path to meta.
func (s *Store) collect(ctx context.Context, path string, meta map[string]json.RawMessage) error {
	prefix := ""
	if path != "" {
		prefix = path + "/"
	}
	_, dirs, err := s.b.ListDir(ctx, prefix)
	if err != nil {
		return err
	}
	slices.Sort(dirs)
	for _, d := range dirs {
		child := prefix + d
		b, err := s.b.Get(ctx, metaKey(child))
		if errors.Is(err, ErrNotFound) {
			continue // not a node (e.g. an array's "c" directory)
		}
		if err != nil {
			return err
		}
		var head struct {
			NodeType string `json:"node_type"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return fmt.Errorf("node %q: %w: %v", child, ErrInvalidMetadata, err)
		}
		switch head.NodeType {
		case "array":
			var m ArrayMetadata
			if err := m.UnmarshalJSON(b); err != nil {
				return fmt.Errorf("node %q: %w", child, err)
			}
			meta[child] = compact(b)
		case "group":
			var g GroupMetadata
			if err := g.UnmarshalJSON(b); err != nil {
				return fmt.Errorf("node %q: %w", child, err)
			}
			g.Consolidated = map[string]json.RawMessage{}
			gb, err := json.Marshal(g)
			if err != nil {
				return err
			}
			meta[child] = gb
			if err := s.collect(ctx, child, meta); err != nil {
				return err
			}
		default:
			return fmt.Errorf("node %q: %w: node_type %q", child, ErrInvalidMetadata, head.NodeType)
		}
	}
	return nil
}

// sortedConsolidatedKeys orders paths by depth (number of "/"), then by
// case-folded name, then bytewise, like zarr-python (which also applies
// NFKC normalisation; node names here are ASCII).
func sortedConsolidatedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if da, db := strings.Count(a, "/"), strings.Count(b, "/"); da != db {
			return da - db
		}
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return keys
}

// Node is one group or array of a hierarchy.
type Node struct {
	// Path is relative to the root, e.g. "12/h_mean".
	Path string
	// Array is true for arrays, false for groups.
	Array bool
}

// Nodes lists every group and array below the root, in consolidated-key
// order (depth, then name). It uses the root's consolidated metadata when
// present (one read) and otherwise walks the hierarchy by listing
// directories (never chunks).
func (s *Store) Nodes(ctx context.Context) ([]Node, error) {
	root, err := s.OpenGroup(ctx, "")
	if err != nil {
		return nil, err
	}
	meta := root.Consolidated
	if meta == nil {
		meta = map[string]json.RawMessage{}
		if err := s.collect(ctx, "", meta); err != nil {
			return nil, err
		}
	}
	var out []Node
	for _, k := range sortedConsolidatedKeys(meta) {
		var head struct {
			NodeType string `json:"node_type"`
		}
		if err := json.Unmarshal(meta[k], &head); err != nil || (head.NodeType != "array" && head.NodeType != "group") {
			return nil, fmt.Errorf("node %q: %w: not a node document", k, ErrInvalidMetadata)
		}
		out = append(out, Node{Path: k, Array: head.NodeType == "array"})
	}
	return out, nil
}
