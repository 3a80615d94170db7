package agg

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	var tmp32 []uint32
	var tmp64 []uint64
	for _, n := range []int{0, 1, 2, 3, 100, 4097} {
		for _, gen := range []func() float64{
			rng.NormFloat64,
			func() float64 { return float64(rng.IntN(3)) },                                                     // few digits differ
			func() float64 { return []float64{math.NaN(), math.Inf(1), math.Copysign(0, -1), 0}[rng.IntN(4)] }, // specials
		} {
			k32 := make([]uint32, n)
			k64 := make([]uint64, n)
			for i := range n {
				v := gen()
				k32[i], k64[i] = key32f(v), key64(v)
			}
			w32, w64 := slices.Sorted(slices.Values(k32)), slices.Sorted(slices.Values(k64))
			tmp32 = radixSort(k32, tmp32)
			tmp64 = radixSort(k64, tmp64)
			if !slices.Equal(k32, w32) || !slices.Equal(k64, w64) {
				t.Fatalf("n=%d: radix sort differs from slices.Sort", n)
			}
		}
	}
}

func BenchmarkRadixSort(b *testing.B) {
	rng := rand.New(rand.NewPCG(15, 16))
	src := make([]uint32, 1<<16)
	for i := range src {
		src[i] = key32f(2000 + 300*rng.NormFloat64())
	}
	keys := make([]uint32, len(src))
	var tmp []uint32
	b.SetBytes(int64(4 * len(src)))
	b.ReportAllocs()
	for b.Loop() {
		copy(keys, src)
		tmp = radixSort(keys, tmp)
	}
}
