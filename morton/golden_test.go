package morton

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/healpix"
)

var update = flag.Bool("update", false, "rewrite testdata/cells.golden from the current code")

// TestGoldenCells pins every encoding of a fixed set of points (packed word,
// string, legacy id, nested index) in both conventions at several orders,
// so that any change to them shows up as a diff of testdata/cells.golden.
// Regenerate with go test ./morton -run TestGoldenCells -update after a
// deliberate change, and review the diff.
func TestGoldenCells(t *testing.T) {
	points := [][2]float64{
		{0, 0}, {45, -122}, {-45, 10}, {-80, 120}, {-78.5, -132}, {90, 0}, {-90, 0},
		{89.99, 45}, {-89.99, -45}, {41.8103148958, 1}, {-41.8103148958, 359}, {12.3, 91.5},
		{-67.9, 270.2}, {60, -0.5}, {-75, 180}, {0.001, 179.999}, {-33.3, -44.4}, {71.5, 300},
	}
	var b strings.Builder
	b.WriteString("# lat lon convention order packed string legacy nested\n")
	for _, p := range points {
		for _, conv := range []healpix.LatitudeConvention{healpix.Geodetic, healpix.Authalic} {
			for _, o := range []int{0, 1, 3, 6, 12, 18, 24, 29, -1} {
				var c Cell
				if o < 0 {
					c = PointFromLatLon(p[0], p[1], conv)
				} else {
					c = FromLatLon(p[0], p[1], o, conv)
				}
				legacy := "-"
				if m, err := c.Legacy(); err == nil {
					legacy = fmt.Sprint(m)
				}
				fmt.Fprintf(&b, "%v %v %v %d %#016x %s %s %d\n", p[0], p[1], conv, c.Order(), uint64(c), c, legacy, c.Nest())
			}
		}
	}
	const path = "testdata/cells.golden"
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	got := strings.Split(b.String(), "\n")
	wl := strings.Split(string(want), "\n")
	if len(got) != len(wl) {
		t.Fatalf("%s: %d lines, code gives %d", path, len(wl), len(got))
	}
	for k := range got {
		if got[k] != wl[k] {
			t.Errorf("%s:%d:\n got  %s\n want %s", path, k+1, got[k], wl[k])
		}
	}
}

func TestText(t *testing.T) {
	cat := map[Cell][]string{
		FromNest(6, 37010): {"s3://a"},
		FromNest(6, 19456): {"s3://b", "s3://c"},
	}
	b, err := json.Marshal(cat)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"-4113213":["s3://a"],"5411111":["s3://b","s3://c"]}`; string(b) != want {
		t.Errorf("json.Marshal = %s, want %s", b, want)
	}
	var back map[Cell][]string
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[FromNest(6, 37010)][0] != "s3://a" {
		t.Errorf("round trip = %v", back)
	}
	if err := json.Unmarshal([]byte(`{"-4113219":[]}`), &back); !errors.Is(err, ErrSyntax) {
		t.Errorf("bad key: %v, want ErrSyntax", err)
	}
	if _, err := Cell(0).MarshalText(); !errors.Is(err, ErrSyntax) {
		t.Errorf("MarshalText(Null): %v", err)
	}
	if s := string(Cell(0).AppendText([]byte("x"))); s != "xCell(0x0000000000000000)" {
		t.Errorf("AppendText(Null) = %q", s)
	}
}
