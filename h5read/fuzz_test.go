package h5read_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zagg-go/zagg/h5read"
)

// exercise opens b and reads everything it can reach, within budgets. It
// returns the number of datasets read.
func exercise(t testing.TB, b []byte, opts ...h5read.Option) int {
	ctx := context.Background()
	opts = append([]h5read.Option{h5read.WithMaxAlloc(4 << 20), h5read.WithRetries(0, 0)}, opts...)
	f, err := h5read.Open(ctx, bytes.NewReader(b), int64(len(b)), opts...)
	if err != nil {
		checkErr(t, err)
		return 0
	}
	defer f.Close()
	budget := 64
	read := 0
	var visit func(path string, depth int)
	visit = func(path string, depth int) {
		if budget <= 0 || depth > 8 {
			return
		}
		budget--
		if d, err := f.Dataset(ctx, path); err == nil {
			_ = d.Attrs()
			shape := d.Shape()
			// The planned path the pipeline takes (Plan, then one coalesced
			// Fetch), then a plain read.
			if p, err := d.Plan(ctx, make([]int, len(shape)), shape); err != nil {
				checkErr(t, err)
			} else if err := f.Fetch(ctx, p); err != nil {
				checkErr(t, err)
			}
			if _, err := d.ReadRaw(ctx, make([]int, len(shape)), shape); err != nil {
				checkErr(t, err)
			} else {
				read++
			}
			return
		} else if !errors.Is(err, h5read.ErrNotDataset) {
			checkErr(t, err)
			return
		}
		g, err := f.Group(ctx, path)
		if err != nil {
			checkErr(t, err)
			return
		}
		if _, err := g.Attrs(ctx); err != nil {
			checkErr(t, err)
		}
		names, err := g.Members(ctx)
		if err != nil {
			checkErr(t, err)
			return
		}
		for _, n := range names {
			if path == "/" {
				visit("/"+n, depth+1)
			} else {
				visit(path+"/"+n, depth+1)
			}
		}
	}
	visit("/", 0)
	return read
}

// checkErr fails on errors that do not wrap one of the package's sentinels.
func checkErr(t testing.TB, err error) {
	t.Helper()
	for _, s := range []error{h5read.ErrNotHDF5, h5read.ErrCorrupt, h5read.ErrChecksum, h5read.ErrUnsupported,
		h5read.ErrNotFound, h5read.ErrNotDataset, h5read.ErrTooLarge, h5read.ErrSelection} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Errorf("error wraps no h5read sentinel: %v", err)
}

func smallFixtures(t testing.TB, maxSize int64) [][]byte {
	paths, _ := filepath.Glob("testdata/*.h5")
	var out [][]byte
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Size() <= maxSize {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		t.Fatal("no fixtures")
	}
	return out
}

// FuzzOpen feeds arbitrary bytes to the whole parser: superblock, object
// headers, groups, heaps, B-trees, chunk indexes, filters and reads.
// Seeds are the small libhdf5 fixtures in testdata.
func FuzzOpen(f *testing.F) {
	for _, b := range smallFixtures(f, 16<<10) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		exercise(t, b, h5read.WithChecksums(false))
		exercise(t, b)
	})
}

// TestTruncated opens every fixture cut at many lengths: each must fail
// cleanly (or read what is there), never panic or hang.
func TestTruncated(t *testing.T) {
	for _, b := range smallFixtures(t, 200<<10) {
		step := max(len(b)/31, 1)
		for n := 0; n < len(b); n += step {
			exercise(t, b[:n])
		}
	}
}

// TestCorrupted flips bytes all over each small fixture, with checksums off
// so the damage reaches the parsers, and requires a clean outcome within a
// time budget.
func TestCorrupted(t *testing.T) {
	deadline := time.Now().Add(5 * time.Second)
	for _, orig := range smallFixtures(t, 200<<10) {
		b := make([]byte, len(orig))
		step := max(len(orig)/400, 1)
		for i := 0; i < len(orig) && time.Now().Before(deadline); i += step {
			copy(b, orig)
			b[i] ^= 0xff
			if i+9 < len(b) {
				b[i+9] ^= 0x5a
			}
			exercise(t, b, h5read.WithChecksums(false))
		}
	}
}

func TestChecksumsCatchCorruption(t *testing.T) {
	b, err := os.ReadFile("testdata/fx_latest.h5")
	if err != nil {
		t.Fatal(err)
	}
	if n := exercise(t, b); n == 0 {
		t.Fatal("nothing read from the intact file")
	}
	// Flip one byte inside the superblock v3: lookup3 must catch it.
	b[20] ^= 1
	_, err = h5read.Open(context.Background(), bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, h5read.ErrChecksum) {
		t.Errorf("corrupted superblock: err = %v, want ErrChecksum", err)
	}
	var fe *h5read.FormatError
	if !errors.As(err, &fe) || fe.Offset != 0 || fe.Object != "superblock" {
		t.Errorf("error %v does not name the superblock at offset 0", err)
	}
}
