package cmr

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Product errors.
var (
	// ErrUnknownProduct reports a product name LookupProduct does not know.
	ErrUnknownProduct = errors.New("cmr: unknown product")
	// ErrGEDIGranuleName reports a file name that does not follow the GEDI
	// granule naming convention.
	ErrGEDIGranuleName = errors.New("cmr: not a GEDI granule name")
)

// Mission is the mission a product comes from; it decides how its granules
// are named and whether ICESat-2 cycles apply.
type Mission string

// The missions.
const (
	// ICESat2 products are named ATLxx[-hh]_YYYYMMDDhhmmss_ttttccnn_vvv_rr.h5
	// (ParseGranuleName) and come in 91-day cycles.
	ICESat2 Mission = "ICESat-2"
	// GEDI products are named GEDIxx_y_YYYYDDDhhmmss_O…_V….h5
	// (ParseGEDIGranuleName) and have no repeat cycle.
	GEDI Mission = "GEDI"
)

// Product is a data product zagg has a built-in config for, as the catalog
// searches CMR for it.
type Product struct {
	// Name is the product's built-in config name ("atl06", "gedi_l2a").
	Name string
	// ShortName, Version and Provider name the CMR collection searched by
	// default (the current release in the cloud archive).
	ShortName, Version, Provider string
	// Mission says how granules are named and whether cycles apply.
	Mission Mission
	// Hemispheric products have one granule per hemisphere and orbit,
	// named with a hemisphere suffix (ATL07-01_…, ATL10-02_…).
	Hemispheric bool
}

// products are the products with a built-in config, in name order.
var products = []Product{
	{Name: "atl03", ShortName: "ATL03", Version: "007", Provider: "NSIDC_CPRD", Mission: ICESat2},
	{Name: "atl06", ShortName: "ATL06", Version: DefaultVersion, Provider: DefaultProvider, Mission: ICESat2},
	{Name: "atl07", ShortName: "ATL07", Version: "006", Provider: "NSIDC_CPRD", Mission: ICESat2, Hemispheric: true},
	{Name: "atl08", ShortName: "ATL08", Version: "007", Provider: "NSIDC_CPRD", Mission: ICESat2},
	{Name: "atl10", ShortName: "ATL10", Version: "006", Provider: "NSIDC_CPRD", Mission: ICESat2, Hemispheric: true},
	{Name: "gedi_l2a", ShortName: "GEDI02_A", Version: "002", Provider: "LPCLOUD", Mission: GEDI},
}

// Products returns the known products, in name order.
func Products() []Product { return append([]Product(nil), products...) }

// LookupProduct returns the product of a built-in config name ("atl08") or
// CMR short name ("ATL08", "GEDI02_A"), case-insensitively. Other names
// are an error wrapping ErrUnknownProduct that lists the known ones.
func LookupProduct(name string) (Product, error) {
	for _, p := range products {
		if strings.EqualFold(name, p.Name) || strings.EqualFold(name, p.ShortName) {
			return p, nil
		}
	}
	names := make([]string, len(products))
	for i, p := range products {
		names[i] = p.Name
	}
	return Product{}, fmt.Errorf("%w: %q (known: %s)", ErrUnknownProduct, name, strings.Join(names, ", "))
}

// CheckCycle reports whether a catalog of the product can be made for an
// ICESat-2 cycle: GEDI has no cycles. (A true cycle is selected by the
// granule-name pattern "<short>*_??????????????_????CC??_…", see
// Query.Cycle, which also matches the hemisphere-suffixed names of ATL07
// and ATL10.) The error wraps ErrQuery and says what to use instead.
func (p Product) CheckCycle(trueCycle bool) error {
	if p.Mission != ICESat2 {
		return fmt.Errorf("%w: %s (%s) has no ICESat-2 cycles: give a start and an end date", ErrQuery, p.Name, p.ShortName)
	}
	return nil
}

// GEDIGranuleName is the information encoded in a GEDI granule file name
// (LP DAAC's "GEDI Filenames"), e.g.
// GEDI02_A_2019108080338_O01964_01_T05337_02_003_01_V002.h5:
// the product short name, the UTC start of acquisition as year, day of year
// and time, the ISS orbit, the sub-orbit granule (1–4, a quarter orbit
// each), the track, the positioning and pointing determination system type,
// the PGE (SDPS release) version, the granule production version and the
// product version.
type GEDIGranuleName struct {
	Product    string    // "GEDI02_A"
	Start      time.Time // UTC start of acquisition, to the second
	Orbit      int       // ISS orbit number ("O01964")
	SubOrbit   int       // sub-orbit granule, 1–4
	Track      int       // track number ("T05337")
	PPDS       int       // 0 predict, 1 rapid, 2 and higher final positioning and pointing
	PGEVersion string    // "003", the SDPS release
	Production string    // "01", the granule production version
	Version    string    // "002", the product version ("V002")
	Suffix     string    // anything between the version and ".h5", usually ""
}

// gediNameRE is GEDI's granule naming convention.
var gediNameRE = regexp.MustCompile(`^(GEDI\d{2}_[A-Z])_(\d{4})(\d{3})(\d{2})(\d{2})(\d{2})_O(\d{5})_(\d{2})_T(\d{5})_(\d{2})_(\d{3})_(\d{2})_V(\d{3})(.*)\.h5$`)

// ParseGEDIGranuleName parses a GEDI granule name. A URL or path is
// accepted; only its last element is parsed. Errors wrap
// ErrGEDIGranuleName and name the field.
func ParseGEDIGranuleName(name string) (GEDIGranuleName, error) {
	base := path.Base(name)
	m := gediNameRE.FindStringSubmatch(base)
	if m == nil {
		return GEDIGranuleName{}, fmt.Errorf("%w: %q (want GEDIxx_y_YYYYDDDhhmmss_Ooooooo_ss_Ttttttt_pp_ggg_nn_Vvvv.h5)", ErrGEDIGranuleName, base)
	}
	n := make([]int, len(m))
	for i := 2; i <= 10; i++ {
		n[i], _ = strconv.Atoi(m[i])
	}
	year, doy, hh, mm, ss := n[2], n[3], n[4], n[5], n[6]
	bad := func(format string, a ...any) (GEDIGranuleName, error) {
		return GEDIGranuleName{}, fmt.Errorf("%w: %q: %s", ErrGEDIGranuleName, base, fmt.Sprintf(format, a...))
	}
	daysInYear := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).YearDay()
	switch {
	case doy < 1 || doy > daysInYear:
		return bad("day of year %d outside 1–%d", doy, daysInYear)
	case hh > 23 || mm > 59 || ss > 59:
		return bad("bad time of day %s%s%s", m[4], m[5], m[6])
	case n[8] < 1 || n[8] > 4:
		return bad("sub-orbit granule %d outside 1–4", n[8])
	}
	return GEDIGranuleName{
		Product:    m[1],
		Start:      time.Date(year, 1, doy, hh, mm, ss, 0, time.UTC),
		Orbit:      n[7],
		SubOrbit:   n[8],
		Track:      n[9],
		PPDS:       n[10],
		PGEVersion: m[11],
		Production: m[12],
		Version:    m[13],
		Suffix:     m[14],
	}, nil
}

// String formats the name back into the convention; for every name accepted
// by [ParseGEDIGranuleName], ParseGEDIGranuleName(n).String() returns the
// base name.
func (g GEDIGranuleName) String() string {
	t := g.Start.UTC()
	return fmt.Sprintf("%s_%04d%03d%02d%02d%02d_O%05d_%02d_T%05d_%02d_%s_%s_V%s%s.h5", g.Product,
		t.Year(), t.YearDay(), t.Hour(), t.Minute(), t.Second(), g.Orbit, g.SubOrbit, g.Track, g.PPDS,
		g.PGEVersion, g.Production, g.Version, g.Suffix)
}
