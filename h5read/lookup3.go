package h5read

import "encoding/binary"

// lookup3 is Bob Jenkins' hashlittle (lookup3.c, 2006), the checksum HDF5
// uses for version-2 metadata (H5_checksum_lookup3) and for link-name hashes.
func lookup3(k []byte, initval uint32) uint32 {
	a := 0xdeadbeef + uint32(len(k)) + initval
	b, c := a, a
	for len(k) > 12 {
		a += binary.LittleEndian.Uint32(k[0:])
		b += binary.LittleEndian.Uint32(k[4:])
		c += binary.LittleEndian.Uint32(k[8:])
		// mix(a, b, c)
		a -= c
		a ^= rotl(c, 4)
		c += b
		b -= a
		b ^= rotl(a, 6)
		a += c
		c -= b
		c ^= rotl(b, 8)
		b += a
		a -= c
		a ^= rotl(c, 16)
		c += b
		b -= a
		b ^= rotl(a, 19)
		a += c
		c -= b
		c ^= rotl(b, 4)
		b += a
		k = k[12:]
	}
	if len(k) == 0 {
		return c
	}
	var t [12]byte
	copy(t[:], k)
	a += binary.LittleEndian.Uint32(t[0:])
	b += binary.LittleEndian.Uint32(t[4:])
	c += binary.LittleEndian.Uint32(t[8:])
	// final(a, b, c)
	c ^= b
	c -= rotl(b, 14)
	a ^= c
	a -= rotl(c, 11)
	b ^= a
	b -= rotl(a, 25)
	c ^= b
	c -= rotl(b, 16)
	a ^= c
	a -= rotl(c, 4)
	b ^= a
	b -= rotl(a, 14)
	c ^= b
	c -= rotl(b, 24)
	return c
}

func rotl(x uint32, k uint) uint32 { return x<<k | x>>(32-k) }

// checkSum verifies that the 4 bytes after b[:n] hold lookup3(b[:n]).
func checkSum(b []byte, n int, what string, off int64) error {
	if n < 0 || n+4 > len(b) {
		return errf(ErrCorrupt, what, off, "checksum field outside the structure")
	}
	want := binary.LittleEndian.Uint32(b[n:])
	if got := lookup3(b[:n], 0); got != want {
		return errf(ErrChecksum, what, off, "lookup3 %#08x, stored %#08x", got, want)
	}
	return nil
}
