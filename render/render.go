package render

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/zagg-go/zagg/healpix"
)

// Defaults of Options.
const (
	// DefaultSpacing is the default pixel size, 2 km, which shows the whole
	// of Antarctica in about 2,800×2,400 pixels.
	DefaultSpacing = 2000.0
	// DefaultMaxSize caps the longest side of a map whose size is chosen
	// automatically.
	DefaultMaxSize = 4096
	// DefaultMinSize is the longest side below which the automatic spacing
	// is refined (small regions), down to a quarter of a cell.
	DefaultMinSize = 1000
)

// earthRadius is the Earth's mean radius in metres (IUGG R1), used to turn
// HEALPix cell sizes into metres.
const earthRadius = 6371008.8

// Range is a closed interval [Lo, Hi]. The zero Range means "not set".
type Range struct{ Lo, Hi float64 }

// IsZero reports whether r is the zero Range.
func (r Range) IsZero() bool { return r == Range{} }

// Options configures Render. The zero value is valid: projection, extent,
// spacing, colormap and colour limits are then chosen from the data.
type Options struct {
	// Projection is the map projection; nil chooses one from the data's
	// latitudes: EPSG:3031 when every cell with a value lies south of
	// 50°S, EPSG:3413 when every one lies north of 50°N, else an
	// equirectangular projection centred on the data (central meridian
	// opposite the largest longitude gap, standard parallel at the middle
	// latitude, clamped to ±60°).
	Projection Projection
	// Extent is the projected area to draw; zero means the data's extent
	// (the outline of the cells with a value, at order ≤ 8) plus 2 % on
	// every side.
	Extent Extent
	// Spacing is the pixel size in metres; zero means DefaultSpacing,
	// coarsened so that the longest side stays within MaxSize, or refined
	// for small regions (longest side below DefaultMinSize pixels) down to a
	// quarter of a cell.
	Spacing float64
	// Width and Height, when set and Spacing is zero, fix the map's size in
	// pixels: the spacing is the smallest that fits the extent, and the
	// grid is centred on it. Setting only one fixes that side.
	Width, Height int
	// MaxSize bounds the longest side of the map in pixels (default
	// DefaultMaxSize): an automatic spacing is coarsened to fit, an explicit
	// Spacing, Width or Height beyond it is an error wrapping ErrTooLarge.
	MaxSize int
	// Colormap colours the values; nil chooses CoolWarm for signed data
	// (robust limits of opposite signs, the smaller at least 5 % of the
	// larger) and Viridis otherwise.
	Colormap *Colormap
	// Limits are the values mapped to the ends of the colormap; zero means
	// the Percentiles of the layer's values. With a diverging colormap,
	// automatic limits are made symmetric about zero.
	Limits Range
	// Percentiles are the robust limits used when Limits is zero (default
	// 2nd and 98th, numpy's linear method).
	Percentiles Range
	// Title is drawn above the map; "" means DefaultTitle: "<name> · order
	// <n>" followed by the layer's time window.
	Title string
	// NoTitle suppresses the title.
	NoTitle bool
	// NoColorbar suppresses the colorbar (and its labels).
	NoColorbar bool
	// NoGraticule suppresses the graticule: parallels and meridians at
	// round spacings (four to six of each) drawn over the map, the
	// parallels labelled with their latitude and, when the map does not
	// surround a pole, the meridians with their longitude.
	NoGraticule bool
	// Outline, if set, is drawn over the map: polygons of [lon, lat] rings
	// in geodetic degrees (orb convention, as cmr.Region.Polygons), with
	// great-circle edges.
	Outline orb.MultiPolygon
	// OutlineColor is the outline's colour (default near-black).
	OutlineColor color.Color
	// Background fills the title and colorbar panels (default white). Map
	// pixels without data stay transparent.
	Background color.Color
	// TextScale is the size of the text in font pixels (0: from the map
	// width, 1…8).
	TextScale int
	// Workers bounds the goroutines that rasterise (0: GOMAXPROCS).
	Workers int
}

// Map is a rendered map.
type Map struct {
	// Image holds the map with its title and colorbar.
	Image *image.NRGBA
	// Grid is the map's pixel grid.
	Grid Grid
	// MapBounds is where the grid lies in Image: grid pixel (px, py) is
	// pixel MapBounds.Min + (px, py) of Image.
	MapBounds image.Rectangle
	// Colormap is the colormap used.
	Colormap *Colormap
	// Limits are the colour limits used: value Limits.Lo maps to the
	// colormap's first entry, Limits.Hi to its last.
	Limits Range
	// Title is the title drawn ("" when suppressed).
	Title string
}

// Render draws layer l as a map: the layer rasterised on a grid (see
// Rasterize and Options) with, unless suppressed, a title above it and a
// colorbar below it labelled with the layer's units. Pixels without data
// are transparent. Errors wrap ErrInvalidOptions, ErrNoData or ErrTooLarge.
func Render(l *Layer, o Options) (*Map, error) {
	if l == nil {
		return nil, fmt.Errorf("%w: nil layer", ErrInvalidOptions)
	}
	g, err := MapGrid(l, o)
	if err != nil {
		return nil, err
	}
	cm, lim, err := colours(l, o)
	if err != nil {
		return nil, err
	}
	m := &Map{Grid: g, Colormap: cm, Limits: lim}
	if !o.NoTitle {
		m.Title = o.Title
		if m.Title == "" {
			m.Title = DefaultTitle(l)
		}
	}
	lay := layout(g, m.Title, o)
	if int64(lay.size.X)*int64(lay.size.Y) > MaxPixels {
		return nil, fmt.Errorf("%w: image of %d×%d pixels", ErrTooLarge, lay.size.X, lay.size.Y)
	}
	img := image.NewNRGBA(image.Rect(0, 0, lay.size.X, lay.size.Y))
	m.Image = img
	m.MapBounds = image.Rectangle{Min: lay.mapAt, Max: lay.mapAt.Add(image.Pt(g.Width, g.Height))}
	bg := nrgba(o.Background, color.NRGBA{255, 255, 255, 255})
	// Panels: everything outside the map rectangle.
	fillRect(img, image.Rect(0, 0, lay.size.X, m.MapBounds.Min.Y), bg)
	fillRect(img, image.Rect(0, m.MapBounds.Max.Y, lay.size.X, lay.size.Y), bg)
	fillRect(img, image.Rect(0, m.MapBounds.Min.Y, m.MapBounds.Min.X, m.MapBounds.Max.Y), bg)
	fillRect(img, image.Rect(m.MapBounds.Max.X, m.MapBounds.Min.Y, lay.size.X, m.MapBounds.Max.Y), bg)
	if err := rasterizeInto(img, lay.mapAt, g, l, cm, lim.Lo, lim.Hi, o.Workers); err != nil {
		return nil, err
	}
	if !o.NoGraticule {
		drawGraticule(img, m.MapBounds, g, lay.scale, color.NRGBA{150, 150, 150, 255}, color.NRGBA{60, 60, 60, 255})
	}
	if len(o.Outline) > 0 {
		drawOutline(img, m.MapBounds, g, o.Outline, max(1, lay.scale/2), nrgba(o.OutlineColor, color.NRGBA{20, 20, 20, 255}))
	}
	ink := color.NRGBA{30, 30, 30, 255}
	if m.Title != "" {
		drawText(img, lay.pad, lay.pad, m.Title, lay.scale, ink)
	}
	if !o.NoColorbar {
		drawColorbar(img, lay, cm, lim, colorbarLabel(l), ink)
	}
	return m, nil
}

// DefaultTitle returns the title Render draws for l: "<name> · order <n>",
// then " · <time window>" when the layer has one.
func DefaultTitle(l *Layer) string {
	name := l.Name
	if name == "" {
		name = "value"
	}
	t := fmt.Sprintf("%s · order %d", name, l.order)
	if l.Time != "" {
		t += " · " + l.Time
	}
	return t
}

// colorbarLabel is "<name> (<units>)"; the long name when the layer has no
// short one.
func colorbarLabel(l *Layer) string {
	name := l.Name
	if name == "" {
		name = l.LongName
	}
	switch {
	case l.Units != "" && name != "":
		return name + " (" + l.Units + ")"
	case l.Units != "":
		return l.Units
	}
	return name
}

func nrgba(c color.Color, def color.NRGBA) color.NRGBA {
	if c == nil {
		return def
	}
	return color.NRGBAModel.Convert(c).(color.NRGBA)
}

// colours returns the colormap and limits for l under o.
func colours(l *Layer, o Options) (*Colormap, Range, error) {
	lim := o.Limits
	auto := lim.IsZero()
	if auto {
		pct := o.Percentiles
		if pct.IsZero() {
			pct = Range{2, 98}
		}
		if !(pct.Lo <= pct.Hi) {
			return nil, Range{}, fmt.Errorf("%w: percentiles %g > %g", ErrInvalidOptions, pct.Lo, pct.Hi)
		}
		lo, hi, err := l.Percentiles(pct.Lo, pct.Hi)
		if err != nil {
			return nil, Range{}, err
		}
		if math.IsNaN(lo) {
			return nil, Range{}, fmt.Errorf("%w: layer %q has no value to set colour limits from", ErrNoData, l.Name)
		}
		lim = Range{lo, hi}
	}
	if math.IsNaN(lim.Lo) || math.IsNaN(lim.Hi) || math.IsInf(lim.Lo, 0) || math.IsInf(lim.Hi, 0) || lim.Lo > lim.Hi {
		return nil, Range{}, fmt.Errorf("%w: colour limits [%g, %g]", ErrInvalidOptions, lim.Lo, lim.Hi)
	}
	cm := o.Colormap
	if cm == nil {
		cm = Viridis()
		a, b := math.Abs(lim.Lo), math.Abs(lim.Hi)
		if lim.Lo < 0 && lim.Hi > 0 && math.Min(a, b) >= 0.05*math.Max(a, b) {
			cm = CoolWarm()
		}
	}
	if auto && cm.Diverging() {
		m := math.Max(math.Abs(lim.Lo), math.Abs(lim.Hi))
		lim = Range{-m, m}
	}
	return cm, lim, nil
}

// MapGrid returns the pixel grid Render uses for l under o: the projection,
// extent and spacing resolved as Options describes.
func MapGrid(l *Layer, o Options) (Grid, error) {
	maxSize := o.MaxSize
	if maxSize == 0 {
		maxSize = DefaultMaxSize
	}
	if maxSize < 1 || o.Width < 0 || o.Height < 0 || o.Spacing < 0 || math.IsNaN(o.Spacing) || math.IsInf(o.Spacing, 0) {
		return Grid{}, fmt.Errorf("%w: size options (max %d, %d×%d, spacing %g)", ErrInvalidOptions, maxSize, o.Width, o.Height, o.Spacing)
	}
	if o.Width > maxSize || o.Height > maxSize {
		return Grid{}, fmt.Errorf("%w: %d×%d pixels, at most %d on a side", ErrTooLarge, o.Width, o.Height, maxSize)
	}
	p := o.Projection
	ext := o.Extent
	if p == nil || ext.IsZero() {
		pts, err := dataOutline(l)
		if err != nil {
			return Grid{}, err
		}
		if p == nil {
			p, err = chooseProjection(pts)
			if err != nil {
				return Grid{}, err
			}
		}
		if ext.IsZero() {
			ext, err = projectedBounds(p, pts)
			if err != nil {
				return Grid{}, err
			}
		}
	}
	if err := ext.Validate(); err != nil {
		return Grid{}, err
	}
	longest := math.Max(ext.Width(), ext.Height())
	switch {
	case o.Spacing > 0:
		if longest/o.Spacing > float64(maxSize) {
			return Grid{}, fmt.Errorf("%w: %g m spacing gives %.0f pixels on a side, at most %d (MaxSize)", ErrTooLarge, o.Spacing, longest/o.Spacing, maxSize)
		}
		return NewGrid(p, ext, o.Spacing)
	case o.Width > 0 || o.Height > 0:
		s := 0.0
		if o.Width > 0 {
			s = ext.Width() / float64(o.Width)
		}
		if o.Height > 0 {
			s = math.Max(s, ext.Height()/float64(o.Height))
		}
		g, err := NewGrid(p, ext, s)
		if err != nil {
			return Grid{}, err
		}
		// Fix the asked sides exactly, keeping the centre.
		cx, cy := (ext.MinX+ext.MaxX)/2, (ext.MinY+ext.MaxY)/2
		if o.Width > 0 {
			g.Width = o.Width
		}
		if o.Height > 0 {
			g.Height = o.Height
		}
		g.MinX = cx - float64(g.Width)*s/2
		g.MaxY = cy + float64(g.Height)*s/2
		return g, g.Validate()
	}
	s := DefaultSpacing
	if longest/s > float64(maxSize) {
		s = longest / float64(maxSize)
	} else if longest/s < DefaultMinSize {
		s = math.Max(longest/DefaultMinSize, healpix.Resolution(l.order)*earthRadius/4)
	}
	return NewGrid(p, ext, s)
}

// dataOutline returns points on the boundaries of the cells, at order
// min(order, 8), that contain the layer's values, as geodetic [lat, lon]
// degrees. The layer computes them once.
func dataOutline(l *Layer) ([][2]float64, error) {
	if l.count == 0 {
		return nil, fmt.Errorf("%w: layer %q has no value to take an extent from", ErrNoData, l.Name)
	}
	l.outlineOnce.Do(func() {
		eo := min(l.order, 8)
		cells := l.coarseCells(eo)
		pts := make([][2]float64, 0, 16*len(cells))
		var buf [][2]float64
		for _, c := range cells {
			buf = healpix.NestBoundary(buf[:0], eo, c, 4)
			for _, p := range buf {
				pts = append(pts, [2]float64{l.conv.FromSphere(p[0]), p[1]})
			}
		}
		l.outline = pts
	})
	return l.outline, nil
}

// chooseProjection picks the projection for data with outline points pts.
func chooseProjection(pts [][2]float64) (Projection, error) {
	minLat, maxLat := math.Inf(1), math.Inf(-1)
	var lonBins [360]bool
	for _, p := range pts {
		minLat = math.Min(minLat, p[0])
		maxLat = math.Max(maxLat, p[0])
		lonBins[int(math.Floor(wrapLon(p[1])+180))%360] = true
	}
	switch {
	case maxLat < -50:
		return EPSG3031(), nil
	case minLat > 50:
		return EPSG3413(), nil
	}
	// Centre on the data: the central meridian is opposite the middle of
	// the largest run of empty one-degree longitude bins.
	bestLen, bestStart := 0, 0
	for start := range 360 {
		if lonBins[start] || !lonBins[(start+359)%360] {
			continue // not the start of an empty run
		}
		n := 0
		for n < 360 && !lonBins[(start+n)%360] {
			n++
		}
		if n > bestLen {
			bestLen, bestStart = n, start
		}
	}
	lon0 := 0.0
	if bestLen > 0 {
		gapMid := float64(bestStart) - 180 + float64(bestLen)/2
		lon0 = wrapLon(gapMid + 180)
	}
	lat1 := math.Max(-60, math.Min(60, (minLat+maxLat)/2))
	return NewEquirectangular(math.Round(lon0), math.Round(lat1))
}

// projectedBounds returns the bounding box of pts in p, padded by 2 % of
// its size on every side.
func projectedBounds(p Projection, pts [][2]float64) (Extent, error) {
	e := Extent{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, q := range pts {
		x, y := p.Forward(q[0], q[1])
		if x != x || y != y {
			continue
		}
		e.MinX, e.MaxX = math.Min(e.MinX, x), math.Max(e.MaxX, x)
		e.MinY, e.MaxY = math.Min(e.MinY, y), math.Max(e.MaxY, y)
	}
	if math.IsInf(e.MinX, 0) {
		return Extent{}, fmt.Errorf("%w: no data visible in %v", ErrNoData, p)
	}
	pad := 0.02 * math.Max(e.Width(), e.Height())
	if pad == 0 {
		pad = 1000
	}
	e.MinX -= pad
	e.MinY -= pad
	e.MaxX += pad
	e.MaxY += pad
	return e, nil
}

// frame is the layout of a rendered image.
type frame struct {
	size   image.Point // the whole image
	mapAt  image.Point // top-left of the map
	scale  int         // text scale
	pad    int
	barTop int // y of the colorbar's top edge
	barX   int // x of the colorbar's left edge
	barW   int
	barH   int
}

func layout(g Grid, title string, o Options) frame {
	s := o.TextScale
	if s <= 0 {
		s = min(max(g.Width/450, 2), 6)
	}
	s = min(s, 8)
	f := frame{scale: s, pad: 5 * s}
	w := g.Width + 2*f.pad
	titleH := 0
	if title != "" {
		titleH = f.pad + glyphH*s
		w = max(w, textWidth(title, s)+2*f.pad)
	}
	h := titleH + f.pad + g.Height
	if !o.NoColorbar {
		f.barH = 5 * s
		f.barW = max(g.Width*3/5, 80*s)
		w = max(w, f.barW+2*f.pad+12*s)
		f.barTop = h + f.pad
		// bar, tick, gap, labels, gap, caption, bottom pad
		h = f.barTop + f.barH + 2*s + s + glyphH*s + 2*s + glyphH*s + f.pad
	} else {
		h += f.pad
	}
	f.size = image.Pt(w, h)
	f.mapAt = image.Pt((w-g.Width)/2, titleH+f.pad)
	f.barX = (w - f.barW) / 2
	return f
}

func drawColorbar(img *image.NRGBA, f frame, cm *Colormap, lim Range, label string, ink color.NRGBA) {
	s := f.scale
	for i := range f.barW {
		c := cm.At((float64(i) + 0.5) / float64(f.barW))
		fillRect(img, image.Rect(f.barX+i, f.barTop, f.barX+i+1, f.barTop+f.barH), c)
	}
	// A thin frame around the bar.
	box := image.Rect(f.barX-1, f.barTop-1, f.barX+f.barW+1, f.barTop+f.barH+1).Intersect(img.Bounds())
	for _, r := range []image.Rectangle{
		image.Rect(box.Min.X, box.Min.Y, box.Max.X, box.Min.Y+1), image.Rect(box.Min.X, box.Max.Y-1, box.Max.X, box.Max.Y),
		image.Rect(box.Min.X, box.Min.Y, box.Min.X+1, box.Max.Y), image.Rect(box.Max.X-1, box.Min.Y, box.Max.X, box.Max.Y),
	} {
		fillRect(img, r.Intersect(img.Bounds()), ink)
	}
	labelY := f.barTop + f.barH + 3*s
	lastEnd := math.MinInt
	for _, v := range niceTicks(lim.Lo, lim.Hi, 6) {
		x := f.barX + f.barW/2
		if lim.Hi > lim.Lo {
			x = f.barX + int(math.Round((v-lim.Lo)/(lim.Hi-lim.Lo)*float64(f.barW-1)))
		}
		fillRect(img, image.Rect(x-s/2, f.barTop+f.barH, x-s/2+max(1, s/2), f.barTop+f.barH+2*s).Intersect(img.Bounds()), ink)
		txt := formatTick(v, lim)
		tw := textWidth(txt, s)
		tx := min(max(x-tw/2, 0), img.Bounds().Max.X-tw)
		if tx <= lastEnd+2*s {
			continue // would overlap the previous label
		}
		drawText(img, tx, labelY, txt, s, ink)
		lastEnd = tx + tw
	}
	if label != "" {
		tw := textWidth(label, s)
		drawText(img, max((img.Bounds().Dx()-tw)/2, 0), labelY+glyphH*s+2*s, label, s, ink)
	}
}

// niceTicks returns up to about n round values (multiples of 1, 2, 2.5 or
// 5 × 10^k) in [lo, hi]; for lo = hi, just lo.
func niceTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+1e-9*step; k++ {
		v := k * step
		if v == 0 {
			v = 0 // no "-0"
		}
		out = append(out, v)
		if len(out) > 4*n {
			break
		}
	}
	return out
}

// formatTick formats a tick value with as many decimals as the tick step
// needs.
func formatTick(v float64, lim Range) string {
	span := lim.Hi - lim.Lo
	dec := 0
	if span > 0 {
		step := span / 6
		if step < 1 {
			dec = min(int(math.Ceil(-math.Log10(step)))+1, 10)
		}
	}
	if math.Abs(v) >= 1e6 || (v != 0 && math.Abs(v) < 1e-4) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// drawOutline draws the rings of mp, projected with g, clipped to the map
// rectangle r of img.
func drawOutline(img *image.NRGBA, r image.Rectangle, g Grid, mp orb.MultiPolygon, width int, c color.NRGBA) {
	for _, poly := range mp {
		for _, ring := range poly {
			pts := densify(ring, 0.25)
			for i := 1; i < len(pts); i++ {
				if cutEdge(pts[i-1], pts[i]) {
					continue
				}
				x0, y0 := g.Projection.Forward(pts[i-1][1], pts[i-1][0])
				x1, y1 := g.Projection.Forward(pts[i][1], pts[i][0])
				if x0 != x0 || x1 != x1 || y0 != y0 || y1 != y1 {
					continue
				}
				// Pixel coordinates (continuous) relative to the image.
				fx0 := (x0-g.MinX)/g.Spacing + float64(r.Min.X)
				fy0 := (g.MaxY-y0)/g.Spacing + float64(r.Min.Y)
				fx1 := (x1-g.MinX)/g.Spacing + float64(r.Min.X)
				fy1 := (g.MaxY-y1)/g.Spacing + float64(r.Min.Y)
				// A segment jumping across most of the map is an
				// antimeridian wrap in a cylindrical projection.
				if math.Abs(fx1-fx0) > float64(r.Dx())/2 {
					continue
				}
				drawLine(img, r, fx0, fy0, fx1, fy1, width, c)
			}
		}
	}
}

// cutEdge reports whether the segment a–b is an artificial edge of a
// polygon cut for the lon/lat plane: along the antimeridian (both ends at
// ±180°) or along a pole (both ends at ±90°). Such edges are not on the
// region's boundary.
func cutEdge(a, b orb.Point) bool {
	const eps = 1e-9
	if math.Abs(a[0]) >= 180-eps && math.Abs(b[0]) >= 180-eps {
		return true
	}
	return math.Abs(a[1]) >= 90-eps && math.Abs(b[1]) >= 90-eps
}

// densify returns ring with points inserted along each great-circle edge so
// that no step exceeds maxDeg degrees of arc.
func densify(ring orb.Ring, maxDeg float64) []orb.Point {
	out := make([]orb.Point, 0, len(ring))
	for i, p := range ring {
		if i > 0 {
			a, b := ring[i-1], p
			va, vb := unitVector(a), unitVector(b)
			dot := va[0]*vb[0] + va[1]*vb[1] + va[2]*vb[2]
			ang := math.Acos(math.Max(-1, math.Min(1, dot))) * radToDeg
			if n := int(math.Ceil(ang / maxDeg)); n > 1 && n < 1e6 && ang < 179 {
				sinAng := math.Sin(ang * degToRad)
				for k := 1; k < n; k++ {
					f := float64(k) / float64(n)
					wa := math.Sin((1-f)*ang*degToRad) / sinAng
					wb := math.Sin(f*ang*degToRad) / sinAng
					v := [3]float64{wa*va[0] + wb*vb[0], wa*va[1] + wb*vb[1], wa*va[2] + wb*vb[2]}
					out = append(out, orb.Point{math.Atan2(v[1], v[0]) * radToDeg, math.Atan2(v[2], math.Hypot(v[0], v[1])) * radToDeg})
				}
			}
		}
		out = append(out, p)
	}
	return out
}

func unitVector(p orb.Point) [3]float64 {
	slat, clat := math.Sincos(p[1] * degToRad)
	slon, clon := math.Sincos(p[0] * degToRad)
	return [3]float64{clat * clon, clat * slon, slat}
}

// drawLine draws a segment of the given width between continuous pixel
// coordinates, clipped to r.
func drawLine(img *image.NRGBA, r image.Rectangle, x0, y0, x1, y1 float64, width int, c color.NRGBA) {
	n := int(math.Ceil(math.Max(math.Abs(x1-x0), math.Abs(y1-y0))))
	if n > 1<<16 {
		return // a degenerate projection of a huge segment
	}
	half := width / 2
	for k := 0; k <= n; k++ {
		f := 0.0
		if n > 0 {
			f = float64(k) / float64(n)
		}
		x := int(math.Floor(x0 + f*(x1-x0)))
		y := int(math.Floor(y0 + f*(y1-y0)))
		fillRect(img, image.Rect(x-half, y-half, x-half+width, y-half+width).Intersect(r), c)
	}
}
