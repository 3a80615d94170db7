package timewin

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/zagg-go/zagg/cmr"
)

// Errors returned by this package; they are wrapped with the offending value,
// so test them with errors.Is.
var (
	// ErrWindowKind reports an unknown or missing window kind.
	ErrWindowKind = errors.New("timewin: unknown window kind")
	// ErrWindowCycles reports a bad cycle range (outside 1–99, first > last)
	// or an unknown cycle definition.
	ErrWindowCycles = errors.New("timewin: bad cycle range")
	// ErrWindowRange reports a missing, reversed or empty time range.
	ErrWindowRange = errors.New("timewin: bad time range")
	// ErrWindowOverlap reports explicit windows that are out of time order
	// or overlap.
	ErrWindowOverlap = errors.New("timewin: windows overlap or are out of order")
	// ErrWindowCount reports more than MaxWindows windows.
	ErrWindowCount = errors.New("timewin: too many windows")
	// ErrWindowSyntax reports a command-line or config form that does not
	// parse.
	ErrWindowSyntax = errors.New("timewin: bad window syntax")
	// ErrWindowExtend reports a window list that does not extend the
	// windows a store already has.
	ErrWindowExtend = errors.New("timewin: windows do not extend the store's")
	// ErrEpoch reports an invalid time field definition (Epoch).
	ErrEpoch = errors.New("timewin: bad epoch")
)

// MaxWindows bounds the number of windows of one Spec (a window index is an
// int32, and each window is one chunk row of every statistic array). 65,536
// daily windows are 179 years.
const MaxWindows = 1 << 16

// Window is the half-open UTC time interval [Start, End) of one time step.
// Label names it in logs and in the store ("cycle 03", "2019-07",
// "2019-Q3", "2019", "2019-07-04", or an explicit window's own label).
// Cycle is the ICESat-2 cycle number of a cycle window and 0 otherwise, so
// that a reader can also assign whole granules by the cycle digits of their
// names rather than by time.
type Window struct {
	Start, End time.Time
	Label      string
	Cycle      int
}

// Mid returns the midpoint of the window, Start + (End − Start)/2 (the time
// coordinate the store writes and the time a trend is fitted against).
func (w Window) Mid() time.Time { return w.Start.Add(w.End.Sub(w.Start) / 2) }

// Contains reports whether t lies in [Start, End).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// Duration returns End − Start.
func (w Window) Duration() time.Duration { return w.End.Sub(w.Start) }

// String returns "label [start, end)" with RFC 3339 times.
func (w Window) String() string {
	return fmt.Sprintf("%s [%s, %s)", w.Label, w.Start.UTC().Format(time.RFC3339), w.End.UTC().Format(time.RFC3339))
}

// Kind is the kind of time windows of a Spec.
type Kind string

// The window kinds. The calendar kinds are UTC calendar periods; Python
// zagg's schedule names (monthly, yearly, daily, quarterly) are accepted by
// ParseKind.
const (
	Cycle    Kind = "cycle"    // ICESat-2 91-day repeat cycles (Spec.FirstCycle–LastCycle)
	Day      Kind = "day"      // UTC calendar days
	Month    Kind = "month"    // UTC calendar months
	Quarter  Kind = "quarter"  // UTC calendar quarters (Jan–Mar, Apr–Jun, ...)
	Year     Kind = "year"     // UTC calendar years
	Explicit Kind = "explicit" // Spec.Ranges, given one by one
)

// ParseKind returns the Kind named s (case-insensitive; "cycles", "daily",
// "monthly", "quarterly", "yearly"/"annual" and "ranges" are accepted too).
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "cycle", "cycles":
		return Cycle, nil
	case "day", "daily":
		return Day, nil
	case "month", "monthly":
		return Month, nil
	case "quarter", "quarterly":
		return Quarter, nil
	case "year", "yearly", "annual":
		return Year, nil
	case "explicit", "ranges":
		return Explicit, nil
	}
	return "", fmt.Errorf("%w: %q (want cycle, day, month, quarter, year or explicit)", ErrWindowKind, s)
}

// The definitions of an ICESat-2 cycle as dates; the strings are the
// catalog's "cycle_definition" values (cmr.Metadata.CycleDefinition).
const (
	// TrueCycles are the modelled true cycle boundaries, cmr.TrueCycleRange:
	// from the start of reference ground track 1 of the cycle to the start
	// of RGT 1 of the next (≈ 90.82 days). The points of a window are the
	// points of the granules whose names carry that cycle number (to the
	// orbit model's accuracy, minutes), which is what a catalog built with
	// --cycle N --true-cycle selects.
	TrueCycles = "true"
	// ZaggCycles are zagg 0.1.0's dates, cmr.ZaggCycleDates: 2018-10-13 +
	// 91·(c−1) days to 91 days later, UTC midnights. They lag the true
	// cycles by 14–20 days; use them only to match catalogs built with the
	// default --cycle (cycle_definition "zagg-0.1.0").
	ZaggCycles = "zagg-0.1.0"
)

// Spec describes a list of time windows, the time section of a config.
// Its zero value is invalid; fill the fields of its Kind:
//
//   - Cycle: FirstCycle and LastCycle (inclusive, 1–99) and
//     CycleDefinition ("" means TrueCycles).
//   - Day, Month, Quarter, Year: Start and End; the windows are the
//     calendar periods that overlap [Start, End), whole (Start is rounded
//     down and End up to period boundaries).
//   - Explicit: Ranges, in time order, not overlapping (gaps are allowed);
//     an empty Label becomes "start/end" in RFC 3339.
type Spec struct {
	Kind                  Kind
	FirstCycle, LastCycle int
	CycleDefinition       string
	Start, End            time.Time
	Ranges                []Window
}

// Validate checks the Spec without building its windows. Errors wrap
// ErrWindowKind, ErrWindowCycles, ErrWindowRange, ErrWindowOverlap or
// ErrWindowCount.
func (s *Spec) Validate() error {
	_, err := s.windows(nil, false)
	return err
}

// Windows returns the windows of the Spec in time order (disjoint, each
// non-empty). The error is Validate's.
func (s *Spec) Windows() ([]Window, error) {
	return s.windows(nil, true)
}

func (s *Spec) windows(dst []Window, build bool) ([]Window, error) {
	switch s.Kind {
	case Cycle:
		return s.cycleWindows(dst, build)
	case Day, Month, Quarter, Year:
		return s.calendarWindows(dst, build)
	case Explicit:
		return s.explicitWindows(dst, build)
	case "":
		return nil, fmt.Errorf("%w: no kind given", ErrWindowKind)
	}
	return nil, fmt.Errorf("%w: %q", ErrWindowKind, string(s.Kind))
}

func (s *Spec) cycleWindows(dst []Window, build bool) ([]Window, error) {
	a, b := s.FirstCycle, s.LastCycle
	if a < 1 || b > cmr.MaxCycle || a > b {
		return nil, fmt.Errorf("%w: %d-%d (want 1 ≤ first ≤ last ≤ %d)", ErrWindowCycles, a, b, cmr.MaxCycle)
	}
	def := s.CycleDefinition
	if def != "" && def != TrueCycles && def != ZaggCycles {
		return nil, fmt.Errorf("%w: cycle definition %q (want %q or %q)", ErrWindowCycles, def, TrueCycles, ZaggCycles)
	}
	if !build {
		return nil, nil
	}
	for c := a; c <= b; c++ {
		w, err := CycleWindow(c, def)
		if err != nil {
			return nil, err
		}
		dst = append(dst, w)
	}
	return dst, nil
}

// CycleWindow returns the window of ICESat-2 cycle c under definition def
// (TrueCycles, ZaggCycles, or "" for TrueCycles), labelled "cycle %02d".
// True cycles are cmr.TrueCycleRange made half-open: End is the start of
// the next cycle (TrueCycleRange's End plus one second), so consecutive
// cycles tile time. zagg 0.1.0's are cmr.ZaggCycleDates, already
// half-open; cmr.ZaggCycleRange (the closed CMR query window, whose last day
// overlaps the next cycle's first) is not used.
func CycleWindow(c int, def string) (Window, error) {
	label := fmt.Sprintf("cycle %02d", c)
	switch def {
	case "", TrueCycles:
		r, err := cmr.TrueCycleRange(c)
		if err != nil {
			return Window{}, fmt.Errorf("%w: %w", ErrWindowCycles, err)
		}
		return Window{Start: r.Start, End: r.End.Add(time.Second), Label: label, Cycle: c}, nil
	case ZaggCycles:
		s, e, err := cmr.ZaggCycleDates(c)
		if err != nil {
			return Window{}, fmt.Errorf("%w: %w", ErrWindowCycles, err)
		}
		return Window{Start: s, End: e, Label: label, Cycle: c}, nil
	}
	return Window{}, fmt.Errorf("%w: cycle definition %q (want %q or %q)", ErrWindowCycles, def, TrueCycles, ZaggCycles)
}

// periodStart returns the start of the calendar period of kind k that
// contains t (UTC).
func periodStart(k Kind, t time.Time) time.Time {
	t = t.UTC()
	switch k {
	case Day:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case Month:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case Quarter:
		return time.Date(t.Year(), t.Month()-(t.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC)
	default:
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
}

// nextPeriod returns the start of the period after the one starting at p.
func nextPeriod(k Kind, p time.Time) time.Time {
	switch k {
	case Day:
		return p.AddDate(0, 0, 1)
	case Month:
		return p.AddDate(0, 1, 0)
	case Quarter:
		return p.AddDate(0, 3, 0)
	default:
		return p.AddDate(1, 0, 0)
	}
}

func periodLabel(k Kind, p time.Time) string {
	switch k {
	case Day:
		return p.Format("2006-01-02")
	case Month:
		return p.Format("2006-01")
	case Quarter:
		return fmt.Sprintf("%d-Q%d", p.Year(), (int(p.Month())-1)/3+1)
	default:
		return p.Format("2006")
	}
}

// minYear and maxYear bound calendar dates (and so the loop below); ICESat-2
// launched in 2018, and CF numbers stay exact far beyond.
const minYear, maxYear = 1900, 2200

func checkRange(start, end time.Time, what string) error {
	switch {
	case start.IsZero() || end.IsZero():
		return fmt.Errorf("%w: %s: start and end are required", ErrWindowRange, what)
	case !start.Before(end):
		return fmt.Errorf("%w: %s: start %s is not before end %s", ErrWindowRange, what,
			start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	case start.UTC().Year() < minYear || end.UTC().Year() > maxYear:
		return fmt.Errorf("%w: %s: %s to %s is outside the years %d–%d", ErrWindowRange, what,
			start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), minYear, maxYear)
	}
	return nil
}

func (s *Spec) calendarWindows(dst []Window, build bool) ([]Window, error) {
	if err := checkRange(s.Start, s.End, string(s.Kind)+" windows"); err != nil {
		return nil, err
	}
	// Count first so that a range of many days fails before allocating.
	n := 0
	for p := periodStart(s.Kind, s.Start); p.Before(s.End); p = nextPeriod(s.Kind, p) {
		if n++; n > MaxWindows {
			return nil, fmt.Errorf("%w: more than %d %s windows from %s to %s", ErrWindowCount, MaxWindows, s.Kind,
				s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339))
		}
	}
	if !build {
		return nil, nil
	}
	for p := periodStart(s.Kind, s.Start); p.Before(s.End); {
		q := nextPeriod(s.Kind, p)
		dst = append(dst, Window{Start: p, End: q, Label: periodLabel(s.Kind, p)})
		p = q
	}
	return dst, nil
}

func (s *Spec) explicitWindows(dst []Window, build bool) ([]Window, error) {
	if len(s.Ranges) == 0 {
		return nil, fmt.Errorf("%w: explicit windows: no ranges given", ErrWindowRange)
	}
	if len(s.Ranges) > MaxWindows {
		return nil, fmt.Errorf("%w: %d explicit windows (max %d)", ErrWindowCount, len(s.Ranges), MaxWindows)
	}
	labels := make(map[string]int, len(s.Ranges))
	for i, r := range s.Ranges {
		if err := checkRange(r.Start, r.End, fmt.Sprintf("window %d %q", i, r.Label)); err != nil {
			return nil, err
		}
		if i > 0 && r.Start.Before(s.Ranges[i-1].End) {
			return nil, fmt.Errorf("%w: window %d %v starts before window %d %v ends", ErrWindowOverlap,
				i, r, i-1, s.Ranges[i-1])
		}
		l := explicitLabel(r)
		if j, ok := labels[l]; ok {
			return nil, fmt.Errorf("%w: windows %d and %d share the label %q", ErrWindowOverlap, j, i, l)
		}
		labels[l] = i
	}
	if !build {
		return nil, nil
	}
	for _, r := range s.Ranges {
		dst = append(dst, Window{Start: r.Start.UTC(), End: r.End.UTC(), Label: explicitLabel(r), Cycle: r.Cycle})
	}
	return dst, nil
}

func explicitLabel(r Window) string {
	if r.Label != "" {
		return r.Label
	}
	return r.Start.UTC().Format(time.RFC3339) + "/" + r.End.UTC().Format(time.RFC3339)
}

// ParseCycles parses the command-line form of a cycle range: "3-22" (also
// "3..22" or "3–22"), or one cycle "7". Both ends are inclusive and must lie
// in 1–99 with first ≤ last. Errors wrap ErrWindowSyntax or ErrWindowCycles.
func ParseCycles(s string) (first, last int, err error) {
	t := strings.TrimSpace(s)
	a, b := t, t
	for _, sep := range []string{"..", "–", "-"} {
		if i := strings.Index(t, sep); i >= 0 {
			a, b = t[:i], t[i+len(sep):]
			break
		}
	}
	first, err1 := strconv.Atoi(strings.TrimSpace(a))
	last, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%w: cycles %q (want N or FIRST-LAST, e.g. 3-22)", ErrWindowSyntax, s)
	}
	if first < 1 || last > cmr.MaxCycle || first > last {
		return 0, 0, fmt.Errorf("%w: cycles %q (want 1 ≤ first ≤ last ≤ %d)", ErrWindowCycles, s, cmr.MaxCycle)
	}
	return first, last, nil
}

// ParseTime parses a UTC date "2019-01-01" (midnight) or an RFC 3339 time
// "2019-01-01T06:00:00Z". Errors wrap ErrWindowSyntax.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: time %q (want YYYY-MM-DD or RFC 3339)", ErrWindowSyntax, s)
	}
	return t.UTC(), nil
}

// ParseRange parses an explicit window "START/END" (ISO 8601 interval
// form; each side a date or an RFC 3339 time), optionally prefixed by a
// label and "=": "melt2019=2019-06-01/2019-09-01". The window is checked
// like a Spec's explicit range. Errors wrap ErrWindowSyntax or
// ErrWindowRange.
func ParseRange(s string) (Window, error) {
	label, body := "", strings.TrimSpace(s)
	if i := strings.IndexByte(body, '='); i >= 0 {
		label, body = strings.TrimSpace(body[:i]), body[i+1:]
	}
	a, b, ok := strings.Cut(body, "/")
	if !ok {
		return Window{}, fmt.Errorf("%w: range %q (want START/END)", ErrWindowSyntax, s)
	}
	start, err := ParseTime(a)
	if err != nil {
		return Window{}, fmt.Errorf("range %q: %w", s, err)
	}
	end, err := ParseTime(b)
	if err != nil {
		return Window{}, fmt.Errorf("range %q: %w", s, err)
	}
	w := Window{Start: start, End: end, Label: label}
	if err := checkRange(start, end, "range "+strconv.Quote(s)); err != nil {
		return Window{}, err
	}
	w.Label = explicitLabel(w)
	return w, nil
}

// CheckExtends reports whether windows extends old, the windows a store
// already has: old must be a prefix of windows (the same bounds, in order;
// labels may differ), so that the store appends the new windows along time and
// rewrites nothing. The error wraps ErrWindowExtend and names the first
// window that differs.
func CheckExtends(old, windows []Window) error {
	if len(windows) < len(old) {
		return fmt.Errorf("%w: %d windows, the store has %d", ErrWindowExtend, len(windows), len(old))
	}
	for i, o := range old {
		w := windows[i]
		if !o.Start.Equal(w.Start) || !o.End.Equal(w.End) {
			return fmt.Errorf("%w: window %d is %v, the store has %v", ErrWindowExtend, i, w, o)
		}
	}
	return nil
}
