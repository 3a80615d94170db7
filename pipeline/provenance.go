package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/pipeline/config"
	"github.com/zagg-go/zagg/zarrstore"
)

// Version is the zagg (Go) release that writes stores, markers and results.
const Version = "0.2.0"

// Provenance is what a run records about its input in the store's root
// attributes (under "zagg" → "runs", and summarised in the CF/ACDD keys
// time_coverage_start, time_coverage_end, source and history). Build it with
// NewProvenance.
type Provenance struct {
	ShortName      string `json:"short_name,omitempty"`
	ProductVersion string `json:"product_version,omitempty"`
	Provider       string `json:"provider,omitempty"`
	// StartDate and EndDate are the catalog's time window (YYYY-MM-DD).
	StartDate string `json:"start_date,omitempty"`
	EndDate   string `json:"end_date,omitempty"`
	Cycle     int    `json:"cycle,omitempty"`
	// CMRQuery is the catalog's CMR search, URL-encoded.
	CMRQuery string `json:"cmr_query,omitempty"`
	// ParentCells counts the run's parent cells.
	ParentCells int `json:"parent_cells"`
	// Granules counts the distinct granules of the run's cells, and
	// GranulesSHA256 is the SHA-256 of their sorted URLs joined by "\n".
	Granules       int    `json:"granule_count"`
	GranulesSHA256 string `json:"granules_sha256"`
}

// NewProvenance describes a run over cells of a catalog with metadata md.
func NewProvenance(md cmr.Metadata, cells []cmr.CatalogCell) Provenance {
	p := Provenance{ShortName: md.ShortName, ProductVersion: md.Version, Provider: md.Provider,
		StartDate: md.StartDate, EndDate: md.EndDate, Cycle: md.Cycle, CMRQuery: md.CMRQuery, ParentCells: len(cells)}
	var urls []string
	for _, c := range cells {
		urls = append(urls, c.Granules...)
	}
	slices.Sort(urls)
	urls = slices.Compact(urls)
	p.Granules = len(urls)
	p.GranulesSHA256 = urlsDigest(urls)
	return p
}

// configDigest is the SHA-256 of the config's canonical JSON form, without
// the store and catalog locations (they do not change values).
func configDigest(cfg *config.Config) string {
	c := *cfg
	c.Output.Store, c.Catalog = "", ""
	b, err := c.MarshalJSON()
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// rootAttributes returns the store's root attributes after a run with
// provenance prov, given those of the existing store (nil for a new one):
// CF/ACDD global attributes and the "zagg" object with the version, the
// config as loaded, and every run that wrote to the store (a rerun of the
// same input is recorded once). zarrstore adds the layout keys.
func rootAttributes(old map[string]any, cfg *config.Config, parentOrder int, prov Provenance) map[string]any {
	attrs := map[string]any{}
	for k, v := range old {
		attrs[k] = v
	}
	project := map[string]any{}
	if p, ok := old[zarrstore.ProjectAttribute].(map[string]any); ok {
		for k, v := range p {
			project[k] = v
		}
	}
	digest := configDigest(cfg)
	entry := map[string]any{}
	if b, err := json.Marshal(prov); err == nil {
		d := json.NewDecoder(strings.NewReader(string(b)))
		d.UseNumber()
		_ = d.Decode(&entry)
	}
	entry["zagg_version"] = Version
	entry["config_sha256"] = digest
	var runs []any
	if r, ok := project["runs"].([]any); ok {
		runs = r
	}
	same := func(r any) bool {
		m, _ := r.(map[string]any)
		return m != nil && m["granules_sha256"] == entry["granules_sha256"] && m["config_sha256"] == digest &&
			m["zagg_version"] == Version && fmt.Sprint(m["parent_cells"]) == fmt.Sprint(entry["parent_cells"])
	}
	if !slices.ContainsFunc(runs, same) {
		runs = append(runs, entry)
	}
	project["runs"] = runs
	project["version"] = Version
	project["child_order"] = cfg.Output.Grid.ChildOrder
	if b, err := cfg.MarshalJSON(); err == nil {
		project["config"] = json.RawMessage(b)
	}
	project["config_sha256"] = digest
	attrs[zarrstore.ProjectAttribute] = project

	// CF / ACDD global attributes, summarising every run.
	var start, end string
	var history, sources []string
	for _, r := range runs {
		m, _ := r.(map[string]any)
		if m == nil {
			continue
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		if s := str("start_date"); s != "" && (start == "" || s < start) {
			start = s
		}
		if e := str("end_date"); e != "" && e > end {
			end = e
		}
		product := strings.TrimSpace(str("short_name") + " " + str("product_version"))
		if product == "" {
			product = "granules"
		}
		src := product
		if p := str("provider"); p != "" {
			src += " (" + p + ")"
		}
		if !slices.Contains(sources, src) {
			sources = append(sources, src)
		}
		window := ""
		if str("start_date") != "" || str("end_date") != "" {
			window = fmt.Sprintf(", %s to %s", str("start_date"), str("end_date"))
		}
		cs := str("config_sha256")
		if len(cs) > 12 {
			cs = cs[:12]
		}
		history = append(history, fmt.Sprintf("zagg %s (Go): %v granules of %s%s aggregated over %v parent cells of order %d (config sha256 %s…)",
			str("zagg_version"), m["granule_count"], product, window, m["parent_cells"], parentOrder, cs))
	}
	attrs["Conventions"] = "CF-1.10, ACDD-1.3"
	short := prov.ShortName
	if short == "" {
		short = "point observation"
	}
	attrs["title"] = fmt.Sprintf("zagg gridded %s statistics on the HEALPix grid (orders %d–%d)", short, parentOrder, cfg.Output.Grid.ChildOrder)
	attrs["summary"] = "Statistics of point observations aggregated onto HEALPix NESTED cells, one Zarr group per order; see each array's long_name and units."
	attrs["source"] = strings.Join(sources, "; ")
	attrs["history"] = strings.Join(history, "\n")
	if strings.HasPrefix(strings.ToUpper(prov.ShortName), "ATL") {
		attrs["platform"] = "ICESat-2"
		attrs["instrument"] = "ATLAS"
	}
	delete(attrs, "time_coverage_start")
	delete(attrs, "time_coverage_end")
	if start != "" {
		attrs["time_coverage_start"] = start
	}
	if end != "" {
		attrs["time_coverage_end"] = end
	}
	return attrs
}
