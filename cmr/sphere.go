package cmr

import (
	"fmt"
	"math"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
	"github.com/paulmach/orb"
)

// dupTolerance is the angle (radians, ≈ 6 µm on Earth) under which two
// consecutive vertices are the same point: (−180°, φ) and (180°, φ), or two
// vertices at a pole with different longitudes.
const dupTolerance = 1e-12

// sphereLoops converts the rings of one polygon into normalized s2 loops.
// lat maps a ring latitude to the latitude on the sphere (identity for
// CMR's own geometry; the authalic conversion for HEALPix coverage).
//
// Per ring: the closing vertex is dropped, repeated vertices (equal on the
// sphere) are merged, zero-width spikes A→B→A (the two sides of an
// antimeridian cut running to a pole) are removed, and the loop is
// validated and normalized so it encloses at most half the sphere (winding
// errors cannot invert a footprint; a region larger than a hemisphere must
// be split).
func sphereLoops(p orb.Polygon, lat func(float64) float64, where string) ([]*s2.Loop, error) {
	loops := make([]*s2.Loop, 0, len(p))
	for i, r := range p {
		pts := make([]s2.Point, 0, len(r))
		for k, v := range r {
			lon, la := v[0], v[1]
			if !(lon >= -360 && lon <= 360) || !(la >= -90 && la <= 90) {
				return nil, fmt.Errorf("%w: %sring %d vertex %d: (%v, %v) out of range", ErrGeometry, where, i, k, lon, la)
			}
			pts = append(pts, s2.PointFromLatLng(s2.LatLngFromDegrees(lat(la), lon)))
		}
		pts = cleanRing(pts)
		if len(pts) < 3 {
			return nil, fmt.Errorf("%w: %sring %d: %d distinct vertices, want ≥ 3", ErrGeometry, where, i, len(pts))
		}
		for k := range pts {
			a, b := pts[k], pts[(k+1)%len(pts)]
			if a.Dot(b.Vector) < -1+1e-15 {
				return nil, fmt.Errorf("%w: %sring %d: vertices %d and %d are antipodal", ErrGeometry, where, i, k, (k+1)%len(pts))
			}
		}
		l := s2.LoopFromPoints(pts)
		if err := l.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %sring %d: %v", ErrGeometry, where, i, err)
		}
		l.Normalize()
		loops = append(loops, l)
	}
	if err := findCrossing(loops); err != nil {
		return nil, fmt.Errorf("%w: %s%v", ErrGeometry, where, err)
	}
	return loops, nil
}

// findCrossing reports edges that cross at a point interior to both, within
// a ring or between rings (s2's own Validate does not check this). Rings
// that merely touch themselves or each other at a vertex (a pinched loop,
// common in digitised coastlines) are accepted: point containment, and so
// coverage, stays well defined for them.
func findCrossing(loops []*s2.Loop) error {
	index := s2.NewShapeIndex()
	for _, l := range loops {
		index.Add(l)
	}
	q := s2.NewCrossingEdgeQuery(index)
	for i, l := range loops {
		n := l.NumEdges()
		for e := 0; e < n; e++ {
			edge := l.Edge(e)
			for j, other := range loops {
				for _, f := range q.Crossings(edge.V0, edge.V1, other, s2.CrossingTypeInterior) {
					if j == i && (f == e || f == (e+1)%n || f == (e+n-1)%n) {
						continue
					}
					if j == i {
						return fmt.Errorf("ring %d: edges %d and %d cross", i, e, f)
					}
					return fmt.Errorf("ring %d edge %d and ring %d edge %d cross", i, e, j, f)
				}
			}
		}
	}
	return nil
}

// cleanRing drops the closing vertex, merges consecutive equal points and
// removes spikes, cyclically, until nothing changes.
func cleanRing(pts []s2.Point) []s2.Point {
	same := func(a, b s2.Point) bool { return a.Angle(b.Vector) < dupTolerance }
	for changed := true; changed && len(pts) >= 2; {
		changed = false
		out := pts[:0:0]
		for _, p := range pts {
			if n := len(out); n > 0 && same(out[n-1], p) {
				changed = true
				continue
			}
			if n := len(out); n > 1 && same(out[n-2], p) { // spike out[n-2] → out[n-1] → p
				out = out[:n-1]
				changed = true
				continue
			}
			out = append(out, p)
		}
		// Wrap-around: the closing vertex and spikes across the seam.
		for len(out) > 1 && same(out[0], out[len(out)-1]) {
			out = out[:len(out)-1]
			changed = true
		}
		for len(out) > 2 && same(out[len(out)-2], out[0]) {
			out = out[:len(out)-1]
			changed = true
		}
		for len(out) > 2 && same(out[len(out)-1], out[1]) {
			out = out[1:]
			changed = true
		}
		pts = out
	}
	return pts
}

// sphereRegion converts a multipolygon into s2 polygons, one per part.
func sphereRegion(mp orb.MultiPolygon, lat func(float64) float64) ([]*s2.Polygon, error) {
	if len(mp) == 0 {
		return nil, fmt.Errorf("%w: no polygons", ErrGeometry)
	}
	polys := make([]*s2.Polygon, 0, len(mp))
	for i, p := range mp {
		where := ""
		if len(mp) > 1 {
			where = fmt.Sprintf("polygon %d: ", i)
		}
		loops, err := sphereLoops(p, lat, where)
		if err != nil {
			return nil, err
		}
		poly := s2.PolygonFromLoops(loops)
		if err := poly.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s%v", ErrGeometry, where, err)
		}
		polys = append(polys, poly)
	}
	return polys, nil
}

func identityLat(lat float64) float64 { return lat }

// BBox returns the smallest longitude/latitude box that contains the region
// on the sphere, for CMR's bounding_box: edges are great circles (so the box
// reaches poleward of the vertices where edges bulge), a part that encloses
// a pole gives the full longitude range and reaches ±90°, and a region that
// crosses the antimeridian gives West > East. The box is padded by pad
// degrees on every side (clamped; 0.1° covers the difference between
// geodetic and authalic latitude the catalog uses for cells).
func (r Region) BBox(pad float64) (BBox, error) {
	polys, err := sphereRegion(r.Polygons, identityLat)
	if err != nil {
		return BBox{}, fmt.Errorf("region %s: %w", r.Name, err)
	}
	rect := s2.EmptyRect()
	for _, p := range polys {
		rect = rect.Union(p.RectBound())
	}
	return rectToBBox(rect, pad), nil
}

func rectToBBox(rect s2.Rect, pad float64) BBox {
	if pad > 0 && !rect.IsEmpty() {
		p := pad * math.Pi / 180
		rect.Lat.Lo = math.Max(-math.Pi/2, rect.Lat.Lo-p)
		rect.Lat.Hi = math.Min(math.Pi/2, rect.Lat.Hi+p)
		// A distance of pad at the box's most poleward latitude.
		c := math.Cos(math.Max(math.Abs(rect.Lat.Lo), math.Abs(rect.Lat.Hi)))
		if c < 1e-9 || p/c >= math.Pi {
			rect.Lng = s1.FullInterval()
		} else {
			rect.Lng = rect.Lng.Expanded(p / c)
		}
	}
	if rect.Lat.Lo <= -math.Pi/2+1e-15 || rect.Lat.Hi >= math.Pi/2-1e-15 {
		// Touching a pole: every longitude is in the box.
		rect.Lng = s1.FullInterval()
	}
	b := BBox{
		South: math.Max(-90, rect.Lat.Lo*180/math.Pi),
		North: math.Min(90, rect.Lat.Hi*180/math.Pi),
	}
	if rect.Lng.IsFull() || rect.Lng.Length() >= 2*math.Pi-1e-12 {
		b.West, b.East = -180, 180
	} else {
		b.West = rect.Lng.Lo * 180 / math.Pi
		b.East = rect.Lng.Hi * 180 / math.Pi
		// s1.Interval uses −180 for the antimeridian at the low end only.
		if b.West == 180 {
			b.West = -180
		}
		if b.East == -180 {
			b.East = 180
		}
	}
	// Six decimals (≈ 0.1 m): readable in URLs, rounded outward.
	b.West = math.Floor(b.West*1e6) / 1e6
	b.South = math.Floor(b.South*1e6) / 1e6
	b.East = math.Ceil(b.East*1e6) / 1e6
	b.North = math.Ceil(b.North*1e6) / 1e6
	return b
}
