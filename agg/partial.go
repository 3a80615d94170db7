package agg

import "encoding/binary"

// partialMagic starts an encoded Partial (version 2, with quantile
// sketches); partialMagicV1 is the version without sketches that earlier
// releases wrote, still read.
const (
	partialMagic   = "ZGP2"
	partialMagicV1 = "ZGP1"
)

// maxStatesPerVariable bounds a decoded variable's state count (an
// expression has at most MaxExprNodes reductions), and maxSketches the
// number of sketches (one per distinct argument of an order statistic).
const (
	maxStatesPerVariable = MaxExprNodes
	maxSketches          = 1 << 16
)

// AppendBinary appends the binary form of p to b: the magic "ZGP2", the
// number of variables, then per variable the number of states and the
// states (State.AppendBinary), then the number of sketches and the sketches
// (Digest.AppendBinary); counts are little-endian uint32. Workers store it
// so a finalize step can merge parent cells into coarser orders.
func (p *Partial) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, partialMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(p.States)))
	var err error
	for _, states := range p.States {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(states)))
		for i := range states {
			if b, err = states[i].AppendBinary(b); err != nil {
				return nil, err
			}
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(p.Sketches)))
	for i := range p.Sketches {
		if b, err = p.Sketches[i].AppendBinary(b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// UnmarshalBinary decodes the form written by AppendBinary (or version 1,
// "ZGP1", without sketches) into p; all of b must be used. It checks every
// count against the bytes left before allocating, and returns an error
// wrapping ErrCorruptState that says what is wrong. The caller checks that
// len(p.States) is the number of variables it expects.
func (p *Partial) UnmarshalBinary(b []byte) error {
	bad := func(format string, args ...any) error {
		return errf(ErrCorruptState, "partial states: "+format, args...)
	}
	if len(b) < 8 || string(b[:4]) != partialMagic && string(b[:4]) != partialMagicV1 {
		return bad("no ZGP2 or ZGP1 header")
	}
	v1 := string(b[:4]) == partialMagicV1
	nvars := int(binary.LittleEndian.Uint32(b[4:]))
	b = b[8:]
	// Every variable takes at least its 4-byte count.
	if nvars > len(b)/4 {
		return bad("%d variables in %d bytes", nvars, len(b))
	}
	states := make([][]State, nvars)
	for v := range states {
		if len(b) < 4 {
			return bad("truncated")
		}
		n := int(binary.LittleEndian.Uint32(b))
		b = b[4:]
		if n > maxStatesPerVariable || n*stateSize > len(b) {
			return bad("variable %d: %d states in %d bytes", v, n, len(b))
		}
		states[v] = make([]State, n)
		for i := range states[v] {
			if err := states[v][i].UnmarshalBinary(b[:stateSize]); err != nil {
				return bad("variable %d, state %d: %v", v, i, err)
			}
			b = b[stateSize:]
		}
	}
	var sketches []Digest
	if !v1 {
		if len(b) < 4 {
			return bad("truncated before the sketches")
		}
		n := int(binary.LittleEndian.Uint32(b))
		b = b[4:]
		// Every encoded Digest takes at least its header.
		if n > maxSketches || n > len(b)/digestHeader {
			return bad("%d sketches in %d bytes", n, len(b))
		}
		sketches = make([]Digest, n)
		for i := range sketches {
			var err error
			if b, err = sketches[i].DecodeDigest(b); err != nil {
				return bad("sketch %d: %v", i, err)
			}
		}
	}
	if len(b) != 0 {
		return bad("%d trailing bytes", len(b))
	}
	*p = Partial{States: states, Sketches: sketches}
	return nil
}

// windowsMagic starts an encoded list of per-window Partials
// (AppendWindowPartials).
const windowsMagic = "ZGW1"

// maxWindowPartials bounds the window count of an encoded list (the
// timewin package's MaxWindows).
const maxWindowPartials = 1 << 16

// AppendWindowPartials appends the binary form of one cell's per-window
// Partials to b: the magic "ZGW1", the number of windows W, the number of
// windows present, then for each present window (ascending) its index, the
// length of its Partial's encoding and the encoding (AppendBinary); counts
// are little-endian uint32. A nil entry is a window without points. Workers
// of a multi-window run store it so the finalize step can merge each window
// into coarser orders.
func AppendWindowPartials(b []byte, ps []*Partial) ([]byte, error) {
	b = append(b, windowsMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ps)))
	n := 0
	for _, p := range ps {
		if p != nil {
			n++
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	for k, p := range ps {
		if p == nil {
			continue
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(k))
		at := len(b)
		b = append(b, 0, 0, 0, 0)
		var err error
		if b, err = p.AppendBinary(b); err != nil {
			return nil, err
		}
		binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	}
	return b, nil
}

// DecodeWindowPartials decodes the form written by AppendWindowPartials:
// one entry per window, nil for a window without points. All of b must be
// used; the window count is checked against want (the windows the caller
// expects) and every length against the bytes left before allocating.
// Errors wrap ErrCorruptState.
func DecodeWindowPartials(b []byte, want int) ([]*Partial, error) {
	bad := func(format string, args ...any) error {
		return errf(ErrCorruptState, "window partial states: "+format, args...)
	}
	if len(b) < 12 || string(b[:4]) != windowsMagic {
		return nil, bad("no ZGW1 header")
	}
	nw := int(binary.LittleEndian.Uint32(b[4:]))
	n := int(binary.LittleEndian.Uint32(b[8:]))
	b = b[12:]
	if nw != want || nw > maxWindowPartials {
		return nil, bad("%d windows, want %d", nw, want)
	}
	if n > nw || n > len(b)/8 {
		return nil, bad("%d windows present of %d in %d bytes", n, nw, len(b))
	}
	ps := make([]*Partial, nw)
	last := -1
	for range n {
		if len(b) < 8 {
			return nil, bad("truncated")
		}
		k := int(binary.LittleEndian.Uint32(b))
		size := int(binary.LittleEndian.Uint32(b[4:]))
		b = b[8:]
		if k <= last || k >= nw {
			return nil, bad("window %d out of order or outside 0..%d", k, nw-1)
		}
		if size > len(b) {
			return nil, bad("window %d: %d bytes, %d left", k, size, len(b))
		}
		p := &Partial{}
		if err := p.UnmarshalBinary(b[:size]); err != nil {
			return nil, bad("window %d: %w", k, err)
		}
		ps[k], last, b = p, k, b[size:]
	}
	if len(b) != 0 {
		return nil, bad("%d trailing bytes", len(b))
	}
	return ps, nil
}
