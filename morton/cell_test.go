package morton

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/zagg-go/zagg/healpix"
)

// referencePack is an obvious, slow encoder of the packed word: it walks the
// levels one at a time exactly as the layout table in the Cell comment says.
func referencePack(order int, nest uint64, point bool) uint64 {
	base := nest >> (2 * uint(order))
	w := (base + 1) << 60
	tuple := func(k int) uint64 { return (nest >> (2 * uint(order-k))) & 3 }
	for k := 1; k <= order && k <= 27; k++ {
		w |= tuple(k) << uint(60-2*k)
	}
	switch {
	case order <= 27:
		w |= uint64(order)
	case order == 28:
		w |= 28 + 5*tuple(28)
	case point:
		w |= 48 + 4*tuple(28) + tuple(29)
	default:
		w |= 28 + 5*tuple(28) + tuple(29) + 1
	}
	return w
}

func TestPackReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for o := 0; o <= MaxOrder; o++ {
		for k := 0; k < 3000; k++ {
			n := rng.Uint64N(healpix.NPix(o))
			c := FromNest(o, n)
			if uint64(c) != referencePack(o, n, false) {
				t.Fatalf("FromNest(%d, %d) = %#x, reference %#x", o, n, uint64(c), referencePack(o, n, false))
			}
			if !c.IsValid() || c.IsPoint() || c.Order() != o || c.Nest() != n || c.Area() != c {
				t.Fatalf("FromNest(%d, %d) = %#x: valid %v point %v order %d nest %d", o, n, uint64(c), c.IsValid(), c.IsPoint(), c.Order(), c.Nest())
			}
			if c.Base() != int(n>>(2*uint(o))) {
				t.Fatalf("%s.Base() = %d", c, c.Base())
			}
			s := c.String()
			back, err := Parse(s)
			if err != nil || back != c {
				t.Fatalf("Parse(%q) = %#x, %v, want %#x", s, uint64(back), err, uint64(c))
			}
			if o >= 1 && o <= MaxLegacyOrder {
				m, err := c.Legacy()
				if err != nil || strconv.FormatInt(m, 10) != s {
					t.Fatalf("%s.Legacy() = %d, %v", s, m, err)
				}
				back, err := FromLegacy(m)
				if err != nil || back != c {
					t.Fatalf("FromLegacy(%d) = %s, %v", m, back, err)
				}
			} else if _, err := c.Legacy(); !errors.Is(err, ErrLegacy) {
				t.Fatalf("%s.Legacy() at order %d: %v, want ErrLegacy", s, o, err)
			}
			for p := 0; p <= o; p++ {
				if got, want := c.Parent(p), FromNest(p, healpix.Parent(o, n, p)); got != want {
					t.Fatalf("%s.Parent(%d) = %s, want %s", s, p, got, want)
				}
				if !c.Parent(p).Contains(c) {
					t.Fatalf("%s.Parent(%d) does not contain it", s, p)
				}
			}
			if o < MaxOrder {
				ch := c.Children()
				for i, x := range ch {
					if x.Parent(o) != c || x.Nest() != n<<2+uint64(i) {
						t.Fatalf("%s.Children()[%d] = %s", s, i, x)
					}
					if i > 0 && ch[i-1] >= x {
						t.Fatalf("%s.Children() not ascending: %v", s, ch)
					}
				}
				// Every parent sorts before its children as an unsigned word.
				if ch[0] <= c {
					t.Fatalf("child %#x sorts before parent %#x", uint64(ch[0]), uint64(c))
				}
			} else if c.Children() != [4]Cell{} {
				t.Fatalf("order-29 cell has children")
			}
		}
	}
}

func TestPointWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for k := 0; k < 20000; k++ {
		n := rng.Uint64N(healpix.NPix(MaxOrder))
		p := PointFromNest(n)
		if uint64(p) != referencePack(MaxOrder, n, true) {
			t.Fatalf("PointFromNest(%d) = %#x, reference %#x", n, uint64(p), referencePack(MaxOrder, n, true))
		}
		if !p.IsPoint() || p.Order() != MaxOrder || p.Nest() != n || p.Area() != FromNest(MaxOrder, n) {
			t.Fatalf("point %#x: IsPoint %v order %d nest %d", uint64(p), p.IsPoint(), p.Order(), p.Nest())
		}
		s := p.String()
		if !strings.HasSuffix(s, "p") {
			t.Fatalf("point string %q", s)
		}
		if back, err := Parse(s); err != nil || back != p {
			t.Fatalf("Parse(%q) = %#x, %v", s, uint64(back), err)
		}
		if p.Parent(MaxOrder) != p.Area() || p.Parent(12) != FromNest(12, n>>34) {
			t.Fatalf("point %s parents wrong", s)
		}
		if !p.Contains(p) || p.Contains(p.Area()) || !p.Area().Parent(20).Contains(p) {
			t.Fatalf("point %s Contains wrong", s)
		}
		if _, err := p.Legacy(); !errors.Is(err, ErrLegacy) {
			t.Fatalf("point Legacy: %v", err)
		}
	}
	if PointFromNest(healpix.NPix(MaxOrder)) != Null || PointFromLatLon(math.NaN(), 0, healpix.Authalic) != Null {
		t.Error("bad point input not Null")
	}
}

func TestInvalidWords(t *testing.T) {
	bad := []Cell{
		Null,
		Cell(13 << 60), Cell(15<<60 | 3),
		Cell(1<<60 | 1<<57 | 1), // order 1 with a level-2 quadrant set
		Cell(1<<60 | 0xC0 | 26), // order 26 with the level-27 quadrant set
	}
	for _, c := range bad {
		if c.IsValid() || c.Order() != -1 || c.Nest() != healpix.Invalid || c.Base() != -1 || c.IsPoint() {
			t.Errorf("%#x accepted: valid %v order %d", uint64(c), c.IsValid(), c.Order())
		}
		if c.Parent(0) != Null || c.Area() != Null || c.Children() != [4]Cell{} || c.Contains(c) {
			t.Errorf("%#x: operations on an invalid word do not give Null", uint64(c))
		}
		if _, err := c.Legacy(); !errors.Is(err, ErrLegacy) {
			t.Errorf("%#x.Legacy(): %v", uint64(c), err)
		}
		if s := c.String(); !strings.HasPrefix(s, "Cell(0x") {
			t.Errorf("%#x.String() = %q", uint64(c), s)
		}
		for range c.ChildrenAt(29) {
			t.Errorf("%#x has children", uint64(c))
		}
	}
	if FromNest(3, healpix.NPix(3)) != Null || FromNest(3, healpix.Invalid) != Null {
		t.Error("FromNest out of range not Null")
	}
	if FromLatLon(91, 0, 5, healpix.Geodetic) != Null || FromLatLon(0, math.Inf(1), 5, healpix.Authalic) != Null {
		t.Error("FromLatLon bad input not Null")
	}
	c := FromNest(5, 100)
	if c.Parent(6) != Null {
		t.Error("Parent finer than the cell is not Null")
	}
	n := 0
	for range c.ChildrenAt(4) {
		n++
	}
	for range c.ChildrenAt(7) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("ChildrenAt: %d cells", n)
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{"", "-", "p", "0", "7", "-7", "15", "1a", "12p", "+12", " 12", "1234567890",
		"1" + strings.Repeat("1", 30), "--1", "1-1", "11p1", "1" + strings.Repeat("4", 28) + "p"} {
		if c, err := Parse(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %s, %v, want ErrSyntax", s, c, err)
		}
	}
	_, err := Parse(strings.Repeat("1", 1<<20))
	if !errors.Is(err, ErrSyntax) || len(err.Error()) > 200 {
		t.Errorf("Parse of a 1 MiB string: error of %d bytes: %.100v", len(err.Error()), err)
	}
	for _, s := range []string{"1", "-6", "-61234", "1" + strings.Repeat("4", 29), "-6" + strings.Repeat("4", 29) + "p"} {
		c, err := Parse(s)
		if err != nil || c.String() != s {
			t.Errorf("Parse(%q) = %s, %v", s, c, err)
		}
	}
}

func TestLegacyErrors(t *testing.T) {
	for _, m := range []int64{0, 1, -6, 7, 71, 15, 10, 1 << 62, math.MaxInt64, math.MinInt64, -math.MaxInt64,
		1111111111111111111, 7111111111111111111, 6444444444444444445, 11111111111111111} {
		c, err := FromLegacy(m)
		ok := err == nil
		if m == 1111111111111111111 || m == 11111111111111111 {
			if !ok || c.Order() != len(strconv.FormatInt(m, 10))-1 {
				t.Errorf("FromLegacy(%d) = %s, %v", m, c, err)
			}
			continue
		}
		if ok || !errors.Is(err, ErrLegacy) {
			t.Errorf("FromLegacy(%d) = %s, %v, want ErrLegacy", m, c, err)
		}
	}
	if _, err := FromNest(0, 3).Legacy(); !errors.Is(err, ErrLegacy) {
		t.Errorf("order-0 Legacy: %v", err)
	}
	if _, err := FromNest(19, 3).Legacy(); !errors.Is(err, ErrLegacy) {
		t.Errorf("order-19 Legacy: %v", err)
	}
}

func TestMisusePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"FromNest(30)":   func() { FromNest(30, 0) },
		"FromLatLon(-1)": func() { FromLatLon(0, 0, -1, healpix.Authalic) },
		"Parent(30)":     func() { FromNest(3, 1).Parent(30) },
		"ChildrenAt(30)": func() { FromNest(3, 1).ChildrenAt(30) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s did not panic", name)
				} else if s, ok := r.(string); !ok || !strings.HasPrefix(s, "morton: ") {
					t.Errorf("%s panicked with %v", name, r)
				}
			}()
			f()
		}()
	}
}

func TestFromNestSlice(t *testing.T) {
	nest := []uint64{0, 37010, healpix.NPix(6) - 1, healpix.NPix(6), healpix.Invalid}
	dst := make([]Cell, len(nest))
	FromNestSlice(dst, 6, nest)
	for k, n := range nest {
		if dst[k] != FromNest(6, n) {
			t.Errorf("FromNestSlice[%d] = %s, FromNest %s", k, dst[k], FromNest(6, n))
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("FromNestSlice with different lengths did not panic")
		}
	}()
	FromNestSlice(dst[:1], 6, nest)
}

// TestVectorsMatchShared checks that the copies of the shared reference
// vectors in testdata are byte-identical to ../shared/testdata, when that
// folder is present (it is beside the repository in the project checkout).
func TestVectorsMatchShared(t *testing.T) {
	for _, f := range []string{"morton_vectors.json"} {
		shared, err := os.ReadFile("../../shared/testdata/" + f)
		if err != nil {
			t.Skipf("no shared copy: %v", err)
		}
		local, err := os.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if string(shared) != string(local) {
			t.Errorf("testdata/%s differs from ../shared/testdata/%s: copy it again", f, f)
		}
	}
}
