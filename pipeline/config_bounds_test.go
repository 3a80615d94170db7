package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLoadConfigBounded: an endless config (/dev/zero) and a huge sparse
// one are refused after reading at most 1 MiB + 1 byte.
func TestLoadConfigBounded(t *testing.T) {
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
	if err := os.WriteFile(exact, []byte("#"+strings.Repeat(" ", maxConfigBytes)), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{sparse, exact}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
	}
	for _, p := range paths {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := LoadConfig(p)
		runtime.ReadMemStats(&after)
		var ce *ConfigError
		if !errors.Is(err, ErrConfigSyntax) || !errors.As(err, &ce) || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
			t.Errorf("LoadConfig(%s) = %v", p, err)
		}
		if d := after.TotalAlloc - before.TotalAlloc; d > 8<<20 {
			t.Errorf("LoadConfig(%s) allocated %d bytes", p, d)
		}
	}
}
