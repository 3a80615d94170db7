package agg

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/zagg-go/zagg/healpix"
)

// MaxOrder is the finest HEALPix order (the order points are hashed at):
// healpix.MaxOrder.
const MaxOrder = healpix.MaxOrder

// MaxDepth bounds child_order − parent_order. An Aggregate call holds
// about 8 bytes × (4/3)·4^depth × (variables + 1) of output, so depth 10 with
// the nine ATL06 variables is ~110 MB; zagg's usual depth (order 6 → 12) is 6.
const MaxDepth = 10

// MaxVariables bounds the number of output variables of a Spec.
const MaxVariables = 256

const chunkLen = 1024 // element-wise evaluation chunk

// Column is one input column: exactly one of F64 and F32 holds the values,
// one per point. float32 columns (ATL06 h_li, h_li_sigma) are widened to
// float64 while they are gathered into cell order, at no extra cost.
type Column struct {
	F64 []float64
	F32 []float32
}

// Len returns the number of values.
func (c Column) Len() int {
	if c.F64 != nil {
		return len(c.F64)
	}
	return len(c.F32)
}

func (c Column) at(i int) float64 {
	if c.F64 != nil {
		return c.F64[i]
	}
	return float64(c.F32[i])
}

// Input is one parent cell's points.
type Input struct {
	ParentOrder int    // order of the parent cell
	Parent      uint64 // nested id of the parent cell at ParentOrder
	ChildOrder  int    // finest output order (≥ ParentOrder)
	// Cells holds each point's nested cell id at order 29 (MaxOrder). Points
	// outside Parent are skipped and counted in Result.Outside.
	Cells []uint64
	// Columns holds the values, aligned with Aggregator.Columns(); each has
	// len(Cells) values.
	Columns []Column
	// MinOrder limits the output to orders ChildOrder down to
	// max(MinOrder, ParentOrder); the zero value gives every order down to
	// the parent. Result.Partial always covers the whole parent cell.
	MinOrder int
	// Sketches asks for a quantile sketch (Digest) of the parent cell's
	// values of every order statistic's argument in Result.Partial, so that
	// Finalize can estimate medians and quantiles of coarser cells. It costs
	// about 13 ns per point and argument (a radix sort of the values' keys
	// and one pass; +25–30 % on the ATL06 statistics at every order); leave
	// it unset when no order coarser than the parent is computed.
	Sketches bool
}

// Level is the output at one order: per cell (in nested order inside the
// parent, 4^(Order−ParentOrder) cells) the number of points and the value of
// every variable.
type Level struct {
	Order  int
	Counts []int64     // points per cell (after filters)
	Values [][]float64 // Values[v][cell] for variable v, float64, not yet cast to its dtype
}

// Result is the output of Aggregate. Its buffers are reused by later calls
// with the same Result.
type Result struct {
	ParentOrder int
	Parent      uint64
	ChildOrder  int
	// Levels[k] is order ChildOrder − k, down to ParentOrder.
	Levels []Level
	// Partial holds the parent cell's partial states (see
	// Aggregator.MergePartial and Finalize).
	Partial  Partial
	Points   int // points given
	Outside  int // points outside the parent cell
	Filtered int // points removed by the filters
}

// Level returns the level of order o, or nil.
func (r *Result) Level(o int) *Level {
	k := r.ChildOrder - o
	if k < 0 || k >= len(r.Levels) {
		return nil
	}
	return &r.Levels[k]
}

// Partial is the mergeable summary of a set of points (one parent cell, or
// the union of several): per variable the States of its reductions, and
// per distinct argument of an order statistic a quantile sketch.
type Partial struct {
	// States[v] holds one State per reduction of variable v (a State with
	// only Count set for an order statistic).
	States [][]State
	// Sketches holds one Digest per distinct argument of an order statistic
	// (median, quantile, percentile and their nan twins), or is empty when
	// the points were aggregated without Input.Sketches; a merge with a
	// Partial without sketches drops them.
	Sketches []Digest
}

// compiledVar is a Variable with its expression root.
type compiledVar struct {
	Variable
	root      *node
	count     bool
	mergeable bool
	sketched  bool         // not mergeable, but every reduction merges or has a sketch
	reds      []*reduction // reductions the variable depends on
}

// Aggregator computes the configured statistics of the points of one parent
// cell at every order from the child order to the parent order. Create it with
// Compile. An Aggregator holds scratch buffers and is not safe for concurrent
// use; Clone gives an independent copy for another goroutine.
type Aggregator struct {
	vars     []compiledVar
	coords   []Coordinate
	columns  []string // columns read, in order
	used     []int    // indices into columns that reductions use
	filters  []Filter
	filtCol  []int
	nodes    []*node // all nodes, post-order
	roots    []*node // pure nodes to materialise over all points
	reds     []*reduction
	sortArgs []*node // distinct pure arguments of order statistics

	// workspace
	dest    []int32
	offs    []int
	cursor  []int
	sorted  [][]float64 // per column, in cell order (nil for filter-only columns)
	sortF32 []bool      // sort argument i is a float32 column in this call
	keys32  [][]uint32  // sort keys of argument i (float32 data), in cell order
	keys64  [][]uint64  // sort keys of argument i (float64 data), in cell order
	nanCnt  [][]int     // NaN keys per cell of the current level
	sel32   selector[uint32]
	sel64   selector[uint64]
	ranks   []int
	picked  []float64
	pick32  []uint32
	pick64  []uint64
	scratch []float64
	skK32   [2][]uint32 // sketch building: keys and radix scratch
	skK64   [2][]uint64
}

// Compile resolves spec against the columns a data source reads (the keys of
// data_source.variables) and the filters to apply, and returns the compiled
// Aggregator. Errors name the variable and key (a *FieldError with the YAML
// line when spec came from YAML) and wrap this package's sentinels.
func Compile(spec *Spec, columns []string, filters ...Filter) (*Aggregator, error) {
	c := &compiler{avail: map[string]bool{}, cols: map[string]int{}, nodes: map[string]*node{}}
	for _, col := range columns {
		c.avail[col] = true
	}
	a := &Aggregator{coords: slices.Clone(spec.Coordinates)}
	if len(spec.Variables) > MaxVariables {
		v := &spec.Variables[MaxVariables]
		return nil, v.fieldErr("", errf(ErrInvalid, "more than %d variables", MaxVariables))
	}
	seen := map[string]bool{}
	for i := range spec.Variables {
		v := &spec.Variables[i]
		if seen[v.Name] {
			return nil, v.fieldErr("", errf(ErrInvalid, "duplicate variable %q", v.Name))
		}
		seen[v.Name] = true
		cv, err := compileVar(c, v, columns)
		if err != nil {
			return nil, err
		}
		a.vars = append(a.vars, cv)
	}
	a.columns = c.colList
	for i := range a.columns {
		a.used = append(a.used, i)
	}
	for i, f := range filters {
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("filter %d (%s): %w", i, f.Column, err)
		}
		j, ok := c.cols[f.Column]
		if !ok {
			j = len(a.columns)
			c.cols[f.Column] = j
			a.columns = append(a.columns, f.Column)
		}
		a.filters = append(a.filters, Filter{Column: f.Column, Op: f.Op, Values: slices.Clone(f.Values)})
		a.filtCol = append(a.filtCol, j)
	}
	a.reds = c.reds
	a.plan()
	return a, nil
}

func compileVar(c *compiler, v *Variable, columns []string) (compiledVar, error) {
	cv := compiledVar{Variable: *v}
	if v.Name == "" {
		return cv, v.fieldErr("", errf(ErrInvalid, "variable with no name"))
	}
	if err := v.DType.CheckFill(v.FillValue); err != nil {
		return cv, v.fieldErr("fill_value", err)
	}
	hasF, hasE := v.Function != "", v.Expression != ""
	switch {
	case hasF && hasE:
		return cv, v.fieldErr("", errf(ErrInvalid, "Variable '%s': 'function' and 'expression' are mutually exclusive", v.Name))
	case !hasF && !hasE:
		return cv, v.fieldErr("", errf(ErrInvalid, "Variable '%s': must specify 'function' or 'expression'", v.Name))
	case hasE:
		c.src = v.Expression
		root, err := compileExpr(c, v.Expression)
		if err != nil {
			var un *unknownName
			if errors.As(err, &un) {
				return cv, v.fieldErr("expression", errf(ErrUnknownColumn, "Variable '%s': expression references '%s' which is not in data_source.variables or numpy namespace", v.Name, un.name))
			}
			return cv, v.fieldErr("expression", err)
		}
		if root.vec {
			return cv, v.fieldErr("expression", exprError(v.Expression, 0, "gives one value per point; a cell statistic must reduce them (np.sum, np.mean, ...)"))
		}
		cv.root = root
	default:
		f, ok := v.fn()
		if !ok {
			return cv, v.fieldErr("function", errf(ErrUnknownFunction, "Cannot resolve '%s' as numpy function", v.Function))
		}
		root, err := compileFunc(c, v, f, columns)
		if err != nil {
			return cv, err
		}
		cv.root = root
		cv.count = f.kind == rLen
	}
	cv.reds = collectReds(cv.root, nil)
	cv.mergeable = true
	for _, r := range cv.reds {
		if !r.merge {
			cv.mergeable = false
		}
	}
	return cv, nil
}

func collectReds(n *node, dst []*reduction) []*reduction {
	for _, a := range n.args {
		dst = collectReds(a, dst)
	}
	if n.red != nil && !slices.Contains(dst, n.red) {
		dst = append(dst, n.red)
	}
	return dst
}

func compileExpr(c *compiler, src string) (*node, error) {
	a, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	return c.compileAST(a)
}

func compileFunc(c *compiler, v *Variable, f *Function, columns []string) (*node, error) {
	allowed := func(p string) bool { return slices.Contains(f.Params, p) }
	if v.Params.Weights != "" && !allowed("weights") {
		return nil, v.fieldErr("params.weights", errf(ErrBadParam, "Variable '%s': function '%s' takes no param 'weights'", v.Name, f.Name))
	}
	if v.Params.DDof != 0 && !allowed("ddof") {
		return nil, v.fieldErr("params.ddof", errf(ErrBadParam, "Variable '%s': function '%s' takes no param 'ddof'", v.Name, f.Name))
	}
	if v.Params.Q != nil && !allowed("q") {
		return nil, v.fieldErr("params.q", errf(ErrBadParam, "Variable '%s': function '%s' takes no param 'q'", v.Name, f.Name))
	}
	var src *node
	if v.Source == "" {
		if f.kind != rLen {
			return nil, v.fieldErr("", errf(ErrInvalid, "Variable '%s': function '%s' needs a 'source' column", v.Name, f.Name))
		}
	} else {
		if !c.avail[v.Source] {
			return nil, v.fieldErr("source", errf(ErrUnknownColumn, "Variable '%s': source '%s' not in data_source.variables", v.Name, v.Source))
		}
		src = c.column(v.Source)
	}
	r := &reduction{kind: f.kind, arg: src, ddof: v.Params.DDof, sortBuf: -1}
	key := f.Name + "("
	if src != nil {
		key += src.key
	}
	switch f.kind {
	case rQuantile, rNanQuantile:
		if v.Params.Q == nil {
			return nil, v.fieldErr("params", errf(ErrBadParam, "Variable '%s': function '%s' needs params.q", v.Name, f.Name))
		}
		q := *v.Params.Q
		hi := 1.0
		if f.percent {
			hi = 100
		}
		if !(q >= 0 && q <= hi) {
			return nil, v.fieldErr("params.q", errf(ErrBadParam, "Variable '%s': q = %v outside [0, %v]", v.Name, q, hi))
		}
		if f.percent {
			q /= 100
		}
		r.q = q
		key += fmt.Sprintf(",q=%v", q)
	case rVar, rNanVar, rStd, rNanStd:
		key += fmt.Sprintf(",ddof=%d", r.ddof)
	case rAverage:
		if w := strings.TrimSpace(v.Params.Weights); w != "" {
			c.src = w
			wn, err := compileExpr(c, w)
			if err != nil {
				var un *unknownName
				if errors.As(err, &un) {
					return nil, v.fieldErr("params.weights", errf(ErrUnknownColumn, "Variable '%s': param value '%s' references unknown column (available: [%s])", v.Name, w, strings.Join(sortedCopy(columns), ", ")))
				}
				return nil, v.fieldErr("params.weights", err)
			}
			if !wn.vec {
				return nil, v.fieldErr("params.weights", errf(ErrBadParam, "Variable '%s': weights '%s' must give one value per point", v.Name, w))
			}
			r.w = wn
			key += ",w=" + wn.key
		}
	}
	key += ")"
	if src == nil {
		// len without a source: any column of the cell has n rows; use a
		// dedicated node with no argument.
		n := c.nodes[key]
		if n == nil {
			n = &node{op: opReduce, red: r, key: key}
			r.nd = n
			r.merge = true
			c.nodes[key] = n
			c.reds = append(c.reds, r)
		}
		return n, nil
	}
	return c.reduce(r, key), nil
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// plan orders the nodes and decides what is materialised where.
func (a *Aggregator) plan() {
	seen := map[*node]bool{}
	var walk func(n *node)
	walk = func(n *node) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, x := range n.args {
			walk(x)
		}
		a.nodes = append(a.nodes, n)
	}
	for _, v := range a.vars {
		walk(v.root)
	}
	isRoot := map[*node]bool{}
	for _, n := range a.nodes {
		if n.op == opReduce || (n.vec && !n.pure) {
			for _, x := range n.args {
				if x.pure && x.op != opCol && !isRoot[x] {
					isRoot[x] = true
					x.root = true
					a.roots = append(a.roots, x)
				}
			}
		}
	}
	for _, r := range a.reds {
		if (r.kind >= rMedian) && r.arg.pure {
			i := slices.Index(a.sortArgs, r.arg)
			if i < 0 {
				i = len(a.sortArgs)
				a.sortArgs = append(a.sortArgs, r.arg)
			}
			r.sortBuf = i
		}
	}
	for vi := range a.vars {
		v := &a.vars[vi]
		v.sketched = !v.mergeable
		for _, r := range v.reds {
			if !r.merge && r.sortBuf < 0 {
				v.sketched = false
			}
		}
	}
	a.sorted = make([][]float64, len(a.columns))
	a.sortF32 = make([]bool, len(a.sortArgs))
	a.keys32 = make([][]uint32, len(a.sortArgs))
	a.keys64 = make([][]uint64, len(a.sortArgs))
	a.nanCnt = make([][]int, len(a.sortArgs))
}

// Clone returns an Aggregator with the same compiled statistics and its own
// scratch buffers, for use by another goroutine.
func (a *Aggregator) Clone() *Aggregator {
	// The node DAG carries evaluation buffers, so recompile from the spec.
	spec := Spec{Coordinates: a.coords}
	cols := map[string]bool{}
	for _, v := range a.vars {
		spec.Variables = append(spec.Variables, v.Variable)
	}
	var names []string
	for i, c := range a.columns {
		if !slices.Contains(a.filtCol, i) || slices.Contains(a.used, i) {
			if !cols[c] {
				cols[c] = true
				names = append(names, c)
			}
		}
	}
	b, err := Compile(&spec, names, a.filters...)
	if err != nil {
		panic("agg: Clone: " + err.Error()) // compiled once already
	}
	return b
}

// Columns returns the names of the columns Aggregate needs, in the order
// Input.Columns must follow: the columns used by the statistics (sources,
// weights, expressions), then the filter columns. Do not modify it.
func (a *Aggregator) Columns() []string { return a.columns }

// NumVariables returns the number of output variables.
func (a *Aggregator) NumVariables() int { return len(a.vars) }

// Variable returns output variable i (in YAML order) as configured.
func (a *Aggregator) Variable(i int) Variable { return a.vars[i].Variable }

// Coordinates returns the configured output coordinates.
func (a *Aggregator) Coordinates() []Coordinate { return a.coords }

// Mergeable reports whether variable i of a union of cells follows exactly
// from the cells' partial states (Result.Partial, Finalize): true when every
// reduction it uses is mergeable (len, sum, min, max, mean, average, var, std
// and nan twins) over element-wise arguments.
func (a *Aggregator) Mergeable(i int) bool { return a.vars[i].mergeable }

// Sketched reports whether Finalize estimates variable i from quantile
// sketches (Partial.Sketches, see Digest): true when it is not Mergeable
// but each of its reductions either merges or is an order statistic over an
// element-wise argument. The other non-mergeable variables get the fill
// value from Finalize.
func (a *Aggregator) Sketched(i int) bool { return a.vars[i].sketched }

// IsCount reports whether variable i is a point count (len/count), whose
// value for an empty cell is 0 rather than the fill value.
func (a *Aggregator) IsCount(i int) bool { return a.vars[i].count }

func (a *Aggregator) grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n, n+n/4)
	}
	return buf[:n]
}

func growInt(buf []int, n int) []int {
	if cap(buf) < n {
		return make([]int, n)
	}
	return buf[:n]
}

// Aggregate computes every variable at every order from in.ChildOrder down to
// in.ParentOrder into dst, reusing dst's buffers. Points are put in cell order
// by one counting sort on the child index (stable, so each cell keeps the
// input order numpy would see); each cell at each order is then a contiguous
// run. Mergeable statistics of coarser cells come from merging the partial
// states of their four children; order statistics merge the children's sorted
// runs. After the buffers have grown, a call allocates nothing.
//
// It returns an error wrapping ErrOrder for invalid orders (ErrInvalid for
// more than 2^31−1 points) and panics if the number of columns or their
// lengths do not match.
func (a *Aggregator) Aggregate(dst *Result, in Input) error {
	p, c := in.ParentOrder, in.ChildOrder
	if p < 0 || c > MaxOrder || c < p || c-p > MaxDepth {
		return errf(ErrOrder, "parent order %d, child order %d (want 0 <= parent <= child <= %d, child - parent <= %d)", p, c, MaxOrder, MaxDepth)
	}
	if in.Parent >= 12<<(2*uint(p)) {
		return errf(ErrOrder, "parent %d is not a cell of order %d", in.Parent, p)
	}
	if len(in.Columns) != len(a.columns) {
		panic(fmt.Sprintf("agg: %d columns given, want %d (%s)", len(in.Columns), len(a.columns), strings.Join(a.columns, ", ")))
	}
	n := len(in.Cells)
	if n > math.MaxInt32 {
		return errf(ErrInvalid, "%d points in one call (at most %d)", n, math.MaxInt32)
	}
	for i, col := range in.Columns {
		if col.Len() != n {
			panic(fmt.Sprintf("agg: column %s has %d values, want %d", a.columns[i], col.Len(), n))
		}
	}
	depth := c - p
	nChild := 1 << (2 * uint(depth))
	dst.ParentOrder, dst.Parent, dst.ChildOrder = p, in.Parent, c
	dst.Points, dst.Outside, dst.Filtered = n, 0, 0

	// Pass 1: child index per point (or -1), counts.
	if cap(a.dest) < n {
		a.dest = make([]int32, n)
	}
	dest := a.dest[:n]
	a.offs = growInt(a.offs, nChild+1)
	offs := a.offs
	clear(offs)
	pshift := 2 * uint(MaxOrder-p)
	cshift := 2 * uint(MaxOrder-c)
	mask := uint64(nChild - 1)
	for i, cell := range in.Cells {
		if cell>>pshift != in.Parent || cell>>(2*MaxOrder) >= 12 {
			dest[i] = -1
			continue
		}
		dest[i] = int32((cell >> cshift) & mask)
	}
	// Filters, column by column (-2 marks a filtered point).
	for j := range a.filters {
		a.filters[j].apply(dest, in.Columns[a.filtCol[j]])
	}
	for _, k := range dest {
		switch {
		case k >= 0:
			offs[k+1]++
		case k == -1:
			dst.Outside++
		default:
			dst.Filtered++
		}
	}
	for k := 1; k <= nChild; k++ {
		offs[k] += offs[k-1]
	}
	m := offs[nChild]
	// Pass 2: destination of every kept point.
	a.cursor = growInt(a.cursor, nChild)
	copy(a.cursor, offs[:nChild])
	for i, k := range dest {
		if k >= 0 {
			d := a.cursor[k]
			a.cursor[k] = d + 1
			dest[i] = int32(d)
		}
	}
	// Gather the used columns into cell order (widening float32).
	for _, ci := range a.used {
		buf := a.grow(a.sorted[ci], m)
		a.sorted[ci] = buf
		col := in.Columns[ci]
		if col.F64 != nil {
			for i, d := range dest {
				if d >= 0 {
					buf[d] = col.F64[i]
				}
			}
		} else {
			for i, d := range dest {
				if d >= 0 {
					buf[d] = float64(col.F32[i])
				}
			}
		}
	}
	// Element-wise sub-expressions, once for all points.
	for _, r := range a.roots {
		r.full = a.grow(r.full, m)
		for lo := 0; lo < m; lo += chunkLen {
			hi := min(lo+chunkLen, m)
			copy(r.full[lo:hi], a.evalPure(r, lo, hi, true))
		}
	}
	for i, arg := range a.sortArgs {
		a.sortF32[i] = arg.op == opCol && in.Columns[arg.col].F64 == nil
	}
	levels := c - max(in.MinOrder, p) + 1
	if levels < 1 {
		levels = 1
	}
	a.prepareLevels(dst, depth, levels)
	for k := 0; k <= depth; k++ {
		a.level(dst, k, depth, k < levels)
	}
	// Partial states of the parent cell.
	pa := &dst.Partial
	pa.States = slices.Grow(pa.States[:0], len(a.vars))[:len(a.vars)]
	for vi := range a.vars {
		v := &a.vars[vi]
		ps := pa.States[vi][:0]
		for _, r := range v.reds {
			if r.merge {
				ps = append(ps, r.states[0])
			} else {
				ps = append(ps, State{Count: int64(m)})
			}
		}
		pa.States[vi] = ps
	}
	pa.Sketches = pa.Sketches[:0]
	if in.Sketches {
		pa.Sketches = slices.Grow(pa.Sketches, len(a.sortArgs))[:len(a.sortArgs)]
		for i, arg := range a.sortArgs {
			d := &pa.Sketches[i]
			d.Reset()
			d.Float32 = a.sortF32[i]
			d.AddSorted(a.sortedValues(a.vecOf(arg)[:m], a.sortF32[i]))
		}
	}
	return nil
}

// NumSketches returns the number of quantile sketches in a Partial made
// with Input.Sketches: one per distinct argument of an order statistic.
func (a *Aggregator) NumSketches() int { return len(a.sortArgs) }

// CheckPartial reports whether p has the shape of this Aggregator's partial
// states (one State per reduction of each variable, no sketches or
// NumSketches of them), so that MergePartial and Finalize accept it; p
// decoded from storage should be checked first. The error wraps
// ErrCorruptState.
func (a *Aggregator) CheckPartial(p *Partial) error {
	if len(p.States) != len(a.vars) {
		return errf(ErrCorruptState, "%d variables, want %d", len(p.States), len(a.vars))
	}
	for vi := range a.vars {
		if n, want := len(p.States[vi]), len(a.vars[vi].reds); n != want {
			return errf(ErrCorruptState, "variable %s: %d states, want %d", a.vars[vi].Name, n, want)
		}
	}
	if n := len(p.Sketches); n != 0 && n != len(a.sortArgs) {
		return errf(ErrCorruptState, "%d sketches, want %d", n, len(a.sortArgs))
	}
	return nil
}

// sortedValues returns vals sorted (NaN first) in a.scratch, by a radix
// sort of their sort keys (uint32 keys for float32 data).
func (a *Aggregator) sortedValues(vals []float64, f32 bool) []float64 {
	a.scratch = a.grow(a.scratch, len(vals))
	if f32 {
		sortByKeys(a.scratch, vals, &a.skK32, key32f, unkey32)
	} else {
		sortByKeys(a.scratch, vals, &a.skK64, key64, unkey64)
	}
	return a.scratch
}

// sortByKeys stores vals sorted into dst (of the same length) by radix
// sorting their keys; bufs holds the key buffer and the radix scratch.
func sortByKeys[K sortKey](dst, vals []float64, bufs *[2][]K, key func(float64) K, unkey func(K) float64) {
	keys := growKeys(bufs[0], len(vals))
	for j, v := range vals {
		keys[j] = key(v)
	}
	bufs[1] = radixSort(keys, bufs[1])
	for j, k := range keys {
		dst[j] = unkey(k)
	}
	bufs[0] = keys
}

func growKeys[K sortKey](buf []K, n int) []K {
	if cap(buf) < n {
		return make([]K, n, n+n/4)
	}
	return buf[:n]
}

// mustFit panics unless p passes CheckPartial.
func (a *Aggregator) mustFit(p *Partial) {
	if err := a.CheckPartial(p); err != nil {
		panic("agg: partial states of a different aggregation: " + err.Error())
	}
}

// MergePartial folds src (Result.Partial of another set of points, e.g.
// another parent cell) into dst; a zero dst becomes a copy of src. The
// sketches merge when both have them and are dropped otherwise. It panics if
// the shapes differ (partials of another Aggregator).
func (a *Aggregator) MergePartial(dst, src *Partial) {
	a.mustFit(src)
	if dst.States == nil {
		dst.States = make([][]State, len(src.States))
		for i := range src.States {
			dst.States[i] = slices.Clone(src.States[i])
		}
		dst.Sketches = make([]Digest, len(src.Sketches))
		for i := range src.Sketches {
			dst.Sketches[i].Merge(&src.Sketches[i])
		}
		return
	}
	a.mustFit(dst)
	for i := range dst.States {
		for j := range dst.States[i] {
			dst.States[i][j].Merge(&src.States[i][j])
		}
	}
	if len(src.Sketches) == 0 {
		dst.Sketches = nil
	}
	for i := range dst.Sketches {
		dst.Sketches[i].Merge(&src.Sketches[i])
	}
}

// Finalize writes into dst (grown to NumVariables) the value of every variable
// for the set of points whose merged partial states are p: exact for the
// Mergeable variables; estimated from the quantile sketches for the Sketched
// ones when p has sketches (exact while a sketch holds at most
// DefaultExactPoints points, see Digest); the fill value for the others
// and for an empty set (0 for counts).
func (a *Aggregator) Finalize(dst []float64, p *Partial) []float64 {
	a.mustFit(p)
	dst = a.grow(dst, len(a.vars))
	for vi := range a.vars {
		v := &a.vars[vi]
		ps := p.States[vi]
		empty := len(ps) == 0 || ps[0].Count == 0
		switch {
		case v.count && empty:
			dst[vi] = 0
		case empty || !v.mergeable && !(v.sketched && len(p.Sketches) > 0):
			dst[vi] = v.FillValue
		default:
			for ri, r := range v.reds {
				if r.merge {
					r.nd.cur = stateValue(r, &ps[ri])
				} else {
					r.nd.cur = sketchValue(r, &p.Sketches[r.sortBuf])
				}
			}
			dst[vi] = evalScalar(v.root)
		}
	}
	return dst
}

// sketchValue estimates an order statistic from the sketch of its argument,
// with numpy's NaN rules (NaN propagates unless the nan twin is used).
func sketchValue(r *reduction, d *Digest) float64 {
	if d.NaN() > 0 && (r.kind == rMedian || r.kind == rQuantile) {
		return math.NaN()
	}
	if r.kind == rMedian || r.kind == rNanMedian {
		return d.Median()
	}
	return d.Quantile(r.q)
}

func (a *Aggregator) prepareLevels(dst *Result, depth, levels int) {
	if cap(dst.Levels) < levels {
		dst.Levels = append(dst.Levels[:cap(dst.Levels)], make([]Level, levels-cap(dst.Levels))...)
	}
	dst.Levels = dst.Levels[:levels]
	for k := range dst.Levels {
		l := &dst.Levels[k]
		cells := 1 << (2 * uint(depth-k))
		l.Order = dst.ChildOrder - k
		if cap(l.Counts) < cells {
			l.Counts = make([]int64, cells)
		}
		l.Counts = l.Counts[:cells]
		if cap(l.Values) < len(a.vars) {
			l.Values = make([][]float64, len(a.vars))
		}
		l.Values = l.Values[:len(a.vars)]
		for v := range l.Values {
			l.Values[v] = a.grow(l.Values[v], cells)
		}
	}
}

// segment returns the point range of cell j at level k.
func (a *Aggregator) segment(k, j int) (int, int) {
	return a.offs[j<<(2*uint(k))], a.offs[(j+1)<<(2*uint(k))]
}

// vecOf returns the full cell-ordered values of a pure node.
func (a *Aggregator) vecOf(n *node) []float64 {
	if n.op == opCol {
		return a.sorted[n.col]
	}
	return n.full
}

// level computes level k (order child−k); with out unset it only merges the
// partial states (for Result.Partial).
func (a *Aggregator) level(dst *Result, k, depth int, out bool) {
	cells := 1 << (2 * uint(depth-k))
	// Mergeable reductions: states per cell.
	for _, r := range a.reds {
		if !r.merge {
			continue
		}
		if cap(r.states) < cells {
			r.states = make([]State, cells)
		}
		prev := r.states
		if k == 0 {
			r.states = r.states[:cells]
			for j := 0; j < cells; j++ {
				lo, hi := a.segment(0, j)
				r.states[j] = a.bulkState(r, lo, hi)
			}
		} else {
			// Merge in place: cell j of level k covers cells 4j..4j+3 of
			// level k−1, and 4j ≥ j, so ascending j never overwrites an
			// unread state.
			for j := 0; j < cells; j++ {
				s := prev[4*j]
				s.Merge(&prev[4*j+1])
				s.Merge(&prev[4*j+2])
				s.Merge(&prev[4*j+3])
				prev[j] = s
			}
			r.states = prev[:cells]
		}
		if out {
			r.vals = a.grow(r.vals, cells)
			for j := range r.vals {
				r.vals[j] = stateValue(r, &r.states[j])
			}
		}
	}
	if !out {
		return
	}
	l := &dst.Levels[k]
	for j := 0; j < cells; j++ {
		lo, hi := a.segment(k, j)
		l.Counts[j] = int64(hi - lo)
	}
	// Order statistics over pure arguments: radix select on sort keys.
	for i := range a.sortArgs {
		if a.sortF32[i] {
			selectLevel(a, i, k, cells, &a.keys32[i], &a.pick32, &a.sel32, key32f, unkey32, 24, true)
		} else {
			selectLevel(a, i, k, cells, &a.keys64[i], &a.pick64, &a.sel64, key64, unkey64, 56, false)
		}
	}
	for vi := range a.vars {
		v := &a.vars[vi]
		out := l.Values[vi]
		for j := 0; j < cells; j++ {
			lo, hi := a.segment(k, j)
			if lo == hi {
				if v.count {
					out[j] = 0
				} else {
					out[j] = v.FillValue
				}
				continue
			}
			for _, r := range v.reds {
				a.setReduction(r, j, lo, hi)
			}
			out[j] = evalScalar(v.root)
		}
	}
}

// selectLevel computes, for every cell of level k, the order statistics over
// sort argument i: keys (in cell order) are made at level 0, NaN counts per
// cell are merged from the previous level, and the selector picks the ranks
// each cell needs. top is the shift of the keys' highest byte.
func selectLevel[K sortKey](a *Aggregator, i, k, cells int, keysp, pickp *[]K, sel *selector[K],
	key func(float64) K, unkey func(K) float64, top int, f32 bool) {
	nc := a.nanCnt[i]
	if k == 0 {
		full := a.vecOf(a.sortArgs[i])
		keys := growKeys(*keysp, len(full))
		*keysp = keys
		for j, v := range full {
			keys[j] = key(v)
		}
		nc = growInt(nc, cells)
		for j := 0; j < cells; j++ {
			lo, hi := a.segment(0, j)
			z := 0
			for _, x := range keys[lo:hi] {
				if x == 0 {
					z++
				}
			}
			nc[j] = z
		}
	} else {
		for j := 0; j < cells; j++ {
			nc[j] = nc[4*j] + nc[4*j+1] + nc[4*j+2] + nc[4*j+3]
		}
		nc = nc[:cells]
	}
	a.nanCnt[i] = nc
	keys := *keysp
	for _, r := range a.reds {
		if r.sortBuf == i {
			r.vals = a.grow(r.vals, cells)
		}
	}
	for j := 0; j < cells; j++ {
		lo, hi := a.segment(k, j)
		n := hi - lo
		if n == 0 {
			continue
		}
		a.ranks = a.ranks[:0]
		for _, r := range a.reds {
			if r.sortBuf != i {
				continue
			}
			if rl, rh, ok := rankPlan(r, n, nc[j]); ok {
				a.ranks = addRank(addRank(a.ranks, rl), rh)
			}
		}
		if len(a.ranks) > 0 {
			if cap(*pickp) < len(a.ranks) {
				*pickp = make([]K, len(a.ranks), 2*len(a.ranks))
			}
			out := (*pickp)[:len(a.ranks)]
			sel.sel(keys[lo:hi], top, 0, a.ranks, out)
			a.picked = a.grow(a.picked, len(out))
			for x, kk := range out {
				a.picked[x] = unkey(kk)
			}
		}
		for _, r := range a.reds {
			if r.sortBuf != i {
				continue
			}
			rl, rh, ok := rankPlan(r, n, nc[j])
			if !ok {
				r.vals[j] = math.NaN()
				continue
			}
			r.vals[j] = rankValue(r, n, nc[j], a.picked[indexOf(a.ranks, rl)], a.picked[indexOf(a.ranks, rh)], f32)
		}
	}
}

func key32f(v float64) uint32 { return key32(float32(v)) }

// addRank inserts x into the sorted, duplicate-free ranks.
func addRank(ranks []int, x int) []int {
	i := 0
	for i < len(ranks) && ranks[i] < x {
		i++
	}
	if i < len(ranks) && ranks[i] == x {
		return ranks
	}
	ranks = append(ranks, 0)
	copy(ranks[i+1:], ranks[i:])
	ranks[i] = x
	return ranks
}

func indexOf(ranks []int, x int) int {
	for i, r := range ranks {
		if r == x {
			return i
		}
	}
	return 0
}

// setReduction sets the current value of r for cell j with points [lo, hi).
func (a *Aggregator) setReduction(r *reduction, j, lo, hi int) {
	n := a.redNode(r)
	switch {
	case r.merge:
		n.cur = r.vals[j]
	case r.sortBuf >= 0:
		n.cur = r.vals[j]
	default:
		n.cur = a.directValue(r, lo, hi)
	}
}

func (a *Aggregator) redNode(r *reduction) *node { return r.nd }

// sortedValue computes an order statistic on a sorted run; f32 selects
// numpy's float32 interpolation (the source column is float32).
func sortedValue(r *reduction, s []float64, f32 bool) float64 {
	switch r.kind {
	case rMedian:
		return Median(s)
	case rNanMedian:
		return NanMedian(s)
	case rQuantile:
		if len(s) == 0 || s[0] != s[0] {
			return math.NaN()
		}
	default:
		s = skipNaN(s)
	}
	return lerp(r.q, s, f32)
}

// directValue computes a non-mergeable reduction whose argument is evaluated
// per segment.
func (a *Aggregator) directValue(r *reduction, lo, hi int) float64 {
	if r.arg == nil {
		return float64(hi - lo)
	}
	x := a.evalSeg(r.arg, lo, hi)
	var w []float64
	if r.w != nil {
		w = a.evalSeg(r.w, lo, hi)
	}
	switch r.kind {
	case rMedian, rNanMedian, rQuantile, rNanQuantile:
		a.scratch = append(a.scratch[:0], x...)
		slices.Sort(a.scratch)
		return sortedValue(r, a.scratch, false)
	}
	st := bulk(r, x, w)
	return stateValue(r, &st)
}

func (a *Aggregator) bulkState(r *reduction, lo, hi int) State {
	if r.arg == nil {
		return State{Count: int64(hi - lo)}
	}
	x := a.vecOf(r.arg)[lo:hi]
	var w []float64
	if r.w != nil {
		w = a.vecOf(r.w)[lo:hi]
	}
	return bulk(r, x, w)
}

// bulk computes the State of one reduction over a cell's values with the
// numpy algorithms (pairwise sums, two-pass variance), filling only the
// fields the reduction reads.
func bulk(r *reduction, x, w []float64) State {
	n := len(x)
	s := State{Count: int64(n)}
	if n == 0 {
		return s
	}
	switch r.kind {
	case rLen:
	case rSum, rMean:
		s.SumW = float64(n)
		s.SumWX = pairwiseSum(x)
	case rMin:
		s.Min = Min(x)
	case rMax:
		s.Max = Max(x)
	case rAverage:
		if w == nil {
			s.SumW = float64(n)
			s.SumWX = pairwiseSum(x)
		} else {
			s.SumW = pairwiseSum(w)
			s.SumWX = pairwiseSumProd(x, w)
		}
	case rVar, rStd:
		s.SumW = float64(n)
		s.SumWX = pairwiseSum(x)
		s.Mean = s.SumWX / float64(n)
		s.M2 = pairwiseSumSqDev(x, s.Mean)
	case rNanMin, rNanMax:
		s.Min, s.Max = math.Inf(1), math.Inf(-1)
		for _, v := range x {
			if v != v {
				s.NaN++
				continue
			}
			s.Min = math.Min(s.Min, v)
			s.Max = math.Max(s.Max, v)
		}
	case rNanSum, rNanMean, rNanVar, rNanStd:
		nv, sum, mean, m2 := nanMoments(x, r.kind == rNanVar || r.kind == rNanStd)
		s.NaN = int64(n - nv)
		s.SumW, s.SumWX, s.Mean, s.M2 = float64(nv), sum, mean, m2
	}
	return s
}

// stateValue finalises a reduction from its State.
func stateValue(r *reduction, s *State) float64 {
	nv := s.Valid()
	switch r.kind {
	case rLen:
		return float64(s.Count)
	case rSum, rNanSum:
		return s.SumWX
	}
	if nv == 0 {
		return math.NaN()
	}
	switch r.kind {
	case rMean, rNanMean:
		return s.SumWX / s.SumW
	case rAverage:
		if s.SumW == 0 {
			return math.NaN()
		}
		return s.SumWX / s.SumW
	case rMin, rNanMin:
		return s.Min
	case rMax, rNanMax:
		return s.Max
	case rVar:
		return s.Variance(r.ddof)
	case rStd:
		return math.Sqrt(s.Variance(r.ddof))
	case rNanVar:
		return nanVar(int(nv), s.M2, r.ddof)
	case rNanStd:
		return math.Sqrt(nanVar(int(nv), s.M2, r.ddof))
	}
	return math.NaN()
}

// evalScalar evaluates a per-cell (scalar) node.
func evalScalar(n *node) float64 {
	switch n.op {
	case opConst:
		return n.val
	case opReduce:
		return n.cur
	case opUnary:
		return n.f1(evalScalar(n.args[0]))
	case opBinary:
		return n.f2(evalScalar(n.args[0]), evalScalar(n.args[1]))
	}
	return math.NaN()
}

// evalPure evaluates a pure vector node on points [lo, hi) (at most chunkLen
// of them unless n is materialised). self=true evaluates n itself even if it
// is a materialised root (used while materialising it).
func (a *Aggregator) evalPure(n *node, lo, hi int, self bool) []float64 {
	if n.op == opCol {
		return a.sorted[n.col][lo:hi]
	}
	if !self && n.full != nil && len(n.full) >= hi && a.isRoot(n) {
		return n.full[lo:hi]
	}
	if cap(n.chunk) < chunkLen {
		n.chunk = make([]float64, chunkLen)
	}
	out := n.chunk[:hi-lo]
	switch n.op {
	case opUnary:
		x := a.evalPure(n.args[0], lo, hi, false)
		for i, v := range x {
			out[i] = n.f1(v)
		}
	case opBinary:
		l, r := n.args[0], n.args[1]
		switch {
		case l.vec && r.vec:
			x, y := a.evalPure(l, lo, hi, false), a.evalPure(r, lo, hi, false)
			for i := range out {
				out[i] = n.f2(x[i], y[i])
			}
		case l.vec:
			x, c := a.evalPure(l, lo, hi, false), r.val
			for i := range out {
				out[i] = n.f2(x[i], c)
			}
		default:
			c, y := l.val, a.evalPure(r, lo, hi, false)
			for i := range out {
				out[i] = n.f2(c, y[i])
			}
		}
	}
	return out
}

func (a *Aggregator) isRoot(n *node) bool { return n.root }

// evalSeg evaluates any vector node on the points [lo, hi) of one cell.
func (a *Aggregator) evalSeg(n *node, lo, hi int) []float64 {
	if n.pure {
		return a.vecOf(n)[lo:hi]
	}
	n.chunk = a.grow(n.chunk, hi-lo)
	out := n.chunk
	switch n.op {
	case opUnary:
		x := a.evalSeg(n.args[0], lo, hi)
		for i, v := range x {
			out[i] = n.f1(v)
		}
	case opBinary:
		l, r := n.args[0], n.args[1]
		switch {
		case l.vec && r.vec:
			x, y := a.evalSeg(l, lo, hi), a.evalSeg(r, lo, hi)
			for i := range out {
				out[i] = n.f2(x[i], y[i])
			}
		case l.vec:
			x, c := a.evalSeg(l, lo, hi), evalScalar(r)
			for i := range out {
				out[i] = n.f2(x[i], c)
			}
		default:
			c, y := evalScalar(l), a.evalSeg(r, lo, hi)
			for i := range out {
				out[i] = n.f2(c, y[i])
			}
		}
	}
	return out
}
