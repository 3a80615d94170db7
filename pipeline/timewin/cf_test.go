package timewin

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestCF(t *testing.T) {
	ws, _ := (&Spec{Kind: Month, Start: date(2018, 1, 1), End: date(2018, 3, 1)}).Windows()
	mid := AppendMid(nil, ws)
	bnds := AppendBounds(nil, ws)
	// January 2018: [0, 31 days), mid 15.5 days; February: [31, 59) days.
	wantMid := []float64{15.5 * 86400, 45 * 86400}
	wantB := []float64{0, 31 * 86400, 31 * 86400, 59 * 86400}
	for i := range wantMid {
		if mid[i] != wantMid[i] {
			t.Errorf("mid[%d] = %v, want %v", i, mid[i], wantMid[i])
		}
	}
	for i := range wantB {
		if bnds[i] != wantB[i] {
			t.Errorf("bounds[%d] = %v, want %v", i, bnds[i], wantB[i])
		}
	}
	back, err := WindowsFromBounds(bnds, []string{"2018-01", "2018-02"})
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckExtends(back, ws); err != nil || back[1].Label != "2018-02" {
		t.Errorf("WindowsFromBounds = %v, %v", back, err)
	}
	if y := Years(date(2019, 1, 1)); math.Abs(y-365/365.25) > 1e-15 {
		t.Errorf("Years(2019-01-01) = %v", y)
	}
	if y := AppendMidYears(nil, ws[:1]); y[0] != 15.5/365.25 {
		t.Errorf("AppendMidYears = %v", y)
	}
	// Cycle bounds at odd seconds stay exact.
	cs, _ := (&Spec{Kind: Cycle, FirstCycle: 1, LastCycle: 30}).Windows()
	for i, v := range AppendBounds(nil, cs) {
		w := cs[i/2]
		want := w.Start
		if i%2 == 1 {
			want = w.End
		}
		if v != math.Trunc(v) || !CFTime(v).Equal(want) {
			t.Errorf("bound %d = %v → %v, want %v", i, v, CFTime(v), want)
		}
	}
	if a := TimeAttributes(); a["units"] != CFUnits || a["calendar"] != "standard" || a["bounds"] != BoundsName || a["standard_name"] != "time" {
		t.Errorf("TimeAttributes = %v", a)
	}
	if a := BoundsAttributes(); a["units"] != CFUnits {
		t.Errorf("BoundsAttributes = %v", a)
	}
	if !CFTime(math.NaN()).IsZero() {
		t.Error("CFTime(NaN) is not the zero time")
	}
	if got := CFTime(-86400.25); !got.Equal(time.Date(2017, 12, 30, 23, 59, 59, 750000000, time.UTC)) {
		t.Errorf("CFTime(-86400.25) = %v", got)
	}
}

func TestWindowsFromBoundsErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		b    []float64
		l    []string
		want error
	}{
		"odd":       {[]float64{0, 1, 2}, nil, ErrWindowRange},
		"labels":    {[]float64{0, 1}, []string{"a", "b"}, ErrWindowRange},
		"reversed":  {[]float64{1, 0}, nil, ErrWindowRange},
		"nan":       {[]float64{0, math.NaN()}, nil, ErrWindowRange},
		"huge":      {[]float64{0, 1e300}, nil, ErrWindowRange},
		"overlap":   {[]float64{0, 10, 5, 20}, nil, ErrWindowOverlap},
		"too many":  {make([]float64, 2*MaxWindows+2), nil, ErrWindowCount},
		"empty one": {[]float64{5, 5}, nil, ErrWindowRange},
	} {
		if _, err := WindowsFromBounds(tc.b, tc.l); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", name, err, tc.want)
		}
	}
}
