package cmr

import (
	"errors"
	"path"
	"strings"
	"testing"
	"time"
)

func TestLookupProduct(t *testing.T) {
	for _, tc := range []struct {
		in, name, short, version, provider string
		mission                            Mission
	}{
		{"atl03", "atl03", "ATL03", "007", "NSIDC_CPRD", ICESat2},
		{"ATL06", "atl06", "ATL06", DefaultVersion, DefaultProvider, ICESat2},
		{"Atl08", "atl08", "ATL08", "007", "NSIDC_CPRD", ICESat2},
		{"atl10", "atl10", "ATL10", "006", "NSIDC_CPRD", ICESat2},
		{"gedi_l2a", "gedi_l2a", "GEDI02_A", "002", "LPCLOUD", GEDI},
		{"GEDI02_A", "gedi_l2a", "GEDI02_A", "002", "LPCLOUD", GEDI},
	} {
		p, err := LookupProduct(tc.in)
		if err != nil || p.Name != tc.name || p.ShortName != tc.short || p.Version != tc.version || p.Provider != tc.provider || p.Mission != tc.mission {
			t.Errorf("LookupProduct(%q) = %+v, %v", tc.in, p, err)
		}
	}
	_, err := LookupProduct("atl99")
	if !errors.Is(err, ErrUnknownProduct) || err.Error() != `cmr: unknown product: "atl99" (known: atl03, atl06, atl07, atl08, atl10, gedi_l2a)` {
		t.Errorf("LookupProduct(atl99) = %v", err)
	}
	ps := Products()
	ps[0].Name = "changed"
	if Products()[0].Name != "atl03" {
		t.Error("Products returns the registry itself")
	}
}

func TestProductCheckCycle(t *testing.T) {
	for _, tc := range []struct {
		name      string
		trueCycle bool
		want      string // "" for no error
	}{
		{"atl06", false, ""},
		{"atl06", true, ""},
		{"atl03", true, ""},
		{"atl10", false, ""},
		{"atl10", true, ""}, // ATL10-01_/ATL10-02_ names match "ATL10*_…"
		{"atl07", true, ""},
		{"gedi_l2a", false, "gedi_l2a (GEDI02_A) has no ICESat-2 cycles: give a start and an end date"},
	} {
		p, err := LookupProduct(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		err = p.CheckCycle(tc.trueCycle)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s true=%v: %v", tc.name, tc.trueCycle, err)
			}
			continue
		}
		if !errors.Is(err, ErrQuery) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s true=%v: %v, want %q", tc.name, tc.trueCycle, err, tc.want)
		}
	}
}

// Every ICESat-2 product with a built-in config is named as ParseGranuleName
// expects.
func TestICESat2ProductNames(t *testing.T) {
	for _, tc := range []struct{ name, product, hemisphere string }{
		{"ATL03_20190105120040_01230210_007_01.h5", "ATL03", ""},
		{"ATL08_20190612183512_11730307_007_01.h5", "ATL08", ""},
		{"ATL10-02_20190301075233_09560201_006_02.h5", "ATL10", "02"},
		{"ATL10-01_20181014000347_02350101_006_02.h5", "ATL10", "01"},
	} {
		g, err := ParseGranuleName(tc.name)
		if err != nil || g.Product != tc.product || g.Hemisphere != tc.hemisphere || g.String() != tc.name {
			t.Errorf("ParseGranuleName(%q) = %+v, %v", tc.name, g, err)
		}
		if p, err := LookupProduct(g.Product); err != nil || p.Mission != ICESat2 || p.Hemispheric != (g.Hemisphere != "") {
			t.Errorf("product of %q: %+v, %v", tc.name, p, err)
		}
	}
}

func TestParseGEDIGranuleName(t *testing.T) {
	for _, tc := range []struct {
		in                              string
		start                           string
		orbit, sub, track, ppds         int
		product, pge, prod, ver, suffix string
	}{
		{"GEDI02_A_2019108080338_O01964_01_T05337_02_003_01_V002.h5", "2019-04-18T08:03:38Z", 1964, 1, 5337, 2, "GEDI02_A", "003", "01", "002", ""},
		{"GEDI02_A_2019110014613_O01991_01_T04905_02_003_01_V002.h5", "2019-04-20T01:46:13Z", 1991, 1, 4905, 2, "GEDI02_A", "003", "01", "002", ""},
		{"GEDI01_B_2019110110221_O01997_03_T03335_02_005_01_V002.h5", "2019-04-20T11:02:21Z", 1997, 3, 3335, 2, "GEDI01_B", "005", "01", "002", ""},
		{"https://data.lpdaac.earthdatacloud.nasa.gov/lp-prod-protected/GEDI02_A.002/GEDI02_A_2020366235959_O11599_04_T00001_00_003_01_V002.h5", "2020-12-31T23:59:59Z", 11599, 4, 1, 0, "GEDI02_A", "003", "01", "002", ""},
		{"GEDI02_A_2024001000000_O29000_02_T00002_01_004_02_V003_subset.h5", "2024-01-01T00:00:00Z", 29000, 2, 2, 1, "GEDI02_A", "004", "02", "003", "_subset"},
	} {
		g, err := ParseGEDIGranuleName(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		want, _ := time.Parse(time.RFC3339, tc.start)
		if !g.Start.Equal(want) || g.Start.Location() != time.UTC {
			t.Errorf("%s: Start = %v, want %v", tc.in, g.Start, want)
		}
		if g.Orbit != tc.orbit || g.SubOrbit != tc.sub || g.Track != tc.track || g.PPDS != tc.ppds || g.Product != tc.product ||
			g.PGEVersion != tc.pge || g.Production != tc.prod || g.Version != tc.ver || g.Suffix != tc.suffix {
			t.Errorf("%s: %+v", tc.in, g)
		}
		if s, base := g.String(), tc.in[strings.LastIndex(tc.in, "/")+1:]; s != base {
			t.Errorf("String() = %q, want %q", s, base)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"ATL06_20181013235645_02340114_209_01.h5", "(want GEDIxx_y_"},
		{"GEDI02_A_2019108080338_O01964_01_T05337_02_003_01.h5", "(want GEDIxx_y_"},
		{"GEDI02_A_2019000080338_O01964_01_T05337_02_003_01_V002.h5", "day of year 0 outside 1–365"},
		{"GEDI02_A_2019366080338_O01964_01_T05337_02_003_01_V002.h5", "day of year 366 outside 1–365"},
		{"GEDI02_A_2019108240338_O01964_01_T05337_02_003_01_V002.h5", "bad time of day 240338"},
		{"GEDI02_A_2019108086038_O01964_01_T05337_02_003_01_V002.h5", "bad time of day 086038"},
		{"GEDI02_A_2019108080338_O01964_05_T05337_02_003_01_V002.h5", "sub-orbit granule 5 outside 1–4"},
		{"GEDI02_A_2019108080338_O01964_00_T05337_02_003_01_V002.h5", "sub-orbit granule 0 outside 1–4"},
		{"", "(want GEDIxx_y_"},
	} {
		_, err := ParseGEDIGranuleName(tc.in)
		if !errors.Is(err, ErrGEDIGranuleName) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseGEDIGranuleName(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParseGEDIGranuleName: any string parses or fails without a panic,
// and an accepted name formats back to itself.
func FuzzParseGEDIGranuleName(f *testing.F) {
	f.Add("GEDI02_A_2019108080338_O01964_01_T05337_02_003_01_V002.h5")
	f.Add("GEDI02_A_2020366235959_O11599_04_T00001_00_003_01_V002_x.h5")
	f.Add("GEDI02_A_2019000080338_O01964_01_T05337_02_003_01_V002.h5")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGEDIGranuleName(s)
		if err != nil {
			if !errors.Is(err, ErrGEDIGranuleName) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if base := path.Base(s); g.String() != base {
			t.Fatalf("%q: String() = %q", s, g.String())
		}
	})
}
