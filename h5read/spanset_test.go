package h5read

import (
	"math/rand/v2"
	"testing"
)

// TestSpanSet checks spanSet.add against a byte map on random ranges.
func TestSpanSet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s spanSet
	seen := make([]bool, 5000)
	for k := range 3000 {
		off, n := int64(r.IntN(4900)), int64(r.IntN(100))
		want := int64(0)
		for b := off; b < off+n; b++ {
			if !seen[b] {
				seen[b] = true
				want++
			}
		}
		if got := s.add(off, n); got != want {
			t.Fatalf("add %d: [%d, %d) adds %d new bytes, want %d", k, off, off+n, got, want)
		}
		for i := 1; i < len(s.spans); i++ {
			if s.spans[i-1].end >= s.spans[i].off {
				t.Fatalf("add %d: spans %v and %v not merged", k, s.spans[i-1], s.spans[i])
			}
		}
	}
}
