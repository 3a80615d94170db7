package agg

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits that bound the work an expression can ask for. An expression is
// evaluated once per cell and order, so its size is what must be bounded; it
// has no loops, recursion, comprehensions or attribute access beyond the
// fixed numpy namespace, so its cost is linear in (nodes × points).
const (
	MaxExprLen   = 4096 // bytes of expression text
	MaxExprDepth = 64   // nesting of parentheses, calls and operators
	MaxExprNodes = 512  // operators, calls, names and literals
)

// astKind is the syntactic kind of an expression node.
type astKind uint8

const (
	astNum  astKind = iota // literal number
	astName                // column, constant or function name (dotted)
	astUnary
	astBinary
	astCall
)

// ast is a parsed expression node; pos is the byte offset in the source.
type ast struct {
	kind astKind
	pos  int
	num  float64
	name string // astName: the dotted name; astCall: the callee's name
	op   string // operator for astUnary/astBinary
	args []*ast
	kw   []kwArg
}

type kwArg struct {
	name string
	pos  int
	val  *ast
}

type token struct {
	kind byte // 'n' number, 'i' identifier, 'o' operator/punct, 0 end
	text string
	pos  int
	num  float64
}

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
	nodes int
}

// exprError builds the error for a problem at byte offset pos of src.
func exprError(src string, pos int, format string, args ...any) error {
	return &ExprError{Expr: src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// ExprError reports a syntax or semantic error in an expression. It wraps
// ErrExpression.
type ExprError struct {
	Expr string // the expression text
	Pos  int    // byte offset of the problem in Expr
	Msg  string
}

// Error renders `expression "<text>": column <n>: <message>`.
func (e *ExprError) Error() string {
	return fmt.Sprintf("expression %q: column %d: %s", e.Expr, e.Pos+1, e.Msg)
}

// Unwrap returns ErrExpression.
func (e *ExprError) Unwrap() error { return ErrExpression }

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
			j := i
			for j < len(src) && (isDigit(src[j]) || src[j] == '.') {
				j++
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && isDigit(src[k]) {
					j = k
					for j < len(src) && isDigit(src[j]) {
						j++
					}
				}
			}
			v, err := strconv.ParseFloat(src[i:j], 64)
			if err != nil {
				return nil, exprError(src, i, "bad number %q", src[i:j])
			}
			toks = append(toks, token{kind: 'n', text: src[i:j], pos: i, num: v})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && (isIdentStart(src[j]) || isDigit(src[j])) {
				j++
			}
			toks = append(toks, token{kind: 'i', text: src[i:j], pos: i})
			i = j
		default:
			op := ""
			if i+1 < len(src) && src[i:i+2] == "**" {
				op = "**"
			} else if strings.IndexByte("+-*/%(),.=", c) >= 0 {
				op = src[i : i+1]
			} else {
				return nil, exprError(src, i, "unexpected character %q", rune(c))
			}
			toks = append(toks, token{kind: 'o', text: op, pos: i})
			i += len(op)
		}
	}
	toks = append(toks, token{pos: len(src)})
	return toks, nil
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }

// parseExpr parses src into an AST, enforcing the size limits.
func parseExpr(src string) (*ast, error) {
	if len(src) > MaxExprLen {
		return nil, exprError(src[:64]+"...", 0, "longer than %d bytes", MaxExprLen)
	}
	if strings.TrimSpace(src) == "" {
		return nil, exprError(src, 0, "empty expression")
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	e, err := p.additive()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != 0 {
		return nil, exprError(src, t.pos, "unexpected %q", t.text)
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) isOp(s string) bool {
	t := p.toks[p.i]
	return t.kind == 'o' && t.text == s
}

func (p *parser) node(kind astKind, pos int) (*ast, error) {
	p.nodes++
	if p.nodes > MaxExprNodes {
		return nil, exprError(p.src, pos, "more than %d nodes", MaxExprNodes)
	}
	return &ast{kind: kind, pos: pos}, nil
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > MaxExprDepth {
		return exprError(p.src, pos, "nested deeper than %d", MaxExprDepth)
	}
	return nil
}

func (p *parser) additive() (*ast, error) {
	if err := p.enter(p.peek().pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	l, err := p.multiplicative()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		t := p.peek()
		p.i++
		r, err := p.multiplicative()
		if err != nil {
			return nil, err
		}
		if l, err = p.binary(t, l, r); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (p *parser) binary(t token, l, r *ast) (*ast, error) {
	n, err := p.node(astBinary, t.pos)
	if err != nil {
		return nil, err
	}
	n.op = t.text
	n.args = []*ast{l, r}
	return n, nil
}

func (p *parser) multiplicative() (*ast, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") || p.isOp("%") {
		t := p.peek()
		p.i++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		if l, err = p.binary(t, l, r); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// unary parses Python's "-x" / "+x", which binds looser than "**":
// -x**2 is -(x**2).
func (p *parser) unary() (*ast, error) {
	if p.isOp("-") || p.isOp("+") {
		t := p.peek()
		p.i++
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		n, err := p.node(astUnary, t.pos)
		if err != nil {
			return nil, err
		}
		n.op = t.text
		n.args = []*ast{x}
		return n, nil
	}
	return p.power()
}

// power parses "a ** b" (right-associative; the exponent may be signed).
func (p *parser) power() (*ast, error) {
	base, err := p.postfix()
	if err != nil {
		return nil, err
	}
	if p.isOp("**") {
		t := p.peek()
		p.i++
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		exp, err := p.unary()
		if err != nil {
			return nil, err
		}
		return p.binary(t, base, exp)
	}
	return base, nil
}

func (p *parser) postfix() (*ast, error) {
	a, err := p.atom()
	if err != nil {
		return nil, err
	}
	if !p.isOp("(") {
		return a, nil
	}
	if a.kind != astName {
		return nil, exprError(p.src, p.peek().pos, "only named functions can be called")
	}
	open := p.peek()
	p.i++
	if err := p.enter(open.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	a.kind = astCall
	for !p.isOp(")") {
		t := p.peek()
		if t.kind == 0 {
			return nil, exprError(p.src, open.pos, "unclosed '('")
		}
		if t.kind == 'i' && p.toks[p.i+1].kind == 'o' && p.toks[p.i+1].text == "=" {
			p.i += 2
			v, err := p.additive()
			if err != nil {
				return nil, err
			}
			a.kw = append(a.kw, kwArg{name: t.text, pos: t.pos, val: v})
		} else {
			if len(a.kw) > 0 {
				return nil, exprError(p.src, t.pos, "positional argument after keyword argument")
			}
			v, err := p.additive()
			if err != nil {
				return nil, err
			}
			a.args = append(a.args, v)
		}
		if p.isOp(",") {
			p.i++
			continue
		}
		if !p.isOp(")") {
			t := p.peek()
			if t.kind == 0 {
				return nil, exprError(p.src, open.pos, "unclosed '('")
			}
			return nil, exprError(p.src, t.pos, "expected ',' or ')', found %q", t.text)
		}
	}
	p.i++
	return a, nil
}

func (p *parser) atom() (*ast, error) {
	t := p.peek()
	switch {
	case t.kind == 'n':
		p.i++
		n, err := p.node(astNum, t.pos)
		if err != nil {
			return nil, err
		}
		n.num = t.num
		return n, nil
	case t.kind == 'i':
		p.i++
		name := t.text
		for p.isOp(".") {
			p.i++
			u := p.peek()
			if u.kind != 'i' {
				return nil, exprError(p.src, u.pos, "expected a name after '.'")
			}
			p.i++
			name += "." + u.text
		}
		n, err := p.node(astName, t.pos)
		if err != nil {
			return nil, err
		}
		n.name = name
		return n, nil
	case p.isOp("("):
		p.i++
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		e, err := p.additive()
		if err != nil {
			return nil, err
		}
		if !p.isOp(")") {
			u := p.peek()
			if u.kind == 0 {
				return nil, exprError(p.src, t.pos, "unclosed '('")
			}
			return nil, exprError(p.src, u.pos, "expected ')', found %q", u.text)
		}
		p.i++
		return e, nil
	case t.kind == 0:
		return nil, exprError(p.src, t.pos, "unexpected end of expression")
	}
	return nil, exprError(p.src, t.pos, "unexpected %q", t.text)
}
