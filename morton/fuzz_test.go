package morton

import (
	"errors"
	"strconv"
	"testing"

	"github.com/zagg-go/zagg/healpix"
)

// FuzzParse feeds arbitrary strings to the decimal decoder: it must either
// fail with ErrSyntax or return a valid cell that prints back as the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"-4113213", "5411111", "541111111111111111111111111111p", "1", "-6", "", "p", "-", "7", "12345", "1" + "44444444444444444444444444444p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) || c != Null {
				t.Fatalf("Parse(%q) = %#x, %v", s, uint64(c), err)
			}
			return
		}
		if !c.IsValid() || c.String() != s {
			t.Fatalf("Parse(%q) = %#x, prints %q", s, uint64(c), c.String())
		}
		if m, err := c.Legacy(); err == nil && strconv.FormatInt(m, 10) != s {
			t.Fatalf("Parse(%q).Legacy() = %d", s, m)
		}
	})
}

// FuzzFromLegacy feeds arbitrary int64 values to the legacy decoder: it must
// fail with ErrLegacy or round-trip through Legacy, the string form and the
// nested index.
func FuzzFromLegacy(f *testing.F) {
	for _, m := range []int64{-4113213, 5411111, 6444444444444444444, -1, 0, 1 << 62, -5112333142313111423} {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, m int64) {
		c, err := FromLegacy(m)
		if err != nil {
			if !errors.Is(err, ErrLegacy) || c != Null {
				t.Fatalf("FromLegacy(%d) = %#x, %v", m, uint64(c), err)
			}
			return
		}
		back, err := c.Legacy()
		if err != nil || back != m {
			t.Fatalf("FromLegacy(%d).Legacy() = %d, %v", m, back, err)
		}
		if c.String() != strconv.FormatInt(m, 10) {
			t.Fatalf("FromLegacy(%d).String() = %q", m, c.String())
		}
		if FromNest(c.Order(), c.Nest()) != c {
			t.Fatalf("FromLegacy(%d) does not round-trip through the nested index", m)
		}
	})
}

// FuzzCell checks every word: a valid one round-trips through (order, nest)
// and its string form, and its parents and children are consistent with
// the healpix hierarchy; an invalid one is rejected everywhere.
func FuzzCell(f *testing.F) {
	for _, w := range []uint64{0xA092000000000006, 6629298651489370160, 0, 1 << 60, 13 << 60, 0x5C0000000000002F, ^uint64(0)} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w uint64) {
		c := Cell(w)
		if !c.IsValid() {
			if c.Order() != -1 || c.Nest() != healpix.Invalid || c.Parent(0) != Null {
				t.Fatalf("invalid %#x has order %d", w, c.Order())
			}
			return
		}
		o, n := c.Order(), c.Nest()
		if o < 0 || o > MaxOrder || n >= healpix.NPix(o) {
			t.Fatalf("%#x: order %d nest %d", w, o, n)
		}
		want := FromNest(o, n)
		if c.IsPoint() {
			want = PointFromNest(n)
		}
		if want != c {
			t.Fatalf("%#x: (order %d, nest %d) packs to %#x", w, o, n, uint64(want))
		}
		if back, err := Parse(c.String()); err != nil || back != c {
			t.Fatalf("%#x: Parse(%q) = %#x, %v", w, c.String(), uint64(back), err)
		}
		for p := 0; p <= o; p++ {
			par := c.Parent(p)
			if par.Order() != p || par.Nest() != healpix.Parent(o, n, p) || !par.Contains(c) {
				t.Fatalf("%#x.Parent(%d) = %s", w, p, par)
			}
		}
		if o < MaxOrder {
			for k, ch := range c.Children() {
				if ch.Parent(o) != c.Area() || ch.Nest() != n<<2+uint64(k) {
					t.Fatalf("%#x: child %d = %s", w, k, ch)
				}
			}
		}
	})
}
