//go:build unix

package cmr

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/zagg-go/zagg/morton"
)

// TestCatalogWriteFileSpecial: WriteFile writes to a FIFO and through a
// symbolic link without replacing either.
func TestCatalogWriteFileSpecial(t *testing.T) {
	c := &Catalog{Metadata: Metadata{ParentOrder: 6},
		Cells: []CatalogCell{{Cell: morton.FromNest(6, 37010), Granules: []string{"s3://b/x.h5"}}}}
	want, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs:", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := c.WriteFile(fifo); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != string(want) {
		t.Errorf("FIFO reader got %q", s)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteFile(link); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "real.json")); err != nil || string(b) != string(want) {
		t.Errorf("target: %q, %v", b, err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
}
