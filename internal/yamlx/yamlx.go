// Package yamlx is zagg's one YAML walker: the checks every hand-validated
// YAML section shares (mappings, unique keys, scalars of the right type)
// and the one positional error type, Error. The pipeline config
// (pipeline/config) and the aggregation section (agg) both walk yaml.v3
// nodes with it, so a value means the same in either ("0.25" is a number in
// both) and an error names the same things (file, line, column, key path).
package yamlx

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error locates a problem in a YAML document: File is the document's name
// (a path, or "atl06" for a built-in config; empty when unknown), Path the
// key path ("aggregation.variables.h_mean.params.weights"), Line and Column
// the 1-based position yaml.v3 reports (0 when unknown, e.g. for a value
// built in Go). Err says what is wrong and matches the sentinel of the
// problem under errors.Is; Class, when set, is one more sentinel every such
// error matches (e.g. config.ErrInvalid).
type Error struct {
	File   string
	Path   string
	Line   int
	Column int
	Err    error
	Class  error
}

// Error renders "file:line:column: path: message" when the file is known,
// else "line N: path: message"; parts that are unknown are left out.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "":
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
			if e.Column > 0 {
				fmt.Fprintf(&b, ":%d", e.Column)
			}
		}
		b.WriteString(": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is matches Class.
func (e *Error) Is(target error) bool { return e.Class != nil && target == e.Class }

// message is a message that matches a sentinel under errors.Is without
// repeating the sentinel's text.
type message struct {
	sentinel error
	msg      string
}

func (e *message) Error() string { return e.msg }
func (e *message) Unwrap() error { return e.sentinel }

// Msg returns an error reading format (with args) that matches sentinel.
func Msg(sentinel error, format string, args ...any) error {
	return &message{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}
}

// At returns an *Error at node n (nil: position unknown) and path wrapping err.
func At(n *yaml.Node, path string, err error) error {
	e := &Error{Path: path, Err: err}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// Errorf returns an *Error at node n and path whose message is format (with
// args) and which matches sentinel.
func Errorf(n *yaml.Node, path string, sentinel error, format string, args ...any) error {
	return At(n, path, Msg(sentinel, format, args...))
}

// Join returns the key path of key under path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// IsNull reports whether n is YAML's null (~, null, or nothing).
func IsNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// IsEmpty reports whether n is null, an empty mapping or an empty list.
func IsEmpty(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Tag == "!!null"
	case yaml.MappingNode, yaml.SequenceNode:
		return len(n.Content) == 0
	}
	return false
}

// Describe names what n is, for messages: "a mapping", "a list", "an
// alias", "nothing", or the scalar in quotes.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("'%s'", n.Value)
}

// Mapping returns an error matching sentinel unless n is a mapping.
func Mapping(n *yaml.Node, path string, sentinel error) error {
	if n.Kind != yaml.MappingNode {
		return Errorf(n, path, sentinel, "must be a mapping, got %s", Describe(n))
	}
	return nil
}

// Pairs calls f for each key of the mapping n, in document order, with the
// key's path; keys that are not scalars, and duplicate keys, are errors
// matching sentinel. An aliased value is resolved.
func Pairs(n *yaml.Node, path string, sentinel error, f func(key, keyPath string, k, v *yaml.Node) error) error {
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return Errorf(k, path, sentinel, "keys must be names")
		}
		kp := Join(path, k.Value)
		if seen[k.Value] {
			return Errorf(k, kp, sentinel, "duplicate key '%s'", k.Value)
		}
		seen[k.Value] = true
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		if err := f(k.Value, kp, k, v); err != nil {
			return err
		}
	}
	return nil
}

// String returns the text of a non-null scalar.
func String(n *yaml.Node, path string, sentinel error) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", Errorf(n, path, sentinel, "must be a string, got %s", Describe(n))
	}
	return n.Value, nil
}

// Number returns a scalar's value as a float64: an int or float, or a
// string holding one ("0.25"; zagg 0.1.0 configs dumped from Python carry
// numbers as strings).
func Number(n *yaml.Node, path string, sentinel error) (float64, error) {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		var x float64
		if err := n.Decode(&x); err == nil {
			return x, nil
		}
		if x, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64); err == nil {
			return x, nil
		}
	}
	return 0, Errorf(n, path, sentinel, "must be a number, got %s", Describe(n))
}

// Int returns a scalar's value as an int: an integer, or a string holding
// one ("12").
func Int(n *yaml.Node, path string, sentinel error) (int, error) {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		var x int
		if err := n.Decode(&x); err == nil && n.Tag != "!!float" {
			return x, nil
		}
		if x, err := strconv.Atoi(strings.TrimSpace(n.Value)); err == nil {
			return x, nil
		}
	}
	return 0, Errorf(n, path, sentinel, "must be an integer, got %s", Describe(n))
}
