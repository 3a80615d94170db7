package config

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/internal/yamlx"
	"github.com/zagg-go/zagg/zarrstore"
)

// Config errors. Every error Load, Parse and Builtin return
// is a *Error (use errors.As for the key path and line) that matches
// ErrInvalid under errors.Is, and also matches the specific sentinel below or
// the agg sentinel (agg.ErrUnknownFunction, agg.ErrUnknownColumn, ...) of the
// problem.
var (
	// ErrInvalid matches every configuration error.
	ErrInvalid = errors.New("config: invalid config")
	// ErrSyntax: the document is not YAML (or JSON).
	ErrSyntax = errors.New("config: config syntax error")
	// ErrUnknownKey: a key the schema does not define.
	ErrUnknownKey = errors.New("config: unknown config key")
	// ErrMissingKey: a required section or key is absent or empty.
	ErrMissingKey = errors.New("config: missing config key")
	// ErrInvalidValue: a value of the wrong type or outside its range.
	ErrInvalidValue = errors.New("config: invalid config value")
	// ErrNoBuiltin: Builtin was asked for a name it does not ship.
	ErrNoBuiltin = errors.New("config: no built-in config")
)

// Error locates a configuration error: File is the config's name (file
// path, or "atl06" for a built-in), Path the YAML key path
// ("aggregation.variables.h_mean.params.weights"), Line and Column the
// 1-based position yaml.v3 reports (0 when unknown). It is the one
// positional error of zagg's YAML walker, the same type as agg.FieldError;
// every Error a config function returns matches ErrInvalid (its Class).
type Error = yamlx.Error

// at builds an Error at node n.
func at(n *yaml.Node, path string, sentinel error, format string, args ...any) error {
	return yamlx.Errorf(n, path, sentinel, format, args...)
}

// Driver is how granules are read.
type Driver string

// The drivers.
const (
	DriverS3    Driver = "s3"    // S3 ranged GETs (NSIDC's bucket; us-west-2); the default
	DriverHTTPS Driver = "https" // HTTPS ranged GETs with an Earthdata token
	DriverFile  Driver = "file"  // local files (tests, demo, pre-downloaded granules)
)

// ErrorPolicy says what a worker does when one granule of its cell fails
// to read.
type ErrorPolicy string

// The policies.
const (
	// FailOnGranuleError fails the cell (and writes nothing for it). Default.
	FailOnGranuleError ErrorPolicy = "fail"
	// SkipGranuleError logs and skips the granule; the cell result lists it.
	SkipGranuleError ErrorPolicy = "skip"
)

// Config is a pipeline configuration: zagg 0.1.0's YAML schema
// (data_source, aggregation, output, catalog, bounds) plus this port's keys
// (data_source.filters, data_source.on_granule_error, output.grid.parent_order,
// output.codec, output.inner_chunk_order, output.latitude, output.orders).
// Build it with Load, Parse or Builtin, which validate it
// completely: a config that loads never fails later for a reason visible in
// the file.
type Config struct {
	DataSource  DataSource // what to read and which rows to keep
	Aggregation agg.Spec   // the statistics (see package agg)
	Output      Output     // grid, store and encoding
	// Catalog is the catalog JSON path or URL (optional; a run may pass it).
	Catalog string
	// Bounds is zagg 0.1.0's optional bounds section: validated, not used.
	Bounds *Bounds
	// Notes are remarks on how the file was read (e.g. a key accepted in an
	// undocumented place); the commands print them.
	Notes []string

	name string
}

// DataSource is the data_source section.
type DataSource struct {
	// Reader is informational ("h5coro" in zagg 0.1.0 files; "h5read").
	Reader string
	// Driver is s3 (default), https or file.
	Driver Driver
	// Groups are substituted for {group} in the path templates (ATL06: the
	// six beams gt1l ... gt3r).
	Groups []string
	// Latitude and Longitude are the coordinate dataset path templates.
	Latitude, Longitude string
	// Variables maps column names to dataset path templates, in YAML order.
	Variables []DataVariable
	// QualityFilter is zagg 0.1.0's quality_filter (keep dataset == value),
	// nil when absent.
	QualityFilter *QualityFilter
	// Filters are the generalised filters (data_source.filters).
	Filters []FilterSpec
	// OnGranuleError is fail (default) or skip.
	OnGranuleError ErrorPolicy
}

// DataVariable is one column read from the granules.
type DataVariable struct {
	Name string // column name used by the aggregation
	Path string // dataset path template, e.g. "/{group}/land_ice_segments/h_li"
}

// QualityFilter keeps the rows whose Dataset value equals Value.
type QualityFilter struct {
	Dataset string
	Value   float64
}

// FilterSpec is one entry of data_source.filters: the column is either a
// Variable of data_source.variables or a Dataset path template read only for
// filtering.
//
//	filters:
//	  - {variable: h_li, op: between, value: [-500, 9000]}
//	  - {dataset: "/{group}/land_ice_segments/atl06_quality_summary", op: "==", value: 0}
//	  - {variable: s_li, op: "<", value: 1.0}
//	  - {dataset: "/{group}/heights/signal_conf_ph[:, 3]", op: ">=", value: 3}
//
// A dataset path (here, as in variables and quality_filter) may end in a
// column selector "[:, k]": column k of a 2-D dataset (see ParseColumn).
type FilterSpec struct {
	Variable string
	Dataset  string
	Op       agg.Op
	Values   []float64
}

// Output is the output section.
type Output struct {
	Grid Grid
	// Store is the output store (local path or s3://bucket/prefix); optional.
	Store string
	// Codec compresses every chunk: output.codec, zarrstore's codec choice
	// with its level resolved (default zstd level 3; gzip's default is 5).
	// The sharding of output.inner_chunk_order is added by the store.
	Codec zarrstore.Codecs
	// InnerChunkOrder, when > 0, writes each parent cell as one
	// sharding_indexed shard whose inner chunks hold the cells of one
	// order-InnerChunkOrder cell (parent_order < InnerChunkOrder ≤ child_order).
	InnerChunkOrder int
	// Latitude is the latitude convention: healpix.Authalic (the default,
	// "authalic") or healpix.Geodetic ("geodetic", zagg 0.1.0's cell
	// assignment).
	Latitude healpix.LatitudeConvention
	// LatitudeSet reports whether the config states output.latitude. A
	// config that does not (every zagg 0.1.0 config) follows the catalog's
	// convention (Catalog.Convention).
	LatitudeSet bool
	// Orders lists the orders to write; empty means every order from
	// child_order down to parent_order. Orders below parent_order are written
	// by the finalize step (mergeable statistics only).
	Orders []int
	// Time, when set, splits the run into time windows (output.time).
	Time *Time
	// Trend, when set, fits a per-cell trend over the windows
	// (output.trend; needs Time).
	Trend *Trend

	timeNode, trendNode *yaml.Node // for errors found after parsing
}

// Grid is output.grid.
type Grid struct {
	Type           string // "healpix" (the only one)
	IndexingScheme string // "nested" (the only one)
	ChildOrder     int    // finest output order
	// ParentOrder overrides the catalog's metadata.parent_order when ≥ 0;
	// -1 when absent.
	ParentOrder int
}

// Bounds is zagg 0.1.0's bounds section.
type Bounds struct {
	StartDate, EndDate string // YYYY-MM-DD; both set or both empty
	Spatial            any    // free-form, as decoded from YAML
}

// The built-in configs, shipped in the binary.
//
//go:embed builtin/*.yaml
var builtin embed.FS

// BuiltinNames returns the names Builtin accepts.
func BuiltinNames() []string {
	ents, _ := fs.ReadDir(builtin, "builtin")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// Builtin returns the built-in config of that name: "atl06" is zagg
// 0.1.0's ATL06 land-ice config (count, h_min, h_max, inverse-variance
// weighted h_mean, h_sigma, h_variance, h_q25/h_q50/h_q75 at order 12);
// "atl07" is the ATL07 sea-ice config (count, h_min, h_max, h_mean, h_std,
// h_median of height_segment_height, rms_mean and lead_fraction at order 12,
// from the segments whose height_segment_fit_quality_flag is 1 or 2);
// "atl03" (photon heights h_ph with medium/high land-ice signal_conf_ph),
// "atl08" (terrain and canopy heights of the land segments), "atl10"
// (release-006 sea-ice freeboard) and "gedi_l2a" (GEDI L2A elev_lowestmode
// of the shots with quality_flag 1) are documented in their YAML headers
// (pipeline/config/builtin/*.yaml).
func Builtin(name string) (*Config, error) {
	b, err := builtin.ReadFile("builtin/" + name + ".yaml")
	if err != nil || strings.ContainsAny(name, "/\\") {
		return nil, &Error{File: name, Class: ErrInvalid, Err: yamlx.Msg(ErrNoBuiltin,
			"No built-in config named '%s' (have: %s)", name, strings.Join(BuiltinNames(), ", "))}
	}
	return Parse(name, b)
}

// Open returns the config a command names: a built-in config by name
// ("atl06", see BuiltinNames) unless a file of that name exists, else the
// config file at nameOrPath; "" means the built-in "atl06". Both commands
// (examples/local and examples/lambda) resolve --config with it.
func Open(nameOrPath string) (*Config, error) {
	if nameOrPath == "" {
		return Builtin("atl06")
	}
	if _, err := os.Stat(nameOrPath); err != nil && slices.Contains(BuiltinNames(), nameOrPath) {
		return Builtin(nameOrPath)
	}
	return Load(nameOrPath)
}

// Load reads and validates the YAML (or JSON) config file at path.
// It reads at most 1 MiB and one byte: a larger file (or an endless one,
// such as /dev/zero) is refused without being read whole.
func Load(path string) (*Config, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, &Error{File: path, Err: err, Class: ErrInvalid}
	}
	return Parse(filepath.Base(path), b)
}

// readFile reads a config file of at most maxBytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	defer f.Close()
	tooLarge := yamlx.Msg(ErrSyntax, "config larger than %d bytes", maxBytes)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > maxBytes {
		return nil, tooLarge
	}
	b, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	if len(b) > maxBytes {
		return nil, tooLarge
	}
	return b, nil
}

// maxBytes bounds the size of a config document.
const maxBytes = 1 << 20

// Parse parses and validates a YAML (or JSON) config document; name
// labels errors (a file name).
func Parse(name string, data []byte) (*Config, error) {
	c, err := parse(data)
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.File, ce.Class = name, ErrInvalid
			return nil, ce
		}
		return nil, &Error{File: name, Err: err, Class: ErrInvalid}
	}
	c.name = name
	return c, nil
}

func parse(data []byte) (*Config, error) {
	if len(data) > maxBytes {
		return nil, &Error{Err: yamlx.Msg(ErrSyntax, "config larger than %d bytes", maxBytes)}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && err.Error() != "EOF" {
		return nil, syntaxError(err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == 0 || (root.Kind == yaml.ScalarNode && root.Tag == "!!null") {
		return nil, at(nil, "", ErrMissingKey, "Missing required section: data_source")
	}
	if err := checkAliases(root, 0); err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, at(root, "", ErrInvalidValue, "config must be a mapping with data_source, aggregation and output")
	}
	c := &Config{}
	sections := map[string]*yaml.Node{}
	var keys []*yaml.Node
	err := yamlx.Pairs(root, "", ErrInvalidValue, func(key, _ string, k, v *yaml.Node) error {
		switch key {
		case "data_source", "aggregation", "output", "catalog", "bounds", "store":
			sections[key] = v
			keys = append(keys, k)
			return nil
		}
		return at(k, key, ErrUnknownKey, "unknown top-level key '%s' (allowed: data_source, aggregation, output, catalog, bounds, store)", key)
	})
	if err != nil {
		return nil, err
	}
	for _, s := range []string{"data_source", "aggregation", "output"} {
		n := sections[s]
		if n == nil || yamlx.IsEmpty(n) {
			return nil, at(n, s, ErrMissingKey, "Missing required section: %s", s)
		}
	}
	if err := c.DataSource.parse(sections["data_source"]); err != nil {
		return nil, err
	}
	if err := c.Output.parse(sections["output"]); err != nil {
		return nil, err
	}
	if n := sections["store"]; n != nil && !yamlx.IsEmpty(n) {
		// zagg 0.1.0's quickstart config puts the store at the top level.
		s, err := yamlx.String(n, "store", ErrInvalidValue)
		if err != nil {
			return nil, err
		}
		switch c.Output.Store {
		case "", s:
			c.Output.Store = s
			c.Notes = append(c.Notes, fmt.Sprintf("line %d: top-level store: read as output.store (the documented place)", n.Line))
		default:
			return nil, at(n, "store", ErrInvalidValue, "top-level store '%s' differs from output.store '%s' (keep one: output.store)", s, c.Output.Store)
		}
	}
	if n := sections["catalog"]; n != nil && !yamlx.IsEmpty(n) {
		s, err := yamlx.String(n, "catalog", ErrInvalidValue)
		if err != nil {
			return nil, err
		}
		c.Catalog = s
	}
	if n := sections["bounds"]; n != nil && !yamlx.IsEmpty(n) {
		b, err := parseBounds(n)
		if err != nil {
			return nil, err
		}
		c.Bounds = b
	}
	if err := sections["aggregation"].Decode(&c.Aggregation); err != nil {
		return nil, aggError(err)
	}
	// Resolve the aggregation against the data source now, so that unknown
	// columns and functions fail at load, not inside a worker.
	a, err := c.CompileAggregation()
	if err != nil {
		return nil, err
	}
	if err := c.checkTime(a, c.Output.timeNode, c.Output.trendNode); err != nil {
		return nil, err
	}
	if err := c.CheckCoordinates(a); err != nil {
		return nil, err
	}
	return c, nil
}

// syntaxError converts a yaml.v3 error ("yaml: line 3: ...") to a
// Error carrying the line.
func syntaxError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	ce := &Error{}
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &ce.Line)
		msg = strings.TrimPrefix(msg[len(m[0]):], " ")
	}
	ce.Err = yamlx.Msg(ErrSyntax, "%s", msg)
	return ce
}

var lineRE = regexp.MustCompile(`^line (\d+):`)

// checkAliases rejects deep nesting and alias bombs (a billion laughs would
// otherwise expand when the aggregation section is decoded).
func checkAliases(n *yaml.Node, depth int) error {
	if depth > 32 {
		return at(n, "", ErrInvalidValue, "config nested deeper than 32 levels")
	}
	if n.Kind == yaml.AliasNode {
		return at(n, "", ErrInvalidValue, "YAML aliases (*%s) are not supported in configs", n.Value)
	}
	for _, c := range n.Content {
		if err := checkAliases(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// aggError places an agg error (a *agg.FieldError, whose path is inside the
// aggregation section) in the config.
func aggError(err error) error {
	var fe *agg.FieldError
	if errors.As(err, &fe) {
		return &Error{Path: yamlx.Join("aggregation", fe.Path), Line: fe.Line, Column: fe.Column, Err: fe.Err, Class: ErrInvalid}
	}
	return &Error{Path: "aggregation", Err: err, Class: ErrInvalid}
}

// CompileAggregation compiles the aggregation section against the data source's
// columns and filters. Each call returns an independent Aggregator (one per
// goroutine); pipeline.NewAggregator wraps it for the per-cell path.
func (c *Config) CompileAggregation() (*agg.Aggregator, error) {
	cols := make([]string, len(c.DataSource.Variables))
	for i, v := range c.DataSource.Variables {
		cols[i] = v.Name
	}
	a, err := agg.Compile(&c.Aggregation, cols, c.Filters()...)
	if err != nil {
		return nil, aggError(err)
	}
	return a, nil
}

// Filters returns the data source's filters as agg filters: quality_filter
// first, then data_source.filters. A filter on a variable names its column;
// a filter on a dataset uses the dataset's path template as the column name
// (see DataSource.PathOf).
func (c *Config) Filters() []agg.Filter {
	var fs []agg.Filter
	if q := c.DataSource.QualityFilter; q != nil {
		fs = append(fs, agg.Filter{Column: q.Dataset, Op: agg.OpEq, Values: []float64{q.Value}})
	}
	for _, f := range c.DataSource.Filters {
		col := f.Variable
		if col == "" {
			col = f.Dataset
		}
		fs = append(fs, agg.Filter{Column: col, Op: f.Op, Values: slices.Clone(f.Values)})
	}
	return fs
}

// Name returns the name the config was loaded under (file base name or
// built-in name).
func (c *Config) Name() string { return c.name }

// PathOf returns the dataset path template of an aggregation column (an
// entry of Aggregator.Columns): a data_source.variables name maps to its
// path; a filter dataset column is its own path template.
func (d *DataSource) PathOf(column string) (string, bool) {
	for _, v := range d.Variables {
		if v.Name == column {
			return v.Path, true
		}
	}
	if strings.HasPrefix(column, "/") {
		return column, true
	}
	return "", false
}

// ExpandPath substitutes group for {group} in a path template.
func ExpandPath(template, group string) string {
	return strings.ReplaceAll(template, "{group}", group)
}

// ParentOrder returns output.grid.parent_order if the config sets it, else
// catalogOrder (the catalog's metadata.parent_order), and checks it against
// child_order and agg.MaxDepth.
func (c *Config) ParentOrder(catalogOrder int) (int, error) {
	p := catalogOrder
	if c.Output.Grid.ParentOrder >= 0 {
		p = c.Output.Grid.ParentOrder
	}
	ch := c.Output.Grid.ChildOrder
	if p < 0 || p > ch {
		return 0, at(nil, "output.grid.child_order", ErrInvalidValue, "child_order (%d) must be >= parent_order (%d)", ch, p)
	}
	if ch-p > agg.MaxDepth {
		return 0, at(nil, "output.grid.child_order", ErrInvalidValue, "child_order (%d) - parent_order (%d) exceeds %d", ch, p, agg.MaxDepth)
	}
	for _, o := range c.Output.Orders {
		if o > ch {
			return 0, at(nil, "output.orders", ErrInvalidValue, "order %d is finer than child_order %d", o, ch)
		}
	}
	return p, nil
}

// WriteOrders returns the orders to write for a parent order, finest first:
// output.orders if set, else child_order down to parentOrder.
func (c *Config) WriteOrders(parentOrder int) []int {
	if len(c.Output.Orders) > 0 {
		o := slices.Clone(c.Output.Orders)
		slices.Sort(o)
		slices.Reverse(o)
		return o
	}
	var o []int
	for k := c.Output.Grid.ChildOrder; k >= parentOrder; k-- {
		o = append(o, k)
	}
	return o
}

// ---- data_source ----------------------------------------------------------

var placeholderRE = regexp.MustCompile(`\{[^}]*\}`)

func checkTemplate(n *yaml.Node, path, tmpl string, groups []string) error {
	if strings.TrimSpace(tmpl) == "" {
		return at(n, path, ErrInvalidValue, "empty dataset path")
	}
	if !strings.HasPrefix(tmpl, "/") {
		return at(n, path, ErrInvalidValue, "dataset path '%s' must be absolute (start with '/')", tmpl)
	}
	for _, ph := range placeholderRE.FindAllString(tmpl, -1) {
		if ph != "{group}" {
			return at(n, path, ErrInvalidValue, "unknown placeholder %s in '%s' (only {group} is substituted)", ph, tmpl)
		}
		if len(groups) == 0 {
			return at(n, path, ErrMissingKey, "'%s' uses {group} but data_source.groups is empty", tmpl)
		}
	}
	if strings.ContainsAny(placeholderRE.ReplaceAllString(tmpl, ""), "{}") {
		return at(n, path, ErrInvalidValue, "unbalanced brace in '%s'", tmpl)
	}
	if _, _, err := ParseColumn(tmpl); err != nil {
		return at(n, path, ErrInvalidValue, "%v", err)
	}
	return nil
}

func (d *DataSource) parse(n *yaml.Node) error {
	const p = "data_source"
	if err := yamlx.Mapping(n, p, ErrInvalidValue); err != nil {
		return err
	}
	d.Driver = DriverS3
	d.OnGranuleError = FailOnGranuleError
	var coordNode, varsNode *yaml.Node
	type deferred struct {
		key  string
		node *yaml.Node
	}
	var later []deferred
	err := yamlx.Pairs(n, p, ErrInvalidValue, func(key, _ string, k, v *yaml.Node) error {
		kp := p + "." + key
		if yamlx.IsNull(v) && slices.Contains(dataSourceKeys, key) {
			return nil // null = absent, as in configs dumped from Python
		}
		switch key {
		case "reader":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			if s != "h5coro" && s != "h5read" {
				return at(v, kp, ErrInvalidValue, "unknown reader '%s' (allowed: h5coro, h5read; both mean this package's HDF5 reader)", s)
			}
			d.Reader = s
		case "driver":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			switch Driver(s) {
			case DriverS3, DriverHTTPS, DriverFile:
				d.Driver = Driver(s)
			default:
				return at(v, kp, ErrInvalidValue, "unknown driver '%s' (allowed: s3, https, file)", s)
			}
		case "groups":
			if v.Kind != yaml.SequenceNode {
				return at(v, kp, ErrInvalidValue, "must be a list of group names")
			}
			for i, g := range v.Content {
				s, err := yamlx.String(g, fmt.Sprintf("%s[%d]", kp, i), ErrInvalidValue)
				if err != nil {
					return err
				}
				if s == "" || strings.ContainsAny(s, "/{}") {
					return at(g, fmt.Sprintf("%s[%d]", kp, i), ErrInvalidValue, "bad group name '%s'", s)
				}
				if slices.Contains(d.Groups, s) {
					return at(g, fmt.Sprintf("%s[%d]", kp, i), ErrInvalidValue, "duplicate group '%s'", s)
				}
				d.Groups = append(d.Groups, s)
			}
		case "coordinates":
			coordNode = v
		case "variables":
			varsNode = v
		case "quality_filter", "filters":
			later = append(later, deferred{key, v})
		case "on_granule_error":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			switch ErrorPolicy(s) {
			case FailOnGranuleError, SkipGranuleError:
				d.OnGranuleError = ErrorPolicy(s)
			default:
				return at(v, kp, ErrInvalidValue, "must be 'fail' or 'skip', got '%s'", s)
			}
		default:
			return at(k, kp, ErrUnknownKey, "unknown key '%s' (allowed: reader, driver, groups, coordinates, variables, quality_filter, filters, on_granule_error)", key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// coordinates
	if coordNode == nil || yamlx.IsEmpty(coordNode) {
		return at(n, p+".coordinates", ErrMissingKey, "data_source.coordinates is required (latitude and longitude)")
	}
	if err := yamlx.Mapping(coordNode, p+".coordinates", ErrInvalidValue); err != nil {
		return err
	}
	err = yamlx.Pairs(coordNode, p+".coordinates", ErrInvalidValue, func(key, _ string, k, v *yaml.Node) error {
		kp := p + ".coordinates." + key
		s, err := yamlx.String(v, kp, ErrInvalidValue)
		if err != nil {
			return err
		}
		if err := checkTemplate(v, kp, s, d.Groups); err != nil {
			return err
		}
		if _, c, _ := ParseColumn(s); c >= 0 {
			return at(v, kp, ErrInvalidValue, "the coordinates must be 1-D datasets: no column selector ('%s')", s)
		}
		switch key {
		case "latitude":
			d.Latitude = s
		case "longitude":
			d.Longitude = s
		default:
			return at(k, kp, ErrUnknownKey, "unknown coordinate '%s' (keys must be exactly latitude and longitude)", key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if d.Latitude == "" || d.Longitude == "" {
		return at(coordNode, p+".coordinates", ErrMissingKey, "data_source.coordinates needs both latitude and longitude")
	}
	// variables
	if varsNode == nil || yamlx.IsEmpty(varsNode) {
		return at(n, p+".variables", ErrMissingKey, "data_source.variables is required (column name: dataset path)")
	}
	if err := yamlx.Mapping(varsNode, p+".variables", ErrInvalidValue); err != nil {
		return err
	}
	err = yamlx.Pairs(varsNode, p+".variables", ErrInvalidValue, func(key, _ string, k, v *yaml.Node) error {
		kp := p + ".variables." + key
		if !identRE.MatchString(key) {
			return at(k, kp, ErrInvalidValue, "column name '%s' must be an identifier (letters, digits, _), usable in expressions", key)
		}
		s, err := yamlx.String(v, kp, ErrInvalidValue)
		if err != nil {
			return err
		}
		if err := checkTemplate(v, kp, s, d.Groups); err != nil {
			return err
		}
		d.Variables = append(d.Variables, DataVariable{Name: key, Path: s})
		return nil
	})
	if err != nil {
		return err
	}
	for _, l := range later {
		var err error
		if l.key == "quality_filter" {
			err = d.parseQuality(l.node)
		} else {
			err = d.parseFilters(l.node)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (d *DataSource) parseQuality(n *yaml.Node) error {
	const p = "data_source.quality_filter"
	if yamlx.IsEmpty(n) {
		return nil
	}
	if err := yamlx.Mapping(n, p, ErrInvalidValue); err != nil {
		return err
	}
	q := &QualityFilter{}
	var hasDS, hasV bool
	err := yamlx.Pairs(n, p, ErrInvalidValue, func(key, _ string, k, v *yaml.Node) error {
		kp := p + "." + key
		switch key {
		case "dataset":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			if err := checkTemplate(v, kp, s, d.Groups); err != nil {
				return err
			}
			q.Dataset, hasDS = s, true
		case "value":
			x, err := yamlx.Number(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			q.Value, hasV = x, true
		default:
			return at(k, kp, ErrUnknownKey, "unknown key '%s' (allowed: dataset, value)", key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !hasDS || !hasV {
		return at(n, p, ErrMissingKey, "quality_filter needs both dataset and value")
	}
	d.QualityFilter = q
	return nil
}

func (d *DataSource) parseFilters(n *yaml.Node) error {
	const p = "data_source.filters"
	if yamlx.IsEmpty(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return at(n, p, ErrInvalidValue, "must be a list of {variable|dataset, op, value}")
	}
	for i, fn := range n.Content {
		fp := fmt.Sprintf("%s[%d]", p, i)
		if err := yamlx.Mapping(fn, fp, ErrInvalidValue); err != nil {
			return err
		}
		var f FilterSpec
		var opNode, valNode *yaml.Node
		err := yamlx.Pairs(fn, fp, ErrInvalidValue, func(key, _ string, k, v *yaml.Node) error {
			kp := fp + "." + key
			switch key {
			case "variable":
				s, err := yamlx.String(v, kp, ErrInvalidValue)
				if err != nil {
					return err
				}
				if _, ok := d.PathOf(s); !ok || strings.HasPrefix(s, "/") {
					names := make([]string, len(d.Variables))
					for i, v := range d.Variables {
						names[i] = v.Name
					}
					return at(v, kp, agg.ErrUnknownColumn, "variable '%s' not in data_source.variables (available: [%s])", s, strings.Join(names, ", "))
				}
				f.Variable = s
			case "dataset":
				s, err := yamlx.String(v, kp, ErrInvalidValue)
				if err != nil {
					return err
				}
				if err := checkTemplate(v, kp, s, d.Groups); err != nil {
					return err
				}
				f.Dataset = s
			case "column":
				// zagg 0.5.0 spelling of a variable name.
				if v.Kind == yaml.ScalarNode && v.Tag == "!!int" {
					return at(v, kp, ErrInvalidValue, "column names a data_source variable; to select column %s of a 2-D dataset, end its path with [:, %s] (dataset: \"/{group}/heights/signal_conf_ph[:, %s]\")", v.Value, v.Value, v.Value)
				}
				s, err := yamlx.String(v, kp, ErrInvalidValue)
				if err != nil {
					return err
				}
				if _, ok := d.PathOf(s); !ok {
					return at(v, kp, agg.ErrUnknownColumn, "column '%s' not in data_source.variables", s)
				}
				f.Variable = s
			case "op":
				opNode = v
				s, err := yamlx.String(v, kp, ErrInvalidValue)
				if err != nil {
					return err
				}
				op, err := agg.ParseOp(s)
				if err != nil {
					return at(v, kp, agg.ErrBadFilter, "unknown operator '%s' (allowed: ==, !=, <, <=, >, >=, in, not_in, between)", s)
				}
				f.Op = op
			case "value", "values":
				valNode = v
				if v.Kind == yaml.SequenceNode {
					for j, x := range v.Content {
						y, err := yamlx.Number(x, fmt.Sprintf("%s[%d]", kp, j), ErrInvalidValue)
						if err != nil {
							return err
						}
						f.Values = append(f.Values, y)
					}
				} else {
					y, err := yamlx.Number(v, kp, ErrInvalidValue)
					if err != nil {
						return err
					}
					f.Values = []float64{y}
				}
			default:
				return at(k, kp, ErrUnknownKey, "unknown key '%s' (allowed: variable, dataset, op, value)", key)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if (f.Variable == "") == (f.Dataset == "") {
			return at(fn, fp, ErrMissingKey, "a filter needs exactly one of variable and dataset")
		}
		if opNode == nil {
			return at(fn, fp, ErrMissingKey, "a filter needs an op")
		}
		if valNode == nil {
			return at(fn, fp, ErrMissingKey, "a filter needs a value")
		}
		af := agg.Filter{Column: "x", Op: f.Op, Values: f.Values}
		if err := af.Validate(); err != nil {
			return at(valNode, fp+".value", agg.ErrBadFilter, "%v", err)
		}
		d.Filters = append(d.Filters, f)
	}
	return nil
}

// ---- output ---------------------------------------------------------------

func (o *Output) parse(n *yaml.Node) error {
	const p = "output"
	if err := yamlx.Mapping(n, p, ErrInvalidValue); err != nil {
		return err
	}
	o.Codec = zarrstore.Codecs{}.Resolved()
	o.Latitude = healpix.Authalic
	o.Grid.ParentOrder = -1
	var gridNode *yaml.Node
	var ordersNode, innerNode *yaml.Node
	err := yamlx.Pairs(n, p, ErrInvalidValue, func(key, _ string, k, v *yaml.Node) error {
		kp := p + "." + key
		if yamlx.IsNull(v) && slices.Contains(outputKeys, key) {
			return nil
		}
		switch key {
		case "grid":
			gridNode = v
		case "store":
			if yamlx.IsEmpty(v) {
				return nil
			}
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			o.Store = s
		case "codec":
			c, err := parseCodec(v, kp)
			o.Codec = c
			return err
		case "inner_chunk_order":
			innerNode = v
			x, err := yamlx.Int(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			o.InnerChunkOrder = x
		case "latitude":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			lc, err := healpix.ParseLatitudeConvention(s)
			if err != nil {
				return at(v, kp, ErrInvalidValue, "unknown latitude convention '%s' (allowed: authalic, geodetic)", s)
			}
			o.Latitude = lc
			o.LatitudeSet = true
		case "orders":
			ordersNode = v
			if v.Kind != yaml.SequenceNode {
				return at(v, kp, ErrInvalidValue, "must be a list of orders")
			}
			for i, x := range v.Content {
				ip := fmt.Sprintf("%s[%d]", kp, i)
				y, err := yamlx.Int(x, ip, ErrInvalidValue)
				if err != nil {
					return err
				}
				if y < 0 || y > agg.MaxOrder {
					return at(x, ip, ErrInvalidValue, "order %d outside 0..%d", y, agg.MaxOrder)
				}
				if slices.Contains(o.Orders, y) {
					return at(x, ip, ErrInvalidValue, "order %d listed twice", y)
				}
				o.Orders = append(o.Orders, y)
			}
		case "time":
			t, err := parseTime(v)
			o.Time, o.timeNode = t, v
			return err
		case "trend":
			t, err := parseTrend(v)
			o.Trend, o.trendNode = t, v
			return err
		default:
			return at(k, kp, ErrUnknownKey, "unknown key '%s' (allowed: %s)", key, strings.Join(outputKeys, ", "))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if gridNode == nil || gridNode.Kind != yaml.MappingNode {
		return at(orNode(gridNode, n), p+".grid", ErrInvalidValue, "output.grid must be a mapping (e.g. type: healpix, child_order: 12)")
	}
	if err := o.Grid.parse(gridNode); err != nil {
		return err
	}
	g := o.Grid
	for i, x := range o.Orders {
		if x > g.ChildOrder {
			return at(ordersNode.Content[i], fmt.Sprintf("%s.orders[%d]", p, i), ErrInvalidValue, "order %d is finer than child_order %d", x, g.ChildOrder)
		}
	}
	if innerNode != nil {
		lo := 0
		if g.ParentOrder >= 0 {
			lo = g.ParentOrder + 1
		}
		if o.InnerChunkOrder < lo || o.InnerChunkOrder > g.ChildOrder {
			return at(innerNode, p+".inner_chunk_order", ErrInvalidValue, "inner_chunk_order %d outside %d..%d (parent_order+1..child_order)", o.InnerChunkOrder, lo, g.ChildOrder)
		}
	}
	return nil
}

func orNode(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}

func (g *Grid) parse(n *yaml.Node) error {
	const p = "output.grid"
	var childNode *yaml.Node
	g.IndexingScheme = "nested"
	err := yamlx.Pairs(n, p, ErrInvalidValue, func(key, _ string, k, v *yaml.Node) error {
		kp := p + "." + key
		if yamlx.IsNull(v) && slices.Contains(gridKeys, key) {
			return nil
		}
		switch key {
		case "type":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			if s != "healpix" {
				return at(v, kp, ErrInvalidValue, "unsupported grid type '%s' (only healpix)", s)
			}
			g.Type = s
		case "indexing_scheme":
			s, err := yamlx.String(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			if s != "nested" {
				return at(v, kp, ErrInvalidValue, "unsupported indexing_scheme '%s' (only nested)", s)
			}
		case "child_order":
			x, err := yamlx.Int(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			if x < 0 || x > agg.MaxOrder {
				return at(v, kp, ErrInvalidValue, "child_order %d outside 0..%d", x, agg.MaxOrder)
			}
			g.ChildOrder, childNode = x, v
		case "parent_order":
			x, err := yamlx.Int(v, kp, ErrInvalidValue)
			if err != nil {
				return err
			}
			if x < 0 || x > agg.MaxOrder {
				return at(v, kp, ErrInvalidValue, "parent_order %d outside 0..%d", x, agg.MaxOrder)
			}
			g.ParentOrder = x
		default:
			return at(k, kp, ErrUnknownKey, "unknown key '%s' (allowed: type, indexing_scheme, child_order, parent_order)", key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if g.Type == "" {
		return at(n, p+".type", ErrMissingKey, "output.grid.type is required")
	}
	if childNode == nil {
		return at(n, p+".child_order", ErrMissingKey, "output.grid.child_order is required for healpix grid")
	}
	if g.ParentOrder > g.ChildOrder {
		return at(childNode, p+".child_order", ErrInvalidValue, "child_order (%d) must be >= parent_order (%d)", g.ChildOrder, g.ParentOrder)
	}
	if g.ParentOrder >= 0 && g.ChildOrder-g.ParentOrder > agg.MaxDepth {
		return at(childNode, p+".child_order", ErrInvalidValue, "child_order (%d) - parent_order (%d) exceeds %d", g.ChildOrder, g.ParentOrder, agg.MaxDepth)
	}
	return nil
}

// parseCodec reads output.codec: a name (none, gzip, zstd, crc32c) or
// {name, level}. The choice is zarrstore's (zarrstore.Codecs, validated by
// it); the level is resolved, so a config records the level it writes.
func parseCodec(n *yaml.Node, p string) (zarrstore.Codecs, error) {
	var c zarrstore.Codecs
	name := ""
	levelNode := n
	hasLevel := false
	switch n.Kind {
	case yaml.ScalarNode:
		s, err := yamlx.String(n, p, ErrInvalidValue)
		if err != nil {
			return c, err
		}
		name = s
	case yaml.MappingNode:
		err := yamlx.Pairs(n, p, ErrInvalidValue, func(key, kp string, k, v *yaml.Node) error {
			switch key {
			case "name":
				s, err := yamlx.String(v, kp, ErrInvalidValue)
				if err != nil {
					return err
				}
				name = s
			case "level":
				x, err := yamlx.Int(v, kp, ErrInvalidValue)
				if err != nil {
					return err
				}
				c.Level, hasLevel, levelNode = x, true, v
			default:
				return at(k, kp, ErrUnknownKey, "unknown key '%s' (allowed: name, level)", key)
			}
			return nil
		})
		if err != nil {
			return c, err
		}
	default:
		return c, at(n, p, ErrInvalidValue, "must be a codec name or {name, level}")
	}
	switch name {
	case "none", "crc32c":
		if hasLevel {
			return c, at(levelNode, p+".level", ErrInvalidValue, "codec %s takes no level", name)
		}
		c.Compressor, c.Checksum = zarrstore.None, name == "crc32c"
	case "gzip":
		if hasLevel && c.Level == 0 {
			return c, at(levelNode, p+".level", ErrInvalidValue, "gzip level 0 stores chunks uncompressed; use codec: none")
		}
		c.Compressor = zarrstore.Gzip
	case "zstd":
		c.Compressor = zarrstore.Zstd
	default:
		return c, at(n, p, ErrInvalidValue, "unknown codec '%s' (allowed: none, gzip, zstd, crc32c)", name)
	}
	if err := c.Validate(); err != nil {
		return c, at(levelNode, p+".level", ErrInvalidValue, "%s", strings.TrimPrefix(err.Error(), zarrstore.ErrInvalidLayout.Error()+": "))
	}
	return c.Resolved(), nil
}

// ---- bounds ---------------------------------------------------------------

func parseBounds(n *yaml.Node) (*Bounds, error) {
	const p = "bounds"
	if err := yamlx.Mapping(n, p, ErrInvalidValue); err != nil {
		return nil, err
	}
	b := &Bounds{}
	var unknown []string
	var first *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Value != "temporal" && k.Value != "spatial" {
			unknown = append(unknown, "'"+k.Value+"'")
			if first == nil {
				first = k
			}
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, at(first, p, ErrUnknownKey, "Unknown bounds keys: {%s} (allowed: {'temporal', 'spatial'})", strings.Join(unknown, ", "))
	}
	err := yamlx.Pairs(n, p, ErrInvalidValue, func(key, _ string, k, v *yaml.Node) error {
		kp := p + "." + key
		if key == "spatial" {
			var x any
			if err := v.Decode(&x); err != nil {
				return at(v, kp, ErrInvalidValue, "%v", err)
			}
			b.Spatial = x
			return nil
		}
		if v.Kind != yaml.MappingNode {
			return at(v, kp, ErrMissingKey, "bounds.temporal requires start_date and end_date")
		}
		err := yamlx.Pairs(v, kp, ErrInvalidValue, func(key, _ string, k, x *yaml.Node) error {
			dp := kp + "." + key
			s, err := yamlx.String(x, dp, ErrInvalidValue)
			if err != nil {
				return err
			}
			if _, err := time.Parse("2006-01-02", s); err != nil {
				return at(x, dp, ErrInvalidValue, "date '%s' is not YYYY-MM-DD", s)
			}
			switch key {
			case "start_date":
				b.StartDate = s
			case "end_date":
				b.EndDate = s
			default:
				return at(k, dp, ErrUnknownKey, "unknown key '%s' (allowed: start_date, end_date)", key)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if b.StartDate == "" || b.EndDate == "" {
			return at(v, kp, ErrMissingKey, "bounds.temporal requires start_date and end_date")
		}
		if b.EndDate < b.StartDate {
			return at(v, kp, ErrInvalidValue, "end_date %s is before start_date %s", b.EndDate, b.StartDate)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// ---- YAML helpers ---------------------------------------------------------

// The keys of each section; a key whose value is null counts as absent.
var (
	dataSourceKeys = []string{"reader", "driver", "groups", "coordinates", "variables", "quality_filter", "filters", "on_granule_error"}
	outputKeys     = []string{"grid", "store", "codec", "inner_chunk_order", "latitude", "orders", "time", "trend"}
	gridKeys       = []string{"type", "indexing_scheme", "child_order", "parent_order"}
)

// WithLatitude returns a shallow copy of the config with output.latitude set
// to conv (the convention a run resolved with its catalog), so that what it
// hands to workers and records in the store states it.
func (c *Config) WithLatitude(conv healpix.LatitudeConvention) *Config {
	d := *c
	d.Output.Latitude = conv
	d.Output.LatitudeSet = true
	return &d
}
