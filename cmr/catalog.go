package cmr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/internal/safefile"
	"github.com/zagg-go/zagg/morton"
)

// Catalog is a parent-cell catalog in zagg 0.1.0's JSON layout:
//
//	{"metadata": {…}, "catalog": {"<legacy morton>": ["s3://…h5", …], …}}
//
// Keys are the decimal legacy (signed int64) morton ids of the parent cells
// at metadata.parent_order; values list the granules whose footprints touch
// the cell. [Catalog.Encode] writes the bytes Python's json.dump(indent=2)
// writes, and a file read with [ParseCatalog] is written back byte for byte
// unless it was changed.
type Catalog struct {
	Metadata Metadata
	// Cells are the entries in file order; catalogs this package builds are
	// sorted by ascending legacy id (zagg 0.1.0's discovery order).
	Cells []CatalogCell

	trailing []byte // bytes after the JSON value in a parsed file
}

// CatalogCell is one catalog entry.
type CatalogCell struct {
	Cell morton.Cell
	// Granules are the granule URLs: the s3:// URL, or the https:// URL for
	// a granule without one. Built catalogs sort them by granule start time.
	Granules []string
}

// Key returns the entry's catalog key, the decimal legacy morton id.
func (c CatalogCell) Key() string {
	m, err := c.Cell.Legacy()
	if err != nil {
		return c.Cell.String()
	}
	return strconv.FormatInt(m, 10)
}

// Metadata is the catalog's "metadata" object. The first block of fields are
// zagg 0.1.0's keys, the second are this package's additions; a zero value
// (empty string, 0, nil) means the key is absent. Unknown keys are kept in
// Extra and written back.
type Metadata struct {
	ShortName     string    // "short_name"
	Version       string    // "version"
	Provider      string    // "provider"
	StartDate     string    // "start_date", YYYY-MM-DD
	EndDate       string    // "end_date", YYYY-MM-DD
	ParentOrder   int       // "parent_order", 1–18; required
	TotalGranules int       // "total_granules": granules CMR returned
	TotalCells    int       // "total_cells": cells with ≥ 1 granule
	Created       string    // "created", naive local ISO time as Python writes it
	S3Base        string    // "s3_base", "s3://<bucket>"
	HTTPSBase     string    // "https_base", "https://<host>/<bucket>"
	Cycle         int       // "cycle", the --cycle argument (the first of --cycles)
	LastCycle     int       // "last_cycle", the last of --cycles A-B (0 for one cycle)
	BBox          []float64 // "bbox", [W, S, E, N] sent to CMR
	Polygon       string    // "polygon", the --polygon path

	// Latitude is the convention cells were computed with ("latitude").
	// A file without the key is a zagg 0.1.0 catalog: Geodetic, and
	// LatitudeRecorded is false. The key is written when LatitudeRecorded is
	// set or Latitude is not Geodetic (the zero value, Authalic, is written).
	Latitude         healpix.LatitudeConvention
	LatitudeRecorded bool
	// CycleDefinition says how Cycle became dates ("cycle_definition"):
	// "zagg-0.1.0" (start 2018-10-13 + 91·(c−1) days) or "true" (granule
	// names carrying the cycle number).
	CycleDefinition string
	CMRQuery        string            // "cmr_query": the CMR search parameters, URL-encoded
	ZaggVersion     string            // "zagg_version": the program that wrote the file
	HTTPSURLs       map[string]string // "https_urls": s3:// URL → HTTPS twin
	Skipped         []SkippedGranule  // "skipped_granules": granules not in the catalog and why

	// Extra holds unknown keys verbatim.
	Extra map[string]json.RawMessage

	order []string                   // key order as read
	raw   map[string]json.RawMessage // values as read
}

// SkippedGranule is a granule CMR returned that is in no cell, and why.
type SkippedGranule struct {
	Granule string `json:"granule"`
	Reason  string `json:"reason"`
}

// metadataKeys is the canonical key order: zagg 0.1.0's, then ours.
var metadataKeys = []string{
	"short_name", "version", "provider", "start_date", "end_date", "parent_order",
	"total_granules", "total_cells", "created", "s3_base", "https_base", "cycle", "bbox", "polygon",
	"latitude", "cycle_definition", "last_cycle", "cmr_query", "zagg_version", "https_urls", "skipped_granules",
}

// MaxCatalogBytes bounds a catalog file read by LoadCatalog.
const MaxCatalogBytes = 1 << 30

// Limits [ParseCatalog] enforces, so that a hostile catalog cannot make
// decoding allocate many times its size.
const (
	// MaxCatalogString bounds every JSON string of a catalog (keys and
	// values, escapes counted as written).
	MaxCatalogString = 1 << 20
	// MaxGranuleURL bounds the length of one granule URL.
	MaxGranuleURL = 16 << 10
	// MaxCellGranules bounds the granules of one catalog entry.
	MaxCellGranules = 1 << 20
	// MaxCatalogCells bounds the entries of a catalog.
	MaxCatalogCells = 1 << 24
)

// LoadCatalog reads a catalog file (see [ParseCatalog]). A file larger
// than MaxCatalogBytes is refused before it is read.
func LoadCatalog(path string) (*Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCatalog, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxCatalogBytes {
		return nil, fmt.Errorf("%w: %s: file of %d bytes is larger than %d bytes", ErrCatalog, path, st.Size(), MaxCatalogBytes)
	}
	// Read in blocks, checking string lengths as they come, so a file
	// made of one huge string is refused after MaxCatalogString bytes of
	// it, not after reading it whole.
	var (
		buf  bytes.Buffer
		scan stringScan
		blk  = make([]byte, 1<<20)
		lr   = io.LimitReader(f, MaxCatalogBytes+1)
	)
	for {
		n, err := lr.Read(blk)
		if off, ln := scan.feed(blk[:n], MaxCatalogString); off >= 0 {
			return nil, fmt.Errorf("%w: %s: the string at byte %d is %d bytes long or more, longer than %d bytes", ErrCatalog, path, off, ln, MaxCatalogString)
		}
		buf.Write(blk[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCatalog, path, err)
		}
	}
	data := buf.Bytes()
	if len(data) > MaxCatalogBytes {
		return nil, fmt.Errorf("%w: %s: larger than %d bytes", ErrCatalog, path, MaxCatalogBytes)
	}
	c, err := ParseCatalog(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseCatalog decodes and validates a catalog. Errors wrap [ErrCatalog]
// and name the offending key: a metadata value of the wrong type, a
// parent_order outside 1–18, a catalog key that is not a legacy morton id
// at parent_order, a repeated key, a value that is not a list of non-empty
// strings, or a total_cells that disagrees with the entries. Before
// decoding, every string is checked against MaxCatalogString; then entries
// against MaxCatalogCells, MaxCellGranules and MaxGranuleURL.
func ParseCatalog(data []byte) (*Catalog, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrCatalog, fmt.Sprintf(format, args...))
	}
	if off, n := longString(data, MaxCatalogString); off >= 0 {
		return nil, bad("the string at byte %d is %d bytes long or more, longer than %d bytes", off, n, MaxCatalogString)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	top, err := readObject(dec, "top level")
	if err != nil {
		return nil, bad("%v", err)
	}
	c := &Catalog{trailing: bytes.Clone(data[dec.InputOffset():])}
	if len(bytes.TrimSpace(c.trailing)) != 0 {
		return nil, bad("data after the JSON object")
	}
	var mdRaw, catRaw json.RawMessage
	for _, kv := range top {
		switch kv.key {
		case "metadata":
			mdRaw = kv.val
		case "catalog":
			catRaw = kv.val
		default:
			return nil, bad("unknown top-level key %q", kv.key)
		}
	}
	if mdRaw == nil {
		return nil, bad(`no "metadata" object`)
	}
	if catRaw == nil {
		return nil, bad(`no "catalog" object`)
	}
	if err := c.Metadata.decode(mdRaw); err != nil {
		return nil, bad("%v", err)
	}
	cdec := json.NewDecoder(bytes.NewReader(catRaw))
	entries, err := readObject(cdec, "catalog")
	if err != nil {
		return nil, bad("%v", err)
	}
	if len(entries) > MaxCatalogCells {
		return nil, bad("%d catalog entries, more than %d", len(entries), MaxCatalogCells)
	}
	c.Cells = make([]CatalogCell, 0, len(entries))
	for _, kv := range entries {
		m, err := strconv.ParseInt(kv.key, 10, 64)
		if err != nil {
			return nil, bad("catalog[%q]: key is not a legacy morton id", kv.key)
		}
		cell, err := morton.FromLegacy(m)
		if err != nil {
			return nil, bad("catalog[%q]: %v", kv.key, err)
		}
		if cell.Order() != c.Metadata.ParentOrder {
			return nil, bad("catalog[%q]: cell of order %d, metadata.parent_order is %d", kv.key, cell.Order(), c.Metadata.ParentOrder)
		}
		var urls []string
		if err := json.Unmarshal(kv.val, &urls); err != nil || urls == nil {
			return nil, bad("catalog[%q]: want a list of granule URL strings", kv.key)
		}
		if len(urls) > MaxCellGranules {
			return nil, bad("catalog[%q]: %d granules, more than %d", kv.key, len(urls), MaxCellGranules)
		}
		for i, u := range urls {
			if strings.TrimSpace(u) == "" {
				return nil, bad("catalog[%q][%d]: empty granule URL", kv.key, i)
			}
			if len(u) > MaxGranuleURL {
				return nil, bad("catalog[%q][%d]: granule URL of %d bytes, longer than %d", kv.key, i, len(u), MaxGranuleURL)
			}
		}
		c.Cells = append(c.Cells, CatalogCell{Cell: cell, Granules: urls})
	}
	if _, ok := c.Metadata.raw["total_cells"]; ok && c.Metadata.TotalCells != len(c.Cells) {
		return nil, bad("metadata.total_cells is %d but the catalog has %d entries", c.Metadata.TotalCells, len(c.Cells))
	}
	return c, nil
}

// longString returns the byte offset of the first JSON string in data
// longer than limit bytes (as written, quotes excluded) and its length as
// far as it was scanned (limit+1), or -1. It does not validate JSON: it
// only follows quotes and backslash escapes, allocating nothing.
func longString(data []byte, limit int) (int, int) {
	var s stringScan
	off, n := s.feed(data, limit)
	return int(off), n
}

// stringScan finds long JSON strings in data fed to it block by block.
type stringScan struct {
	pos   int64 // bytes fed so far
	in    bool  // inside a string
	esc   bool  // the previous byte was a backslash inside a string
	start int64 // offset of the opening quote of the current string
}

// feed scans the next block; it returns the offset and the length so far
// of the first string longer than limit, or -1.
func (s *stringScan) feed(b []byte, limit int) (int64, int) {
	for i, c := range b {
		at := s.pos + int64(i)
		switch {
		case !s.in:
			if c == '"' {
				s.in, s.start = true, at
			}
			continue
		case s.esc:
			s.esc = false
		case c == '\\':
			s.esc = true
		case c == '"':
			s.in = false
			continue
		}
		if n := at - s.start; n > int64(limit) { // bytes start+1..at are in the string
			return s.start, int(n)
		}
	}
	s.pos += int64(len(b))
	return -1, 0
}

type keyValue struct {
	key string
	val json.RawMessage
}

// readObject reads one JSON object member by member, in order, rejecting
// repeated keys (encoding/json would silently keep the last).
func readObject(dec *json.Decoder, what string) ([]keyValue, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	if t != json.Delim('{') {
		return nil, fmt.Errorf("%s: not a JSON object", what)
	}
	var out []keyValue
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", what, err)
		}
		key, _ := t.(string)
		if seen[key] {
			return nil, fmt.Errorf("%s[%q]: repeated key", what, key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s[%q]: %v", what, key, err)
		}
		out = append(out, keyValue{key, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	return out, nil
}

func (md *Metadata) decode(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	kvs, err := readObject(dec, "metadata")
	if err != nil {
		return err
	}
	md.raw = map[string]json.RawMessage{}
	md.Latitude = healpix.Geodetic
	for _, kv := range kvs {
		md.order = append(md.order, kv.key)
		md.raw[kv.key] = kv.val
		if err := md.set(kv.key, kv.val); err != nil {
			return fmt.Errorf("metadata.%s: %v", kv.key, err)
		}
	}
	if _, ok := md.raw["parent_order"]; !ok {
		return fmt.Errorf("metadata.parent_order is missing")
	}
	if md.ParentOrder < 1 || md.ParentOrder > morton.MaxLegacyOrder {
		return fmt.Errorf("metadata.parent_order %d: want 1–%d", md.ParentOrder, morton.MaxLegacyOrder)
	}
	return nil
}

func (md *Metadata) set(key string, val json.RawMessage) error {
	str := func(dst *string) error {
		if err := json.Unmarshal(val, dst); err != nil {
			return fmt.Errorf("want a string, got %s", clip(val))
		}
		return nil
	}
	num := func(dst *int) error {
		var f float64
		if err := json.Unmarshal(val, &f); err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return fmt.Errorf("want an integer, got %s", clip(val))
		}
		*dst = int(f)
		return nil
	}
	switch key {
	case "short_name":
		return str(&md.ShortName)
	case "version":
		return str(&md.Version)
	case "provider":
		return str(&md.Provider)
	case "start_date":
		return str(&md.StartDate)
	case "end_date":
		return str(&md.EndDate)
	case "parent_order":
		return num(&md.ParentOrder)
	case "total_granules":
		return num(&md.TotalGranules)
	case "total_cells":
		return num(&md.TotalCells)
	case "created":
		return str(&md.Created)
	case "s3_base":
		return str(&md.S3Base)
	case "https_base":
		return str(&md.HTTPSBase)
	case "cycle":
		return num(&md.Cycle)
	case "last_cycle":
		return num(&md.LastCycle)
	case "bbox":
		if err := json.Unmarshal(val, &md.BBox); err != nil || len(md.BBox) != 4 {
			return fmt.Errorf("want a list of 4 numbers, got %s", clip(val))
		}
	case "polygon":
		return str(&md.Polygon)
	case "latitude":
		var s string
		if err := str(&s); err != nil {
			return err
		}
		conv, err := healpix.ParseLatitudeConvention(s)
		if err != nil {
			return err
		}
		md.Latitude, md.LatitudeRecorded = conv, true
	case "cycle_definition":
		return str(&md.CycleDefinition)
	case "cmr_query":
		return str(&md.CMRQuery)
	case "zagg_version":
		return str(&md.ZaggVersion)
	case "https_urls":
		if err := json.Unmarshal(val, &md.HTTPSURLs); err != nil {
			return fmt.Errorf("want an object of URL strings, got %s", clip(val))
		}
	case "skipped_granules":
		if err := json.Unmarshal(val, &md.Skipped); err != nil {
			return fmt.Errorf("want a list of {granule, reason}, got %s", clip(val))
		}
	default:
		if md.Extra == nil {
			md.Extra = map[string]json.RawMessage{}
		}
		md.Extra[key] = val
	}
	return nil
}

func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

// encodeValue writes the compact Python-style encoding of key's value, or
// nil if the key is absent.
func (md *Metadata) encodeValue(key string) ([]byte, error) {
	var b []byte
	_, had := md.raw[key]
	str := func(s string) []byte {
		if s == "" && !had {
			return nil
		}
		return appendPyString(nil, s)
	}
	num := func(v int, present bool) []byte {
		if !present {
			return nil
		}
		return strconv.AppendInt(nil, int64(v), 10)
	}
	switch key {
	case "short_name":
		b = str(md.ShortName)
	case "version":
		b = str(md.Version)
	case "provider":
		b = str(md.Provider)
	case "start_date":
		b = str(md.StartDate)
	case "end_date":
		b = str(md.EndDate)
	case "parent_order":
		b = num(md.ParentOrder, true)
	case "total_granules":
		b = num(md.TotalGranules, md.TotalGranules != 0 || had)
	case "total_cells":
		b = num(md.TotalCells, md.TotalCells != 0 || had)
	case "created":
		b = str(md.Created)
	case "s3_base":
		b = str(md.S3Base)
	case "https_base":
		b = str(md.HTTPSBase)
	case "cycle":
		b = num(md.Cycle, md.Cycle != 0 || had)
	case "last_cycle":
		b = num(md.LastCycle, md.LastCycle != 0 || had)
	case "bbox":
		if md.BBox != nil {
			b = append(b, '[')
			for i, v := range md.BBox {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%w: metadata.bbox[%d] is %v", ErrCatalog, i, v)
				}
				if i > 0 {
					b = append(b, ',')
				}
				b = appendPyFloat(b, v)
			}
			b = append(b, ']')
		}
	case "polygon":
		b = str(md.Polygon)
	case "latitude":
		// Written whenever it is not implied: a file without the key reads
		// as geodetic.
		if md.LatitudeRecorded || md.Latitude != healpix.Geodetic {
			b = str(md.Latitude.String())
		}
	case "cycle_definition":
		b = str(md.CycleDefinition)
	case "cmr_query":
		b = str(md.CMRQuery)
	case "zagg_version":
		b = str(md.ZaggVersion)
	case "https_urls":
		if md.HTTPSURLs != nil {
			keys := make([]string, 0, len(md.HTTPSURLs))
			for k := range md.HTTPSURLs {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			b = append(b, '{')
			for i, k := range keys {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendPyString(b, k)
				b = append(b, ':')
				b = appendPyString(b, md.HTTPSURLs[k])
			}
			b = append(b, '}')
		}
	case "skipped_granules":
		if md.Skipped != nil {
			b = append(b, '[')
			for i, s := range md.Skipped {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"granule":`...)
				b = appendPyString(b, s.Granule)
				b = append(b, `,"reason":`...)
				b = appendPyString(b, s.Reason)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
	default:
		if v, ok := md.Extra[key]; ok {
			var c bytes.Buffer
			if err := json.Compact(&c, v); err != nil {
				return nil, fmt.Errorf("%w: metadata.%s: %v", ErrCatalog, key, err)
			}
			return c.Bytes(), nil
		}
		return nil, nil
	}
	// Keep the bytes as read when the value did not change (so "-180.0"
	// stays "-180.0" and escapes stay as written).
	if old, ok := md.raw[key]; ok && b != nil && sameJSON(old, b) {
		var c bytes.Buffer
		if json.Compact(&c, old) == nil {
			return c.Bytes(), nil
		}
	}
	return b, nil
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// Encode writes the catalog as Python's json.dump(catalog, indent=2) would:
// metadata keys in the order read (new catalogs: zagg 0.1.0's order, then
// ours), catalog entries in Cells order.
func (c *Catalog) Encode() ([]byte, error) {
	md := &c.Metadata
	if md.ParentOrder < 1 || md.ParentOrder > morton.MaxLegacyOrder {
		return nil, fmt.Errorf("%w: parent order %d outside 1–%d", ErrCatalog, md.ParentOrder, morton.MaxLegacyOrder)
	}
	if _, had := md.raw["total_cells"]; (had || md.TotalCells != 0) && md.TotalCells != len(c.Cells) {
		return nil, fmt.Errorf("%w: metadata total_cells is %d but there are %d cells", ErrCatalog, md.TotalCells, len(c.Cells))
	}
	keys := slices.Clone(md.order)
	for _, k := range metadataKeys {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	extra := make([]string, 0, len(md.Extra))
	for k := range md.Extra {
		if !slices.Contains(keys, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	keys = append(keys, extra...)

	b := []byte(`{"metadata":{`)
	first := true
	for _, k := range keys {
		v, err := md.encodeValue(k)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendPyString(b, k)
		b = append(b, ':')
		b = append(b, v...)
	}
	b = append(b, `},"catalog":{`...)
	seen := make(map[morton.Cell]bool, len(c.Cells))
	for i, cell := range c.Cells {
		m, err := cell.Cell.Legacy()
		if err != nil || cell.Cell.Order() != md.ParentOrder {
			return nil, fmt.Errorf("%w: entry %d: cell %v is not a legacy cell of order %d", ErrCatalog, i, cell.Cell, md.ParentOrder)
		}
		if seen[cell.Cell] {
			return nil, fmt.Errorf("%w: entry %d: cell %d appears twice", ErrCatalog, i, m)
		}
		seen[cell.Cell] = true
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = strconv.AppendInt(b, m, 10)
		b = append(b, `":[`...)
		for j, u := range cell.Granules {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendPyString(b, u)
		}
		b = append(b, ']')
	}
	b = append(b, "}}"...)
	out, err := pyIndent(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCatalog, err)
	}
	return append(out, c.trailing...), nil
}

// WriteFile encodes the catalog into path (a new file gets mode 0644 less
// the umask) with [safefile.Write]: a regular file is replaced atomically
// (write to a temporary file, then rename), a symbolic link is followed, and
// a character device or FIFO (/dev/stdout, a named pipe) is written to
// directly instead of being replaced.
func (c *Catalog) WriteFile(path string) error {
	data, err := c.Encode()
	if err != nil {
		return err
	}
	return safefile.WriteFile(path, data, 0o644)
}

// Cell returns the granules of a cell, or nil.
func (c *Catalog) Cell(cell morton.Cell) []string {
	for _, e := range c.Cells {
		if e.Cell == cell {
			return e.Granules
		}
	}
	return nil
}
