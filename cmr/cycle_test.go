package cmr

import (
	"errors"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestZaggCycleDates checks zagg 0.1.0's formula against its table.
func TestZaggCycleDates(t *testing.T) {
	table := map[int][2]string{
		1: {"2018-10-13", "2019-01-12"}, 2: {"2019-01-12", "2019-04-13"}, 3: {"2019-04-13", "2019-07-13"},
		10: {"2021-01-09", "2021-04-10"}, 20: {"2023-07-08", "2023-10-07"}, 21: {"2023-10-07", "2024-01-06"},
		22: {"2024-01-06", "2024-04-06"}, 23: {"2024-04-06", "2024-07-06"}, 25: {"2024-10-05", "2025-01-04"},
		26: {"2025-01-04", "2025-04-05"}, 30: {"2026-01-03", "2026-04-04"},
	}
	for c, want := range table {
		s, e, err := ZaggCycleDates(c)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Equal(date(want[0])) || !e.Equal(date(want[1])) {
			t.Errorf("ZaggCycleDates(%d) = %s … %s, want %s … %s", c, s.Format("2006-01-02"), e.Format("2006-01-02"), want[0], want[1])
		}
	}
	r, _ := ZaggCycleRange(22)
	if got := r.Temporal(); got != "2024-01-06T00:00:00Z,2024-04-06T23:59:59Z" {
		t.Errorf("ZaggCycleRange(22).Temporal() = %q", got)
	}
	for _, c := range []int{0, -1, 100} {
		if _, _, err := ZaggCycleDates(c); !errors.Is(err, ErrCycle) {
			t.Errorf("ZaggCycleDates(%d) err = %v", c, err)
		}
		if _, err := TrueCycleRange(c); !errors.Is(err, ErrCycle) {
			t.Errorf("TrueCycleRange(%d) err = %v", c, err)
		}
	}
}

// TestTrueCycleRange checks the orbit model against the derived table
// (NSIDC's ICESat-2 cycle table, ±1 h) and the official cycle boundaries.
func TestTrueCycleRange(t *testing.T) {
	derived := map[int]string{
		1: "2018-09-28T16:19:00Z", 10: "2020-12-24T01:18:00Z", 20: "2023-06-20T05:56:00Z",
		21: "2023-09-19T01:36:00Z", 22: "2023-12-18T21:16:00Z", 23: "2024-03-18T16:55:00Z",
		25: "2024-09-16T08:15:00Z", 26: "2024-12-16T03:55:00Z", 30: "2025-12-14T10:34:00Z",
	}
	for c, s := range derived {
		want, _ := time.Parse(time.RFC3339, s)
		r, err := TrueCycleRange(c)
		if err != nil {
			t.Fatal(err)
		}
		if d := r.Start.Sub(want); d < -time.Hour || d > time.Hour {
			t.Errorf("TrueCycleRange(%d).Start = %v, want %v ± 1h", c, r.Start, want)
		}
		if next, _ := TrueCycleRange(c + 1); next.Start.Sub(r.End) != time.Second {
			t.Errorf("cycle %d ends %v, cycle %d starts %v", c, r.End, c+1, next.Start)
		}
		if got := CycleOf(r.Start.Add(time.Minute)); got != c {
			t.Errorf("CycleOf(start of %d) = %d", c, got)
		}
	}
	// Official cycle ends (icesat-2.gsfc.nasa.gov): the next cycle starts that day.
	official := map[int]string{1: "2018-12-28", 2: "2019-03-29", 3: "2019-06-28", 4: "2019-09-26",
		5: "2019-12-26", 6: "2020-03-26", 7: "2020-06-25", 8: "2020-09-24", 9: "2020-12-23",
		10: "2021-03-24", 11: "2021-06-23", 12: "2021-09-22", 13: "2021-12-22", 14: "2022-03-23", 15: "2022-06-21"}
	for c, end := range official {
		r, _ := TrueCycleRange(c)
		if d := r.End.Sub(date(end)); d < -24*time.Hour || d > 48*time.Hour {
			t.Errorf("cycle %d model end %v, official %s", c, r.End, end)
		}
	}
	if CycleOf(date("2018-01-01")) != 0 {
		t.Error("CycleOf before launch should be 0")
	}
}

// TestTrackTime checks the model against granule start times in real names.
func TestTrackTime(t *testing.T) {
	for _, name := range []string{
		"ATL06_20181013235645_02340114_209_01.h5", "ATL06_20181014001049_02350102_006_02.h5",
		"ATL06_20190329071316_13870211_003_01.h5", "ATL06_20240105235929_02772210_007_01.h5",
		"ATL03_20250104003608_02892602_007_01.h5",
	} {
		g, err := ParseGranuleName(name)
		if err != nil {
			t.Fatal(err)
		}
		got := TrackTime(g.Cycle, g.RGT, g.Region)
		if d := got.Sub(g.Start); d < -3*time.Minute || d > 3*time.Minute {
			t.Errorf("%s: model %v, name %v (off by %v)", name, got, g.Start, d)
		}
	}
}
