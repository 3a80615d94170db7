package timewin

import (
	"errors"
	"testing"
	"time"

	"github.com/zagg-go/zagg/cmr"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestCalendarWindows(t *testing.T) {
	tests := []struct {
		kind       Kind
		start, end time.Time
		labels     []string
		first      time.Time
		last       time.Time // End of the last window
	}{
		{Month, date(2019, 1, 1), date(2019, 4, 1), []string{"2019-01", "2019-02", "2019-03"}, date(2019, 1, 1), date(2019, 4, 1)},
		// Unaligned: whole periods overlapping [start, end).
		{Month, date(2019, 1, 15), date(2019, 3, 2), []string{"2019-01", "2019-02", "2019-03"}, date(2019, 1, 1), date(2019, 4, 1)},
		{Quarter, date(2019, 2, 1), date(2019, 7, 1), []string{"2019-Q1", "2019-Q2"}, date(2019, 1, 1), date(2019, 7, 1)},
		{Quarter, date(2019, 12, 31), date(2020, 1, 2), []string{"2019-Q4", "2020-Q1"}, date(2019, 10, 1), date(2020, 4, 1)},
		{Year, date(2019, 1, 1), date(2021, 1, 1), []string{"2019", "2020"}, date(2019, 1, 1), date(2021, 1, 1)},
		{Year, date(2019, 6, 1), date(2019, 6, 2), []string{"2019"}, date(2019, 1, 1), date(2020, 1, 1)},
		{Day, date(2020, 2, 28), date(2020, 3, 2), []string{"2020-02-28", "2020-02-29", "2020-03-01"}, date(2020, 2, 28), date(2020, 3, 2)},
	}
	for _, tt := range tests {
		s := Spec{Kind: tt.kind, Start: tt.start, End: tt.end}
		ws, err := s.Windows()
		if err != nil {
			t.Fatalf("%s %v–%v: %v", tt.kind, tt.start, tt.end, err)
		}
		if len(ws) != len(tt.labels) {
			t.Fatalf("%s %v–%v: %d windows, want %d: %v", tt.kind, tt.start, tt.end, len(ws), len(tt.labels), ws)
		}
		for i, w := range ws {
			if w.Label != tt.labels[i] {
				t.Errorf("%s window %d label %q, want %q", tt.kind, i, w.Label, tt.labels[i])
			}
			if i > 0 && !w.Start.Equal(ws[i-1].End) {
				t.Errorf("%s window %d starts %v, previous ends %v", tt.kind, i, w.Start, ws[i-1].End)
			}
		}
		if !ws[0].Start.Equal(tt.first) || !ws[len(ws)-1].End.Equal(tt.last) {
			t.Errorf("%s: windows span %v–%v, want %v–%v", tt.kind, ws[0].Start, ws[len(ws)-1].End, tt.first, tt.last)
		}
	}
}

func TestCycleWindows(t *testing.T) {
	for _, def := range []string{"", TrueCycles, ZaggCycles} {
		s := Spec{Kind: Cycle, FirstCycle: 3, LastCycle: 22, CycleDefinition: def}
		ws, err := s.Windows()
		if err != nil {
			t.Fatal(err)
		}
		if len(ws) != 20 {
			t.Fatalf("%q: %d windows, want 20", def, len(ws))
		}
		for i, w := range ws {
			c := 3 + i
			if w.Cycle != c {
				t.Errorf("%q window %d: cycle %d, want %d", def, i, w.Cycle, c)
			}
			if i > 0 && !w.Start.Equal(ws[i-1].End) {
				t.Errorf("%q cycle %d starts %v, cycle %d ends %v: cycles must tile", def, c, w.Start, c-1, ws[i-1].End)
			}
			d := w.Duration().Hours() / 24
			if d < 90.8 || d > 91.0 {
				t.Errorf("%q cycle %d lasts %.3f days", def, c, d)
			}
			switch def {
			case ZaggCycles:
				s, e, _ := cmr.ZaggCycleDates(c)
				if !w.Start.Equal(s) || !w.End.Equal(e) {
					t.Errorf("zagg cycle %d = %v, want [%v, %v)", c, w, s, e)
				}
			default:
				r, _ := cmr.TrueCycleRange(c)
				if !w.Start.Equal(r.Start) || !w.End.Equal(r.End.Add(time.Second)) {
					t.Errorf("true cycle %d = %v, want [%v, %v]", c, w, r.Start, r.End)
				}
				// The model's cycle of the window's first and last second.
				if got := cmr.CycleOf(w.Start.Add(time.Minute)); got != c {
					t.Errorf("cmr.CycleOf(start of cycle %d) = %d", c, got)
				}
				if got := cmr.CycleOf(w.End.Add(-time.Minute)); got != c {
					t.Errorf("cmr.CycleOf(end of cycle %d) = %d", c, got)
				}
			}
		}
	}
	// Cycle 99, the last one, has an end too.
	if w, err := CycleWindow(99, ""); err != nil || !w.Start.Before(w.End) {
		t.Errorf("CycleWindow(99) = %v, %v", w, err)
	}
}

// The real ATL06 granule of the shared data (cycle 01 in its name) started
// 2018-10-13T23:56:45Z: inside true cycle 1, and before zagg 0.1.0's cycle
// 1, which starts at midnight that day, ends.
func TestCycleOfRealGranuleTime(t *testing.T) {
	g, err := cmr.ParseGranuleName("ATL06_20181013235645_02340114_209_01.h5")
	if err != nil {
		t.Fatal(err)
	}
	w, err := CycleWindow(g.Cycle, TrueCycles)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Contains(g.Start) {
		t.Errorf("true %v does not contain the granule start %v", w, g.Start)
	}
}

func TestExplicitWindows(t *testing.T) {
	s := Spec{Kind: Explicit, Ranges: []Window{
		{Start: date(2019, 6, 1), End: date(2019, 9, 1), Label: "melt2019"},
		{Start: date(2020, 6, 1), End: date(2020, 9, 1)},
	}}
	ws, err := s.Windows()
	if err != nil {
		t.Fatal(err)
	}
	if ws[0].Label != "melt2019" || ws[1].Label != "2020-06-01T00:00:00Z/2020-09-01T00:00:00Z" {
		t.Errorf("labels %q, %q", ws[0].Label, ws[1].Label)
	}
	if m := ws[0].Mid(); !m.Equal(time.Date(2019, 7, 17, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Mid = %v", m)
	}
}

func TestSpecErrors(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want error
	}{
		{"no kind", Spec{}, ErrWindowKind},
		{"bad kind", Spec{Kind: "weekly"}, ErrWindowKind},
		{"cycle 0", Spec{Kind: Cycle, FirstCycle: 0, LastCycle: 3}, ErrWindowCycles},
		{"cycle 100", Spec{Kind: Cycle, FirstCycle: 1, LastCycle: 100}, ErrWindowCycles},
		{"reversed cycles", Spec{Kind: Cycle, FirstCycle: 9, LastCycle: 3}, ErrWindowCycles},
		{"bad definition", Spec{Kind: Cycle, FirstCycle: 1, LastCycle: 3, CycleDefinition: "nsidc"}, ErrWindowCycles},
		{"no start", Spec{Kind: Month, End: date(2019, 1, 1)}, ErrWindowRange},
		{"empty range", Spec{Kind: Month, Start: date(2019, 1, 1), End: date(2019, 1, 1)}, ErrWindowRange},
		{"reversed range", Spec{Kind: Year, Start: date(2020, 1, 1), End: date(2019, 1, 1)}, ErrWindowRange},
		{"year 9999", Spec{Kind: Year, Start: date(2019, 1, 1), End: date(9999, 1, 1)}, ErrWindowRange},
		{"too many days", Spec{Kind: Day, Start: date(1901, 1, 1), End: date(2199, 1, 1)}, ErrWindowCount},
		{"no ranges", Spec{Kind: Explicit}, ErrWindowRange},
		{"overlap", Spec{Kind: Explicit, Ranges: []Window{
			{Start: date(2019, 1, 1), End: date(2019, 3, 1)}, {Start: date(2019, 2, 1), End: date(2019, 4, 1)}}}, ErrWindowOverlap},
		{"out of order", Spec{Kind: Explicit, Ranges: []Window{
			{Start: date(2020, 1, 1), End: date(2020, 3, 1)}, {Start: date(2019, 2, 1), End: date(2019, 4, 1)}}}, ErrWindowOverlap},
		{"same label", Spec{Kind: Explicit, Ranges: []Window{
			{Start: date(2019, 1, 1), End: date(2019, 3, 1), Label: "a"}, {Start: date(2019, 3, 1), End: date(2019, 4, 1), Label: "a"}}}, ErrWindowOverlap},
		{"empty explicit", Spec{Kind: Explicit, Ranges: []Window{{Start: date(2019, 1, 1), End: date(2019, 1, 1)}}}, ErrWindowRange},
	}
	for _, tt := range tests {
		err := tt.spec.Validate()
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Validate() = %v, want %v", tt.name, err, tt.want)
		}
		if _, err2 := tt.spec.Windows(); !errors.Is(err2, tt.want) {
			t.Errorf("%s: Windows() error = %v, want %v", tt.name, err2, tt.want)
		}
	}
}

func TestParseCycles(t *testing.T) {
	tests := []struct {
		in          string
		first, last int
		want        error
	}{
		{"3-22", 3, 22, nil},
		{" 3 - 22 ", 3, 22, nil},
		{"3..22", 3, 22, nil},
		{"3–22", 3, 22, nil},
		{"7", 7, 7, nil},
		{"1-99", 1, 99, nil},
		{"", 0, 0, ErrWindowSyntax},
		{"3-", 0, 0, ErrWindowSyntax},
		{"a-b", 0, 0, ErrWindowSyntax},
		{"3-22-5", 0, 0, ErrWindowSyntax},
		{"-3", 0, 0, ErrWindowSyntax},
		{"0-5", 0, 0, ErrWindowCycles},
		{"22-3", 0, 0, ErrWindowCycles},
		{"5-100", 0, 0, ErrWindowCycles},
	}
	for _, tt := range tests {
		a, b, err := ParseCycles(tt.in)
		if !errors.Is(err, tt.want) || a != tt.first || b != tt.last {
			t.Errorf("ParseCycles(%q) = %d, %d, %v; want %d, %d, %v", tt.in, a, b, err, tt.first, tt.last, tt.want)
		}
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"cycles": Cycle, "Monthly": Month, "yearly": Year, "quarter": Quarter, "daily": Day, "explicit": Explicit} {
		if k, err := ParseKind(in); err != nil || k != want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", in, k, err, want)
		}
	}
	if _, err := ParseKind("weekly"); !errors.Is(err, ErrWindowKind) {
		t.Errorf("ParseKind(weekly) error = %v", err)
	}
}

func TestParseRange(t *testing.T) {
	w, err := ParseRange("melt=2019-06-01/2019-09-01T12:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if w.Label != "melt" || !w.Start.Equal(date(2019, 6, 1)) || !w.End.Equal(time.Date(2019, 9, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseRange = %v", w)
	}
	w, err = ParseRange("2019-06-01/2019-09-01")
	if err != nil || w.Label != "2019-06-01T00:00:00Z/2019-09-01T00:00:00Z" {
		t.Errorf("ParseRange without label = %v, %v", w, err)
	}
	for in, want := range map[string]error{
		"2019-06-01":            ErrWindowSyntax,
		"2019-06-01/June":       ErrWindowSyntax,
		"x/2019-06-01":          ErrWindowSyntax,
		"2019-09-01/2019-06-01": ErrWindowRange,
		"2019-06-01/2019-06-01": ErrWindowRange,
	} {
		if _, err := ParseRange(in); !errors.Is(err, want) {
			t.Errorf("ParseRange(%q) error = %v, want %v", in, err, want)
		}
	}
}

func TestCheckExtends(t *testing.T) {
	a, _ := (&Spec{Kind: Cycle, FirstCycle: 3, LastCycle: 10}).Windows()
	b, _ := (&Spec{Kind: Cycle, FirstCycle: 3, LastCycle: 12}).Windows()
	c, _ := (&Spec{Kind: Cycle, FirstCycle: 4, LastCycle: 12}).Windows()
	z, _ := (&Spec{Kind: Cycle, FirstCycle: 3, LastCycle: 12, CycleDefinition: ZaggCycles}).Windows()
	if err := CheckExtends(a, b); err != nil {
		t.Errorf("3-12 extends 3-10: %v", err)
	}
	if err := CheckExtends(a, a); err != nil {
		t.Errorf("3-10 extends itself: %v", err)
	}
	for name, w := range map[string][]Window{"shorter": a[:2], "shifted": c, "other definition": z} {
		if err := CheckExtends(a, w); !errors.Is(err, ErrWindowExtend) {
			t.Errorf("%s: CheckExtends error = %v", name, err)
		}
	}
}
