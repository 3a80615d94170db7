//go:build !purego

#include "textflag.h"

// Offsets of the entries of simdConst (32·index, see hash_amd64.go).
#define ABS 0
#define DEG 32
#define INVHP 64
#define FOUR 96
#define HALF 128
#define THREEQ 160
#define BELTLAT 192
#define CAPLAT 224
#define FASTLAT 256
#define FASTLON 288
#define S4 320
#define S3 352
#define S2 384
#define S1 416
#define S0 448
#define C3 480
#define C2 512
#define C1 544
#define C0 576
#define PI4 608
#define HALFDEG 640
#define SQRT6 672
#define THREE 704
#define MAGIC 736
#define INT4 768
#define INT8 800
#define SP16 832
#define SP8 864
#define SP4 896
#define SP2 928
#define SP1 960
#define ONES 992

// Offsets of the entries of simdOrder[o].
#define FN 0
#define DBELT 32
#define DCAP 64
#define MASK 96

// SPREAD moves bit i of the low 32 bits of each lane of r to bit 2i
// (spread in bits.go), using t as scratch.
#define SPREAD(r, t) \
	VPSLLQ $16, r, t \
	VPOR   t, r, r \
	VPAND  SP16(R8), r, r \
	VPSLLQ $8, r, t \
	VPOR   t, r, r \
	VPAND  SP8(R8), r, r \
	VPSLLQ $4, r, t \
	VPOR   t, r, r \
	VPAND  SP4(R8), r, r \
	VPSLLQ $2, r, t \
	VPOR   t, r, r \
	VPAND  SP2(R8), r, r \
	VPSLLQ $1, r, t \
	VPOR   t, r, r \
	VPAND  SP1(R8), r, r

// DECIDE truncates v − d into j and sets v to the lanes where v + d
// truncates to the same integer (all bits set) or not (zero); d is the
// offset in simdOrder[o] of the error bound.
#define DECIDE(d, v, j) \
	VSUBPD   d(R9), v, j \
	VADDPD   d(R9), v, v \
	VROUNDPD $3, j, j \
	VROUNDPD $3, v, v \
	VCMPPD   $0, v, j, v

// TOINT turns the integral float64 lanes of r, in [0, 2⁵²), into int64
// lanes: adding 2⁵² leaves the integer in the low bits of the sum, and
// xoring the bits of 2⁵² clears the exponent.
#define TOINT(r) \
	VADDPD MAGIC(R8), r, r \
	VPXOR  MAGIC(R8), r, r

// func hashAVX2(dst *uint64, lat, lon *float64, n int, o uint, c *[nSimdConst][4]uint64, k *[4][4]uint64) int
//
// Register use in the loop: Y0 lat, Y1 tt (then tp), Y2 |lat| (then the
// cap's w, s, σ), Y4 belt lanes decided, Y5 cap lanes decided, X14 o,
// X15 2o; the comments name the Go variables of hashNest.
TEXT ·hashAVX2(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), DI
	MOVQ lat+8(FP), SI
	MOVQ lon+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ o+32(FP), AX
	MOVQ c+40(FP), R8
	MOVQ k+48(FP), R9
	MOVQ AX, X14
	SHLQ $1, AX
	MOVQ AX, X15
	XORQ BX, BX
	XORQ R10, R10

loop:
	CMPQ BX, CX
	JAE  done
	VMOVUPD (SI)(BX*8), Y0
	VMOVUPD (DX)(BX*8), Y1

	// The lists of hashLists: belt |lat| < beltLat, cap capLat < |lat| ≤
	// fastLat, both only for |lon| < fastLon; NaN is in neither.
	VANDPD ABS(R8), Y0, Y2
	VANDPD ABS(R8), Y1, Y3
	VCMPPD $0x11, FASTLON(R8), Y3, Y3 // |lon| < fastLon
	VCMPPD $0x11, BELTLAT(R8), Y2, Y4 // |lat| < beltLat
	VANDPD Y3, Y4, Y4
	VCMPPD $0x1E, CAPLAT(R8), Y2, Y5  // |lat| > capLat
	VCMPPD $0x12, FASTLAT(R8), Y2, Y6 // |lat| ≤ fastLat
	VANDPD Y6, Y5, Y5
	VANDPD Y3, Y5, Y5

	// tt = turnsFast(lon).
	VMULPD    DEG(R8), Y1, Y1
	VMULPD    INVHP(R8), Y1, Y1
	VADDPD    FOUR(R8), Y1, Y6
	VBLENDVPD Y1, Y6, Y1, Y1         // tt += 4 where the sign bit is set
	VCMPPD    $0, FOUR(R8), Y1, Y6   // tt == 4
	VANDNPD   Y1, Y6, Y1             // becomes 0

	// Belt: z = sinSmall(lat·π/180), t1 ∓ t2.
	VMULPD DEG(R8), Y0, Y6 // x
	VMULPD Y6, Y6, Y7      // t = x·x
	VMULPD S4(R8), Y7, Y8
	VADDPD S3(R8), Y8, Y8
	VMULPD Y7, Y8, Y8
	VADDPD S2(R8), Y8, Y8
	VMULPD Y7, Y8, Y8
	VADDPD S1(R8), Y8, Y8
	VMULPD Y7, Y8, Y8
	VADDPD S0(R8), Y8, Y8  // p
	VMULPD Y7, Y6, Y7      // x·t
	VMULPD Y8, Y7, Y7      // x·t·p
	VADDPD Y7, Y6, Y6      // z
	VMULPD THREEQ(R8), Y6, Y6
	VMULPD FN(R9), Y6, Y6  // t2 = fn·(z·0.75)
	VADDPD HALF(R8), Y1, Y7
	VMULPD FN(R9), Y7, Y7  // t1 = fn·(0.5 + tt)
	VSUBPD Y6, Y7, Y8      // a = t1 − t2
	VADDPD Y6, Y7, Y9      // b = t1 + t2

	// jp = int64(a − d), jm = int64(b − d), decided where a + d and b + d
	// truncate to the same integers.
	DECIDE(DBELT, Y8, Y6)
	DECIDE(DBELT, Y9, Y7)
	VANDPD Y9, Y8, Y8
	VANDPD Y8, Y4, Y4 // belt lanes decided
	TOINT(Y6)         // jp
	TOINT(Y7)         // jm

	// face: ifp|4 if ifp == ifm, ifp if ifp < ifm, else ifm + 8.
	VPSRLQ    X14, Y6, Y8        // ifp
	VPSRLQ    X14, Y7, Y9        // ifm
	VPCMPEQQ  Y9, Y8, Y10
	VPCMPGTQ  Y8, Y9, Y11        // ifm > ifp
	VPADDQ    INT8(R8), Y9, Y9
	VPBLENDVB Y11, Y8, Y9, Y9
	VPOR      INT4(R8), Y8, Y8
	VPBLENDVB Y10, Y8, Y9, Y9    // belt face
	VPAND     MASK(R9), Y7, Y7   // ix = jm & mask
	VPAND     MASK(R9), Y6, Y6
	VPXOR     MASK(R9), Y6, Y6   // iy = mask − jp&mask

	// Cap: σ = fn·(√6·sinCap(π/4 − |lat|·π/360)), a = tp·σ, b = σ − a.
	VMULPD  HALFDEG(R8), Y2, Y2
	VMOVUPD PI4(R8), Y3
	VSUBPD  Y2, Y3, Y2     // w
	VMULPD  Y2, Y2, Y3     // t = w·w
	VMULPD  C3(R8), Y3, Y8
	VADDPD  C2(R8), Y8, Y8
	VMULPD  Y3, Y8, Y8
	VADDPD  C1(R8), Y8, Y8
	VMULPD  Y3, Y8, Y8
	VADDPD  C0(R8), Y8, Y8 // p
	VMULPD  Y3, Y2, Y3     // w·t
	VMULPD  Y8, Y3, Y3     // w·t·p
	VADDPD  Y3, Y2, Y2     // sinCap(w)
	VMULPD  SQRT6(R8), Y2, Y2
	VMULPD  FN(R9), Y2, Y2 // σ
	VROUNDPD $3, Y1, Y3
	VMINPD  THREE(R8), Y3, Y3 // ntt
	VSUBPD  Y3, Y1, Y1     // tp = tt − ntt
	VMULPD  Y2, Y1, Y1     // a = tp·σ
	VSUBPD  Y1, Y2, Y2     // b = σ − a

	DECIDE(DCAP, Y1, Y8)
	DECIDE(DCAP, Y2, Y10)
	VANDPD Y2, Y1, Y1
	VANDPD Y1, Y5, Y5 // cap lanes decided
	TOINT(Y8)         // jp
	TOINT(Y10)        // jm
	TOINT(Y3)         // ntt

	// South: face ntt+8, (ix, iy) = (jp, jm). North: face ntt,
	// (ix, iy) = (jm^mask, jp^mask).
	VPXOR    Y11, Y11, Y11
	VPCMPGTQ Y0, Y11, Y11       // south: the sign bit of lat
	VPAND    INT8(R8), Y11, Y12
	VPADDQ   Y12, Y3, Y3        // cap face
	VPXOR    Y10, Y8, Y12
	VPANDN   Y12, Y11, Y12      // sw = (jp^jm) in the north
	VPANDN   MASK(R9), Y11, Y13 // flip = mask in the north
	VPXOR    Y13, Y12, Y12
	VPXOR    Y12, Y8, Y8        // ix
	VPXOR    Y12, Y10, Y10      // iy

	// Select the belt or cap values, interleave, and mark the lanes
	// neither decided.
	VPBLENDVB Y4, Y9, Y3, Y3
	VPBLENDVB Y4, Y7, Y8, Y8
	VPBLENDVB Y4, Y6, Y10, Y10
	VPOR      Y5, Y4, Y4
	SPREAD(Y8, Y11)
	SPREAD(Y10, Y12)
	VPSLLQ    $1, Y10, Y10
	VPOR      Y10, Y8, Y8
	VPSLLQ    X15, Y3, Y3
	VPOR      Y3, Y8, Y8
	VPANDN    ONES(R8), Y4, Y12
	VPOR      Y12, Y8, Y8
	VMOVDQU   Y8, (DI)(BX*8)
	VMOVMSKPD Y4, AX
	XORL      $15, AX
	ORQ       AX, R10
	ADDQ      $4, BX
	JMP       loop

done:
	VZEROUPPER
	MOVQ R10, ret+56(FP)
	RET
