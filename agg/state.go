package agg

import (
	"encoding/binary"
	"math"
)

// State is the mergeable partial state of one reduction over a set of
// (value, weight) pairs. Two States built from disjoint sets merge into the
// State of their union (Merge), so statistics of coarse cells follow exactly
// from the States of their children, and cells split between workers merge
// in a finalize step.
//
// Rows whose value or weight is NaN are counted in NaN and otherwise ignored;
// the NaN-propagating statistics (sum, mean, var, ...) return NaN when NaN > 0
// and their nan-prefixed twins use the remaining rows. Unweighted rows have
// weight 1.
//
// The moments use Welford's online update (Welford 1962) for single rows and
// the pairwise combination of Chan, Golub & LeVeque (1979) for merging:
//
//	n = nA + nB, δ = x̄B − x̄A, x̄ = x̄A + δ·nB/n, M2 = M2A + M2B + δ²·nA·nB/n.
//
// The zero State is the empty set.
type State struct {
	Count  int64   // number of rows, NaN rows included
	NaN    int64   // rows whose value or weight is NaN
	SumW   float64 // Σ w over the non-NaN rows
	SumWX  float64 // Σ w·x over the non-NaN rows
	SumWX2 float64 // Σ w·x² over the non-NaN rows
	Min    float64 // smallest non-NaN x; meaningful only when Valid() > 0
	Max    float64 // largest non-NaN x; meaningful only when Valid() > 0
	Mean   float64 // unweighted mean of the non-NaN x
	M2     float64 // Σ (x − Mean)² over the non-NaN x
}

// Valid returns the number of non-NaN rows.
func (s *State) Valid() int64 { return s.Count - s.NaN }

// Add adds one row with value x and weight w (use 1 for unweighted data).
func (s *State) Add(x, w float64) {
	s.Count++
	if x != x || w != w {
		s.NaN++
		return
	}
	n := s.Valid()
	if n == 1 {
		s.Min, s.Max = x, x
	} else {
		s.Min = math.Min(s.Min, x)
		s.Max = math.Max(s.Max, x)
	}
	s.SumW += w
	s.SumWX += w * x
	s.SumWX2 += w * x * x
	// Welford's update.
	d := x - s.Mean
	s.Mean += d / float64(n)
	s.M2 += d * (x - s.Mean)
}

// Merge folds o into s (Chan et al. for the moments).
func (s *State) Merge(o *State) {
	nb := o.Valid()
	if nb == 0 {
		s.Count += o.Count
		s.NaN += o.NaN
		return
	}
	na := s.Valid()
	s.Count += o.Count
	s.NaN += o.NaN
	if na == 0 {
		s.SumW, s.SumWX, s.SumWX2 = o.SumW, o.SumWX, o.SumWX2
		s.Min, s.Max, s.Mean, s.M2 = o.Min, o.Max, o.Mean, o.M2
		return
	}
	s.SumW += o.SumW
	s.SumWX += o.SumWX
	s.SumWX2 += o.SumWX2
	s.Min = math.Min(s.Min, o.Min)
	s.Max = math.Max(s.Max, o.Max)
	n := float64(na + nb)
	d := o.Mean - s.Mean
	s.Mean += d * float64(nb) / n
	s.M2 += o.M2 + d*d*float64(na)*float64(nb)/n
}

// Variance returns M2 / max(n − ddof, 0) over the non-NaN rows (NaN if none).
func (s *State) Variance(ddof int) float64 {
	n := s.Valid()
	if n == 0 {
		return math.NaN()
	}
	return s.M2 / dof(int(n), ddof)
}

// stateSize is the length of a State's binary form.
const stateSize = 2*8 + 7*8

// AppendBinary appends the fixed-size (72-byte, little-endian) binary form of
// s to b, for shipping partial states between workers.
func (s *State) AppendBinary(b []byte) ([]byte, error) {
	b = binary.LittleEndian.AppendUint64(b, uint64(s.Count))
	b = binary.LittleEndian.AppendUint64(b, uint64(s.NaN))
	for _, f := range [...]float64{s.SumW, s.SumWX, s.SumWX2, s.Min, s.Max, s.Mean, s.M2} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	return b, nil
}

// UnmarshalBinary decodes the form written by AppendBinary. It returns an
// error wrapping ErrCorruptState for a wrong length or inconsistent counts.
func (s *State) UnmarshalBinary(b []byte) error {
	if len(b) != stateSize {
		return errf(ErrCorruptState, "%d bytes, want %d", len(b), stateSize)
	}
	c := int64(binary.LittleEndian.Uint64(b))
	nn := int64(binary.LittleEndian.Uint64(b[8:]))
	if c < 0 || nn < 0 || nn > c {
		return errf(ErrCorruptState, "count %d, NaN count %d", c, nn)
	}
	var f [7]float64
	for i := range f {
		f[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[16+8*i:]))
	}
	*s = State{Count: c, NaN: nn, SumW: f[0], SumWX: f[1], SumWX2: f[2], Min: f[3], Max: f[4], Mean: f[5], M2: f[6]}
	return nil
}
