package render

import (
	"fmt"
	"math"
)

// MaxPixels bounds the pixels of one map (and of one rendered image): 2^26,
// e.g. 8192×8192, 256 MiB as NRGBA. Larger requests fail with ErrTooLarge
// instead of allocating.
const MaxPixels = 1 << 26

// Extent is a rectangle in projected coordinates (metres): x from MinX to
// MaxX, y from MinY to MaxY. The zero Extent means "not set".
type Extent struct {
	MinX, MinY, MaxX, MaxY float64
}

// IsZero reports whether e is the zero Extent.
func (e Extent) IsZero() bool { return e == Extent{} }

// Width returns MaxX − MinX.
func (e Extent) Width() float64 { return e.MaxX - e.MinX }

// Height returns MaxY − MinY.
func (e Extent) Height() float64 { return e.MaxY - e.MinY }

// Validate checks that the extent is finite and not empty.
func (e Extent) Validate() error {
	for _, v := range []float64{e.MinX, e.MinY, e.MaxX, e.MaxY} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: extent %v is not finite", ErrInvalidOptions, e)
		}
	}
	if !(e.MaxX > e.MinX && e.MaxY > e.MinY) {
		return fmt.Errorf("%w: extent %v is empty (want MinX < MaxX, MinY < MaxY)", ErrInvalidOptions, e)
	}
	return nil
}

// Grid is the pixel grid of a map: Width×Height square pixels of Spacing
// metres in Projection. Pixel (0, 0) is the top-left (north-west) pixel and
// its outer corner is at (MinX, MaxY); pixel (px, py) covers x in
// [MinX + px·Spacing, MinX + (px+1)·Spacing) and y in
// (MaxY − (py+1)·Spacing, MaxY − py·Spacing]. A pixel shows the cell that
// contains its centre.
type Grid struct {
	Projection    Projection
	MinX, MaxY    float64
	Spacing       float64
	Width, Height int
}

// NewGrid returns the grid of pixels of the given spacing (metres) that
// covers extent e, centred on it: Width = ⌈e.Width()/spacing⌉ and likewise
// Height.
func NewGrid(p Projection, e Extent, spacing float64) (Grid, error) {
	if err := e.Validate(); err != nil {
		return Grid{}, err
	}
	if !(spacing > 0) || math.IsInf(spacing, 0) {
		return Grid{}, fmt.Errorf("%w: spacing %g m, want > 0", ErrInvalidOptions, spacing)
	}
	w, h := math.Ceil(e.Width()/spacing-1e-9), math.Ceil(e.Height()/spacing-1e-9)
	if w*h > MaxPixels || w > MaxPixels || h > MaxPixels {
		return Grid{}, fmt.Errorf("%w: %g×%g pixels at %g m spacing (at most %d pixels)", ErrTooLarge, w, h, spacing, MaxPixels)
	}
	g := Grid{
		Projection: p,
		Spacing:    spacing,
		Width:      max(1, int(w)),
		Height:     max(1, int(h)),
	}
	cx, cy := (e.MinX+e.MaxX)/2, (e.MinY+e.MaxY)/2
	g.MinX = cx - float64(g.Width)*spacing/2
	g.MaxY = cy + float64(g.Height)*spacing/2
	return g, g.Validate()
}

// Validate checks that the grid is usable: a projection, a positive finite
// spacing and origin, and 1…MaxPixels pixels.
func (g Grid) Validate() error {
	switch {
	case g.Projection == nil:
		return fmt.Errorf("%w: grid without a projection", ErrInvalidOptions)
	case !(g.Spacing > 0) || math.IsInf(g.Spacing, 0):
		return fmt.Errorf("%w: grid spacing %g m, want > 0", ErrInvalidOptions, g.Spacing)
	case math.IsNaN(g.MinX) || math.IsInf(g.MinX, 0) || math.IsNaN(g.MaxY) || math.IsInf(g.MaxY, 0):
		return fmt.Errorf("%w: grid origin (%g, %g) is not finite", ErrInvalidOptions, g.MinX, g.MaxY)
	case g.Width < 1 || g.Height < 1:
		return fmt.Errorf("%w: grid of %d×%d pixels", ErrInvalidOptions, g.Width, g.Height)
	case int64(g.Width)*int64(g.Height) > MaxPixels:
		return fmt.Errorf("%w: grid of %d×%d pixels (at most %d)", ErrTooLarge, g.Width, g.Height, MaxPixels)
	}
	return nil
}

// Extent returns the rectangle the grid covers.
func (g Grid) Extent() Extent {
	return Extent{
		MinX: g.MinX,
		MinY: g.MaxY - float64(g.Height)*g.Spacing,
		MaxX: g.MinX + float64(g.Width)*g.Spacing,
		MaxY: g.MaxY,
	}
}

// Center returns the projected coordinates of the centre of pixel (px, py).
func (g Grid) Center(px, py int) (x, y float64) {
	return g.MinX + (float64(px)+0.5)*g.Spacing, g.MaxY - (float64(py)+0.5)*g.Spacing
}

// LatLon returns the geodetic latitude and longitude (degrees) of the centre
// of pixel (px, py), or NaN outside the projection's domain.
func (g Grid) LatLon(px, py int) (lat, lon float64) {
	return g.Projection.Inverse(g.Center(px, py))
}

// Pixel returns the pixel containing the projected point (x, y); ok is false
// when the point lies outside the grid.
func (g Grid) Pixel(x, y float64) (px, py int, ok bool) {
	fx := math.Floor((x - g.MinX) / g.Spacing)
	fy := math.Floor((g.MaxY - y) / g.Spacing)
	if !(fx >= 0 && fx < float64(g.Width) && fy >= 0 && fy < float64(g.Height)) {
		return 0, 0, false
	}
	return int(fx), int(fy), true
}
