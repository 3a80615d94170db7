//go:build unix

package main

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/zagg-go/zagg/pipeline/dispatch"
)

// TestRunResultsOutputs: --results written to /dev/null leaves it a
// character device, through a symbolic link updates the target and keeps
// the link, and to a FIFO delivers the JSON to the reader.
func TestRunResultsOutputs(t *testing.T) {
	catalog, granules := sampleFiles(t)
	dir := t.TempDir()
	store := filepath.Join(dir, "out.zarr")
	run := func(results string) {
		t.Helper()
		code, out, errs := cli(t, "run", "--config", "atl06", "--catalog", catalog, "--store", store, "--overwrite",
			"--driver", "file", "--granule-dir", granules, "--quiet", "--max-cells", "1", "--results", results)
		if code != 0 || strings.Contains(errs, "results:") {
			t.Fatalf("run --results %s = %d\n%s\n%s", results, code, out, errs)
		}
	}
	checkJSON := func(b []byte) {
		t.Helper()
		var rep dispatch.Report
		if err := json.Unmarshal(b, &rep); err != nil || rep.Summary.TotalCells != 1 {
			t.Errorf("results %q: %v", b, err)
		}
	}

	if st, err := os.Stat(os.DevNull); err == nil && st.Mode()&fs.ModeCharDevice != 0 {
		run(os.DevNull)
		if st, err := os.Stat(os.DevNull); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
			t.Fatalf("%s was replaced: %v %v", os.DevNull, st.Mode(), err)
		}
	}

	target := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	run(link)
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	b, _ := os.ReadFile(target)
	checkJSON(b)

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs:", err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	run(fifo)
	checkJSON(<-got)
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", err)
	}
}

// TestExportFailsIntoDevNull: a failed export to /dev/null reports the
// error and leaves /dev/null a character device (it used to remove the
// "partial output").
func TestExportFailsIntoDevNull(t *testing.T) {
	if st, err := os.Stat(os.DevNull); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
		t.Skip("no", os.DevNull)
	}
	code, _, errs := cli(t, "export", "--store", filepath.Join(t.TempDir(), "missing.zarr"), "--order", "12", "--output", os.DevNull)
	if code != 1 || !strings.Contains(errs, "export:") {
		t.Errorf("export = %d, %q", code, errs)
	}
	if st, err := os.Stat(os.DevNull); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("%s was removed or replaced: %v", os.DevNull, err)
	}
	// A failed export into a regular file leaves the old contents.
	p := filepath.Join(t.TempDir(), "cells.csv")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := cli(t, "export", "--store", filepath.Join(t.TempDir(), "missing.zarr"), "--order", "12", "--output", p); code != 1 {
		t.Errorf("export = %d", code)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("the old file holds %q", b)
	}
}
