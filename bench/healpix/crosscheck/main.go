// Command crosscheck compares healpix.LatLonToNest and LatLonToRing with
// healpy on millions of random points. It is a one-off measurement, not a
// CI test (CI has no healpy): run.sh makes the points with healpy_dump.py
// and runs this on them.
//
// Usage:
//
//	go run ./bench/healpix/crosscheck FILE.bin
//
// It prints how many of the points get a different cell at orders 18 and
// 29 (nested) and 29 (ring), and the first few of them.
package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"

	"github.com/zagg-go/zagg/healpix"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: crosscheck FILE.bin")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "crosscheck:", err)
		os.Exit(1)
	}
	const rec = 40
	if len(b)%rec != 0 {
		fmt.Fprintf(os.Stderr, "crosscheck: %s: size %d is not a multiple of %d\n", os.Args[1], len(b), rec)
		os.Exit(1)
	}
	n := len(b) / rec
	lat := make([]float64, n)
	lon := make([]float64, n)
	var want18, want29, wantR []uint64
	for k := 0; k < n; k++ {
		r := b[k*rec:]
		lat[k] = math.Float64frombits(binary.LittleEndian.Uint64(r))
		lon[k] = math.Float64frombits(binary.LittleEndian.Uint64(r[8:]))
		want18 = append(want18, binary.LittleEndian.Uint64(r[16:]))
		want29 = append(want29, binary.LittleEndian.Uint64(r[24:]))
		wantR = append(wantR, binary.LittleEndian.Uint64(r[32:]))
	}
	got := make([]uint64, n)
	for _, c := range []struct {
		name  string
		order int
		want  []uint64
		ring  bool
	}{{"nested o18", 18, want18, false}, {"nested o29", 29, want29, false}, {"ring o29", 29, wantR, true}} {
		if c.ring {
			for k := range lat {
				got[k] = healpix.LatLonToRing(c.order, lat[k], lon[k])
			}
		} else {
			healpix.LatLonToNestSlice(got, c.order, lat, lon)
		}
		bad := 0
		for k := range got {
			if got[k] != c.want[k] {
				if bad < 5 {
					fmt.Printf("  %s: (%.17g, %.17g) -> %d, healpy %d\n", c.name, lat[k], lon[k], got[k], c.want[k])
				}
				bad++
			}
		}
		fmt.Printf("%s: %d of %d points differ from healpy\n", c.name, bad, n)
	}
}
