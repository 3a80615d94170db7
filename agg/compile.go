package agg

import (
	"fmt"
	"math"
	"strconv"
)

// opKind is the operation of a compiled expression node.
type opKind uint8

const (
	opConst opKind = iota
	opCol
	opUnary  // f1(arg)
	opBinary // f2(a, b)
	opReduce // reduction over a vector argument
)

// node is a compiled, hash-consed expression node. Nodes with the same
// canonical key are shared, so a sub-expression used by several statistics
// (1.0 / s_li**2 in h_mean's weights and in h_sigma) is computed once.
type node struct {
	op   opKind
	key  string
	val  float64
	col  int
	f1   func(float64) float64
	f2   func(float64, float64) float64
	args []*node
	red  *reduction

	root bool // pure node materialised over all points
	vec  bool // one value per point (else one value per cell)
	pure bool // vec and free of reductions: can be computed once for all points

	// evaluation state
	full  []float64 // materialised values for all points (pure roots)
	chunk []float64 // chunk buffer (pure) or segment buffer (non-pure vec)
	cur   float64   // scalar value for the current cell
}

// reduction is one reduction node with its parameters and buffers.
type reduction struct {
	kind    redKind
	arg     *node
	w       *node // weights for average
	q       float64
	ddof    int
	merge   bool // states computed and merged across cells
	sortBuf int  // index of the sorted-run buffer (order statistics), -1 if none
	vals    []float64
	states  []State
	nd      *node // the reduction's node
}

// compiler turns ASTs into the shared node DAG.
type compiler struct {
	avail   map[string]bool // columns the data source provides
	cols    map[string]int
	colList []string
	nodes   map[string]*node
	reds    []*reduction
	src     string
}

func (c *compiler) intern(n *node) *node {
	if m, ok := c.nodes[n.key]; ok {
		return m
	}
	c.nodes[n.key] = n
	if n.red != nil {
		n.red.nd = n
		c.reds = append(c.reds, n.red)
	}
	return n
}

func (c *compiler) constant(v float64) *node {
	return c.intern(&node{op: opConst, val: v, key: strconv.FormatFloat(v, 'g', -1, 64)})
}

func (c *compiler) column(name string) *node {
	i, ok := c.cols[name]
	if !ok {
		i = len(c.colList)
		c.cols[name] = i
		c.colList = append(c.colList, name)
	}
	return c.intern(&node{op: opCol, col: i, key: "$" + name, vec: true, pure: true})
}

// unknownName is returned by compileAST for an identifier that is neither a
// column nor in the numpy namespace; callers turn it into their message.
type unknownName struct {
	name string
	pos  int
}

func (e *unknownName) Error() string { return fmt.Sprintf("unknown name %q", e.name) }

func (c *compiler) fold(n *node) *node {
	// Constant folding keeps scalar-only expressions cheap.
	if n.op == opUnary && n.args[0].op == opConst {
		return c.constant(n.f1(n.args[0].val))
	}
	if n.op == opBinary && n.args[0].op == opConst && n.args[1].op == opConst {
		return c.constant(n.f2(n.args[0].val, n.args[1].val))
	}
	return c.intern(n)
}

func (c *compiler) unary(name string, f func(float64) float64, x *node) *node {
	return c.fold(&node{op: opUnary, f1: f, args: []*node{x}, key: name + "(" + x.key + ")", vec: x.vec, pure: x.pure})
}

func (c *compiler) binary(name string, f func(float64, float64) float64, a, b *node) *node {
	vec := a.vec || b.vec
	pure := vec && (!a.vec || a.pure) && (!b.vec || b.pure) && !hasReduction(a) && !hasReduction(b)
	return c.fold(&node{op: opBinary, f2: f, args: []*node{a, b},
		key: name + "(" + a.key + "," + b.key + ")", vec: vec, pure: pure})
}

func hasReduction(n *node) bool {
	if n.op == opReduce {
		return true
	}
	for _, a := range n.args {
		if hasReduction(a) {
			return true
		}
	}
	return false
}

var binOps = map[string]func(float64, float64) float64{
	"+":  func(a, b float64) float64 { return a + b },
	"-":  func(a, b float64) float64 { return a - b },
	"*":  func(a, b float64) float64 { return a * b },
	"/":  func(a, b float64) float64 { return a / b },
	"%":  npMod,
	"**": npPow,
}

func (c *compiler) errAt(pos int, format string, args ...any) error {
	return exprError(c.src, pos, format, args...)
}

// compileAST compiles one parsed expression.
func (c *compiler) compileAST(a *ast) (*node, error) {
	switch a.kind {
	case astNum:
		return c.constant(a.num), nil
	case astName:
		if c.avail[a.name] {
			return c.column(a.name), nil
		}
		base := stripNumpy(a.name)
		if base != a.name {
			if v, ok := constants[base]; ok {
				return c.constant(v), nil
			}
			if _, ok := unaryFuncs[base]; ok {
				return nil, c.errAt(a.pos, "%s is a function; call it", a.name)
			}
		}
		return nil, &unknownName{name: a.name, pos: a.pos}
	case astUnary:
		x, err := c.compileAST(a.args[0])
		if err != nil {
			return nil, err
		}
		if a.op == "+" {
			return x, nil
		}
		return c.unary("neg", func(v float64) float64 { return -v }, x), nil
	case astBinary:
		l, err := c.compileAST(a.args[0])
		if err != nil {
			return nil, err
		}
		r, err := c.compileAST(a.args[1])
		if err != nil {
			return nil, err
		}
		return c.binary(a.op, binOps[a.op], l, r), nil
	case astCall:
		return c.call(a)
	}
	return nil, c.errAt(a.pos, "internal: bad node")
}

func (c *compiler) call(a *ast) (*node, error) {
	name := a.name
	base := stripNumpy(name)
	if base == name {
		// Bare names: Python builtins, and the bare numpy names zagg 0.1.0's
		// validator allowed.
		switch name {
		case "len", "sum", "abs", "float", "int", "sqrt", "log", "exp":
		default:
			return nil, &unknownName{name: name, pos: a.pos}
		}
	}
	args := make([]*node, len(a.args))
	for i, x := range a.args {
		n, err := c.compileAST(x)
		if err != nil {
			return nil, err
		}
		args[i] = n
	}
	if base == name && (name == "float" || name == "int") {
		if len(args) != 1 || len(a.kw) > 0 {
			return nil, c.errAt(a.pos, "%s() takes exactly one argument", name)
		}
		if args[0].vec {
			return nil, c.errAt(a.pos, "%s() needs a single value; reduce the points first (e.g. np.sum)", name)
		}
		if name == "int" {
			return c.unary("int", math.Trunc, args[0]), nil
		}
		return args[0], nil
	}
	if f, ok := unaryFuncs[base]; ok {
		if len(args) != 1 || len(a.kw) > 0 {
			return nil, c.errAt(a.pos, "%s() takes exactly one argument", name)
		}
		return c.unary(base, f, args[0]), nil
	}
	if f, ok := binaryFuncs[base]; ok {
		if len(args) != 2 || len(a.kw) > 0 {
			return nil, c.errAt(a.pos, "%s() takes exactly two arguments", name)
		}
		return c.binary(base, f, args[0], args[1]), nil
	}
	fn, ok := functions[base]
	if !ok || base == "count" {
		return nil, &unknownName{name: name, pos: a.pos}
	}
	if len(args) == 0 {
		return nil, c.errAt(a.pos, "%s() needs the points to reduce", name)
	}
	if !args[0].vec {
		return nil, c.errAt(a.pos, "%s() of a single value: its argument must be per point (a column or an element-wise expression of columns)", name)
	}
	r := &reduction{kind: fn.kind, arg: args[0], sortBuf: -1}
	key := fn.Name + "(" + args[0].key
	rest := args[1:]
	switch fn.kind {
	case rQuantile, rNanQuantile:
		var qn *node
		if len(rest) == 1 {
			qn = rest[0]
		}
		for _, k := range a.kw {
			if k.name != "q" || qn != nil {
				return nil, c.errAt(k.pos, "%s() got an unexpected keyword argument %q", name, k.name)
			}
			n, err := c.compileAST(k.val)
			if err != nil {
				return nil, err
			}
			qn = n
		}
		if qn == nil || len(rest) > 1 || qn.op != opConst {
			return nil, c.errAt(a.pos, "%s() needs one constant q", name)
		}
		q := qn.val
		if fn.percent {
			q /= 100
		}
		if !(q >= 0 && q <= 1) {
			return nil, c.errAt(a.pos, "%s(): q = %g out of range", name, qn.val)
		}
		r.q = q
		key += ",q=" + strconv.FormatFloat(q, 'g', -1, 64)
	case rVar, rNanVar, rStd, rNanStd:
		if len(rest) > 0 {
			return nil, c.errAt(a.pos, "%s(): pass ddof as ddof=", name)
		}
		for _, k := range a.kw {
			if k.name != "ddof" {
				return nil, c.errAt(k.pos, "%s() got an unexpected keyword argument %q", name, k.name)
			}
			n, err := c.compileAST(k.val)
			if err != nil {
				return nil, err
			}
			if n.op != opConst || n.val != math.Trunc(n.val) || math.Abs(n.val) > 1<<30 {
				return nil, c.errAt(k.pos, "ddof must be an integer constant")
			}
			r.ddof = int(n.val)
		}
		key += ",ddof=" + strconv.Itoa(r.ddof)
	case rAverage:
		var w *node
		if len(rest) == 1 {
			w = rest[0]
		} else if len(rest) > 1 {
			return nil, c.errAt(a.pos, "%s() takes at most two positional arguments", name)
		}
		for _, k := range a.kw {
			if k.name != "weights" || w != nil {
				return nil, c.errAt(k.pos, "%s() got an unexpected keyword argument %q", name, k.name)
			}
			n, err := c.compileAST(k.val)
			if err != nil {
				return nil, err
			}
			w = n
		}
		if w != nil {
			if !w.vec {
				return nil, c.errAt(a.pos, "%s(): weights must be per point", name)
			}
			r.w = w
			key += ",w=" + w.key
		}
	default:
		if len(rest) > 0 || len(a.kw) > 0 {
			return nil, c.errAt(a.pos, "%s() takes exactly one argument", name)
		}
	}
	key += ")"
	return c.reduce(r, key), nil
}

// reduce interns a reduction node.
func (c *compiler) reduce(r *reduction, key string) *node {
	if m, ok := c.nodes[key]; ok {
		return m
	}
	r.merge = r.kind < rMedian && r.arg.pure && (r.w == nil || r.w.pure)
	args := []*node{r.arg}
	if r.w != nil {
		args = append(args, r.w)
	}
	return c.intern(&node{op: opReduce, red: r, key: key, args: args})
}
