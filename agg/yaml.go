package agg

import (
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/zagg-go/zagg/internal/yamlx"
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
	return yamlx.Pairs(n, "", ErrInvalid, func(key, _ string, k, v *yaml.Node) error {
		switch key {
		case "coordinates":
			if yamlx.IsNull(v) {
				return nil
			}
			if err := wantMap(v, key); err != nil {
				return err
			}
			return yamlx.Pairs(v, key, ErrInvalid, func(name, _ string, nk, nv *yaml.Node) error {
				path := key + "." + name
				if name != "cell_ids" && name != "morton" {
					return yamlx.At(nk, path, errf(ErrUnknownKey, "unknown coordinate '%s' (allowed: cell_ids, morton)", name))
				}
				c := Coordinate{Name: name, DType: Uint64}
				if name == "morton" {
					c.DType = Int64
				}
				if yamlx.IsNull(nv) {
					s.Coordinates = append(s.Coordinates, c)
					return nil
				}
				if err := wantMap(nv, path); err != nil {
					return err
				}
				err := yamlx.Pairs(nv, path, ErrInvalid, func(f, _ string, fk, fv *yaml.Node) error {
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
					return yamlx.At(fk, path+"."+f, errf(ErrUnknownKey, "unknown key '%s' (allowed: dtype, fill_value)", f))
				})
				if err != nil {
					return err
				}
				if err := c.DType.CheckFill(c.FillValue); err != nil {
					return yamlx.At(nv, path+".fill_value", err)
				}
				s.Coordinates = append(s.Coordinates, c)
				return nil
			})
		case "variables":
			if err := wantMap(v, key); err != nil {
				return err
			}
			if len(v.Content) == 0 {
				return yamlx.At(v, key, errf(ErrInvalid, "no variables"))
			}
			return yamlx.Pairs(v, key, ErrInvalid, func(name, _ string, nk, nv *yaml.Node) error {
				va, err := parseVariable(name, nk, nv)
				if err != nil {
					return err
				}
				s.Variables = append(s.Variables, va)
				return nil
			})
		}
		return yamlx.At(k, key, errf(ErrUnknownKey, "unknown key '%s' (allowed: coordinates, variables)", key))
	})
}

func parseVariable(name string, nk, nv *yaml.Node) (Variable, error) {
	path := "variables." + name
	v := Variable{Name: name, DType: Float32, FillValue: math.NaN(), pos: map[string][2]int{"": {nk.Line, nk.Column}}}
	if err := wantMap(nv, path); err != nil {
		return v, err
	}
	fillSet := false
	err := yamlx.Pairs(nv, path, ErrInvalid, func(key, _ string, k, x *yaml.Node) error {
		p := path + "." + key
		v.pos[key] = [2]int{x.Line, x.Column}
		var err error
		if yamlx.IsNull(x) && slices.Contains(variableKeys, key) {
			return nil // null = absent, as in configs dumped from Python
		}
		switch key {
		case "function":
			v.Function, err = yamlx.String(x, p, ErrInvalid)
		case "source":
			v.Source, err = yamlx.String(x, p, ErrInvalid)
		case "expression":
			v.Expression, err = yamlx.String(x, p, ErrInvalid)
		case "dtype":
			v.DType, err = parseDTypeNode(x, p)
		case "fill_value":
			v.FillValue, err = parseFill(x, p)
			fillSet = true
		case "params":
			err = parseParams(&v, x, p)
		case "units":
			v.Units, err = yamlx.String(x, p, ErrInvalid)
		case "long_name":
			v.LongName, err = yamlx.String(x, p, ErrInvalid)
		default:
			err = yamlx.At(k, p, errf(ErrUnknownKey, "unknown key '%s' (allowed: function, source, params, expression, dtype, fill_value, units, long_name)", key))
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
	if yamlx.IsNull(n) {
		return nil
	}
	if err := wantMap(n, path); err != nil {
		return err
	}
	return yamlx.Pairs(n, path, ErrInvalid, func(key, _ string, k, x *yaml.Node) error {
		p := path + "." + key
		v.pos["params."+key] = [2]int{x.Line, x.Column}
		switch key {
		case "weights":
			s, err := yamlx.String(x, p, ErrInvalid)
			if err != nil {
				return err
			}
			if strings.TrimSpace(s) == "" {
				return yamlx.At(x, p, errf(ErrBadParam, "Variable '%s': empty weights", v.Name))
			}
			v.Params.Weights = s
		case "ddof":
			d, err := yamlx.Number(x, p, ErrBadParam)
			if err != nil {
				return err
			}
			if d != math.Trunc(d) || d < 0 || d > 1<<30 {
				return yamlx.At(x, p, errf(ErrBadParam, "Variable '%s': ddof must be a non-negative integer, got %s", v.Name, x.Value))
			}
			v.Params.DDof = int(d)
		case "q":
			q, err := yamlx.Number(x, p, ErrBadParam)
			if err != nil {
				return err
			}
			v.Params.Q = &q
		case "method":
			s, err := yamlx.String(x, p, ErrInvalid)
			if err != nil {
				return err
			}
			if s != "linear" {
				return yamlx.At(x, p, errf(ErrBadParam, "Variable '%s': method '%s' (only numpy's default 'linear' is supported)", v.Name, s))
			}
		default:
			return yamlx.At(k, p, errf(ErrBadParam, "Variable '%s': unknown param '%s' (allowed: weights, ddof, q, method)", v.Name, key))
		}
		return nil
	})
}

// wantMap checks that n is a mapping; the section itself is named
// "aggregation" in the message.
func wantMap(n *yaml.Node, path string) error {
	if path == "" {
		path = "aggregation"
	}
	return yamlx.Mapping(n, path, ErrInvalid)
}

func parseDTypeNode(n *yaml.Node, path string) (DType, error) {
	s, err := yamlx.String(n, path, ErrInvalid)
	if err != nil {
		return 0, err
	}
	d, err := ParseDType(s)
	if err != nil {
		return 0, yamlx.At(n, path, err)
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
	return 0, yamlx.At(n, path, errf(ErrBadDType, "fill_value must be a number or \"NaN\", got %s", yamlx.Describe(n)))
}
