package cmr

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Python-compatible JSON encoding: the bytes Python's json.dump(obj,
// indent=2) writes (ensure_ascii, float repr), so zagg 0.1.0 catalogs
// round-trip byte for byte. Values are first written compactly and then
// indented with json.Indent, whose layout ("key": value, one element per
// line, [] and {} for empty containers) is Python's indent=2 layout.

// appendPyString appends s as a JSON string with Python's ensure_ascii
// escaping: \" \\ \n \r \t \b \f, other control characters and everything
// outside printable ASCII as \uXXXX (UTF-16 surrogate pairs above U+FFFF).
// Invalid UTF-8 bytes become U+FFFD.
func appendPyString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r >= 0x20 && r < 0x7f:
			b = append(b, byte(r))
		default:
			if r == utf8.RuneError {
				r = 0xfffd
			}
			units := []rune{r}
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				units = []rune{r1, r2}
			}
			for _, u := range units {
				b = append(b, '\\', 'u', hex[u>>12&15], hex[u>>8&15], hex[u>>4&15], hex[u&15])
			}
		}
	}
	return append(b, '"')
}

// appendPyFloat appends v as Python's repr(float) does: the shortest
// round-trip digits, ".0" on integral values, exponent form ("1e-05",
// "1.5e+16") when the decimal exponent is below −4 or at least 16.
// NaN and infinities are not valid JSON; the caller must reject them.
func appendPyFloat(b []byte, v float64) []byte {
	if v == 0 {
		if math.Signbit(v) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	e := strconv.FormatFloat(v, 'e', -1, 64) // "-1.2345e+06"
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		b = append(b, mant...)
		b = append(b, 'e')
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		return strconv.AppendInt(b, int64(exp), 10)
	}
	f := strconv.FormatFloat(v, 'f', -1, 64)
	b = append(b, f...)
	if !strings.ContainsAny(f, ".") {
		b = append(b, '.', '0')
	}
	return b
}

// pyIndent turns compact JSON into Python's indent=2 layout.
func pyIndent(compact []byte) ([]byte, error) {
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
