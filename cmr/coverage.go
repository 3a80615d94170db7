package cmr

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
	"github.com/paulmach/orb"
	"github.com/zagg-go/zagg/healpix"
)

// Coverage on the sphere.
//
// A HEALPix cell C and a polygon P (great-circle edges, vertices converted to
// the sphere's latitude) intersect iff a vertex of P lies in C, or the
// boundary ∂C meets P. The cell's true boundary is sampled with NestBoundary
// (points exactly on the true edges) and ε bounds the distance between the
// true edges and the polyline through the samples (twice the largest
// deviation of the midpoint sample from its chord). Then:
//
//   - a vertex of P hashes to C            → they intersect (exact);
//   - a sample of ∂C lies in P             → they intersect (exact);
//   - no edge of P comes within ε of the
//     polyline and no vertex is in C       → ∂C does not meet ∂P, so C is
//     inside P if one sample is in P and disjoint from it otherwise (exact);
//   - otherwise an edge of P passes within ε of the boundary: sample more
//     densely (ε shrinks quadratically) and decide again; if it is still
//     undecided below ε ≈ 1e−11 rad (0.06 mm) the cell counts as touching.
//
// So the result is a guaranteed superset of the cells that intersect P, and
// the only cells it adds are those within that final ε of P.

const (
	// coverStep is the number of boundary samples per cell edge.
	coverStep = 16
	// maxRefineStep bounds refinement of undecided cells.
	maxRefineStep = 4096
	// epsMargin is added to every ε for rounding (radians).
	epsMargin = 1e-13
)

// cellGeom is the sampled boundary of one HEALPix cell on the sphere.
type cellGeom struct {
	center s2.Point
	ring   []s2.Point      // 4·step points on the true boundary, N, W, S, E corners first
	eps    float64         // radians: true boundary lies within eps of the ring polyline
	radius s1.ChordAngle   // the cell lies within radius of center
	limit  s1.ChordAngle   // eps as a chord angle
	reach  []s1.ChordAngle // per ring segment k: its length + eps (prefilter)
	// sides bound each of the 4 sides (step segments each) by a cap, a
	// prefilter that spares most edge–segment tests.
	sides [4]struct {
		center s2.Point
		radius s1.ChordAngle
	}
}

func llPoint(lat, lon float64) s2.Point { return s2.PointFromLatLng(s2.LatLngFromDegrees(lat, lon)) }

func newCellGeom(order int, nest uint64, step int) *cellGeom {
	b := healpix.NestBoundary(make([][2]float64, 0, 8*step), order, nest, 2*step)
	n := 4 * step
	g := &cellGeom{ring: make([]s2.Point, n)}
	for k := range g.ring {
		g.ring[k] = llPoint(b[2*k][0], b[2*k][1])
	}
	dev := 0.0
	for k := range g.ring {
		mid := llPoint(b[2*k+1][0], b[2*k+1][1])
		dev = math.Max(dev, s2.DistanceFromSegment(mid, g.ring[k], g.ring[(k+1)%n]).Radians())
	}
	g.eps = 2*dev + epsMargin
	lat, lon := healpix.NestCenter(order, nest)
	g.center = llPoint(lat, lon)
	r := 0.0
	for _, p := range g.ring {
		r = math.Max(r, g.center.Angle(p.Vector).Radians())
	}
	g.radius = s1.ChordAngleFromAngle(s1.Angle(r + g.eps + epsMargin))
	g.limit = s1.ChordAngleFromAngle(s1.Angle(g.eps))
	g.reach = make([]s1.ChordAngle, n)
	for k := range g.ring {
		l := g.ring[k].Angle(g.ring[(k+1)%n].Vector).Radians()
		g.reach[k] = s1.ChordAngleFromAngle(s1.Angle(l + g.eps + epsMargin))
	}
	for side := range 4 {
		c := g.ring[side*step+step/2]
		r := 0.0
		for k := side * step; k <= (side+1)*step; k++ {
			r = math.Max(r, c.Angle(g.ring[k%n].Vector).Radians())
		}
		g.sides[side].center = c
		g.sides[side].radius = s1.ChordAngleFromAngle(s1.Angle(r + 2*g.eps + epsMargin))
	}
	return g
}

// relation of a cell to a shape.
type relation uint8

const (
	disjoint relation = iota // no common point
	touches                  // the cell meets the shape's boundary or holds a vertex
	inside                   // the whole cell lies in the shape
)

// shape is a region or footprint on the sphere, ready for cell tests.
type shape struct {
	polys []*s2.Polygon
	edges []sedge // every edge of every loop
	rect  s2.Rect // bound of the whole shape
}

// sedge is an edge with the order-29 nested index of each end point.
type sedge struct {
	s2.Edge
	h0, h1 uint64
}

func newShape(mp orb.MultiPolygon, conv healpix.LatitudeConvention) (*shape, error) {
	polys, err := sphereRegion(mp, conv.ToSphere)
	if err != nil {
		return nil, err
	}
	s := &shape{polys: polys, rect: s2.EmptyRect()}
	hash := func(p s2.Point) uint64 {
		ll := s2.LatLngFromPoint(p)
		return healpix.LatLonToNest(healpix.MaxOrder, ll.Lat.Degrees(), ll.Lng.Degrees())
	}
	for _, p := range polys {
		s.rect = s.rect.Union(p.RectBound())
		for _, l := range p.Loops() {
			n := l.NumVertices()
			first := hash(l.Vertex(0))
			prev := first
			for k := range n {
				next := first
				if k+1 < n {
					next = hash(l.Vertex(k + 1))
				}
				s.edges = append(s.edges, sedge{Edge: s2.Edge{V0: l.Vertex(k), V1: l.Vertex(k + 1)}, h0: prev, h1: next})
				prev = next
			}
		}
	}
	return s, nil
}

func (s *shape) containsPoint(p s2.Point) bool {
	for _, poly := range s.polys {
		if poly.ContainsPoint(p) {
			return true
		}
	}
	return false
}

// coarseNear is the number of nearby edges above which a cell of a coarse
// level is not examined further: it is reported as touching and its
// children, with shorter edge lists, decide.
const coarseNear = 48

// relate classifies cell nest at order. candidates must hold every edge of
// the shape that may come near the cell (the parent's near edges, or all
// edges at order 0); the edges within the cell's bounding radius are
// appended to buf and returned for the children. With exact false an
// undecided cell is reported as touching without refinement, which is all a
// coarse level of the descent needs.
func (s *shape) relate(g *cellGeom, order int, nest uint64, exact bool, candidates, buf []sedge) (relation, []sedge) {
	near := buf[:0]
	for _, e := range candidates {
		if s2.IsDistanceLess(g.center, e.V0, e.V1, g.radius.Successor()) {
			near = append(near, e)
		}
	}
	if len(near) == 0 {
		if s.containsPoint(g.center) {
			return inside, near
		}
		return disjoint, near
	}
	shift := 2 * uint(healpix.MaxOrder-order)
	for _, e := range near {
		if e.h0>>shift == nest || e.h1>>shift == nest {
			return touches, near
		}
	}
	if !exact && len(near) > coarseNear {
		return touches, near
	}
	for step := coverStep; ; step *= 4 {
		if step != coverStep {
			g = newCellGeom(order, nest, step)
		}
		undecided := false
		n := len(g.ring)
		per := n / 4
		for _, e := range near {
			for side := range 4 {
				if !s2.IsDistanceLess(g.sides[side].center, e.V0, e.V1, g.sides[side].radius) {
					continue
				}
				for k := side * per; k < (side+1)*per; k++ {
					a, b := g.ring[k], g.ring[(k+1)%n]
					// Cheap test first: the segment cannot come within ε of
					// e if its start is farther from e than its length + ε.
					if !s2.IsDistanceLess(a, e.V0, e.V1, g.reach[k]) || !edgesWithin(e.V0, e.V1, a, b, g.limit) {
						continue
					}
					if s.containsPoint(a) || s.containsPoint(b) {
						return touches, near
					}
					undecided = true
				}
			}
		}
		if !undecided {
			if s.containsPoint(g.ring[0]) {
				return inside, near
			}
			return disjoint, near
		}
		if !exact || step >= maxRefineStep || g.eps < 1e-11 {
			return touches, near
		}
	}
}

// edgesWithin reports whether segments ab and cd cross or come within limit.
func edgesWithin(a, b, c, d s2.Point, limit s1.ChordAngle) bool {
	if s2.CrossingSign(a, b, c, d) != s2.DoNotCross {
		return true
	}
	lim := limit.Successor()
	return s2.IsDistanceLess(a, c, d, lim) || s2.IsDistanceLess(b, c, d, lim) ||
		s2.IsDistanceLess(c, a, b, lim) || s2.IsDistanceLess(d, a, b, lim)
}

// MaxCoverCells bounds the number of cells one Cover call returns.
const MaxCoverCells = 1 << 24

// Coverer computes, on the sphere, the HEALPix cells of one order that
// intersect regions and granule footprints. It caches cell boundaries, so
// reuse one Coverer for all footprints of a catalog. It is safe for
// concurrent use.
//
// A cell is reported iff it intersects the closed polygon (boundary
// included), up to a tolerance of about 1e−11 rad (0.06 mm): the result is a
// guaranteed superset of the exact answer and adds only cells that pass
// within that distance of the polygon. Polygon edges are great circles
// between the vertices after their latitudes are converted with the
// Coverer's latitude convention; cell edges are the true HEALPix edges
// (which are not great circles).
type Coverer struct {
	order int
	conv  healpix.LatitudeConvention
	cache sync.Map // uint64 key(order, nest) → *cellGeom
}

// NewCoverer returns a Coverer for cells of the given order (0–29) whose
// polygon vertex latitudes are converted with conv.
func NewCoverer(order int, conv healpix.LatitudeConvention) (*Coverer, error) {
	if order < 0 || order > healpix.MaxOrder {
		return nil, fmt.Errorf("%w: order %d outside 0–%d", ErrQuery, order, healpix.MaxOrder)
	}
	if conv != healpix.Authalic && conv != healpix.Geodetic {
		return nil, fmt.Errorf("%w: unknown latitude convention %d", ErrQuery, conv)
	}
	return &Coverer{order: order, conv: conv}, nil
}

// Order returns the order of the cells.
func (c *Coverer) Order() int { return c.order }

// Convention returns the latitude convention applied to polygon vertices.
func (c *Coverer) Convention() healpix.LatitudeConvention { return c.conv }

func (c *Coverer) geom(order int, nest uint64) *cellGeom {
	key := uint64(order)<<58 | nest
	if g, ok := c.cache.Load(key); ok {
		return g.(*cellGeom)
	}
	g := newCellGeom(order, nest, coverStep)
	if order <= c.order && order <= 9 {
		c.cache.Store(key, g)
	}
	return g
}

// Cover returns the nested indices, ascending, of the cells at the
// Coverer's order that intersect the polygons.
func (c *Coverer) Cover(mp orb.MultiPolygon) ([]uint64, error) {
	return c.CoverWithin(mp, nil)
}

// CoverWithin is Cover restricted to the cells in within (nested indices
// at the Coverer's order, ascending, no duplicates); a nil within means no
// restriction. Restricting a footprint to a region's cells avoids testing
// cells that cannot be in the catalog.
func (c *Coverer) CoverWithin(mp orb.MultiPolygon, within []uint64) ([]uint64, error) {
	s, err := newShape(mp, c.conv)
	if err != nil {
		return nil, err
	}
	if within != nil && !slices.IsSorted(within) {
		return nil, fmt.Errorf("%w: restriction cells are not sorted", ErrQuery)
	}
	if within == nil {
		area := 0.0
		for _, p := range s.polys {
			area += p.Area()
		}
		if area/(4*math.Pi/float64(healpix.NPix(c.order))) > MaxCoverCells {
			return nil, fmt.Errorf("%w: the polygon spans more than %d cells at order %d; use a coarser order", ErrQuery, MaxCoverCells, c.order)
		}
	}
	var out []uint64
	var tooMany bool
	bufs := make([][]sedge, c.order+1) // one near-edge list per depth
	var visit func(order int, nest uint64, candidates []sedge)
	visit = func(order int, nest uint64, candidates []sedge) {
		if tooMany {
			return
		}
		shift := 2 * uint(c.order-order)
		lo, hi := nest<<shift, (nest+1)<<shift
		var i, j int
		if within != nil {
			i, _ = slices.BinarySearch(within, lo)
			j, _ = slices.BinarySearch(within, hi)
			if i == j {
				return
			}
		}
		rel, near := s.relate(c.geom(order, nest), order, nest, order == c.order, candidates, bufs[order])
		bufs[order] = near[:0]
		switch rel {
		case disjoint:
			return
		case inside:
			if uint64(len(out))+(hi-lo) > MaxCoverCells && (within == nil || len(out)+(j-i) > MaxCoverCells) {
				tooMany = true
				return
			}
			if within != nil {
				out = append(out, within[i:j]...)
			} else {
				for k := lo; k < hi; k++ {
					out = append(out, k)
				}
			}
			return
		}
		if order == c.order {
			if len(out) >= MaxCoverCells {
				tooMany = true
				return
			}
			out = append(out, nest)
			return
		}
		// The children's lists are filtered from this one; keep it out of
		// the buffer the siblings of this cell reuse.
		near = slices.Clone(near)
		for k := range uint64(4) {
			visit(order+1, 4*nest+k, near)
		}
	}
	for base := range uint64(12) {
		visit(0, base, s.edges)
	}
	if tooMany {
		return nil, fmt.Errorf("%w: more than %d cells at order %d; use a coarser order", ErrQuery, MaxCoverCells, c.order)
	}
	return out, nil
}

// Intersects reports whether cell nest at the Coverer's order intersects the
// polygons, with the same contract as Cover.
func (c *Coverer) Intersects(mp orb.MultiPolygon, nest uint64) (bool, error) {
	if nest >= healpix.NPix(c.order) {
		return false, fmt.Errorf("%w: cell %d outside order %d", ErrQuery, nest, c.order)
	}
	s, err := newShape(mp, c.conv)
	if err != nil {
		return false, err
	}
	rel, _ := s.relate(c.geom(c.order, nest), c.order, nest, true, s.edges, nil)
	return rel != disjoint, nil
}
