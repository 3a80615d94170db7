package cmr

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCatalogLimits: strings, URLs and granule lists over the limits are
// refused with errors naming them, before (strings) or while decoding.
func TestCatalogLimits(t *testing.T) {
	md := `"metadata": {"parent_order": 6}`
	long := strings.Repeat("a", MaxCatalogString+1)
	escaped := strings.Repeat(`\"`, MaxCatalogString/2+1)
	url := "s3://b/" + strings.Repeat("k", MaxGranuleURL)
	many := `"s3://a"` + strings.Repeat(`,"s3://a"`, MaxCellGranules)
	for _, tc := range []struct{ name, doc, mention string }{
		{"long metadata string", `{"metadata": {"parent_order": 6, "polygon": "` + long + `"}, "catalog": {}}`, "the string at byte 44 is 1048577 bytes"},
		{"long escaped string", `{"metadata": {"parent_order": 6, "polygon": "` + escaped + `"}, "catalog": {}}`, "longer than 1048576 bytes"},
		{"long key", `{` + md + `, "catalog": {"` + long + `": []}}`, "the string at byte"},
		{"long URL", `{` + md + `, "catalog": {"-4113213": ["` + url + `"]}}`, `catalog["-4113213"][0]: granule URL of 16391 bytes`},
		{"many granules", `{` + md + `, "catalog": {"-4113213": [` + many + `]}}`, `catalog["-4113213"]: 1048577 granules`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCatalog([]byte(tc.doc))
			if !errors.Is(err, ErrCatalog) || !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("err = %.300v, want ErrCatalog mentioning %q", err, tc.mention)
			}
		})
	}
	// At the limits, accepted.
	ok := `{"metadata": {"parent_order": 6, "polygon": "` + long[1:] + `"}, "catalog": {"-4113213": ["s3://b/` + strings.Repeat("k", MaxGranuleURL-7) + `"]}}`
	if _, err := ParseCatalog([]byte(ok)); err != nil {
		t.Fatalf("catalog at the limits: %.300v", err)
	}
}

// TestLoadCatalogHugeFile: a (sparse) file over MaxCatalogBytes is refused
// from its size, without reading it.
func TestLoadCatalogHugeFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxCatalogBytes + 1); err != nil {
		t.Skip("no sparse files here:", err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = LoadCatalog(p)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrCatalog) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("refusing the file allocated %d bytes", d)
	}
}

// TestLoadCatalogLongString: a catalog file made mostly of one 64 MiB
// string is refused after reading about MaxCatalogString bytes of it.
func TestLoadCatalogLongString(t *testing.T) {
	p := filepath.Join(t.TempDir(), "long.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"metadata": {"parent_order": 6, "polygon": "`)
	blk := []byte(strings.Repeat("x", 1<<20))
	for range 64 {
		f.Write(blk)
	}
	f.WriteString(`"}, "catalog": {}}`)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = LoadCatalog(p)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrCatalog) || !strings.Contains(err.Error(), "the string at byte 44 is 1048577 bytes") {
		t.Fatalf("err = %v", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 8<<20 {
		t.Errorf("refusing allocated %d bytes", d)
	}
}
