package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(nil, &out, &errb); code != 0 {
		t.Fatalf("run() = %d, want 0", code)
	}
	if !strings.Contains(out.String(), "demo") {
		t.Errorf("usage does not list demo:\n%s", out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"frobnicate"}, &out, &errb); code != 2 {
		t.Fatalf("run(frobnicate) = %d, want 2", code)
	}
	if !strings.Contains(errb.String(), `unknown command "frobnicate"`) {
		t.Errorf("stderr = %q", errb.String())
	}
}

func TestParseByteSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1024", 1024, true}, {"2GiB", 2 << 30, true}, {"2G", 2 << 30, true},
		{"1.5 GB", 1.5e9, true}, {"512mib", 512 << 20, true}, {"10kB", 10000, true},
		{"", 0, false}, {"-1G", 0, false}, {"2 parsecs", 0, false}, {"1e30", 0, false}, {"99999999999TiB", 0, false},
	} {
		got, err := parseByteSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestAWSRegion: --region wins; with --s3-endpoint and no --region the
// configured region (AWS_REGION) is used, not NSIDC's us-west-2.
func TestAWSRegion(t *testing.T) {
	ctx := context.Background()
	t.Setenv("AWS_REGION", "zagg-test-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	for _, tc := range []struct{ flag, endpoint, want string }{
		{"", "", "us-west-2"},
		{"", "http://127.0.0.1:9000", "zagg-test-1"},
		{"eu-west-1", "http://127.0.0.1:9000", "eu-west-1"},
		{"eu-west-1", "", "eu-west-1"},
	} {
		cfg, err := awsConfig(ctx, tc.flag, tc.endpoint)
		if err != nil || cfg.Region != tc.want {
			t.Errorf("awsConfig(%q, %q) region %q, %v; want %q", tc.flag, tc.endpoint, cfg.Region, err, tc.want)
		}
	}
}
