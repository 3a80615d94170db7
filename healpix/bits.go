package healpix

// spread moves bit k of the low 32 bits of x to bit 2k.
func spread(x uint64) uint64 {
	x &= 0xFFFFFFFF
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// compact is the inverse of spread: it moves bit 2k of x to bit k and drops
// the odd bits.
func compact(x uint64) uint64 {
	x &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	return x
}

// interleave returns the Morton code of (i, j): bit k of i at bit 2k and
// bit k of j at bit 2k+1.
func interleave(i, j uint64) uint64 {
	return spread(i) | spread(j)<<1
}

// decompose splits nested index nest at order (already validated) into the
// base cell and the in-face coordinates i (even bits) and j (odd bits).
func decompose(order uint, nest uint64) (base, i, j uint64) {
	base = nest >> (2 * order)
	normed := nest & (1<<(2*order) - 1)
	return base, compact(normed), compact(normed >> 1)
}
