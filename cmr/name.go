package cmr

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"time"
)

// GranuleName is the information encoded in an ICESat-2 granule file name,
// ATL06_YYYYMMDDhhmmss_ttttccnn_vvv_rr.h5: the product, the UTC start of the
// granule's data, the reference ground track (RGT), the cycle, the granule
// region (1–14 along the orbit), the release and the revision.
type GranuleName struct {
	Product    string    // "ATL06"
	Hemisphere string    // "01"/"02" for sea-ice products named ATL07-01_…, else ""
	Processed  bool      // the name carried NSIDC's "processed_" subsetting prefix
	Start      time.Time // UTC start of the granule's data, to the second
	RGT        int       // reference ground track, 1–1387
	Cycle      int       // 91-day repeat cycle, 1–99
	Region     int       // granule region, 1–14
	Release    string    // "007"; a string because leading zeros matter
	Revision   string    // "01"
	Suffix     string    // anything between the revision and ".h5", usually ""
}

// granuleNameRE is the granule naming convention (ATL06 User Guide, "File naming convention").
var granuleNameRE = regexp.MustCompile(`^(?:(processed_))?(ATL\d{2})(?:-(\d{2}))?_(\d{14})_(\d{4})(\d{2})(\d{2})_(\d{3})_(\d{2})(.*)\.h5$`)

// Constants of the ICESat-2 reference orbit.
const (
	RGTsPerCycle     = 1387 // reference ground tracks in one 91-day cycle
	RegionsPerOrbit  = 14   // granule regions per orbit
	maxCycleInName   = 99   // the name has two digits for the cycle
	granuleTimeShape = "20060102150405"
)

// ParseGranuleName parses an ICESat-2 granule name. A URL or path is
// accepted; only its last element is parsed.
func ParseGranuleName(name string) (GranuleName, error) {
	base := path.Base(name)
	m := granuleNameRE.FindStringSubmatch(base)
	if m == nil {
		return GranuleName{}, fmt.Errorf("%w: %q", ErrGranuleName, base)
	}
	t, err := time.ParseInLocation(granuleTimeShape, m[4], time.UTC)
	if err != nil {
		return GranuleName{}, fmt.Errorf("%w: %q: bad start time %q", ErrGranuleName, base, m[4])
	}
	rgt, _ := strconv.Atoi(m[5])
	cycle, _ := strconv.Atoi(m[6])
	region, _ := strconv.Atoi(m[7])
	switch {
	case rgt < 1 || rgt > RGTsPerCycle:
		return GranuleName{}, fmt.Errorf("%w: %q: RGT %d outside 1–%d", ErrGranuleName, base, rgt, RGTsPerCycle)
	case cycle < 1:
		return GranuleName{}, fmt.Errorf("%w: %q: cycle %d", ErrGranuleName, base, cycle)
	case region < 1 || region > RegionsPerOrbit:
		return GranuleName{}, fmt.Errorf("%w: %q: region %d outside 1–%d", ErrGranuleName, base, region, RegionsPerOrbit)
	case m[3] != "" && m[3] != "01" && m[3] != "02":
		return GranuleName{}, fmt.Errorf("%w: %q: hemisphere %q, want 01 (north) or 02 (south)", ErrGranuleName, base, m[3])
	}
	return GranuleName{
		Product:    m[2],
		Hemisphere: m[3],
		Processed:  m[1] != "",
		Start:      t,
		RGT:        rgt,
		Cycle:      cycle,
		Region:     region,
		Release:    m[8],
		Revision:   m[9],
		Suffix:     m[10],
	}, nil
}

// String formats the name back into the convention; for every name accepted
// by [ParseGranuleName], ParseGranuleName(n).String() returns the base name.
func (g GranuleName) String() string {
	prefix := ""
	if g.Processed {
		prefix = "processed_"
	}
	product := g.Product
	if g.Hemisphere != "" {
		product += "-" + g.Hemisphere
	}
	return fmt.Sprintf("%s%s_%s_%04d%02d%02d_%s_%s%s.h5", prefix, product,
		g.Start.UTC().Format(granuleTimeShape), g.RGT, g.Cycle, g.Region, g.Release, g.Revision, g.Suffix)
}
