package config

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/zagg-go/zagg/internal/yamlx"
)

// MaxColumn is the largest column a column selector may pick.
const MaxColumn = 1<<16 - 1

// selectorRE matches a dataset path template ending in a column selector
// "[:, k]" (spaces allowed around every token).
var selectorRE = regexp.MustCompile(`^([^\[\]]*?)\s*\[\s*:\s*,\s*(-?[0-9]+)\s*\]$`)

// ParseColumn splits a dataset path template into the dataset path and the
// column its selector picks. A template may end in "[:, k]", numpy's
// spelling of column k (0-based) of a two-dimensional [rows × columns]
// dataset:
//
//	/{group}/heights/signal_conf_ph[:, 3]   → ("/{group}/heights/signal_conf_ph", 3)
//	/{group}/heights/h_ph                   → ("/{group}/heights/h_ph", -1)
//
// Such a template is read as a one-dimensional column: only that column of
// the rows a cell needs is fetched and decoded (a [rows, k:k+1] hyperslab).
// Column selectors are accepted wherever data_source names a dataset
// (variables, quality_filter, filters) except the coordinates. A malformed
// selector (a bracket that is not "[:, k]", k negative or above MaxColumn)
// is an error wrapping ErrInvalidValue.
func ParseColumn(template string) (path string, column int, err error) {
	if !strings.ContainsAny(template, "[]") {
		return template, -1, nil
	}
	m := selectorRE.FindStringSubmatch(template)
	if m == nil {
		return template, -1, yamlx.Msg(ErrInvalidValue,
			"bad column selector in '%s': end a dataset path with [:, k] to read column k (counted from 0) of a 2-D dataset", template)
	}
	k := m[2]
	if strings.HasPrefix(k, "-") {
		return template, -1, yamlx.Msg(ErrInvalidValue, "column %s in '%s' is negative: columns count from 0", k, template)
	}
	c, convErr := strconv.Atoi(k)
	if convErr != nil || c > MaxColumn {
		return template, -1, yamlx.Msg(ErrInvalidValue, "column %s in '%s' is larger than %d", k, template, MaxColumn)
	}
	if strings.TrimSpace(m[1]) == "" {
		return template, -1, yamlx.Msg(ErrInvalidValue, "column selector '%s' has no dataset path before it", template)
	}
	return m[1], c, nil
}
