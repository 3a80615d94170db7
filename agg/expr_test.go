package agg

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// evalOne compiles expr as a variable over columns x and y and evaluates it
// on one cell holding the given points.
func evalOne(t *testing.T, expr string, x, y []float64) (float64, error) {
	t.Helper()
	spec := Spec{Variables: []Variable{{Name: "v", Expression: expr, DType: Float64, FillValue: math.NaN()}}}
	a, err := Compile(&spec, []string{"x", "y"})
	if err != nil {
		return 0, err
	}
	cols := make([]Column, len(a.Columns()))
	for i, c := range a.Columns() {
		if c == "x" {
			cols[i] = Column{F64: x}
		} else {
			cols[i] = Column{F64: y}
		}
	}
	cells := make([]uint64, len(x))
	var r Result
	if err := a.Aggregate(&r, Input{ParentOrder: 0, Parent: 0, ChildOrder: 0, Cells: cells, Columns: cols}); err != nil {
		t.Fatal(err)
	}
	return r.Levels[0].Values[0][0], nil
}

func TestExpressionValues(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	y := []float64{0.5, 0.25, 2, 4}
	sumSq := 0.0
	for _, v := range y {
		sumSq += 1 / (v * v)
	}
	cases := []struct {
		expr string
		want float64
	}{
		{"np.sum(x)", 10},
		{"numpy.sum(x)", 10},
		{"sum(x)", 10},
		{"len(x)", 4},
		{"np.size(x)", 4},
		{"np.sum(x) + 2 * 3", 16},
		{"(np.sum(x) + 2) * 3", 36},
		{"-2**2 + np.sum(x)", 6},              // Python: -(2**2)
		{"2**3**2 + 0 * np.sum(x)", 512},      // right-associative
		{"2**-1 + 0 * np.sum(x)", 0.5},        // signed exponent
		{"np.sum(x ** 2)", 30},                // element-wise power
		{"np.sum(x * y)", 0.5 + 0.5 + 6 + 16}, // element-wise product
		{"1.0 / np.sqrt(np.sum(1.0 / y**2))", 1 / math.Sqrt(sumSq)},
		{"np.mean(x) - np.min(x)", 1.5},
		{"np.max(np.abs(x - np.mean(x)))", 1.5},
		{"np.sum((x - np.mean(x))**2) / len(x)", 1.25},
		{"np.var(x)", 1.25},
		{"np.var(x, ddof=1)", 5.0 / 3},
		{"np.std(x, ddof=1)", math.Sqrt(5.0 / 3)},
		{"np.median(x)", 2.5},
		{"np.quantile(x, 0.25)", 1.75},
		{"np.quantile(x, q=0.25)", 1.75},
		{"np.percentile(x, 50)", 2.5},
		{"np.average(x, weights=y)", (0.5 + 0.5 + 6 + 16) / 6.75},
		{"np.average(x, y)", (0.5 + 0.5 + 6 + 16) / 6.75},
		{"np.average(x)", 2.5},
		{"np.sum(np.sqrt(x * x))", 10},
		{"np.sum(np.maximum(x, 2.5))", 2.5 + 2.5 + 3 + 4},
		{"np.sum(np.minimum(x, y))", 0.5 + 0.25 + 2 + 4},
		{"np.sum(np.power(x, 2))", 30},
		{"np.sum(x % 3)", 1 + 2 + 0 + 1},
		{"np.sum(-x % 3)", 2 + 1 + 0 + 2}, // Python remainder has the divisor's sign
		{"np.pi + 0 * np.sum(x)", math.Pi},
		{"np.e * len(x)", math.E * 4},
		{"float(np.sum(x)) / int(3.7)", 10.0 / 3},
		{"abs(-np.sum(x))", 10},
		{"np.sum(np.log(np.exp(x)))", 10},
		{"np.nansum(x / (x - 2))", 1.0/-1 + 3.0/1 + 4.0/2 + math.Inf(1)},
		{"np.sum(x) / 0", math.Inf(1)},
		{"np.nanmax(x) + np.amin(x)", 5},
		{"+np.sum(x)", 10},
		{"  np.sum( x )  ", 10},
		{"np.sum(x) * 1e-3", 0.01},
		{"np.sum(x) + .5", 10.5},
	}
	for _, c := range cases {
		got, err := evalOne(t, c.expr, x, y)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if !(same(got, c.want) || math.Abs(got-c.want) <= 1e-15*math.Abs(c.want)) {
			t.Errorf("%s = %v, want %v", c.expr, got, c.want)
		}
	}
}

func TestExpressionErrors(t *testing.T) {
	cases := []struct {
		expr, want string
		sentinel   error
	}{
		{"   ", "empty expression", ErrExpression},
		{"np.sum(x", "unclosed '('", ErrExpression},
		{"np.sum(x))", "unexpected \")\"", ErrExpression},
		{"np.sum(x) +", "unexpected end of expression", ErrExpression},
		{"np.sum(x) $ 2", "unexpected character '$'", ErrExpression},
		{"x", "gives one value per point", ErrExpression},
		{"x + 1", "gives one value per point", ErrExpression},
		{"np.sum(z)", "expression references 'z' which is not in data_source.variables or numpy namespace", ErrUnknownColumn},
		{"np.frobnicate(x)", "expression references 'np.frobnicate'", ErrUnknownColumn},
		{"os.system(x)", "expression references 'os.system'", ErrUnknownColumn},
		{"__import__(x)", "expression references '__import__'", ErrUnknownColumn},
		{"np.sum(x).real", "unexpected \".\"", ErrExpression},
		{"np.sqrt", "np.sqrt is a function; call it", ErrExpression},
		{"np.sum(3)", "argument must be per point", ErrExpression},
		{"np.sqrt(x, y)", "takes exactly one argument", ErrExpression},
		{"np.quantile(x)", "needs one constant q", ErrExpression},
		{"np.quantile(x, np.sum(x))", "needs one constant q", ErrExpression},
		{"np.quantile(x, 2)", "q = 2 out of range", ErrExpression},
		{"np.var(x, 1)", "pass ddof as ddof=", ErrExpression},
		{"np.var(x, ddof=0.5)", "ddof must be an integer constant", ErrExpression},
		{"np.sum(x, axis=0)", "takes exactly one argument", ErrExpression},
		{"np.average(x, weights=2)", "weights must be per point", ErrExpression},
		{"float(x)", "needs a single value", ErrExpression},
		{"np.sum(x=1)", "needs the points to reduce", ErrExpression},
		{"np.sum(x, y=1, x)", "positional argument after keyword argument", ErrExpression},
		{"(np.sum(x)", "unclosed '('", ErrExpression},
		{"3(x)", "only named functions can be called", ErrExpression},
		{"np.", "expected a name after '.'", ErrExpression},
		{strings.Repeat("(", 70) + "np.sum(x)" + strings.Repeat(")", 70), "nested deeper than 64", ErrExpression},
		{strings.Repeat("np.sum(x)+", 300) + "1", "more than 512 nodes", ErrExpression},
		{"np.sum(x)" + strings.Repeat(" ", MaxExprLen), "longer than 4096 bytes", ErrExpression},
		{"1e", "", nil}, // parses as 1 then identifier e: unknown name
	}
	for _, c := range cases {
		_, err := evalOne(t, c.expr, []float64{1}, []float64{1})
		if err == nil {
			t.Errorf("%q compiled, want an error", c.expr)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %q, want it to contain %q", c.expr, err, c.want)
		}
		if c.sentinel != nil && !errors.Is(err, c.sentinel) {
			t.Errorf("%q: error %v does not match %v", c.expr, err, c.sentinel)
		}
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Path != "variables.v.expression" {
			t.Errorf("%q: error %v is not a FieldError at variables.v.expression", c.expr, err)
		}
	}
}

func TestExpressionSharing(t *testing.T) {
	// h_mean's weights and h_sigma's sum share 1.0 / s_li**2: one
	// materialised root, and the weights' reduction arguments are shared.
	a := atl06Aggregator(t)
	if len(a.roots) != 1 {
		t.Errorf("%d materialised sub-expressions, want 1 (shared 1.0 / s_li**2)", len(a.roots))
	}
	if len(a.sortArgs) != 1 {
		t.Errorf("%d sorted arguments, want 1 (h_li for the three quantiles)", len(a.sortArgs))
	}
}
