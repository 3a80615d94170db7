package morton

import (
	"errors"
	"fmt"
	"math"
)

// Errors returned (wrapped, with the offending value) by the decoders of
// this package. Test for them with errors.Is.
var (
	// ErrSyntax: a decimal string is not of the form -?[1-6][1-4]*p?.
	ErrSyntax = errors.New("morton: invalid cell string")
	// ErrLegacy: an int64 is not a legacy mortie id (orders 1…18), or a
	// cell cannot be written as one (order 0, orders 19…29, point words,
	// invalid words).
	ErrLegacy = errors.New("morton: not a legacy id")
)

// MaxLegacyOrder is the finest order of a legacy signed decimal id: order
// 18 has 19 digits (at most 6,444,444,444,444,444,444 < 2^63).
const MaxLegacyOrder = 18

// pow10 holds 10^k for k = 0…18.
var pow10 = func() (p [19]int64) {
	p[0] = 1
	for k := 1; k < len(p); k++ {
		p[k] = p[k-1] * 10
	}
	return p
}()

// FromLegacy decodes a legacy signed decimal id of zagg 0.1.0 (mortie ≤
// 0.8.0), orders 1…18: the decimal digits of |m| are the lead digit 1…6
// and one digit 1…4 per level, the order is the digit count − 1, and a
// negative m marks base cells 6…11. Errors wrap ErrLegacy and say which
// digit is wrong.
func FromLegacy(m int64) (Cell, error) {
	if m == 0 || m == math.MinInt64 {
		return Null, fmt.Errorf("%w: %d", ErrLegacy, m)
	}
	neg := m < 0
	a := m
	if neg {
		a = -m
	}
	digits := 1
	for digits < len(pow10) && a >= pow10[digits] {
		digits++
	}
	o := digits - 1
	if o < 1 || o > MaxLegacyOrder {
		return Null, fmt.Errorf("%w: %d has %d digits, want 2…%d (orders 1…%d)", ErrLegacy, m, digits, MaxLegacyOrder+1, MaxLegacyOrder)
	}
	lead := a / pow10[o]
	if lead < 1 || lead > 6 {
		return Null, fmt.Errorf("%w: %d: lead digit %d not in 1…6", ErrLegacy, m, lead)
	}
	var n uint64
	for k := o - 1; k >= 0; k-- {
		d := (a / pow10[k]) % 10
		if d < 1 || d > 4 {
			return Null, fmt.Errorf("%w: %d: digit %d (level %d) is %d, not in 1…4", ErrLegacy, m, o-k+1, o-k, d)
		}
		n = n<<2 | uint64(d-1)
	}
	base := uint64(lead - 1)
	if neg {
		base = uint64(lead + 5)
	}
	return pack(uint(o), base<<(2*uint(o))|n, false), nil
}

// Legacy returns the legacy signed decimal id of c (zagg 0.1.0 catalogs and
// stores). Only area cells of orders 1…18 have one; otherwise the error
// wraps ErrLegacy.
func (c Cell) Legacy() (int64, error) {
	b, o, n, p, ok := c.decode()
	switch {
	case !ok:
		return 0, fmt.Errorf("%w: invalid word %#016x", ErrLegacy, uint64(c))
	case p:
		return 0, fmt.Errorf("%w: %s is a point word", ErrLegacy, c)
	case o < 1 || o > MaxLegacyOrder:
		return 0, fmt.Errorf("%w: %s has order %d, legacy ids have orders 1…%d", ErrLegacy, c, o, MaxLegacyOrder)
	}
	lead := int64(b + 1)
	if b >= 6 {
		lead = int64(b - 5)
	}
	m := lead
	for k := o - 1; k >= 0; k-- {
		m = m*10 + int64(1+(n>>(2*uint(k)))&3)
	}
	if b >= 6 {
		m = -m
	}
	return m, nil
}
