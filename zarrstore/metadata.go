package zarrstore

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ArrayMetadata is the content of an array's zarr.json. Arrays of rank 1 to
// 4 with a regular chunk grid are supported.
type ArrayMetadata struct {
	// Shape is the array's extent per dimension (one element for a 1-D
	// array, [T, N] for a [time, cells] array).
	Shape []int64
	// DataType is the element type.
	DataType DataType
	// ChunkShape is the chunk's extent per dimension (the shard's when
	// sharded), with as many elements as Shape.
	ChunkShape []int64
	// Separator is the default chunk key encoding's separator, "/" (the
	// default when empty) or ".".
	Separator string
	// FillValue is the "fill_value" JSON (see [FillValue]).
	FillValue json.RawMessage
	// Codecs is the codec list, in the order applied on write.
	Codecs []Codec
	// Attributes are the user attributes (nil writes {}). When read back,
	// JSON numbers are json.Number values (exact for 64-bit integers).
	Attributes map[string]any
	// DimensionNames names the dimensions; written only when set (an empty
	// name is written as null).
	DimensionNames []string
}

// GroupMetadata is the content of a group's zarr.json.
type GroupMetadata struct {
	// Attributes are the user attributes (nil writes {}). When read back,
	// JSON numbers are json.Number values (exact for 64-bit integers).
	Attributes map[string]any
	// Consolidated, when non-nil, is the consolidated metadata block: node
	// paths relative to this group mapped to their zarr.json documents.
	Consolidated map[string]json.RawMessage
}

type arrayJSON struct {
	ZarrFormat       int               `json:"zarr_format"`
	NodeType         string            `json:"node_type"`
	Shape            []int64           `json:"shape"`
	DataType         DataType          `json:"data_type"`
	ChunkGrid        chunkGridJSON     `json:"chunk_grid"`
	ChunkKeyEncoding chunkKeyJSON      `json:"chunk_key_encoding"`
	FillValue        json.RawMessage   `json:"fill_value"`
	Codecs           []Codec           `json:"codecs"`
	Attributes       map[string]any    `json:"attributes"`
	DimensionNames   []*string         `json:"dimension_names,omitempty"`
	StorageTrans     []json.RawMessage `json:"storage_transformers"`
}

type chunkGridJSON struct {
	Name          string `json:"name"`
	Configuration struct {
		ChunkShape []int64 `json:"chunk_shape"`
	} `json:"configuration"`
}

type chunkKeyJSON struct {
	Name          string `json:"name"`
	Configuration *struct {
		Separator string `json:"separator"`
	} `json:"configuration,omitempty"`
}

// MarshalJSON writes the array's zarr.json with every required field, the
// chunk key encoding "default" and empty storage_transformers.
func (m ArrayMetadata) MarshalJSON() ([]byte, error) {
	j := arrayJSON{
		ZarrFormat: 3, NodeType: "array", Shape: m.Shape, DataType: m.DataType,
		FillValue: m.FillValue, Codecs: m.Codecs, Attributes: m.Attributes,
		StorageTrans: []json.RawMessage{},
	}
	if j.Attributes == nil {
		j.Attributes = map[string]any{}
	}
	if j.Codecs == nil {
		j.Codecs = []Codec{}
	}
	j.ChunkGrid.Name = "regular"
	j.ChunkGrid.Configuration.ChunkShape = m.ChunkShape
	j.ChunkKeyEncoding.Name = "default"
	sep := m.Separator
	if sep == "" {
		sep = "/"
	}
	j.ChunkKeyEncoding.Configuration = &struct {
		Separator string `json:"separator"`
	}{sep}
	for i := range m.DimensionNames {
		if m.DimensionNames[i] == "" {
			j.DimensionNames = append(j.DimensionNames, nil)
			continue
		}
		j.DimensionNames = append(j.DimensionNames, &m.DimensionNames[i])
	}
	return json.Marshal(j)
}

// UnmarshalJSON parses and validates an array zarr.json: zarr_format 3,
// node_type array, a known data type, a regular grid of rank 1…4 whose
// chunks hold at most 1 GiB, the default or v2
// chunk key encoding, no storage transformers, and no unknown top-level
// field unless it is an extension with "must_understand": false.
func (m *ArrayMetadata) UnmarshalJSON(b []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidMetadata, err)
	}
	if err := checkNode(top, "array", "shape", "data_type", "chunk_grid", "chunk_key_encoding",
		"fill_value", "codecs", "attributes", "dimension_names", "storage_transformers"); err != nil {
		return err
	}
	var j struct {
		Shape            []int64           `json:"shape"`
		DataType         DataType          `json:"data_type"`
		ChunkGrid        json.RawMessage   `json:"chunk_grid"`
		ChunkKeyEncoding json.RawMessage   `json:"chunk_key_encoding"`
		FillValue        json.RawMessage   `json:"fill_value"`
		Codecs           []json.RawMessage `json:"codecs"`
		Attributes       map[string]any    `json:"attributes"`
		DimensionNames   []*string         `json:"dimension_names"`
		StorageTrans     []json.RawMessage `json:"storage_transformers"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidMetadata, err)
	}
	for _, f := range []string{"shape", "data_type", "chunk_grid", "chunk_key_encoding", "fill_value", "codecs"} {
		if _, ok := top[f]; !ok {
			return fmt.Errorf("%w: array lacks %q", ErrInvalidMetadata, f)
		}
	}
	if len(j.Shape) < 1 || len(j.Shape) > maxRank {
		return fmt.Errorf("%w: %d-D array (only rank 1…%d)", ErrUnsupported, len(j.Shape), maxRank)
	}
	for _, d := range j.Shape {
		if d < 0 {
			return fmt.Errorf("%w: negative shape %v", ErrInvalidMetadata, j.Shape)
		}
	}
	if !j.DataType.Valid() {
		return fmt.Errorf("%w: data type %q", ErrUnsupported, j.DataType)
	}
	var grid struct {
		Name          string          `json:"name"`
		Configuration json.RawMessage `json:"configuration"`
	}
	if err := json.Unmarshal(j.ChunkGrid, &grid); err != nil {
		return fmt.Errorf("%w: chunk_grid: %v", ErrInvalidMetadata, err)
	}
	if grid.Name != "regular" {
		return fmt.Errorf("%w: chunk grid %q", ErrUnsupported, grid.Name)
	}
	var gc struct {
		ChunkShape []int64 `json:"chunk_shape"`
	}
	if err := strictUnmarshal(grid.Configuration, &gc); err != nil {
		return fmt.Errorf("%w: chunk_grid configuration: %v", ErrInvalidMetadata, err)
	}
	if len(gc.ChunkShape) != len(j.Shape) {
		return fmt.Errorf("%w: chunk_shape %v for a %d-D array", ErrInvalidMetadata, gc.ChunkShape, len(j.Shape))
	}
	for _, d := range gc.ChunkShape {
		if d <= 0 {
			return fmt.Errorf("%w: chunk_shape %v", ErrInvalidMetadata, gc.ChunkShape)
		}
	}
	var ke struct {
		Name          string          `json:"name"`
		Configuration json.RawMessage `json:"configuration"`
	}
	if err := json.Unmarshal(j.ChunkKeyEncoding, &ke); err != nil {
		return fmt.Errorf("%w: chunk_key_encoding: %v", ErrInvalidMetadata, err)
	}
	var kc struct {
		Separator *string `json:"separator"`
	}
	if err := strictUnmarshal(ke.Configuration, &kc); err != nil {
		return fmt.Errorf("%w: chunk_key_encoding configuration: %v", ErrInvalidMetadata, err)
	}
	sep := "/"
	switch ke.Name {
	case "default":
	case "v2":
		sep = "."
	default:
		return fmt.Errorf("%w: chunk key encoding %q", ErrUnsupported, ke.Name)
	}
	if kc.Separator != nil {
		sep = *kc.Separator
	}
	if sep != "/" && sep != "." {
		return fmt.Errorf("%w: chunk key separator %q", ErrInvalidMetadata, sep)
	}
	if ke.Name == "v2" {
		return fmt.Errorf("%w: chunk key encoding \"v2\"", ErrUnsupported)
	}
	if len(j.StorageTrans) != 0 {
		return fmt.Errorf("%w: storage transformers", ErrUnsupported)
	}
	if _, err := parseFill(j.DataType, j.FillValue); err != nil {
		return err
	}
	codecs := make([]Codec, len(j.Codecs))
	for i, raw := range j.Codecs {
		var name string
		if json.Unmarshal(raw, &name) == nil {
			codecs[i] = Codec{Name: name}
			continue
		}
		var c struct {
			Name           string          `json:"name"`
			Configuration  json.RawMessage `json:"configuration"`
			MustUnderstand *bool           `json:"must_understand"`
		}
		if err := strictUnmarshal(raw, &c); err != nil || c.Name == "" {
			return fmt.Errorf("%w: codecs[%d]: %s", ErrInvalidMetadata, i, raw)
		}
		codecs[i] = Codec{Name: c.Name, Configuration: compact(c.Configuration)}
	}
	if len(j.DimensionNames) != 0 && len(j.DimensionNames) != len(j.Shape) {
		return fmt.Errorf("%w: %d dimension_names for a %d-D array", ErrInvalidMetadata, len(j.DimensionNames), len(j.Shape))
	}
	*m = ArrayMetadata{
		Shape: j.Shape, DataType: j.DataType, ChunkShape: gc.ChunkShape, Separator: sep,
		FillValue: compact(j.FillValue), Codecs: codecs, Attributes: j.Attributes,
	}
	for _, n := range j.DimensionNames {
		s := ""
		if n != nil {
			s = *n
		}
		m.DimensionNames = append(m.DimensionNames, s)
	}
	return nil
}

func compact(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// checkNode checks zarr_format, node_type and that every other top-level
// field is known or an extension that need not be understood.
func checkNode(top map[string]json.RawMessage, nodeType string, known ...string) error {
	var zf int
	if err := json.Unmarshal(top["zarr_format"], &zf); err != nil || zf != 3 {
		return fmt.Errorf("%w: zarr_format %s, want 3", ErrUnsupported, top["zarr_format"])
	}
	var nt string
	if err := json.Unmarshal(top["node_type"], &nt); err != nil || nt != nodeType {
		return fmt.Errorf("%w: node_type %s, want %q", ErrInvalidMetadata, top["node_type"], nodeType)
	}
	for k, v := range top {
		if k == "zarr_format" || k == "node_type" || k == "consolidated_metadata" {
			continue
		}
		found := false
		for _, kn := range known {
			if k == kn {
				found = true
				break
			}
		}
		if found {
			continue
		}
		var ext struct {
			MustUnderstand *bool `json:"must_understand"`
		}
		if json.Unmarshal(v, &ext) != nil || ext.MustUnderstand == nil || *ext.MustUnderstand {
			return fmt.Errorf("%w: field %q must be understood", ErrUnsupported, k)
		}
	}
	return nil
}

type consolidatedJSON struct {
	Kind           string                     `json:"kind"`
	MustUnderstand bool                       `json:"must_understand"`
	Metadata       map[string]json.RawMessage `json:"metadata"`
}

// MarshalJSON writes the group's zarr.json; with Consolidated set it adds the
// "consolidated_metadata" block the way zarr-python writes it (kind inline,
// must_understand false; keys sorted by depth then name).
func (g GroupMetadata) MarshalJSON() ([]byte, error) {
	attrs := g.Attributes
	if attrs == nil {
		attrs = map[string]any{}
	}
	ab, err := json.Marshal(attrs)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"zarr_format":3,"node_type":"group","attributes":`)
	b.Write(ab)
	if g.Consolidated != nil {
		b.WriteString(`,"consolidated_metadata":{"kind":"inline","must_understand":false,"metadata":{`)
		for i, k := range sortedConsolidatedKeys(g.Consolidated) {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			if err := json.Compact(&b, g.Consolidated[k]); err != nil {
				return nil, fmt.Errorf("consolidated metadata %q: %w", k, err)
			}
		}
		b.WriteString(`}}`)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON parses and validates a group zarr.json.
func (g *GroupMetadata) UnmarshalJSON(b []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidMetadata, err)
	}
	if err := checkNode(top, "group", "attributes"); err != nil {
		return err
	}
	var j struct {
		Attributes   map[string]any    `json:"attributes"`
		Consolidated *consolidatedJSON `json:"consolidated_metadata"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidMetadata, err)
	}
	*g = GroupMetadata{Attributes: j.Attributes}
	if j.Consolidated != nil {
		if j.Consolidated.Kind != "inline" {
			return fmt.Errorf("%w: consolidated_metadata kind %q", ErrUnsupported, j.Consolidated.Kind)
		}
		g.Consolidated = j.Consolidated.Metadata
		if g.Consolidated == nil {
			g.Consolidated = map[string]json.RawMessage{}
		}
	}
	return nil
}
