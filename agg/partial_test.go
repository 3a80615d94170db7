package agg

import (
	"bytes"
	"errors"
	"testing"
)

func samplePartial() *Partial {
	var a, b State
	var d, e Digest
	for _, x := range []float64{1, 2, 3.5} {
		a.Add(x, 1)
		b.Add(x, 1/(x*x))
		d.Add(x)
	}
	for i := range 2000 {
		e.Add(float64(i % 97))
	}
	return &Partial{States: [][]State{{a}, {a, b}, {}}, Sketches: []Digest{d, e}}
}

func TestPartialRoundTrip(t *testing.T) {
	p := samplePartial()
	b, err := p.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	q, err := decodePartial(b, len(p.States))
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := q.AppendBinary(nil)
	if !bytes.Equal(b, b2) {
		t.Error("decode(encode(p)) differs from p")
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"magic", append([]byte("ZGP3"), b[4:]...)},
		{"version 1 with sketches", append([]byte("ZGP1"), b[4:]...)},
		{"truncated", b[:len(b)-1]},
		{"trailing", append(b, 0)},
		{"huge count", append(append([]byte(nil), b[:8]...), 0xff, 0xff, 0xff, 0x7f)},
	} {
		if _, err := decodePartial(tc.data, len(p.States)); !errors.Is(err, ErrCorruptState) {
			t.Errorf("%s: err = %v, want ErrCorruptState", tc.name, err)
		}
	}
	if _, err := decodePartial(b, 2); !errors.Is(err, ErrCorruptState) {
		t.Errorf("wrong variable count: %v", err)
	}
	if len(q.Sketches) != 2 || q.Sketches[1].Count() != 2000 || q.Sketches[0].Median() != 2 {
		t.Errorf("decoded sketches %+v", q.Sketches)
	}

	// Version 1 (earlier runs): the states, no sketch section.
	v1 := append([]byte("ZGP1"), b[4:len(b)-sketchBytes(t, p)]...)
	q, err = decodePartial(v1, len(p.States))
	if err != nil {
		t.Fatalf("version 1: %v", err)
	}
	if len(q.Sketches) != 0 || len(q.States) != 3 || q.States[1][1] != p.States[1][1] {
		t.Errorf("version 1 decoded as %+v", q)
	}
}

// sketchBytes returns the length of the sketch section of p's encoding.
func sketchBytes(t testing.TB, p *Partial) int {
	n := 4
	for i := range p.Sketches {
		b, err := p.Sketches[i].AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		n += len(b)
	}
	return n
}

// FuzzDecodePartial: stored partial states are untrusted input.
func FuzzDecodePartial(f *testing.F) {
	b, err := samplePartial().AppendBinary(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, 3)
	f.Add(append([]byte("ZGP1"), b[4:len(b)-sketchBytes(f, samplePartial())]...), 3)
	f.Fuzz(func(t *testing.T, data []byte, nvars int) {
		if nvars < 0 || nvars > 64 {
			return
		}
		p, err := decodePartial(data, nvars)
		if err != nil {
			return
		}
		// Version 1 input re-encodes as version 2, and an empty sketch's
		// unused minimum and maximum as zeros, so compare from the first
		// re-encoding on.
		once, err := p.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		q, err := decodePartial(once, nvars)
		if err != nil {
			t.Fatalf("re-encoded partial does not decode: %v", err)
		}
		twice, _ := q.AppendBinary(nil)
		if !bytes.Equal(once, twice) {
			t.Fatal("round trip differs")
		}
	})
}

// decodePartial decodes b and checks its variable count, as the store does.
func decodePartial(b []byte, nvars int) (*Partial, error) {
	var p Partial
	if err := p.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	if len(p.States) != nvars {
		return nil, errf(ErrCorruptState, "%d variables, want %d", len(p.States), nvars)
	}
	return &p, nil
}

func TestWindowPartialsRoundTrip(t *testing.T) {
	p := samplePartial()
	ps := []*Partial{nil, p, nil, p}
	b, err := AppendWindowPartials(nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	q, err := DecodeWindowPartials(b, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 4 || q[0] != nil || q[2] != nil || q[1] == nil || q[3] == nil {
		t.Fatalf("decoded windows %v", q)
	}
	b2, _ := AppendWindowPartials(nil, q)
	if !bytes.Equal(b, b2) {
		t.Error("decode(encode(ps)) differs from ps")
	}
	swapped := append([]byte(nil), b...)
	// The first present window's index is at byte 12; make it 3 (then 3
	// again: out of order).
	swapped[12] = 3
	for _, tc := range []struct {
		name string
		data []byte
		want int
	}{
		{"empty", nil, 4},
		{"magic", append([]byte("ZGW2"), b[4:]...), 4},
		{"wrong window count", b, 5},
		{"truncated", b[:len(b)-1], 4},
		{"trailing", append(b, 0), 4},
		{"out of order", swapped, 4},
		{"huge present count", append(append([]byte(nil), b[:8]...), 0xff, 0xff, 0, 0), 4},
	} {
		if _, err := DecodeWindowPartials(tc.data, tc.want); !errors.Is(err, ErrCorruptState) {
			t.Errorf("%s: err = %v, want ErrCorruptState", tc.name, err)
		}
	}
}

// FuzzDecodeWindowPartials: a multi-window run's stored partial states are
// untrusted input.
func FuzzDecodeWindowPartials(f *testing.F) {
	b, err := AppendWindowPartials(nil, []*Partial{nil, samplePartial(), samplePartial()})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, 3)
	f.Fuzz(func(t *testing.T, data []byte, want int) {
		if want < 0 || want > 1<<16 {
			return
		}
		ps, err := DecodeWindowPartials(data, want)
		if err != nil {
			return
		}
		once, err := AppendWindowPartials(nil, ps)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := DecodeWindowPartials(once, want)
		if err != nil {
			t.Fatalf("re-encoded window partials do not decode: %v", err)
		}
		twice, _ := AppendWindowPartials(nil, qs)
		if !bytes.Equal(once, twice) {
			t.Fatal("round trip differs")
		}
	})
}
