package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoClearStore: the demo deletes only what a marker says it made,
// keeps the user's files beside it, and refuses folders it did not make,
// zarr stores included.
func TestDemoClearStore(t *testing.T) {
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }

	// A store the demo did not make (no marker) is refused and untouched.
	other := t.TempDir()
	write(filepath.Join(other, "zarr.json"), "{}")
	write(filepath.Join(other, "12", "zarr.json"), "{}")
	if _, err := clearStore(other); err == nil || !strings.Contains(err.Error(), "did not make") {
		t.Errorf("store without a marker: err = %v", err)
	}
	if !exists(filepath.Join(other, "12", "zarr.json")) {
		t.Error("a store the demo did not make was touched")
	}

	// A demo store with the user's notes beside it: the demo's entries
	// go, the notes stay.
	dir := filepath.Join(t.TempDir(), "demo.zarr")
	before, err := clearStore(dir)
	if err != nil || len(before) != 0 {
		t.Fatalf("new folder: %v, %v", before, err)
	}
	if err := writeDemoMarker(dir, before, predictedEntries()); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(dir, "zarr.json"), "{}")
	write(filepath.Join(dir, "6", "count", "zarr.json"), "{}")
	if err := writeDemoMarker(dir, before, nil); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(dir, "notes.txt"), "mine") // added after the demo
	kept, err := clearStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !kept["notes.txt"] || len(kept) != 1 {
		t.Errorf("kept %v, want the notes only", kept)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != "notes.txt" {
		t.Errorf("left %v", ents)
	}
	// The next marker does not claim the notes.
	if err := writeDemoMarker(dir, kept, nil); err != nil {
		t.Fatal(err)
	}
	rec, err := readDemoMarker(dir)
	if err != nil || len(rec.Entries) != 0 {
		t.Errorf("marker %+v, %v", rec, err)
	}

	// A marker naming something outside the folder is refused.
	write(filepath.Join(dir, demoMarker), `{"made_by": "zagg demo", "entries": [".."]}`)
	if _, err := clearStore(dir); err == nil || !exists(filepath.Join(dir, "notes.txt")) {
		t.Errorf("hostile marker: err = %v", err)
	}
	write(filepath.Join(dir, demoMarker), `not json`)
	if _, err := clearStore(dir); err == nil || !strings.Contains(err.Error(), "not a demo marker") {
		t.Errorf("garbage marker: err = %v", err)
	}
}
