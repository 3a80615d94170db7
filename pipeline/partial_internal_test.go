package pipeline

import (
	"bytes"
	"errors"
	"testing"

	"github.com/zagg-go/zagg/agg"
)

func samplePartial() [][]agg.State {
	var a, b agg.State
	for _, x := range []float64{1, 2, 3.5} {
		a.Add(x, 1)
		b.Add(x, 1/(x*x))
	}
	return [][]agg.State{{a}, {a, b}, {}}
}

func TestPartialRoundTrip(t *testing.T) {
	p := samplePartial()
	b, err := encodePartial(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := decodePartial(b, len(p))
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := encodePartial(q)
	if !bytes.Equal(b, b2) {
		t.Error("decode(encode(p)) differs from p")
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"magic", append([]byte("ZGP2"), b[4:]...)},
		{"truncated", b[:len(b)-1]},
		{"trailing", append(b, 0)},
		{"huge count", append(append([]byte(nil), b[:8]...), 0xff, 0xff, 0xff, 0x7f)},
	} {
		if _, err := decodePartial(tc.data, len(p)); !errors.Is(err, ErrStore) {
			t.Errorf("%s: err = %v, want ErrStore", tc.name, err)
		}
	}
	if _, err := decodePartial(b, 2); !errors.Is(err, ErrStore) {
		t.Errorf("wrong variable count: %v", err)
	}
}

// FuzzDecodePartial: stored partial states are untrusted input.
func FuzzDecodePartial(f *testing.F) {
	b, err := encodePartial(samplePartial())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, 3)
	f.Fuzz(func(t *testing.T, data []byte, nvars int) {
		if nvars < 0 || nvars > 64 {
			return
		}
		p, err := decodePartial(data, nvars)
		if err != nil {
			return
		}
		again, err := encodePartial(p)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("round trip differs (%v)", err)
		}
	})
}
