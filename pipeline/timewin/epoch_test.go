package timewin

import (
	"bufio"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
)

func TestATLASSDPEpoch(t *testing.T) {
	e := ATLASEpoch()
	if g := GPSSeconds(e.Epoch); g != ATLASSDPGPSEpoch {
		t.Errorf("GPSSeconds(2018-01-01) = %v, want %d", g, ATLASSDPGPSEpoch)
	}
	if got := FromGPSSeconds(ATLASSDPGPSEpoch); !got.Equal(e.Epoch) {
		t.Errorf("FromGPSSeconds(%d) = %v", ATLASSDPGPSEpoch, got)
	}
	if n := LeapSeconds(e.Epoch); n != 18 {
		t.Errorf("GPS − UTC at 2018-01-01 = %d, want 18", n)
	}
	// No leap second since: delta_time is UTC seconds since 2018-01-01.
	for _, v := range []float64{0, 24710233.17347262, 2.5e8, 3.5e8} {
		got := e.Time(v)
		want := atlasSDPEpoch.Add(time.Duration(v * 1e9))
		if d := got.Sub(want); d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("Time(%v) = %v, want %v", v, got, want)
		}
		if back := e.Value(got); math.Abs(back-v) > 1e-6 {
			t.Errorf("Value(Time(%v)) = %v", v, back)
		}
	}
}

// TestLeapSecondsIERS checks the table against the IERS list shipped with
// tzdata (TAI − UTC per NTP second), when the system has it.
func TestLeapSecondsIERS(t *testing.T) {
	f, err := os.Open("/usr/share/zoneinfo/leap-seconds.list")
	if err != nil {
		t.Skipf("no IERS list: %v", err)
	}
	defer f.Close()
	const ntpToUnix = 2208988800
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		fs := strings.Fields(line)
		ntp, err1 := strconv.ParseInt(fs[0], 10, 64)
		tai, err2 := strconv.Atoi(fs[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("bad line %q", line)
		}
		at := time.Unix(ntp-ntpToUnix, 0).UTC()
		if at.Before(gpsEpoch) {
			continue
		}
		if got, want := LeapSeconds(at), tai-19; got != want {
			t.Errorf("GPS − UTC from %v = %d, the IERS list says %d", at, got, want)
		}
		if got, want := LeapSeconds(at.Add(-time.Second)), tai-20; got != want {
			t.Errorf("GPS − UTC just before %v = %d, want %d", at, got, want)
		}
		n++
	}
	if n != len(leapInstants) {
		t.Errorf("the IERS list has %d leap seconds since 1980, the table %d", n, len(leapInstants))
	}
}

func TestGPSRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		s := r.Int64N(int64(45 * 365.25 * 86400))
		u := gpsEpoch.Add(time.Duration(s) * time.Second)
		g := GPSSeconds(u)
		if got := FromGPSSeconds(g); !got.Equal(u) {
			t.Fatalf("FromGPSSeconds(GPSSeconds(%v)) = %v", u, got)
		}
	}
	// Across the 2016-12-31 leap second: GPS time runs on 3 s while UTC
	// runs 2 s; the inserted second repeats 23:59:59 of 2016-12-31.
	i := date(2017, 1, 1)
	g := GPSSeconds(i)
	for d, want := range map[float64]time.Time{
		-2:   i.Add(-time.Second),
		-1:   i.Add(-time.Second),
		-0.5: i.Add(-time.Second / 2),
		0:    i,
		1:    i.Add(time.Second),
	} {
		if got := FromGPSSeconds(g + d); !got.Equal(want) {
			t.Errorf("FromGPSSeconds(GPS(2017-01-01) %+v s) = %v, want %v", d, got, want)
		}
	}
	if g-GPSSeconds(i.Add(-time.Second)) != 2 {
		t.Errorf("the leap second is missing from GPSSeconds")
	}
}

func TestEpochValidate(t *testing.T) {
	good := ATLASEpoch()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []Epoch{
		{},
		{Field: "t"},
		{Field: "t", Epoch: date(1970, 1, 1), Timescale: GPS},
		{Field: "t", Epoch: date(2018, 1, 1), Scale: -1},
		{Field: "t", Epoch: date(2018, 1, 1), Scale: math.NaN()},
		{Field: "t", Epoch: date(2018, 1, 1), Scale: math.Inf(1)},
		{Field: "t", Epoch: date(2018, 1, 1), Timescale: 7},
		{Field: "t", Epoch: date(1, 1, 1)},
	}
	for _, e := range bad {
		if err := e.Validate(); !errors.Is(err, ErrEpoch) {
			t.Errorf("%+v: Validate() = %v, want ErrEpoch", e, err)
		}
		if _, err := e.Binner(nil); !errors.Is(err, ErrEpoch) {
			t.Errorf("%+v: Binner() error = %v, want ErrEpoch", e, err)
		}
	}
	if s, err := ParseTimescale("gps"); err != nil || s != GPS || s.String() != "gps" {
		t.Errorf("ParseTimescale(gps) = %v, %v", s, err)
	}
	if _, err := ParseTimescale("tai"); !errors.Is(err, ErrEpoch) {
		t.Errorf("ParseTimescale(tai) error = %v", err)
	}
}

// naiveIndex is the reference: convert each value to a time and scan the
// windows.
func naiveIndex(e Epoch, t []float64, ws []Window) []int32 {
	out := make([]int32, len(t))
	for i, v := range t {
		out[i] = -1
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		u := e.Time(v)
		for k, w := range ws {
			if w.Contains(u) {
				out[i] = int32(k)
				break
			}
		}
	}
	return out
}

func TestBinnerIndex(t *testing.T) {
	months, _ := (&Spec{Kind: Month, Start: date(2019, 1, 1), End: date(2021, 1, 1)}).Windows()
	cycles, _ := (&Spec{Kind: Cycle, FirstCycle: 3, LastCycle: 9}).Windows()
	gaps, _ := (&Spec{Kind: Explicit, Ranges: []Window{
		{Start: date(2019, 6, 1), End: date(2019, 9, 1)},
		{Start: date(2020, 6, 1), End: date(2020, 9, 1)},
		{Start: time.Date(2020, 9, 1, 0, 0, 0, 500, time.UTC), End: date(2020, 9, 2)},
	}}).Windows()
	days := Epoch{Field: "t", Epoch: date(2000, 1, 1), Scale: 86400}
	gps80 := Epoch{Field: "gps_time", Epoch: gpsEpoch, Scale: 1, Timescale: GPS}
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name string
		e    Epoch
		ws   []Window
	}{
		{"atlas/months", ATLASEpoch(), months},
		{"atlas/cycles", ATLASEpoch(), cycles},
		{"atlas/gaps", ATLASEpoch(), gaps},
		{"days/months", days, months},
		{"gps1980/cycles", gps80, cycles},
		{"atlas/none", ATLASEpoch(), nil},
	} {
		b, err := tc.e.Binner(tc.ws)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		lo, hi := tc.e.Value(date(2018, 6, 1)), tc.e.Value(date(2021, 6, 1))
		var ts []float64
		// Sorted runs (as in a granule), random points, and the exact
		// bounds and their neighbours.
		v := lo
		for range 5000 {
			v += r.Float64() * (hi - lo) / 2000
			ts = append(ts, v)
		}
		for range 5000 {
			ts = append(ts, lo+r.Float64()*(hi-lo))
		}
		for k := range b.Len() {
			l, h := b.Bounds(k)
			ts = append(ts, l, h, math.Nextafter(l, math.Inf(-1)), math.Nextafter(h, math.Inf(-1)))
		}
		ts = append(ts, math.NaN(), math.Inf(1), math.Inf(-1), 0, -1e300)
		got := make([]int32, len(ts))
		in := b.Index(got, ts)
		want := naiveIndex(tc.e, ts, tc.ws)
		n := 0
		for i := range ts {
			if got[i] >= 0 {
				n++
			}
			if got[i] != want[i] {
				// A value within float64 rounding (100 ns) of a bound
				// may go either way, except a whole-second bound itself,
				// which is exact.
				if k := max(got[i], want[i]); k >= 0 {
					l, h := b.Bounds(int(k))
					u := tc.e.Time(ts[i])
					near := func(x float64) bool { return tc.e.Time(x).Sub(u).Abs() <= 100*time.Nanosecond }
					exact := func(x float64) bool { return ts[i] == x && x == math.Trunc(x) }
					if (near(l) || near(h)) && !exact(l) && !exact(h) {
						continue
					}
				}
				t.Fatalf("%s: t=%v (%v): Index %d, reference %d", tc.name, ts[i], tc.e.Time(ts[i]), got[i], want[i])
			}
		}
		if in != n {
			t.Errorf("%s: Index returned %d inside, it set %d", tc.name, in, n)
		}
	}
}

func TestBinnerErrors(t *testing.T) {
	e := ATLASEpoch()
	a := Window{Start: date(2019, 1, 1), End: date(2019, 3, 1)}
	b := Window{Start: date(2019, 2, 1), End: date(2019, 4, 1)}
	if _, err := e.Binner([]Window{a, b}); !errors.Is(err, ErrWindowOverlap) {
		t.Errorf("overlap: %v", err)
	}
	if _, err := e.Binner([]Window{b, a}); !errors.Is(err, ErrWindowOverlap) {
		t.Errorf("out of order: %v", err)
	}
	if _, err := e.Binner([]Window{{Start: a.Start, End: a.Start}}); !errors.Is(err, ErrWindowRange) {
		t.Errorf("empty: %v", err)
	}
	bn, _ := e.Binner([]Window{a})
	defer func() {
		if recover() == nil {
			t.Error("Index with a short dst did not panic")
		}
	}()
	bn.Index(make([]int32, 1), make([]float64, 2))
}

func TestBinnerIndexAllocs(t *testing.T) {
	ws, _ := (&Spec{Kind: Cycle, FirstCycle: 1, LastCycle: 30}).Windows()
	b, _ := ATLASEpoch().Binner(ws)
	ts := make([]float64, 4096)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range ts {
		ts[i] = r.Float64() * 3e8
	}
	dst := make([]int32, len(ts))
	if n := testing.AllocsPerRun(10, func() { b.Index(dst, ts) }); n != 0 {
		t.Errorf("Index allocates %v times", n)
	}
}

// TestRealGranuleTimes reads delta_time and atlas_sdp_gps_epoch of the real
// ATL06 granule of the shared data: the epoch is ATLASSDPGPSEpoch, the
// first segment's time is within seconds after the granule's start in its
// name, and every segment falls in true cycle 1 (the granule's cycle).
func TestRealGranuleTimes(t *testing.T) {
	const name = "ATL06_20181013235645_02340114_209_01.h5"
	path := filepath.Join("..", "..", "..", "shared", "testdata", "granules", name)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the shared test data is missing: %v", err)
		}
		t.Skipf("the shared test data is missing: %v", err)
	}
	ctx := context.Background()
	f, err := h5read.OpenFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ed, err := f.Dataset(ctx, "/ancillary_data/atlas_sdp_gps_epoch")
	if err != nil {
		t.Fatal(err)
	}
	ep := make([]float64, 1)
	if err := h5read.ReadRows(ctx, ed, ep, 0, 1); err != nil {
		t.Fatal(err)
	}
	if ep[0] != ATLASSDPGPSEpoch {
		t.Errorf("atlas_sdp_gps_epoch = %v, want %d", ep[0], ATLASSDPGPSEpoch)
	}
	d, err := f.Dataset(ctx, "/gt1l/land_ice_segments/delta_time")
	if err != nil {
		t.Fatal(err)
	}
	n := d.Shape()[0]
	dt := make([]float64, n)
	if err := h5read.ReadRows(ctx, d, dt, 0, n); err != nil {
		t.Fatal(err)
	}
	g, _ := cmr.ParseGranuleName(name)
	e := ATLASEpoch()
	if first := e.Time(dt[0]); first.Before(g.Start) || first.Sub(g.Start) > 2*time.Minute {
		t.Errorf("first segment at %v, granule starts %v", first, g.Start)
	}
	ws, _ := (&Spec{Kind: Cycle, FirstCycle: 1, LastCycle: 3}).Windows()
	b, err := e.Binner(ws)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int32, n)
	if in := b.Index(idx, dt); in != n {
		t.Errorf("%d of %d segments in cycles 1–3", in, n)
	}
	for i, k := range idx {
		if k != 0 {
			t.Fatalf("segment %d (%v) in window %d, want cycle 1", i, e.Time(dt[i]), k)
		}
	}
}

// BenchmarkIndex bins a granule-like column of delta_time (increasing,
// 8 bytes a point) into cycles, and the same values shuffled.
func BenchmarkIndex(b *testing.B) {
	ws, _ := (&Spec{Kind: Cycle, FirstCycle: 1, LastCycle: 30}).Windows()
	bn, _ := ATLASEpoch().Binner(ws)
	for _, n := range []int{1 << 10, 1 << 20} {
		sorted := make([]float64, n)
		lo, hi := bn.lo[0], bn.hi[len(ws)-1]
		for i := range sorted {
			sorted[i] = lo + (hi-lo)*float64(i)/float64(n)
		}
		shuffled := append([]float64(nil), sorted...)
		rand.New(rand.NewPCG(7, 8)).Shuffle(n, func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		dst := make([]int32, n)
		for _, tc := range []struct {
			name string
			t    []float64
		}{{"sorted", sorted}, {"shuffled", shuffled}} {
			b.Run(tc.name+"/n="+strconv.Itoa(n), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(8 * n))
				in := 0
				for b.Loop() {
					in += bn.Index(dst, tc.t)
				}
				if in == 0 {
					b.Fatal("no point in any window")
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpts/s")
			})
		}
	}
}
