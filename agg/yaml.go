package agg

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// UnmarshalYAML decodes the aggregation section (zagg 0.1.0 schema):
//
//	coordinates:            # output coordinates: dtype and fill_value only
//	  cell_ids: {dtype: uint64, fill_value: 0}
//	  morton:   {dtype: int64,  fill_value: 0}
//	variables:              # YAML order = output order
//	  h_mean: {function: average, source: h_li, params: {weights: "1.0 / s_li**2"}, dtype: float32}
//	  h_sigma: {expression: "1.0 / np.sqrt(np.sum(1.0 / s_li**2))"}
//
// It checks the structure (unknown keys, value types, dtypes, fill values,
// param types) and returns a *FieldError with the key path and YAML line.
// Names of columns and functions are resolved later, by Compile. Defaults:
// dtype float32; fill_value NaN for float dtypes and 0 for integer ones.
func (s *Spec) UnmarshalYAML(n *yaml.Node) error {
	*s = Spec{}
	if err := wantMap(n, ""); err != nil {
		return err
	}
	return eachPair(n, "", func(key string, k, v *yaml.Node) error {
		switch key {
		case "coordinates":
			if isNull(v) {
				return nil
			}
			if err := wantMap(v, key); err != nil {
				return err
			}
			return eachPair(v, key, func(name string, nk, nv *yaml.Node) error {
				path := key + "." + name
				if name != "cell_ids" && name != "morton" {
					return ferr(nk, path, errf(ErrUnknownKey, "unknown coordinate '%s' (allowed: cell_ids, morton)", name))
				}
				c := Coordinate{Name: name, DType: Uint64}
				if name == "morton" {
					c.DType = Int64
				}
				if isNull(nv) {
					s.Coordinates = append(s.Coordinates, c)
					return nil
				}
				if err := wantMap(nv, path); err != nil {
					return err
				}
				err := eachPair(nv, path, func(f string, fk, fv *yaml.Node) error {
					switch f {
					case "dtype":
						d, err := parseDTypeNode(fv, path+".dtype")
						c.DType = d
						return err
					case "fill_value":
						x, err := parseFill(fv, path+".fill_value")
						c.FillValue = x
						return err
					}
					return ferr(fk, path+"."+f, errf(ErrUnknownKey, "unknown key '%s' (allowed: dtype, fill_value)", f))
				})
				if err != nil {
					return err
				}
				if err := c.DType.CheckFill(c.FillValue); err != nil {
					return ferr(nv, path+".fill_value", err)
				}
				s.Coordinates = append(s.Coordinates, c)
				return nil
			})
		case "variables":
			if err := wantMap(v, key); err != nil {
				return err
			}
			if len(v.Content) == 0 {
				return ferr(v, key, errf(ErrInvalid, "no variables"))
			}
			return eachPair(v, key, func(name string, nk, nv *yaml.Node) error {
				va, err := parseVariable(name, nk, nv)
				if err != nil {
					return err
				}
				s.Variables = append(s.Variables, va)
				return nil
			})
		}
		return ferr(k, key, errf(ErrUnknownKey, "unknown key '%s' (allowed: coordinates, variables)", key))
	})
}

func parseVariable(name string, nk, nv *yaml.Node) (Variable, error) {
	path := "variables." + name
	v := Variable{Name: name, DType: Float32, FillValue: math.NaN(), pos: map[string][2]int{"": {nk.Line, nk.Column}}}
	if err := wantMap(nv, path); err != nil {
		return v, err
	}
	fillSet := false
	err := eachPair(nv, path, func(key string, k, x *yaml.Node) error {
		p := path + "." + key
		v.pos[key] = [2]int{x.Line, x.Column}
		var err error
		if isNull(x) && slices.Contains(variableKeys, key) {
			return nil // null = absent, as in configs dumped from Python
		}
		switch key {
		case "function":
			v.Function, err = str(x, p)
		case "source":
			v.Source, err = str(x, p)
		case "expression":
			v.Expression, err = str(x, p)
		case "dtype":
			v.DType, err = parseDTypeNode(x, p)
		case "fill_value":
			v.FillValue, err = parseFill(x, p)
			fillSet = true
		case "params":
			err = parseParams(&v, x, p)
		case "units":
			v.Units, err = str(x, p)
		case "long_name":
			v.LongName, err = str(x, p)
		default:
			err = ferr(k, p, errf(ErrUnknownKey, "unknown key '%s' (allowed: function, source, params, expression, dtype, fill_value, units, long_name)", key))
		}
		return err
	})
	if err != nil {
		return v, err
	}
	if !fillSet && !v.DType.IsFloat() {
		v.FillValue = 0
	}
	return v, nil
}

var variableKeys = []string{"function", "source", "params", "expression", "dtype", "fill_value", "units", "long_name"}

func parseParams(v *Variable, n *yaml.Node, path string) error {
	if isNull(n) {
		return nil
	}
	if err := wantMap(n, path); err != nil {
		return err
	}
	return eachPair(n, path, func(key string, k, x *yaml.Node) error {
		p := path + "." + key
		v.pos["params."+key] = [2]int{x.Line, x.Column}
		switch key {
		case "weights":
			s, err := str(x, p)
			if err != nil {
				return err
			}
			if strings.TrimSpace(s) == "" {
				return ferr(x, p, errf(ErrBadParam, "Variable '%s': empty weights", v.Name))
			}
			v.Params.Weights = s
		case "ddof":
			d, err := number(x, p)
			if err != nil {
				return err
			}
			if d != math.Trunc(d) || d < 0 || d > 1<<30 {
				return ferr(x, p, errf(ErrBadParam, "Variable '%s': ddof must be a non-negative integer, got %s", v.Name, x.Value))
			}
			v.Params.DDof = int(d)
		case "q":
			q, err := number(x, p)
			if err != nil {
				return err
			}
			v.Params.Q = &q
		case "method":
			s, err := str(x, p)
			if err != nil {
				return err
			}
			if s != "linear" {
				return ferr(x, p, errf(ErrBadParam, "Variable '%s': method '%s' (only numpy's default 'linear' is supported)", v.Name, s))
			}
		default:
			return ferr(k, p, errf(ErrBadParam, "Variable '%s': unknown param '%s' (allowed: weights, ddof, q, method)", v.Name, key))
		}
		return nil
	})
}

// ferr builds a FieldError at node n.
func ferr(n *yaml.Node, path string, err error) error {
	return &FieldError{Path: path, Line: n.Line, Column: n.Column, Err: err}
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "empty"
	}
	return fmt.Sprintf("%q", n.Value)
}

func wantMap(n *yaml.Node, path string) error {
	if n.Kind != yaml.MappingNode {
		p := path
		if p == "" {
			p = "aggregation"
		}
		return ferr(n, p, errf(ErrInvalid, "must be a mapping, got %s", kindName(n)))
	}
	return nil
}

// eachPair calls f for each key of a mapping node, rejecting non-string and
// duplicate keys.
func eachPair(n *yaml.Node, path string, f func(key string, k, v *yaml.Node) error) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return ferr(k, path, errf(ErrInvalid, "keys must be names"))
		}
		p := k.Value
		if path != "" {
			p = path + "." + k.Value
		}
		if seen[k.Value] {
			return ferr(k, p, errf(ErrInvalid, "duplicate key '%s'", k.Value))
		}
		seen[k.Value] = true
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		if err := f(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

func str(n *yaml.Node, path string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", ferr(n, path, errf(ErrInvalid, "must be a string, got %s", kindName(n)))
	}
	return n.Value, nil
}

// number decodes an int or float scalar; numeric strings ("0.25") are
// accepted too (zagg 0.1.0 passed them to numpy as strings, bug §11.9).
func number(n *yaml.Node, path string) (float64, error) {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		var x float64
		if err := n.Decode(&x); err == nil {
			return x, nil
		}
		if x, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64); err == nil {
			return x, nil
		}
	}
	return 0, ferr(n, path, errf(ErrBadParam, "must be a number, got %s", kindName(n)))
}

func parseDTypeNode(n *yaml.Node, path string) (DType, error) {
	s, err := str(n, path)
	if err != nil {
		return 0, err
	}
	d, err := ParseDType(s)
	if err != nil {
		return 0, ferr(n, path, err)
	}
	return d, nil
}

// parseFill decodes a fill value: a number, YAML's .nan/.inf, or the strings
// "NaN", "Infinity", "-Infinity" (Zarr's JSON spellings) and "nan", "inf".
func parseFill(n *yaml.Node, path string) (float64, error) {
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(strings.TrimSpace(n.Value)) {
		case "nan", ".nan":
			return math.NaN(), nil
		case "infinity", "inf", ".inf", "+inf", "+infinity":
			return math.Inf(1), nil
		case "-infinity", "-inf", "-.inf":
			return math.Inf(-1), nil
		}
		var x float64
		if n.Tag != "!!null" && n.Decode(&x) == nil {
			return x, nil
		}
	}
	return 0, ferr(n, path, errf(ErrBadDType, "fill_value must be a number or \"NaN\", got %s", kindName(n)))
}
