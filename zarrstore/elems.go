package zarrstore

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Element is the set of Go element types a chunk can hold. Each maps to one
// [DataType]: bool→bool, int8…int64→int8…int64, uint8…uint64→uint8…uint64,
// float32→float32, float64→float64.
type Element interface {
	bool | int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64
}

// DataTypeOf returns the data type stored for Go slices of T.
func DataTypeOf[T Element]() DataType {
	var z T
	switch any(z).(type) {
	case bool:
		return Bool
	case int8:
		return Int8
	case int16:
		return Int16
	case int32:
		return Int32
	case int64:
		return Int64
	case uint8:
		return Uint8
	case uint16:
		return Uint16
	case uint32:
		return Uint32
	case uint64:
		return Uint64
	case float32:
		return Float32
	case float64:
		return Float64
	}
	return ""
}

// sliceDataType returns the data type of a supported slice and its length.
func sliceDataType(data any) (DataType, int, bool) {
	switch s := data.(type) {
	case []bool:
		return Bool, len(s), true
	case []int8:
		return Int8, len(s), true
	case []int16:
		return Int16, len(s), true
	case []int32:
		return Int32, len(s), true
	case []int64:
		return Int64, len(s), true
	case []uint8:
		return Uint8, len(s), true
	case []uint16:
		return Uint16, len(s), true
	case []uint32:
		return Uint32, len(s), true
	case []uint64:
		return Uint64, len(s), true
	case []float32:
		return Float32, len(s), true
	case []float64:
		return Float64, len(s), true
	}
	return "", 0, false
}

// appendRaw appends the little-endian bytes of a supported slice to dst.
func appendRaw(dst []byte, data any) []byte {
	switch s := data.(type) {
	case []bool:
		for _, v := range s {
			b := byte(0)
			if v {
				b = 1
			}
			dst = append(dst, b)
		}
	case []int8:
		for _, v := range s {
			dst = append(dst, byte(v))
		}
	case []uint8:
		dst = append(dst, s...)
	case []int16:
		for _, v := range s {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		}
	case []uint16:
		for _, v := range s {
			dst = binary.LittleEndian.AppendUint16(dst, v)
		}
	case []int32:
		for _, v := range s {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
		}
	case []uint32:
		for _, v := range s {
			dst = binary.LittleEndian.AppendUint32(dst, v)
		}
	case []float32:
		for _, v := range s {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
		}
	case []int64:
		for _, v := range s {
			dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
		}
	case []uint64:
		for _, v := range s {
			dst = binary.LittleEndian.AppendUint64(dst, v)
		}
	case []float64:
		for _, v := range s {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
		}
	default:
		panic(fmt.Sprintf("zarrstore: appendRaw of %T", data))
	}
	return dst
}

// fromRaw converts little-endian element bytes to a new slice of data type d.
func fromRaw(d DataType, raw []byte) any {
	n := len(raw) / d.Size()
	switch d {
	case Bool:
		s := make([]bool, n)
		for i := range s {
			s[i] = raw[i] != 0
		}
		return s
	case Int8:
		s := make([]int8, n)
		for i := range s {
			s[i] = int8(raw[i])
		}
		return s
	case Uint8:
		return append([]uint8(nil), raw[:n]...)
	case Int16:
		s := make([]int16, n)
		for i := range s {
			s[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
		}
		return s
	case Uint16:
		s := make([]uint16, n)
		for i := range s {
			s[i] = binary.LittleEndian.Uint16(raw[2*i:])
		}
		return s
	case Int32:
		s := make([]int32, n)
		for i := range s {
			s[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return s
	case Uint32:
		s := make([]uint32, n)
		for i := range s {
			s[i] = binary.LittleEndian.Uint32(raw[4*i:])
		}
		return s
	case Float32:
		s := make([]float32, n)
		for i := range s {
			s[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return s
	case Int64:
		s := make([]int64, n)
		for i := range s {
			s[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		return s
	case Uint64:
		s := make([]uint64, n)
		for i := range s {
			s[i] = binary.LittleEndian.Uint64(raw[8*i:])
		}
		return s
	case Float64:
		s := make([]float64, n)
		for i := range s {
			s[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		return s
	}
	panic("zarrstore: fromRaw of " + string(d))
}
