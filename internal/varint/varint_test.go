package varint

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

var errBad = errors.New("bad")

func TestDecoder(t *testing.T) {
	b := binary.AppendUvarint(nil, 300)
	b = binary.AppendUvarint(b, 2)
	b = append(b, 'h', 'i', 7)
	d := &Decoder{B: b, Class: errBad, Where: "at byte"}
	if v := d.Uvarint("a"); v != 300 {
		t.Fatalf("uvarint %d", v)
	}
	n := d.Count("letters", 10)
	if s := string(d.Bytes("letters", n)); s != "hi" || d.Byte("flag") != 7 || d.Err != nil || d.Left() != 0 {
		t.Fatalf("read %q, %v, left %d", s, d.Err, d.Left())
	}
	// The first error is kept, and reads after it return zero values.
	d.Byte("past the end")
	d.Fail("second")
	if !errors.Is(d.Err, errBad) || !strings.Contains(d.Err.Error(), "at byte 6: past the end: truncated") || d.Uvarint("x") != 0 {
		t.Errorf("error %v", d.Err)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		read func(d *Decoder)
		want string
	}{
		{"count above the limit", binary.AppendUvarint(nil, 11), func(d *Decoder) { d.Count("items", 10) }, "items 11 exceeds 10"},
		{"count above the bytes left", append(binary.AppendUvarint(nil, 5), 1, 2), func(d *Decoder) { d.Count("items", 10) }, "5 items in the 2 bytes left"},
		{"overlong varint", []byte{0xff, 0xff}, func(d *Decoder) { d.Uvarint("v") }, "v: truncated or overlong varint"},
		{"negative length", []byte{1}, func(d *Decoder) { d.Bytes("b", -1) }, "b: truncated"},
	} {
		d := &Decoder{B: tc.b, Class: errBad, Where: "byte"}
		tc.read(d)
		if !errors.Is(d.Err, errBad) || !strings.Contains(d.Err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, d.Err, tc.want)
		}
	}
}
