package yamlx

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var errTest = errors.New("test sentinel")

func node(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// TestScalars: one meaning of each scalar for every section that walks
// YAML with this package ("0.25" is a number, "12" an integer).
func TestScalars(t *testing.T) {
	for _, tc := range []struct {
		src      string
		num      float64
		numOK    bool
		integer  int
		intOK    bool
		str      string
		strOK    bool
		describe string
	}{
		{"0.25", 0.25, true, 0, false, "0.25", true, "'0.25'"},
		{`"0.25"`, 0.25, true, 0, false, "0.25", true, "'0.25'"},
		{"12", 12, true, 12, true, "12", true, "'12'"},
		{`"12"`, 12, true, 12, true, "12", true, "'12'"},
		{"1e3", 1000, true, 0, false, "1e3", true, "'1e3'"},
		{"abc", 0, false, 0, false, "abc", true, "'abc'"},
		{"~", 0, false, 0, false, "", false, "nothing"},
		{"[1]", 0, false, 0, false, "", false, "a list"},
		{"{a: 1}", 0, false, 0, false, "", false, "a mapping"},
	} {
		n := node(t, tc.src)
		x, err := Number(n, "k", errTest)
		if (err == nil) != tc.numOK || err == nil && x != tc.num || err != nil && !errors.Is(err, errTest) {
			t.Errorf("Number(%s) = %v, %v", tc.src, x, err)
		}
		i, err := Int(n, "k", errTest)
		if (err == nil) != tc.intOK || err == nil && i != tc.integer {
			t.Errorf("Int(%s) = %v, %v", tc.src, i, err)
		}
		s, err := String(n, "k", errTest)
		if (err == nil) != tc.strOK || err == nil && s != tc.str {
			t.Errorf("String(%s) = %q, %v", tc.src, s, err)
		}
		if d := Describe(n); d != tc.describe {
			t.Errorf("Describe(%s) = %s, want %s", tc.src, d, tc.describe)
		}
	}
}

// TestPairsAndErrors: keys in order with their paths, duplicates refused
// at the duplicate's line, and the error's forms.
func TestPairsAndErrors(t *testing.T) {
	n := node(t, "a: 1\nb: {c: 2}\n")
	var paths []string
	err := Pairs(n, "top", errTest, func(key, kp string, k, v *yaml.Node) error {
		paths = append(paths, kp)
		return nil
	})
	if err != nil || strings.Join(paths, ",") != "top.a,top.b" {
		t.Errorf("Pairs: %v %v", paths, err)
	}
	dup := node(t, "a: 1\na: 2\n")
	err = Pairs(dup, "", errTest, func(string, string, *yaml.Node, *yaml.Node) error { return nil })
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || e.Path != "a" || !errors.Is(err, errTest) || err.Error() != "line 2: a: duplicate key 'a'" {
		t.Errorf("duplicate key: %v", err)
	}
	if err := Mapping(node(t, "[1]"), "s", errTest); err == nil || err.Error() != "line 1: s: must be a mapping, got a list" {
		t.Errorf("Mapping: %v", err)
	}
	class := errors.New("class")
	e = &Error{File: "f.yaml", Path: "x.y", Line: 3, Column: 7, Err: Msg(errTest, "bad"), Class: class}
	if e.Error() != "f.yaml:3:7: x.y: bad" || !errors.Is(e, class) || !errors.Is(e, errTest) {
		t.Errorf("Error = %q", e.Error())
	}
}
