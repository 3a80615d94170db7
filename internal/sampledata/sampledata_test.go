package sampledata

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCatalogNamesEmbeddedGranules(t *testing.T) {
	var cat struct {
		Metadata map[string]any      `json:"metadata"`
		Catalog  map[string][]string `json:"catalog"`
	}
	if err := json.Unmarshal(Catalog(), &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat.Catalog) == 0 {
		t.Fatal("empty sample catalog")
	}
	seen := map[string]bool{}
	for key, urls := range cat.Catalog {
		for _, u := range urls {
			if _, err := Granule(u); err != nil {
				t.Errorf("cell %s: %v", key, err)
			}
			k, err := Key(u)
			if err != nil || !strings.HasSuffix(k, ".h5") {
				t.Errorf("Key(%q) = %q, %v", u, k, err)
			}
			seen[k] = true
		}
	}
	if len(seen) != len(GranuleNames()) {
		t.Errorf("catalog names %d granules, %d embedded", len(seen), len(GranuleNames()))
	}
}

func TestExpectedIsConsistent(t *testing.T) {
	e, err := LoadExpected()
	if err != nil {
		t.Fatal(err)
	}
	for o := e.ChildOrder; o >= e.ParentOrder; o-- {
		tab := e.Orders[itoa(o)]
		if tab == nil {
			t.Fatalf("order %d missing", o)
		}
		var total float64
		for _, c := range tab["count"] {
			total += c
		}
		if int(total) != e.PointsKept {
			t.Errorf("order %d: counts sum to %v, want points_kept %d", o, total, e.PointsKept)
		}
		for name, col := range tab {
			if len(col) != len(tab["cell_ids"]) {
				t.Errorf("order %d: column %s has %d rows, cell_ids %d", o, name, len(col), len(tab["cell_ids"]))
			}
		}
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
