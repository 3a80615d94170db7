package render

import (
	"fmt"
	"image/color"
	"math"
	"strings"
)

// Colormap maps a normalised value t in [0, 1] to a colour through a lookup
// table of 256 opaque colours. Colormaps are immutable and safe for
// concurrent use. The built-in maps are Viridis (sequential, the default),
// CoolWarm and RdBu (diverging); ParseColormap also accepts their reversed
// forms with the suffix "_r".
type Colormap struct {
	name      string
	diverging bool
	lut       [256]color.NRGBA
}

// Name returns the colormap's name, e.g. "viridis" or "rdbu_r".
func (c *Colormap) Name() string { return c.name }

// Diverging reports whether the colormap is diverging (meant for signed data
// centred on zero).
func (c *Colormap) Diverging() bool { return c.diverging }

// At returns the colour of the normalised value t: index ⌊256·t⌋ of the
// table, as matplotlib's ListedColormap does, with t clamped to [0, 1]. NaN
// gives the transparent colour.
func (c *Colormap) At(t float64) color.NRGBA {
	if t != t {
		return color.NRGBA{}
	}
	return c.lut[lutIndex(t)]
}

// lutIndex is ⌊256·t⌋ clamped to [0, 255]; t must not be NaN.
func lutIndex(t float64) int {
	switch {
	case t <= 0:
		return 0
	case t >= 1:
		return 255
	}
	return min(int(t*256), 255)
}

// Reversed returns the colormap run backwards, named with "_r" added (or
// removed).
func (c *Colormap) Reversed() *Colormap {
	r := &Colormap{diverging: c.diverging}
	if n, ok := strings.CutSuffix(c.name, "_r"); ok {
		r.name = n
	} else {
		r.name = c.name + "_r"
	}
	for i := range r.lut {
		r.lut[i] = c.lut[255-i]
	}
	return r
}

var (
	viridis  = newViridis()
	coolWarm = newCoolWarm()
	rdBu     = newRdBu()
)

// Viridis returns matplotlib's viridis, a perceptually uniform sequential
// colormap from dark blue-purple to yellow, readable in grey scale and by
// viewers with the common colour-vision deficiencies. It is the default.
func Viridis() *Colormap { return viridis }

// CoolWarm returns Kenneth Moreland's smooth diverging colormap, blue
// (low) → light grey (centre) → red (high), computed here from its published
// definition: Msh interpolation between sRGB (59, 76, 192) and (180, 4, 38)
// through an unsaturated white point (K. Moreland, "Diverging Color Maps for
// Scientific Visualization", ISVC 2009, doi:10.1007/978-3-642-10520-3_9). Its
// lightness changes at a uniform perceptual rate on each side of the centre.
// It is the default for signed data.
func CoolWarm() *Colormap { return coolWarm }

// RdBu returns ColorBrewer's 11-class diverging RdBu scheme (Cynthia Brewer,
// colorbrewer2.org, Apache-2.0), interpolated linearly in sRGB as matplotlib
// does: dark red (low) → near white (centre) → dark blue (high). Glaciology
// maps often use it for elevation change (red = loss).
func RdBu() *Colormap { return rdBu }

// ParseColormap returns the colormap named s, ignoring case: "viridis",
// "coolwarm", "rdbu", each optionally followed by "_r" for the reversed map.
// "" and "auto" return nil, which Render reads as "choose from the data".
func ParseColormap(s string) (*Colormap, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	base, rev := strings.CutSuffix(name, "_r")
	var c *Colormap
	switch base {
	case "", "auto":
		if !rev {
			return nil, nil
		}
	case "viridis":
		c = Viridis()
	case "coolwarm":
		c = CoolWarm()
	case "rdbu":
		c = RdBu()
	}
	if c == nil {
		return nil, fmt.Errorf("%w: unknown colormap %q (want viridis, coolwarm or rdbu, optionally with _r)", ErrInvalidOptions, s)
	}
	if rev {
		c = c.Reversed()
	}
	return c, nil
}

func newViridis() *Colormap {
	c := &Colormap{name: "viridis"}
	for i, v := range viridisData {
		c.lut[i] = color.NRGBA{unit8(float64(v[0])), unit8(float64(v[1])), unit8(float64(v[2])), 255}
	}
	return c
}

// unit8 rounds v in [0, 1] to a byte, clamping.
func unit8(v float64) uint8 {
	return uint8(math.Round(math.Max(0, math.Min(1, v)) * 255))
}

// rdBuStops are ColorBrewer's RdBu, 11 classes, from red (low) to blue.
var rdBuStops = [11][3]uint8{
	{0x67, 0x00, 0x1f}, {0xb2, 0x18, 0x2b}, {0xd6, 0x60, 0x4d}, {0xf4, 0xa5, 0x82},
	{0xfd, 0xdb, 0xc7}, {0xf7, 0xf7, 0xf7}, {0xd1, 0xe5, 0xf0}, {0x92, 0xc5, 0xde},
	{0x43, 0x93, 0xc3}, {0x21, 0x66, 0xac}, {0x05, 0x30, 0x61},
}

func newRdBu() *Colormap {
	c := &Colormap{name: "rdbu", diverging: true}
	for i := range c.lut {
		// matplotlib's LinearSegmentedColormap samples N = 256 points
		// evenly over [0, 1] with the stops at k/10.
		x := float64(i) / 255 * 10
		k := min(int(x), 9)
		f := x - float64(k)
		a, b := rdBuStops[k], rdBuStops[k+1]
		var rgb [3]uint8
		for j := range rgb {
			v := (float64(a[j]) + f*(float64(b[j])-float64(a[j]))) / 255
			rgb[j] = unit8(v)
		}
		c.lut[i] = color.NRGBA{rgb[0], rgb[1], rgb[2], 255}
	}
	return c
}

func newCoolWarm() *Colormap {
	c := &Colormap{name: "coolwarm", diverging: true}
	cool := rgbToMsh(srgbToLinear(59.0/255), srgbToLinear(76.0/255), srgbToLinear(192.0/255))
	warm := rgbToMsh(srgbToLinear(180.0/255), srgbToLinear(4.0/255), srgbToLinear(38.0/255))
	for i := range c.lut {
		t := float64(i) / 255
		r, g, b := mshToRGB(interpolateMsh(cool, warm, t))
		c.lut[i] = color.NRGBA{unit8(linearToSRGB(r)), unit8(linearToSRGB(g)), unit8(linearToSRGB(b)), 255}
	}
	return c
}

// msh is a colour in Moreland's Msh space: magnitude, saturation (angle from
// the lightness axis) and hue (angle in the a*b* plane) of CIELAB.
type msh struct{ m, s, h float64 }

// interpolateMsh is Moreland's InterpolateColor (2009, Sect. 5): when both
// ends are saturated and of distinct hue, pass through an unsaturated
// centre of magnitude max(M1, M2, 88), adjusting the unsaturated end's hue
// so that the hue does not visibly spin.
func interpolateMsh(c1, c2 msh, t float64) msh {
	if c1.s > 0.05 && c2.s > 0.05 && angleDiff(c1.h, c2.h) > math.Pi/3 {
		mid := math.Max(math.Max(c1.m, c2.m), 88)
		if t < 0.5 {
			c2 = msh{mid, 0, 0}
			t *= 2
		} else {
			c1 = msh{mid, 0, 0}
			t = 2*t - 1
		}
	}
	if c1.s < 0.05 && c2.s > 0.05 {
		c1.h = adjustHue(c2, c1.m)
	} else if c2.s < 0.05 && c1.s > 0.05 {
		c2.h = adjustHue(c1, c2.m)
	}
	return msh{
		(1-t)*c1.m + t*c2.m,
		(1-t)*c1.s + t*c2.s,
		(1-t)*c1.h + t*c2.h,
	}
}

func angleDiff(a, b float64) float64 {
	d := math.Abs(a - b)
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d
}

// adjustHue is Moreland's AdjustHue: the hue an unsaturated colour of
// magnitude mUnsat should take next to the saturated colour sat.
func adjustHue(sat msh, mUnsat float64) float64 {
	if sat.m >= mUnsat {
		return sat.h
	}
	spin := sat.s * math.Sqrt(mUnsat*mUnsat-sat.m*sat.m) / (sat.m * math.Sin(sat.s))
	if sat.h > -math.Pi/3 {
		return sat.h + spin
	}
	return sat.h - spin
}

// D65 reference white (CIE 1931 2°), as in Moreland's paper.
const xn, yn, zn = 0.95047, 1.0, 1.08883

func srgbToLinear(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

func linearToSRGB(v float64) float64 {
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

func labF(t float64) float64 {
	if t > 216.0/24389 {
		return math.Cbrt(t)
	}
	return (24389.0/27*t + 16) / 116
}

func labFInv(t float64) float64 {
	if t3 := t * t * t; t3 > 216.0/24389 {
		return t3
	}
	return (116*t - 16) * 27 / 24389
}

// rgbToMsh converts linear sRGB to Msh (sRGB primaries, D65).
func rgbToMsh(r, g, b float64) msh {
	x := 0.4124564*r + 0.3575761*g + 0.1804375*b
	y := 0.2126729*r + 0.7151522*g + 0.0721750*b
	z := 0.0193339*r + 0.1191920*g + 0.9503041*b
	fx, fy, fz := labF(x/xn), labF(y/yn), labF(z/zn)
	l, a, bb := 116*fy-16, 500*(fx-fy), 200*(fy-fz)
	m := math.Sqrt(l*l + a*a + bb*bb)
	return msh{m, math.Acos(l / m), math.Atan2(bb, a)}
}

// mshToRGB converts Msh back to linear sRGB (unclamped).
func mshToRGB(c msh) (r, g, b float64) {
	l := c.m * math.Cos(c.s)
	a := c.m * math.Sin(c.s) * math.Cos(c.h)
	bb := c.m * math.Sin(c.s) * math.Sin(c.h)
	fy := (l + 16) / 116
	x := xn * labFInv(fy+a/500)
	y := yn * labFInv(fy)
	z := zn * labFInv(fy-bb/200)
	r = 3.2404542*x - 1.5371385*y - 0.4985314*z
	g = -0.9692660*x + 1.8760108*y + 0.0415560*z
	b = 0.0556434*x - 0.2040259*y + 1.0572252*z
	return r, g, b
}
