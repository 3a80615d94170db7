package agg

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestParseDType(t *testing.T) {
	for in, want := range map[string]DType{
		"float32": Float32, "f4": Float32, "<f4": Float32, "single": Float32,
		"float64": Float64, "float": Float64, "double": Float64, "f8": Float64,
		"int8": Int8, "i2": Int16, "int32": Int32, "int": Int64, "i8": Int64,
		"uint8": Uint8, "u2": Uint16, "uint32": Uint32, "uint64": Uint64, "u8": Uint64,
	} {
		got, err := ParseDType(in)
		if err != nil || got != want {
			t.Errorf("ParseDType(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, _ := ParseDType(got.String()); back != got {
			t.Errorf("%v does not round-trip through String", got)
		}
	}
	for _, bad := range []string{"", "float16", "complex64", "bool", "int128", "object"} {
		if _, err := ParseDType(bad); !errors.Is(err, ErrBadDType) {
			t.Errorf("ParseDType(%q) = %v, want ErrBadDType", bad, err)
		}
	}
	if DType(42).String() != "DType(42)" {
		t.Error(DType(42).String())
	}
}

func TestCheckFill(t *testing.T) {
	ok := []struct {
		d DType
		v float64
	}{{Float32, math.NaN()}, {Float64, math.Inf(-1)}, {Int32, -2147483648}, {Uint8, 255}, {Int8, -128}, {Uint64, 0}}
	for _, c := range ok {
		if err := c.d.CheckFill(c.v); err != nil {
			t.Errorf("%v.CheckFill(%v) = %v", c.d, c.v, err)
		}
	}
	bad := []struct {
		d DType
		v float64
	}{{Int32, math.NaN()}, {Uint8, 256}, {Uint16, -1}, {Int64, 0.5}, {Int8, math.Inf(1)}}
	for _, c := range bad {
		if err := c.d.CheckFill(c.v); !errors.Is(err, ErrBadDType) {
			t.Errorf("%v.CheckFill(%v) = %v, want ErrBadDType", c.d, c.v, err)
		}
	}
}

func TestSpecYAMLDefaults(t *testing.T) {
	var s Spec
	err := yaml.Unmarshal([]byte(`
coordinates:
  cell_ids:
  morton: {fill_value: -1}
variables:
  a: {function: mean, source: x}
  b: {function: len, dtype: uint32}
  c: {function: max, source: x, fill_value: -Infinity}
  d: {function: min, source: x, dtype: f8, fill_value: .nan}
  e: {function: quantile, source: x, params: {q: "0.5", method: linear}}
  f: {function: var, source: x, params: {ddof: 1}}
`), &s)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Coordinates) != 2 || s.Coordinates[0].DType != Uint64 || s.Coordinates[1].DType != Int64 || s.Coordinates[1].FillValue != -1 {
		t.Errorf("coordinates %+v", s.Coordinates)
	}
	v := s.Variables
	if len(v) != 6 || v[0].Name != "a" || v[5].Name != "f" {
		t.Fatalf("variables %+v", v)
	}
	if v[0].DType != Float32 || !math.IsNaN(v[0].FillValue) {
		t.Errorf("default dtype/fill %v %v, want float32 NaN", v[0].DType, v[0].FillValue)
	}
	if v[1].DType != Uint32 || v[1].FillValue != 0 {
		t.Errorf("integer default fill %v", v[1].FillValue)
	}
	if !math.IsInf(v[2].FillValue, -1) || v[3].DType != Float64 || !math.IsNaN(v[3].FillValue) {
		t.Errorf("fill spellings: %v %v %v", v[2].FillValue, v[3].DType, v[3].FillValue)
	}
	if v[4].Params.Q == nil || *v[4].Params.Q != 0.5 || v[5].Params.DDof != 1 {
		t.Errorf("params %+v %+v", v[4].Params, v[5].Params)
	}
	a, err := Compile(&s, []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	if a.NumVariables() != 6 || len(a.Coordinates()) != 2 || !a.IsCount(1) || a.IsCount(0) {
		t.Errorf("compiled %d variables", a.NumVariables())
	}
	if names := a.Columns(); len(names) != 1 || names[0] != "x" {
		t.Errorf("Columns() = %v", names)
	}
}

func TestSpecYAMLErrors(t *testing.T) {
	cases := []struct{ doc, want string }{
		{"[1]", "line 1: aggregation: must be a mapping, got a list"},
		{"variables: {}", "line 1: variables: no variables"},
		{"variables: {a: 1}", "line 1: variables.a: must be a mapping, got '1'"},
		{"variables: {a: {function: [min]}}", "line 1: variables.a.function: must be a string, got a list"},
		{"variables: {a: {function: min, fill_value: abc}}", "line 1: variables.a.fill_value: fill_value must be a number or \"NaN\", got 'abc'"},
		{"variables: {a: {function: var, params: {ddof: -1}}}", "line 1: variables.a.params.ddof: Variable 'a': ddof must be a non-negative integer, got -1"},
		{"variables: {a: {function: quantile, params: {q: [0.5]}}}", "line 1: variables.a.params.q: must be a number, got a list"},
		{"variables: {a: {function: quantile, params: {method: nearest}}}", "line 1: variables.a.params.method: Variable 'a': method 'nearest' (only numpy's default 'linear' is supported)"},
		{"variables: {a: {function: average, params: {weights: ''}}}", "line 1: variables.a.params.weights: Variable 'a': empty weights"},
		{"coordinates: {lat: {}}\nvariables: {a: {function: len}}", "line 1: coordinates.lat: unknown coordinate 'lat' (allowed: cell_ids, morton)"},
		{"coordinates: {cell_ids: {dtype: uint64, fill_value: -1}}\nvariables: {a: {function: len}}", "line 1: coordinates.cell_ids.fill_value: fill_value -1 cannot be stored as uint64"},
		{"coordinates: {cell_ids: {chunks: 4}}\nvariables: {a: {function: len}}", "line 1: coordinates.cell_ids.chunks: unknown key 'chunks' (allowed: dtype, fill_value)"},
		{"variables: {a: {function: len}}\nextra: 1", "line 2: extra: unknown key 'extra' (allowed: coordinates, variables)"},
		{"variables: {a: {function: len}, a: {function: min}}", "line 1: variables.a: duplicate key 'a'"},
	}
	for _, c := range cases {
		var s Spec
		err := yaml.Unmarshal([]byte(c.doc), &s)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.doc, err, c.want)
		}
		var fe *FieldError
		if err != nil && !errors.As(err, &fe) {
			t.Errorf("%s: %T is not a *FieldError", c.doc, err)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		v        Variable
		want     string
		sentinel error
	}{
		{Variable{Name: "", Function: "len"}, "variable with no name", ErrInvalid},
		{Variable{Name: "a", Function: "median"}, "function 'median' needs a 'source' column", ErrInvalid},
		{Variable{Name: "a", Function: "quantile", Source: "x"}, "function 'quantile' needs params.q", ErrBadParam},
		{Variable{Name: "a", Function: "percentile", Source: "x", Params: Params{Q: ptr(101)}}, "q = 101 outside [0, 100]", ErrBadParam},
		{Variable{Name: "a", Function: "min", Source: "x", Params: Params{Weights: "x"}}, "function 'min' takes no param 'weights'", ErrBadParam},
		{Variable{Name: "a", Function: "mean", Source: "x", Params: Params{DDof: 2}}, "function 'mean' takes no param 'ddof'", ErrBadParam},
		{Variable{Name: "a", Function: "average", Source: "x", Params: Params{Weights: "np.sum(x)"}}, "weights 'np.sum(x)' must give one value per point", ErrBadParam},
		{Variable{Name: "a", Function: "average", Source: "x", Params: Params{Weights: "x +"}}, "unexpected end of expression", ErrExpression},
		{Variable{Name: "a", Function: "np.histogram", Source: "x"}, "Cannot resolve 'np.histogram' as numpy function", ErrUnknownFunction},
		{Variable{Name: "a", Function: "len", DType: Int16, FillValue: 1e6}, "cannot be stored as int16", ErrBadDType},
	}
	for _, c := range cases {
		_, err := Compile(&Spec{Variables: []Variable{c.v}}, []string{"x"})
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.sentinel) {
			t.Errorf("%+v: error %v, want %q (%v)", c.v, err, c.want, c.sentinel)
		}
	}
	_, err := Compile(&Spec{Variables: []Variable{{Name: "a", Function: "len"}, {Name: "a", Function: "len"}}}, nil)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "duplicate variable") {
		t.Errorf("duplicate variable: %v", err)
	}
}

func TestFunctionRegistry(t *testing.T) {
	for _, name := range []string{"len", "count", "size", "np.sum", "numpy.nanmean", "average", "var", "percentile", "amin"} {
		if _, ok := LookupFunction(name); !ok {
			t.Errorf("LookupFunction(%q) failed", name)
		}
	}
	f, _ := LookupFunction("quantile")
	if f.Mergeable || f.NaN != "propagate" || len(f.Params) != 2 {
		t.Errorf("quantile: %+v", f)
	}
	f, _ = LookupFunction("nanvar")
	if !f.Mergeable || f.NaN != "ignore" {
		t.Errorf("nanvar: %+v", f)
	}
	if _, ok := LookupFunction("histogram"); ok {
		t.Error("histogram resolved")
	}
	if n := len(Functions()); n < 20 {
		t.Errorf("only %d functions", n)
	}
}

func TestCompileTooManyVariables(t *testing.T) {
	spec := Spec{}
	for i := 0; i <= MaxVariables; i++ {
		spec.Variables = append(spec.Variables, Variable{Name: strings.Repeat("v", 1+i%7) + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Function: "len"})
	}
	if _, err := Compile(&spec, nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "more than 256 variables") {
		t.Errorf("Compile(%d variables) = %v", len(spec.Variables), err)
	}
}
