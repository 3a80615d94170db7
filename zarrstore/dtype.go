package zarrstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// DataType is a Zarr v3 core data type name, as written in "data_type".
type DataType string

// The supported data types. Multi-byte values are stored little endian by
// the bytes codec unless its configuration says otherwise.
const (
	Bool    DataType = "bool"
	Int8    DataType = "int8"
	Int16   DataType = "int16"
	Int32   DataType = "int32"
	Int64   DataType = "int64"
	Uint8   DataType = "uint8"
	Uint16  DataType = "uint16"
	Uint32  DataType = "uint32"
	Uint64  DataType = "uint64"
	Float32 DataType = "float32"
	Float64 DataType = "float64"
)

// Size returns the size of one element in bytes, or 0 for an unknown type.
func (d DataType) Size() int {
	switch d {
	case Bool, Int8, Uint8:
		return 1
	case Int16, Uint16:
		return 2
	case Int32, Uint32, Float32:
		return 4
	case Int64, Uint64, Float64:
		return 8
	}
	return 0
}

// Valid reports whether d is one of the supported data types.
func (d DataType) Valid() bool { return d.Size() != 0 }

func (d DataType) isFloat() bool { return d == Float32 || d == Float64 }

func (d DataType) isSigned() bool { return d == Int8 || d == Int16 || d == Int32 || d == Int64 }

func (d DataType) isUnsigned() bool { return d == Uint8 || d == Uint16 || d == Uint32 || d == Uint64 }

// Canonical quiet NaN bit patterns, the value of the fill string "NaN".
const (
	nan32Bits = 0x7fc00000
	nan64Bits = 0x7ff8000000000000
)

// fillBytes returns the little-endian byte pattern of one element whose raw
// bits are bits.
func fillBytes(d DataType, bits uint64) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], bits)
	return append([]byte(nil), b[:d.Size()]...)
}

// parseFill converts a "fill_value" JSON value to the element's raw bits
// (two's complement for integers, IEEE 754 bits for floats, 0/1 for bool).
func parseFill(d DataType, raw json.RawMessage) (uint64, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, fmt.Errorf("%w: fill_value is missing or null", ErrInvalidMetadata)
	}
	switch {
	case d == Bool:
		switch string(raw) {
		case "true":
			return 1, nil
		case "false":
			return 0, nil
		}
		return 0, fmt.Errorf("%w: fill_value %s is not a bool", ErrInvalidMetadata, raw)
	case d.isSigned():
		v, err := strconv.ParseInt(string(raw), 10, d.Size()*8)
		if err != nil {
			return 0, fmt.Errorf("%w: fill_value %s is not an %s", ErrInvalidMetadata, raw, d)
		}
		return uint64(v) & mask(d), nil
	case d.isUnsigned():
		v, err := strconv.ParseUint(string(raw), 10, d.Size()*8)
		if err != nil {
			return 0, fmt.Errorf("%w: fill_value %s is not a %s", ErrInvalidMetadata, raw, d)
		}
		return v, nil
	case d.isFloat():
		if raw[0] == '"' {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return 0, fmt.Errorf("%w: fill_value %s: %v", ErrInvalidMetadata, raw, err)
			}
			return parseFloatFillString(d, s)
		}
		f, err := strconv.ParseFloat(string(raw), d.Size()*8)
		if err != nil {
			return 0, fmt.Errorf("%w: fill_value %s is not a %s", ErrInvalidMetadata, raw, d)
		}
		if d == Float32 {
			return uint64(math.Float32bits(float32(f))), nil
		}
		return math.Float64bits(f), nil
	}
	return 0, fmt.Errorf("%w: data type %q", ErrUnsupported, d)
}

func parseFloatFillString(d DataType, s string) (uint64, error) {
	switch s {
	case "NaN":
		if d == Float32 {
			return nan32Bits, nil
		}
		return nan64Bits, nil
	case "Infinity", "-Infinity":
		sign := 1
		if s[0] == '-' {
			sign = -1
		}
		if d == Float32 {
			return uint64(math.Float32bits(float32(math.Inf(sign)))), nil
		}
		return math.Float64bits(math.Inf(sign)), nil
	}
	if hex, ok := strings.CutPrefix(s, "0x"); ok && len(hex) == 2*d.Size() {
		v, err := strconv.ParseUint(hex, 16, 64)
		if err == nil {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w: fill_value %q is not a %s", ErrInvalidMetadata, s, d)
}

func mask(d DataType) uint64 {
	if d.Size() == 8 {
		return math.MaxUint64
	}
	return 1<<(8*d.Size()) - 1
}

// formatFill returns the canonical "fill_value" JSON for raw bits.
func formatFill(d DataType, bits uint64) json.RawMessage {
	switch {
	case d == Bool:
		if bits != 0 {
			return json.RawMessage("true")
		}
		return json.RawMessage("false")
	case d.isSigned():
		shift := 64 - 8*d.Size()
		return json.RawMessage(strconv.FormatInt(int64(bits<<shift)>>shift, 10))
	case d.isUnsigned():
		return json.RawMessage(strconv.FormatUint(bits, 10))
	}
	var f float64
	if d == Float32 {
		f32 := math.Float32frombits(uint32(bits))
		if math.IsNaN(float64(f32)) && bits != nan32Bits {
			return json.RawMessage(fmt.Sprintf(`"0x%08x"`, bits))
		}
		f = float64(f32)
	} else {
		f = math.Float64frombits(bits)
		if math.IsNaN(f) && bits != nan64Bits {
			return json.RawMessage(fmt.Sprintf(`"0x%016x"`, bits))
		}
	}
	switch {
	case math.IsNaN(f):
		return json.RawMessage(`"NaN"`)
	case math.IsInf(f, 1):
		return json.RawMessage(`"Infinity"`)
	case math.IsInf(f, -1):
		return json.RawMessage(`"-Infinity"`)
	}
	s := strconv.FormatFloat(f, 'g', -1, d.Size()*8)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return json.RawMessage(s)
}

// FillValue converts a Go value to the "fill_value" JSON of data type d,
// checking that it is representable. v may be nil (the default: NaN for
// floats, 0 for integers, false for bool), a bool, any Go integer or float
// type, or one of the strings "NaN", "Infinity", "-Infinity" for floats.
// Integer fills above 2^53 are allowed but read back wrong in JavaScript
// clients (JSON numbers are doubles there).
func FillValue(d DataType, v any) (json.RawMessage, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("%w: data type %q", ErrUnsupported, d)
	}
	bad := func() (json.RawMessage, error) {
		return nil, fmt.Errorf("%w: fill value %v (%T) does not fit %s", ErrInvalidLayout, v, v, d)
	}
	if v == nil {
		if d.isFloat() {
			return json.RawMessage(`"NaN"`), nil
		}
		return formatFill(d, 0), nil
	}
	var (
		isInt, isUint, isFloat bool
		i                      int64
		u                      uint64
		f                      float64
	)
	switch x := v.(type) {
	case bool:
		if d != Bool {
			return bad()
		}
		if x {
			return formatFill(d, 1), nil
		}
		return formatFill(d, 0), nil
	case string:
		if !d.isFloat() {
			return bad()
		}
		bits, err := parseFloatFillString(d, x)
		if err != nil {
			return bad()
		}
		return formatFill(d, bits), nil
	case int:
		i, isInt = int64(x), true
	case int8:
		i, isInt = int64(x), true
	case int16:
		i, isInt = int64(x), true
	case int32:
		i, isInt = int64(x), true
	case int64:
		i, isInt = x, true
	case uint:
		u, isUint = uint64(x), true
	case uint8:
		u, isUint = uint64(x), true
	case uint16:
		u, isUint = uint64(x), true
	case uint32:
		u, isUint = uint64(x), true
	case uint64:
		u, isUint = x, true
	case float32:
		f, isFloat = float64(x), true
	case float64:
		f, isFloat = x, true
	default:
		return bad()
	}
	switch {
	case d == Bool:
		return bad()
	case d.isFloat():
		switch {
		case isInt:
			f = float64(i)
		case isUint:
			f = float64(u)
		}
		if d == Float32 {
			if !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
				return bad()
			}
			bits := uint64(math.Float32bits(float32(f)))
			if math.IsNaN(f) {
				bits = nan32Bits
			}
			return formatFill(d, bits), nil
		}
		bits := math.Float64bits(f)
		if math.IsNaN(f) {
			bits = nan64Bits
		}
		return formatFill(d, bits), nil
	}
	// Integer target.
	if isFloat {
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) {
			return bad()
		}
		if f < 0 {
			if f < math.MinInt64 {
				return bad()
			}
			i, isInt = int64(f), true
		} else {
			if f >= math.MaxUint64 {
				return bad()
			}
			u, isUint = uint64(f), true
		}
	}
	bitsN := uint(8 * d.Size())
	if isInt && i >= 0 {
		u, isUint, isInt = uint64(i), true, false
	}
	if d.isSigned() {
		if isInt {
			if i < -(1 << (bitsN - 1)) {
				return bad()
			}
			return formatFill(d, uint64(i)&mask(d)), nil
		}
		if u > 1<<(bitsN-1)-1 {
			return bad()
		}
		return formatFill(d, u), nil
	}
	if isInt || u > mask(d) {
		return bad()
	}
	return formatFill(d, u), nil
}
