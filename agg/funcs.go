package agg

import (
	"math"
	"sort"
	"strings"
)

// redKind is a reduction: a function from the points of a cell to one value.
type redKind uint8

const (
	rLen redKind = iota
	rSum
	rNanSum
	rMin
	rNanMin
	rMax
	rNanMax
	rMean
	rNanMean
	rAverage
	rVar
	rNanVar
	rStd
	rNanStd
	rMedian
	rNanMedian
	rQuantile
	rNanQuantile
)

// Function describes one statistic of the registry (the names usable as
// `function:` in the aggregation section and as np.<name>(...) in
// expressions).
type Function struct {
	// Name is the canonical name (the numpy name, or "len"/"count").
	Name string
	// Params lists the accepted params keys.
	Params []string
	// Mergeable reports whether the statistic of a union of cells follows
	// exactly from the cells' partial States (count, sums, min, max, moments).
	// Order statistics (median, quantile, percentile) are not mergeable.
	Mergeable bool
	// NaN tells how NaN inputs are treated: "propagate" (any NaN point gives
	// NaN, as numpy does) or "ignore" (nan-prefixed numpy variants).
	NaN string
	// Doc is the one-line definition.
	Doc string

	kind    redKind
	percent bool // q is a percentage (percentile)
}

var functions = map[string]*Function{}

func register(f Function, aliases ...string) {
	f.Mergeable = f.kind < rMedian
	f.NaN = "propagate"
	switch f.kind {
	case rNanSum, rNanMin, rNanMax, rNanMean, rNanVar, rNanStd, rNanMedian, rNanQuantile:
		f.NaN = "ignore"
	case rLen:
		f.NaN = "counted"
	}
	p := &f
	functions[f.Name] = p
	for _, a := range aliases {
		functions[a] = p
	}
}

func init() {
	register(Function{Name: "len", kind: rLen, Doc: "number of points n (also count, size)"}, "count", "size")
	register(Function{Name: "sum", kind: rSum, Doc: "Σ x (pairwise summation)"})
	register(Function{Name: "nansum", kind: rNanSum, Doc: "Σ x over non-NaN x; 0 if none"})
	register(Function{Name: "min", kind: rMin, Doc: "smallest x"}, "amin")
	register(Function{Name: "nanmin", kind: rNanMin, Doc: "smallest non-NaN x"})
	register(Function{Name: "max", kind: rMax, Doc: "largest x"}, "amax")
	register(Function{Name: "nanmax", kind: rNanMax, Doc: "largest non-NaN x"})
	register(Function{Name: "mean", kind: rMean, Doc: "Σ x / n"})
	register(Function{Name: "nanmean", kind: rNanMean, Doc: "mean of the non-NaN x"})
	register(Function{Name: "average", kind: rAverage, Params: []string{"weights"},
		Doc: "Σ w·x / Σ w (weights: a column or an element-wise expression; NaN if Σ w = 0)"})
	register(Function{Name: "var", kind: rVar, Params: []string{"ddof"}, Doc: "Σ (x − x̄)² / (n − ddof), ddof default 0"})
	register(Function{Name: "nanvar", kind: rNanVar, Params: []string{"ddof"}, Doc: "var of the non-NaN x"})
	register(Function{Name: "std", kind: rStd, Params: []string{"ddof"}, Doc: "√var"})
	register(Function{Name: "nanstd", kind: rNanStd, Params: []string{"ddof"}, Doc: "√nanvar"})
	register(Function{Name: "median", kind: rMedian, Doc: "middle value; mean of the two middle values for even n"})
	register(Function{Name: "nanmedian", kind: rNanMedian, Doc: "median of the non-NaN x"})
	register(Function{Name: "quantile", kind: rQuantile, Params: []string{"q", "method"},
		Doc: "q-th quantile, q in [0, 1], numpy's linear method (Hyndman & Fan type 7)"})
	register(Function{Name: "nanquantile", kind: rNanQuantile, Params: []string{"q", "method"}, Doc: "quantile of the non-NaN x"})
	register(Function{Name: "percentile", kind: rQuantile, percent: true, Params: []string{"q", "method"},
		Doc: "quantile at q/100, q in [0, 100]"})
	register(Function{Name: "nanpercentile", kind: rNanQuantile, percent: true, Params: []string{"q", "method"},
		Doc: "percentile of the non-NaN x"})
}

// LookupFunction returns the registry entry of a statistic name, accepting a
// "np." or "numpy." prefix and the aliases count/size (len) and amin/amax.
func LookupFunction(name string) (Function, bool) {
	f, ok := functions[stripNumpy(name)]
	if !ok {
		return Function{}, false
	}
	return *f, true
}

// Functions returns every registered statistic name (aliases included), sorted.
func Functions() []string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func stripNumpy(name string) string {
	if s, ok := strings.CutPrefix(name, "np."); ok {
		return s
	}
	if s, ok := strings.CutPrefix(name, "numpy."); ok {
		return s
	}
	return name
}

// Element-wise functions of the expression language (numpy ufuncs).
var unaryFuncs = map[string]func(float64) float64{
	"sqrt": math.Sqrt, "log": math.Log, "log10": math.Log10, "log2": math.Log2,
	"log1p": math.Log1p, "exp": math.Exp, "expm1": math.Expm1, "exp2": math.Exp2,
	"abs": math.Abs, "absolute": math.Abs, "fabs": math.Abs,
	"square": func(x float64) float64 { return x * x },
	"sign":   npSign,
	"floor":  math.Floor, "ceil": math.Ceil, "trunc": math.Trunc, "rint": math.RoundToEven,
	"sin": math.Sin, "cos": math.Cos, "tan": math.Tan,
	"arcsin": math.Asin, "arccos": math.Acos, "arctan": math.Atan,
	"sinh": math.Sinh, "cosh": math.Cosh, "tanh": math.Tanh,
	"deg2rad": deg2rad, "radians": deg2rad, "rad2deg": rad2deg, "degrees": rad2deg,
	"negative":   func(x float64) float64 { return -x },
	"reciprocal": func(x float64) float64 { return 1 / x },
}

var binaryFuncs = map[string]func(float64, float64) float64{
	"power": npPow, "maximum": npMaximum, "minimum": npMinimum,
	"fmax": math.Max, "fmin": math.Min, "hypot": math.Hypot, "arctan2": math.Atan2,
	"remainder": npMod, "mod": npMod, "fmod": math.Mod,
}

var constants = map[string]float64{
	"pi": math.Pi, "e": math.E, "nan": math.NaN(), "NaN": math.NaN(),
	"inf": math.Inf(1), "Inf": math.Inf(1), "euler_gamma": 0.5772156649015329,
}

func npSign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	case x == 0:
		return 0
	}
	return x
}

func deg2rad(x float64) float64 { return x * (math.Pi / 180) }
func rad2deg(x float64) float64 { return x * (180 / math.Pi) }

// npMaximum propagates NaN like np.maximum (math.Max does too, but also
// orders -0 < +0, which numpy does not; keep numpy's first-argument choice).
func npMaximum(a, b float64) float64 {
	if a != a || b != b {
		return math.NaN()
	}
	if b > a {
		return b
	}
	return a
}

func npMinimum(a, b float64) float64 {
	if a != a || b != b {
		return math.NaN()
	}
	if b < a {
		return b
	}
	return a
}

// npMod is Python's / numpy's floating remainder: the result has the sign of
// the divisor.
func npMod(a, b float64) float64 {
	r := math.Mod(a, b)
	if r != 0 && (r < 0) != (b < 0) {
		r += b
	}
	return r
}

// npPow is a ** b with numpy's fast paths for the common scalar exponents
// (x*x for 2, sqrt for 0.5, 1/x for -1), which numpy takes for
// array ** scalar; other exponents use math.Pow.
func npPow(a, b float64) float64 {
	switch b {
	case 2:
		return a * a
	case 0.5:
		return math.Sqrt(a)
	case -1:
		return 1 / a
	case 1:
		return a
	case 0:
		return 1
	}
	return math.Pow(a, b)
}
