package cmr

import (
	"errors"
	"testing"
	"time"
)

func TestParseGranuleName(t *testing.T) {
	tests := []struct {
		name               string
		t0                 string
		rgt, cycle, region int
		product, rel, rev  string
		hemisphere         string
		processed          bool
	}{
		{"ATL06_20181013235645_02340114_209_01.h5", "2018-10-13T23:56:45Z", 234, 1, 14, "ATL06", "209", "01", "", false},
		{"ATL06_20181014001049_02350102_006_02.h5", "2018-10-14T00:10:49Z", 235, 1, 2, "ATL06", "006", "02", "", false},
		{"ATL06_20190329071316_13870211_003_01.h5", "2019-03-29T07:13:16Z", 1387, 2, 11, "ATL06", "003", "01", "", false},
		{"ATL06_20240105235929_02772210_007_01.h5", "2024-01-05T23:59:29Z", 277, 22, 10, "ATL06", "007", "01", "", false},
		{"processed_ATL07-01_20190225115500_09020201_003_02.h5", "2019-02-25T11:55:00Z", 902, 2, 1, "ATL07", "003", "02", "01", true},
		{"ATL07-01_20190222003738_08490201_006_02.h5", "2019-02-22T00:37:38Z", 849, 2, 1, "ATL07", "006", "02", "01", false},
		{"ATL07-02_20191003091532_01150501_006_01.h5", "2019-10-03T09:15:32Z", 115, 5, 1, "ATL07", "006", "01", "02", false},
		{"s3://nsidc-cumulus-prod-protected/ATLAS/ATL03/007/2025/01/04/ATL03_20250104003608_02892602_007_01.h5", "2025-01-04T00:36:08Z", 289, 26, 2, "ATL03", "007", "01", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ParseGranuleName(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := time.Parse(time.RFC3339, tt.t0)
			if !g.Start.Equal(want) || g.Start.Location() != time.UTC {
				t.Errorf("Start = %v, want %v UTC", g.Start, want)
			}
			if g.RGT != tt.rgt || g.Cycle != tt.cycle || g.Region != tt.region {
				t.Errorf("RGT/cycle/region = %d/%d/%d, want %d/%d/%d", g.RGT, g.Cycle, g.Region, tt.rgt, tt.cycle, tt.region)
			}
			if g.Product != tt.product || g.Release != tt.rel || g.Revision != tt.rev || g.Hemisphere != tt.hemisphere || g.Processed != tt.processed {
				t.Errorf("got %+v", g)
			}
			if s, base := g.String(), lastElem(tt.name); s != base {
				t.Errorf("String() = %q, want %q", s, base)
			}
		})
	}
}

func lastElem(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return s[i+1:]
		}
	}
	return s
}

func TestParseGranuleNameErrors(t *testing.T) {
	for _, s := range []string{
		"", "ATL06.h5", "ATL06_20181013235645_02340114_209_01.nc",
		"ATL06_20181313235645_02340114_209_01.h5", // month 13
		"ATL06_20181013235645_00000114_209_01.h5", // RGT 0
		"ATL06_20181013235645_13880114_209_01.h5", // RGT 1388
		"ATL06_20181013235645_02340015_209_01.h5", // cycle 0
		"ATL06_20181013235645_02340115_209_01.h5", // region 15
		"SC:ATL06.005:228825416",
		"ATL07-03_20190222003738_08490201_006_02.h5", // hemisphere 03
		"ATL07-00_20190222003738_08490201_006_02.h5", // hemisphere 00
		"ATL07-1_20190222003738_08490201_006_02.h5",  // one-digit hemisphere
	} {
		if _, err := ParseGranuleName(s); !errors.Is(err, ErrGranuleName) {
			t.Errorf("ParseGranuleName(%q) err = %v, want ErrGranuleName", s, err)
		}
	}
}

func FuzzParseGranuleName(f *testing.F) {
	f.Add("ATL06_20181013235645_02340114_209_01.h5")
	f.Add("processed_ATL07-01_20190225115500_09020201_003_02.h5")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGranuleName(s)
		if err != nil {
			return
		}
		g2, err := ParseGranuleName(g.String())
		if err != nil || g2 != g {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", s, g2, err, g)
		}
	})
}
