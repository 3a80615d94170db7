package cmr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Granule is the part of a CMR UMM-G record that catalogs need.
type Granule struct {
	ConceptID  string // "G1234-NSIDC_CPRD"
	RevisionID int    // CMR revision of the record
	ProviderID string // "NSIDC_CPRD"
	GranuleUR  string // unique granule name, "ATL06_…_007_01.h5" for cloud granules

	// Temporal is the range of the granule's data (RangeDateTime, or
	// SingleDateTime as a zero-length range).
	Temporal TimeRange

	// Footprint holds every GPolygon of the record, as [lon, lat] rings in
	// degrees (geodetic, WGS84, as CMR stores them): ring 0 of each polygon
	// is the boundary, further rings are its ExclusiveZone holes. Edges are
	// great-circle arcs. Empty when the record has no polygon.
	Footprint orb.MultiPolygon

	// HasOrbit is true when the record describes its extent with an Orbit
	// block (ECS-era records), which this package does not turn into a
	// footprint.
	HasOrbit bool

	// S3URL is the direct-access s3:// URL of the data file, "" if none.
	S3URL string
	// HTTPSURL is the https:// download URL of the data file, "" if none.
	HTTPSURL string
	// SizeBytes is the data file size when the record states it, else 0.
	SizeBytes int64
}

// Name parses the granule's name (GranuleUR).
func (g *Granule) Name() (GranuleName, error) { return ParseGranuleName(g.GranuleUR) }

// Related URL types of UMM-G.
const (
	urlTypeDirect = "GET DATA VIA DIRECT ACCESS"
	urlTypeGet    = "GET DATA"
)

// ummResults is the body of a granules.umm_json reply.
type ummResults struct {
	Hits  *int              `json:"hits"`
	Took  int               `json:"took"`
	Items []json.RawMessage `json:"items"`
}

type ummItem struct {
	Meta struct {
		ConceptID  string `json:"concept-id"`
		RevisionID int    `json:"revision-id"`
		ProviderID string `json:"provider-id"`
	} `json:"meta"`
	UMM *ummGranule `json:"umm"`
}

type ummPoint struct {
	Longitude *float64
	Latitude  *float64
}

type ummBoundary struct {
	Points []ummPoint
}

type ummGranule struct {
	GranuleUR      string
	TemporalExtent struct {
		RangeDateTime *struct {
			BeginningDateTime string
			EndingDateTime    string
		}
		SingleDateTime string
	}
	SpatialExtent struct {
		HorizontalSpatialDomain struct {
			Geometry *struct {
				GPolygons []struct {
					Boundary      ummBoundary
					ExclusiveZone *struct {
						Boundaries []ummBoundary
					}
				}
			}
			Orbit json.RawMessage
		}
	}
	RelatedUrls []struct {
		URL  string
		Type string
	}
	DataGranule *struct {
		ArchiveAndDistributionInformation []struct {
			Name        string
			SizeInBytes *int64
			Size        *float64
			SizeUnit    string
		}
	}
}

// ParseUMMResults decodes a granules.umm_json reply body: the hit count and
// the granules of the page, in reply order. A malformed item is an error
// naming its index and concept id.
func ParseUMMResults(body []byte) (hits int, granules []Granule, err error) {
	var res ummResults
	if err := json.Unmarshal(body, &res); err != nil {
		return 0, nil, fmt.Errorf("%w: UMM-G results: %v", ErrResponse, err)
	}
	if res.Hits == nil {
		return 0, nil, fmt.Errorf("%w: UMM-G results: no \"hits\" field", ErrResponse)
	}
	granules = make([]Granule, 0, len(res.Items))
	for i, raw := range res.Items {
		g, err := ParseUMMGranule(raw)
		if err != nil {
			return 0, nil, fmt.Errorf("item %d: %w", i, err)
		}
		granules = append(granules, g)
	}
	return *res.Hits, granules, nil
}

// ParseUMMGranule decodes one item of a UMM-G result ({"meta": …, "umm": …})
// or a bare UMM-G record.
func ParseUMMGranule(raw []byte) (Granule, error) {
	var it ummItem
	if err := json.Unmarshal(raw, &it); err != nil {
		return Granule{}, fmt.Errorf("%w: UMM-G item: %v", ErrResponse, err)
	}
	u := it.UMM
	if u == nil {
		// A bare record: decode the whole object as UMM-G.
		u = new(ummGranule)
		if err := json.Unmarshal(raw, u); err != nil {
			return Granule{}, fmt.Errorf("%w: UMM-G record: %v", ErrResponse, err)
		}
	}
	g := Granule{
		ConceptID:  it.Meta.ConceptID,
		RevisionID: it.Meta.RevisionID,
		ProviderID: it.Meta.ProviderID,
		GranuleUR:  u.GranuleUR,
	}
	where := g.ConceptID
	if where == "" {
		where = g.GranuleUR
	}
	if g.GranuleUR == "" {
		return Granule{}, fmt.Errorf("%w: granule %q: no GranuleUR", ErrResponse, where)
	}
	// Temporal extent.
	var err error
	switch te := u.TemporalExtent; {
	case te.RangeDateTime != nil:
		if g.Temporal.Start, err = parseUMMTime(te.RangeDateTime.BeginningDateTime); err != nil {
			return Granule{}, fmt.Errorf("%w: granule %q: BeginningDateTime: %v", ErrResponse, where, err)
		}
		if te.RangeDateTime.EndingDateTime == "" {
			g.Temporal.End = g.Temporal.Start
		} else if g.Temporal.End, err = parseUMMTime(te.RangeDateTime.EndingDateTime); err != nil {
			return Granule{}, fmt.Errorf("%w: granule %q: EndingDateTime: %v", ErrResponse, where, err)
		}
	case te.SingleDateTime != "":
		if g.Temporal.Start, err = parseUMMTime(te.SingleDateTime); err != nil {
			return Granule{}, fmt.Errorf("%w: granule %q: SingleDateTime: %v", ErrResponse, where, err)
		}
		g.Temporal.End = g.Temporal.Start
	}
	// Footprint: every GPolygon with its holes.
	hsd := u.SpatialExtent.HorizontalSpatialDomain
	g.HasOrbit = len(bytes.TrimSpace(hsd.Orbit)) > 0 && string(bytes.TrimSpace(hsd.Orbit)) != "null"
	if hsd.Geometry != nil {
		for i, gp := range hsd.Geometry.GPolygons {
			ring, err := ummRing(gp.Boundary)
			if err != nil {
				return Granule{}, fmt.Errorf("%w: granule %q: GPolygons[%d].Boundary: %v", ErrResponse, where, i, err)
			}
			poly := orb.Polygon{ring}
			if gp.ExclusiveZone != nil {
				for j, b := range gp.ExclusiveZone.Boundaries {
					hole, err := ummRing(b)
					if err != nil {
						return Granule{}, fmt.Errorf("%w: granule %q: GPolygons[%d].ExclusiveZone.Boundaries[%d]: %v", ErrResponse, where, i, j, err)
					}
					poly = append(poly, hole)
				}
			}
			g.Footprint = append(g.Footprint, poly)
		}
	}
	// Data links.
	var anyS3 string
	for _, ru := range u.RelatedUrls {
		url := strings.TrimSpace(ru.URL)
		isH5 := strings.HasSuffix(url, ".h5")
		switch {
		case strings.HasPrefix(url, "s3://") && isH5:
			anyS3 = url // zagg 0.1.0's rule: any s3:// .h5 link, the last one wins
			if ru.Type == urlTypeDirect && g.S3URL == "" {
				g.S3URL = url
			}
		case strings.HasPrefix(url, "https://") && isH5 && ru.Type == urlTypeGet:
			if g.HTTPSURL == "" {
				g.HTTPSURL = url
			}
		}
	}
	if g.S3URL == "" {
		g.S3URL = anyS3
	}
	if dg := u.DataGranule; dg != nil {
		for _, a := range dg.ArchiveAndDistributionInformation {
			if a.SizeInBytes != nil && *a.SizeInBytes > 0 {
				g.SizeBytes = *a.SizeInBytes
				break
			}
			if a.Size != nil && *a.Size > 0 {
				if mult, ok := sizeUnits[strings.ToUpper(a.SizeUnit)]; ok {
					g.SizeBytes = int64(*a.Size * mult)
					break
				}
			}
		}
	}
	return g, nil
}

var sizeUnits = map[string]float64{
	"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40, "PB": 1 << 50,
}

// ummRing converts a UMM-G boundary into an orb ring ([lon, lat] points).
func ummRing(b ummBoundary) (orb.Ring, error) {
	ring := make(orb.Ring, 0, len(b.Points))
	for k, p := range b.Points {
		if p.Longitude == nil || p.Latitude == nil {
			return nil, fmt.Errorf("point %d: missing Longitude or Latitude", k)
		}
		ring = append(ring, orb.Point{*p.Longitude, *p.Latitude})
	}
	return ring, nil
}

// parseUMMTime parses a UMM-G date-time (RFC 3339 with optional fraction;
// a missing zone is taken as UTC).
func parseUMMTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date-time: %q", s)
}
