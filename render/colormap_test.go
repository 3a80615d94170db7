package render

import (
	"errors"
	"image/color"
	"math"
	"testing"
)

// coolWarmAt evaluates Moreland's continuous cool-warm map at t, in sRGB
// [0, 1], by the same route as the lookup table.
func coolWarmAt(t float64) [3]float64 {
	cool := rgbToMsh(srgbToLinear(59.0/255), srgbToLinear(76.0/255), srgbToLinear(192.0/255))
	warm := rgbToMsh(srgbToLinear(180.0/255), srgbToLinear(4.0/255), srgbToLinear(38.0/255))
	r, g, b := mshToRGB(interpolateMsh(cool, warm, t))
	return [3]float64{linearToSRGB(r), linearToSRGB(g), linearToSRGB(b)}
}

// TestCoolWarmPublished compares with Moreland's published table
// CoolWarmFloat33.csv (as reproduced in several public code bases).
func TestCoolWarmPublished(t *testing.T) {
	table := []struct {
		t   float64
		rgb [3]float64
	}{
		{0, [3]float64{0.2298057, 0.298717966, 0.753683153}},
		{0.03125, [3]float64{0.26623388, 0.353094838, 0.801466763}},
		{0.0625, [3]float64{0.30386891, 0.406535296, 0.84495867}},
		{0.09375, [3]float64{0.342804478, 0.458757618, 0.883725899}},
		{0.125, [3]float64{0.38301334, 0.50941904, 0.917387822}},
		{0.15625, [3]float64{0.424369608, 0.558148092, 0.945619588}},
		{0.1875, [3]float64{0.46666708, 0.604562568, 0.968154911}},
		{0.21875, [3]float64{0.509635204, 0.648280772, 0.98478814}},
		{0.5, [3]float64{0.865395197, 0.86541021, 0.865395561}},
		{1, [3]float64{0.705673158, 0.01555616, 0.150232812}},
	}
	for _, tt := range table {
		got := coolWarmAt(tt.t)
		for j := range got {
			// Half a step of an 8-bit channel.
			if math.Abs(got[j]-tt.rgb[j]) > 0.002 {
				t.Errorf("coolwarm(%g) = %.6f, want %.6f", tt.t, got, tt.rgb)
				break
			}
		}
	}
}

func TestColormapEnds(t *testing.T) {
	tests := []struct {
		c          *Colormap
		lo, hi, md color.NRGBA
	}{
		// viridis: _viridis_data[0], [255] and [128] rounded to bytes.
		{Viridis(), color.NRGBA{68, 1, 84, 255}, color.NRGBA{253, 231, 37, 255}, color.NRGBA{33, 145, 140, 255}},
		{CoolWarm(), color.NRGBA{59, 76, 192, 255}, color.NRGBA{180, 4, 38, 255}, color.NRGBA{221, 220, 220, 255}},
		{RdBu(), color.NRGBA{0x67, 0, 0x1f, 255}, color.NRGBA{5, 0x30, 0x61, 255}, color.NRGBA{247, 246, 246, 255}},
	}
	for _, tt := range tests {
		if got := tt.c.At(0); got != tt.lo {
			t.Errorf("%s.At(0) = %v, want %v", tt.c.Name(), got, tt.lo)
		}
		if got := tt.c.At(1); got != tt.hi {
			t.Errorf("%s.At(1) = %v, want %v", tt.c.Name(), got, tt.hi)
		}
		if got := tt.c.At(0.5); !near(got, tt.md, 1) {
			t.Errorf("%s.At(0.5) = %v, want %v", tt.c.Name(), got, tt.md)
		}
		// Clamping and NaN.
		if tt.c.At(-3) != tt.lo || tt.c.At(7) != tt.hi || tt.c.At(math.Inf(1)) != tt.hi {
			t.Errorf("%s: out-of-range values are not clamped", tt.c.Name())
		}
		if got := tt.c.At(math.NaN()); got != (color.NRGBA{}) {
			t.Errorf("%s.At(NaN) = %v, want transparent", tt.c.Name(), got)
		}
		r := tt.c.Reversed()
		if r.At(0) != tt.hi || r.At(1) != tt.lo || r.Name() != tt.c.Name()+"_r" || r.Reversed().Name() != tt.c.Name() {
			t.Errorf("%s.Reversed() wrong: %v %v %s", tt.c.Name(), r.At(0), r.At(1), r.Name())
		}
	}
}

func near(a, b color.NRGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && a.A == b.A
}

// TestLightnessMonotone checks the perceptual design: viridis' CIELAB
// lightness rises monotonically; the diverging maps' lightness rises to the
// centre and falls after it.
func TestLightnessMonotone(t *testing.T) {
	lightness := func(c color.NRGBA) float64 {
		r, g, b := srgbToLinear(float64(c.R)/255), srgbToLinear(float64(c.G)/255), srgbToLinear(float64(c.B)/255)
		y := 0.2126729*r + 0.7151522*g + 0.0721750*b
		return 116*labF(y) - 16
	}
	for _, c := range []*Colormap{Viridis(), CoolWarm(), RdBu()} {
		for i := 1; i < 256; i++ {
			l0, l1 := lightness(c.lut[i-1]), lightness(c.lut[i])
			rising := !c.Diverging() || i <= 127
			// One 8-bit step of slack for rounding.
			if rising && l1 < l0-0.5 || !rising && i > 128 && l1 > l0+0.5 {
				t.Errorf("%s: lightness %.2f → %.2f at %d breaks monotonicity", c.Name(), l0, l1, i)
			}
		}
	}
}

func TestLUTIndex(t *testing.T) {
	for _, tt := range []struct {
		t    float64
		want int
	}{{0, 0}, {1.0 / 256, 1}, {0.5, 128}, {255.0 / 256, 255}, {0.9999999, 255}, {1, 255}} {
		if got := lutIndex(tt.t); got != tt.want {
			t.Errorf("lutIndex(%g) = %d, want %d", tt.t, got, tt.want)
		}
	}
}

func TestParseColormap(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"viridis", "viridis"}, {"Viridis_r", "viridis_r"}, {"coolwarm", "coolwarm"},
		{" RdBu ", "rdbu"}, {"rdbu_r", "rdbu_r"}, {"auto", ""}, {"", ""},
	} {
		c, err := ParseColormap(tt.in)
		if err != nil {
			t.Errorf("ParseColormap(%q): %v", tt.in, err)
			continue
		}
		got := ""
		if c != nil {
			got = c.Name()
		}
		if got != tt.want {
			t.Errorf("ParseColormap(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"jet", "_r", "viridis_r_r"} {
		if _, err := ParseColormap(bad); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("ParseColormap(%q) error = %v, want ErrInvalidOptions", bad, err)
		}
	}
}
