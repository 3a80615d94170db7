package agg

import (
	"fmt"
	"slices"
	"strings"
)

// Op is a filter comparison.
type Op uint8

// The filter operators. Comparisons follow IEEE 754: a NaN value fails every
// operator except != and not_in (NaN != v is true), so NaN rows are dropped by
// ==, <, <=, >, >=, in and between.
const (
	OpEq      Op = iota // value == v
	OpNe                // value != v
	OpLt                // value < v
	OpLe                // value <= v
	OpGt                // value > v
	OpGe                // value >= v
	OpIn                // value equals one of the values
	OpNotIn             // value equals none of the values
	OpBetween           // lo <= value <= hi (both ends included)
)

var opNames = [...]string{"==", "!=", "<", "<=", ">", ">=", "in", "not_in", "between"}

// String returns the operator's canonical spelling ("==", "in", "between", ...).
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", o)
}

// ParseOp parses an operator: the symbols ==, !=, <, <=, >, >=, the words
// in, not_in (or "not in") and between, and zagg 0.5.0's eq, ne, lt, le, gt,
// ge.
func ParseOp(s string) (Op, error) {
	switch strings.TrimSpace(s) {
	case "==", "eq", "=":
		return OpEq, nil
	case "!=", "ne":
		return OpNe, nil
	case "<", "lt":
		return OpLt, nil
	case "<=", "le":
		return OpLe, nil
	case ">", "gt":
		return OpGt, nil
	case ">=", "ge":
		return OpGe, nil
	case "in":
		return OpIn, nil
	case "not_in", "not in":
		return OpNotIn, nil
	case "between":
		return OpBetween, nil
	}
	return 0, errf(ErrBadFilter, "unknown operator %q (want one of ==, !=, <, <=, >, >=, in, not_in, between)", s)
}

// Filter keeps the points whose Column value satisfies Op against Values.
// The comparison operators take exactly one value, in and not_in one or more,
// between two (lo ≤ hi). quality_filter {dataset, value} is the Filter
// {Column: dataset, Op: OpEq, Values: [value]}.
type Filter struct {
	Column string
	Op     Op
	Values []float64
}

// Validate checks the operator and the number and order of values.
func (f Filter) Validate() error {
	if f.Column == "" {
		return errf(ErrBadFilter, "no column")
	}
	switch f.Op {
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		if len(f.Values) != 1 {
			return errf(ErrBadFilter, "%s takes one value, got %d", f.Op, len(f.Values))
		}
	case OpIn, OpNotIn:
		if len(f.Values) == 0 {
			return errf(ErrBadFilter, "%s needs at least one value", f.Op)
		}
	case OpBetween:
		if len(f.Values) != 2 || !(f.Values[0] <= f.Values[1]) {
			return errf(ErrBadFilter, "between takes two values [lo, hi] with lo <= hi")
		}
	default:
		return errf(ErrBadFilter, "unknown operator %v", f.Op)
	}
	return nil
}

// Keep reports whether a point with value v passes the filter.
func (f *Filter) Keep(v float64) bool {
	switch f.Op {
	case OpEq:
		return v == f.Values[0]
	case OpNe:
		return v != f.Values[0]
	case OpLt:
		return v < f.Values[0]
	case OpLe:
		return v <= f.Values[0]
	case OpGt:
		return v > f.Values[0]
	case OpGe:
		return v >= f.Values[0]
	case OpIn:
		return slices.Contains(f.Values, v)
	case OpNotIn:
		return !slices.Contains(f.Values, v)
	case OpBetween:
		return v >= f.Values[0] && v <= f.Values[1]
	}
	return false
}

// String renders the filter as "column op values".
func (f Filter) String() string {
	switch f.Op {
	case OpIn, OpNotIn, OpBetween:
		return fmt.Sprintf("%s %s %v", f.Column, f.Op, f.Values)
	}
	if len(f.Values) == 1 {
		return fmt.Sprintf("%s %s %v", f.Column, f.Op, f.Values[0])
	}
	return fmt.Sprintf("%s %s %v", f.Column, f.Op, f.Values)
}

// apply marks with -2 the points of dest (child index, or negative when
// already dropped) whose value in col fails the filter.
func (f *Filter) apply(dest []int32, col Column) {
	if col.F64 != nil {
		filterLoop(f, dest, col.F64)
	} else {
		filterLoop(f, dest, col.F32)
	}
}

// filterLoop is Keep over a whole column with the operator switch hoisted
// out of the loop.
func filterLoop[T float32 | float64](f *Filter, dest []int32, x []T) {
	x = x[:len(dest)]
	drop := func(keep func(v float64) bool) {
		for i, v := range x {
			if dest[i] >= 0 && !keep(float64(v)) {
				dest[i] = -2
			}
		}
	}
	switch f.Op {
	case OpEq:
		c := T(f.Values[0])
		if float64(c) != f.Values[0] { // not representable in T: nothing equals it
			drop(func(float64) bool { return false })
			return
		}
		for i, v := range x {
			if v != c && dest[i] >= 0 {
				dest[i] = -2
			}
		}
	case OpNe:
		c := f.Values[0]
		drop(func(v float64) bool { return v != c })
	case OpLt:
		c := f.Values[0]
		drop(func(v float64) bool { return v < c })
	case OpLe:
		c := f.Values[0]
		drop(func(v float64) bool { return v <= c })
	case OpGt:
		c := f.Values[0]
		drop(func(v float64) bool { return v > c })
	case OpGe:
		c := f.Values[0]
		drop(func(v float64) bool { return v >= c })
	default:
		drop(f.Keep)
	}
}
