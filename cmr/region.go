package cmr

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sync"

	"github.com/paulmach/orb"
)

// Region is an area of interest: one or more polygons of [lon, lat] rings in
// degrees (WGS84, geodetic latitude), ring 0 of each polygon its boundary and
// further rings holes. Edges are great-circle arcs, as in CMR.
type Region struct {
	Name     string           // a label: a file name, "antarctica", …
	Polygons orb.MultiPolygon // the parts; their union is the region
}

// MaxGeoJSONBytes bounds a GeoJSON region file.
const MaxGeoJSONBytes = 256 << 20

// geoObject is any GeoJSON object; only the members we read.
type geoObject struct {
	Type        string            `json:"type"`
	Features    []json.RawMessage `json:"features"`
	Geometry    json.RawMessage   `json:"geometry"`
	Geometries  []json.RawMessage `json:"geometries"`
	Coordinates json.RawMessage   `json:"coordinates"`
}

// ParseGeoJSON decodes the polygons of a GeoJSON document: a Polygon,
// MultiPolygon, GeometryCollection of those, Feature or FeatureCollection.
// Holes are kept (zagg 0.1.0 dropped them). Other geometry types, missing
// geometries and coordinates outside [−180, 180] × [−90, 90] are errors
// that name the feature and ring. Positions may carry an altitude, which is
// ignored. Rings are returned as written (not closed or re-oriented).
func ParseGeoJSON(data []byte) (orb.MultiPolygon, error) {
	var mp orb.MultiPolygon
	if err := appendGeoJSON(&mp, data, "", 0); err != nil {
		return nil, err
	}
	if len(mp) == 0 {
		return nil, fmt.Errorf("%w: no polygons", ErrGeoJSON)
	}
	return mp, nil
}

func appendGeoJSON(mp *orb.MultiPolygon, data []byte, where string, depth int) error {
	if depth > 8 {
		return fmt.Errorf("%w: %snesting deeper than 8 levels", ErrGeoJSON, where)
	}
	var o geoObject
	if err := json.Unmarshal(data, &o); err != nil {
		return fmt.Errorf("%w: %s%v", ErrGeoJSON, where, err)
	}
	switch o.Type {
	case "FeatureCollection":
		for i, f := range o.Features {
			if err := appendGeoJSON(mp, f, fmt.Sprintf("%sfeature %d: ", where, i), depth+1); err != nil {
				return err
			}
		}
	case "Feature":
		if len(o.Geometry) == 0 || string(bytes.TrimSpace(o.Geometry)) == "null" {
			return fmt.Errorf("%w: %sno geometry", ErrGeoJSON, where)
		}
		return appendGeoJSON(mp, o.Geometry, where, depth+1)
	case "GeometryCollection":
		for i, g := range o.Geometries {
			if err := appendGeoJSON(mp, g, fmt.Sprintf("%sgeometry %d: ", where, i), depth+1); err != nil {
				return err
			}
		}
	case "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(o.Coordinates, &rings); err != nil {
			return fmt.Errorf("%w: %sPolygon coordinates: %v", ErrGeoJSON, where, err)
		}
		p, err := geoPolygon(rings, where)
		if err != nil {
			return err
		}
		*mp = append(*mp, p)
	case "MultiPolygon":
		var polys [][][][]float64
		if err := json.Unmarshal(o.Coordinates, &polys); err != nil {
			return fmt.Errorf("%w: %sMultiPolygon coordinates: %v", ErrGeoJSON, where, err)
		}
		for i, rings := range polys {
			p, err := geoPolygon(rings, fmt.Sprintf("%spolygon %d: ", where, i))
			if err != nil {
				return err
			}
			*mp = append(*mp, p)
		}
	case "":
		return fmt.Errorf("%w: %sobject without \"type\"", ErrGeoJSON, where)
	default:
		return fmt.Errorf("%w: %sgeometry type %q is not a polygon", ErrGeoJSON, where, o.Type)
	}
	return nil
}

func geoPolygon(rings [][][]float64, where string) (orb.Polygon, error) {
	if len(rings) == 0 {
		return nil, fmt.Errorf("%w: %spolygon without rings", ErrGeoJSON, where)
	}
	p := make(orb.Polygon, 0, len(rings))
	for i, r := range rings {
		ring := make(orb.Ring, 0, len(r))
		for k, pos := range r {
			if len(pos) < 2 {
				return nil, fmt.Errorf("%w: %sring %d position %d: %d numbers, want ≥ 2", ErrGeoJSON, where, i, k, len(pos))
			}
			lon, lat := pos[0], pos[1]
			if !(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90) {
				return nil, fmt.Errorf("%w: %sring %d position %d: (%v, %v) outside [-180, 180] × [-90, 90]", ErrGeoJSON, where, i, k, lon, lat)
			}
			ring = append(ring, orb.Point{lon, lat})
		}
		if len(ring) < 3 {
			return nil, fmt.Errorf("%w: %sring %d: %d positions, want ≥ 3", ErrGeoJSON, where, i, len(ring))
		}
		p = append(p, ring)
	}
	return p, nil
}

// LoadRegion reads a GeoJSON file (see [ParseGeoJSON]).
func LoadRegion(path string) (Region, error) {
	f, err := os.Open(path)
	if err != nil {
		return Region{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxGeoJSONBytes+1))
	if err != nil {
		return Region{}, fmt.Errorf("region %s: %w", path, err)
	}
	if len(data) > MaxGeoJSONBytes {
		return Region{}, fmt.Errorf("%w: %s is larger than %d bytes", ErrGeoJSON, path, MaxGeoJSONBytes)
	}
	mp, err := ParseGeoJSON(data)
	if err != nil {
		return Region{}, fmt.Errorf("region %s: %w", path, err)
	}
	return Region{Name: path, Polygons: mp}, nil
}

// antarcticaGz is the default region; see regions/README.md.
//
//go:embed regions/antarctic_basins_simplified.geojson.gz
var antarcticaGz []byte

var antarctica = sync.OnceValues(func() (orb.MultiPolygon, error) {
	zr, err := gzip.NewReader(bytes.NewReader(antarcticaGz))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	return ParseGeoJSON(data)
})

// Antarctica returns the default region: the 27 grounded-ice drainage basins
// of Antarctica (Zwally, Giovinetto, Beckley & Saba 2012, GSFC; the basins
// zagg 0.1.0 uses), simplified to 19,930 vertices (Douglas–Peucker, 689 m,
// shared edges kept identical). Basin 2 encloses the South Pole; basin 17
// crosses the antimeridian. Each call returns a fresh copy.
func Antarctica() Region {
	mp, err := antarctica()
	if err != nil {
		panic("cmr: embedded Antarctica region is corrupt: " + err.Error())
	}
	return Region{Name: "antarctica", Polygons: mp.Clone()}
}

// NaiveBBox is zagg 0.1.0's polygon_to_bbox: the plain minimum and maximum of
// the vertex longitudes and latitudes. It is wrong for regions that cross
// the antimeridian, enclose a pole or have edges that bulge poleward of
// their vertices; it is kept for parity tests. Use [Region.BBox].
func NaiveBBox(mp orb.MultiPolygon) BBox {
	b := BBox{West: math.Inf(1), South: math.Inf(1), East: math.Inf(-1), North: math.Inf(-1)}
	for _, p := range mp {
		for _, r := range p {
			for _, pt := range r {
				b.West = math.Min(b.West, pt[0])
				b.East = math.Max(b.East, pt[0])
				b.South = math.Min(b.South, pt[1])
				b.North = math.Max(b.North, pt[1])
			}
		}
	}
	return b
}
