package healpix

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// TestNeighboursHealpy compares NestNeighbours with healpy's
// get_all_neighbours (testdata/neighbours.json, make_neighbours.py): every
// cell at orders 0–2 and the corner, edge and random cells of higher orders.
func TestNeighboursHealpy(t *testing.T) {
	b, err := os.ReadFile("testdata/neighbours.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Orders map[string]struct {
			Nested     []uint64
			Neighbours [][8]int64
		}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Orders) != 9 {
		t.Fatalf("%d orders in neighbours.json", len(v.Orders))
	}
	total, missing := 0, 0
	for ks, c := range v.Orders {
		o, _ := strconv.Atoi(ks)
		if len(c.Nested) == 0 || len(c.Nested) != len(c.Neighbours) {
			t.Fatalf("order %d: %d cells, %d neighbour rows", o, len(c.Nested), len(c.Neighbours))
		}
		for k, n := range c.Nested {
			got := NestNeighbours(o, n)
			for d, w := range c.Neighbours[k] {
				want := uint64(w)
				if w < 0 {
					want = Invalid
					missing++
				}
				if got[d] != want {
					t.Errorf("NestNeighbours(%d, %d)[%d] = %d, healpy %d", o, n, d, int64(got[d]), w)
				}
			}
			total++
		}
	}
	// 8 corners with 7 neighbours per order, and all cells at orders 0-2.
	if total < 1000 || missing == 0 {
		t.Errorf("only %d cells, %d missing neighbours checked", total, missing)
	}
}

// TestNeighboursSymmetric checks that neighbourhood is symmetric, in range
// and without repeats (above order 0, where base cells touch twice), at
// every order.
func TestNeighboursSymmetric(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for o := 0; o <= MaxOrder; o++ {
		for k := 0; k < 300; k++ {
			n := rng.Uint64N(NPix(o))
			if o <= 3 && k < int(NPix(o)) {
				n = uint64(k)
			}
			nb := NestNeighbours(o, n)
			seen := map[uint64]bool{}
			for d, m := range nb {
				if m == Invalid {
					continue
				}
				if m >= NPix(o) || m == n || seen[m] && o > 0 {
					t.Fatalf("NestNeighbours(%d, %d)[%d] = %d (dup or bad)", o, n, d, m)
				}
				seen[m] = true
				back := false
				for _, x := range NestNeighbours(o, m) {
					back = back || x == n
				}
				if !back {
					t.Fatalf("order %d: %d is a neighbour of %d but not the reverse", o, m, n)
				}
			}
		}
	}
	for _, o := range []int{0, 1, 5} {
		if nb := NestNeighbours(o, NPix(o)); nb[0] != Invalid || nb[7] != Invalid {
			t.Errorf("NestNeighbours of an invalid cell = %v", nb)
		}
	}
}
