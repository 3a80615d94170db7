package render

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// graticuleSteps are the spacings (degrees) a graticule chooses from.
var graticuleSteps = []float64{0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 15, 20, 30, 45, 60, 90}

// graticuleStep returns the smallest step giving at most want lines over
// span degrees.
func graticuleStep(span float64, want int) float64 {
	for _, s := range graticuleSteps {
		if span/s <= float64(want) {
			return s
		}
	}
	return graticuleSteps[len(graticuleSteps)-1]
}

// visibleRange samples the map's pixels and returns the latitude range and
// the longitude range (as a start and a span east of it, ≤ 360) they show.
func visibleRange(g Grid) (latLo, latHi, lonStart, lonSpan float64, ok bool) {
	const n = 48
	latLo, latHi = 90, -90
	var lons []float64
	for i := 0; i <= n; i++ {
		for j := 0; j <= n; j++ {
			x := g.MinX + float64(i)/n*float64(g.Width)*g.Spacing
			y := g.MaxY - float64(j)/n*float64(g.Height)*g.Spacing
			lat, lon := g.Projection.Inverse(x, y)
			if lat != lat || lon != lon {
				continue
			}
			latLo, latHi = math.Min(latLo, lat), math.Max(latHi, lat)
			lons = append(lons, math.Mod(lon+360, 360))
		}
	}
	if len(lons) == 0 || latHi < latLo {
		return 0, 0, 0, 0, false
	}
	// The largest gap between sorted longitudes is the part not shown.
	sortFloats(lons)
	gap, at := 360-lons[len(lons)-1]+lons[0], 0
	for k := 1; k < len(lons); k++ {
		if d := lons[k] - lons[k-1]; d > gap {
			gap, at = d, k
		}
	}
	lonStart = lons[at]
	lonSpan = 360 - gap
	// A map around a pole shows every longitude.
	if latHi > 89.9 || latLo < -89.9 || lonSpan > 300 {
		lonStart, lonSpan = -180, 360
	}
	return latLo, latHi, lonStart, lonSpan, true
}

func sortFloats(v []float64) {
	// insertion sort is enough for the few thousand samples.
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// latLabel writes a latitude as "76°S", "12.5°N" or "0°".
func latLabel(lat float64) string {
	s := trimFloat(math.Abs(lat))
	switch {
	case lat < 0:
		return s + "°S"
	case lat > 0:
		return s + "°N"
	}
	return s + "°"
}

// lonLabel writes a longitude in (−180, 180] as "45°E", "120°W", "0°" or
// "180°".
func lonLabel(lon float64) string {
	lon = math.Mod(lon+540, 360) - 180
	if lon == -180 {
		lon = 180
	}
	s := trimFloat(math.Abs(lon))
	switch {
	case lon < 0:
		return s + "°W"
	case lon > 0 && lon < 180:
		return s + "°E"
	}
	return s + "°"
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// drawGraticule draws parallels and meridians over the map rectangle r of
// img, about four to six of each, with the parallels labelled (latitude)
// where they meet the map's left edge, or else inside the map, and the
// meridians where they meet the bottom edge.
func drawGraticule(img *image.NRGBA, r image.Rectangle, g Grid, scale int, c, ink color.NRGBA) {
	latLo, latHi, lonStart, lonSpan, ok := visibleRange(g)
	if !ok {
		return
	}
	latStep := graticuleStep(latHi-latLo, 5)
	lonStep := graticuleStep(lonSpan, 6)
	px := func(lat, lon float64) (float64, float64, bool) {
		x, y := g.Projection.Forward(lat, lon)
		if x != x || y != y {
			return 0, 0, false
		}
		return (x-g.MinX)/g.Spacing + float64(r.Min.X), (g.MaxY-y)/g.Spacing + float64(r.Min.Y), true
	}
	in := func(x, y float64) bool {
		return x >= float64(r.Min.X) && x < float64(r.Max.X) && y >= float64(r.Min.Y) && y < float64(r.Max.Y)
	}
	type label struct {
		x, y int
		s    string
	}
	var labels []label
	const samples = 720
	// Parallels.
	for lat := math.Ceil(latLo/latStep) * latStep; lat <= latHi; lat += latStep {
		if math.Abs(lat) >= 90 {
			continue
		}
		var best label
		bestX := math.Inf(1)
		var x0, y0 float64
		have := false
		for k := 0; k <= samples; k++ {
			lon := lonStart + lonSpan*float64(k)/samples
			x, y, ok := px(lat, lon)
			if !ok {
				have = false
				continue
			}
			if have && math.Abs(x-x0) < float64(r.Dx())/2 {
				drawLine(img, r, x0, y0, x, y, 1, c)
			}
			if in(x, y) && x < bestX {
				bestX, best = x, label{int(x), int(y), latLabel(lat)}
			}
			x0, y0, have = x, y, true
		}
		if !math.IsInf(bestX, 1) {
			labels = append(labels, best)
		}
	}
	// Meridians.
	for k := math.Ceil(lonStart / lonStep); k*lonStep <= lonStart+lonSpan+1e-9; k++ {
		lon := k * lonStep
		if lonSpan >= 360 && k*lonStep >= lonStart+360-1e-9 {
			break
		}
		var best label
		bestY := math.Inf(-1)
		var x0, y0 float64
		have := false
		for j := 0; j <= samples; j++ {
			lat := latLo + (latHi-latLo)*float64(j)/samples
			x, y, ok := px(lat, lon)
			if !ok {
				have = false
				continue
			}
			if have {
				drawLine(img, r, x0, y0, x, y, 1, c)
			}
			if in(x, y) && y > bestY {
				bestY, best = y, label{int(x), int(y), lonLabel(lon)}
			}
			x0, y0, have = x, y, true
		}
		if !math.IsInf(bestY, -1) && lonSpan < 360 {
			labels = append(labels, best)
		}
	}
	// Labels on a light box, kept inside the map and off each other.
	ts := max(1, scale/2)
	var placed []image.Rectangle
	for _, l := range labels {
		w, h := textWidth(l.s, ts), glyphH*ts
		x := min(max(l.x+2*ts, r.Min.X+ts), r.Max.X-w-ts)
		y := min(max(l.y-h/2, r.Min.Y+ts), r.Max.Y-h-ts)
		box := image.Rect(x-ts, y-ts, x+w+ts, y+h+ts)
		overlap := false
		for _, p := range placed {
			if p.Overlaps(box) {
				overlap = true
				break
			}
		}
		if overlap || !box.In(r) {
			continue
		}
		placed = append(placed, box)
		fillRect(img, box, color.NRGBA{255, 255, 255, 210})
		drawText(img, x, y, l.s, ts, ink)
	}
}
