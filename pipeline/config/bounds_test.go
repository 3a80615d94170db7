package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLoadBounded: an endless config (/dev/zero) and a huge sparse
// one are refused after reading at most 1 MiB + 1 byte.
func TestLoadBounded(t *testing.T) {
	sparse := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(3 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	exact := filepath.Join(t.TempDir(), "exact.yaml")
	if err := os.WriteFile(exact, []byte("#"+strings.Repeat(" ", maxBytes)), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{sparse, exact}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
	}
	for _, p := range paths {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Load(p)
		runtime.ReadMemStats(&after)
		var ce *Error
		if !errors.Is(err, ErrSyntax) || !errors.As(err, &ce) || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
			t.Errorf("Load(%s) = %v", p, err)
		}
		if d := after.TotalAlloc - before.TotalAlloc; d > 8<<20 {
			t.Errorf("Load(%s) allocated %d bytes", p, d)
		}
	}
}
