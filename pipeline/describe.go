package pipeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/internal/redact"
	"github.com/zagg-go/zagg/pipeline/config"
)

// SourceInfo is what a source dataset says about itself: its HDF5 "units"
// and "long_name" attributes (empty when absent).
type SourceInfo struct {
	Units    string
	LongName string
}

// ReadSourceInfo opens one granule and reads the units and long_name
// attributes of every data_source variable (its path expanded with the
// first group that has it), keyed by column name. Variables whose dataset
// or attributes are missing are left out.
func ReadSourceInfo(ctx context.Context, cfg *config.Config, opener Opener, url string) (map[string]SourceInfo, error) {
	f, err := opener.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrGranule, redact.URL(url), err)
	}
	defer f.Close()
	groups := cfg.DataSource.Groups
	if len(groups) == 0 {
		groups = []string{""}
	}
	out := map[string]SourceInfo{}
	for _, v := range cfg.DataSource.Variables {
		path, _, err := config.ParseColumn(v.Path) // a column of a 2-D dataset has the dataset's units
		if err != nil {
			continue
		}
		for _, g := range groups {
			ds, err := f.Dataset(ctx, config.ExpandPath(path, g))
			if err != nil {
				continue
			}
			out[v.Name] = SourceInfo{Units: stringAttr(ds, "units"), LongName: stringAttr(ds, "long_name")}
			break
		}
	}
	return out, nil
}

// DescribeFrom sets the arrays' descriptions (SetSourceInfo) from the
// attributes of the granule at url, read with opener within a minute. It is
// best effort: a granule that cannot be read leaves the descriptions the
// config gives.
func (s *Store) DescribeFrom(ctx context.Context, opener Opener, url string) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if src, err := ReadSourceInfo(ctx, s.cfg, opener, url); err == nil {
		s.SetSourceInfo(src)
	}
}

// FirstGranule returns the first granule of the first cell that has one
// ("" for none): the granule a run describes its arrays from.
func FirstGranule(cells []cmr.CatalogCell) string {
	for _, c := range cells {
		if len(c.Granules) > 0 {
			return c.Granules[0]
		}
	}
	return ""
}

func stringAttr(ds *h5read.Dataset, name string) string {
	a, ok := ds.Attr(name)
	if !ok {
		return ""
	}
	switch v := a.Value.(type) {
	case string:
		return strings.TrimSpace(v)
	case []string:
		if len(v) == 1 {
			return strings.TrimSpace(v[0])
		}
	case []byte:
		return strings.TrimSpace(string(v))
	}
	return ""
}

// Describe returns the units and long_name of output variable v: the
// config's units and long_name when given, otherwise derived from the
// function and the source dataset's attributes (src, keyed by column):
// counts are dimensionless (CF units "1"); sums, minima, maxima, means (weighted or not: the
// weights cancel), medians, quantiles and standard deviations have the
// source's units; variances its square; expressions have none unless
// configured.
func Describe(v agg.Variable, src map[string]SourceInfo) (units, longName string) {
	units, longName = v.Units, v.LongName
	if v.Expression != "" {
		if longName == "" {
			longName = "expression " + v.Expression
		}
		return units, longName
	}
	f, ok := agg.LookupFunction(v.Function)
	if !ok {
		return units, longName
	}
	s := src[v.Source]
	what := v.Source
	if s.LongName != "" && v.Source != "" {
		what = fmt.Sprintf("%s (%s)", s.LongName, v.Source)
	}
	var derivedUnits, desc string
	switch f.Name {
	case "len":
		derivedUnits, desc = "1", "number of observations" // CF's dimensionless unit
		if v.Source != "" {
			desc += " of " + what
		}
	case "sum", "nansum":
		derivedUnits, desc = s.Units, "sum of "+what
	case "min", "nanmin":
		derivedUnits, desc = s.Units, "minimum of "+what
	case "max", "nanmax":
		derivedUnits, desc = s.Units, "maximum of "+what
	case "mean", "nanmean":
		derivedUnits, desc = s.Units, "mean of "+what
	case "average":
		derivedUnits, desc = s.Units, "mean of "+what
		if v.Params.Weights != "" {
			desc = "weighted mean of " + what + ", weights " + v.Params.Weights
		}
	case "var", "nanvar":
		derivedUnits, desc = squared(s.Units), "variance of "+what
	case "std", "nanstd":
		derivedUnits, desc = s.Units, "standard deviation of "+what
	case "median", "nanmedian":
		derivedUnits, desc = s.Units, "median of "+what
	case "quantile", "nanquantile", "percentile", "nanpercentile":
		derivedUnits = s.Units
		q := 0.0
		if v.Params.Q != nil {
			q = *v.Params.Q
		}
		if !strings.Contains(f.Name, "percentile") {
			q *= 100
		}
		desc = fmt.Sprintf("%s percentile of %s", ordinal(q), what)
	default:
		desc = f.Name + " of " + what
	}
	if units == "" {
		units = derivedUnits
	}
	if longName == "" {
		longName = desc
	}
	return units, longName
}

// squared returns the units of a variance.
func squared(u string) string {
	switch u {
	case "":
		return ""
	case "m", "meter", "meters", "metre", "metres":
		return "m2"
	}
	if strings.ContainsAny(u, " /*") {
		return "(" + u + ")^2"
	}
	return u + "^2"
}

// ordinal writes 25 as "25th", 50.5 as "50.5th".
func ordinal(q float64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", q), "0"), ".")
	if strings.Contains(s, ".") {
		return s + "th"
	}
	switch {
	case strings.HasSuffix(s, "11"), strings.HasSuffix(s, "12"), strings.HasSuffix(s, "13"):
		return s + "th"
	case strings.HasSuffix(s, "1"):
		return s + "st"
	case strings.HasSuffix(s, "2"):
		return s + "nd"
	case strings.HasSuffix(s, "3"):
		return s + "rd"
	}
	return s + "th"
}
