package morton

import "fmt"

// MarshalText implements encoding.TextMarshaler with the decimal string
// form (String). With it a Cell works as a JSON object key: a
// map[Cell][]string marshals to {"-4113213": [...]}, the shape of zagg
// 0.1.0's catalog. An invalid cell is an error wrapping ErrSyntax.
func (c Cell) MarshalText() ([]byte, error) {
	if !c.IsValid() {
		return nil, fmt.Errorf("%w: invalid word %#016x", ErrSyntax, uint64(c))
	}
	return c.AppendText(nil), nil
}

// AppendText appends the decimal string form of c to b (String for an
// invalid cell) and returns the extended slice.
func (c Cell) AppendText(b []byte) []byte {
	base, o, n, p, ok := c.decode()
	if !ok {
		return append(b, c.String()...)
	}
	if base >= 6 {
		b = append(b, '-', byte('1'+base-6))
	} else {
		b = append(b, byte('1'+base))
	}
	for k := o - 1; k >= 0; k-- {
		b = append(b, byte('1'+(n>>(2*uint(k)))&3))
	}
	if p {
		b = append(b, 'p')
	}
	return b
}

// UnmarshalText implements encoding.TextUnmarshaler with Parse.
func (c *Cell) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}
