package zarrstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	// Level is the compression level; 0 means the default (zstd 3, gzip 5).
	// zstd accepts -131072…22 (the encoder maps it to its four speed
	// classes), gzip 1…9.
	Level int
	// Checksum appends a crc32c codec.
	Checksum bool
	// ShardInner, when > 0, stores each chunk as a shard of inner chunks of
	// this many elements; it must divide the chunk length. Inner chunks
	// that hold only the fill value are not stored. Chunks no longer than
	// ShardInner (coarse orders) are stored unsharded.
	ShardInner int64
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
	return c, c.validate()
}

func (c Codecs) validate() error {
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

// List returns the codec list for chunks of chunkLen elements.
func (c Codecs) List(chunkLen int64) ([]Codec, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	list := []Codec{BytesCodec()}
	switch c.Compressor {
	case "", Zstd:
		l := c.Level
		if l == 0 {
			l = 3
		}
		list = append(list, ZstdCodec(l))
	case Gzip:
		l := c.Level
		if l == 0 {
			l = 5
		}
		list = append(list, GzipCodec(l))
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
}

// Layout describes a whole zagg store: one group per order, each with
// cell_ids, morton and one array per statistic.
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
	// Attributes are the root group's attributes.
	Attributes map[string]any
	// Project holds extra entries of each order group's "zagg" attribute
	// (e.g. the zagg version); parent_order and latitude are set from the
	// layout.
	Project map[string]any
}

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

// Nodes returns every node's metadata document that Setup writes, keyed by
// path ("" for the root). It validates the layout.
func (l Layout) Nodes() (map[string][]byte, error) {
	if l.Latitude == "" {
		l.Latitude = LatitudeAuthalic
	}
	if l.MortonType == "" {
		l.MortonType = Int64
	}
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
	if err := put("", GroupMetadata{Attributes: l.Attributes}); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, v := range l.Variables {
		if !validName(v.Name) || v.Name == CellIDsArray || v.Name == MortonArray || seen[v.Name] {
			return nil, fmt.Errorf("%w: variable name %q (invalid, reserved or repeated)", ErrInvalidLayout, v.Name)
		}
		seen[v.Name] = true
		if !v.DataType.Valid() {
			return nil, fmt.Errorf("%w: variable %q: data type %q", ErrInvalidLayout, v.Name, v.DataType)
		}
	}
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
		arr := func(name string, dt DataType, fill any, c Codecs, attrs map[string]any) error {
			fv, err := FillValue(dt, fill)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", gp, name, err)
			}
			codecs, err := c.List(g.ChunkLen())
			if err != nil {
				return fmt.Errorf("%s/%s: %w", gp, name, err)
			}
			return put(gp+"/"+name, ArrayMetadata{
				Shape: []int64{g.Len()}, DataType: dt, ChunkShape: []int64{g.ChunkLen()},
				FillValue: fv, Codecs: codecs, Attributes: attrs, DimensionNames: []string{Dimension},
			})
		}
		if err := arr(CellIDsArray, Uint64, 0, l.Codecs, g.CellIDAttributes()); err != nil {
			return nil, err
		}
		if err := arr(MortonArray, l.MortonType, 0, l.Codecs, map[string]any{"coordinates": CellIDsArray}); err != nil {
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
			if err := arr(v.Name, v.DataType, v.Fill, c, attrs); err != nil {
				return nil, err
			}
		}
	}
	return nodes, nil
}

// setupWorkers bounds the concurrent metadata writes of Setup.
const setupWorkers = 16

// Setup writes the store's metadata once: every order group with its DGGS
// attributes and every array, then the root group last, so a store with a
// root zarr.json is completely set up. If the root already exists, Setup
// writes nothing and checks instead that every node matches the layout
// (ignoring consolidated metadata); a difference is [ErrLayoutMismatch].
// Everything is compared, including attributes and Layout.Project entries,
// so keep values that change between releases out of Project if runs of
// different releases should extend the same store.
// Concurrent Setup calls with the same layout are harmless.
func (s *Store) Setup(ctx context.Context, l Layout) error {
	nodes, err := l.Nodes()
	if err != nil {
		return err
	}
	exists, err := s.b.Exists(ctx, MetadataKey)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	if exists {
		return s.verify(ctx, nodes)
	}
	paths := make([]string, 0, len(nodes))
	for p := range nodes {
		if p != "" {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	if err := parallel(ctx, len(paths), setupWorkers, func(ctx context.Context, i int) error {
		return s.b.Put(ctx, metaKey(paths[i]), nodes[paths[i]])
	}); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	if err := s.b.Put(ctx, MetadataKey, nodes[""]); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	return nil
}

func (s *Store) verify(ctx context.Context, nodes map[string][]byte) error {
	paths := make([]string, 0, len(nodes))
	for p := range nodes {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return parallel(ctx, len(paths), setupWorkers, func(ctx context.Context, i int) error {
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
		return nil
	})
}

// sameNode compares two metadata documents as JSON values, ignoring
// consolidated metadata.
func sameNode(a, b []byte) (bool, error) {
	decode := func(x []byte) (map[string]any, error) {
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(x))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidMetadata, err)
		}
		delete(m, "consolidated_metadata")
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

// parallel runs fn(0…n-1) on up to workers goroutines and returns the first
// error; after an error the remaining calls see a cancelled context.
func parallel(ctx context.Context, n, workers int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		next  = make(chan int)
	)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
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
