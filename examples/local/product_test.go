package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestCatalogCommandProduct: --product sets the CMR collection of a
// built-in config's product; --short-name, --version and --provider
// override it; products without ICESat-2 cycles refuse --cycle.
func TestCatalogCommandProduct(t *testing.T) {
	for _, tc := range []struct {
		args                     []string
		short, version, provider string
	}{
		{[]string{"--product", "atl08"}, "ATL08", "007", "NSIDC_CPRD"},
		{[]string{"--product", "ATL10"}, "ATL10", "006", "NSIDC_CPRD"},
		{[]string{"--product", "gedi_l2a"}, "GEDI02_A", "002", "LPCLOUD"},
		{[]string{"--product", "gedi_l2a", "--version", "003"}, "GEDI02_A", "003", "LPCLOUD"},
		{[]string{"--product", "atl03", "--provider", "NSIDC_ECS"}, "ATL03", "007", "NSIDC_ECS"},
	} {
		srv, reqs := fakeCMR(t)
		out := filepath.Join(t.TempDir(), "c.json")
		args := append([]string{"catalog", "--start-date", "2024-01-05", "--end-date", "2024-01-07",
			"--cmr-url", srv.URL, "--page-size", "2", "--output", out}, tc.args...)
		var stdout, stderr bytes.Buffer
		run(args, &stdout, &stderr)
		if len(*reqs) == 0 {
			t.Fatalf("%q: no CMR request\nstderr: %s", tc.args, stderr.String())
		}
		q := (*reqs)[0].Form
		if q.Get("short_name") != tc.short || q.Get("version") != tc.version || q.Get("provider") != tc.provider {
			t.Errorf("%q: CMR query short_name=%q version=%q provider=%q, want %s %s %s", tc.args,
				q.Get("short_name"), q.Get("version"), q.Get("provider"), tc.short, tc.version, tc.provider)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--product", "atl99", "--cycle", "22"}, `--product: cmr: unknown product: "atl99" (known: atl03, atl06, atl07, atl08, atl10, gedi_l2a)`},
		{[]string{"--product", "gedi_l2a", "--cycle", "3"}, "--product gedi_l2a: cmr: invalid query: gedi_l2a (GEDI02_A) has no ICESat-2 cycles: give a start and an end date"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"catalog"}, tc.args...), &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 1 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}
