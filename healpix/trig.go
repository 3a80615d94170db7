package healpix

import "math"

// The trigonometry that decides cell ids (z = cos θ in the hash, the
// authalic series) is computed here rather than with package math: Go's
// compiler fuses multiply-adds inside math.Cos and math.Sincos on arm64,
// ppc64le, s390x and riscv64, so their last bit differs between
// architectures, and a cell id computed from it could too. These functions
// use the algorithm and coefficients of math.Sin and math.Cos (Cody–Waite
// reduction by π/4 in three parts, then the Cephes minimax polynomials) with
// every product rounded explicitly. On amd64, where math does not fuse, they
// return exactly math's bits (TestTrigMatchesMath); on every architecture
// they return the same bits as on amd64.

// Coefficients of the Cephes sin and cos polynomials on [−π/4, π/4] (from
// Cephes Math Library sin.c, as used by Go's math.Sin and math.Cos).
var (
	sinPoly = [6]float64{
		1.58962301576546568060e-10, // 0x3de5d8fd1fd19ccd
		-2.50507477628578072866e-8, // 0xbe5ae5e5a9291f5d
		2.75573136213857245213e-6,  // 0x3ec71de3567d48a1
		-1.98412698295895385996e-4, // 0xbf2a01a019bfdf03
		8.33333333332211858878e-3,  // 0x3f8111111110f7d0
		-1.66666666666666307295e-1, // 0xbfc5555555555548
	}
	cosPoly = [6]float64{
		-1.13585365213876817300e-11, // 0xbda8fa49a0861a9b
		2.08757008419747316778e-9,   // 0x3e21ee9d7b4e3f05
		-2.75573141792967388112e-7,  // 0xbe927e4f7eac4bc6
		2.48015872888517045348e-5,   // 0x3efa01a019c844f5
		-1.38888888888730564116e-3,  // 0xbf56c16c16c14f91
		4.16666666666665929218e-2,   // 0x3fa555555555554b
	}
)

// π/4 in three parts for the reduction; the first two have trailing zero
// bits so that y·pi4a and y·pi4b are exact for the small multiples used.
const (
	pi4a = 7.85398125648498535156e-1  // 0x3fe921fb40000000
	pi4b = 3.77489470793079817668e-8  // 0x3e64442d00000000
	pi4c = 2.69515142907905952645e-15 // 0x3ce8469898cc5170
)

// octant reduces |x| ≤ 2π (not checked) to z ∈ [−π/4, π/4] and the even
// octant j ∈ {0, 2, 4, 6} with |x| = j·π/4 + z, exactly as math.Sin does.
func octant(ax float64) (j uint64, z float64) {
	j = uint64(float64(ax * (4 / math.Pi)))
	j += j & 1 // map odd octants to the next even one
	y := float64(j)
	z = float64(float64(ax-float64(y*pi4a))-float64(y*pi4b)) - float64(y*pi4c)
	return j & 7, z
}

// polys returns the sin and cos polynomial approximations at z, |z| ≤ π/4,
// evaluated in the order math.Sin and math.Cos use.
func polys(z float64) (s, c float64) {
	zz := float64(z * z)
	ps := float64(sinPoly[0] * zz)
	pc := float64(cosPoly[0] * zz)
	for k := 1; k < 5; k++ {
		ps = float64((ps + sinPoly[k]) * zz)
		pc = float64((pc + cosPoly[k]) * zz)
	}
	ps += sinPoly[5]
	pc += cosPoly[5]
	s = z + float64(float64(z*zz)*ps)
	c = float64(1.0-float64(0.5*zz)) + float64(float64(zz*zz)*pc)
	return s, c
}

// sinCos returns sin x and cos x for |x| ≤ 2π, bit-identical to
// math.Sincos on amd64 (including sin(±0) = ±0).
func sinCos(x float64) (sin, cos float64) {
	j, z := octant(math.Abs(x))
	s, c := polys(z)
	sinNeg, cosNeg := math.Signbit(x), false
	if j > 3 { // reflect in the x axis
		j -= 4
		sinNeg, cosNeg = !sinNeg, !cosNeg
	}
	if j > 1 {
		cosNeg = !cosNeg
	}
	if j == 2 {
		s, c = c, s
	}
	if cosNeg {
		c = -c
	}
	if sinNeg {
		s = -s
	}
	return s, c
}

// cosPos returns cos x for 0 ≤ x ≤ π with the bits of sinCos (x there
// lies in octant 0, 2 or 4).
func cosPos(x float64) float64 {
	j, z := octant(x)
	s, c := polys(z)
	if j == 2 { // cos x = −sin z
		c = s
	}
	if j != 0 { // negative in octants 2 and 4
		c = -c
	}
	return c
}
