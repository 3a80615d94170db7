package cmr

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/morton"
)

func TestLoadRegion(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "r.geojson")
	os.WriteFile(good, []byte(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`), 0o644)
	r, err := LoadRegion(good)
	if err != nil || r.Name != good || len(r.Polygons) != 1 {
		t.Errorf("LoadRegion = %+v, %v", r, err)
	}
	bad := filepath.Join(dir, "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"Point","coordinates":[0,0]}`), 0o644)
	if _, err := LoadRegion(bad); !errors.Is(err, ErrGeoJSON) {
		t.Errorf("point region: err = %v", err)
	}
	if _, err := LoadRegion(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestTimeRangeContains(t *testing.T) {
	r := DateRange(time.Date(2024, 1, 6, 12, 0, 0, 0, time.UTC), time.Date(2024, 1, 7, 0, 0, 0, 0, time.UTC))
	for tm, want := range map[time.Time]bool{
		time.Date(2024, 1, 6, 0, 0, 0, 0, time.UTC):    true,
		time.Date(2024, 1, 7, 23, 59, 59, 0, time.UTC): true,
		time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC):    false,
		time.Date(2024, 1, 5, 23, 59, 59, 0, time.UTC): false,
	} {
		if got := r.Contains(tm); got != want {
			t.Errorf("Contains(%v) = %v", tm, got)
		}
	}
}

func TestCatalogCellLookup(t *testing.T) {
	a, b := morton.FromNest(6, 37010), morton.FromNest(6, 37011)
	c := &Catalog{Metadata: Metadata{ParentOrder: 6}, Cells: []CatalogCell{{Cell: a, Granules: []string{"s3://x"}}}}
	if _, err := c.Encode(); err != nil {
		t.Fatal(err)
	}
	if g := c.Cell(a); len(g) != 1 || g[0] != "s3://x" {
		t.Errorf("Cell(a) = %v", g)
	}
	if g := c.Cell(b); g != nil {
		t.Errorf("Cell(b) = %v", g)
	}
	if err := c.WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir", "c.json")); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
}

func TestNewNSIDCS3Credentials(t *testing.T) {
	cache := NewNSIDCS3Credentials(Login{Token: "t"})
	if !cache.IsCredentialsProvider(&S3Credentials{}) {
		t.Error("cache does not wrap an S3Credentials provider")
	}
}

// The zero Metadata means authalic cells and says so in the file; a zagg
// 0.1.0 file (geodetic, no key) stays without the key.
func TestLatitudeKeyWritten(t *testing.T) {
	c := &Catalog{Metadata: Metadata{ParentOrder: 6}}
	out, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseCatalog(out)
	if err != nil {
		t.Fatal(err)
	}
	if back.Metadata.Latitude != healpix.Authalic || !back.Metadata.LatitudeRecorded {
		t.Errorf("zero metadata reads back as %v (recorded %v)\n%s", back.Metadata.Latitude, back.Metadata.LatitudeRecorded, out)
	}
	c.Metadata.Latitude = healpix.Geodetic
	out, _ = c.Encode()
	if strings.Contains(string(out), "latitude") {
		t.Errorf("geodetic, unrecorded: key written\n%s", out)
	}
}
