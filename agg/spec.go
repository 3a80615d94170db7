package agg

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/zagg-go/zagg/internal/yamlx"
)

// Errors. Every error returned by this package wraps one of these; use
// errors.Is to test for them and errors.As to get a *FieldError (position in
// the YAML section) or an *ExprError (position in an expression).
var (
	// ErrUnknownKey: a key that the aggregation section does not define.
	ErrUnknownKey = errors.New("agg: unknown key")
	// ErrInvalid: a missing or malformed value (wrong YAML type, empty name, ...).
	ErrInvalid = errors.New("agg: invalid value")
	// ErrUnknownFunction: a function name that is not in the registry.
	ErrUnknownFunction = errors.New("agg: unknown function")
	// ErrUnknownColumn: a source, weight, expression or filter names a
	// column the data source does not read.
	ErrUnknownColumn = errors.New("agg: unknown column")
	// ErrBadParam: a params key the function does not take, or a bad value.
	ErrBadParam = errors.New("agg: bad param")
	// ErrBadDType: an unsupported dtype, or a fill value it cannot hold.
	ErrBadDType = errors.New("agg: bad dtype")
	// ErrExpression: an expression that does not parse or compile.
	ErrExpression = errors.New("agg: bad expression")
	// ErrBadFilter: an unknown filter operator or a bad operand.
	ErrBadFilter = errors.New("agg: bad filter")
	// ErrOrder: HEALPix orders outside 0..29, child < parent, or a depth
	// child − parent above MaxDepth.
	ErrOrder = errors.New("agg: bad order")
	// ErrCorruptState: a binary State that does not decode.
	ErrCorruptState = errors.New("agg: corrupt state")
)

// errf returns an error reading format (with args) that matches sentinel
// under errors.Is, so messages read naturally ("Cannot resolve 'foo' as
// numpy function") without the sentinel's text.
func errf(sentinel error, format string, args ...any) error {
	return yamlx.Msg(sentinel, format, args...)
}

// FieldError locates an error in the aggregation section: Path is the key
// path inside the section ("variables.h_mean.params.weights"), Line and
// Column the 1-based YAML position (0 when unknown, e.g. for a Spec built
// in Go), Err what is wrong. It is zagg's one positional YAML error (the
// config's Error is the same type); it renders as "line <n>: <path>:
// <message>".
type FieldError = yamlx.Error

// DType is the stored data type of an output variable (a Zarr v3 numeric data
// type). Statistics are computed in float64 and converted by the caller.
type DType uint8

// The supported dtypes. Float32 is the default, as in zagg 0.1.0.
const (
	Float32 DType = iota
	Float64
	Int8
	Int16
	Int32
	Int64
	Uint8
	Uint16
	Uint32
	Uint64
)

var dtypeNames = [...]string{"float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}

// String returns the numpy / Zarr v3 name ("float32", "int32", ...).
func (d DType) String() string {
	if int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return "DType(" + strconv.Itoa(int(d)) + ")"
}

// ParseDType parses a numpy dtype name: the Zarr v3 names ("float32",
// "uint64", ...), numpy's short codes ("f4", "<f8", "i4", "u8") and the
// aliases "float" (float64), "double", "single" and "int" (int64).
func ParseDType(s string) (DType, error) {
	t := strings.TrimLeft(strings.TrimSpace(s), "<=")
	switch t {
	case "float", "double", "f8", "float_":
		return Float64, nil
	case "single", "f4":
		return Float32, nil
	case "int", "i8", "int_":
		return Int64, nil
	case "i1":
		return Int8, nil
	case "i2":
		return Int16, nil
	case "i4":
		return Int32, nil
	case "u1":
		return Uint8, nil
	case "u2":
		return Uint16, nil
	case "u4":
		return Uint32, nil
	case "u8":
		return Uint64, nil
	}
	for i, n := range dtypeNames {
		if t == n {
			return DType(i), nil
		}
	}
	return 0, errf(ErrBadDType, "unsupported dtype %q (want one of %s)", s, strings.Join(dtypeNames[:], ", "))
}

// IsFloat reports whether d is a floating-point type.
func (d DType) IsFloat() bool { return d == Float32 || d == Float64 }

// Size returns the size of one element in bytes.
func (d DType) Size() int {
	switch d {
	case Int8, Uint8:
		return 1
	case Int16, Uint16:
		return 2
	case Float32, Int32, Uint32:
		return 4
	}
	return 8
}

// Range returns the smallest and largest value d holds (as float64; the
// int64/uint64 bounds are rounded to the nearest float64).
func (d DType) Range() (lo, hi float64) {
	switch d {
	case Float32:
		return -math.MaxFloat32, math.MaxFloat32
	case Float64:
		return -math.MaxFloat64, math.MaxFloat64
	case Int8:
		return math.MinInt8, math.MaxInt8
	case Int16:
		return math.MinInt16, math.MaxInt16
	case Int32:
		return math.MinInt32, math.MaxInt32
	case Int64:
		return math.MinInt64, math.MaxInt64
	case Uint8:
		return 0, math.MaxUint8
	case Uint16:
		return 0, math.MaxUint16
	case Uint32:
		return 0, math.MaxUint32
	}
	return 0, math.MaxUint64
}

// CheckFill reports whether v can be stored as d: any value (NaN and ±Inf
// included) for floats, an integer in range for integer types.
func (d DType) CheckFill(v float64) error {
	if d.IsFloat() {
		return nil
	}
	lo, hi := d.Range()
	if v != math.Trunc(v) || v < lo || v > hi {
		return errf(ErrBadDType, "fill_value %v cannot be stored as %s", formatFill(v), d)
	}
	return nil
}

func formatFill(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Params are the function parameters of a Variable (the YAML params mapping).
type Params struct {
	// Weights is a column name or an element-wise expression of columns
	// ("1.0 / s_li**2"); only for average. Empty means unweighted.
	Weights string
	// DDof is the delta degrees of freedom of var/std and their nan twins
	// (default 0: population variance, as numpy).
	DDof int
	// Q is the quantile in [0, 1] (quantile) or percentage in [0, 100]
	// (percentile); nil when not given. Required for those functions.
	Q *float64
}

// Variable is one output statistic: either Function applied to Source (with
// Params) or an Expression, stored as DType with FillValue for empty cells
// (count-like variables give 0 for empty cells instead).
type Variable struct {
	Name       string
	Function   string // registry name ("average", "np.quantile", ...); empty with Expression
	Source     string // the column the function reduces; optional for len/count
	Params     Params
	Expression string // numpy-style expression; empty with Function
	DType      DType
	FillValue  float64
	// Units and LongName describe the output array (config keys units and
	// long_name); empty means derived by the writer (see the pipeline's
	// store) from the source dataset's attributes and the function.
	Units    string
	LongName string

	pos map[string][2]int // YAML positions, by key ("" = the entry itself)
}

// Coordinate is an output coordinate array (cell_ids or morton): only its
// dtype and fill value are configurable.
type Coordinate struct {
	Name      string
	DType     DType
	FillValue float64
}

// Spec is the aggregation section of a pipeline config. The zero Spec has no
// variables; UnmarshalYAML fills it from YAML and checks its structure, and
// Compile resolves it against the columns a data source provides.
type Spec struct {
	Coordinates []Coordinate // output coordinates, in YAML order
	Variables   []Variable   // output variables, in YAML order (= output order)
}

// fieldErr builds a FieldError for variable v's key (or the entry with "").
func (v *Variable) fieldErr(key string, err error) error {
	path := "variables." + v.Name
	if key != "" {
		path += "." + key
	}
	p := v.pos[key]
	if p == [2]int{} {
		p = v.pos[""]
	}
	return &FieldError{Path: path, Line: p[0], Column: p[1], Err: err}
}

// fn returns the registry entry of a function variable.
func (v *Variable) fn() (*Function, bool) {
	f, ok := functions[stripNumpy(v.Function)]
	return f, ok
}
