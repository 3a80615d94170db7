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
}

// The root attribute "zagg" holds these keys, set by Setup: the layout
// name and version, the parent order, the latitude convention and the
// parent list.
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
	attrs[ProjectAttribute] = project
	return attrs
}

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
				Shape: []int64{g.Len(nParents)}, DataType: dt, ChunkShape: []int64{g.ChunkLen()},
				FillValue: fv, Codecs: codecs, Attributes: attrs, DimensionNames: []string{Dimension},
			})
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
			if err := arr(v.Name, v.DataType, v.Fill, c, attrs); err != nil {
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
// (cell_ids and morton) of every parent, and the root group last, so a
// store with a root zarr.json is completely set up. For an existing store
// it checks that every node matches the layout (ignoring array shapes and
// consolidated metadata; a difference is [ErrLayoutMismatch]), appends the
// parents of l.Parents that the store does not hold yet, writes their
// coordinate chunks, grows the arrays at or finer than the parent order,
// and rewrites the root (its attributes merged as [Layout] says, without
// consolidated metadata) last: the root's parent list is the commit point,
// so a Setup interrupted anywhere is completed by the next. Chunks already
// written are never rewritten.
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
	if exists {
		if old, err = parentsOf(root.Attributes, l); err != nil {
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
	if exists {
		if err := s.verify(ctx, nodes); err != nil {
			return nil, err
		}
	}
	// Coordinates of the new parents, then the metadata that makes them
	// part of the arrays, then the root.
	var writes []func(context.Context) error
	var metas []string
	for _, o := range l.Orders {
		g := Grid{Order: o, ParentOrder: l.ParentOrder, Latitude: l.Latitude}
		gp := strconv.Itoa(o)
		if !exists {
			metas = append(metas, gp)
		}
		if g.Coarse() {
			if !exists {
				for p := range nodes {
					if strings.HasPrefix(p, gp+"/") {
						metas = append(metas, p)
					}
				}
			}
			continue
		}
		if exists && len(parents) == len(old) {
			continue
		}
		for p := range nodes {
			if strings.HasPrefix(p, gp+"/") {
				metas = append(metas, p)
			}
		}
		var ids, mortons *Array
		for _, name := range []string{CellIDsArray, MortonArray} {
			var m ArrayMetadata
			if err := m.UnmarshalJSON(nodes[gp+"/"+name]); err != nil {
				return nil, err
			}
			a, err := newArray(s, gp+"/"+name, m)
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
	if err := parallel(ctx, len(writes), setupWorkers, func(ctx context.Context, k int) error {
		return writes[k](ctx)
	}); err != nil {
		return nil, fmt.Errorf("setup: coordinates: %w", err)
	}
	slices.Sort(metas)
	if err := parallel(ctx, len(metas), setupWorkers, func(ctx context.Context, k int) error {
		return s.b.Put(ctx, metaKey(metas[k]), nodes[metas[k]])
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
	if exists && len(parents) == len(old) {
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

// Resize rewrites the metadata of the array at path with n elements and
// returns the new handle. Chunks wholly beyond the new length are deleted.
// Finalize uses it for the coarse orders; it is not safe while others
// write the array.
func (s *Store) Resize(ctx context.Context, path string, n int64) (*Array, error) {
	a, err := s.OpenArray(ctx, path)
	if err != nil {
		return nil, err
	}
	m := a.Metadata()
	m.Shape = []int64{n}
	na, err := s.CreateArray(ctx, path, m)
	if err != nil {
		return nil, err
	}
	chunks, err := a.ListChunks(ctx)
	if err != nil {
		return nil, err
	}
	for _, i := range chunks {
		if i >= na.NumChunks() {
			if err := s.b.Delete(ctx, a.ChunkKey(i)); err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
	}
	return na, nil
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
